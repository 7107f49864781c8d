"""``kgbuild export`` and ``kgbuild viz``: the commands that write a built graph out again,
in another RDF format or GraphML, or drawn as a page or a picture.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from kgbuild.cli.common import (
    check_exists,
    check_output,
    format_option,
    get_state,
    graph_output,
    output_option,
    write_graph,
)

__all__ = ["VIZ_VIEWS", "export", "viz"]

# the views of kgbuild.outputs.viz.VIEWS (a test checks that they agree)
VIZ_VIEWS = ("entities", "events", "claims", "rdf")


@click.command()
@click.argument("graph", type=click.Path(path_type=Path))
@output_option(help="File to write; '-' or omitted: stdout.")
@format_option()
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
    state = get_state(ctx)
    check_exists([graph], what="graph file")
    to_stdout, fmt = graph_output(out, fmt)
    import kgbuild

    kg = kgbuild.load(graph)
    write_graph(kg, out, fmt)
    state.say(f"[green]wrote[/] {escape('stdout' if to_stdout else str(out))} ({fmt})")


@click.command()
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
    "--view", type=click.Choice(VIZ_VIEWS), default="entities", show_default=True,
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
    state = get_state(ctx)
    check_exists([graph], what="graph file")
    check_output(out)
    import kgbuild
    from kgbuild.outputs.viz import write

    kg = kgbuild.load(graph)
    picture = kg.to_networkx(view, article=article)
    write(picture, out, title=title)
    state.say(
        f"[green]wrote[/] {escape(str(out))}: {view} view, "
        f"{picture.number_of_nodes()} nodes, {picture.number_of_edges()} edges"
    )

