"""Deterministic synthetic corpus and queries for the performance benchmark.

    generate(n, seed=0) -> list[Practice]      records that pass kb.records.model validation
    sample_queries(n, seed) -> list[str]        1-3 word queries, same word law as the texts
    sample_filters(n, seed) -> list[dict]       1-2 regions + 1 topic per query (mode c)
    sample_typo_queries(n, seed) -> list[str]   1-2 words, one with a letter changed (mode z)

What the records look like (all choices seeded; generate(n, s)[:k] == generate(k, s)):
  * language bg / es / en with probabilities 0.4 / 0.4 / 0.2; the region follows the language
    (Bulgarian records in Bulgarian regions or the partnership, Spanish in Spanish ones, English
    anywhere), Zipf-skewed in config.toml order;
  * topics (1-3), target groups (0-3), instruments (0-2), document type and organisation type
    are drawn from config.toml's ids with Zipf weights (s = 1) in config order, so the first
    ids are the most common (e-services, case-study, ...);
  * year_start 2007-2026, Zipf-skewed around 2014 (the programme period); some ongoing, some
    with a year_end, some with a date;
  * title 6-12 words, summary 1-2 sentences, body 150-500 words (case studies with the
    Problem / Solution / Results headings of their language, as kb requires), English title and
    summary on every non-English record;
  * words follow a Zipf law (exponent s = 1.2) over a per-language vocabulary: first the words of
    corpus/*.md in that language ranked by their frequency there (so the commonest words are
    real function and domain words), then Debian's Hunspell word list (bg_BG, es_ES, en_US;
    affix flags stripped, lower-case alphabetic entries only) in a seeded random order. Without
    the Hunspell lists (bench/perf/install-wordlists.sh installs them) the corpus words alone are
    used and a note is printed.
    Why s = 1.2: it reproduces the type/token ratio of the shipped corpus (130 records: 0.18 bg,
    0.15 es, 0.22 en; synthetic at 130 records: 0.17 / 0.17 / 0.20) and, at 3,000 records
    (~400k tokens per language), gives ~23k distinct words per language, close to Heaps' law
    for English newswire (RCV1: 44 * T^0.49 = ~25k). With s = 1.0 the synthetic text has twice the
    shipped corpus's distinct-word rate, which slows Whoosh's indexing (one posting block per
    distinct term and field) far below what real text would: `--zipf-s` lets you check.

Speed: words are drawn once into a pool of 2^20 Zipf samples per language and sentences are
slices of that pool at random offsets, so a record costs a few dozen random numbers and string
joins (>= 20k records/s). Term statistics are Zipfian; sentences repeat across records (a pool
window is reused ~30 times at 100k records), which matters only for phrase statistics.

Queries draw 1-3 words (probabilities 0.4 / 0.4 / 0.2) from the same Zipf law, language chosen
0.4 / 0.4 / 0.2, skipping the stop words of kb's analyzers (people do not search for "the"
alone; the peers do not remove stop words, so leaving them in would flatter kb).

`python -m bench.perf.corpus --n 10000 --validate` prints the generation rate and checks every
record through kb.records.model's parser (dump_practice -> parse_practice).
"""
from __future__ import annotations

import argparse
import gc
from bisect import bisect_right
import datetime as dt
import itertools
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.config import Config, load_config
from kb.records.model import Practice, dump_practice, parse_practice

ROOT = Path(__file__).resolve().parents[2]
HUNSPELL = {"bg": "/usr/share/hunspell/bg_BG.dic", "es": "/usr/share/hunspell/es_ES.dic",
            "en": "/usr/share/hunspell/en_US.dic"}
LANGS = ("bg", "es", "en")
LANG_WEIGHTS = (0.4, 0.4, 0.2)
ZIPF_S = 1.2          # words; calibrated, see the module docstring
CATEGORY_S = 1.0      # regions, topics, doctypes, ... in config order
POOL_SIZE = 1 << 20
YEARS = tuple(range(2007, 2027))
YEAR_PEAK = 2014
QUERY_LENGTH_WEIGHTS = (0.4, 0.4, 0.2)       # 1, 2, 3 words

