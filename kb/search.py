"""The search service: query + filters in, plain data out (hits, facets, pages, suggestion).

The web UI, the JSON API and the CLI all call SearchService.search(). Nothing here imports Flask,
and nothing outside kb.search / kb.indexer touches Whoosh objects.

Facets are disjunctive: values of one facet combine with OR, facets with AND, and each facet's
counts are computed with every *other* facet's selection applied.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import re
from collections import OrderedDict
from dataclasses import dataclass, field, asdict

from whoosh import highlight
from whoosh import query as wq

from kb.config import Config
from kb.expansion import Expansion, QueryExpander, is_stop_word
from kb.indexer.schema import FACET_FIELDS, META_FIELD, SPELL_FIELD, TEXT_FIELDS
from kb.indexer.store import IndexStore, NoIndex
from kb.query import ParsedQuery, Word, normalise, parse

SORTS = ("relevance", "newest", "oldest", "title")
FILTER_FACETS = ("region", "country", "topic", "doctype", "language", "target_group", "instrument",
                 "organisation_type", "status")
MAX_PAGE = 1000
# Names of the content languages in each interface language (facet labels).
LANGUAGE_NAMES = {
    "bg": {"bg": "Български", "es": "Búlgaro", "en": "Bulgarian"},
    "es": {"bg": "Испански", "es": "Español", "en": "Spanish"},
    "en": {"bg": "Английски", "es": "Inglés", "en": "English"},
}
MAX_VALUES_PER_FACET = 50
YEAR_MIN, YEAR_MAX = 1990, 2100
TYPO_BOOST = 0.8
RESULT_CACHE_SIZE = 512       # answers kept per state of the index (repeated queries)
SNIPPET_SOURCE_CHARS = 1500   # highlight within the first part of a long body (it re-analyses the text)


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    ui_lang: str = "en"
    include_drafts: bool = False          # curators only
    page_size: int | None = None
    expand: bool = True                   # transliteration, translation, topic names

    def selected(self, facet: str) -> list[str]:
        return [v for v in self.filters.get(facet, []) if v]


@dataclass
class Hit:
    id: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    lang: str
    region: str
    region_label: str
    country: str
    year_start: int
    year_end: int | None
    ongoing: bool
    doctype: str
    doctype_label: str
    topics: list[dict]
    status: str
    illustrative: bool
    score: float
    snippet_html: str                 # escaped text with <mark> around matched words
    snippet_text: str


@dataclass
class Similar:
    id: str
    title: str
    title_en: str
    lang: str
    region: str
    region_label: str
    year_start: int
    score: float
    shared_terms: list[str]


def _surface(stems: list[str], text: str, field) -> list[str]:
    """The words of `text` as written that analyse to the given stems (for showing shared terms)."""
    wanted, out = set(stems), {}
    for token in re.findall(r"\w+(?:[-']\w+)*", text):
        try:
            analysed = list(field.process_text(token, mode="index"))
        except Exception:  # noqa: BLE001 - display nicety only
            continue
        for a in analysed:
            if a in wanted and a not in out:
                out[a] = token.lower()
    return list(dict.fromkeys(out[s] for s in stems if s in out))[:6]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    values: list[FacetValue]


@dataclass
class DropHint:
    """On a zero-result page: removing this facet's selection would give `count` results."""
    facet: str
    count: int


@dataclass
class SearchResult:
    request: SearchRequest
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: list[Facet]
    suggestion: str = ""
    message: str = ""
    drop_hints: list[DropHint] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)

    def to_dict(self) -> dict:
        d = {
            "query": self.request.q, "total": self.total, "page": self.page, "pages": self.pages,
            "page_size": self.page_size, "sort": self.request.sort,
            "hits": [asdict(h) for h in self.hits],
            "facets": {f.name: [asdict(v) for v in f.values] for f in self.facets},
            "suggestion": self.suggestion or None, "message": self.message or None,
            "drop_hints": [asdict(h) for h in self.drop_hints],
        }
        return d


