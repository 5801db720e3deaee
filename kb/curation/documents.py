"""Import a case study from a document file: PDF, DOCX or ODT in (HTML too), a draft record out.

`import_document(data, filename)` returns the same `ImportedPage` as kb.curation.importer.import_html:
title, the body as Markdown (headings "## …", paragraphs, "- " and "1. " lists, pipe tables),
language, date, summary and warnings. Each format is first read into a list of blocks (title,
heading, paragraph, list item, table), and the blocks become Markdown here; language, date and
summary are then found by kb.curation.importer.import_html on a plain HTML rendering of the same blocks,
so documents and web pages are judged by the same rules (and give the same warnings).

    PDF    pdfminer.six (text with positions, sizes and font names). Lines are regrouped by
           position: a list marker drawn apart from its text ("•", "1.") is joined to it; lines
           repeated in the top or bottom margin of most pages (running heads, page numbers) are
           dropped; paragraphs end at a larger vertical gap, a first-line indent or a page turn
           after a full stop. Headings are recognised by font size (larger than the body text:
           largest first; the largest line(s) at the top of page 1 are the title) or a short,
           all-bold line of body size. A PDF without a text layer (a scan) is refused with a
           message, never turned into an empty draft; pages without text in a PDF that has text
           are named in a warning.
    DOCX   mammoth (Word styles → HTML: headings, Title, bullet and numbered lists resolved from
           the numbering definitions, nested lists, tables, bold and italic); images are left out
           with a warning. Title and dates from docProps/core.xml.
    ODT    odfpy (text:h outline levels, paragraphs whose style is or inherits from "Title",
           text:list with its list style deciding bullets or numbers, nested lists, tables).
    HTML   kb.curation.importer.import_html.

Refused, with an ImportError_ naming the reason and nothing else done: files larger than
MAX_DOCUMENT_BYTES, PDFs of more than MAX_PDF_PAGES pages, ZIP packages (DOCX, ODT) that would
unpack to more than MAX_UNPACKED_BYTES or at a suspicious compression ratio (ZIP bombs),
encrypted PDFs, old binary .doc files, spreadsheets and presentations, broken files.
"""
from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
import statistics
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree
from odf import opendocument, teletype
from odf.namespaces import STYLENS, TABLENS, TEXTNS
from odf.table import TableRow
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from kb.curation.importer import ImportedPage, ImportError_, import_html

__all__ = ["import_document", "detect_format", "DOCUMENT_SUFFIXES", "MAX_DOCUMENT_BYTES",
           "MAX_PDF_PAGES", "MAX_UNPACKED_BYTES"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024       # larger files are refused
MAX_PDF_PAGES = 300
MAX_UNPACKED_BYTES = 100 * 1024 * 1024     # a DOCX/ODT unpacking to more is refused
MAX_ZIP_RATIO = 200                        # compression ratio above which a member is a ZIP bomb
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".odt", ".html", ".htm")
MIN_TEXT_CHARS = 20                        # a PDF with fewer letters than this has no text layer

_BULLET_RE = re.compile(r"^([•◦▪▫●○■□‣⁃∙·\-–—*➢►✓])\s*(?=\S)")
_NUMBER_RE = re.compile(r"^(\d{1,3}|[a-zа-я])([.)])\s+(?=\S)", re.I)
_PAGE_NO_RE = re.compile(r"^(?:(?:page|pág(?:ina)?\.?|стр(?:аница)?\.?)\s*)?\d{1,4}(?:\s*(?:/|of|de|от)\s*\d{1,4})?$", re.I)
_BAD_TITLE_RE = re.compile(r"^(?:microsoft word|untitled|документ|document|sin título|без заглавие)\b", re.I)


@dataclass
class Block:
    kind: str                      # title | heading | p | li | table
    text: str = ""                 # Markdown inline text (already escaped)
    level: int = 1                 # heading level (1 = top), list depth (0 = top)
    ordered: bool = False
    rows: list[list[str]] = field(default_factory=list)
    x0: float = 0.0                # PDF: left edge of a list item's marker


@dataclass
class _Meta:
    title: str = ""
    created: dt.date | None = None
    warnings: list[str] = field(default_factory=list)


# =========================================================================== public API

