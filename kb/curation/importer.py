"""Import a case study from a page on an administration's website: HTML in, a draft record out.

`import_html(html, url=None)` reads one web page (a news item, a case-study page, ...) and returns
an `ImportedPage`: the title, the main text as Markdown, the language, the publication date, the
canonical URL, a short summary and plain-English warnings about everything it had to guess.
`suggest_id(title, region)` proposes a record id ("sz-peta-rabotna-sreshta-ekipa-proekta").

Who does what
    trafilatura finds the main text (and, through htmldate, the dates written in the page's
    markup). kb keeps what is its own:
    - the encoding decisions for bytes (Bulgarian sites still serve windows-1251, often with a
      wrong or missing charset): a byte-order mark wins; bytes that are valid UTF-8 are UTF-8;
      else the declared charset, except that a latin-1 declaration on bytes that read as clean
      Cyrillic in windows-1251 is overruled; else a windows-1251/windows-1252 guess;
    - what is never content (scripts, forms, hidden elements, javascript:/data: links) and the
      page chrome of the administrations' sites (cookie bars, menus, "migas", "compartir",
      "posledni novini", sidebars ...) are removed before trafilatura sees the page; a
      chrome-named element holding half the page's paragraph text is a layout wrapper and kept;
    - layout tables (cells holding paragraphs, lists, headings) become plain divisions, and
      links to documents (PDF, ...) their text, before trafilatura reads the page;
    - the choice of trafilatura's mode: precision mode; balanced mode when that finds nothing;
      trafilatura's baseline (every paragraph of the page) when neither finds anything;
    - the Markdown, written with BeautifulSoup from trafilatura's XML: headings as "## ", lists,
      block quotes, pipe tables, **bold** and *italic*; all text escaped so that the body never
      holds HTML or accidental Markdown; share/print lines and leading datelines dropped;
    - the title (og:title or <title> without the site name and section parts, else the page's
      <h1>, generic section headings such as "Новини" or "Noticias" skipped);
    - the date: dates in the page's markup (meta tags, JSON-LD, <time>), else a date written
      next to the title in Bulgarian or Spanish forms ("16.02.2013г.", "16 февруари 2013 г.",
      "16 de febrero de 2013", "16/02/2013", day first), else htmldate's search of the page;
    - the language (declared, overruled by a text that clearly says otherwise, else guessed),
      the canonical URL, the summary and the id suggestion.

Input that is empty, binary, not HTML, larger than 10 MB or without readable text raises
`ImportError_`, and so does any unexpected failure inside the parsers. Functions are pure.
"""
from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import logging
import re
from html import unescape
import warnings
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import htmldate
import trafilatura
from bs4 import BeautifulSoup, CData, NavigableString, Tag
from bs4 import MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import Script
from lxml import etree

from kb.lang.text import ENGLISH_STOP_WORDS, SPANISH_STOP_WORDS, fold_accents
from kb.lang.translit import to_latin

__all__ = ["ImportedPage", "ImportError_", "import_html", "suggest_id", "REGION_PREFIXES",
           "MAX_INPUT_BYTES", "SUMMARY_LENGTH"]

# bs4 warns about markup that looks like a file name or like XML; both are harmless here.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
# trafilatura and htmldate log every page they find nothing in ("discarding data: None"): the
# curator gets kb's warnings instead. With a handler of their own, Python's last-resort handler
# no longer prints them on stderr; an application that configures logging still receives them.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MAX_INPUT_BYTES = 10 * 1024 * 1024     # larger pages are refused
SUMMARY_LENGTH = 300                   # summary is trimmed to about this many characters
MAX_TITLE_LENGTH = 300
MAX_DEPTH = 200                        # deeper elements are flattened to their text
MIN_PARAGRAPH = 20                     # characters for a block to count as paragraph text
FAST_ABOVE = 1_000_000                # larger pages: trafilatura without its fallback extractors
REGION_PREFIXES = {"stara-zagora": "sz", "burgas": "bu", "badajoz": "ba", "caceres": "cc",
                   "partnership": "pa"}
ID_MAX_LENGTH = 60


class ImportError_(ValueError):
    """The input cannot be imported: not HTML, empty, binary, too large or without text."""


@dataclass
class ImportedPage:
    title: str
    body_markdown: str          # main text as Markdown: headings as '## ...', paragraphs, lists
    lang: str | None            # 'bg' | 'es' | 'en' or None when undetermined
    date: dt.date | None
    source_url: str | None      # canonical URL, og:url, or the URL passed in
    summary: str                # first meaningful paragraph, trimmed to ~300 characters
    warnings: list[str] = field(default_factory=list)


