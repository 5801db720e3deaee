"""The search service: query + filters in, plain data out (hits, facets, pages, suggestion).

The web UI, the JSON API and the CLI all call SearchService.search(). Nothing here imports Flask,
and nothing outside kb.search / kb.indexer touches Whoosh objects. This module orchestrates:
parsing (`parse`), query building (`querybuild`), evaluation over whole posting lists
(`vector`), re-ranking (`rerank`), facets (`facets`), snippets (`highlight`), spelling
(`spelling`) and more-like-this (`similar`), with the answers cached per state of the index.

Facets are disjunctive: values of one facet combine with OR, facets with AND, and each facet's
counts are computed with every *other* facet's selection applied.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
import re
import threading
from collections import OrderedDict
from html import escape, unescape

import numpy as np
from whoosh import query as wq

from kb.config import Config
from kb.indexer.schema import ABSTRACT_FIELD, FACET_FIELDS, SPELL_FIELD, STORED_FIELD, StoredRecord, text_field
from kb.records.corpus import find_file, read_file
from kb.records.model import Practice, RecordError
from kb.search import facets as facet_counts, matching, rerank, similar as more_like_this
from kb.search.expansion import QueryExpander
from kb.search.highlight import Highlighter, short_text, word_prefix
from kb.search.parse import ParsedQuery, normalise, parse
from kb.search.querybuild import QueryBuilder
from kb.search.request import FILTER_FACETS, Problem, SearchRequest, problems, validate
from kb.search.results import DropHint, Explanation, Hit, SearchResult, Similar
from kb.search.spelling import suggest
from kb.search.store import IndexStore, NoIndex, Snapshot, stored_record
from kb.search.vector import SegmentCache, VectorView
from kb.search.words import WordAnalysis

RESULT_CACHE_SIZE = 2048      # answers kept per state of the index (repeated queries)
SIMILAR_CACHE_SIZE = 5000
SNIPPET_SOURCE_CHARS = 1500   # highlight within the first part of a long body (it re-analyses the text)
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Prepared:
    parsed: ParsedQuery
    query: wq.Query                 # the whole tree (highlighting, passages)
    scores: np.ndarray
    matched: np.ndarray             # records matching the text (published, or live for curators)
    filters: dict                   # facet -> mask of records passing its selection
    explanation: Explanation
    concepts: list = dataclasses.field(default_factory=list)
    sources: dict = dataclasses.field(default_factory=dict)   # (field, term) -> (typed, alternative, kind)
    required: list = dataclasses.field(default_factory=list)  # (typed word, mask of records holding it)


class SearchService:
    def __init__(self, config: Config, store: IndexStore | None = None, expander=None):
        self.config = config
        self.store = store or IndexStore(config)
        self.expander = expander or QueryExpander(config)
        self.queries = QueryBuilder(config, self.expander)
        words = WordAnalysis()
        self.highlighter = Highlighter(words)
        self.record_words = rerank.RecordWords(words)
        self._segments = SegmentCache()
        self._cache_lock = threading.RLock()

    def validate(self, req: SearchRequest) -> list[str]:
        """Problems with the request's parameters, each naming the parameter (empty = fine)."""
        return validate(self.config, req)

    def problems(self, req: SearchRequest) -> list[Problem]:
        """validate() with a stable code and values per problem (for the interface language)."""
        return problems(self.config, req)

    def build_query(self, searcher, parsed, expand: bool = True) -> wq.Query:
        """The query as one Whoosh tree (what the vector evaluation is tested against)."""
        return self.queries.build_tree(searcher, parsed, expand)

    # ------------------------------------------------------------------ search
    def search(self, req: SearchRequest) -> SearchResult:
        page_size = req.page_size or self.config.page_size
        problems = self.validate(req)
        if problems:
            return SearchResult(req, [], 0, 1, page_size, [], message="; ".join(problems))
        try:
            snap = self.store.snapshot()
        except NoIndex as exc:
            return SearchResult(req, [], 0, 1, page_size, [], message=str(exc))
        # Real search logs repeat themselves: answers are kept per state of the index.
        key = (normalise(req.q), tuple(sorted((f, tuple(sorted(set(v)))) for f, v in req.filters.items() if v)),
               req.year_from, req.year_to, req.sort, req.page, req.ui_lang, req.include_drafts,
               page_size, req.expand, req.facets, req.snippets)
        with self._cache_lock:
            results = snap.cache.setdefault("results", OrderedDict())
            cached = results.get(key)
            if cached is not None:
                results.move_to_end(key)
                return dataclasses.replace(cached, request=req)
        with snap.lock:
            result = self._search(snap, req, page_size)
        with self._cache_lock:
            results[key] = result
            if len(results) > RESULT_CACHE_SIZE:
                results.popitem(last=False)
        return result

    def _view(self, snap: Snapshot) -> VectorView:
        """The snapshot as NumPy arrays, built once per snapshot; segments unchanged since the
        previous snapshot keep their arrays."""
        view = snap.cache.get("vector")
        if view is None:
            with self._cache_lock:
                view = snap.cache.get("vector")
                if view is None:
                    view = VectorView(snap.searcher, self._segments, snap.key[0], FACET_FIELDS)
                    snap.cache["vector"] = view
        return view

    def _prepare(self, snap: Snapshot, req: SearchRequest) -> Prepared:
        """The query evaluated over the whole index: scores, the records that match the text
        (every required word, else as many of them as any record holds), each filter's mask."""
        view = self._view(snap)
        parsed = parse(req.q)
        built = self.queries.build(snap.searcher, parsed, expand=req.expand)
        query = built.tree
        base = view.live if req.include_drafts else view.published
        lang = self.queries.language(snap.searcher, built) if not built.empty else ""
        m = matching.match(view, built, base, self.config, lang, req.ui_lang)
        scores, matched = m.scores, m.matched
        filters = {}
        for facet in FILTER_FACETS:
            sel = req.selected(facet)
            if sel:
                filters[facet] = view.value_mask(facet, sel)
        if req.year_from is not None or req.year_to is not None:
            filters["year"] = facet_counts.year_mask(view, req.year_from, req.year_to)
        if parsed.clauses and self._order(req.sort, query) == "relevance":
            # over every match, filters aside: a filtered list is the unfiltered one with records
            # left out, never reordered (and a facet click reuses the query's work)
            if rerank.PASSAGE_WEIGHT and len(parsed.positive_words()) > 1:   # one word: every passage holds it
                scores = rerank.passages(view, self.record_words, snap.cache, query, scores, matched)
            if self.config.feedback_docs:
                scores = rerank.feedback(view, self.record_words, snap.cache, scores, matched,
                                         self.config.feedback_docs)
        return Prepared(parsed, query, scores, matched, filters, m.explanation,
                        built.concepts, self.queries.sources(snap.searcher.schema, built) if req.snippets else {},
                        m.required)

    @staticmethod
    def _order(sort: str, query) -> str:
        if sort == "relevance" and isinstance(query, wq.Every):
            return "newest"
        return sort

    def _search(self, snap: Snapshot, req: SearchRequest, page_size: int) -> SearchResult:
        view = self._view(snap)
        prep = self._prepare(snap, req)
        parsed, query, scores, matched, filters = prep.parsed, prep.query, prep.scores, prep.matched, prep.filters
        final = matched.copy()
        for mask in filters.values():
            final &= mask
        total = int(final.sum())

        facets = []
        shown = (list(self.config.facets) + (["status"] if req.include_drafts else [])) if req.facets else []
        for facet in shown:
            base = matched
            others = [m for other, m in filters.items() if other != facet]
            if others:
                base = matched.copy()
                for m in others:
                    base &= m
            facets.append(facet_counts.facet_values(self.config, view.count(facet, base), facet, req))

        page = req.page
        start = (page - 1) * page_size
        hits: list[Hit] = []
        if total and start < total:
            order = self._order(req.sort, query)
            docnums = view.top(scores, final, start + page_size, order)[start:]
            terms = (view.matched_terms_of(query, docnums) if req.snippets
                     else {d: set() for d in docnums})
            tagged = {c.text: c.topics for c in prep.concepts if c.topics}
            for docnum in docnums:
                hit = self._hit(view, snap.cache, terms[docnum], docnum, float(scores[docnum]),
                                req.ui_lang, scored=order == "relevance")
                if req.snippets:
                    hit.matched_via = matching.matched_via(hit, terms[docnum], prep.sources, tagged)
                hit.missing = [typed for typed, mask in prep.required if not mask[docnum]]
                hits.append(hit)
        # a word no record has as written (a typo, most often): its correction is said out loud,
        # also when its stem or a translation found records
        suggestion = prep.explanation.corrected
        if not suggestion and parsed.clauses:
            # Latin-typed Bulgarian is not a typo: a word one of whose Cyrillic readings the
            # records hold as written (the same test as the query's typo lookup)
            reader = snap.searcher.reader()
            readable = frozenset(w.typed for w in prep.explanation.words
                                 if any(a.kind == "translit" and reader.frequency(SPELL_FIELD, a.text)
                                        for a in w.also))
            suggestion = suggest(snap.searcher, parsed, readable)
        drop_hints = []
        if total == 0 and filters:
            for facet in filters:
                rest = matched.copy()
                for other, m in filters.items():
                    if other != facet:
                        rest &= m
                count = int(rest.sum())
                if count:
                    drop_hints.append(DropHint(facet, count))
            drop_hints.sort(key=lambda h: -h.count)
        message = ""
        if total and start >= total:
            message = f"page: there are only {math.ceil(total / page_size)} pages of results"
        return SearchResult(req, hits, total, page, page_size, facets, suggestion, message, drop_hints,
                            prep.explanation)

    def _hit(self, view: VectorView, cache: dict, matched: set[tuple[str, str]], docnum: int,
             score: float, ui_lang: str, scored: bool = True) -> Hit:
        d = stored_record(view.searcher, cache, docnum)
        snippet = ""
        # highlighting re-analyses the text: only where a term matched, and only its first part
        # (the body, else the summary; a record matched only through its English abstract shows
        # the abstract)
        own = ((text_field("body", d.lang), d.body), (text_field("summary", d.lang), d.summary))
        if d.lang != "en":
            own += ((ABSTRACT_FIELD, d.summary_en),)
        for fname, text in own:
            words = {t for f, t in matched if f == fname}
            if not words:
                continue
            try:
                snippet = self.highlighter.highlight(fname, view.searcher.schema[fname].analyzer,
                                                     word_prefix(text, SNIPPET_SOURCE_CHARS), words)
            except Exception:  # noqa: BLE001 - a highlighter failure must not fail the search
                snippet = ""
            if snippet:
                break
        if not snippet:
            snippet = escape(short_text(d.summary))
        cfg = self.config
        return Hit(
            id=d.id, title=d.title, title_en=d.title_en, summary=d.summary, summary_en=d.summary_en,
            lang=d.lang, region=d.region, region_label=cfg.regions.label(d.region, ui_lang),
            country=d.country, year_start=d.year_start, year_end=d.year_end, ongoing=d.ongoing,
            doctype=d.doctype, doctype_label=cfg.doctypes.label(d.doctype, ui_lang),
            topics=[{"id": t, "label": cfg.topics.label(t, ui_lang)} for t in d.topics],
            status=d.status, illustrative=d.illustrative,
            score=round(score, 4) if scored else 0.0, snippet_html=snippet,
            snippet_text=unescape(_TAGS.sub("", snippet)),
        )

    def all_matching(self, req: SearchRequest, limit: int = 10_000) -> tuple[list[StoredRecord], list[str]]:
        """Display data of every record the request matches, in its sort order (for exports)."""
        problems = self.validate(req)
        if problems:
            return [], problems
        try:
            snap = self.store.snapshot()
        except NoIndex as exc:
            return [], [str(exc)]
        with snap.lock:
            view = self._view(snap)
            prep = self._prepare(snap, req)
            final = prep.matched
            for mask in prep.filters.values():
                final &= mask
            docnums = view.top(prep.scores, final, limit, self._order(req.sort, prep.query))
            return [StoredRecord.from_stored(view.searcher.stored_fields(n)[STORED_FIELD])
                    for n in docnums], []

    # ------------------------------------------------------------------ more like this
    def similar(self, practice_id: str, ui_lang: str = "en", limit: int = 5,
                regions: list[str] | None = None, exclude_same_region: bool = True) -> list[Similar]:
        """Published practices most like this one (cached per state of the index)."""
        try:
            snap = self.store.snapshot()
        except NoIndex:
            return []
        key = (practice_id, ui_lang, limit, tuple(regions or ()), exclude_same_region)
        cached = snap.cache.setdefault("similar", {})
        if key not in cached:
            if len(cached) > SIMILAR_CACHE_SIZE:
                cached.clear()
            with snap.lock:
                cached[key] = more_like_this.similar(self.config, self._view(snap), practice_id, ui_lang,
                                                     limit, regions, exclude_same_region)
        return list(cached[key])

    # ------------------------------------------------------------------ single records
    def practice(self, practice_id: str, include_drafts: bool = False) -> Practice | None:
        """The full record (read from its corpus file) if it is indexed and visible, else None."""
        d = self.get(practice_id, include_drafts)
        if d is None:
            return None
        path = find_file(self.config, practice_id, d.region)
        if path is None:
            return None
        try:
            p = read_file(path, self.config)
        except (RecordError, ValueError):
            return None
        if p.status != "published" and not include_drafts:
            return None
        return p

    def get(self, practice_id: str, include_drafts: bool = False) -> StoredRecord | None:
        """The stored display data of one record, or None."""
        try:
            snap = self.store.snapshot()
        except NoIndex:
            return None
        with snap.lock:
            stored = snap.searcher.document(id=practice_id)
        if not stored:
            return None
        d = StoredRecord.from_stored(stored[STORED_FIELD])
        if d.status != "published" and not include_drafts:
            return None
        return d
