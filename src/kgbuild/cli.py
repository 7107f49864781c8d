"""The ``kgbuild`` command line: a thin shell over the library functions of the same names.

Messages go to stderr (results of ``query``/``eval`` and graphs written to
``-`` go to stdout).  Each error class of :mod:`kgbuild.core.errors` has one exit
code: 0 success, 1 the result is not acceptable (shapes violated, articles
skipped), 2 bad input or usage, 3 query timeout.  A
:class:`~kgbuild.core.errors.KgbuildError` is printed without a traceback unless
``-v`` is given.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kgbuild.core.config import FAIL_ON, Settings, load_settings
from kgbuild.core.errors import InputError, KgbuildError, QueryError

__all__ = ["FORMATS", "cli", "main"]

#: Output formats, and the file suffixes that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "trig": (".trig",),
    "ttl": (".ttl", ".turtle"),
    "nq": (".nq", ".nquads"),
    "nt": (".nt", ".ntriples"),
    "jsonld": (".jsonld", ".json"),
    "graphml": (".graphml",),
}
_QUERY_FORMATS = ("table", "csv", "tsv", "json")
_ENGINES = ("rdflib", "oxigraph")
_PROGRESS_MIN = 5  # show a progress bar only for builds of more articles than this


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kgbuild")
    except PackageNotFoundError:
        return "unknown (not installed)"


@dataclass(frozen=True, slots=True)
class _State:
    verbose: bool
    quiet: bool
    config_file: Path | None
    err: Console

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(config_file=self.config_file, overrides=overrides)

    def say(self, message: str) -> None:
        """Print a message (rich markup allowed) to stderr unless --quiet."""
        if not self.quiet:
            self.err.print(message, highlight=False, soft_wrap=True)


class _Group(click.Group):
    """A group that turns kgbuild's errors into one message and one exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgbuildError as exc:
            err = Console(stderr=True)
            if ctx.params.get("verbose"):
                err.print_exception(show_locals=False)
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            ctx.exit(exc.exit_code)


def _state(ctx: click.Context) -> _State:
    state = ctx.find_object(_State)
    if state is None:  # a command invoked on its own (tests)
        state = _State(False, False, None, Console(stderr=True))
        ctx.obj = state
    return state


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show progress details and tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Show errors only.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML settings file (top-level keys or [tool.kgbuild]).",
)
@click.version_option(_version(), prog_name="kgbuild")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, config_file: Path | None) -> None:
    """Build an RDF knowledge graph from news articles, then validate and query it.

    \b
    Example:
      kgbuild build seeds/ -o graph.trig
      kgbuild validate graph.trig
      kgbuild query graph.trig actors
    """
    err = Console(stderr=True)
    ctx.obj = _State(verbose, quiet, config_file, err)
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logger = logging.getLogger("kgbuild")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    ctx.call_on_close(restore)


# ------------------------------------------------------------------------------ helpers


def _format_for(out: Path | None, given: str | None, *, default: str | None) -> str:
    """The output format: the given one, else the suffix of ``out``, else ``default``."""
    if given:
        return given
    if out is not None:
        suffix = out.suffix.lower()
        for name, suffixes in FORMATS.items():
            if suffix in suffixes:
                return name
    if default is not None:
        return default
    raise click.BadParameter(
        f"cannot tell the format from {str(out)!r}; give --format "
        f"({'|'.join(FORMATS)}) or a file ending in "
        f"{', '.join(s for v in FORMATS.values() for s in v)}",
        param_hint="'-o' / '--output'",
    )


def _check_exists(paths: Sequence[Path], *, what: str) -> None:
    for path in paths:
        if not path.exists():
            raise InputError(
                f"no such {what}",
                input=str(path),
                fix="check the path (relative paths are taken from the current folder)",
            )


def _check_output(out: Path | None) -> None:
    """Check before any work that ``out`` can be written (exit 2 naming it otherwise):
    a missing folder, ``/sys``, a read-only folder must not fail after a long build."""
    if out is None or str(out) == "-":
        return
    from kgbuild.core.files import check_writable

    check_writable(out)