def detect_format(data: bytes, filename: str | None = None) -> str:
    """'pdf' | 'docx' | 'odt' | 'html', from the bytes (the name's suffix only breaks ties).

    Raises ImportError_ for formats kb does not read, naming what the file seems to be."""
    name = (filename or "").lower()
    if data[:1024].lstrip()[:5] == b"%PDF-" or data[:5] == b"%PDF-":
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportError_("this is an old binary Word/Office file (.doc, .xls, .ppt): "
                           "save it as .docx or .odt (or PDF) and import that")
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                mimetype = z.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            raise ImportError_("the file is a damaged ZIP package (DOCX and ODT are ZIP packages)") from None
        if "word/document.xml" in names:
            return "docx"
        if mimetype == "application/vnd.oasis.opendocument.text":
            return "odt"
        if mimetype.startswith("application/vnd.oasis.opendocument."):
            kind = mimetype.rsplit(".", 1)[-1]
            raise ImportError_(f"this is an OpenDocument {kind} file, not a text document: "
                               "import a text document (.odt), a .docx or a PDF")
        if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
            raise ImportError_("this is an Excel or PowerPoint file, not a text document")
        raise ImportError_("this ZIP file is neither a Word (.docx) nor an OpenDocument text (.odt)")
    if name.endswith((".pdf", ".docx", ".odt")):
        raise ImportError_(f"the file is named {Path(name).suffix} but is not one "
                           "(its first bytes do not match the format); it may be damaged")
    return "html"


