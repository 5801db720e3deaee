"""Agreement between the two relevance judges of kb's judged collection (standard library only).

    python3 bench/relevance/agreement.py            # figures over the sampled queries x published records
    python3 bench/relevance/agreement.py --pairs 15 # also list the 15 pairs where the judges differ most

Judge 1 is qrels.tsv (every query x every published record). Judge 2 is judge2.tsv, which grades
a sample of queries (see judge2_build.py for the sampling rule) against every published record.
The comparison covers exactly the (query, record) pairs judge 2 graded; every one of them must
also be in qrels.tsv, otherwise the script stops and names the missing pair.

Printed: Cohen's kappa on relevant (grade >= 1) vs not, Cohen's kappa on directly relevant
(grade 2) vs not, linearly weighted kappa on the three grades, raw agreement, the 3x3 confusion
matrix, the same figures per distinct need (queries sharing a need text counted once), per-query
agreement, how many of one judge's relevant records the other judge also found relevant, and the
nDCG@10 (linear gain = grade) that a ranking built from one judge's grades gets when scored with
the other judge's grades (ties inside a grade are averaged over all their orders).
"""

import argparse
import json
import math
import pathlib
import sys
from collections import defaultdict

HERE = pathlib.Path(__file__).resolve().parent
QRELS = HERE / "qrels.tsv"
JUDGE2 = HERE / "judge2.tsv"
QUERIES = HERE / "queries.jsonl"
GRADES = (0, 1, 2)


def read_tsv(path):
    grades = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[2] not in ("0", "1", "2"):
            sys.exit(f"{path.name}:{n}: expected 'qid<TAB>record_id<TAB>0|1|2', got {line!r}")
        key = (parts[0], parts[1])
        if key in grades:
            sys.exit(f"{path.name}:{n}: pair {key} appears twice")
        grades[key] = int(parts[2])
    return grades


def kappa(pairs, weight):
    """Cohen's kappa for (a, b) label pairs; weight(a, b) is the agreement weight (1 = identical)."""
    n = len(pairs)
    labels = sorted({x for p in pairs for x in p})
    ca = defaultdict(int)
    cb = defaultdict(int)
    for a, b in pairs:
        ca[a] += 1
        cb[b] += 1
    po = sum(weight(a, b) for a, b in pairs) / n
    pe = sum(weight(x, y) * ca[x] * cb[y] for x in labels for y in labels) / (n * n)
    if pe == 1:
        return float("nan")
    return (po - pe) / (1 - pe)


def exact(a, b):
    return 1.0 if a == b else 0.0


def linear(a, b):
    return 1.0 - abs(a - b) / (len(GRADES) - 1)


