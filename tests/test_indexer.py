import pytest

from kb.indexer import build
from kb.indexer.build import IndexError_, current_generation, update_index
from kb.search import SearchRequest, SearchService
from tests.conftest import record_text


def _ids(cfg, q=""):
    return {h.id for h in SearchService(cfg).search(SearchRequest(q=q, page_size=100, expand=False)).hits}


def test_full_build_then_incremental_updates_only_what_changed(make_project):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    write("burgas/bu-two.md", record_text(id="bu-two", title="Обществени поръчки"))
    first = update_index(cfg)
    assert first.rebuilt and first.total == 2
    assert first.line() == f"indexed 2 records (full build) in {first.seconds:.1f} s"
    gen = current_generation(cfg)

    same = update_index(cfg)
    assert (same.added, same.changed, same.removed) == (0, 0, 0)

    write("burgas/bu-two.md", record_text(id="bu-two", title="Прозрачност на поръчките"))
    write("badajoz/ba-three.md", record_text(id="ba-three", region="badajoz", lang="es",
                                            title="Transparencia municipal", summary="Portal."))
    (cfg.corpus_dir / "burgas" / "bu-one.md").unlink()
    summary = update_index(cfg)
    assert (summary.added, summary.changed, summary.removed, summary.total) == (1, 1, 1, 2)
    assert summary.line().startswith("indexed 2 records (1 added, 1 changed, 1 removed) in ")
    assert current_generation(cfg) == gen          # incremental: same generation
    assert _ids(cfg) == {"bu-two", "ba-three"}
    assert _ids(cfg, "прозрачност") == {"bu-two"}


def test_rebuild_switches_to_a_new_generation_and_keeps_only_two(make_project):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    gens = []
    for _ in range(3):
        update_index(cfg, rebuild=True)
        gens.append(current_generation(cfg).name)
    assert len(set(gens)) == 3
    left = sorted(p.name for p in cfg.index_dir.iterdir() if p.name.startswith("gen-"))
    assert left == sorted(gens[-2:])


def test_broken_corpus_is_refused_and_old_index_keeps_serving(make_project):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    update_index(cfg)
    write("burgas/bu-two.md", record_text(id="bu-two", topics='["e-gov"]'))
    with pytest.raises(IndexError_) as info:
        update_index(cfg)
    assert any("bu-two.md: topics: unknown topic 'e-gov'" in e for e in info.value.errors)
    assert _ids(cfg) == {"bu-one"}


def test_crash_during_full_build_leaves_old_index_serving(make_project, monkeypatch):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    update_index(cfg)
    before = current_generation(cfg)
    write("burgas/bu-two.md", record_text(id="bu-two"))
    real = build.practice_document
    calls = []

    def failing(p):
        calls.append(p.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(p)

    monkeypatch.setattr(build, "practice_document", failing)
    with pytest.raises(RuntimeError):
        update_index(cfg, rebuild=True)
    monkeypatch.setattr(build, "practice_document", real)
    assert current_generation(cfg) == before
    assert not [p for p in cfg.index_dir.iterdir() if p.name.startswith(".gen-")]   # no debris
    assert _ids(cfg) == {"bu-one"}
    assert update_index(cfg).added == 1            # the interrupted work simply repeats


def test_drafts_are_indexed_but_hidden_from_public_search(make_project):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    write("burgas/bu-draft.md", record_text(id="bu-draft", status='"draft"'))
    update_index(cfg)
    svc = SearchService(cfg)
    assert {h.id for h in svc.search(SearchRequest()).hits} == {"bu-one"}
    assert {h.id for h in svc.search(SearchRequest(include_drafts=True)).hits} == {"bu-one", "bu-draft"}
    assert svc.get("bu-draft") is None and svc.practice("bu-draft") is None
    assert svc.practice("bu-draft", include_drafts=True).status == "draft"


def test_a_long_lived_service_sees_an_updated_record_not_its_old_version(make_project):
    from kb.indexer.build import index_practice
    from kb.records.model import parse_practice
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    write("burgas/bu-two.md", record_text(id="bu-two"))
    update_index(cfg)
    svc = SearchService(cfg)
    assert svc.get("bu-one").status == "published"
    index_practice(cfg, parse_practice(record_text(id="bu-one", status='"draft"'), cfg))
    svc.store.invalidate()
    assert svc.get("bu-one") is None                          # drafts are not public
    assert svc.get("bu-one", include_drafts=True).status == "draft"
