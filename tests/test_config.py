import pytest

from kb.config import ConfigError, load_config


def test_shipped_config_loads_with_vocabularies(shipped_config):
    assert {"stara-zagora", "burgas", "badajoz", "caceres"} <= set(shipped_config.regions.ids())
    assert len(shipped_config.topics) >= 12
    assert shipped_config.regions.get("caceres").country == "es"
    assert shipped_config.regions.label("caceres", "bg") == "Касерес"
    assert shipped_config.topics.get("transparency-open-data").synonyms["es"]


def _write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _base(shipped_text, old, new):
    assert old in shipped_text
    return shipped_text.replace(old, new, 1)


@pytest.fixture()
def shipped_text():
    from tests.conftest import ROOT
    return (ROOT / "config.toml").read_text(encoding="utf-8")


def test_unknown_key_is_named(tmp_path, shipped_text):
    path = _write(tmp_path, _base(shipped_text, "[server]\n", "[server]\nhots = \"x\"\n"))
    with pytest.raises(ConfigError, match=r"server\.hots: unknown key"):
        load_config(path)


def test_wrong_type_is_named(tmp_path, shipped_text):
    path = _write(tmp_path, _base(shipped_text, "port = 8000", 'port = "8000"'))
    with pytest.raises(ConfigError, match=r"server\.port: expected an integer"):
        load_config(path)


def test_feedback_docs_out_of_range_is_named(tmp_path, shipped_text):
    assert load_config(_write(tmp_path, shipped_text)).feedback_docs == 0     # off: it lowered bench/relevance
    path = _write(tmp_path, _base(shipped_text, "feedback_docs = 0", "feedback_docs = 11"))
    with pytest.raises(ConfigError, match=r"search\.feedback_docs: 11 is out of range \(0-10\)"):
        load_config(path)


def test_region_with_unknown_country(tmp_path, shipped_text):
    path = _write(tmp_path, _base(shipped_text, 'country = "es"', 'country = "pt"'))
    with pytest.raises(ConfigError, match=r"regions\[2\]\.country: unknown country 'pt'"):
        load_config(path)


def test_missing_label_language(tmp_path, shipped_text):
    path = _write(tmp_path, _base(shipped_text, 'label = { bg = "Наръчник", es = "Manual", en = "Handbook" }',
                                  'label = { bg = "Наръчник", en = "Handbook" }'))
    with pytest.raises(ConfigError, match=r"doctypes\[1\]\.label\.es: missing label"):
        load_config(path)


def test_broken_toml_names_file(tmp_path):
    path = _write(tmp_path, "[paths\ncorpus = 1")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(path)


def test_kb_config_environment_variable_overrides_path(tmp_path, shipped_text, monkeypatch):
    path = _write(tmp_path, _base(shipped_text, "port = 8000", "port = 8123"))
    monkeypatch.setenv("KB_CONFIG", str(path))
    assert load_config().port == 8123
    assert load_config().corpus_dir == (tmp_path / "corpus").resolve()