def figures(pairs):
    rel = [(int(a >= 1), int(b >= 1)) for a, b in pairs]
    direct = [(int(a == 2), int(b == 2)) for a, b in pairs]
    return {
        "n": len(pairs),
        "kappa_rel": kappa(rel, exact),
        "kappa_direct": kappa(direct, exact),
        "kappa_w": kappa(pairs, linear),
        "raw": sum(a == b for a, b in pairs) / len(pairs),
        "raw_rel": sum(a == b for a, b in rel) / len(rel),
    }


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def expected_ndcg(run_grades, ref_grades, k=10):
    """nDCG@k of the ranking that puts run_grades' 2s first, then its 1s (its 0s are not returned),
    scored with ref_grades; the order inside each grade group is averaged over all permutations."""
    ideal = sorted(ref_grades.values(), reverse=True)[:k]
    idcg = dcg(ideal)
    if idcg == 0:
        return None
    total, pos = 0.0, 0
    for g in (2, 1):
        group = [r for r, x in run_grades.items() if x == g]
        if not group:
            continue
        mean_gain = sum(ref_grades[r] for r in group) / len(group)
        for i in range(pos, min(pos + len(group), k)):
            total += mean_gain / math.log2(i + 2)
        pos += len(group)
    return total / idcg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10, help="how many disagreeing pairs to list")
    args = ap.parse_args()

    j1 = read_tsv(QRELS)
    j2 = read_tsv(JUDGE2)
    queries = {}
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            queries[q["id"]] = q
    missing = [k for k in j2 if k not in j1]
    if missing:
        sys.exit(f"judge2.tsv has {len(missing)} pairs that qrels.tsv lacks, e.g. {missing[0]}")
    unknown = sorted({q for q, _ in j2} - set(queries))
    if unknown:
        sys.exit(f"judge2.tsv names queries that are not in queries.jsonl: {unknown}")

    qids = sorted({q for q, _ in j2})
    records = sorted({r for _, r in j2})
    pairs = [(j1[k], j2[k]) for k in sorted(j2)]

    print(f"Sample: {len(qids)} queries x {len(records)} published records = {len(pairs)} pairs")
    by_lang = defaultdict(list)
    for q in qids:
        by_lang[queries[q]["lang"]].append(q)
    for lang in sorted(by_lang):
        print(f"  {lang:9} " + " ".join(f"{q}({queries[q]['kind']})" for q in by_lang[lang]))

    # Distinct needs: queries sharing a need text are graded identically by both judges' design.
    need_of = {q: queries[q]["need"] for q in qids}
    needs = sorted(set(need_of.values()), key=lambda t: min(q for q in qids if need_of[q] == t))
    need_rep = {t: min(q for q in qids if need_of[q] == t) for t in needs}
    for q in qids:
        rep = need_rep[need_of[q]]
        for r in records:
            for name, j in (("judge 1", j1), ("judge 2", j2)):
                if j[(q, r)] != j[(rep, r)]:
                    print(f"  note: {name} grades {q} and {rep} (same need) differently for {r}")
    need_pairs = [(j1[(need_rep[t], r)], j2[(need_rep[t], r)]) for t in needs for r in records]

    print()
    print(f"{'':34} {'all query pairs':>16} {'distinct needs':>15}")
    fa, fn = figures(pairs), figures(need_pairs)
    print(f"{'pairs':34} {fa['n']:16d} {fn['n']:15d}")
    for key, label in (("kappa_rel", "kappa, relevant (>=1) vs not"),
                       ("kappa_direct", "kappa, directly relevant (2) vs not"),
                       ("kappa_w", "weighted kappa (linear), 0/1/2"),
                       ("raw", "raw agreement, 0/1/2"),
                       ("raw_rel", "raw agreement, relevant vs not")):
        print(f"{label:34} {fa[key]:16.3f} {fn[key]:15.3f}")

    print()
    print("Confusion matrix (all query pairs): rows judge 1, columns judge 2")
    cm = defaultdict(int)
    for a, b in pairs:
        cm[(a, b)] += 1
    print(f"{'':12}" + "".join(f"{'J2=' + str(g):>8}" for g in GRADES) + f"{'total':>8}")
    for a in GRADES:
        print(f"{'J1=' + str(a):12}" + "".join(f"{cm[(a, b)]:8d}" for b in GRADES)
              + f"{sum(cm[(a, b)] for b in GRADES):8d}")
    print(f"{'total':12}" + "".join(f"{sum(cm[(a, b)] for a in GRADES):8d}" for b in GRADES)
          + f"{len(pairs):8d}")

    print()
    print("Per query (rel = grade >= 1; both = relevant for both judges)")
    print(f"{'qid':5} {'lang':8} {'kind':8} {'agree':>6} {'kappa':>6} {'J1 rel':>6} {'J2 rel':>6} "
          f"{'both':>5} {'J1 2s':>5} {'J2 2s':>5} {'nDCG J2->J1':>11} {'nDCG J1->J2':>11}  query")
    tot = defaultdict(float)
    ndcg_12, ndcg_21 = [], []
    for q in qids:
        g1 = {r: j1[(q, r)] for r in records}
        g2 = {r: j2[(q, r)] for r in records}
        qp = [(g1[r], g2[r]) for r in records]
        agree = sum(a == b for a, b in qp) / len(qp)
        rel = [(int(a >= 1), int(b >= 1)) for a, b in qp]
        k = kappa(rel, exact)
        r1 = sum(a for a, _ in rel)
        r2 = sum(b for _, b in rel)
        both = sum(a and b for a, b in rel)
        d1 = sum(a == 2 for a, _ in qp)
        d2 = sum(b == 2 for _, b in qp)
        n21 = expected_ndcg(g2, g1)
        n12 = expected_ndcg(g1, g2)
        if n21 is not None:
            ndcg_21.append(n21)
        if n12 is not None:
            ndcg_12.append(n12)
        for key, v in (("r1", r1), ("r2", r2), ("both", both), ("d1", d1), ("d2", d2)):
            tot[key] += v
        tot["d_both"] += sum(a == 2 and b == 2 for a, b in qp)
        fmt = lambda x: "   n/a" if x is None or math.isnan(x) else f"{x:6.2f}"
        print(f"{q:5} {queries[q]['lang']:8} {queries[q]['kind']:8} {agree:6.3f} {fmt(k)} {r1:6d} {r2:6d} "
              f"{both:5d} {d1:5d} {d2:5d} {fmt(n21):>11} {fmt(n12):>11}  {queries[q]['text']}")

    print()
    print("What the disagreements mean for scores (all query pairs)")
    print(f"  judge 1 relevant (>=1): {int(tot['r1'])}; judge 2 also relevant: {int(tot['both'])} "
          f"({tot['both'] / tot['r1']:.1%})")
    print(f"  judge 2 relevant (>=1): {int(tot['r2'])}; judge 1 also relevant: {int(tot['both'])} "
          f"({tot['both'] / tot['r2']:.1%})")
    print(f"  judge 1 directly relevant (2): {int(tot['d1'])}; judge 2 also 2: {int(tot['d_both'])} "
          f"({tot['d_both'] / tot['d1']:.1%}); judge 2 >= 1: "
          f"{sum(1 for k in j2 if j1[k] == 2 and j2[k] >= 1)}")
    print(f"  judge 2 directly relevant (2): {int(tot['d2'])}; judge 1 also 2: {int(tot['d_both'])} "
          f"({tot['d_both'] / tot['d2']:.1%}); judge 1 >= 1: "
          f"{sum(1 for k in j2 if j2[k] == 2 and j1[k] >= 1)}")
    print(f"  mean nDCG@10 of judge 2's ranking scored by judge 1: {sum(ndcg_21) / len(ndcg_21):.3f} "
          f"(min {min(ndcg_21):.3f})")
    print(f"  mean nDCG@10 of judge 1's ranking scored by judge 2: {sum(ndcg_12) / len(ndcg_12):.3f} "
          f"(min {min(ndcg_12):.3f})")

    print()
    print(f"Largest disagreements (by grade difference, distinct needs; up to {args.pairs})")
    diffs = [(abs(j1[(need_rep[t], r)] - j2[(need_rep[t], r)]), need_rep[t], r)
             for t in needs for r in records if j1[(need_rep[t], r)] != j2[(need_rep[t], r)]]
    diffs.sort(key=lambda x: (-x[0], x[1], x[2]))
    print(f"  {len(diffs)} need x record pairs differ; {sum(d == 2 for d, _, _ in diffs)} by two grades")
    for d, q, r in diffs[: args.pairs]:
        print(f"  {q} J1={j1[(q, r)]} J2={j2[(q, r)]}  {r}  [{queries[q]['text']}]")


if __name__ == "__main__":
    main()
