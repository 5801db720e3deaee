"""The Handbook (kb.handbook, /handbook, kb handbook): a small selection of the shipped corpus made
into a PDF and read back with pypdf — titles in the contents' order, Cyrillic intact, page
numbers, working internal links, running heads, no heading stranded at a page foot — plus the
print-styled HTML page, the matrix's numbers and labels in the handbook's language.
(The whole corpus's handbook is measured in bench/bench_handbook.py, not here.)"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from click.testing import CliRunner

try:
    import weasyprint  # noqa: F401
except (ImportError, OSError) as exc:                  # OSError: Pango's libraries are missing
    pytest.skip(f"WeasyPrint is not usable here: {exc}", allow_module_level=True)
pypdf = pytest.importorskip("pypdf")

from kb.handbook import HandbookError, build_handbook, render_html, render_pdf  # noqa: E402
from kb.search import SearchRequest  # noqa: E402

SELECTION = {"region": ["burgas", "caceres"], "topic": ["public-procurement"]}   # 7 practices, bg and es


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def handbook_bg(service):
    return build_handbook(service, SearchRequest(filters=dict(SELECTION)), "bg", today=dt.date(2026, 3, 1))


@pytest.fixture(scope="module")
def pdf_bg(handbook_bg):
    return pypdf.PdfReader(io.BytesIO(render_pdf(handbook_bg)))


@pytest.fixture(scope="module")
def pages_bg(pdf_bg):
    return [page.extract_text() for page in pdf_bg.pages]


def test_selection_is_the_searchs_published_matches_by_topic_then_region(service, handbook_bg):
    docs, _ = service.all_matching(SearchRequest(filters=dict(SELECTION)))
    assert sorted(e.practice.id for e in handbook_bg.entries) == sorted(d.id for d in docs)
    assert handbook_bg.total >= 4
    assert all(e.practice.status == "published" for e in handbook_bg.entries)
    topics = service.config.topics.ids()
    regions = service.config.regions.ids()
    keys = [(topics.index(e.practice.topics[0]), regions.index(e.practice.region), e.practice.title.casefold())
            for e in handbook_bg.entries]
    assert [k[:2] for k in keys] == sorted(k[:2] for k in keys)
    assert [e.number for e in handbook_bg.entries] == list(range(1, handbook_bg.total + 1))
    assert sum(ch.count for ch in handbook_bg.chapters) == handbook_bg.total


def test_pdf_holds_the_titles_in_the_contents_order_with_cyrillic_intact(handbook_bg, pages_bg):
    contents_page = next(i for i, t in enumerate(pages_bg) if "Съдържание" in t)
    contents = _flat(pages_bg[contents_page])
    body = [_flat(t) for t in pages_bg[contents_page + 1:]]
    titles = [_flat(e.practice.title) for e in handbook_bg.entries]
    assert any(re.search("[а-я]", t) for t in titles)               # Bulgarian titles in the selection
    assert any("á" in t or "ñ" in t or "ó" in t for t in titles)    # and Spanish ones
    positions = [contents.find(t) for t in titles]
    assert -1 not in positions and positions == sorted(positions)
    # each practice's own page comes in the same order
    first_pages = [next(i for i, text in enumerate(body) if t in text and i > 0) for t in titles]
    assert first_pages == sorted(first_pages)


def test_contents_page_numbers_match_the_pages_and_pages_are_numbered(handbook_bg, pages_bg):
    contents_page = next(i for i, t in enumerate(pages_bg) if "Съдържание" in t)
    contents = _flat(pages_bg[contents_page])
    for e in handbook_bg.entries:
        title = _flat(e.practice.title)
        m = re.search(re.escape(title) + r"[ .]*(\d+)", contents)
        assert m, title
        number = int(m.group(1))
        page_text = pages_bg[number - 1]
        assert title in _flat(page_text), (title, number)
        assert re.search(rf"(^|\n){number}\s*($|\n)", page_text), f"page {number} does not show its number"


def test_internal_links_point_at_the_practices_page(pdf_bg, pages_bg, handbook_bg):
    named = pdf_bg.named_destinations
    checked = 0
    for page in pdf_bg.pages[1:3]:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") != "/Link" or not isinstance(dest, str) or not dest.startswith("p-"):
                continue
            target = pdf_bg.get_destination_page_number(named[dest])
            entry = next(e for e in handbook_bg.entries if e.anchor == dest)
            assert _flat(entry.practice.title) in _flat(pages_bg[target])
            checked += 1
    assert checked >= handbook_bg.total


def test_running_heads_and_no_heading_at_a_page_foot(handbook_bg, pages_bg):
    book = "Наръчник с конкретни практики за добро управление на регионално ниво"
    assert book in _flat(pages_bg[0])
    assert all(book in _flat(t) for t in pages_bg[1:])              # the running head
    chapter = handbook_bg.chapters[0].label
    first_practice = next(i for i, t in enumerate(pages_bg)
                          if _flat(handbook_bg.entries[0].practice.title) in _flat(t) and i > 2)
    assert chapter in pages_bg[first_practice]
    labels = {"Проблем", "Решение", "Резултати", "Ресурси", "Приложимост", "Контакти и източник",
              "Допълнителна информация"} | {_flat(e.practice.title) for e in handbook_bg.entries}
    for number, text in enumerate(pages_bg, 1):
        lines = [_flat(l) for l in text.splitlines() if _flat(l) and not _flat(l).isdigit()
                 and _flat(l) not in (book, chapter)]
        if lines:
            assert lines[-1] not in labels, f"page {number} ends with the heading {lines[-1]!r}"


def test_fixed_template_english_abstract_and_illustrative_mark(service):
    hb = build_handbook(service, SearchRequest(filters=dict(SELECTION)), "es")
    html = render_html(hb)
    bg_entry = next(e for e in hb.entries if e.practice.lang == "bg")
    es_entry = next(e for e in hb.entries if e.practice.lang == "es")
    assert bg_entry.show_english and not es_entry.show_english
    article = html.split(f'id="{bg_entry.anchor}"')[1].split("</article>")[0]
    assert "Resumen en inglés" in article and bg_entry.practice.summary_en in article.replace("&#39;", "'")
    for label in ("Problema", "Solución", "Resultados", "Recursos", "Transferibilidad",
                  "Contactos y fuente", "Años", "Instrumentos", "Destinatarios"):
        assert label in article, label
    es_article = html.split(f'id="{es_entry.anchor}"')[1].split("</article>")[0]
    assert "Resumen en inglés" not in es_article
    assert ("Ejemplo ilustrativo" in article) == bg_entry.practice.illustrative
    assert "Programa Operativo" in html and "Fondo Social Europeo" in html


def test_matrix_has_the_search_facets_numbers(service):
    hb = build_handbook(service, SearchRequest(filters={"region": ["burgas"]}), "en")
    res = service.search(SearchRequest(filters={"region": ["burgas"]}, page_size=1))
    facet = {v.value: v.count for v in res.facet("topic").values}
    col = [r for r, _label in hb.matrix_regions].index("burgas")
    for row in hb.matrix:
        assert row.counts[col] == facet.get(row.topic, 0), row.topic
        assert sum(row.counts) == row.counts[col]                    # the other regions are empty
    assert hb.region_totals[col] == res.total == hb.total
    assert [r for r, _ in hb.matrix_regions][:4] == ["stara-zagora", "burgas", "badajoz", "caceres"]


def test_index_by_region_and_municipality(handbook_bg):
    regions = [ir.region for ir in handbook_bg.index]
    assert regions == ["burgas", "caceres"]
    listed = [e.anchor for ir in handbook_bg.index for m in ir.municipalities for e in m.entries]
    assert sorted(listed) == sorted(e.anchor for e in handbook_bg.entries)
    for ir in handbook_bg.index:
        for m in ir.municipalities:
            assert all(e.practice.municipality.strip() == m.name for e in m.entries)


def test_bad_selection_and_language_are_refused_naming_the_parameter(service):
    with pytest.raises(HandbookError, match="topic: unknown value 'nope'"):
        build_handbook(service, SearchRequest(filters={"topic": ["nope"]}), "en")
    with pytest.raises(HandbookError, match="lang: unknown handbook language 'de'"):
        build_handbook(service, SearchRequest(), "de")
    with pytest.raises(HandbookError, match="year_from"):
        build_handbook(service, SearchRequest(year_from=3000), "en")


def test_empty_selection_still_makes_a_handbook(service):
    hb = build_handbook(service, SearchRequest(q="zzzqqqxxx"), "en")
    assert hb.total == 0
    assert "No published practice matches this selection." in render_html(hb)


# --------------------------------------------------------------------------- web

def test_web_print_view_and_pdf(client):
    url = "/handbook?region=burgas&topic=public-procurement&lang=es"
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.content_type.startswith("text/html")
    assert '<html lang="es">' in html and "/static/handbook.css" in html
    assert "<style" not in html and "style=" not in html and "<script" not in html     # the strict CSP
    assert "Manual de prácticas concretas de buen gobierno a nivel regional" in html
    assert "/handbook.pdf?" in html
    r = client.get(url + "&format=pdf")
    assert r.status_code == 200 and r.content_type == "application/pdf" and r.data.startswith(b"%PDF-")
    again = client.get("/handbook.pdf?region=burgas&topic=public-procurement&lang=es")
    assert again.data == r.data                                   # from the per-selection cache
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.data)).pages[:2])
    assert "Índice" in text or "Contenido" in text


@pytest.mark.parametrize("query,param", [("topic=nope", "topic"), ("year_from=abc", "year_from"),
                                         ("format=docx", "format"), ("sort=sideways", "sort")])
def test_web_bad_parameters_get_a_400_naming_them(client, query, param):
    for path in ("/handbook", "/handbook.pdf"):
        if param == "format" and path.endswith(".pdf"):
            continue
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400
        assert param in r.get_data(as_text=True)


def test_search_page_links_to_the_handbook_of_its_selection(client):
    html = client.get("/?topic=e-services&lang=bg").get_data(as_text=True)
    assert 'href="/handbook?topic=e-services&amp;lang=bg"' in html
    assert 'href="/handbook.pdf?topic=e-services&amp;lang=bg"' in html


# --------------------------------------------------------------------------- CLI

def test_cli_writes_the_pdf_and_refuses_bad_input(built_config, tmp_path, monkeypatch):
    from kb import cli
    monkeypatch.setattr(cli, "_config", lambda ctx: built_config)
    out = tmp_path / "hb.pdf"
    result = CliRunner().invoke(cli.main, ["handbook", "--region", "burgas", "--topic", "public-procurement",
                                           "--lang-filter", "bg", "--lang", "bg", "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(out)
    assert "Съдържание" in reader.pages[1].extract_text()
    bad = tmp_path / "bad.pdf"
    result = CliRunner().invoke(cli.main, ["handbook", "--topic", "nope", "--lang", "de", "-o", str(bad)])
    assert result.exit_code == 1
    assert "topic: unknown value 'nope'" in result.output and "lang: unknown handbook language" in result.output
    assert not bad.exists()
    html = tmp_path / "hb.html"
    result = CliRunner().invoke(cli.main, ["handbook", "--region", "caceres", "--lang", "en", "--html", "-o", str(html)])
    assert result.exit_code == 0 and "<style>" in html.read_text(encoding="utf-8")
