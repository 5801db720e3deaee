"""Cross-language query translation (bg / es / en) from Debian's installed FreeDict dictionaries.

A Spanish or English query must find Bulgarian records and vice versa, so the query layer asks
this module for a few translations of each query word. The data are the dictd files of Debian's
FreeDict packages, read where Debian installs them (``/usr/share/dictd``); nothing is copied into
this repository. ``make run``/``make test`` (scripts/install-debian-packages.sh) install the packages when they are missing.

Packages and licences (from ``/usr/share/doc/<package>/copyright``, Debian bookworm):

    dict-freedict-eng-bul 2022.12.07-2  English -> Bulgarian, FreeDict+WikDict 2022.11.18
                                        (generated from Wiktionary via DBnary), 32,522 headwords;
                                        data: CC-BY-SA-3.0 (FreeDict contributors);
                                        Debian packaging: GPL-3+
    dict-freedict-eng-spa 2022.04.21-1  English -> Spanish, FreeDict 0.3.1 (from Ergane),
                                        5,907 headwords; data: GPL-2+; Debian packaging: GPL-3+
    dict-freedict-spa-eng 2022.04.21-1  Spanish -> English, FreeDict 0.3.1 (from Ergane),
                                        4,502 headwords; data: GPL-2+; Debian packaging: GPL-3+
    wspanish 1.0.30 (optional)          /usr/share/dict/spanish, 86,016 Spanish words;
                                        word list: public domain; Debian packaging: GPL-2+

There is no ``dict-freedict-bul-eng`` in Debian (``apt-cache search freedict`` lists bul only as
a target language); if a ``freedict-bul-eng`` dictionary ever appears in the folder it is used
directly. The data are only read at run time, never redistributed with kb.

The dictd format
    ``<name>.index``   one line per headword: ``headword<TAB>offset<TAB>length``, offset and length
                       written in dictd's base64 (digits ``A-Z a-z 0-9 + /``, most significant
                       first); headwords are lower case, letters, digits and spaces only;
    ``<name>.dict.dz`` the entries' text, gzip-compatible (dictzip); read whole with ``gzip``.
    An entry is TEI-derived plain text: a header line ``headword /pronunciation/ <pos>``, then
    the senses, numbered ``1.``, ``2.`` ... when there are several. In the Ergane dictionaries
    (eng-spa, spa-eng) every further line is a sense: comma-separated translations. In the
    WikDict ones (eng-bul) each sense is a translation line followed by an English gloss line
    ("form of government or rule"), sub-senses add bare ``2.`` markers; only the translation
    lines are kept, with stress accents (``бюдже́т``) and wiki links (``[[пръст|пръстите]]``)
    resolved, bracketed notes removed, terms of more than 3 words dropped.

Translation directions
    direct      a dictionary src->dst exists (en->bg, en->es, es->en);
    inverted    only dst->src exists: every translation of every headword points back to the
                headword (bg->en from eng-bul). For en<->es, where both directions exist but are
                small, the inverted opposite dictionary tops up the direct results;
    pivot       through English: es->bg = es->en->bg, bg->es = bg->en->es, with at most 3
                English pivots x 3 targets, deduplicated.
    lexicon     en<->es, on a direct step (not a pivot's): Apertium's eng-spa lexicon fills
                what the dictionaries and cognates leave up to the limit (kb.lang.apertium).
    cognates    es<->en only, after the dictionaries: a suffix rule (-ción/-tion, -idad/-ity,
                -encia/-ency ...) derives a candidate that counts only if a word list of the
                target language has it (English: the eng-bul headwords; Spanish: wspanish plus
                the FreeDict Spanish words). The Ergane dictionaries lack most of our vocabulary
                (transparencia, participación, estrategia); cognates recover it.
    Ergane output is also checked against those word lists (when present), dropping typos
    (``alcade``) and words the conversion glued together (``bolsadetrabajo``).

Lookup tries the word as given, then light normalisation: lower case; English and Spanish
plurals (-s, -es, -ies); Spanish accents folded (``participacion`` == ``participación``, ñ is
kept); Spanish feminine -a/-as -> -o as a last resort; Bulgarian article and plural endings
(``общината``, ``граждани``, ``поръчки``, ``фондове``, ``електронни``) stripped and dictionary
forms re-tried. Translations come back lower case, single words first, then in sense order.

Cost: each pair is read on first use (`QueryExpander.warm_up` does it when a web worker starts);
the bg->X direction inverts eng-bul once. Memory and time: README "Operating kb".

Usage::

    from kb.lang.dictionary import get_dictionaries
    get_dictionaries().translate("transparencia", "es", "bg")   # ['прозрачност', 'плака']

Nothing here raises for missing dictionaries or odd input: ``translate`` returns ``[]``.
"""
from __future__ import annotations

