"""The practice record: parsing a corpus file, validating it against the config, writing it back."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, asdict
from pathlib import Path

from kb.config import Config

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER_FENCE = "+++"
STATUSES = ("draft", "published")
TRANSFERABILITY = ("high", "medium", "low")
MAX_TOPICS = 5

# Body section keys and the headings that introduce them, in every content language.
SECTIONS = {
    "problem": ("problem", "проблем", "problema"),
    "solution": ("solution", "решение", "solución", "solucion"),
    "results": ("results", "резултати", "resultados"),
    "resources": ("resources", "ресурси", "recursos"),
    "lessons": ("lessons learned", "lessons", "поуки", "lecciones aprendidas", "lecciones"),
    "transferability": ("transferability", "приложимост", "transferibilidad"),
}
_HEADING_TO_SECTION = {h: key for key, names in SECTIONS.items() for h in names}
REQUIRED_CASE_STUDY_SECTIONS = ("problem", "solution", "results")


class RecordError(ValueError):
    """One or more problems in one corpus file; each problem is (field, reason)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {f}: {r}" for f, r in problems))

    def messages(self) -> list[str]:
        return [f"{self.source}: {f}: {r}" for f, r in self.problems]


@dataclass
class Indicator:
    name: str
    baseline: float | None = None
    result: float | None = None
    unit: str = ""
    year: int | None = None
    source: str = ""


@dataclass
class Attachment:
    title: str
    url: str


@dataclass
class Practice:
    id: str
    title: str
    summary: str
    lang: str
    region: str
    organisation: str
    organisation_type: str
    topics: list[str]
    year_start: int
    doctype: str
    status: str
    body: str = ""
    title_en: str = ""
    summary_en: str = ""
    municipality: str = ""
    partners: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    year_end: int | None = None
    ongoing: bool = False
    date: dt.date | None = None
    illustrative: bool = False
    evidence: str = ""
    transferability: str = ""
    source_url: str = ""
    related: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # Not part of the file's fields: where it came from and what country its region is in.
    country: str = ""
    path: str = ""

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def english_title(self) -> str:
        return self.title if self.lang == "en" else self.title_en

    @property
    def english_summary(self) -> str:
        return self.summary if self.lang == "en" else self.summary_en

    @property
    def year_last(self) -> int:
        """Last year the practice covers (the current year while it is ongoing)."""
        if self.year_end is not None:
            return self.year_end
        if self.ongoing:
            return max(self.year_start, dt.date.today().year)
        return self.year_start

    def sections(self) -> dict[str, str]:
        """Body text per known section key (problem, solution, ...); unknown headings go to 'other'."""
        return split_sections(self.body)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d

    def to_text(self) -> str:
        """The corpus file for this record: TOML front matter between +++ lines, then the body."""
        return dump_practice(self)

    def content_hash(self) -> str:
        return hashlib.sha256(self.to_text().encode("utf-8")).hexdigest()[:16]


def split_sections(body: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current = "intro"
    for line in body.splitlines():
        m = re.match(r"^#{1,3}\s+(.+?)\s*#*\s*$", line)
        if m:
            key = _HEADING_TO_SECTION.get(m.group(1).strip().rstrip(":").lower())
            current = key or "other"
            if key:
                continue
        sections.setdefault(current, []).append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items() if "\n".join(v).strip()}


# --------------------------------------------------------------------------- parsing

def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) or None when the text does not start with a +++ block."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == FRONT_MATTER_FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]).strip("\n") + "\n"
    return None


def read_practice(path: Path, config: Config, source: str | None = None) -> Practice:
    """Read and validate one corpus file; raises RecordError naming the file, field and reason."""
    source = source or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordError(source, [("file", f"cannot read: {exc.strerror}")]) from None
    practice = parse_practice(raw, config, source)
    practice.path = source
    return practice


def parse_practice(raw: bytes | str, config: Config, source: str = "<text>",
                   expected_id: str | None = None, expected_region: str | None = None) -> Practice:
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(source, [("file", f"not UTF-8 text (invalid byte at position {exc.start}); "
                                                "save the file as UTF-8")]) from None
    else:
        text = raw
    text = text.replace("\r\n", "\n")
    if "\x00" in text:
        raise RecordError(source, [("file", "contains a NUL byte; not a text file")])
    parts = split_front_matter(text)
    if parts is None:
        raise RecordError(source, [("front matter", "the file must start with a '+++' line, then TOML "
                                                    "fields, then a closing '+++' line")])
    front, body = parts
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise RecordError(source, [("front matter", f"invalid TOML: {exc}")]) from None
    return practice_from_dict(data, body, config, source, expected_id, expected_region)


