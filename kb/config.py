"""Reads config.toml into a typed, validated Config; errors name the key and what is wrong."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kb.lang import LANGUAGES

LANGS = LANGUAGES
DEFAULT_PATH = "config.toml"
FACET_NAMES = (
    "region", "country", "topic", "doctype", "language", "year",
    "target_group", "instrument", "organisation_type", "status",
)


class ConfigError(ValueError):
    """A problem in config.toml; the message names the file and the key."""


@dataclass(frozen=True)
class Term:
    """One entry of a controlled vocabulary: an id and its label in each UI language."""
    id: str
    label: dict[str, str]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    country: str = ""          # regions only

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.id


@dataclass(frozen=True)
class Vocabulary:
    """An ordered controlled vocabulary (topics, regions, ...) with lookup by id."""
    name: str
    terms: tuple[Term, ...]

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {t.id: t for t in self.terms})

    def __contains__(self, term_id: str) -> bool:
        return term_id in self._by_id

    def __iter__(self):
        return iter(self.terms)

    def __len__(self):
        return len(self.terms)

    def get(self, term_id: str) -> Term | None:
        return self._by_id.get(term_id)

    def ids(self) -> list[str]:
        return [t.id for t in self.terms]

    def label(self, term_id: str, lang: str) -> str:
        term = self._by_id.get(term_id)
        return term.label_in(lang) if term else term_id


@dataclass(frozen=True)
class Config:
    root: Path                      # folder of config.toml; relative paths resolve against it
    corpus_dir: Path
    var_dir: Path
    ui_languages: tuple[str, ...]
    content_languages: tuple[str, ...]
    default_ui_language: str
    host: str
    port: int
    workers: int
    secure_cookies: bool
    page_size: int
    max_query_length: int
    facets: tuple[str, ...]
    countries: Vocabulary
    regions: Vocabulary
    topics: Vocabulary
    doctypes: Vocabulary
    target_groups: Vocabulary
    instruments: Vocabulary
    organisation_types: Vocabulary
    feedback_docs: int = 0          # pseudo-relevance feedback from the best n results (0 = off)

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"

    def vocabulary(self, facet: str) -> Vocabulary | None:
        """The vocabulary whose ids a facet's values are, or None (lang, year, status)."""
        return {
            "region": self.regions, "country": self.countries, "topic": self.topics,
            "doctype": self.doctypes, "target_group": self.target_groups,
            "instrument": self.instruments, "organisation_type": self.organisation_types,
        }.get(facet)


# --------------------------------------------------------------------------- validation

class _Reader:
    """Walks the parsed TOML, checking types and rejecting unknown keys, with key paths in errors."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, reason: str):
        raise ConfigError(f"{self.source}: {key}: {reason}")

    def table(self, data: dict, key: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(data, dict):
            self.fail(key, f"expected a table, got {type(data).__name__}")
        for k in data:
            if k not in allowed:
                self.fail(f"{key}.{k}" if key else k, f"unknown key (known: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in data:
                self.fail(f"{key}.{k}" if key else k, "missing required key")
        return data

    def typed(self, data: dict, key: str, path: str, kind, default=None):
        if key not in data:
            return default
        value = data[key]
        # bool is an int in Python; reject it where a number is expected
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.fail(path, f"expected an integer, got {value!r}")
        if kind is not int and not isinstance(value, kind):
            self.fail(path, f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value

    def string_list(self, data: dict, key: str, path: str, default=()) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def labels(self, value, path: str, langs) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(path, "expected a table of labels such as { bg = \"…\", es = \"…\", en = \"…\" }")
        for lang, text in value.items():
            if lang not in LANGS:
                self.fail(f"{path}.{lang}", f"unknown language (known: {', '.join(LANGS)})")
            if not isinstance(text, str) or not text.strip():
                self.fail(f"{path}.{lang}", "expected a non-empty string")
        for lang in langs:
            if lang not in value:
                self.fail(f"{path}.{lang}", "missing label for this UI language")
        return dict(value)

    def vocabulary(self, data: dict, name: str, ui_langs, extra: set[str] = frozenset()) -> Vocabulary:
        items = data.get(name)
        if items is None:
            self.fail(name, "missing: at least one entry is required")
        if not isinstance(items, list) or not items:
            self.fail(name, "expected a non-empty array of tables ([[" + name + "]])")
        terms, seen = [], set()
        for i, item in enumerate(items):
            path = f"{name}[{i}]"
            self.table(item, path, {"id", "label"} | extra, {"id", "label"})
            term_id = self.typed(item, "id", f"{path}.id", str)
            if not term_id or not all(c.isascii() and (c.isalnum() or c == "-") for c in term_id) \
                    or term_id != term_id.lower():
                self.fail(f"{path}.id", f"{term_id!r} is not a lower-case slug (a-z, 0-9, -)")
            if term_id in seen:
                self.fail(f"{path}.id", f"duplicate id {term_id!r}")
            seen.add(term_id)
            labels = self.labels(item["label"], f"{path}.label", ui_langs)
            synonyms = {}
            if "synonyms" in item:
                syn = self.table(item["synonyms"], f"{path}.synonyms", set(LANGS))
                synonyms = {lang: self.string_list(syn, lang, f"{path}.synonyms.{lang}") for lang in syn}
            country = self.typed(item, "country", f"{path}.country", str, "")
            terms.append(Term(term_id, labels, synonyms, country))
        return Vocabulary(name, tuple(terms))


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load and validate the configuration: `path`, else $KB_CONFIG, else ./config.toml."""
    path = Path(path or os.environ.get("KB_CONFIG") or DEFAULT_PATH).resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return config_from_dict(data, path.parent, source=str(path))


