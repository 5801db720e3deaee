"""Import a case study from a page on an administration's website: HTML in, a draft record out.

`import_html(html, url=None)` reads one web page (a news item, a case-study page, ...) and returns
an `ImportedPage`: the title, the main text as Markdown, the language, the publication date, the
canonical URL, a short summary and a list of plain-English warnings about everything it had to
guess. `suggest_id(title, region)` proposes a record id ("sz-peta-rabotna-sreshta-ekipa-proekta").
The curator reviews the result and completes the record's other fields (topics, organisation, ...).

What is extracted, and how
    Encoding (bytes input)
        A byte-order mark wins; else bytes that are valid UTF-8 are UTF-8 (random 8-bit text is
        practically never valid UTF-8, and sites often declare the wrong charset); else the
        charset declared in <meta charset> / <meta http-equiv> / <?xml encoding?>; else a guess
        between windows-1251 (Bulgarian sites still use it) and windows-1252/latin-1: a
        windows-1251 reading whose Cyrillic words are "pure" (not Cyrillic letters stuck to Latin
        ones, as in a misread "Diputaciуn") is taken. A declared latin-1 charset on a page whose
        bytes read as clean Cyrillic in windows-1251 is overruled. Every guess adds a warning.
    Parsing
        BeautifulSoup 4 with the lxml parser. Input that has no tags at all, is binary, is empty
        or has no readable text raises `ImportError_`; any unexpected failure inside the parser is
        also reported as `ImportError_`, never as another exception type.
    Cleaning
        <script>, <style>, <noscript>, <template>, <iframe>, <svg>, <object>, form controls,
        images, comments and hidden elements (hidden, aria-hidden, display:none, sr-only) are
        removed. Page chrome is then marked: <nav>, <aside>, page-level <header>/<footer>,
        ARIA landmarks (navigation, banner, contentinfo, complementary, search), and elements
        whose class or id names a cookie/consent/GDPR banner, menu, breadcrumb ("migas"), share
        or social buttons ("compartir", "redes"), related or latest news ("relacionadas",
        "ultimas", "posledni"), sidebar ("lateral"), widget, header/footer ("cabecera", "pie"),
        pagination, comments, search, language switcher, skip links, ... A class-marked element
        (or a <form>, as ASP.NET sites wrap the whole page in one) that holds half or more of the
        page's paragraph text is a layout wrapper and is kept (a "cookie" one only if it also
        holds the <h1>). <header>/<footer> inside an <article> or <main>, and byline/date
        elements (class entry-meta, article-info, byline, date, fecha, ...), are the article's
        own: they are searched for the title and date but not copied into the body.
    Main text
        The largest <article> (outside the chrome), else <main> / [role=main], provided it holds
        at least a quarter of the page's paragraph text; else a readability-like density choice:
        paragraph text (blocks of 20+ characters that are mostly not link text) is summed up the
        tree and the deepest element still holding 70% of it is the main text (with a warning).
    Markdown
        h1-h4 become "## " headings (h5/h6 "### "); the title heading itself and generic section
        headings ("Новини", "Noticias") are left out. Paragraphs, <br> line breaks, lists ("- ",
        "1. ", nested lists indented), block quotes ("> ") and simple data tables (pipe tables)
        are kept; <strong>/<b> become **...**, <em>/<i> *...*; links become their plain text
        (javascript:/vbscript:/data: links are dropped with their text). Text is escaped so that
        nothing in it is read as Markdown syntax or raw HTML ("<tag" becomes "&lt;tag"): the
        body never contains HTML. Share/print/back lines and leading datelines and bylines
        ("Публикувано на 16.02.2013г.", "Publicado el ...") are dropped.
    Title
        og:title; else the <h1> of the main content (else the first <h1> outside the chrome);
        else <title>. Site-name parts (og:site_name, or parts naming an administration:
        "Областна администрация Стара Загора", "Diputación de Badajoz", "Ayuntamiento de ...")
        and section names ("Новини", "Noticias") are stripped from either end of og:title and
        <title> ("Title | Новини | Областна администрация Стара Загора" -> "Title"). An og:title
        that is just the site name is ignored. A generic section <h1> ("Noticias") is skipped.
    Language
        <html lang> / xml:lang, og:locale, <meta http-equiv=content-language>, <meta name=language
        or DC.language>, normalised to bg/es/en (bg-BG, bg_BG, bul, Spanish, castellano, ...).
        Else the text decides (Cyrillic share -> bg; Spanish versus English by stop-word counts)
        and a warning says it was guessed. A declared language that the text clearly contradicts
        (a Bulgarian text on a template declaring lang="en") is overruled, with a warning.
    Date
        Meta tags (article:published_time, datePublished, date, DC.date, DC.date.issued,
        dcterms.*, pubdate, ..., og:updated_time and article:modified_time last), JSON-LD
        datePublished, then <time datetime> (or [itemprop=datePublished]) in the main text and
        elsewhere outside the chrome, then dates written in the visible text: Bulgarian
        "16.02.2013г.", "16.02.2013 г.", "16 февруари 2013 г."; Spanish "16 de febrero de 2013",
        "16/02/2013"; English "16 February 2013", "February 16, 2013"; ISO "2013-02-16". Of the
        visible dates, the one nearest the title heading wins, else the first in the main text,
        else the first elsewhere outside the chrome (sidebars' and footers' dates never count).
        Numeric dates are read day first. Years 1990-2100 only. A date read from the visible
        text comes with a warning asking the curator to check it; no date at all is a warning.
    URL
        <link rel=canonical>, else og:url, else the `url` argument; relative addresses are
        resolved against <base href> or `url`; only http(s) addresses are returned.
    Summary
        The first meaningful paragraph (30+ characters, 5+ words, not a dateline), as plain text,
        trimmed to about 300 characters at the end of a sentence (abbreviations such as "г.",
        "ул.", "Sr." do not end a sentence) or else at a word boundary with "…".

Limits: input larger than 10 MB is refused; elements nested more than 200 deep are flattened to
their text. Standard library plus BeautifulSoup/lxml; functions are pure and thread-safe.
"""
from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from bs4 import MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from kb.lang.translit import to_latin

