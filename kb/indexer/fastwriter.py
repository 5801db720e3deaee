"""A faster writer for full index builds: the same index as Whoosh's SegmentWriter, less Python.

Used only by kb.indexer.build.build_generation, which always writes into a fresh, empty index.
Incremental updates and every read keep using Whoosh as it is. What changes is how the index is
written, not what: tests/test_build_speed.py checks every file of the index byte for byte
against Whoosh's writer (shipped corpus, 400 synthetic records, each writer mode).

1. Analysis, memoised per word (CompiledAnalyzer). The analyzers in kb.indexer.analysis are the
   definition of analysis and stay readable Whoosh chains. For a chain made of a RegexTokenizer
   and filters that map each word on its own (lower-case, fold, stop, stem, the keyword marker,
   the hyphen parts), the terms a word yields depend on the word alone, so they are computed
   once per distinct word by running the word through the chain's own filters, and remembered.
   Positions follow the one rule that spans words: a renumbering StopFilter gives the kept
   tokens consecutive positions from the first kept token's word position; without one, every
   term of a word takes the word's position. A chain with any other filter is not compiled and
   is analysed by Whoosh as before. The tests compare the compiled path with each chain token
   for token (text, position, boost) on the corpus and on random text.

2. Postings grouped per (field, term) in memory. Whoosh's writer puts every posting as a tuple
   into an external-sort pool (a pickle.dump per posting into run files, then a heap merge) and
   feeds them one by one to the codec, looking up the field length of each posting's document
   in the freshly written length column. A full build adds documents in order, so each term's
   postings arrive sorted: they are appended to the term's list, and at commit only the terms
   are sorted; each term's posting blocks and its terms-file row are then encoded exactly as
   W3PostingsWriter/W3TermInfo/OrderedHashWriter do, a block at a time instead of a method
   call per posting. Per-document data (stored fields, columns, field lengths) goes through
   Whoosh's per-document writer unchanged.

3. A second process (optional, `second_process_fields`): the parent sends those fields' text to
   a fresh interpreter, which indexes them and encodes their postings into a file of its own
   while the parent does the rest; the parent then copies both processes' postings into the
   segment in field order and adds the terms' rows. On two cores a full build takes about half
   the time; the index is the same.

Memory: a posting costs three list slots (document number, weight, encoded positions; equal
objects are shared), ~27 bytes, so 100k records (~34 M postings) hold ~1 GB while building,
split between the two processes; Whoosh's pool spills to disk instead (limitmb).

Its speed against Whoosh's writer is measured by `python -m bench.perf` (README "Performance").
"""
from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import time
import traceback
import zlib
from array import array
from collections import Counter, defaultdict
from hashlib import md5
from itertools import chain
from multiprocessing.connection import Connection
from operator import sub
from pickle import dumps

from whoosh import formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.filedb import filetables
from whoosh.system import emptybytes, pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kb.indexer import whoosh_internals_known
from kb.indexer.analysis import (
    CharFoldFilter,
    FoldedStopFilter,
    HyphenPartsFilter,
    KeywordMarkerFilter,
    ProtectingStemFilter,
)

log = logging.getLogger(__name__)

try:
    from whoosh.codec.whoosh3 import (
        COMPRESSION_MIN_SIZE,
        LENGTHS_COLUMN,
        WHOOSH3_HEADER_MAGIC,
        W3Codec,
        W3FieldWriter,
        W3PerDocWriter,
        W3TermInfo,
        _lenfield,
    )
    _W3_TO_BYTES = W3TermInfo.to_bytes
    _TERMINFO = W3TermInfo._struct            # the fixed part of a term row's value
    # ... followed by pack_long(postings offset) + pack_int(postings length)
    _TERM_VALUE = struct.Struct(_TERMINFO.format + "qi")
    if _TERM_VALUE.size != _TERMINFO.size + 12 or not _TERMINFO.format.startswith("!"):
        raise ImportError("unexpected W3TermInfo layout")
    _CODEC = True
except (ImportError, AttributeError):     # pragma: no cover - another Whoosh
    _CODEC = False


def supported() -> bool:
    """True if FastWriter can write this Whoosh's index (see WHOOSH_RELEASE)."""
    return _CODEC and whoosh_internals_known()


# Filters (exact classes) whose output for a token depends on that token's text alone: no state
# across tokens but the StopFilter's position renumbering, handled below. Only chains of these
# are compiled.
ONE_TO_MANY = (HyphenPartsFilter,)          # may yield several tokens at the input's position
ONE_TO_ONE = (KeywordMarkerFilter, LowercaseFilter, CharFoldFilter, StemFilter,
              ProtectingStemFilter)
# Stop filters: drop words by a per-word test (FoldedStopFilter folds accents before the test)
# and renumber the kept tokens' positions exactly like Whoosh's StopFilter.
STOP_FILTERS = (StopFilter, FoldedStopFilter)
MEMO_LIMIT = 2_000_000                      # distinct words remembered per analyzer
ITEMS_LIMIT = 10_000                        # values remembered per field Whoosh analyses