def _write_graph(kg: Any, out: Path | None, fmt: str) -> None:
    """Serialise ``kg`` to ``out`` (atomically, by the library) or to stdout."""
    if out is not None and str(out) != "-":
        kg.serialize(out, format=fmt)
        return
    data = kg.serialize(None, format=fmt)  # no destination: the bytes are returned
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@contextmanager
def _progress_bar(err: Console, *, enabled: bool) -> Iterator[Callable[[int, int | None], None]]:
    """Yield a ``progress(done, total)`` callback that draws a bar on a terminal."""
    bar: Progress | None = None
    task: Any = None

    def update(done: int, total: int | None) -> None:
        nonlocal bar, task
        if not enabled:
            return
        if bar is None:
            if (total or done) <= _PROGRESS_MIN:
                return
            bar = Progress(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            bar.start()
            task = bar.add_task("articles", total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def _shapes_summary(
    kg: Any, settings: Settings, *, validate: bool, where: str
) -> tuple[str, int, float]:
    """Run the build's SHACL check: (summary line, exit code, seconds)."""
    if not validate:
        return "shapes: not checked (--no-validate); run: kgbuild validate " + where, 0, 0.0
    from kgbuild.pipeline import check_build

    started = time.perf_counter()
    report = check_build(kg, shapes=settings.shapes_paths, workers=settings.workers)
    seconds = time.perf_counter() - started
    counts = report.counts()
    summary = ", ".join(
        f"{counts[s]} {s.lower()}{'s' if counts[s] != 1 else ''}" for s in counts
    )
    code = report.exit_code(settings.fail_on)  # type: ignore[arg-type]
    verdict = "the graph conforms" if report.conforms else "the graph does NOT conform"
    line = f"shapes: {verdict} ({summary})"
    if len(report):
        line += f"; see them with: kgbuild validate {where}"
    if code:
        failing = "violations or warnings" if settings.fail_on == "warning" else "violations"
        line += f" [exit 1: --fail-on {settings.fail_on} fails on {failing}]"
    return line, code, seconds


def _parse_params(values: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise click.BadParameter(
                f"{value!r} is not NAME=VALUE (for example --param actor=Armenia)",
                param_hint="'--param'",
            )
        params[name] = text
    return params


def _resolve_query(name_or_path: str) -> str:
    """Read a query file, or a shipped query by bare name (``actors``)."""
    path = Path(name_or_path)
    if not path.is_file():
        from kgbuild.query.sparql import named_query

        path = named_query(name_or_path)  # QueryError naming the shipped queries
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(
            f"cannot read query file ({exc})", input=name_or_path, fix="give a UTF-8 .rq file"
        ) from exc


def _table(result: Any, *, no_truncate: bool) -> str:
    """The table of a query result: fitted to the terminal's width when stdout is one
    (or to ``COLUMNS`` when set), else whole, as with ``--no-truncate``."""
    if no_truncate:
        return str(result.to_table(max_width=None))
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").strip().isdigit():
        columns = shutil.get_terminal_size(fallback=(100, 24)).columns
        return str(result.to_table(width=max(columns, 40)))
    return str(result.to_table(max_width=None))


def _print_query_list() -> None:
    """Print each shipped query's header: name, question, columns and parameters.

    Plain lines (no table) so that the list reads the same in a pipe or grep.
    """
    from kgbuild.query.sparql import list_queries

    for info in list_queries():
        click.echo(f"{info.name}: {info.question}")
        click.echo(f"  columns:    {' '.join('?' + c for c in info.columns) or '-'}")
        if not info.parameters:
            click.echo("  parameters: none")
        for i, param in enumerate(info.parameters):
            value = "IRI" if param.kind == "iri" else "TEXT"
            need = "optional" if param.optional else "required"
            click.echo(
                f"  {'parameters:' if i == 0 else ' ' * 11} --param {param.name}={value}"
                f" ({need}) {param.description}".rstrip()
            )


def _build_store(
    ctx: click.Context,
    state: _State,
    sources: tuple[Path, ...],
    settings: Settings,
    *,
    store: Path | None,
    prune: bool,
    out: Path | None,
    dask: str | None,
    validate: bool,
    started: float,
) -> None:
    """``kgbuild build --store DIR``: build into a store, check its new graphs, report, exit."""
    if store is None:
        raise click.UsageError("--prune needs --store DIR")
    if out is not None:
        raise click.UsageError("give either -o/--output (a file) or --store (a folder), not both")
    import kgbuild

    show_bar = not state.quiet and state.err.is_terminal
    with _progress_bar(state.err, enabled=show_bar) as progress:
        kg = kgbuild.build([str(s) for s in sources], settings=settings, progress=progress,
                           store=store, prune=prune, dask=dask or None)
    stats = kg.stats
    if stats.written:
        shapes_line, shapes_code, shapes_seconds = _shapes_summary(
            kg, settings, validate=validate, where=str(store))
        shapes_line = shapes_line.replace("shapes:", "shapes (the articles written now):", 1)
    else:
        shapes_line, shapes_code, shapes_seconds = "shapes: no new article to check", 0, 0.0
    del kg  # releases the store
    pruned = f", {stats.pruned} removed" if prune else ""
    total = time.perf_counter() - started
    state.say(
        f"[green]stored[/] {escape(str(store))}: {stats.articles} new or changed articles,"
        f" {stats.unchanged} unchanged{pruned} ({stats.skipped} skipped); the store holds"
        f" {stats.triples} quads; in {total:.1f} s (build {stats.seconds:.1f} s"
        + (f", shapes {shapes_seconds:.1f} s)" if shapes_seconds else ")")
    )
    state.say(escape(shapes_line))
    if stats.articles == 0 and stats.unchanged == 0:
        state.err.print("[bold red]error:[/] no article could be read", soft_wrap=True)
        ctx.exit(2)
    if stats.skipped:
        state.say(
            f"[yellow]{stats.skipped} article(s) skipped[/]: see the messages above; "
            "fix them or rerun with --strict to stop at the first one"
        )
    if stats.skipped or shapes_code:
        ctx.exit(1)


# ------------------------------------------------------------------------------ commands


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Graph file to write; '-' or omitted: stdout.",
)
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), help="Default: from OUT's suffix."
)
@click.option(
    "--kb",
    "kb",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra knowledge-base file (Turtle); repeatable.",
)
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Read what symbolic links inside a source folder point to, even outside it"
    " (refused by default).",
)
@click.option(
    "--store",
    "store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build into this store folder instead of a file: only new or changed articles.",
)
@click.option(
    "--prune", is_flag=True, help="With --store: remove articles no longer in SOURCES."
)
@click.option(
    "--store-chunk",
    type=click.IntRange(min=1),
    help="With --store: articles resolved and written together (default 250). Memory"
    " grows with it; events reported by several articles merge within one chunk.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for spaCy.")
