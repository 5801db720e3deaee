"""Import from PDF, DOCX and ODT (kb.curation.documents): files made here with known headings, paragraphs
and lists come back as the expected Markdown; scans, bad and huge files are refused with a
message and nothing is written."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from click.testing import CliRunner

from kb.curation.documents import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES, detect_format, import_document
from kb.curation.importer import ImportedPage, ImportError_
from tests.test_curation import app, project, sign_in, token  # noqa: F401 - the curators' app fixtures
from tests.docmakers import (SAMPLE_BG, SAMPLE_ES, expected_markdown, make_docx, make_odt, make_pdf,
                             make_scan_pdf)

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as exc:                  # OSError: Pango's libraries are missing
    pytest.skip(f"WeasyPrint is not usable here: {exc}", allow_module_level=True)


@pytest.fixture(scope="module")
def files():
    return {
        "bg.docx": make_docx(SAMPLE_BG), "bg.odt": make_odt(SAMPLE_BG), "bg.pdf": make_pdf(SAMPLE_BG),
        "es.docx": make_docx(SAMPLE_ES), "es.odt": make_odt(SAMPLE_ES), "es.pdf": make_pdf(SAMPLE_ES),
    }


@pytest.mark.parametrize("name", ["bg.docx", "bg.odt", "bg.pdf", "es.docx", "es.odt", "es.pdf"])
def test_document_comes_back_as_the_expected_markdown(files, name):
    sample = SAMPLE_BG if name.startswith("bg") else SAMPLE_ES
    page = import_document(files[name], name)
    assert isinstance(page, ImportedPage)
    assert page.title == sample[0][1]
    assert page.body_markdown == expected_markdown(sample)
    assert page.lang == name[:2]
    assert page.date == (dt.date(2013, 2, 16) if name.startswith("bg") else dt.date(2014, 3, 3))
    assert page.summary and page.summary in page.body_markdown.replace("\n", " ")
    assert page.source_url is None
    assert any("date read from" in w for w in page.warnings)        # the HTML import's warnings
    assert any("source URL" in w for w in page.warnings)


def test_pdf_running_heads_and_page_numbers_are_dropped_and_pages_joined():
    from weasyprint import HTML
    from tests.docmakers import doc_html
    html = doc_html(SAMPLE_BG, pages=4).replace(
        "</style>", "@page { @top-center { content: 'Областна администрация Бургас' } "
                    "@bottom-center { content: counter(page) } }</style>")
    page = import_document(HTML(string=html).write_pdf(), "four.pdf")
    assert "Областна администрация Бургас" not in page.body_markdown
    assert page.body_markdown.count("## Проблем") == 4
    assert not any(line.strip().isdigit() for line in page.body_markdown.splitlines())


def test_docx_bold_italic_list_and_table():
    import docx
    d = docx.Document()
    d.add_heading("Título del caso", level=0)
    para = d.add_paragraph("Texto con ")
    para.add_run("negrita").bold = True
    para.add_run(" y ")
    para.add_run("cursiva").italic = True
    para.add_run(".")
    d.add_paragraph("uno", style="List Bullet")
    from PIL import Image
    picture = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(picture, "PNG")
    picture.seek(0)
    d.add_picture(picture)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(1, 0).text, t.cell(1, 1).text = "Indicador", "Valor", "Trámites", "12"
    out = io.BytesIO()
    d.save(out)
    page = import_document(out.getvalue(), "caso.docx")
    assert page.title == "Título del caso"
    assert "Texto con **negrita** y *cursiva*." in page.body_markdown
    assert "\n\n- uno\n\n" in page.body_markdown
    assert "| Indicador | Valor |\n|---|---|\n| Trámites | 12 |" in page.body_markdown
    assert "1 image(s) left out" in " ".join(page.warnings) and "data:" not in page.body_markdown


def test_odt_nested_list():
    from odf.opendocument import OpenDocumentText
    from odf.style import ListLevelProperties
    from odf.text import List, ListItem, ListLevelStyleBullet, ListLevelStyleNumber, ListStyle, P
    d = OpenDocumentText()
    style = ListStyle(name="Mixed")
    style.addElement(ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
    bullet = ListLevelStyleBullet(level=2, bulletchar="–")
    bullet.addElement(ListLevelProperties())
    style.addElement(bullet)
    d.automaticstyles.addElement(style)
    d.text.addElement(P(text="Caso de prueba con una lista anidada de la Diputación"))
    outer = List(stylename=style)
    for text, subs in (("primero", ["a", "b"]), ("segundo", [])):
        item = ListItem()
        item.addElement(P(text=text))
        if subs:
            inner = List()
            for sub in subs:
                sub_item = ListItem()
                sub_item.addElement(P(text=sub))
                inner.addElement(sub_item)
            item.addElement(inner)
        outer.addElement(item)
    d.text.addElement(outer)
    out = io.BytesIO()
    d.write(out)
    page = import_document(out.getvalue(), "lista.odt")
    assert page.title == "Caso de prueba con una lista anidada de la Diputación"
    assert page.body_markdown == "1. primero\n   - a\n   - b\n2. segundo"    # level 2 of the style: bullets


def test_text_that_looks_like_markup_is_escaped():
    doc = [("title", "Caso"), ("p", "1. no es una lista <script>alert(1)</script> *ni* negrita"),
           ("p", "Texto normal de la Diputación de Badajoz para el año 2015.")]
    page = import_document(make_docx(doc), "x.docx")
    first = page.body_markdown.split("\n\n")[0]
    assert first.startswith("1\\. ") and "\\<script\\>" in first and "\\*ni\\*" in first
    from kb.web.render import markdown_to_html
    rendered = markdown_to_html(page.body_markdown)
    assert "<script" not in rendered and "<ol" not in rendered and "<em>" not in rendered


def test_scan_without_text_layer_gets_a_clear_message():
    with pytest.raises(ImportError_, match="no text layer.*OCR"):
        import_document(make_scan_pdf(), "scan.pdf")


def test_title_from_properties_and_creation_date_when_the_text_has_none():
    doc = [("h1", "Antecedentes"), ("p", "La Diputación de Cáceres organizó talleres para los ayuntamientos de la provincia."),
           ("h1", "Resultados"), ("p", "Participaron treinta municipios en los talleres del programa.")]
    page = import_document(make_docx(doc, core_title="Talleres de administración electrónica"), "t.docx")
    assert page.title == "Talleres de administración electrónica"
    assert page.body_markdown.startswith("## Antecedentes")
    assert page.date is not None                       # python-docx's template creation date
    assert any("creation date" in w for w in page.warnings)
    assert any("title taken from the document's properties" in w for w in page.warnings)


@pytest.mark.parametrize("data,name,message", [
    (b"", "x.pdf", "empty"),
    (b"%PDF-1.4\n%%EOF", "x.pdf", "damaged"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc", "old binary Word"),
    (b"PK\x03\x04garbage", "x.docx", "damaged ZIP"),
    (b"plain words, not a pdf", "report.pdf", "is not one"),
])
def test_bad_files_are_refused_with_a_message(data, name, message):
    with pytest.raises(ImportError_, match=message):
        import_document(data, name)


def test_spreadsheet_and_zip_bomb_and_huge_files_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(ImportError_, match="spreadsheet"):
        import_document(out.getvalue(), "t.ods")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (120 * 1024 * 1024))
    assert len(bomb.getvalue()) < MAX_DOCUMENT_BYTES
    with pytest.raises(ImportError_, match="ZIP bomb|unpack"):
        import_document(bomb.getvalue(), "bomb.docx")
    with pytest.raises(ImportError_, match="MB can be imported"):
        import_document(b"%PDF-1.4" + b"0" * MAX_DOCUMENT_BYTES, "huge.pdf")


def test_pdf_with_too_many_pages_is_refused():
    from weasyprint import HTML
    html = "<p>Página</p>" + "<p style='break-before: page'>Página</p>" * MAX_PDF_PAGES
    with pytest.raises(ImportError_, match=f"documents up to {MAX_PDF_PAGES} pages"):
        import_document(HTML(string=html).write_pdf(), "long.pdf")


def test_detect_format_by_content_not_name(files):
    assert detect_format(files["bg.docx"], "renamed.odt") == "docx"
    assert detect_format(files["bg.odt"], None) == "odt"
    assert detect_format(files["bg.pdf"], "x.html") == "pdf"
    assert detect_format(b"<html><body><p>hola</p></body></html>", "x.html") == "html"


# --------------------------------------------------------------------------- kb import

def _corpus_files(root):
    return sorted(p.relative_to(root) for p in (root / "corpus").rglob("*.md"))


def test_kb_import_makes_drafts_from_a_folder_and_refuses_bad_files(cli_project, files):
    project = cli_project
    from kb.cli import main
    folder = project / "incoming"
    folder.mkdir()
    (folder / "caso.docx").write_bytes(files["es.docx"])
    (folder / "caso.odt").write_bytes(files["es.odt"])
    (folder / "informe.pdf").write_bytes(files["bg.pdf"])
    (folder / "notes.txt").write_text("ignored")
    result = CliRunner().invoke(main, ["--config", str(project / "config.toml"), "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "3 drafts created, 0 files not imported" in result.output
    made = _corpus_files(project)
    assert len(made) == 3
    text = (project / made[0]).read_text(encoding="utf-8")
    assert 'status = "draft"' in text


def test_kb_import_refuses_a_scan_and_writes_nothing(cli_project):
    project = cli_project
    from kb.cli import main
    scan = project / "scan.pdf"
    scan.write_bytes(make_scan_pdf())
    result = CliRunner().invoke(main, ["--config", str(project / "config.toml"), "import", str(scan)])
    assert result.exit_code == 1
    assert "no text layer" in result.output
    assert _corpus_files(project) == []
    assert not (project / "var" / "history").exists() or not any((project / "var" / "history").rglob("*"))


def test_kb_import_html_keeps_working(cli_project):
    project = cli_project
    from kb.cli import main
    from tests.conftest import ROOT
    page = project / "news.html"
    page.write_bytes((ROOT / "tests" / "pages" / "sz_seed_news.html").read_bytes())
    result = CliRunner().invoke(main, ["--config", str(project / "config.toml"), "import-html", str(page),
                                       "--region", "stara-zagora"])
    assert result.exit_code == 0, result.output
    assert len(_corpus_files(project)) == 1


# --------------------------------------------------------------------------- the web form

def test_curators_form_imports_a_docx_and_refuses_a_scan(client, files):
    sign_in(client)
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"), "region": "caceres",
                                            "file": (io.BytesIO(files["es.docx"]), "Caso.DOCX")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Imported: review every field" in html
    assert "Ventanilla única de la Diputación de Cáceres" in html and 'value="2014-03-03"' in html
    assert "## Problema" in html
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"),
                                            "file": (io.BytesIO(make_scan_pdf()), "scan.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "no text layer" in r.get_data(as_text=True)


def test_pdf_bold_lines_are_headings_and_wrapped_lines_one_paragraph():
    from weasyprint import HTML
    html = ("<html><body style=\"font-family:'DejaVu Serif';font-size:11pt\">"
            "<h1 style='font-size:20pt'>Plan de transparencia de la Diputación de Badajoz</h1>"
            "<p><b>Antecedentes</b></p><p>La Diputación publicó en 2015 su primer plan de transparencia.</p>"
            "<p style='text-indent:2em'>" + "Un párrafo largo que se parte en varios renglones. " * 6 + "</p>"
            "<p style='text-indent:2em'>Otro párrafo, que empieza con sangría.</p></body></html>")
    page = import_document(HTML(string=html).write_pdf(), "plan.pdf")
    assert page.title == "Plan de transparencia de la Diputación de Badajoz"
    assert page.body_markdown == (
        "## Antecedentes\n\nLa Diputación publicó en 2015 su primer plan de transparencia.\n\n"
        + " ".join(["Un párrafo largo que se parte en varios renglones."] * 6)
        + "\n\nOtro párrafo, que empieza con sangría.")
