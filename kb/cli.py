"""The `kb` command line: check, index, search, serve (click, which Flask already brings)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from kb.compare import CompareRequest, CompareService
from kb.config import ConfigError, load_config
from kb.curation import edits
from kb.curation.accounts import CuratorError, add_curator, list_curators, remove_curator
from kb.curation.documents import DOCUMENT_SUFFIXES, MAX_DOCUMENT_BYTES, import_document
from kb.curation.importer import ImportError_, import_html
from kb.handbook import HandbookError, build_handbook, render_html, render_pdf
from kb.indexer.build import IndexError_, update_index
from kb.lang.translit import to_latin
from kb.records.corpus import find_file, load_corpus
from kb.records.model import RecordError
from kb.search import SearchRequest, SearchService
from kb.search.evaluation import (RELEVANCE_DIR, TaskError, evaluate, evaluate_relevance,
                                  relevance_table)
from kb.web import create_app


def _config(ctx: click.Context):
    try:
        return load_config(ctx.obj.get("config_path"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.option("--config", "config_path", envvar="KB_CONFIG", default=None,
              help="Path of config.toml (default: ./config.toml, or $KB_CONFIG).")
@click.pass_context
def main(ctx: click.Context, config_path):
    """kb: knowledge base of regional good-governance practices."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