__all__ = ["ImportedPage", "ImportError_", "import_html", "suggest_id", "REGION_PREFIXES",
           "MAX_INPUT_BYTES", "SUMMARY_LENGTH"]

# bs4 warns about markup that looks like a file name or like XML; both are harmless here.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

MAX_INPUT_BYTES = 10 * 1024 * 1024     # larger pages are refused
SUMMARY_LENGTH = 300                   # summary is trimmed to about this many characters
MAX_TITLE_LENGTH = 300
MAX_DEPTH = 200                        # deeper elements are flattened to their text
MIN_PARAGRAPH = 20                     # characters for a block to count as paragraph text
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


# =========================================================================== public API

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


# =========================================================================== vocabulary

_ID_STOPWORDS = frozenset(
    # Spanish
    "de del la las el los y en a al con por para un una unos unas o u su sus se lo que".split()
    # Bulgarian, romanised
    + "na i za v vav s sas ot po do kam pri se sa che ili".split()
    # English
    + "the of and an in on for to with by at or".split())

_JUNK_TAGS = ["script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
              "embed", "applet", "svg", "math", "canvas", "video", "audio", "source", "track",
              "img", "picture", "map", "area", "button", "input", "select", "option", "optgroup",
              "textarea", "datalist", "output", "progress", "meter", "link", "meta", "base",
              "param", "dialog", "portal", "xmp", "plaintext", "noembed", "noframes"]

_VOID_TAGS = {"area", "base", "embed", "img", "input", "link", "meta", "param", "source", "track",
              "keygen"}
_JUNK_SET = frozenset(_JUNK_TAGS)
_STRONG_TAGS = {"nav", "aside"}
_PAGE_SECTION_TAGS = {"header", "footer"}
_BOILER_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog",
                 "alertdialog", "menu", "menubar", "toolbar", "tablist"}

_COOKIE_RE = re.compile(r"cookie|consent|gdpr|rgpd|cookiebot|onetrust|cmplz|cc-window|"
                        r"cookielaw|cookie-law", re.I)
_HEADERISH_RE = re.compile(r"(?<![a-z])(?:header|footer|masthead|cabecera|pie|piepagina|"
                           r"pie-pagina|pie-de-pagina)(?![a-z])", re.I)
_META_CLASS_RE = re.compile(
    r"(?<![a-z])(?:article-info|entry-meta|post-meta|meta-info|article-meta|news-meta|postmetadata|"
    r"byline|dateline|posted-on|post-date|entry-date|news-date|article-date|fecha|fecha-noticia|"
    r"date|dates|hits|autor|author|info-noticia|datos-noticia)(?![a-z])", re.I)
_BOILER_RE = re.compile(
    r"(?<![a-z])(?:"
    r"nav|navbar|navigation|navegacion|menu|menus|menubar|submenu|megamenu|mainmenu|topmenu|"
    r"breadcrumbs?|crumbs?|migas|miga|"
    r"share|sharing|sharer|shares|social|socials|redes|redes-sociales|compartir|addthis|a2a|"
    r"sharethis|addtoany|"
    r"related|relacionad[ao]s?|sidebar|side-bar|sidebars|lateral|widget|widgets|banner|banners|"
    r"toolbar|topbar|top-bar|back-to-top|to-top|gotop|pager|pagination|paginacion|"
    r"comments?|comentarios|advert|advertisement|ads|adsense|popup|modal|newsletter|subscribe|"
    r"login|search|searchform|buscador|busqueda|print|imprimir|skip|skiplink|skip-link|"
    r"tags|tagcloud|rss|lang|language|languages|idiomas|language-switcher|"
    r"latest|ultimas|ultimas-noticias|posledni|posledni-novini|most-read|popular|"
    r"accesibilidad-menu|quicklinks|quick-links|enlaces-rapidos"
    r")(?![a-z])", re.I)
_HIDDEN_CLASSES = {"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden",
                   "element-invisible", "d-none", "screen-reader-only", "invisible"}
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_PARA_TAGS = {"p", "pre", "blockquote", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4",
              "h5", "h6", "figcaption", "address", "caption", "summary"}
_LEAF_BLOCKS = _PARA_TAGS - {"td", "th"}     # never chosen as the container of the text
_INLINE_TAGS = {"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del",
                "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "rp", "rt",
                "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
                "tt", "u", "var", "wbr", "br"}
