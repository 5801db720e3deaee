"""A faster writer for full index builds: the same index as Whoosh's SegmentWriter, less Python.

Used only by kb.indexer.build.build_generation, which always writes into a fresh, empty index.
Incremental updates and every read keep using Whoosh as it is. Two things change, not the index:

1. Analysis, memoised per word (CompiledAnalyzer). The analyzers in kb.indexer.analysis are
   the definition of analysis and stay readable Whoosh chains. For a chain made of a
   RegexTokenizer and filters that map each word on its own (lower-case, fold, stop, stem, the
   keyword marker, the hyphen parts), the terms a word yields depend on the word alone, so they
   are computed once per distinct word by running that word through the chain's own filters, and
   remembered. Positions follow the one rule that spans words: a renumbering StopFilter gives
   the kept tokens consecutive positions from the first kept token's word position; without one,
   every term of a word takes the word's position. A chain with any other filter is not
   compiled and is analysed by Whoosh as before. tests/test_build_speed.py checks the compiled
   path token for token against the chain (texts, positions, boosts), and the whole index file
   for file against Whoosh's writer.

2. Postings grouped per (field, term) in memory (FastWriter). Whoosh's writer puts every
   posting as a tuple into an external-sort pool (one pickle.dump per posting into run files,
   then a heap merge), then feeds them one by one to the codec, looking up the field length of
   each posting's document in the freshly written length column. A full build adds documents in
   order, so each term's postings arrive sorted: FastWriter appends them to the term's list, and
   at commit sorts only the terms, then fills the codec's posting blocks (128 postings) a block
   at a time and lets Whoosh's own W3PostingsWriter encode and write each block. Per-document
   data (stored fields, columns, field lengths) goes through Whoosh's per-document writer
   unchanged.

Memory: a posting costs three list slots (document number, weight, encoded positions; the
objects are shared where equal), ~27 bytes, so 100k records (~34 M postings) hold ~1 GB while
building; Whoosh's pool spills to disk instead (limitmb).
"""
from __future__ import annotations

import zlib
from array import array
from collections import Counter, defaultdict
from hashlib import md5
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh import formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.acore import Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3TermInfo,
)
from whoosh.filedb import filetables
from whoosh.system import emptybytes, pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kb.indexer.analysis import CharFoldFilter, HyphenPartsFilter, KeywordMarkerFilter

# Filters whose output for a token depends on that token's text alone (no state across tokens
# but the StopFilter's position renumbering, handled below). Only these are compiled.
ONE_TO_MANY = (HyphenPartsFilter,)          # may yield several tokens at the input's position
ONE_TO_ONE = (KeywordMarkerFilter, LowercaseFilter, CharFoldFilter, StemFilter)
MEMO_LIMIT = 2_000_000                      # distinct words remembered per analyzer


def _raise_malloc_thresholds() -> None:
    """Let glibc keep a few MB of freed heap instead of returning it at every free.

    Every zlib.compress call (one per stored document, one per posting block of 80 bytes or
    more) allocates ~270 kB of deflate state and frees it. With glibc's initial trim threshold
    (128 kB) that free shrinks the heap and the next call grows it again: ~70 page faults per
    call, ~55 us of system time for a 100-byte block instead of ~4 us. Freeing one large
    (mmap-served) block makes glibc raise its mmap threshold to that block's size and its trim
    threshold to twice that (its "dynamic threshold" rule), which ends the churn; nothing else
    changes. Harmless elsewhere (other allocators ignore it)."""
    block = bytearray(8 << 20)
    del block


class NotCompilable(Exception):
    """The analyzer is not a chain CompiledAnalyzer can reproduce; Whoosh analyses it."""


class _Memo(dict):
    """word -> tuple of UTF-8 terms; a missing word is analysed by the chain (and remembered)."""

    __slots__ = ("analyse",)

    def __missing__(self, word):
        terms = self.analyse(word)
        if len(self) < MEMO_LIMIT:
            self[word] = terms
        return terms


