"""Which records a query matches, and its scores: every required word (a concept and its
alternatives), else the most of them, and one fewer of a record in another language; stop
words only rank; topic tags and the query's own language raise a record; a record holding a word
only through its topic tag and scoring low (in a need of several words), or holding the words in
passing, is not counted. And what the result says about it:
the words as searched, the fallback, the correction, why each hit is there."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from kb.config import Config
from kb.indexer.schema import text_field
from kb.search.querybuild import BuiltQuery, Concept
from kb.search.results import Alternative, Explanation, Hit, Relaxed, SearchedWord
from kb.search.vector import VectorView

ALL_WORDS_UP_TO = 5           # queries of up to this many words: every word required
LONG_QUERY_MIN = 3            # longer ones: at least this many of their words ...
LONG_QUERY_SHARE = 0.3        # ... and this share of them
TOPIC_TAG_SHARE = 0.5          # tagged records rise by half the best score (0.25-1.0 measure alike)
OWN_LANGUAGE_BONUS = 0.1       # a tie-breaker: larger bonuses lowered quality (README "Search quality")
MIN_SHARE = 0.2               # a match under this share of the best in its language: a passing mention
MIN_SHARE_ALL = 0.05          # ... and under this share of the best overall (the best of a language can be weak)
OTHER_LANGUAGE_MAY_MISS_FROM = 3   # a query needing this many words or more: a record in another
OTHER_LANGUAGE_MIN_SHARE = 0.4     # language may lack one (a translation the dictionaries lack)
                                   # when it scores this share of the best match
TAG_ONLY_MIN_SHARE = 0.4      # a record holding a word only through its topic tag: this share of the best


@dataclass
class Match:
    scores: np.ndarray
    matched: np.ndarray             # records matching the text, within `base`
    explanation: Explanation
    required: list[tuple[str, np.ndarray]] = field(default_factory=list)   # (typed word, who holds it)


def match(view: VectorView, built: BuiltQuery, base: np.ndarray, config: Config, lang: str,
          ui_lang: str) -> Match:
    """`built` evaluated over the whole index: each concept once (its score adds to the record's,
    its mask says who holds it), then the match set (`lang`: the query's language, '' if unclear)."""
    scores = np.zeros(view.N)
    words, relaxed, required_words = [], None, []
    tag_only = np.zeros(view.N, dtype=bool)     # records holding a word only through a topic tag
    if built.empty:
        matched = view.evaluate(wq.Every()).mask & base
    else:
        masks = []
        for concept in built.concepts:
            mask = np.zeros(view.N, dtype=bool)
            if concept.query is not None:
                m = view.evaluate(concept.query)
                scores += m.scores
                mask |= m.mask
            in_text = mask.copy()
            for extra in concept.matching:
                mask |= view.evaluate(extra).mask
            masks.append(mask)
            if concept.required:
                tag_only |= mask & ~in_text
            words.append(searched_word(config, concept, int((mask & base).sum()), ui_lang))
        if built.boosts:
            # records tagged with a topic the query names rise by a share of the best score,
            # whatever words they use (a constant would be lost among BM25 scores)
            best = float(scores[base].max()) if base.any() else 0.0
            for boost in built.boosts:
                scores[view.evaluate(boost).mask] += TOPIC_TAG_SHARE * best
        required_words = [(c.text, m) for c, m in zip(built.concepts, masks) if c.required and c.query is not None]
        required = [m for _, m in required_words]
        if required:
            count = np.sum(required, axis=0) * base
            most = int(count.max()) if len(count) else 0
            needed = words_needed(len(required))
            matched = count >= max(min(most, needed), 1)
            if lang and needed >= OTHER_LANGUAGE_MAY_MISS_FROM and matched.any():
                matched |= other_language_partial(view, count, scores, matched, base, lang, needed)
            if 0 < most < needed:
                relaxed = Relaxed(most, len(required),
                                  [w.typed for w in words if w.required and not w.records])
        else:                          # only stop words: any of them
            matched = np.logical_or.reduce(masks) & base if masks else np.zeros(view.N, dtype=bool)
        if lang and OWN_LANGUAGE_BONUS:
            # own language first: a record in the query's language that matches as well as
            # a record matched through translations ranks above it
            scores = np.where(view.value_mask("language", [lang]), scores * (1 + OWN_LANGUAGE_BONUS), scores)
    if TAG_ONLY_MIN_SHARE and not topic_query(built) and (matched & tag_only).any():
        # a topic tag stands for a word (a record about transparency need not write the
        # word): a one-word query naming a topic lists every record tagged with it. In a
        # longer need a tag alone brings every record of a broad topic into the total
        # ('vivero de empresas': every record tagged with business support): such records
        # count when they also score well on the other words (its effect: README "Search quality")
        matched &= ~(tag_only & (scores < TAG_ONLY_MIN_SHARE * float(scores[matched].max())))
    if built.excluded is not None:
        matched &= ~view.evaluate(built.excluded).mask
    if MIN_SHARE and not built.empty and matched.any():
        # relevancy strictness (as Algolia calls it): a record whose score is a small share of
        # the best match in its language holds the words only in passing (one mention in a
        # long text) and is not counted. Per language, so that records found through a
        # translation are not cut by the typed words' higher weight (one threshold over all
        # languages cut them). Its effect: README "Search quality".
        keep = np.zeros(view.N, dtype=bool)
        for content_lang in config.content_languages:
            in_lang = matched & view.value_mask("language", [content_lang])
            if in_lang.any():
                keep |= in_lang & (scores >= MIN_SHARE * float(scores[in_lang].max()))
        matched &= keep & (scores >= MIN_SHARE_ALL * float(scores[matched].max()))
    corrected = corrected_query(built) if any(a.kind == "spelling" for w in words for a in w.also) else ""
    return Match(scores, matched, Explanation(words, relaxed, corrected), required_words)


def topic_query(built: BuiltQuery) -> bool:
    """One word, naming a taxonomy topic (прозрачност, transparency): the topic is the need."""
    words = [c for c in built.concepts if c.required and c.query is not None]
    return len(words) == 1 and bool(words[0].broad)


def other_language_partial(view: VectorView, count: np.ndarray, scores: np.ndarray, matched: np.ndarray,
                           base: np.ndarray, lang: str, needed: int) -> np.ndarray:
    """Records in a language other than the query's that hold all the needed words but one and
    score at least OTHER_LANGUAGE_MIN_SHARE of the best match: such a record is reached only
    through translations, and the dictionaries miss some (English 'tourism' has no Spanish
    entry), so one word fewer is asked of it, as Meilisearch's 'last' strategy drops one word.
    Each such hit says which word it lacks (Hit.missing)."""
    other = base & ~view.value_mask("language", [lang]) & ~matched
    return other & (count >= needed - 1) & (scores >= OTHER_LANGUAGE_MIN_SHARE * float(scores[matched].max()))


def searched_word(config: Config, concept: Concept, records: int, ui_lang: str) -> SearchedWord:
    also = list(dict.fromkeys(
        Alternative(e.text, e.kind, e.langs[0] if len(e.langs) == 1 else "") for e in concept.also))
    return SearchedWord(concept.text, concept.required, records, also,
                        [{"id": t, "label": config.topics.label(t, ui_lang)} for t in concept.topics])


def matched_via(hit: Hit, terms: set[tuple[str, str]], sources: dict, tagged: dict) -> list[dict]:
    """How a record answers the query where it is not through the typed words in its own
    text: a translation, a Cyrillic reading, a correction, a topic name, its English abstract."""
    out: dict[tuple[str, str, str], None] = {}
    own_fields = {text_field(part, hit.lang) for part in ("title", "summary", "body")}
    for fname, term in sorted(terms):
        src = sources.get((fname, term))
        if src is None:
            continue
        typed, alternative, kind = src
        if kind == "typed" and fname in own_fields:
            continue                                     # the word itself, in the record's text
        if kind == "typed":
            kind = "abstract" if fname.endswith("_en") and hit.lang != "en" else "names"
        out[(typed, alternative, kind)] = None
    typed_topics = {t["id"] for t in hit.topics}
    for typed, topics in tagged.items():
        if not any(k[0] == typed for k in out) and typed_topics & set(topics):
            out[(typed, next(t["label"] for t in hit.topics if t["id"] in topics), "tag")] = None
    return [{"typed": t, "matched": a, "kind": k} for t, a, k in out]


def words_needed(k: int) -> int:
    """How many of a query's k words a record must hold: all of a short query (what officials
    type), a share of a long one (a sentence or a headline pasted into the box), as
    Elasticsearch's minimum_should_match does. When no record holds that many, the records
    holding the most of them are listed, and the result says so."""
    return k if k <= ALL_WORDS_UP_TO else max(LONG_QUERY_MIN, math.ceil(LONG_QUERY_SHARE * k))


def corrected_query(built) -> str:
    """The query with each corrected word replaced by its nearest indexed word."""
    out = []
    for c in built.concepts:
        fix = next((e.text for e in c.also if e.kind == "spelling"), "")
        out.append(fix or c.text)
    return " ".join(out)
