"""Query evaluation and facet counting over whole posting lists with NumPy.

Whoosh evaluates a query one posting at a time in Python: for kb's queries (each word looked up
in ten fields, plus transliterations, translations and topic names) that was most of a search's
time (README "Performance"),
and counting facets over every match took a second pass over the same postings. This module reads
Whoosh's own index — posting lists, field lengths, columns — into NumPy arrays, once per segment,
and evaluates kb's query trees as array operations:

    Term        BM25F exactly as Whoosh scores it (the searcher's weighting: idf, average field
                length, B, K1; the field boost is in the stored weight), over the whole list
    Or          sum of the children's scores          (Whoosh's UnionMatcher)
    And         documents matching every child, sum   (Whoosh's IntersectionMatcher)
    DisjunctionMax  maximum of the children's scores  (Whoosh's DisjunctionMaxMatcher)
    AndNot      the positive side without the documents of the negative side
    anything else (phrases, ...)  Whoosh's own matcher, posting by posting (exact by construction)

so scores equal Whoosh's (tests compare them), the top hits are exact (no block skipping), and the
match set used for facet counts comes from the same pass. Facets are (document, value) pair arrays
counted with `np.bincount`; filters are boolean masks.

Caches: per segment (segments are immutable; an incremental update adds a small one) — field
lengths, facet pairs, columns and an LRU of posting lists; per snapshot (`VectorView`) — the
global arrays, the live/published masks and facet filter masks. Deleted documents are masked out
per snapshot.
"""
from __future__ import annotations

import logging
import math
import pickle
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import whoosh
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from kb.indexer import WHOOSH_RELEASE, whoosh_internals_known

log = logging.getLogger(__name__)

# Whoosh's private internals (the per-document length columns, posting blocks, the BM25F's
# per-field B) are read only from the release they were written against; with another release
# every read goes through Whoosh's public API, posting by posting: slower, the same scores.
INTERNALS = whoosh_internals_known()
if not INTERNALS:  # pragma: no cover - another Whoosh
    log.warning("Whoosh %s is not %s: kb reads the index through Whoosh's public API "
                "(slower searches, the same results)", whoosh.versionstring(), WHOOSH_RELEASE)

# field length byte -> length, as Whoosh decodes it
_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
POSTINGS_BUDGET = 8_000_000        # postings kept in memory per segment (ids int32 + weights float32)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


class SynonymTerm(wq.Query):
    """One word and its alternatives in one field, scored as a single term (Pirkola's structured
    query, 1998; Lucene's SynonymQuery, Elasticsearch's combined_fields): the document frequency
    is that of the union of the alternatives, and a document's term frequency the sum of theirs,
    each weighted (Darwish & Oard's probabilistic structured queries). A frequent or wrong
    translation then cannot outweigh the typed word by a rarer document frequency, and a record
    holding the typed word scores as one holding its translation as often, or better."""

    def __init__(self, fieldname: str, alternatives, boost: float = 1.0):
        self.fieldname = fieldname
        merged: dict[str, float] = {}
        for text, weight in alternatives:
            merged[text] = max(weight, merged.get(text, 0.0))
        self.alternatives = tuple(merged.items())      # (text, weight), typed word first
        self.boost = boost

    def __eq__(self, other):
        return (type(other) is type(self) and other.fieldname == self.fieldname
                and other.alternatives == self.alternatives and other.boost == self.boost)

    def __hash__(self):
        return hash((self.fieldname, self.alternatives, self.boost))

    def __repr__(self):
        return f"SynonymTerm({self.fieldname!r}, {self.alternatives!r}, boost={self.boost})"

    def has_terms(self):
        return True

    def terms(self, phrases=False):
        for text, _w in self.alternatives:
            yield self.fieldname, text

    def estimate_size(self, ixreader):
        return sum(ixreader.doc_frequency(self.fieldname, t) for t, _w in self.alternatives)

    def matcher(self, searcher, context=None):     # only kb's evaluation reads this node
        return wq.Or([wq.Term(self.fieldname, t, boost=w * self.boost)
                      for t, w in self.alternatives]).matcher(searcher, context)