def import_html(html: str | bytes, url: str | None = None) -> ImportedPage:
    """Extract title, Markdown body, language, date, URL and summary from one web page.

    Raises ImportError_ (and no other exception) when the input is not usable HTML.
    """
    try:
        return _import(html, url)
    except ImportError_:
        raise
    except RecursionError:
        raise ImportError_("the page is nested too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - the contract: ImportError_ for any bad input
        raise ImportError_(f"the page could not be read ({type(exc).__name__}: {exc})") from None


def page_text(html: str | bytes) -> str:
    """All the text of a page, header and footer included (they name the publisher), or ''."""
    try:
        text, _notes = _to_text(html)
    except ImportError_:
        return ""
    text = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1>", " ", text)
    return unescape(re.sub(r"<[^>]+>", " ", text))


def suggest_id(title: str, region: str) -> str:
    """A record id: region prefix + romanised, accent-folded title words, at most 60 characters.

    `region` is a region id from config.toml ("stara-zagora", "badajoz", ...), its prefix
    ("sz", "ba", ...) or its name ("Стара Загора", "Cáceres"). Cyrillic is romanised with the
    official Bulgarian system, accents are folded (ñ -> n), short function words are left out.
    >>> suggest_id("Пета работна среща на екипа по проекта", "stara-zagora")
    'sz-peta-rabotna-sreshta-ekipa-proekta'
    """
    key = "-".join(_fold_words(region if isinstance(region, str) else ""))
    if key in REGION_PREFIXES:
        prefix = REGION_PREFIXES[key]
    elif key in REGION_PREFIXES.values():
        prefix = key
    else:
        raise ValueError(f"unknown region {region!r}; expected one of: "
                         + ", ".join(REGION_PREFIXES))
    words = _fold_words(title if isinstance(title, str) else "")
    kept = [w for w in words if w not in _ID_STOPWORDS]
    if len(kept) >= 2 or (kept and len(words) < 2):
        words = kept
    slug = prefix
    for word in words:
        if len(slug) + 1 + len(word) <= ID_MAX_LENGTH:
            slug += "-" + word
        else:
            if slug == prefix:                          # one huge word: cut it
                slug += "-" + word[:ID_MAX_LENGTH - len(prefix) - 1]
            break
    return slug if slug != prefix else prefix + "-untitled"


# The import, step by step

@dataclass
class _Head:
    """What the page says about itself, read before anything is removed."""
    metas: dict[str, list[str]]
    head_title: str
    source_url: str | None
    declared_lang: str | None
    declared_raw: str

    def meta(self, *keys: str) -> str:
        for k in keys:
            if self.metas.get(k):
                return self.metas[k][0]
        return ""


def _import(html, url: str | None) -> ImportedPage:
    text, warns = _to_text(html)
    soup = BeautifulSoup(text, "lxml")
    url_arg = _http_url(url) if url else None
    if url and not url_arg:
        warns.append("the URL passed in is not an http(s) address; ignored")
    head = _read_head(soup, url_arg)
    _remove_never_content(soup)
    bylines = _remove_chrome(soup)
    _unwrap_layout_tables(soup)
    _keep_document_links(soup)
    cleaned = str(soup)
    title = _choose_title(head, soup)
    body_xml = _extract_main_text(cleaned, url_arg)
    kept, dropped = _clean_blocks(_Markdown().blocks(body_xml) if body_xml is not None else [], title)
    body_md = re.sub(r"\n{3,}", "\n\n", "\n\n".join(md for _, md in kept).strip())
    if not body_md:
        if title:
            raise ImportError_("the page has no readable text (only a title)")
        raise ImportError_("the page has no readable text")
    if not title:
        title = _clean_title(" ".join(_unmarkdown(kept[0][1]).split()[:12]))
        warns.append("no title found; used the first words of the text")

    lang = _language(head, title + " \n " + _unmarkdown(body_md), warns)
    date = (_markup_date(soup, bylines)
            or _written_date([_tag_text(b) for b in bylines] + dropped, soup, title, warns)
            or _searched_date(cleaned, url_arg, warns))
    if date is None:
        warns.append("no date found")
    if not head.source_url:
        warns.append("no source URL found")
    summary = _summary(kept)
    if not summary:
        warns.append("no summary could be made")
    return ImportedPage(title=title, body_markdown=body_md, lang=lang, date=date,
                        source_url=head.source_url, summary=summary, warnings=warns)


# Decoding bytes (kb's own: Bulgarian pages in windows-1251)

_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be")]
_CHARSET_RE = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""",
                         re.I)
_XML_ENC_RE = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]{1,40})""", re.I)
_LATIN_FAMILY = {"latin_1", "iso8859_1", "cp1252", "ascii", "iso8859_15"}
_CHARSET_ALIASES = {"win-1251": "cp1251", "windows1251": "cp1251", "x-cp1251": "cp1251",
                    "win1251": "cp1251", "cp-1251": "cp1251", "x-user-defined": "cp1252"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_TAG_RE = re.compile(r"<[A-Za-z!?/]")


def _to_text(html) -> tuple[str, list[str]]:
    """The page as a str, refusing what is not HTML; bytes are decoded by `_decode`."""
    notes: list[str] = []
    if isinstance(html, (bytearray, memoryview)):
        html = bytes(html)
    if isinstance(html, bytes):
        if len(html) > MAX_INPUT_BYTES:
            raise ImportError_(f"the page is too large ({len(html) // 1_000_000} MB; "
                               f"the limit is {MAX_INPUT_BYTES // 1_000_000} MB)")
        if not html.strip():
            raise ImportError_("the input is empty")
        has_bom = any(html.startswith(b) for b, _ in _BOMS)
        sample = html[:65536]
        controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
        if not has_bom and (controls > len(sample) * 0.05
                            or (b"\x00" in sample and controls > len(sample) * 0.01)):
            raise ImportError_("the input is not HTML: it looks like binary data")
        text, notes = _decode(html)
    elif isinstance(html, str):
        text = html
        if len(text) > MAX_INPUT_BYTES:
            raise ImportError_(f"the page is too large ({len(text) // 1_000_000} million characters; "
                               f"the limit is {MAX_INPUT_BYTES // 1_000_000} million)")
    else:
        raise ImportError_(f"expected HTML as str or bytes, not {type(html).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ImportError_("the input is empty")
    sample = text[:65536]
    controls = len(_CONTROL_RE.findall(sample))
    if controls > len(sample) * 0.05 or ("\x00" in sample and controls > len(sample) * 0.01):
        raise ImportError_("the input is not HTML: it looks like binary data")
    # lone surrogates and control characters cannot go through lxml
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL_RE.sub("", text)
    if not _TAG_RE.search(text):
        raise ImportError_("the input is not HTML: it has no tags")
    return text, notes


def _decode(data: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), notes
            except UnicodeDecodeError:
                return data[len(bom):].decode(enc, "replace"), \
                    [f"the text is not valid {enc} despite its byte-order mark; bad bytes replaced"]
    head = data[:16384]
    m = _CHARSET_RE.search(head) or _XML_ENC_RE.search(head)
    declared = _codec_name(m.group(1)) if m else None
    label = m.group(1).decode("ascii", "ignore") if m else ""
    if m and declared is None:
        notes.append(f"unknown charset {label!r} declared; guessing the encoding")
    non_ascii = any(b > 0x7F for b in data)
    try:
        text = data.decode("utf-8")
        if declared and declared not in ("utf-8", "utf_8") and non_ascii:
            notes.append(f"the page declares charset {label} but its bytes are UTF-8; read as UTF-8")
        return text, notes
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            notes.append(f"the bytes do not fit the declared charset {label}; guessing")
        else:
            if declared == "cp1252":
                guess, enc = _decode_8bit(data)
                if enc == "windows-1251":
                    notes.append(f"the page declares charset {label} but the text reads as "
                                 "Bulgarian in windows-1251; decoded as windows-1251")
                    return guess, notes
            return text, notes
    elif declared:
        notes.append(f"the page declares charset {label} but is not valid UTF-8; guessing")
    text, enc = _decode_8bit(data)
    notes.append(f"no charset declared and the bytes are not UTF-8; decoded as {enc}"
                 if not declared else f"decoded as {enc}")
    return text, notes


def _codec_name(label: bytes | str) -> str | None:
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    if name in ("latin-1", "iso8859-1", "ascii", "us-ascii") or name.replace("-", "_") in _LATIN_FAMILY:
        return "cp1252"   # as browsers do (WHATWG Encoding Standard)
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"    # a meta tag cannot declare UTF-16 for bytes that parsed as ASCII
    return name


def _decode_8bit(raw: bytes) -> tuple[str, str]:
    """Guess between windows-1251 and windows-1252 for 8-bit bytes: a windows-1251 reading
    whose Cyrillic words are pure Cyrillic (not stuck to Latin letters, as in a misread
    "Diputaciуn") is taken."""
    try:
        as_1251 = raw.decode("cp1251")
    except UnicodeDecodeError:
        as_1251 = None
    if as_1251 is not None:
        rough = re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ",
                                               as_1251[:300_000]))
        words = re.findall(r"[^\W\d_]+", rough)
        cyr = [w for w in words if any("\u0400" <= ch <= "\u04ff" for ch in w)]
        pure = sum(1 for w in cyr if all("\u0400" <= ch <= "\u04ff" for ch in w))
        if len(cyr) >= 3 and pure >= 0.7 * len(cyr):
            return as_1251, "windows-1251"
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