import gzip
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from kb.lang import LANGUAGES, apertium
from kb.lang.text import fold_accents

__all__ = ["Dictionaries", "get_dictionaries", "decode_b64_number", "read_index",
           "read_dict_data", "parse_entry", "clean_terms", "fold_accents", "normalise",
           "lookup_key", "cognate_candidates", "DEFAULT_ROOT"]

DEFAULT_ROOT = "/usr/share/dictd"
SPANISH_WORDS = "/usr/share/dict/spanish"   # Debian's wspanish (public domain), optional
LANGS = LANGUAGES
ISO3 = {"bg": "bul", "en": "eng", "es": "spa"}
PIVOT = "en"
MAX_PIVOTS = 3          # English pivots per word
MAX_PER_PIVOT = 3       # targets per English pivot
PIVOT_BACK = 4          # a pivot's target is kept when the pivot is among its first back-translations
MAX_TERM_WORDS = 3      # "short multiword expressions": at most this many words
MAX_TERM_CHARS = 40

# dictd's base64 alphabet (not RFC 4648's padding-based encoding: a plain base-64 number).
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {c: i for i, c in enumerate(_B64)}


def decode_b64_number(text: str) -> int:
    """dictd's base64 number: ``"B"`` -> 1, ``"BA"`` -> 64. Raises ValueError on a bad digit."""
    n = 0
    if not text:
        raise ValueError("empty dictd base64 number")
    for ch in text:
        try:
            n = n * 64 + _B64_VALUE[ch]
        except KeyError:
            raise ValueError(f"bad dictd base64 digit {ch!r} in {text!r}") from None
    return n


def read_index(path: str) -> list[tuple[str, int, int]]:
    """The (headword, offset, length) lines of a dictd ``.index``; bad lines are skipped."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 3:
                continue
            try:
                rows.append((parts[0], decode_b64_number(parts[1]), decode_b64_number(parts[2])))
            except ValueError:
                continue
    return rows


def read_dict_data(path: str) -> bytes:
    """The whole text of a ``.dict.dz`` (gzip/dictzip) or plain ``.dict`` file."""
    if path.endswith(".dz") or path.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    with open(path, "rb") as fh:
        return fh.read()


# --- text normalisation -------------------------------------------------------------------------

_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                          "\u00ad": None, "\u2019": "'", "\u02bc": "'"})
_CYR = re.compile(r"[\u0400-\u04ff]")
_CYR_STRESS = re.compile(r"(?<=[\u0400-\u04ff])[\u0300\u0301]")


def normalise(text: str) -> str:
    """NFC, no Cyrillic stress marks, ASCII hyphens, lower case, single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text.translate(_HYPHENS))
        if "\u0301" in text or "\u0300" in text:     # no precomposed stressed Cyrillic vowels
            text = _CYR_STRESS.sub("", text)
    return " ".join(text.lower().split())


# --- entry parsing ------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*\d+\.\s+(?=\S)")
_BARE_NUMBER = re.compile(r"^\s*\d+\.\s*$")
_TRAILING_NUMBER = re.compile(r"\s+\d+\.\s*$")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|<[^<>]*>")
_PRON = re.compile(r"/[^/]*/")
_WIKILINK = re.compile(r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]")
_TERM_SEP = re.compile(r"[,;]")
_TERM_OK = re.compile(r"^[^\W\d_]+(?:[-' ][^\W\d_]+)*$")


