"""Build and check kb's judged relevance collection (standard library only).

    python bench/relevance/check.py build   # judgments-by-record.txt -> qrels.tsv
    python bench/relevance/check.py         # check qrels.tsv and print the collection's figures

Needs are numbered N01, N02, ... in the order their need text first appears in queries.jsonl;
queries that share a need text share a need number and therefore get identical judgments.
The check exits with status 1 and names the problem if anything is inconsistent.
"""

import json
import pathlib
import re
import statistics
import sys
import tomllib
from collections import Counter, defaultdict

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
QUERIES = HERE / "queries.jsonl"
JUDGMENTS = HERE / "judgments-by-record.txt"
QRELS = HERE / "qrels.tsv"
LANGS = ("bg", "bg-latn", "es", "es-noacc", "en")
KINDS = ("topic", "specific", "cross")


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_queries():
    queries = []
    for n, line in enumerate(QUERIES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"{QUERIES.name}:{n}: not JSON ({e})")
        for field in ("id", "text", "lang", "kind", "need", "topics"):
            if field not in q:
                fail(f"{QUERIES.name}:{n}: missing field {field!r}")
        if q["lang"] not in LANGS:
            fail(f"{QUERIES.name}:{n}: lang {q['lang']!r} not one of {LANGS}")
        if q["kind"] not in KINDS:
            fail(f"{QUERIES.name}:{n}: kind {q['kind']!r} not one of {KINDS}")
        queries.append(q)
    ids = [q["id"] for q in queries]
    if len(set(ids)) != len(ids):
        fail(f"{QUERIES.name}: duplicate query ids")
    return queries


def need_numbers(queries):
    """need text -> 'Nxx', and query id -> 'Nxx'."""
    by_text = {}
    for q in queries:
        by_text.setdefault(q["need"], f"N{len(by_text) + 1:02d}")
    return by_text, {q["id"]: by_text[q["need"]] for q in queries}