# What the page says about itself

def _read_head(soup: BeautifulSoup, url_arg: str | None) -> _Head:
    metas: dict[str, list[str]] = {}
    for m in _tags(soup, {"meta"}):
        key = (_attr(m, "property") or _attr(m, "name") or _attr(m, "itemprop")
               or _attr(m, "http-equiv")).strip().lower()
        content = _attr(m, "content").strip()
        if key and content:
            metas.setdefault(key, []).append(content)
    title_el = next(_tags(soup, {"title"}), None)
    head = _Head(metas, _tag_text(title_el) if title_el is not None else "", None, None, "")

    base_el = next((t for t in _tags(soup, {"base"}) if t.has_attr("href")), None)
    base = (_http_url(_attr(base_el, "href"), url_arg) if base_el is not None else None) or url_arg
    canonical = next((u for link in _tags(soup, {"link"})
                      if "canonical" in _attr(link, "rel").lower().split()
                      and (u := _http_url(_attr(link, "href"), base))), None)
    head.source_url = canonical or _http_url(head.meta("og:url", "twitter:url"), base) or url_arg

    candidates = []
    if soup.html is not None:
        candidates += [_attr(soup.html, "lang"), _attr(soup.html, "xml:lang")]
    candidates += [head.meta("og:locale"), head.meta("content-language", "language", "dc.language",
                                                     "dcterms.language", "inlanguage")]
    for value in (v.strip() for v in candidates if v and v.strip()):
        head.declared_raw = head.declared_raw or value
        head.declared_lang = _norm_lang(value)
        if head.declared_lang:
            head.declared_raw = value
            break
    return head


# Cleaning the page before trafilatura sees it

_JUNK_TAGS = frozenset(
    "script style noscript template iframe frame frameset object embed applet svg math canvas "
    "video audio source track img picture map area button input select option optgroup textarea "
    "datalist output progress meter param dialog portal xmp plaintext noembed "
    "noframes".split())
_VOID_TAGS = {"area", "base", "embed", "img", "input", "link", "meta", "param", "source", "track",
              "keygen"}
_HIDDEN_CLASSES = {"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden",
                   "element-invisible", "d-none", "screen-reader-only", "invisible"}
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SKIP_LINK_RE = re.compile(r"skip|прескочи|към съдържанието|към основното|saltar|ir al contenido|"
                           r"ir a contenido|go to content|jump to", re.I)

# The chrome of the administrations' sites, by element, ARIA role, or class/id words.
_CHROME_TAGS = {"nav", "aside"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog",
                 "alertdialog", "menu", "menubar", "toolbar", "tablist"}
_COOKIE_RE = re.compile(r"cookie|consent|gdpr|rgpd|cookiebot|onetrust|cmplz|cc-window|"
                        r"cookielaw|cookie-law", re.I)
_CHROME_CLASS_RE = re.compile(
    r"(?<![a-z])(?:"
    r"nav|navbar|navigation|navegacion|menu|menus|menubar|submenu|megamenu|mainmenu|topmenu|"
    r"breadcrumbs?|crumbs?|migas|miga|"
    r"share|sharing|sharer|shares|social|socials|redes|redes-sociales|compartir|addthis|a2a|"
    r"sharethis|addtoany|"
    r"related|relacionad[ao]s?|sidebar|side-bar|sidebars|lateral|widget|widgets|banner|banners|"
    r"(?:left|right)-?col(?:umn)?|col(?:umn)?-?(?:left|right)|columna-(?:izquierda|derecha)|"
    r"toolbar|topbar|top-bar|back-to-top|to-top|gotop|pager|pagination|paginacion|"
    r"comments?|comentarios|advert|advertisement|ads|adsense|popup|modal|newsletter|subscribe|"
    r"login|search|searchform|buscador|busqueda|print|imprimir|skip|skiplink|skip-link|"
    r"tags|tagcloud|rss|lang|language|languages|idiomas|language-switcher|"
    r"latest|latestnews|ultimas|ultimas-noticias|posledni|posledni-novini|most-read|popular|"
    r"accesibilidad-menu|quicklinks|quick-links|enlaces-rapidos|"
    r"header|footer|masthead|cabecera|pie|piepagina|pie-pagina|pie-de-pagina|logos?|sponsors?"
    r")(?![a-z])", re.I)
# Bylines and date lines: their text is kept for the date search, not given to trafilatura.
_BYLINE_CLASS_RE = re.compile(
    r"(?<![a-z])(?:article-info|entry-meta|post-meta|meta-info|article-meta|news-meta|postmetadata|"
    r"byline|dateline|posted-on|post-date|entry-date|news-date|article-date|fecha|fecha-noticia|"
    r"date|dates|hits|autor|author|info-noticia|datos-noticia)(?![a-z])", re.I)
_DOCUMENT_LINK_RE = re.compile(r"\.(?:pdf|docx?|odt|ods|xlsx?|pptx?|zip|rar|7z)(?:[?#]|$)", re.I)