@dataclass
class Entry:
    headword: str                       # as written in the entry's header (not lower-cased)
    pron: str                           # first pronunciation, without slashes ('' if none)
    affix: bool = False                 # a <prefix>/<suffix> entry ('archy' -> 'архия')
    senses: list[list[str]] = field(default_factory=list)   # clean terms per sense


def clean_terms(line: str, dst: str | None = None) -> list[str]:
    """Comma/semicolon separated translations of one sense line -> clean lower-case terms.

    Bracketed notes go, terms longer than MAX_TERM_WORDS words or with digits/symbols go, and for
    a Bulgarian target a term must contain Cyrillic (English glosses are not translations).
    """
    if "[[" in line:
        line = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), line)  # [[пръст|пръстите]]
    if "(" in line or "[" in line or "{" in line or "<" in line:
        line = _BRACKETED.sub(" ", _BRACKETED.sub(" ", line))
    terms = []
    for raw in _TERM_SEP.split(line):
        term = normalise(raw).strip(" .:!?\"'«»„“”*")
        if term.startswith("to ") and dst == "en":
            term = term[3:]
        if not term or len(term) > MAX_TERM_CHARS or term.count(" ") >= MAX_TERM_WORDS:
            continue
        if not _TERM_OK.match(term):
            continue
        if dst == "bg" and not _CYR.search(term):
            continue
        if dst in ("en", "es") and _CYR.search(term):
            continue
        if term not in terms:
            terms.append(term)
    return terms


def parse_entry(text: str, wikdict: bool = False, dst: str | None = None) -> Entry:
    """One dictd entry -> its header headword, pronunciation and the clean terms of each sense.

    ``wikdict``: senses are a translation line followed by gloss lines (FreeDict+WikDict);
    otherwise every line after the header is a sense (FreeDict/Ergane).
    """
    lines = text.replace("\r", "").split("\n")
    header = lines[0].strip() if lines else ""
    cut = len(header)
    for mark in (" /", " <"):
        pos = header.find(mark)
        if pos != -1:
            cut = min(cut, pos)
    headword = header[:cut].strip()
    pron_match = _PRON.search(header[cut:])
    pron = pron_match.group(0).strip("/") if pron_match else ""
    entry = Entry(headword, pron, affix=bool(re.search(r"<(?:suffix|prefix|infix)>", header)))
    first = True
    for line in lines[1:]:
        lead = line[:1]
        numbered = lead.isdigit() or lead == " "
        if numbered:
            if _BARE_NUMBER.match(line):
                continue                                # a WikDict sub-sense marker ' 3.'
            numbered = bool(_NUMBERED.match(line))
        if not line.strip() or (wikdict and not (first or numbered)):
            continue                                    # (WikDict) an English gloss line
        first = False
        if numbered:
            line = _NUMBERED.sub("", line)
        if line.endswith("."):
            line = _TRAILING_NUMBER.sub("", line)
        terms = clean_terms(line, dst)
        if terms:
            entry.senses.append(terms)
    return entry


# --- one dictionary -----------------------------------------------------------------------------

def _is_multi(term: str) -> bool:
    return " " in term


def _suspicious_prons(entries: list[Entry]) -> set[int]:
    """Ergane multiword entries whose headword was truncated to its first word ('a /ədei/' is
    "a day", indexed under "a"): their pronunciation is much longer than the word's own."""
    lengths = [len(e.pron) for e in entries]
    known = [n for n in lengths if n]
    if not known:
        return set()
    shortest = min(known)
    bad = set()
    for i, (e, n) in enumerate(zip(entries, lengths)):
        if not n:
            continue
        if len(entries) > 1 and n > shortest + 3 and n > 1.5 * shortest:
            bad.add(i)
        elif n >= 2 * len(e.headword) + 4:
            bad.add(i)
    if len(bad) == len(entries):        # never drop everything: keep the least suspicious
        bad.discard(lengths.index(shortest))
    return bad