def import_document(data: bytes, filename: str | None = None) -> ImportedPage:
    """Read a PDF, DOCX, ODT or HTML file into an ImportedPage (see the module's docstring).

    Raises ImportError_ (and no other exception) when the file cannot be imported."""
    if not isinstance(data, (bytes, bytearray)):
        raise ImportError_("expected the file's bytes")
    data = bytes(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportError_(f"the file is {len(data) / 1048576:.1f} MB; files up to "
                           f"{MAX_DOCUMENT_BYTES // 1048576} MB can be imported")
    if not data.strip():
        raise ImportError_("the file is empty")
    fmt = detect_format(data, filename)
    if fmt == "html":
        return import_html(data)
    try:
        if fmt == "pdf":
            blocks, meta = _read_pdf(data)
        elif fmt == "docx":
            blocks, meta = _read_docx(data)
        else:
            blocks, meta = _read_odt(data)
    except ImportError_:
        raise
    except RecursionError:
        raise ImportError_(f"the {fmt.upper()} file is nested too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - the contract: ImportError_ for any bad input
        raise ImportError_(f"the {fmt.upper()} file could not be read ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from None
    return _page(blocks, meta, fmt, filename)


# =========================================================================== blocks -> page

def _escape(text: str) -> str:
    """Plain text as Markdown inline text that renders as itself (no markup, no raw HTML)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    return _escape_line_start(text)


def _escape_line_start(text: str) -> str:
    text = re.sub(r"^(\d{1,9})([.)])(?=\s|$)", r"\1\\\2", text)
    return re.sub(r"^([#+\-=>~])", r"\\\1", text)


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md).replace("**", "").replace("*", "") if md else ""


def to_markdown(blocks: list[Block]) -> str:
    parts: list[str] = []
    counters: dict[int, int] = {}
    prev: Block | None = None
    for b in blocks:
        if b.kind == "li":
            if prev is None or prev.kind != "li":
                counters = {}
            for depth in [d for d in counters if d > b.level]:
                del counters[depth]
            counters[b.level] = counters.get(b.level, 0) + 1
            marker = f"{counters[b.level]}. " if b.ordered else "- "
            line = "   " * b.level + marker + b.text
            if prev is not None and prev.kind == "li":
                parts[-1] += "\n" + line
            else:
                parts.append(line)
        elif b.kind == "heading":
            parts.append("#" * min(6, b.level + 1) + " " + b.text)
        elif b.kind == "table":
            rows = [r for r in b.rows if any(c.strip() for c in r)]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
                lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
                parts.append("\n".join(lines))
        elif b.kind == "p" and b.text:
            parts.append(b.text)
        prev = b
    return "\n\n".join(parts).strip()


def _choose_title(blocks: list[Block], meta: _Meta, filename: str | None, warnings: list[str]) -> str:
    stem = Path(filename or "").stem.lower()
    meta_title = re.sub(r"\s+", " ", meta.title).strip()
    if meta_title and (_BAD_TITLE_RE.match(meta_title) or meta_title.lower() == stem or len(meta_title) < 4):
        meta_title = ""
    for i, b in enumerate(blocks):
        if b.kind == "title":
            del blocks[i]
            return _unescape(b.text)
    if meta_title:
        if blocks and _unescape(blocks[0].text).strip().lower() == meta_title.lower():
            del blocks[0]
        warnings.append("title taken from the document's properties; check it")
        return meta_title
    for i, b in enumerate(blocks[:3]):
        if b.kind == "heading":
            del blocks[i]
            warnings.append("no title style in the document: its first heading was taken as the title")
            return _unescape(b.text)
    for i, b in enumerate(blocks):
        if b.kind == "p" and b.text:
            text = _unescape(b.text)
            if len(text) <= 200:
                del blocks[i]
                warnings.append("no title in the document: its first line was taken as the title; check it")
                return text
            break
    warnings.append("no title found: write one")
    return ""


def _page(blocks: list[Block], meta: _Meta, fmt: str, filename: str | None) -> ImportedPage:
    warnings = list(meta.warnings)
    title = _choose_title(blocks, meta, filename, warnings)
    body = to_markdown(blocks)
    if not body.strip():
        raise ImportError_(f"the {fmt.upper()} file holds no text besides its title" if title
                           else f"the {fmt.upper()} file holds no text")
    # language, date and summary by the HTML importer's rules, on the same text
    parts = [f"<h1>{html_lib.escape(title)}</h1>"] if title else []
    for b in blocks:
        text = html_lib.escape(_unescape(b.text))
        if b.kind == "heading":
            parts.append(f"<h{min(6, b.level + 1)}>{text}</h{min(6, b.level + 1)}>")
        elif b.kind == "li":
            parts.append(f"<ul><li>{text}</li></ul>")
        elif b.kind == "table":
            parts.append("<table>" + "".join("<tr>" + "".join(f"<td>{html_lib.escape(_unescape(c))}</td>" for c in r)
                                             + "</tr>" for r in b.rows) + "</table>")
        elif text:
            parts.append(f"<p>{text}</p>")
    doc = ("<!doctype html><html><head><meta charset='utf-8'><title>" + html_lib.escape(title)
           + "</title></head><body><main><article>" + "".join(parts) + "</article></main></body></html>")
    try:
        probe = import_html(doc.encode("utf-8"))
    except ImportError_:
        probe = None
    date = probe.date if probe else None
    found = [w for w in (probe.warnings if probe else []) if "url" not in w.lower()]
    if date is None and meta.created is not None:
        found = [w for w in found if "date" not in w.lower()]
        found.append(f"no date in the text: the document's creation date ({meta.created.isoformat()}, "
                     "from its properties) was taken; check it")
        date = meta.created
    warnings += found
    warnings.append(f"no source URL (imported from a {fmt.upper()} file): add the address where it is "
                    "published, if any")
    summary = probe.summary if probe else ""
    return ImportedPage(title=title[:300], body_markdown=body, lang=probe.lang if probe else None,
                        date=date, source_url=None, summary=summary, warnings=warnings)


# =========================================================================== ZIP packages

def _check_zip(data: bytes) -> zipfile.ZipFile:
    z = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for info in z.infolist():
        total += info.file_size
        if info.file_size > 1_000_000 and info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise ImportError_(f"the package member {info.filename[:60]!r} would unpack to "
                               f"{info.file_size // 1048576} MB from {info.compress_size // 1024} KB: refused "
                               "(a ZIP bomb?)")
    if total > MAX_UNPACKED_BYTES:
        raise ImportError_(f"the document would unpack to {total // 1048576} MB; the limit is "
                           f"{MAX_UNPACKED_BYTES // 1048576} MB")
    return z


def _iso_date(text: str | None) -> dt.date | None:
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if not m:
        return None
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return d if 1990 <= d.year <= 2100 else None


def _core_properties(z: zipfile.ZipFile, member: str) -> tuple[str, dt.date | None]:
    """(title, creation date) from docProps/core.xml (DOCX) or meta.xml (ODT)."""
    try:
        raw = z.read(member)
    except KeyError:
        return "", None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(raw, parser)
    title = created = ""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1]
        if local == "title" and not title:
            title = (el.text or "").strip()
        elif local in ("created", "creation-date") and not created:
            created = (el.text or "").strip()
    return title, _iso_date(created)


# =========================================================================== DOCX

_DOCX_STYLE_MAP = """
p[style-name='Title'] => h1.doc-title:fresh
p[style-name='Subtitle'] => p:fresh
"""


def _read_docx(data: bytes) -> tuple[list[Block], _Meta]:
    z = _check_zip(data)
    title, created = _core_properties(z, "docProps/core.xml")
    meta = _Meta(title=title, created=created)
    images = 0

    def skip_image(_image):
        nonlocal images
        images += 1
        return []

    result = mammoth.convert_to_html(io.BytesIO(data), style_map=_DOCX_STYLE_MAP,
                                     convert_image=lambda image: skip_image(image))
    if images:
        meta.warnings.append(f"{images} image(s) left out: add them as attachments if they matter")
    soup = BeautifulSoup(result.value, "lxml")
    return _html_blocks(soup.body or soup), meta


def _inline(el) -> str:
    """Markdown inline text of an element: text escaped, <strong>/<b> **…**, <em>/<i> *…*."""
    out = []
    for child in el.children:
        if isinstance(child, NavigableString):
            out.append(re.sub(r"([\\`*_\[\]<>|])", r"\\\1", str(child)))
        elif isinstance(child, Tag):
            if child.name in ("ul", "ol", "table"):
                continue
            if child.name == "br":
                out.append(" ")
                continue
            inner = _inline(child)
            if child.name in ("strong", "b") and inner.strip():
                out.append(f"**{inner.strip()}** " if inner.endswith(" ") else f"**{inner.strip()}**")
            elif child.name in ("em", "i") and inner.strip():
                out.append(f"*{inner.strip()}*")
            else:
                out.append(inner)
    return re.sub(r"\s+", " ", "".join(out))


def _html_blocks(root) -> list[Block]:
    blocks: list[Block] = []

    def walk_list(lst, depth):
        for li in lst.find_all("li", recursive=False):
            blocks.append(Block("li", _escape_line_start(_inline(li).strip()), depth, ordered=lst.name == "ol"))
            for sub in li.find_all(["ul", "ol"], recursive=False):
                walk_list(sub, depth + 1)

    for el in root.children:
        if not isinstance(el, Tag):
            continue
        if el.name == "h1" and "doc-title" in (el.get("class") or []):
            blocks.append(Block("title", _inline(el).strip()))
        elif el.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _inline(el).strip()
            if text:
                blocks.append(Block("heading", text, int(el.name[1])))
        elif el.name in ("ul", "ol"):
            walk_list(el, 0)
        elif el.name == "table":
            rows = [[_inline(c).strip() for c in tr.find_all(["td", "th"])] for tr in el.find_all("tr")]
            blocks.append(Block("table", rows=rows))
        else:
            text = _escape_line_start(_inline(el).strip())
            if text:
                blocks.append(Block("p", text))
    return blocks


# =========================================================================== ODT

def _read_odt(data: bytes) -> tuple[list[Block], _Meta]:
    z = _check_zip(data)
    title, created = _core_properties(z, "meta.xml")
    meta = _Meta(title=title, created=created)
    doc = opendocument.load(io.BytesIO(data))

    parents: dict[str, str] = {}             # paragraph style -> its parent style
    list_kinds: dict[str, dict[int, bool]] = {}   # list style -> {level: ordered?}
    for container in (doc.styles, doc.automaticstyles):
        for el in container.childNodes:
            if el.qname == (STYLENS, "style"):
                parents[el.getAttrNS(STYLENS, "name") or ""] = el.getAttrNS(STYLENS, "parent-style-name") or ""
            elif el.qname == (TEXTNS, "list-style"):
                list_kinds[el.getAttrNS(STYLENS, "name") or ""] = {
                    int(c.getAttrNS(TEXTNS, "level") or 1): c.qname == (TEXTNS, "list-level-style-number")
                    for c in el.childNodes if c.qname[0] == TEXTNS}

    def style_chain(name: str) -> list[str]:
        chain = []
        while name and name not in chain and len(chain) < 20:
            chain.append(name)
            name = parents.get(name, "")
        return [n.replace("_20_", " ").lower() for n in chain]

    def text_of(el) -> str:
        return _escape(teletype.extractText(el))

    blocks: list[Block] = []

    def walk(el, depth=0, list_style=""):
        for child in el.childNodes:
            q = getattr(child, "qname", None)
            if q == (TEXTNS, "h"):
                level = int(child.getAttrNS(TEXTNS, "outline-level") or 1)
                text = text_of(child)
                if text:
                    blocks.append(Block("heading", text, max(1, min(level, 6))))
            elif q == (TEXTNS, "p"):
                text = text_of(child)
                chain = style_chain(child.getAttrNS(TEXTNS, "style-name") or "")
                if not text:
                    continue
                if "title" in chain:
                    blocks.append(Block("title", text))
                else:
                    heading = next((int(m.group(1)) for n in chain if (m := re.match(r"heading (\d)$", n))), 0)
                    blocks.append(Block("heading", text, heading) if heading else Block("p", text))
            elif q == (TEXTNS, "list"):
                style = child.getAttrNS(TEXTNS, "style-name") or list_style   # nested: the outer list's
                kind = list_kinds.get(style, {}).get(depth + 1, False)
                for item in child.childNodes:
                    if getattr(item, "qname", None) not in ((TEXTNS, "list-item"), (TEXTNS, "list-header")):
                        continue
                    texts = [text_of(c) for c in item.childNodes
                             if getattr(c, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h"))]
                    line = " ".join(t for t in texts if t)
                    if line:
                        blocks.append(Block("li", line, depth, ordered=kind))
                    for sub in item.childNodes:
                        if getattr(sub, "qname", None) == (TEXTNS, "list"):
                            walk_list_only(sub, depth + 1, style)
            elif q == (TABLENS, "table"):
                rows = []
                for row in child.getElementsByType(_table_row()):
                    rows.append([_escape(teletype.extractText(c)) for c in row.childNodes
                                 if getattr(c, "qname", None) == (TABLENS, "table-cell")])
                blocks.append(Block("table", rows=rows))
            elif q in ((TEXTNS, "section"), (TEXTNS, "soft-page-break")) or (q and q[1] == "section"):
                walk(child, depth, list_style)

    def walk_list_only(lst, depth, list_style):
        holder = type("H", (), {"childNodes": [lst]})()
        walk(holder, depth, list_style)

    walk(doc.text)
    return blocks, meta


def _table_row():
    return TableRow


# =========================================================================== PDF

@dataclass
class _Line:
    page: int
    x0: float
    x1: float
    y0: float                  # bottom (PDF coordinates: up is larger)
    y1: float
    size: float
    bold: bool
    text: str
    page_height: float


def _pdf_meta(doc) -> tuple[str, dt.date | None]:
    title, created = "", None
    for info in doc.info or []:
        info = resolve1(info) or {}
        raw = resolve1(info.get("Title"))
        if isinstance(raw, bytes) and not title:
            title = decode_text(raw).strip("\x00 ")
        elif isinstance(raw, str) and not title:
            title = raw.strip()
        date = resolve1(info.get("CreationDate"))
        if isinstance(date, bytes):
            m = re.match(rb"(?:D:)?(\d{4})(\d{2})(\d{2})", date)
            if m and created is None:
                created = _iso_date(f"{m.group(1).decode()}-{m.group(2).decode()}-{m.group(3).decode()}")
    return title, created


def _read_pdf(data: bytes) -> tuple[list[Block], _Meta]:

    try:
        parser = PDFParser(io.BytesIO(data))
        doc = PDFDocument(parser)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ImportError_("the PDF is encrypted (password-protected): save an unprotected copy "
                           "and import that") from None
    except PDFSyntaxError as exc:
        raise ImportError_(f"the PDF is damaged or not a PDF ({exc})") from None
    if not doc.is_extractable:
        raise ImportError_("the PDF forbids text extraction: save an unprotected copy and import that")
    pages = list(PDFPage.create_pages(doc))
    if not pages:
        raise ImportError_("the PDF has no pages")
    if len(pages) > MAX_PDF_PAGES:
        raise ImportError_(f"the PDF has {len(pages)} pages; documents up to {MAX_PDF_PAGES} pages "
                           "can be imported (import the case study's own pages)")
    title, created = _pdf_meta(doc)
    meta = _Meta(title=title, created=created)

    rsrc = PDFResourceManager()
    device = PDFPageAggregator(rsrc, laparams=LAParams())
    interpreter = PDFPageInterpreter(rsrc, device)
    lines: list[_Line] = []
    empty_pages = []

    def collect(obj, page_no, height, out):
        if isinstance(obj, LTTextLine):
            chars = [c for c in obj if isinstance(c, LTChar)]
            text = re.sub(r"\s+", " ", obj.get_text()).strip()
            if chars and text:
                sizes = [round(c.size, 1) for c in chars if c.get_text().strip()] or [round(chars[0].size, 1)]
                bold = sum(1 for c in chars if re.search(r"bold|black|heavy|semibold|demi", c.fontname, re.I))
                out.append(_Line(page_no, obj.x0, obj.x1, obj.y0, obj.y1, statistics.median(sizes),
                                 bold >= 0.8 * len(chars), text, height))
            return
        if hasattr(obj, "__iter__"):
            for child in obj:
                collect(child, page_no, height, out)

    for number, page in enumerate(pages, 1):
        interpreter.process_page(page)
        layout = device.get_result()
        found: list[_Line] = []
        collect(layout, number, layout.height, found)
        if sum(len(l.text) for l in found) < 5:
            empty_pages.append(number)
        lines.extend(found)

    letters = sum(1 for l in lines for ch in l.text if ch.isalpha())
    if letters < MIN_TEXT_CHARS:
        raise ImportError_("the PDF has no text layer (it looks like a scan or a picture): run it "
                           "through OCR first (e.g. ocrmypdf, or 'Recognise text' in a PDF editor) "
                           "and import the result, or type the case study into the form")
    if empty_pages:
        meta.warnings.append("PDF pages without text (scanned images?), their content is missing: "
                             + ", ".join(map(str, empty_pages[:20])) + ("…" if len(empty_pages) > 20 else ""))
    lines = _join_markers(lines)
    lines = _drop_page_furniture(lines, len(pages))
    blocks = _pdf_blocks(lines)
    if any(b.kind == "heading" for b in blocks):
        meta.warnings.append("PDF headings were recognised by their font size and weight: check them")
    return blocks, meta


def _join_markers(lines: list[_Line]) -> list[_Line]:
    """A list marker drawn apart from its text ('•' then 'text' on the same baseline) is joined
    to the text, at the text's place in the reading order."""
    out: list[_Line] = []
    used = set()
    marker_re = re.compile(r"^(?:[•◦▪▫●○■□‣⁃∙·\-–—*➢►✓]|\d{1,3}[.)]|[a-zа-я][.)])$", re.I)
    pending: dict[int, _Line] = {}
    by_page: dict[int, list[tuple[int, _Line]]] = {}
    for i, line in enumerate(lines):
        if marker_re.match(line.text):
            pending[i] = line
            by_page.setdefault(line.page, []).append((i, line))
    for i, line in enumerate(lines):
        if i in pending:
            continue
        for j, m in by_page.get(line.page, ()):
            if j in used:
                continue
            same_row = abs((m.y0 + m.y1) / 2 - (line.y0 + line.y1) / 2) < 0.5 * max(line.size, 1)
            if same_row and -0.5 * line.size <= line.x0 - m.x1 < 4 * max(line.size, 1):
                used.add(j)
                line = _Line(line.page, m.x0, line.x1, min(m.y0, line.y0), max(m.y1, line.y1), line.size,
                             line.bold, m.text + " " + line.text, line.page_height)
                break
        out.append((i, line))
    out += [(j, m) for j, m in pending.items() if j not in used]
    out.sort(key=lambda t: t[0])
    return [l for _i, l in out]


def _drop_page_furniture(lines: list[_Line], n_pages: int) -> list[_Line]:
    """Running heads and footers (the same text in a page margin on most pages) and page numbers."""
    def in_margin(l: _Line) -> bool:
        return l.y0 > 0.9 * l.page_height or l.y1 < 0.1 * l.page_height

    keyed = Counter()
    for l in lines:
        if in_margin(l):
            keyed[(re.sub(r"\d+", "#", l.text.lower()), l.y1 > l.page_height / 2)] += 1
    repeated = {k for k, n in keyed.items() if n_pages >= 3 and n >= max(3, 0.5 * n_pages)}
    return [l for l in lines
            if not (in_margin(l) and (_PAGE_NO_RE.match(l.text)
                                      or (re.sub(r"\d+", "#", l.text.lower()), l.y1 > l.page_height / 2) in repeated))]


def _pdf_blocks(lines: list[_Line]) -> list[Block]:
    if not lines:
        return []
    weights = Counter()
    for l in lines:
        weights[round(l.size)] += len(l.text)
    body = weights.most_common(1)[0][0]
    heading_sizes = sorted({round(l.size) for l in lines if round(l.size) >= body * 1.12}, reverse=True)
    # the title: the largest lines at the top of page 1, if that size is the largest in the document
    title_size = None
    first = [l for l in lines[:6] if l.page == 1]
    if heading_sizes and first and round(first[0].size) == heading_sizes[0]:
        title_size = heading_sizes[0]
        heading_sizes = heading_sizes[1:]
    level_of = {s: i + 1 for i, s in enumerate(heading_sizes[:4])}
    bold_level = min(len(level_of) + 1, 4)

    blocks: list[Block] = []
    prev: _Line | None = None
    current: Block | None = None
    title_done = False
    for l in lines:
        size = round(l.size)
        bullet = _BULLET_RE.match(l.text)
        number = _NUMBER_RE.match(l.text)
        if title_size is not None and not title_done and size == title_size and l.page == 1:
            kind = "title"
        elif size in level_of:
            kind = "heading"
        elif size > body * 1.12 and title_size is not None and size == title_size:
            kind = "heading"
        elif l.bold and size == body and len(l.text) <= 120 and not l.text.endswith((".", ",", ";")) \
                and not bullet and not number:
            kind = "bold"
        elif bullet or number:
            kind = "li"
        else:
            kind = "text"
        if kind != "title" and current is not None and current.kind == "title":
            title_done = True
        gap = (prev.y0 - l.y1) if prev is not None and prev.page == l.page else None
        same_para = prev is not None and current is not None and _continues(current, prev, l, kind, gap)
        if same_para:
            joiner = "" if current.text.endswith("-") and l.text[:1].islower() and len(current.text) > 1 \
                and current.text[-2].isalpha() else " "
            if joiner == "":
                current.text = current.text[:-1]
            current.text += joiner + _escape(l.text)
        else:
            if kind == "title":
                current = Block("title", _escape(l.text))
            elif kind == "heading":
                current = Block("heading", _escape(l.text), level_of.get(size, 1))
            elif kind == "bold":
                current = Block("heading", _escape(l.text), bold_level)
            elif kind == "li":
                m = bullet or number
                depth = 1 if blocks and blocks[-1].kind == "li" and l.x0 > _li_x(blocks, lines) + l.size else 0
                current = Block("li", _escape(l.text[m.end():]), depth, ordered=bool(number), x0=l.x0)
            else:
                current = Block("p", _escape(l.text))
            blocks.append(current)
        prev = l
    return blocks


def _continues(current: Block, prev: _Line, line: _Line, kind: str, gap: float | None) -> bool:
    """Whether `line` goes on the block that `prev` (the line before) belongs to."""
    size = line.size
    if kind in ("title", "heading"):             # a heading over two lines
        return (current.kind == kind and round(prev.size) == round(size)
                and gap is not None and gap < 0.8 * size)
    if kind != "text" or current.kind not in ("p", "li"):
        return False
    if gap is None:                              # a page turn: goes on mid-sentence only
        return (prev.page == line.page - 1 and not prev.text.endswith((".", "!", "?", ":"))
                and line.text[:1].islower())
    if not -0.5 * size < gap < 0.6 * size:       # a larger gap ends the paragraph
        return False
    if current.kind == "p" and line.x0 > prev.x0 + 1.2 * size:    # first-line indent
        return False
    if current.kind == "li" and line.x0 < current.x0 - 1:        # back at the margin
        return False
    return True


def _li_x(blocks: list[Block], _lines) -> float:
    for b in reversed(blocks):
        if b.kind != "li":
            break
        if b.level == 0:
            return b.x0
    return 0.0
