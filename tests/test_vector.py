"""kb.search.vector evaluates kb's query trees like Whoosh does, over whole posting lists.

The reference is Whoosh itself on the shipped corpus: the same documents match, with the same
scores (to float rounding), for queries as SearchService builds them. DisjunctionMax is the one
place where they part: whoosh3 3.54's DisjunctionMaxMatcher scores a document with the maximum
of its children's *current* postings, even when a child is positioned on a later document, so
its scores depend on iteration order; here a document gets the maximum of the scores of the
children that match it, which is checked against each child searched on its own. AndNot too:
Whoosh's AndNotMatcher let a document through that its negative side (searched on its own)
matches; here the negative side's documents are always removed. So the reference for trees with
those two nodes combines Whoosh's answers for each leaf by the documented semantics.
"""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from whoosh import query as wq

from kb.indexer.schema import FACET_FIELDS
from kb.search.vector import SegmentCache, SynonymTerm, VectorView
from kb.search.parse import parse
from kb.search import SearchRequest

QUERIES = ["закон", "electronic services", "prozrachnost obshtina", "transparencia",
           "e-services -Бургас", '"електронни услуги"', "participación ciudadana",
           "gobierno abierto OR transparencia", "дигитализация на услугите",
           "administración electrónica Cáceres", "citizens", "2013", '"open data" -Badajoz',
           "общинска администрация обучение", "simplificación administrativa", "zzzz"]


@pytest.fixture(scope="module")
def searcher_view(service):
    snap = service.store.snapshot()
    return snap.searcher, VectorView(snap.searcher, SegmentCache(), "test", FACET_FIELDS)


def whoosh_scores(searcher, q) -> dict[int, float]:
    return {h.docnum: h.score for h in searcher.search(q, limit=None)}


def vector_scores(view, q) -> dict[int, float]:
    m = view.evaluate(q)
    return {int(d): float(m.scores[d]) for d in np.flatnonzero(m.mask)}


def has(q, cls) -> bool:
    return isinstance(q, cls) or any(has(c, cls) for c in q.children())


def synonym_reference(searcher, q) -> dict[int, float]:
    """A SynonymTerm as one BM25F term, from Whoosh's public API: the union of the alternatives'
    postings (its size is the document frequency), the weighted sum of their weights as the
    term frequency, Whoosh's own BM25 function and idf formula."""
    from math import log
    from whoosh.scoring import bm25
    tf: dict[int, float] = {}
    for text, weight in q.alternatives:
        if (q.fieldname, text) not in searcher.reader():
            continue
        m = searcher.reader().postings(q.fieldname, text)
        while m.is_active():
            tf[m.id()] = tf.get(m.id(), 0.0) + weight * m.weight()
            m.next()
    idf = log(searcher.doc_count_all() / (len(tf) + 1)) + 1
    avgfl = searcher.avg_field_length(q.fieldname) or 1
    w = searcher.weighting
    return {d: bm25(idf, t, searcher.reader().doc_field_length(d, q.fieldname, 1) or 1, avgfl,
                    w._field_B.get(q.fieldname, w.B), w.K1) * q.boost for d, t in tf.items()}


def reference(searcher, q) -> dict[int, float]:
    """Whoosh's scores for the leaves, combined as Or (sum), DisjunctionMax (max), AndNot."""
    if isinstance(q, SynonymTerm):
        return synonym_reference(searcher, q)
    if isinstance(q, wq.AndNot):
        neg = reference(searcher, q.b)
        return {d: s * q.boost for d, s in reference(searcher, q.a).items() if d not in neg}
    if isinstance(q, wq.And):
        parts = [reference(searcher, c) for c in q.subqueries]
        common = set.intersection(*(set(p) for p in parts))
        return {d: sum(p[d] for p in parts) * q.boost for d in common}
    if isinstance(q, (wq.Or, wq.DisjunctionMax)):
        out: dict[int, float] = {}
        for child in q.subqueries:
            for d, s in reference(searcher, child).items():
                out[d] = max(out.get(d, 0.0), s) if isinstance(q, wq.DisjunctionMax) else out.get(d, 0.0) + s
        return {d: s * q.boost for d, s in out.items()}
    return whoosh_scores(searcher, q)


