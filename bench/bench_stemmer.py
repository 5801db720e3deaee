#!/usr/bin/env python3
"""Benchmark kb.lang.bulgarian.stem: yardstick figures + raw (uncached) words/s.

    python bench/bench_stemmer.py [SHARED_DIR]

SHARED_DIR defaults to $KB_SHARED, else ../shared relative to the repository root.
"""
import gzip
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = "kb.lang.bulgarian:stem"


def main(argv):
    shared = argv[1] if len(argv) > 1 else os.environ.get("KB_SHARED",
                                                          os.path.join(ROOT, "..", "shared"))
    evaldir = os.path.join(shared, "eval", "stemmer")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, os.path.join(evaldir, "eval_stemmer.py"), SPEC, "--lang", "bg"],
                   cwd=ROOT, env=env, check=True)

    sys.path.insert(0, ROOT)
    from kb.lang.bulgarian import stem
    raw = getattr(stem, "__wrapped__", stem)  # bypass the lru_cache
    with gzip.open(os.path.join(evaldir, "gold", "bg_hunspell.tsv.gz"), "rt", encoding="utf-8") as fh:
        words = sorted({w for line in fh if not line.startswith("#")
                        for w in line.rstrip("\n").split("\t")[1].split(" ")})
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for w in words:
            raw(w)
        best = max(best, len(words) / (time.perf_counter() - t0))
    print("raw stem() without cache: %d distinct words, %.0f words/s (best of 3)" % (len(words), best))


if __name__ == "__main__":
    main(sys.argv)