# Section headings kb.records.model recognises, per language (a case study needs the first three).
HEADINGS = {
    "bg": ("Проблем", "Решение", "Резултати", "Поуки"),
    "es": ("Problema", "Solución", "Resultados", "Lecciones aprendidas"),
    "en": ("Problem", "Solution", "Results", "Lessons learned"),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


# --------------------------------------------------------------------------- vocabulary

@lru_cache(maxsize=64)
def zipf_cum_weights(n: int, s: float = ZIPF_S) -> tuple[float, ...]:
    """Cumulative weights of ranks 1..n under a Zipf law with exponent s."""
    return tuple(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


def _corpus_word_counts(config: Config) -> dict[str, Counter]:
    """Word frequencies of the shipped corpus per language (English also from *_en fields)."""
    from kb.records.corpus import corpus_files
    from kb.records.model import RecordError, read_practice
    counts = {lang: Counter() for lang in LANGS}
    for path in corpus_files(config):
        try:
            p = read_practice(path, config)
        except RecordError:
            continue
        own = " ".join([p.title, p.summary, p.body, *p.keywords])
        counts[p.lang].update(w.lower() for w in _WORD.findall(own))
        if p.lang != "en":
            counts["en"].update(w.lower() for w in _WORD.findall(p.title_en + " " + p.summary_en))
    return counts


def _hunspell_words(path: str) -> list[str]:
    """Entries of a Hunspell .dic file: affix flags after '/' and morphology after blanks
    stripped; only lower-case alphabetic words (no names, acronyms, numbers)."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        next(fh, None)                       # first line: the entry count
        for line in fh:
            word = line.split("/", 1)[0].split(None, 1)[0] if line.strip() else ""
            if word and word.isalpha() and word == word.lower():
                out.append(word)
    return out


@dataclass
class Vocabulary:
    lang: str
    words: list[str]             # by rank: words[0] is the commonest
    cum_weights: tuple[float, ...]   # Zipf law over the ranks
    source: str


@lru_cache(maxsize=4)
def vocabularies(seed: int = 0, zipf_s: float = ZIPF_S) -> dict[str, Vocabulary]:
    config = load_config(ROOT / "config.toml")
    counts = _corpus_word_counts(config)
    rng = random.Random(f"vocab-{seed}")
    out = {}
    notes = []
    for lang in LANGS:
        ranked = [w for w, _ in sorted(counts[lang].items(), key=lambda kv: (-kv[1], kv[0]))]
        source = f"corpus/*.md ({len(ranked)} words)"
        if Path(HUNSPELL[lang]).is_file():
            seen = set(ranked)
            extra = sorted(set(_hunspell_words(HUNSPELL[lang])) - seen)
            rng.shuffle(extra)
            ranked += extra
            source = f"corpus/*.md ({len(seen)}) + {HUNSPELL[lang]} ({len(extra)})"
        else:
            notes.append(HUNSPELL[lang])
        out[lang] = Vocabulary(lang, ranked, zipf_cum_weights(len(ranked), zipf_s), source)
    if notes:
        print(f"note: Hunspell word list(s) missing ({', '.join(notes)}): vocabulary from the words "
              "of corpus/*.md only; run bench/perf/install-wordlists.sh for realistic vocabularies",
              file=sys.stderr)
    return out


# --------------------------------------------------------------------------- records

def _pick(rng: random.Random, items, cum) -> object:
    """One item drawn with the given cumulative weights (random.choices without its overhead)."""
    return items[bisect_right(cum, rng.random() * cum[-1], 0, len(items) - 1)]


def _zipf_choice(rng: random.Random, items):
    return _pick(rng, items, zipf_cum_weights(len(items), CATEGORY_S))


def _zipf_sample(rng: random.Random, items, k: int) -> list:
    """k distinct items, Zipf-weighted by position (without replacement)."""
    if k <= 0:
        return []
    cum = zipf_cum_weights(len(items), CATEGORY_S)
    out: list = []
    while len(out) < min(k, len(items)):
        x = _pick(rng, items, cum)
        if x not in out:
            out.append(x)
    return out


class Generator:
    """Makes record i of a seeded sequence; one instance per (seed, config)."""

    def __init__(self, config: Config, seed: int = 0, zipf_s: float = ZIPF_S):
        self.config = config
        self.rng = random.Random(seed)
        self.vocab = vocabularies(seed, zipf_s)
        pool_rng = random.Random(f"pool-{seed}")
        self.pools: dict[str, list[str]] = {}       # Zipf word samples, as drawn
        self.sentences: dict[str, list[str]] = {}   # the same words cut into 8-24 word sentences
        self.starts: dict[str, list[int]] = {}      # word offset of each sentence (and the end)
        for lang, v in self.vocab.items():
            words = pool_rng.choices(v.words, cum_weights=v.cum_weights, k=POOL_SIZE)
            sentences, starts, i = [], [], 0
            while i + 24 <= POOL_SIZE:
                k = pool_rng.randint(8, 24)
                s = " ".join(words[i:i + k])
                sentences.append(s[:1].upper() + s[1:] + ".")
                starts.append(i)
                i += k
            starts.append(i)
            self.pools[lang], self.sentences[lang], self.starts[lang] = words, sentences, starts
        self.regions_for = {}
        for lang in LANGS:
            if lang == "en":
                ids = [r.id for r in config.regions]
                # English is the partnership's working language: partnership first
                ids.sort(key=lambda r: config.regions.get(r).country != "eu")
            else:
                ids = ([r.id for r in config.regions if r.country == lang]
                       + [r.id for r in config.regions if r.country == "eu"])
            self.regions_for[lang] = ids
        self.topics = config.topics.ids()
        self.target_groups = config.target_groups.ids()
        self.instruments = config.instruments.ids()
        self.doctypes = config.doctypes.ids()
        self.org_types = config.organisation_types.ids()
        self.years = sorted(YEARS, key=lambda y: (abs(y - YEAR_PEAK), -y))
        self.year_cum = zipf_cum_weights(len(self.years), 0.7)

    # ---------------------------------------------------------------- text
    def _words(self, lang: str, k: int) -> list[str]:
        off = int(self.rng.random() * (POOL_SIZE - k))
        return self.pools[lang][off:off + k]

    def _sentences(self, lang: str, m: int) -> tuple[str, int]:
        """m consecutive pool sentences (8-24 words each) and their word count."""
        starts = self.starts[lang]
        j = int(self.rng.random() * (len(starts) - 1 - m))
        return " ".join(self.sentences[lang][j:j + m]), starts[j + m] - starts[j]

    def _title(self, lang: str) -> str:
        s = " ".join(self._words(lang, 6 + int(self.rng.random() * 7)))
        return s[:1].upper() + s[1:]

    def _summary(self, lang: str) -> str:
        return self._sentences(lang, 1 + (self.rng.random() < 0.5))[0]

    def _paragraphs(self, lang: str, words: int) -> list[str]:
        """Paragraphs of 2-6 sentences, `words` to `words` + 23 words in all."""
        rand, sentences, starts = self.rng.random, self.sentences[lang], self.starts[lang]
        top = len(starts) - 8
        paras, n = [], 0
        while n < words:
            j = int(rand() * top)
            m = 2 + int(rand() * 5)
            if n + starts[j + m] - starts[j] > words:
                m = 1                           # finish with one sentence (8-24 words)
            paras.append(" ".join(sentences[j:j + m]))
            n += starts[j + m] - starts[j]
        return paras

    def _body(self, lang: str, case_study: bool) -> str:
        paras = self._paragraphs(lang, 150 + int(self.rng.random() * 311))   # 150-~480 words
        if not case_study:
            return "\n\n".join(paras) + "\n"
        heads = HEADINGS[lang]
        nsec = min(len(heads), max(3, len(paras)))
        while len(paras) < nsec:          # every section needs some text
            paras.append(self._sentences(lang, 1)[0])
        per = len(paras) / nsec
        out = []
        for i in range(nsec):
            out.append(f"## {heads[i]}\n\n" + "\n\n".join(paras[int(i * per):int((i + 1) * per)]))
        return "\n\n".join(out) + "\n"

    def _name(self, lang: str) -> str:
        w = self._words(lang, 1)[0]
        return w[:1].upper() + w[1:]

    def records(self, n: int) -> list[Practice]:
        """Records 0..n-1. The cyclic garbage collector is paused meanwhile: records only
        accumulate, and a full collection over the pools and records costs ~0.2 s a pass."""
        was = gc.isenabled()
        gc.disable()
        try:
            return [self.practice(i) for i in range(n)]
        finally:
            if was:
                gc.enable()

    # ---------------------------------------------------------------- record
    def practice(self, i: int) -> Practice:
        rng, cfg = self.rng, self.config
        r = rng.random()
        lang = "bg" if r < LANG_WEIGHTS[0] else "es" if r < LANG_WEIGHTS[0] + LANG_WEIGHTS[1] else "en"
        region = _zipf_choice(rng, self.regions_for[lang])
        country = cfg.regions.get(region).country
        doctype = _zipf_choice(rng, self.doctypes)
        org_type = _zipf_choice(rng, self.org_types)
        year_start = _pick(rng, self.years, self.year_cum)
        r = rng.random()
        year_end, ongoing = None, False
        if r < 0.2:
            ongoing = True
        elif r < 0.6:
            year_end = min(YEARS[-1], year_start + int(rng.random() * 5))
        date = None
        if rng.random() < 0.3:
            date = dt.date(year_start, 1 + int(rng.random() * 12), 1 + int(rng.random() * 28))
        municipality = self._name(lang) if rng.random() < 0.5 else ""
        r = rng.random()
        n_topics = 1 if r < 0.5 else 2 if r < 0.85 else 3
        org_label = cfg.organisation_types.get(org_type).label_in(lang)
        p = Practice(
            id=f"{region}-p{i:07d}",
            title=self._title(lang),
            summary=self._summary(lang),
            lang=lang,
            region=region,
            organisation=f"{org_label} {municipality or self._name(lang)}",
            organisation_type=org_type,
            topics=_zipf_sample(rng, self.topics, n_topics),
            year_start=year_start,
            doctype=doctype,
            status="published",
            body=self._body(lang, doctype == "case-study"),
            title_en="" if lang == "en" else self._title("en"),
            summary_en="" if lang == "en" else self._summary("en"),
            municipality=municipality,
            partners=[f"{cfg.organisation_types.get(_zipf_choice(rng, self.org_types)).label_in(lang)} "
                      f"{self._name(lang)}" for _ in range(int(rng.random() * 3) if rng.random() < 0.2 else 0)],
            target_groups=_zipf_sample(rng, self.target_groups, int(rng.random() * 4)),
            instruments=_zipf_sample(rng, self.instruments, int(rng.random() * 3)),
            year_end=year_end,
            ongoing=ongoing,
            date=date,
            illustrative=True,
            keywords=[" ".join(self._words(lang, 1 + (rng.random() < 0.4)))
                      for _ in range(int(rng.random() * 5))],
            country=country,
        )
        p.path = f"corpus/{region}/{p.id}.md"
        return p


def generate(n: int, seed: int = 0, config: Config | None = None,
             zipf_s: float = ZIPF_S) -> list[Practice]:
    """n synthetic practices; the same (n, seed, zipf_s) always gives the same records."""
    return Generator(config or load_config(ROOT / "config.toml"), seed, zipf_s).records(n)


# --------------------------------------------------------------------------- queries

def _stop_words() -> frozenset[str]:
    from kb.lang.text import BULGARIAN_STOP_WORDS, ENGLISH_STOP_WORDS, SPANISH_STOP_WORDS
    return BULGARIAN_STOP_WORDS | SPANISH_STOP_WORDS | ENGLISH_STOP_WORDS


def sample_queries(n: int, seed: int = 0, vocab_seed: int = 0, zipf_s: float = ZIPF_S,
                   exclude: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """n distinct queries of 1-3 words (see the module docstring), none of them in `exclude`;
    `seed` picks the queries, `vocab_seed` and `zipf_s` must be the corpus's so that queries and
    records share the word law. Distinct, because kb caches answers per query: a repeated query
    would time the cache (about 2% of a 200-query draw repeats)."""
    vocab = vocabularies(vocab_seed, zipf_s)
    stop = _stop_words()
    rng = random.Random(f"queries-{seed}")
    out: list[str] = []
    seen = set(exclude)
    while len(out) < n:
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        v = vocab[lang]
        k = rng.choices((1, 2, 3), QUERY_LENGTH_WEIGHTS)[0]
        words: list[str] = []
        while len(words) < k:
            w = rng.choices(v.words, cum_weights=v.cum_weights)[0]
            if w not in stop and w not in words:
                words.append(w)
        q = " ".join(words)
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def sample_typo_queries(n: int, seed: int = 0, vocab_seed: int = 0, zipf_s: float = ZIPF_S) -> list[str]:
    """n queries of 1-2 words, one word of 5+ letters with one letter replaced by another of the
    same script: what a user's typo looks like (mostly words the index lacks)."""
    vocab = vocabularies(vocab_seed, zipf_s)
    stop = _stop_words()
    rng = random.Random(f"typos-{seed}")
    letters = {"bg": "абвгдежзийклмнопрстуфхцчшщъьюя", "es": "abcdefghijlmnopqrstuvzñ",
               "en": "abcdefghijklmnopqrstuvwxyz"}
    out: list[str] = []
    while len(out) < n:
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        v = vocab[lang]
        words: list[str] = []
        while len(words) < rng.choice((1, 2)):
            w = rng.choices(v.words, cum_weights=v.cum_weights)[0]
            if w not in stop and w not in words:
                words.append(w)
        i = rng.randrange(len(words))
        if len(words[i]) < 5:
            words[i] = next(w for w in iter(lambda: rng.choices(v.words, cum_weights=v.cum_weights)[0], None)
                            if len(w) >= 5 and w not in stop)
        w = words[i]
        j = rng.randrange(1, len(w))
        words[i] = w[:j] + rng.choice([c for c in letters[lang] if c != w[j]]) + w[j + 1:]
        q = " ".join(words)
        if q not in out:
            out.append(q)
    return out


def sample_filters(n: int, seed: int = 0, config: Config | None = None) -> list[dict[str, list[str]]]:
    """Mode (c) selections: 1-2 regions (uniform) and one topic (Zipf, like the records)."""
    config = config or load_config(ROOT / "config.toml")
    rng = random.Random(f"filters-{seed}")
    regions, topics = config.regions.ids(), config.topics.ids()
    out = []
    for _ in range(n):
        out.append({"region": rng.sample(regions, rng.choice((1, 2))),
                    "topic": [_zipf_choice(rng, topics)]})
    return out


# --------------------------------------------------------------------------- validation

def validate(practices: list[Practice], config: Config) -> list[str]:
    """Run each record through kb.records.model's parser (as `kb check` would read its file); returns
    the problems, empty when every record is valid and survives the round trip unchanged."""
    problems = []
    for p in practices:
        try:
            q = parse_practice(dump_practice(p), config, p.path, expected_id=p.id,
                               expected_region=p.region)
        except Exception as exc:  # noqa: BLE001 - report, do not stop
            problems.append(f"{p.id}: {exc}")
            continue
        q.path = p.path
        if q != p:
            diff = [k for k in p.__dataclass_fields__ if getattr(p, k) != getattr(q, k)]
            problems.append(f"{p.id}: round trip changed {', '.join(diff)}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate synthetic practices; print rate, check them.")
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--zipf-s", type=float, default=ZIPF_S)
    ap.add_argument("--validate", action="store_true", help="check every record with kb.records.model")
    ap.add_argument("--show", type=int, default=0, help="print the first N records as corpus files")
    args = ap.parse_args(argv)
    config = load_config(ROOT / "config.toml")
    t0 = time.perf_counter()
    vocab = vocabularies(args.seed, args.zipf_s)
    gen = Generator(config, args.seed, args.zipf_s)
    t1 = time.perf_counter()
    recs = gen.records(args.n)
    t2 = time.perf_counter()
    for lang, v in vocab.items():
        print(f"vocabulary {lang}: {len(v.words)} words from {v.source}")
    print(f"setup (vocabulary + pools) {t1 - t0:.2f} s; {args.n} records in {t2 - t1:.2f} s "
          f"= {args.n / (t2 - t1):,.0f} records/s")
    for p in recs[:args.show]:
        print(dump_practice(p))
    if args.validate:
        t3 = time.perf_counter()
        problems = validate(recs, config)
        print(f"validated {len(recs)} records in {time.perf_counter() - t3:.1f} s: "
              f"{len(problems)} problem(s)")
        for line in problems[:20]:
            print("  " + line)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