_BLOCK_TAGS = {"address", "article", "aside", "blockquote", "body", "center", "dd", "details",
               "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
               "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
               "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
               "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption", "colgroup", "col"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_TYPES = (NavigableString, CData)

_GENERIC_SECTION_RE = re.compile(
    r"^(?:новини|новини и събития|актуално|актуални новини|прессъобщения|съобщения|събития|"
    r"начало|пресцентър|noticias|actualidad|sala de prensa|prensa|comunicados|notas de prensa|"
    r"agenda|eventos|inicio|portada|news|latest news|press releases|press|events|home)$", re.I)
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

_SKIP_LINK_RE = re.compile(r"skip|прескочи|към съдържанието|към основното|saltar|ir al contenido|"
                           r"ir a contenido|go to content|jump to", re.I)
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

_ES_STOP = frozenset("""de la que el en y los del se las por un para con una su al lo como más
pero sus le ya o fue este ha sí porque esta son entre cuando muy sin sobre también me hasta hay
donde han desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes
algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
estar estas algunas algo nosotros será según dicho además través""".split())
_EN_STOP = frozenset("""the of and to in is that for it with as was on are by this be from at or
an which have has were will their they its been not but had would there can all more also who
these than other into after about should our such we only may between through over under""".split())

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

_META_DATE_KEYS = [
    "article:published_time", "article:published", "datepublished", "og:published_time",
    "published_time", "publish_date", "publish-date", "publishdate", "pubdate", "publication_date",
    "date", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.date", "dcterms.issued",
    "dcterms.created", "dc:date", "citation_publication_date", "citation_date", "sailthru.date",
    "parsely-pub-date", "created", "datecreated", "fecha", "creation_date",
    "og:updated_time", "article:modified_time", "datemodified", "dcterms.modified",
    "last-modified", "lastmod",
]

_ABBREVIATIONS = frozenset("""г гр ул бул пл проф доц акад д-р инж арх ал чл т др вкл напр стр
тел сл с св ген кв ж к бл вх ет ап сек мин млн млрд лв хил ст ср sr sra srta dña dª d dr dra
excmo excma ilmo ilma núm nº art etc pág pag tel ctra avda av c pza mr mrs ms st no vs jr inc
ltd fig""".split())


# =========================================================================== decoding

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


def _pure_cyrillic_share(text: str) -> tuple[int, float]:
    """(number of words with Cyrillic letters, share of them made of Cyrillic letters only)."""
    words = re.findall(r"[^\W\d_]+", text)
    cyr = [w for w in words if any("\u0400" <= ch <= "\u04ff" for ch in w)]
    if not cyr:
        return 0, 0.0
    pure = sum(1 for w in cyr if all("\u0400" <= ch <= "\u04ff" for ch in w))
    return len(cyr), pure / len(cyr)


def _decode_8bit(raw: bytes) -> tuple[str, str]:
    """Guess between windows-1251 and windows-1252/latin-1 for undeclared 8-bit bytes."""
    try:
        as_1251 = raw.decode("cp1251")
    except UnicodeDecodeError:
        as_1251 = None
    if as_1251 is not None:
        n, share = _pure_cyrillic_share(_strip_tags_rough(as_1251))
        if n >= 3 and share >= 0.7:
            return as_1251, "windows-1251"
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _strip_tags_rough(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text[:300_000])
    return re.sub(r"<[^>]*>", " ", text)


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
    if not declared:
        notes.append(f"no charset declared and the bytes are not UTF-8; decoded as {enc}")
    else:
        notes.append(f"decoded as {enc}")
    return text, notes


def _to_text(html) -> tuple[str, list[str]]:
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


# =========================================================================== helpers

_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+")


def _norm(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _gone(el: Tag) -> bool:
    """Whether decompose() destroyed the element (bs4's .decomposed searches the subtree)."""
    return bool(vars(el).get("_decomposed"))


def _attr(tag: Tag, name: str) -> str:
    try:
        value = tag.get(name)
    except Exception:  # noqa: BLE001 - a decomposed or odd element
        return ""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def _iter_tags(root: Tag, skip: set[int] | frozenset = frozenset()):
    """Pre-order traversal of tags (not strings), skipping the subtrees whose id is in skip."""
    stack = [root]
    while stack:
        el = stack.pop()
        yield el
        children = [c for c in el.contents if isinstance(c, Tag) and id(c) not in skip]
        stack.extend(reversed(children))


def _postorder(root: Tag, skip: set[int]):
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            yield el
            continue
        stack.append((el, True))
        for c in reversed(el.contents):
            if isinstance(c, Tag) and id(c) not in skip:
                stack.append((c, False))


def _inside(el: Tag, ids: set[int]) -> bool:
    node = el
    while node is not None:
        if id(node) in ids:
            return True
        node = node.parent
    return False


def _tag_text(el: Tag) -> str:
    return _norm(" ".join(s for s in el.descendants if type(s) in _TEXT_TYPES))


def _tags(root, names=None):
    """Descendant tags of root (optionally only those named in `names`), in document order.

    A plain walk over .descendants: much faster than find_all() with a list of names.
    """
    for d in root.descendants:
        if isinstance(d, Tag) and (names is None or d.name in names):
            yield d


def _http_url(value: str | None, base: str | None = None) -> str | None:
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return None
    try:
        if base:
            value = urljoin(base, value)
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def _is_script_url(href: str) -> bool:
    compact = re.sub(r"[\s\x00-\x20]+", "", href or "").lower()
    return compact.startswith(("javascript:", "vbscript:", "data:", "livescript:"))


# =========================================================================== language

_LANG_NAMES = {"bg": "bg", "bul": "bg", "bulgarian": "bg", "български": "bg", "bulgaro": "bg",
               "búlgaro": "bg", "es": "es", "spa": "es", "spanish": "es", "español": "es",
               "espanol": "es", "castellano": "es", "испански": "es", "en": "en", "eng": "en",
               "english": "en", "английски": "en", "inglés": "en", "ingles": "en"}


def _norm_lang(value: str) -> str | None:
    value = (value or "").strip().lower().replace("_", "-")
    first = re.split(r"[,;\s]", value)[0] if value else ""
    primary = first.split("-")[0]
    return _LANG_NAMES.get(primary) or _LANG_NAMES.get(value)


def _detect_lang(text: str) -> tuple[str | None, bool]:
    """(language, confident) from the text alone."""
    sample = text[:100_000]
    cyr = sum(1 for ch in sample if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in sample if ("a" <= ch.lower() <= "z") or "\u00c0" <= ch <= "\u024f")
    letters = cyr + lat
    if letters < 15:
        return None, False
    if cyr / letters > 0.5:
        return "bg", letters >= 100 and cyr / letters > 0.6
    words = re.findall(r"[a-záéíóúñü]+", sample.lower())
    es = sum(1 for w in words if w in _ES_STOP) + sum(sample.count(c) for c in "ñ¿¡")
    en = sum(1 for w in words if w in _EN_STOP)
    if es + en < 3:
        return None, False
    if es >= 2 * en:
        return "es", es >= 10 and es >= 3 * en
    if en >= 2 * es:
        return "en", en >= 10 and en >= 3 * es
    return ("es" if es > en else "en"), False


# =========================================================================== dates

def _valid_date(y: int, m: int, d: int) -> dt.date | None:
    if not 1990 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _find_dates(text: str) -> list[tuple[int, int, dt.date, str]]:
    """All dates written in the text: (start, end, date, matched text), in text order."""
    found: list[tuple[int, int, dt.date, str]] = []
    for kind, rx in _DATE_PATTERNS:
        for m in rx.finditer(text):
            date = None
            if kind == "dmy":
                d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
                date = _valid_date(y, mo, d)
                if date is None and d <= 12 < mo:           # 02/16/2013 (US order)
                    date = _valid_date(y, d, mo)
            elif kind == "ymd":
                date = _valid_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
            elif kind == "d_bg_y":
                mo = _BG_MONTHS.get(m.group(2).lower()[:3])
                if mo:
                    date = _valid_date(int(m.group(3)), mo, int(m.group(1)))
            elif kind == "d_lat_y":
                word = m.group(2).lower()
                mo = _LAT_MONTHS.get(word[:3]) if (word in _LAT_MONTH_WORDS or len(word) <= 4) else None
                if mo:
                    date = _valid_date(int(m.group(3)), mo, int(m.group(1)))
            else:
                word = m.group(1).lower()
                mo = _LAT_MONTHS.get(word[:3]) if (word in _LAT_MONTH_WORDS or len(word) <= 4) else None
                if mo:
                    date = _valid_date(int(m.group(3)), mo, int(m.group(2)))
            if date:
                found.append((m.start(), m.end(), date, m.group(0).strip()))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, dt.date, str]] = []
    for f in found:                                         # drop overlapping matches
        if out and f[0] < out[-1][1]:
            continue
        out.append(f)
    return out


