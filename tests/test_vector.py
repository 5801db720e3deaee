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


def test_union_of_posting_lists_is_numpys_unique():
    from kb.search.vector import _union
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 5, 300):
        arrays = [np.unique(rng.integers(0, 1000, size=rng.integers(1, 400))).astype(np.int32)
                  for _ in range(n)] or [np.zeros(0, dtype=np.int32)]
        want = np.unique(np.concatenate(arrays))
        got = _union(arrays)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_posting_lists_read_in_bulk_equal_whooshs_matcher_for_every_term(searcher_view):
    """SegmentData reads posting blocks without unpickling their values: every term of every
    text, keyword and id field of the shipped index gives the documents and weights of Whoosh's
    own matcher."""
    from whoosh.fields import NUMERIC
    from kb.search.vector import SegmentData
    searcher, _view = searcher_view
    terms = 0
    for sub, _offset in searcher.reader().leaf_readers():
        data = SegmentData(sub)
        fieldnames = [f for f in sub.indexed_field_names() if not isinstance(sub.schema[f], NUMERIC)]
        for fieldname, text in ((f, t) for f in fieldnames for t in sub.field_terms(f)):
            ids, weights = data._read_postings(fieldname, text)
            m = sub.postings(fieldname, text)
            want_ids, want_weights = [], []
            while m.is_active():
                want_ids.append(m.id())
                want_weights.append(m.weight())
                m.next()
            assert ids.tolist() == want_ids, (fieldname, text)
            assert weights.tolist() == np.asarray(want_weights, dtype=np.float32).tolist(), (fieldname, text)
            terms += 1
    assert terms > 10_000


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 130])
@pytest.mark.parametrize("weights", ["none", "float", "tuple", "mark byte"])
@pytest.mark.parametrize("values", ["tuple", "joined", "none"])
def test_a_blocks_ids_and_weights_without_its_values(count, weights, values):
    """_ids_and_weights on blocks as whoosh3 pickles them: values a tuple of bytes (no MARK up to
    three), one joined bytes object or None, weights None, a float (one whose last byte is
    MARK's), or a tuple; compressed or not."""
    import pickle
    import struct
    import zlib
    from types import SimpleNamespace
    from kb.search.vector import _ids_and_weights
    ids = tuple(range(3, 3 + 7 * count, 7))
    deltas = (ids[0],) + tuple(b - a for a, b in zip(ids, ids[1:]))
    w = {"none": None, "float": 2.5, "tuple": tuple(float(i % 5 + 1) for i in range(count)),
         "mark byte": struct.unpack(">d", b"\x40\x04\x00\x00\x00\x00\x00\x28")[0]}[weights]
    positions = [pickle.dumps([i], 2) for i in range(count)]
    v = {"tuple": tuple(positions), "joined": b"".join(positions), "none": None}[values]
    for compress in (False, True):
        raw = pickle.dumps((deltas, w, v), 2)
        block = zlib.compress(raw) if compress else raw
        m = SimpleNamespace(_postfile=SimpleNamespace(get=lambda pos, length, b=block: b[pos:pos + length]),
                            _dataoffset=0, _nextoffset=len(block), _compression=3 if compress else 0,
                            _blocklength=count, _maxid=ids[-1])
        got_ids, got_weights = _ids_and_weights(m)
        assert got_ids == deltas and got_weights == w


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


def _highlight_reading_everything(words, fieldname, analyzer, text, matched, top=2,
                                  readable=True) -> str:
    """Highlighter.highlight as it was before it read only around matched words: every word of
    the text analysed and given to the fragmenter (the reference for the tests below)."""
    from whoosh import highlight
    from kb.search.highlight import context_fragments, readable_snippet, whoosh_fragments
    from kb.search.words import WORD_RE
    memo = words.memo(fieldname, True)
    toks = []
    cur = None
    for m in WORD_RE.finditer(text):
        start, end = m.span()
        for term in words.terms(memo, analyzer, m.group(), True):
            if term not in matched:
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
    # Whoosh's own fragment scoring and choice (Highlighter.highlight has best_fragments)
    fragments = whoosh_fragments(text, context_fragments(text, toks, maxchars=220, surround=60))
    fragments = highlight.top_fragments(fragments, top, highlight.BasicFragmentScorer(), highlight.FIRST,
                                        minscore=1)
    if not readable:
        formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
        return formatter.format(fragments)
    return readable_snippet(text, [(f.startchar, f.endchar, [(t.startchar, t.endchar, t.text) for t in f.matches])
                                   for f in fragments])


