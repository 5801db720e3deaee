"""Snippets: the best passages of a record's text with the query's matched words marked.

The output is what Whoosh's highlighter gives (as Results.highlights runs it: ContextFragmenter
220/60, BasicFragmentScorer, best `top` in text order, HtmlFormatter with <mark>), computed over
plain tuples: each distinct written word is analysed once per process (`kb.search.words`) and
Token objects are made only for matched words. tests/test_vector.py compares the output with
Whoosh's."""
from __future__ import annotations

from collections import deque
from html import escape

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


SNIPPET_SEPARATOR = " … "
_WORD_WIDEN = 40            # at most this many characters are added to finish a cut word


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) widened to whole words: a passage never begins or ends inside a word."""
    limit = max(0, start - _WORD_WIDEN)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    limit = min(len(text), end + _WORD_WIDEN)
    while end < limit and not text[end].isspace():
        end += 1
    return start, end


def readable_snippet(text: str, fragments) -> str:
    """Passages as HTML (matched words in <mark>), cut at word boundaries, joined with " … "
    and ending with " …" when the text goes on. Overlapping passages merge."""
    spans = []
    for frag in fragments:
        start, end = _word_bounds(text, frag.startchar, frag.endchar)
        marks = [(t.startchar, t.endchar) for t in frag.matches]
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2].extend(marks)
        else:
            spans.append([start, end, marks])
    parts = []
    for start, end, marks in spans:
        out, pos = [], start
        for ms, me in sorted(set(marks)):
            if ms < pos or me > end:
                continue
            out.append(escape(text[pos:ms]))
            out.append(f'<mark class="match">{escape(text[ms:me])}</mark>')
            pos = me
        out.append(escape(text[pos:end]))
        parts.append("".join(out).strip())
    html = SNIPPET_SEPARATOR.join(parts)
    if spans and text[spans[-1][1]:].strip():
        html += " …"
    return html


def word_prefix(text: str, limit: int) -> str:
    """At most `limit` characters of a text, ending at a word boundary (snippets are made from it)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut] if cut > limit // 2 else text[:limit]


def short_text(text: str, limit: int = 300) -> str:
    """The start of a text, at most `limit` characters, cut at a word boundary (with " …")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"


class Highlighter:
    def __init__(self, words: WordAnalysis):
        self.words = words

    def highlight(self, fieldname: str, analyzer, text: str, matched: set[str], top: int = 2,
                  readable: bool = True) -> str:
        """HTML of the best `top` fragments of `text` with the terms in `matched` marked ('' if
        none of them occurs). readable=False gives Whoosh's exact output (what the tests compare);
        for reading, the passages are widened to whole words and joined with " … "."""
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
        if not readable:
            formatter = highlight.HtmlFormatter(tagname="mark", classname="match", termclass="t")
            return formatter.format(fragments)
        return readable_snippet(text, fragments)
