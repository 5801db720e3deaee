"""Compare regional approaches: the service (matrix, gaps, columns, counterparts), the page, the
CSV exports, the JSON API and `kb compare`, over the shipped corpus."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html import unescape

import pytest

from kb.compare import CompareRequest, CompareService
from kb.search import SearchRequest
from tests.conftest import record_text

FOUR = ["stara-zagora", "burgas", "badajoz", "caceres"]
VARIANTS = [
    dict(regions=FOUR),
    dict(regions=["badajoz", "burgas"], topics=["citizen-participation"]),
    dict(regions=["caceres", "stara-zagora", "partnership"], topics=["e-services", "transparency-open-data"]),
    dict(regions=FOUR, q="transparencia"),
    dict(regions=["burgas", "badajoz"], q="electronic services", topics=["e-services", "one-stop-shops"]),
]


@pytest.fixture(scope="module")
def compare(service):
    return CompareService(service)


def _ids(variant):
    return "-".join(variant.get("topics", ["all"])[:1] + [variant.get("q", "")]).strip("-").replace(" ", "_")


@pytest.mark.parametrize("variant", VARIANTS, ids=_ids)
def test_matrix_counts_equal_the_search_facet_counts(compare, service, variant):
    result = compare.compare(CompareRequest(**variant))
    assert not result.problems
    expected_topics = variant.get("topics") or compare.config.topics.ids()
    assert [row.topic for row in result.matrix] == [t for t in compare.config.topics.ids() if t in expected_topics]
    for row in result.matrix:
        # the region facet of "this topic (and the query)" is an independent path to the same numbers
        search = service.search(SearchRequest(q=variant.get("q", ""), filters={"topic": [row.topic]}))
        region_facet = {v.value: v.count for v in search.facet("region").values}
        assert [c.count for c in row.cells] == [region_facet.get(r, 0) for r in variant["regions"]]
        assert row.total == sum(region_facet.get(r, 0) for r in variant["regions"])
    for col in result.columns:
        filters = {"region": [col.region], **({"topic": variant["topics"]} if variant.get("topics") else {})}
        assert col.total == service.search(SearchRequest(q=variant.get("q", ""), filters=filters)).total


@pytest.mark.parametrize("variant", VARIANTS, ids=_ids)
def test_cell_parameters_reproduce_the_cell_count_in_the_search(compare, service, variant):
    result = compare.compare(CompareRequest(**variant))
    for row in result.matrix[:6]:
        for cell in row.cells:
            p = cell.params
            filters = {"topic": p["topic"], "region": p["region"]}
            assert service.search(SearchRequest(q=p.get("q", ""), filters=filters)).total == cell.count


@pytest.mark.parametrize("variant", VARIANTS, ids=_ids)
def test_gap_cells_are_exactly_the_zero_cells(compare, variant):
    result = compare.compare(CompareRequest(**variant))
    for row in result.matrix:
        for cell in row.cells:
            assert cell.gap == (cell.count == 0)
            assert cell.in_other_regions == row.total - cell.count
    for j, col in enumerate(result.columns):
        assert col.gaps == sum(1 for row in result.matrix if row.cells[j].count == 0)
        assert col.topics_covered + col.gaps == len(result.matrix)


def test_the_shipped_corpus_has_real_gaps(compare):
    result = compare.compare(CompareRequest(regions=FOUR))
    gaps = {(row.topic, c.region) for row in result.matrix for c in row.cells if c.gap}
    assert ("citizen-participation", "burgas") in gaps
    cell = next(c for row in result.matrix if row.topic == "citizen-participation" for c in row.cells
                if c.region == "burgas")
    assert cell.in_other_regions > 0


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.get("topics") or v.get("q")], ids=_ids)
def test_counterparts_never_come_from_the_same_region(compare, variant):
    result = compare.compare(CompareRequest(**variant))
    seen = 0
    for col in result.columns:
        for p in col.practices:
            assert p.region == col.region
            for c in p.counterparts:
                assert c.region != p.region and c.id != p.id
                assert c.region in variant["regions"]
                seen += 1
    assert seen > 0


def test_columns_list_each_regions_practices_with_abstract_in_the_ui_language(compare, service):
    result = compare.compare(CompareRequest(regions=["badajoz", "stara-zagora"], topics=["citizen-participation"],
                                            ui_lang="es"))
    for col in result.columns:
        assert len(col.practices) == col.total > 0
        for p in col.practices:
            d = service.get(p.id)
            assert d.region == col.region and "citizen-participation" in d.topics
            if d.lang == "es":
                assert (p.abstract, p.abstract_lang) == (d.summary, "es")
            else:
                assert (p.abstract, p.abstract_lang) == (d.summary_en, "en")
            assert p.years.startswith(str(d.year_start))
            assert [t["id"] for t in p.instruments] == d.instruments
            assert [t["id"] for t in p.target_groups] == d.target_groups


def test_columns_are_cut_at_the_limit_and_say_how_many_more(compare):
    result = compare.compare(CompareRequest(regions=FOUR, topics=["e-services"], column_limit=2, counterparts=0))
    for col in result.columns:
        assert len(col.practices) == min(2, col.total)
        assert col.more == col.total - len(col.practices)
        assert all(not p.counterparts for p in col.practices)


def test_without_topic_or_query_the_columns_list_no_practices(compare):
    result = compare.compare(CompareRequest(regions=FOUR))
    assert not CompareRequest(regions=FOUR).lists_practices
    assert all(col.practices == [] and col.total > 0 for col in result.columns)


@pytest.mark.parametrize("kwargs, param, fragment", [
    (dict(regions=["burgas"]), "region", "at least 2"),
    (dict(regions=FOUR + ["partnership"]), "region", "at most 4"),
    (dict(regions=["burgas", "mars"]), "region", "unknown region 'mars'"),
    (dict(regions=["burgas", "badajoz"], topics=["astrology"]), "topic", "unknown topic 'astrology'"),
    (dict(regions=["burgas", "badajoz"], q="x" * 2000), "q", "characters long"),
])
def test_bad_parameters_are_named_problems(compare, kwargs, param, fragment):
    result = compare.compare(CompareRequest(**kwargs))
    assert result.problems and not result.matrix
    assert any(p.param == param and fragment in str(p) for p in result.problems), result.message


# ---------------------------------------------------------------------------------------- HTTP

def _cells(html: str) -> list[tuple[str, int]]:
    return [(unescape(href), int(n)) for href, n in
            re.findall(r'<a href="(/\?[^"]+)" data-count="(\d+)"', html)]


def test_compare_page_shows_matrix_gaps_chart_and_columns(client):
    r = client.get("/compare?topic=citizen-participation&region=badajoz&region=burgas&region=caceres"
                   "&region=stara-zagora&lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<h1>Compare regional approaches</h1>" in html
    assert 'class="matrix"' in html and 'class="cell heat-0 gap"' in html
    assert "No practice on this topic yet in Burgas — 11 in the other regions" in html
    assert '<svg viewBox=' in html and 'role="img"' in html and "<title id=\"chart-title\">" in html
    assert html.count('class="sbs-column') == 4
    assert "Counterparts in the other regions" in html
    assert 'href="/compare/matrix.csv?topic=citizen-participation&amp;region=badajoz' in html
    import re
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/kb\.js\")", html)    # no JavaScript needed (kb.js only enhances)


def test_matrix_cells_link_to_searches_with_the_same_total(client):
    html = client.get("/compare?region=burgas&region=caceres&q=transparencia&lang=en").get_data(as_text=True)
    cells = _cells(html)
    assert len(cells) == 2 * 15
    for href, n in cells[:8] + [c for c in cells if c[1] == 0][:2]:
        page = client.get(href).get_data(as_text=True)
        if n == 1:
            assert "1 practice" in page
        elif n == 0:
            assert "No practices match" in page
        else:
            assert f"{n} practices" in page, href


def test_compare_page_speaks_three_languages_and_keeps_the_state(client):
    url = "/compare?topic=citizen-participation&region=badajoz&region=burgas"
    es = client.get(url + "&lang=es").get_data(as_text=True)
    assert "Comparar los enfoques regionales" in es and "Participación ciudadana y consultas" in es
    assert "Equivalentes en las demás regiones" in es
    bg = client.get(url + "&lang=bg").get_data(as_text=True)
    assert "Сравнение на регионалните подходи" in bg and "Бургас" in bg
    # the language links keep the whole state, and the form reflects it
    assert 'href="/compare?topic=citizen-participation&amp;region=badajoz&amp;region=burgas&amp;lang=en"' in bg
    assert re.search(r'name="region" value="badajoz" checked', bg)
    assert not re.search(r'name="region" value="caceres" checked', bg)
    assert re.search(r'name="topic" value="citizen-participation" checked', bg)


def test_header_links_to_compare(client):
    assert 'href="/compare?lang=en"' in client.get("/?lang=en").get_data(as_text=True)


def test_no_region_means_the_four_regions(client):
    html = client.get("/compare?lang=en").get_data(as_text=True)
    for region in FOUR:
        assert re.search(f'name="region" value="{region}" checked', html)
    assert not re.search(r'name="region" value="partnership" checked', html)


@pytest.mark.parametrize("query, message", [
    ("region=burgas", "Choose at least 2 regions to compare (you chose 1)."),
    ("region=burgas&region=badajoz&region=caceres&region=stara-zagora&region=partnership",
     "Choose at most 4 regions to compare (you chose 5)."),
    ("region=burgas&region=badajoz&topic=astrology", "Unknown topic “astrology”."),
    ("region=burgas&region=mars", "Unknown region “mars”."),
    ("region=burgas&region=%3Cscript%3E", "Unknown region “&lt;script&gt;”."),
])
def test_bad_parameters_give_a_400_page_and_400_json_never_500(client, query, message):
    r = client.get(f"/compare?{query}&lang=en")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "The comparison could not be made" in html and message in html
    assert "<script>" not in html
    api = client.get(f"/api/compare?{query}")
    assert api.status_code == 400
    body = api.get_json()
    assert body["error"] == "bad request" and body["problems"]
    assert all(re.match(r"^(region|topic|q): ", p) for p in body["problems"])
    for path in ("/compare/matrix.csv", "/compare/practices.csv"):
        assert client.get(f"{path}?{query}").status_code == 400


def test_bad_parameter_messages_are_translated(client):
    html = client.get("/compare?region=burgas&lang=es").get_data(as_text=True)
    assert "Elija al menos 2 regiones para comparar (ha elegido 1)." in html


def test_api_compare_matches_the_page_and_the_openapi_document(client):
    import jsonschema
    doc = client.get("/openapi.json").get_json()
    assert "/api/compare" in doc["paths"]
    data = client.get("/api/compare?topic=citizen-participation&region=badajoz&region=burgas").get_json()
    schema = {"$ref": "#/components/schemas/CompareResult", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(data)
    problem = {"$ref": "#/components/schemas/Problem", "components": doc["components"]}
    jsonschema.Draft202012Validator(problem).validate(client.get("/api/compare?region=burgas").get_json())
    cells = data["matrix"][0]["cells"]
    assert [(c["region"], c["count"], c["gap"]) for c in cells] == [("badajoz", 4, False), ("burgas", 0, True)]
    assert cells[1]["in_other_regions"] == 4
    assert cells[0]["search_url"] == "/?topic=citizen-participation&region=badajoz"
    assert len(data["columns"][0]["practices"]) == 4 and data["columns"][1]["practices"] == []


def test_matrix_csv_has_bom_and_the_matrix(client):
    r = client.get("/compare/matrix.csv?region=burgas&region=badajoz&lang=bg")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["topic_id", "Тема", "Бургас", "Бадахос"]
    api = client.get("/api/compare?region=burgas&region=badajoz").get_json()
    assert [[r[0], int(r[2]), int(r[3])] for r in rows[1:]] == \
        [[row["topic"], row["cells"][0]["count"], row["cells"][1]["count"]] for row in api["matrix"]]


def test_practices_csv_lists_every_practice_of_each_column(client, service):
    r = client.get("/compare/practices.csv?topic=e-services&region=burgas&region=badajoz")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    for region in ("burgas", "badajoz"):
        total = service.search(SearchRequest(filters={"region": [region], "topic": ["e-services"]})).total
        assert sum(1 for row in rows if row["region"] == region) == total
    assert any("\u0400" <= ch <= "\u04ff" for row in rows for ch in row["title"])    # Cyrillic survives
    assert all(row["url"].endswith("/practice/" + row["id"]) for row in rows)


# ------------------------------------------------------------------------------------------ CLI

def run(args, cwd):
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_compare_prints_the_matrix_the_columns_and_json(cli_project):
    records = {
        "burgas/bu-e-portal.md": record_text(id="bu-e-portal", region="burgas"),
        "badajoz/ba-sede.md": record_text(id="ba-sede", region="badajoz", lang="es",
                                          title="Sede electrónica de Mérida", summary="Trámites en línea.",
                                          topics='["e-services", "citizen-participation"]'),
    }
    for rel, text in records.items():
        (cli_project / "corpus" / rel).write_text(text, encoding="utf-8")
    assert run(["index"], cli_project).returncode == 0
    out = run(["compare", "--topic", "e-services,citizen-participation", "--regions", "burgas,badajoz"], cli_project)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["topic", "Burgas", "Badajoz", "all"]
    assert re.match(r"E-services\s+1\s+1\s+2$", lines[1])
    assert re.match(r"Citizen participation and consultation\s+0\*\s+1\s+1$", lines[2])
    assert "== Badajoz (1) ==" in out.stdout and "ba-sede" in out.stdout
    assert "~ E-services in the municipality (Burgas, 2015) bu-e-portal" in out.stdout   # counterpart
    data = json.loads(run(["compare", "--topic", "citizen-participation", "--regions", "burgas,badajoz", "--json"],
                          cli_project).stdout)
    assert [(c["region"], c["count"], c["gap"]) for c in data["matrix"][0]["cells"]] == \
        [("burgas", 0, True), ("badajoz", 1, False)]
    bad = run(["compare", "--regions", "burgas"], cli_project)
    assert bad.returncode == 1 and "Error: region: choose at least 2 regions" in bad.stderr
    assert "Traceback" not in bad.stderr
