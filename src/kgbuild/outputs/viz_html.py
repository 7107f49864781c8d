"""The interactive page of a view: vis-network through pyvis, every script in line.

:func:`to_html` writes a standalone page that loads nothing from the network, so it
works offline and survives exporting a notebook to HTML; :func:`show` wraps it in a
:class:`GraphView` that Jupyter shows in an ``<iframe srcdoc>``;
:func:`remote_resources` lists what a page would still fetch.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgbuild.core.errors import KgbuildError
from kgbuild.outputs.viz_style import GROUP_SHAPES, _clean, _color, _require

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx

__all__ = ["GraphView", "remote_resources", "show", "to_html"]

# Tags that make a browser fetch something: a remote src/href on these is a request.
_RESOURCE_TAG = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|image|use)\b[^>]*?"
    r"\b(?:src|href|data|srcset|xlink:href)\s*=\s*[\"']?\s*(?:https?:)?//[^\s\"'>]*",
    re.IGNORECASE,
)
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script\s*>", re.IGNORECASE)
_REMOTE_LINK = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_CSS_REMOTE = re.compile(r"(?:url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"'](?:https?:)?//)",
                         re.IGNORECASE)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def remote_resources(page: str) -> list[str]:
    """The remote resources an HTML page would load: tags with remote ``src``/``href``
    and remote ``url(...)``/``@import`` in its style blocks.

    Text inside scripts (data, licence comments, the SVG namespace) is not a resource.

    >>> remote_resources('<script src="https://cdn.example/x.js"></script><p>https://a</p>')
    ['<script src="https://cdn.example/x.js']
    """
    found = [m.group(0)[:200] for m in _RESOURCE_TAG.finditer(page)]
    for block in _STYLE_BLOCK.finditer(page):
        found += [m.group(0) for m in _CSS_REMOTE.finditer(block.group(1))]
    return found


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _tooltip_lines(sentences: Sequence[Sequence[str]], *, most: int = 6) -> list[str]:
    lines = [f"\u2022 [{article}] {_clean(text, limit=400)}"
             for article, text in list(sentences)[:most]]
    if len(sentences) > most:
        lines.append(f"\u2026 and {len(sentences) - most} more")
    return lines


def _node_tooltip(attrs: Mapping[str, Any], degree: int) -> str:
    lines = [_clean(str(attrs.get("label", "")), limit=300)]
    n = attrs.get("n_articles", 0)
    facts = [str(attrs.get("kind_label", "")), f"{n} article{'s' if n != 1 else ''}",
             f"{degree} link{'s' if degree != 1 else ''}"]
    lines.append(" \u00b7 ".join(f for f in facts if f))
    if attrs.get("kb"):
        lines.append(f"KB: {attrs['kb']}")
    if attrs.get("articles"):
        lines.append("Articles: " + ", ".join(attrs["articles"]))
    lines.append(f"IRI: {attrs.get('iri', '')}")
    sentences = attrs.get("sentences") or []
    if sentences:
        lines.append("Evidence:")
        lines += _tooltip_lines(sentences)
    return "\n".join(lines)


def _edge_tooltip(source: str, target: str, edges: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"{_clean(source, limit=80)} \u2192 {_clean(target, limit=80)}"]
    for data in edges:
        ev = data.get("evidence", 1)
        lines.append(f"{data.get('label', '')} ({ev} piece{'s' if ev != 1 else ''} of evidence)")
        lines += _tooltip_lines(data.get("sentences") or [], most=4)
        if not data.get("sentences") and data.get("articles"):
            lines.append("Stated in: " + ", ".join(data["articles"]))
    return "\n".join(lines)


_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1b2631; }
#kg-header { padding: 8px 12px; border-bottom: 1px solid #d5d8dc; }
#kg-header h1 { font-size: 18px; margin: 0 0 4px 0; }
#kg-header .kg-meta { font-size: 12px; color: #566573; }
#kg-controls { font-size: 12px; padding: 6px 12px; display: flex; flex-wrap: wrap;
               gap: 4px 14px; align-items: center; border-bottom: 1px solid #eaecee; }
#kg-controls label { cursor: pointer; white-space: nowrap; }
.kg-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
             margin: 0 3px 0 2px; vertical-align: middle; }
#mynetwork { float: none !important; border: 0 !important; }
.card { border: 0; }
div.vis-tooltip { white-space: pre-wrap !important; max-width: 520px; font-size: 12px;
                  line-height: 1.35; font-family: inherit; }
#kg-details { font-size: 12px; padding: 8px 12px; white-space: pre-wrap;
              border-top: 1px solid #d5d8dc; min-height: 2em; color: #283747; }
"""

