"""Tables and charts for notebooks: query results as dataframes, a timeline, casualties.

:func:`to_dataframe` turns query rows into a pandas ``DataFrame``;
:func:`timeline_figure` and :func:`casualty_figure` draw the charts of
``notebooks/explore.ipynb`` from the shipped ``timeline`` and ``casualties`` queries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kgbuild.core.namespaces import KG
from kgbuild.outputs.viz_style import (
    KIND_COLORS,
    _clean,
    _local_name,
    _new_figure,
    _readable,
    _require,
    _short,
)

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    from matplotlib.figure import Figure

__all__ = ["casualty_figure", "resolve_query_text", "timeline_figure", "to_dataframe"]

_NUMERIC = re.compile(r"#(?:integer|decimal|double|float|nonNegativeInteger|int|long|short|"
                      r"positiveInteger|unsignedInt|boolean)$")


def _cell(value: Node | None, shorten: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        if value.datatype is not None and _NUMERIC.search(str(value.datatype)):
            python = value.toPython()
            if isinstance(python, (int, float, bool)):
                return python
            try:
                return float(python)
            except (TypeError, ValueError):
                return str(value)
        return str(value)
    text = str(value)
    return _short(text) if shorten and isinstance(value, URIRef) else text


def to_dataframe(result: Any, *, shorten: bool = False) -> Any:
    """Turn a :class:`kgbuild.query.QueryResult` into a pandas ``DataFrame``.

    Numbers become Python numbers; IRIs, dates and other literals become strings
    (dates of mixed precision such as ``2020`` and ``2022-08-03`` stay comparable);
    unbound values become ``None``.

    Args:
        result: the rows (``kg.query(...)``).
        shorten: write IRIs with kgbuild's prefixes (``kgr:event/…``).

    Returns:
        One column per query variable, one row per solution.

    Raises:
        kgbuild.core.errors.KgbuildError: pandas is not installed.

    >>> from kgbuild.query import QueryResult
    >>> from rdflib import Literal, URIRef
    >>> r = QueryResult(vars=("s", "n"), rows=((URIRef("https://w3id.org/kgbuild/id/x"),
    ...                                           Literal(3)),))
    >>> to_dataframe(r, shorten=True).to_dict("records")
    [{'s': 'kgr:x', 'n': 3}]
    """
    pd = _require("pandas", feature="query_df")
    columns = list(result.vars)
    rows = [[_cell(v, shorten) for v in row] for row in result.rows]
    return pd.DataFrame(rows, columns=columns)


_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.rq)?$")


def resolve_query_text(query: str) -> str:
    """A shipped query's text when ``query`` is a bare name (``"events"``), else ``query``."""
    if _QUERY_NAME.match(query.strip()):
        from kgbuild.query import named_query

        return named_query(query.strip()).read_text(encoding="utf-8")
    return query


def _query_rows(data: Dataset | Graph, name: str) -> list[dict[str, Any]]:
    """The rows of a shipped query: variable name -> term, ``None`` when unbound."""
    from kgbuild.query import run_named_query

    return run_named_query(data, name, timeout=60).to_dicts()


def _date_span(value: str) -> tuple[date, date] | None:
    """The first and last day an ISO date, year-month or year stands for."""
    m = re.fullmatch(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip()[:10])
    if not m:
        return None
    year = int(m.group(1))
    if m.group(3):
        day = date(year, int(m.group(2)), int(m.group(3)))
        return day, day
    if m.group(2):
        month = int(m.group(2))
        last = date(year + (month == 12), month % 12 + 1, 1)
        return date(year, month, 1), date.fromordinal(last.toordinal() - 1)
    return date(year, 1, 1), date(year, 12, 31)


