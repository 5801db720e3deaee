"""Read access to the serving index: one long-lived searcher, refreshed when the index changes.

Opening a searcher is expensive (tens to hundreds of ms), so a process keeps one and only checks,
at most every `check_interval` seconds, whether CURRENT points elsewhere or the generation got a
newer commit. Per-generation caches (facet values per document, ...) hang off the `Snapshot`.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from kb.config import Config
from kb.indexer.build import current_generation, usable
from kb.indexer.schema import STORED_FIELD, StoredRecord

RECORD_CACHE_SIZE = 2000      # decoded records kept per snapshot (some 10 kB each)


class NoIndex(RuntimeError):
    """There is no usable index yet (run `kb index`)."""


@dataclass
class Snapshot:
    """An open searcher on one state of the index, and caches valid for exactly that state."""
    searcher: object
    key: tuple
    cache: dict = field(default_factory=dict)
    # Whoosh's readers share open files (seek, then read): one thread at a time reads through
    # a snapshot. A web worker serves one request at a time anyway; this guards threaded use.
    lock: threading.RLock = field(default_factory=threading.RLock)


def memo(cache: dict, name: str, key, size: int, make):
    """`make()`, kept in the snapshot's `cache` under `name` for the `size` keys asked last."""
    entries = cache.setdefault(name, OrderedDict())
    got = entries.get(key)
    if got is not None:
        entries.move_to_end(key)
        return got
    got = entries[key] = make()
    if len(entries) > size:
        entries.popitem(last=False)
    return got


def stored_record(searcher, cache: dict, docnum: int) -> StoredRecord:
    """A document's display data, decoded once per snapshot (`cache`, keyed by document number)
    for the records asked most: reading one from Whoosh decompresses and unpickles the whole
    record, body included, and the same records come back in the hits of different queries
    and in the re-ranking of the same request."""
    return memo(cache, "records", docnum, RECORD_CACHE_SIZE,
                lambda: StoredRecord.from_stored(searcher.stored_fields(docnum)[STORED_FIELD]))


class IndexStore:
    def __init__(self, config: Config, check_interval: float = 0.2):
        self.config = config
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._ix = None
        self._gen: Path | None = None
        self._checked = 0.0

    def snapshot(self) -> Snapshot:
        """The current searcher, reopened if the index changed since the last check."""
        with self._lock:
            now = time.monotonic()
            if self._snapshot is not None and now - self._checked < self.check_interval:
                return self._snapshot
            self._checked = now
            gen = current_generation(self.config)
            if gen is None or not usable(gen):
                if self._snapshot is not None:
                    return self._snapshot     # keep serving what we have
                raise NoIndex("no search index yet: run `kb index`")
            if gen != self._gen:
                try:
                    ix = whoosh_index.open_dir(str(gen))
                    searcher = ix.searcher()
                except Exception as exc:  # noqa: BLE001 - keep serving what we have
                    if self._snapshot is not None:
                        return self._snapshot
                    raise NoIndex(f"the search index cannot be opened ({type(exc).__name__}): "
                                  "run `kb index --rebuild`") from None
                self._replace(ix, gen, searcher)
            elif not self._snapshot.searcher.up_to_date():
                # A new searcher, not refresh(): refresh() reuses the old segment readers, and a
                # reused reader kept stale deletions (an updated record showed its old version).
                self._replace(self._ix, gen, self._ix.searcher())
            return self._snapshot

    def _replace(self, ix, gen, searcher):
        # The previous searcher is not closed here: a request in another thread may still be
        # reading from it; the garbage collector closes it.
        self._ix, self._gen = ix, gen
        self._snapshot = Snapshot(searcher, (gen.name, time.monotonic_ns()))

    def invalidate(self) -> None:
        """Check for a newer index on the next request (this process just wrote one)."""
        with self._lock:
            self._checked = 0.0

    def close(self):
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.searcher.close()
            self._snapshot = None
            self._gen = None
