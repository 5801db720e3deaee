"""From a parsed query to a Whoosh query tree: each word in every language's fields with that
field's analyzer, plus its expansions (Cyrillic readings of Latin-typed Bulgarian, translations,
topic names, spelling corrections) weighted below the typed word."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from whoosh import query as wq

from kb.config import Config
from kb.indexer.schema import (ABSTRACT_FIELD, FACET_FIELDS, FIELD_BOOSTS, META_FIELD, SAME_ANALYSIS, SPELL_FIELD,
                               TEXT_FIELDS, text_field)
from kb.lang.text import is_stop_word
from kb.lang.translit import looks_latin, to_cyrillic_variants
from kb.search.expansion import Expansion, QueryExpander
from kb.search.parse import ParsedQuery, Word
from kb.search.spelling import corrections
from kb.search.vector import SynonymTerm

TYPO_BOOST = 0.8
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
TOPIC_FIELD = FACET_FIELDS["topic"]

TERMS_MEMO_SIZE = 100_000


class QueryBuilder:
    def __init__(self, config: Config, expander: QueryExpander):
        self.config = config
        self.expander = expander
        self._terms_memo: dict[tuple[str, str], list[str]] = {}
        self._typo_cache: dict[int, dict[str, list[str]]] = {}
        self._lock = threading.Lock()

    def field_terms(self, schema, fieldname: str, word: str) -> list[str]:
        """The terms a field's analyzer makes of a query word (memoised once for the fields
        that share an analyzer)."""
        key = (SAME_ANALYSIS.get(fieldname, fieldname), word)
        terms = self._terms_memo.get(key)
        if terms is None:
            try:
                terms = [t for t in schema[fieldname].process_text(word, mode="query") if t]
            except Exception:  # noqa: BLE001 - an analyzer hiccup on odd input must not fail the search
                terms = []
            if len(self._terms_memo) > TERMS_MEMO_SIZE:
                self._terms_memo.clear()
            self._terms_memo[key] = terms
        return list(terms)

    @staticmethod
    def _terms_query(fname: str, terms: list[str], boost: float = 1.0) -> wq.Query | None:
        if not terms:
            return None
        if len(terms) == 1:
            return wq.Term(fname, terms[0], boost=boost)
        return wq.Phrase(fname, terms, boost=boost)

    def item_query(self, searcher, item, expansions=()) -> wq.Query | None:
        """One word or phrase, looked up in every text field with that field's analyzer, together
        with its expansions (Cyrillic readings, translations, spelling corrections) in the fields
        of their languages. In each field the typed word and its one-word alternatives are one
        term (SynonymTerm: union document frequency, tf weighted by each alternative's weight),
        so a record is scored on the word it holds, in whatever language, and the typed word
        weighs most; fields add up (BM25F). Alternatives of several words (a translation such
        as "datos abiertos") count through the best of them."""
        schema = searcher.schema
        words = [item.analysed] if isinstance(item, Word) else list(item.analysed)
        acronym = item.maybe_acronym if isinstance(item, Word) else ""
        subs = []
        for fname in TEXT_FIELDS + (META_FIELD,):
            terms = []
            for w in words:
                terms.extend(self.field_terms(schema, fname, w))
            singles: list[tuple[str, float]] = []
            several: list[wq.Query] = []
            if len(terms) == 1:
                singles.append((terms[0], 1.0))
            elif terms:
                several.append(wq.Phrase(fname, terms))
            if acronym:
                # TUMAS in a query typed all in capitals: the word, and the acronym the index
                # keeps unstemmed
                other = self.field_terms(schema, fname, acronym)
                if len(other) == 1:
                    singles.append((other[0], 1.0))
            for exp in expansions:
                if not _applies(exp, fname):
                    continue
                alt = self.field_terms(schema, fname, exp.text)
                if len(alt) == 1:
                    singles.append((alt[0], exp.boost))
                elif alt:
                    several.append(wq.Phrase(fname, alt, boost=exp.boost) if exp.kind == "translit"
                                   else wq.And([wq.Term(fname, t) for t in alt], boost=exp.boost))
            parts = []
            if len(singles) == 1:
                parts.append(wq.Term(fname, singles[0][0], boost=singles[0][1]))
            elif singles:
                parts.append(SynonymTerm(fname, singles))
            parts.extend(several)
            if parts:
                subs.append(parts[0] if len(parts) == 1 else wq.DisjunctionMax(parts))
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def expansion_query(self, schema, exp: Expansion) -> wq.Query | None:
        subs = []
        for fname in TEXT_FIELDS + (META_FIELD,):
            if _applies(exp, fname):
                terms = self.field_terms(schema, fname, exp.text)
                if len(terms) > 1 and exp.kind != "translit":
                    # a translation or topic name of several words: all of them, in any order
                    # (a dictionary's "public administration" is as often "administration of ...")
                    subs.append(wq.And([wq.Term(fname, t) for t in terms], boost=exp.boost))
                    continue
                q = self._terms_query(fname, terms, exp.boost)
                if q is not None:
                    subs.append(q)
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def typo_expansions(self, searcher, word: str) -> list[Expansion]:
        """For a word the index does not hold in any form (a typo, most often), the closest
        words it does hold, slightly below the typed word's weight."""
        if len(word) < 5 or not word.isalpha():
            return []
        if any(is_stop_word(lang, word) for lang in self.config.content_languages):
            return []                               # a word of the language, not a typo
        reader = searcher.reader()
        schema = searcher.schema
        # every word of the records as written (stop words too: `cuándo`, `which` are no typos)
        for fname in (SPELL_FIELD,) + TEXT_FIELDS + (META_FIELD,):
            for t in self.field_terms(schema, fname, word):
                if reader.doc_frequency(fname, t):
                    return []
        with self._lock:
            cache = self._typo_cache.setdefault(id(searcher), {})
            if len(self._typo_cache) > 4:          # keep entries for the last few searchers only
                self._typo_cache.clear()
                cache = self._typo_cache.setdefault(id(searcher), {})
        if word not in cache:
            try:
                # the nearest words first (one edit, then two beyond 5 letters): Whoosh ranks
                # everything within maxdist by frequency alone, so a frequent word two edits away
                # would beat the one-letter fix
                cache[word] = corrections(searcher, word, 2)
            except Exception:  # noqa: BLE001 - a spelling hiccup must not fail the search
                cache[word] = []
        return [Expansion(s_, tuple(self.config.content_languages), TYPO_BOOST, "spelling")
                for s_ in cache[word] if s_ != word]

    def known(self, searcher):
        """known(lang, text): does the index hold every word of `text` in that language's fields?"""
        reader = searcher.reader()
        schema = searcher.schema

        def known(lang: str, text: str) -> bool:
            fields = [text_field(part, lang) for part in FIELD_BOOSTS]
            terms = self.field_terms(schema, fields[0], text)
            return bool(terms) and all(any(reader.doc_frequency(f, t) for f in fields) for t in terms)
        return known

    def build(self, searcher, parsed: ParsedQuery, expand: bool = True) -> "BuiltQuery":
        """The query as concepts: each clause of the query (a word, a phrase, or words joined by
        OR) with its alternatives — the typed word's forms in every field, its Cyrillic readings,
        translations, spelling corrections and the names of a taxonomy topic it is part of, and
        the records tagged with that topic. Stop words are optional: they count for ranking
        only."""
        known = self.known(searcher)
        schema = searcher.schema
        reader = searcher.reader()
        concepts: list[Concept] = []
        optional: list[wq.Query] = []
        positions: list[int] = []          # query word -> index of its clause
        words: list[str] = []
        readings: list[str] = []
        clause_parts: list[list] = []
        for ci, group in enumerate(parsed.clauses):
            alts, also, parts = [], [], []
            clause_parts.append(parts)
            latin_bulgarian = False
            for item in group:
                exps: list[Expansion] = []
                if expand and isinstance(item, Word):
                    exps = [e for e in self.expander.word(item.text, known) if e.text != item.text]
                    cyrillic = [e for e in exps if e.kind == "translit"]
                    # a Latin word whose Cyrillic readings no record has as written, one or two
                    # letters from a word the records hold, is a typo (transparancy), not
                    # Latin-typed Bulgarian (whose readings meet only through the stem cut)
                    if not any(reader.frequency(SPELL_FIELD, e.text) for e in cyrillic):
                        fixes = self.typo_expansions(searcher, item.text)
                        if fixes:
                            exps = [e for e in exps if e.kind != "translit"] + fixes
                    if cyrillic:
                        # how often the records write the word as typed, and its likeliest reading
                        typed = self._written(reader, schema, item.text)
                        reading = max(self._written(reader, schema, e.text) for e in cyrillic)
                        if typed > 0 and typed >= reading:
                            # a Spanish or English word, not Bulgarian in Latin letters: its
                            # Cyrillic readings meet other words through the stem cut (integrity
                            # -> интегрити -> интегр-, as интеграция); its translations stand for it
                            exps = [e for e in exps if e.kind != "translit"]
                        elif reading > typed and any(e.kind == "translit" for e in exps):
                            latin_bulgarian = True
                parts.append((item, exps))
                q = self.item_query(searcher, item, exps)
                if q is not None:
                    alts.append(q)
                    also.extend(exps)
                if isinstance(item, Word):       # a quoted phrase means its words, nothing else
                    positions.append(ci)
                    words.append(item.text)
                    readings.append(next((e.text for e in exps if e.kind == "translit"), ""))
            query = alts[0] if len(alts) == 1 else wq.Or(alts) if alts else None
            text = " OR ".join(_typed(i) for i in group)
            if len(group) > 1:          # words joined by OR: their readings against the whole
                readings_of = [e.text for e in also if e.kind == "translit"]
                latin_bulgarian = bool(readings_of) and max(
                    self._written(reader, schema, r) for r in readings_of) > self._written(reader, schema, text)
            stop = len(group) == 1 and isinstance(group[0], Word) and \
                any(is_stop_word(lang, group[0].text) for lang in self.config.content_languages)
            if not stop and len(group) == 1 and isinstance(group[0], Word) and \
                    self._latin_bulgarian_stop(reader, schema, group[0].text):
                stop = latin_bulgarian = True
            if query is None:
                concepts.append(Concept(text, None, also, required=not stop, latin_bulgarian=latin_bulgarian))
            elif stop:
                optional.append(query)
                concepts.append(Concept(text, query, also, required=False, latin_bulgarian=latin_bulgarian))
            else:
                concepts.append(Concept(text, query, also, latin_bulgarian=latin_bulgarian))
        boosts: list[wq.Query] = []
        if expand and words:
            for match in self.expander.topics_named(words, readings):
                names = [q for q in (self.expansion_query(schema, e) for e in match.expansions) if q is not None]
                tagged = wq.Term(TOPIC_FIELD, match.topic)
                boosts.append(tagged)
                covered = sorted({positions[p] for p in match.positions})
                if len(match.positions) > 1:
                    # multi-word terms first: a name of several words ("open data", "обществени
                    # поръчки") is translated as a whole by the topic's names; its words' own
                    # translations (open -> abrir, data -> material) are dropped (its effect:
                    # README "Search quality"). FreeDict's multi-word entries hold none of the
                    # taxonomy's terms.
                    for ci in covered:
                        concept = concepts[ci]
                        kept = [(item, [e for e in exps if e.kind != "translation"])
                                for item, exps in clause_parts[ci]]
                        alts = [q for q in (self.item_query(searcher, i, e) for i, e in kept) if q is not None]
                        concept.query = (alts[0] if len(alts) == 1 else wq.Or(alts)) if alts else None
                        concept.also = [e for e in concept.also if e.kind != "translation"]
                for n, ci in enumerate(covered):
                    concept = concepts[ci]
                    concept.topics.append(match.topic)
                    if match.broad:
                        concept.broad.append(match.topic)
                    concept.also.extend(match.expansions)
                    if n == 0 and names:       # the names score once, as one more source of evidence
                        concept.query = wq.Or([concept.query, wq.DisjunctionMax(names)]) \
                            if concept.query is not None else wq.DisjunctionMax(names)
                    # the records tagged with the topic count as holding the word when the word
                    # names the topic itself (its label's words: прозрачност, transparency); a
                    # narrower synonym (interoperability, declaración responsable under
                    # administrative simplification) is not what every tagged record is about,
                    # so there the tag only ranks (its effect: README "Search quality")
                    if match.broad:
                        concept.matching.append(tagged)
                    elif n > 0 and names:
                        # ... and its names in the other languages hold every word the name
                        # covers (carta de servicios: харта на клиента holds 'servicios' too)
                        concept.matching.append(wq.DisjunctionMax(names))
        excluded = [q for q in (self.item_query(searcher, i) for i in parsed.excluded) if q is not None]
        return BuiltQuery(concepts, boosts, wq.Or(excluded) if excluded else None, empty=not parsed.clauses)

    def sources(self, schema, built: "BuiltQuery") -> dict[tuple[str, str], tuple[str, str, str]]:
        """(field, term) -> (typed word, what it was looked up as, kind: typed, translit,
        translation, spelling, topic): what a matched term of a record stands for."""
        out: dict[tuple[str, str], tuple[str, str, str]] = {}
        for concept in built.concepts:
            for word in concept.text.replace('"', " ").split(" OR "):
                for fname in TEXT_FIELDS + (META_FIELD,):
                    for term in self.field_terms(schema, fname, word.strip()):
                        out.setdefault((fname, term), (concept.text, word.strip(), "typed"))
            for exp in concept.also:
                for fname in TEXT_FIELDS + (META_FIELD,):
                    if _applies(exp, fname):
                        for term in self.field_terms(schema, fname, exp.text):
                            out.setdefault((fname, term), (concept.text, exp.text, exp.kind))
        return out

    def language(self, searcher, built: "BuiltQuery") -> str:
        """The language the query is typed in ('' when unclear), by a vote of its words:
        Bulgarian for Cyrillic or Latin-typed Bulgarian (a Cyrillic reading the records write
        more often than the word as typed); a stop word of Spanish or English alone; otherwise
        the language whose records hold the word more often (Spanish and English share the Latin
        script; English words of the abstracts only count for English). Numbers and names that
        Bulgarian records write in Latin letters too (CAF, ISO) do not vote."""
        reader = searcher.reader()
        schema = searcher.schema
        votes: dict[str, int] = {}
        for concept in built.concepts:
            # a stop word of one of them only (for, the; de, para) says which it is
            langs = [lang for lang in ("es", "en") if is_stop_word(lang, concept.text)] \
                or (["bg"] if concept.latin_bulgarian else [])
            if not concept.required and len(langs) == 1 and not _CYRILLIC.search(concept.text):
                votes[langs[0]] = votes.get(langs[0], 0) + 1
        for concept in built.required:
            word = concept.text
            if _CYRILLIC.search(word) or concept.latin_bulgarian:
                votes["bg"] = votes.get("bg", 0) + 1
                continue
            df = {}
            for lang in ("es", "en", "bg"):
                fname = text_field("body", lang)
                df[lang] = sum(reader.doc_frequency(fname, t) for t in self.field_terms(schema, fname, word))
            if word.isdigit() or df.pop("bg") >= max(df.values()) > 0:
                continue        # a number, or a name or acronym Bulgarian records write in Latin letters too (CAF, ISO)
            if df["es"] == df["en"] == 0:
                # a word of the English abstracts only ("tourism": no English record holds it)
                df["en"] = sum(reader.doc_frequency(ABSTRACT_FIELD, t)
                               for t in self.field_terms(schema, ABSTRACT_FIELD, word))
            if df["es"] != df["en"]:
                lang = max(df, key=df.get)
                votes[lang] = votes.get(lang, 0) + 1
        if not votes:
            return ""
        best = max(votes.values())
        langs = [lang for lang, n in votes.items() if n == best]
        return langs[0] if len(langs) == 1 else ""

    def _latin_bulgarian_stop(self, reader, schema, word: str) -> bool:
        """A Bulgarian stop word typed in Latin letters (za, na, ot: за, на, от), which the
        records do not write as typed: optional, as its Cyrillic form is."""
        return ("bg" in self.config.content_languages and looks_latin(word)
                and any(is_stop_word("bg", c) for c in to_cyrillic_variants(word, limit=2))
                and not self._written(reader, schema, word))

    def _written(self, reader, schema, text: str) -> int:
        """In how many records `text` is written as it is (lower-cased, accents folded)."""
        return max((reader.doc_frequency(SPELL_FIELD, t) for t in self.field_terms(schema, SPELL_FIELD, text)),
                   default=0)

    def build_tree(self, searcher, parsed: ParsedQuery, expand: bool = True) -> wq.Query:
        return self.build(searcher, parsed, expand).tree


def _applies(exp: Expansion, fname: str) -> bool:
    """Is the expansion looked up in this field? In the fields of its languages; a Cyrillic
    reading also in the names field, where the typed word is looked up too."""
    if fname == META_FIELD:
        return exp.kind == "translit"
    return fname.rsplit("_", 1)[-1] in exp.langs


def _typed(item) -> str:
    return item.text if isinstance(item, Word) else '"' + " ".join(item.words) + '"'


@dataclass
class Concept:
    """One clause of the query and everything that counts as it."""
    text: str                                   # as the user wrote it (lower case)
    query: wq.Query | None                      # scored: the typed word(s) and their expansions
    also: list[Expansion] = field(default_factory=list)   # what else was searched for it
    required: bool = True                       # stop words are not
    matching: list[wq.Query] = field(default_factory=list)  # more that satisfies it, unscored
    topics: list[str] = field(default_factory=list)         # taxonomy topics it names
    broad: list[str] = field(default_factory=list)          # ... by their label's words
    # Bulgarian typed in Latin letters: a reading the records write more often than the word as
    # typed (sertifikat: сертификат), or a Bulgarian stop word (za: за); the query's language
    latin_bulgarian: bool = False


@dataclass
class BuiltQuery:
    concepts: list[Concept]
    boosts: list[wq.Query]                      # ranking only: records tagged with a named topic
    excluded: wq.Query | None
    empty: bool                                 # no clause at all: every record

    @property
    def required(self) -> list[Concept]:
        return [c for c in self.concepts if c.required]

    @property
    def tree(self) -> wq.Query:
        """The whole query as one Whoosh tree (any clause matches, BM25 sums them): what
        highlighting and the passage step read their terms from."""
        parts = [c.query for c in self.concepts if c.query is not None] + self.boosts
        if parts:
            positive = parts[0] if len(parts) == 1 else wq.Or(parts)
        elif not self.empty:
            positive = wq.NullQuery            # only stop words / nothing indexable
        else:
            positive = wq.Every()
        return wq.AndNot(positive, self.excluded) if self.excluded is not None else positive