def _settings(item) -> dict:
    return {k: v for k, v in vars(item).items() if k != "_stem"}


class NotCompilable(Exception):
    """The analyzer is not a chain CompiledAnalyzer can reproduce; Whoosh analyses it."""


class CompiledAnalyzer:
    """The index-time output of a Whoosh analyzer chain, memoised per word."""

    def __init__(self, analyzer):
        if not isinstance(analyzer, CompositeAnalyzer):
            raise NotCompilable(f"not a chain: {analyzer!r}")
        tokenizer, *filters = analyzer.items
        if type(tokenizer) is not RegexTokenizer or tokenizer.gaps:
            raise NotCompilable(f"tokenizer {tokenizer!r}")
        if tokenizer.expression.groups:
            raise NotCompilable("the tokenizer's pattern has groups (findall would return them)")
        stops = [f for f in filters if type(f) in STOP_FILTERS]
        if len(stops) > 1:
            raise NotCompilable("more than one StopFilter")
        for i, f in enumerate(filters):
            if type(f) in STOP_FILTERS:
                continue
            if type(f) in ONE_TO_MANY:
                if stops and filters.index(stops[0]) < i:
                    raise NotCompilable("a token-splitting filter after the StopFilter")
            elif type(f) not in ONE_TO_ONE:
                raise NotCompilable(f"filter {f!r}")
        self.analyzer = analyzer
        self.filters = filters
        self.findall = tokenizer.expression.findall
        self.renumber = bool(stops) and stops[0].renumber
        self.memo: dict[str, tuple[bytes, ...]] = {}

    def same_chain(self, analyzer) -> bool:
        """True if the analyzer is built exactly like this one (then it can share the memo):
        the same item types with the same settings (a stem filter's private cache aside)."""
        items = getattr(analyzer, "items", None)
        if type(analyzer) is not type(self.analyzer) or items is None:
            return False
        mine = self.analyzer.items
        return len(items) == len(mine) and all(
            type(a) is type(b) and _settings(a) == _settings(b) for a, b in zip(items, mine))

    def analyse_words(self, words: list[str]) -> list[tuple[bytes, ...]]:
        """The terms each word yields: the words run through the chain's filters as one token
        stream (as the chain's tokenizer would feed them), each output token credited to the
        word it came from."""
        t = Token(positions=True, chars=False, removestops=True, mode="index", boosts=True)

        def source():
            for i, word in enumerate(words):
                t.text = word
                t.boost = 1.0
                t.stopped = False
                t.pos = i
                t.kb_word = i
                yield t

        gen = source()
        for f in self.filters:
            gen = f(gen)
        out: list[list[bytes]] = [[] for _ in words]
        for tok in gen:
            if tok.stopped:
                continue
            if tok.boost != 1.0:
                raise NotCompilable(f"a filter set a boost on {words[tok.kb_word]!r}")
            out[tok.kb_word].append(tok.text.encode("utf-8"))
        return [tuple(terms) for terms in out]

    def per_word(self, words: list[str]) -> list[tuple[bytes, ...]]:
        """The terms of each word, from the memo; words not seen before are analysed together
        and remembered."""
        memo = self.memo
        found = list(map(memo.get, words))
        if None not in found:
            return found
        missing = list(dict.fromkeys(w for w, terms in zip(words, found) if terms is None))
        new = dict(zip(missing, self.analyse_words(missing)))
        if len(memo) < MEMO_LIMIT:
            memo.update(new)
        return [new[w] if terms is None else terms for w, terms in zip(words, found)]

    def terms(self, text: str) -> list[bytes]:
        """Every term of the text in order (what the chain yields, as UTF-8)."""
        return list(chain.from_iterable(self.per_word(self.findall(text))))

    def positions(self, text: str) -> tuple[dict[bytes, list[int]], int]:
        """term -> its positions in the text, and the number of tokens (the field length)."""
        per_word = self.per_word(self.findall(text))
        poses: dict[bytes, list[int]] = defaultdict(list)
        if self.renumber:
            flat = list(chain.from_iterable(per_word))
            if not flat:
                return {}, 0
            first = 0
            while not per_word[first]:
                first += 1
            for p, term in enumerate(flat, first):
                poses[term].append(p)
            return poses, len(flat)
        count = 0
        for p, terms in enumerate(per_word):
            count += len(terms)
            for term in terms:
                poses[term].append(p)
        return poses, count

    def tokens(self, text: str) -> list[tuple[str, int, float]]:
        """(text, position, boost) of every token in the order the chain yields them (index
        mode, positions on), by the same memo and position rule; for the equivalence tests."""
        out = []
        pos = None
        for i, terms in enumerate(self.per_word(self.findall(text))):
            for term in terms:
                pos = (i if pos is None else pos + 1) if self.renumber else i
                out.append((term.decode("utf-8"), pos, 1.0))
        return out


