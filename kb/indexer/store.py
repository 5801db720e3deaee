"""Read access to the serving index: one long-lived searcher, refreshed when the index changes.

Opening a searcher is expensive (tens to hundreds of ms), so a process keeps one and only checks,
at most every `check_interval` seconds, whether CURRENT points elsewhere or the generation got a
newer commit. Per-generation caches (facet values per document, ...) hang off the `Snapshot`.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from kb.config import Config
from kb.indexer.build import current_generation, _usable


class NoIndex(RuntimeError):
    """There is no usable index yet (run `kb index`)."""


@dataclass
class Snapshot:
    """An open searcher on one state of the index, and caches valid for exactly that state."""
    searcher: object
    key: tuple
    cache: dict = field(default_factory=dict)


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
            if gen is None or not _usable(gen):
                if self._snapshot is not None:
                    return self._snapshot     # keep serving what we have
                raise NoIndex("no search index yet: run `kb index`")
            if gen != self._gen:
                ix = whoosh_index.open_dir(str(gen))
                self._replace(ix, gen, ix.searcher())
            elif not self._snapshot.searcher.up_to_date():
                self._replace(self._ix, gen, self._snapshot.searcher.refresh())
            return self._snapshot

    def _replace(self, ix, gen, searcher):
        old = self._snapshot
        self._ix, self._gen = ix, gen
        self._snapshot = Snapshot(searcher, (gen.name, searcher.reader().generation()
                                             if hasattr(searcher.reader(), "generation") else 0,
                                             time.monotonic_ns()))
        if old is not None and old.searcher is not searcher:
            try:
                old.searcher.close()
            except Exception:  # noqa: BLE001 - an old searcher failing to close must not break search
                pass

    def close(self):
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.searcher.close()
            self._snapshot = None
            self._gen = None