def _assert_reads_as_everything(highlighter, fieldname, analyzer, text, matched_sets, tops=(2,)) -> int:
    from kb.search.words import WordAnalysis
    reference = WordAnalysis()
    shown = 0
    for matched in matched_sets:
        for top in tops:
            for readable in (False, True):
                want = _highlight_reading_everything(reference, fieldname, analyzer, text, matched, top,
                                                     readable)
                got = highlighter.highlight(fieldname, analyzer, text, matched, top, readable)
                assert got == want, (fieldname, matched, top, readable, text)
                shown += bool(want)
    return shown


def test_snippets_read_around_matches_as_reading_every_word(searcher_view):
    """Every record text of the corpus (whole, and the part snippets are made from), with the
    terms of random words, of its most frequent word, of words at its start and end."""
    import random
    from collections import Counter
    from kb.indexer.schema import ABSTRACT_FIELD, text_field
    from kb.search.highlight import Highlighter, word_prefix
    from kb.search.service import SNIPPET_SOURCE_CHARS
    from kb.search.words import WORD_RE, WordAnalysis
    searcher, _view = searcher_view
    highlighter = Highlighter(WordAnalysis())
    analysis = WordAnalysis()
    shown = texts = 0
    for docnum, stored in searcher.reader().iter_docs():
        d = stored["doc"]
        rng = random.Random(docnum)
        for fname, text in ((text_field("body", d["lang"]), d["body"]),
                            (text_field("summary", d["lang"]), d["summary"]),
                            (ABSTRACT_FIELD, d.get("summary_en") or "")):
            analyzer = searcher.schema[fname].analyzer
            memo = analysis.memo(fname, True)
            for source in {text, word_prefix(text, SNIPPET_SOURCE_CHARS)}:
                raws = WORD_RE.findall(source)
                if not raws:
                    continue
                texts += 1

                def terms(*words):
                    return {t for w in words for t in analysis.terms(memo, analyzer, w, True)}
                matched_sets = [terms(*rng.sample(raws, min(k, len(raws)))) for k in (1, 2, 3)]
                near_ends = (raws[min(3, len(raws) - 1)], raws[-min(4, len(raws))])
                matched_sets += [terms(Counter(raws).most_common(1)[0][0]), terms(raws[0]),
                                 terms(raws[-1]), terms(*near_ends), terms(rng.choice(raws)) | {"zzzz-no-such-term"}]
                shown += _assert_reads_as_everything(highlighter, fname, analyzer, source, matched_sets)
    assert texts > 300 and shown > 2000


def test_snippets_are_the_same_whether_chunks_were_seen_before_or_the_memo_is_full(searcher_view):
    """Highlighter._matched_words finds chunks analysed before through its term -> chunks memo,
    the others by analysing them: each text highlighted the first time, again, and with a memo
    too small to hold the corpus (most chunks analysed every time) gives the same snippet."""
    import random
    from kb.indexer.schema import text_field
    from kb.search.highlight import Highlighter, word_prefix
    from kb.search.service import SNIPPET_SOURCE_CHARS
    from kb.search.words import WORD_RE, WordAnalysis
    searcher, _view = searcher_view
    seen, small = Highlighter(WordAnalysis()), Highlighter(WordAnalysis(memo_size=50))
    analysis = WordAnalysis()
    shown = 0
    for docnum, stored in searcher.reader().iter_docs():
        d = stored["doc"]
        fname = text_field("body", d["lang"])
        analyzer = searcher.schema[fname].analyzer
        source = word_prefix(d["body"], SNIPPET_SOURCE_CHARS)
        raws = WORD_RE.findall(source)
        if not raws:
            continue
        memo = analysis.memo(fname, True)
        words = random.Random(docnum).sample(raws, min(2, len(raws)))
        matched = {t for w in words for t in analysis.terms(memo, analyzer, w, True)}
        first = seen.highlight(fname, analyzer, source, matched)
        assert first
        assert seen.highlight(fname, analyzer, source, matched) == first
        assert small.highlight(fname, analyzer, source, matched) == first
        shown += 1
    assert shown > 100
    assert all(len(known) <= 50 for known, _chunks_of in small._chunk_memos.values())


