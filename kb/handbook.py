"""The Handbook: any search selection as a print-ready document (HTML for the browser, PDF).

`build_handbook(service, request, lang)` gathers the data: the published practices the search
request matches (SearchService.all_matching, the full records through SearchService.practice),
arranged by topic and then region, the topic × region matrix of the selection, an index by
region and municipality, and a description of the selection. `render_html` fills the Jinja
template kb/web/templates/handbook.html (with kb/web/static/handbook.css for print), `render_pdf`
turns that HTML into a PDF with WeasyPrint. Labels come from the interface's catalogs
(kb/web/translations) through Babel, so the web page, the PDF and `kb handbook` say the same in
bg, es and en. Nothing here imports Flask: the web blueprint and the CLI both call it.

Layout decisions
    - Every practice appears once, in the chapter of its first topic (a record lists its topics
      most important first); the contents list chapters in the taxonomy's order and regions in
      config.toml's order; within a region, practices by title.
    - Each practice has the same fixed template: problem, solution, results, resources,
      transferability, contacts and source, years, instruments, target groups; a section the
      record does not describe says so rather than disappearing.
    - The matrix counts the selection's practices per topic (every topic a practice lists, as
      the compare view and the search facets count) and region.
    - WeasyPrint fetches nothing from the network: the stylesheet is read from the package and
      any other URL (an image in a record, say) is refused by the URL fetcher.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations
import nh3
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

try:        # the web pages and the HTML handbook work without it; only the PDF needs WeasyPrint
    from weasyprint import CSS, HTML
    WEASYPRINT_PROBLEM = None
except (ImportError, OSError) as exc:       # OSError: Pango's libraries are missing
    CSS = HTML = None
    WEASYPRINT_PROBLEM = exc

from kb.compare import years_text
from kb.records.model import Practice
from kb.search import FILTER_FACETS, LANGUAGE_NAMES, SearchRequest, SearchService

WEB_DIR = Path(__file__).resolve().parent / "web"
TEMPLATES = WEB_DIR / "templates"
STYLESHEET = WEB_DIR / "static" / "handbook.css"
TRANSLATIONS = WEB_DIR / "translations"
MAX_PRACTICES = 2000           # a selection larger than this is refused (the corpus has ~130)
ALLOWED_TAGS = {"p", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote",
                "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td"}
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
SECTION_KEYS = ("problem", "solution", "results", "resources", "transferability")


class HandbookError(ValueError):
    """The selection cannot be made into a handbook; the message names the parameter."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# --------------------------------------------------------------------------- data

@dataclass
class Entry:
    """One practice as the handbook shows it."""
    practice: Practice
    anchor: str                              # "p-<id>": the target of contents and index links
    number: int                              # 1, 2, ... in the handbook's order
    years: str
    region_label: str
    topics: list[str]                        # labels
    instruments: list[str]
    target_groups: list[str]
    organisation_type: str
    sections: dict[str, Markup]              # problem, solution, ... as safe HTML ('' if absent)
    other_html: Markup                       # the body's introduction and unnamed sections
    show_english: bool                       # the handbook's language differs from the record's


@dataclass
class RegionGroup:
    region: str
    label: str
    entries: list[Entry]


@dataclass
class Chapter:
    topic: str
    label: str
    anchor: str
    regions: list[RegionGroup]

    @property
    def count(self) -> int:
        return sum(len(r.entries) for r in self.regions)


@dataclass
class MatrixRow:
    topic: str
    label: str
    counts: list[int]
    levels: list[int]                        # 0 (none) .. 4 (the most in the matrix), for shading

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class IndexMunicipality:
    name: str                                # '' = the region as a whole
    entries: list[Entry]


@dataclass
class IndexRegion:
    region: str
    label: str
    municipalities: list[IndexMunicipality]


@dataclass
class Handbook:
    lang: str
    date: dt.date
    date_text: str
    selection: list[tuple[str, list[str]]]   # (facet, value labels); empty = every practice
    query: str
    chapters: list[Chapter]
    matrix_regions: list[tuple[str, str]]    # (id, label) columns of the matrix
    matrix: list[MatrixRow]
    region_totals: list[int]
    index: list[IndexRegion]
    entries: list[Entry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.entries)


def _sort_key(text: str) -> str:
    return re.sub(r"[«»“”„\"'()]", "", text).casefold()