@click.option(
    "--no-validate",
    "no_validate",
    is_flag=True,
    help="Do not check the graph against the shipped shapes after building.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Lowest SHACL severity that makes the build exit 1 (default: violation).",
)
@click.option(
    "--dask",
    "dask",
    metavar="ADDRESS|local",
    help="Extract on a Dask cluster: a scheduler address (tcp://HOST:8786), or 'local'"
    " for a local cluster on 127.0.0.1. Needs the dask extra.",
)
@click.pass_context
def build(
    ctx: click.Context,
    sources: tuple[Path, ...],
    out: Path | None,
    fmt: str | None,
    kb: tuple[Path, ...],
    strict: bool,
    workers: int | None,
    dask: str | None,
    store: Path | None = None,
    prune: bool = False,
    store_chunk: int | None = None,
    follow_symlinks: bool = False,
    no_validate: bool = False,
    fail_on: str | None = None,
) -> None:
    """Build a knowledge graph from article files and folders.

    SOURCES are .txt, .html/.htm and .jsonl files, or folders of them.

    \b
    Example:
      kgbuild build seeds/ -o graph.trig
      kgbuild build news.jsonl --format nq > graph.nq
      kgbuild build corpus/ --workers 2 -o graph.trig
      kgbuild build corpus/ --dask tcp://10.0.0.5:8786 -o graph.trig
      kgbuild build corpus/ --store kg/ --prune

    After writing, the graph is checked against the shipped SHACL shapes (plus
    the shapes_paths setting) and the summary gives the counts by severity;
    --no-validate skips the check.  Exits 1 when some article was skipped or
    the shapes fail (--fail-on); the graph is written either way.
    """
    started = time.perf_counter()
    state = _state(ctx)
    _check_exists(sources, what="file or folder")
    to_stdout = out is None or str(out) == "-"
    fmt = _format_for(None if to_stdout else out, fmt, default="trig" if to_stdout else None)
    _check_output(out)
    settings = state.settings(workers=workers, strict=strict or None,
                              store_chunk=store_chunk,
                              follow_symlinks=follow_symlinks or None, fail_on=fail_on)
    if kb:
        settings = replace(settings, kb_paths=(*settings.kb_paths, *kb))

    import kgbuild

    if store is not None or prune:
        _build_store(ctx, state, sources, settings, store=store, prune=prune, out=out, dask=dask,
                     validate=not no_validate, started=started)
        return
    show_bar = not state.quiet and state.err.is_terminal
    with _progress_bar(state.err, enabled=show_bar) as progress:
        distributed: dict[str, Any] = {"dask": dask} if dask else {}
        kg = kgbuild.build(
            [str(s) for s in sources], settings=settings, progress=progress, **distributed
        )
    writing = time.perf_counter()
    _write_graph(kg, out, fmt)
    written = time.perf_counter() - writing

    stats = kg.stats
    where = "stdout" if to_stdout else str(out)
    shapes_line, shapes_code, shapes_seconds = _shapes_summary(
        kg, settings, validate=not no_validate,
        where="GRAPH (save it to a file first)" if to_stdout else str(out))
    total = time.perf_counter() - started
    state.say(
        f"[green]built[/] {escape(where)} ({fmt}): {stats.articles} articles"
        f" ({stats.skipped} skipped), {stats.triples} triples, {stats.entities} entities,"
        f" {stats.events} events, {stats.statements} statements, {stats.claims} claims"
        f" in {total:.1f} s (build {stats.seconds:.1f} s, write {written:.1f} s"
        + (f", shapes {shapes_seconds:.1f} s)" if shapes_seconds else ")")
    )
    state.say(escape(shapes_line))
    if stats.articles == 0:
        state.err.print("[bold red]error:[/] no article could be read", soft_wrap=True)
        ctx.exit(2)
    if stats.skipped:
        state.say(
            f"[yellow]{stats.skipped} article(s) skipped[/]: see the messages above; "
            "fix them or rerun with --strict to stop at the first one"
        )
    if stats.skipped or shapes_code:
        ctx.exit(1)


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra SHACL shapes file, besides the shipped ones; repeatable.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the SHACL report graph (Turtle) here.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Lowest severity that fails (default: violation).",
)
@click.pass_context
def validate(
    ctx: click.Context,
    graph: Path,
    shapes: tuple[Path, ...],
    report_path: Path | None,
    fail_on: str | None,
) -> None:
    """Check a graph file (or a store folder) against kgbuild's SHACL shapes.

    \b
    Example:
      kgbuild validate graph.trig --report report.ttl
      kgbuild validate graph.trig --shapes extra.ttl --fail-on warning

    Exits 0 when the graph conforms, 1 when it does not.
    """
    state = _state(ctx)
    _check_exists([graph], what="graph file")
    _check_output(report_path)
    settings = state.settings(fail_on=fail_on)
    import kgbuild

    kg = kgbuild.load(graph)
    report = kg.validate(shapes=(*settings.shapes_paths, *shapes))
    if report_path is not None:
        from kgbuild.core.files import write_atomic
        from kgbuild.outputs.export import serialize

        write_atomic(report_path, serialize(report.graph, format="turtle"))
    if not state.quiet:
        click.echo(str(report), err=True)
    ctx.exit(report.exit_code(settings.fail_on))


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.argument("queryfile", required=False)
@click.option("--query", "query_text", help="SPARQL text, instead of QUERYFILE.")
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="Bind ?NAME; repeatable."
)
@click.option(
    "--format", "fmt", type=click.Choice(_QUERY_FORMATS), default="table", show_default=True
)
@click.option(
    "--engine",
    type=click.Choice(_ENGINES),
    help="Default: rdflib for a graph file, oxigraph for a store folder.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--limit", type=click.IntRange(min=1), help="Most rows.")
