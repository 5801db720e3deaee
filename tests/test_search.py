"""The search service on a small, hand-made corpus: query language, facets, pages, hints."""
import pytest

from kb.indexer.build import update_index
from kb.search import SearchRequest, SearchService
from tests.conftest import record_text


def es(id, title, region="badajoz", **kw):
    return record_text(id=id, region=region, lang="es", title=title, summary=kw.pop("summary", title),
                       body=kw.pop("body", f"## Problema\n\n{title}.\n\n## Solución\n\nTexto.\n\n## Resultados\n\nBien.\n"),
                       **kw)


@pytest.fixture()
def svc(make_project):
    cfg, write = make_project
    write("badajoz/ba-portal.md", es("ba-portal", "Portal de transparencia municipal", topics='["transparency-open-data"]', year_start="2015"))
    write("badajoz/ba-sede.md", es("ba-sede", "Sede electrónica para pequeños municipios", topics='["e-services"]', year_start="2012", year_end="2014"))
    write("caceres/cc-datos.md", es("cc-datos", "Datos abiertos y transparencia en Cáceres", region="caceres", topics='["transparency-open-data", "e-services"]', year_start="2020", ongoing="true"))
    write("caceres/cc-formacion.md", es("cc-formacion", "Formación del personal en contratación pública", region="caceres", topics='["staff-training-hr", "public-procurement"]', year_start="2009"))
    write("burgas/bu-uslugi.md", record_text(id="bu-uslugi", title="Електронни услуги за гражданите", year_start="2018"))
    update_index(cfg)
    return SearchService(cfg)


def ids(result):
    return [h.id for h in result.hits]


def test_accent_insensitive_spanish(svc):
    assert ids(svc.search(SearchRequest(q="caceres"))) == ["cc-datos"]
    assert ids(svc.search(SearchRequest(q="electronica")))[0] == "ba-sede"


def test_spanish_query_finds_bulgarian_record_through_translation_ranked_below(svc):
    found = ids(svc.search(SearchRequest(q="electrónica")))
    assert found.index("ba-sede") < found.index("bu-uslugi")


def test_latin_typed_bulgarian_finds_cyrillic_record(svc):
    assert ids(svc.search(SearchRequest(q="elektronni grazhdanite")))[0] == "bu-uslugi"
    assert ids(svc.search(SearchRequest(q="elektronni grazhdanite", expand=False))) == []


def test_all_words_preferred_but_a_missing_word_does_not_empty_results(svc):
    r = svc.search(SearchRequest(q="transparencia municipal"))
    assert ids(r)[0] == "ba-portal"          # has both words
    assert "cc-datos" in ids(r)              # has one of them
    r = svc.search(SearchRequest(q="transparencia zanahoria"))
    assert set(ids(r)) == {"ba-portal", "cc-datos"}


def test_an_acronym_typed_in_capitals_is_matched_unstemmed(make_project):
    cfg, write = make_project
    write("badajoz/ba-assoc.md", record_text(id="ba-assoc", region="badajoz", lang="en",
                                             title="The TUMAS residents' association",
                                             summary="Residents run TUMAS.",
                                             body="## Problem\n\nTUMAS.\n\n## Solution\n\nMeetings.\n\n"
                                                  "## Results\n\nGood.\n"))
    update_index(cfg)
    service = SearchService(cfg)
    assert ids(service.search(SearchRequest(q="Who leads TUMAS?", expand=False))) == ["ba-assoc"]
    # all in capitals: words, not acronyms
    assert ids(service.search(SearchRequest(q="RESIDENTS ASSOCIATION", expand=False))) == ["ba-assoc"]
    # ... but a short word of such a query may still be the acronym the index keeps unstemmed
    # (English stems "tumas" to "tuma", and the record holds "tumas")
    assert ids(service.search(SearchRequest(q="tumas", expand=False))) == []     # English: "tuma"
    assert ids(service.search(SearchRequest(q="TUMAS", expand=False))) == ["ba-assoc"]   # not its cached answer
    assert ids(service.search(SearchRequest(q="TUMAS RESIDENTS", expand=False))) == ["ba-assoc"]


def test_query_parser_keeps_capitals_only_for_acronyms():
    from kb.search.parse import normalise, parse
    assert parse("Who leads TUMAS").clauses[2][0].analysed == "TUMAS"
    assert parse("Who leads TUMAS").clauses[0][0].analysed == "who"
    assert parse("WHO LEADS TUMAS").clauses[2][0].analysed == "tumas"
    assert parse("WHO LEADS TUMAS").clauses[2][0].maybe_acronym == "TUMAS"
    assert parse("WHO LEADS TUMAS").clauses[0][0].maybe_acronym == "WHO"
    assert parse("TRANSPARENCIA").clauses[0][0].maybe_acronym == ""              # longer than 6
    assert parse("Who leads TUMAS").clauses[2][0].maybe_acronym == ""
    assert normalise("Who leads TUMAS") != normalise("who leads tumas")      # answers cached apart
    assert normalise("TUMAS") != normalise("tumas") != normalise("Tumas TUMAS")
    assert normalise("TUMAS") == normalise("  TUMAS ")


def test_phrase_exclusion_and_or(svc):
    assert ids(svc.search(SearchRequest(q='"datos abiertos"'))) == ["cc-datos"]
    assert ids(svc.search(SearchRequest(q='"abiertos datos"'))) == []
    assert set(ids(svc.search(SearchRequest(q="transparencia -caceres")))) == {"ba-portal"}
    assert set(ids(svc.search(SearchRequest(q="sede OR formacion")))) == {"ba-sede", "cc-formacion"}
    assert set(ids(svc.search(SearchRequest(q="-transparencia")))) == {"ba-sede", "cc-formacion", "bu-uslugi"}


