"""Language analysis: one Whoosh analyzer per content language, each a readable chain.

    bg: words -> keyword marker -> lower-case -> fold ѝ to и -> Bulgarian stop words -> our stemmer
    es: words -> keyword marker -> lower-case -> Spanish stop words (compared without accents)
        -> plural to singular -> Snowball -> fold accents (keep ñ)
    en: words -> keyword marker -> lower-case -> English stop words -> Snowball English

The keyword marker protects acronyms (ЕС, CAF, ISO) and partnership place names from stemming.

Filters are small callables over Whoosh token streams, like Whoosh's own, so they compose with
`|`. Stemming functions are module-level so the schema (which Whoosh pickles) stays picklable.
"""
from __future__ import annotations

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

from kb.lang.stemming import stem_bg, stem_en, stem_es
from kb.lang.text import (BULGARIAN_STOP_WORDS, ENGLISH_STOP_WORDS, PROTECTED_WORDS, SPANISH_STOP_WORDS,
                          WORD_PATTERN, fold_accents, fold_bulgarian)


class CharFoldFilter(Filter):
    """Rewrites each token's text with a module-level function (so it pickles)."""

    def __init__(self, fold):
        self.fold = fold

    def __eq__(self, other):
        return type(other) is type(self) and other.fold is self.fold

    def __call__(self, tokens):
        fold = self.fold
        for t in tokens:
            t.text = fold(t.text)
            yield t


class FoldedStopFilter(StopFilter):
    """Whoosh's StopFilter, comparing each word with the stop list after folding it with a
    module-level function: the Spanish list is written without accents, and `qué`, `cómo`,
    `él`, `más`, `está` are the same stop words as `que`, `como`, `el`, `mas`, `esta`."""

    def __init__(self, stoplist, fold, minsize=1):
        super().__init__(stoplist=stoplist, minsize=minsize)
        self.fold = fold

    def __eq__(self, other):
        return super().__eq__(other) and other.fold is self.fold

    def __call__(self, tokens):
        stoplist, minsize, fold = self.stops, self.min, self.fold
        pos = None
        for t in tokens:
            if len(t.text) >= minsize and fold(t.text) not in stoplist:
                if self.renumber and t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


class HyphenPartsFilter(Filter):
    """After a hyphenated word (e-services), also yield its parts at the same position."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if "-" not in text and "'" not in text and "’" not in text:
                yield t
                continue
            parts = [p for p in text.replace("’", "-").replace("'", "-").split("-") if p]
            yield t
            if t.mode == "query":
                # a query for the whole word is enough: the index holds the whole word too
                continue
            for part in parts:
                t.text = part
                yield t


class KeywordMarkerFilter(Filter):
    """Marks words never to stem, before lower-casing hides them: acronyms written in capitals
    (ЕС, CAF, ISO, EFQM, ОПАК) and the names in PROTECTED_WORDS. Like Lucene's keyword marker."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            t.keyword = (2 <= len(text) <= 6 and text.isupper()) or text.lower() in PROTECTED_WORDS
            yield t


class ProtectingStemFilter(StemFilter):
    """Whoosh's StemFilter, except for tokens marked as keywords."""

    def __call__(self, tokens):
        stemfn = self.stemfn
        ignore = self.ignore
        for t in tokens:
            if not t.stopped and not getattr(t, "keyword", False) and t.text not in ignore:
                t.text = stemfn(t.text)
            yield t


def _words():
    return RegexTokenizer(WORD_PATTERN) | HyphenPartsFilter() | KeywordMarkerFilter()


def bulgarian_analyzer():
    return (_words() | LowercaseFilter() | CharFoldFilter(fold_bulgarian)
            | StopFilter(stoplist=BULGARIAN_STOP_WORDS, minsize=1)
            | ProtectingStemFilter(stemfn=stem_bg, cachesize=-1))


def spanish_analyzer():
    return (_words() | LowercaseFilter()
            | FoldedStopFilter(SPANISH_STOP_WORDS, fold_accents)
            | ProtectingStemFilter(stemfn=stem_es, cachesize=-1)
            | CharFoldFilter(fold_accents))     # after stemming: Snowball's rules expect accents


def english_analyzer():
    return (_words() | LowercaseFilter()
            | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
            | ProtectingStemFilter(stemfn=stem_en, cachesize=-1))


def simple_analyzer():
    """Language-neutral: words, lower-case, accents folded (names, organisations, keywords)."""
    return _words() | LowercaseFilter() | CharFoldFilter(fold_bulgarian) | CharFoldFilter(fold_accents)


ANALYZERS = {"bg": bulgarian_analyzer, "es": spanish_analyzer, "en": english_analyzer}


def analyzer_for(lang: str):
    return ANALYZERS[lang]()


def analyze(lang: str, text: str) -> list[str]:
    """The index terms a text yields in a language (for tests and diagnostics)."""
    return [t.text for t in analyzer_for(lang)(text)]