def _remove_never_content(soup: BeautifulSoup) -> None:
    """Scripts, embedded objects, forms controls, comments, hidden elements, script links (in
    the body: the <head> stays for the dates in its markup)."""
    for el in list(_tags(soup.body or soup, _JUNK_TAGS)):
        if _gone(el):
            continue
        if el.name == "script" and "ld+json" in _attr(el, "type").lower():
            continue                               # structured data: read by trafilatura
        if el.name in _VOID_TAGS and el.contents:
            el.unwrap()         # libxml2 lets some void elements (<embed>) swallow what follows
        else:
            el.decompose()
    for s in [d for d in soup.descendants if isinstance(d, NavigableString)
              and type(d) not in (NavigableString, CData, Script)]:
        s.extract()                                 # comments, processing instructions, ...
    for el in list(_tags(soup.body or soup)):
        if _gone(el):
            continue
        classes = set(_attr(el, "class").lower().split())
        href = _attr(el, "href") if el.name == "a" else ""
        if (el.has_attr("hidden") or _attr(el, "aria-hidden").strip().lower() == "true"
                or _HIDDEN_STYLE_RE.search(_attr(el, "style")) or classes & _HIDDEN_CLASSES
                or _is_script_url(href)
                or (href.startswith("#") and _SKIP_LINK_RE.search(_tag_text(el)))):
            el.decompose()


def _remove_chrome(soup: BeautifulSoup) -> list[Tag]:
    """Remove the page chrome, top-most elements first, and return the bylines and date lines
    taken out with it (in page order: they are searched for the date). An element named like chrome that holds half
    the page's paragraph text or more is a layout wrapper ("cookies-not-accepted" on the page
    wrapper, the one <form> of an ASP.NET page) and is kept, and so is what holds <main>."""
    body = soup.body or soup
    total = _paragraph_text(body)
    bylines: list[Tag] = []
    stack = [c for c in reversed(body.contents) if isinstance(c, Tag)]
    while stack:
        el = stack.pop()
        kind = _chrome_kind(el)
        if kind == "strong" and not el.find(["main", "article"]):
            el.decompose()
            continue
        if kind in ("class", "form", "byline") and el.name not in ("main", "article", "body") \
                and _paragraph_text(el) < 0.5 * total and not el.find(["main", "article"]):
            if kind == "byline":
                bylines.append(el.extract())
            else:
                el.decompose()
            continue
        stack.extend(c for c in reversed(el.contents) if isinstance(c, Tag))
    return bylines


def _keep_document_links(soup: BeautifulSoup) -> None:
    """Links to documents (PDF, Word, spreadsheets, archives) are the article's attachments:
    they become their text, so that trafilatura does not take them for link boilerplate."""
    for a in list(_tags(soup, {"a"})):
        if _DOCUMENT_LINK_RE.search(_attr(a, "href").strip()):
            a.unwrap()


_BLOCK_IN_CELL = {"p", "div", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                  "blockquote", "article", "section", "form", "pre"}


def _unwrap_layout_tables(soup: BeautifulSoup) -> None:
    """A table whose cells hold paragraphs, lists or headings lays out the page: its rows and
    cells become plain divisions, so that the text in them is read as text (trafilatura reads
    table cells as data and drops the lists and headings in them)."""
    for table in list(_tags(soup, {"table"})):
        parts = [table]                     # the table's own sections, rows and cells
        cells = []
        stack = [c for c in table.contents if isinstance(c, Tag)]
        while stack:
            el = stack.pop()
            if el.name in ("tbody", "thead", "tfoot", "tr", "caption"):
                parts.append(el)
                stack.extend(c for c in el.contents if isinstance(c, Tag))
            elif el.name in ("td", "th"):
                cells.append(el)
        if any(next(_tags(c, _BLOCK_IN_CELL), None) is not None for c in cells):
            for el in parts + cells:
                el.name = "div"
                el.attrs = {k: v for k, v in el.attrs.items() if k in ("class", "id")}


def _chrome_kind(el: Tag) -> str | None:
    if el.name in _CHROME_TAGS or _attr(el, "role").lower() in _CHROME_ROLES:
        return "strong"
    if el.name in ("header", "footer"):
        inside = el.find_parent(["article", "main"])
        return None if inside is not None else "strong"
    names = (_attr(el, "class") + " " + _attr(el, "id")).strip()
    if names and (_COOKIE_RE.search(names) or _CHROME_CLASS_RE.search(names)):
        return "class"
    if names and _BYLINE_CLASS_RE.search(names) and el.name not in ("body", "section"):
        return "byline"
    if re.search(r"breadcrumb|migas|трохи|навигац", _attr(el, "aria-label"), re.I):
        return "class"
    return "form" if el.name == "form" else None


def _paragraph_text(el: Tag) -> int:
    """Characters of paragraph-like text (runs of 20+ characters that are not link text)."""
    def runs(root: Tag) -> int:
        return sum(len(t) for s in root.descendants
                   if type(s) in (NavigableString, CData) and len(t := _norm(s)) >= MIN_PARAGRAPH)
    links = [a for a in _tags(el, {"a"})] + ([el] if el.name == "a" else [])
    return runs(el) - sum(runs(a) for a in links if a.find_parent("a") is None)


# The main text: trafilatura

_TRAFILATURA_OPTIONS = dict(output_format="python", include_comments=False, include_tables=True,
                            include_formatting=True, include_links=False, include_images=False)


def _extract_main_text(html: str, url: str | None):
    """trafilatura's main text as its XML tree (<body> of <p>, <head>, <list>, <table>, ...).

    Precision mode (it drops more of the boilerplate around the article; with its fallbacks,
    readability and jusText, compared, except on pages larger than FAST_ABOVE characters, where
    they cost seconds); when it finds no text, the balanced mode; when neither
    finds one (a short page, a fragment), trafilatura's baseline: the page's paragraphs.
    """
    big = len(html) > FAST_ABOVE
    for mode in ({"favor_precision": True, "fast": big}, {"fast": True}):
        doc = trafilatura.bare_extraction(html, url=url, **mode, **_TRAFILATURA_OPTIONS)
        if doc is not None and (doc.text or "").strip():
            return doc.body
    body, text, _ = trafilatura.baseline(html)
    return body if text.strip() else None


# Markdown from trafilatura's XML

_HEADING_LEVELS = {"h1": "## ", "h2": "## ", "h3": "## ", "h4": "## ", "h5": "### ", "h6": "### "}
_INLINE_MARKS = {"#b": "**", "#i": "*"}
_GENERIC_SECTION_RE = re.compile(
    r"^(?:новини|новини и събития|актуално|актуални новини|прессъобщения|съобщения|събития|"
    r"начало|пресцентър|noticias|actualidad|sala de prensa|prensa|comunicados|notas de prensa|"
    r"agenda|eventos|inicio|portada|news|latest news|press releases|press|events|home)$", re.I)


