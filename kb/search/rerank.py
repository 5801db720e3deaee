"""Re-ranking after BM25F: passage evidence and pseudo-relevance feedback.

Both change only the relevance order: the set of matches, totals and facet counts stay those of
the typed words. Both look at every match with the filters aside, so a filtered list is the
unfiltered one with records left out, never reordered. What each step does to the evaluation
tasks is in README "Search languages" (`python bench/bench_retrieval.py`)."""
from __future__ import annotations

from bisect import bisect_left

import numpy as np
from whoosh import query as wq

from kb.indexer.schema import ABSTRACT_FIELD, text_field
from kb.search.store import memo, stored_record
from kb.search.vector import VectorView, query_terms
from kb.search.words import WordAnalysis

FEEDBACK_TERMS = 25           # words taken from the feedback records
FEEDBACK_WEIGHT = 0.5         # their share of the final score (RM3's usual interpolation)
PASSAGE_DOCS = 5              # best results whose passages are looked at
PASSAGE_WORDS = 30            # words per passage (passages overlap by half)
PASSAGE_WEIGHT = 0.2          # a passage holding every query word adds a fifth of the best score
TOKEN_CACHE_SIZE = 5000       # records' analysed word sequences kept per snapshot


class RecordWords:
    """Records' indexed words in text order, per index snapshot (the re-rankings' raw material)."""

    def __init__(self, words: WordAnalysis):
        self.words = words

    def of(self, searcher, cache: dict, docnum: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(body field of the record's language, the record's indexed words in text order: title,
        summary, body; the words of its English abstract as the `summary_en` field holds them),
        kept in the snapshot's `cache` for the records asked most. The abstract is what every
        record shares whatever its language: feedback through it reaches the other languages."""
        def make():
            d = stored_record(searcher, cache, docnum)
            fname = text_field("body", d.lang)
            abstract = (d.title, d.summary) if d.lang == "en" else (d.title_en, d.summary_en)
            schema = searcher.schema
            return (fname, self.words.sequence(schema, fname, (d.title, d.summary, d.body)),
                    self.words.sequence(schema, ABSTRACT_FIELD, abstract))
        return memo(cache, "tokens", docnum, TOKEN_CACHE_SIZE, make)


def passages(view: VectorView, records: RecordWords, cache: dict, query, scores: np.ndarray,
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
        fname, tokens, _abstract = records.of(searcher, cache, docnum)
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


def feedback(view: VectorView, records: RecordWords, cache: dict, scores: np.ndarray,
             matched: np.ndarray, k: int) -> np.ndarray:
    """Pseudo-relevance feedback, for ranking only (RM3; Lavrenko & Croft 2001, Abdul-Jaleel
    et al. 2004): the best k results stay first, in their order; the results after them are
    ranked by their score interpolated with how well they match the words that characterise
    those k (the feedback records' words by relevance-model weight x idf). A query's words
    name a topic only partly: a record about the same thing in other words rises. The match
    set, totals and facets stay those of the typed words; the best results are never moved."""
    best = view.top(scores, matched, k)
    if len(best) < k or int(matched.sum()) <= k or scores[best[0]] <= 0:
        return scores
    searcher = view.searcher
    top = scores[best]
    doc_weights = top / top.sum() if top.sum() > 0 else np.full(len(best), 1.0 / len(best))
    relevance: dict[tuple[str, str], float] = {}
    for docnum, dw in zip(best, doc_weights):
        fname, tokens, abstract = records.of(searcher, cache, docnum)
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
