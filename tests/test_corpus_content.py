"""The shipped demonstration corpus meets the foundation's content requirements."""
import re
from collections import Counter, defaultdict

import pytest

from kb.records.corpus import load_corpus

REGIONS = {"stara-zagora": "bg", "burgas": "bg", "badajoz": "es", "caceres": "es"}
REAL_IDS = {"sz-fifth-working-meeting-2013", "pa-handbook-good-governance-practices",
            "pa-communication-strategy", "pa-guide-citizens-business"}


@pytest.fixture(scope="module")
def corpus(shipped_config):
    report = load_corpus(shipped_config)
    assert report.ok, report.errors[:10]
    return report.practices


def test_size_and_regions(corpus):
    per_region = Counter(p.region for p in corpus if p.published)
    assert len(corpus) >= 120
    for region in REGIONS:
        assert per_region[region] >= 25, region
    assert per_region["partnership"] >= 20


def test_regional_records_are_in_the_regions_language_with_english_title_and_summary(corpus):
    for p in corpus:
        if p.region in REGIONS:
            assert p.lang == REGIONS[p.region], p.id
        if p.lang != "en":
            assert p.title_en and p.summary_en, p.id


def test_topics_spread_across_regions(corpus):
    regions_per_topic = defaultdict(set)
    for p in corpus:
        if p.published and p.region in REGIONS:
            for t in p.topics:
                regions_per_topic[t].add(p.region)
    well_covered = [t for t, regions in regions_per_topic.items() if len(regions) >= 3]
    assert len(well_covered) >= 12


def test_years_and_document_types(corpus):
    years = {p.year_start for p in corpus}
    assert min(years) <= 2008 and max(years) >= 2024
    assert all(2007 <= y <= 2026 for y in years)
    assert len({p.doctype for p in corpus}) >= 5


def test_records_are_substantial(corpus):
    short = [p.id for p in corpus if len(re.findall(r"\w+", p.body)) < 150]
    assert not short


def test_only_the_real_records_are_not_illustrative(corpus):
    real = {p.id for p in corpus if not p.illustrative}
    assert real == REAL_IDS
    seed = next(p for p in corpus if p.id == "sz-fifth-working-meeting-2013")
    assert seed.doctype == "news" and str(seed.date) == "2013-02-16" and seed.region == "stara-zagora"
    assert "16.02.2013" in seed.body
