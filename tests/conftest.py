"""Shared fixtures: the shipped config with var/ in a temp folder, small corpora, the app."""
from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

import pytest

from kb.config import load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shipped_config():
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="session")
def built_config(shipped_config, tmp_path_factory):
    """The shipped corpus indexed once into a temporary var/ (read-only use in tests)."""
    from kb.indexer.build import update_index
    var = tmp_path_factory.mktemp("var")
    cfg = dataclasses.replace(shipped_config, var_dir=var)
    update_index(cfg, rebuild=True)
    return cfg


@pytest.fixture(scope="session")
def service(built_config):
    from kb.search import SearchService
    return SearchService(built_config)


@pytest.fixture(scope="session")
def app(built_config):
    from kb.web import create_app
    app = create_app(built_config, {"TESTING": True})
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


def record_text(id="bu-test-record", region="burgas", lang="bg", title="Електронни услуги в общината",
                summary="Общината предлага електронни услуги.", extra="", body=None, **fields):
    """A valid corpus file; keyword arguments override or add front-matter lines (raw TOML)."""
    lines = {
        "id": f'"{id}"', "title": f'"{title}"', "title_en": '"E-services in the municipality"',
        "summary": f'"{summary}"', "summary_en": '"The municipality offers e-services."',
        "lang": f'"{lang}"', "region": f'"{region}"', "organisation": '"Община Бургас"',
        "organisation_type": '"municipality"', "topics": '["e-services"]', "year_start": "2015",
        "doctype": '"case-study"', "status": '"published"',
    }
    for k, v in fields.items():
        if v is None:
            lines.pop(k, None)
        else:
            lines[k] = v
    front = "\n".join(f"{k} = {v}" for k, v in lines.items())
    if body is None:
        body = textwrap.dedent("""\
            ## Проблем

            Гражданите чакаха на опашки за удостоверения.

            ## Решение

            Общината въведе електронни услуги и едно гише.

            ## Резултати

            Времето за обслужване намаля наполовина.
            """)
    return f"+++\n{front}\n{extra}+++\n\n{body}"


@pytest.fixture()
def make_project(tmp_path, shipped_config):
    """A project folder with its own corpus; returns (config, write(path, text))."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for region in shipped_config.regions.ids():
        (corpus / region).mkdir()
    cfg = dataclasses.replace(shipped_config, root=tmp_path, corpus_dir=corpus, var_dir=tmp_path / "var")

    def write(rel: str, text: str | bytes) -> Path:
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return cfg, write


@pytest.fixture()
def cli_project(tmp_path):
    """A copy of config.toml in a temp folder with an empty corpus, for running `kb` commands."""
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    for region in ("stara-zagora", "burgas", "badajoz", "caceres", "partnership"):
        (tmp_path / "corpus" / region).mkdir(parents=True)
    return tmp_path
