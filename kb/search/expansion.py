"""Query expansion across scripts and languages, weighted below the words the user typed.

For each query word it proposes extra forms, each tied to the content languages whose fields it
should be looked up in:
  * Latin-typed Bulgarian (`prozrachnost`) -> Cyrillic spellings (`прозрачност`), kept only if
    the index knows them;
  * dictionary translations (Debian's FreeDict: en<->bg, en<->es, es<->bg through English);
  * topic names: a query naming a topic of the taxonomy in one language brings the topic's
    labels and synonyms in the others.
The search service turns them into Whoosh terms with the boosts given here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.config import Config
from kb.lang.dictionary import get_dictionaries
from kb.lang.stemming import STEMMERS
from kb.lang.text import fold, is_stop_word
from kb.lang.translit import looks_latin, to_cyrillic_variants

TRANSLIT_BOOST = 0.9        # a Cyrillic spelling of a Latin-typed word is nearly the word itself
TRANSLATION_BOOST = 0.35    # a dictionary translation: useful, but it must not outrank originals
TOPIC_BOOST = 0.5
MAX_TRANSLIT = 3
MAX_TRANSLATIONS = 3

_NAME_WORD = re.compile(r"\w+")     # a topic name's words, hyphenated ones apart (once-only principle)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Expansion:
    text: str
    langs: tuple[str, ...]      # content languages whose fields it is looked up in
    boost: float
    kind: str                   # "translit", "translation", "topic"


def _script(word: str) -> str:
    if _CYRILLIC.search(word):
        return "cyrillic"
    if _LATIN.search(word):
        return "latin"
    return "other"


class QueryExpander:
    def __init__(self, config: Config, dictionaries=None, translate: bool = True, transliterate: bool = True):
        self.config = config
        self.langs = tuple(config.content_languages)
        self._dictionaries = dictionaries
        self.translate_enabled = translate
        self.translit_enabled = transliterate and "bg" in self.langs
        self._topics = self._topic_phrases(config)
        self._stemmed_topics = None     # (names, where each first stem starts one): _topic_stems

    @property
    def dictionaries(self):
        if self._dictionaries is None:
            self._dictionaries = get_dictionaries()
        return self._dictionaries

    def warm_up(self) -> None:
        """Load the dictionaries now (a worker does this once, not on its first query)."""
        if self.translate_enabled:
            self.dictionaries.load()

    # ------------------------------------------------------------------ words
    def word(self, word: str, known=None) -> list[Expansion]:
        """Expansions of one (lower-case) query word. `known(lang, text)` says whether the index
        holds that text in that language; transliterations are kept only if it does."""
        return list(self._word(word, known))

    def _word(self, word, known):
        script = _script(word)
        if script == "other" or len(word) < 3 or word.isdigit():
            return
        if script == "latin" and self.translit_enabled:
            if looks_latin(word):
                kept = 0
                for cyr in to_cyrillic_variants(word, limit=8):
                    if known is None or known("bg", cyr):
                        yield Expansion(cyr, ("bg",), TRANSLIT_BOOST, "translit")
                        kept += 1
                        if kept >= MAX_TRANSLIT:
                            break
                if kept and self.translate_enabled:
                    # a word typed in Latin letters that is Bulgarian: translate its Cyrillic form
                    yield from self._translations(next_cyr(word, known), "bg")
        if not self.translate_enabled:
            return
        if script == "cyrillic":
            yield from self._translations(word, "bg")
        elif script == "latin":
            for src in ("en", "es"):
                if src in self.langs:
                    yield from self._translations(word, src)

    def _translations(self, word, src):
        """Dictionary translations of `word` read as a word of `src`, into the other languages.
        A stop word of `src` is not translated (`the` -> el/la/las, `who` -> който/което)."""
        if not word or is_stop_word(src, word):
            return
        for dst in self.langs:
            if dst == src:
                continue
            for t in _translate(self.dictionaries, word, src, dst)[:MAX_TRANSLATIONS]:
                yield Expansion(t, (dst,), TRANSLATION_BOOST, "translation")

    # ------------------------------------------------------------------ topics
    @staticmethod
    def _topic_phrases(config: Config) -> list[tuple[str, str, str]]:
        """(folded phrase, topic id, language) for every topic label and synonym."""
        out = []
        for topic in config.topics:
            for lang, label in topic.label.items():
                out.append((fold(label), topic.id, lang))
            for lang, words in topic.synonyms.items():
                for w in words:
                    out.append((fold(w), topic.id, lang))
        return out

    def _topic_stems(self) -> tuple[list[tuple[tuple[str, ...], str, str, bool]], dict[tuple[str, str], list[int]]]:
        """(stems of a topic name, topic id, language, broad) for every label and synonym,
        longest first; and (language, first stem) -> the positions in that list of the names
        starting with it, so that a query is compared only with the names one of its words can
        start. A name is broad when it is the topic's label or made of the label's words
        (прозрачност in "Прозрачност и отворени данни"); the other synonyms are narrower terms
        or aspects of the topic (interoperability, declaración responsable under
        administrative simplification)."""
        if self._stemmed_topics is None:
            out = set()
            for phrase, topic_id, lang in self._topics:
                stems = _stems(lang, _NAME_WORD.findall(phrase))
                if stems:
                    label = self.config.topics.get(topic_id).label.get(lang, "")
                    label_stems = set(_stems(lang, _NAME_WORD.findall(fold(label))))
                    out.add((stems, topic_id, lang, set(stems) <= label_stems))
            names = sorted(out, key=lambda x: (-len(x[0]), x))
            starting: dict[tuple[str, str], list[int]] = {}
            for k, (stems, _topic_id, lang, _broad) in enumerate(names):
                starting.setdefault((lang, stems[0]), []).append(k)
            self._stemmed_topics = names, starting
        return self._stemmed_topics

    def topics_named(self, words: list[str], readings: list[str]) -> list[TopicMatch]:
        """Topics named by consecutive words of the query, compared by stems in each language
        (`прозрачността`, `contratacion publica`, `obshtestveni porachki` through its Cyrillic
        `readings`, '' where a word has none), each with the query words it covers."""
        per_lang = {}
        for lang in self.langs:
            seq = []
            for i, w in enumerate(words):
                w = readings[i] or w if lang == "bg" else w
                for part in _NAME_WORD.findall(fold(w)):        # once-only: once, only
                    if not is_stop_word(lang, part):
                        seq.append((i, STEMMERS[lang](part)))
            per_lang[lang] = seq
        found: dict[str, set[int]] = {}
        named_in: dict[str, set[str]] = {}
        broad: set[str] = set()
        names, starting = self._topic_stems()
        # the names in their order (longest first), as comparing the query with every name would
        candidates = sorted({k for lang, seq in per_lang.items() for _i, stem in seq
                             for k in starting.get((lang, stem), ())})
        for stems, topic_id, lang, is_broad in (names[k] for k in candidates):
            seq = per_lang[lang]
            n = len(stems)
            for start in range(len(seq) - n + 1):
                if tuple(s for _i, s in seq[start:start + n]) == stems:
                    found.setdefault(topic_id, set()).update(i for i, _s in seq[start:start + n])
                    named_in.setdefault(topic_id, set()).add(lang)
                    if is_broad:
                        broad.add(topic_id)
        out = []
        for topic_id, positions in found.items():
            topic = self.config.topics.get(topic_id)
            exps = []
            for lang in self.langs:
                # the topic's names in the languages the query did not name it in (in its own
                # language, the other names of a topic pulled in records on its other aspects;
                # measured: README "Search quality")
                if lang in named_in[topic_id]:
                    continue
                names = [topic.label.get(lang, "")] + list(topic.synonyms.get(lang, ()))
                exps.extend(Expansion(n, (lang,), TOPIC_BOOST, "topic") for n in names if n)
            out.append(TopicMatch(topic_id, tuple(sorted(positions)), tuple(exps), topic_id in broad))
        return out



@dataclass(frozen=True)
class TopicMatch:
    """A topic of the taxonomy that some consecutive words of the query name (in any language)."""
    topic: str
    positions: tuple[int, ...]      # indices of the query words the name covers
    expansions: tuple[Expansion, ...]   # the topic's names in the other languages
    broad: bool = True              # named by its label or the label's words, not a narrower synonym


def _stems(lang: str, words) -> tuple[str, ...]:
    stem = STEMMERS[lang]
    return tuple(stem(fold(w)) for w in words if not is_stop_word(lang, fold(w)))


def next_cyr(word, known):
    """The best Cyrillic reading of a Latin-typed word that the index knows, or ''."""
    for cyr in to_cyrillic_variants(word, limit=8):
        if known is None or known("bg", cyr):
            return cyr
    return ""


def _translate(dictionaries, word, src, dst) -> list[str]:
    try:
        return dictionaries.translate(word, src, dst, limit=MAX_TRANSLATIONS)
    except Exception:  # noqa: BLE001 - a dictionary problem must never fail a search
        return []