def _parse_date_value(value: str) -> dt.date | None:
    """A machine-readable date: ISO 8601, 20130216, RFC 2822, or a written date."""
    value = (value or "").strip()[:200]
    if not value:
        return None
    m = re.match(r"((?:19|20|21)\d{2})-(\d{1,2})-(\d{1,2})", value)
    if m:
        return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"((?:19|20|21)\d{2})(\d{2})(\d{2})(?!\d)", value)
    if m:
        return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"((?:19|20|21)\d{2})/(\d{1,2})/(\d{1,2})", value)
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


def _json_ld_dates(soup: BeautifulSoup) -> list[dt.date]:
    out: list[dt.date] = []
    for script in _tags(soup, {"script"}):
        if "ld+json" not in _attr(script, "type").lower():
            continue
        raw = script.string or ""
        if len(raw) > 200_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack, seen = [data], 0
        while stack and seen < 2000:
            node = stack.pop()
            seen += 1
            if isinstance(node, dict):
                for key in ("datePublished", "dateCreated"):
                    value = node.get(key)
                    if isinstance(value, str):
                        date = _parse_date_value(value)
                        if date:
                            out.append(date)
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, (dict, list)))
    return out


# =========================================================================== title

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


# =========================================================================== main-text finding

def _own_kind(el: Tag, in_article: bool) -> str | None:
    """Why an element looks like page chrome: 'strong', 'cookie', 'header', 'class', 'form'."""
    name = el.name
    role = _attr(el, "role").lower()
    if name in _STRONG_TAGS or role in _BOILER_ROLES:
        return "strong"
    if name in _PAGE_SECTION_TAGS:
        return "chrome" if in_article else "strong"
    names = (_attr(el, "class") + " " + _attr(el, "id")).strip()
    label = _attr(el, "aria-label")
    if names or label:
        if _COOKIE_RE.search(names):
            return "cookie"
        if _HEADERISH_RE.search(names):
            return "chrome" if in_article else "class"
        if _META_CLASS_RE.search(names) and name not in ("body", "article", "main", "section"):
            return "chrome"
        if _BOILER_RE.search(names) or re.search(r"breadcrumb|migas|трохи|навигац", label, re.I):
            return "class"
    if name == "form":
        return "form"
    return None


class _Metrics:
    __slots__ = ("text", "link", "inl", "inl_link", "good", "has_main", "has_h1")

    def __init__(self):
        self.text: dict[int, int] = {}
        self.link: dict[int, int] = {}
        self.inl: dict[int, int] = {}
        self.inl_link: dict[int, int] = {}
        self.good: dict[int, int] = {}
        self.has_main: set[int] = set()
        self.has_h1: set[int] = set()


