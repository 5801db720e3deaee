"""A record's text as its fields' analyzers see it, word by word and memoised: snippets and the
re-rankings re-read records' text, and a written word always yields the same terms in a field,
so each distinct word is analysed once per process (bounded)."""
from __future__ import annotations

import re
import threading

from kb.lang.text import WORD_PATTERN

WORD_RE = re.compile(WORD_PATTERN)
WORD_MEMO_SIZE = 200_000      # analysed written words remembered per field and mode


class WordAnalysis:
    def __init__(self, memo_size: int = WORD_MEMO_SIZE):
        self.memo_size = memo_size
        self._memos: dict[tuple[str, bool], dict[str, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def memo(self, fieldname: str, keep_stops: bool) -> dict[str, tuple[str, ...]]:
        key = (fieldname, keep_stops)
        memo = self._memos.get(key)
        if memo is None:
            with self._lock:
                memo = self._memos.setdefault(key, {})
        return memo

    def terms(self, memo: dict, analyzer, raw: str, keep_stops: bool) -> tuple[str, ...]:
        """The terms a field's analyzer makes of one written word (stop words kept as tokens
        when `keep_stops`, as highlighting needs them)."""
        terms = memo.get(raw)
        if terms is None:
            options = {"removestops": False} if keep_stops else {}
            terms = tuple(t.text for t in analyzer(raw, mode="index", **options))
            if len(memo) < self.memo_size:
                memo[raw] = terms
        return terms

    def sequence(self, schema, fieldname: str, texts) -> tuple[str, ...]:
        """The indexed words of `texts` in `fieldname`, in order (stop words dropped)."""
        if fieldname not in schema:
            return ()
        analyzer = schema[fieldname].analyzer
        memo = self.memo(fieldname, False)
        out: list[str] = []
        for raw in WORD_RE.findall(" ".join(t for t in texts if t)):
            out.extend(self.terms(memo, analyzer, raw, False))
        return tuple(out)
