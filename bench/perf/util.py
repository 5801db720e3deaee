"""Small helpers shared by the benchmark's parts: process memory, percentiles, sizes, timers."""
from __future__ import annotations

import dataclasses
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]      # /work/main
RESULTS = ROOT / "bench" / "results"


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM (peak RSS) / VmSize of a process in bytes, from /proc/<pid>/status."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "VmSize"):
                    out[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return out


def dir_size(path: Path) -> int:
    """Bytes of all regular files under path."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def latency_stats(seconds: list[float], cpu_seconds: list[float] | None = None) -> dict:
    """p50/p95/p99/mean/max in milliseconds (inclusive-method percentiles) and the count; with
    per-query CPU times also cpu_p50/cpu_p95/cpu_p99 (CPU time of this process: robust to
    other processes competing for the cores, which inflate the wall-clock figures)."""
    def pct(values):
        ms = sorted(v * 1000.0 for v in values)
        q = [ms[0]] * 99 if len(ms) == 1 else statistics.quantiles(ms, n=100, method="inclusive")
        return ms, q
    if not seconds:
        return {"n": 0}
    ms, q = pct(seconds)
    out = {"n": len(ms), "p50": q[49], "p95": q[94], "p99": q[98],
           "mean": statistics.fmean(ms), "max": ms[-1]}
    if cpu_seconds:
        cms, cq = pct(cpu_seconds)
        out.update({"cpu_p50": cq[49], "cpu_p95": cq[94], "cpu_p99": cq[98], "cpu_mean": statistics.fmean(cms)})
    return out


def load_average() -> float:
    """1-minute load average of the machine (other processes included)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def kb_config(var_dir: Path):
    """The shipped config.toml with var/ (the index) moved to `var_dir`."""
    from kb.config import load_config
    return dataclasses.replace(load_config(ROOT / "config.toml"), var_dir=Path(var_dir))


def mib(n: int | float | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.0f} MiB"


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        return False