def _measure(root: Tag, skip: set[int]) -> _Metrics:
    """Text, link text and 'good paragraph text' per element, children first (linear time)."""
    mt = _Metrics()
    text, link, inl, inl_link, good = mt.text, mt.link, mt.inl, mt.inl_link, mt.good
    for el in _postorder(root, skip):
        tl = ll = il = ilk = g = own = 0
        main = el.name == "main" or _attr(el, "role").lower() == "main"
        h1 = el.name == "h1"
        for c in el.contents:
            if isinstance(c, Tag):
                k = id(c)
                if k not in text:
                    continue
                tl += text[k]
                ll += link[k]
                g += good[k]
                if k in mt.has_main:
                    main = True
                if k in mt.has_h1:
                    h1 = True
                if c.name in _INLINE_TAGS:
                    il += inl[k]
                    ilk += inl_link[k]
            elif type(c) in _TEXT_TYPES:
                own += len(_norm(c))
        tl += own
        il += own
        if el.name == "a":
            ll, ilk = tl, il
        if el.name in _PARA_TAGS:
            if tl >= MIN_PARAGRAPH and ll < 0.5 * tl:
                g = max(g, tl)
        elif el.name not in _INLINE_TAGS and il >= MIN_PARAGRAPH and ilk < 0.5 * il:
            g += il
        k = id(el)
        text[k], link[k], inl[k], inl_link[k], good[k] = tl, ll, il, ilk, g
        if main:
            mt.has_main.add(k)
        if h1:
            mt.has_h1.add(k)
    return mt


def _classify(root: Tag, mt: _Metrics) -> tuple[set[int], set[int]]:
    """(boilerplate ids, article-chrome ids): top-most elements only."""
    total = mt.good.get(id(root), 0)
    bp: set[int] = set()
    chrome: set[int] = set()
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        el, in_art = stack.pop()
        k = id(el)
        if el.name not in ("html", "body", "[document]") and k not in mt.has_main:
            kind = _own_kind(el, in_art)
            if kind == "chrome":
                chrome.add(k)
            elif kind == "strong":
                bp.add(k)
                continue
            elif kind == "cookie":
                # a page wrapper with a state class ("cookies-not-accepted") holds the text and
                # the <h1>; a real cookie banner never does
                if not (k in mt.has_h1 and total > 0 and mt.good.get(k, 0) >= 0.5 * total):
                    bp.add(k)
                    continue
            elif kind in ("class", "form"):
                if not (total > 0 and mt.good.get(k, 0) >= 0.5 * total):
                    bp.add(k)
                    continue
        na = in_art or el.name in ("article", "main") or _attr(el, "role").lower() == "main"
        for c in reversed(el.contents):
            if isinstance(c, Tag):
                stack.append((c, na))
    return bp, chrome


def _choose_container(body: Tag, bp: set[int], mt2: _Metrics) -> tuple[Tag, str]:
    """The element holding the main text, and how it was found ('article', 'main', 'density')."""
    good = mt2.good
    total = good.get(id(body), 0)
    articles, mains = [], []
    for el in _iter_tags(body, bp):
        if el.name == "article":
            articles.append(el)
        elif el.name == "main" or _attr(el, "role").lower() == "main":
            mains.append(el)
    enough = lambda el: total == 0 or good.get(id(el), 0) >= 0.25 * total  # noqa: E731
    if articles:
        best = max(articles, key=lambda el: good.get(id(el), 0))
        if good.get(id(best), 0) > 0 and enough(best):
            return best, "article"
    if mains:
        best = max(mains, key=lambda el: good.get(id(el), 0))
        if enough(best):
            return best, "main"
    if total == 0:
        return body, "density"
    node = body
    while True:
        nxt = None
        for c in node.contents:
            if isinstance(c, Tag) and id(c) not in bp and c.name not in _LEAF_BLOCKS \
                    and good.get(id(c), 0) >= 0.7 * total:
                nxt = c
                break
        if nxt is None:
            return node, "density"
        node = nxt


def _page_text(body: Tag, bp: set[int], container: Tag, anchor: Tag | None):
    """Visible text outside the chrome, with the offsets of the container and the anchor."""
    parts: list[str] = []
    pos = 0
    marks: dict[str, int] = {}
    stack: list = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):                 # exit marker
            marks[node[0]] = pos
            continue
        if isinstance(node, Tag):
            if id(node) in bp:
                continue
            if node is container:
                marks["c0"] = pos
                stack.append(("c1",))
            if anchor is not None and node is anchor:
                marks["a0"] = pos
                stack.append(("a1",))
            if node.name in _BLOCK_TAGS or node.name == "br":
                parts.append(" | ")
                pos += 3
            stack.extend(reversed(node.contents))
        elif type(node) in _TEXT_TYPES:
            s = _norm(node)
            if s:
                parts.append(s + " ")
                pos += len(s) + 1
    return "".join(parts), marks


# =========================================================================== Markdown

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