@click.option("--memory-mb", "memory_mb", type=click.IntRange(min=1),
              help="Most memory the query may take, in MiB (default 1024); exit 3 beyond.")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let SERVICE clauses call other endpoints (refused by default).",
)
@click.option("--list", "list_only", is_flag=True, help="List the shipped queries and exit.")
@click.option(
    "--no-truncate",
    "--wide",
    "no_truncate",
    is_flag=True,
    help="Table format: never cut values (by default the table fits the terminal's width).",
)
@click.pass_context
def query(
    ctx: click.Context,
    graph: Path | None,
    queryfile: str | None,
    query_text: str | None,
    params: tuple[str, ...],
    fmt: str,
    engine: str | None,
    timeout: float | None,
    limit: int | None,
    allow_service: bool,
    list_only: bool,
    memory_mb: int | None = None,
    no_truncate: bool = False,
) -> None:
    """Run a SPARQL SELECT query on a graph file or a store folder.

    Queries never reach the network or other files: FROM is refused, and
    SERVICE too unless --allow-service is given.  Exits 3 after --timeout
    seconds, or when evaluating the query takes more than --memory-mb MiB; at
    most --limit rows are printed, with a notice on stderr when there were more.

    QUERYFILE is a .rq file or the name of a shipped query (see --list).

    \b
    Example:
      kgbuild query graph.trig actors
      kgbuild query graph.trig casualties --format csv > casualties.csv
      kgbuild query graph.trig --query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'
      kgbuild query kg/ actors
      kgbuild query --list
    """
    state = _state(ctx)
    if list_only:
        _print_query_list()
        return
    if graph is None:
        raise click.UsageError("give a GRAPH file (or --list)")
    if (queryfile is None) == (query_text is None):
        raise click.UsageError("give exactly one of QUERYFILE or --query TEXT")
    bound = _parse_params(params)
    _check_exists([graph], what="graph file")
    settings = state.settings(query_timeout=timeout, query_limit=limit,
                              query_memory_mb=memory_mb)
    text = query_text if query_text is not None else _resolve_query(str(queryfile))
    import kgbuild

    kg = kgbuild.load(graph)
    result = kg.query(
        text,
        params=bound,
        engine=engine or ("oxigraph" if graph.is_dir() else "rdflib"),
        timeout=settings.query_timeout,
        limit=settings.query_limit,
        allow_service=allow_service,
        memory_mb=settings.query_memory_mb,
    )
    if getattr(result, "truncated", False):
        state.say(
            f"[yellow]truncated:[/] only the first {len(result.rows)} rows are shown; "
            "raise --limit to see more"
        )
    if fmt == "table":
        click.echo(_table(result, no_truncate=no_truncate))
    else:
        rendered = {"csv": result.to_csv, "tsv": result.to_tsv, "json": result.to_json}[fmt]()
        click.echo(rendered, nl=not str(rendered).endswith("\n"))


