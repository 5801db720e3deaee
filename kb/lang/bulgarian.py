"""Rule-based light stemmer for Bulgarian (our own; Snowball/PyStemmer has no Bulgarian).

``stem(word)`` maps an inflected word form to a stem shared, as far as plain suffix rules
allow, by the other inflected forms of the same lemma.  It is written for search: nouns and
adjectives (articles, plurals, gender/number agreement) are conflated carefully, verbs
(conjugation, aorist, imperfect, participles, gerund, imperative) well enough.

Design
------
One longest-match pass over a table of *inflectional endings* (article + agreement,
plural, thematic vowel + tense/person, thematic vowel + participle suffix + agreement),
then a few stem normalisations.  The table is generated below from morphological
building blocks rather than listed by hand, so each rule group reads as grammar:

1. Articles and nominal endings: -ът/-ят (full masc. article, may be followed by a second
   pass that strips a participle-like suffix: ``материалът -> материал -> матери``),
   -а/-я (short article, fem. and neuter plural), -та (only after consonants that end
   feminine nouns: ``областта``, ``помощта``, not ``проекта``/``студента``), -ата/-ята,
   -ото/-ето, -ите, -ове/-овете, -еве/-евете, -ища/-ищата, -етата, -ена/-ената,
   -ия/-ията/-ии/-иите (``администрация``), -ие/-ието (``изключение``), -еля (``учителя``),
   vocative -е/-о/-ю.
2. Adjectives and participles: agreement {-, а, о, и, ия, ият, ата, ото, ите} after
   thematic vowel + л (past active: ``говорил``), н (past passive: ``правен``, ``писан``),
   щ (present active: ``управляващ``); -нат participles of -на verbs (``разгърнат``), -ит
   (``покрит``); mobile е of the masculine short form:
   ``прозрачен -> прозрачн`` to meet ``прозрачна``; -л- after a consonant (``рекла``).
3. Finite verbs: thematic vowel + person/tense ending: -ам/-аш/-аме/-ате/-ат (and -я-),
   -еш/-ем/-ете, -иш/-им/-ите, aorist/imperfect -ах/-ях/-ех/-их/-ох + -хме/-хте/-ха,
   -аше/-яше/-еше, imperative -ай/-айте/-и/-ете/-й, gerund -айки/-яйки/-ейки.
4. Conjugation class: the thematic -я- of the third (-ям) conjugation is *kept* before the
   endings only that conjugation has (-ям -яш -яме -яте -яй -яйте -яйки, passive -ян), so
   ``оставям`` and its perfective ``оставя`` are kept apart where the form allows it.
5. Stem normalisation: a stem-final thematic -и/-а left by a vowel-initial ending is
   dropped (vowel roots: ``изгние/изгнил``); mobile ъ (``театър/театри``, ``петък``,
   ``ритъм/ритми``, ``туризъм/туризма``);
   singulative -ин (``гражданин/граждани``, ``българин/българи``); к/ц and г/з before the
   plural -и (``работник/работници``, ``психолог/психолози``); mobile е of -ец
   (``търговец/търговци``); х/с (``кожух/кожуси``: a stem-final х after a vowel is written с).
6. Nominal alternations read from a left context (``_NEUTER_ETA``, ``_OVCI_AFTER``,
   ``_FEM_EN``): neuter plural -ета/-етата of -е nouns after the letters neuter nouns end in
   (``море/морета``, ``момче/момчета``), else -ета is masculine -ет + -а (``съвета``,
   ``бюджета``, ``отчета``); -овци of masculine -о nouns (``дядо/дядовци``, ``батко``) and -овце
   of -ец nouns (``градец/градовце``); the article -та of feminine -есен/-епен nouns with mobile
   е (``песен/песента/песни``); -ой keeps its й (the noun ``строй``, plural ``строеве``), so the
   verb ``строя/строят`` stays apart; я/е in -мяна nouns of -меня verbs (``промяна/промени``).
7. Guards: a stem keeps at least 2 letters and one vowel, so short words (``да``, ``ес``,
   ``път``, ``съд``) survive; a few irregular plurals are listed in ``_EXCEPTIONS``
   (``деца``, ``дни``, ``дървета``).

References that informed the design: J. Savoy, "Searching strategies for the Bulgarian
language", Information Retrieval 10(6), 2007 (article/plural removal, -ища, -ове/-еве,
-ен mobile vowel, ъ deletion, to-the-stem minimum lengths; its Lucene port is the
yardstick's ``savoy`` peer), and P. Nakov, "BulStem: design and evaluation of
inflectional stemmer for Bulgarian", 2003 (suffix rules conditioned on a left context,
which our "stem keeps a vowel" guard mirrors; BulStem is also the main peer).  No table
is derived from Hunspell or BulStem data; the endings come from Bulgarian grammar, and the
choices between competing readings of an ending were checked against the yardstick.

Measured with the project yardstick (Debian hunspell-bg families) and for speed by
``python bench/bench_stemmer.py``; the figures, beside the peers' (BulStem, Savoy, truncation),
are in README "Search languages"::

    python3 ../shared/eval/stemmer/eval_stemmer.py kb.lang.bulgarian:stem --lang bg

Known limits: consonant and vowel alternations inside verb paradigms (пиша/писах,
чета/чел, бера/брах, пея/пях) split those paradigms; aspect pairs that differ only in the
conjugation (заставя/заставям, почернея/почерня) partly merge; ambiguous endings are read
the verbal way: ``решения`` (plural noun, read as the participle -ен-ия) -> ``реш`` while
``решение`` -> ``решен``; ``правило`` -> ``прав`` (= ``право``); ``необходим`` -> ``необход``
(1st plural -им) but ``необходима`` -> ``необходим``; masculine ``говорен`` -> ``говорн``
(adjective reading of -ен); -ета is read by its left context, so masculine -ет nouns whose
letter before -ет is neuter-like split their short article form (``сюжета``), and neuter
plurals after other letters stay apart (``кафета``, ``полета``); the singular of -ой nouns
keeps й while their other forms do not (``герой`` -> ``герой``, ``героя`` -> ``геро``), the
price of keeping ``строй`` apart from ``строя``; suppletive plurals (човек/хора) are out of scope.
"""
import functools

