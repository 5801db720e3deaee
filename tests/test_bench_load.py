"""The load benchmark's log of distinct searches is the same on every run (its figures compare
runs), whatever Python's hash seed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ("from bench.load.__main__ import distinct_search_paths; from kb.config import load_config; "
          "print('\\n'.join(distinct_search_paths(load_config(), 200)))")


def test_distinct_search_paths_do_not_depend_on_the_hash_seed():
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True,
                           env=dict(os.environ, PYTHONHASHSEED=seed)).stdout.split()
            for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 200