class _Unsupported(Exception):
    """The reader is not one this module knows how to read in bulk (use Whoosh's matcher)."""


@dataclass
class Matches:
    """A query's answer over the whole index: scores and which documents matched."""
    scores: np.ndarray        # float64[N]
    mask: np.ndarray          # bool[N]


class SegmentData:
    """Arrays read from one immutable segment (shared by every snapshot that contains it)."""

    def __init__(self, reader):
        self.reader = reader
        self.doccount = reader.doc_count_all()
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: OrderedDict = OrderedDict()
        self._postings_size = 0
        self._facets: dict[str, dict[str, np.ndarray]] = {}
        self._columns: dict[str, list] = {}

    # ------------------------------------------------------------------ field lengths
    def lengths(self, fieldname: str) -> np.ndarray:
        arr = self._lengths.get(fieldname)
        if arr is None:
            perdoc = getattr(self.reader, "_perdoc", None) if INTERNALS else None
            if perdoc is None:                 # another codec or release: ask per document
                arr = np.array([self.reader.doc_field_length(n, fieldname, 1) or 1
                                for n in range(self.doccount)], dtype=np.float64)
                self._lengths[fieldname] = arr
                return arr
            raw = np.zeros(self.doccount, dtype=np.uint8)
            col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if col is not None:
                count = min(col._count, self.doccount)
                if count:
                    raw[:count] = np.frombuffer(col._dbfile.get(col._basepos, count), dtype=np.uint8)
            arr = _BYTE_TO_LENGTH[raw]
            self._lengths[fieldname] = arr
        return arr

    # ------------------------------------------------------------------ postings
    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums in this segment, weights) of a term, deleted documents included."""
        key = (fieldname, text)
        with self._lock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
                return hit
        with self._read_lock:                  # Whoosh's files are shared seek+read handles
            hit = self._read_postings(fieldname, text)
        with self._lock:
            self._postings[key] = hit
            self._postings_size += len(hit[0])
            while self._postings_size > POSTINGS_BUDGET and len(self._postings) > 1:
                _k, old = self._postings.popitem(last=False)
                self._postings_size -= len(old[0])
        return hit

    def _read_postings(self, fieldname: str, text: str):
        reader = self.reader
        m = None
        if INTERNALS and hasattr(reader, "_terms"):      # a segment reader of the known codec
            if fieldname not in reader.schema:
                return _EMPTY_IDS.astype(np.int32), np.zeros(0, dtype=np.float32)
            btext = reader._text_to_bytes(fieldname, text)
            try:            # (one look-up of the term, where asking `in reader` first made two)
                m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
            except TermNotFound:
                return _EMPTY_IDS.astype(np.int32), np.zeros(0, dtype=np.float32)
        elif (fieldname, text) not in reader:
            return _EMPTY_IDS.astype(np.int32), np.zeros(0, dtype=np.float32)
        ids_parts, w_parts = [], []
        if m is not None and hasattr(m, "_next_block") and not getattr(m, "_byteids", False):
            # whole blocks: (delta-coded ids, weights, values) -> cumulative sum, one array each
            while m.is_active():
                deltas, weights = _ids_and_weights(m)
                n = m._blocklength
                ids_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)).astype(np.int32))
                if weights is None:
                    w_parts.append(np.ones(n, dtype=np.float32))
                elif isinstance(weights, float):
                    w_parts.append(np.full(n, weights, dtype=np.float32))
                else:
                    w_parts.append(np.asarray(weights, dtype=np.float32))
                m._next_block()
        else:                                            # generic (slow) path
            m = reader.postings(fieldname, text)
            ids, ws = [], []
            while m.is_active():
                ids.append(m.id())
                ws.append(m.weight())
                m.next()
            ids_parts, w_parts = [np.asarray(ids, dtype=np.int32)], [np.asarray(ws, dtype=np.float32)]
        if not ids_parts:
            return _EMPTY_IDS.astype(np.int32), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids_parts), np.concatenate(w_parts)

    # ------------------------------------------------------------------ facets and columns
    def facet_postings(self, fieldname: str) -> dict[str, np.ndarray]:
        """value -> docnums of this segment having it (a facet field's whole posting lists)."""
        out = self._facets.get(fieldname)
        if out is None:
            out = {}
            if fieldname in self.reader.schema:
                for text in self.reader.field_terms(fieldname):
                    ids, _w = self._read_postings(fieldname, text)
                    out[text] = ids
            self._facets[fieldname] = out
        return out

    def column(self, fieldname: str) -> list:
        """A sortable column's values per document (decoded by the field)."""
        out = self._columns.get(fieldname)
        if out is None:
            if self.reader.has_column(fieldname):
                out = list(self.reader.column_reader(fieldname))
            else:
                out = [None] * self.doccount
            self._columns[fieldname] = out
        return out


# A block's data is the tuple (delta-coded ids, weights, values) pickled with protocol 2, where a
# bytes object (a posting's encoded positions) is a call of _codecs.encode: the values start with
# that global, which nothing before them holds (the ids are K/M/J opcodes with at most 4 bytes of
# argument between them, the weights None, a G float or a tuple of them).
_VALUES_START = b"c_codecs\nencode\n"
_NO_VALUES = b")\x87."            # EMPTY_TUPLE, TUPLE3, STOP: (ids, weights, ())
_MARK = 0x28


def _ids_and_weights(m) -> tuple:
    """The current block's (delta-coded ids, weights) of a whoosh3 posting matcher, its values
    (positions, which the evaluation never reads) left out: unpickling them, one _codecs.encode
    call each, took 20-35 us a block, the ids and weights about 1. The pickle is cut where the
    values start, before their MARK when they are four or more (one to three have none: a cut
    after an open MARK does not load), and closed with an empty tuple in their place. What it
    gives is checked against the block's header (length, last id); anything else is read
    whole, as Whoosh reads it."""
    raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
    if m._compression:
        raw = zlib.decompress(raw)
    at = raw.find(_VALUES_START)
    if at > 0:
        n = m._blocklength
        for cut in (at, at - 1) if raw[at - 1] == _MARK else (at,):
            try:
                ids, weights, _values = pickle.loads(raw[:cut] + _NO_VALUES)
            except Exception:  # noqa: BLE001 - not the cut before the values: the next one, or whole
                continue
            if (type(ids) is tuple and len(ids) == n and type(ids[0]) is int and sum(ids) == m._maxid
                    and (weights is None or type(weights) is float
                         or (type(weights) is tuple and len(weights) == n))):
                return ids, weights
            break
    data = pickle.loads(raw)
    return data[0], data[1]


class SegmentCache:
    """SegmentData by segment identity, kept while a snapshot uses the segment."""

    def __init__(self, keep: int = 64):
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.keep = keep

    def get(self, key, reader) -> SegmentData:
        with self._lock:
            data = self._data.get(key)
            if data is None:
                data = self._data[key] = SegmentData(reader)
            else:
                data.reader = reader                   # the newest open reader of that segment
            self._data.move_to_end(key)
            while len(self._data) > self.keep:
                self._data.popitem(last=False)
            return data


def _segment_key(tag, reader, offset):
    seg = reader.segment()
    sid = seg.segment_id() if seg is not None else f"reader-{id(reader)}"
    return (tag, sid)


class VectorView:
    """One index snapshot as arrays: evaluate queries, filter, count facets, order hits."""

    def __init__(self, searcher, segment_cache: SegmentCache, tag: str, facet_fields: dict[str, str],
                 status_field: str = "status", numeric_facets=("year",)):
        self.searcher = searcher
        self.N = searcher.doc_count_all()
        reader = searcher.reader()
        self.leaves = []
        for sub, offset in reader.leaf_readers():
            self.leaves.append((segment_cache.get(_segment_key(tag, sub, offset), sub), offset))
        self.live = np.ones(self.N, dtype=bool)
        for sub, offset in reader.leaf_readers():
            deleted = getattr(sub, "deleted_docs_set", None)
            if deleted:
                self.live[np.fromiter(deleted, dtype=np.int64) + offset] = False
        self.facet_fields = facet_fields
        self.numeric_facets = set(numeric_facets)
        self._lock = threading.Lock()
        self._pairs: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._filters: OrderedDict = OrderedDict()
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._title_rank: np.ndarray | None = None
        self.published = self.live & self.value_mask("status", ["published"]) if status_field else self.live

    # ------------------------------------------------------------------ global arrays
    def lengths(self, fieldname: str) -> np.ndarray:
        arr = self._lengths.get(fieldname)
        if arr is None:
            parts = [seg.lengths(fieldname) for seg, _off in self.leaves]
            arr = parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.zeros(0)
            self._lengths[fieldname] = arr
        return arr

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums (ascending) and weights of a term."""
        if len(self.leaves) == 1 and self.leaves[0][1] == 0:
            return self.leaves[0][0].postings(fieldname, text)     # no copy: the common case
        ids, ws = [], []
        for seg, offset in self.leaves:
            i, w = seg.postings(fieldname, text)
            if len(i):
                ids.append(i.astype(np.int64) + offset)
                ws.append(w)
        if not ids:
            return _EMPTY_IDS, np.zeros(0, dtype=np.float32)
        if len(ids) == 1:
            return ids[0], ws[0]
        return np.concatenate(ids), np.concatenate(ws)

    def pairs(self, facet: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(values, docnum per pair, value code per pair) of a facet over the whole index."""
        with self._lock:
            got = self._pairs.get(facet)
        if got is not None:
            return got
        fieldname = self.facet_fields[facet]
        if facet in self.numeric_facets:                 # one value per document, from the column
            col = self.column(fieldname)
            uniq, codes = np.unique(col, return_inverse=True)
            got = ([str(v) for v in uniq.tolist()], np.arange(self.N, dtype=np.int64),
                   codes.astype(np.int32))
            with self._lock:
                self._pairs[facet] = got
            return got
        per_seg = [(seg.facet_postings(fieldname), offset) for seg, offset in self.leaves]
        values = sorted({v for d, _o in per_seg for v in d})
        code = {v: i for i, v in enumerate(values)}
        docs, vals = [], []
        for d, offset in per_seg:
            for v, ids in d.items():
                docs.append(ids.astype(np.int64) + offset)
                vals.append(np.full(len(ids), code[v], dtype=np.int32))
        got = (values,
               np.concatenate(docs) if docs else _EMPTY_IDS,
               np.concatenate(vals) if vals else np.zeros(0, dtype=np.int32))
        with self._lock:
            self._pairs[facet] = got
        return got

    def column(self, fieldname: str, default=0) -> np.ndarray:
        arr = self._columns.get(fieldname)
        if arr is None:
            values = []
            for seg, _off in self.leaves:
                values.extend(seg.column(fieldname))
            arr = np.array([default if v is None else v for v in values], dtype=np.int64)
            self._columns[fieldname] = arr
        return arr

    def title_rank(self) -> np.ndarray:
        """Each document's position in title order (for sort=title)."""
        if self._title_rank is None:
            titles = []
            for seg, _off in self.leaves:
                titles.extend(seg.column("title_sort"))
            titles = [t if isinstance(t, str) else (t.decode("utf-8", "replace") if t else "") for t in titles]
            order = sorted(range(len(titles)), key=titles.__getitem__)
            rank = np.empty(len(titles), dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(len(titles))
            self._title_rank = rank
        return self._title_rank

    # ------------------------------------------------------------------ filters and facets
    def value_mask(self, facet: str, selected) -> np.ndarray:
        """Documents having any of the selected values of a facet (cached per snapshot)."""
        key = (facet, frozenset(selected))
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        values, docs, vals = self.pairs(facet)
        codes = [i for i, v in enumerate(values) if v in key[1]]
        mask = np.zeros(self.N, dtype=bool)
        if codes:
            mask[docs[np.isin(vals, codes)]] = True
        with self._lock:
            self._filters[key] = mask
            if len(self._filters) > 2000:
                self._filters.popitem(last=False)
        return mask

    def dense_codes(self, facet: str) -> np.ndarray | None:
        """For a facet with at most one value per document: each document's value code (-1:
        none), or None for a multi-valued facet."""
        key = ("dense", facet)
        with self._lock:
            if key in self._pairs:
                return self._pairs[key]
        values, docs, vals = self.pairs(facet)
        codes = None
        if len(np.unique(docs)) == len(docs):
            codes = np.full(self.N, -1, dtype=np.int32)
            codes[docs] = vals
        with self._lock:
            self._pairs[key] = codes
        return codes

    def count(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        """value -> number of documents in `mask` having it."""
        values, docs, vals = self.pairs(facet)
        if not len(docs):
            return {}
        codes = self.dense_codes(facet)
        if codes is not None:
            picked = codes[mask]
            counts = np.bincount(picked[picked >= 0], minlength=len(values))
        else:
            counts = np.bincount(vals[mask[docs]], minlength=len(values))
        return {values[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    # ------------------------------------------------------------------ query evaluation
    def evaluate(self, query) -> Matches:
        """Scores and match mask of a Whoosh query tree over every document (deleted included;
        callers intersect with `live`/`published`)."""
        if isinstance(query, wq.Every):
            return Matches(np.zeros(self.N), self.live.copy())
        kind, a, b = self._eval(query)
        if kind == "sparse":
            scores = np.zeros(self.N)
            mask = np.zeros(self.N, dtype=bool)
            scores[a] = b
            mask[a] = True
            return Matches(scores, mask)
        return Matches(a, b)

    def _eval(self, q):
        """('sparse', ids, scores) with unique ascending ids, or ('dense', scores, mask)."""
        cls = type(q)
        if cls is wq.Term:
            ids, scores = self._term(q.fieldname, q.text)
            if q.boost != 1.0:
                scores = scores * q.boost
            return "sparse", ids, scores
        if cls is SynonymTerm:
            return ("sparse",) + self._synonyms(q)
        if cls is wq.Or or cls is wq.DisjunctionMax:
            if not q.subqueries:
                return "sparse", _EMPTY_IDS, _EMPTY_SCORES
            if len(q.subqueries) == 1:
                return self._boosted(*self._eval(q.subqueries[0]), q.boost)
            if getattr(q, "scale", None):
                return self._whoosh(q)
            acc = np.zeros(self.N)
            mask = np.zeros(self.N, dtype=bool)
            is_max = cls is wq.DisjunctionMax
            for sub in q.subqueries:
                kind, a, b = self._eval(sub)
                if kind == "sparse":
                    if not len(a):
                        continue
                    if is_max:
                        acc[a] = np.maximum(acc[a], b)
                    else:
                        acc[a] += b
                    mask[a] = True
                else:
                    if is_max:
                        np.maximum(acc, a, out=acc)
                    else:
                        acc += a
                    mask |= b
            if q.boost != 1.0:
                acc *= q.boost
            return "dense", acc, mask
        if cls is wq.And:
            # documents matching every child; the score is the sum (Whoosh's IntersectionMatcher)
            ids, scores = None, None
            for sub in q.subqueries:
                kind, a, b = self._eval(sub)
                if kind == "dense":
                    a, b = np.flatnonzero(b), a[np.flatnonzero(b)]
                if ids is None:
                    ids, scores = a, b
                else:
                    common, ia, ib = np.intersect1d(ids, a, assume_unique=True, return_indices=True)
                    ids, scores = common, scores[ia] + b[ib]
                if not len(ids):
                    return "sparse", _EMPTY_IDS, _EMPTY_SCORES
            if ids is None:
                return "sparse", _EMPTY_IDS, _EMPTY_SCORES
            return "sparse", ids, scores * q.boost if q.boost != 1.0 else scores
        if cls is wq.AndNot:
            kind, a, b = self._eval(q.a)
            scores, mask = self._dense(kind, a, b)
            nkind, na, nb = self._eval(q.b)
            neg = na if nkind == "sparse" else np.flatnonzero(nb)
            mask[neg] = False
            scores[neg] = 0.0
            if q.boost != 1.0:
                scores *= q.boost
            return "dense", scores, mask
        if q is wq.NullQuery or cls is type(wq.NullQuery):
            return "sparse", _EMPTY_IDS, _EMPTY_SCORES
        return self._whoosh(q)

    @staticmethod
    def _boosted(kind, a, b, boost):
        if boost == 1.0:
            return kind, a, b
        if kind == "sparse":
            return kind, a, b * boost
        return kind, a * boost, b

    def _dense(self, kind, a, b):
        if kind == "dense":
            return a.copy(), b.copy()
        scores = np.zeros(self.N)
        mask = np.zeros(self.N, dtype=bool)
        scores[a] = b
        mask[a] = True
        return scores, mask

    def _term(self, fieldname: str, text: str):
        searcher = self.searcher
        if fieldname not in searcher.schema:
            return _EMPTY_IDS, _EMPTY_SCORES
        ids, weights = self.postings(fieldname, text)
        if not len(ids):
            return _EMPTY_IDS, _EMPTY_SCORES
        weighting = searcher.weighting
        w = weights.astype(np.float64)
        if not searcher.schema[fieldname].scorable:
            scores = w                                   # Whoosh's WeightScorer
        elif INTERNALS and type(weighting) is BM25F:
            # BM25FScorer's parameters, without building a scorer (it reads the term info)
            B = weighting._field_B.get(fieldname, weighting.B)
            K1 = weighting.K1
            idf = searcher.idf(fieldname, text)
            avgfl = searcher.avg_field_length(fieldname) or 1
            fl = self.lengths(fieldname)[ids]
            scores = idf * ((w * (K1 + 1)) / (w + K1 * ((1 - B) + B * fl / avgfl)))
        else:                                            # another weighting model: ask Whoosh
            _kind, wids, wscores = self._whoosh(wq.Term(fieldname, text))
            return wids, wscores
        return ids, scores

    def _synonyms(self, q: SynonymTerm):
        """BM25F of the alternatives as one term: union document frequency, weighted sum of
        term frequencies (see SynonymTerm)."""
        searcher = self.searcher
        fieldname = q.fieldname
        if fieldname not in searcher.schema:
            return _EMPTY_IDS, _EMPTY_SCORES
        parts = [(self.postings(fieldname, t), w) for t, w in q.alternatives]
        parts = [((ids, ws), w) for (ids, ws), w in parts if len(ids)]
        if not parts:
            return _EMPTY_IDS, _EMPTY_SCORES
        if len(parts) == 1 and parts[0][1] == 1.0:
            (ids, ws), _w = parts[0]
            tf = ws.astype(np.float64)
        else:
            ids = _union([i for (i, _ws), _w in parts])
            tf = np.zeros(len(ids))
            for (i, ws), w in parts:
                tf[np.searchsorted(ids, i)] += w * ws.astype(np.float64)
        weighting = searcher.weighting
        B = weighting._field_B.get(fieldname, weighting.B) if INTERNALS and type(weighting) is BM25F else 0.75
        K1 = getattr(weighting, "K1", 1.2)
        idf = math.log(searcher.doc_count_all() / (len(ids) + 1)) + 1
        avgfl = searcher.avg_field_length(fieldname) or 1
        fl = self.lengths(fieldname)[ids]
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return ids.astype(np.int64), scores * q.boost if q.boost != 1.0 else scores

    def _whoosh(self, q):
        """Whoosh's own matcher, posting by posting (phrases and anything unusual)."""
        if type(q) is wq.Phrase:
            # a phrase can only match where all its words occur: most expansions' phrases
            # (translations of several words) occur nowhere, and need no matcher at all
            common = None
            for word in q.words:
                ids, _w = self.postings(q.fieldname, word)
                common = ids if common is None else np.intersect1d(common, ids, assume_unique=True)
                if not len(common):
                    return "sparse", _EMPTY_IDS, _EMPTY_SCORES
        try:
            m = q.matcher(self.searcher, self.searcher.context())
        except Exception:  # noqa: BLE001 - a query Whoosh cannot match matches nothing
            return "sparse", _EMPTY_IDS, _EMPTY_SCORES
        ids, scores = [], []
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
        if not ids:
            return "sparse", _EMPTY_IDS, _EMPTY_SCORES
        ids_arr = np.asarray(ids, dtype=np.int64)
        sc = np.asarray(scores, dtype=np.float64)
        order = np.argsort(ids_arr, kind="stable")
        ids_arr, sc = ids_arr[order], sc[order]
        keep = np.ones(len(ids_arr), dtype=bool)
        keep[1:] = ids_arr[1:] != ids_arr[:-1]
        return "sparse", ids_arr[keep], sc[keep]

    def matched_terms_of(self, query, docnums: list[int], fields=None) -> dict[int, set[tuple[str, str]]]:
        """For each document, the (field, term) pairs of the query it contains (for highlighting),
        optionally only in the given fields."""
        out: dict[int, set[tuple[str, str]]] = {d: set() for d in docnums}
        if not docnums:
            return out
        wanted = np.asarray(docnums, dtype=np.int64)
        for fieldname, text in query_terms(query):
            if fields is not None and fieldname not in fields:
                continue
            ids, _w = self.postings(fieldname, text)
            if not len(ids):
                continue
            i = np.searchsorted(ids, wanted)
            i[i >= len(ids)] = len(ids) - 1
            for d in wanted[ids[i] == wanted].tolist():
                out[d].add((fieldname, text))
        return out

    # ------------------------------------------------------------------ ordering
    def top(self, scores: np.ndarray, mask: np.ndarray, k: int, sort: str = "relevance") -> list[int]:
        """The first k documents of `mask` in the given order (ties: lower docnum first)."""
        docs = np.flatnonzero(mask)
        if not len(docs) or k <= 0:
            return []
        if sort == "relevance":
            s = scores[docs]
            if len(docs) > k:
                part = np.argpartition(-s, k - 1)[:k]
                # documents tied with the k-th score may be outside `part`: include them all
                kth = s[part].min()
                part = np.flatnonzero(s >= kth)
                docs, s = docs[part], s[part]
            order = np.lexsort((docs, -s))
            return docs[order][:k].tolist()
        dates = self.column("date_sort")[docs]
        if sort == "title":
            order = np.lexsort((docs, self.title_rank()[docs]))
        elif sort == "newest":
            order = np.lexsort((docs, -self.title_rank()[docs], -dates))
        else:                                            # oldest
            order = np.lexsort((docs, self.title_rank()[docs], dates))
        return docs[order][:k].tolist()


def _union(arrays) -> np.ndarray:
    """The distinct values of several arrays, ascending: np.unique(np.concatenate(arrays)) by a
    sort and a comparison of neighbours, where NumPy 2's np.unique (hashing first) took 3 to 20
    times as long on posting lists."""
    ids = np.concatenate(arrays)
    ids.sort()
    keep = np.empty(len(ids), dtype=bool)
    keep[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def query_terms(query):
    """(field, term) of every term in a query tree, phrases' words included."""
    out = []
    try:
        for fieldname, text in query.iter_all_terms(phrases=True):
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            out.append((fieldname, text))
    except TypeError:
        for fieldname, text in query.iter_all_terms():
            out.append((fieldname, text if isinstance(text, str) else text.decode("utf-8", "replace")))
    return list(dict.fromkeys(out))
