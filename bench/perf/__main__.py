"""kb performance benchmark: build, incremental update, query latency and memory, against peers.

    python -m bench.perf                          # sizes 1000,10000,100000, 200 queries
    python -m bench.perf --quick                  # sizes 1000,10000, 100 queries
    python -m bench.perf --sizes 100000 --budget 0 --keep
    python -m bench.perf --report                 # reprint the tables of the last JSON results

For each size, in a fresh temporary var/ folder:
  1. generate the records (bench/perf/corpus.py; rate reported) and the queries;
  2. kb full build in a child process (bench/perf/kbrun.py build): docs/s, peak RSS, index size;
  3. kb queries in another child process holding one SearchService (kbrun.py query): modes a, b,
     b20, c (p50/p95/p99), RSS after the queries, incremental-update visibility; at --profile-size
     (10k) a cProfile pass of mode b whose top entries are printed;
  4. tantivy and SQLite FTS5 (bench/perf/peers.py) index the same records in this process and run
     the same queries; kb's ratio to each peer per mode is printed.
Tables go to stdout, JSON to bench/results/perf-<size>.json (git-ignored).

Time budget (--budget, default 1800 s for the whole run; 0 = none): before each size the kb
build and query times are extrapolated linearly from the previous size. If they do not fit, the
kb build is run time-boxed (stopped at its share; the documents/s reached before the stop are
reported, and kb's query figures for that size are skipped), unless a cached index built by the
same kb code for the same records exists in bench/results/index-cache/ (saved after every
complete build of >= --cache-min records): then that index is copied into the fresh var/ folder,
queries are measured on it, and the build figures shown are the cached run's, marked so.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.perf import corpus
from bench.perf.kbrun import MODE_LABELS, MODES
from bench.perf.peers import PEERS
from bench.perf.util import RESULTS, ROOT, Timer, load_average, mib, proc_status

CACHE = RESULTS / "index-cache"
TARGETS = [   # (label, size, path into the size's result, limit, unit) - the lead's targets
    ("search+facets (b) p95", 10_000, ("kb", "query", "modes", "b", "p95"), 25, "ms"),
    ("filtered+facets (c) p95", 10_000, ("kb", "query", "modes", "c", "p95"), 15, "ms"),
    ("search+facets (b) p95", 100_000, ("kb", "query", "modes", "b", "p95"), 150, "ms"),
    ("top-10 (a) p95", 100_000, ("kb", "query", "modes", "a", "p95"), 60, "ms"),
    ("top-10, cold worker (ac) p95", 100_000, ("kb", "query", "modes", "ac", "p95"), 60, "ms"),
    ("build docs/s", 100_000, ("kb", "build", "docs_per_s"), 600, "docs/s (min)"),
    ("incremental visible (max)", None, ("kb", "query", "incremental_max_visible_s"), 1.0, "s"),
    ("worker RSS after queries", 100_000, ("kb", "query", "memory", "after_queries", "VmRSS"),
     2**30, "bytes"),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- fingerprints / cache

def kb_fingerprint(n: int, seed: int, zipf_s: float) -> str:
    """Identifies an index: kb's indexing code, config, the generator and its inputs, Whoosh."""
    h = hashlib.sha256()
    # the modules that decide what the index holds (the write side and the language facts)
    files = sorted((ROOT / "kb" / "indexer").glob("*.py")) + sorted((ROOT / "kb" / "lang").glob("*.py")) + [
        ROOT / "kb" / "records" / "model.py", ROOT / "kb" / "config.py", ROOT / "config.toml",
        ROOT / "bench" / "perf" / "corpus.py"] + sorted((ROOT / "corpus").rglob("*.md"))
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    for path in corpus.HUNSPELL.values():
        h.update(f"{path}:{Path(path).is_file()}".encode())
    from importlib.metadata import version
    h.update(f"whoosh3={version('whoosh3')};n={n};seed={seed};s={zipf_s}".encode())
    return h.hexdigest()[:16]


def cache_dir(fp: str, n: int) -> Path:
    return CACHE / f"{n}-{fp}"


def save_cache(var: Path, build: dict, fp: str, n: int) -> None:
    dst = cache_dir(fp, n)
    if dst.exists():
        return
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copytree(var / "index" / build["generation"], tmp / build["generation"])
    (tmp / "build.json").write_text(json.dumps({**build, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}))
    os.replace(tmp, dst)