def assert_same(expected: dict, got: dict):
    assert set(got) == set(expected)
    for d, score in expected.items():
        assert got[d] == pytest.approx(score, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("text", QUERIES)
def test_same_matches_and_scores_as_whoosh(service, searcher_view, text):
    searcher, view = searcher_view
    q = service.build_query(searcher, parse(text), expand=False)
    got = vector_scores(view, q)
    if not has(q, wq.AndNot):
        assert_same(whoosh_scores(searcher, q), got)      # the whole tree through Whoosh
    assert_same(reference(searcher, q), got)


@pytest.mark.parametrize("text", QUERIES)
def test_expanded_queries_score_as_the_reference(service, searcher_view, text):
    searcher, view = searcher_view
    q = service.build_query(searcher, parse(text), expand=True)
    assert_same(reference(searcher, q), vector_scores(view, q))


def test_and_matches_documents_with_every_word(searcher_view):
    searcher, view = searcher_view
    q = wq.And([wq.Term("body_en", "public"), wq.Term("body_en", "servic")], boost=0.35)
    expected = whoosh_scores(searcher, q)
    assert expected
    assert_same(expected, vector_scores(view, q))
    assert_same(reference(searcher, q), vector_scores(view, q))


def test_andnot_removes_every_document_of_the_negative_side(service, searcher_view):
    searcher, view = searcher_view
    q = service.build_query(searcher, parse('"open data" -Badajoz'), expand=False)
    negative = set(whoosh_scores(searcher, q.b))
    got = set(vector_scores(view, q))
    assert got and negative and not got & negative
    assert got == set(whoosh_scores(searcher, q.a)) - negative


def test_disjunction_max_is_the_best_matching_child(searcher_view):
    searcher, view = searcher_view
    children = [wq.Or([wq.Term(f, t, boost=0.35) for f in fields])
                for t, fields in (("law", ("title_en", "summary_en", "body_en")),
                                  ("ley", ("title_es", "summary_es", "body_es")),
                                  ("закон", ("title_bg", "summary_bg", "body_bg")))]
    per_child = [whoosh_scores(searcher, c) for c in children]
    assert all(per_child) and len(set().union(*per_child)) > max(len(c) for c in per_child)
    got = vector_scores(view, wq.DisjunctionMax(children))
    assert set(got) == set().union(*per_child)
    for d, score in got.items():
        assert score == pytest.approx(max(c.get(d, 0.0) for c in per_child), rel=1e-9)


def test_top_is_exact_ranking_with_ties_by_document_number(service, searcher_view):
    searcher, view = searcher_view
    q = service.build_query(searcher, parse("услуги граждани"))
    m = view.evaluate(q)
    ranked = sorted(np.flatnonzero(m.mask).tolist(), key=lambda d: (-m.scores[d], d))
    for k in (1, 5, 10, len(ranked)):
        assert view.top(m.scores, m.mask, k) == ranked[:k]


def test_facet_counts_equal_counting_stored_records(service, searcher_view):
    searcher, view = searcher_view
    docs = {n: stored["doc"] for n, stored in searcher.reader().iter_docs()}
    q = service.build_query(searcher, parse("services"))
    mask = view.evaluate(q).mask & view.published
    matched = [docs[n] for n in np.flatnonzero(mask)]
    assert matched
    for facet, key in (("region", "region"), ("topic", "topics"), ("language", "lang"),
                       ("target_group", "target_groups"), ("doctype", "doctype")):
        expected = {}
        for d in matched:
            for v in (d[key] if isinstance(d[key], list) else [d[key]]):
                expected[v] = expected.get(v, 0) + 1
        assert view.count(facet, mask) == expected, facet
    years = {}
    for d in matched:
        years[str(d["year_start"])] = years.get(str(d["year_start"]), 0) + 1
    assert view.count("year", mask) == years


def test_value_mask_selects_records_with_any_selected_value(searcher_view):
    searcher, view = searcher_view
    docs = {n: stored["doc"] for n, stored in searcher.reader().iter_docs()}
    mask = view.value_mask("topic", ["e-services", "transparency"])
    expected = {n for n, d in docs.items() if {"e-services", "transparency"} & set(d["topics"])}
    assert set(np.flatnonzero(mask).tolist()) == expected and expected


def test_sorts_follow_the_stored_dates_and_titles(service):
    res = service.search(SearchRequest(q="", sort="newest", page_size=50))
    dates = [service.get(h.id).date or f"{h.year_start}-00-00" for h in res.hits]
    assert dates == sorted(dates, reverse=True)
    res = service.search(SearchRequest(q="", sort="oldest", page_size=50))
    dates = [service.get(h.id).date or f"{h.year_start}-00-00" for h in res.hits]
    assert dates == sorted(dates)
    res = service.search(SearchRequest(q="", sort="title", page_size=50))
    titles = [h.title.casefold() for h in res.hits]
    assert titles == sorted(titles)


def test_an_updated_record_counts_once_and_shows_its_new_text(built_config, tmp_path):
    """Incremental updates add a segment and delete the old version: the deleted document must
    not match, count in facets, or be shown."""
    import shutil
    from kb.records.corpus import load_corpus
    from kb.indexer.build import index_practice, update_index
    from kb.search import SearchService
    corpus = tmp_path / "corpus"
    shutil.copytree(built_config.corpus_dir, corpus)
    cfg = dataclasses.replace(built_config, corpus_dir=corpus, var_dir=tmp_path / "var")
    update_index(cfg, rebuild=True)
    service = SearchService(cfg)
    before = service.search(SearchRequest(q="", page_size=1))
    p = next(p for p in load_corpus(cfg).practices if p.status == "published" and p.lang == "bg")
    p = dataclasses.replace(p, summary=p.summary + " квазиуникалнодумче")
    index_practice(cfg, p)
    service.store.invalidate()
    after = service.search(SearchRequest(q="", page_size=1))
    assert after.total == before.total
    assert sum(v.count for v in after.facet("region").values) == \
        sum(v.count for v in before.facet("region").values)
    found = service.search(SearchRequest(q="квазиуникалнодумче"))
    assert [h.id for h in found.hits] == [p.id]


SNIPPET_QUERIES = ["електронни услуги", "participación ciudadana", "open data training", "e-services",
                   "прозрачност", "обучение на служители", "ventanilla única", "citizens budget"]


def test_snippets_equal_whooshs_highlighter(service, searcher_view):
    """Highlighter.highlight (token-by-token memoised analysis) gives Whoosh's own output."""
    compared = sum(_compare_snippets(service, searcher_view, text) for text in SNIPPET_QUERIES)
    assert compared >= 10


def _compare_snippets(service, searcher_view, text) -> int:
    from whoosh import highlight
    from kb.search.service import SNIPPET_SOURCE_CHARS
    searcher, _view = searcher_view
    q = service.build_query(searcher, parse(text), expand=False)
    results = searcher.search(q, limit=5, terms=True)
    results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
    results.formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
    compared = 0
    for hit in results:
        d = hit["doc"]
        for fname, body in ((f"body_{d['lang']}", d["body"]), (f"summary_{d['lang']}", d["summary"])):
            source = body[:SNIPPET_SOURCE_CHARS]
            words = {t.decode() if isinstance(t, bytes) else t for f, t in results.matched_terms() if f == fname}
            expected = hit.highlights(fname, text=source, top=2)
            got = service.highlighter.highlight(fname, searcher.schema[fname].analyzer, source, words,
                                                readable=False)
            # Whoosh numbers term classes (t0, t1, ...) across a whole result page; kb per snippet
            assert re.sub(r"match t\d+", "match t", got) == re.sub(r"match t\d+", "match t", expected)
            compared += bool(expected)
    return compared


def test_without_known_whoosh_internals_the_public_api_gives_the_same_scores(service, searcher_view,
                                                                            monkeypatch):
    """With another Whoosh release, kb.search.vector reads through Whoosh's public API only
    (per-document lengths, posting-by-posting reads, Whoosh's own scorer): the same answers."""
    import kb.search.vector as vector
    searcher, _view = searcher_view
    bulk_view = VectorView(searcher, SegmentCache(), "bulk", FACET_FIELDS)
    queries = [service.build_query(searcher, parse(text), expand=True) for text in QUERIES]
    expected = [vector_scores(bulk_view, q) for q in queries]        # arrays are read lazily: now
    bulk_lengths = bulk_view.lengths("body_bg")
    monkeypatch.setattr(vector, "INTERNALS", False)
    public_view = VectorView(searcher, SegmentCache(), "public-api", FACET_FIELDS)
    has_field = bulk_lengths > 0          # (a record without the field: 0 in the column, 1 asked per document)
    assert public_view.lengths("body_bg")[has_field].tolist() == bulk_lengths[has_field].tolist()
    for q, want in zip(queries, expected):
        assert_same(want, vector_scores(public_view, q))
