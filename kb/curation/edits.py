"""Curators' writes: form data -> validated record -> corpus file (atomic) -> history, audit, index.

Every save holds one lock (var/write.lock, flock) so that concurrent saves from any number of
gunicorn workers are serialised: no lost update, one index writer at a time. A save names the
version it was based on (the SHA-256 of the file it edited); if the file changed since, the save
is refused with Conflict and nothing is written. Each saved version is kept in
var/history/<id>/ with its author, time and message; var/audit.log records who did what.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kb.config import Config
from kb.curation.importer import suggest_id
from kb.indexer.build import index_practice
from kb.lang.text import fold
from kb.records.corpus import find_file, practice_path, write_atomic
from kb.records.model import ID_RE, Practice, RecordError, parse_practice, practice_from_dict

LOCK_TIMEOUT = 30.0
LIST_FIELDS = ("topics", "target_groups", "instruments")
LINE_FIELDS = ("partners",)
COMMA_FIELDS = ("related", "keywords")
TEXT_FIELDS = ("id", "title", "title_en", "summary", "summary_en", "lang", "region", "municipality",
               "organisation", "organisation_type", "doctype", "evidence", "transferability", "source_url")


class Conflict(RuntimeError):
    """The record changed since the curator opened it (or a new record's id is taken)."""

    def __init__(self, message: str, current_version: str | None, code: str = "changed"):
        super().__init__(message)
        self.current_version = current_version
        self.code = code            # id-taken | gone | changed (the web layer words it for people)


class LockTimeout(RuntimeError):
    """Another save held the write lock for too long."""


@dataclass
class Revision:
    seq: int
    author: str
    time: str
    message: str
    version: str
    action: str

    def path(self, config: Config, practice_id: str) -> Path:
        return history_dir(config, practice_id) / f"{self.seq:06d}.md"


# --------------------------------------------------------------------------- locating records

def version_of(text_or_bytes) -> str:
    data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
    return hashlib.sha256(data).hexdigest()[:20]


def load(config: Config, practice_id: str) -> tuple[Practice, str] | None:
    """(record, version) of a corpus file, drafts included, or None."""
    path = find_file(config, practice_id)
    if path is None:
        return None
    raw = path.read_bytes()
    return parse_practice(raw, config, str(path)), version_of(raw)


# --------------------------------------------------------------------------- forms

def form_to_record(form: dict[str, list[str]], config: Config) -> Practice:
    """Turn submitted form values into a validated Practice; RecordError lists every problem.

    `form` maps field names to lists of strings (as a multi-dict gives them)."""
    def one(name):
        values = form.get(name) or [""]
        return values[0].strip()

    data: dict = {}
    problems: list[tuple[str, str]] = []
    for name in TEXT_FIELDS:
        value = one(name)
        if value:
            data[name] = value
    for name in LIST_FIELDS:
        values = [v.strip() for v in form.get(name, []) if v.strip()]
        if values or name == "topics":
            data[name] = values
    for name in LINE_FIELDS:
        values = [line.strip() for line in one(name).splitlines() if line.strip()]
        if values:
            data[name] = values
    for name in COMMA_FIELDS:
        values = [v.strip() for v in one(name).replace("\n", ",").split(",") if v.strip()]
        if values:
            data[name] = values
    for name in ("year_start", "year_end"):
        raw = one(name)
        if raw:
            try:
                data[name] = int(raw)
            except ValueError:
                problems.append((name, f"{raw!r} is not a year"))
    for name in ("ongoing", "illustrative"):
        if one(name) in ("1", "on", "true", "yes"):
            data[name] = True
    raw_date = one("date")
    if raw_date:
        try:
            data["date"] = dt.date.fromisoformat(raw_date)
        except ValueError:
            problems.append(("date", f"{raw_date!r} is not a date (YYYY-MM-DD)"))
    data["status"] = one("status") or "draft"
    indicators = []
    for n, line in enumerate(one("indicators").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + [""] * 6
        item = {"name": parts[0]}
        for key, raw in (("baseline", parts[1]), ("result", parts[2])):
            if raw:
                try:
                    item[key] = float(raw) if any(c in raw for c in ".eE") else int(raw)
                except ValueError:
                    problems.append(("indicators", f"line {n}: {key} {raw!r} is not a number"))
        if parts[3]:
            item["unit"] = parts[3]
        if parts[4]:
            try:
                item["year"] = int(parts[4])
            except ValueError:
                problems.append(("indicators", f"line {n}: year {parts[4]!r} is not a year"))
        if parts[5]:
            item["source"] = parts[5]
        indicators.append(item)
    if indicators:
        data["indicators"] = indicators
    attachments = []
    for n, line in enumerate(one("attachments").splitlines(), 1):
        if not line.strip():
            continue
        title, _, url = line.partition("|")
        attachments.append({"title": title.strip(), "url": url.strip()})
    if attachments:
        data["attachments"] = attachments
    body = (form.get("body") or [""])[0].replace("\r\n", "\n")
    try:
        practice = practice_from_dict(data, body, config, "form")
    except RecordError as exc:
        raise RecordError("form", problems + exc.problems) from None
    if problems:
        raise RecordError("form", problems)
    return practice


def record_to_form(p: Practice) -> dict[str, str | list[str]]:
    """Form values for editing a record (the inverse of form_to_record)."""
    def num(v):
        return "" if v is None else (str(int(v)) if float(v).is_integer() else str(v))

    return {
        **{name: getattr(p, name) or "" for name in TEXT_FIELDS},
        **{name: list(getattr(p, name)) for name in LIST_FIELDS},
        "partners": "\n".join(p.partners), "related": ", ".join(p.related),
        "keywords": ", ".join(p.keywords),
        "year_start": str(p.year_start), "year_end": "" if p.year_end is None else str(p.year_end),
        "ongoing": "1" if p.ongoing else "", "illustrative": "1" if p.illustrative else "",
        "date": p.date.isoformat() if p.date else "", "status": p.status, "body": p.body,
        "indicators": "\n".join(" | ".join([i.name, num(i.baseline), num(i.result), i.unit,
                                             "" if i.year is None else str(i.year), i.source])
                                 for i in p.indicators),
        "attachments": "\n".join(f"{a.title} | {a.url}" for a in p.attachments),
    }


# --------------------------------------------------------------------------- the write path

@contextmanager
def write_lock(config: Config, timeout: float = LOCK_TIMEOUT):
    config.var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.var_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout("another save is taking too long; try again in a moment") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)          # closing releases the lock


def history_dir(config: Config, practice_id: str) -> Path:
    if not ID_RE.match(practice_id):
        raise ValueError(f"not a record id: {practice_id!r}")
    return config.var_dir / "history" / practice_id


def revisions(config: Config, practice_id: str) -> list[Revision]:
    """Saved versions of a record, newest first."""
    folder = history_dir(config, practice_id)
    out = []
    for meta in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        try:
            out.append(Revision(**json.loads(meta.read_text(encoding="utf-8"))))
        except (ValueError, TypeError):
            continue
    return out


def revision_text(config: Config, practice_id: str, seq: int) -> str | None:
    path = history_dir(config, practice_id) / f"{int(seq):06d}.md"
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, ValueError):
        return None


