"""Compare regional approaches: topic × region matrix, side-by-side practices, cross-region counterparts.

Everything is computed through SearchService, so the numbers are the search page's numbers: a
matrix cell is the `topic` facet count of a search filtered on that one region (and the chosen
topics and query), which is exactly the total of the search its link opens. One search per
region gives a whole matrix column; nothing here imports Flask or Whoosh.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kb.indexer.schema import StoredRecord
from kb.search import NoIndex, SearchRequest, SearchService, Similar

MIN_REGIONS, MAX_REGIONS = 2, 4
COLUMN_LIMIT = 12          # practices listed per region column (the CSV export lists them all)
COUNTERPARTS = 3           # most similar practices in the other chosen regions, per practice
EXPORT_LIMIT = 10_000


@dataclass
class CompareRequest:
    topics: list[str] = field(default_factory=list)     # empty = the whole taxonomy
    regions: list[str] = field(default_factory=list)    # two to four region ids, in display order
    q: str = ""
    ui_lang: str = "en"
    column_limit: int = COLUMN_LIMIT
    counterparts: int = COUNTERPARTS                     # 0 = don't look for counterparts

    @property
    def lists_practices(self) -> bool:
        """Columns list practices only for a topic or a query; otherwise they would be the corpus."""
        return bool(self.topics or self.q)


@dataclass
class Problem:
    """A bad parameter: `code` lets the web layer say it in the interface language."""
    param: str
    code: str                 # too-few-regions | too-many-regions | unknown-region | unknown-topic | query-too-long | unknown-lang
    value: str = ""
    n: int = 0
    limit: int = 0
    known: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        known = ", ".join(self.known)
        text = {
            "too-few-regions": f"choose at least {self.limit} regions to compare (got {self.n})",
            "too-many-regions": f"choose at most {self.limit} regions to compare (got {self.n})",
            "unknown-region": f"unknown region {self.value!r} (known: {known})",
            "unknown-topic": f"unknown topic {self.value!r} (known: {known})",
            "query-too-long": f"the query is {self.n} characters long; the limit is {self.limit}",
            "unknown-lang": f"unknown interface language {self.value!r} (known: {known})",
        }.get(self.code, self.code)
        return f"{self.param}: {text}"


@dataclass
class Cell:
    region: str
    region_label: str
    count: int                      # published practices on this topic in this region (and query)
    gap: bool                       # count == 0
    in_other_regions: int           # the same topic's practices in the other chosen regions
    params: dict                    # search-page parameters whose result total is `count`


@dataclass
class MatrixRow:
    topic: str
    topic_label: str
    cells: list[Cell]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)


# A counterpart is a similar practice in another chosen region, as the search service finds it.
Counterpart = Similar


@dataclass
class PracticeSummary:
    id: str
    title: str
    title_en: str
    lang: str
    region: str
    years: str                      # "2015", "2015–2018", "2015–" (ongoing)
    doctype: str
    doctype_label: str
    topics: list[dict]              # [{"id", "label"}]
    instruments: list[dict]
    target_groups: list[dict]
    abstract: str                   # the abstract in the UI language if the record has one, else English
    abstract_lang: str
    illustrative: bool
    counterparts: list[Counterpart] = field(default_factory=list)


@dataclass
class RegionColumn:
    region: str
    region_label: str
    total: int                      # distinct practices matching (any chosen topic, the query)
    topics_covered: int             # matrix rows with at least one practice in this region
    gaps: int                       # matrix rows with none
    practices: list[PracticeSummary]
    params: dict                    # search-page parameters listing all `total` practices

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.practices)) if self.practices else 0


@dataclass
class CompareResult:
    request: CompareRequest
    topics: list[dict]              # the matrix rows' topics [{"id", "label"}]
    regions: list[dict]             # the chosen regions [{"id", "label"}]
    matrix: list[MatrixRow]
    columns: list[RegionColumn]
    problems: list[Problem] = field(default_factory=list)
    message: str = ""

    @property
    def max_count(self) -> int:
        return max((c.count for row in self.matrix for c in row.cells), default=0)

    def column(self, region: str) -> RegionColumn | None:
        return next((c for c in self.columns if c.region == region), None)

    def to_dict(self) -> dict:
        return {
            "query": self.request.q,
            "topics": self.topics, "regions": self.regions,
            "lists_practices": self.request.lists_practices,
            "matrix": [{"topic": r.topic, "topic_label": r.topic_label, "total": r.total,
                        "cells": [asdict(c) for c in r.cells]} for r in self.matrix],
            "columns": [dict(asdict(c), more=c.more) for c in self.columns],
            "message": self.message or None,
        }


def years_text(year_start: int, year_end: int | None, ongoing: bool) -> str:
    if year_end and year_end != year_start:
        return f"{year_start}–{year_end}"
    return f"{year_start}–" if ongoing else str(year_start)


class CompareService:
    def __init__(self, search_service: SearchService):
        self.search = search_service
        self.config = search_service.config

    def default_regions(self) -> list[str]:
        """The regions compared when none are asked for: the first four of config.toml."""
        return self.config.regions.ids()[:MAX_REGIONS]

    def validate(self, req: CompareRequest) -> list[Problem]:
        cfg = self.config
        problems = []
        known_regions = cfg.regions.ids()
        for r in req.regions:
            if r not in cfg.regions:
                problems.append(Problem("region", "unknown-region", value=r[:40], known=known_regions))
        n = len(dict.fromkeys(req.regions))
        if n < MIN_REGIONS:
            problems.append(Problem("region", "too-few-regions", n=n, limit=MIN_REGIONS))
        elif n > MAX_REGIONS:
            problems.append(Problem("region", "too-many-regions", n=n, limit=MAX_REGIONS))
        for t in req.topics:
            if t not in cfg.topics:
                problems.append(Problem("topic", "unknown-topic", value=t[:40], known=cfg.topics.ids()))
        if len(req.q) > cfg.max_query_length:
            problems.append(Problem("q", "query-too-long", n=len(req.q), limit=cfg.max_query_length))
        if req.ui_lang not in cfg.ui_languages:
            problems.append(Problem("lang", "unknown-lang", value=req.ui_lang[:20], known=list(cfg.ui_languages)))
        return problems

    def compare(self, req: CompareRequest) -> CompareResult:
        cfg, lang = self.config, req.ui_lang
        problems = self.validate(req)
        regions = list(dict.fromkeys(req.regions))
        chosen = set(req.topics)
        topic_ids = [t for t in cfg.topics.ids() if not chosen or t in chosen]
        topics = [{"id": t, "label": cfg.topics.label(t, lang)} for t in topic_ids]
        region_list = [{"id": r, "label": cfg.regions.label(r, lang)} for r in regions]
        if problems:
            return CompareResult(req, topics, region_list, [], [], problems, "; ".join(map(str, problems)))

        topic_filter = list(topic_ids) if chosen else []
        counts: dict[str, dict[str, int]] = {}
        totals: dict[str, int] = {}
        for r in regions:
            filters = {"region": [r], **({"topic": topic_filter} if topic_filter else {})}
            res = self.search.search(SearchRequest(q=req.q, filters=filters, ui_lang=lang, page_size=1))
            if res.message and not res.total:      # no index yet: say so rather than show gaps everywhere
                return CompareResult(req, topics, region_list, [], [], [], res.message)
            totals[r] = res.total
            facet = res.facet("topic")
            if facet is not None:
                by_topic = {v.value: v.count for v in facet.values}
                counts[r] = {t: by_topic.get(t, 0) for t in topic_ids}
            else:                       # topic facet not configured: one search per cell
                counts[r] = {t: self.search.search(SearchRequest(
                    q=req.q, filters={"region": [r], "topic": [t]}, ui_lang=lang, page_size=1)).total
                    for t in topic_ids}

        matrix = []
        for t in topic_ids:
            row_total = sum(counts[r][t] for r in regions)
            cells = [Cell(region=r, region_label=cfg.regions.label(r, lang), count=counts[r][t],
                          gap=counts[r][t] == 0, in_other_regions=row_total - counts[r][t],
                          params=self._params(req.q, [t], r))
                     for r in regions]
            matrix.append(MatrixRow(t, cfg.topics.label(t, lang), cells))

        columns = []
        for r in regions:
            practices = []
            if req.lists_practices and totals[r] and req.column_limit > 0:
                others = [o for o in regions if o != r]
                practices = [self._summary(d, lang, others, req.counterparts)
                             for d in self._docs(req, r, topic_filter)]
            covered = sum(1 for t in topic_ids if counts[r][t])
            columns.append(RegionColumn(
                region=r, region_label=cfg.regions.label(r, lang), total=totals[r],
                topics_covered=covered, gaps=len(topic_ids) - covered, practices=practices,
                params=self._params(req.q, topic_filter, r)))
        return CompareResult(req, topics, region_list, matrix, columns)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _params(q: str, topics: list[str], region: str) -> dict:
        params: dict = {}
        if q:
            params["q"] = q
        if topics:
            params["topic"] = list(topics)
        params["region"] = [region]
        return params

    def _docs(self, req: CompareRequest, region: str, topics: list[str]) -> list[StoredRecord]:
        filters = {"region": [region], **({"topic": topics} if topics else {})}
        docs, _problems = self.search.all_matching(
            SearchRequest(q=req.q, filters=filters, ui_lang=req.ui_lang), limit=req.column_limit)
        return docs

    def _summary(self, d: StoredRecord, lang: str, others: list[str], n_counterparts: int) -> PracticeSummary:
        cfg = self.config
        if d.lang == lang or not d.summary_en:
            abstract, abstract_lang = d.summary, d.lang
        else:
            abstract, abstract_lang = d.summary_en, "en"
        counterparts = self._counterparts(d.id, d.region, lang, others, n_counterparts)
        return PracticeSummary(
            id=d.id, title=d.title, title_en=d.title_en, lang=d.lang,
            region=d.region, years=years_text(d.year_start, d.year_end, d.ongoing),
            doctype=d.doctype, doctype_label=cfg.doctypes.label(d.doctype, lang),
            topics=[{"id": t, "label": cfg.topics.label(t, lang)} for t in d.topics],
            instruments=[{"id": t, "label": cfg.instruments.label(t, lang)} for t in d.instruments],
            target_groups=[{"id": t, "label": cfg.target_groups.label(t, lang)} for t in d.target_groups],
            abstract=abstract, abstract_lang=abstract_lang, illustrative=d.illustrative,
            counterparts=counterparts)

    def _counterparts(self, practice_id: str, region: str, lang: str, others: list[str], n: int) -> list[Counterpart]:
        """SearchService.similar() restricted to the other chosen regions, remembered for as long as
        the index does not change (more-like-this is the slow part of a comparison, and a meeting
        tends to look at the same topics again, in several languages)."""
        if n <= 0 or not others:
            return []
        try:
            cache = self.search.store.snapshot().cache.setdefault("compare_counterparts", {})
        except NoIndex:
            return []
        key = (practice_id, lang, tuple(sorted(others)), n)
        found = cache.get(key)
        if found is None:
            if len(cache) > 50_000:
                cache.clear()
            found = [s for s in self.search.similar(practice_id, lang, n, regions=others)
                     if s.region in others and s.region != region]
            cache[key] = found
        return list(found)