class CompiledAnalyzer:
    """The index-time output of a Whoosh analyzer chain, memoised per word."""

    def __init__(self, analyzer):
        if not isinstance(analyzer, CompositeAnalyzer):
            raise NotCompilable(f"not a chain: {analyzer!r}")
        tokenizer, *filters = analyzer.items
        if type(tokenizer) is not RegexTokenizer or tokenizer.gaps:
            raise NotCompilable(f"tokenizer {tokenizer!r}")
        stops = [f for f in filters if isinstance(f, StopFilter)]
        if len(stops) > 1:
            raise NotCompilable("more than one StopFilter")
        for i, f in enumerate(filters):
            if isinstance(f, StopFilter):
                continue
            if isinstance(f, ONE_TO_MANY):
                if stops and filters.index(stops[0]) < i:
                    raise NotCompilable("a token-splitting filter after the StopFilter")
            elif not isinstance(f, ONE_TO_ONE):
                raise NotCompilable(f"filter {f!r}")
        self.analyzer = analyzer
        self.filters = filters
        self.findall = tokenizer.expression.findall
        if tokenizer.expression.groups:
            raise NotCompilable("the tokenizer's pattern has groups (findall would return them)")
        self.renumber = bool(stops) and stops[0].renumber
        self.memo = _Memo()
        self.memo.analyse = self.analyse_word

    def analyse_word(self, word: str) -> tuple[bytes, ...]:
        """The terms one word yields: the word run through the chain's filters on its own."""
        t = Token(positions=True, chars=False, removestops=True, mode="index", boosts=True)
        t.text = word
        t.boost = 1.0
        t.stopped = False
        t.pos = 0
        gen = iter((t,))
        for f in self.filters:
            gen = f(gen)
        out = []
        for tok in gen:
            if tok.stopped:
                continue
            if tok.boost != 1.0:
                raise NotCompilable(f"a filter set a boost on {word!r}")
            out.append(tok.text.encode("utf-8"))
        return tuple(out)

    def terms(self, text: str) -> list[bytes]:
        """Every term of the text in order (what the chain yields, as UTF-8)."""
        return list(chain.from_iterable(map(self.memo.__getitem__, self.findall(text))))

    def positions(self, text: str) -> tuple[dict[bytes, list[int]], int]:
        """term -> its positions in the text, and the number of tokens (the field length)."""
        memo = self.memo
        words = self.findall(text)
        poses: dict[bytes, list[int]] = defaultdict(list)
        if self.renumber:
            per_word = list(map(memo.__getitem__, words))
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
        for p, word in enumerate(words):
            terms = memo[word]
            count += len(terms)
            for term in terms:
                poses[term].append(p)
        return poses, count

    def tokens(self, text: str) -> list[tuple[str, int, float]]:
        """(text, position, boost) of every token in the order the chain yields them (index
        mode, positions on), by the same memo and position rule; for the equivalence tests."""
        out = []
        pos = None
        for i, word in enumerate(self.findall(text)):
            for term in self.memo[word]:
                pos = (i if pos is None else pos + 1) if self.renumber else i
                out.append((term.decode("utf-8"), pos, 1.0))
        return out


def _unshared(values: list[bytes]) -> list[bytes]:
    """The values with every repeated object replaced by an equal copy. Equal values are shared
    here (one encoding per position), never in Whoosh's pool; pickle writes a repeated object
    as a back-reference, so a block of shared values would be encoded differently (shorter)."""
    seen = set()
    out = []
    for v in values:
        if id(v) in seen:
            v = bytes(memoryview(v))
        else:
            seen.add(id(v))
        out.append(v)
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
    """_write_field_inline reproduces W3FieldWriter/W3PostingsWriter/W3TermInfo/OrderedHashWriter
    of whoosh3 3.54; anything else is written block by block."""
    return (type(fw) is W3FieldWriter and type(fw._tindex) is filetables.OrderedHashWriter
            and fw._tindex.hashfn is filetables.md5_hash
            and fw._codec.postings_writer.__func__ is W3Codec.postings_writer
            and W3TermInfo.to_bytes is _W3_TO_BYTES)


_W3_TO_BYTES = W3TermInfo.to_bytes
_TERMINFO = W3TermInfo._struct
_FLUSH_BYTES = 1 << 20