class _Markdown:
    """trafilatura's XML body -> Markdown blocks [(kind, markdown)], kind in p/h/list/q/table."""

    def blocks(self, body) -> list[tuple[str, str]]:
        soup = BeautifulSoup(etree.tostring(body, encoding="unicode"), "lxml-xml")
        root = soup.find(True)
        out: list[tuple[str, str]] = []
        if root is not None:
            self._blocks(root, out, 0)
        return out

    def _blocks(self, node: Tag, out: list, depth: int) -> None:
        buf: list[str] = []
        for child in node.contents:
            if isinstance(child, Tag) and child.name in ("p", "head", "list", "table", "quote",
                                                         "code", "div", "row", "cell", "item"):
                self._paragraph(buf, out)
                self._block(child, out, depth + 1)
            else:
                buf.append(self._inline_node(child, depth + 1))
        self._paragraph(buf, out)

    def _block(self, el: Tag, out: list, depth: int) -> None:
        if depth > MAX_DEPTH:
            out.append(("p", _escape_line_start(_escape(_tag_text(el)))))
        elif el.name == "head":
            text = _norm(self._inline(el, depth))
            if text:
                out.append(("h", _HEADING_LEVELS.get(el.get("rend", ""), "## ")
                            + (text[:-1] + "\\#" if text.endswith("#") else text)))
        elif el.name == "list":
            self._list(el, out, depth)
        elif el.name == "table":
            self._table(el, out, depth)
        elif el.name == "quote":
            inner: list[tuple[str, str]] = []
            self._blocks(el, inner, depth)
            if inner:
                out.append(("q", "\n>\n".join("\n".join("> " + ln for ln in md.split("\n"))
                                              for _, md in inner)))
        elif el.name == "code":
            lines = [_escape_line_start(_escape(ln.strip())) for ln in el.get_text().split("\n")]
            if any(lines):
                out.append(("p", "\n".join(ln for ln in lines if ln)))
        elif el.name == "p":
            self._paragraph([self._inline(el, depth)], out)
        else:
            self._blocks(el, out, depth)

    def _paragraph(self, buf: list[str], out: list) -> None:
        text = re.sub(r"[^\S\n]+", " ", "".join(buf))
        buf.clear()
        lines = [_escape_line_start(ln.strip()) for ln in text.split("\n") if ln.strip()]
        if lines:
            out.append(("p", "\n".join(lines)))

    def _inline(self, el: Tag, depth: int, in_mark: bool = False) -> str:
        return "".join(self._inline_node(c, depth + 1, in_mark) for c in el.contents)

    def _inline_node(self, node, depth: int, in_mark: bool = False) -> str:
        if isinstance(node, NavigableString):
            return _escape(_WS_RE.sub(" ", node)) if type(node) in (NavigableString, CData) else ""
        if not isinstance(node, Tag):
            return ""
        if depth > MAX_DEPTH:
            return " " + _escape(_tag_text(node)) + " "
        if node.name == "lb":
            return " " if in_mark else "\n"
        mark = _INLINE_MARKS.get(node.get("rend", "")) if node.name == "hi" else None
        if mark is None or in_mark:
            return self._inline(node, depth, in_mark)
        inner = self._inline(node, depth, True)
        core = _WS_RE.sub(" ", inner).strip()
        if not core:
            return " " if inner else ""
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        return f"{lead}{mark}{core}{mark}{trail}"

    def _list(self, lst: Tag, out: list, depth: int) -> None:
        ordered = lst.get("rend") == "ol"
        items: list[str] = []
        for item in (c for c in lst.contents if isinstance(c, Tag) and c.name == "item"):
            inner: list[tuple[str, str]] = []
            self._blocks(item, inner, depth)
            if not inner:
                continue
            marker = f"{len(items) + 1}. " if ordered else "- "
            lines = "\n".join(md for _, md in inner).split("\n")
            pad = "\n" + " " * len(marker)
            items.append(marker + lines[0] + "".join(pad + ln for ln in lines[1:]))
        if items:
            out.append(("list", "\n".join(items)))

    def _table(self, table: Tag, out: list, depth: int) -> None:
        """A data table as a pipe table; a layout table (one row or column, long or block
        cells) as the blocks of its cells."""
        rows = [[c for c in tr.contents if isinstance(c, Tag) and c.name == "cell"]
                for tr in table.find_all("row")]
        texts = [[_norm(self._inline(c, depth)).replace("|", "\\|") for c in row]
                 for row in rows if row]
        texts = [r for r in texts if any(r)]
        width = max((len(r) for r in texts), default=0)
        layout = (len(texts) < 2 or width < 2 or table.find(["p", "list", "table", "head"])
                  or any(len(t) > 300 for r in texts for t in r))
        if layout:
            self._blocks(table, out, depth)
            return
        md = []
        for i, r in enumerate(texts):
            md.append("| " + " | ".join(r + [""] * (width - len(r))) + " |")
            if i == 0:
                md.append("|" + " --- |" * width)
        out.append(("table", "\n".join(md)))


