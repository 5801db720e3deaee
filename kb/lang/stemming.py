"""Stemmers per content language, as the index and the queries use them: Snowball (PyStemmer)
for Spanish and English with a Spanish plural step before it, and our own Bulgarian stemmer
(`kb.lang.bulgarian`) with a cut for search. Plain functions of one word, cached; no Whoosh."""
from __future__ import annotations

from functools import lru_cache

import Stemmer

from kb.lang.bulgarian import ALPHABET as CYRILLIC_LETTERS, stem_for_search
from kb.lang.text import fold_accents

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
    Its effect on the hunspell-es yardstick is in README "Search languages"."""
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


# The doctrine or activity noun in -ism and its agent noun or adjective in -ist are one family in
# all three languages (tourism/tourist, turismo/turista/turístico, туризъм/турист/туристически).
# Snowball removes both suffixes only inside its R2 region, so a long word conflates
# (periodismo/periodista -> period) and a short one does not (turismo -> turism, turista ->
# turist; Porter2 keeps tourism and tourist apart). A stem still ending in -ism (-изм) of at least
# ISM_MIN letters is written with -ist (-ист), as its family's other members are. Its effect:
# README "Search quality".
ISM_MIN = 6


def _ism_to_ist(stem: str, ism: str, ist: str) -> str:
    if len(stem) >= ISM_MIN and stem.endswith(ism):
        return stem[:-3] + ist
    return stem


@lru_cache(maxsize=200_000)
def stem_es(word: str) -> str:
    return _ism_to_ist(fold_accents(_spanish.stemWord(spanish_singular(word))), "ism", "ist")


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    return _ism_to_ist(_english.stemWord(word), "ism", "ist")


# Search conflates Bulgarian further than the inflectional stemmer does: a Cyrillic stem is cut
# to its first BULGARIAN_STEM_PREFIX letters, so derived words meet (Индонезия/индонезийски,
# Македония/македонци, прозрачност/прозрачен, управление/управляващ) and so do the dictionary
# forms that translations bring. Truncation as conflation: McNamee & Mayfield, "Character
# N-gram Tokenization for European Language Text Retrieval", IR 7 (2004), and McNamee,
# Nicholas & Mayfield, SIGIR 2009. Why 6: README "Search languages". Latin-script names are
# not cut.
BULGARIAN_STEM_PREFIX = 6


def stem_bg(word: str) -> str:
    s = _ism_to_ist(stem_for_search(word), "изм", "ист")
    if len(s) > BULGARIAN_STEM_PREFIX and not s.strip(CYRILLIC_LETTERS):
        return s[:BULGARIAN_STEM_PREFIX]
    return s


STEMMERS = {"bg": stem_bg, "es": stem_es, "en": stem_en}