def load_cache(var: Path, fp: str, n: int) -> dict | None:
    src = cache_dir(fp, n)
    if not (src / "build.json").is_file():
        return None
    build = json.loads((src / "build.json").read_text())
    (var / "index").mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / build["generation"], var / "index" / build["generation"])
    (var / "index" / "CURRENT").write_text(build["generation"] + "\n")
    return build


# --------------------------------------------------------------------------- children

def run_child(args: list[str], timeout: float | None) -> tuple[bool, str]:
    """Run `python -m bench.perf.kbrun ARGS`; (finished, stderr tail). Stops it at timeout."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.perf.kbrun", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return False, "stopped at the time limit"
    if proc.returncode != 0:
        raise RuntimeError(f"kbrun {args[0]} failed ({proc.returncode}):\n{err[-4000:]}")
    return True, err[-2000:]


# --------------------------------------------------------------------------- one size

def run_size(n: int, a, state: dict, deadline: float | None) -> dict:
    seed = a.seed
    res: dict = {"size": n, "seed": seed, "zipf_s": a.zipf_s, "queries": a.queries,
                 "load_average": [load_average()]}
    tmp = Path(tempfile.mkdtemp(prefix=f"kb-perf-{n}-"))
    var = tmp / "var"
    try:
        # 1. records and queries ------------------------------------------------------------
        log(f"{n:,}: generating records")
        config = corpus.load_config(ROOT / "config.toml")
        with Timer() as t_setup:
            gen = corpus.Generator(config, seed, a.zipf_s)
        with Timer() as t_gen:
            records = gen.records(n)
        res["generator"] = {"records_per_s": n / t_gen.seconds, "seconds": t_gen.seconds,
                            "setup_s": t_setup.seconds,
                            "vocabulary": {k: v.source for k, v in gen.vocab.items()}}
        warmup = corpus.sample_queries(a.warmup, seed + 1, seed, a.zipf_s)
        queries = corpus.sample_queries(a.queries, seed, seed, a.zipf_s, exclude=set(warmup))
        profile_queries = corpus.sample_queries(100, seed + 2, seed, a.zipf_s,
                                                exclude=set(warmup) | set(queries))
        filters = corpus.sample_filters(a.queries, seed, config)
        spec = tmp / "spec.json"
        typos = corpus.sample_typo_queries(max(10, a.queries // 4), seed, seed, a.zipf_s)
        spec.write_text(json.dumps({"queries": queries, "filters": filters, "warmup": warmup,
                                    "typos": typos, "profile": profile_queries},
                                   ensure_ascii=False), encoding="utf-8")
        res["query_sample"] = queries[:10]
        res["filter_sample"] = filters[:3]
        res["typo_sample"] = typos[:5]
        updates = []        # records spread over the corpus, each given a new word
        for k in range(a.updates):
            p = copy.deepcopy(records[(2 * k + 1) * n // (2 * a.updates)])
            marker = "perfmarker" + "".join(chr(97 + int(c)) for c in f"{k:03d}")
            p.title = f"{p.title} {marker}"
            updates.append((marker, p))
        seed_rec = copy.deepcopy(records[0])
        seed_rec.summary = f"{seed_rec.summary} {' '.join(m for m, _ in updates)}"
        with open(tmp / "updates.pickle", "wb") as fh:
            pickle.dump({"seed": seed_rec, "updates": updates}, fh)

        # 2. kb build -------------------------------------------------------------------------
        fp = kb_fingerprint(n, seed, a.zipf_s)
        remaining = (deadline - time.time()) if deadline else None
        scale = n / state["n"] if state.get("n") else None
        est_build = n / state["build_rate"] * 1.2 + n / 15000 if state.get("build_rate") else None
        est_query = state["query_wall"] * scale if scale and state.get("query_wall") else 0.0
        est_peers = state["peers_wall"] * scale if scale and state.get("peers_wall") else 0.0
        res["plan"] = {"remaining_s": remaining, "est_build_s": est_build, "est_query_s": est_query,
                       "est_peers_s": est_peers}
        kb: dict = {}
        res["kb"] = kb
        fits = remaining is None or est_build is None or est_build + est_query + est_peers <= remaining
        if not fits:
            log(f"{n:,}: estimated kb build {est_build:.0f} s + queries {est_query:.0f} s + peers "
                f"{est_peers:.0f} s > {remaining:.0f} s left of the budget")
        cached = load_cache(var, fp, n) if (a.use_cache or not fits) and not a.fresh else None
        index_ok = False
        if cached:
            log(f"{n:,}: using the cached kb index measured at {cached.get('measured_at')}")
            kb["build"] = {**cached, "cached": True}
            index_ok = True
        else:
            # time-boxed when over budget: whatever it reaches is reported
            build_timeout = None if remaining is None else remaining - est_peers - 30
            if build_timeout is not None and build_timeout < 60:
                kb["build"] = {"skipped": f"no time left in the budget for a kb build of {n:,} records"
                                          + (f" (estimated {est_build:.0f} s)" if est_build else "")}
            else:
                index_ok = _kb_build(n, a, var, tmp, build_timeout, fp, kb, state)

        # 3. kb queries ---------------------------------------------------------------------
        if index_ok and deadline and deadline - time.time() - est_peers - 20 < 30:
            index_ok = False
            kb["query"] = {"skipped": "no time left in the budget for kb's queries at this size"}
        elif not index_ok:
            kb["query"] = {"skipped": "no kb index at this size (see build)"}
        if index_ok:
            log(f"{n:,}: kb queries")
            out = tmp / "query.json"
            cmd = ["query", "--var", str(var), "--spec", str(spec), "--out", str(out),
                   "--updates", str(tmp / "updates.pickle")]
            prof = None
            if n == a.profile_size:
                RESULTS.mkdir(parents=True, exist_ok=True)
                prof = RESULTS / f"profile-b-{n}.pstats"
                cmd += ["--profile", str(prof)]
            qlimit = None
            if deadline:
                qlimit = max(60.0, deadline - time.time() - est_peers - 20)
                cmd += ["--time-limit", str(qlimit)]
            t0 = time.time()
            finished, _ = run_child(cmd, qlimit * 1.5 + 120 if qlimit else None)
            state["query_wall"] = time.time() - t0
            if finished:
                q = json.loads(out.read_text())
                inc = q.get("incremental") or []
                vis = [r["visible_s"] for r in inc if r["visible_s"] is not None]
                q["incremental_max_visible_s"] = max(vis) if vis and len(vis) == len(inc) else None
                kb["query"] = q
            else:
                kb["query"] = {"skipped": f"the kb query process overran its time limit and was stopped "
                                          f"after {state['query_wall']:.0f} s"}
            log(f"{n:,}: kb queries {'done' if finished else 'STOPPED'} after {state['query_wall']:.0f} s")

        # 4. peers -----------------------------------------------------------------------------
        res["load_average"].append(load_average())
        res["peers"] = {}
        t0 = time.time()
        for name in a.peers:
            log(f"{n:,}: peer {name}")
            peer = PEERS[name]()
            try:
                build = peer.build(records, tmp / "peers" / name)
                res["peers"][name] = {"build": build, "query": peer.measure(queries, filters, warmup)}
            except Exception as exc:  # noqa: BLE001 - a peer failing must not lose kb's figures
                res["peers"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            finally:
                try:
                    peer.close()
                except Exception:  # noqa: BLE001
                    pass
        state["peers_wall"] = time.time() - t0
        state["n"] = n
        res["load_average"].append(load_average())
        res["ratios"] = ratios(res)
        return res
    finally:
        if a.keep:
            log(f"{n:,}: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _kb_build(n, a, var, tmp, timeout, fp, kb, state) -> bool:
    """kb's full build in a child (kbrun build); True if it completed. A build stopped at
    `timeout` reports the documents it had added and the rate until then."""
    log(f"{n:,}: kb full build" + (f" (time-boxed to {timeout:.0f} s)" if timeout else ""))
    out, progress = tmp / "build.json", tmp / "build.progress"
    t0 = time.time()
    finished, _ = run_child(["build", "--n", str(n), "--seed", str(a.seed), "--zipf-s", str(a.zipf_s),
                             "--var", str(var), "--out", str(out), "--progress", str(progress)], timeout)
    log(f"{n:,}: kb build {'done' if finished else 'STOPPED'} after {time.time() - t0:.0f} s")
    if finished:
        kb["build"] = json.loads(out.read_text())
        state["build_rate"] = kb["build"]["docs_per_s"]
        if n >= a.cache_min:
            save_cache(var, kb["build"], fp, n)
        return True
    done, secs, *phase = (progress.read_text().split() if progress.is_file() else ["0", "0"])
    kb["build"] = {"stopped_after_s": time.time() - t0, "docs_added": int(done),
                   "add_phase_docs_per_s": int(done) / float(secs) if float(secs) else None,
                   "phase_at_stop": phase[0] if phase else "adding documents",
                   "note": "kb full build stopped at the end of the time budget; the rate is over the "
                           "documents added before the stop (commit/optimize not reached, not measured)"}
    return False


def ratios(res: dict) -> dict:
    """kb / peer latency per mode (p50 and p95). kb a vs peer a, kb b vs peer b, kb c vs peer c."""
    out = {}
    modes = res.get("kb", {}).get("query", {}).get("modes")
    if not modes:
        return out
    for name, peer in res.get("peers", {}).items():
        pq = peer.get("query")
        if not pq:
            continue
        out[name] = {}
        for m in ("a", "b", "c"):
            if m in modes and m in pq and pq[m].get("p50"):
                k, p = modes[m], pq[m]
                out[name][m] = {"p50": k["p50"] / p["p50"], "p95": k["p95"] / p["p95"]}
                if k.get("cpu_p50") and p.get("cpu_p50") and p.get("cpu_p95"):
                    out[name][m].update({"cpu_p50": k["cpu_p50"] / p["cpu_p50"],
                                         "cpu_p95": k["cpu_p95"] / p["cpu_p95"]})
    return out


# --------------------------------------------------------------------------- printing

def fmt_ms(x) -> str:
    return "-" if x is None else f"{x:,.1f}" if x >= 10 else f"{x:.2f}" if x >= 0.1 else f"{x:.3f}"


def print_size(res: dict) -> None:
    n = res["size"]
    g = res["generator"]
    print(f"\n=== {n:,} records (seed {res['seed']}, word Zipf s={res['zipf_s']}) ===")
    print(f"generator: {g['records_per_s']:,.0f} records/s ({g['seconds']:.1f} s; vocabulary/pool setup "
          f"{g['setup_s']:.1f} s)")
    if res.get("load_average"):
        la = res["load_average"]
        print(f"machine load average during this size: {min(la):.1f}-{max(la):.1f} on {os.cpu_count()} cores"
              + ("  ** SHARED MACHINE: other processes competed for the CPU; wall-clock figures are "
                 "inflated, compare the CPU-time columns **" if max(la) > 1.5 else ""))
    kb = res["kb"]
    b = kb.get("build", {})
    if "docs_per_s" in b:
        tag = f"  [CACHED build, measured {b.get('measured_at')}]" if b.get("cached") else ""
        la = b.get("load_average") or [None, None]
        print(f"kb full build (build_generation + practice_document): {b['build_s']:.1f} s = "
              f"{b['docs_per_s']:,.0f} docs/s (CPU {b['build_cpu_s']:.1f} s = {b['docs_per_cpu_s']:,.0f} "
              f"docs/CPU-s; load average {la[0]:.1f} -> {la[1]:.1f}); of which practice_document "
              f"{b['practice_document_s']:.1f} s, after last doc (commit+optimize) {b['after_last_doc_s']:.1f} s{tag}")
        print(f"  peak RSS {mib(b['peak_rss'])} (RSS with the records loaded, before the build: "
              f"{mib(b['rss_before_build'])}); index {mib(b['index_bytes'])} on disk, {b['segments']} segment(s)")
    elif "docs_added" in b:
        rate = b["add_phase_docs_per_s"]
        print(f"kb full build NOT COMPLETED: stopped after {b['stopped_after_s']:.0f} s with "
              f"{b['docs_added']:,} documents added ({rate:,.0f} docs/s in the add phase; commit not "
              f"reached)" if rate else f"kb full build NOT COMPLETED: {b}")
    else:
        print(f"kb full build: {b.get('skipped', b)}")
    for name, p in res.get("peers", {}).items():
        if "build" in p:
            pb = p["build"]
            print(f"peer {name} build: {pb['build_s']:.1f} s = {pb['docs_per_s']:,.0f} docs/s (CPU "
                  f"{pb['build_cpu_s']:.1f} s), index {mib(pb['index_bytes'])}")
        else:
            print(f"peer {name}: {p.get('error')}")

    q = kb.get("query", {})
    print(f"\nquery latency, ms ({res['queries']} queries, warmed up; wall clock, and CPU time of the process)")
    print(f"{'engine':12} {'mode':4} {'p50':>8} {'p95':>8} {'p99':>8} {'mean':>8} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'n':>4}  what")

    def row(engine, m, st, what):
        print(f"{engine:12} {m:4} {fmt_ms(st['p50']):>8} {fmt_ms(st['p95']):>8} {fmt_ms(st['p99']):>8} "
              f"{fmt_ms(st['mean']):>8} {fmt_ms(st.get('cpu_p50')):>8} {fmt_ms(st.get('cpu_p95')):>8} "
              f"{st['n']:>4}  {what}")
    for m in MODES:
        st = q.get("modes", {}).get(m)
        if st:
            row("kb", m, st, MODE_LABELS[m])
    if "skipped" in q:
        print(f"{'kb':12} -- {q['skipped']}")
    peer_what = {"a": "top-10 BM25", "b": "top-10 + total + region/topic/year counts",
                 "c": "filtered (region, topic) top-10 + counts"}
    for name, p in res.get("peers", {}).items():
        for m, st in (p.get("query") or {}).items():
            if isinstance(st, dict) and "p50" in st:
                row(name, m, st, peer_what[m])
    if q.get("matches"):
        mt = q["matches"]
        print(f"kb matches per query (mode b): mean {mt['mean']:,.0f}, median {mt['median']:,}, "
              f"max {mt['max']:,}, zero-hit queries {mt['zero']}")
        ag = q["top10_agreement"]
        print(f"same top 10 ids as SearchService (b): mode a {ag['a_same_as_b']}/{ag['queries']} queries, "
              f"mode a0 {ag['a0_same_as_b']}/{ag['queries']}")
    for name, p in res.get("peers", {}).items():
        if p.get("query", {}).get("matches_mean") is not None:
            print(f"{name} matches per query (mode b): mean {p['query']['matches_mean']:,.0f}")
    if res.get("ratios"):
        print("\nkb / peer latency ratio, kb mode vs the peer's same mode (wall p50 | p95; CPU-time p50 | p95)")
        print(f"{'mode':6}" + "".join(f"{name:>38}" for name in res["ratios"]))
        for m in ("a", "b", "c"):
            cells = []
            for name, r in res["ratios"].items():
                x = r.get(m)
                cells.append(f"{x['p50']:>7,.0f}x |{x['p95']:>6,.0f}x;{x.get('cpu_p50', 0):>7,.0f}x |"
                             f"{x.get('cpu_p95', 0):>6,.0f}x" if x else "-")
            print(f"{m:6}" + "".join(f"{c:>38}" for c in cells))
    if q.get("memory"):
        mem = q["memory"]
        print(f"\nkb worker memory (VmRSS): after imports {mib(mem['after_imports'].get('VmRSS'))}, "
              f"+dictionaries {mib(mem['after_dictionaries'].get('VmRSS'))}, after opening the searcher + "
              f"first search {mib(mem['after_open'].get('VmRSS'))}, after the queries "
              f"{mib(mem['after_queries'].get('VmRSS'))} (peak {mib(mem['after_queries'].get('VmHWM'))})")
        print(f"kb open searcher {q['open_searcher_s'] * 1000:,.0f} ms; first search (builds the facet "
              f"cache) {q['first_search_s'] * 1000:,.0f} ms; dictionaries warm-up "
              f"{q['dictionaries_warm_up_s'] * 1000:,.0f} ms")
    inc = q.get("incremental")
    if inc:
        ws = sorted(r["write_s"] for r in inc)
        vs = [r["visible_s"] for r in inc]
        shown = ", ".join("not found in 30 s" if v is None else f"{v * 1000:,.0f}" for v in vs)
        print(f"incremental update (index_practice, then SearchService.search polled until it finds the "
              f"record): write {ws[len(ws) // 2] * 1000:,.0f} ms median; visible after [{shown}] ms; the "
              f"search that found it (reopened searcher, rebuilt facet cache) took up to "
              f"{max(r['refresh_search_s'] for r in inc) * 1000:,.0f} ms")
    if q.get("profile_b"):
        print(f"\ncProfile of mode b at {n:,} (top entries by cumulative time; file "
              f"{q['profile_b']['file']}):")
        lines = q["profile_b"]["cumulative"].splitlines()
        start = next((i for i, l in enumerate(lines) if l.strip().startswith("ncalls")), 0)
        print("\n".join(lines[start:start + 26]))


def get(d, path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def print_targets(all_res: list[dict]) -> None:
    print("\n=== the lead's targets ===")
    for label, size, path, limit, unit in TARGETS:
        for res in all_res:
            if size is not None and res["size"] != size:
                continue
            v = get(res, path)
            if v is None:
                status = "not measured"
                shown = "-"
            else:
                ok = v >= limit if unit.endswith("(min)") else v <= limit
                status = "met" if ok else "NOT met"
                shown = (mib(v) if unit == "bytes" else f"{v:,.1f}")
            lim = mib(limit) if unit == "bytes" else f"{limit:,}"
            cached = " (cached build)" if get(res, ("kb", "build", "cached")) and "build" in path else ""
            extra = ""
            if path[-1] == "p95" and get(res, path[:-1] + ("cpu_p95",)) is not None:
                extra = f"  (CPU-time p95 {get(res, path[:-1] + ('cpu_p95',)):,.1f} ms)"
            elif path[-1] == "docs_per_s" and get(res, path[:-1] + ("docs_per_cpu_s",)):
                extra = f"  ({get(res, path[:-1] + ('docs_per_cpu_s',)):,.0f} docs per CPU-second)"
            print(f"{res['size']:>8,}  {label:32} {shown:>12}  target {'>=' if unit.endswith('(min)') else '<='} "
                  f"{lim} {unit.replace(' (min)', '').replace('bytes', '')}  {status}{cached}{extra}")


def environment() -> dict:
    from importlib.metadata import version
    import sqlite3
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    vers = {}
    for pkg in ("whoosh3", "tantivy"):
        try:
            vers[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            vers[pkg] = None
    return {"python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version, **vers, "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000 and 100 queries")
    ap.add_argument("--warmup", type=int, default=10, help="warm-up queries per mode")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--zipf-s", type=float, default=corpus.ZIPF_S, help="word Zipf exponent")
    ap.add_argument("--updates", type=int, default=5, help="incremental updates to time")
    ap.add_argument("--profile-size", type=int, default=10_000, help="cProfile mode b at this size")
    ap.add_argument("--peers", default="tantivy,sqlite")
    ap.add_argument("--budget", type=float, default=1800, help="seconds for the whole run (0: none)")
    ap.add_argument("--use-cache", action="store_true", help="use a cached kb index even with time left")
    ap.add_argument("--fresh", action="store_true", help="never use a cached kb index")
    ap.add_argument("--cache-min", type=int, default=50_000, help="cache kb indexes of at least this size")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("--report", action="store_true",
                    help="measure nothing: print the tables of bench/results/perf-<size>.json")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes = "1000,10000"
        if "--queries" not in (argv or sys.argv):
            a.queries = 100
    sizes = [int(s) for s in a.sizes.split(",") if s]
    a.peers = [p for p in a.peers.split(",") if p]
    for p in a.peers:
        if p not in PEERS:
            ap.error(f"unknown peer {p!r} (known: {', '.join(PEERS)})")
    if a.report:
        found = [json.loads((RESULTS / f"perf-{n}.json").read_text()) for n in sizes
                 if (RESULTS / f"perf-{n}.json").is_file()]
        for res in found:
            print(f"\n[{RESULTS.relative_to(ROOT)}/perf-{res['size']}.json: {res.get('command')}, "
                  f"{res.get('environment', {}).get('date')}, {res.get('wall_s', 0):.0f} s]")
            print_size(res)
        print_targets(found)
        return 0
    if not all(Path(p).is_file() for p in corpus.HUNSPELL.values()):
        subprocess.run(["sh", str(Path(__file__).with_name("install-wordlists.sh"))], check=False)

    start = time.time()
    deadline = start + a.budget if a.budget else None
    env = environment()
    print(f"kb perf: sizes {', '.join(f'{s:,}' for s in sizes)}; {a.queries} queries; seed {a.seed}; "
          f"{env['cores']} cores {env['cpu']}; Python {env['python']}, whoosh3 {env['whoosh3']}, "
          f"tantivy {env['tantivy']}, SQLite {env['sqlite']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    state: dict = {}
    all_res = []
    for n in sizes:
        t0 = time.time()
        res = run_size(n, a, state, deadline)
        res["wall_s"] = time.time() - t0
        res["environment"] = env
        res["command"] = " ".join(["python -m bench.perf", *(argv if argv is not None else sys.argv[1:])])
        path = RESULTS / f"perf-{n}.json"
        path.write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        print_size(res)
        print(f"({n:,}: {res['wall_s']:.0f} s; JSON in {path.relative_to(ROOT)})", flush=True)
        all_res.append(res)
    print_targets(all_res)
    print(f"\nwall time {time.time() - start:.0f} s; parent process peak RSS "
          f"{mib(proc_status().get('VmHWM'))} (records + peers, not kb)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