def _rank_terms(entries: list[Entry]) -> list[str]:
    """Single words first, then by sense number, entry order and position in the sense."""
    scored = {}
    for ei, entry in enumerate(entries):
        for si, sense in enumerate(entry.senses):
            for pi, term in enumerate(sense):
                key = (_is_multi(term), si, ei, pi)
                if term not in scored or key < scored[term]:
                    scored[term] = key
    return sorted(scored, key=scored.__getitem__)


_NON_KEY = re.compile(r"[^\w ]|_")


def lookup_key(text: str) -> str:
    """A word as dictd indexes headwords: lower case, letters, digits and spaces only
    (``e-Services`` -> ``eservices``)."""
    return " ".join(_NON_KEY.sub("", normalise(text)).split())


class _Table:
    """headword -> ranked translations of one direction, with accent-folded Spanish keys.

    Built from a dictd pair, entries are parsed when first asked for (``rows``: key -> offsets
    into ``data``) and the result is kept; built by inversion, the table is complete at once.
    """

    def __init__(self, src: str, dst: str, table: dict[str, list[str]] | None = None, *,
                 rows: dict[str, list[tuple[int, int]]] | None = None, data: bytes = b"",
                 wikdict: bool = False):
        self.src, self.dst = src, dst
        self.table: dict[str, list[str]] = dict(table or {})
        self.rows = rows or {}
        self.data, self.wikdict = data, wikdict
        self.folded: dict[str, list[str]] = {}
        if src == "es":
            for key in (self.rows or self.table):
                f = fold_accents(key)
                if f != key:
                    self.folded.setdefault(f, []).append(key)

    def keys(self):
        return self.rows.keys() if self.rows else self.table.keys()

    def _exact(self, key: str) -> list[str]:
        hit = self.table.get(key)
        rows, data = self.rows, self.data       # (items() may drop them meanwhile)
        if hit is None and key in rows:
            entries = []
            for off, ln in rows[key]:
                text = data[off:off + ln].decode("utf-8", errors="replace")
                entry = parse_entry(text, wikdict=self.wikdict, dst=self.dst)
                if not entry.affix:
                    entries.append(entry)
            if not self.wikdict:
                bad = _suspicious_prons(entries)
                entries = [e for i, e in enumerate(entries) if i not in bad]
            hit = self.table[key] = _rank_terms(entries)
        return hit or []

    def get(self, key: str) -> list[str]:
        hit = self._exact(key)
        if hit or self.src != "es":
            return hit
        f = fold_accents(key)
        hit = self._exact(f)
        if hit:
            return hit
        out: list[str] = []
        for original in self.folded.get(f, ()):
            out.extend(t for t in self._exact(original) if t not in out)
        return out

    def items(self) -> list[tuple[str, list[str]]]:
        """Every (headword, translations), parsing what was not parsed yet; once all is parsed
        the raw text is dropped."""
        out = [(key, self._exact(key)) for key in list(self.keys())]
        if self.rows:
            self.rows, self.data = {}, b""
        return [(key, terms) for key, terms in out if terms]

    def __len__(self) -> int:
        return len(self.keys())


def _is_meta(headword: str) -> bool:
    return headword.startswith("00database") or headword.startswith("00-database")


def load_pair(index_path: str, dict_path: str, src: str, dst: str) -> _Table:
    """Open a dictd dictionary: read its index and text; entries are parsed on demand."""
    data = read_dict_data(dict_path)
    rows: dict[str, list[tuple[int, int]]] = {}
    meta = []
    for hw, off, ln in read_index(index_path):
        if _is_meta(hw):
            meta.append(data[off:off + ln])
            continue
        key = lookup_key(hw)
        if key and off + ln <= len(data):
            slot = rows.setdefault(key, [])
            if (off, ln) not in slot:
                slot.append((off, ln))
    wikdict = b"wikdict" in b"".join(meta).lower()
    return _Table(src, dst, rows=rows, data=data, wikdict=wikdict)


