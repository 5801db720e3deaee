"""The search service: query + filters in, plain data out (hits, facets, pages, suggestion).

The web UI, the JSON API and the CLI all call SearchService.search(). Nothing here imports Flask,
and nothing outside kb.search / kb.indexer touches Whoosh objects.

Facets are disjunctive: values of one facet combine with OR, facets with AND, and each facet's
counts are computed with every *other* facet's selection applied.

Query trees are Whoosh query objects (build_query), evaluated by kb.indexer.vector over whole
posting lists with NumPy in one pass that gives both the ranking and the match set the facets
are counted on; Whoosh's own collector is not used for searching. Relevance order is then refined
by passage-level evidence and pseudo-relevance feedback (`_passages`, `_feedback`), which reorder
results but never change what matches.
"""
from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left
import threading
import re
from collections import OrderedDict, deque
from dataclasses import dataclass, field, asdict

import numpy as np
from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import Token

from kb.config import Config
from kb.expansion import Expansion, QueryExpander, is_stop_word
from kb.indexer.analysis import WORD_PATTERN
from kb.indexer.schema import FACET_FIELDS, META_FIELD, SPELL_FIELD, TEXT_FIELDS
from kb.indexer.store import IndexStore, NoIndex
from kb.indexer.vector import SegmentCache, VectorView, query_terms
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
RESULT_CACHE_SIZE = 2048      # answers kept per state of the index (repeated queries)
SNIPPET_SOURCE_CHARS = 1500   # highlight within the first part of a long body (it re-analyses the text)
FEEDBACK_TERMS = 25           # words taken from the feedback records
FEEDBACK_WEIGHT = 0.5         # their share of the final score (RM3's usual interpolation)
PASSAGE_DOCS = 5              # best results whose passages are looked at
PASSAGE_WORDS = 30            # words per passage (passages overlap by half)
PASSAGE_WEIGHT = 0.2          # a passage holding every query word adds a fifth of the best score
WORD_MEMO_SIZE = 200_000      # analysed written words remembered per field
TOKEN_CACHE_SIZE = 5000       # records' analysed word sequences kept per snapshot
ABSTRACT_FIELD = "summary_en"  # where every record's English abstract is indexed
_WORD_RE = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class Problem:
    """One problem with a search's parameters: a stable code, the parameter, the values the
    message needs, and the message in precise English (str() of the problem)."""
    code: str
    param: str
    params: dict
    message: str

    def __str__(self) -> str:
        return self.message


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
    facets: bool = True                   # count the facets (False: hits and total only)
    snippets: bool = True                 # highlight matched words (False: the summary start)

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


def _analyse_word(memo: dict, analyzer, raw: str, **options) -> tuple[str, ...]:
    """The terms a field's analyzer makes of one written word, remembered in `memo` (bounded):
    snippets and the re-rankings analyse text word by word, so each word is analysed once."""
    terms = tuple(t.text for t in analyzer(raw, mode="index", **options))
    if len(memo) < WORD_MEMO_SIZE:
        memo[raw] = terms
    return terms


def _context_fragments(text: str, toks, maxchars: int, surround: int,
                       charlimit: int = highlight.DEFAULT_CHARLIMIT):
    """whoosh.highlight.ContextFragmenter.fragment_tokens over (startchar, endchar, matched, text)
    tuples, line for line."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    tks = []
    endchar = None
    currentlen = 0
    for startchar, endchar, matched, term in toks:
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(Token(text=term, startchar=startchar, endchar=endchar, boost=1.0, matched=True))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)


SNIPPET_SEPARATOR = " … "
_WORD_WIDEN = 40            # at most this many characters are added to finish a cut word


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) widened to whole words: a passage never begins or ends inside a word."""
    limit = max(0, start - _WORD_WIDEN)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    limit = min(len(text), end + _WORD_WIDEN)
    while end < limit and not text[end].isspace():
        end += 1
    return start, end


