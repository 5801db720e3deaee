"""Search quality on the judged collection of kb's own corpus (bench/relevance), per query language.

    python bench/bench_relevance.py [--folder bench/relevance] [--per-query]

What an official sees: the first results (nDCG@10 with graded gains, P@10 over the results
shown), recall of the relevant records within the first 20, and the total the page reports
(match-set precision `setP`: relevant records among all the records reported as matching).
Targets (issue 14): setP ≥ 0.60, mean total ≤ 3 × mean relevant, nDCG@10 ≥ 0.75 in every
language, P@10 ≥ 0.60. Same figures as `kb eval relevance`.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.config import load_config  # noqa: E402
from kb.indexer.build import update_index  # noqa: E402
from kb.search import SearchService  # noqa: E402
from kb.search.evaluation import evaluate_relevance, relevance_table  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", default=str(ROOT / "bench" / "relevance"))
    ap.add_argument("--per-query", action="store_true")
    args = ap.parse_args()
    config = load_config(ROOT / "config.toml")
    update_index(config)
    t0 = time.perf_counter()
    res = evaluate_relevance(SearchService(config), Path(args.folder))
    if args.per_query:
        for qid, row in res["queries"].items():
            print(f"{qid} {row['lang']:8} nDCG@10 {row['nDCG@10']:.3f} P@10 {row['P@10']:.2f} R@20 {row['R@20']:.2f} "
                  f"setP {row['setP']:.2f} total {row['total']:4.0f} rel {row['relevant']:3.0f}  {row['text']}")
    for line in relevance_table(res):
        print(line)
    a = res["all"]
    print(f"targets: setP≥0.60 {'met' if a['setP'] >= 0.6 else 'NOT met'}; total≤3×relevant "
          f"{'met' if a['total'] <= 3 * a['relevant'] else 'NOT met'} ({a['total']:.1f} vs {3 * a['relevant']:.1f}); "
          f"nDCG@10≥0.75 in every language "
          f"{'met' if all(r['nDCG@10'] >= 0.75 for r in res['langs'].values()) else 'NOT met'}; "
          f"P@10≥0.60 {'met' if a['P@10'] >= 0.6 else 'NOT met'}   ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
