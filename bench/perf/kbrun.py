"""kb's side of the benchmark, run in child processes so each measures one clean process.

    python -m bench.perf.kbrun build --n N --seed S --var DIR --out build.json
        Generates the N records (bench.perf.corpus, same seed as the parent), then times kb's
        real full build: kb.indexer.build.build_generation(config, practice_document(p) ...),
        i.e. exactly what `kb index --rebuild` does after reading the corpus (full_build), into a
        fresh var/ folder. Reports docs/s, the time spent in practice_document (document
        preparation) and after the last document (commit + optimize), the process's RSS before
        the build (records already in memory) and its peak RSS (VmHWM), and the index size.

    python -m bench.perf.kbrun query --var DIR --spec spec.json --out query.json
                                     [--profile FILE.pstats] [--updates FILE.pickle]
        One long-lived SearchService, as a web worker holds it (dictionaries warmed up, one
        searcher). Times the first search (opens the searcher and builds kb's per-snapshot facet
        cache), warms up, then runs every query of the spec in each mode, one mode after another:
          ac   as a, timed first: the posting lists of the timed queries' words are read from
               disk (a worker's first queries); then every timed query is evaluated once,
               untimed, and kb's answer cache is emptied, so that all the other modes measure
               the same steady state;
          a    top-10 through kb: SearchService.search(SearchRequest(q, page_size=10,
               facets=False)): the 10 hits with snippets and the total, no facet counts;
          a0   reference: the same query tree through Whoosh's own collector (TopCollector,
               replace=0), top-10 ids. kb evaluates query trees with NumPy
               (kb.search.vector); a0 shows what Whoosh's posting-at-a-time matchers cost on
               the same tree. The top 10s of a0 and b are compared on 50 queries (they differ
               where Whoosh's DisjunctionMax/AndNot matchers mis-score, see tests/test_vector.py);
          b    SearchService.search(SearchRequest(q, page_size=10)): top 10 + all 9 facet counts
               + snippets. This is also what a "top-10 only" request costs through kb, because
               SearchService always computes the facets;
          b20  SearchService.search(SearchRequest(q)): the default request (config page_size,
               20), i.e. what the web page and /api/search serve;
          c    SearchService.search(SearchRequest(q, filters={region: 1-2, topic: 1},
               page_size=10)): filtered + facet counts;
          z    as b on typo queries (bench.perf.corpus.sample_typo_queries, a quarter as many):
               kb looks up spelling corrections for unknown words, and suggestions when
               nothing matches. No peer equivalent;
          bc   b's first 50 queries asked again: what kb's per-snapshot result cache answers
               in (equal to b when there is no such cache).
        All query lists are distinct (no query is timed twice except in bc), and a, b, b20, c
        use the same queries, so a repeated query never times kb's cache by accident; before the
        timed passes build_query runs once per query (untimed) so that kb's per-searcher cache of
        typo suggestions is equally warm for every mode.
        Then RSS (VmRSS, VmHWM) of the process. With --profile, one more pass of mode b over 100
        fresh queries runs under cProfile, after the timed passes, which are unprofiled. With
        --updates, each pickled record (changed to carry a unique marker word) is written through
        kb.indexer.build.index_practice and SearchService.search is polled for the marker until
        the record is found: time to write and time until visible (IndexStore's 0.2 s check
        interval, the searcher refresh and the rebuild of the facet cache included); see
        _incremental for why a seed record carrying the markers is indexed first.
        Every timed query records wall-clock and CPU time (time.process_time): the machine may
        be shared, and the load average is recorded per mode.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pickle
import pstats
import sys
import time
from pathlib import Path

from bench.perf.util import (Timer, cpu_seconds, dir_size, kb_config, latency_stats, load_average,
                             proc_status)

MODES = ("ac", "a", "a0", "b", "b20", "c", "z", "bc")
MODE_LABELS = {
    "ac": "as a, cold: timed first, before any timed query's words were read (a fresh worker)",
    "a": "SearchService.search page_size=10, facets=False: top-10 + total + snippets",
    "a0": "reference: the same query tree through Whoosh's own TopCollector (replace=0)",
    "b": "SearchService.search page_size=10: top-10 + 9 facet counts + snippets",
    "b20": "SearchService.search default request (page_size 20, as web page/API)",
    "c": "SearchService.search page_size=10, filters 1-2 regions + 1 topic, + facets",
    "z": "as b, typo queries (a letter changed): typo expansion, suggestions on 0 hits",
    "bc": "as b, repeating b's first 50 queries: answers from kb's result cache, if any",
}


# --------------------------------------------------------------------------- build

def run_build(args) -> dict:
    from bench.perf.corpus import generate
    from kb.indexer.build import build_generation, practice_document

    config = kb_config(args.var)
    with Timer() as tg:
        records = generate(args.n, args.seed, config, args.zipf_s)
    rss_before = proc_status()
    prep = 0.0
    docs_done_at = None

    progress = Path(args.progress) if args.progress else None

    def documents():
        nonlocal prep, docs_done_at
        for i, p in enumerate(records):
            t = time.perf_counter()
            d = practice_document(p)
            prep += time.perf_counter() - t
            if progress and i % 1000 == 0:      # for a parent that may stop a slow build
                progress.write_text(f"{i} {time.perf_counter() - t0:.3f}\n")
            yield d
        docs_done_at = time.perf_counter()
        if progress:
            progress.write_text(f"{len(records)} {docs_done_at - t0:.3f} commit\n")

    import resource
    load0, c0 = load_average(), cpu_seconds()
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    gen = build_generation(config, documents(), len(records))
    t1 = time.perf_counter()
    cpu = cpu_seconds() - c0
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)     # a second indexing process, if any
    cpu_children = (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    status = proc_status()
    from whoosh import index as whoosh_index
    ix = whoosh_index.open_dir(str(gen))
    segments = len(ix._segments()) if hasattr(ix, "_segments") else None
    doc_count = ix.doc_count()
    ix.close()
    return {
        "n": args.n, "generate_s": tg.seconds, "build_s": t1 - t0, "docs_per_s": args.n / (t1 - t0),
        "build_cpu_s": cpu, "docs_per_cpu_s": args.n / cpu if cpu else None,
        "build_cpu_children_s": cpu_children,
        "docs_per_cpu_s_with_children": args.n / (cpu + cpu_children) if cpu else None,
        "load_average": [load0, load_average()],
        "practice_document_s": prep,
        "after_last_doc_s": (t1 - docs_done_at) if docs_done_at else None,   # commit(optimize) + switch
        "rss_before_build": rss_before.get("VmRSS"), "peak_rss": status.get("VmHWM"),
        "children_peak_rss": ch1.ru_maxrss * 1024 if cpu_children else None,   # largest child
        "index_bytes": dir_size(gen), "segments": segments, "doc_count": doc_count,
        "generation": gen.name,
    }


# --------------------------------------------------------------------------- query

def _raw_top10(service, q: str, exact: bool = False) -> list[str]:
    """Mode a: the query SearchService would run, straight to Whoosh, top 10 ids. Whoosh's
    scored collectors try every 10 matches to replace the matcher tree by a cheaper one that
    ignores sub-queries unable to reach the current 10th score (`replace`, on even with
    optimize=False); exact=True (mode a0) turns that off."""
    from kb.search.parse import parse
    searcher = service.store.snapshot().searcher
    query = service.build_query(searcher, parse(q))
    if not exact:
        return [hit["id"] for hit in searcher.search(query, limit=10)]
    from whoosh.collectors import TopCollector
    collector = TopCollector(limit=10, replace=0)
    searcher.search_with_collector(query, collector)
    return [hit["id"] for hit in collector.results()]


def _mode_fns(service):
    from kb.search import SearchRequest
    return {
        "a": lambda q, f: service.search(SearchRequest(q=q, page_size=10, facets=False)),
        "ac": lambda q, f: service.search(SearchRequest(q=q, page_size=10, facets=False)),
        "a0": lambda q, f: _raw_top10(service, q, exact=True),
        "b": lambda q, f: service.search(SearchRequest(q=q, page_size=10)),
        "b20": lambda q, f: service.search(SearchRequest(q=q)),
        "c": lambda q, f: service.search(SearchRequest(q=q, filters=f, page_size=10)),
        "z": lambda q, f: service.search(SearchRequest(q=q, page_size=10)),
        "bc": lambda q, f: service.search(SearchRequest(q=q, page_size=10)),
    }


def _profile_summary(prof: cProfile.Profile, sort: str, limit: int = 15) -> str:
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.strip_dirs().sort_stats(sort).print_stats(limit)
    return buf.getvalue()


def run_query(args) -> dict:
    from kb.search import SearchRequest, SearchService

    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    queries, filters, warm = spec["queries"], spec["filters"], spec["warmup"]
    config = kb_config(args.var)
    out: dict = {"memory": {"after_imports": proc_status()}}
    service = SearchService(config)
    with Timer() as t:
        if hasattr(service.expander, "warm_up"):
            service.expander.warm_up()          # as kb.web's create_app does
    out["dictionaries_warm_up_s"] = t.seconds
    out["memory"]["after_dictionaries"] = proc_status()
    with Timer() as t:
        snap = service.store.snapshot()
    out["open_searcher_s"] = t.seconds
    out["index_segments"] = len(snap.searcher.readers()) if hasattr(snap.searcher, "readers") else None
    with Timer() as t:
        service.search(SearchRequest(q=warm[0]))
    out["first_search_s"] = t.seconds           # builds the per-snapshot facet-value cache
    out["memory"]["after_open"] = proc_status()

    fns = _mode_fns(service)
    share = (args.time_limit * 0.7 / len(MODES)) if args.time_limit else float("inf")
    for mode in MODES[1:]:                      # warm-up: every mode over the warm-up queries
        t_end = time.perf_counter() + share * 0.15
        for i, q in enumerate(warm[:3] if mode in ("z", "bc") else warm):
            fns[mode](q, filters[i % len(filters)])
            if time.perf_counter() > t_end:
                break

    out["modes"] = {}
    totals = []

    def time_mode(mode):
        fn, times, cpu = fns[mode], [], []
        mode_start = time.perf_counter()
        load0 = load_average()
        mode_queries = {"z": spec["typos"], "bc": queries[:min(50, out["modes"].get("b", {}).get("n", 0))]}
        for q, f in zip(mode_queries.get(mode, queries), filters):
            if time.perf_counter() - mode_start > share:
                break                           # out of time: fewer queries, reported as n
            c0 = time.process_time()
            t0 = time.perf_counter()
            r = fn(q, f)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if not isinstance(r, list) and r.message:
                raise RuntimeError(f"kb refused {q!r}: {r.message}")
            if mode == "b":
                totals.append(r.total)
        out["modes"][mode] = {"label": MODE_LABELS[mode], **latency_stats(times, cpu),
                              "load_average": [load0, load_average()]}

    # mode ac: the timed queries on a worker that has never read their words (cold posting lists)
    time_mode("ac")
    # then every timed query is built and evaluated once, untimed, and kb's answer cache emptied:
    # the other modes measure a worker in its steady state (the words' posting lists in memory,
    # kb's per-searcher typo suggestions known), all in the same state; mode z times typo lookups
    # on its own fresh queries, mode bc the answer cache
    from kb.search.parse import parse
    with Timer() as t:
        snap = service.store.snapshot()
        for q in queries:
            service._view(snap).evaluate(service.build_query(snap.searcher, parse(q)))
        snap.cache.pop("results", None)
    out["prewarm_build_query_s"] = t.seconds
    for mode in MODES[1:]:
        time_mode(mode)
    out["matches"] = {"mean": sum(totals) / len(totals), "median": sorted(totals)[len(totals) // 2],
                      "zero": sum(1 for t in totals if t == 0), "max": max(totals)}
    # are mode a's top 10 the same documents as SearchService's? (same query, same ranking)
    agree = agree0 = done = 0
    t_end = time.perf_counter() + share
    for q in queries[:50]:
        ids_b = [h.id for h in fns["b"](q, None).hits]
        agree += [h.id for h in fns["a"](q, None).hits] == ids_b
        agree0 += _raw_top10(service, q, exact=True) == ids_b
        done += 1
        if time.perf_counter() > t_end:
            break
    out["top10_agreement"] = {"queries": done, "a_same_as_b": agree, "a0_same_as_b": agree0}
    out["memory"]["after_queries"] = proc_status()

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        t_end = time.perf_counter() + share
        profiled = 0
        for q in spec.get("profile") or queries[:100]:     # fresh queries: none answered from a cache
            fns["b"](q, None)
            profiled += 1
            if time.perf_counter() > t_end:
                break
        prof.disable()
        prof.dump_stats(args.profile)
        out["profile_b"] = {"file": args.profile, "queries": profiled,
                            "cumulative": _profile_summary(prof, "cumulative", 25),
                            "tottime": _profile_summary(prof, "tottime", 20)}

    if args.updates:
        out["incremental"] = _incremental(service, config, args.updates)
        out["memory"]["after_updates"] = proc_status()
    return out


def _incremental(service, config, path: str) -> list[dict]:
    """Time index_practice -> visible in SearchService.search, for each pickled update.

    Every update k gives an existing record a new word marker_k. A search for a word the index
    lacks returns nothing, and kb then runs its spelling-suggestion pass (seconds at 100k): polls
    would measure that, not the index. So a seed record carrying all the markers is indexed first
    (untimed, waited for); then each marker already has one hit, and the timed polls are ordinary
    default requests that look for the updated record among the hits."""
    from kb.indexer.build import index_practice
    from kb.search import SearchRequest

    with open(path, "rb") as fh:
        data = pickle.load(fh)          # {"seed": Practice, "updates": [(marker, Practice), ...]}
    seed = data["seed"]
    index_practice(config, seed)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 120:
        r = service.search(SearchRequest(q=data["updates"][0][0], page_size=10, expand=False))
        if any(h.id == seed.id for h in r.hits):
            break
        time.sleep(0.05)
    rows = []
    for marker, practice in data["updates"]:
        t0 = time.perf_counter()
        index_practice(config, practice)
        t_write = time.perf_counter() - t0
        polls, found, last = 0, False, 0.0
        while time.perf_counter() - t0 < 30:
            tp = time.perf_counter()
            r = service.search(SearchRequest(q=marker, page_size=10))
            last = time.perf_counter() - tp
            polls += 1
            if any(h.id == practice.id for h in r.hits):
                found = True
                break
        rows.append({"id": practice.id, "write_s": t_write,
                     "visible_s": (time.perf_counter() - t0) if found else None,
                     "polls": polls, "refresh_search_s": last})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--n", type=int, required=True)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--zipf-s", type=float, default=1.2)
    b.add_argument("--var", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--progress", help="file to write 'documents-added seconds' into as it goes")
    q = sub.add_parser("query")
    q.add_argument("--var", required=True)
    q.add_argument("--spec", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--profile")
    q.add_argument("--updates")
    q.add_argument("--time-limit", type=float, default=0,
                   help="seconds for the whole child; each mode stops early (fewer queries) past its share")
    args = ap.parse_args(argv)
    result = run_build(args) if args.cmd == "build" else run_query(args)
    Path(args.out).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
