import json
import subprocess
import sys


from tests.conftest import ROOT, record_text

KB = [sys.executable, "-m", "kb.cli"]


def run(args, cwd, **kw):
    return subprocess.run(KB + args, cwd=cwd, capture_output=True, text=True, timeout=120, **kw)


def test_check_passes_on_the_shipped_corpus():
    out = run(["check"], ROOT)
    assert out.returncode == 0, out.stderr
    assert " 0 errors" in out.stdout


def test_check_fails_with_precise_messages(cli_project):
    (cli_project / "corpus/burgas/e-services.md").write_text(
        record_text(id="e-services", topics='["e-gov"]'), encoding="utf-8")
    (cli_project / "corpus/burgas/bad.md").write_bytes(b"+++\nid = \"bad\"\ntitle = \"\xff\xfe\"\n+++\n")
    out = run(["check"], cli_project)
    assert out.returncode == 1
    assert "corpus/burgas/e-services.md: topics: unknown topic 'e-gov' (known: e-services," in out.stderr
    assert "corpus/burgas/bad.md: file: not UTF-8 text" in out.stderr


def test_index_search_and_json(cli_project):
    (cli_project / "corpus/badajoz/ba-portal.md").write_text(
        record_text(id="ba-portal", region="badajoz", lang="es", title="Portal de transparencia de Mérida",
                    summary="Datos abiertos del ayuntamiento."), encoding="utf-8")
    out = run(["index"], cli_project)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("indexed 1 records (full build) in ")
    out = run(["search", "merida"], cli_project)
    assert out.returncode == 0, out.stderr
    assert "ba-portal" in out.stdout and "1 results" in out.stdout
    data = json.loads(run(["search", "transparencia", "--json"], cli_project).stdout)
    assert data["total"] == 1 and data["hits"][0]["id"] == "ba-portal"
    assert data["facets"]["region"][0] == {"value": "badajoz", "label": "Badajoz", "count": 1, "selected": False}


def test_index_refuses_broken_corpus_with_exit_1(cli_project):
    (cli_project / "corpus/burgas/bu-x.md").write_text("+++\nid = \n+++\n", encoding="utf-8")
    out = run(["index"], cli_project)
    assert out.returncode == 1
    assert "corpus/burgas/bu-x.md: front matter: invalid TOML" in out.stderr
    assert "the index was not changed" in out.stderr


def test_bad_config_is_a_clear_error(cli_project):
    (cli_project / "config.toml").write_text("[paths]\ncorpus = 3\n", encoding="utf-8")
    out = run(["check"], cli_project)
    assert out.returncode == 1
    assert "Error:" in out.stderr and "Traceback" not in out.stderr


def test_import_html_creates_drafts_and_says_what_it_could_not_determine(cli_project):
    import shutil
    shutil.copytree(ROOT / "tests" / "pages", cli_project / "pages")
    out = run(["import-html", "pages/sz_seed_news.html", "--region", "stara-zagora"], cli_project)
    assert out.returncode == 0, out.stderr
    assert "draft sz-" in out.stdout and "title_en, summary_en: to be written" in out.stdout
    assert "1 drafts created, 0 files not imported" in out.stdout
    files = list((cli_project / "corpus" / "stara-zagora").glob("sz-*.md"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    assert 'status = "draft"' in text and "date = 2013-02-16" in text
    assert "Пета работна среща" in text and "<script" not in text
    assert run(["check"], cli_project).returncode == 0
    # drafts are not public
    assert "0 results" in run(["search", "Пета работна среща"], cli_project).stdout
    bad = run(["import-html", "pages", "--region", "mars"], cli_project)
    assert bad.returncode == 1 and "unknown region 'mars'" in bad.stderr