def invert(forward: _Table) -> _Table:
    """dst->src from src->dst: each translation points back to the headwords it translates,
    best first (where the term ranks high in the headword's list, single-word headwords)."""
    scored: dict[str, dict[str, tuple]] = {}
    for headword, terms in forward.items():
        for rank, term in enumerate(terms):
            key = (rank, _is_multi(headword), len(terms))   # fewer translations: closer
            slot = scored.setdefault(lookup_key(term) if _NON_KEY.search(term) else term, {})
            if headword not in slot or key < slot[headword]:
                slot[headword] = key
    table = {term: sorted(slot, key=slot.__getitem__) for term, slot in scored.items() if term}
    return _Table(forward.dst, forward.src, table)


# --- word-form candidates -----------------------------------------------------------------------

_BG_STRIP = ("овете", "евете", "ите", "ята", "ове", "еве", "ът", "ят", "та", "то", "те",
             "и", "а", "я", "о", "е")
_BG_VOWELS = set("аеиоуъюяѝ")
_BG_RESTORE = ("", "а", "я", "о", "е", "ин", "ия")
_BG_VELAR = {"ц": "к", "з": "г", "с": "х"}      # ученици -> ученик, полози -> полог


def _candidates(word: str, lang: str) -> tuple[list[str], list[str]]:
    """(forms to try first, last-resort forms) for a normalised word."""
    first = [word]
    last: list[str] = []
    if lang == "en":
        if word.endswith("ies") and len(word) > 4:
            first.append(word[:-3] + "y")
        if word.endswith("es") and len(word) > 3:
            first.append(word[:-2])
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            first.append(word[:-1])
    elif lang == "es":
        if word.endswith("es") and len(word) > 3:
            first.append(word[:-2])
        if word.endswith("s") and len(word) > 3:
            first.append(word[:-1])
        if word.endswith("as") and len(word) > 4:
            last.append(word[:-2] + "o")
        elif word.endswith("a") and len(word) > 3:
            last.append(word[:-1] + "o")
    elif lang == "bg" and " " not in word:
        for ending in _BG_STRIP:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                stem = word[:-len(ending)]
                stems = [stem]
                if ending in ("и", "е") and stem[-1] in _BG_VELAR:
                    stems.append(stem[:-1] + _BG_VELAR[stem[-1]])
                if stem[-1] not in _BG_VOWELS and stem[-2] not in _BG_VOWELS:
                    # fleeting vowel: електронни -> електронен, театри -> театър
                    stems += [stem[:-1] + "е" + stem[-1], stem[:-1] + "ъ" + stem[-1]]
                for s in stems:
                    for restore in _BG_RESTORE:
                        cand = s + restore
                        if cand != word and cand not in last:
                            last.append(cand)
    return first, last


def _lookup(table: _Table | None, word: str, lang: str) -> list[str]:
    if table is None:
        return []
    first, last = _candidates(word, lang)
    for group in (first, last):
        for cand in group:
            hit = table.get(cand)
            if hit:
                return hit
    return []


def _merge(lists: list[list[str]], limit: int) -> list[str]:
    out: list[str] = []
    for lst in lists:
        for t in lst:
            if t not in out:
                out.append(t)
                if len(out) >= limit:
                    return out
    return out


# --- Spanish/English cognates -------------------------------------------------------------------
# Good-governance vocabulary is full of Latin cognates the small Ergane dictionaries lack
# (participación/participation, transparencia/transparency). A cognate is derived by a suffix
# rule and kept only if the other language's word list knows it; doubled letters are ignored in
# the comparison (comunicación/communication, accesibilidad/accessibility).

_COGNATE_SUFFIXES = (                     # (Spanish, English), on accent-folded words
    ("cion", "tion"), ("sion", "sion"), ("idad", "ity"), ("dad", "ty"),
    ("encia", "ency"), ("encia", "ence"), ("ancia", "ancy"), ("ancia", "ance"),
    ("ica", "ic"), ("ico", "ic"), ("ica", "ics"), ("ico", "ical"),
    ("iva", "ive"), ("ivo", "ive"), ("osa", "ous"), ("oso", "ous"),
    ("ismo", "ism"), ("ista", "ist"), ("mento", "ment"), ("ante", "ant"), ("ente", "ent"),
    ("ura", "ure"),
    # weak rules (false friends: policy -> policía, empresa -> empress): used only when the
    # dictionaries and the rules above found nothing
    ("ia", "y"), ("o", ""), ("a", ""), ("e", ""), ("", ""),
)
_WEAK_FROM = _COGNATE_SUFFIXES.index(("ia", "y"))
_MIN_COGNATE = 5        # shorter derived words match by accident
_MIN_IDENTICAL = 6      # 'regional' = 'regional'; shorter identical words are often false friends
_DOUBLES = re.compile(r"(.)\1+")
_S_CLUSTER = re.compile(r"^s[^aeiouy]")