def _readable_snippet(text: str, fragments) -> str:
    """Passages as HTML (matched words in <mark>), cut at word boundaries, joined with " … "
    and ending with " …" when the text goes on. Overlapping passages merge."""
    from html import escape
    spans = []
    for frag in fragments:
        start, end = _word_bounds(text, frag.startchar, frag.endchar)
        marks = [(t.startchar, t.endchar) for t in frag.matches]
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2].extend(marks)
        else:
            spans.append([start, end, marks])
    parts = []
    for start, end, marks in spans:
        out, pos = [], start
        for ms, me in sorted(set(marks)):
            if ms < pos or me > end:
                continue
            out.append(escape(text[pos:ms]))
            out.append(f'<mark class="match">{escape(text[ms:me])}</mark>')
            pos = me
        out.append(escape(text[pos:end]))
        parts.append("".join(out).strip())
    html = SNIPPET_SEPARATOR.join(parts)
    if spans and text[spans[-1][1]:].strip():
        html += " …"
    return html


def _word_prefix(text: str, limit: int) -> str:
    """At most `limit` characters of a text, ending at a word boundary (snippets are made from it)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut] if cut > limit // 2 else text[:limit]


def short_text(text: str, limit: int = 300) -> str:
    """The start of a text, at most `limit` characters, cut at a word boundary (with " …")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"


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
        self._cache_lock = threading.RLock()
        self._segments = SegmentCache()
        self._token_memo: dict[str, dict[str, tuple[str, ...]]] = {}
        self._terms_memo: dict[tuple[str, str], list[str]] = {}

    # ------------------------------------------------------------------ validation
    def validate(self, req: SearchRequest) -> list[str]:
        """Problems with the request's parameters, each naming the parameter (empty = fine)."""
        return [p.message for p in self.problems(req)]

    def problems(self, req: SearchRequest) -> list["Problem"]:
        """validate() with a stable code and the values for each problem, so that the web layer
        can say it in the interface language (the message stays precise English)."""
        problems = []
        add = problems.append
        if len(req.q) > self.config.max_query_length:
            add(Problem("query-too-long", "q", {"n": len(req.q), "limit": self.config.max_query_length},
                        f"q: the query is {len(req.q)} characters long; the limit is "
                        f"{self.config.max_query_length}"))
        for facet, values in req.filters.items():
            if facet not in FILTER_FACETS:
                add(Problem("unknown-filter", facet, {"known": ", ".join(FILTER_FACETS)},
                            f"{facet}: unknown filter (known: {', '.join(FILTER_FACETS)})"))
                continue
            if len(values) > MAX_VALUES_PER_FACET:
                add(Problem("too-many-values", facet, {"limit": MAX_VALUES_PER_FACET},
                            f"{facet}: at most {MAX_VALUES_PER_FACET} values per filter"))
            vocab = self.config.vocabulary(facet)
            known = (vocab.ids() if vocab else list(self.config.content_languages) if facet == "language"
                     else ["draft", "published"] if facet == "status" else None)
            for v in values:
                if v and known is not None and v not in known:
                    add(Problem("unknown-value", facet, {"value": v[:40], "known": ", ".join(known)},
                                f"{facet}: unknown value {v!r} (known: {', '.join(known)})"))
        for name in ("year_from", "year_to"):
            v = getattr(req, name)
            if v is not None and not YEAR_MIN <= v <= YEAR_MAX:
                add(Problem("year-out-of-range", name, {"value": v, "min": YEAR_MIN, "max": YEAR_MAX},
                            f"{name}: {v} is out of range ({YEAR_MIN}-{YEAR_MAX})"))
        if req.year_from is not None and req.year_to is not None and req.year_from > req.year_to:
            add(Problem("year-range-reversed", "year_from", {"year_from": req.year_from, "year_to": req.year_to},
                        f"year_from: {req.year_from} is after year_to {req.year_to}"))
        if req.sort not in SORTS:
            add(Problem("unknown-sort", "sort", {"value": req.sort[:40], "known": ", ".join(SORTS)},
                        f"sort: unknown sort {req.sort!r} (known: {', '.join(SORTS)})"))
        if not 1 <= req.page <= MAX_PAGE:
            add(Problem("page-out-of-range", "page", {"value": req.page, "max": MAX_PAGE},
                        f"page: {req.page} is out of range (1-{MAX_PAGE})"))
        if req.ui_lang not in self.config.ui_languages:
            add(Problem("unknown-language", "lang", {"value": req.ui_lang[:20],
                                                     "known": ", ".join(self.config.ui_languages)},
                        f"lang: unknown interface language {req.ui_lang!r}"))
        return problems

    # ------------------------------------------------------------------ query building
    def _field_terms(self, schema, fieldname: str, word: str) -> list[str]:
        key = (fieldname, word)
        terms = self._terms_memo.get(key)
        if terms is None:
            try:
                terms = [t for t in schema[fieldname].process_text(word, mode="query") if t]
            except Exception:  # noqa: BLE001 - an analyzer hiccup on odd input must not fail the search
                terms = []
            if len(self._terms_memo) > 100_000:
                self._terms_memo.clear()
            self._terms_memo[key] = terms
        return list(terms)

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
        acronym = item.maybe_acronym if isinstance(item, Word) else ""
        subs = []
        for fname in TEXT_FIELDS + (META_FIELD,):
            terms = []
            for w in words:
                terms.extend(self._field_terms(schema, fname, w))
            q = self._terms_query(fname, terms)
            if acronym:
                # TUMAS in a query typed all in capitals: the word, and the acronym the index
                # keeps unstemmed (the better of the two counts)
                other = self._terms_query(fname, self._field_terms(schema, fname, acronym))
                if other is not None and other != q:
                    q = other if q is None else wq.DisjunctionMax([q, other])
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
                terms = self._field_terms(schema, fname, exp.text)
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
                # the nearest words first (one edit, then two beyond 5 letters): Whoosh ranks
                # everything within maxdist by frequency alone, so a frequent word two edits away
                # would beat the one-letter fix
                cache[word] = self._corrections(searcher, word, 2)
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

    # ------------------------------------------------------------------ per-snapshot arrays
    def _view(self, snap) -> VectorView:
        """The snapshot as NumPy arrays (kb.indexer.vector), built once per snapshot; segments
        unchanged since the previous snapshot keep their arrays."""
        view = snap.cache.get("vector")
        if view is None:
            with self._cache_lock:
                view = snap.cache.get("vector")
                if view is None:
                    view = VectorView(snap.searcher, self._segments, snap.key[0], FACET_FIELDS)
                    snap.cache["vector"] = view
        return view

    def _year_mask(self, view: VectorView, year_from, year_to):
        lo = year_from if year_from is not None else YEAR_MIN
        hi = year_to if year_to is not None else YEAR_MAX
        start = view.column("year")
        last = np.maximum(view.column("year_end"), start)
        return (start <= hi) & (last >= lo)

    def _prepare(self, snap, req: SearchRequest):
        """(parsed query, Whoosh query, scores, mask of documents matching the text,
        {facet: mask of documents passing its filter})."""
        view = self._view(snap)
        parsed = parse(req.q)
        query = self.build_query(snap.searcher, parsed, expand=req.expand)
        matches = view.evaluate(query)
        matched = matches.mask & (view.live if req.include_drafts else view.published)
        filters = {}
        for facet in FILTER_FACETS:
            sel = req.selected(facet)
            if sel:
                filters[facet] = view.value_mask(facet, sel)
        if req.year_from is not None or req.year_to is not None:
            filters["year"] = self._year_mask(view, req.year_from, req.year_to)
        scores = matches.scores
        if parsed.clauses and self._order(req.sort, query) == "relevance":
            # over every match, filters aside: a filtered list is the unfiltered one with records
            # left out, never reordered (and a facet click reuses the query's work)
            if PASSAGE_WEIGHT and len(parsed.positive_words()) > 1:   # one word: every passage holds it
                scores = self._passages(view, snap.cache, query, scores, matched)
            if self.config.feedback_docs:
                scores = self._feedback(view, snap.cache, scores, matched, self.config.feedback_docs)
        return parsed, query, scores, matched, filters

    def _passages(self, view: VectorView, cache: dict, query, scores: np.ndarray,
                  matched: np.ndarray) -> np.ndarray:
        """Passage-level evidence (Callan 1994): among the best PASSAGE_DOCS results, a record
        whose text holds the query's words together, within one passage of PASSAGE_WORDS words,
        gains on one whose matching words are scattered. Scores are divided by the best one, and
        each of those records adds PASSAGE_WEIGHT x the share of the query words' idf that its
        best passage holds. Records below them keep their order; what matches does not change."""
        best = view.top(scores, matched, PASSAGE_DOCS)
        if not best or scores[best[0]] <= 0:
            return scores
        searcher = view.searcher
        wanted: dict[str, set[str]] = {}
        for fieldname, text in query_terms(query):
            if fieldname.startswith("body_"):
                wanted.setdefault(fieldname, set()).add(text)
        out = scores / scores[best[0]]
        step = PASSAGE_WORDS // 2
        for docnum in best:
            fname, tokens, _abstract = self._record_tokens(searcher, cache, docnum)
            terms = wanted.get(fname)
            if not terms or not tokens:
                continue
            idf = {t: searcher.idf(fname, t) for t in terms}
            total = sum(idf.values())
            hits = [(i, t) for i, t in enumerate(tokens) if t in terms]
            where = [i for i, _t in hits]
            covered = 0.0
            for start in range(0, max(1, len(tokens) - step), step):
                inside = hits[bisect_left(where, start):bisect_left(where, start + PASSAGE_WORDS)]
                if inside:
                    covered = max(covered, sum(idf[t] for t in {t for _i, t in inside}))
            out[docnum] += PASSAGE_WEIGHT * covered / total
        return out

    def _feedback(self, view: VectorView, cache: dict, scores: np.ndarray, matched: np.ndarray,
                  k: int) -> np.ndarray:
        """Pseudo-relevance feedback, for ranking only (RM3; Lavrenko & Croft 2001, Abdul-Jaleel
        et al. 2004): the best k results stay first, in their order; the results after them are
        ranked by their score interpolated with how well they match the words that characterise
        those k (the feedback records' words by relevance-model weight x idf). A query's words
        name a topic only partly: a record about the same thing in other words rises. The match
        set, totals and facets stay those of the typed words.

        Measured on ../shared/eval/retrieval (bench/bench_retrieval.py, README "Search
        languages"): it helps where many records are relevant (ntrex-bg.head2chunk+wiki nDCG@10
        .638 -> .680 on top of the passage step) and leaves known-item tasks within .001,
        because the best results themselves are never moved."""
        best = view.top(scores, matched, k)
        if len(best) < k or int(matched.sum()) <= k or scores[best[0]] <= 0:
            return scores
        searcher = view.searcher
        top = scores[best]
        doc_weights = top / top.sum() if top.sum() > 0 else np.full(len(best), 1.0 / len(best))
        relevance: dict[tuple[str, str], float] = {}
        for docnum, dw in zip(best, doc_weights):
            fname, tokens, abstract = self._record_tokens(searcher, cache, docnum)
            words = [(fname, t) for t in tokens] + [(ABSTRACT_FIELD, t) for t in abstract]
            if not words:
                continue
            share = dw / len(words)
            for key in words:
                relevance[key] = relevance.get(key, 0.0) + share
        if not relevance:
            return scores
        idf = searcher.idf                  # Whoosh's, as BM25 uses it (memoised per searcher)
        weighted = [(w * idf(f, t), f, t) for (f, t), w in relevance.items()]
        weighted.sort(reverse=True)
        chosen = weighted[:FEEDBACK_TERMS]
        total = sum(w for w, _f, _t in chosen)
        fb = view.evaluate(wq.Or([wq.Term(f, t, boost=w / total) for w, f, t in chosen])).scores
        top_fb = fb[matched].max()
        if top_fb <= 0:
            return scores
        out = np.where(matched, (1 - FEEDBACK_WEIGHT) * scores / top.max() + FEEDBACK_WEIGHT * fb / top_fb, 0.0)
        out[best] = 2.0 + top / top.max()          # above any interpolated score (each part <= 1)
        return out

    def _record_tokens(self, searcher, cache: dict, docnum: int):
        """(body field of the record's language, the record's indexed words in text order: title,
        summary, body; the words of its English abstract as the `summary_en` field holds them),
        analysed word by word with the fields' analyzers (memoised per written word, as for
        snippets; kept per snapshot for the records asked most). The abstract is what every
        record shares whatever its language: feedback through it reaches the other languages."""
        seqs = cache.setdefault("tokens", OrderedDict())
        got = seqs.get(docnum)
        if got is not None:
            seqs.move_to_end(docnum)
            return got
        d = searcher.stored_fields(docnum)["doc"]
        fname = f"body_{d['lang']}"
        abstract = (d["title"], d["summary"]) if d["lang"] == "en" else (d["title_en"], d["summary_en"])
        got = seqs[docnum] = (fname, self._analysed(searcher, fname, (d["title"], d["summary"], d["body"])),
                              self._analysed(searcher, ABSTRACT_FIELD, abstract))
        if len(seqs) > TOKEN_CACHE_SIZE:
            seqs.popitem(last=False)
        return got

    def _analysed(self, searcher, fname: str, texts) -> tuple[str, ...]:
        """The indexed words of `texts` in `fname`, in order (stop words dropped)."""
        if fname not in searcher.schema:
            return ()
        analyzer = searcher.schema[fname].analyzer
        memo = self._token_memo.setdefault("index:" + fname, {})
        out: list[str] = []
        for raw in _WORD_RE.findall(" ".join(t for t in texts if t)):
            terms = memo.get(raw)
            if terms is None:
                terms = _analyse_word(memo, analyzer, raw)
            out.extend(terms)
        return tuple(out)

    @staticmethod
    def _order(sort: str, query) -> str:
        if sort == "relevance" and isinstance(query, wq.Every):
            return "newest"
        return sort

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

    def _search(self, snap, req: SearchRequest, page_size: int) -> SearchResult:
        searcher = snap.searcher
        view = self._view(snap)
        parsed, query, scores, matched, filters = self._prepare(snap, req)

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
            facets.append(self._count_facet(view.count(facet, base), facet, req))

        page = req.page
        start = (page - 1) * page_size
        hits: list[Hit] = []
        if total and start < total:
            order = self._order(req.sort, query)
            docnums = view.top(scores, final, start + page_size, order)[start:]
            snippet_fields = [f for f in TEXT_FIELDS if not f.startswith("title_")]
            matched = (view.matched_terms_of(query, docnums, snippet_fields) if req.snippets
                       else {d: set() for d in docnums})
            for docnum in docnums:
                hits.append(self._hit(view, matched[docnum], docnum, float(scores[docnum]), req.ui_lang,
                                      scored=order == "relevance"))
        suggestion = ""
        if total == 0 and parsed.clauses:
            suggestion = self._suggest(searcher, parsed)
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
        return SearchResult(req, hits, total, page, page_size, facets, suggestion, message, drop_hints)

    def _count_facet(self, counts: dict[str, int], facet: str, req: SearchRequest) -> Facet:
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

    @staticmethod
    def _corrections(searcher, word: str, limit: int) -> list[str]:
        """Index words close to `word`: one edit away first, else two (for words of 6+ letters).
        The first letter (two, for two edits) is taken as typed: Whoosh walks its term list with
        a Levenshtein automaton in Python, and fixing the prefix cuts that walk 5-10 fold (at 100k
        records 115 ms -> 3-13 ms a word); a typo in the first letter goes uncorrected."""
        corrector = searcher.corrector(SPELL_FIELD)
        found = corrector.suggest(word, limit=limit, maxdist=1, prefix=1)
        if not found and len(word) >= 6:
            found = corrector.suggest(word, limit=limit, maxdist=2, prefix=2)
        return found

    def _suggest(self, searcher, parsed: ParsedQuery) -> str:
        """A corrected query from the index vocabulary, or '' when no word needs correcting."""
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
                    sugg = self._corrections(searcher, w, 1)
                    if sugg and sugg[0] != w:
                        fixed.append(sugg[0])
                        changed = True
                    else:
                        fixed.append(w)
                out.append(" ".join(fixed) if isinstance(item, Word) else '"' + " ".join(fixed) + '"')
        return " ".join(out) if changed else ""

    def _hit(self, view: VectorView, matched: set[tuple[str, str]], docnum: int, score: float,
             ui_lang: str, scored: bool = True) -> Hit:
        d = view.searcher.stored_fields(docnum)["doc"]
        snippet = ""
        lang = d["lang"]
        # highlighting re-analyses the text: only where a term matched, and only its first part
        for fname, text in ((f"body_{lang}", d["body"]), (f"summary_{lang}", d["summary"])):
            words = {t for f, t in matched if f == fname}
            if not words:
                continue
            try:
                snippet = self._highlight(fname, view.searcher.schema[fname].analyzer,
                                          _word_prefix(text, SNIPPET_SOURCE_CHARS), words)
            except Exception:  # noqa: BLE001 - a highlighter failure must not fail the search
                snippet = ""
            if snippet:
                break
        if not snippet:
            from html import escape
            snippet = escape(short_text(d["summary"]))
        cfg = self.config
        return Hit(
            id=d["id"], title=d["title"], title_en=d["title_en"], summary=d["summary"],
            summary_en=d["summary_en"], lang=lang, region=d["region"],
            region_label=cfg.regions.label(d["region"], ui_lang), country=d["country"],
            year_start=d["year_start"], year_end=d["year_end"], ongoing=d["ongoing"],
            doctype=d["doctype"], doctype_label=cfg.doctypes.label(d["doctype"], ui_lang),
            topics=[{"id": t, "label": cfg.topics.label(t, ui_lang)} for t in d["topics"]],
            status=d["status"], illustrative=d["illustrative"],
            score=round(score, 4) if scored else 0.0, snippet_html=snippet,
            snippet_text=re.sub(r"<[^>]+>", "", snippet).replace("&amp;", "&").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'"),
        )

    def _highlight(self, fieldname: str, analyzer, text: str, words: set[str], top: int = 2,
                   readable: bool = True) -> str:
        """What Whoosh's highlighter gives (as Results.highlights runs it: ContextFragmenter
        220/60, BasicFragmentScorer, best `top` in text order, HtmlFormatter with <mark>), computed
        over plain tuples: the analyzers work token by token, so each distinct written word is
        analysed once per process, and Token objects are made only for matched words.
        tests/test_vector.py compares the output with Whoosh's (readable=False). For reading
        (readable=True) the passages are widened to whole words and joined with " … "."""
        memo = self._token_memo.setdefault(fieldname, {})
        toks = []                       # [startchar, endchar, matched, text], merged as Whoosh does
        cur = None
        for m in _WORD_RE.finditer(text):
            raw = m.group()
            terms = memo.get(raw)
            if terms is None:
                terms = _analyse_word(memo, analyzer, raw, removestops=False)
            start, end = m.span()
            for term in terms:
                if term not in words:
                    if cur is not None:
                        toks.append(cur)
                        cur = None
                    toks.append((start, end, False, term))
                elif cur is None:
                    cur = [start, end, True, term]
                elif start <= cur[1]:
                    if end > cur[1]:
                        cur[3] += term[cur[1] - end:]
                        cur[1] = end
                else:
                    toks.append(cur)
                    cur = None
                    toks.append((start, end, True, term))
        if cur is not None:
            toks.append(cur)
        if not any(t[2] for t in toks):
            return ""
        fragments = _context_fragments(text, toks, maxchars=220, surround=60)
        scorer = highlight.BasicFragmentScorer()
        fragments = highlight.top_fragments(fragments, top, scorer, highlight.FIRST, minscore=1)
        if not readable:
            formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
            return formatter.format(fragments)
        return _readable_snippet(text, fragments)

    def all_matching(self, req: SearchRequest, limit: int = 10_000) -> tuple[list[dict], list[str]]:
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
            _parsed, query, scores, final, filters = self._prepare(snap, req)
            for mask in filters.values():
                final &= mask
            docnums = view.top(scores, final, limit, self._order(req.sort, query))
            return [view.searcher.stored_fields(n)["doc"] for n in docnums], []

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
            with snap.lock:
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
        view = self._view(snap)
        matches = view.evaluate(query)
        allowed = matches.mask & view.published
        allowed[docnum] = False
        if exclude_same_region:
            allowed &= ~view.value_mask("region", [d["region"]])
        if regions:
            allowed &= view.value_mask("region", regions)
        mine = [t for f, t, _w in key if f == "summary_en" and not t.isdigit()]
        out = []
        for n in view.top(matches.scores, allowed, limit):
            other = searcher.stored_fields(n)["doc"]
            hit_score = float(matches.scores[n])
            theirs = {t for f, t, _w in self._key_terms(searcher, other, 30) if f == "summary_en"}
            shared = [t for t in mine if t in theirs]
            out.append(Similar(
                id=other["id"], title=other["title"], title_en=other["title_en"], lang=other["lang"],
                region=other["region"], region_label=self.config.regions.label(other["region"], ui_lang),
                year_start=other["year_start"], score=round(hit_score, 3),
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
        with snap.lock:
            stored = snap.searcher.document(id=practice_id)
        if not stored:
            return None
        d = stored["doc"]
        if d["status"] != "published" and not include_drafts:
            return None
        return d
