"""Write a kgbuild graph to files: sorted Turtle/TriG/N-Quads/N-Triples, compact JSON-LD, GraphML.

Every writer is deterministic and diff-friendly: the same graph gives the same
bytes whatever the order its triples were added in, and a small change to the
graph gives a small change to the file.

- **Turtle / TriG**: subjects sorted by IRI (blank nodes last), ``rdf:type``
  first then predicates and objects sorted, one object per line; TriG writes
  the default graph first, then the named graphs sorted by name.  Turtle
  writes the union of all graphs.
- **N-Quads / N-Triples**: one sorted, de-duplicated line per quad or triple.
- **JSON-LD**: compacted with kgbuild's published context
  (``ontology/context.jsonld``), which is written inline as the document's
  ``@context`` so the file is read back without any network access; nodes
  sorted by ``@id``, one ``@graph`` object per named graph.
- **GraphML** (for Gephi, through networkx): a directed multigraph over the
  union of all graphs.  Nodes are the described resources (entities, events,
  claims, statements, agreements, articles), with the attributes ``label``,
  ``kind`` (the most specific class; the first by name when there are several),
  ``types``, ``iri``, ``mentions`` (how
  many text mentions denote it) and one attribute per literal property
  (``count``, ``quote``, ``date``...).  Edges are the links between them, with
  the attributes ``predicate`` (a prefixed name such as ``kg:agent``) and
  ``label`` (the property's label in the ontology).  Mentions are left out
  unless asked for; GraphML cannot be read back as RDF.

>>> from rdflib import Graph, Literal, URIRef
>>> from rdflib.namespace import RDFS
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/kgbuild/id/x"), RDFS.label, Literal("X")))
>>> print(serialize(g, format="json-ld").decode().splitlines()[-7:-1])
['  "@graph": [', '    {', '      "@id": "kgr:x",', '      "label": "X"', '    }', '  ]']
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SKOS, XSD, NamespaceManager
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kgbuild.core.errors import InputError, RDFInputError
from kgbuild.core.namespaces import GAF, KG, NIF, PREFIXES, SCHEMA
from kgbuild.core.oxterms import INTEGER_DERIVED
from kgbuild.core.resources import data_dir
from kgbuild.outputs.turtle_writer import write_trig, write_turtle

__all__ = [
    "EXPORT_FORMATS",
    "context_path",
    "load_context",
    "serialize",
    "serialize_graphs",
    "to_graphml",
    "to_jsonld",
    "to_networkx",
]

#: Formats :func:`serialize_graphs` writes straight from (graph IRI, triples) pairs.
QUAD_FORMATS: frozenset[str] = frozenset({"nquads", "nt"})

#: The formats :func:`serialize` writes (rdflib's format names, plus ``graphml``).
EXPORT_FORMATS: tuple[str, ...] = ("trig", "turtle", "nquads", "nt", "json-ld", "graphml")

Triple = tuple[Node, Node, Node]

# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def serialize(dataset: Dataset | Graph, *, format: str) -> bytes:
    """Serialise a graph deterministically.

    Args:
        dataset: the graph; a dataset keeps its named graphs in TriG, N-Quads and
            JSON-LD, and is merged into one graph for Turtle, N-Triples and GraphML.
        format: one of :data:`EXPORT_FORMATS`.

    Returns:
        The UTF-8 bytes of the file.

    Raises:
        InputError: for an unknown format.
        RDFInputError: the graph holds an IRI that no RDF syntax can write (a
            space in it...).

    >>> from rdflib import Graph, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:x:b"), URIRef("urn:x:p"), URIRef("urn:x:c")))
    >>> _ = g.add((URIRef("urn:x:a"), URIRef("urn:x:p"), URIRef("urn:x:c")))
    >>> print(serialize(g, format="nt").decode(), end="")
    <urn:x:a> <urn:x:p> <urn:x:c> .
    <urn:x:b> <urn:x:p> <urn:x:c> .
    """
    try:
        return _serialize(dataset, format)
    except Exception as exc:
        # rdflib raises a bare Exception for an IRI it cannot write
        if "does not look like a valid URI" not in str(exc):
            raise
        raise _bad_iri(exc, format) from exc


def _bad_iri(exc: Exception, format: str) -> RDFInputError:
    return RDFInputError(
        f"the graph holds an IRI that RDF forbids ({str(exc).split(' does not')[0]}), "
        f"so it cannot be written as {format}",
        fix="percent-encode the character (a space is %20) where the IRI is made",
    )


def serialize_graphs(graphs: Iterable[tuple[Node, Iterable[Triple]]], *, format: str) -> bytes:
    """Serialise (graph IRI, triples) pairs as :func:`serialize` would serialise the
    Dataset made of them, byte for byte, without making the Dataset.

    Args:
        graphs: the named graphs.
        format: one of :data:`QUAD_FORMATS`.

    Returns:
        The UTF-8 bytes of the file: sorted, unique lines.

    Raises:
        InputError: for another format.
        RDFInputError: the graph holds an IRI that no RDF syntax can write.

    >>> g = [(URIRef("urn:g"), [(URIRef("urn:x:b"), URIRef("urn:x:p"), Literal("c"))])]
    >>> print(serialize_graphs(g, format="nquads").decode(), end="")
    <urn:x:b> <urn:x:p> "c" <urn:g> .
    """
    if format not in QUAD_FORMATS:
        raise InputError(f"serialize_graphs writes {', '.join(sorted(QUAD_FORMATS))}, "
                         f"not {format!r}", input=format, fix="use serialize() on a Dataset")
    try:
        if format == "nquads":
            rows = {_nq_row(t, name) for name, triples in graphs for t in triples}
        else:
            rows = {_nt_row(t) for _, triples in graphs for t in triples}
    except Exception as exc:
        if "does not look like a valid URI" not in str(exc):
            raise
        raise _bad_iri(exc, format) from exc
    # rdflib writes each row encoded with "replace" (a lone surrogate becomes "?")
    lines = sorted({row.encode("utf-8", "replace").decode("utf-8").rstrip("\n")
                    for row in rows})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _serialize(dataset: Dataset | Graph, format: str) -> bytes:
    if format == "turtle":
        return _turtle(dataset)
    if format == "trig":
        return _trig(dataset)
    if format in ("nquads", "nt"):
        data = dataset.serialize(format=format, encoding="utf-8")
        # split at "\n" only: str.splitlines() would also break inside literals at
        # characters such as U+2028 or U+0085, which N-Quads keeps unescaped
        lines = sorted({line for line in data.decode("utf-8").split("\n") if line.strip()})
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    if format == "json-ld":
        text = json.dumps(to_jsonld(dataset), indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")
    if format == "graphml":
        return to_graphml(dataset)
    raise InputError(
        f"unknown export format {format!r}",
        input=format,
        fix=f"use one of {', '.join(EXPORT_FORMATS)}",
    )


def _quads(dataset: Dataset | Graph) -> Iterator[tuple[Node, Node, Node, Node | None]]:
    if isinstance(dataset, Dataset):
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            yield s, p, o, None if name == DATASET_DEFAULT_GRAPH_ID else name
    else:
        for s, p, o in dataset:
            yield s, p, o, None


def _union(dataset: Dataset | Graph) -> Graph:
    union = Graph()
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=True, replace=True)
    for s, p, o, _ in _quads(dataset):
        union.add((s, p, o))
    return union


# ---------------------------------------------------------------------------
# Turtle and TriG, sorted
# ---------------------------------------------------------------------------


def _subject_order(subject: Node) -> tuple[bool, str]:
    return isinstance(subject, BNode), str(subject)












def _turtle(dataset: Dataset | Graph) -> bytes:
    triples = ((s, p, o) for s, p, o, _ in _quads(dataset))
    return _sorted_text(write_turtle(triples, prefixes=list(dataset.namespaces())))


def _sorted_text(data: bytes) -> bytes:
    # kgbuild's files have always ended in a blank line (rdflib's writers did so)
    return data + b"\n" if data else data


def _trig(dataset: Dataset | Graph) -> bytes:
    return _sorted_text(write_trig(_quads(dataset), prefixes=list(dataset.namespaces())))


def serialize_quads(graphs: Iterable[tuple[Node, Iterable[Triple]]], *, format: str,
                    prefixes: Iterable[tuple[str, Any]]) -> bytes:
    """TriG or Turtle of (graph IRI, triples) pairs, as :func:`serialize` writes the
    Dataset made of them, without making the Dataset."""
    if format == "trig":
        quads = ((s, p, o, name) for name, triples in graphs for s, p, o in triples)
        return _sorted_text(write_trig(quads, prefixes=list(prefixes)))
    if format == "turtle":
        union = (t for _, triples in graphs for t in triples)
        return _sorted_text(write_turtle(union, prefixes=list(prefixes)))
    raise InputError(f"serialize_quads writes trig or turtle, not {format!r}", input=format,
                     fix="use serialize_graphs for N-Quads and N-Triples")


# ---------------------------------------------------------------------------
# JSON-LD, compacted with the published context
# ---------------------------------------------------------------------------


def context_path() -> Path:
    """Return the path of kgbuild's JSON-LD context file ``ontology/context.jsonld``.

    Returns:
        The path.

    Raises:
        FileNotFoundError: when the installation lacks the ontology folder.

    >>> context_path().name
    'context.jsonld'
    """
    return data_dir("ontology") / "context.jsonld"


def load_context() -> dict[str, Any]:
    """Read the published JSON-LD context (the object under ``@context``).

    Returns:
        A fresh copy of the context object: prefixes, ``@vocab`` and terms.

    Raises:
        RDFInputError: when the context file is missing or is not a JSON-LD context.

    >>> load_context()["@vocab"]
    'https://w3id.org/kgbuild/ontology#'
    """
    copy: dict[str, Any] = json.loads(json.dumps(_context_document()))
    return copy


@lru_cache(maxsize=1)
def _context_document() -> dict[str, Any]:
    path = context_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RDFInputError(
            f"cannot read the JSON-LD context ({exc})",
            input=path,
            fix="reinstall kgbuild, or restore ontology/context.jsonld from git",
        ) from exc
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise RDFInputError(
            "the JSON-LD context file has no @context object",
            input=path,
            fix="restore ontology/context.jsonld from git",
        )
    return context


@dataclass(frozen=True)
class _Term:
    name: str
    iri: str
    coerce: str | None  # "@id", a datatype IRI, or None


class _Compactor:
    """The parts of JSON-LD compaction kgbuild needs, for one flat context.

    The context holds prefixes (``"kg": "https://...#"``), a ``@vocab`` and
    terms (``"agent": {"@id": "kg:agent", "@type": "@id"}``); no scoped
    contexts, containers or reverse properties.
    """

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.vocab: str | None = context.get("@vocab")
        raw = {k: v for k, v in context.items() if not k.startswith("@")}
        self.prefixes: dict[str, str] = {
            name: value
            for name, value in raw.items()
            if isinstance(value, str)
            and re.match(r"^[a-z][a-z0-9+.-]*:", value)
            and value[-1] in "/#"
        }
        self.term_names = frozenset(raw)
        self.terms: dict[str, list[_Term]] = defaultdict(list)
        for name, value in sorted(raw.items()):
            if name in self.prefixes:
                continue
            definition = value if isinstance(value, dict) else {"@id": value}
            iri = self._expand(str(definition.get("@id", name)))
            coerce = definition.get("@type")
            if coerce is not None and coerce not in ("@id", "@vocab"):
                coerce = self._expand(str(coerce))
            self.terms[iri].append(_Term(name, iri, coerce))

    def _expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        if not sep and self.vocab:
            return self.vocab + value
        return value

    def iri(self, iri: str, *, vocab: bool) -> str:
        """Shorten an IRI: vocabulary-relative (keys, types), else a compact IRI."""
        if vocab and self.vocab and iri.startswith(self.vocab):
            local = iri[len(self.vocab) :]
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", local) and local not in self.term_names:
                return local
        best: tuple[int, str] | None = None
        for prefix, namespace in self.prefixes.items():
            local = iri[len(namespace) :]
            if (
                iri.startswith(namespace)
                and local
                and not local.startswith("//")
                and (best is None or len(namespace) > best[0])
            ):
                best = (len(namespace), f"{prefix}:{local}")
        return best[1] if best else iri

    def node_id(self, node: Node) -> str:
        if isinstance(node, BNode):
            return f"_:{node}"
        return self.iri(str(node), vocab=False)

    def entry(self, predicate: URIRef, value: Node) -> tuple[str, Any]:
        """The key and the JSON value of one (predicate, object) pair."""
        terms = self.terms.get(str(predicate), [])
        plain = next((t for t in terms if t.coerce is None), None)
        if isinstance(value, Literal):
            datatype = str(value.datatype) if value.datatype else None
            if datatype and datatype != str(XSD.string):
                for term in terms:
                    if term.coerce == datatype:
                        return term.name, _native(value) if datatype == str(XSD.integer) else str(
                            value
                        )
            key = plain.name if plain else self.iri(str(predicate), vocab=True)
            if value.language:
                return key, {"@value": str(value), "@language": value.language}
            if datatype and datatype != str(XSD.string):
                return key, {"@value": str(value), "@type": self.iri(datatype, vocab=True)}
            return key, str(value)
        for term in terms:
            if term.coerce == "@id":
                return term.name, self.node_id(value)
        key = plain.name if plain else self.iri(str(predicate), vocab=True)
        return key, {"@id": self.node_id(value)}


def _native(value: Literal) -> Any:
    """An xsd:integer as a JSON number when that keeps its lexical form."""
    text = str(value)
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", text) and abs(int(text)) < 2**53:
        return int(text)
    return text


def _value_order(value: Any) -> tuple[str, str]:
    return type(value).__name__, json.dumps(value, sort_keys=True, ensure_ascii=False)


def _node_objects(triples: Iterable[Triple], compactor: _Compactor) -> list[dict[str, Any]]:
    by_subject: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    nodes = []
    for subject in sorted(by_subject, key=_subject_order):
        types: set[str] = set()
        values: dict[str, list[Any]] = defaultdict(list)
        for p, o in by_subject[subject]:
            if p == RDF.type and not isinstance(o, Literal):
                types.add(
                    compactor.node_id(o)
                    if isinstance(o, BNode)
                    else compactor.iri(str(o), vocab=True)
                )
                continue
            key, value = compactor.entry(p, o)  # type: ignore[arg-type]
            values[key].append(value)
        node: dict[str, Any] = {"@id": compactor.node_id(subject)}
        if types:
            ordered = sorted(types)
            node["@type"] = ordered[0] if len(ordered) == 1 else ordered
        for key in sorted(values):
            items = sorted(values[key], key=_value_order)
            node[key] = items[0] if len(items) == 1 else items
        nodes.append(node)
    return nodes


def to_jsonld(
    dataset: Dataset | Graph, *, context: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the compact JSON-LD document of a graph.

    Args:
        dataset: the graph; each named graph of a dataset becomes an object
            with ``@id`` and ``@graph``; default-graph nodes stay at the top.
        context: the context object to compact with; default: the published
            one (:func:`load_context`).

    Returns:
        The document, with the context inline under ``@context``.

    Raises:
        RDFInputError: when the published context cannot be read.
    """
    ctx = dict(context) if context is not None else load_context()
    compactor = _Compactor(ctx)
    graphs: dict[Node | None, list[Triple]] = defaultdict(list)
    for s, p, o, g in _quads(dataset):
        graphs[g].append((s, p, o))
    top: list[dict[str, Any]] = _node_objects(graphs.pop(None, []), compactor)
    for name in sorted((n for n in graphs if n is not None), key=str):
        top.append(
            {"@id": compactor.node_id(name), "@graph": _node_objects(graphs[name], compactor)}
        )
    return {"@context": ctx, "@graph": top}