def _unshared(values: list[bytes]) -> list[bytes]:
    """The values with every repeated object replaced by an equal copy. Equal values are shared
    here (one encoding per position), never in Whoosh's pool; pickle writes a repeated object
    as a back-reference, so a block of shared values would be encoded differently (shorter)."""
    n = len(values)
    # the first index of each object (later items overwrite earlier ones in the reversed zip)
    firsts = dict(zip(map(id, reversed(values)), range(n - 1, -1, -1)))
    out = list(values)
    for i in set(range(n)).difference(firsts.values()):
        out[i] = bytes(memoryview(out[i]))
    return out


def _block_stats(ids: list, ws: list, values: list, lengths: list):
    """What W3PostingsWriter.add_posting accumulates for a block: the weights as float32, the
    largest weight (compared as given, from 0), the non-empty values, and the shortest (None if
    none) and longest (0 if none) non-zero field length of the postings' documents."""
    top = max(ws)
    vals = [v for v in values if v]
    if len(set(map(id, vals))) != len(vals):
        vals = _unshared(vals)
    lens = [x for x in map(lengths.__getitem__, ids) if x]
    return (array("f", ws), max(0, top), vals,
            min(lens) if lens else None, max(lens) if lens else 0)


def _write_field_blocks(fw, terms: dict, lengths: list) -> None:
    """Each block filled in W3PostingsWriter and written by its own _write_block()."""
    pw = fw._postwriter
    limit = pw._blocklimit
    for btext in sorted(terms):
        posts = terms[btext]
        terms[btext] = None
        docs, weights, values = posts[0::3], posts[1::3], posts[2::3]
        n = len(docs)
        fw.start_term(btext)
        for start in range(0, n, limit):
            end = start + limit
            ids = docs[start:end]
            wa, maxw, vals, minl, maxl = _block_stats(ids, weights[start:end], values[start:end],
                                                      lengths)
            pw._ids = array("I", ids)
            pw._weights = wa
            pw._maxweight = maxw
            pw._values = vals
            pw._minlength = minl
            pw._maxlength = maxl
            if end < n:
                pw._write_block()
        fw.finish_term()


def _inline_usable(fw) -> bool:
    """_encode_field reproduces W3FieldWriter, W3PostingsWriter, W3TermInfo and OrderedHashWriter
    of whoosh3 3.54 (no inlined postings); with anything else each block goes through
    W3PostingsWriter (_write_field_blocks)."""
    codec = getattr(fw, "_codec", None)
    return (type(fw) is W3FieldWriter and type(codec) is W3Codec and codec._inlinelimit <= 1
            and type(fw._tindex) is filetables.OrderedHashWriter
            and fw._tindex.hashfn is filetables.md5_hash
            and W3TermInfo.to_bytes is _W3_TO_BYTES)


_OFFSET = struct.Struct("!q")             # pack_long: the postings offset that follows it
_FLUSH_BYTES = 1 << 20


class _Rows:
    """A field's rows of the terms file (OrderedHashWriter): the bytes, where each row starts,
    where its postings offset sits (for moving the postings), and each key's hash."""

    __slots__ = ("blob", "firstkey", "hashes", "lastkey", "offsets", "starts")

    def __init__(self):
        self.blob = bytearray()
        self.starts = array("q")
        self.offsets = array("q")
        self.hashes = array("L")
        self.firstkey = self.lastkey = None