class _Renderer:
    def __init__(self, skip: set[int], anchor: Tag | None, root: Tag | None = None):
        self.skip = skip
        self.anchor = anchor
        # ids of the elements that contain a block element (one linear pass, not find() per tag)
        self.has_block: set[int] = set()
        if root is not None:
            for el in _postorder(root, skip):
                for c in el.contents:
                    if isinstance(c, Tag) and (c.name in _BLOCK_TAGS or id(c) in self.has_block):
                        self.has_block.add(id(el))
                        break

    # ---- entry points
    def blocks(self, root: Tag, depth: int = 0) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        buf: list[str] = []
        self._walk(root, out, buf, depth, False)
        self._flush(out, buf)
        return out

    def inline(self, root: Tag, depth: int) -> str:
        out: list[tuple[str, str]] = []
        buf: list[str] = []
        self._walk(root, out, buf, depth, True)
        self._flush(out, buf)
        return _norm(" ".join(md for _, md in out))

    # ---- internals
    def _flush(self, out: list, buf: list) -> None:
        if not buf:
            return
        text = "".join(buf)
        buf.clear()
        text = re.sub(r"[^\S\n]+", " ", text)
        for para in re.split(r"\n(?: *\n)+", text):
            lines = [ln.strip() for ln in para.split("\n")]
            lines = [_escape_line_start(ln) for ln in lines if ln]
            if lines:
                out.append(("p", "\n".join(lines)))

    def _walk(self, node: Tag, out: list, buf: list, depth: int, in_bold: bool) -> None:
        if depth > MAX_DEPTH:
            text = _tag_text(node)
            if text:
                buf.append(" " + _escape(text) + " ")
            return
        for child in list(node.contents):
            if isinstance(child, NavigableString):
                if type(child) in _TEXT_TYPES:
                    buf.append(_escape(_WS_RE.sub(" ", child)))
                continue
            if not isinstance(child, Tag) or id(child) in self.skip:
                continue
            name = child.name
            if name == "br":
                buf.append(" " if in_bold else "\n")
            elif name in ("strong", "b", "em", "i") and id(child) not in self.has_block:
                marker = "**" if name in ("strong", "b") else "*"
                if in_bold:
                    self._walk(child, out, buf, depth + 1, True)
                    continue
                sub: list[str] = []
                self._walk(child, out, sub, depth + 1, True)
                inner = "".join(sub)
                core = _WS_RE.sub(" ", inner).strip()
                if not core:
                    buf.append(" " if inner else "")
                    continue
                lead = " " if inner[:1].isspace() else ""
                trail = " " if inner[-1:].isspace() else ""
                buf.append(f"{lead}{marker}{core}{marker}{trail}")
            elif name == "a":
                href = _attr(child, "href")
                if _is_script_url(href):
                    continue
                if href.startswith("#") and _SKIP_LINK_RE.search(_tag_text(child)):
                    continue
                self._walk(child, out, buf, depth + 1, in_bold)
            elif name in _HEADINGS:
                self._flush(out, buf)
                text = self.inline(child, depth + 1)
                if not text or child is self.anchor:
                    continue
                if name == "h1" and _GENERIC_SECTION_RE.match(_unmarkdown(text)):
                    continue
                if text.endswith("#"):
                    text = text[:-1] + "\\#"
                out.append(("h", ("### " if name in ("h5", "h6") else "## ") + text))
            elif name in ("ul", "ol", "menu", "dir"):
                self._flush(out, buf)
                self._list(child, out, depth + 1, ordered=(name == "ol"))
            elif name == "blockquote":
                self._flush(out, buf)
                inner = self.blocks(child, depth + 1)
                if inner:
                    quoted = "\n>\n".join("\n".join("> " + ln for ln in md.split("\n"))
                                          for _, md in inner)
                    out.append(("q", quoted))
            elif name == "table":
                self._flush(out, buf)
                self._table(child, out, depth + 1)
            elif name == "hr":
                self._flush(out, buf)
            elif name == "pre":
                self._flush(out, buf)
                text = "\n".join(_escape(ln.strip()) for ln in child.get_text().split("\n"))
                lines = [_escape_line_start(ln) for ln in text.split("\n") if ln]
                if lines:
                    out.append(("p", "\n".join(lines)))
            elif name in _BLOCK_TAGS:
                self._flush(out, buf)
                self._walk(child, out, buf, depth + 1, False)
                self._flush(out, buf)
            else:                                   # inline or unknown element
                self._walk(child, out, buf, depth + 1, in_bold)

    def _list(self, lst: Tag, out: list, depth: int, ordered: bool) -> None:
        items: list[str] = []
        n = 0
        for child in lst.contents:
            if isinstance(child, NavigableString):
                if type(child) in _TEXT_TYPES and _norm(child):
                    blocks = [("p", _escape_line_start(_escape(_norm(child))))]
                else:
                    continue
            elif isinstance(child, Tag) and id(child) not in self.skip:
                blocks = self.blocks(child, depth + 1)
            else:
                continue
            if not blocks:
                continue
            n += 1
            marker = f"{n}. " if ordered else "- "
            pad = " " * len(marker)
            lines = "\n".join(md for _, md in blocks).split("\n")
            items.append(marker + lines[0] + "".join("\n" + pad + ln for ln in lines[1:]))
        if items:
            out.append(("list", "\n".join(items)))

    def _table(self, table: Tag, out: list, depth: int) -> None:
        rows = [tr for tr in _tags(table, {"tr"}) if id(tr) not in self.skip]
        layout = len(rows) < 2 or any(
            id(c) in self.has_block for tr in rows
            for c in _cells(tr))
        cells_per_row: list[list[str]] = []
        if not layout:
            for tr in rows:
                cells = [c for c in _cells(tr) if id(c) not in self.skip]
                texts = [self.inline(c, depth + 1).replace("|", "\\|").replace("\n", " ")
                         for c in cells]
                if any(len(t) > 300 for t in texts):
                    layout = True
                    break
                if any(texts):
                    cells_per_row.append(texts)
            width = max((len(r) for r in cells_per_row), default=0)
            if width < 2:
                layout = True
        if layout:
            buf: list[str] = []
            self._walk(table, out, buf, depth, False)
            self._flush(out, buf)
            return
        rows_md = []
        for i, r in enumerate(cells_per_row):
            r = r + [""] * (width - len(r))
            rows_md.append("| " + " | ".join(r) + " |")
            if i == 0:
                rows_md.append("|" + " --- |" * width)
        out.append(("table", "\n".join(rows_md)))


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