@pytest.mark.parametrize("q", ['"unbalanced', "OR", "- -- OR AND", '"" -"" ""', "((", "a*?[", "\x00", "ä" * 400])
def test_odd_queries_never_fail(svc, q):
    r = svc.search(SearchRequest(q=q))
    assert r.total >= 0


def test_facets_are_disjunctive(svc):
    r = svc.search(SearchRequest(q="", filters={"region": ["badajoz"], "topic": ["e-services"]}))
    assert ids(r) == ["ba-sede"]
    region = {v.value: (v.count, v.selected) for v in r.facet("region").values}
    # region counts ignore the region selection but apply the topic selection
    assert region == {"badajoz": (1, True), "caceres": (1, False), "burgas": (1, False)}
    topic = {v.value: v.count for v in r.facet("topic").values}
    # topic counts apply the region selection only
    assert topic == {"e-services": 1, "transparency-open-data": 1}


def test_several_values_of_one_facet_combine_with_or(svc):
    r = svc.search(SearchRequest(filters={"region": ["badajoz", "burgas"]}))
    assert set(ids(r)) == {"ba-portal", "ba-sede", "bu-uslugi"}


def test_year_range_overlaps_practice_years(svc):
    r = svc.search(SearchRequest(year_from=2013, year_to=2016))
    assert set(ids(r)) == {"ba-portal", "ba-sede"}
    r = svc.search(SearchRequest(year_from=2025))
    assert ids(r) == ["cc-datos"]             # ongoing since 2020


def test_sorting(svc):
    assert ids(svc.search(SearchRequest(sort="newest")))[0] == "cc-datos"
    assert ids(svc.search(SearchRequest(sort="oldest")))[0] == "cc-formacion"
    titles = [h.title.casefold() for h in svc.search(SearchRequest(sort="title")).hits]
    assert titles == sorted(titles)


def test_pagination_is_stable(svc):
    pages = [ids(svc.search(SearchRequest(sort="oldest", page=p, page_size=2))) for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert len(set(sum(pages, []))) == 5


def test_zero_results_suggest_spelling_and_filters_to_drop(svc):
    r = svc.search(SearchRequest(q="transparensia", expand=False))
    assert r.total == 0 and r.suggestion == "transparencia"
    assert svc.search(SearchRequest(q="transparensia")).total == 2     # the typo is looked up as the word
    r = svc.search(SearchRequest(q="transparencia", filters={"topic": ["public-procurement"]}))
    assert r.total == 0
    assert [(h.facet, h.count) for h in r.drop_hints] == [("topic", 2)]


def test_snippet_highlights_stemmed_matches(svc):
    r = svc.search(SearchRequest(q="municipios"))
    hit = next(h for h in r.hits if h.id == "ba-sede")
    assert "<mark" in hit.snippet_html


def test_bad_parameters_are_named(svc):
    problems = svc.validate(SearchRequest(q="x" * 600, filters={"region": ["mars"]}, year_from=2020,
                                          year_to=2010, page=0, sort="random"))
    text = " | ".join(problems)
    for name in ("q:", "region: unknown value 'mars'", "year_from: 2020 is after year_to 2010", "page:", "sort:"):
        assert name in text
    assert svc.search(SearchRequest(filters={"region": ["mars"]})).message


def test_repeated_queries_are_answered_from_the_cache_until_the_index_changes(make_project):
    from kb.indexer.build import index_practice
    from kb.records.model import parse_practice
    cfg, write = make_project
    write("badajoz/ba-portal.md", es("ba-portal", "Portal de transparencia municipal"))
    update_index(cfg)
    svc = SearchService(cfg)
    first = svc.search(SearchRequest(q="transparencia"))
    again = svc.search(SearchRequest(q="  transparencia "))
    assert again.hits is first.hits                       # same answer object: served from cache
    index_practice(cfg, parse_practice(es("ba-otro", "Otra transparencia"), cfg))
    svc.store.invalidate()
    assert {h.id for h in svc.search(SearchRequest(q="transparencia")).hits} == {"ba-portal", "ba-otro"}


def test_records_decoded_once_per_snapshot_give_the_same_answers(built_config, monkeypatch):
    """The per-snapshot memo of decoded records (kb.search.store.stored_record) changes no
    answer, also while it evicts, and stays within its bound."""
    from kb.indexer.schema import STORED_FIELD, StoredRecord
    from kb.search import store
    queries = ["transparencia", "electronic services", "participación ciudadana",
               "дигитализация на услугите", "prozrachnost obshtina", "transparencia"]

    def answers(size):
        monkeypatch.setattr(store, "RECORD_CACHE_SIZE", size)
        svc = SearchService(built_config)
        out = []
        for q in queries:
            out.append(svc.search(SearchRequest(q=q)).to_dict())
            svc.store.snapshot().cache.pop("results")          # the next one is computed again
        return out, svc.store.snapshot()

    without, snap = answers(0)
    assert len(snap.cache["records"]) == 0
    small, snap = answers(5)
    assert small == without
    records = snap.cache["records"]
    assert len(records) == 5
    for docnum, d in records.items():
        assert d == StoredRecord.from_stored(snap.searcher.stored_fields(docnum)[STORED_FIELD])
