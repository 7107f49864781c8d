"""Where the nodes of a static drawing go: a deterministic layout, then no label overlaps.

Each connected part of a view is laid out on its own by stress majorisation (graph
distance becomes drawn distance, as in Graphviz's neato) or, for big parts, by springs;
the parts are packed in rows (:func:`_component_layout`). :func:`_spread` then pushes
the label boxes apart until none overlap, and :func:`_overlapping_pairs` counts any
that still do. :mod:`kgbuild.outputs.viz_draw` draws the result.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kgbuild.outputs.viz_style import _require

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx


_STRESS_LIMIT = 160  # stress majorisation works on n x n matrices; bigger parts use springs


def _stress_layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Stress majorisation (as Graphviz's neato): graph distances become drawn distances.

    Starts from classical multidimensional scaling, so the result is the same every
    time; groups of nodes that are far apart in the graph are far apart in the picture.
    """
    np = _require("numpy", feature="drawing")
    nx = _require("networkx", feature="drawing")
    nodes = sorted(graph.nodes)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    dist = np.full((n, n), float(n))
    for source, lengths in nx.all_pairs_shortest_path_length(graph):
        for target, length in lengths.items():
            dist[index[source], index[target]] = float(length)
    np.fill_diagonal(dist, 0.0)
    # classical MDS start
    sq = dist ** 2
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    values, vectors = np.linalg.eigh(-0.5 * centre @ sq @ centre)
    order = np.argsort(values)[::-1][:2]
    x = vectors[:, order] * np.sqrt(np.maximum(values[order], 1e-9))
    for k in range(2):  # eigenvectors have no sign of their own: fix one
        if x[np.argmax(np.abs(x[:, k])), k] < 0:
            x[:, k] = -x[:, k]
    x += np.outer(np.arange(n) % 7 - 3, [1e-3, -1e-3])  # no two identical starts
    with np.errstate(divide="ignore"):
        weights = np.where(dist > 0, dist ** -2.0, 0.0)
    lap = -weights.copy()
    np.fill_diagonal(lap, weights.sum(axis=1))
    lap_inv = np.linalg.pinv(lap)
    previous = math.inf
    for _ in range(300):
        diff = x[:, None, :] - x[None, :, :]
        drawn = np.sqrt((diff ** 2).sum(axis=2))
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(drawn > 1e-9, -weights * dist / drawn, 0.0)
        np.fill_diagonal(b, 0.0)
        np.fill_diagonal(b, -b.sum(axis=1))
        x = lap_inv @ (b @ x)
        stress = float((weights * (drawn - dist) ** 2).sum())
        if previous - stress < 1e-5 * max(previous, 1e-9):
            break
        previous = stress
    return {v: (float(x[i, 0]), float(x[i, 1])) for i, v in enumerate(nodes)}


def _component_layout(graph: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    """Lay out each connected part on its own, then pack the parts in rows.

    Separate parts never overlap, and big parts get more room than small ones.
    """
    nx = _require("networkx", feature="drawing")
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    parts = sorted((sorted(c) for c in nx.connected_components(simple)),
                   key=lambda c: (-len(c), c[0]))
    boxes: list[tuple[list[str], dict[str, tuple[float, float]], float]] = []
    singles = [c[0] for c in parts if len(c) == 1]
    for part in parts:
        if len(part) == 1:
            continue
        sub = simple.subgraph(part)
        size = math.sqrt(len(part))
        if len(part) == 2:
            raw = {part[0]: (-0.5, 0.0), part[1]: (0.5, 0.0)}
        elif len(part) <= _STRESS_LIMIT:
            raw = _stress_layout(sub)
        else:
            start = nx.circular_layout(sorted(sub.nodes))
            raw = nx.spring_layout(sub, pos=start, seed=seed, iterations=300,
                                   k=1.4 / math.sqrt(len(part)), weight=None)
        xs = [p[0] for p in raw.values()]
        ys = [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        pos = {n: ((float(p[0]) - cx) / span * size, (float(p[1]) - cy) / span * size)
               for n, p in raw.items()}
        boxes.append((part, pos, size))
    if singles:  # isolated nodes go in a grid of their own
        cols = max(1, math.ceil(math.sqrt(len(singles) * 2)))
        rows = math.ceil(len(singles) / cols)
        size = max(cols, rows) * 0.55
        pos = {n: ((i % cols) * 0.55 - (cols - 1) * 0.275, -(i // cols) * 0.55
                   + (rows - 1) * 0.275) for i, n in enumerate(singles)}
        boxes.append((singles, pos, size))
    # shelf packing by the parts' real extents: rows about as wide as the drawing is tall
    extents = []
    for _, pos, _ in boxes:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        extents.append((min(xs), max(ys), max(max(xs) - min(xs), 0.5),
                        max(max(ys) - min(ys), 0.5)))
    row_width = max(max((e[2] for e in extents), default=1.0),
                    1.3 * math.sqrt(sum(e[2] * e[3] for e in extents)))
    placed: dict[str, tuple[float, float]] = {}
    x = y = 0.0
    row_height = 0.0
    gap = 0.6
    for (_, pos, _), (left, top, w, h) in zip(boxes, extents, strict=True):
        if x > 0 and x + w > row_width:
            x, y = 0.0, y - row_height - gap
            row_height = 0.0
        for n, (px, py) in pos.items():
            placed[n] = (x + px - left, y + py - top)
        x += w + gap
        row_height = max(row_height, h)
    return placed


def _spread(centers: Any, half_w: Any, half_h: Any, *, iterations: int = 2000) -> Any:
    """Move rectangles apart until none overlap (or ``iterations`` runs out).

    Each overlapping pair is pushed apart along the axis where it overlaps least, half
    the overlap each. There are no walls: the picture grows to what the labels need.
    """
    np = _require("numpy", feature="drawing")
    pos = np.array(centers, dtype=float)
    n = len(pos)
    if n < 2:
        return pos
    index = np.arange(n)
    tie = np.sign(index[:, None] - index[None, :])  # identical centres still separate
    sum_w = half_w[:, None] + half_w[None, :]
    sum_h = half_h[:, None] + half_h[None, :]
    eps = 1e-3
    for _ in range(iterations):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        ox = sum_w - np.abs(dx)
        oy = sum_h - np.abs(dy)
        overlap = (ox > 0) & (oy > 0)
        np.fill_diagonal(overlap, False)
        if not overlap.any():
            break
        sx = np.where(dx == 0, tie, np.sign(dx))
        sy = np.where(dy == 0, tie, np.sign(dy))
        pos[:, 0] += np.where(overlap & (ox <= oy), (ox / 2 + eps) * sx, 0.0).sum(axis=1)
        pos[:, 1] += np.where(overlap & (ox > oy), (oy / 2 + eps) * sy, 0.0).sum(axis=1)
    return pos


def _overlapping_pairs(centers: Any, half_w: Any, half_h: Any) -> int:
    np = _require("numpy", feature="drawing")
    dx = np.abs(centers[:, None, 0] - centers[None, :, 0])
    dy = np.abs(centers[:, None, 1] - centers[None, :, 1])
    overlap = ((half_w[:, None] + half_w[None, :]) - dx > 1e-9) & (
        (half_h[:, None] + half_h[None, :]) - dy > 1e-9)
    np.fill_diagonal(overlap, False)
    return int(overlap.sum() // 2)
