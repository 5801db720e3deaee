"""More like this: the published practices closest to one record, in any language, and the
terms they share (its key terms in its own language and in the English abstract every record
has, so similarity crosses languages)."""
from __future__ import annotations

import re

from whoosh import query as wq

from kb.config import Config
from kb.indexer.schema import ABSTRACT_FIELD, STORED_FIELD, StoredRecord, text_field
from kb.search.results import Similar
from kb.search.vector import VectorView

KEY_TERMS = 12


def key_terms(searcher, d: StoredRecord, n: int = KEY_TERMS) -> list[tuple[str, str, float]]:
    """(field, term, weight) of a record's most distinctive terms: English abstract + own text."""
    out = []
    en_text = (d.title + " " + d.summary) if d.lang == "en" else (d.title_en + " " + d.summary_en)
    if en_text.strip():
        for t, w in searcher.key_terms_from_text(ABSTRACT_FIELD, en_text, numterms=n):
            out.append((ABSTRACT_FIELD, t, w))
            out.append((text_field("title", "en"), t, w))
    own = text_field("body", d.lang)
    for t, w in searcher.key_terms_from_text(own, d.title + " " + d.summary + " " + d.body, numterms=n):
        out.append((own, t, w))
    return out


def surface(stems: list[str], text: str, field) -> list[str]:
    """The words of `text` as written that analyse to the given stems (for showing shared terms)."""
    wanted, out = set(stems), {}
    for token in re.findall(r"\w+(?:[-']\w+)*", text):
        try:
            analysed = list(field.process_text(token, mode="index"))
        except Exception:  # noqa: BLE001 - display nicety only
            continue
        for a in analysed:
            if a in wanted and a not in out:
                out[a] = token.lower()
    return list(dict.fromkeys(out[s] for s in stems if s in out))[:6]


def similar(config: Config, view: VectorView, practice_id: str, ui_lang: str, limit: int,
            regions: list[str] | None, exclude_same_region: bool) -> list[Similar]:
    searcher = view.searcher
    docnum = searcher.document_number(id=practice_id)
    if docnum is None:
        return []
    d = StoredRecord.from_stored(searcher.stored_fields(docnum)[STORED_FIELD])
    key = key_terms(searcher, d)
    if not key:
        return []
    query = wq.Or([wq.Term(f, t, boost=w) for f, t, w in key])
    matches = view.evaluate(query)
    allowed = matches.mask & view.published
    allowed[docnum] = False
    if exclude_same_region:
        allowed &= ~view.value_mask("region", [d.region])
    if regions:
        allowed &= view.value_mask("region", regions)
    mine = [t for f, t, _w in key if f == ABSTRACT_FIELD and not t.isdigit()]
    abstract = " ".join([d.title_en or d.title, d.summary_en or d.summary])
    out = []
    for n in view.top(matches.scores, allowed, limit):
        other = StoredRecord.from_stored(searcher.stored_fields(n)[STORED_FIELD])
        theirs = {t for f, t, _w in key_terms(searcher, other, 30) if f == ABSTRACT_FIELD}
        shared = [t for t in mine if t in theirs]
        out.append(Similar(
            id=other.id, title=other.title, title_en=other.title_en, lang=other.lang,
            region=other.region, region_label=config.regions.label(other.region, ui_lang),
            year_start=other.year_start, score=round(float(matches.scores[n]), 3),
            shared_terms=surface(shared, abstract, searcher.schema[ABSTRACT_FIELD])))
    return out