def _escape(text: str) -> str:
    """Escape text so that Markdown shows it literally and no HTML tag can appear."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("_", "\\_")
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    text = re.sub(r"\[(?=[^\]\n]*\]\s*[(\[:])", r"\\[", text)
    return text


_LINE_START_RE = re.compile(r"^(?:#{1,6}(?:\s|$)|[-+](?:\s|$)|>|=+\s*$|-{2,}|~{3,}|\|)")
_ORDERED_RE = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _escape_line_start(line: str) -> str:
    if _LINE_START_RE.match(line):
        return "\\" + line
    m = _ORDERED_RE.match(line)
    if m:
        return m.group(1) + "\\" + line[len(m.group(1)):]
    return line


def _unmarkdown(md: str) -> str:
    """Markdown produced by this module back to plain text."""
    text = md.replace("**", "")
    text = re.sub(r"(?<!\\)\*(?=\S)|(?<=\S)(?<!\\)\*", "", text)
    text = text.replace("&lt;", "<")
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>&|~=])", r"\1", text)
    return _norm(text)


_NOISE_BLOCK_RE = re.compile(
    r"^[\s«‹<\-–|]*(?:сподели(?: в| във)?(?: facebook| twitter)?|споделете|share(?: this| on)?|compartir(?: en)?|"
    r"печат|отпечатай|принтирай|версия за печат|print|imprimir|versión para imprimir|назад|"
    r"обратно|« назад|към новините|volver|volver atrás|back|go back|leer más|read more|още|"
    r"виж още|виж всички новини|ver más|ver todas las noticias|enviar|enviar por correo|"
    r"e-?mail|tweet|twitter|facebook|whatsapp|linkedin|telegram|me gusta|like|харесай|"
    r"(?:facebook|twitter|linkedin|whatsapp|e-?mail|x)(?:[\s,|/·]+(?:facebook|twitter|linkedin|"
    r"whatsapp|e-?mail|x))+)[\s:.!»›>]*$", re.I)
_BYLINE_RE = re.compile(
    r"^(?:\W*)(?:публикувано|публикуван[ао]?|дата(?: на публикуване)?|автор|източник|прегледи|"
    r"преглеждания|видяна|обновено|последна промяна|publicado|publicada|fecha|autor|autora|fuente|"
    r"visitas|lecturas|actualizado|última actualización|posted|published|updated|by|author|"
    r"source|views|подробности|посещения|прочетена|прочитания|detalles|details|hits|visto|leído|"
    r"categoría|категория|etiquetas|тагове|етикети)\b", re.I)


def _clean_blocks(blocks: list[tuple[str, str]], title: str):
    """(kept, dropped datelines): share/print lines, the title heading, generic section headings,
    and the datelines and bylines before the text are dropped, as are repeated blocks."""
    kept: list[tuple[str, str]] = []
    datelines: list[str] = []
    started = False
    title_key = _norm(title).casefold()
    for kind, md in blocks:
        plain = _unmarkdown(re.sub(r"^#+\s+", "", md) if kind == "h" else md)
        if not plain or not re.search(r"\w", plain):
            continue
        if len(plain) <= 60 and _NOISE_BLOCK_RE.match(plain):
            continue
        if kind == "h" and (plain.casefold() == title_key or _GENERIC_SECTION_RE.match(plain)):
            continue
        if not started and kind in ("p", "h"):
            if plain.casefold() == title_key:
                continue
            if len(plain) <= 100 and _is_dateline(plain):
                datelines.append(plain)
                continue
        if kept and kept[-1] == (kind, md):
            continue
        started = started or kind != "h"
        kept.append((kind, md))
    return kept, datelines


def _is_dateline(plain: str) -> bool:
    """A short line that only gives the date, place or author of the text."""
    if _BYLINE_RE.match(plain) and len(plain.split()) <= 12:
        return True
    hits = _find_dates(plain)
    if not hits:
        return False
    rest = plain
    for start, end, _, _ in reversed(hits):
        rest = rest[:start] + " " + rest[end:]
    return len(re.findall(r"\w{2,}", rest)) <= 4


# Title

_ORG_RE = re.compile(
    r"областна администрация|областен управител|община|общински съвет|министерство|"
    r"администрация|diputaci[oó]n|ayuntamiento|excmo|junta de|gobierno de|consejer[ií]a|"
    r"mancomunidad|provincia de|sede electr[oó]nica|portal|p[aá]gina oficial|web oficial|"
    r"sitio oficial|official (?:web)?site|regional administration|municipality|provincial council|"
    r"city council|county council", re.I)
_ORG_START_RE = re.compile(r"(?:(?:excmo|ilmo|excma|ilma)\.?\s+|(?:la|el|the)\s+|"
                           r"(?:web|p[aá]gina|sitio) oficial (?:de[l]?\s+)?)?(?:" + _ORG_RE.pattern + ")",
                           re.I)
_TITLE_SEP_RE = re.compile(r"\s+(?:\||-|–|—|::|»|«|·|•|/|~)\s+")


def _choose_title(head: _Head, soup: BeautifulSoup) -> str:
    """og:title, else the page's first <h1> that is not a section name, else <title>; site-name
    and section parts stripped from og:title and <title>; an og:title that is only the site name
    is ignored. Called after the chrome is removed (a site-name <h1> in the header is gone)."""
    site_name = _norm(head.meta("og:site_name", "application-name", "twitter:site:name"))
    og_title = _norm(head.meta("og:title", "twitter:title", "dc.title", "dcterms.title"))
    stripped_head, site_parts = _strip_site_name(head.head_title, [site_name])
    if og_title:
        candidate, _ = _strip_site_name(og_title, [site_name] + site_parts)
        if candidate.casefold() not in {p.casefold() for p in site_parts + [site_name] if p}:
            return _clean_title(candidate)
    body = soup.body or soup
    h1 = next((t for h in _tags(body, {"h1"})
               if (t := _tag_text(h)) and not _GENERIC_SECTION_RE.match(t)), "")
    return _clean_title(h1 or stripped_head)


def _strip_site_name(title: str, site_names: list[str]) -> tuple[str, list[str]]:
    """Remove site-name and section parts from either end of a <title>/og:title."""
    title = _norm(title)
    pieces = re.split(f"({_TITLE_SEP_RE.pattern})", title)    # part, separator, part, ...
    if len(pieces) < 3:
        return title, []
    sites = {s.casefold().strip() for s in site_names if s and s.strip()}

    def is_site(part: str) -> bool:
        p = part.casefold().strip(" .")
        if not p:
            return True
        if p in sites or any(len(p) > 3 and (p in s or (s in p and len(p) <= len(s) + 15))
                             for s in sites):
            return True
        if _GENERIC_SECTION_RE.match(p):
            return True
        return bool(_ORG_START_RE.match(part.strip())) and len(part.split()) <= 8

    removed: list[str] = []
    while len(pieces) > 1 and is_site(pieces[-1]):
        removed.append(pieces[-1])
        del pieces[-2:]
    while len(pieces) > 1 and is_site(pieces[0]) and len(pieces[0]) < 80:
        removed.append(pieces[0])
        del pieces[:2]
    return "".join(pieces).strip(), removed


def _clean_title(text: str) -> str:
    text = _norm(text)
    if len(text) > MAX_TITLE_LENGTH:
        cut = text[:MAX_TITLE_LENGTH].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-–—") + "…"
    return text


# Language

_LANG_NAMES = {"bg": "bg", "bul": "bg", "bulgarian": "bg", "български": "bg", "bulgaro": "bg",
               "búlgaro": "bg", "es": "es", "spa": "es", "spanish": "es", "español": "es",
               "espanol": "es", "castellano": "es", "испански": "es", "en": "en", "eng": "en",
               "english": "en", "английски": "en", "inglés": "en", "ingles": "en"}

def _language(head: _Head, text: str, warns: list[str]) -> str | None:
    """The declared language (bg/es/en), unless the text clearly is another; else guessed."""
    detected, sure = _detect_lang(text)
    declared = head.declared_lang
    if declared:
        if detected and sure and detected != declared:
            warns.append(f"the page declares language {declared!r} but the text is clearly "
                         f"{detected!r}; using {detected!r}")
            return detected
        return declared
    if head.declared_raw:
        warns.append(f"the page declares language {head.declared_raw!r}, which is not bg, es or en")
    warns.append(f"language guessed from the text ({detected})" if detected
                 else "language could not be determined")
    return detected


def _norm_lang(value: str) -> str | None:
    value = (value or "").strip().lower().replace("_", "-")
    first = re.split(r"[,;\s]", value)[0] if value else ""
    return _LANG_NAMES.get(first.split("-")[0]) or _LANG_NAMES.get(value)


def _detect_lang(text: str) -> tuple[str | None, bool]:
    """(language, confident) from the text alone: Cyrillic share -> bg; Spanish versus English
    by stop-word counts."""
    sample = text[:100_000]
    cyr = sum(1 for ch in sample if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in sample if ("a" <= ch.lower() <= "z") or "\u00c0" <= ch <= "\u024f")
    letters = cyr + lat
    if letters < 15:
        return None, False
    if cyr / letters > 0.5:
        return "bg", letters >= 100 and cyr / letters > 0.6
    words = re.findall(r"[a-záéíóúñü]+", sample.lower())
    es = sum(1 for w in words if fold_accents(w) in SPANISH_STOP_WORDS) + sum(sample.count(c) for c in "ñ¿¡")
    en = sum(1 for w in words if w in ENGLISH_STOP_WORDS)
    if es + en < 3:
        return None, False
    if es >= 2 * en:
        return "es", es >= 10 and es >= 3 * en
    if en >= 2 * es:
        return "en", en >= 10 and en >= 3 * es
    return ("es" if es > en else "en"), False


# Dates

_BG_MONTHS = {"яну": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "юни": 6, "юли": 7,
              "авг": 8, "сеп": 9, "окт": 10, "ное": 11, "дек": 12}
_LAT_MONTHS = {"ene": 1, "jan": 1, "feb": 2, "mar": 3, "abr": 4, "apr": 4, "may": 5, "jun": 6,
               "jul": 7, "ago": 8, "aug": 8, "sep": 9, "set": 9, "oct": 10, "nov": 11, "dic": 12,
               "dec": 12}
_LAT_MONTH_WORDS = {"enero", "january", "febrero", "february", "marzo", "march", "abril", "april",
                    "mayo", "may", "junio", "june", "julio", "july", "agosto", "august",
                    "septiembre", "setiembre", "september", "octubre", "october", "noviembre",
                    "november", "diciembre", "december"}
_DATE_PATTERNS = [
    # 16.02.2013г. / 16.02.2013 г. / 16/02/2013 / 16-02-2013 (day first)
    ("dmy", re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])\s?(\d{1,2})\2\s?((?:19|20|21)\d{2})"
                       r"(?![\d])(?![.,/-]\d)")),
    # 2013-02-16 (ISO)
    ("ymd", re.compile(r"(?<![\d.,/-])((?:19|20|21)\d{2})([-./])(\d{1,2})\2(\d{1,2})(?!\d)")),
    # 16 февруари 2013 г.
    ("d_bg_y", re.compile(r"(?<!\d)(\d{1,2})(?:-?(?:ти|ви|ри|ми))?\s+([а-яА-ЯѝЍ]{3,9})\.?,?"
                          r"\s+((?:19|20|21)\d{2})(?!\d)")),
    # 16 de febrero de 2013 / 16 February 2013 / 1º de marzo de 2014
    ("d_lat_y", re.compile(r"(?<!\d)(\d{1,2})(?:º|ª|o|st|nd|rd|th)?\.?\s+(?:de\s+)?"
                           r"([A-Za-z]{3,10})\.?,?\s+(?:de[l]?\s+)?((?:19|20|21)\d{2})(?!\d)",
                           re.I)),
    # February 16, 2013
    ("lat_d_y", re.compile(r"(?<![A-Za-z])([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
                           r"((?:19|20|21)\d{2})(?!\d)", re.I)),
]


def _markup_date(soup: BeautifulSoup, bylines: list[Tag]) -> dt.date | None:
    """The publication date the page's markup gives, as htmldate reads it without searching the
    visible text: the <head>'s meta tags, JSON-LD, and <time datetime> / itemprop elements of
    the page without its chrome (a sidebar's <time> is not the article's)."""
    marked = [str(el) for root in [soup.body or soup, *bylines] for el in _tags(root)
              if el.has_attr("datetime") or el.name == "meta"
              or _attr(el, "itemprop") in ("datePublished", "dateCreated")
              or (el.name == "script" and "ld+json" in _attr(el, "type").lower())]
    page = f"<html>{soup.head or ''}<body>{''.join(marked)}</body></html>"
    found = htmldate.find_date(page, extensive_search=False, original_date=True,
                               max_date=dt.date.today().isoformat())
    return _parse_date_value(found) if found else None


def _searched_date(html: str, url: str | None, warns: list[str]) -> dt.date | None:
    """htmldate's extensive search of the whole page, when nothing better is found."""
    found = htmldate.find_date(html, extensive_search=True, original_date=True, url=url,
                               max_date=dt.date.today().isoformat())
    date = _parse_date_value(found) if found else None
    if date:
        warns.append(f"date found by searching the whole page ({date.isoformat()}); check it")
    return date