@main.command()
@click.option("--quiet", "-q", is_flag=True, help="Print errors only, no warnings or summary.")
@click.pass_context
def check(ctx, quiet):
    """Validate every corpus file; exit 1 if any has an error."""
    config = _config(ctx)
    report = load_corpus(config)
    for line in report.errors:
        click.echo(line, err=True)
    if not quiet:
        for line in report.warnings:
            click.echo(f"warning: {line}", err=True)
        published = sum(p.published for p in report.practices)
        click.echo(f"{report.files} files: {len(report.practices)} valid records ({published} published), "
                   f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    sys.exit(1 if report.errors else 0)


@main.command()
@click.option("--rebuild", is_flag=True, help="Build the whole index anew instead of updating it.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.pass_context
def index(ctx, rebuild, progress):
    """Build or update the search index from the corpus."""
    config = _config(ctx)
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        summary = update_index(config, rebuild=rebuild, progress=progress)
    except IndexError_ as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        raise click.ClickException(str(exc)) from None
    click.echo(summary.line())


@main.command()
@click.argument("query", nargs=-1)
@click.option("--region", multiple=True, help="Only this region (repeatable).")
@click.option("--topic", multiple=True, help="Only this topic (repeatable).")
@click.option("--lang", multiple=True, help="Only records in this language (repeatable).")
@click.option("--doctype", multiple=True, help="Only this document type (repeatable).")
@click.option("--country", multiple=True, help="Only this country (repeatable).")
@click.option("--year-from", type=int, default=None)
@click.option("--year-to", type=int, default=None)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest", "title"]), default="relevance")
@click.option("--page", type=int, default=1)
@click.option("--ui-lang", default="en", help="Language of facet labels (bg, es, en).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def search(ctx, query, region, topic, lang, doctype, country, year_from, year_to, sort, page,
           ui_lang, as_json):
    """Search the knowledge base."""
    config = _config(ctx)
    service = SearchService(config)
    request = SearchRequest(q=" ".join(query), filters={
        "region": list(region), "topic": list(topic), "language": list(lang),
        "doctype": list(doctype), "country": list(country)},
        year_from=year_from, year_to=year_to, sort=sort, page=page, ui_lang=ui_lang)
    problems = service.validate(request)
    if problems:
        raise click.ClickException("; ".join(problems))
    result = service.search(request)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.message:
        click.echo(result.message)
    click.echo(f"{result.total} results" + (f" (page {result.page} of {result.pages})" if result.pages > 1 else ""))
    for i, hit in enumerate(result.hits, start=(result.page - 1) * result.page_size + 1):
        years = f"{hit.year_start}" + (f"–{hit.year_end}" if hit.year_end and hit.year_end != hit.year_start else "")
        click.echo(f"{i:3}. {hit.title}  [{hit.region_label}, {years}, {hit.lang}]  {hit.id}")
        if hit.snippet_text:
            click.echo(f"     {hit.snippet_text}")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for facet in result.facets:
        values = ", ".join(f"{v.label} ({v.count})" for v in facet.values if v.count)
        if values:
            click.echo(f"{facet.name.replace('_', ' ')}: {values}")


@main.command()
@click.argument("query", nargs=-1)
@click.option("--region", multiple=True, help="Only this region (repeatable).")
@click.option("--topic", multiple=True, help="Only this topic (repeatable).")
@click.option("--language", "--lang-filter", "language", multiple=True,
              help="Only records written in this language (repeatable).")
@click.option("--doctype", multiple=True, help="Only this document type (repeatable).")
@click.option("--country", multiple=True, help="Only this country (repeatable).")
@click.option("--target-group", multiple=True, help="Only this target group (repeatable).")
@click.option("--instrument", multiple=True, help="Only this instrument (repeatable).")
@click.option("--year-from", type=int, default=None)
@click.option("--year-to", type=int, default=None)
@click.option("--lang", "hb_lang", default="en", show_default=True, help="Language of the handbook (bg, es, en).")
@click.option("--html", "as_html", is_flag=True, help="Write the print-styled HTML instead of a PDF.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File to write (e.g. handbook.pdf).")
@click.pass_context
def handbook(ctx, query, region, topic, language, doctype, country, target_group, instrument,
             year_from, year_to, hb_lang, as_html, output):
    """Make the Handbook of the selected published practices as a PDF (default: all of them)."""
    req = SearchRequest(q=" ".join(query), ui_lang=hb_lang if hb_lang in ("bg", "es", "en") else "en",
                        filters={k: list(v) for k, v in (
                            ("region", region), ("topic", topic), ("language", language), ("doctype", doctype),
                            ("country", country), ("target_group", target_group), ("instrument", instrument)) if v},
                        year_from=year_from, year_to=year_to)
    try:
        hb = build_handbook(SearchService(_config(ctx)), req, hb_lang)
        data = (render_html(hb, inline_css=True).encode("utf-8") if as_html
                else render_pdf(hb))
    except HandbookError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write: {exc.strerror}") from None
    click.echo(f"{output}: handbook of {hb.total} practices ({hb_lang}, {len(data) // 1024} KiB)")


@main.command()
@click.option("--host", default=None, help="Default: server.host in config.toml.")
@click.option("--port", type=int, default=None, help="Default: server.port in config.toml.")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
@click.pass_context
def serve(ctx, host, port, dev):
    """Serve the web interface (gunicorn; builds the index first if it is missing or stale)."""
    config = _config(ctx)
    host = host or config.host
    port = port or config.port
    try:
        summary = update_index(config, progress=sys.stderr.isatty())
        click.echo(summary.line())
    except IndexError_ as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo("the corpus has errors: serving the last good index", err=True)
    if dev:
        create_app(config).run(host=host, port=port)
        return
    if ctx.obj.get("config_path"):
        os.environ["KB_CONFIG"] = str(ctx.obj["config_path"])
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    # --timeout 120: a Handbook PDF of the whole corpus takes WeasyPrint ~25 s (gunicorn's default: 30)
    args = [gunicorn, "--bind", f"{host}:{port}", "--workers", str(config.workers), "--timeout", "120",
            "--access-logfile", "-", "kb.web:create_app()"]
    click.echo(f"serving kb at http://{host}:{port}/")
    os.execv(gunicorn, args)


@main.group()
def curator():
    """Manage curator accounts (stored hashed under var/)."""


@curator.command("add")
@click.argument("name")
@click.pass_context
def curator_add(ctx, name):
    """Add a curator, or set a new password (prompted; read from stdin when not a terminal)."""
    config = _config(ctx)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        new = add_curator(config, name, password)
    except CuratorError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"curator {name} {'added' if new else 'password changed'}")


@curator.command("list")
@click.pass_context
def curator_list(ctx):
    """List curator names."""
    for name in list_curators(_config(ctx)):
        click.echo(name)


@curator.command("remove")
@click.argument("name")
@click.pass_context
def curator_remove(ctx, name):
    """Remove a curator."""
    try:
        remove_curator(_config(ctx), name)
    except CuratorError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"curator {name} removed")


