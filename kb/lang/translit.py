"""Bulgarian transliteration: Latin-typed Bulgarian back to Cyrillic, and official romanisation.

Officials often type Bulgarian in Latin letters ("prozrachnost obshtina", "grazhdani",
"systoianie", "4italishte"). The search service turns such a word into a short, ranked list of
plausible Cyrillic spellings with `to_cyrillic_variants` and keeps the ones the index knows.

Romanisation law
    `to_latin` implements the official Streamlined System of the Bulgarian Transliteration Act
    (Закон за транслитерацията, State Gazette 19/2009): а a, б b, в v, г g, д d, е e, ж zh,
    з z, и i, й y, к k, л l, м m, н n, о o, п p, р r, с s, т t, у u, ф f, х h, ц ts, ч ch,
    ш sh, щ sht, ъ a, ь y, ю yu, я ya, plus the special rule that "ия" at the end of a word is
    written "ia" (България -> Balgaria, София -> Sofia). Capitals follow the source: Ж -> Zh
    in a capitalised word, ZH in an all-capitals one.

Scoring idea (Latin -> Cyrillic)
    The word is read left to right as a lattice: at each position every rule whose Latin side
    matches ("sht", "sh", "s", ...) is an edge to the position after it, with a cost that is
    roughly -log P(Cyrillic | typed Latin):

    * official 2009 mappings cost 0 (sh -> ш, sht -> щ, ya -> я, a -> а);
    * common informal spellings cost a little (a/u/y/` -> ъ, j/i -> й, iu/ju -> ю,
      ia/ja/q -> я, j -> ж, c/tz -> ц, x -> х, w -> в, 4/6/6t -> ч/ш/щ chat-speak);
    * reading an official digraph as two letters costs a "split" penalty (sh -> с+х as in
      "схема", ts -> т+с as in "отстъпка", zh -> з+х as in "разход", sht -> ш+т);
    * a small table of Bulgarian spelling facts adds penalties to unlikely Cyrillic letter
      pairs: ь only before о and after a consonant, й only after a vowel, ъ not after a vowel
      nor at the end of a word, ц hardly ever before a consonant, "иу" rare, ...;
    * a few context rules use the neighbouring Latin letters: final "ia" is ия (the law's rule),
      "ia"/"iu" after a vowel is я/ю ("sastoianie"), "y" between consonants is ъ ("systoianie"),
      "i" between a/e and a consonant is й ("onlain"), "izh-"/"razh-" + o is из-х/раз-х;
    * since the law writes both а and ъ as "a", a short list of frequent stems says where an
      "a" (or an informal "u") is ъ: word-initial съ-/въз-/във-/път-/първ-/бълг-/ръков-/търг-,
      and поръч-, наръч-, пълн-, дълж-, държ-, достъп-, център, регистър anywhere.

    A beam search (the best `BEAM_WIDTH` partial spellings per position, none costing more than
    the best + `MARGIN`, identical spellings merged; runs of unambiguous letters are one edge)
    finds the cheapest complete spellings; they are returned cheapest first. The function
    favours recall: the caller checks every candidate against the index vocabulary.

Standard library only; pure functions, safe to call from any thread.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["to_cyrillic_variants", "looks_latin", "to_latin", "candidate_stems", "BEAM_WIDTH"]

BEAM_WIDTH = 12          # partial spellings kept per position
MARGIN = 5.0             # partial spellings costing more than the best one + MARGIN are dropped
MAX_EDGE_COST = 4.0      # readings dearer than this are never considered
MAX_WORD_LEN = 64        # longer "words" are read greedily (beam 1), they are not Bulgarian words

# ------------------------------------------------------------------------------------------
# Cyrillic -> Latin: the 2009 Streamlined System
# ------------------------------------------------------------------------------------------

_OFFICIAL = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    "ѝ": "i",  # the stressed pronoun "ѝ" is an и with a grave accent
}


def to_latin(text: str) -> str:
    """Romanise Bulgarian text by the official Streamlined System (Transliteration Act, 2009).

    Characters that are not Bulgarian Cyrillic letters are kept as they are.
    >>> to_latin("България")
    'Balgaria'
    """
    if not isinstance(text, str):
        return ""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        low = ch.lower()
        if low not in _OFFICIAL:
            out.append(ch)
            i += 1
            continue
        upper = ch != low
        # the law's special rule: "ия" at the end of a word is "ia"
        if low == "и" and i + 1 < n and text[i + 1].lower() == "я" \
                and (i + 2 == n or not text[i + 2].isalpha()):
            nxt_upper = text[i + 1] != "я"
            out.append(("I" if upper else "i") + ("A" if nxt_upper else "a"))
            i += 2
            continue
        latin = _OFFICIAL[low]
        if upper:
            # all-capitals word (a neighbouring letter is upper too) -> "ZH"; else "Zh"
            nxt = text[i + 1] if i + 1 < n else ""
            prv = text[i - 1] if i > 0 else ""
            all_caps = (nxt.isalpha() and nxt.isupper()) or \
                       (not nxt.isalpha() and prv.isalpha() and prv.isupper())
            latin = latin.upper() if all_caps else latin.capitalize()
        out.append(latin)
        i += 1
    return "".join(out)


# ------------------------------------------------------------------------------------------
# Latin -> Cyrillic
# ------------------------------------------------------------------------------------------

_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_LATIN_VOWELS = frozenset("aeiouy")          # y counts as a vowel letter for context checks
_CYR_VOWELS = frozenset("аеиоуъюяѝ")
_CYR_LETTERS = frozenset("абвгдежзийклмнопрстуфхцчшщъьюяѝ")

# Latin sequence -> [(Cyrillic, cost)]. Costs: 0 official, ~0.5-1.3 informal, >=1.5 rare.
_RULES: dict[str, list[tuple[str, float]]] = {
    # official single letters, and their informal alternatives
    "a": [("а", 0.0), ("ъ", 1.0)],
    "b": [("б", 0.0)],
    "c": [("ц", 0.8), ("к", 2.0), ("ч", 2.0)],
    "d": [("д", 0.0)],
    "e": [("е", 0.0)],
    "f": [("ф", 0.0)],
    "g": [("г", 0.0)],
    "h": [("х", 0.0)],
    "i": [("и", 0.0), ("й", 1.0)],
    "j": [("ж", 0.8), ("й", 0.9), ("дж", 1.5)],
    "k": [("к", 0.0)],
    "l": [("л", 0.0)],
    "m": [("м", 0.0)],
    "n": [("н", 0.0)],
    "o": [("о", 0.0)],
    "p": [("п", 0.0)],
    "q": [("я", 0.8), ("к", 2.0)],
    "r": [("р", 0.0)],
    "s": [("с", 0.0)],
    "t": [("т", 0.0)],
    "u": [("у", 0.0), ("ъ", 1.2), ("ю", 2.0)],
    "v": [("в", 0.0)],
    "w": [("в", 0.8), ("у", 2.0)],
    "x": [("х", 0.9), ("кс", 1.0)],
    "y": [("й", 0.0), ("ь", 0.0), ("ъ", 0.8), ("и", 2.0)],
    "z": [("з", 0.0)],
    "`": [("ъ", 0.2)],
    "'": [("ъ", 0.6), ("ь", 0.6)],
    # official digraphs / trigraphs
    "zh": [("ж", 0.0)],
    "ts": [("ц", 0.0)],
    "ch": [("ч", 0.0)],
    "sh": [("ш", 0.0)],
    "sht": [("щ", 0.0)],
    "yu": [("ю", 0.0)],
    "ya": [("я", 0.0)],
    # informal multi-letter spellings
    "tz": [("ц", 0.8)],
    "cz": [("ц", 1.5)],
    "kh": [("х", 1.0)],
    "dj": [("дж", 0.5)],
    "iu": [("ю", 0.5)],
    "iia": [("ия", 0.3)],
    "iiu": [("ию", 0.5)],
    "ju": [("ю", 0.9)],
    "ia": [("я", 1.0), ("ия", 1.0)],
    "ja": [("я", 0.9)],
    "jo": [("ьо", 0.6), ("йо", 0.6)],
    "io": [("йо", 1.2), ("ьо", 1.2)],
    "st": [("щ", 2.0)],
    "sch": [("щ", 1.5)],
    "tsh": [("ч", 1.5)],
    # chat-speak digits
    "4": [("ч", 0.3), ("4", 1.5)],
    "6": [("ш", 0.3), ("6", 1.5)],
    "6t": [("щ", 0.2)],
}

# Multi-letter rules that are normally read as one letter: taking a shorter reading at the
# same position costs this much more ("sh" read as с+х, "sht" as ш+т, ...).
_SPLIT: dict[str, float] = {
    "zh": 1.5, "ts": 1.0, "ch": 3.0, "sh": 2.0, "sht": 1.5, "yu": 2.0, "ya": 2.0,
    "kh": 1.5, "tz": 1.5, "dj": 0.5, "6t": 1.0, "tsh": 0.5,
}

# Penalties on adjacent Cyrillic letters ("^" = start of word, "$" = end of word).
_PAIR_PENALTY: dict[str, float] = {}


def _build_pair_penalties() -> None:
    consonants = _CYR_LETTERS - _CYR_VOWELS - {"ь", "й"}
    pen = _PAIR_PENALTY
    for v in _CYR_VOWELS:
        pen[v + "ъ"] = 2.0                    # ъ after a vowel: virtually never
        pen[v + "ь"] = 4.0                    # ь after a vowel: never
        pen["ъ" + v] = 1.0                    # ъ before a vowel: rare (въоръжен)
        pen["й" + v] = 2.0                    # й before a vowel other than о, е: very rare
        pen["ь" + v] = 4.0                    # ь only before о
    pen["йо"] = 0.0
    pen["ъо"] = 0.3                           # съоръжение, съобщение, въоръжен
    pen["йе"] = 0.5
    pen["ьо"] = 0.0
    for c in consonants:
        pen["ь" + c] = 4.0                    # ь before a consonant: never
        pen[c + "й"] = 3.0                    # й after a consonant: never in native words
        pen["ц" + c] = 1.5                    # ц before a consonant: rare (детски, not децки)
    pen["ьь"] = pen["йь"] = pen["ьй"] = 4.0
    pen["^ь"] = 5.0
    pen["^ъ"] = 1.5
    pen["ъ$"] = 3.0
    pen["ь$"] = 5.0
    pen["йй"] = 4.0
    pen["ъъ"] = 3.0
    pen["иу"] = 1.0
    pen["ию"] = 0.5
    pen["яя"] = 2.0
    pen["юю"] = 2.0
    for pair, value in list(pen.items()):       # a hyphen ends and starts words too
        if pair[0] == "^":
            pen["-" + pair[1]] = value
        elif pair[1] == "$":
            pen[pair[0] + "-"] = value


_build_pair_penalties()

# Word-initial prefixes where "zh" is usually з+х: из-ход, раз-ход, без-хаберие, въз-ход.
_ZH_PREFIXES = ("izh", "razh", "bezh", "vazh", "vuzh", "vyzh", "rozh")

# Where a typed "a" is most likely ъ (the 2009 law writes ъ as a). Word-initial prefixes, and
# stems found anywhere in the word; "_" marks each a that stands for ъ.
_SCHWA_START = ("s_b", "s_d", "s_f", "s_g", "s_k", "s_o", "s_p", "s_s", "s_t", "s_v", "s_z",
                "s_ch", "v_zm", "v_zl", "v_zs", "v_zd", "v_zp", "v_zn", "v_zr", "v_zt", "v_zk",
                "v_zv", "v_zb", "v_zg", "v_v", "v_t", "v_p", "v_n", "v_g", "t_rg", "t_rs",
                "r_kov",
                "b_lg", "d_lg", "k_sht", "p_ti", "p_tya", "p_tu", "p_tn", "p_tish", "p_rv")
_SCHWA_ANYWHERE = ("p_ln", "d_lzh", "d_rzh", "por_ch", "nar_ch", "s_obsht", "s_otv", "dost_p",
                   "tsent_r", "tzent_r", "cent_r", "regist_r", "minist_r")
# The same for a typed "u" (informal ъ): fewer prefixes, since су-, ву-, пу- are real too.
_SCHWA_U_START = ("s_ob", "s_otv", "s_zd", "s_d", "s_gl", "s_vm", "s_vet", "s_tr", "s_st",
                  "s_bir", "s_bit", "s_kr", "s_ch", "s_s", "v_z", "v_v", "v_tr", "v_pr",
                  "v_nsh", "p_rv", "p_tu", "p_ti", "p_tn", "b_lg", "r_kov", "t_rg", "t_rsen")
_SCHWA_GROUPS = (("a", _SCHWA_START, True), ("a", _SCHWA_ANYWHERE, False),
                 ("u", _SCHWA_U_START, True), ("u", _SCHWA_ANYWHERE, False))
# (Latin stem, offsets of its ъ letters, word-initial only?)
_SCHWA_STEMS = tuple((pattern.replace("_", vowel),
                      tuple(k for k, ch in enumerate(pattern) if ch == "_"), start)
                     for vowel, patterns, start in _SCHWA_GROUPS for pattern in patterns)


_SCHWA_START_BY_HEAD: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
_SCHWA_ANYWHERE_STEMS: list[tuple[str, tuple[int, ...]]] = []
for _latin, _offsets, _start in _SCHWA_STEMS:
    if _start:
        _SCHWA_START_BY_HEAD.setdefault(_latin[:2], []).append((_latin, _offsets))
    else:
        _SCHWA_ANYWHERE_STEMS.append((_latin, _offsets))


def _schwa_positions(word: str) -> frozenset[int]:
    """Positions of the letters "a"/"u" that a known stem says are ъ."""
    found: set[int] = set()
    for latin, offsets in _SCHWA_START_BY_HEAD.get(word[:2], ()):
        if word.startswith(latin):
            found.update(offsets)
    for latin, offsets in _SCHWA_ANYWHERE_STEMS:
        at = word.find(latin)
        while at >= 0:
            found.update(at + k for k in offsets)
            at = word.find(latin, at + 1)
    return frozenset(found)


# For each first character, the lengths of the rules starting with it, longest first.
_RULE_LENGTHS: dict[str, tuple[int, ...]] = {}
for _key in _RULES:
    _RULE_LENGTHS[_key[0]] = tuple(sorted(set(_RULE_LENGTHS.get(_key[0], ())) | {len(_key)},
                                          reverse=True))
_CONTEXT_KEYS = frozenset({"a", "i", "y", "ia", "iu", "zh", "ja", "ju"})


def looks_latin(word: str) -> bool:
    """True if `word` is made of Latin letters a-z (any case), maybe digits and hyphens,
    with at least one letter."""
    if not isinstance(word, str) or not word:
        return False
    has_letter = False
    for ch in word.lower():
        if ch in _LATIN_LETTERS:
            has_letter = True
        elif not (ch.isascii() and ch.isdigit()) and ch != "-":
            return False
    return has_letter


def _inner_penalty(cyr: str) -> float:
    return sum(_PAIR_PENALTY.get(cyr[k:k + 2], 0.0) for k in range(len(cyr) - 1))


# The rules with the penalty of the letter pairs inside each reading ("дж", "кс") added.
_COMPILED_RULES: dict[str, list[tuple[str, float, float]]] = {
    key: [(cyr, cost, _inner_penalty(cyr)) for cyr, cost in rules] for key, rules in _RULES.items()}


def _edges(word: str) -> list[list[tuple[int, str, float]]]:
    """For each position, the readings (length, Cyrillic, cost) of the Latin text starting there.

    Costs include the letter pairs inside a reading. Runs of positions with a single reading
    are merged into one edge (the search then skips over them), so position lists may be empty.
    """
    n = len(word)
    result: list[list[tuple[int, str, float]]] = []
    landing = [0] * (n + 1)
    schwa = _schwa_positions(word) if "a" in word or "u" in word else frozenset()
    for i in range(n):
        opts: list[tuple[int, str, float]] = []
        split = 0.0            # penalty for readings shorter than the longest strong rule
        split_len = 0
        for length in _RULE_LENGTHS.get(word[i], ()):
            if i + length > n:
                continue
            key = word[i:i + length]
            rules = _COMPILED_RULES.get(key)
            if rules is None:
                continue
            if key in _SPLIT and length > split_len:
                split, split_len = _SPLIT[key], length
            if i in schwa and length == 1:
                ctx = _SCHWA_CONTEXT if key == "a" else _SCHWA_U_CONTEXT
            elif key in _CONTEXT_KEYS:
                ctx = _context(word, i, key)
            else:
                ctx = _NO_CONTEXT
            extra = split if length < split_len else 0.0
            for cyr, cost, inner in rules:
                cost += extra
                if ctx:
                    cost += ctx.get(cyr, 0.0)
                if cost > MAX_EDGE_COST:
                    continue
                opts.append((length, cyr, cost + inner))
                landing[i + length] += 1
        if not opts:                          # unknown character: keep it as it is
            opts.append((1, word[i], 0.0))
            landing[i + 1] += 1
        result.append(opts)
    # merge chains of single readings: i -> j -> k becomes i -> k when only i lands on j
    for i in range(n - 1, -1, -1):
        opts = result[i]
        if len(opts) != 1:
            continue
        length, cyr, cost = opts[0]
        j = i + length
        if j < n and landing[j] == 1 and len(result[j]) == 1:
            length2, cyr2, cost2 = result[j][0]
            result[i] = [(length + length2, cyr + cyr2,
                          cost + cost2 + _PAIR_PENALTY.get(cyr[-1] + cyr2[0], 0.0))]
            result[j] = []
    return result


_NO_CONTEXT: dict[str, float] = {}
_SCHWA_CONTEXT = {"ъ": -1.0, "а": 0.5}       # a known ъ-stem: ъ costs 0, а costs 0.5
_SCHWA_U_CONTEXT = {"ъ": -1.2, "у": 0.5}
_FINAL_AT = {"ъ": -0.5}                     # "-at", "-tar" at the end: the article -ът, център


# "ia" inside these stems is и+а, not я: социален, материал, инициатива, вариант, диалог
_LITERAL_IA = ("ial", "iativ", "iant", "iag", "iaz", "iar")
_LITERAL_IA_START = ("dia", "avia", "media", "pia")


def _literal_ia(word: str, i: int) -> bool:
    """True if the "ia" at position i is most likely и+а."""
    if word.startswith(_LITERAL_IA, i):
        return True
    return any(i == len(p) - 2 and word.startswith(p) for p in _LITERAL_IA_START)


def _context(word: str, i: int, key: str) -> dict[str, float]:
    """Extra costs for the readings of `key` at position i, from the neighbouring Latin letters."""
    n = len(word)
    prev = word[i - 1] if i > 0 else ""
    end = i + len(key)
    nxt = word[end] if end < n else ""
    prev_vowel = prev in _LATIN_VOWELS
    if key == "ia":
        if end == n:                              # final "ia" is ия by the law ("strategia")
            return {"ия": -1.0, "я": -0.2 if prev_vowel else 0.0}
        if prev_vowel:                            # "sastoianie": o-ia is оя
            return {"я": -0.7}
        if not _literal_ia(word, i):              # "triabva": я; but "sotsialni" keeps иа
            return {"я": -0.6}
        return _NO_CONTEXT
    if key == "iu":
        return {"ю": -0.3} if prev_vowel or i == 0 else _NO_CONTEXT
    if key == "i":
        if nxt == "a" and end + 1 == n:           # final "ia" is ия, not иа
            return {"и": 1.0}
        if nxt in ("a", "u", "o") and prev_vowel:  # "oia": the i is the glide of я/ю
            return {"и": 1.0}
        if nxt == "a" and prev and not _literal_ia(word, i):
            return {"и": 0.6}
        if nxt == "i" and end + 1 < n and word[end + 1] in ("a", "u"):
            return {"и": 1.0}                     # "-ciia", "-ciiu": the "iia" rule reads ия
        if nxt == "t" and word.endswith("te") and end + 2 == n:
            return _NO_CONTEXT                    # the article "-ite" after a vowel: идеите
        if prev_vowel and nxt not in _LATIN_VOWELS:  # "onlain", "krai": й
            return {"й": -1.0, "и": 0.3} if prev in ("a", "e") else {"й": -0.8}
        return _NO_CONTEXT
    if key == "y":
        if prev and prev not in _LATIN_VOWELS and nxt and nxt not in _LATIN_VOWELS:
            return {"ъ": -0.5}                    # "systoianie": y between consonants is ъ
        return _NO_CONTEXT
    if key == "zh":
        for prefix in _ZH_PREFIXES:
            if i == len(prefix) - 2 and word.startswith(prefix):
                # "izhod", "razhodi": з+х; "razhdane" keeps ж
                return {"ж": 2.0} if nxt in ("o", "v", "r", "l") else {"ж": 0.4}
        return _NO_CONTEXT
    if key in ("ja", "ju"):
        return {"я": -0.4, "ю": -0.4} if i == 0 else _NO_CONTEXT  # "junosha": ю; "mreja": жа
    return _NO_CONTEXT


def to_cyrillic_variants(word: str, limit: int = 8) -> list[str]:
    """Plausible Cyrillic spellings of a Latin-typed Bulgarian word, most likely first.

    At most `limit` distinct lower-case strings; [] when the word has no Latin letter.
    Never raises for a str argument.
    >>> to_cyrillic_variants("obshtina")[0]
    'община'
    """
    if not isinstance(word, str) or not isinstance(limit, int) or limit <= 0:
        return []
    word = word.strip().lower()
    if not any(ch in _LATIN_LETTERS for ch in word):
        return []
    if len(word) <= MAX_WORD_LEN:
        width = max(BEAM_WIDTH, limit)
    else:                                         # not a word: one greedy reading is enough
        width = limit = 1
    edges = _edges(word)
    n = len(word)
    pen = _PAIR_PENALTY
    nodes: list[dict[str, float] | None] = [None] * (n + 1)
    nodes[0] = {"^": 0.0}                         # "^" marks the start of the word
    for i in range(n):
        here = nodes[i]
        if not here:
            continue
        nodes[i] = None                           # free memory as we go
        if len(here) > 1:
            items = sorted(here.items(), key=_by_cost)
            cutoff = items[0][1] + MARGIN
            items = [it for it in items[:width] if it[1] <= cutoff]
        else:
            items = here.items()
        for length, cyr, ecost in edges[i]:
            target = nodes[i + length]
            if target is None:
                target = nodes[i + length] = {}
            first = cyr[0]
            for s, cost in items:
                c = cost + ecost + pen.get(s[-1] + first, 0.0)
                t = s + cyr
                old = target.get(t)
                if old is None or c < old:
                    target[t] = c
    final = nodes[n] or {}
    scored = sorted((c + pen.get(s[-1] + "$", 0.0), s[1:]) for s, c in final.items() if len(s) > 1)
    out: list[str] = []
    for _, s in scored:
        out.append(s)
        if len(out) >= limit:
            break
    return out


def _by_cost(item: tuple[str, float]) -> float:
    return item[1]


def candidate_stems(word: str, stem: Callable[[str], str], limit: int = 8) -> list[str]:
    """`to_cyrillic_variants(word, limit)` mapped through `stem`, duplicates dropped, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for cand in to_cyrillic_variants(word, limit):
        s = stem(cand)
        if s and s not in seen:
            seen.add(s)
            out.append(s)
    return out
