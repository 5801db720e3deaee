"""Spelling: the index words nearest a typed word, and a corrected query to suggest."""
from __future__ import annotations

from kb.indexer.schema import SPELL_FIELD
from kb.search.parse import ParsedQuery, Word


def corrections(searcher, word: str, limit: int) -> list[str]:
    """Index words close to `word`: one edit away first, else two (for words of 6+ letters).
    The first letter (two, for two edits) is taken as typed: Whoosh walks its term list with
    a Levenshtein automaton in Python, and fixing the prefix cuts that walk 5-10 fold; a typo in
    the first letter goes uncorrected."""
    corrector = searcher.corrector(SPELL_FIELD)
    found = corrector.suggest(word, limit=limit, maxdist=1, prefix=1)
    if not found and len(word) >= 6:
        found = corrector.suggest(word, limit=limit, maxdist=2, prefix=2)
    return found


def suggest(searcher, parsed: ParsedQuery, skip: frozenset[str] = frozenset()) -> str:
    """A corrected query from the index vocabulary, or '' when no word needs correcting. Words
    in `skip` (Latin-typed Bulgarian the records hold in Cyrillic) are taken as typed."""
    reader = searcher.reader()
    changed = False
    out = []
    for group in parsed.clauses:
        for item in group:
            words = [item.text] if isinstance(item, Word) else list(item.words)
            fixed = []
            for w in words:
                if len(w) < 3 or w.isdigit() or w in skip or reader.frequency(SPELL_FIELD, w):
                    fixed.append(w)
                    continue
                sugg = corrections(searcher, w, 1)
                if sugg and sugg[0] != w:
                    fixed.append(sugg[0])
                    changed = True
                else:
                    fixed.append(w)
            out.append(" ".join(fixed) if isinstance(item, Word) else '"' + " ".join(fixed) + '"')
    return " ".join(out) if changed else ""
