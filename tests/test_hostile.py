"""Hostile content renders inert; ids cannot reach outside the corpus; searches never fail while
the index is rebuilt."""
from __future__ import annotations

import dataclasses
import shutil
import threading

import pytest

from kb.indexer.build import update_index
from kb.search import SearchRequest, SearchService
from tests.conftest import ROOT, record_text

HOSTILE_BODY = """## Проблем

<script>alert('x')</script> <img src=x onerror="alert(1)"> <iframe src="https://evil.example"></iframe>
[click](javascript:alert(1)) <a href="javascript:alert(2)">link</a>
<svg><script>alert(3)</script></svg> <div style="background:expression(alert(4))">css</div>

## Решение

Текст.

## Резултати

Резултат.
"""


@pytest.fixture()
def hostile_app(make_project):
    cfg, write = make_project
    write("burgas/bu-hostile.md", record_text(id="bu-hostile", body=HOSTILE_BODY,
                                              title='"<script>alert(5)</script> Заглавие"'.strip('"')))
    update_index(cfg)
    from kb.web import create_app
    return create_app(cfg, {"TESTING": True})


def test_hostile_record_renders_inert_everywhere(hostile_app):
    client = hostile_app.test_client()
    pages = [client.get("/practice/bu-hostile").get_data(as_text=True),
             client.get("/?q=Заглавие").get_data(as_text=True),
             client.get("/feed.atom").get_data(as_text=True)]
    from bs4 import BeautifulSoup
    for html in pages[:2]:
        soup = BeautifulSoup(html, "lxml")
        assert not soup.find_all(["iframe", "svg", "object", "embed"])
        # the one script is kb's own vendored file, no inline code
        assert [(s.get("src"), s.string) for s in soup.find_all("script")] == [("/static/kb.js", None)]
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (tag.name, attr)
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert "javascript:" not in text.lower() and "expression(" not in text.lower(), (tag.name, attr)
    assert "<script" not in pages[2]                                          # the feed escapes it
    assert "&lt;script&gt;alert(5)&lt;/script&gt; Заглавие" in pages[0]       # shown as text


@pytest.mark.parametrize("pid", ["../config", "..%2F..%2Fconfig.toml", "%2e%2e%2fcorpus", "bu-x%00",
                                 "/etc/passwd", "..", "a/b", "CON", "x" * 300])
def test_ids_cannot_reach_outside_the_corpus(client, pid):
    for url in (f"/practice/{pid}", f"/api/practices/{pid}"):
        assert client.get(url).status_code == 404


def test_curation_refuses_ids_outside_the_corpus(shipped_config, tmp_path):
    from kb.curation import edits as curation
    from kb.records.corpus import practice_path
    cfg = dataclasses.replace(shipped_config, corpus_dir=tmp_path / "corpus", var_dir=tmp_path / "var")
    for bad in ("../x", "a/b", "/abs", "x\x00y", ".."):
        assert curation.find_file(cfg, bad) is None
        with pytest.raises(ValueError):
            practice_path(cfg, "burgas", bad)
        with pytest.raises(ValueError):
            curation.history_dir(cfg, bad)


def test_searches_never_fail_while_the_index_is_rebuilt(tmp_path, shipped_config):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    cfg = dataclasses.replace(shipped_config, root=tmp_path, corpus_dir=tmp_path / "corpus",
                              var_dir=tmp_path / "var")
    update_index(cfg)
    svc = SearchService(cfg)
    svc.store.check_interval = 0.0           # re-check the index on every query
    expected = svc.search(SearchRequest()).total
    errors, counts = [], []
    stop = threading.Event()

    def searcher():
        while not stop.is_set():
            try:
                r = svc.search(SearchRequest(q="transparencia", page=1))
                counts.append(svc.search(SearchRequest()).total)
                assert not r.message, r.message
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                errors.append(repr(exc))

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(3):
        update_index(cfg, rebuild=True)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert counts and set(counts) == {expected}
