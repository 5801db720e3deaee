import datetime as dt

import pytest

from kb.records.corpus import load_corpus
from kb.records.model import Indicator, RecordError, parse_practice
from tests.conftest import record_text


def test_valid_record_parses(shipped_config):
    p = parse_practice(record_text(), shipped_config)
    assert p.id == "bu-test-record" and p.country == "bg" and p.topics == ["e-services"]
    assert set(p.sections()) >= {"problem", "solution", "results"}


def test_record_round_trips_through_its_file_text(shipped_config):
    text = record_text(date="2013-02-16", ongoing="true", keywords='["ЕС", "CAF"]', illustrative="true",
                       extra='\n[[indicators]]\nname = "Време"\nbaseline = 7\nresult = 2.5\nunit = "дни"\n')
    p = parse_practice(text, shipped_config)
    assert p.date == dt.date(2013, 2, 16) and p.ongoing and p.illustrative
    assert p.indicators == [Indicator(name="Време", baseline=7, result=2.5, unit="дни")]
    again = parse_practice(p.to_text(), shipped_config)
    assert again == p
    assert again.content_hash() == p.content_hash()


def _problems(text, config, source="corpus/burgas/x.md"):
    with pytest.raises(RecordError) as info:
        parse_practice(text, config, source)
    return info.value.messages()


def test_unknown_topic_message_names_file_field_and_known_values(shipped_config):
    msgs = _problems(record_text(topics='["e-gov"]'), shipped_config, "corpus/burgas/e-services.md")
    assert msgs[0].startswith("corpus/burgas/e-services.md: topics: unknown topic 'e-gov' (known: e-services, ")


def test_broken_toml(shipped_config):
    msgs = _problems(record_text(title='"unterminated'), shipped_config)
    assert msgs[0].startswith("corpus/burgas/x.md: front matter: invalid TOML")


def test_missing_required_field(shipped_config):
    assert "corpus/burgas/x.md: organisation: missing required field" in _problems(
        record_text(organisation=None), shipped_config)


def test_unknown_region(shipped_config):
    msgs = _problems(record_text(region='sofia'), shipped_config)
    assert any(m.startswith("corpus/burgas/x.md: region: unknown region 'sofia' (known: stara-zagora") for m in msgs)


def test_wrong_types_and_values_are_all_reported_at_once(shipped_config):
    msgs = _problems(record_text(year_start='"2015"', status='"final"', unknown_field='"x"'), shipped_config)
    fields = [m.split(": ")[1] for m in msgs]
    assert {"year_start", "status", "unknown_field"} <= set(fields)


def test_year_end_before_start(shipped_config):
    assert any("year_end: 2010 is before year_start 2015" in m
               for m in _problems(record_text(year_end="2010"), shipped_config))


def test_non_utf8_file(shipped_config):
    msgs = _problems(record_text().encode("cp1251"), shipped_config)
    assert "not UTF-8 text" in msgs[0]


def test_missing_front_matter(shipped_config):
    assert "front matter" in _problems("# Just markdown\n", shipped_config)[0]


def test_case_study_needs_problem_solution_results(shipped_config):
    msgs = _problems(record_text(body="Some text without sections.\n"), shipped_config)
    assert any(m.startswith("corpus/burgas/x.md: body: a case study needs the sections") for m in msgs)


def test_javascript_source_url_rejected(shipped_config):
    assert any("source_url" in m for m in _problems(record_text(source_url='"javascript:alert(1)"'), shipped_config))


def test_corpus_reports_duplicates_broken_links_and_missing_english(make_project):
    cfg, write = make_project
    write("burgas/bu-one.md", record_text(id="bu-one", related='["bu-missing"]'))
    write("burgas/bu-two.md", record_text(id="bu-two", summary_en=None))
    write("badajoz/bu-two.md", record_text(id="bu-two", region='badajoz'))
    report = load_corpus(cfg)
    assert "corpus/burgas/bu-one.md: related: no record has the id 'bu-missing'" in report.errors
    assert any(e.startswith("corpus/burgas/bu-two.md: id: duplicate id 'bu-two'") or
               e.startswith("corpus/badajoz/bu-two.md: id: duplicate id 'bu-two'") for e in report.errors)
    assert any(w.startswith("corpus/burgas/bu-two.md: summary_en: missing English summary") for w in report.warnings)


def test_file_name_and_folder_must_match_id_and_region(make_project):
    cfg, write = make_project
    write("burgas/other-name.md", record_text(id="bu-one"))
    write("badajoz/bu-three.md", record_text(id="bu-three"))
    errors = load_corpus(cfg).errors
    assert any(e.startswith("corpus/burgas/other-name.md: id: 'bu-one' does not match the file name") for e in errors)
    assert any(e.startswith("corpus/badajoz/bu-three.md: region: 'burgas' does not match the folder 'badajoz'") for e in errors)