@main.command("import-html")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--region", default=None, help="Region of the pages (default: guessed from each page).")
@click.pass_context
def import_html_command(ctx, paths, region):
    """Create draft records from saved web pages (files or folders of .html)."""
    files = []
    for p in map(Path, paths):
        files.extend(sorted(p.rglob("*.htm*")) if p.is_dir() else [p])
    _import_files(_config(ctx), files, region, lambda path: import_html(path.read_bytes(), url=None),
                  "import-html")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--region", default=None, help="Region of the documents (default: guessed from each one).")
@click.pass_context
def import_command(ctx, paths, region):
    """Create draft records from documents: PDF, DOCX, ODT or saved HTML (files or folders)."""
    files = []
    for p in map(Path, paths):
        files.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in DOCUMENT_SUFFIXES and f.is_file())
                     if p.is_dir() else [p])

    def read(path: Path):
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ImportError_(f"the file is {path.stat().st_size / 1048576:.1f} MB; files up to "
                               f"{MAX_DOCUMENT_BYTES // 1048576} MB can be imported")
        return import_document(path.read_bytes(), path.name)
    _import_files(_config(ctx), files, region, read, "import")


def _import_files(config, files: list[Path], region: str | None, read, author: str) -> None:
    """Each file read into a page, saved as a draft record (an id already taken gets a number);
    a file that cannot be imported is named with the reason and the others go on."""
    if region and region not in config.regions:
        raise click.ClickException(f"--region: unknown region {region!r} (known: {', '.join(config.regions.ids())})")
    created = failed = 0
    for path in files:
        try:
            page = read(path)
            practice, notes = edits.draft_from_page(page, config, region)
            base = practice.id
            for n in range(2, 100):
                if find_file(config, practice.id) is None:
                    break
                practice.id = f"{base[:60]}-{n}"
            edits.save(config, practice, base_version=None, author=author,
                       message=f"imported from {path.name}", action="import", new=True)
        except (ImportError_, RecordError, edits.Conflict, OSError) as exc:
            failed += 1
            click.echo(f"{path}: not imported: {exc}", err=True)
            continue
        created += 1
        click.echo(f"{path}: draft {practice.id} ({practice.region}, {practice.lang})")
        for note in notes:
            click.echo(f"  - {note}")
    click.echo(f"{created} drafts created, {failed} files not imported")
    sys.exit(1 if failed and not created else 0)


@main.group(name="eval")
def eval_group():
    """Measure search quality."""


@eval_group.command("retrieval")
@click.argument("task_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="dev")
@click.option("--romanise", is_flag=True, help="Type the queries in Latin letters (Bulgarian tasks).")
@click.pass_context
def eval_retrieval(ctx, task_dir, split, romanise):
    """Index TASK_DIR's docs.jsonl with kb's analyzers and score its queries."""
    config = _config(ctx)
    transform = to_latin if romanise else None
    try:
        res = evaluate(config, Path(task_dir), split, progress=sys.stderr.isatty(), query_transform=transform)
    except TaskError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"task {res['task']} ({res['split']}): {res['n_queries']} queries, {res['n_docs']} docs, "
               f"indexed in {res['index_s']} s, {res['ms_per_query']} ms/query")
    for k in ("MRR@10", "nDCG@10", "R@10", "R@100"):
        click.echo(f"{k:8} {res[k]:.3f}")
    click.echo(f"MRR@10={res['MRR@10']:.3f} nDCG@10={res['nDCG@10']:.3f} R@100={res['R@100']:.3f}")


@eval_group.command("relevance")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--per-query", is_flag=True, help="Also print each query's figures.")
@click.pass_context
def eval_relevance(ctx, folder, per_query):
    """Score the search on the judged collection of the corpus (default: bench/relevance)."""
    config = _config(ctx)
    folder = Path(folder) if folder else config.root / RELEVANCE_DIR
    try:
        update_index(config)
        res = evaluate_relevance(SearchService(config), folder)
    except (TaskError, IndexError_) as exc:
        raise click.ClickException(str(exc)) from None
    if per_query:
        for qid, row in res["queries"].items():
            click.echo(f"{qid} [{row['lang']}] {row['text']!r}: nDCG@10 {row['nDCG@10']:.3f} P@10 {row['P@10']:.2f} "
                       f"R@20 {row['R@20']:.2f} setP {row['setP']:.2f} total {row['total']:.0f} "
                       f"(relevant {row['relevant']:.0f}, unjudged in top 10: {row['unjudged_in_top10']})")
    for line in relevance_table(res):
        click.echo(line)


