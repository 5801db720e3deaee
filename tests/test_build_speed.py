"""The fast full-build path (kb.indexer.fastwriter) writes exactly the index Whoosh's own writer
writes: compiled analysis equals each analyzer chain token for token, and the index files of a
full build are equal byte for byte."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from kb.records.corpus import load_corpus
from kb.indexer.analysis import ANALYZERS, simple_analyzer
from kb.indexer.build import PARALLEL_FIELDS, practice_document
from kb.indexer.fastwriter import (
    CompiledAnalyzer,
    FastWriter,
    NotCompilable,
    _index_compiled,
    _plan_for,
)
from kb.indexer.schema import SPELL_FIELD, TEXT_FIELDS, build_schema
from tests.conftest import record_text

CHAINS = {**{lang: make() for lang, make in ANALYZERS.items()}, "simple": simple_analyzer()}
COMPILED = {name: CompiledAnalyzer(chain) for name, chain in CHAINS.items()}


def chain_tokens(analyzer, text: str) -> list[tuple[str, int, float]]:
    """What Whoosh's Positions format reads from the chain: unstopped tokens, index mode."""
    return [(t.text, t.pos, t.boost)
            for t in analyzer(text, positions=True, boosts=True, mode="index") if not t.stopped]


def assert_same_analysis(text: str) -> None:
    for name, chain in CHAINS.items():
        compiled = COMPILED[name]
        expected = chain_tokens(chain, text)
        assert compiled.tokens(text) == expected, (name, text)
        # the grouped form the writer indexes: term -> positions, and the token count
        poses, count = compiled.positions(text)
        grouped: dict[bytes, list[int]] = {}
        for term, pos, _ in expected:
            grouped.setdefault(term.encode("utf-8"), []).append(pos)
        assert dict(poses) == grouped and count == len(expected), (name, text)
        assert compiled.terms(text) == [term.encode("utf-8") for term, _, _ in expected]


@pytest.fixture(scope="module")
def corpus_documents(shipped_config):
    report = load_corpus(shipped_config)
    assert report.practices and not report.errors
    return [practice_document(p) for p in report.practices]


def test_every_chain_compiles():
    for name, compiled in COMPILED.items():
        assert compiled.analyzer is CHAINS[name]
    assert COMPILED["bg"].renumber and not COMPILED["simple"].renumber


def test_a_chain_with_an_unknown_filter_is_not_compiled():
    from whoosh.analysis import NgramFilter
    with pytest.raises(NotCompilable):
        CompiledAnalyzer(simple_analyzer() | NgramFilter(2, 3))


def test_compiled_analysis_equals_the_chains_on_the_corpus(corpus_documents):
    texts = 0
    for doc in corpus_documents:
        for name in (*TEXT_FIELDS, "meta", SPELL_FIELD):
            if doc.get(name):
                assert_same_analysis(doc[name])
                texts += 1
    assert texts > 800          # 130 records x (own title, summary, body, meta, words, ...)


SAMPLES = [
    "", " ", "-", "e-services e--x -a- a-", "d'Alcántara l’été o'neill '", "ЕС ОПАК ISO CAF EFQM Ab AB",
    "ѝ Ѝ и на за от the of de la los y", "Cáceres CACERES Бургас бургас Extremadura",
    "año AÑO ano über naïve ﬁnance İstanbul ß ǅ", "2024 3.5 x_y __ _a 12-13 ab'cd-ef",
    "решения решение решенията; municipalities' e-gobierno, administración.",
    "¿Qué más está haciendo él? Cómo QUÉ cuándo Más ciudadanos servicios públicos",
]

WORDY = st.text(alphabet=st.sampled_from(list(
    "abcdeñáéíóúü ABCÑÁÉ абвгдежзийклмнопрстуфхцчшщъьюяѝ АБВГДЕЁЯЍ-'’ _.,0123456789\n\tİıßﬁǅ")),
    max_size=200)
