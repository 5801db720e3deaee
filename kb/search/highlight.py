"""Snippets: the best passages of a record's text with the query's matched words marked.

The output is what Whoosh's highlighter gives (as Results.highlights runs it: ContextFragmenter
220/60, BasicFragmentScorer, best `top` in text order, HtmlFormatter with <mark>), computed over
plain tuples: each distinct written word is analysed once per process (`kb.search.words`) and
Token objects are made only for matched words. tests/test_vector.py compares the output with
Whoosh's."""
from __future__ import annotations

from collections import deque

from whoosh import highlight
from whoosh.analysis import Token

from kb.search.words import WORD_RE, WordAnalysis


def context_fragments(text: str, toks, maxchars: int, surround: int,
                      charlimit: int = highlight.DEFAULT_CHARLIMIT):
    """whoosh.highlight.ContextFragmenter.fragment_tokens over (startchar, endchar, matched, text)
    tuples, line for line."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    tks = []
    endchar = None
    currentlen = 0
    for startchar, endchar, matched, term in toks:
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(Token(text=term, startchar=startchar, endchar=endchar, boost=1.0, matched=True))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)


class Highlighter:
    def __init__(self, words: WordAnalysis):
        self.words = words

    def highlight(self, fieldname: str, analyzer, text: str, matched: set[str], top: int = 2) -> str:
        """HTML of the best `top` fragments of `text` with the terms in `matched` marked ('' if
        none of them occurs)."""
        memo = self.words.memo(fieldname, True)
        terms_of = self.words.terms
        toks = []                       # [startchar, endchar, matched, text], merged as Whoosh does
        cur = None
        for m in WORD_RE.finditer(text):
            start, end = m.span()
            for term in terms_of(memo, analyzer, m.group(), True):
                if term not in matched:
                    if cur is not None:
                        toks.append(cur)
                        cur = None
                    toks.append((start, end, False, term))
                elif cur is None:
                    cur = [start, end, True, term]
                elif start <= cur[1]:
                    if end > cur[1]:
                        cur[3] += term[cur[1] - end:]
                        cur[1] = end
                else:
                    toks.append(cur)
                    cur = None
                    toks.append((start, end, True, term))
        if cur is not None:
            toks.append(cur)
        if not any(t[2] for t in toks):
            return ""
        fragments = context_fragments(text, toks, maxchars=220, surround=60)
        scorer = highlight.BasicFragmentScorer()
        fragments = highlight.top_fragments(fragments, top, scorer, highlight.FIRST, minscore=1)
        formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
        return formatter.format(fragments)