def _cells(tr: Tag) -> list[Tag]:
    return [c for c in tr.contents if isinstance(c, Tag) and c.name in ("td", "th")]


def _clean_blocks(blocks: list[tuple[str, str]], title: str) -> list[tuple[str, str]]:
    """Drop share/print lines, datelines and bylines before the text, a repeated title."""
    out: list[tuple[str, str]] = []
    started = False
    title_key = _norm(title).casefold()
    for kind, md in blocks:
        plain = _unmarkdown(md)
        if not plain or not re.search(r"\w", plain):
            continue
        if len(plain) <= 60 and _NOISE_BLOCK_RE.match(plain):
            continue
        if not started and kind in ("p", "h"):
            if plain.casefold() == title_key:
                continue
            if len(plain) <= 100 and _is_dateline(plain):
                continue
        if out and out[-1] == (kind, md):
            continue
        if kind != "h":
            started = True
        out.append((kind, md))
    return out


# =========================================================================== summary

def _trim(text: str, limit: int = SUMMARY_LENGTH) -> str:
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


def _summary(blocks: list[tuple[str, str]]) -> str:
    paras = [_unmarkdown(md) for kind, md in blocks if kind == "p"]
    for p in paras:
        if len(p) >= 30 and len(p.split()) >= 5:
            return _trim(_drop_dateline_prefix(p))
    for kind, md in blocks:
        plain = _unmarkdown(re.sub(r"^(#+|[-]|\d+\.)\s+", "", md, flags=re.M))
        if plain:
            return _trim(plain)
    return ""


# =========================================================================== the import