__all__ = ["stem", "stem_for_search"]

ALPHABET = "абвгдежзийклмнопрстуфхцчшщъьюя"
_VOWELS = frozenset("аеиоуъюя")
_CONS = frozenset("бвгджзйклмнопрстфхцчшщь") - _VOWELS
# feminine nouns ending in a consonant take the article -та after these letters
# (вестта, помощта, кръвта, солта, речта); -нта/-кта/-ста/-рта are masculine + -а
# (студента, проекта, текста, спорта).
_TA_AFTER = frozenset("тщвлчжшдзбпмф")
# ... and after -ен in the feminine -есен/-епен nouns (песента, есента, степента); other -ента
# are masculine -ент + -а (студента, агента, процента).
_FEM_EN = frozenset(("есе", "епе"))
_MIN = 2  # minimal stem length (and the stem must contain a vowel)

# condition codes for an ending
_ANY, _AFTER_CONS, _AFTER_TA, _NEUTER_ETA, _KIN_OVCI, _OVCE = 0, 1, 2, 3, 4, 5
# neuter nouns in -е take the plural -та (море/морета, момче/момчета, гише/гишета); the same
# letters -ета also end masculine -ет nouns + the short article (съвета, бюджета, комитета,
# отчета) and -ет participles (приета, взета).  The plural reading is taken where the letter
# before -ета is one that neuter -е nouns end in and masculine -ет roots rarely do: after a
# vowel + ч/р/ш/з/ж/д/й (момчета, морета, гишета, лозета, въжета, фидета, фоайета), after a
# consonant + д (пердета), and -чета unless -тчета/-зчета (отчета, разчета: masculine -чет).
_ETA_AFTER_V = frozenset("чршзждй")
_ETA_AFTER_C = frozenset("чд")
# masculine nouns in -о (and -ьо) form the plural -овци: дядо/дядовци, батко/батковци,
# чичо/чичовци, батьо/батьовци; the stem before it ends in the consonant of -до/-ко/-чо/-ьо.
# Other -овци are plurals of -овец nouns (търговец/търговци) and keep their -ов-.
_OVCI_AFTER = frozenset("дкчь")

_AGR = ("", "а", "о", "и", "ия", "ият", "ата", "ото", "ите")  # adjective agreement + article


