"""`kb eval retrieval` and the pieces of ranking it measures (pseudo-relevance feedback)."""
from __future__ import annotations

import dataclasses
import json
import math

import pytest

from kb.search.evaluation import TaskError, evaluate, load_task, score_query, task_document
from kb.indexer.build import build_generation
from kb.search import SearchRequest, SearchService
from tests.test_cli import run


def test_score_query_follows_the_eval_scripts_definitions():
    s = score_query(["a", "b", "c", "d"], {"b", "d", "z"})
    assert s["MRR@10"] == pytest.approx(0.5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert s["nDCG@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / idcg)
    assert s["R@10"] == pytest.approx(2 / 3)
    assert score_query(["x"] * 11 + ["b"], {"b"}) == {"MRR@10": 0.0, "nDCG@10": 0.0, "R@10": 0.0, "R@100": 1.0}


def _write_task(folder, docs, queries, qrels):
    folder.mkdir(parents=True)
    (folder / "docs.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries),
                                          encoding="utf-8")
    (folder / "qrels.tsv").write_text("".join(f"{q}\t0\t{d}\t1\n" for q, d in qrels), encoding="utf-8")
    return folder


DOCS = [
    {"id": "bg1", "lang": "bg", "text": "Законите за прозрачност на общината задължават кметството да публикува бюджета."},
    {"id": "bg2", "lang": "bg", "text": "Електронни услуги за гражданите: данъци и разрешителни онлайн."},
    {"id": "es1", "lang": "es", "text": "La Diputación de Cáceres abre un portal de datos abiertos."},
    {"id": "es2", "lang": "es", "text": "Formación de los funcionarios en atención ciudadana."},
    {"id": "en1", "lang": "en", "text": "Participatory budgeting lets residents vote on district projects."},
    {"id": "en2", "lang": "en", "text": "Staff training on plain language for letters to citizens."},
]


def test_eval_retrieval_cli_prints_metrics_and_a_last_summary_line(tmp_path, cli_project):
    task = _write_task(tmp_path / "tasks" / "task", DOCS, [
        {"id": "q1", "text": "закон прозрачност", "lang": "bg", "split": "dev"},      # stemmed: законите
        {"id": "q2", "text": "caceres datos abiertos", "lang": "es", "split": "dev"},  # accents folded
        {"id": "q3", "text": "prozrachnost", "lang": "bg", "split": "test"},          # other split
        {"id": "q4", "text": "training staff", "lang": "en", "split": "dev"},
    ], [("q1", "bg1"), ("q2", "es1"), ("q3", "bg1"), ("q4", "en2")])
    out = run(["eval", "retrieval", str(task)], cli_project)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("task task (dev): 3 queries, 6 docs")
    assert lines[-1] == "MRR@10=1.000 nDCG@10=1.000 R@100=1.000"
    out = run(["eval", "retrieval", str(task), "--split", "test"], cli_project)
    assert "1 queries" in out.stdout.splitlines()[0]


def test_eval_retrieval_names_the_malformed_line(tmp_path, cli_project):
    task = _write_task(tmp_path / "tasks" / "task", DOCS, [{"id": "q1", "text": "x", "split": "dev"}], [("q1", "bg1")])
    with (task / "queries.jsonl").open("a", encoding="utf-8") as f:
        f.write('\n{"id": "q2", "text": \n')
    with pytest.raises(TaskError, match=r"queries.jsonl:2: invalid JSON"):
        load_task(task)
    out = run(["eval", "retrieval", str(task)], cli_project)
    assert out.returncode != 0
    assert "queries.jsonl:2: invalid JSON" in out.stderr


# ---------------------------------------------------------------- pseudo-relevance feedback
# Two records are about participatory budgeting in so many words; "near" is about the same thing
# but names only the budget; "far" names the budget in another matter. Short records score high in
# BM25, so without feedback "far" (shorter) ranks above "near".
FEEDBACK_DOCS = [
    ("best", "Participatory budget: residents vote on proposals for district councils, neighbourhood "
             "assemblies and local projects."),
    ("second", "Participatory budget of the region: residents vote on proposals, district councils and "
               "neighbourhood assemblies choose local projects."),
    ("near", "The budget: residents vote on proposals in district councils and neighbourhood "
             "assemblies, which choose the local projects."),
    ("far", "Budget for road maintenance."),
    *[(f"filler{i}", text) for i, text in enumerate([
        "Library opening hours are longer in summer.", "Street lighting uses LED lamps.",
        "The museum offers guided tours for schools.", "Waste collection moves to night shifts.",
        "A new bus line links the hospital and the station.", "Tax forms can be filed online.",
    ])],
]


@pytest.fixture(scope="module")
def feedback_services(shipped_config, tmp_path_factory):
    cfg = dataclasses.replace(shipped_config, var_dir=tmp_path_factory.mktemp("fb"))
    build_generation(cfg, (task_document({"id": i, "text": t}, "en") for i, t in FEEDBACK_DOCS),
                     len(FEEDBACK_DOCS), False)
    with_fb = SearchService(dataclasses.replace(cfg, feedback_docs=2))
    without = SearchService(dataclasses.replace(cfg, feedback_docs=0))
    yield with_fb, without
    with_fb.store.close()
    without.store.close()


def _ids(service, **kw):
    # OR: "near" and "far" hold only one of the words, and all words are required by default
    res = service.search(SearchRequest(q="participatory OR budget", page_size=50, **kw))
    return [h.id for h in res.hits], res


def test_feedback_raises_a_record_like_the_best_ones(feedback_services):
    with_fb, without = feedback_services
    plain, _ = _ids(without)
    fed, _ = _ids(with_fb)
    assert plain.index("far") < plain.index("near")        # BM25 alone: the shorter record first
    assert fed.index("near") < fed.index("far")            # feedback: the record about the same thing


def test_feedback_keeps_the_best_results_and_the_match_set(feedback_services):
    with_fb, without = feedback_services
    plain, plain_res = _ids(without)
    fed, fed_res = _ids(with_fb)
    assert fed[:2] == plain[:2] == ["best", "second"]
    assert sorted(fed) == sorted(plain)                    # no record the typed words do not match
    assert fed_res.total == plain_res.total == 4
    assert [f.to_dict() if hasattr(f, "to_dict") else f for f in fed_res.facets] == \
        [f.to_dict() if hasattr(f, "to_dict") else f for f in plain_res.facets]


def test_feedback_only_reorders_relevance_rankings(feedback_services):
    with_fb, without = feedback_services
    for sort in ("newest", "title"):
        assert _ids(with_fb, sort=sort)[0] == _ids(without, sort=sort)[0]


def test_feedback_on_the_retrieval_task_runs_through_evaluate(shipped_config, tmp_path):
    docs = [{"id": i, "text": t, "lang": "en"} for i, t in FEEDBACK_DOCS]
    task = _write_task(tmp_path / "fbtask", docs, [{"id": "q", "text": "participatory OR budget", "split": "dev"}],
                       [("q", "best"), ("q", "second"), ("q", "near")])
    fed = evaluate(dataclasses.replace(shipped_config, feedback_docs=2), task)
    plain = evaluate(dataclasses.replace(shipped_config, feedback_docs=0), task)
    assert fed["nDCG@10"] == pytest.approx(1.0)
    assert plain["nDCG@10"] < 1.0


# ---------------------------------------------------------------- passage-level evidence
_FILL = ("the council met again on tuesday and discussed the agenda of the coming season with "
         "members of several committees who asked for more time before any decision").split()


def _filler(n: int, shift: int) -> str:
    return " ".join(_FILL[(i + shift) % len(_FILL)] for i in range(n))


# "together" holds the three query words in one sentence but is longer; "scattered" holds them
# far apart (more than a passage of indexed words between them) and is shorter, so BM25 alone
# prefers it.
PASSAGE_DOCS = [
    ("together", "Street lighting contract renewed. " + _filler(140, 0)),
    ("scattered", "Street. " + _filler(60, 3) + " lighting. " + _filler(60, 7) + " contract."),
    *[(f"filler{i}", _filler(20, i)) for i in range(6)],
]


@pytest.fixture(scope="module")
def passage_service(shipped_config, tmp_path_factory):
    cfg = dataclasses.replace(shipped_config, var_dir=tmp_path_factory.mktemp("passages"), feedback_docs=0)
    build_generation(cfg, (task_document({"id": i, "text": t}, "en") for i, t in PASSAGE_DOCS),
                     len(PASSAGE_DOCS), False)
    service = SearchService(cfg)
    yield service
    service.store.close()


def test_passages_prefer_the_record_holding_the_words_together(passage_service, monkeypatch):
    import kb.search.rerank as search_module

    def ranking():
        passage_service.store.snapshot().cache.clear()
        return [h.id for h in passage_service.search(SearchRequest(q="street lighting contract")).hits]

    monkeypatch.setattr(search_module, "PASSAGE_WEIGHT", 0.0)
    assert ranking() == ["scattered", "together"]          # BM25: the shorter record first
    monkeypatch.setattr(search_module, "PASSAGE_WEIGHT", 0.2)
    assert ranking() == ["together", "scattered"]          # the words side by side win


@pytest.mark.parametrize("q", ["transparency open data", "електронни услуги", "participación ciudadana"])
def test_filters_never_reorder_the_ranking(service, q):
    """The re-rankings look at every match, filters aside: a filtered list is the unfiltered
    list with records left out."""
    everything = service.search(SearchRequest(q=q, page_size=200)).hits
    regions = list(dict.fromkeys(h.region for h in everything))
    assert len(regions) >= 2, q
    for region in regions[:3]:
        filtered = service.search(SearchRequest(q=q, filters={"region": [region]}, page_size=200)).hits
        assert filtered, (q, region)
        assert [h.id for h in filtered] == [h.id for h in everything if h.region == region]


def test_feedback_reaches_other_languages_through_the_english_abstract(shipped_config, tmp_path, monkeypatch):
    """The best records' English abstracts feed back too: a Bulgarian record whose abstract is
    about the same thing as the two best (Spanish) records rises above one that BM25 prefers."""
    import kb.search.rerank as search_module

    def record(i, lang, text, abstract):
        d = task_document({"id": i, "text": text}, lang)
        d["summary_en"] = d["doc"]["summary_en"] = abstract
        return d

    about = "Participatory budgeting: residents vote on proposals for their district"
    docs = [
        record("es1", "es", "TUMAS: los vecinos votan las propuestas del barrio (TUMAS, TUMAS).", about),
        record("es2", "es", "TUMAS en la comarca: votan los vecinos (TUMAS, TUMAS).", about),
        record("bg-same", "bg", "Проектът TUMAS в общината: жителите гласуват за проекти в своя квартал, "
                                "като всеки квартал получава част от средствата.", about),
        record("bg-other", "bg", "TUMAS: поддръжка на уличното осветление.", "Street lighting maintenance"),
        *[record(f"f{i}", "en", t, t) for i, t in enumerate(
            ["Library opening hours", "Waste collection at night", "A new bus line", "Tax forms online"])],
    ]
    cfg = dataclasses.replace(shipped_config, var_dir=tmp_path, feedback_docs=2)
    build_generation(cfg, docs, len(docs), False)
    service = SearchService(cfg)

    def ranking():
        service.store.snapshot().cache.clear()
        return [h.id for h in service.search(SearchRequest(q="TUMAS")).hits]

    try:
        monkeypatch.setattr(search_module, "ABSTRACT_FIELD", "no_such_field")
        without = ranking()
        monkeypatch.setattr(search_module, "ABSTRACT_FIELD", "summary_en")
        with_abstract = ranking()
    finally:
        service.store.close()
    assert set(without[:2]) == set(with_abstract[:2]) == {"es1", "es2"}
    assert without.index("bg-other") < without.index("bg-same")
    assert with_abstract.index("bg-same") < with_abstract.index("bg-other")
