"""See a kgbuild graph: networkx views, an offline interactive page, static figures, tables.

This module is the public face of the viz modules of :mod:`kgbuild.outputs`, each with
one job:

- :mod:`~kgbuild.outputs.viz_style`: kinds of nodes, their colours, shapes and markers,
  readable names, and the import of the optional packages;
- :mod:`~kgbuild.outputs.viz_reader`: an index of the RDF graph (node attributes,
  evidence sentences) and the collection of a view's merged edges;
- :mod:`~kgbuild.outputs.viz_views`: the four views and :func:`to_networkx`;
- :mod:`~kgbuild.outputs.viz_html`: the offline interactive page;
- :mod:`~kgbuild.outputs.viz_layout` and :mod:`~kgbuild.outputs.viz_draw`: static
  figures, their layout and their drawing;
- :mod:`~kgbuild.outputs.viz_notebook`: tables and charts for notebooks.

:func:`to_networkx` turns the RDF graph into a :class:`networkx.MultiDiGraph` in one of
four views: ``entities`` (actors and places), ``events``, ``claims`` (statements and
casualty figures) and ``rdf`` (every triple); :mod:`kgbuild.outputs.viz_views` lists
what their nodes and edges carry.

From a view, :func:`to_html` writes a standalone interactive page (vis-network through
pyvis, every script and style in line, so it works offline and survives exporting a
notebook to HTML), :func:`show` wraps that page for Jupyter, and :func:`draw` makes a
static matplotlib figure (PNG, SVG or PDF) whose labels do not overlap; :func:`write`
picks between them by the file's suffix.
:func:`to_dataframe`, :func:`timeline_figure` and :func:`casualty_figure` make the
tables and charts of ``notebooks/explore.ipynb``.

pyvis, matplotlib and pandas are optional: ``pip install 'kgbuild[viz]'``.

>>> from rdflib import Dataset
>>> to_networkx(Dataset(), view="entities").number_of_nodes()
0
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kgbuild.core.errors import InputError
from kgbuild.outputs.viz_draw import STATIC_SUFFIXES, draw
from kgbuild.outputs.viz_html import GraphView, remote_resources, show, to_html
from kgbuild.outputs.viz_notebook import (
    casualty_figure,
    resolve_query_text,
    timeline_figure,
    to_dataframe,
)
from kgbuild.outputs.viz_style import GROUP_MARKERS, GROUP_SHAPES, KIND_COLORS
from kgbuild.outputs.viz_views import VIEWS, to_networkx

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx

__all__ = [
    "GROUP_MARKERS",
    "GROUP_SHAPES",
    "KIND_COLORS",
    "STATIC_SUFFIXES",
    "VIEWS",
    "GraphView",
    "casualty_figure",
    "draw",
    "remote_resources",
    "resolve_query_text",
    "show",
    "timeline_figure",
    "to_dataframe",
    "to_html",
    "to_networkx",
    "write",
]


def write(graph: nx.MultiDiGraph, path: str | os.PathLike[str], *,
          title: str | None = None) -> Path:
    """Write a view to ``.html`` (interactive page) or ``.png``/``.svg``/``.pdf``.

    Args:
        graph: a view from :func:`to_networkx`.
        path: the file; its suffix chooses the format.
        title: the heading.

    Returns:
        The path written.

    Raises:
        kgbuild.core.errors.InputError: unknown suffix or missing folder.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        from kgbuild.core.files import write_atomic

        write_atomic(target, to_html(graph, title=title).encode("utf-8"))
    elif suffix in STATIC_SUFFIXES:
        if not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise InputError("the output folder does not exist", input=str(target.parent),
                             fix="create it first or write elsewhere")
        draw(graph, path=target, title=title)
    else:
        raise InputError(f"cannot tell the picture format from {suffix or '(no suffix)'!r}",
                         input=str(target),
                         fix="end the file name with .html, .png, .svg or .pdf")
    return target
