"""A static figure of a view (PNG, SVG or PDF) whose labels stay readable and apart.

:func:`draw` lays a view out in inches at the final font size
(:mod:`kgbuild.outputs.viz_layout`), sizes the figure to what the labels need, draws
nodes, edges and legends with matplotlib (Agg, no display) and saves the figure
without timestamps, so the same graph gives the same file.
"""

from __future__ import annotations

import io
import logging
import math
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgbuild.core.errors import InputError
from kgbuild.outputs.viz_layout import _component_layout, _overlapping_pairs, _spread
from kgbuild.outputs.viz_style import GROUP_MARKERS, _clean, _color, _new_figure, _require

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = ["STATIC_SUFFIXES", "draw"]

# the logger keeps the name of the public module, so logging set up for it still applies
log = logging.getLogger("kgbuild.outputs.viz")

#: File suffixes :func:`draw` can write (``.html`` is written by
#: :func:`kgbuild.outputs.viz_html.to_html`).
STATIC_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")


def _wrap(label: str, width: int = 22, lines: int = 2) -> str:
    words, out, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _clean(out[-1] + " \u2026", limit=width + 1)
    return "\n".join(out)


_EDGE_PALETTE = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589",
                 "#a04000", "#2e4053")
_MAX_PIXELS = 9000  # longest side of a PNG; bigger figures get a lower resolution


def _text_sizes(labels: Sequence[str], font_size: float) -> list[tuple[float, float]]:
    """Width and height of each label, in inches."""
    fig = _new_figure(4, 4)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    sizes = []
    for text in labels:
        artist = fig.text(0.5, 0.5, text, fontsize=font_size, ha="center", va="top",
                          linespacing=1.1)
        ext = artist.get_window_extent(renderer)
        artist.remove()
        sizes.append((ext.width / fig.dpi, ext.height / fig.dpi))
    return sizes