@cli.command(name="eval")
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of gold annotations (entities.json, *.gold.json).",
)
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
def eval_(ctx: click.Context, gold_dir: Path, sources: tuple[Path, ...], fmt: str) -> None:
    """Score the graphs built from SOURCES against gold annotations.

    \b
    Example:
      kgbuild eval --gold tests/gold seeds/
      kgbuild eval --gold tests/gold seeds/ --format json > scores.json
    """
    state = _state(ctx)
    _check_exists(sources, what="file or folder")
    settings = state.settings()
    from kgbuild.evaluation.evaluate import evaluate

    try:
        report = evaluate(gold_dir, list(sources), settings=settings)
    except FileNotFoundError as exc:
        raise InputError(
            str(exc), input=str(gold_dir), fix="pass the folder of the gold articles"
        ) from exc
    if fmt == "json":
        data = report.to_json()
        click.echo(data if isinstance(data, str) else json.dumps(data, indent=2))
    else:
        click.echo(str(report))


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="File to write; '-' or omitted: stdout.",
)
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), help="Default: from OUT's suffix."
)
@click.pass_context
def export(ctx: click.Context, graph: Path, out: Path | None, fmt: str | None) -> None:
    """Convert a graph file to another format (RDF, or GraphML for Gephi).

    Turtle, TriG, N-Quads and N-Triples are sorted for small diffs; JSON-LD is
    compacted with kgbuild's context (ontology/context.jsonld).

    \b
    Example:
      kgbuild export graph.trig -o graph.nq
      kgbuild export graph.trig --format jsonld > graph.jsonld
      kgbuild export graph.trig -o graph.graphml
    """
    state = _state(ctx)
    _check_exists([graph], what="graph file")
    to_stdout = out is None or str(out) == "-"
    fmt = _format_for(None if to_stdout else out, fmt, default="trig" if to_stdout else None)
    _check_output(out)
    import kgbuild

    kg = kgbuild.load(graph)
    _write_graph(kg, out, fmt)
    state.say(f"[green]wrote[/] {escape('stdout' if to_stdout else str(out))} ({fmt})")