def build_handbook(service: SearchService, req: SearchRequest, lang: str,
                   today: dt.date | None = None) -> Handbook:
    """The handbook of every published practice `req` matches (drafts never), in `lang`.

    Raises HandbookError naming the parameter when the request is invalid or the index is missing.
    """
    cfg = service.config
    problems = [] if lang in cfg.ui_languages else [
        f"lang: unknown handbook language {lang!r} (known: {', '.join(cfg.ui_languages)})"]
    req.include_drafts = False
    req.filters = {k: v for k, v in req.filters.items() if k != "status"}
    req.ui_lang = lang if lang in cfg.ui_languages else req.ui_lang
    problems += service.validate(req)
    if problems:
        raise HandbookError(problems)
    docs, problems = service.all_matching(req, limit=MAX_PRACTICES + 1)
    if problems:
        raise HandbookError(problems)
    if len(docs) > MAX_PRACTICES:
        raise HandbookError([f"the selection holds more than {MAX_PRACTICES} practices; narrow it"])
    practices = [p for p in (service.practice(d.id) for d in docs) if p is not None]

    # chapters: first topic, then region (config order), then title
    topic_order = {t: i for i, t in enumerate(cfg.topics.ids())}
    region_order = {r: i for i, r in enumerate(cfg.regions.ids())}
    practices.sort(key=lambda p: (topic_order.get(p.topics[0], len(topic_order)),
                                  region_order.get(p.region, len(region_order)), _sort_key(p.title)))
    chapters: list[Chapter] = []
    entries: list[Entry] = []
    for p in practices:
        topic = p.topics[0]
        if not chapters or chapters[-1].topic != topic:
            chapters.append(Chapter(topic, cfg.topics.label(topic, lang), f"t-{topic}", []))
        chapter = chapters[-1]
        if not chapter.regions or chapter.regions[-1].region != p.region:
            chapter.regions.append(RegionGroup(p.region, cfg.regions.label(p.region, lang), []))
        entry = _entry(p, len(entries) + 1, lang, cfg)
        chapter.regions[-1].entries.append(entry)
        entries.append(entry)

    # matrix: every topic a practice lists, per region
    regions_present = [r for r in cfg.regions.ids() if any(p.region == r for p in practices)]
    main_regions = [r for r in cfg.regions.ids() if r != "partnership"][:4]
    columns = list(dict.fromkeys(main_regions + regions_present))
    counts = {(t, r): 0 for t in cfg.topics.ids() for r in columns}
    for p in practices:
        for t in p.topics:
            if (t, p.region) in counts:
                counts[(t, p.region)] += 1
    top = max(counts.values(), default=0)
    matrix = []
    for t in cfg.topics.ids():
        row = [counts[(t, r)] for r in columns]
        levels = [0 if not c else min(4, 1 + (3 * c) // max(top, 1)) for c in row]
        matrix.append(MatrixRow(t, cfg.topics.label(t, lang), row, levels))
    region_totals = [sum(1 for p in practices if p.region == r) for r in columns]

    # index: region, then municipality (the region as a whole first), then title
    index = []
    for r in cfg.regions.ids():
        mine = [e for e in entries if e.practice.region == r]
        if not mine:
            continue
        by_muni: dict[str, list[Entry]] = {}
        for e in sorted(mine, key=lambda e: (_sort_key(e.practice.municipality), _sort_key(e.practice.title))):
            by_muni.setdefault(e.practice.municipality.strip(), []).append(e)
        index.append(IndexRegion(r, cfg.regions.label(r, lang),
                                 [IndexMunicipality(m, es) for m, es in by_muni.items()]))

    today = today or dt.date.today()
    return Handbook(lang=lang, date=today, date_text=format_date(today, "long", locale=lang),
                    selection=_selection(req, cfg, lang), query=req.q, chapters=chapters,
                    matrix_regions=[(r, cfg.regions.label(r, lang)) for r in columns], matrix=matrix,
                    region_totals=region_totals, index=index, entries=entries)


def markdown_to_html(text: str) -> str:
    """The record pages' rendering (kb/web/render.py: markdown-it, then nh3), without importing
    the kb.web package (its __init__ imports Flask)."""
    html = _md.render(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def _entry(p: Practice, number: int, lang: str, cfg) -> Entry:
    sections = p.sections()
    rendered = {k: Markup(markdown_to_html(_demote(sections.get(k, "")))) for k in SECTION_KEYS}
    rest = "\n\n".join(sections[k] for k in ("intro", "lessons", "other") if sections.get(k))
    return Entry(
        practice=p, anchor=f"p-{p.id}", number=number,
        years=years_text(p.year_start, p.year_end, p.ongoing),
        region_label=cfg.regions.label(p.region, lang),
        topics=[cfg.topics.label(t, lang) for t in p.topics],
        instruments=[cfg.instruments.label(t, lang) for t in p.instruments],
        target_groups=[cfg.target_groups.label(t, lang) for t in p.target_groups],
        organisation_type=cfg.organisation_types.label(p.organisation_type, lang),
        sections=rendered, other_html=Markup(markdown_to_html(_demote(rest))),
        show_english=p.lang != lang and bool(p.title_en or p.summary_en))


def _demote(markdown: str) -> str:
    """Headings inside a section sit below the template's own (h4 and lower)."""
    return re.sub(r"^(#{1,4})(?=\s)", lambda m: "#" * min(6, len(m.group(1)) + 4), markdown, flags=re.M)


def _selection(req: SearchRequest, cfg, lang: str) -> list[tuple[str, list[str]]]:
    out = []
    for facet in FILTER_FACETS:
        values = req.selected(facet)
        if not values:
            continue
        vocab = cfg.vocabulary(facet)
        if facet == "language":
            labels = [LANGUAGE_NAMES.get(v, {}).get(lang, v) for v in values]
        else:
            labels = [vocab.label(v, lang) if vocab else v for v in values]
        out.append((facet, labels))
    if req.year_from is not None or req.year_to is not None:
        out.append(("year", [f"{req.year_from or '…'}–{req.year_to or '…'}"]))
    return out


# --------------------------------------------------------------------------- labels

_catalogs: dict[str, NullTranslations] = {}


def translator(lang: str):
    """gettext(text, **variables) in `lang` from the interface catalogs (English: the text itself)."""
    if lang not in _catalogs:
        _catalogs[lang] = (Translations.load(str(TRANSLATIONS), [lang]) if lang != "en"
                           else NullTranslations())
    catalog = _catalogs[lang]

    def gettext(text: str, **variables) -> str:
        out = catalog.gettext(text)
        return out % variables if variables else out

    def ngettext(singular: str, plural: str, n: int, **variables) -> str:
        variables.setdefault("num", n)
        return catalog.ngettext(singular, plural, n) % variables

    return gettext, ngettext


_env: Environment | None = None


def _environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    return _env


def render_html(handbook: Handbook, stylesheet_href: str | None = None, back_href: str | None = None,
                pdf_href: str | None = None, inline_css: bool = False) -> str:
    """The handbook as one HTML document. `stylesheet_href`: a <link> to handbook.css (the web
    page); `inline_css`: the stylesheet inside the file (a stand-alone file); neither: left to
    the caller (render_pdf passes it to WeasyPrint)."""
    gettext, ngettext = translator(handbook.lang)
    template = _environment().get_template("handbook.html")
    return template.render(hb=handbook, _=gettext, gettext=gettext, ngettext=ngettext,
                           stylesheet_href=stylesheet_href, back_href=back_href, pdf_href=pdf_href,
                           inline_css=Markup(STYLESHEET.read_text(encoding="utf-8")) if inline_css else None,
                           language_names=LANGUAGE_NAMES)


def _no_network(url: str, timeout: int = 10, ssl_context=None):
    """WeasyPrint's URL fetcher: only the handbook's own stylesheet, nothing from the network."""
    raise ValueError(f"the handbook loads no external resource ({url[:80]})")


def render_pdf(handbook: Handbook) -> bytes:
    """The handbook as PDF bytes (WeasyPrint: pages, running heads, links, outline)."""
    if WEASYPRINT_PROBLEM is not None:
        raise HandbookError([f"the PDF cannot be made on this machine: WeasyPrint is not usable "
                             f"({WEASYPRINT_PROBLEM}); install the Debian packages listed in the "
                             "Makefile's RUN_PACKAGES"])
    html = render_html(handbook)
    document = HTML(string=html, url_fetcher=_no_network, base_url=str(WEB_DIR))
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def handbook_pdf(service: SearchService, req: SearchRequest, lang: str) -> bytes:
    return render_pdf(build_handbook(service, req, lang))