def _written_date(datelines: list[str], soup: BeautifulSoup, title: str,
                  warns: list[str]) -> dt.date | None:
    """A date written in the text (kb's Bulgarian and Spanish forms): in a dateline before the
    text, else the one nearest the title on the page (its sidebars and footers are gone)."""
    for line in datelines:
        hits = _find_dates(line)
        if hits:
            warns.append(f"date read from the page text ({hits[0][3]!r}); check it")
            return hits[0][2]
    page = _norm((soup.body or soup).get_text(" | "))
    hits = _find_dates(page)
    if not hits:
        return None
    chosen = hits[0]
    at = page.casefold().find(title.casefold()) if title else -1
    if at >= 0:
        end = at + len(title)
        near = [h for h in hits if at - 250 <= h[0] <= end + 600]
        if near:
            chosen = min(near, key=lambda h: (h[0] - end) if h[0] >= end else (at - h[1]) * 2)
    warns.append(f"date read from the page text ({chosen[3]!r}); check it")
    return chosen[2]


def _valid_date(y: int, m: int, d: int) -> dt.date | None:
    if not 1990 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month(word: str, table: dict[str, int]) -> int | None:
    word = word.lower()
    if table is _LAT_MONTHS and word not in _LAT_MONTH_WORDS and len(word) > 4:
        return None
    return table.get(word[:3])


