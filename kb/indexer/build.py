"""Corpus -> Whoosh index: full builds into a fresh folder switched in atomically, incremental updates.

Layout under var/index/:
    gen-<timestamp>-<pid>/   a complete Whoosh index (one per full build)
    CURRENT                  the name of the generation that serves; replaced atomically
A full build never touches the serving generation, so a crash mid-build leaves the old index
serving. An incremental update changes only the records whose content hash changed.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from kb.config import Config
from kb.records.corpus import load_corpus, write_atomic
from kb.indexer import fastwriter
from kb.indexer.schema import (META_FIELD, SCHEMA_VERSION, SPELL_FIELD, STORED_FIELD, StoredRecord,
                               build_schema, text_field)
from kb.records.model import SECTIONS, Practice

log = logging.getLogger(__name__)
CURRENT = "CURRENT"
SCHEMA_FILE = "kb-schema-version"
WRITER_TIMEOUT = 30.0     # seconds to wait for another writer's lock before giving up
# Segments stay separate files. whoosh3 3.54 opens a file inside a compound segment as a BytesIO
# copy of it (structfile.BufferFile), so a 100k-record index cost each worker ~500 MiB of copies
# of its postings and stored fields; separate files are read from the page cache.
COMPOUND = False
# A full build of at least PARALLEL_MIN_RECORDS records indexes these fields in a second process
# (kb.indexer.fastwriter), about half of the work: the spelling field (every word of a record,
# unstemmed) and the Bulgarian and English bodies; the rest (the other text fields, facets,
# stored documents) stays in this one. The index is the same either way.
PARALLEL_FIELDS = (SPELL_FIELD, "body_bg", "body_en")
PARALLEL_MIN_RECORDS = 2000


SECTION_HEADINGS = frozenset(h for names in SECTIONS.values() for h in names)


class IndexError_(RuntimeError):
    """The index could not be built or updated; `errors` holds corpus errors, if any."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass
class IndexSummary:
    total: int
    added: int
    changed: int
    removed: int
    seconds: float
    rebuilt: bool
    generation: str

    def line(self) -> str:
        if self.rebuilt:
            return f"indexed {self.total} records (full build) in {self.seconds:.1f} s"
        if not (self.added or self.changed or self.removed):
            return f"index up to date: {self.total} records (checked in {self.seconds:.1f} s)"
        return (f"indexed {self.total} records ({self.added} added, {self.changed} changed, "
                f"{self.removed} removed) in {self.seconds:.1f} s")


def _plain(markdown: str) -> str:
    """Body text without Markdown markup or line breaks: everything a reader sees is indexed,
    headings included ("## Прозрачност и профил на купувача"), except the standard section
    names (Problem, Solution, ...), which every case study has and which say nothing about it."""
    out = []
    for line in markdown.splitlines():
        line = line.strip()
        if line.startswith("#"):
            line = line.lstrip("#").strip().rstrip("#").strip()
            if line.rstrip(":").lower() in SECTION_HEADINGS:
                continue
        line = line.replace("**", "").replace("__", "")
        if line.startswith(("- ", "* ")):
            line = line[2:]
        if line:
            out.append(line if line[-1] in ".:;!?" else line + ".")
    return " ".join(out)


def practice_document(p: Practice) -> dict:
    """The Whoosh document for a record: its own language's fields, plus English title/summary."""
    body = _plain(p.body)
    doc = {
        "id": p.id, "hash": p.content_hash(),
        "title_sort": p.title.casefold(),
        "date_sort": int(p.date.strftime("%Y%m%d")) if p.date else p.year_start * 10000,
        "year": p.year_start, "year_end": p.year_last,
        META_FIELD: " ".join([p.id.replace("-", " "), p.organisation, p.municipality, *p.partners,
                          *p.keywords]),
        "region": p.region, "country": p.country, "lang": p.lang, "doctype": p.doctype,
        "organisation_type": p.organisation_type, "status": p.status,
        "topic": ",".join(p.topics), "target_group": ",".join(p.target_groups),
        "instrument": ",".join(p.instruments),
        SPELL_FIELD: " ".join([p.title, p.title_en, p.summary, p.summary_en, body]),
        text_field("title", p.lang): p.title, text_field("summary", p.lang): p.summary,
        text_field("body", p.lang): body,
    }
    if p.lang != "en":
        if p.title_en:
            doc[text_field("title", "en")] = p.title_en
        if p.summary_en:
            doc[text_field("summary", "en")] = p.summary_en
    doc[STORED_FIELD] = StoredRecord(
        id=p.id, title=p.title, title_en=p.title_en, summary=p.summary, summary_en=p.summary_en,
        lang=p.lang, region=p.region, country=p.country, year_start=p.year_start,
        year_end=p.year_end, ongoing=p.ongoing, date=p.date.isoformat() if p.date else None,
        doctype=p.doctype, status=p.status, topics=p.topics, target_groups=p.target_groups,
        instruments=p.instruments, organisation=p.organisation,
        organisation_type=p.organisation_type, municipality=p.municipality,
        illustrative=p.illustrative, body=body, path=p.path).to_stored()
    return doc


# --------------------------------------------------------------------------- generations

def current_generation(config: Config) -> Path | None:
    """The folder of the serving index, or None if there is none yet."""
    pointer = config.index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = config.index_dir / name
    return path if path.is_dir() else None


def usable(gen: Path | None) -> bool:
    return _unusable_reason(gen) is None


