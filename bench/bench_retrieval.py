"""Retrieval quality on ../shared/eval/retrieval (dev queries), against the issue's targets.

    python bench/bench_retrieval.py [--shared ../shared] [--tasks a,b]

Runs kb's real indexing and query path (`kb.search.evaluation.evaluate`) on each task, plus the
Bulgarian tasks with their queries romanised (official 2009 system) to measure Latin-typed
Bulgarian, and prints one table. Takes a few minutes (the +wiki task indexes 8,208 docs).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.config import load_config  # noqa: E402
from kb.search.evaluation import evaluate  # noqa: E402
from kb.lang.translit import to_latin  # noqa: E402

# task -> (metric, target, baseline from ../shared/eval/README.md)
TARGETS = {
    "ntrex-bg.head2chunk+wiki": ("nDCG@10", 0.68, 0.582),
    "ntrex-bg.head2doc": ("nDCG@10", None, 0.883),
    "ntrex-en.head2doc": ("nDCG@10", None, None),
    "ntrex-es.head2doc": ("nDCG@10", None, None),
    "xquad-es.q": ("MRR@10", 0.97, 0.958),
    "xquad-en.q": ("MRR@10", 0.97, 0.953),
    "ntrex-es2bg.head2doc": ("MRR@10", 0.45, 0.196),
    "ntrex-en2bg.head2doc": ("MRR@10", 0.45, 0.211),
}
ROMANISED = ("ntrex-bg.head2doc", "ntrex-bg.head2chunk+wiki")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--tasks", default=",".join(TARGETS))
    ap.add_argument("--no-romanised", action="store_true")
    args = ap.parse_args()
    base = Path(args.shared) / "eval" / "retrieval"
    config = load_config(ROOT / "config.toml")
    runs = [(t, False) for t in args.tasks.split(",")]
    if not args.no_romanised:
        runs += [(t, True) for t in ROMANISED if t in args.tasks.split(",")]
    print(f"{'task':34} {'MRR@10':>7} {'nDCG@10':>8} {'R@10':>6} {'R@100':>6}  target          ms/q")
    for task, romanised in runs:
        t0 = time.perf_counter()
        res = evaluate(config, base / task, "dev", query_transform=to_latin if romanised else None)
        metric, target, baseline = TARGETS.get(task, ("MRR@10", None, None))
        name = task + (" (Latin-typed)" if romanised else "")
        verdict = ""
        if target is not None and not romanised:
            verdict = f"{metric}≥{target} {'met' if res[metric] >= target else 'NOT met'}"
        elif baseline is not None and not romanised:
            verdict = f"baseline {baseline}"
        print(f"{name:34} {res['MRR@10']:7.3f} {res['nDCG@10']:8.3f} {res['R@10']:6.3f} {res['R@100']:6.3f}  "
              f"{verdict:15} {res['ms_per_query']:5.0f}   ({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
