"""HTTP: what a person sees on the pages (issue 15): export links, labelled CSV, /about, favicon,
snippets, the way back to the search, titles in the reader's language, errors in the UI language."""
from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from kb.search import SearchRequest


def html_of(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


# ---------------------------------------------------------------- exports

def test_every_search_links_its_csv_and_atom_exports(client):
    html = html_of(client, "/?q=transparencia&region=badajoz&sort=newest&lang=en")
    csv_link = re.search(r'<a href="([^"]+)" download>Download CSV</a>', html)
    atom_link = re.search(r'<a href="([^"]+)" type="application/atom\+xml">Follow this search \(Atom\)</a>', html)
    assert csv_link and atom_link
    csv_url, atom_url = unescape(csv_link.group(1)), unescape(atom_link.group(1))
    assert csv_url.startswith("/export.csv?") and atom_url.startswith("/feed.atom?")
    assert parse_qs(urlparse(csv_url).query) == {"q": ["transparencia"], "region": ["badajoz"],
                                                 "sort": ["newest"], "lang": ["en"]}
    assert parse_qs(urlparse(atom_url).query) == {"q": ["transparencia"], "region": ["badajoz"], "lang": ["en"]}
    assert '<link rel="alternate" type="application/atom+xml"' in html
    # the links answer with the same records the page lists
    page_total = int(re.search(r"(\d+) practices", html).group(1))
    rows = list(csv.DictReader(io.StringIO(client.get(csv_url).get_data(as_text=True)[1:])))
    assert len(rows) == page_total > 0
    assert client.get(atom_url).status_code == 200


def test_csv_has_labels_in_the_interface_language_next_to_the_ids(client, built_config):
    text = client.get("/export.csv?region=badajoz&lang=es").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    header = next(csv.reader(io.StringIO(text[1:])))
    assert header.index("region_label") == header.index("region") + 1
    assert header.index("topics_labels") == header.index("topics") + 1
    row = rows[0]
    assert row["region"] == "badajoz" and row["region_label"] == built_config.regions.label("badajoz", "es")
    topics = row["topics"].split("; ")
    assert row["topics_labels"].split("; ") == [built_config.topics.label(t, "es") for t in topics]
    assert row["doctype_label"] == built_config.doctypes.label(row["doctype"], "es")
    assert row["language_label"] == "Español"
    assert row["ongoing"] in ("sí", "no") and row["illustrative"] in ("sí", "no")
    assert row["status_label"] == "Publicado"
    bg = list(csv.DictReader(io.StringIO(client.get("/export.csv?region=badajoz&lang=bg").get_data(as_text=True)[1:])))
    assert bg[0]["region_label"] == built_config.regions.label("badajoz", "bg") != row["region_label"]
    assert {r["ongoing"] for r in bg} <= {"да", "не"}


# ---------------------------------------------------------------- about, favicon, sort

@pytest.mark.parametrize("lang,title,phrases", [
    ("en", "About kb", ["What it holds", "Who curates it", "How to search", "Phrases", "Exclusions",
                        "Bulgarian in Latin letters", "Across languages", "Exports and the API"]),
    ("bg", "За kb", ["Какво съдържа", "Кой я поддържа", "Как се търси", "Фрази", "Изключване",
                     "Български на латиница", "Между езиците", "Изтегляне и API"]),
    ("es", "Acerca de kb", ["Qué contiene", "Quién lo mantiene", "Cómo buscar", "Frases", "Exclusiones",
                            "Búlgaro en letras latinas", "Entre idiomas", "Descargas y API"]),
])
def test_about_page_in_each_language(client, service, lang, title, phrases):
    html = html_of(client, f"/about?lang={lang}")
    assert f"<h1>{title}</h1>" in html
    for phrase in phrases:
        assert phrase in html, (lang, phrase)
    total = service.search(SearchRequest()).total
    assert str(total) in html
    assert 'href="/openapi.json"' in html and "/api/search" in html
    help_ = client.get(f"/help?lang={lang}")
    assert help_.status_code == 301 and help_.headers["Location"].endswith(f"/about?lang={lang}")
    assert 'href="/about?lang=' in html_of(client, f"/?lang={lang}")          # linked from every page


def test_favicon_is_served(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert r.data[:4] == b"\x00\x00\x01\x00"          # an ICO file
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    assert 'rel="icon"' in html_of(client, "/")


def test_sort_form_has_a_button_and_the_script_is_external(client):
    html = html_of(client, "/?q=transparencia")
    form = re.search(r'<form method="get" action="/" class="sort" data-autosubmit>(.*?)</form>', html, re.S).group(1)
    assert '<select id="sort" name="sort">' in form and '<button type="submit"' in form
    assert re.search(r'<script src="/static/kb\.js" defer></script>', html)
    js = client.get("/static/kb.js").get_data(as_text=True)
    assert "data-autosubmit" in js and "submit()" in js


# ---------------------------------------------------------------- snippets

SNIPPET_QUERIES = ["transparencia", "електронни услуги", "open data", "participación ciudadana", "обучение",
                   "citizens budget", "ventanilla única", "прозрачност"]


def test_snippets_are_cut_at_word_boundaries_and_joined_with_an_ellipsis(service):
    checked = joined = 0
    for q in SNIPPET_QUERIES:
        for hit in service.search(SearchRequest(q=q, page_size=20)).hits:
            p = service.practice(hit.id)
            source = " ".join((p.body + " " + p.summary).split())
            text = hit.snippet_text
            assert "..." not in text
            passages = text.removesuffix(" …").split(" … ")
            joined += len(passages) > 1
            for passage in passages:
                passage = " ".join(passage.split())
                at = source.find(passage)
                if at < 0:
                    continue            # Markdown marks in the body; the summary fallback
                before = source[at - 1] if at else " "
                after = source[at + len(passage)] if at + len(passage) < len(source) else " "
                assert not before.isalnum() and not after.isalnum(), (q, hit.id, passage[:40], passage[-40:])
                checked += 1
    assert checked > 60 and joined > 10


# ---------------------------------------------------------------- readers in another language

def test_practice_link_from_a_search_keeps_the_way_back(client):
    html = html_of(client, "/?q=transparencia&region=badajoz&lang=es")
    link = unescape(re.search(r'<h3><a href="(/practice/[^"]+)"', html).group(1))
    assert "back=" in link
    page = html_of(client, link)
    back = unescape(re.search(r'<a href="([^"]+)" rel="prev">', page).group(1))
    assert parse_qs(urlparse(back).query) == {"q": ["transparencia"], "region": ["badajoz"], "lang": ["es"]}
    # switching the interface language keeps the way back (in the new language)
    bg_link = unescape(re.search(r'<a href="([^"]+)" lang="bg" hreflang="bg">', page).group(1))
    back_bg = unescape(re.search(r'<a href="([^"]+)" rel="prev">', html_of(client, bg_link)).group(1))
    assert parse_qs(urlparse(back_bg).query) == {"q": ["transparencia"], "region": ["badajoz"], "lang": ["bg"]}
    # a forged `back` only yields search parameters
    page = html_of(client, "/practice/" + link.split("/practice/")[1].split("?")[0]
                   + "?back=q%3Dx%26next%3Dhttp%3A%2F%2Fevil.example")
    back = unescape(re.search(r'<a href="([^"]+)" rel="prev">', page).group(1))
    assert back == "/?q=x"


def test_similar_practices_show_titles_in_the_reader_language_with_the_original(client, service):
    hit = service.search(SearchRequest(filters={"region": ["badajoz"]}, q="transparencia")).hits[0]
    sims = [s for s in service.similar(hit.id, "en") if s.lang == "bg" and s.title_en]
    assert sims, "a Spanish practice with a Bulgarian counterpart"
    html = html_of(client, f"/practice/{hit.id}?lang=es")
    section = html.split('class="similar"')[1]
    s = sims[0]
    assert f'<a href="/practice/{s.id}" lang="en">{s.title_en}</a> <span class="original" lang="bg">({s.title})</span>' \
        in unescape(section)


# ---------------------------------------------------------------- errors in the UI language

@pytest.mark.parametrize("url,expected", [
    ("/?region=mars&lang=bg", "„mars“ не е известна стойност на филтъра „Регион“."),
    ("/?region=mars&lang=es", "«mars» no es un valor conocido del filtro «Región»."),
    ("/?page=abc&lang=es", "«abc» no es un número entero (página)."),
    ("/?year_from=1500&lang=bg", "Годината 1500 е извън годините, които kb обхваща (1990–2100)."),
    ("/?q=" + "x" * 600 + "&lang=es", "El texto de búsqueda tiene 600 caracteres; se admiten como máximo 500."),
])
def test_search_errors_are_in_the_interface_language(client, url, expected):
    html = html_of(client, url, 400)
    problems = re.search(r'<div class="problems" role="alert">(.*?)</div>', html, re.S).group(1)
    assert expected in unescape(problems)
    assert not re.search(r"\b(unknown value|is not a whole number|out of range|characters long)\b", problems)


def test_export_errors_are_in_the_interface_language(client):
    html = html_of(client, "/export.csv?region=mars&lang=es", 400)
    assert "«mars» no es un valor conocido del filtro «Región»." in unescape(html)


def test_reversed_year_range_is_read_as_the_range_it_means(client):
    r = client.get("/?year_from=2030&year_to=2020&q=x&lang=es")
    assert r.status_code == 302 and r.headers["Location"] == "/?year_from=2020&year_to=2030&q=x&lang=es"
    api = client.get("/api/search?year_from=2020&year_to=2010")
    same = client.get("/api/search?year_from=2010&year_to=2020")
    assert api.status_code == 200 and api.get_json()["total"] == same.get_json()["total"] > 0
    assert client.get("/export.csv?year_from=2020&year_to=2010").data == client.get("/export.csv?year_from=2010&year_to=2020").data


def test_api_refuses_unknown_parameters_by_name_with_a_code(client):
    r = client.get("/api/search?q=x&page_size=5&Region=burgas")
    assert r.status_code == 400
    body = r.get_json()
    assert [d["param"] for d in body["details"]] == ["page_size", "Region"]
    assert {d["code"] for d in body["details"]} == {"unknown-parameter"}
    assert body["problems"][0].startswith("page_size: unknown parameter")
    bad = client.get("/api/search?region=mars").get_json()
    assert bad["details"] == [{"code": "unknown-value", "param": "region", "message": bad["problems"][0]}]
    assert client.get("/api/compare?regions=burgas").status_code == 400
    assert client.get("/?page_size=5").status_code == 200          # pages forgive what they don't use


def test_openapi_documents_the_values_and_the_strictness(client, built_config):
    doc = client.get("/openapi.json").get_json()
    search = doc["paths"]["/api/search"]["get"]
    assert "refused with 400" in search["description"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["region"]["schema"]["items"]["enum"] == ["", *built_config.regions.ids()]
    assert "read as the range" in params["year_from"]["description"]
    assert "details" in doc["components"]["schemas"]["Problem"]["properties"]


def test_shared_terms_are_in_the_interface_language_where_kb_knows_a_translation(client, service):
    hit = service.search(SearchRequest(q="transparencia", filters={"region": ["badajoz"]})).hits[0]
    english = {t for s in service.similar(hit.id, "en") for t in s.shared_terms}
    assert "transparency" in english
    for lang, word in (("bg", "прозрачност"), ("es", "transparencia")):
        html = html_of(client, f"/practice/{hit.id}?lang={lang}")
        section = html.split('class="similar"')[1].split("</section>")[0]
        terms = re.findall(r'<span lang="(\w+)">([^<]+)</span>', section.split("<span class=\"meta\">", 1)[1])
        assert (lang, word) in terms
        assert ("en", "transparency") not in terms
        assert all(t_lang in (lang, "en") for t_lang, _ in terms)
        assert sum(t_lang == lang for t_lang, _ in terms) > sum(t_lang == "en" for t_lang, _ in terms)
    compare = html_of(client, "/compare?topic=transparency-open-data&lang=bg")
    assert '<span class="term" lang="bg">прозрачност</span>' in compare


def test_too_many_filter_values_is_one_problem(client):
    body = client.get("/api/search?" + "&".join(["region=burgas"] * 51)).get_json()
    assert [d["code"] for d in body["details"]] == ["too-many-values"]
    body = client.get("/api/search?" + "&".join(["region="] * 51)).get_json()    # empty ones count too
    assert [d["code"] for d in body["details"]] == ["too-many-values"]