# ---------------------------------------------------------------------------
# GraphML through networkx
# ---------------------------------------------------------------------------

#: Node attributes kgbuild sets itself; literal properties with these names are
#: written under their prefixed name instead.
_RESERVED = frozenset({"label", "kind", "types", "iri", "mentions", "id"})
#: Literal properties too bulky for a node table (an article's whole text).
_BULKY = frozenset({NIF.isString})
_LABELS = (RDFS.label, SKOS.prefLabel, KG.name, SCHEMA.name)
_INTEGER_TYPES = INTEGER_DERIVED | {XSD.integer}
_FLOAT_TYPES = frozenset({XSD.decimal, XSD.double, XSD.float})
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    graph = Graph()
    path = data_dir("ontology") / "kgbuild.ttl"
    if path.is_file():
        graph.parse(path, format="turtle")
    return graph


def _namespace_manager(dataset: Dataset | Graph) -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace)
    for prefix, namespace in dataset.namespaces():
        manager.bind(prefix, namespace, override=False)
    return manager


def _curie(node: Node, manager: NamespaceManager) -> str:
    if isinstance(node, URIRef):
        iri = str(node)
        for prefix, namespace in sorted(manager.namespaces(), key=lambda x: -len(str(x[1]))):
            local = iri[len(str(namespace)) :]
            if iri.startswith(str(namespace)) and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return iri
    return str(node)


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _xml_text(text: str) -> str:
    return _XML_UNSAFE.sub("\ufffd", text)