STOP_AND_PROTECTED = st.lists(st.sampled_from(
    ["и", "на", "the", "of", "de", "la", "Cáceres", "БУРГАС", "interreg", "ЕС", "ISO", "e-services",
     "d'Alcántara", "решения", "municipalities", "año", "-", "'", "x", "qué", "Él", "más",
     "está", "servicios", "ciudadanas"]), max_size=30).map(" ".join)


@pytest.mark.parametrize("text", SAMPLES)
def test_compiled_analysis_equals_the_chains_on_edge_cases(text):
    assert_same_analysis(text)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200) | WORDY | STOP_AND_PROTECTED)
def test_compiled_analysis_equals_the_chains_on_random_text(text):
    assert_same_analysis(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDY | STOP_AND_PROTECTED, min_size=1, max_size=4).map(" ".join))
def test_compiled_field_values_equal_whoosh_field_index(text):
    """Per field: the (term, frequency, weight, encoded positions) the writer keeps for a value."""
    schema = build_schema()
    writer_plans = _plans(schema)
    for name in (*TEXT_FIELDS, "meta", SPELL_FIELD):
        field = schema[name]
        expected = {tbytes: [0, weight, vbytes] for tbytes, _freq, weight, vbytes in field.index(text)}
        got: dict = {}
        length = _index_compiled(writer_plans[name], got, 0, text, 1.0)
        assert got == expected, name
        assert length == sum(freq for _t, freq, _w, _v in field.index(text)), name


def _plans(schema):
    compiled: list = []
    plans = {name: _plan_for(field, compiled) for name, field in schema.items()}
    assert len(compiled) == 4          # bg, es, en, and the simple chain of meta and words
    assert all(plans[name] for name in (*TEXT_FIELDS, "meta", SPELL_FIELD))
    return plans


# --------------------------------------------------------------------------- whole index


WRITERS = ("fast", "blocks", "two processes")


def _build(path, documents, writer: str) -> None:
    ix = whoosh_index.create_in(str(path), build_schema())
    if writer == "whoosh":
        w = ix.writer(limitmb=128)
    elif writer == "two processes":
        w = FastWriter(ix, second_process_fields=PARALLEL_FIELDS)
        assert w.second_process
    else:
        w = FastWriter(ix)
        w.inline_codec = writer == "fast"
        assert not w.second_process
    for doc in documents:
        w.add_document(**doc)
    w.commit(optimize=True)
    ix.close()


def segment_contents(path) -> tuple[dict[str, bytes], tuple]:
    """Every file of the index's one segment (compound file members, segment id removed) and
    the segment's document count, field lengths and deletions."""
    ix = whoosh_index.open_dir(str(path))
    (seg,) = ix._segments()
    sid = seg.segment_id()
    storage = seg.open_compound_file(ix.storage)
    files = {}
    for name in storage.list():
        f = storage.open_file(name)
        files[name.replace(sid, "SEG")] = f.read()
        f.close()
    storage.close()
    meta = (seg.doc_count_all(), sorted(seg._fieldlengths.items()), seg.deleted_count())
    ix.close()
    return files, meta


def assert_same_index(tmp_path, documents) -> None:
    built = {}
    for writer in ("whoosh", *WRITERS):
        (tmp_path / writer).mkdir()
        _build(tmp_path / writer, documents, writer)
        built[writer] = segment_contents(tmp_path / writer)
    files, meta = built["whoosh"]
    assert len(files) > 20 and meta[0] == len(documents)
    for writer in WRITERS:
        other_files, other_meta = built[writer]
        assert other_meta == meta, writer
        assert sorted(other_files) == sorted(files), writer
        for name in files:
            assert other_files[name] == files[name], (writer, name)


def test_fast_writer_writes_the_same_index_files_for_the_corpus(tmp_path, corpus_documents):
    assert_same_index(tmp_path, corpus_documents)


