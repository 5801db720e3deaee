"""The corpus folder: finding, reading and cross-checking every practice file, and writing one safely."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import Config
from kb.records.model import ID_RE, Practice, RecordError, read_practice

IGNORED_NAMES = {"README.md"}


@dataclass
class CorpusReport:
    """Everything read from the corpus: valid records, errors (file: field: reason) and warnings."""
    practices: list[Practice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_id(self) -> dict[str, Practice]:
        return {p.id: p for p in self.practices}


def corpus_files(config: Config) -> list[Path]:
    """Every practice file under the corpus folder, in a stable order."""
    root = config.corpus_dir
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.md") if p.is_file() and p.name not in IGNORED_NAMES
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def display_path(path: Path, config: Config) -> str:
    """The path as users know it: relative to the project folder when it is inside it."""
    try:
        return str(path.relative_to(config.root))
    except ValueError:
        return str(path)


def read_file(path: Path, config: Config) -> Practice:
    """Read one practice file, also checking that its name and folder match its id and region."""
    source = display_path(path, config)
    rel = path.relative_to(config.corpus_dir)
    if len(rel.parts) != 2:
        raise RecordError(source, [("file", "practice files belong in a region folder: "
                                            "corpus/<region>/<id>.md")])
    practice = read_practice(path, config, source)
    problems = []
    if practice.id != path.stem:
        problems.append(("id", f"{practice.id!r} does not match the file name {path.name!r}; "
                               f"rename the file to {practice.id}.md"))
    if practice.region != rel.parts[0]:
        problems.append(("region", f"{practice.region!r} does not match the folder {rel.parts[0]!r}; "
                                   f"move the file to corpus/{practice.region}/"))
    if problems:
        raise RecordError(source, problems)
    return practice


def load_corpus(config: Config, progress=None) -> CorpusReport:
    """Read and validate the whole corpus, then check what spans files (ids, related links)."""
    report = CorpusReport()
    files = corpus_files(config)
    report.files = len(files)
    if not config.corpus_dir.is_dir():
        report.errors.append(f"{config.corpus_dir}: corpus folder does not exist (paths.corpus in config.toml)")
        return report
    for path in files:
        try:
            report.practices.append(read_file(path, config))
        except RecordError as exc:
            report.errors.extend(exc.messages())
        if progress:
            progress(1)
    seen: dict[str, Practice] = {}
    for p in report.practices:
        if p.id in seen:
            report.errors.append(f"{p.path}: id: duplicate id {p.id!r}, also used by {seen[p.id].path}")
        else:
            seen[p.id] = p
    for p in report.practices:
        for rel in p.related:
            if rel not in seen:
                report.errors.append(f"{p.path}: related: no record has the id {rel!r}")
        if p.lang != "en":
            for key in ("title_en", "summary_en"):
                if not getattr(p, key):
                    report.warnings.append(f"{p.path}: {key}: missing English "
                                           f"{'title' if key == 'title_en' else 'summary'}; partners "
                                           "who do not read the record's language will not understand it")
    return report


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def practice_path(config: Config, region: str, practice_id: str) -> Path:
    """Where a record lives; refuses anything that is not a plain id (no ../, no slashes)."""
    if not ID_RE.match(practice_id) or not ID_RE.match(region):
        raise ValueError(f"not a valid id: {practice_id!r} / {region!r}")
    return config.corpus_dir / region / f"{practice_id}.md"


def find_file(config: Config, practice_id: str, region: str | None = None) -> Path | None:
    """The corpus file of a record (in `region`'s folder, or whichever region folder holds it),
    or None; anything that is not a plain id is refused."""
    if not ID_RE.match(practice_id or "") or len(practice_id) > 80:
        return None
    for r in ([region] if region else config.regions.ids()):
        if not ID_RE.match(r or ""):
            continue
        path = practice_path(config, r, practice_id)
        if path.is_file():
            return path
    return None