def _find_dates(text: str) -> list[tuple[int, int, dt.date, str]]:
    """All dates written in the text: (start, end, date, matched text), in text order.
    Numeric dates are read day first; years 1990-2100 only."""
    found: list[tuple[int, int, dt.date, str]] = []
    for kind, rx in _DATE_PATTERNS:
        for m in rx.finditer(text):
            g = m.groups()
            date = None
            if kind == "dmy":
                date = _valid_date(int(g[3]), int(g[2]), int(g[0]))
                if date is None and int(g[0]) <= 12 < int(g[2]):      # 02/16/2013 (US order)
                    date = _valid_date(int(g[3]), int(g[0]), int(g[2]))
            elif kind == "ymd":
                date = _valid_date(int(g[0]), int(g[2]), int(g[3]))
            elif kind == "d_bg_y" and (mo := _month(g[1], _BG_MONTHS)):
                date = _valid_date(int(g[2]), mo, int(g[0]))
            elif kind == "d_lat_y" and (mo := _month(g[1], _LAT_MONTHS)):
                date = _valid_date(int(g[2]), mo, int(g[0]))
            elif kind == "lat_d_y" and (mo := _month(g[0], _LAT_MONTHS)):
                date = _valid_date(int(g[2]), mo, int(g[1]))
            if date:
                found.append((m.start(), m.end(), date, m.group(0).strip()))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, dt.date, str]] = []
    for f in found:                                         # drop overlapping matches
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out


def _parse_date_value(value: str) -> dt.date | None:
    """A machine-readable date: ISO 8601, 20130216, RFC 2822, or a written date."""
    value = (value or "").strip()[:200]
    for rx in (r"((?:19|20|21)\d{2})-(\d{1,2})-(\d{1,2})", r"((?:19|20|21)\d{2})(\d{2})(\d{2})(?!\d)",
               r"((?:19|20|21)\d{2})/(\d{1,2})/(\d{1,2})"):
        m = re.match(rx, value)
        if m:
            return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if re.match(r"[A-Za-z]{3},", value):
        try:
            parsed = email.utils.parsedate_to_datetime(value)
            return _valid_date(parsed.year, parsed.month, parsed.day)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    hits = _find_dates(value)
    return hits[0][2] if hits else None


# Summary

_ABBREVIATIONS = frozenset("""г гр ул бул пл проф доц акад д-р инж арх ал чл т др вкл напр стр
тел сл с св ген кв ж к бл вх ет ап сек мин млн млрд лв хил ст ср sr sra srta dña dª d dr dra
excmo excma ilmo ilma núm nº art etc pág pag tel ctra avda av c pza mr mrs ms st no vs jr inc
ltd fig""".split())


def _summary(blocks: list[tuple[str, str]]) -> str:
    """The first meaningful paragraph (30+ characters, 5+ words), without a leading dateline."""
    for kind, md in blocks:
        p = _unmarkdown(md)
        if kind == "p" and len(p) >= 30 and len(p.split()) >= 5:
            return _trim(_drop_dateline_prefix(p))
    for kind, md in blocks:
        plain = _unmarkdown(re.sub(r"^(#+|[-]|\d+\.)\s+", "", md, flags=re.M))
        if plain:
            return _trim(plain)
    return ""


def _trim(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Cut at the end of a sentence before `limit` (abbreviations such as "г.", "ул.", "Sr."
    do not end one), else at a word boundary with "…"."""
    text = _norm(text)
    if len(text) <= limit:
        return text
    best = -1
    for m in re.finditer(r"[.!?…]+[\"'”»)]*(?=\s+[\"'„“«(¿¡]?[A-ZА-ЯЁÁÉÍÓÚÑ0-9])", text):
        end = m.end()
        if end > limit:
            break
        before = re.search(r"(\S+)$", text[:m.start()])
        word = before.group(1).lower().rstrip(".") if before else ""
        word = re.sub(r"^.*[^\w-]", "", word)
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        if re.fullmatch(r"\d{1,2}", word) and m.group(0) == ".":
            continue                                 # "16. Februar", ordinal numbers
        best = end
    if best >= 40:                                   # a whole sentence beats a cut one
        return text[:best].strip()
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—(\"„“«") + "…"


def _drop_dateline_prefix(text: str) -> str:
    """'Badajoz, 16 de febrero de 2013. La Diputación ...' -> 'La Diputación ...'."""
    m = re.match(r"^(.{4,70}?)(?:\.|\s[-–—]|:)\s+(?=\S)", text)
    if m and _find_dates(m.group(1)) and _is_dateline(m.group(1)):
        rest = text[m.end():].strip()
        if len(rest) >= 30:
            return rest
    return text


# Ids

_ID_STOPWORDS = frozenset(
    # Spanish
    "de del la las el los y en a al con por para un una unos unas o u su sus se lo que".split()
    # Bulgarian, romanised
    + "na i za v vav s sas ot po do kam pri se sa che ili".split()
    # English
    + "the of and an in on for to with by at or".split())


def _fold_words(text: str) -> list[str]:
    """The words of a text in ASCII, for an id: Cyrillic romanised, accents folded (ñ too)."""
    text = fold_accents(to_latin(text)).replace("ñ", "n").replace("Ñ", "N")
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("đ", "d") \
        .replace("ł", "l").replace("œ", "oe").lower()
    return re.findall(r"[a-z0-9]+", text)


# Small helpers

_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+")


def _norm(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _gone(el: Tag) -> bool:
    """Whether decompose() destroyed the element (bs4's .decomposed searches the subtree)."""
    return bool(vars(el).get("_decomposed"))


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def _tags(root, names=None):
    """Descendant tags of root (optionally only those named in `names`), in document order.
    A plain walk over .descendants: much faster than find_all() with a list of names."""
    for d in root.descendants:
        if isinstance(d, Tag) and (names is None or d.name in names):
            yield d


def _tag_text(el: Tag) -> str:
    return _norm(" ".join(s for s in el.descendants if type(s) in (NavigableString, CData)))


def _http_url(value: str | None, base: str | None = None) -> str | None:
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return None
    try:
        value = urljoin(base, value) if base else value
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def _is_script_url(href: str) -> bool:
    compact = re.sub(r"[\s\x00-\x20]+", "", href or "").lower()
    return compact.startswith(("javascript:", "vbscript:", "data:", "livescript:"))