class _OddAnalyzer:
    """0 to 3 terms a word, by a hash of it: lower-cased, its hyphen/apostrophe parts, a prefix
    (a term shorter than the word), or none (a word dropped, as no kb analyzer does)."""

    def __init__(self, drops: bool):
        self.drops = drops

    def __call__(self, raw, mode="index", **_options):
        from types import SimpleNamespace
        kind, low = sum(map(ord, raw)) % 7, raw.lower()
        if kind == 0 and self.drops:
            terms = []
        elif kind in (1, 2):
            terms = [low] + [p for p in low.replace("’", "-").replace("'", "-").split("-") if p]
        elif kind == 3:
            terms = [low, low[:3]]
        elif kind == 4:
            terms = [low[:2], low]
        else:
            terms = [low]
        return [SimpleNamespace(text=t) for t in terms]


_ODD_WORDS = (["a", "ab", "abc", "servicios", "e-services", "d'Alcántara", "o’neil", "x", "2013", "12",
               "Word", "word", "words", "ЕС", "услуги", "_", "a_b", "aa", "aaa", "q" * 70, "z" * 230,
               "lorem", "ipsum"],
              ["a", "b", "c", "ab", "e-s", "x", "y", "1", "12", "zz"])      # (short: boundaries hit exactly)
_ODD_GAPS = ([" ", " ", " ", "  ", "\n", ", ", ". ", " - ", "-", "'", " ’ ", "--", "(", ") ", "…", "\t",
              "", "." * 80, " " * 130, "=-" * 40, "!?", "'-'", "\u00a0", "\u2003"],
             [" ", " ", "  ", ", ", "-", "'", ".", "...", " - "])


@pytest.mark.parametrize("kind", [0, 1])
def test_snippets_read_around_matches_as_reading_every_word_in_odd_texts(kind):
    """Random texts of long and short words, runs of punctuation and spaces, hyphens and
    apostrophes between words, words longer than a fragment, words giving several terms or
    none; memos of every size (0: nothing remembered)."""
    import random
    from kb.search.highlight import Highlighter
    from kb.search.words import WORD_RE, WordAnalysis
    words, gaps = _ODD_WORDS[kind], _ODD_GAPS[kind]
    for seed in range(300):
        rng = random.Random(seed)
        parts = [rng.choice(gaps)] if rng.random() < 0.5 else []
        for _ in range(rng.choice([1, 3, 10, 40, 100, 300])):
            parts.append(rng.choice(words) if rng.random() < 0.9 else
                         "".join(rng.choice("abxyz") for _ in range(rng.randint(1, 12))))
            parts.append(rng.choice(gaps))
        text = "".join(parts)
        analyzer = _OddAnalyzer(drops=seed % 2 == 1)
        highlighter = Highlighter(WordAnalysis(memo_size=rng.choice([0, 5, 100_000])))
        terms = sorted({t.text for raw in WORD_RE.findall(text) for t in analyzer(raw)})
        matched_sets = [set(rng.sample(terms, min(len(terms), k))) for k in (1, 1, 2, 3, 5) if terms]
        _assert_reads_as_everything(highlighter, "f", analyzer, text, matched_sets, tops=(1, 2, 3))


def test_snippets_stop_at_whooshs_character_limit_as_reading_every_word():
    """Whoosh's fragmenter stops at the first word ending past DEFAULT_CHARLIMIT (32768): around
    it, matched words before, across and after it."""
    from whoosh import highlight
    from kb.search.highlight import Highlighter
    from kb.search.words import WordAnalysis
    limit = highlight.DEFAULT_CHARLIMIT
    analyzer = _OddAnalyzer(drops=False)
    for offset in (-300, -70, -12, -5, -1, 0, 1, 3, 50):
        filler = "lorem ipsum, "
        text = filler * ((limit + offset) // len(filler) + 1)
        text = (text[:limit + offset] + " servicios e-services lorem " + filler * 40 + "servicios "
                + filler * 3)
        shown = _assert_reads_as_everything(Highlighter(WordAnalysis()), "f", analyzer, text,
                                            [{"servicios"}, {"e-services", "ipsum"}, {"lorem"}])
        assert shown


def test_no_word_holds_a_space():
    """Highlighter finds matched words by whitespace-separated chunk (str.split): no character
    that splits may be one WORD_PATTERN matches."""
    import sys
    splitting = [c for c in map(chr, range(sys.maxunicode + 1)) if len(f"a{c}b".split()) == 2]
    assert splitting and not [c for c in splitting if re.fullmatch(r"[\w\-'’]", c)]