class SearchService:
    def __init__(self, config: Config, store: IndexStore | None = None, expander=None):
        self.config = config
        self.store = store or IndexStore(config)
        self.expander = expander or QueryExpander(config)
        self._typo_cache: dict[int, dict[str, list[str]]] = {}
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ validation
    def validate(self, req: SearchRequest) -> list[str]:
        """Problems with the request's parameters, each naming the parameter (empty = fine)."""
        problems = []
        if len(req.q) > self.config.max_query_length:
            problems.append(f"q: the query is {len(req.q)} characters long; the limit is "
                            f"{self.config.max_query_length}")
        for facet, values in req.filters.items():
            if facet not in FILTER_FACETS:
                problems.append(f"{facet}: unknown filter (known: {', '.join(FILTER_FACETS)})")
                continue
            if len(values) > MAX_VALUES_PER_FACET:
                problems.append(f"{facet}: at most {MAX_VALUES_PER_FACET} values per filter")
            vocab = self.config.vocabulary(facet)
            known = (vocab.ids() if vocab else list(self.config.content_languages) if facet == "language"
                     else ["draft", "published"] if facet == "status" else None)
            for v in values:
                if v and known is not None and v not in known:
                    problems.append(f"{facet}: unknown value {v!r} (known: {', '.join(known)})")
        for name in ("year_from", "year_to"):
            v = getattr(req, name)
            if v is not None and not YEAR_MIN <= v <= YEAR_MAX:
                problems.append(f"{name}: {v} is out of range ({YEAR_MIN}-{YEAR_MAX})")
        if req.year_from is not None and req.year_to is not None and req.year_from > req.year_to:
            problems.append(f"year_from: {req.year_from} is after year_to {req.year_to}")
        if req.sort not in SORTS:
            problems.append(f"sort: unknown sort {req.sort!r} (known: {', '.join(SORTS)})")
        if not 1 <= req.page <= MAX_PAGE:
            problems.append(f"page: {req.page} is out of range (1-{MAX_PAGE})")
        if req.ui_lang not in self.config.ui_languages:
            problems.append(f"lang: unknown interface language {req.ui_lang!r}")
        return problems

    # ------------------------------------------------------------------ query building
    def _field_terms(self, schema, fieldname: str, word: str) -> list[str]:
        try:
            return [t for t in schema[fieldname].process_text(word, mode="query") if t]
        except Exception:  # noqa: BLE001 - an analyzer hiccup on odd input must not fail the search
            return []

    def _terms_query(self, fname: str, terms: list[str], boost: float = 1.0) -> wq.Query | None:
        if not terms:
            return None
        if len(terms) == 1:
            return wq.Term(fname, terms[0], boost=boost)
        return wq.Phrase(fname, terms, boost=boost)

    def _item_query(self, searcher, item, expansions=()) -> wq.Query | None:
        """One word or phrase, looked up in every text field with that field's analyzer, plus
        its expansions (transliterations, translations) in the fields of their languages.

        Fields of the typed word add up (BM25F-like); expansions count only through the best
        of them (a disjunction max), so ten synonyms never outweigh the word itself."""
        schema = searcher.schema
        words = [item.analysed] if isinstance(item, Word) else list(item.analysed)
        subs = []
        for fname in TEXT_FIELDS + (META_FIELD,):
            terms = []
            for w in words:
                terms.extend(self._field_terms(schema, fname, w))
            q = self._terms_query(fname, terms)
            if q is not None:
                subs.append(q)
        # a Cyrillic reading of a Latin-typed word stands in for the word itself; translations
        # and spelling corrections are one more, lighter, source of evidence
        for group in ([e for e in expansions if e.kind == "translit"],
                      [e for e in expansions if e.kind != "translit"]):
            alternatives = [q for q in (self._expansion_query(schema, e) for e in group) if q is not None]
            if alternatives:
                subs.append(alternatives[0] if len(alternatives) == 1 else wq.DisjunctionMax(alternatives))
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def _expansion_query(self, schema, exp: Expansion) -> wq.Query | None:
        subs = []
        # a Cyrillic reading is looked up where the typed word would be, names field included
        fields = TEXT_FIELDS + ((META_FIELD,) if exp.kind == "translit" else ())
        for fname in fields:
            if fname == META_FIELD or fname.rsplit("_", 1)[-1] in exp.langs:
                q = self._terms_query(fname, self._field_terms(schema, fname, exp.text), exp.boost)
                if q is not None:
                    subs.append(q)
        if not subs:
            return None
        return subs[0] if len(subs) == 1 else wq.Or(subs)

    def _typo_expansions(self, searcher, word: str) -> list[Expansion]:
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
            for t in self._field_terms(schema, fname, word):
                if reader.doc_frequency(fname, t):
                    return []
        cache = self._typo_cache.setdefault(id(searcher), {})
        if word not in cache:
            if len(self._typo_cache) > 4:          # keep entries for the last few searchers only
                self._typo_cache.clear()
                cache = self._typo_cache.setdefault(id(searcher), {})
            try:
                # the nearest words first: Whoosh ranks everything within maxdist by frequency
                # alone, so a frequent word two edits away would beat the one-letter fix; two
                # edits only for words over 5 letters (the usual AUTO fuzziness of Lucene/ES)
                corrector = searcher.corrector(SPELL_FIELD)
                cache[word] = (corrector.suggest(word, limit=2, maxdist=1)
                               or (corrector.suggest(word, limit=2, maxdist=2) if len(word) > 5 else []))
            except Exception:  # noqa: BLE001 - a spelling hiccup must not fail the search
                cache[word] = []
        suggestions = cache[word]
        return [Expansion(s_, tuple(self.config.content_languages), TYPO_BOOST, "spelling")
                for s_ in suggestions if s_ != word]

    def _known(self, searcher):
        """known(lang, text): does the index hold every word of `text` in that language's fields?"""
        reader = searcher.reader()
        schema = searcher.schema

        def known(lang: str, text: str) -> bool:
            fields = [f"{part}_{lang}" for part in ("title", "summary", "body")]
            terms = self._field_terms(schema, fields[0], text)
            return bool(terms) and all(any(reader.doc_frequency(f, t) for f in fields) for t in terms)
        return known

    def build_query(self, searcher, parsed: ParsedQuery, expand: bool = True) -> wq.Query:
        known = self._known(searcher)
        clauses = []
        for group in parsed.clauses:
            alts = []
            for item in group:
                exps = ()
                if expand and isinstance(item, Word):
                    exps = [e for e in self.expander.word(item.text, known) if e.text != item.text]
                    if not any(e.kind == "translit" for e in exps):
                        exps += self._typo_expansions(searcher, item.text)
                q = self._item_query(searcher, item, exps)
                if q is not None:
                    alts.append(q)
            if alts:
                clauses.append(alts[0] if len(alts) == 1 else wq.Or(alts))
        if expand and parsed.clauses:
            text = " ".join(parsed.positive_words())
            cyrillic = self.expander.cyrillic_reading(text, known)     # topics named in Latin-typed Bulgarian
            for _topic, exps in self.expander.topics(text + " | " + cyrillic):
                alternatives = [q for q in (self._expansion_query(searcher.schema, e) for e in exps)
                                if q is not None]
                if alternatives:
                    clauses.append(wq.DisjunctionMax(alternatives))
        excluded = [q for q in (self._item_query(searcher, i) for i in parsed.excluded) if q is not None]
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

    # ------------------------------------------------------------------ per-snapshot caches
    def _doc_values(self, snap) -> dict:
        """facet -> {docnum: tuple(values)} and the set of live docnums, built once per snapshot."""
        cache = snap.cache.get("docvals")
        if cache is None:
            reader = snap.searcher.reader()
            values = {f: {} for f in FACET_FIELDS}
            years = {}
            live = set()
            for docnum, stored in reader.iter_docs():
                d = stored["doc"]
                live.add(docnum)
                values["region"][docnum] = (d["region"],)
                values["country"][docnum] = (d["country"],)
                values["doctype"][docnum] = (d["doctype"],)
                values["language"][docnum] = (d["lang"],)
                values["organisation_type"][docnum] = (d["organisation_type"],)
                values["status"][docnum] = (d["status"],)
                values["topic"][docnum] = tuple(d["topics"])
                values["target_group"][docnum] = tuple(d["target_groups"])
                values["instrument"][docnum] = tuple(d["instruments"])
                values["year"][docnum] = (str(d["year_start"]),)
                last = d["year_end"] or d["year_start"]
                if d.get("ongoing") and not d["year_end"]:
                    last = YEAR_MAX
                years[docnum] = (d["year_start"], last)
            published = {n for n in live if values["status"][n][0] == "published"}
            cache = {"values": values, "years": years, "live": live, "published": published}
            snap.cache["docvals"] = cache
        return cache

    def _facet_filter(self, cache, facet: str, selected: list[str]) -> frozenset[int]:
        """Documents having any of the selected values: computed once per index state."""
        key = (facet, frozenset(selected))
        filters = cache.setdefault("filters", {})
        docs = filters.get(key)
        if docs is None:
            wanted = set(selected)
            docs = frozenset(n for n, vals in cache["values"][facet].items() if wanted.intersection(vals))
            if len(filters) > 2000:
                filters.clear()
            filters[key] = docs
        return docs

    def _prepare(self, snap, req: SearchRequest):
        """(parsed query, Whoosh query, docs matching the text, {facet: docs passing its filter})."""
        searcher = snap.searcher
        cache = self._doc_values(snap)
        parsed = parse(req.q)
        query = self.build_query(searcher, parsed, expand=req.expand)
        base = cache["live"] if req.include_drafts else cache["published"]
        if isinstance(query, wq.Every):
            matched = set(base)
        else:
            matched = base.intersection(query.docs(searcher))
        filters = {}
        for facet in FILTER_FACETS:
            sel = req.selected(facet)
            if sel:
                filters[facet] = self._facet_filter(cache, facet, sel)
        if req.year_from is not None or req.year_to is not None:
            lo = req.year_from if req.year_from is not None else YEAR_MIN
            hi = req.year_to if req.year_to is not None else YEAR_MAX
            filters["year"] = {n for n, (a, b) in cache["years"].items() if a <= hi and b >= lo}
        return parsed, query, matched, filters

    @staticmethod
    def _sort_args(sort: str, query) -> dict:
        if sort == "relevance" and isinstance(query, wq.Every):
            sort = "newest"
        if sort in ("newest", "oldest"):
            return dict(sortedby=["date_sort", "title_sort"], reverse=(sort == "newest"))
        if sort == "title":
            return dict(sortedby="title_sort")
        return {}

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
               page_size, req.expand)
        with self._cache_lock:
            results = snap.cache.setdefault("results", OrderedDict())
            cached = results.get(key)
            if cached is not None:
                results.move_to_end(key)
                return dataclasses.replace(cached, request=req)
        result = self._search(snap, req, page_size)
        with self._cache_lock:
            results[key] = result
            if len(results) > RESULT_CACHE_SIZE:
                results.popitem(last=False)
        return result

    def _search(self, snap, req: SearchRequest, page_size: int) -> SearchResult:
        searcher = snap.searcher
        cache = self._doc_values(snap)
        parsed, query, matched, filters = self._prepare(snap, req)

        final = set(matched)
        for docs in filters.values():
            final &= docs
        total = len(final)

        facets = []
        shown = list(self.config.facets) + (["status"] if req.include_drafts else [])
        for facet in shown:
            base_set = set(matched)
            for other, s in filters.items():
                if other != facet:
                    base_set &= s
            facets.append(self._count_facet(cache, facet, base_set, req))

        sort_args = self._sort_args(req.sort, query)
        page = req.page
        start = (page - 1) * page_size
        hits: list[Hit] = []
        if total and start < total:
            kwargs = dict(filter=final, limit=start + page_size, terms=True, **sort_args)
            results = searcher.search(query, **kwargs)
            results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
            results.formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
            for hit in results[start:start + page_size]:
                hits.append(self._hit(hit, req.ui_lang, scored=not sort_args))
        suggestion = ""
        if total == 0 and parsed.clauses:
            suggestion = self._suggest(searcher, parsed)
        drop_hints = []
        if total == 0 and filters:
            for facet in filters:
                rest = set(matched)
                for other, s in filters.items():
                    if other != facet:
                        rest &= s
                if rest:
                    drop_hints.append(DropHint(facet, len(rest)))
            drop_hints.sort(key=lambda h: -h.count)
        message = ""
        if total and start >= total:
            message = f"page: there are only {math.ceil(total / page_size)} pages of results"
        return SearchResult(req, hits, total, page, page_size, facets, suggestion, message, drop_hints)

    def _count_facet(self, cache, facet: str, docs: set[int], req: SearchRequest) -> Facet:
        counts: dict[str, int] = {}
        column = cache["values"][facet]
        for n in docs:
            for v in column.get(n, ()):
                counts[v] = counts.get(v, 0) + 1
        selected = set(req.selected(facet))
        vocab = self.config.vocabulary(facet)
        values = []
        if vocab is not None:
            for term in vocab:
                if counts.get(term.id) or term.id in selected:
                    values.append(FacetValue(term.id, term.label_in(req.ui_lang),
                                             counts.get(term.id, 0), term.id in selected))
        elif facet == "language":
            for v in sorted(counts, key=lambda v: -counts[v]):
                values.append(FacetValue(v, LANGUAGE_NAMES.get(v, {}).get(req.ui_lang, v), counts[v],
                                         v in selected))
        elif facet == "year":
            for y in sorted(counts, reverse=True):
                values.append(FacetValue(y, y, counts[y], False))
        else:
            for v in sorted(counts, key=lambda v: -counts[v]):
                values.append(FacetValue(v, v, counts[v], v in selected))
            for v in selected - set(counts):
                values.append(FacetValue(v, v, 0, True))
        return Facet(facet, values)

    def _suggest(self, searcher, parsed: ParsedQuery) -> str:
        """A corrected query from the index vocabulary, or '' when no word needs correcting."""
        corrector = searcher.corrector(SPELL_FIELD)
        reader = searcher.reader()
        changed = False
        out = []
        for group in parsed.clauses:
            for item in group:
                words = [item.text] if isinstance(item, Word) else list(item.words)
                fixed = []
                for w in words:
                    if len(w) < 3 or w.isdigit() or reader.frequency(SPELL_FIELD, w):
                        fixed.append(w)
                        continue
                    sugg = corrector.suggest(w, limit=1, maxdist=2)
                    if sugg and sugg[0] != w:
                        fixed.append(sugg[0])
                        changed = True
                    else:
                        fixed.append(w)
                out.append(" ".join(fixed) if isinstance(item, Word) else '"' + " ".join(fixed) + '"')
        return " ".join(out) if changed else ""

    def _hit(self, hit, ui_lang: str, scored: bool = True) -> Hit:
        d = hit["doc"]
        snippet = ""
        lang = d["lang"]
        try:
            matched_fields = {f for f, _t in (hit.matched_terms() or ())}
        except Exception:  # noqa: BLE001 - no term information (e.g. a query for everything)
            matched_fields = set()
        # highlighting re-analyses the text: only where a term matched, and only its first part
        for fname, text in ((f"body_{lang}", d["body"]), (f"summary_{lang}", d["summary"])):
            if fname not in matched_fields:
                continue
            try:
                snippet = hit.highlights(fname, text=text[:SNIPPET_SOURCE_CHARS], top=2)
            except Exception:  # noqa: BLE001 - a highlighter failure must not fail the search
                snippet = ""
            if snippet:
                break
        if not snippet:
            from html import escape
            snippet = escape(d["summary"][:300])
        cfg = self.config
        return Hit(
            id=d["id"], title=d["title"], title_en=d["title_en"], summary=d["summary"],
            summary_en=d["summary_en"], lang=lang, region=d["region"],
            region_label=cfg.regions.label(d["region"], ui_lang), country=d["country"],
            year_start=d["year_start"], year_end=d["year_end"], ongoing=d["ongoing"],
            doctype=d["doctype"], doctype_label=cfg.doctypes.label(d["doctype"], ui_lang),
            topics=[{"id": t, "label": cfg.topics.label(t, ui_lang)} for t in d["topics"]],
            status=d["status"], illustrative=d["illustrative"],
            score=round(float(hit.score or 0.0), 4) if scored else 0.0, snippet_html=snippet,
            snippet_text=re.sub(r"<[^>]+>", "", snippet).replace("&amp;", "&").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'"),
        )

    def all_matching(self, req: SearchRequest, limit: int = 10_000) -> tuple[list[dict], list[str]]:
        """Display data of every record the request matches, in its sort order (for exports)."""
        problems = self.validate(req)
        if problems:
            return [], problems
        try:
            snap = self.store.snapshot()
        except NoIndex as exc:
            return [], [str(exc)]
        _parsed, query, final, filters = self._prepare(snap, req)
        for docs in filters.values():
            final &= docs
        if not final:
            return [], []
        kwargs = dict(filter=final, limit=min(limit, len(final)), **self._sort_args(req.sort, query))
        results = snap.searcher.search(query, **kwargs)
        return [hit["doc"] for hit in results], []

    # ------------------------------------------------------------------ more like this
    def similar(self, practice_id: str, ui_lang: str = "en", limit: int = 5,
                regions: list[str] | None = None, exclude_same_region: bool = True) -> list["Similar"]:
        """Published practices most like this one (its key terms, in its own language and in the
        English abstract every record has, so similarity crosses languages)."""
        try:
            snap = self.store.snapshot()
        except NoIndex:
            return []
        key = (practice_id, ui_lang, limit, tuple(regions or ()), exclude_same_region)
        cached = snap.cache.setdefault("similar", {})
        if key not in cached:
            if len(cached) > 5000:
                cached.clear()
            cached[key] = self._similar(snap, practice_id, ui_lang, limit, regions, exclude_same_region)
        return list(cached[key])

    def _similar(self, snap, practice_id, ui_lang, limit, regions, exclude_same_region):
        searcher = snap.searcher
        docnum = searcher.document_number(id=practice_id)
        if docnum is None:
            return []
        d = searcher.stored_fields(docnum)["doc"]
        key = self._key_terms(searcher, d)
        if not key:
            return []
        query = wq.Or([wq.Term(f, t, boost=w) for f, t, w in key])
        cache = self._doc_values(snap)
        allowed = set(cache["published"])
        allowed.discard(docnum)
        if exclude_same_region:
            allowed = {n for n in allowed if cache["values"]["region"][n][0] != d["region"]}
        if regions:
            allowed = {n for n in allowed if cache["values"]["region"][n][0] in regions}
        if not allowed:
            return []
        mine = [t for f, t, _w in key if f == "summary_en" and not t.isdigit()]
        out = []
        for hit in searcher.search(query, filter=allowed, limit=limit):
            other = hit["doc"]
            theirs = {t for f, t, _w in self._key_terms(searcher, other, 30) if f == "summary_en"}
            shared = [t for t in mine if t in theirs]
            out.append(Similar(
                id=other["id"], title=other["title"], title_en=other["title_en"], lang=other["lang"],
                region=other["region"], region_label=self.config.regions.label(other["region"], ui_lang),
                year_start=other["year_start"], score=round(float(hit.score), 3),
                shared_terms=_surface(shared, " ".join([d.get("title_en") or d["title"], d.get("summary_en") or d["summary"]]),
                                      searcher.schema["summary_en"])))
        return out

    @staticmethod
    def _key_terms(searcher, d: dict, n: int = 12) -> list[tuple[str, str, float]]:
        """(field, term, weight) of a record's most distinctive terms: English abstract + own text."""
        out = []
        en_text = " ".join(x for x in ((d["title"] + " " + d["summary"]) if d["lang"] == "en"
                                        else (d.get("title_en", "") + " " + d.get("summary_en", "")),) if x)
        if en_text.strip():
            for t, w in searcher.key_terms_from_text("summary_en", en_text, numterms=n):
                out.append(("summary_en", t, w))
                out.append(("title_en", t, w))
        own = f"body_{d['lang']}"
        for t, w in searcher.key_terms_from_text(own, d["title"] + " " + d["summary"] + " " + d["body"],
                                                  numterms=n):
            out.append((own, t, w))
        return out

    # ------------------------------------------------------------------ single records
    def practice(self, practice_id: str, include_drafts: bool = False):
        """The full record (read from its corpus file) if it is indexed and visible, else None."""
        from kb.corpus import practice_path, read_file
        from kb.model import ID_RE, RecordError
        if not ID_RE.match(practice_id or "") or len(practice_id) > 80:
            return None
        d = self.get(practice_id, include_drafts)
        if d is None:
            return None
        try:
            p = read_file(practice_path(self.config, d["region"], practice_id), self.config)
        except (RecordError, ValueError):
            return None
        if p.status != "published" and not include_drafts:
            return None
        return p

    def get(self, practice_id: str, include_drafts: bool = False) -> dict | None:
        """The stored display data of one record, or None."""
        try:
            snap = self.store.snapshot()
        except NoIndex:
            return None
        stored = snap.searcher.document(id=practice_id)
        if not stored:
            return None
        d = stored["doc"]
        if d["status"] != "published" and not include_drafts:
            return None
        return d
