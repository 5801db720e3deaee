"""HTTP: the search page, the practice page and the JSON API over the shipped corpus."""


def test_search_page_lists_published_practices_with_facets(client, service):
    from kb.search import SearchRequest
    total = service.search(SearchRequest()).total
    r = client.get("/?lang=en")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert f"{total} practices" in html
    assert 'aria-labelledby="facet-region"' in html and "Stara Zagora" in html


def test_query_string_is_the_whole_state(client):
    r = client.get("/?q=transparencia&region=badajoz&region=caceres&lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    # chips to remove each selected region keep the other one and the query
    assert 'href="/?q=transparencia&amp;region=caceres&amp;lang=en"' in html
    assert 'href="/?q=transparencia&amp;region=badajoz&amp;lang=en"' in html


def test_ui_language_from_param_cookie_and_accept_language(client):
    assert "Buscar prácticas" in client.get("/?lang=es").get_data(as_text=True)
    # the cookie set by ?lang=es is remembered
    assert "Buscar prácticas" in client.get("/").get_data(as_text=True)
    fresh = client.application.test_client()
    assert "Търсене на практики" in fresh.get("/", headers={"Accept-Language": "bg,en;q=0.5"}).get_data(as_text=True)


def test_bad_parameters_give_400_with_message_not_500(client):
    for url in ("/?page=abc", "/?year_from=1020&year_to=2010", "/?region=mars", "/?q=" + "x" * 2000):
        r = client.get(url)
        assert r.status_code == 400, url
        assert "could not be run" in r.get_data(as_text=True)


def test_practice_page_renders_record_and_english_abstract(client, service):
    from kb.search import SearchRequest
    hit = service.search(SearchRequest(filters={"language": ["bg"]})).hits[0]
    r = client.get(f"/practice/{hit.id}?lang=es")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert hit.title in html
    assert "Resumen en inglés" in html and hit.summary_en in html


def test_unknown_and_hostile_practice_ids_are_404(client):
    for pid in ("nope", "..%2F..%2Fconfig", "%00", "a" * 200):
        assert client.get(f"/practice/{pid}").status_code == 404


def test_api_search_matches_page_and_api_errors_are_json(client):
    data = client.get("/api/search?q=transparencia").get_json()
    assert data["total"] > 0 and data["hits"]
    r = client.get("/api/search?year_from=abc")
    assert r.status_code == 400 and r.get_json()["problems"][0].startswith("year_from:")


def test_api_practice_and_taxonomy(client, service):
    from kb.search import SearchRequest
    hit = service.search(SearchRequest()).hits[0]
    d = client.get(f"/api/practices/{hit.id}").get_json()
    assert d["id"] == hit.id and d["title"] == hit.title
    assert client.get("/api/practices/nope").status_code == 404
    tax = client.get("/api/taxonomy").get_json()
    assert {t["id"] for t in tax["regions"]} >= {"burgas", "badajoz"}
    assert all(set(t["label"]) == {"bg", "es", "en"} for t in tax["topics"])


def _validate(doc, name, instance):
    import jsonschema
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_openapi_document_matches_the_responses(client, service):
    from kb.search import SearchRequest
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/api/search" in doc["paths"]
    _validate(doc, "SearchResult", client.get("/api/search?q=transparencia&region=badajoz").get_json())
    _validate(doc, "SearchResult", client.get("/api/search?q=zzzzqqq").get_json())
    _validate(doc, "Problem", client.get("/api/search?page=0").get_json())
    hit = service.search(SearchRequest()).hits[0]
    _validate(doc, "Practice", client.get(f"/api/practices/{hit.id}").get_json())
    _validate(doc, "Taxonomy", client.get("/api/taxonomy").get_json())
    import jsonschema
    import pytest
    with pytest.raises(jsonschema.ValidationError):      # the check can fail
        _validate(doc, "SearchResult", {"total": "many"})


def test_csv_export_has_bom_and_every_matching_record(client, service):
    import csv
    import io
    from kb.search import SearchRequest
    r = client.get("/export.csv?region=burgas")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    expected = service.search(SearchRequest(filters={"region": ["burgas"]})).total
    assert len(rows) == expected > 20       # all of them, not one page
    assert all(row["region"] == "burgas" for row in rows)
    assert any("\u0400" <= ch <= "\u04ff" for ch in rows[0]["title"])   # Cyrillic survives


def test_atom_feed_is_newest_first_and_well_formed(client):
    import xml.etree.ElementTree as ET
    r = client.get("/feed.atom?country=es")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(r.data)
    updated = [e.find("a:updated", ns).text for e in root.findall("a:entry", ns)]
    assert updated and updated == sorted(updated, reverse=True)
    assert client.get("/feed.atom?year_from=x").status_code == 400


def test_similar_practices_come_from_other_regions(service):
    from kb.search import SearchRequest
    checked = 0
    for hit in service.search(SearchRequest(filters={"region": ["burgas", "caceres"]}, page_size=200)).hits:
        sims = service.similar(hit.id)
        assert all(s.region != hit.region and s.id != hit.id for s in sims)
        checked += bool(sims)
    assert checked > 40          # nearly every practice has counterparts elsewhere


def test_practice_page_shows_similar_practices_and_illustrative_mark(client, service):
    from kb.search import SearchRequest
    hit = service.search(SearchRequest(q="transparencia", filters={"region": ["badajoz"]})).hits[0]
    html = client.get(f"/practice/{hit.id}?lang=en").get_data(as_text=True)
    assert "Similar practices in other regions" in html
    sims = service.similar(hit.id)
    assert f'href="/practice/{sims[0].id}"' in html
    assert "Illustrative example" in html


def test_real_records_are_not_marked_illustrative(client):
    html = client.get("/practice/sz-fifth-working-meeting-2013?lang=en").get_data(as_text=True)
    assert "Illustrative example" not in html
    assert "16 February 2013" in html      # the date in the UI language
    assert "16 февруари 2013" in client.get("/practice/sz-fifth-working-meeting-2013?lang=bg").get_data(as_text=True)


def test_security_headers_on_every_response(client):
    for url in ("/", "/practice/nope", "/api/search?q=x", "/export.csv", "/static/kb.css"):
        r = client.get(url)
        assert "script-src 'self'" in r.headers["Content-Security-Policy"], url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client):
    import re
    html = client.get("/?q=transparencia").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


def test_language_facet_is_labelled_in_the_interface_language(client):
    data = client.get("/api/search?lang=es").get_json()
    labels = {v["value"]: v["label"] for v in data["facets"]["language"]}
    assert labels == {"bg": "Búlgaro", "es": "Español", "en": "Inglés"}