def _record_revision(config: Config, practice_id: str, text: str, author: str, message: str,
                     action: str) -> Revision:
    folder = history_dir(config, practice_id)
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob("*.json"))
    seq = int(existing[-1].stem) + 1 if existing else 1
    rev = Revision(seq=seq, author=author, time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   message=message, version=version_of(text), action=action)
    write_atomic(folder / f"{seq:06d}.md", text)
    write_atomic(folder / f"{seq:06d}.json", json.dumps(rev.__dict__, ensure_ascii=False) + "\n")
    return rev


def audit(config: Config, curator: str, action: str, practice_id: str, **details) -> None:
    """Append one line to var/audit.log: who did what to which record, and when."""
    config.var_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "curator": curator,
                       "action": action, "id": practice_id, **details}, ensure_ascii=False)
    with open(config.var_dir / "audit.log", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def save(config: Config, practice: Practice, *, base_version: str | None, author: str,
         message: str = "", action: str = "save", new: bool = False) -> tuple[str, str | None]:
    """Write a record to the corpus and the index. Returns (new version, warning or None).

    `base_version` is the version the curator edited (None for a new record). Raises Conflict
    when the file changed meanwhile or a new record's id is taken, RecordError when a related
    id does not exist, LockTimeout when the write lock cannot be had."""
    text = practice.to_text()
    with write_lock(config):
        existing = find_file(config, practice.id)
        current = version_of(existing.read_bytes()) if existing else None
        if new and existing is not None:
            raise Conflict(f"id: a record with the id {practice.id!r} already exists; choose another id", current,
                           "id-taken")
        if not new and existing is None:
            raise Conflict(f"id: the record {practice.id!r} no longer exists", None, "gone")
        if not new and current != base_version:
            raise Conflict("this record was changed by someone else after you opened it; your text is "
                           "kept below — compare it with the current version and save again", current)
        missing = [r for r in practice.related if find_file(config, r) is None]
        if missing:
            raise RecordError("form", [("related", f"no record has the id {m!r}") for m in missing])
        if not history_dir(config, practice.id).is_dir() and existing is not None:
            # first save through kb: keep the version as it was before, so it can be restored
            _record_revision(config, practice.id, existing.read_text(encoding="utf-8"),
                             "(before kb curation)", "version found in the corpus", "import")
        target = practice_path(config, practice.region, practice.id)
        write_atomic(target, text)
        if existing is not None and existing != target:
            existing.unlink()           # the region changed: the file moved folders
        rev = _record_revision(config, practice.id, text, author, message, action)
        audit(config, author, action, practice.id, version=rev.version, status=practice.status,
              message=message)
        practice.path = str(target)
        warning = None
        try:
            index_practice(config, practice)
        except Exception as exc:  # noqa: BLE001 - the corpus is saved; the index catches up later
            warning = (f"saved, but the search index could not be updated ({exc}); it will be "
                       "brought up to date by the next `kb index`")
            audit(config, author, "index-failed", practice.id, error=str(exc))
        return rev.version, warning


def restore(config: Config, practice_id: str, seq: int, *, author: str) -> tuple[str, str | None]:
    """Make an old revision the current version again (as a new revision)."""
    text = revision_text(config, practice_id, seq)
    if text is None:
        raise KeyError(f"no revision {seq} of {practice_id!r}")
    practice = parse_practice(text, config, f"history/{practice_id}/{seq}")
    loaded = load(config, practice_id)
    base = loaded[1] if loaded else None
    return save(config, practice, base_version=base, author=author,
                message=f"restored revision {seq}", action="restore", new=loaded is None)


# --------------------------------------------------------------------------- HTML import (batch)

DEFAULT_ORGANISATION_TYPE = {"bg": "regional-administration", "es": "provincial-council"}
TO_COMPLETE = "(to be completed)"


def guess_region(config: Config, text: str) -> str | None:
    """The region a page is about, by the names of the regions it mentions most."""
    folded = fold(text)
    counts = {}
    for region in config.regions:
        if region.id == "partnership":
            continue
        names = {fold(label) for label in region.label.values()}
        counts[region.id] = sum(folded.count(n) for n in names if n)
    best = max(counts, key=counts.get, default=None)
    return best if best and counts[best] else None


def guess_topics(config: Config, text: str, limit: int = 3) -> list[str]:
    """Topics whose labels and synonyms (any language) occur most in the text."""
    folded = " " + " ".join(fold(text).split()) + " "
    scores = {}
    for topic in config.topics:
        names = list(topic.label.values()) + [w for ws in topic.synonyms.values() for w in ws]
        n = sum(folded.count(" " + fold(name) + " ") for name in names)
        if n:
            scores[topic.id] = n
    return sorted(scores, key=lambda t: -scores[t])[:limit]


def draft_from_page(page, config: Config, region: str | None = None) -> tuple[Practice, list[str]]:
    """A draft record from an imported page, and what could not be determined (to complete)."""
    notes = list(page.warnings)
    text = page.title + "\n" + page.body_markdown
    if region is None:
        region = guess_region(config, text)
        notes.append(f"region guessed from the text: {region}" if region else
                     "region: not found in the text (use --region); set to 'partnership'")
        region = region or "partnership"
    topics = guess_topics(config, text)
    if topics:
        notes.append(f"topics guessed from the text: {', '.join(topics)} (check them)")
    else:
        topics = ["communication"]
        notes.append("topics: none recognised; set to 'communication' (change it)")
    lang = page.lang or "en"
    if not page.lang:
        notes.append("lang: unknown; set to 'en'")
    year = page.date.year if page.date else dt.date.today().year
    if not page.date:
        notes.append(f"date: not found; year_start set to {year}")
    country = config.regions.get(region).country
    data = {
        "id": suggest_id(page.title, region), "title": page.title or TO_COMPLETE,
        "summary": page.summary or TO_COMPLETE, "lang": lang, "region": region,
        "organisation": TO_COMPLETE,
        "organisation_type": DEFAULT_ORGANISATION_TYPE.get(country, "partnership"),
        "topics": topics, "year_start": year, "doctype": "news", "status": "draft",
    }
    if page.date:
        data["date"] = page.date
    if page.source_url:
        data["source_url"] = page.source_url
    if lang != "en":
        notes.append("title_en, summary_en: to be written (English abstract)")
    notes.append("organisation: to be completed")
    return practice_from_dict(data, page.body_markdown, config, "import"), notes


# --------------------------------------------------------------------------- import: who published

_ES_NAME = r"[A-ZÁÉÍÓÚÑ][\wáéíóúñü'-]+(?:\s+(?:de(?:l)?|la|las|los|y)?\s*[A-ZÁÉÍÓÚÑ][\wáéíóúñü'-]+)*"
_BG_NAME = r"[А-Я][а-я-]+(?:\s+[А-Я][а-я-]+)?"
PUBLISHERS = [            # (pattern, organisation type, does the name give the municipality?)
    (re.compile(r"\bAyuntamiento\s+de\s+(" + _ES_NAME + ")"), "municipality", True),
    (re.compile(r"\bDiputación(?:\s+Provincial)?\s+de\s+(" + _ES_NAME + ")"), "provincial-council", False),
    (re.compile(r"\bJunta\s+de\s+(Extremadura)"), "regional-government", False),
    (re.compile(r"\bОбластна\s+администрация(?:\s*[-–—]\s*|\s+)(?:на\s+област\s+)?(" + _BG_NAME + ")"),
     "regional-administration", False),
    (re.compile(r"\bОбщина\s+(" + _BG_NAME + ")"), "municipality", True),
]
NEWS_PATH = re.compile(r"/(?:noticias?|news|novini|новини|actualidad|prensa|sala-de-prensa|press)(?:/|$|[-_.])",
                       re.IGNORECASE)


def guess_publisher(page_text: str, url: str | None = None) -> dict[str, str]:
    """Organisation, its type and the municipality where the page states them, and the document
    type where the address says what the page is (a /noticias/ page is news). Only what is found
    is returned; the most named publisher wins, the page's own header breaking ties."""
    counts: dict[tuple[str, str, bool], list[int]] = {}
    for pattern, org_type, names_place in PUBLISHERS:
        for m in pattern.finditer(page_text):
            name = " ".join(m.group(0).split())
            place = " ".join(m.group(1).split())
            key = (name, org_type, names_place and place)
            counts.setdefault(key, []).append(m.start())
    out: dict[str, str] = {}
    if counts:
        (name, org_type, place), _ = max(counts.items(), key=lambda kv: (len(kv[1]), -kv[1][0]))
        out["organisation"] = name
        out["organisation_type"] = org_type
        if place:
            out["municipality"] = place
    if url and NEWS_PATH.search(urlsplit(url).path):
        out["doctype"] = "news"
    return out