@main.command()
@click.option("--topic", "topics", multiple=True, help="Topic id (repeatable or comma-separated; default: every topic).")
@click.option("--regions", default="", help="Two to four region ids, comma-separated (default: the first four).")
@click.option("--query", "-q", default="", help="Only practices matching these words.")
@click.option("--lang", "ui_lang", default="en", help="Language of labels (bg, es, en).")
@click.option("--limit", type=int, default=12, show_default=True, help="Practices listed per region.")
@click.option("--counterparts", type=int, default=3, show_default=True, help="Counterparts per practice (0: none).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def compare(ctx, topics, regions, query, ui_lang, limit, counterparts, as_json):
    """Compare regions: topic × region matrix, then each region's practices with counterparts."""
    config = _config(ctx)
    service = CompareService(SearchService(config))
    req = CompareRequest(
        topics=list(dict.fromkeys(t.strip() for arg in topics for t in arg.split(",") if t.strip())),
        regions=[r.strip() for r in regions.split(",") if r.strip()] or service.default_regions(),
        q=query.strip(), ui_lang=ui_lang, column_limit=max(0, limit), counterparts=max(0, counterparts))
    result = service.compare(req)
    if result.problems:
        raise click.ClickException("; ".join(str(p) for p in result.problems))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.message:
        click.echo(result.message)
    _echo_matrix(result)
    if not req.lists_practices:
        click.echo("\n(give --topic or --query to list each region's practices side by side)")
        return
    for col in result.columns:
        click.echo(f"\n== {col.region_label} ({col.total}) ==")
        if not col.practices:
            click.echo("   no practice here yet")
        for i, p in enumerate(col.practices, 1):
            click.echo(f"{i:3}. {p.title}  [{p.years}]  {p.id}")
            if p.lang != ui_lang and p.title_en:
                click.echo(f"     {p.title_en}")
            facts = [", ".join(t["label"] for t in p.instruments), ", ".join(t["label"] for t in p.target_groups)]
            click.echo(f"     instrument: {facts[0] or '-'} | target groups: {facts[1] or '-'}")
            click.echo(f"     {p.abstract}")
            for c in p.counterparts:
                shared = f"  [shared: {', '.join(c.shared_terms)}]" if c.shared_terms else ""
                title = c.title if c.lang == ui_lang or not c.title_en else c.title_en
                click.echo(f"     ~ {title} ({c.region_label}, {c.year_start}) {c.id}{shared}")
        if col.more:
            click.echo(f"     … and {col.more} more")


def _echo_matrix(result) -> None:
    """The topic × region matrix as a text table; gaps are marked with *."""
    heads = [c.region_label for c in result.columns] + ["all"]
    first = max([len("topic")] + [len(r.topic_label) for r in result.matrix] + [len("practices (each counted once)")])
    widths = [max(len(h), 4) for h in heads]
    click.echo("topic".ljust(first) + "".join("  " + h.rjust(w) for h, w in zip(heads, widths)))
    gaps = False
    for row in result.matrix:
        cells = [f"{c.count}*" if c.gap else f"{c.count} " for c in row.cells] + [f"{row.total} "]
        gaps = gaps or any(c.gap for c in row.cells)
        click.echo(row.topic_label.ljust(first) + "".join("  " + v.rjust(w + 1) for v, w in zip(cells, widths)).rstrip())
    totals = [f"{c.total} " for c in result.columns]
    click.echo("practices (each counted once)".ljust(first)
               + "".join("  " + v.rjust(w + 1) for v, w in zip(totals, widths)).rstrip())
    if gaps:
        click.echo("* gap: no practice on this topic yet in that region")


if __name__ == "__main__":  # pragma: no cover
    main()