def _build_endings():
    """ending -> (letters to cut, condition, is_article)."""
    table = {}

    def add(ending, cut=None, cond=_ANY, art=False):
        cut = len(ending) if cut is None else cut
        old = table.get(ending)
        if old is None or old[0] < cut:
            table[ending] = (cut, cond, art)

    # 1. nominal endings: articles, plurals, -ия/-ие nouns, vocative
    for e in ("а", "я", "о", "е", "и", "у", "ю",
              "ата", "ята", "ото", "ето", "ите",
              "ове", "овете", "еве", "евете", "ища", "ищата",
              "ена", "ената",
              "ия", "ият", "ията", "ии", "иите", "ие", "ието",
              "еля", "иля", "аля"):
        add(e)
    add("ета", cond=_NEUTER_ETA)   # neuter plural -та after the singular -е: морета
    add("етата", cond=_NEUTER_ETA)  # ... with the article: моретата
    add("овци", cond=_KIN_OVCI)     # дядовци
    add("овците", cond=_KIN_OVCI)
    add("овце", cond=_OVCE)         # градец/градовце: -ец noun, plural -овце -> stem -ц
    add("овцете", cond=_OVCE)
    add("ът", art=True)
    add("ят", art=True)
    add("та", cond=_AFTER_TA, art=True)

    # 2. participles and adjectives: thematic vowel + л/н/щ + agreement
    for suffix, thematic in (("л", "аяеиъ"), ("н", "аяе"), ("щ", "аяе")):
        for v in thematic:
            for a in _AGR:
                e = v + suffix + a
                keep = 1 if (v == "я" and suffix == "н") else 0  # 3rd conj. passive -ян
                add(e, len(e) - keep)
    for a in _AGR[1:]:
        add("л" + a, cond=_AFTER_CONS)        # рекла, рекли (mobile ъ in рекъл)
        add("нат" + a, len(a) + 2, _AFTER_CONS)  # разгърнатата -> разгърн
        add("ит" + a)                          # покрита, покритите
    add("нат", 2, _AFTER_CONS)
    add("ит")

    # 3. finite verb forms: thematic vowel + person/tense ending
    aorist = ("х", "хме", "хте", "ха")
    finite = {
        "а": ("м", "ш", "ме", "те", "т", "ше", "й", "йте", "йки") + aorist,  # 3rd conj., 1st/2nd -ат
        "я": ("м", "ш", "ме", "те", "т", "ше", "й", "йте", "йки") + aorist,
        "е": ("ш", "м", "те", "ше", "йки") + aorist,  # чет-еш, -ем, -ете; imperfect -ех, -еше
        "и": ("ш", "м", "те") + aorist,               # говор-иш, -им, -ите; aorist -их
        "о": aorist,                                  # aorist чет-ох
    }
    third_only = ("м", "ш", "ме", "те", "й", "йте", "йки")
    for v, persons in finite.items():
        for p in persons:
            e = v + p
            # 4. keep the -я- of the 3rd conjugation before endings only it has
            add(e, len(e) - (1 if (v == "я" and p in third_only) else 0))
    for e in ("й", "йте", "йки"):
        add(e)

    by_len = {}
    for e, val in table.items():
        by_len.setdefault(len(e), {})[e] = val
    lens = tuple(sorted(by_len, reverse=True))
    # second pass after an article: the participle-like suffix of a masculine noun
    second = {e: val[0] for e, val in table.items()
              if len(e) == 2 and e[0] in _VOWELS and e[1] in "лн"}
    second["ит"] = 2  # кредитът -> кредит -> кред (as кредити)
    return tuple((n, by_len[n]) for n in lens), second


_ENDINGS, _SECOND = _build_endings()

# hand-written irregular forms (grammar knowledge, not dictionary-derived)
_EXCEPTIONS = {
    "деца": "дет", "децата": "дет", "дете": "дет", "детето": "дет",
    "дни": "ден", "дните": "ден", "деня": "ден", "денят": "ден", "ден": "ден",
    "очи": "ок", "очите": "ок", "око": "ок", "окото": "ок",
    "уши": "ух", "ушите": "ух", "ухо": "ух", "ухото": "ух",
    "хора": "хора", "хората": "хора",
    "дървета": "дърв", "дърветата": "дърв",  # дърво: plural дърва and дървета
}
_SINGULATIVE = {"анин": 4, "янин": 3, "арин": 2}
_VELAR = {"ик": "иц", "ак": "ац", "ог": "оз"}
# letters after which a stem-final ъ is mobile: театър/театри, петък/петъка, ритъм/ритми,
# туризъм/туризма (the -ъм nouns of Greek -mos)
_MOBILE_Y = frozenset("ркм")


def _has_vowel(s):
    for ch in s:
        if ch in _VOWELS:
            return True
    return False


