"""Peer engines on the same records and queries: tantivy (PyPI `tantivy`) and SQLite FTS5.

Bench only: kb never imports this. Each peer indexes, per record, one text field holding the
title, summary and body (Markdown headings dropped) plus the English title and summary that kb
also indexes for non-English records, and facet columns region, topic (multi-valued), year.
Text analysis is each engine's default, the same for every language: lower-casing and splitting
on non-alphanumerics, no stemming, no stop words (FTS5's unicode61 also folds diacritics).
A query's words become an OR of terms (kb's semantics too: any word matches, BM25 sums them).

Modes, each timed per query end to end (query object built, results in Python):
  a  top 10 by BM25 -> the 10 record numbers;
  b  top 10 + total + counts of region, topic and year over *all* matches;
  c  as b, with a filter: region in (1-2 regions) and topic = 1 topic; counts over the filtered
     matches (kb computes its facet counts disjunctively, each facet without its own filter,
     and nine of them: the peers do less here).
How counts are taken:
  tantivy  search(query, limit=10, count=True) for the top 10 and total, then one
           searcher.aggregate(query, {three `terms` aggregations}) over the fast fields
           region / topic / year: a second pass over the matches, in Rust;
  SQLite   the top 10 with ORDER BY rank LIMIT 10, then one statement: the matches of the
           MATCH as a MATERIALIZED CTE, and UNION ALL of count(*) and three GROUP BYs
           (meta.region, meta.year, topic table) joined to it.
Build: tantivy's writer (256 MB heap, default threads) then commit and waiting for merges;
SQLite inserts in one transaction (journal off, synchronous off), then FTS5 'optimize'.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from bench.perf.util import Timer, cpu_seconds, dir_size, latency_stats

_TOKEN = re.compile(r"[^\W_]+")


def record_text(p) -> str:
    body = " ".join(line for line in p.body.splitlines() if not line.lstrip().startswith("#"))
    return " ".join(x for x in (p.title, p.summary, body, p.title_en, p.summary_en) if x)


def query_terms(q: str) -> list[str]:
    return list(dict.fromkeys(_TOKEN.findall(q.lower())))


class Peer:
    name = "peer"

    def build(self, records, path: Path) -> dict:
        raise NotImplementedError

    def top10(self, q: str) -> list[int]:
        raise NotImplementedError

    def counts(self, q: str, filters: dict | None) -> tuple[list[int], int, dict]:
        raise NotImplementedError

    def close(self):
        pass

    def measure(self, queries, filters, warmup) -> dict:
        fns = {"a": lambda q, f: self.top10(q),
               "b": lambda q, f: self.counts(q, None),
               "c": lambda q, f: self.counts(q, f)}
        out = {}
        for mode, fn in fns.items():
            for i, q in enumerate(warmup):
                fn(q, filters[i % len(filters)])
            times, cpu, totals = [], [], []
            for q, f in zip(queries, filters):
                c0 = time.process_time()
                t0 = time.perf_counter()
                r = fn(q, f)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                if mode == "b":
                    totals.append(r[1])
            out[mode] = latency_stats(times, cpu)
            if totals:
                out["matches_mean"] = sum(totals) / len(totals)
        return out


class TantivyPeer(Peer):
    name = "tantivy"

    def build(self, records, path: Path) -> dict:
        import tantivy
        self.t = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_integer_field("num", stored=True, indexed=True, fast=True)
        sb.add_text_field("text", stored=False)
        sb.add_text_field("region", tokenizer_name="raw", fast=True)
        sb.add_text_field("topic", tokenizer_name="raw", fast=True)
        sb.add_integer_field("year", indexed=True, fast=True)
        self.schema = sb.build()
        path.mkdir(parents=True, exist_ok=True)
        c0 = cpu_seconds()
        with Timer() as t:
            self.index = tantivy.Index(self.schema, path=str(path))
            writer = self.index.writer(heap_size=256_000_000)
            for i, p in enumerate(records):
                writer.add_document(tantivy.Document(num=i, text=record_text(p), region=p.region,
                                                     topic=list(p.topics), year=p.year_start))
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
        self.searcher = self.index.searcher()
        return {"build_s": t.seconds, "docs_per_s": len(records) / t.seconds, "index_bytes": dir_size(path),
                "build_cpu_s": cpu_seconds() - c0, "segments": self.searcher.num_segments}

    def _text_query(self, q: str):
        T = self.t
        terms = query_terms(q)
        if not terms:
            return T.Query.empty_query()
        return T.Query.boolean_query([(T.Occur.Should, T.Query.term_query(self.schema, "text", w))
                                      for w in terms])

    def _query(self, q: str, filters: dict | None):
        T = self.t
        query = self._text_query(q)
        if not filters:
            return query
        def any_of(field, values):      # boolean Should: 2-5x faster here than term_set_query
            return T.Query.boolean_query([(T.Occur.Should, T.Query.term_query(self.schema, field, v))
                                          for v in values])
        return T.Query.boolean_query([
            (T.Occur.Must, query),
            (T.Occur.Must, any_of("region", filters["region"])),
            (T.Occur.Must, any_of("topic", filters["topic"])),
        ])

    def top10(self, q: str) -> list[int]:
        res = self.searcher.search(self._text_query(q), limit=10, count=False)
        return self.searcher.fast_field_values("num", [addr for _score, addr in res.hits])

    AGG = {"region": {"terms": {"field": "region", "size": 100}},
           "topic": {"terms": {"field": "topic", "size": 100}},
           "year": {"terms": {"field": "year", "size": 100}}}

    def counts(self, q: str, filters: dict | None):
        query = self._query(q, filters)
        res = self.searcher.search(query, limit=10, count=True)
        ids = self.searcher.fast_field_values("num", [addr for _score, addr in res.hits])
        agg = self.searcher.aggregate(query, self.AGG)
        facets = {k: {b["key"]: b["doc_count"] for b in v["buckets"]} for k, v in agg.items()}
        return ids, res.count, facets


class SqlitePeer(Peer):
    name = "sqlite-fts5"

    def build(self, records, path: Path) -> dict:
        path.mkdir(parents=True, exist_ok=True)
        db = path / "fts.sqlite"
        c0 = cpu_seconds()
        with Timer() as t:
            con = sqlite3.connect(db, isolation_level=None)
            con.executescript("""
                PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
                CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='unicode61');
                CREATE TABLE meta(num INTEGER PRIMARY KEY, region TEXT NOT NULL, year INTEGER NOT NULL);
                CREATE TABLE topic(num INTEGER NOT NULL, topic TEXT NOT NULL);
            """)
            con.execute("BEGIN")
            con.executemany("INSERT INTO fts(rowid, text) VALUES (?, ?)",
                            ((i, record_text(p)) for i, p in enumerate(records)))
            con.executemany("INSERT INTO meta VALUES (?, ?, ?)",
                            ((i, p.region, p.year_start) for i, p in enumerate(records)))
            con.executemany("INSERT INTO topic VALUES (?, ?)",
                            ((i, tp) for i, p in enumerate(records) for tp in p.topics))
            con.execute("CREATE INDEX meta_region ON meta(region, num)")
            con.execute("CREATE INDEX topic_topic ON topic(topic, num)")
            con.execute("CREATE INDEX topic_num ON topic(num, topic)")
            con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            con.execute("COMMIT")
            con.execute("ANALYZE")
            con.close()
        self.con = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.con.execute("PRAGMA cache_size=-262144")          # 256 MiB page cache
        return {"build_s": t.seconds, "docs_per_s": len(records) / t.seconds, "index_bytes": dir_size(path),
                "build_cpu_s": cpu_seconds() - c0}

    @staticmethod
    def _match(q: str) -> str:
        terms = query_terms(q)
        return " OR ".join('"' + w.replace('"', '""') + '"' for w in terms) if terms else '""'

    @staticmethod
    def _matches_sql(filters: dict | None) -> tuple[str, list]:
        """FROM/WHERE of the matching rows (fts.rowid), with the mode-c filter if given. CROSS
        JOIN keeps the full-text match as the outer loop (with `rowid IN (subquery)` SQLite
        probed the FTS index once per candidate row: 100x slower)."""
        if not filters:
            return "FROM fts WHERE fts MATCH ?", []
        regions, topics = filters["region"], filters["topic"]
        return (f"FROM fts CROSS JOIN meta ON meta.num = fts.rowid WHERE fts MATCH ?"
                f" AND meta.region IN ({','.join('?' * len(regions))})"
                f" AND EXISTS (SELECT 1 FROM topic WHERE topic.num = fts.rowid"
                f" AND topic.topic IN ({','.join('?' * len(topics))}))"), [*regions, *topics]

    def top10(self, q: str, filters: dict | None = None) -> list[int]:
        sql, args = self._matches_sql(filters)
        rows = self.con.execute(f"SELECT fts.rowid {sql} ORDER BY rank LIMIT 10",
                                [self._match(q), *args]).fetchall()
        return [r[0] for r in rows]

    def counts(self, q: str, filters: dict | None):
        ids = self.top10(q, filters)
        sql, args = self._matches_sql(filters)
        rows = self.con.execute(f"""
            WITH m AS MATERIALIZED (SELECT fts.rowid AS num {sql})
            SELECT 'total', NULL, count(*) FROM m
            UNION ALL SELECT 'region', region, count(*) FROM m JOIN meta USING (num) GROUP BY region
            UNION ALL SELECT 'year', year, count(*) FROM m JOIN meta USING (num) GROUP BY year
            UNION ALL SELECT 'topic', topic, count(*) FROM m JOIN topic USING (num) GROUP BY topic
        """, [self._match(q), *args]).fetchall()
        facets: dict = {"region": {}, "year": {}, "topic": {}}
        total = 0
        for kind, value, n in rows:
            if kind == "total":
                total = n
            else:
                facets[kind][value] = n
        return ids, total, facets

    def close(self):
        self.con.close()


PEERS = {"tantivy": TantivyPeer, "sqlite": SqlitePeer}
