"""HTTP: the search page, the practice page and the JSON API over the shipped corpus."""
import re


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
    for url in ("/?page=abc", "/?year_from=2020&year_to=2010", "/?region=mars", "/?q=" + "x" * 2000):
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
