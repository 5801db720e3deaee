"""The Handbook and document import, measured on this machine.

    python bench/bench_handbook.py [--langs bg,es,en] [--pages 50] [--out DIR]

1. The whole shipped corpus's Handbook (every published practice) as a PDF in each language:
   wall-clock seconds (selection + HTML + WeasyPrint) and peak memory (max RSS of a fresh
   process per language), pages and size. Target (issue 16): <= 30 s and <= 1 GiB each.
2. Import of a 50-page PDF made here (WeasyPrint, the test documents' Bulgarian case study
   repeated; text layer, headings, lists, running heads): seconds and what came back; and, for the
   choice of library, the same file read by pypdf (plain text extraction) and by pdfminer.six.
3. DOCX and ODT of the same text (python-docx / odfpy make them): import seconds.

The index of corpus/ is built into a temporary folder first. --out keeps the PDFs.
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.config import load_config  # noqa: E402


def one_handbook(var: str, lang: str, out: str | None) -> dict:
    """Runs in a fresh process: make the whole corpus's handbook in `lang`."""
    from kb.handbook import build_handbook, render_html, render_pdf
    from kb.search import SearchRequest, SearchService
    cfg = dataclasses.replace(load_config(ROOT / "config.toml"), var_dir=Path(var))
    service = SearchService(cfg)
    t0 = time.perf_counter()
    c0 = time.process_time()
    hb = build_handbook(service, SearchRequest(ui_lang=lang), lang)
    t1 = time.perf_counter()
    html = render_html(hb)
    pdf = render_pdf(hb)
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    if out:
        Path(out, f"handbook-{lang}.pdf").write_bytes(pdf)
    import pypdf
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return {"lang": lang, "practices": hb.total, "pages": pages, "kib": len(pdf) // 1024,
            "html_kib": len(html.encode()) // 1024, "select_s": round(t1 - t0, 2),
            "pdf_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2), "cpu_s": round(cpu, 2),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def imports(pages: int) -> list[str]:
    from tests.docmakers import SAMPLE_BG, make_docx, make_odt, make_pdf
    from kb.curation.documents import import_document
    lines = []
    t = time.perf_counter()
    pdf = make_pdf(SAMPLE_BG, pages=pages)
    made = time.perf_counter() - t
    import pypdf
    n = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    t = time.perf_counter()
    page = import_document(pdf, "bench.pdf")
    took = time.perf_counter() - t
    md = page.body_markdown
    lines.append(f"import {n}-page PDF ({len(pdf) // 1024} KiB, made in {made:.1f} s): {took:.2f} s; "
                 f"{md.count('## Проблем')} of {pages} '## Проблем' headings, {md.count(chr(10) + '- ')} "
                 f"bullet items (of {3 * pages}), {md.count('1. анализ')} numbered lists (of {pages}); lang={page.lang}")
    t = time.perf_counter()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    took = time.perf_counter() - t
    joined = text.count("• обучение на служителите")
    lines.append(f"  for comparison, pypdf extract_text: {took:.2f} s, no sizes or fonts (headings unknown), "
                 f"bullets kept with their item: {joined} of {pages}")
    from pdfminer.high_level import extract_pages
    t = time.perf_counter()
    for _ in extract_pages(io.BytesIO(pdf)):
        pass
    lines.append(f"  pdfminer.six layout analysis alone: {time.perf_counter() - t:.2f} s")
    for name, maker in (("DOCX", make_docx), ("ODT", make_odt)):
        data = maker(SAMPLE_BG * pages)
        t = time.perf_counter()
        page = import_document(data, "bench." + name.lower())
        took = time.perf_counter() - t
        lines.append(f"import {name} of the same text ({len(data) // 1024} KiB): {took:.2f} s; "
                     f"{page.body_markdown.count('## Проблем')} '## Проблем' headings")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--langs", default="bg,es,en")
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--out", default=None, help="folder to keep the handbook PDFs in")
    ap.add_argument("--one", nargs=2, metavar=("VAR", "LANG"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_handbook(args.one[0], args.one[1], args.out)))
        return
    from kb.indexer.build import update_index
    with tempfile.TemporaryDirectory() as var:
        cfg = dataclasses.replace(load_config(ROOT / "config.toml"), var_dir=Path(var))
        update_index(cfg, rebuild=True)
        print("Handbook of the whole shipped corpus (target: <= 30 s, <= 1 GiB)")
        print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other processes slow every figure)")
        print(f"{'lang':4} {'practices':>9} {'pages':>5} {'KiB':>5} {'select s':>8} {'pdf s':>6} {'total s':>7} {'CPU s':>6} {'peak MiB':>8}")
        for lang in args.langs.split(","):
            cmd = [sys.executable, __file__, "--one", var, lang] + (["--out", args.out] if args.out else [])
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            print(f"{r['lang']:4} {r['practices']:>9} {r['pages']:>5} {r['kib']:>5} {r['select_s']:>8} "
                  f"{r['pdf_s']:>6} {r['total_s']:>7} {r['cpu_s']:>6} {r['peak_mib']:>8}")
    print()
    for line in imports(args.pages):
        print(line)


if __name__ == "__main__":
    main()