def _import(html, url: str | None) -> ImportedPage:
    text, warns = _to_text(html)
    soup = BeautifulSoup(text, "lxml")

    # ---- metadata from <head> (before anything is removed)
    metas: dict[str, list[str]] = {}
    all_tags = list(_tags(soup))
    for m in (t for t in all_tags if t.name == "meta"):
        key = (_attr(m, "property") or _attr(m, "name") or _attr(m, "itemprop")
               or _attr(m, "http-equiv")).strip().lower()
        content = _attr(m, "content")
        if key and content.strip():
            metas.setdefault(key, []).append(content.strip())

    def meta(*keys: str) -> str:
        for k in keys:
            if metas.get(k):
                return metas[k][0]
        return ""

    site_name = _norm(meta("og:site_name", "application-name", "twitter:site:name"))
    og_title = _norm(meta("og:title", "twitter:title", "dc.title", "dcterms.title"))
    head_title = ""
    title_el = next((t for t in all_tags if t.name == "title"), None)
    if title_el is not None:
        head_title = _tag_text(title_el)
    base_el = next((t for t in all_tags if t.name == "base" and t.has_attr("href")), None)
    url_arg = _http_url(url) if url else None
    if url and not url_arg:
        warns.append("the URL passed in is not an http(s) address; ignored")
    base = _http_url(_attr(base_el, "href"), url_arg) if base_el is not None else None
    base = base or url_arg
    canonical = None
    for link in (t for t in all_tags if t.name == "link" and t.has_attr("href")):
        rel = _attr(link, "rel").lower().split()
        if "canonical" in rel:
            canonical = _http_url(_attr(link, "href"), base)
            if canonical:
                break
    source_url = canonical or _http_url(meta("og:url", "twitter:url"), base) or url_arg

    declared_raw = ""
    declared = None
    candidates = []
    if soup.html is not None:
        candidates += [_attr(soup.html, "lang"), _attr(soup.html, "xml:lang")]
    candidates += [meta("og:locale"), meta("content-language", "language", "dc.language",
                                            "dcterms.language", "inlanguage")]
    for value in candidates:
        if value and value.strip():
            declared_raw = declared_raw or value.strip()
            declared = _norm_lang(value)
            if declared:
                declared_raw = value.strip()
                break

    meta_date = None
    for key in _META_DATE_KEYS:
        for value in metas.get(key, []):
            meta_date = _parse_date_value(value)
            if meta_date:
                break
        if meta_date:
            break
    if meta_date is None:
        ld = _json_ld_dates(soup)
        meta_date = ld[0] if ld else None

    # ---- remove what is never content
    for el in [t for t in all_tags if t.name in _JUNK_SET]:
        if _gone(el):
            continue
        if el.name in _VOID_TAGS and el.contents:
            el.unwrap()         # libxml2 lets some void elements (<embed>) swallow what follows
        else:
            el.decompose()
    for s in [d for d in soup.descendants if isinstance(d, NavigableString)
              and type(d) not in _TEXT_TYPES]:
        s.extract()
    for el in list(_tags(soup)):
        if _gone(el) or el.name in ("html", "body"):
            continue
        classes = set(_attr(el, "class").lower().split())
        if (el.has_attr("hidden") or _attr(el, "aria-hidden").strip().lower() == "true"
                or _HIDDEN_STYLE_RE.search(_attr(el, "style")) or classes & _HIDDEN_CLASSES):
            el.decompose()

    body = soup.body or soup
    head_skip = {id(soup.head)} if soup.head is not None else set()
    mt = _measure(body, head_skip)
    bp, chrome = _classify(body, mt)
    bp |= head_skip
    mt2 = _measure(body, bp)
    container, how = _choose_container(body, bp, mt2)
    if how == "density":
        warns.append("the page has no <article> or <main> element; the main text was chosen by "
                     "text density (check that nothing is missing or extra)")

    # ---- title
    def usable_h1(el: Tag) -> bool:
        t = _tag_text(el)
        return bool(t) and not _GENERIC_SECTION_RE.match(t)

    h1 = next((h for h in _tags(container, {"h1"}) if not _inside(h, bp) and usable_h1(h)), None)
    if h1 is None:
        h1 = next((h for h in _tags(body, {"h1"}) if not _inside(h, bp) and usable_h1(h)), None)
    stripped_head, site_parts = _strip_site_name(head_title, [site_name])
    title = ""
    if og_title:
        candidate, _ = _strip_site_name(og_title, [site_name] + site_parts)
        if candidate.casefold() not in {p.casefold() for p in site_parts if p} | {site_name.casefold()}:
            title = candidate
    if not title and h1 is not None:
        title = _tag_text(h1)
    if not title and stripped_head:
        title = stripped_head
    if not title:
        heading = next((h for h in _tags(container, {"h2", "h3"})
                        if not _inside(h, bp) and _tag_text(h)), None)
        if heading is not None:
            title = _tag_text(heading)
            warns.append("no title found; used the first heading of the text")
    title = _clean_title(title)

    # the heading that shows the title on the page: anchors the date search, left out of the body
    anchor = None
    key = title.casefold()
    if key:
        for h in _tags(body, {"h1", "h2", "h3", "h4"}):
            if not _inside(h, bp) and _tag_text(h).casefold() == key:
                anchor = h
                break
    if anchor is None:
        anchor = h1

    # ---- body
    renderer = _Renderer(bp | chrome, anchor, container)
    blocks = renderer.blocks(container)
    blocks = _clean_blocks(blocks, title)
    body_md = "\n\n".join(md for _, md in blocks).strip()
    body_md = re.sub(r"\n{3,}", "\n\n", body_md)
    if not body_md:
        if title:
            raise ImportError_("the page has no readable text (only a title)")
        raise ImportError_("the page has no readable text")
    if not title:
        first = _unmarkdown(blocks[0][1])
        title = _clean_title(" ".join(first.split()[:12]))
        warns.append("no title found; used the first words of the text")

    summary = _summary(blocks)
    plain_body = _unmarkdown(body_md)

    # ---- language
    detected, sure = _detect_lang(title + " \n " + plain_body)
    if declared:
        lang = declared
        if detected and sure and detected != declared:
            warns.append(f"the page declares language {declared!r} but the text is clearly "
                         f"{detected!r}; using {detected!r}")
            lang = detected
    else:
        if declared_raw:
            warns.append(f"the page declares language {declared_raw!r}, which is not bg, es or en")
        lang = detected
        if detected:
            warns.append(f"language guessed from the text ({detected})")
        else:
            warns.append("language could not be determined")

    # ---- date
    date = meta_date
    if date is None:
        for el in (t for t in _tags(container) if t.has_attr("datetime")):
            date = _parse_date_value(_attr(el, "datetime"))
            if date and not _inside(el, bp):
                break
            date = None
    if date is None:
        for el in (t for t in _tags(body) if t.has_attr("datetime")):
            if not _inside(el, bp):
                date = _parse_date_value(_attr(el, "datetime"))
                if date:
                    break
    if date is None:
        for el in (t for t in _tags(body)
                   if _attr(t, "itemprop") in ("datePublished", "dateCreated")):
            if not _inside(el, bp):
                date = _parse_date_value(_attr(el, "content") or _tag_text(el))
                if date:
                    break
    if date is None:
        page_text, marks = _page_text(body, bp, container, anchor)
        hits = _find_dates(page_text)
        chosen = None
        if hits and "a0" in marks:
            a0, a1 = marks["a0"], marks.get("a1", marks["a0"])
            near = [h for h in hits if a0 - 250 <= h[0] and h[0] <= a1 + 600]
            if near:
                chosen = min(near, key=lambda h: (h[0] - a1) if h[0] >= a1 else (a0 - h[1]) * 2)
        if chosen is None and hits and "c0" in marks:
            inside = [h for h in hits if marks["c0"] <= h[0] < marks.get("c1", len(page_text))]
            chosen = inside[0] if inside else None
        if chosen is None and hits:
            chosen = hits[0]
        if chosen is not None:
            date = chosen[2]
            warns.append(f"date read from the page text ({chosen[3]!r}); check it")
    if date is None:
        warns.append("no date found")

    if not source_url:
        warns.append("no source URL found")
    if not summary:
        warns.append("no summary could be made")

    return ImportedPage(title=title, body_markdown=body_md, lang=lang, date=date,
                        source_url=source_url, summary=summary, warnings=warns)


# =========================================================================== ids

def _fold_words(text: str) -> list[str]:
    text = to_latin(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("đ", "d") \
        .replace("ł", "l").replace("œ", "oe").lower()
    return re.findall(r"[a-z0-9]+", text)
