"""``kgbuild query``, ``kgbuild validate`` and ``kgbuild serve``: the commands that ask a
built graph (a file or a store folder) questions: one SPARQL query, the SHACL shapes, or
SPARQL queries over HTTP.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from kgbuild.cli.common import (
    check_exists,
    check_output,
    engine_option,
    extra_files_option,
    fail_on_option,
    get_state,
)
from kgbuild.core.errors import QueryError

__all__ = ["query", "serve", "validate"]

_QUERY_FORMATS = ("table", "csv", "tsv", "json")
_ENGINES = ("rdflib", "oxigraph")


def _parse_params(values: Sequence[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict (a usage error for any other form)."""
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise click.BadParameter(
                f"{value!r} is not NAME=VALUE (for example --param actor=Mali)",
                param_hint="'--param'",
            )
        params[name] = text
    return params


def _resolve_query(name_or_path: str) -> str:
    """Read a query file, or a shipped query by bare name (``actors``)."""
    path = Path(name_or_path)
    if not path.is_file():
        from kgbuild.query import named_query

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
    from kgbuild.query import list_queries

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


@click.command()
@click.argument("graph", type=click.Path(path_type=Path))
@extra_files_option(
    "--shapes", help="Extra SHACL shapes file, besides the shipped ones; repeatable."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the SHACL report graph (Turtle) here.",
)
@fail_on_option(help="Lowest severity that fails (default: violation).")
@engine_option()
@click.pass_context
def validate(
    ctx: click.Context,
    graph: Path,
    shapes: tuple[Path, ...],
    report_path: Path | None,
    fail_on: str | None,
    engine: str | None,
) -> None:
    """Check a graph file (or a store folder) against kgbuild's SHACL shapes.

    \b
    Example:
      kgbuild validate graph.trig --report report.ttl
      kgbuild validate graph.trig --shapes extra.ttl --fail-on warning

    Exits 0 when the graph conforms, 1 when it does not.
    """
    state = get_state(ctx)
    check_exists([graph], what="graph file")
    check_output(report_path)
    settings = state.settings(fail_on=fail_on, shacl_engine=engine)
    import kgbuild

    kg = kgbuild.load(graph)
    report = kg.validate(shapes=(*settings.shapes_paths, *shapes),
                         engine=settings.shacl_engine, workers=settings.workers)
    if report_path is not None:
        from kgbuild.core.files import write_atomic
        from kgbuild.outputs.export import serialize

        write_atomic(report_path, serialize(report.graph, format="turtle"))
    if not state.quiet:
        click.echo(str(report), err=True)
    ctx.exit(report.exit_code(settings.fail_on))


@click.command()
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
    state = get_state(ctx)
    if list_only:
        _print_query_list()
        return
    if graph is None:
        raise click.UsageError("give a GRAPH file (or --list)")
    if (queryfile is None) == (query_text is None):
        raise click.UsageError("give exactly one of QUERYFILE or --query TEXT")
    bound = _parse_params(params)
    check_exists([graph], what="graph file")
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


@click.command()
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
    state = get_state(ctx)
    settings = state.settings(query_memory_mb=memory_mb)
    from kgbuild.serve import serve as run_server

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