def _write_field_inline(fw, fieldobj, terms: dict, lengths: list) -> None:
    """The bytes W3FieldWriter.start_term/add/finish_term write for each term (postings file:
    header, then per block its signed length, info tuple and data tuple, pickled, the data
    compressed from 80 bytes on; terms file: a W3TermInfo row), produced here per term without
    one method call per posting. Equal to _write_field_blocks byte for byte (tested)."""
    pw = fw._postwriter
    limit = pw._blocklimit
    level = pw._compression
    fixed = fieldobj.format.fixed_value_size()
    postfile = fw._postfile
    tindex = fw._tindex
    tdb = tindex.dbfile
    index_append = tindex.index.append
    buckets = tindex.buckets
    lastkey = tindex.lastkey
    fieldkey = pack_ushort(fw._fieldid)
    pack_lengths = filetables._lengths.pack
    pos = postfile.tell()
    tpos = tdb.tell()
    out: list[bytes] = []
    tout: list[bytes] = []
    pending = 0
    for btext in sorted(terms):
        posts = terms[btext]
        terms[btext] = None
        docs, weights, values = posts[0::3], posts[1::3], posts[2::3]
        n = len(docs)
        startoffset = pos
        out.append(WHOOSH3_HEADER_MAGIC)
        pos += len(WHOOSH3_HEADER_MAGIC)
        tweight = 0
        tminl = None
        tmaxl = 0
        tmaxw = 0
        for start in range(0, n, limit):
            end = start + limit
            ids = docs[start:end]
            k = len(ids)
            wa, maxw, vals, minl, maxl = _block_stats(ids, weights[start:end], values[start:end],
                                                      lengths)
            # W3TermInfo.add_block
            tweight += sum(wa)
            tminl = minl if tminl is None else min(tminl, minl)
            tmaxl = max(tmaxl, maxl)
            tmaxw = max(tmaxw, maxw)
            # W3PostingsWriter._write_block: _mini_ids, _mini_weights, _mini_values
            mini_ids = (ids[0],) if k == 1 else tuple(map(sub, ids, [0, *ids[:-1]]))
            if wa.count(1.0) == k:
                mini_w = None
            elif wa.count(wa[0]) == k:
                mini_w = wa[0]
            else:
                mini_w = tuple(wa)
            if fixed is None or fixed < 0:
                mini_v = tuple(vals)
            elif fixed == 0:
                mini_v = None
            else:
                mini_v = emptybytes.join(vals)
            databytes = dumps((mini_ids, mini_w, mini_v), 2)
            comp = level if len(databytes) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps((k, ids[-1], maxw, comp, length_to_byte(minl),
                               length_to_byte(maxl)), 2)
            blocklength = len(infobytes) + len(databytes)
            out.append(pack_int(-blocklength if end >= n else blocklength))
            out.append(infobytes)
            out.append(databytes)
            pos += 4 + blocklength
        # W3TermInfo.set_extent + to_bytes, OrderedHashWriter.add
        valbytes = (_TERMINFO.pack(False, tweight, n,
                                   0 if tminl is None else length_to_byte(tminl),
                                   length_to_byte(tmaxl), tmaxw, docs[0], docs[-1])
                    + pack_long(startoffset) + pack_int(pos - startoffset))
        key = fieldkey + btext
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        lastkey = key
        index_append(tpos)
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        buckets[h & 255].append((h, tpos))
        tout.append(pack_lengths(len(key), len(valbytes)))
        tout.append(key)
        tout.append(valbytes)
        tpos += 8 + len(key) + len(valbytes)
        pending += pos - startoffset
        if pending > _FLUSH_BYTES:
            postfile.write(emptybytes.join(out))
            tdb.write(emptybytes.join(tout))
            out.clear()
            tout.clear()
            pending = 0
    postfile.write(emptybytes.join(out))
    tdb.write(emptybytes.join(tout))
    tindex.lastkey = lastkey
    if postfile.tell() != pos or tdb.tell() != tpos:
        raise AssertionError("inline postings writer lost track of the file offsets")


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


def _plan_for(field, compiled_by_analyzer: dict) -> _FieldPlan | None:
    fmt = field.format
    if type(fmt) not in (formats.Positions, formats.Frequency) or not field.indexed:
        return None
    if field.vector or field.separate_spelling():
        return None
    analyzer = getattr(field, "analyzer", None)
    if analyzer is None:
        return None
    key = id(analyzer)
    if key not in compiled_by_analyzer:
        try:
            compiled_by_analyzer[key] = CompiledAnalyzer(analyzer)
        except NotCompilable:
            compiled_by_analyzer[key] = None
    compiled = compiled_by_analyzer[key]
    return _FieldPlan(field, compiled) if compiled else None