def draw(graph: nx.MultiDiGraph, *, path: str | os.PathLike[str] | None = None,
         title: str | None = None, dpi: int = 200, seed: int = 7,
         font_size: float = 9.0) -> Figure:
    """Draw a view as a static figure for reports, and optionally save it.

    Each connected part is laid out on its own by stress majorisation (graph distance
    becomes drawn distance, as in Graphviz's neato; deterministic), and the parts are
    packed side by side, so clusters stay apart. Layout happens in inches at the final
    font size: each label sits below its node, and label boxes are pushed apart until
    none overlap; the figure then takes the size the labels need, so labels keep
    ``font_size`` points and stay readable when the picture is scaled to the width of
    a page (seed-size views are 9 to 15 inches wide). Node colour and marker follow the
    kind, edge colour the relation; the legends on the right say which is which.

    Args:
        graph: a view from :func:`to_networkx`.
        path: write the figure here; ``.png``, ``.svg`` or ``.pdf`` (atomically).
        title: the heading (default: the view's name and size).
        dpi: resolution of a PNG (lowered for very large figures).
        seed: seed of the spring layout used for parts of more than 160 nodes.
        font_size: label size in points.

    Returns:
        The matplotlib ``Figure`` (shown inline by Jupyter). ``figure.kg_overlaps`` is
        the number of label pairs that still overlap (0 unless the graph is huge).

    Raises:
        kgbuild.core.errors.InputError: ``path`` has another suffix, or its folder is missing.
        kgbuild.core.errors.KgbuildError: matplotlib is not installed.
    """
    if path is not None:
        suffix = Path(path).suffix.lower()
        if suffix not in STATIC_SUFFIXES:
            raise InputError(f"cannot draw a picture as {suffix or '(no suffix)'!r}",
                             input=str(path),
                             fix=f"end the file name with one of {', '.join(STATIC_SUFFIXES)}"
                             " (or write .html with to_html)")
    np = _require("numpy", feature="drawing")
    _require("matplotlib", feature="drawing")
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    n = graph.number_of_nodes()
    view = graph.graph.get("view", "graph")
    article = graph.graph.get("article")
    heading = title or (f"kgbuild {view} view" + (f" of {article}" if article else "")
                        + f": {n} nodes, {graph.number_of_edges()} edges")
    nodes = sorted(graph.nodes, key=str)
    labels = [_wrap(_clean(str(graph.nodes[v].get("label", v)), limit=60)) for v in nodes]
    # --- positions in inches, labels at their final size
    marker_in = 7.0 / 72  # marker diameter
    pad_w, pad_h = 5 / 72, 3 / 72
    sizes = _text_sizes(labels, font_size)
    half_w = np.array([max(w, marker_in) / 2 + pad_w for w, _ in sizes])
    half_h = np.array([(h + marker_in) / 2 + pad_h for _, h in sizes])
    centers = np.zeros((n, 2))
    if n > 1:
        layout = _component_layout(graph, seed)
        raw = np.array([layout[v] for v in nodes], dtype=float)
        # one unit of graph distance = a little more than a typical label
        index = {v: i for i, v in enumerate(nodes)}
        lengths = [float(np.hypot(*(raw[index[u]] - raw[index[v]])))
                   for u, v in graph.edges() if u != v]
        unit = float(np.median(lengths)) if lengths else 1.0
        scale = 1.4 * float(np.median(2 * half_w)) / max(unit, 1e-9)
        centers = _spread(raw * scale, half_w, half_h)
    overlaps = _overlapping_pairs(centers, half_w, half_h) if n > 1 else 0
    if n:
        lo = (centers - np.stack([half_w, half_h], axis=1)).min(axis=0)
        hi = (centers + np.stack([half_w, half_h], axis=1)).max(axis=0)
    else:
        lo, hi = np.zeros(2), np.ones(2)
    content_w, content_h = float(hi[0] - lo[0]), float(hi[1] - lo[1])
    # --- the figure: title band on top, graph on the left, legends on the right
    kinds_seen: dict[str, tuple[str, str, str]] = {}
    for v in nodes:
        attrs = graph.nodes[v]
        kinds_seen.setdefault(str(attrs.get("kind", "")),
                              (str(attrs.get("kind_label", "")), _color(attrs),
                               GROUP_MARKERS.get(str(attrs.get("group", "other")), "o")))
    relation_count: Counter[str] = Counter(str(d.get("label", ""))
                                           for _, _, d in graph.edges(data=True))
    colored = [lab for lab, _ in relation_count.most_common(len(_EDGE_PALETTE))]
    edge_color = {lab: _EDGE_PALETTE[i] for i, lab in enumerate(colored)}
    legend_rows = len(kinds_seen) + len(colored) + 4
    longest = max([len(x[0]) for x in kinds_seen.values()] + [len(c) for c in colored] + [8])
    legend_w = 0.6 + longest * font_size * 0.55 / 72
    margin, title_h = 0.25, (font_size + 10) / 72 + 0.2
    fig_w = content_w + legend_w + 3 * margin
    fig_h = max(content_h + title_h + 2 * margin, legend_rows * font_size * 1.9 / 72 + title_h,
                3.0)
    fig = _new_figure(fig_w, fig_h)
    ax = fig.add_axes((margin / fig_w, margin / fig_h, content_w / fig_w, content_h / fig_h))
    ax.set_xlim(float(lo[0]), float(hi[0]))
    ax.set_ylim(float(lo[1]), float(hi[1]))
    ax.set_axis_off()
    marker_pos = {v: (centers[i, 0], centers[i, 1] + half_h[i] - pad_h - marker_in / 2)
                  for i, v in enumerate(nodes)}
    # --- edges, coloured by relation (the most frequent relations get colours)
    pair_seen: Counter[tuple[str, str]] = Counter()
    marker_pt = marker_in * 72
    for u, v, data in sorted(graph.edges(data=True),
                             key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("label")))):
        if u == v:
            continue
        k = pair_seen[(u, v)] + pair_seen[(v, u)]
        pair_seen[(u, v)] += 1
        rad = 0.08 + 0.12 * k if k or graph.has_edge(v, u) else 0.0
        lab = str(data.get("label", ""))
        ev = max(int(data.get("evidence", 1)), 1)
        ax.add_patch(FancyArrowPatch(
            marker_pos[u], marker_pos[v], arrowstyle="-|>", mutation_scale=8,
            shrinkA=marker_pt * 0.8, shrinkB=marker_pt * 0.8,
            connectionstyle=f"arc3,rad={rad:.2f}", color=edge_color.get(lab, "#b2babb"),
            linewidth=0.7 + 0.5 * math.log2(ev), alpha=0.75, zorder=1))
    # --- nodes (marker by group, colour by kind) and their labels
    for i, v in enumerate(nodes):
        attrs = graph.nodes[v]
        marker = GROUP_MARKERS.get(str(attrs.get("group", "other")), "o")
        mx, my = marker_pos[v]
        ax.plot([mx], [my], marker=marker, markersize=marker_pt * (1.5 if marker == "*" else 1),
                color=_color(attrs), markeredgecolor="white", markeredgewidth=0.6,
                zorder=3, linestyle="none")
        ax.text(centers[i, 0], my - marker_in / 2 - pad_h / 2, labels[i], fontsize=font_size,
                ha="center", va="top", linespacing=1.1, zorder=4, color="#17202a",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                      "edgecolor": "none"})
    fig.text(margin / fig_w, 1 - 0.12 / fig_h, heading, ha="left", va="top",
             fontsize=font_size + 3, fontweight="bold")
    legend_x = 1 - margin / fig_w
    handles = [Line2D([], [], marker=m, color=c, linestyle="none", markersize=7,
                      label=lab or k) for k, (lab, c, m) in sorted(kinds_seen.items())]
    if handles:
        fig.legend(handles=handles, loc="upper right",
                   bbox_to_anchor=(legend_x, 1 - title_h / fig_h), fontsize=font_size,
                   title="kind", title_fontsize=font_size, frameon=False, alignment="left")
    edge_handles = [Line2D([], [], color=edge_color[lab], linewidth=1.6, label=lab)
                    for lab in colored]
    if len(relation_count) > len(colored):
        edge_handles.append(Line2D([], [], color="#b2babb", linewidth=1.6, label="other"))
    if edge_handles:
        fig.legend(handles=edge_handles, loc="lower right",
                   bbox_to_anchor=(legend_x, margin / fig_h), fontsize=font_size,
                   title="relation", title_fontsize=font_size, frameon=False,
                   alignment="left")
    fig.kg_overlaps = overlaps  # type: ignore[attr-defined]
    if overlaps:
        log.warning("%d label pairs still overlap; draw fewer nodes (article=..., a smaller"
                    " view)", overlaps)
    if path is not None:
        _save_figure(fig, Path(path), dpi=min(dpi, int(_MAX_PIXELS / max(fig_w, fig_h))))
    return fig


def _save_figure(fig: Figure, path: Path, *, dpi: int) -> None:
    from matplotlib import rc_context

    from kgbuild.core.files import write_atomic

    buffer = io.BytesIO()
    fmt = path.suffix.lower().lstrip(".")
    # no timestamps, no random SVG ids: the same graph gives the same file
    metadata: dict[str, Any] = {"png": {"Software": None}, "svg": {"Date": None},
                                "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})
    with rc_context({"svg.hashsalt": "kgbuild"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    write_atomic(path, buffer.getvalue())
