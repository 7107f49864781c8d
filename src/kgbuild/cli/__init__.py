"""The ``kgbuild`` command line: a thin shell over the library functions of the same names.

Messages go to stderr (results of ``query``/``eval`` and graphs written to
``-`` go to stdout).  Each error class of :mod:`kgbuild.core.errors` has one exit
code: 0 success, 1 the result is not acceptable (shapes violated, articles
skipped), 2 bad input or usage, 3 query timeout.  A
:class:`~kgbuild.core.errors.KgbuildError` is printed without a traceback unless
``-v`` is given.

This package holds the group and :func:`main`; the commands are in
:mod:`~kgbuild.cli.build` (build, eval), :mod:`~kgbuild.cli.query` (query, validate,
serve) and :mod:`~kgbuild.cli.output` (export, viz), what they share in
:mod:`~kgbuild.cli.common`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler

from kgbuild.cli import build, output, query
from kgbuild.cli.common import FORMATS, KgbuildGroup, State

__all__ = ["FORMATS", "cli", "main"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kgbuild")
    except PackageNotFoundError:
        return "unknown (not installed)"


@click.group(cls=KgbuildGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = State(verbose, quiet, config_file, err)
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logger = logging.getLogger("kgbuild")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    ctx.call_on_close(restore)


for _command in (build.build, build.eval_, query.validate, query.query, query.serve,
                 output.export, output.viz):
    cli.add_command(_command)
del _command


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``kgbuild`` console script).

    Args:
        argv: arguments without the program name; default ``sys.argv[1:]``.
    """
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="kgbuild")