def config_from_dict(data: dict, root: Path, source: str = "config.toml") -> Config:
    r = _Reader(source)
    top = {"paths", "languages", "server", "search", "countries", "regions", "topics", "doctypes",
           "target_groups", "instruments", "organisation_types"}
    r.table(data, "", top, top - {"search", "server"})
    paths = r.table(data["paths"], "paths", {"corpus", "var"}, {"corpus", "var"})
    corpus = r.typed(paths, "corpus", "paths.corpus", str)
    var = r.typed(paths, "var", "paths.var", str)

    langs = r.table(data["languages"], "languages", {"ui", "content", "default_ui"}, {"ui", "content"})
    ui = r.string_list(langs, "ui", "languages.ui")
    content = r.string_list(langs, "content", "languages.content")
    for key, values in (("languages.ui", ui), ("languages.content", content)):
        if not values:
            r.fail(key, "at least one language is required")
        for lang in values:
            if lang not in LANGS:
                r.fail(key, f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    default_ui = r.typed(langs, "default_ui", "languages.default_ui", str, ui[0])
    if default_ui not in ui:
        r.fail("languages.default_ui", f"{default_ui!r} is not one of languages.ui {list(ui)}")

    server = r.table(data.get("server", {}), "server", {"host", "port", "workers", "secure_cookies"})
    host = r.typed(server, "host", "server.host", str, "127.0.0.1")
    port = r.typed(server, "port", "server.port", int, 8000)
    if not 0 < port < 65536:
        r.fail("server.port", f"{port} is not a TCP port (1-65535)")
    workers = r.typed(server, "workers", "server.workers", int, 2)
    secure_cookies = r.typed(server, "secure_cookies", "server.secure_cookies", bool, False)
    if not 1 <= workers <= 64:
        r.fail("server.workers", f"{workers} is out of range (1-64)")

    search = r.table(data.get("search", {}), "search", {"page_size", "max_query_length", "facets",
                                                                "feedback_docs"})
    page_size = r.typed(search, "page_size", "search.page_size", int, 20)
    if not 1 <= page_size <= 200:
        r.fail("search.page_size", f"{page_size} is out of range (1-200)")
    max_q = r.typed(search, "max_query_length", "search.max_query_length", int, 500)
    if not 10 <= max_q <= 10000:
        r.fail("search.max_query_length", f"{max_q} is out of range (10-10000)")
    feedback_docs = r.typed(search, "feedback_docs", "search.feedback_docs", int, 0)
    if not 0 <= feedback_docs <= 10:
        r.fail("search.feedback_docs", f"{feedback_docs} is out of range (0-10)")
    facets = r.string_list(search, "facets", "search.facets", FACET_NAMES[:-1])
    for f in facets:
        if f not in FACET_NAMES:
            r.fail("search.facets", f"unknown facet {f!r} (known: {', '.join(FACET_NAMES)})")

    countries = r.vocabulary(data, "countries", ui)
    regions = r.vocabulary(data, "regions", ui, {"country"})
    for i, region in enumerate(regions):
        if region.country not in countries:
            r.fail(f"regions[{i}].country", f"unknown country {region.country!r} "
                                             f"(known: {', '.join(countries.ids())})")
    topics = r.vocabulary(data, "topics", ui, {"synonyms"})
    return Config(
        root=root,
        corpus_dir=(root / corpus).resolve(),
        var_dir=(root / var).resolve(),
        ui_languages=ui,
        content_languages=content,
        default_ui_language=default_ui,
        host=host, port=port, workers=workers, secure_cookies=secure_cookies,
        page_size=page_size, max_query_length=max_q, facets=facets,
        countries=countries, regions=regions, topics=topics,
        doctypes=r.vocabulary(data, "doctypes", ui),
        target_groups=r.vocabulary(data, "target_groups", ui),
        instruments=r.vocabulary(data, "instruments", ui),
        organisation_types=r.vocabulary(data, "organisation_types", ui),
        feedback_docs=feedback_docs,
    )