class FastWriter(SegmentWriter):
    """SegmentWriter for a fresh index: compiled analysis, postings grouped per term in memory.

    Only add_document and commit/cancel are supported (no merging of existing segments).
    inline_codec=False writes each block through W3PostingsWriter instead of the inlined copy
    of its encoding (both give the same bytes; the tests check both)."""

    inline_codec = True

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("limitmb", 1)            # Whoosh's pool stays empty
        _raise_malloc_thresholds()
        super().__init__(ix, **kwargs)
        try:
            if self.segments:
                raise ValueError("FastWriter builds a fresh index only; this one has segments")
            for name, field in self.schema.items():
                if field.vector or field.separate_spelling():
                    raise ValueError(f"FastWriter does not write term vectors or spelling "
                                     f"fields ({name})")
        except BaseException:
            self._cleanup_on_error()
            raise
        analyzers: dict = {}
        self._plans = {name: _plan_for(field, analyzers) for name, field in self.schema.items()}
        # fieldname -> {term bytes: [docnum, weight, value, docnum, weight, value, ...]}
        self._postings: dict[str, dict[bytes, list]] = defaultdict(dict)
        # fieldname -> {docnum: field length}, for the length statistics of posting blocks
        self._lengths: dict[str, dict[int, int]] = defaultdict(dict)

    def compiled_analyzers(self) -> dict[str, CompiledAnalyzer]:
        return {name: plan.compiled for name, plan in self._plans.items() if plan}

    # ------------------------------------------------------------------ adding

    def add_reader(self, reader):
        raise NotImplementedError("FastWriter builds a fresh index only")

    def add_document(self, **fields):
        """As SegmentWriter.add_document (same order of operations and values)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        plans = self._plans
        postings = self._postings

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
                    plan = plans[fieldname]
                    if plan is not None and type(value) is str:
                        length = self._index_compiled(plan, postings[fieldname], docnum, value,
                                                      fieldboost)
                    else:
                        length = self._index_whoosh(field, postings[fieldname], docnum, value,
                                                    fieldboost)
                    if length:
                        self._lengths[fieldname][docnum] = length

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
        self._added = True
        self.docnum += 1

    @staticmethod
    def _index_whoosh(field, terms: dict, docnum: int, value, fieldboost: float) -> int:
        length = 0
        scorable = field.scorable
        for tbytes, freq, weight, vbytes in field.index(value):
            weight *= fieldboost
            if scorable:
                length += freq
            posts = terms.get(tbytes)
            if posts is None:
                terms[tbytes] = [docnum, weight, vbytes]
            else:
                posts += (docnum, weight, vbytes)
        return length

    @staticmethod
    def _index_compiled(plan: _FieldPlan, terms: dict, docnum: int, value: str,
                        fieldboost: float) -> int:
        # Positions.word_values: weight = (sum of boosts, all 1.0) * field boost, value =
        # encode(positions); Frequency.word_values: value = pack_uint(frequency). Then
        # add_document multiplies the weight by the document/field boost.
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

    # ------------------------------------------------------------------ writing

    def _flush_segment(self):
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    def _field_lengths(self, fieldname: str) -> list:
        """docnum -> the field length FieldWriter.add_postings would read back from the length
        column: the length rounded through its byte code, None (no byte) or 0 (no column)."""
        doclengths = self._lengths.get(fieldname)
        if not doclengths:
            return [0] * self.docnum
        out: list = [None] * self.docnum
        for docnum, length in doclengths.items():
            lbyte = length_to_byte(length)
            out[docnum] = byte_to_length(lbyte) if lbyte else None
        return out

    def _write_postings(self):
        """FieldWriter.add_postings over the grouped postings: fields in name order, terms in
        byte order, each term's postings in blocks of the codec's block size."""
        fw = self.fieldwriter
        schema = self.schema
        inline = self.inline_codec and _inline_usable(fw)
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue
            lengths = self._field_lengths(fieldname)
            fieldobj = schema[fieldname]
            fw.start_field(fieldname, fieldobj)
            if fw._postwriter._byteids:
                raise AssertionError("posting lists with byte ids")
            if inline:
                _write_field_inline(fw, fieldobj, terms, lengths)
            else:
                _write_field_blocks(fw, terms, lengths)
            fw.finish_field()
            self._postings[fieldname] = {}

    def _close_segment(self):
        self._postings.clear()
        self._lengths.clear()
        super()._close_segment()


__all__ = ["CompiledAnalyzer", "FastWriter", "NotCompilable"]
