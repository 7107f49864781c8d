"""``kgbuild build`` and ``kgbuild eval``: the commands that read article sources and build
graphs from them (into a file, stdout or a store; or to score them against gold).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kgbuild.cli.common import (
    State,
    check_exists,
    engine_option,
    extra_files_option,
    fail_on_option,
    format_option,
    get_state,
    graph_output,
    output_option,
    write_graph,
)
from kgbuild.core.config import Settings
from kgbuild.core.errors import InputError

__all__ = ["build", "eval_"]

_PROGRESS_MIN = 5  # show a progress bar only for builds of more articles than this


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


def _run_build(state: State, sources: tuple[Path, ...], settings: Settings,
               **options: Any) -> Any:
    """``kgbuild.build`` on the sources, with a progress bar on a terminal."""
    import kgbuild

    show_bar = not state.quiet and state.err.is_terminal
    with _progress_bar(state.err, enabled=show_bar) as progress:
        return kgbuild.build([str(s) for s in sources], settings=settings, progress=progress,
                             **options)


def _shapes_summary(
    kg: Any, settings: Settings, *, validate: bool, where: str
) -> tuple[str, int, float]:
    """Run the build's SHACL check: (summary line, exit code, seconds)."""
    if not validate:
        return "shapes: not checked (--no-validate); run: kgbuild validate " + where, 0, 0.0
    from kgbuild.pipeline import check_build

    started = time.perf_counter()
    report = check_build(kg, shapes=settings.shapes_paths, workers=settings.workers,
                         engine=settings.shacl_engine)
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


def _finish(ctx: click.Context, state: State, *, shapes_line: str, nothing_read: bool,
            skipped: int, shapes_code: int) -> None:
    """Print the shapes line, then exit 2 when no article was read, 1 when some article
    was skipped or the shapes failed."""
    state.say(escape(shapes_line))
    if nothing_read:
        state.err.print("[bold red]error:[/] no article could be read", soft_wrap=True)
        ctx.exit(2)
    if skipped:
        state.say(
            f"[yellow]{skipped} article(s) skipped[/]: see the messages above; "
            "fix them or rerun with --strict to stop at the first one"
        )
    if skipped or shapes_code:
        ctx.exit(1)


def _build_store(
    ctx: click.Context,
    state: State,
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
    kg = _run_build(state, sources, settings, store=store, prune=prune, dask=dask or None)
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
        f" {stats.triples} quads"
        + (f", {stats.answers} query answers kept" if stats.answers else "")
        + f"; in {total:.1f} s (build {stats.seconds:.1f} s"
        + (f", shapes {shapes_seconds:.1f} s)" if shapes_seconds else ")")
    )
    _finish(ctx, state, shapes_line=shapes_line, skipped=stats.skipped, shapes_code=shapes_code,
            nothing_read=stats.articles == 0 and stats.unchanged == 0)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option(help="Graph file to write; '-' or omitted: stdout.")
@format_option()
@extra_files_option("--kb", "kb", help="Extra knowledge-base file (Turtle); repeatable.")
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
@click.option(
    "--no-answers",
    "no_answers",
    is_flag=True,
    help="With --store: do not compute the shipped queries' answers at the end (their"
    " first run then queries the store).",
)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for spaCy.")
@click.option(
    "--no-validate",
    "no_validate",
    is_flag=True,
    help="Do not check the graph against the shipped shapes after building.",
)
@fail_on_option(help="Lowest SHACL severity that makes the build exit 1 (default: violation).")
@engine_option()
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
    no_answers: bool = False,
    follow_symlinks: bool = False,
    no_validate: bool = False,
    fail_on: str | None = None,
    engine: str | None = None,
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
    state = get_state(ctx)
    check_exists(sources, what="file or folder")
    to_stdout, fmt = graph_output(out, fmt)
    settings = state.settings(workers=workers, strict=strict or None,
                              store_chunk=store_chunk,
                              store_answers=False if no_answers else None,
                              follow_symlinks=follow_symlinks or None, fail_on=fail_on,
                              shacl_engine=engine)
    if kb:
        settings = replace(settings, kb_paths=(*settings.kb_paths, *kb))

    if store is not None or prune:
        _build_store(ctx, state, sources, settings, store=store, prune=prune, out=out, dask=dask,
                     validate=not no_validate, started=started)
        return
    distributed: dict[str, Any] = {"dask": dask} if dask else {}
    kg = _run_build(state, sources, settings, **distributed)
    writing = time.perf_counter()
    write_graph(kg, out, fmt)
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
    _finish(ctx, state, shapes_line=shapes_line, skipped=stats.skipped, shapes_code=shapes_code,
            nothing_read=stats.articles == 0)


@click.command(name="eval")
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
    state = get_state(ctx)
    check_exists(sources, what="file or folder")
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