_PAGE_JS = """
(function () {
  var legend = %(legend)s;
  var articles = %(articles)s;
  var hiddenKinds = {};
  var onlyArticle = "";
  var controls = document.getElementById("kg-controls");
  function apply() {
    var updates = [];
    nodes.forEach(function (n) {
      var hide = !!hiddenKinds[n.kgKind] ||
        (onlyArticle !== "" && (n.kgArticles || []).indexOf(onlyArticle) < 0);
      if (!!n.hidden !== hide) { updates.push({id: n.id, hidden: hide}); }
    });
    if (updates.length) { nodes.update(updates); }
  }
  legend.forEach(function (item) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () {
      hiddenKinds[item.kind] = !box.checked; apply();
    });
    var swatch = document.createElement("span");
    swatch.className = "kg-swatch"; swatch.style.background = item.color;
    label.appendChild(box); label.appendChild(swatch);
    label.appendChild(document.createTextNode(item.text + " (" + item.count + ")"));
    controls.appendChild(label);
  });
  if (articles.length > 1) {
    var select = document.createElement("select");
    var all = document.createElement("option");
    all.value = ""; all.textContent = "all articles"; select.appendChild(all);
    articles.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name; option.textContent = name; select.appendChild(option);
    });
    select.addEventListener("change", function () { onlyArticle = select.value; apply(); });
    var wrap = document.createElement("label");
    wrap.appendChild(document.createTextNode("article: "));
    wrap.appendChild(select);
    controls.appendChild(wrap);
  }
  var details = document.getElementById("kg-details");
  network.on("click", function (params) {
    var text = "";
    if (params.nodes.length) { text = nodes.get(params.nodes[0]).title || ""; }
    else if (params.edges.length) { text = edges.get(params.edges[0]).title || ""; }
    details.textContent = text || "Click a node or an edge to read the evidence behind it.";
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    network.fit();
    document.body.setAttribute("data-kg-ready", "1");
  });
  window.kgReady = function () { return document.body.getAttribute("data-kg-ready") === "1"; };
})();
"""