def _skeleton(word: str) -> str:
    """Accent-folded (ñ->n too), doubled letters single: the cognate comparison form."""
    return _DOUBLES.sub(r"\1", fold_accents(word).replace("ñ", "n"))


def cognate_candidates(word: str, src: str, weak: bool = True) -> list[str]:
    """Possible cognates of an es/en word in the other language (unvalidated), best first;
    ``weak=False`` leaves out the error-prone rules."""
    word = fold_accents(word)
    if " " in word or not word.isalpha():
        return []
    out = []
    for es_suffix, en_suffix in _COGNATE_SUFFIXES[:None if weak else _WEAK_FROM]:
        a, b = (es_suffix, en_suffix) if src == "es" else (en_suffix, es_suffix)
        if src == "en" and es_suffix == "a" and not en_suffix:
            continue            # fund -> funda, mayor -> mayora: the masculine is the lemma
        if not word.endswith(a):
            continue
        stem = word[:len(word) - len(a)] if a else word
        cand = stem + b
        if not (es_suffix or en_suffix) and len(word) < _MIN_IDENTICAL:
            continue
        if len(cand) < _MIN_COGNATE:
            continue
        variants = [cand]
        if src == "es" and cand.startswith("es") and _S_CLUSTER.match(cand[1:]):
            variants.append(cand[1:])                   # estrategia -> strategy
        if src == "en" and _S_CLUSTER.match(cand):
            variants.append("e" + cand)                 # strategy -> estrategia
        for v in variants:
            if v not in out:
                out.append(v)
    return out


# --- the public object --------------------------------------------------------------------------

