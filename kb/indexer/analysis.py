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

import unicodedata
from functools import lru_cache

import Stemmer
from kb.indexer.bulgarian import _ALPHABET as _CYRILLIC_LETTERS, stem_for_search
from whoosh.analysis import (Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter)

# A word: letters/digits, optionally joined by hyphens or apostrophes (e-services, d'Alcántara).
WORD_PATTERN = r"\w+(?:[-'’]\w+)*"

BULGARIAN_STOP_WORDS = frozenset("""
а аз ако ала бе без би бил била били било близо бъдат бъде бяха в вас ваш ваша ваше ваши вече ви
вие все всеки всички всичко всяка всяко във въпреки върху ги го да дали до докато докога дори
досега е ето за зад заедно заради засега защо защото и из или им има имат иска й каза как каква
какво както какъв като кога когато което които кой който колко която къде където към ли между
ме мен ми мн мога могат може моля му на над най например нас наш наша наше наши не него нещо
нея ни ние никой нито но някои някой няколко няма обаче около освен особено от отгоре отново
още пак по повече повечето под поне поради после почти при пред преди през с са само се сега
си скоро след сме според сред срещу сте съм със също т те тези теб теб тези тия то това тогава
този той толкова точно три трябва тук тъй тя тях у ще щом я
""".split())

# Interrogatives and relatives are stop words in every language (qué/cuánto, what/whose, какво/колко),
# and so are the auxiliaries (English be/have/do: the do of "how many did ..." is no topic word).
SPANISH_STOP_WORDS = frozenset("""
a al algo algunas algunos ante antes como con contra cual cuales cuando cuanto cuanta cuantos
cuantas de del desde donde durante e el ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estado
estais estamos estan estar estas este esto estos estoy fue fueron fui fuimos ha habia han has
hasta hay la las le les lo los mas me mi mis mucho muchos muy nada ni no nos nosotros o os otra
otros para pero poco por porque que quien quienes se sea sean ser si sido sin sobre sois somos son
soy su sus tambien tanto te tiene tienen todo todos tu tus un una uno unos vosotros y ya
""".split())

ENGLISH_STOP_WORDS = frozenset("""
a an and are as at be but by for from has have if in into is it its of on or such that the their
then there these they this to was were will with which who whom whose what when where why how
am been being had having do does did doing
""".split())


def _fold_spanish(text: str) -> str:
    """Remove acute accents and diaeresis but keep ñ (año ≠ ano)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch in "ñÑ":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


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


# Names that must keep their exact form in every language (place names of the partnership).
PROTECTED_WORDS = frozenset({"cáceres", "caceres", "badajoz", "burgas", "бургас", "касерес", "бадахос",
                             "extremadura", "естремадура", "interreg", "euroace"})


def fold_bulgarian(text: str) -> str:
    return text.replace("ѝ", "и").replace("Ѝ", "и")


_spanish = Stemmer.Stemmer("spanish")
_english = Stemmer.Stemmer("english")


_ES_VOWELS = frozenset("aeiouáéíóúü")


def spanish_singular(word: str) -> str:
    """A noun/adjective plural brought to its singular before Snowball, where Spanish grammar
    says unambiguously how it was formed: -es after a vowel + d/l/n/r/y (ciudades, papeles,
    regiones, mujeres, leyes), -ces after a vowel from -z (veces, luces), -s after unstressed
    -a/-o (años, días, gobiernos). Snowball alone splits such pairs: ciudad -> ciud but
    ciudades -> ciudad (it reads -ad as a verb ending), gobiernos -> gobi (-nos read as an
    attached pronoun), años -> años (the ending falls outside its RV region). Verb forms in
    -mos, and -es after other letters (partes, países, clases), are left to Snowball.
    On the hunspell-es yardstick (../shared/eval/stemmer): F1 0.793 -> 0.807, P 0.877 -> 0.878,
    recall on noun/adjective families (Rsm) 0.950 -> 0.979."""
    n = len(word)
    if n < 4 or word[-1] != "s":
        return word
    if word.endswith("es"):
        if n >= 5 and word[-4] in _ES_VOWELS:
            if word[-3] == "c":
                return word[:-3] + "z"
            if word[-3] in "dlnry":
                return word[:-2]
        return word
    if word[-2] in "ao" and not word.endswith("mos"):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def stem_es(word: str) -> str:
    return _fold_spanish(_spanish.stemWord(spanish_singular(word)))


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    return _english.stemWord(word)


# Search conflates Bulgarian further than the inflectional stemmer does: a Cyrillic stem is cut
# to its first BULGARIAN_STEM_PREFIX letters, so derived words meet (Индонезия/индонезийски,
# Македония/македонци, прозрачност/прозрачен, управление/управляващ) and so do the dictionary
# forms that translations bring. Truncation as conflation: McNamee & Mayfield, "Character
# N-gram Tokenization for European Language Text Retrieval", IR 7 (2004), and McNamee,
# Nicholas & Mayfield, SIGIR 2009. Measured on the dev tasks, cuts at 5, 6 and 7 all beat
# no cut (a plateau; 8 is no cut in effect); 6 is its middle. Latin-script names are not cut.
BULGARIAN_STEM_PREFIX = 6


def stem_bg(word: str) -> str:
    s = stem_for_search(word)
    if len(s) > BULGARIAN_STEM_PREFIX and not s.strip(_CYRILLIC_LETTERS):
        return s[:BULGARIAN_STEM_PREFIX]
    return s


def _words():
    return RegexTokenizer(WORD_PATTERN) | HyphenPartsFilter() | KeywordMarkerFilter()


def bulgarian_analyzer():
    return (_words() | LowercaseFilter() | CharFoldFilter(fold_bulgarian)
            | StopFilter(stoplist=BULGARIAN_STOP_WORDS, minsize=1)
            | ProtectingStemFilter(stemfn=stem_bg, cachesize=-1))


def spanish_analyzer():
    return (_words() | LowercaseFilter()
            | FoldedStopFilter(SPANISH_STOP_WORDS, _fold_spanish)
            | ProtectingStemFilter(stemfn=stem_es, cachesize=-1)
            | CharFoldFilter(_fold_spanish))     # after stemming: Snowball's rules expect accents


def english_analyzer():
    return (_words() | LowercaseFilter()
            | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
            | ProtectingStemFilter(stemfn=stem_en, cachesize=-1))


def simple_analyzer():
    """Language-neutral: words, lower-case, accents folded (names, organisations, keywords)."""
    return _words() | LowercaseFilter() | CharFoldFilter(fold_bulgarian) | CharFoldFilter(_fold_spanish)


ANALYZERS = {"bg": bulgarian_analyzer, "es": spanish_analyzer, "en": english_analyzer}


def analyzer_for(lang: str):
    return ANALYZERS[lang]()


def is_stop_word(lang: str, word: str) -> bool:
    """Would that language's analyzer drop this (lower-case) word as a stop word?"""
    if lang == "bg":
        return fold_bulgarian(word) in BULGARIAN_STOP_WORDS
    if lang == "es":
        return _fold_spanish(word) in SPANISH_STOP_WORDS
    return lang == "en" and word in ENGLISH_STOP_WORDS


def analyze(lang: str, text: str) -> list[str]:
    """The index terms a text yields in a language (for tests and diagnostics)."""
    return [t.text for t in analyzer_for(lang)(text)]
