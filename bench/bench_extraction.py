#!/usr/bin/env python3
"""Article-body extraction quality of kb's importer on ../shared/eval/extraction, beside peers.

    python bench/bench_extraction.py [--shared ../shared] [--out PATH] [--keep]

Runs `kb.curation.importer.import_html` over every page of eval/extraction/html (gzipped bytes, as a
curator's import from a URL receives them), turns each record's Markdown body into plain text
(the Markdown marks removed: heading hashes, list markers, bold/italic stars, table pipes and
backslash escapes), writes the prediction JSON in the benchmark's format and prints the
benchmark's own F1 / precision / recall table (its score.py, peers included). A page the
importer refuses counts as an empty prediction and is listed. Target of the issue: F1 >= 0.96.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.curation.importer import ImportError_, import_html  # noqa: E402

TARGET_F1 = 0.96

_HEADING_RE = re.compile(r"^#{1,6}\s+", re.M)
_LIST_RE = re.compile(r"^(\s*)(?:[-+*]|\d{1,9}[.)])\s+", re.M)
_QUOTE_RE = re.compile(r"^>\s?", re.M)
_TABLE_RULE_RE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$", re.M)
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>&|~=])")


def markdown_to_plain(md: str) -> str:
    """The record's Markdown body with the Markdown marks removed (what a reader sees)."""
    text = _TABLE_RULE_RE.sub("", md)
    text = _HEADING_RE.sub("", text)
    text = _QUOTE_RE.sub("", text)
    text = _LIST_RE.sub(r"\1", text)
    text = re.sub(r"(?<!\\)\*\*", "", text)
    text = re.sub(r"(?<!\\)\*(?=\S)|(?<=\S)(?<!\\)\*", "", text)
    text = re.sub(r"^\|\s?|\s?(?<!\\)\|\s*$", "", text, flags=re.M)
    text = re.sub(r"\s(?<!\\)\|\s", "  ", text)
    text = text.replace("&lt;", "<")
    return _ESCAPE_RE.sub(r"\1", text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"),
                    help="the shared folder holding eval/extraction (default: ../shared)")
    ap.add_argument("--out", help="where to write the prediction JSON (default: a temporary file)")
    args = ap.parse_args()
    base = Path(args.shared) / "eval" / "extraction"
    pages = sorted((base / "html").glob("*.html.gz"))
    if not pages:
        print(f"bench_extraction: no pages in {base / 'html'} (give --shared PATH)", file=sys.stderr)
        return 2

    output: dict[str, dict[str, str]] = {}
    refused: list[str] = []
    t0 = time.perf_counter()
    for path in pages:
        key = path.name[:-len(".html.gz")]
        try:
            page = import_html(gzip.decompress(path.read_bytes()))
            output[key] = {"articleBody": markdown_to_plain(page.body_markdown)}
        except ImportError_ as exc:
            refused.append(f"{key}: {exc}")
            output[key] = {"articleBody": ""}
    elapsed = time.perf_counter() - t0
    print(f"{len(pages)} pages imported in {elapsed:.1f} s ({1000 * elapsed / len(pages):.0f} ms a page)")
    for line in refused:
        print("refused:", line)

    prediction = {"version": "kb importer", "output": output}
    if args.out:
        out = Path(args.out)
    else:
        out = Path(tempfile.mkdtemp(prefix="kb-extraction-")) / "kb_importer.json"
    out.write_text(json.dumps(prediction, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, str(base / "score.py"), str(out)],
                            capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        return result.returncode
    f1 = float(re.search(r"^F1=([\d.]+)", result.stdout, re.M).group(1))
    print(f"target F1 >= {TARGET_F1}: {'met' if f1 >= TARGET_F1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