class Dictionaries:
    """The installed FreeDict dictionaries between bg, es and en; each pair parsed on first use."""

    def __init__(self, root: str = DEFAULT_ROOT, spanish_words: str | None = SPANISH_WORDS,
                 apertium_dir: str = apertium.DATA_DIR):
        self.root = root
        self.spanish_words = spanish_words
        self.apertium_dir = apertium_dir
        self._tables: dict[tuple[str, str, str], _Table | None] = {}
        self._vocab: dict[str, dict[str, str]] = {}       # lang -> skeleton -> word
        self._refs: dict[str, set[str] | None] = {}       # lang -> known words (or None)
        self._lock = threading.RLock()

    # files ---------------------------------------------------------------------------------
    def _files(self, src: str, dst: str) -> tuple[str, str] | None:
        name = f"freedict-{ISO3[src]}-{ISO3[dst]}"
        index = os.path.join(self.root, name + ".index")
        for ext in (".dict.dz", ".dict"):
            data = os.path.join(self.root, name + ext)
            if os.path.isfile(index) and os.path.isfile(data):
                return index, data
        return None

    def direct_pairs(self) -> set[tuple[str, str]]:
        """The (src, dst) pairs with an installed dictionary file."""
        try:
            return {(s, d) for s in LANGS for d in LANGS if s != d and self._files(s, d)}
        except Exception:
            return set()

    def available(self) -> set[tuple[str, str]]:
        """Every (src, dst) pair ``translate`` can serve: direct, inverted or pivoted."""
        direct = self.direct_pairs()
        usable = direct | {(d, s) for s, d in direct}
        pairs = set(usable)
        for s in LANGS:
            for d in LANGS:
                if s != d and s != PIVOT and d != PIVOT \
                        and (s, PIVOT) in usable and (PIVOT, d) in usable:
                    pairs.add((s, d))
        return pairs

    # tables --------------------------------------------------------------------------------
    def _direct(self, src: str, dst: str) -> _Table | None:
        key = ("direct", src, dst)
        if key in self._tables:
            return self._tables[key]
        with self._lock:
            if key not in self._tables:
                table = None
                files = self._files(src, dst)
                if files:
                    try:
                        table = load_pair(files[0], files[1], src, dst)
                    except Exception:           # unreadable/corrupt: behave as not installed
                        table = None
                self._tables[key] = table
        return self._tables[key]

    def _inverted(self, src: str, dst: str) -> _Table | None:
        """src->dst built from the dst->src dictionary."""
        key = ("inverted", src, dst)
        if key in self._tables:
            return self._tables[key]
        with self._lock:
            if key not in self._tables:
                forward = self._direct(dst, src)
                self._tables[key] = invert(forward) if forward is not None else None
        return self._tables[key]

    def _lexicon(self, src: str, dst: str) -> _Table | None:
        """en<->es from Apertium's eng-spa lexicon (kb.lang.apertium), asked for every word of
        the source language the dictionaries know; None without the package."""
        key = ("apertium", src, dst)
        if key in self._tables:
            return self._tables[key]
        with self._lock:
            if key not in self._tables:
                table = None
                if (src, dst) in apertium.PAIRS:
                    rows = apertium.read_pair(src, dst, self._vocabulary(src).values(),
                                              self.apertium_dir)
                    table = _Table(src, dst, rows) if rows else None
                self._tables[key] = table
        return self._tables[key]

    def _vocabulary(self, lang: str) -> dict[str, str]:
        """Skeleton -> word of the single words known in ``lang`` ('en' or 'es')."""
        if lang in self._vocab:
            return self._vocab[lang]
        with self._lock:
            if lang not in self._vocab:
                words: list[str] = []
                if lang == "es" and self.spanish_words:
                    try:
                        with open(self.spanish_words, encoding="utf-8", errors="replace") as fh:
                            words.extend(line.strip() for line in fh)
                    except OSError:
                        pass
                for other in LANGS:
                    if other == lang:
                        continue
                    table = self._direct(lang, other)       # headwords in lang
                    if table is not None:
                        words.extend(table.keys())
                    table = self._direct(other, lang)       # translations into lang
                    if table is not None and other != "bg":  # bg: only eng-bul, en headwords
                        for _, terms in table.items():
                            words.extend(terms)
                vocab: dict[str, str] = {}
                for w in words:
                    w = normalise(w)
                    if w and " " not in w and w.isalpha():
                        vocab.setdefault(_skeleton(w), w)
                self._vocab[lang] = vocab
        return self._vocab[lang]

    def _reference(self, lang: str) -> set[str] | None:
        """Independent word lists to check the Ergane dictionaries' output against: Debian's
        wspanish for es (if installed), the WikDict eng-bul headwords for en. None: no check."""
        if lang in self._refs:
            return self._refs[lang]
        with self._lock:
            if lang not in self._refs:
                ref: set[str] = set()
                if lang == "es" and self.spanish_words:
                    try:
                        with open(self.spanish_words, encoding="utf-8", errors="replace") as fh:
                            ref = {fold_accents(normalise(line)) for line in fh if line.strip()}
                    except OSError:
                        pass
                elif lang == "en":
                    table = self._direct("en", "bg")
                    if table is not None:
                        ref = set(table.keys())
                self._refs[lang] = ref or None
        return self._refs[lang]

    def _known(self, term: str, lang: str, ref: set[str]) -> bool:
        """Is a (single-word) translation a real word, not a typo ('alcade') or words glued
        together by the Ergane conversion ('bolsadetrabajo', 'worshipservice')?"""
        if " " in term:
            return True
        for form in {term, term.replace("-", " ")}:
            form = lookup_key(form)
            first, _ = _candidates(form, lang)
            if any((fold_accents(f) if lang == "es" else f) in ref for f in first):
                return True
        return False

    def _cognates(self, word: str, src: str, dst: str, weak: bool) -> list[str]:
        if {src, dst} != {"es", "en"}:
            return []
        vocab = self._vocabulary(dst)
        first, _ = _candidates(word, src)
        out = []
        for form in first:
            for cand in cognate_candidates(form, src, weak=weak):
                hit = vocab.get(_skeleton(cand))
                if hit and hit not in out:
                    out.append(hit)
            if out:
                break
        return out

    def _one_step(self, word: str, src: str, dst: str, limit: int, lexicon: bool = False) -> list[str]:
        """Translations from the dictionaries of this pair (direct, then inverted), checked
        against a word list where the data are known to be noisy, then cognates; with
        ``lexicon``, Apertium's en<->es lexicon fills what is left up to ``limit``."""
        ref = self._reference(dst) if dst in ("en", "es") else None

        def checked(terms: list[str]) -> list[str]:
            return [t for t in terms if self._known(t, dst, ref)] if ref is not None else terms

        found = checked(_lookup(self._direct(src, dst), word, src))
        if len(found) >= limit:
            return found[:limit]
        lists = [found]
        # no dictionary in this direction (bg->en), or a small one (en<->es): the other
        # direction, inverted, adds its translations after the direct ones
        if self._files(dst, src) is not None:
            lists.append(checked(_lookup(self._inverted(src, dst), word, src)))
        lists.append(self._cognates(word, src, dst, weak=not any(lists)))
        found = _merge(lists, limit)
        if lexicon and len(found) < limit and (src, dst) in apertium.PAIRS:
            found = _merge([found, _lookup(self._lexicon(src, dst), word, src)], limit)
        return found

    # API -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Read every pair now, Apertium's lexicon included (a web worker does it on start)."""
        for src in LANGS:
            for dst in LANGS:
                if src != dst:
                    self.translate("public", src, dst)
        for src, dst in apertium.PAIRS:
            self._lexicon(src, dst)

    def translate(self, word: str, src: str, dst: str, limit: int = 4) -> list[str]:
        """Up to ``limit`` translations of ``word`` (lower case, best first); [] if none."""
        try:
            if not isinstance(word, str) or src not in LANGS or dst not in LANGS or src == dst:
                return []
            limit = int(limit)
            if limit <= 0:
                return []
            word = lookup_key(word)
            if not word or len(word) > 100:
                return []
            if src == PIVOT or dst == PIVOT:
                return self._one_step(word, src, dst, limit, lexicon=True)
            direct = self._one_step(word, src, dst, limit) if (
                self._files(src, dst) or self._files(dst, src)) else []
            if direct:
                return direct
            pivots = self._one_step(word, src, PIVOT, MAX_PIVOTS)
            scored: dict[str, tuple[int, int]] = {}
            for pi, pivot in enumerate(pivots):
                for ti, target in enumerate(self._one_step(pivot, PIVOT, dst, MAX_PER_PIVOT, lexicon=True)):
                    # a secondary sense of the target is not the pivot's meaning: jóvenes ->
                    # young -> малко ("a little"; "young" only as an animal's young) is dropped,
                    # младежки (youthful, young, …) is kept. Apertium's lexicon takes part in
                    # the step from English and in the check (обучение -> training -> formación,
                    # whose first senses include training); without the check its further
                    # senses compounded the first step's. In the step into English (es -> en)
                    # it cost more than it gave (its effects: README "Search quality")
                    if PIVOT_BACK and pivot not in self._one_step(target, dst, PIVOT, PIVOT_BACK, lexicon=True):
                        continue
                    key = (pi + ti, pi)
                    if target not in scored or key < scored[target]:
                        scored[target] = key
            return sorted(scored, key=scored.__getitem__)[:limit]
        except Exception:
            return []


_SINGLETON: Dictionaries | None = None
_SINGLETON_LOCK = threading.Lock()


def get_dictionaries() -> Dictionaries:
    """The process-wide Dictionaries over /usr/share/dictd (tables are loaded lazily)."""
    global _SINGLETON
    if _SINGLETON is None:
        with _SINGLETON_LOCK:
            if _SINGLETON is None:
                _SINGLETON = Dictionaries()
    return _SINGLETON