def _plain_axes(ax: Any) -> None:
    """Light vertical grid lines behind the data, no frame on the top and right."""
    ax.grid(axis="x", color="#eaecee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def timeline_figure(data: Dataset | Graph, *, width: float = 11.0) -> Figure:
    """A timeline of the dated events: a dot for a day, a bar for a month or a year.

    Events whose date is not known are counted in the title, not drawn.

    Args:
        data: the graph (the shipped ``timeline`` query reads it).
        width: figure width in inches.

    Returns:
        The matplotlib ``Figure``.
    """
    rows: dict[str, dict[str, Any]] = {}
    undated = set()
    for row in _query_rows(data, "timeline"):
        event = str(row["event"])
        span = _date_span(str(row["date"])) if row.get("date") is not None else None
        if span is None:
            undated.add(event)
            continue
        kind = _local_name(str(row["kind"])) if row.get("kind") is not None else "Event"
        place = str(row["place"]) if row.get("place") is not None else ""
        entry = rows.setdefault(event, {"span": span, "kind": kind, "places": set(),
                                        "label": _clean(str(row.get("label")
                                                            or _readable(KG[kind]))),
                                        "date": str(row["date"])})
        if place:
            entry["places"].add(place)
    undated -= set(rows)
    items = sorted(rows.values(), key=lambda e: (e["span"][0], e["span"][1], e["label"]))
    height = max(3.0, 0.42 * len(items) + 1.6)
    fig = _new_figure(width, height)
    ax = fig.add_axes((0.36, 0.14, 0.6, 0.76))
    mdates = _require("matplotlib.dates", feature="the timeline")

    for i, e in enumerate(items):
        start, end = e["span"]
        color = KIND_COLORS.get(e["kind"], KIND_COLORS["Event"])
        y = len(items) - 1 - i
        if start == end:
            ax.plot([mdates.date2num(start)], [y], "o", color=color, markersize=8)
        else:
            ax.barh(y, mdates.date2num(end) - mdates.date2num(start) + 1,
                    left=mdates.date2num(start), height=0.5, color=color, alpha=0.75)
        ax.text(mdates.date2num(end) + 8, y, e["date"], va="center", fontsize=8,
                color="#566573")
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_clean(f"{e['label']}" + (f" \u2014 {', '.join(sorted(e['places']))}"
                                                   if e["places"] else ""), limit=60)
                        for e in reversed(items)], fontsize=9)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    _plain_axes(ax)
    if items:
        lo = min(mdates.date2num(e["span"][0]) for e in items)
        hi = max(mdates.date2num(e["span"][1]) for e in items)
        pad = max(30.0, (hi - lo) * 0.08)
        ax.set_xlim(lo - pad, hi + pad * 2.5)
    else:
        ax.text(0.5, 0.5, "no dated events", transform=ax.transAxes, ha="center")
    fig.suptitle(f"Timeline of events ({len(items)} dated"
                 + (f", {len(undated)} undated not shown" if undated else "") + ")",
                 x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.text(0.01, 0.02, "dot: a day; bar: the month or year the article gives",
             fontsize=8, color="#566573")
    return fig


def casualty_figure(data: Dataset | Graph, *, width: float = 11.0) -> Figure:
    """Compare the casualty figures that different sources give, side by side.

    One group of bars per side and outcome (``Armed Forces of Mali, killed``), one
    bar per source; each bar is labelled with the figure as written and its qualifier
    (``at least``). A figure without a number (``several``) is a hatched stub.

    Args:
        data: the graph (the shipped ``casualties`` query reads it).
        width: figure width in inches.

    Returns:
        The matplotlib ``Figure``.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in _query_rows(data, "casualties"):
        victim = str(row["victim"]) if row.get("victim") is not None else "(side not given)"
        outcome = _readable(row["outcome"]) if row.get("outcome") is not None else "?"
        count = row.get("count")
        groups[(victim, outcome)].append({
            "source": _clean(str(row.get("source") or "(unknown source)"), limit=48),
            "count": int(count) if count is not None else None,
            "qualifier": _readable(row["qualifier"]) if row.get("qualifier") is not None
            else "",
        })
    keys = sorted(groups)
    sources = sorted({c["source"] for k in keys for c in groups[k]})
    palette = ("#2471a3", "#c0392b", "#229954", "#d68910", "#7d3c98", "#17a589", "#a04000",
               "#5d6d7e")
    colors = {s: palette[i % len(palette)] for i, s in enumerate(sources)}
    n_bars = sum(len(groups[k]) for k in keys)
    fig = _new_figure(width, max(3.0, 0.38 * n_bars + 0.5 * len(keys) + 1.6))
    ax = fig.add_axes((0.3, 0.1, 0.45, 0.8))
    y = 0.0
    ticks, tick_labels = [], []
    top = max((c["count"] or 0 for k in keys for c in groups[k]), default=1) or 1
    for key in keys:
        claims = sorted(groups[key], key=lambda c: (c["source"], c["count"] or -1))
        start = y
        for c in claims:
            value = c["count"] if c["count"] is not None else top * 0.04
            ax.barh(y, value, height=0.8, color=colors[c["source"]],
                    hatch="//" if c["count"] is None else None,
                    alpha=0.55 if c["count"] is None else 0.9, edgecolor="white")
            shown = "several" if c["count"] is None else str(c["count"])
            if c["qualifier"] == "none":
                shown = "none (0)"
            elif c["qualifier"] and c["qualifier"] not in ("exact", "several"):
                shown = f"{c['qualifier']} {shown}"
            ax.text(value + top * 0.02, y, shown, va="center", fontsize=9)
            y += 1
        ticks.append((start + y - 1) / 2)
        tick_labels.append(f"{key[0]}\n{key[1]}")
        y += 0.8
    ax.set_yticks(ticks)
    ax.set_yticklabels(tick_labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel("people (as reported)")
    _plain_axes(ax)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colors[s], label=s) for s in sources], title="source",
              loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)
    if not keys:
        ax.text(0.5, 0.5, "no casualty claims", transform=ax.transAxes, ha="center")
    fig.suptitle("Casualty figures by source", x=0.01, ha="left", fontsize=12,
                 fontweight="bold")
    return fig