def _strip(w):
    """Longest matching ending -> (stem, ending was an article)."""
    n = len(w)
    for length, endings in _ENDINGS:
        if n - length < _MIN:
            continue
        val = endings.get(w[n - length:])
        if val is None:
            continue
        cut, cond, art = val
        stem = w[:n - length]
        if not _has_vowel(stem):
            continue
        last = stem[-1]
        if cond == _AFTER_CONS and last not in _CONS:
            continue
        if cond == _AFTER_TA and last not in _TA_AFTER:
            # feminine -ен nouns with mobile е: песен/песента/песни, есен/есента
            if last == "н" and stem[-4:-1] in _FEM_EN:
                return stem[:-2] + "н", False
            continue
        if cond == _NEUTER_ETA and not (
                (stem[-2] in _VOWELS and last in _ETA_AFTER_V)
                or (last in _ETA_AFTER_C and (last != "ч" or stem[-2] not in "тз"))):
            continue
        if cond == _KIN_OVCI and last not in _OVCI_AFTER:
            continue
        if cond == _OVCE:
            return stem + "ц", False
        if last == "о":
            e = w[n - length:]
            if e == "й":       # -ой is the noun (герой, строй), not the imperative: kept
                continue
            if e in ("еве", "евете"):  # строй/строеве: й + -еве
                return stem + "й", False
        if last == "м" and w[n - length:n - length + 2] == "ян":
            # -мяна nouns of -меня verbs (промяна/промени, замяна/замени): я/е alternation,
            # the stem meets the -ен- reading of промени
            return stem, False
        if length == 2 and w[-2:] == "ен" and last in _CONS and last != "й":
            return stem + "н", False   # mobile е: прозрачен -> прозрачн (прозрачна)
        return w[:n - cut], art
    return w, False


def _stem(w):
    s, art = _strip(w)
    if art:  # материалът -> материал -> матери (as материали)
        cut = _SECOND.get(s[-2:])
        if cut and len(s) - 2 >= _MIN and _has_vowel(s[:-2]):
            s = s[:-cut]
    n = len(s)
    # thematic и/а left in front of a stripped ending (vowel roots: изгние/изгнил)
    if n > _MIN + 1 and s[-1] in "иа" and s[-2] not in _VOWELS and _has_vowel(s[:-1]):
        s = s[:-1]
        n -= 1
    # mobile ъ: театър/театри, петък/петъка, туризъм/туризма
    if n > 3 and s[-2] == "ъ" and s[-1] in _MOBILE_Y and s[-3] in _CONS and _has_vowel(s[:-2]):
        s = s[:-2] + s[-1]
        n -= 1
    # singulative -ин: гражданин/граждани (-ани is cut like a participle), селянин/селяни,
    # българин/българи
    if n >= 6:
        cut = _SINGULATIVE.get(s[-4:])
        if cut:
            s = s[:-cut]
            n -= cut
    # mobile е of -ец: търговец/търговци, градец/градовце
    if n > 4 and s[-2:] == "ец" and s[-3] in _CONS:
        s = s[:-2] + "ц"
        n -= 1
    # х/с before the plural -и: кожух/кожуси, монах/монаси
    if n > 3 and s[-1] == "х" and s[-2] in _VOWELS:
        s = s[:-1] + "с"
    # velar before the plural -и: работник/работници, психолог/психолози
    if n > 3:
        r = _VELAR.get(s[-2:])
        if r:
            s = s[:-2] + r
    return s


_ALPHA_SET = frozenset(ALPHABET)


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one Bulgarian word.  Never raises; non-Cyrillic input comes back lowercased."""
    if not isinstance(word, str):
        word = str(word)
    w = word.lower()
    if "ѝ" in w:
        w = w.replace("ѝ", "и")
    if "\u0300" in w or "\u0301" in w:  # stress marks
        w = w.replace("\u0300", "").replace("\u0301", "")
    if not w or w.strip(ALPHABET):
        return w
    exc = _EXCEPTIONS.get(w)
    if exc is not None:
        return exc
    return _stem(w)


def stem_for_search(word: str) -> str:
    """``stem`` with one reading preferred for search: ``-ения`` is the plural of a ``-ение``
    noun (решения -> решение, управления -> управление), not a participle.

    Deverbal nouns dominate administrative text, so a query for ``решения`` must meet
    ``решение``/``решението``; ``stem`` alone reads ``-ения`` the verbal way, which scores
    better on the dictionary-derived yardstick (where participle forms outnumber nouns).
    """
    w = word.lower() if isinstance(word, str) else str(word).lower()
    if len(w) > 6 and w.endswith("ения"):
        return stem(w[:-2] + "ие")
    return stem(w)
