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


# ---------------------------------------------------------------------------------------------
# The judged collection of kb's own corpus (bench/relevance): what an official sees — the list,
# its total — scored against graded judgments of every published record.

RELEVANCE_METRICS = ("nDCG@10", "P@10", "R@20", "setP", "total")
RELEVANCE_DIR = "bench/relevance"


def load_collection(folder: Path) -> tuple[list[dict], dict[str, dict[str, int]]]:
    """(queries, {qid: {record id: grade}}) of a judged collection folder."""
    queries = _jsonl(folder / "queries.jsonl")
    for n, q in enumerate(queries, 1):
        for key in ("id", "text", "lang"):
            if not isinstance(q.get(key), str) or not q[key]:
                raise TaskError(f"{folder / 'queries.jsonl'}:{n}: {key}: missing or not a string")
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    path = folder / "qrels.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TaskError(f"{path}: cannot read: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[2] not in ("0", "1", "2"):
            raise TaskError(f"{path}:{n}: expected qid<TAB>record id<TAB>grade 0, 1 or 2")
        grades[parts[0]][parts[1]] = int(parts[2])
    return queries, grades


def score_list(ranked: list[str], total: int, matched: set[str], grades: dict[str, int]) -> dict[str, float]:
    """One query's figures. Grades are gains (2 directly relevant, 1 partly); records without a
    judgment count as not relevant. P@10 is the share of relevant records among the first ten
    results shown (fewer when the list is shorter; 0 for an empty list); setP the share of
    relevant records among every record the search reports as matching (its total)."""
    relevant = {r for r, g in grades.items() if g > 0}
    gains = sorted((g for g in grades.values() if g > 0), reverse=True)
    dcg = sum(grades.get(r, 0) / math.log2(i + 2) for i, r in enumerate(ranked[:10]))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))
    shown = ranked[:10]
    return {
        "nDCG@10": dcg / idcg if idcg else 0.0,
        "P@10": sum(r in relevant for r in shown) / len(shown) if shown else 0.0,
        "R@20": len(set(ranked[:20]) & relevant) / len(relevant) if relevant else 0.0,
        "setP": len(matched & relevant) / total if total else 0.0,
        "total": float(total),
        "relevant": float(len(relevant)),
    }


def evaluate_relevance(service: SearchService, folder: Path) -> dict:
    """Every query of the collection through the search service as the page runs it (published
    records, relevance order, the page's own matching). Returns per-query figures and the means
    overall and per query language."""
    queries, grades = load_collection(folder)
    per: dict[str, dict] = {}
    for q in queries:
        judged = grades.get(q["id"])
        if not judged:
            continue
        text = q["text"][:service.config.max_query_length]
        result = service.search(SearchRequest(q=text, page_size=20, facets=False, snippets=False))
        matched, _problems = service.all_matching(SearchRequest(q=text))
        figures = score_list([h.id for h in result.hits], result.total, {d.id for d in matched}, judged)
        figures.update(lang=q["lang"], text=q["text"], top=[h.id for h in result.hits[:10]],
                       unjudged_in_top10=sum(h.id not in judged for h in result.hits[:10]))
        per[q["id"]] = figures

    def means(rows: list[dict]) -> dict:
        n = len(rows)
        out = {k: (sum(r[k] for r in rows) / n if n else 0.0) for k in RELEVANCE_METRICS + ("relevant",)}
        out["queries"] = n
        return out

    by_lang: dict[str, list[dict]] = defaultdict(list)
    for row in per.values():
        by_lang[row["lang"]].append(row)
    return {"queries": per, "all": means(list(per.values())),
            "langs": {lang: means(rows) for lang, rows in sorted(by_lang.items())}}


def relevance_table(res: dict) -> list[str]:
    """The per-language table and the summary line `nDCG@10=… P@10=… R@20=… setP=… total=…`."""
    lines = [f"{'queries':10} {'n':>3} {'nDCG@10':>8} {'P@10':>6} {'R@20':>6} {'setP':>6} {'total':>7} {'relevant':>8}"]
    for name, row in list(res["langs"].items()) + [("all", res["all"])]:
        lines.append(f"{name:10} {row['queries']:3d} {row['nDCG@10']:8.3f} {row['P@10']:6.3f} {row['R@20']:6.3f} "
                     f"{row['setP']:6.3f} {row['total']:7.1f} {row['relevant']:8.1f}")
    a = res["all"]
    lines.append(f"nDCG@10={a['nDCG@10']:.3f} P@10={a['P@10']:.3f} R@20={a['R@20']:.3f} "
                 f"setP={a['setP']:.3f} total={a['total']:.1f}")
    return lines
