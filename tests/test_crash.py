"""Crash safety with real processes: kill -9 `kb index` at random moments, then check that the
site still serves, search works, the corpus is intact and the interrupted work simply repeats."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kb.config import load_config
from kb.records.corpus import load_corpus
from kb.indexer.build import current_generation, update_index
from kb.search import SearchRequest, SearchService
from tests.conftest import ROOT

KILLS = int(os.environ.get("KB_CRASH_KILLS", "6"))


@pytest.fixture()
def project(tmp_path):
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    return tmp_path


def _kb(project, *args):
    return subprocess.Popen([sys.executable, "-m", "kb.cli", *args], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _serves(cfg) -> int:
    svc = SearchService(cfg)
    total = svc.search(SearchRequest()).total
    assert svc.search(SearchRequest(q="transparencia")).total > 0
    return total


def test_kill_9_during_full_builds_leaves_a_serving_index(project):
    cfg = load_config(project / "config.toml")
    update_index(cfg)
    published = _serves(cfg)
    rng = random.Random(1234)
    for _ in range(KILLS):
        proc = _kb(project, "index", "--rebuild")
        time.sleep(rng.uniform(0.3, 2.5))       # interpreter start-up is ~0.3 s of this
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert current_generation(cfg) is not None
        assert _serves(cfg) == published
    assert load_corpus(cfg).ok
    # debris of killed builds is hidden (.gen-*) and does not serve; a new build cleans up
    summary = update_index(cfg, rebuild=True)
    assert summary.total == len(load_corpus(cfg).practices)
    assert _serves(cfg) == published


def test_kill_9_during_incremental_updates_then_repeat(project):
    cfg = load_config(project / "config.toml")
    update_index(cfg)
    rng = random.Random(99)
    changed = sorted((project / "corpus" / "badajoz").glob("*.md"))[:10]
    for i in range(KILLS):
        for path in changed:                    # touch ten records so the update has work to do
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("+++\n\n", f"+++\n\nmarcador{i}x.\n\n", 1), encoding="utf-8")
        proc = _kb(project, "index")
        time.sleep(rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _serves(cfg)
        out = subprocess.run([sys.executable, "-m", "kb.cli", "index"], cwd=project, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        svc = SearchService(cfg)
        assert svc.search(SearchRequest(q=f"marcador{i}x", expand=False)).total == len(changed)
    assert subprocess.run([sys.executable, "-m", "kb.cli", "check"], cwd=project,
                          capture_output=True).returncode == 0


def test_a_corrupted_index_is_rebuilt_from_the_corpus_with_a_clear_message(project):
    cfg = load_config(project / "config.toml")
    update_index(cfg)
    gen = current_generation(cfg)
    for f in gen.iterdir():
        if f.suffix in (".seg", ".toc") or f.name.endswith(".toc"):
            f.write_bytes(b"\x00garbage")
    out = subprocess.run([sys.executable, "-m", "kb.cli", "index"], cwd=project, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "unreadable" in out.stderr and "rebuilding it from the corpus" in out.stderr
    assert _serves(cfg) > 100
