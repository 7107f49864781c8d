"""The look every kgbuild view shares: kinds of nodes, their colours, shapes and markers.

Also what the view, page, drawing and chart modules all need: readable names of RDF
terms (the ontology's labels), text cut to one line, the import of an optional viz
package with a hint to install it, and a matplotlib figure that needs no display.

>>> _clean("a\\n  b\\tc", limit=4)
'a b…'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from kgbuild.core.errors import KgbuildError
from kgbuild.core.namespaces import PREFIXES
from kgbuild.core.resources import data_dir

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    from matplotlib.figure import Figure

__all__ = ["GROUP_MARKERS", "GROUP_SHAPES", "KIND_COLORS"]

_VIZ_EXTRA = "pip install 'kgbuild[viz]'"


def _require(module: str, *, feature: str) -> Any:
    """Import an optional dependency or say how to install it."""
    try:
        return import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise KgbuildError(
            f"{feature} needs the optional package {package!r}, which is not installed",
            input=package,
            fix=_VIZ_EXTRA,
        ) from exc


def _new_figure(width: float, height: float) -> Figure:
    _require("matplotlib", feature="drawing")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=None)
    FigureCanvasAgg(fig)  # attaches itself: drawing never needs a display
    return fig


_ACTOR_KINDS = ("Country", "GovernmentBody", "ArmedForce", "Person",
                "InternationalOrganization", "Organization", "PopulationGroup")
_PLACE_KINDS = ("Region", "Settlement", "Route", "Landform", "Area", "Facility")
_EVENT_KINDS = ("Airstrike", "Attack", "MilitaryOperation", "CeasefireViolation",
                "TerritorialCapture", "Destruction", "Mobilization", "Deployment", "War")
# Checked in this order: the first class a node has decides its kind and group.
_KIND_ORDER: tuple[tuple[str, str], ...] = (
    ("Article", "article"),
    ("Mention", "mention"),
    ("CasualtyClaim", "claim"),
    ("Statement", "statement"),
    ("Contradiction", "other"),
    ("Agreement", "agreement"),
    ("Post", "post"),
    *((k, "event") for k in _EVENT_KINDS),
    ("Event", "event"),
    *((k, "actor") for k in _ACTOR_KINDS),
    *((k, "place") for k in _PLACE_KINDS),
    ("Actor", "actor"),
    ("Place", "place"),
)

#: Node colour by kind; kinds of one group share a hue family.
KIND_COLORS: dict[str, str] = {
    # actors: blues, purples, reds
    "Country": "#1f5fa8", "GovernmentBody": "#4c9be8", "ArmedForce": "#c0392b",
    "Person": "#8e44ad", "InternationalOrganization": "#16a2b8", "Organization": "#5d6d7e",
    "PopulationGroup": "#b7950b", "Actor": "#2e86c1",
    # places: greens and browns
    "Region": "#239b56", "Settlement": "#58d68d", "Route": "#935116", "Landform": "#a0785a",
    "Area": "#7dcea0", "Facility": "#4d5656", "Place": "#27ae60",
    # events: oranges
    "Attack": "#e67e22", "Airstrike": "#d35400", "MilitaryOperation": "#f39c12",
    "CeasefireViolation": "#f5b041", "TerritorialCapture": "#ba4a00",
    "Destruction": "#873600", "Mobilization": "#f8c471", "Deployment": "#dc7633",
    "War": "#6e2c00", "Event": "#eb984e",
    # statements, claims and the rest
    "Statement": "#d63384", "CasualtyClaim": "#a61e4d", "Contradiction": "#ff0054",
    "Agreement": "#6c5ce7", "Post": "#bb8fce", "Article": "#34495e", "Mention": "#bfc9ca",
}
_GROUP_COLORS = {"concept": "#95a5a6", "other": "#aab7b8"}
#: vis-network shape by group (labels stay outside these shapes).
GROUP_SHAPES: dict[str, str] = {
    "actor": "dot", "place": "square", "event": "diamond", "statement": "triangle",
    "claim": "star", "agreement": "hexagon", "article": "triangleDown", "post": "dot",
    "mention": "dot", "concept": "dot", "other": "dot",
}
#: matplotlib marker by group, matching :data:`GROUP_SHAPES`.
GROUP_MARKERS: dict[str, str] = {
    "actor": "o", "place": "s", "event": "D", "statement": "^", "claim": "*",
    "agreement": "h", "article": "v", "post": "p", "mention": ".", "concept": ".",
    "other": ".",
}


def _color(attrs: Mapping[str, Any]) -> str:
    return KIND_COLORS.get(attrs.get("kind", ""), _GROUP_COLORS.get(attrs.get("group", ""),
                                                                     "#aab7b8"))


@lru_cache(maxsize=1)
def _ontology_labels() -> dict[str, str]:
    """English labels of the ontology's classes, properties and vocabulary concepts."""
    labels: dict[str, str] = {}
    folder = data_dir("ontology")
    g = Graph()
    for name in ("kgbuild.ttl", "vocab.ttl"):
        path = folder / name
        if path.is_file():
            g.parse(path, format="turtle")
    for prop in (SKOS.prefLabel, RDFS.label):
        for s, o in g.subject_objects(prop):
            if isinstance(o, Literal) and o.language in (None, "en"):
                labels.setdefault(str(s), str(o))
    return labels


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def _short(iri: str) -> str:
    best, prefix = "", ""
    for name, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, prefix = namespace, name
    return f"{prefix}:{iri[len(best):]}" if best else iri


def _readable(iri: Node) -> str:
    """A term's label from the ontology, else its local name split into words."""
    text = str(iri)
    found = _ontology_labels().get(text)
    if found:
        return found
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local_name(text))
    return words.replace("-", " ").replace("_", " ").lower()


def _clean(text: str, *, limit: int | None = None) -> str:
    """One line of text: control characters and runs of white space become one space."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text
