"""What the ``kgbuild`` commands share: the run's state, one message and exit code per
error, the options several commands take, and the checks and writes around a graph file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from kgbuild.core.config import FAIL_ON, SHACL_ENGINES, Settings, load_settings
from kgbuild.core.errors import InputError, KgbuildError

__all__ = [
    "FORMATS",
    "KgbuildGroup",
    "State",
    "check_exists",
    "check_output",
    "extra_files_option",
    "fail_on_option",
    "format_option",
    "get_state",
    "graph_output",
    "output_option",
    "write_graph",
]

#: Output formats, and the file suffixes that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "trig": (".trig",),
    "ttl": (".ttl", ".turtle"),
    "nq": (".nq", ".nquads"),
    "nt": (".nt", ".ntriples"),
    "jsonld": (".jsonld", ".json"),
    "graphml": (".graphml",),
}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class State:
    """The group's options, handed to each command through the click context."""

    verbose: bool
    quiet: bool
    config_file: Path | None
    err: Console

    def settings(self, **overrides: Any) -> Settings:
        """The settings of ``--config`` (or the defaults), with the command's options."""
        return load_settings(config_file=self.config_file, overrides=overrides)

    def say(self, message: str) -> None:
        """Print a message (rich markup allowed) to stderr unless --quiet."""
        if not self.quiet:
            self.err.print(message, highlight=False, soft_wrap=True)


class KgbuildGroup(click.Group):
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


def get_state(ctx: click.Context) -> State:
    """The run's :class:`State` (the defaults when a command is invoked on its own)."""
    state = ctx.find_object(State)
    if state is None:  # a command invoked on its own (tests)
        state = State(False, False, None, Console(stderr=True))
        ctx.obj = state
    return state


def extra_files_option(*decls: str, help: str) -> Callable[[F], F]:
    """A repeatable option naming existing files that add to the shipped ones (``--kb``,
    ``--shapes``)."""
    return click.option(
        *decls,
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=help,
    )


def fail_on_option(*, help: str) -> Callable[[F], F]:
    """``--fail-on SEVERITY``: the lowest SHACL severity that makes the command exit 1."""
    return click.option("--fail-on", type=click.Choice(FAIL_ON), help=help)


def engine_option() -> Callable[[F], F]:
    """``--engine``: how the shapes are checked."""
    return click.option(
        "--engine", type=click.Choice(SHACL_ENGINES),
        help="SHACL engine: auto/sparql (the shapes compiled to SPARQL on Oxigraph; a user "
        "shape it cannot compile goes to pySHACL) or pyshacl. Default: auto.")


def output_option(*, help: str) -> Callable[[F], F]:
    """``-o/--output FILE``, where ``-`` (or no option) means stdout."""
    return click.option(
        "-o",
        "--output",
        "out",
        type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
        help=help,
    )


def format_option() -> Callable[[F], F]:
    """``--format``: a graph format, by default the one of the output file's suffix."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(FORMATS)), help="Default: from OUT's suffix."
    )


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


def check_exists(paths: Sequence[Path], *, what: str) -> None:
    """Refuse a missing input before any work (exit 2 naming it).

    Raises:
        InputError: a path does not exist.
    """
    for path in paths:
        if not path.exists():
            raise InputError(
                f"no such {what}",
                input=str(path),
                fix="check the path (relative paths are taken from the current folder)",
            )


def check_output(out: Path | None) -> None:
    """Check before any work that ``out`` can be written (exit 2 naming it otherwise):
    a missing folder, ``/sys``, a read-only folder must not fail after a long build."""
    if out is None or str(out) == "-":
        return
    from kgbuild.core.files import check_writable

    check_writable(out)


def graph_output(out: Path | None, fmt: str | None) -> tuple[bool, str]:
    """Where a graph goes and in which format, checked before any work.

    Args:
        out: the ``-o`` file; None or ``-`` for stdout.
        fmt: the ``--format`` given, if any.

    Returns:
        ``(to_stdout, format)``: stdout defaults to TriG; a file's format comes from
        its suffix.

    Raises:
        click.BadParameter: the suffix names no format and none is given.
    """
    to_stdout = out is None or str(out) == "-"
    fmt = _format_for(None if to_stdout else out, fmt, default="trig" if to_stdout else None)
    check_output(out)
    return to_stdout, fmt


def write_graph(kg: Any, out: Path | None, fmt: str) -> None:
    """Serialise ``kg`` to ``out`` (atomically, by the library) or to stdout."""
    if out is not None and str(out) != "-":
        kg.serialize(out, format=fmt)
        return
    data = kg.serialize(None, format=fmt)  # no destination: the bytes are returned
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