def _most_specific(types: set[Node], ontology: Graph) -> list[Node]:
    """The types that are not a superclass of another of the node's types, sorted."""
    supers: set[Node] = set()
    for t in types:
        supers.update(
            x for x in ontology.transitive_objects(t, RDFS.subClassOf) if x is not None and x != t
        )
    return sorted((t for t in types if t not in supers), key=str) or sorted(types, key=str)


def to_networkx(dataset: Dataset | Graph, *, mentions: bool = False) -> nx.MultiDiGraph:
    """Turn a graph into a networkx multigraph of its resources and their links.

    Args:
        dataset: the graph (a dataset's named graphs are merged).
        mentions: also keep the text mentions (``kg:Mention``) as nodes,
            linked by ``gaf:denotedBy``; by default they are only counted in
            each node's ``mentions`` attribute.

    Returns:
        A ``MultiDiGraph``: node ids are IRIs, edge keys prefixed predicate
        names; node attributes ``label``, ``kind``, ``types``, ``iri``,
        ``mentions`` and one per literal property; edge attributes
        ``predicate`` and ``label``.

    >>> from rdflib import Graph, Literal, URIRef
    >>> from kgbuild.core.namespaces import KG, KGR
    >>> from rdflib.namespace import RDF, RDFS
    >>> g = Graph()
    >>> for s, kind, name in ((KGR.e1, KG.Attack, "strike"), (KGR.a1, KG.Country, "Northland")):
    ...     _ = g.add((s, RDF.type, kind)); _ = g.add((s, RDFS.label, Literal(name)))
    >>> _ = g.add((KGR.e1, KG.agent, KGR.a1))
    >>> net = to_networkx(g)
    >>> net.nodes[str(KGR.e1)]["kind"], list(net.edges(data="predicate"))[0][2]
    ('Attack', 'kg:agent')
    """
    union = _union(dataset)
    manager = _namespace_manager(dataset)
    ontology = _ontology()
    mention_nodes = set(union.subjects(RDF.type, KG.Mention))
    excluded = set() if mentions else mention_nodes
    described = {s for s in union.subjects() if s not in excluded}

    literal_types: dict[Node, set[str]] = defaultdict(set)
    multi_valued: set[Node] = set()
    for s, p in {(s, p) for s, p, o in union if isinstance(o, Literal) and s in described}:
        values = [o for o in union.objects(s, p) if isinstance(o, Literal)]
        if len(values) > 1:
            multi_valued.add(p)
        for value in values:
            if value.datatype in _INTEGER_TYPES:
                literal_types[p].add("int")
            elif value.datatype in _FLOAT_TYPES:
                literal_types[p].add("float")
            else:
                literal_types[p].add("str")

    def attribute_name(predicate: Node) -> str:
        name = _local_name(str(predicate)) if str(predicate).startswith(str(KG._NS)) else ""
        return name if name and name not in _RESERVED else _curie(predicate, manager)

    def literal_value(predicate: Node, values: list[Literal]) -> Any:
        kinds = literal_types[predicate]
        if len(values) == 1 and predicate not in multi_valued and kinds == {"int"}:
            return int(values[0].toPython())
        if len(values) == 1 and predicate not in multi_valued and kinds <= {"int", "float"}:
            return float(values[0].toPython())
        return _xml_text(" | ".join(sorted(str(v) for v in values)))

    net = nx.MultiDiGraph()
    for node in sorted(described, key=_subject_order):
        types = {o for o in union.objects(node, RDF.type) if not isinstance(o, Literal)}
        label = next(
            (
                sorted(str(v) for v in union.objects(node, prop))[0]
                for prop in _LABELS
                if (node, prop, None) in union
            ),
            _local_name(str(node)),
        )
        specific = _most_specific(types, ontology)
        kind = specific[0] if specific else None  # one value, so Gephi can partition by it
        attrs: dict[str, Any] = {
            "label": _xml_text(label),
            "kind": ""
            if kind is None
            else _local_name(str(kind))
            if str(kind).startswith(str(KG._NS))
            else _curie(kind, manager),
            "types": ", ".join(sorted(_curie(t, manager) for t in types)),
            "iri": str(node),
            "mentions": sum(1 for m in union.objects(node, GAF.denotedBy) if m in mention_nodes),
        }
        grouped: dict[Node, list[Node]] = defaultdict(list)
        for p, o in union.predicate_objects(node):
            if p != RDF.type and p not in _BULKY and p not in _LABELS[:1]:
                grouped[p].append(o)
        for p in sorted(grouped, key=str):
            literals = [o for o in grouped[p] if isinstance(o, Literal)]
            links = [o for o in grouped[p] if not isinstance(o, Literal) and o not in described]
            if p == GAF.denotedBy or (not mentions and p == KG.evidence):
                links = [o for o in links if o not in mention_nodes]
            if literals:
                attrs[attribute_name(p)] = literal_value(p, literals)
            elif links:  # a link to something not described here: an attribute
                attrs[attribute_name(p)] = " | ".join(sorted(_curie(o, manager) for o in links))
        net.add_node(str(node), **attrs)

    for s, p, o in sorted(union, key=lambda t: tuple(map(str, t))):
        if p == RDF.type or s not in described or o not in described:
            continue
        predicate = _curie(p, manager)
        edge_label = ontology.value(p, RDFS.label)
        net.add_edge(
            str(s),
            str(o),
            key=predicate,
            predicate=predicate,
            label=str(edge_label) if edge_label is not None else _local_name(str(p)),
        )
    return net


def to_graphml(dataset: Dataset | Graph, *, mentions: bool = False) -> bytes:
    """Write a graph as GraphML for Gephi (see :func:`to_networkx`).

    Args:
        dataset: the graph (a dataset's named graphs are merged).
        mentions: also keep the text mentions as nodes.

    Returns:
        The UTF-8 GraphML document.
    """
    net = to_networkx(dataset, mentions=mentions)
    # GraphML edge ids must be unique in the file (Gephi drops repeated ones), and
    # networkx writes the edge key as the id: key each edge by a hash of its triple.
    keyed = nx.MultiDiGraph()
    keyed.add_nodes_from(net.nodes(data=True))
    for source, target, key, data in net.edges(keys=True, data=True):
        digest = hashlib.sha1(f"{source} {key} {target}".encode()).hexdigest()[:16]
        keyed.add_edge(source, target, key=f"e{digest}", **data)
    buffer = io.BytesIO()
    nx.write_graphml(keyed, buffer, encoding="utf-8")
    return buffer.getvalue()