def _encode_field(fieldobj, terms: dict, lengths: list, fieldkey: bytes, out, base: int,
                  limit: int, level: int) -> tuple[_Rows, int]:
    """The bytes W3FieldWriter.start_term/add/finish_term write for each term of a field,
    produced per term without one method call per posting. Postings (per term: a header, then
    per block of `limit` postings its signed length, info tuple and data tuple, pickled, the data
    compressed from 80 bytes on) are written to `out` as if it were the postings file at offset
    `base`; the terms file's rows (key = field id + term, value = a W3TermInfo) are returned
    with the end offset. Equal to _write_field_blocks byte for byte (tested)."""
    fixed = fieldobj.format.fixed_value_size()
    pickled_values = fixed is None or fixed < 0       # else joined (fixed > 0) or none (0)
    pack_lengths = filetables._lengths.pack
    pack_value = _TERM_VALUE.pack
    value_size = _TERM_VALUE.size
    offset_at = _TERMINFO.size
    lbytes = _LengthBytes()
    rows = _Rows()
    blob = rows.blob
    starts = rows.starts
    offsets = rows.offsets
    hashes = rows.hashes
    pos = base
    buf: list[bytes] = []
    pending = 0
    key = None
    magic = WHOOSH3_HEADER_MAGIC
    for btext in sorted(terms):
        posts = terms[btext]
        terms[btext] = None
        startoffset = pos
        if len(posts) == 3 and posts[1] == posts[1]:
            # one posting (a third of all terms), W3PostingsWriter's steps for k = 1
            d, w, v = posts
            wa = array("f", (w,))
            w32 = wa[0]
            tweight = 0 + w32
            tmaxw = maxw = max(0, w)
            tminl = lengths[d] or None
            tmaxl = tminl or 0
            if pickled_values:
                mini_v = (v,) if v else ()
            elif fixed:
                mini_v = v or emptybytes
            else:
                mini_v = None
            databytes = dumps(((d,), None if w32 == 1.0 else w32, mini_v), 2)
            comp = level if len(databytes) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                databytes = zlib.compress(databytes, comp)
            lb = lbytes[tmaxl]
            infobytes = dumps((1, d, maxw, comp, lb if tminl else 0, lb), 2)
            blocklength = len(infobytes) + len(databytes)
            buf += (magic, pack_int(-blocklength), infobytes, databytes)
            pos += 8 + blocklength
            first = last = d
            n = 1
        else:
            docs, weights, values = posts[0::3], posts[1::3], posts[2::3]
            n = len(docs)
            first = docs[0]
            last = docs[-1]
            buf.append(magic)
            pos += len(magic)
            tweight = 0
            tminl = None
            tmaxl = 0
            tmaxw = 0
            for start in range(0, n, limit):
                end = start + limit
                if n <= limit:
                    ids, ws, vs = docs, weights, values
                else:
                    ids, ws, vs = docs[start:end], weights[start:end], values[start:end]
                k = len(ids)
                # W3PostingsWriter.add_posting, per posting: weights as float32, the largest
                # weight (compared from 0), non-empty values, non-zero lengths
                wa = array("f", ws)
                top = max(ws)
                maxw = max(0, top)
                lens = list(filter(None, map(lengths.__getitem__, ids)))
                minl = min(lens) if lens else None
                maxl = max(lens) if lens else 0
                # W3TermInfo.add_block
                tweight += sum(wa)
                tminl = minl if tminl is None else min(tminl, minl)
                tmaxl = max(tmaxl, maxl)
                tmaxw = max(tmaxw, maxw)
                # W3PostingsWriter._write_block: _mini_ids, _mini_weights, _mini_values
                mini_ids = tuple(map(sub, ids, chain((0,), ids)))
                if wa.count(1.0) == k:
                    mini_w = None
                elif wa.count(wa[0]) == k:
                    mini_w = wa[0]
                else:
                    mini_w = tuple(wa)
                if pickled_values:
                    vals = list(filter(None, vs))
                    if len(set(map(id, vals))) != len(vals):
                        vals = _unshared(vals)
                    mini_v = tuple(vals)
                elif fixed:
                    mini_v = emptybytes.join(filter(None, vs))
                else:
                    mini_v = None
                databytes = dumps((mini_ids, mini_w, mini_v), 2)
                comp = level if len(databytes) >= COMPRESSION_MIN_SIZE else 0
                if comp:
                    databytes = zlib.compress(databytes, comp)
                infobytes = dumps((k, ids[-1], maxw, comp, lbytes[minl], lbytes[maxl]), 2)
                blocklength = len(infobytes) + len(databytes)
                buf += (pack_int(-blocklength if end >= n else blocklength), infobytes, databytes)
                pos += 4 + blocklength
        # W3TermInfo.set_extent + to_bytes, then OrderedHashWriter.add's row and hash
        # the value: W3TermInfo's fields, then pack_long(offset) + pack_int(length)
        value = pack_value(False, tweight, n, 0 if tminl is None else lbytes[tminl],
                           lbytes[tmaxl], tmaxw, first, last, startoffset, pos - startoffset)
        key = fieldkey + btext
        if rows.firstkey is None:
            rows.firstkey = key
        row = len(blob)
        starts.append(row)
        offsets.append(row + 8 + len(key) + offset_at)
        hashes.append(int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big"))
        blob += pack_lengths(len(key), value_size)
        blob += key
        blob += value
        pending += pos - startoffset
        if pending > _FLUSH_BYTES:
            out.write(emptybytes.join(buf))
            buf.clear()
            pending = 0
    out.write(emptybytes.join(buf))
    rows.lastkey = key
    return rows, pos


class _LengthBytes(dict):
    """length -> length_to_byte(length), remembered (a field has at most 256 rounded lengths)."""

    def __missing__(self, length):
        lb = self[length] = length_to_byte(length)
        return lb


def _add_rows(fw, rows: _Rows, moved: int) -> None:
    """Append a field's rows to the terms file (OrderedHashWriter.add for each), their postings
    offsets moved by `moved` bytes first."""
    tindex = fw._tindex
    if rows.firstkey is None:
        return
    if rows.firstkey <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{rows.firstkey!r}")
    blob = rows.blob
    if moved:
        unpack_from = _OFFSET.unpack_from
        pack_into = _OFFSET.pack_into
        for at in rows.offsets:
            pack_into(blob, at, unpack_from(blob, at)[0] + moved)
    tdb = tindex.dbfile
    base = tdb.tell()
    tdb.write(bytes(blob))
    index_append = tindex.index.append
    buckets = tindex.buckets
    for start, h in zip(rows.starts, rows.hashes):
        index_append(base + start)
        buckets[h & 255].append((h, base + start))
    tindex.lastkey = rows.lastkey


class _FieldPlan:
    """How FastWriter indexes a field: compiled analysis for TEXT fields with a plain Positions or
    Frequency format; None means Whoosh's field.index()."""

    def __init__(self, field, compiled: CompiledAnalyzer):
        self.compiled = compiled
        self.positions = type(field.format) is formats.Positions
        self.fb = field.format.field_boost
        self.encode = field.format.encode if self.positions else None
        self.enc1: dict[int, bytes] = {}          # position -> encoding of [position]
        self.weights: dict[int, float] = {}       # frequency -> weight (field boost 1)
        self.freqs: dict[int, bytes] = {}         # frequency -> pack_uint(frequency)


def _plan_for(field, compiled: list) -> _FieldPlan | None:
    """The field's plan; `compiled` holds the CompiledAnalyzers made so far, shared by the
    fields whose chains are built alike (title/summary/body of a language; meta and words)."""
    fmt = field.format
    if type(fmt) not in (formats.Positions, formats.Frequency) or not field.indexed:
        return None
    if field.vector or field.separate_spelling():
        return None
    analyzer = getattr(field, "analyzer", None)
    if analyzer is None:
        return None
    for c in compiled:
        if c.same_chain(analyzer):
            return _FieldPlan(field, c)
    try:
        c = CompiledAnalyzer(analyzer)
    except NotCompilable:
        return None
    compiled.append(c)
    return _FieldPlan(field, c)


class _Indexer:
    """The posting pool of a set of fields: each value analysed (compiled, or by Whoosh's
    field.index) and its postings appended to its terms' lists."""

    def __init__(self, schema, fieldnames):
        compiled: list = []
        self.schema = schema
        self.plans = {name: _plan_for(schema[name], compiled) for name in fieldnames}
        # fieldname -> {term bytes: [docnum, weight, value, docnum, weight, value, ...]}
        self.postings: dict[str, dict[bytes, list]] = defaultdict(dict)
        # fieldname -> {docnum: field length}, for the length statistics of posting blocks
        self.lengths: dict[str, dict[int, int]] = defaultdict(dict)
        # fieldname -> {value: field.index(value) items}, for the fields Whoosh analyses
        self.items: dict[str, dict] = defaultdict(dict)

    def index(self, fieldname: str, field, docnum: int, value, fieldboost: float) -> int:
        """Index one value; returns the field length (0 for a field that is not scorable)."""
        plan = self.plans[fieldname]
        if plan is not None and type(value) is str:
            length = _index_compiled(plan, self.postings[fieldname], docnum, value, fieldboost)
        else:
            length = _index_whoosh(field, self.postings[fieldname], docnum, value, fieldboost,
                                   self.items[fieldname])
        if length:
            self.lengths[fieldname][docnum] = length
        return length

    def nonempty(self) -> list[str]:
        return sorted(name for name, terms in self.postings.items() if terms)

    def field_lengths(self, fieldname: str, doccount: int) -> list:
        """docnum -> the field length FieldWriter.add_postings would read back from the length
        column: the length rounded through its byte code, None (no byte) or 0 (no column)."""
        doclengths = self.lengths.get(fieldname)
        if not doclengths:
            return [0] * doccount
        out: list = [None] * doccount
        for docnum, length in doclengths.items():
            lbyte = length_to_byte(length)
            out[docnum] = byte_to_length(lbyte) if lbyte else None
        return out

    def encode(self, fieldname: str, fieldid: int, doccount: int, out, base: int, limit: int,
               level: int) -> tuple[_Rows, int]:
        terms = self.postings.pop(fieldname)
        lengths = self.field_lengths(fieldname, doccount)
        return _encode_field(self.schema[fieldname], terms, lengths, pack_ushort(fieldid), out,
                             base, limit, level)

    def clear(self):
        self.postings.clear()
        self.lengths.clear()
        self.items.clear()


def _index_whoosh(field, terms: dict, docnum: int, value, fieldboost: float,
                  known: dict | None = None) -> int:
    """field.index(value) into the pool, as SegmentWriter.add_document does. The items of a str
    or int value are remembered in `known` (facets, years and dates repeat; at most ITEMS_LIMIT
    values per field)."""
    length = 0
    scorable = field.scorable
    items = None
    if known is not None and type(value) in (str, int):
        key = (type(value), value)
        items = known.get(key)
        if items is None:
            items = tuple(field.index(value))
            if len(known) < ITEMS_LIMIT:
                known[key] = items
    if items is None:
        items = field.index(value)
    for tbytes, freq, weight, vbytes in items:
        weight *= fieldboost
        if scorable:
            length += freq
        posts = terms.get(tbytes)
        if posts is None:
            terms[tbytes] = [docnum, weight, vbytes]
        else:
            posts += (docnum, weight, vbytes)
    return length


def _index_compiled(plan: _FieldPlan, terms: dict, docnum: int, value: str,
                    fieldboost: float) -> int:
    """A TEXT value through its compiled analyzer. As Positions.word_values: weight = (sum of
    the boosts, all 1.0) * field boost, value = encode(positions); as Frequency.word_values:
    value = pack_uint(frequency); then add_document's multiplication by the document/field
    boost. Returns the field length (the number of tokens)."""
    fb = plan.fb
    weights = plan.weights if fieldboost == 1.0 else {}
    if plan.positions:
        poses, length = plan.compiled.positions(value)
        enc1 = plan.enc1
        encode = plan.encode
        for term, ps in poses.items():
            n = len(ps)
            weight = weights.get(n)
            if weight is None:
                weight = weights[n] = float(n) * fb * fieldboost
            if n == 1:
                p = ps[0]
                vbytes = enc1.get(p)
                if vbytes is None:
                    vbytes = enc1[p] = encode(ps)
            else:
                vbytes = encode(ps)
            posts = terms.get(term)
            if posts is None:
                terms[term] = [docnum, weight, vbytes]
            else:
                posts += (docnum, weight, vbytes)
        return length
    tokens = plan.compiled.terms(value)
    freqs = plan.freqs
    for term, n in Counter(tokens).items():
        weight = weights.get(n)
        if weight is None:
            weight = weights[n] = float(n) * fb * fieldboost
        vbytes = freqs.get(n)
        if vbytes is None:
            vbytes = freqs[n] = pack_uint(n)
        posts = terms.get(term)
        if posts is None:
            terms[term] = [docnum, weight, vbytes]
        else:
            posts += (docnum, weight, vbytes)
    return len(tokens)


def _peak_rss() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------- second process

BATCH_DOCS = 64          # documents per message to the second process


def _child_entry(down: int, up: int) -> None:
    conn = Connection(down, writable=False)
    answers = Connection(up, readable=False)
    try:
        _child_main(conn, answers)
    finally:
        conn.close()
        answers.close()


def _child_main(conn, answers) -> None:
    """The second process: indexes its fields of every document it is sent, then encodes their
    postings into a file and returns the terms-file rows. Messages in: (schema pickle, fields,
    file path); lists of (docnum, [(field, value, boost)]); None (no more documents);
    ("encode", field ids, document count, block limit, compression level). Out: ("ready",),
    ("indexed", lengths, non-empty fields), ("encoded", [(field, start, end, rows)], peak RSS),
    or ("error", traceback) once the input is drained."""
    try:
        schema_bytes, fieldnames, path = conn.recv()
        schema = pickle.loads(schema_bytes)
        indexer = _Indexer(schema, fieldnames)
        fields = {name: schema[name] for name in fieldnames}
        index = indexer.index
        answers.send(("ready",))
        while (batch := conn.recv()) is not None:
            for docnum, items in batch:
                for fieldname, value, fieldboost in items:
                    index(fieldname, fields[fieldname], docnum, value, fieldboost)
        answers.send(("indexed", dict(indexer.lengths), indexer.nonempty(), time.process_time()))
        msg = conn.recv()
        if msg[0] != "encode":
            return
        _, fieldids, doccount, limit, level = msg
        results = []
        pos = 0
        with open(path, "wb", buffering=1 << 20) as out:
            for name in sorted(fieldids):
                rows, end = indexer.encode(name, fieldids[name], doccount, out, pos, limit, level)
                results.append((name, pos, end, rows))
                pos = end
        indexer.clear()
        answers.send(("encoded", results, _peak_rss(), time.process_time()))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        error = traceback.format_exc()
        try:
            while conn.recv() is not None:      # let the parent finish sending
                pass
        except (EOFError, OSError):
            pass
        try:
            answers.send(("error", error))
        except OSError:
            pass


class _Child:
    """The parent's handle on the second process: a fresh interpreter started with subprocess
    (not multiprocessing, which would import the parent's __main__ again), talking over two
    pipes with multiprocessing's Connection framing. If it cannot start, the writer works
    alone."""

    def __init__(self, schema, fieldnames: list[str], folder: str):
        self.path = os.path.join(folder, f"child-{os.getpid()}.pst")
        down_r, down_w = os.pipe()          # parent -> child
        up_r, up_w = os.pipe()              # child -> parent
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        code = (f"from kb.indexer.fastwriter import _child_entry; "
                f"_child_entry({down_r}, {up_w})")
        try:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(down_r, up_w),
                                            stdin=subprocess.DEVNULL, env=env)
        finally:
            os.close(down_r)
            os.close(up_w)
        self.conn = Connection(down_w, readable=False)
        self.answers = Connection(up_r, writable=False)
        self.fieldnames = frozenset(fieldnames)
        self.batch: list = []
        self.peak_rss = self.cpu_indexed = self.cpu_encoded = None    # for diagnostics
        try:
            self.conn.send((pickle.dumps(schema), fieldnames, self.path))
            if not self.answers.poll(60):
                raise RuntimeError("no answer in 60 s")
            self._recv("ready")
        except BaseException:
            self.stop()
            raise

    def add(self, docnum: int, items: list) -> None:
        self.batch.append((docnum, items))
        if len(self.batch) >= BATCH_DOCS:
            self._send(self.batch)
            self.batch = []

    def _send(self, msg) -> None:
        try:
            self.conn.send(msg)
        except OSError:
            # the process is gone: say why if it said so before it went
            if self.answers.poll(1):
                self._recv("(nothing)")
            raise RuntimeError(f"the indexing process stopped (exit code "
                               f"{self.process.poll()})") from None

    def _recv(self, expected: str):
        try:
            msg = self.answers.recv()
        except EOFError:
            raise RuntimeError(f"the indexing process stopped (exit code "
                               f"{self.process.poll()})") from None
        if msg[0] == "error":
            raise RuntimeError(f"the indexing process failed:\n{msg[1]}")
        if msg[0] != expected:
            raise RuntimeError(f"the indexing process answered {msg[0]!r}, not {expected!r}")
        return msg

    def finish_documents(self) -> tuple[dict, list[str]]:
        if self.batch:
            self._send(self.batch)
            self.batch = []
        self._send(None)
        _, lengths, nonempty, self.cpu_indexed = self._recv("indexed")
        return lengths, nonempty

    def encode(self, fieldids: dict, doccount: int, limit: int, level: int) -> None:
        self._send(("encode", fieldids, doccount, limit, level))

    def encoded(self) -> list:
        _, results, self.peak_rss, self.cpu_encoded = self._recv("encoded")
        return results

    def stop(self) -> None:
        """Wait for the process to end (it ends after its last message, or when its input
        closes); kill it if it does not."""
        for conn in (self.conn, self.answers):
            try:
                conn.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------- the writer

