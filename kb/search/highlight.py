"""Snippets: the best passages of a record's text with the query's matched words marked.

The output is what Whoosh's highlighter gives (as Results.highlights runs it: ContextFragmenter
220/60, BasicFragmentScorer, best `top` in text order, HtmlFormatter with <mark>), computed over
plain tuples: each distinct written word is analysed once per process (`kb.search.words`),
tokens and fragments are tuples (Whoosh's objects are made only for its formatter, which the
tests compare with), and only the words around matched ones are read (`Highlighter._tokens`).
tests/test_vector.py compares the output with Whoosh's, and with reading every word."""
from __future__ import annotations

import re
from collections import deque
from heapq import nlargest
from html import escape
from operator import itemgetter

from whoosh import highlight
from whoosh.analysis import Token

from kb.search.words import WORD_RE, WordAnalysis


def context_fragments(text: str, toks, maxchars: int, surround: int,
                      charlimit: int = highlight.DEFAULT_CHARLIMIT):
    """whoosh.highlight.ContextFragmenter.fragment_tokens over (startchar, endchar, matched, text)
    tuples, line for line, yielding each fragment as (startchar, endchar, matches) with the
    matched tokens as (startchar, endchar, text) tuples: the fragments Whoosh would make
    (`whoosh_fragments` makes them), without an object per token and fragment."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    tks = []
    endchar = None
    currentlen = 0
    for startchar, endchar, matched, term in toks:
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append((startchar, endchar, term))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield _fragment(tks, first, endchar)
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        yield _fragment(tks, first, endchar)


def _fragment(tks: list, first: int | None, endchar: int) -> tuple[int, int, list]:
    """whoosh.highlight.mkfrag's start and end (no characters added before or after)."""
    if first is None:
        first = tks[0][0] if tks else 0
    return first, endchar, tks


def best_fragments(fragments, top: int) -> list[tuple[int, int, list]]:
    """whoosh.highlight.top_fragments(fragments, top, BasicFragmentScorer(), FIRST, minscore=1)
    over context_fragments' tuples: a fragment scores its number of matched tokens times 100
    times its number of distinct matched terms (every token's boost is 1); the best `top` with
    a score of at least 1, in text order. Fragments start at increasing positions, so ties of
    score are broken by position as Whoosh's fragments compare."""
    scored = nlargest(top, ((len(m) * (len({t for _s, _e, t in m}) * 100 or 1), start, end, m)
                            for start, end, m in fragments))
    return sorted(((start, end, m) for score, start, end, m in scored if score >= 1), key=itemgetter(0))


def whoosh_fragments(text: str, fragments) -> list:
    """context_fragments' tuples as Whoosh's Fragment objects (for Whoosh's formatters)."""
    return [highlight.Fragment(text, [Token(text=t, startchar=s, endchar=e, boost=1.0, matched=True)
                                      for s, e, t in m], start, end)
            for start, end, m in fragments]


SNIPPET_SEPARATOR = " … "
_WORD_WIDEN = 40            # at most this many characters are added to finish a cut word


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) widened to whole words: a passage never begins or ends inside a word."""
    limit = max(0, start - _WORD_WIDEN)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    limit = min(len(text), end + _WORD_WIDEN)
    while end < limit and not text[end].isspace():
        end += 1
    return start, end


def readable_snippet(text: str, fragments) -> str:
    """Passages as HTML (matched words in <mark>), cut at word boundaries, joined with " … "
    and ending with " …" when the text goes on. Overlapping passages merge."""
    spans = []
    for fstart, fend, matches in fragments:
        start, end = _word_bounds(text, fstart, fend)
        marks = [(ms, me) for ms, me, _t in matches]
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2].extend(marks)
        else:
            spans.append([start, end, marks])
    parts = []
    for start, end, marks in spans:
        out, pos = [], start
        for ms, me in sorted(set(marks)):
            if ms < pos or me > end:
                continue
            out.append(escape(text[pos:ms]))
            out.append(f'<mark class="match">{escape(text[ms:me])}</mark>')
            pos = me
        out.append(escape(text[pos:end]))
        parts.append("".join(out).strip())
    html = SNIPPET_SEPARATOR.join(parts)
    if spans and text[spans[-1][1]:].strip():
        html += " …"
    return html


def word_prefix(text: str, limit: int) -> str:
    """At most `limit` characters of a text, ending at a word boundary (snippets are made from it)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut] if cut > limit // 2 else text[:limit]