_FIELDS = {
    # name: (kind, required)
    "id": ("str", True), "title": ("str", True), "title_en": ("str", False),
    "summary": ("str", True), "summary_en": ("str", False), "lang": ("str", True),
    "region": ("str", True), "municipality": ("str", False), "organisation": ("str", True),
    "organisation_type": ("str", True), "partners": ("strlist", False), "topics": ("strlist", True),
    "target_groups": ("strlist", False), "instruments": ("strlist", False),
    "year_start": ("int", True), "year_end": ("int", False), "ongoing": ("bool", False),
    "date": ("date", False), "doctype": ("str", True), "status": ("str", True),
    "illustrative": ("bool", False), "evidence": ("str", False), "transferability": ("str", False),
    "source_url": ("str", False), "related": ("strlist", False), "keywords": ("strlist", False),
    "indicators": ("tables", False), "attachments": ("tables", False),
}
_KIND_NAMES = {"str": "a string", "strlist": "a list of strings", "int": "an integer",
               "bool": "true or false", "date": "a date such as 2013-02-16",
               "tables": "an array of tables"}


def _check_kind(value, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "strlist":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == "tables":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return False


def _known(vocab) -> str:
    return f"(known: {', '.join(vocab.ids())})"


def practice_from_dict(data: dict, body: str, config: Config, source: str = "<form>",
                       expected_id: str | None = None, expected_region: str | None = None) -> Practice:
    """Validate field values (as parsed from TOML or a form) and build a Practice.

    All problems are collected, so a curator or `kb check` sees every one at once.
    """
    problems: list[tuple[str, str]] = []
    clean: dict = {}
    for key in data:
        if key not in _FIELDS:
            problems.append((key, f"unknown field (a typo? known fields: {', '.join(_FIELDS)})"))
    for key, (kind, required) in _FIELDS.items():
        if key not in data:
            if required:
                problems.append((key, "missing required field"))
            continue
        value = data[key]
        if not _check_kind(value, kind):
            problems.append((key, f"expected {_KIND_NAMES[kind]}, got {value!r}"))
            continue
        if kind == "str":
            value = value.strip()
            if required and not value:
                problems.append((key, "must not be empty"))
                continue
        if kind == "strlist":
            value = [v.strip() for v in value if v.strip()]
        clean[key] = value

    def check_id_value(key, value):
        if not (3 <= len(value) <= 80 and ID_RE.match(value)):
            problems.append((key, f"{value!r} is not a valid id: use 3-80 lower-case Latin letters, "
                                  "digits and single hyphens, e.g. 'bu-pomorie-one-stop-shop'"))
            return False
        return True

    if "id" in clean and check_id_value("id", clean["id"]) and expected_id and clean["id"] != expected_id:
        problems.append(("id", f"{clean['id']!r} does not match the file name {expected_id!r}.md"))
    lang = clean.get("lang")
    if lang is not None and lang not in config.content_languages:
        problems.append(("lang", f"unknown language {lang!r} (known: {', '.join(config.content_languages)})"))
    region = clean.get("region")
    if region is not None:
        if region not in config.regions:
            problems.append(("region", f"unknown region {region!r} {_known(config.regions)}"))
        elif expected_region and region != expected_region:
            problems.append(("region", f"{region!r} does not match the folder {expected_region!r}; "
                                       f"move the file to corpus/{region}/"))
    for key, vocab in (("organisation_type", config.organisation_types), ("doctype", config.doctypes)):
        if key in clean and clean[key] not in vocab:
            problems.append((key, f"unknown {key.replace('_', ' ')} {clean[key]!r} {_known(vocab)}"))
    for key, vocab, what in (("topics", config.topics, "topic"),
                             ("target_groups", config.target_groups, "target group"),
                             ("instruments", config.instruments, "instrument")):
        for value in clean.get(key, []):
            if value not in vocab:
                problems.append((key, f"unknown {what} {value!r} {_known(vocab)}"))
        if len(set(clean.get(key, []))) != len(clean.get(key, [])):
            problems.append((key, "lists the same value twice"))
    if "topics" in clean and not 1 <= len(clean["topics"]) <= MAX_TOPICS:
        problems.append(("topics", f"give 1 to {MAX_TOPICS} topics, not {len(clean['topics'])}"))
    status = clean.get("status")
    if status is not None and status not in STATUSES:
        problems.append(("status", f"unknown status {status!r} (known: {', '.join(STATUSES)})"))
    if clean.get("transferability") and clean["transferability"] not in TRANSFERABILITY:
        problems.append(("transferability", f"{clean['transferability']!r} is not one of "
                                            f"{', '.join(TRANSFERABILITY)}"))
    ys, ye = clean.get("year_start"), clean.get("year_end")
    if ys is not None and not 1990 <= ys <= 2100:
        problems.append(("year_start", f"{ys} is not a plausible year (1990-2100)"))
    if ye is not None:
        if not 1990 <= ye <= 2100:
            problems.append(("year_end", f"{ye} is not a plausible year (1990-2100)"))
        elif ys is not None and ye < ys:
            problems.append(("year_end", f"{ye} is before year_start {ys}"))
        if clean.get("ongoing"):
            problems.append(("year_end", "an ongoing practice has no year_end; remove one of them"))
    url = clean.get("source_url")
    if url and not re.match(r"^https?://[^\s/$.?#][^\s]*$", url):
        problems.append(("source_url", f"{url!r} is not an http(s) address"))
    for rel in clean.get("related", []):
        if not ID_RE.match(rel):
            problems.append(("related", f"{rel!r} is not a record id"))
    if "id" in clean and clean["id"] in clean.get("related", []):
        problems.append(("related", "a record cannot be related to itself"))
    indicators = []
    for i, item in enumerate(clean.get("indicators", [])):
        path = f"indicators[{i}]"
        allowed = {"name", "baseline", "result", "unit", "year", "source"}
        for k in item:
            if k not in allowed:
                problems.append((f"{path}.{k}", f"unknown field (known: {', '.join(sorted(allowed))})"))
        if not isinstance(item.get("name"), str) or not item.get("name", "").strip():
            problems.append((f"{path}.name", "missing: every indicator needs a name"))
            continue
        ok = True
        for k in ("baseline", "result"):
            v = item.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                problems.append((f"{path}.{k}", f"expected a number, got {v!r}"))
                ok = False
        for k in ("unit", "source"):
            if k in item and not isinstance(item[k], str):
                problems.append((f"{path}.{k}", f"expected a string, got {item[k]!r}"))
                ok = False
        if "year" in item and not _check_kind(item["year"], "int"):
            problems.append((f"{path}.year", f"expected an integer, got {item['year']!r}"))
            ok = False
        if ok:
            indicators.append(Indicator(name=item["name"].strip(), baseline=item.get("baseline"),
                                        result=item.get("result"), unit=item.get("unit", ""),
                                        year=item.get("year"), source=item.get("source", "")))
    attachments = []
    for i, item in enumerate(clean.get("attachments", [])):
        path = f"attachments[{i}]"
        if set(item) - {"title", "url"}:
            problems.append((path, f"unknown field(s) {', '.join(sorted(set(item) - {'title', 'url'}))}"))
        if not all(isinstance(item.get(k), str) and item.get(k).strip() for k in ("title", "url")):
            problems.append((path, "every attachment needs a title and a url (strings)"))
            continue
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", item["url"].strip()):
            problems.append((f"{path}.url", f"{item['url']!r} is not an http(s) address"))
            continue
        attachments.append(Attachment(item["title"].strip(), item["url"].strip()))

    if clean.get("doctype") == "case-study":
        present = split_sections(body)
        missing = [s for s in REQUIRED_CASE_STUDY_SECTIONS if s not in present]
        if missing:
            names = ", ".join(f"'## {SECTIONS[s][0].title()}'" for s in missing)
            problems.append(("body", f"a case study needs the sections {names} "
                                     "(or their Bulgarian/Spanish headings)"))

    if problems:
        raise RecordError(source, problems)
    region_term = config.regions.get(clean["region"])
    clean.pop("indicators", None)
    clean.pop("attachments", None)
    return Practice(**clean, body=body.strip() + "\n" if body.strip() else "",
                    indicators=indicators, attachments=attachments,
                    country=region_term.country if region_term else "")


# --------------------------------------------------------------------------- writing

_json_string = json.encoder.encode_basestring


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # JSON string escapes are valid TOML basic-string escapes for everything json emits;
        # encode_basestring is what json.dumps(value, ensure_ascii=False) calls for a str
        return _json_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


_WRITE_ORDER = [k for k in _FIELDS if k not in ("indicators", "attachments")]


def dump_practice(p: Practice) -> str:
    """Serialise a record as a corpus file; parse_practice(dump_practice(p)) == p."""
    lines = [FRONT_MATTER_FENCE]
    defaults = Practice.__dataclass_fields__
    for key in _WRITE_ORDER:
        value = getattr(p, key)
        if key not in ("id", "title", "summary", "lang", "region", "organisation", "organisation_type",
                       "topics", "year_start", "doctype", "status"):
            default = defaults[key].default
            if default is not None and not isinstance(default, (str, bool)) and value == []:
                continue
            if value in ("", None, [], False) and key != "illustrative":
                continue
            if key == "illustrative" and not value:
                continue
        lines.append(f"{key} = {_toml_value(value)}")
    for ind in p.indicators:
        lines.append("")
        lines.append("[[indicators]]")
        for key in ("name", "baseline", "result", "unit", "year", "source"):
            value = getattr(ind, key)
            if value not in (None, ""):
                lines.append(f"{key} = {_toml_value(value)}")
    for att in p.attachments:
        lines.append("")
        lines.append("[[attachments]]")
        lines.append(f"title = {_toml_value(att.title)}")
        lines.append(f"url = {_toml_value(att.url)}")
    lines.append(FRONT_MATTER_FENCE)
    return "\n".join(lines) + "\n\n" + p.body.strip() + "\n"