class FastWriter(SegmentWriter):
    """SegmentWriter for a fresh index: compiled analysis, postings grouped per term in memory.

    Only add_document and commit/cancel are supported (no merging of existing segments).
    `second_process_fields` are indexed (and their postings encoded) in a second process while
    this one does the rest; the index is the same. inline_codec=False writes each block
    through W3PostingsWriter instead of the inlined copy of its encoding (the same bytes; the
    tests check both); it needs the single process."""

    inline_codec = True

    def __init__(self, ix, second_process_fields=(), **kwargs):
        kwargs.setdefault("limitmb", 1)            # Whoosh's pool stays empty
        super().__init__(ix, **kwargs)
        self._child = None
        try:
            if self.segments:
                raise ValueError("FastWriter builds a fresh index only; this one has segments")
            for name, field in self.schema.items():
                if field.vector or field.separate_spelling():
                    raise ValueError(f"FastWriter does not write term vectors or spelling "
                                     f"fields ({name})")
            names = list(self.schema.names())
            second = [name for name in names if name in set(second_process_fields)]
            folder = getattr(self._tempstorage, "folder", "")
            if second and folder and _inline_usable(self.fieldwriter) \
                    and type(self.perdocwriter) is W3PerDocWriter:
                try:
                    self._child = _Child(self.schema, second, folder)
                except Exception as exc:  # noqa: BLE001 - then this process does it all
                    log.warning("indexing in one process: the second one did not start (%s)",
                                exc)
            own = [name for name in names if not (self._child and name in self._child.fieldnames)]
            self._indexer = _Indexer(self.schema, own)
        except BaseException:
            self._cleanup_on_error()
            raise

    def compiled_analyzers(self) -> dict[str, CompiledAnalyzer]:
        return {name: plan.compiled for name, plan in self._indexer.plans.items() if plan}

    @property
    def second_process(self) -> bool:
        return self._child is not None

    # ------------------------------------------------------------------ adding

    def add_reader(self, reader):
        raise NotImplementedError("FastWriter builds a fresh index only")

    def add_document(self, **fields):
        """As SegmentWriter.add_document (same order of operations and values)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        index = self._indexer.index
        child = self._child
        elsewhere = child.fieldnames if child else ()
        sent = []

        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]

                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    if fieldname in elsewhere:
                        # the second process indexes it; its length comes back at commit
                        sent.append((fieldname, value, fieldboost))
                    else:
                        length = index(fieldname, field, docnum, value, fieldboost)

                customval = fields.get(f"_stored_{fieldname}", value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)

                column = field.column_type
                if column and customval is not None:
                    cv = field.to_column_value(customval)
                    perdocwriter.add_column_value(fieldname, column, cv)
        except ValueError:
            perdocwriter.cancel_doc()
            raise

        perdocwriter.finish_doc()
        if sent:
            child.add(docnum, sent)
        self._added = True
        self.docnum += 1

    # ------------------------------------------------------------------ writing

    def _flush_segment(self):
        child = self._child
        if child:
            lengths, child_fields = child.finish_documents()
            self._add_lengths(lengths)
        self.perdocwriter.close()
        fw = self.fieldwriter
        if child:
            self._write_postings_with(child, child_fields)
        else:
            self._write_postings(fw)
        fw.close()

    def _add_lengths(self, lengths: dict[str, dict[int, int]]) -> None:
        """What W3PerDocWriter.add_field does with a length, for the fields the second process
        indexed: the length byte in the field's length column, in document order, and the
        total."""
        pdw = self.perdocwriter
        for fieldname in sorted(lengths):
            lenfield = _lenfield(fieldname)
            total = 0
            for docnum, length in sorted(lengths[fieldname].items()):
                if not pdw._has_column(lenfield):
                    pdw._create_column(lenfield, LENGTHS_COLUMN)
                pdw._get_column(lenfield).add(docnum, length_to_byte(length))
                total += length
            if total:
                pdw._fieldlengths[fieldname] += total

    def _write_postings(self, fw) -> None:
        """FieldWriter.add_postings over the grouped postings: fields in name order, terms in
        byte order, each term's postings in blocks of the codec's block size."""
        indexer = self._indexer
        inline = self.inline_codec and _inline_usable(fw)
        for fieldname in indexer.nonempty():
            fw.start_field(fieldname, self.schema[fieldname])
            if fw._postwriter._byteids:
                raise AssertionError("posting lists with byte ids")
            if inline:
                postfile = fw._postfile
                codec = fw._codec
                rows, end = indexer.encode(fieldname, fw._fieldid, self.docnum, postfile,
                                           postfile.tell(), codec._blocklimit, codec._compression)
                if postfile.tell() != end:
                    raise AssertionError("the postings writer lost track of the file offset")
                _add_rows(fw, rows, 0)
            else:
                terms = indexer.postings.pop(fieldname)
                _write_field_blocks(fw, terms, indexer.field_lengths(fieldname, self.docnum))
            fw.finish_field()

    def _write_postings_with(self, child: _Child, child_fields: list[str]) -> None:
        """Both processes encode their fields' postings into files of their own, this one then
        copies them into the postings file in field order and adds the terms' rows."""
        fw = self.fieldwriter
        codec = fw._codec
        limit, level = codec._blocklimit, codec._compression
        own = self._indexer.nonempty()
        order = sorted(set(own) | set(child_fields))
        fieldids = {name: i for i, name in enumerate(order)}
        child.encode({name: fieldids[name] for name in child_fields}, self.docnum, limit, level)
        parts = {}
        own_path = child.path + ".own"
        pos = 0
        with open(own_path, "wb", buffering=1 << 20) as out:
            for name in own:
                rows, end = self._indexer.encode(name, fieldids[name], self.docnum, out, pos,
                                                 limit, level)
                parts[name] = (own_path, pos, end, rows)
                pos = end
        for name, start, end, rows in child.encoded():
            parts[name] = (child.path, start, end, rows)
        postfile = fw._postfile
        files = {}
        try:
            for name in order:
                path, start, end, rows = parts.pop(name)
                fw.start_field(name, self.schema[name])
                if fw._fieldid != fieldids[name]:
                    raise AssertionError(f"field {name} got id {fw._fieldid}, not {fieldids[name]}")
                if path not in files:
                    files[path] = open(path, "rb")       # noqa: SIM115 - closed below
                src = files[path]
                src.seek(start)
                at = postfile.tell()
                remaining = end - start
                while remaining:
                    chunk = src.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise AssertionError(f"{path} ends early")
                    postfile.write(chunk)
                    remaining -= len(chunk)
                _add_rows(fw, rows, at - start)
                fw.finish_field()
        finally:
            for f in files.values():
                f.close()

    def _close_segment(self):
        self._indexer.clear()
        super()._close_segment()

    def _finish(self):
        self._stop_child()
        super()._finish()

    def _cleanup_on_error(self):
        self._stop_child()
        super()._cleanup_on_error()

    def _stop_child(self):
        child = getattr(self, "_child", None)
        if child is not None:
            child.stop()
            self.child_stats = {"peak_rss": child.peak_rss, "cpu_indexed": child.cpu_indexed,
                                "cpu_encoded": child.cpu_encoded}


__all__ = ["CompiledAnalyzer", "FastWriter", "NotCompilable", "supported"]