def short_text(text: str, limit: int = 300) -> str:
    """The start of a text, at most `limit` characters, cut at a word boundary (with " …")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"


# Read backwards (on the reversed text): the non-word characters just before a position, and
# the part of a word (WORD_PATTERN's letters, digits and inner hyphens/apostrophes) before it.
_BACK_GAP = re.compile(r"\W*")
_BACK_WORD = re.compile(r"(?:\w|[-'’](?=\w))*")


def _window_start(rtext: str, pos: int, surround: int) -> int:
    """Where to start reading words (never inside one) so that context_fragments meets the first
    matched word at or after `pos` as reading the whole text would. The fragment it opens there
    starts at the earliest word (in `firsts`) starting at most `surround` characters before the
    end of the word preceding the match: those words are read, and what the fragmenter kept from
    before a skipped stretch starts earlier, so it is dropped as the skipped words would be."""
    n = len(rtext)
    gap = _BACK_GAP.match(rtext, n - pos)
    start = pos - (gap.end() - gap.start()) - surround
    if start <= 0:
        return 0
    word = _BACK_WORD.match(rtext, n - start)
    return start - (word.end() - word.start())


class Highlighter:
    def __init__(self, words: WordAnalysis):
        self.words = words
        # per field: the chunks analysed so far, and term -> the chunks among them holding it
        self._chunk_memos: dict[str, tuple[set[str], dict[str, set[str]]]] = {}

    def highlight(self, fieldname: str, analyzer, text: str, matched: set[str], top: int = 2,
                  readable: bool = True) -> str:
        """HTML of the best `top` fragments of `text` with the terms in `matched` marked ('' if
        none of them occurs). readable=False gives Whoosh's exact output (what the tests compare);
        for reading, the passages are widened to whole words and joined with " … "."""
        memo = self.words.memo(fieldname, True)
        raws = self._matched_words(fieldname, memo, analyzer, text, matched)
        if not raws:
            return ""
        toks = self._tokens(text, memo, analyzer, matched, raws, surround=60)
        fragments = best_fragments(context_fragments(text, toks, maxchars=220, surround=60), top)
        if not readable:
            formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
            return formatter.format(whoosh_fragments(text, fragments))
        return readable_snippet(text, fragments)

    def _matched_words(self, fieldname: str, memo, analyzer, text: str, matched: set[str]) -> set[str]:
        """The written words of `text` with a term in `matched`, found by whitespace-separated
        chunk ("servicios," "(OGP)"): str.split is several times faster than WORD_RE over a whole
        text, and no word holds a space, so a chunk's words are the text's words there. Each
        chunk is analysed once per process (bounded), and what it holds is kept backwards, term
        -> chunks: the text's chunks holding a matched term are then set intersections, where
        looking up each chunk's terms in turn was a third of a snippet's time."""
        memos = self._chunk_memos.get(fieldname)
        if memos is None:
            memos = self._chunk_memos.setdefault(fieldname, (set(), {}))
        known, chunks_of = memos
        terms_of = self.words.terms
        chunks = set(text.split())
        hit_chunks = set()
        for term in matched:
            holding = chunks_of.get(term)
            if holding:
                hit_chunks |= holding & chunks
        for chunk in chunks.difference(known):        # not analysed yet (or the memo is full)
            terms = {t for raw in WORD_RE.findall(chunk) for t in terms_of(memo, analyzer, raw, True)}
            if not matched.isdisjoint(terms):
                hit_chunks.add(chunk)
            if len(known) < self.words.memo_size:
                for t in terms:                         # (before `known`: a known chunk is indexed)
                    chunks_of.setdefault(t, set()).add(chunk)
                known.add(chunk)
        return {raw for chunk in hit_chunks for raw in WORD_RE.findall(chunk)
                if not matched.isdisjoint(terms_of(memo, analyzer, raw, True))}

    def _tokens(self, text: str, memo, analyzer, matched: set[str], raws, surround: int,
                whole: bool = False) -> list:
        """The (startchar, endchar, matched, text) tokens context_fragments reads, merged as Whoosh
        does, taken only around the occurrences of the written words `raws` (those with a matched
        term) unless `whole`: analysing every word was most of a search request's snippet time,
        and between fragments the fragmenter only remembers the last `surround` characters.

        A stretch is skipped only where the fragmenter is surely idle: a matched word leaves it at
        most 2 * surround characters of words before its fragment closes (`budget` bounds its
        countdown), and one word more sets its countdown below 0, as the skipped words would.
        `_window_start` resumes early enough to rebuild what it remembers, so the fragments are
        those of reading everything. That counts on every word giving a token: a word the
        analyzer drops (none does in kb's analyzers) has the whole text read."""
        terms_of = self.words.terms
        memo_get = memo.get
        starts = []
        if not whole:
            for raw in raws:
                at = text.find(raw)
                while at >= 0:          # (also inside longer words: a harmless extra window)
                    starts.append(at)
                    at = text.find(raw, at + 1)
            starts.sort()
        rtext = text[::-1]
        toks = []                       # [startchar, endchar, matched, text], merged as Whoosh does
        cur = None
        reach = 2 * surround
        budget = -1
        i, n = 0, len(starts)
        begin = _window_start(rtext, starts[0], surround) if starts else 0
        settled = -1 if starts else len(text)   # the next window starts before any word up to here
        while True:
            for m in WORD_RE.finditer(text, begin):
                start, end = m.span()
                if start > settled and budget < 0 and cur is None:
                    while i < n and starts[i] < start:
                        i += 1
                    if i == n:
                        break
                    resume = _window_start(rtext, starts[i], surround)
                    if resume > start:
                        begin = resume
                        break
                    settled = starts[i]
                raw = m.group()
                terms = memo_get(raw)
                if terms is None:
                    terms = terms_of(memo, analyzer, raw, True)
                if not terms and not whole:
                    return self._tokens(text, memo, analyzer, matched, raws, surround, whole=True)
                for term in terms:
                    if term not in matched:
                        if cur is not None:
                            toks.append(cur)
                            budget = reach - (cur[1] - cur[0])
                            cur = None
                        toks.append((start, end, False, term))
                        budget -= end - start
                    elif cur is None:
                        cur = [start, end, True, term]
                    elif start <= cur[1]:
                        if end > cur[1]:
                            cur[3] += term[cur[1] - end:]
                            cur[1] = end
                    else:
                        toks.append(cur)
                        cur = None
                        toks.append((start, end, True, term))
                        budget = reach - (end - start)
            else:
                break
            if i == n:
                break
        if cur is not None:
            toks.append(cur)
        return toks
