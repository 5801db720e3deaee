"""Retrieval evaluation: index a task's documents with kb's real analyzers and query path, score it.

A task folder holds docs.jsonl {id, text, lang}, queries.jsonl {id, text, lang, split} and
qrels.tsv (`qid 0 docid rel`). Metrics follow ../shared/eval/retrieval/eval_retrieval.py:
MRR@10, nDCG@10 (binary), R@10, R@100, averaged over queries with at least one relevant doc.
"""
from __future__ import annotations

import dataclasses
import json
import math
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from kb.config import Config
from kb.indexer.build import build_generation
from kb.indexer.schema import SPELL_FIELD, STORED_FIELD, StoredRecord, text_field
from kb.search.request import SearchRequest
from kb.search.service import SearchService

METRICS = ("MRR@10", "nDCG@10", "R@10", "R@100")


class TaskError(ValueError):
    """The task folder is missing a file or holds malformed lines."""


def _jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TaskError(f"{path}: cannot read: {exc.strerror}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise TaskError(f"{path}:{n}: invalid JSON: {exc.msg}") from None
    return out


def load_task(task_dir: Path, split: str = "dev"):
    docs = _jsonl(task_dir / "docs.jsonl")
    queries = _jsonl(task_dir / "queries.jsonl")
    if split != "all":
        queries = [q for q in queries if q.get("split") == split]
    qrels: dict[str, set[str]] = defaultdict(set)
    try:
        for line in (task_dir / "qrels.tsv").read_text(encoding="utf-8").splitlines():
            p = line.split()
            if len(p) >= 4 and int(p[3]) > 0:
                qrels[p[0]].add(p[2])
    except OSError as exc:
        raise TaskError(f"{task_dir / 'qrels.tsv'}: cannot read: {exc.strerror}") from None
    return docs, queries, qrels


def score_query(ranked: list[str], rel: set[str]) -> dict[str, float]:
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if d in rel), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in rel)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    return {"MRR@10": rr, "nDCG@10": dcg / idcg if idcg else 0.0,
            "R@10": len(set(ranked[:10]) & rel) / len(rel), "R@100": len(set(ranked[:100]) & rel) / len(rel)}


def task_document(doc: dict, lang: str) -> dict:
    """An index document for an evaluation text: body in its language, neutral facet values."""
    text = doc["text"]
    record = StoredRecord(id=str(doc["id"]), title="", lang=lang, region="partnership", country="eu",
                          year_start=2000, doctype="report", organisation_type="partnership",
                          body=text)
    return {
        "id": record.id, "hash": "", "title_sort": "", "date_sort": 0, "year": record.year_start,
        "year_end": record.year_start, "region": record.region, "country": record.country,
        "lang": lang, "doctype": record.doctype, "organisation_type": record.organisation_type,
        "status": record.status, text_field("body", lang): text, SPELL_FIELD: text,
        STORED_FIELD: record.to_stored(),
    }


def evaluate(config: Config, task_dir: Path, split: str = "dev", progress: bool = False,
             query_transform=None) -> dict:
    """Index the task into a temporary folder and run every query through SearchService."""
    docs, queries, qrels = load_task(task_dir, split)
    langs = set(config.content_languages)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        cfg = dataclasses.replace(config, var_dir=Path(tmp))
        t0 = time.perf_counter()
        build_generation(cfg, (task_document(d, d.get("lang") if d.get("lang") in langs else "en")
                               for d in docs), len(docs), progress)
        t1 = time.perf_counter()
        service = SearchService(cfg)
        per = {}
        for q in queries:
            rel = qrels.get(q["id"])
            if not rel:
                continue
            text = q["text"] if query_transform is None else query_transform(q["text"])
            # the ranking only: no facet counts, no snippets (the same query and scores)
            result = service.search(SearchRequest(q=text[:config.max_query_length], page_size=100,
                                                  sort="relevance", facets=False, snippets=False))
            per[q["id"]] = score_query([h.id for h in result.hits], rel)
        t2 = time.perf_counter()
        service.store.close()
    n = len(per)
    res = {k: (sum(v[k] for v in per.values()) / n if n else 0.0) for k in METRICS}
    res.update(task=task_dir.name, split=split, n_queries=n, n_docs=len(docs),
               index_s=round(t1 - t0, 2), ms_per_query=round(1000 * (t2 - t1) / max(1, n), 1))
    return res
