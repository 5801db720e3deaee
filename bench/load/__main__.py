"""Load test on loopback: gunicorn as `make run` starts it, driven by wrk from another process.

    python -m bench.load [--seconds 10] [--connections 8] [--records 10000]

Starts kb (`gunicorn 'kb.web:create_app()'`, workers from config.toml) on a free port with the
shipped corpus indexed into a temporary var/, and a bare Flask endpoint in the same way; runs wrk
(Debian's `wrk`) against the search page, the API and the practice page for a bounded time each;
prints req/s, p50/p95/p99 latency, errors, and each page's ratio to the bare endpoint.
The last row walks through 3,000 different search URLs (words of the corpus, some with a region
filter), so that kb's page and result caches cannot answer: the cost of a search nobody asked
before, and the row after it does the same through /api/search. With --records N the shipped
corpus is copied N / 130 times (ids and their links changed) into a temporary corpus first.
Only 127.0.0.1 is ever targeted; every run stops by itself.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("search page", "/?q=transparencia+municipal&region=badajoz&region=burgas"),
    ("search page, Latin bg", "/?q=elektronni+uslugi"),
    ("API search", "/api/search?q=procurement"),
    ("practice page", "/practice/bu-aytos-administrative-service-centre"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                             "--log-level", "warning", app], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{app} did not start: {proc.stderr.read().decode()[-2000:]}")


def copy_corpus(config, target: Path, records: int) -> int:
    """The shipped corpus copied into `target` until it holds `records` records (each copy's ids
    and related links get a suffix), so a larger index has the real texts' vocabulary."""
    from kb.records.corpus import load_corpus, write_atomic
    from kb.records.model import dump_practice
    practices = load_corpus(config).practices
    chosen = [(copy, p) for copy in range(records // len(practices) + 1) for p in practices][:records]

    def new_id(pid: str, copy: int) -> str:
        return pid if not copy else f"{pid[:70]}-c{copy}"

    ids = {new_id(p.id, copy) for copy, p in chosen}
    for copy, p in chosen:
        q = dataclasses.replace(p, id=new_id(p.id, copy),
                                related=[r for r in (new_id(r, copy) for r in p.related) if r in ids])
        write_atomic(target / q.region / f"{q.id}.md", dump_practice(q))
    return len(chosen)


def distinct_search_paths(config, n: int = 3000, seed: int = 7, prefix: str = "/?") -> list[str]:
    """n different search-page URLs: one or two words of the corpus's titles and summaries (all
    three languages), a third of them with a region filter - a log where nothing repeats."""
    import random
    from urllib.parse import urlencode
    from kb.records.corpus import load_corpus
    words = set()
    for p in load_corpus(config).practices:
        for text in (p.title, p.summary, p.title_en, p.summary_en):
            words.update(w.lower() for w in re.findall(r"\w{5,}", text or "") if not w.isdigit())
    words = sorted(words)
    regions = [r.id for r in config.regions]
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        params = [("q", " ".join(rng.sample(words, rng.choice((1, 2)))))]
        if rng.random() < 0.33:
            params.append(("region", rng.choice(regions)))
        out.add(prefix + urlencode(params))
    paths = sorted(out)         # (a set's order changes with the hash seed: the same log every run)
    rng.shuffle(paths)
    return paths


def rotation_script(paths: list[str], tmp: str, name: str = "rotate.lua") -> str:
    """A wrk script that walks through `paths` (each wrk thread from its own starting point)."""
    lua = ["local paths = {"] + [f'  "{p}",' for p in paths] + ["}"]
    lua += ["local counter = 0",
            "setup = function(thread) thread:set('start', counter * 100003); counter = counter + 1 end",
            "local i = 0",
            "init = function(args) i = start or 0 end",
            "request = function() i = i + 1; return wrk.format('GET', paths[(i % #paths) + 1]) end"]
    lua.append((HERE / "report.lua").read_text(encoding="utf-8"))
    path = Path(tmp) / name
    path.write_text("\n".join(lua), encoding="utf-8")
    return str(path)


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", script or str(HERE / "report.lua"), url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r"KB_RESULT (.*)", out)
    if not m:
        raise SystemExit(f"wrk gave no result for {url}:\n{out}")
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--records", type=int, default=0, help="copy the shipped corpus to this many records")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    from kb.config import load_config
    from kb.indexer.build import update_index
    tmp = tempfile.mkdtemp(prefix="kb-load-")
    cfg_text = (ROOT / "config.toml").read_text(encoding="utf-8")
    corpus_dir = ROOT / "corpus"
    if args.records:
        shipped = load_config(ROOT / "config.toml")
        corpus_dir = Path(tmp) / "corpus"
        copied = copy_corpus(shipped, corpus_dir, args.records)
        print(f"corpus: {copied:,} records (the shipped corpus copied, ids changed)")
    cfg_text = cfg_text.replace('var = "var"', f'var = "{tmp}"').replace('corpus = "corpus"', f'corpus = "{corpus_dir}"')
    cfg_path = Path(tmp) / "config.toml"
    cfg_path.write_text(cfg_text, encoding="utf-8")
    config = load_config(cfg_path)
    summary = update_index(config)
    print(summary.line())
    env = dict(os.environ, KB_CONFIG=str(cfg_path))
    kb_port, bare_port = free_port(), free_port()
    procs = []
    try:
        procs.append(start("kb.web:create_app()", kb_port, config.workers, env))
        procs.append(start("bench.load.bare_app:create_app()", bare_port, config.workers, env))
        print(f"gunicorn, {config.workers} workers each; wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1")
        bare = wrk(f"http://127.0.0.1:{bare_port}/", args.seconds, args.connections)
        print(f"{'endpoint':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}")
        print(f"{'bare Flask endpoint':24} {bare['rps']:8.1f} {bare['p50']:8.2f} {bare['p95']:8.2f} {bare['p99']:8.2f} {int(bare['errors']):7d} {'1.00':>8}")
        runs = [(name, path, None) for name, path in PAGES]
        paths = distinct_search_paths(config)
        runs.append((f"search, {len(paths):,} URLs", "/", rotation_script(paths, tmp)))
        api_paths = distinct_search_paths(config, prefix="/api/search?")
        runs.append((f"API, {len(api_paths):,} URLs", "/api/search", rotation_script(api_paths, tmp, "api.lua")))
        for name, path, script in runs:
            r = wrk(f"http://127.0.0.1:{kb_port}{path}", args.seconds, args.connections, script)
            print(f"{name:24} {r['rps']:8.1f} {r['p50']:8.2f} {r['p95']:8.2f} {r['p99']:8.2f} {int(r['errors']):7d} {r['rps'] / bare['rps']:8.2f}", flush=True)
        print(f"The first rows repeat one URL (kb answers from its page cache after the first request); "
              f"the last walks {len(paths):,} different searches, so nearly every request computes "
              f"its answer and renders its page.")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