def test_fast_writer_writes_the_same_index_files_for_a_larger_synthetic_corpus(tmp_path,
                                                                               shipped_config):
    """400 generated records: terms with several posting blocks (>128 documents), longer field
    lengths, and all three languages."""
    from bench.perf.corpus import generate
    cfg = dataclasses.replace(shipped_config, var_dir=tmp_path / "var")
    documents = [practice_document(p) for p in generate(400, 7, cfg)]
    assert_same_index(tmp_path, documents)


def test_fast_writer_refuses_an_index_with_segments(tmp_path, corpus_documents):
    _build(tmp_path, corpus_documents[:3], "whoosh")
    ix = whoosh_index.open_dir(str(tmp_path))
    with pytest.raises(ValueError):
        FastWriter(ix)
    ix.writer().cancel()          # the lock was released
    ix.close()


def test_full_build_uses_the_fast_writer_and_the_index_serves(built_config, service):
    from kb.indexer.build import current_generation
    from kb.search import SearchRequest
    assert current_generation(built_config) is not None
    assert service.search(SearchRequest(q="Бургас")).total > 0


def test_a_failure_in_the_second_process_fails_the_build_and_releases_the_lock(tmp_path,
                                                                                 corpus_documents):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    w = FastWriter(ix, second_process_fields=PARALLEL_FIELDS)
    assert w.second_process
    for doc in corpus_documents[:5]:
        w.add_document(**doc)
    w.add_document(**{**corpus_documents[5], SPELL_FIELD: 12345})   # not text: field.index raises
    with pytest.raises(RuntimeError, match="indexing process failed"):
        w.commit(optimize=True)
    assert w._child.process.poll() is not None           # the process has ended
    ix.writer().cancel()                                  # the lock was released
    ix.close()


def test_cancelling_stops_the_second_process(tmp_path, corpus_documents):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    w = FastWriter(ix, second_process_fields=PARALLEL_FIELDS)
    for doc in corpus_documents[:5]:
        w.add_document(**doc)
    w.cancel()
    assert w._child.process.poll() is not None
    ix.writer().cancel()
    ix.close()


def test_without_a_second_process_the_writer_works_alone(tmp_path, corpus_documents, monkeypatch):
    from kb.indexer import fastwriter

    def broken(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(fastwriter._Child, "__init__", broken)
    (tmp_path / "a").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "a"), build_schema())
    w = FastWriter(ix, second_process_fields=PARALLEL_FIELDS)
    assert not w.second_process
    for doc in corpus_documents:
        w.add_document(**doc)
    w.commit(optimize=True)
    ix.close()
    (tmp_path / "b").mkdir()
    _build(tmp_path / "b", corpus_documents, "whoosh")
    assert segment_contents(tmp_path / "a") == segment_contents(tmp_path / "b")


def test_the_fast_writer_supports_the_pinned_whoosh():
    from kb.indexer import fastwriter
    assert fastwriter.supported(), "whoosh is not the release FastWriter reproduces"


def test_with_another_whoosh_the_build_uses_whoosh_s_writer(make_project, monkeypatch):
    from kb.indexer import fastwriter
    from kb.indexer.build import update_index
    monkeypatch.setattr(fastwriter, "supported", lambda: False)
    monkeypatch.setattr(fastwriter, "FastWriter", None)       # would fail if used
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one"))
    summary = update_index(cfg, rebuild=True)
    assert summary.rebuilt and summary.total == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_record_strings_are_written_as_json_dumps_writes_them(text):
    import json

    from kb.records.model import _toml_value
    assert _toml_value(text) == json.dumps(text, ensure_ascii=False)


def test_a_killed_second_process_fails_the_build(tmp_path, corpus_documents):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    w = FastWriter(ix, second_process_fields=PARALLEL_FIELDS)
    w._child.process.kill()
    w._child.process.wait()
    with pytest.raises(RuntimeError, match="indexing process stopped"):
        try:
            for doc in corpus_documents:     # fails on a send, or at commit
                w.add_document(**doc)
            w.commit()
        except RuntimeError:
            if not w.is_closed:
                w.cancel()                   # as build_generation does
            raise
    ix.writer().cancel()
    ix.close()