def load_records():
    """id -> status for every record in corpus/*/*.md."""
    records = {}
    for path in sorted((ROOT / "corpus").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        parts = text.split("+++", 2)
        if len(parts) < 3:
            continue
        meta = tomllib.loads(parts[1])
        records[meta["id"]] = meta["status"]
    return records


def topic_ids():
    cfg = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    return {t["id"] for t in cfg["topics"]}


def build():
    queries = load_queries()
    by_text, qneed = need_numbers(queries)
    valid = set(by_text.values())
    grades = {}
    for n, line in enumerate(JUDGMENTS.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rid, *items = line.split()
        if rid in grades:
            fail(f"{JUDGMENTS.name}:{n}: record {rid} judged twice")
        g = {}
        for item in items:
            m = re.fullmatch(r"(N\d\d):([12])", item)
            if not m or m.group(1) not in valid:
                fail(f"{JUDGMENTS.name}:{n}: bad judgment {item!r}")
            if m.group(1) in g:
                fail(f"{JUDGMENTS.name}:{n}: {m.group(1)} graded twice for {rid}")
            g[m.group(1)] = int(m.group(2))
        grades[rid] = g
    records = load_records()
    published = sorted(r for r, s in records.items() if s == "published")
    missing = [r for r in published if r not in grades]
    if missing:
        fail(f"published records not judged: {', '.join(missing)}")
    extra = [r for r in grades if records.get(r) != "published"]
    if extra:
        fail(f"judged records that are not published records: {', '.join(extra)}")
    with QRELS.open("w", encoding="utf-8") as out:
        for q in queries:
            for rid in published:
                out.write(f"{q['id']}\t{rid}\t{grades[rid].get(qneed[q['id']], 0)}\n")
    print(f"wrote {QRELS.name}: {len(queries)} queries x {len(published)} records")


def check():
    queries = load_queries()
    qids = {q["id"] for q in queries}
    _, qneed = need_numbers(queries)
    tids = topic_ids()
    for q in queries:
        unknown = set(q["topics"]) - tids
        if unknown:
            fail(f"query {q['id']}: unknown topics {sorted(unknown)}")
    records = load_records()
    published = {r for r, s in records.items() if s == "published"}
    qrels = defaultdict(dict)
    for n, line in enumerate(QRELS.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 3:
            fail(f"{QRELS.name}:{n}: expected 3 tab-separated fields")
        qid, rid, grade = parts
        if qid not in qids:
            fail(f"{QRELS.name}:{n}: query {qid} not in {QUERIES.name}")
        if rid not in records:
            fail(f"{QRELS.name}:{n}: record {rid} not in the corpus")
        if rid not in published:
            fail(f"{QRELS.name}:{n}: record {rid} is a draft (drafts are not judged)")
        if grade not in ("0", "1", "2"):
            fail(f"{QRELS.name}:{n}: grade {grade!r} not 0, 1 or 2")
        if rid in qrels[qid]:
            fail(f"{QRELS.name}:{n}: pair {qid} {rid} judged twice")
        qrels[qid][rid] = int(grade)
    for qid in sorted(qids):
        missing = published - set(qrels[qid])
        if missing:
            fail(f"query {qid}: {len(missing)} published records not judged, e.g. {min(missing)}")
    groups = defaultdict(list)
    for q in queries:
        groups[qneed[q["id"]]].append(q["id"])
    shared = {n: ids for n, ids in groups.items() if len(ids) > 1}
    for n, ids in shared.items():
        first = qrels[ids[0]]
        for other in ids[1:]:
            if qrels[other] != first:
                fail(f"{ids[0]} and {other} share need {n} but their judgments differ")
    for q in queries:
        if len({qq["lang"] for qq in queries if qneed[qq["id"]] == qneed[q["id"]]}) != len(groups[qneed[q["id"]]]):
            fail(f"need {qneed[q['id']]} is expressed twice in the same language")

    # ---- figures
    print(f"queries: {len(queries)}; needs: {len(groups)} ({len(shared)} expressed in 2-3 languages,"
          f" {sum(len(v) for v in shared.values())} queries)")
    print(f"published records judged per query: {len(published)}; judged pairs: {sum(len(v) for v in qrels.values())}")
    print(f"drafts not judged: {sum(1 for s in records.values() if s != 'published')}")
    print("queries per language:", dict(Counter(q["lang"] for q in queries)))
    print("queries per kind:    ", dict(Counter(q["kind"] for q in queries)))
    lang_kind = Counter((q["lang"], q["kind"]) for q in queries)
    print("language x kind:")
    print("  " + " " * 9 + "".join(f"{k:>9}" for k in KINDS))
    for lang in LANGS:
        print(f"  {lang:<9}" + "".join(f"{lang_kind[(lang, k)]:>9}" for k in KINDS))

    def stats(label, values):
        zero = sum(1 for v in values if v == 0)
        print(f"{label}: mean {statistics.mean(values):.1f}, median {statistics.median(values):g},"
              f" min {min(values)}, max {max(values)}, queries with none {zero}")

    rel = [sum(1 for g in qrels[q["id"]].values() if g >= 1) for q in queries]
    rel2 = [sum(1 for g in qrels[q["id"]].values() if g == 2) for q in queries]
    rel1 = [sum(1 for g in qrels[q["id"]].values() if g == 1) for q in queries]
    stats("relevant records per query (grade 1 or 2)", rel)
    stats("directly relevant per query (grade 2)     ", rel2)
    stats("partly relevant per query (grade 1)       ", rel1)
    print("relevant per query by language (mean grade>=1 / mean grade 2):")
    for lang in LANGS:
        ids = [i for i, q in enumerate(queries) if q["lang"] == lang]
        print(f"  {lang:<9} {statistics.mean(rel[i] for i in ids):5.1f} / {statistics.mean(rel2[i] for i in ids):4.1f}")
    print("relevant per query by kind:")
    for kind in KINDS:
        ids = [i for i, q in enumerate(queries) if q["kind"] == kind]
        print(f"  {kind:<9} {statistics.mean(rel[i] for i in ids):5.1f} / {statistics.mean(rel2[i] for i in ids):4.1f}")
    none2 = [q["id"] for i, q in enumerate(queries) if rel2[i] == 0]
    print(f"queries with no grade-2 record: {len(none2)} {none2}")
    grades = Counter(g for v in qrels.values() for g in v.values())
    print("grade distribution over all pairs:", dict(sorted(grades.items())))
    relevant_records = {r for v in qrels.values() for r, g in v.items() if g >= 1}
    print(f"published records relevant (>=1) to at least one query: {len(relevant_records)} of {len(published)}")
    print("ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["build"]:
        build()
    elif not sys.argv[1:]:
        check()
    else:
        fail("usage: check.py [build]")
