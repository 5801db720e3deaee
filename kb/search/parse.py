"""The user's query language, parsed without ever failing.

    words            all words preferred, best matches first; a missing word does not empty results
    "a phrase"       words next to each other
    -word, -"a b"    exclude
    a OR b           either (binds the neighbouring words into one clause)

Unbalanced quotes, a lone '-', a leading/trailing OR and other stray operators are read as
ordinary words or dropped; parse() never raises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str                                           # lower case
    typed: str = field(default="", compare=False)       # as typed, if in capitals (an acronym: TUMAS)
    # in a query typed all in capitals, a short word may still be an acronym: looked up both ways
    maybe_acronym: str = field(default="", compare=False)

    @property
    def analysed(self) -> str:
        """The form to analyse: as typed, so the analyzers can keep acronyms from stemming."""
        return self.typed or self.text


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    typed: tuple[str, ...] = field(default=(), compare=False)

    @property
    def analysed(self) -> tuple[str, ...]:
        return self.typed or self.words


Item = Word | Phrase


@dataclass
class ParsedQuery:
    clauses: list[list[Item]] = field(default_factory=list)   # AND-preferred list of OR-groups
    excluded: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.excluded

    def positive_words(self) -> list[str]:
        out = []
        for group in self.clauses:
            for item in group:
                out.extend([item.text] if isinstance(item, Word) else item.words)
        return out


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"\w+(?:[-'’]\w+)*")


def _words_of(text: str) -> list[str]:
    return _WORD_CHARS.findall(text)


def parse(text: str) -> ParsedQuery:
    text = (text or "").replace("\x00", " ")
    if text.count('"') % 2:                 # unbalanced quote: read the stray one as a space
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1:]
    query = ParsedQuery()
    pending_or = False
    # capitals mark an acronym only against lower case: a query typed all in capitals is not
    keep_case = any(ch.islower() for ch in text)

    def word(w: str) -> Word:
        if keep_case:
            return Word(w.lower(), w if w.isupper() else "")
        return Word(w.lower(), "", w if 2 <= len(w) <= 6 and w.isupper() else "")

    def phrase(ws) -> Phrase:
        return Phrase(tuple(w.lower() for w in ws),
                      tuple(w if keep_case and w.isupper() else w.lower() for w in ws)
                      if keep_case and any(w.isupper() for w in ws) else ())

    for m in _TOKEN.finditer(text):
        negated, quoted, bare = m.group(1), m.group(2), m.group(3)
        if bare == "OR":
            pending_or = bool(query.clauses)
            continue
        if quoted is not None:
            words = tuple(_words_of(quoted))
            if not words:
                continue
            item: Item = phrase(words) if len(words) > 1 else word(words[0])
            exclude = bool(negated)
        else:
            exclude = bare.startswith("-") and len(bare) > 1
            words = _words_of(bare[1:] if exclude else bare)
            if not words:
                continue
            # a token such as "foo/bar" holds several words: the first takes the operator
            if len(words) > 1 and not exclude:
                for j, w in enumerate(words):
                    if j == 0 and pending_or:
                        query.clauses[-1].append(word(w))
                        pending_or = False
                    else:
                        query.clauses.append([word(w)])
                continue
            item = word(words[0]) if len(words) == 1 else phrase(words)
        if exclude:
            query.excluded.append(item)
            pending_or = False
        elif pending_or:
            query.clauses[-1].append(item)
            pending_or = False
        else:
            query.clauses.append([item])
    return query


def normalise(text: str) -> str:
    """A canonical form of a query, for cache keys and comparisons."""
    q = parse(text)
    parts = []
    for group in q.clauses:
        parts.append(" OR ".join(_fmt(i) for i in group))
    parts.extend("-" + _fmt(i) for i in q.excluded)
    return " ".join(parts)


def _fmt(item: Item) -> str:
    # acronyms keep their capitals: they are analysed differently (not stemmed); a word of an
    # all-capitals query that may be one is looked up both ways, so it has a key of its own
    if isinstance(item, Word):
        return item.analysed + ("|" + item.maybe_acronym if item.maybe_acronym else "")
    return '"' + " ".join(item.analysed) + '"'