# the views of kgbuild.outputs.viz.VIEWS (a test checks that they agree)
_VIZ_VIEWS = ("entities", "events", "claims", "rdf")


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .html (interactive page, works offline), .png, .svg or .pdf.",
)
@click.option(
    "--view", type=click.Choice(_VIZ_VIEWS), default="entities", show_default=True,
    help="entities: actors and places; events; claims: statements and casualty figures; "
    "rdf: every triple.",
)
@click.option("--article", help="Only this article (its file name, e.g. 001_x.txt).")
@click.option("--title", help="Heading of the picture.")
@click.pass_context
def viz(
    ctx: click.Context,
    graph: Path,
    out: Path,
    view: str,
    article: str | None,
    title: str | None,
) -> None:
    """Draw a graph file: an interactive HTML page or a static picture.

    Needs the viz extra: pip install 'kgbuild[viz]'.

    \b
    Example:
      kgbuild viz graph.trig -o graph.html
      kgbuild viz graph.trig -o events.png --view events
      kgbuild viz graph.trig -o one.svg --article 001_x.txt
    """
    state = _state(ctx)
    _check_exists([graph], what="graph file")
    _check_output(out)
    import kgbuild
    from kgbuild.outputs.viz import write

    kg = kgbuild.load(graph)
    picture = kg.to_networkx(view, article=article)
    write(picture, out, title=title)
    state.say(
        f"[green]wrote[/] {escape(str(out))}: {view} view, "
        f"{picture.number_of_nodes()} nodes, {picture.number_of_edges()} edges"
    )


@cli.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="TCP port; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the graph.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Seconds a query may run.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Queries that can run at once (one process each).")
@click.option("--max-result-mb", type=click.IntRange(min=1), default=64, show_default=True,
              help="Largest result sent, in MiB.")
@click.option("--memory-mb", "memory_mb", type=click.IntRange(min=1),
              help="Most memory one query may add to its worker, in MiB (default 1024, or"
              " query_memory_mb); 503 beyond.")
@click.option("--queue-size", type=click.IntRange(min=0), default=64, show_default=True,
              help="Queries that may wait for a free worker; more get 503 at once.")
@click.pass_context
def serve(
    ctx: click.Context,
    source: Path,
    port: int,
    host: str,
    timeout: float,
    workers: int,
    max_result_mb: int,
    memory_mb: int | None = None,
    queue_size: int = 64,
) -> None:
    """Serve a store folder or a graph file as a read-only SPARQL endpoint.

    SPARQL 1.1 Protocol at http://HOST:PORT/query, a query page at /.  Updates
    and SERVICE are refused; a query running longer than --timeout, or taking
    more than --memory-mb, is stopped (503).

    \b
    Example:
      kgbuild serve kg/
      kgbuild serve graph.trig --port 8000 --timeout 10
    """
    state = _state(ctx)
    settings = state.settings(query_memory_mb=memory_mb)
    from kgbuild.serve.endpoint import serve as run_server

    def ready(endpoint: Any) -> None:
        state.err.print(
            f"serving {escape(str(source))} ({endpoint.triples} triples) at "
            f"{endpoint.url} (SPARQL endpoint: {endpoint.url}query); read-only, queries stop "
            f"after {timeout:g} s or {settings.query_memory_mb} MiB; press Ctrl-C to stop",
            highlight=False,
            soft_wrap=True,
        )
        if not endpoint.loopback:
            state.err.print(
                f"[yellow]warning:[/] listening on {escape(host)}: anyone who can reach it "
                "can read the whole graph",
                soft_wrap=True,
            )

    run_server(source, host=host, port=port, timeout=timeout, workers=workers,
               max_result_bytes=max_result_mb * 1024 * 1024,
               memory_mb=settings.query_memory_mb, queue_size=queue_size, on_ready=ready)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``kgbuild`` console script).

    Args:
        argv: arguments without the program name; default ``sys.argv[1:]``.
    """
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="kgbuild")
