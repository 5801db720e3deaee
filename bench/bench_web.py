"""How fast kb's pages render on the shipped corpus (in-process, Flask test client, warm).

    python bench/bench_web.py [--rounds 30]

Builds the index of corpus/ into a temporary folder, warms up, then times the search page
(empty query, words, words + two facets, Latin-typed Bulgarian, a zero-result query), the practice
page, the compare page and the JSON API; prints p50/p95/max in ms. Target (issue): the search page
"well under 100 ms" on the shipped corpus.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.config import load_config  # noqa: E402
from kb.indexer.build import update_index  # noqa: E402
from kb.web import create_app  # noqa: E402

URLS = [
    ("search: landing", "/?lang=en"),
    ("search: words", "/?q=transparencia+municipal"),
    ("search: words+facets", "/?q=e-services&region=burgas&region=badajoz&topic=e-services"),
    ("search: Latin-typed bg", "/?q=elektronni+uslugi+obshtina"),
    ("search: zero results", "/?q=zzzqqq&region=caceres"),
    ("practice page", "/practice/bu-aytos-administrative-service-centre"),
    ("compare page", "/compare?topic=citizen-participation&region=badajoz&region=burgas"),
    ("api/search", "/api/search?q=procurement"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--cached", action="store_true",
                    help="let repeated queries hit the result cache (default: measure the full work)")
    args = ap.parse_args()
    if not args.cached:
        import kb.search
        kb.search.RESULT_CACHE_SIZE = 0        # every request does the whole search
    with tempfile.TemporaryDirectory() as tmp:
        cfg = dataclasses.replace(load_config(ROOT / "config.toml"), var_dir=Path(tmp))
        update_index(cfg)
        app = create_app(cfg)
        client = app.test_client()
        for _name, url in URLS:             # warm up: searcher, dictionaries, caches
            client.get(url)
        print(f"{'page':26} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, url in URLS:
            times = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"{name:26} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")


if __name__ == "__main__":
    main()