def _vis_options(n_nodes: int) -> dict[str, Any]:
    return {
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -45, "centralGravity": 0.012,
                                 "springLength": 90, "springConstant": 0.06,
                                 "avoidOverlap": 0.5},
            "stabilization": {"enabled": True, "iterations": min(1000, 200 + 4 * n_nodes),
                              "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False,
                        "multiselect": False},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"},
                  "font": {"size": 13, "color": "#566573", "strokeWidth": 3,
                           "align": "middle"},
                  "color": {"color": "#95a5a6", "highlight": "#1b2631", "hover": "#34495e"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {"font": {"size": 20, "face": "system-ui, sans-serif",
                           "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
    }


def to_html(graph: nx.MultiDiGraph, *, title: str | None = None,
            height: str = "720px", edge_labels: bool = True) -> str:
    """Render a view as a standalone interactive HTML page that works offline.

    The page is made with pyvis (``cdn_resources="in_line"``): vis-network's script and
    style are in the page; pyvis's remaining CDN ``<script>``/``<link>`` tags (Bootstrap)
    are removed, and the page is checked to load nothing from the network. Nodes are
    coloured by kind and shaped by group; hovering shows the label, kind, articles, KB
    link and evidence sentences; clicking shows them below the graph; check boxes hide
    kinds and a menu keeps one article. Labels and tooltips are never parsed as HTML:
    the data is JSON with ``<``, ``>`` and ``&`` escaped, and tooltips are set as text.

    Args:
        graph: a view from :func:`to_networkx`.
        title: the page's heading (default: the view's name and size).
        height: CSS height of the drawing area.
        edge_labels: write the edge labels along the edges.

    Returns:
        The page, as text.

    Raises:
        kgbuild.core.errors.KgbuildError: pyvis is not installed, or the page would still
            load something from the network (a pyvis version kgbuild does not know).
    """
    network_mod = _require("pyvis.network", feature="the interactive view")
    view = graph.graph.get("view", "graph")
    article = graph.graph.get("article")
    heading = title or (f"kgbuild: {view} view" + (f" of {article}" if article else ""))
    net = network_mod.Network(height=height, width="100%", directed=True,
                              cdn_resources="in_line", heading="")
    degree = dict(graph.degree())
    top = max(degree.values(), default=1) or 1
    kinds: Counter[str] = Counter()
    kind_info: dict[str, tuple[str, str]] = {}
    all_articles: set[str] = set()
    for node, attrs in graph.nodes(data=True):
        kind = str(attrs.get("kind", ""))
        kinds[kind] += 1
        kind_info[kind] = (str(attrs.get("kind_label", kind)), _color(attrs))
        all_articles.update(attrs.get("articles") or [])
        # pyvis switches to an innerHTML popup when a title contains "href"; a word
        # joiner keeps tooltips on vis-network's text-only path.
        tooltip = _node_tooltip(attrs, degree.get(node, 0)).replace("href", "hre\u2060f")
        net.add_node(
            str(node),
            label=_clean(str(attrs.get("label", node)), limit=42),
            title=tooltip,
            color=_color(attrs),
            shape=GROUP_SHAPES.get(str(attrs.get("group", "")), "dot"),
            size=10 + 18 * math.sqrt(degree.get(node, 0) / top),
            kgKind=kind,
            kgArticles=list(attrs.get("articles") or []),
        )
    merged: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for source, target, data in graph.edges(data=True):
        merged[(str(source), str(target))].append(data)
    for (source, target), datas in sorted(merged.items()):
        label = "; ".join(str(d.get("label", "")) for d in datas)
        evidence = sum(int(d.get("evidence", 1)) for d in datas)
        options: dict[str, Any] = {
            "title": _edge_tooltip(str(graph.nodes[source].get("label", source)),
                                   str(graph.nodes[target].get("label", target)), datas),
            "width": 1 + 1.5 * math.log2(evidence),
        }
        if edge_labels:
            options["label"] = _clean(label, limit=48)
        # pyvis refuses a second edge between the same pair, so parallel edges were merged.
        net.add_edge(source, target, **options)
    net.set_options(json.dumps(_vis_options(graph.number_of_nodes())))
    page = net.generate_html(notebook=False)
    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_LINK.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    legend = [{"kind": k, "text": kind_info[k][0], "color": kind_info[k][1], "count": kinds[k]}
              for k in sorted(kinds, key=lambda k: (-kinds[k], k))]
    meta = (f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
            f"{' from ' + str(len(all_articles)) + ' articles' if all_articles else ''}."
            " Hover for evidence, click to pin it below, drag to move, scroll to zoom.")
    header = (f'<div id="kg-header"><h1>{html.escape(heading)}</h1>'
              f'<div class="kg-meta">{html.escape(meta)}</div></div>'
              '<div id="kg-controls"></div>')
    script = _PAGE_JS % {"legend": _script_json(legend),
                         "articles": _script_json(sorted(all_articles))}
    page = page.replace("<head>", f"<head>\n<title>{html.escape(heading)}</title>"
                        f'\n<meta name="viewport" content="width=device-width">', 1)
    page = page.replace("</head>", f"<style>{_PAGE_CSS}</style>\n</head>", 1)
    page = page.replace("<body>", f"<body>\n{header}", 1)
    tail = ('<div id="kg-details">Click a node or an edge to read the evidence behind it.'
            f"</div>\n<script>{script}</script>\n</body>")
    head, sep, rest = page.rpartition("</body>")
    if not sep:
        raise KgbuildError("pyvis wrote a page without </body>", input="pyvis",
                           fix="install a pyvis 0.3.x release: pip install 'pyvis>=0.3,<0.4'")
    page = head + tail + rest
    remote = remote_resources(page)
    if remote:
        raise KgbuildError(
            f"the interactive page would still load {len(remote)} resource(s) from the "
            f"network: {remote[:3]}",
            input="pyvis",
            fix="install a pyvis 0.3.x release: pip install 'pyvis>=0.3,<0.4'",
        )
    return page


class GraphView:
    """An interactive view for Jupyter: shows itself in an ``<iframe srcdoc>``.

    The page is inside the notebook output (no file, no server, no CDN), so the view
    still works after the notebook is exported to HTML.

    Attributes:
        html: the standalone page (:func:`to_html`).
        height: the frame's height in pixels.
    """

    def __init__(self, page: str, *, height: int = 780) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #d5d8dc" '
                'sandbox="allow-scripts" title="kgbuild graph view"></iframe>')

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the standalone page to ``path`` (atomically) and return the path."""
        from kgbuild.core.files import write_atomic

        target = Path(path)
        write_atomic(target, self.html.encode("utf-8"))
        return target

    def __repr__(self) -> str:
        return f"<GraphView {len(self.html)} characters of HTML>"


def show(graph: nx.MultiDiGraph, *, title: str | None = None, height: int = 720,
         edge_labels: bool = True) -> GraphView:
    """Make an interactive view for a notebook (the last expression of a cell shows it).

    Args:
        graph: a view from :func:`to_networkx`.
        title: the heading shown above the graph.
        height: height of the drawing area, in pixels.
        edge_labels: write the edge labels along the edges.

    Returns:
        A :class:`GraphView`; ``.save("graph.html")`` writes the page.
    """
    page = to_html(graph, title=title, height=f"{int(height)}px", edge_labels=edge_labels)
    return GraphView(page, height=int(height) + 190)
