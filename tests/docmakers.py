"""Documents made on the spot for the import tests and benches: DOCX (python-docx), ODT (odfpy),
PDF (WeasyPrint), and a scan-like PDF (an image, no text layer). One description, three formats:

    DOC = [("title", "…"), ("h1", "…"), ("p", "…"), ("ul", ["…", "…"]), ("ol", ["…", "…"]), ...]

`expected_markdown(DOC)` is what kb.curation.documents should give back for it (the title is not in the body).
"""
from __future__ import annotations

import html
import io

SAMPLE_BG = [
    ("title", "Електронни услуги в Община Бургас"),
    ("p", "Публикувано на 16.02.2013 г."),
    ("h1", "Проблем"),
    ("p", "Гражданите чакаха на опашки за удостоверения и губеха по половин ден."),
    ("h1", "Решение"),
    ("p", "Общината въведе електронни услуги и едно гише за всички искания."),
    ("ul", ["обучение на служителите", "нов портал за услуги", "подпис с карта"]),
    ("h2", "Етапи на въвеждането"),
    ("ol", ["анализ на процесите", "пилотен етап в две служби"]),
    ("h1", "Резултати"),
    ("p", "Времето за обслужване намаля наполовина, а жалбите спаднаха с 40 %."),
]

SAMPLE_ES = [
    ("title", "Ventanilla única de la Diputación de Cáceres"),
    ("p", "Cáceres, 3 de marzo de 2014"),
    ("h1", "Problema"),
    ("p", "Los vecinos de los pueblos pequeños tenían que viajar a la capital para cada trámite."),
    ("h1", "Solución"),
    ("p", "La Diputación abrió oficinas de asistencia en materia de registros en las mancomunidades."),
    ("ul", ["registro electrónico", "atención telefónica"]),
    ("h1", "Resultados"),
    ("p", "Se atendieron 12.000 trámites en el primer año sin desplazamientos a la capital."),
]


def expected_markdown(doc) -> str:
    parts = []
    for kind, value in doc:
        if kind == "title":
            continue
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * (int(kind[1]) + 1) + " " + value)
        elif kind == "p":
            parts.append(value)
        elif kind == "ul":
            parts.append("\n".join(f"- {v}" for v in value))
        elif kind == "ol":
            parts.append("\n".join(f"{i}. {v}" for i, v in enumerate(value, 1)))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- DOCX

def make_docx(doc, core_title: str | None = None) -> bytes:
    import docx
    d = docx.Document()
    for kind, value in doc:
        if kind == "title":
            d.add_heading(value, level=0)             # the 'Title' style
        elif kind in ("h1", "h2", "h3"):
            d.add_heading(value, level=int(kind[1]))
        elif kind == "p":
            d.add_paragraph(value)
        elif kind == "ul":
            for v in value:
                d.add_paragraph(v, style="List Bullet")
        elif kind == "ol":
            for v in value:
                d.add_paragraph(v, style="List Number")
    if core_title is not None:
        d.core_properties.title = core_title
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- ODT

def make_odt(doc) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import ListLevelProperties, Style, TextProperties
    from odf.text import H, List, ListItem, ListLevelStyleBullet, ListLevelStyleNumber, ListStyle, P
    d = OpenDocumentText()
    title_style = Style(name="Title", family="paragraph")
    title_style.addElement(TextProperties(fontsize="24pt", fontweight="bold"))
    d.styles.addElement(title_style)
    bullets = ListStyle(name="Bullets")
    bullets.addElement(ListLevelStyleBullet(level=1, bulletchar="•"))
    numbers = ListStyle(name="Numbers")
    lvl = ListLevelStyleNumber(level=1, numformat="1", numsuffix=".")
    lvl.addElement(ListLevelProperties())
    numbers.addElement(lvl)
    d.automaticstyles.addElement(bullets)
    d.automaticstyles.addElement(numbers)
    for kind, value in doc:
        if kind == "title":
            d.text.addElement(P(stylename=title_style, text=value))
        elif kind in ("h1", "h2", "h3"):
            d.text.addElement(H(outlinelevel=int(kind[1]), text=value))
        elif kind == "p":
            d.text.addElement(P(text=value))
        elif kind in ("ul", "ol"):
            lst = List(stylename=bullets if kind == "ul" else numbers)
            for v in value:
                item = ListItem()
                item.addElement(P(text=v))
                lst.addElement(item)
            d.text.addElement(lst)
    out = io.BytesIO()
    d.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF

def doc_html(doc, pages: int = 1) -> str:
    body = []
    for page in range(pages):
        for kind, value in doc:
            if kind == "title":
                if page == 0:
                    body.append(f"<h1 class='title'>{html.escape(value)}</h1>")
            elif kind in ("h1", "h2", "h3"):
                level = int(kind[1]) + 1
                body.append(f"<h{level}>{html.escape(value)}</h{level}>")
            elif kind == "p":
                body.append(f"<p>{html.escape(value)}</p>")
            elif kind in ("ul", "ol"):
                body.append(f"<{kind}>" + "".join(f"<li>{html.escape(v)}</li>" for v in value) + f"</{kind}>")
        if page < pages - 1:
            body.append("<div style='break-after: page'></div>")
    return ("<html><head><style>body{font-family:'DejaVu Serif';font-size:11pt} h1.title{font-size:22pt}"
            "h2{font-size:16pt;font-family:'DejaVu Sans'} h3{font-size:13pt;font-family:'DejaVu Sans'}"
            "</style></head><body>" + "".join(body) + "</body></html>")


def make_pdf(doc, pages: int = 1) -> bytes:
    from weasyprint import HTML
    return HTML(string=doc_html(doc, pages)).write_pdf()


def make_scan_pdf() -> bytes:
    """A page holding only a picture of text (no text layer), as a scanner makes."""
    import base64
    from PIL import Image, ImageDraw
    from weasyprint import HTML
    img = Image.new("RGB", (800, 400), "white")
    draw = ImageDraw.Draw(img)
    for y in range(40, 360, 30):
        draw.rectangle((40, y, 760, y + 12), fill="black")     # lines of "text"
    buf = io.BytesIO()
    img.save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return HTML(string=f"<html><body><img src='{uri}' style='width:100%'></body></html>").write_pdf()