def _unusable_reason(gen: Path | None) -> str | None:
    """Why the generation cannot serve, or None if it can."""
    if gen is None:
        return "there is no index yet"
    try:
        if (gen / SCHEMA_FILE).read_text().strip() != SCHEMA_VERSION:
            return "the index was built by another version of kb"
        if not whoosh_index.exists_in(str(gen)):
            return f"the index in {gen} is incomplete"
    except Exception as exc:  # noqa: BLE001 - whatever is wrong, the index is rebuilt
        return f"the index in {gen} is unreadable ({type(exc).__name__})"
    return None


def _switch_to(config: Config, gen: Path) -> None:
    write_atomic(config.index_dir / CURRENT, gen.name + "\n")


def _cleanup(config: Config, keep: set[str]) -> None:
    """Remove generations other than `keep` (the current and previous one: workers may read it)."""
    for child in config.index_dir.iterdir():
        if child.is_dir() and child.name.startswith(("gen-", ".gen-")) and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def _progress_bar(total: int, enabled: bool, desc: str):
    if not enabled:
        return None
    return tqdm(total=total, desc=desc, unit="rec", file=sys.stderr, leave=False)


def _load_or_fail(config: Config, progress: bool):
    report = load_corpus(config)
    if report.errors:
        raise IndexError_(f"the corpus has {len(report.errors)} error(s); the index was not changed "
                          "(run `kb check` for details)", report.errors)
    return report


def full_build(config: Config, practices: list[Practice], progress: bool = False) -> Path:
    """Build a complete index of the records into a new generation and switch to it atomically."""
    return build_generation(config, (practice_document(p) for p in practices), len(practices), progress)


def build_generation(config: Config, documents, count: int, progress: bool = False) -> Path:
    """Write index documents into a new generation folder, then make it the serving one."""
    config.index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    tmp = config.index_dir / f".{name}"      # hidden until complete
    tmp.mkdir()
    try:
        ix = whoosh_index.create_in(str(tmp), build_schema())
        if fastwriter.supported():     # the same index as Whoosh's writer, faster
            parallel = count >= PARALLEL_MIN_RECORDS and (os.cpu_count() or 1) >= 2
            writer = fastwriter.FastWriter(
                ix, second_process_fields=PARALLEL_FIELDS if parallel else (), compound=COMPOUND)
        else:
            writer = ix.writer(limitmb=128, compound=COMPOUND)
        bar = _progress_bar(count, progress, "indexing")
        try:
            for doc in documents:
                writer.add_document(**doc)
                if bar:
                    bar.update(1)
        except BaseException:
            writer.cancel()
            raise
        finally:
            if bar:
                bar.close()
        writer.commit(optimize=True)
        ix.close()
        (tmp / SCHEMA_FILE).write_text(SCHEMA_VERSION + "\n")
        final = config.index_dir / name
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    previous = current_generation(config)
    _switch_to(config, final)
    _cleanup(config, {final.name} | ({previous.name} if previous else set()))
    return final


def update_index(config: Config, rebuild: bool = False, progress: bool = False) -> IndexSummary:
    """Bring the index in line with the corpus: full build if asked/needed, else incremental."""
    start = time.perf_counter()
    report = _load_or_fail(config, progress)
    practices = report.practices
    gen = current_generation(config)
    indexed = None
    reason = None if rebuild else _unusable_reason(gen)
    if reason and gen is not None:
        log.warning("%s; rebuilding it from the corpus", reason)
        print(f"kb: {reason}; rebuilding it from the corpus", file=sys.stderr)
    if not rebuild and reason is None:
        try:
            ix = whoosh_index.open_dir(str(gen))
            with ix.searcher() as s:
                indexed = {fields["id"]: fields["hash"] for fields in s.all_stored_fields()}
        except Exception as exc:  # noqa: BLE001 - any unreadable index is rebuilt from the corpus
            log.warning("the index in %s is unreadable (%s: %s); rebuilding it from the corpus",
                        gen, type(exc).__name__, exc)
            print(f"kb: the index in {gen} is unreadable ({type(exc).__name__}); rebuilding it from "
                  "the corpus", file=sys.stderr)
    if indexed is None:
        gen = full_build(config, practices, progress)
        return IndexSummary(len(practices), len(practices), 0, 0, time.perf_counter() - start,
                            True, gen.name)
    wanted = {p.id: p for p in practices}
    added = [p for pid, p in wanted.items() if pid not in indexed]
    changed = [p for pid, p in wanted.items() if pid in indexed and indexed[pid] != p.content_hash()]
    removed = [pid for pid in indexed if pid not in wanted]
    if added or changed or removed:
        writer = ix.writer(timeout=WRITER_TIMEOUT, compound=COMPOUND)
        try:
            for pid in removed:
                writer.delete_by_term("id", pid)
            for p in added + changed:
                writer.update_document(**practice_document(p))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    ix.close()
    return IndexSummary(len(practices), len(added), len(changed), len(removed),
                        time.perf_counter() - start, False, gen.name)


def index_practice(config: Config, practice: Practice) -> None:
    """Add or replace one record in the serving index (after a curator's save)."""
    gen = current_generation(config)
    if not usable(gen):
        update_index(config)
        return
    ix = whoosh_index.open_dir(str(gen))
    writer = ix.writer(timeout=WRITER_TIMEOUT, compound=COMPOUND)
    try:
        writer.update_document(**practice_document(practice))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
