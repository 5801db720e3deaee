"""Words, folding and stop lists: one home for each of these facts, used by analysis, query
expansion, dictionaries and the importer alike."""
from __future__ import annotations

import unicodedata

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

STOP_WORDS = {"bg": BULGARIAN_STOP_WORDS, "es": SPANISH_STOP_WORDS, "en": ENGLISH_STOP_WORDS}

# Names that keep their exact form in every language (the partnership's place names).
PROTECTED_WORDS = frozenset({"cáceres", "caceres", "badajoz", "burgas", "бургас", "касерес", "бадахос",
                             "extremadura", "естремадура", "interreg", "euroace"})


def _latin_fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x00C0, 0x0250):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if ch not in "ñÑ" and base != ch and base.isascii():
            table[code] = base
    return table


_LATIN_FOLD = _latin_fold_table()
_COMBINING_ACCENTS = dict.fromkeys((0x0300, 0x0301, 0x0302, 0x0308), None)   # grave, acute, circumflex, diaeresis


def fold_accents(text: str) -> str:
    """Latin diacritics removed (á -> a, ü -> u) but ñ kept (año ≠ ano); Cyrillic left alone
    (й is a letter of its own). Works on composed and decomposed text alike."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text).translate(_LATIN_FOLD).translate(_COMBINING_ACCENTS)


def fold_bulgarian(text: str) -> str:
    """The stressed pronoun ѝ is the letter и with a grave accent."""
    return text.replace("ѝ", "и").replace("Ѝ", "и")


def fold(text: str) -> str:
    """Lower case, accents folded (ñ kept), ѝ -> и: for comparing names (topics, regions, ids)."""
    return fold_bulgarian(fold_accents(text.lower()))


def is_stop_word(lang: str, word: str) -> bool:
    """Is `word` (lower case) a stop word of that language, as its analyzer compares it?"""
    if lang == "bg":
        return fold_bulgarian(word) in BULGARIAN_STOP_WORDS
    if lang == "es":
        return fold_accents(word) in SPANISH_STOP_WORDS
    return lang == "en" and word in ENGLISH_STOP_WORDS
