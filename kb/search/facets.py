"""Facet values as the page shows them: labels in the interface language, counts, selection;
and the year range as a filter mask."""
from __future__ import annotations

import numpy as np

from kb.config import Config
from kb.search.request import YEAR_MAX, YEAR_MIN, SearchRequest
from kb.search.results import LANGUAGE_NAMES, Facet, FacetValue
from kb.search.vector import VectorView


def facet_values(config: Config, counts: dict[str, int], facet: str, req: SearchRequest) -> Facet:
    selected = set(req.selected(facet))
    vocab = config.vocabulary(facet)
    values = []
    if vocab is not None:
        for term in vocab:
            if counts.get(term.id) or term.id in selected:
                values.append(FacetValue(term.id, term.label_in(req.ui_lang),
                                         counts.get(term.id, 0), term.id in selected))
    elif facet == "language":
        for v in sorted(counts, key=lambda v: -counts[v]):
            values.append(FacetValue(v, LANGUAGE_NAMES.get(v, {}).get(req.ui_lang, v), counts[v],
                                     v in selected))
    elif facet == "year":
        for y in sorted(counts, reverse=True):
            values.append(FacetValue(y, y, counts[y], False))
    else:
        for v in sorted(counts, key=lambda v: -counts[v]):
            values.append(FacetValue(v, v, counts[v], v in selected))
        for v in selected - set(counts):
            values.append(FacetValue(v, v, 0, True))
    return Facet(facet, values)


def year_mask(view: VectorView, year_from: int | None, year_to: int | None) -> np.ndarray:
    """Records whose years (start to end) overlap the range."""
    lo = year_from if year_from is not None else YEAR_MIN
    hi = year_to if year_to is not None else YEAR_MAX
    start = view.column("year")
    last = np.maximum(view.column("year_end"), start)
    return (start <= hi) & (last >= lo)
