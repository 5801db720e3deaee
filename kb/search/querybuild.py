"""From a parsed query to a Whoosh query tree: each word in every language's fields with that
field's analyzer, plus its expansions (Cyrillic readings of Latin-typed Bulgarian, translations,
topic names, spelling corrections) weighted below the typed word."""
from __future__ import annotations

import threading

from whoosh import query as wq

from kb.config import Config
from kb.indexer.schema import META_FIELD, SPELL_FIELD, TEXT_FIELDS, FIELD_BOOSTS, text_field
from kb.lang.text import is_stop_word
from kb.search.expansion import Expansion, QueryExpander
from kb.search.parse import ParsedQuery, Word
from kb.search.spelling import corrections

TYPO_BOOST = 0.8
TERMS_MEMO_SIZE = 100_000


class QueryBuilder:
    def __init__(self, config: Config, expander: QueryExpander):
        self.config = config
        self.expander = expander
        self._terms_memo: dict[tuple[str, str], list[str]] = {}
        self._typo_cache: dict[int, dict[str, list[str]]] = {}
        self._lock = threading.Lock()

    def field_terms(self, schema, fieldname: str, word: str) -> list[str]:
        """The terms a field's analyzer makes of a query word (memoised)."""
        key = (fieldname, word)
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
        """One word or phrase, looked up in every text field with that field's analyzer, plus
        its expansions (transliterations, translations) in the fields of their languages.

        Fields of the typed word add up (BM25F-like); expansions count only through the best
        of them (a disjunction max), so ten synonyms never outweigh the word itself."""
        schema = searcher.schema
        words = [item.analysed] if isinstance(item, Word) else list(item.analysed)
        acronym = item.maybe_acronym if isinstance(item, Word) else ""
        subs = []
        for fname in TEXT_FIELDS + (META_FIELD,):
            terms = []
            for w in words:
                terms.extend(self.field_terms(schema, fname, w))
            q = self._terms_query(fname, terms)
            if acronym:
                # TUMAS in a query typed all in capitals: the word, and the acronym the index
                # keeps unstemmed (the better of the two counts)
                other = self._terms_query(fname, self.field_terms(schema, fname, acronym))
                if other is not None and other != q:
                    q = other if q is None else wq.DisjunctionMax([q, other])
            if q is not None:
                subs.append(q)
        # a Cyrillic reading of a Latin-typed word stands in for the word itself; translations
        # and spelling corrections are one more, lighter, source of evidence
        for group in ([e for e in expansions if e.kind == "translit"],
                      [e for e in expansions if e.kind != "translit"]):
            alternatives = [q for q in (self.expansion_query(schema, e) for e in group) if q is not None]
            if alternatives:
                subs.append(alternatives[0] if len(alternatives) == 1 else wq.DisjunctionMax(alternatives))
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def expansion_query(self, schema, exp: Expansion) -> wq.Query | None:
        subs = []
        # a Cyrillic reading is looked up where the typed word would be, names field included
        fields = TEXT_FIELDS + ((META_FIELD,) if exp.kind == "translit" else ())
        for fname in fields:
            if fname == META_FIELD or fname.rsplit("_", 1)[-1] in exp.langs:
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

    def build(self, searcher, parsed: ParsedQuery, expand: bool = True) -> wq.Query:
        known = self.known(searcher)
        clauses = []
        for group in parsed.clauses:
            alts = []
            for item in group:
                exps = ()
                if expand and isinstance(item, Word):
                    exps = [e for e in self.expander.word(item.text, known) if e.text != item.text]
                    if not any(e.kind == "translit" for e in exps):
                        exps += self.typo_expansions(searcher, item.text)
                q = self.item_query(searcher, item, exps)
                if q is not None:
                    alts.append(q)
            if alts:
                clauses.append(alts[0] if len(alts) == 1 else wq.Or(alts))
        if expand and parsed.clauses:
            text = " ".join(parsed.positive_words())
            cyrillic = self.expander.cyrillic_reading(text, known)     # topics named in Latin-typed Bulgarian
            for _topic, exps in self.expander.topics(text + " | " + cyrillic):
                alternatives = [q for q in (self.expansion_query(searcher.schema, e) for e in exps)
                                if q is not None]
                if alternatives:
                    clauses.append(wq.DisjunctionMax(alternatives))
        excluded = [q for q in (self.item_query(searcher, i) for i in parsed.excluded) if q is not None]
        if clauses:
            # any clause matches; BM25 sums the clauses, so documents matching more words rank
            # first. (Or's `scale` coordination is not used: whoosh3 3.54's MultiMatcher raises
            # IndexError from children() on a multi-segment index once a segment is exhausted.)
            positive = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
        elif parsed.clauses:
            positive = wq.NullQuery            # only stop words / nothing indexable
        else:
            positive = wq.Every()
        if excluded:
            return wq.AndNot(positive, wq.Or(excluded))
        return positive
