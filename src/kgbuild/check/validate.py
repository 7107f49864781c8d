"""Check a kgbuild graph against the SHACL shapes and return a report object.

The graph is validated as the union of all its named graphs: pySHACL would
otherwise validate each named graph on its own, and a fact in one article's
graph may point to an entity described in the knowledge-base graph.

>>> from rdflib import Graph
>>> report = validate(Graph())
>>> report.conforms, len(report)
(True, 0)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyshacl
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kgbuild.core.errors import RDFInputError, ValidationFailed
from kgbuild.core.namespaces import KG, NIF, PREFIXES
from kgbuild.core.resources import data_dir

__all__ = [
    "MAX_ARTICLES_SHOWN",
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "default_shapes_path",
    "union_graph",
    "validate",
]

logger = logging.getLogger(__name__)

#: Severity names in decreasing order of gravity.
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")

_SEVERITY_NAMES: dict[Node, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}

KGSH = Namespace("https://w3id.org/kgbuild/shapes#")
#: Articles named on one line of the text report; the rest are counted ("and N more").
#: The report graph (``kgbuild validate --report``) and ``ValidationResult.articles``
#: keep them all.
MAX_ARTICLES_SHOWN = 5


def default_shapes_path() -> Path:
    """Return the path of the shipped shapes file ``ontology/shapes.ttl``.

    Returns:
        The path.

    Raises:
        FileNotFoundError: when the installation lacks the ontology folder.
    """
    return data_dir("ontology") / "shapes.ttl"


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pySHACL sends the same SPARQL-constraint text for every focus node (binding
    ``$this``), and rdflib parses a text query on every call, which made the
    parse, not the evaluation, most of the validation time; a prepared query
    evaluated with new bindings gives the same answers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Any] = {}

    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # rdflib's parameter names
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and initNs is None and not kwargs:
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def union_graph(dataset: Dataset | Graph, *, into: Graph | None = None) -> Graph:
    """Copy the triples of every graph of ``dataset`` into one plain graph.

    Args:
        dataset: a dataset (all named graphs and the default graph are merged)
            or a graph (copied as is).
        into: the graph to copy into (default: a new in-memory graph).

    Returns:
        A new in-memory graph holding the union, with the dataset's prefixes
        and kgbuild's standard prefixes bound.
    """
    union = into if into is not None else Graph()
    for prefix, namespace in PREFIXES.items():
        union.bind(prefix, namespace)
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace, override=False)
    if isinstance(dataset, Dataset):
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
    else:
        for triple in dataset:
            union.add(triple)
    return union


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the context an analyst needs to find the problem.

    Attributes:
        severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.
        shape: the IRI (or blank node) of the shape that produced the result.
        shape_name: the shape's ``sh:name`` or ``rdfs:label`` ("" when none).
        focus: the node that failed.
        focus_label: the focus node's ``rdfs:label`` in the data ("" when none).
        path: the property path checked, or None for node-level results.
        value: the offending value, or None.
        message: the result message (the shape's ``sh:message``).
        constraint: the constraint component IRI (for example ``sh:MinCountConstraintComponent``).
        articles: file names of the articles the focus node comes from.
    """

    severity: str
    shape: Node
    shape_name: str
    focus: Node
    focus_label: str
    path: Node | None
    value: Node | None
    message: str
    constraint: Node | None = None
    articles: tuple[str, ...] = ()

    def describe(
        self,
        namespace_manager: NamespaceManager | None = None,
        *,
        with_message: bool = True,
        max_articles: int | None = None,
    ) -> str:
        """Render the result on one line.

        Args:
            namespace_manager: used to shorten IRIs; none: full IRIs.
            with_message: append the message.
            max_articles: name at most this many articles, then "and N more"
                (an entity named in every article would fill a screen); None: all.

        Returns:
            The line, without the shape and severity (those head their group).

        >>> from rdflib import URIRef
        >>> r = ValidationResult("Warning", URIRef("urn:s"), "", URIRef("urn:x"), "X", None,
        ...                      None, "", articles=("a.txt", "b.txt", "c.txt"))
        >>> r.describe(max_articles=2)
        '<urn:x> "X" [a.txt, b.txt and 1 more]'
        """
        focus = _short(self.focus, namespace_manager)
        text = f"{focus}"
        if self.focus_label:
            text += f' "{self.focus_label}"'
        if self.articles:
            shown = self.articles
            rest = ""
            if max_articles is not None and len(shown) > max_articles:
                shown, rest = shown[:max_articles], f" and {len(shown) - max_articles} more"
            text += f" [{', '.join(shown)}{rest}]"
        if self.path is not None:
            text += f" path={_short(self.path, namespace_manager)}"
        if self.value is not None:
            text += f" value={_short(self.value, namespace_manager)}"
        if with_message and self.message:
            text += f": {self.message}"
        return text


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: iterable over its results, printable, raisable.

    Attributes:
        conforms: True when there is no result of severity ``Violation``.
        results: every result, violations first.
        graph: the SHACL validation report as an RDF graph.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph = field(repr=False, compare=False)

    def __iter__(self) -> Iterator[ValidationResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def counts(self) -> dict[str, int]:
        """Count the results by severity.

        Returns:
            ``{"Violation": n, "Warning": n, "Info": n}``, every key present.
        """
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def by_severity(self, severity: str) -> tuple[ValidationResult, ...]:
        """Return the results of one severity.

        Args:
            severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.

        Returns:
            The matching results, in report order.
        """
        return tuple(r for r in self.results if r.severity == severity)

    def exit_code(self, fail_on: TypingLiteral["violation", "warning"] = "violation") -> int:
        """Return the command-line exit status for this report.

        Args:
            fail_on: ``"violation"``: fail only on violations; ``"warning"``:
                fail on violations or warnings.

        Returns:
            0 when acceptable, else :attr:`kgbuild.core.errors.ValidationFailed.exit_code` (1).

        Raises:
            ValueError: for another ``fail_on``.
        """
        if fail_on not in ("violation", "warning"):
            raise ValueError(f"fail_on must be 'violation' or 'warning', not {fail_on!r}")
        counts = self.counts()
        bad = counts["Violation"] + (counts["Warning"] if fail_on == "warning" else 0)
        return ValidationFailed.exit_code if bad else 0

    def raise_for_violations(self) -> None:
        """Raise when the report holds violations; do nothing otherwise.

        Raises:
            ValidationFailed: with a summary of the violated shapes; the report
                is attached as the exception's ``report`` attribute.
        """
        violations = self.by_severity("Violation")
        if not violations:
            return
        shapes = sorted({r.shape_name or str(r.shape) for r in violations})
        error = ValidationFailed(
            f"the graph does not conform: {len(violations)} violation(s) of "
            f"{len(shapes)} shape(s) ({', '.join(shapes[:5])}{', ...' if len(shapes) > 5 else ''})",
            fix="read the validation report (kgbuild validate) and fix the extractor "
            "or data that produced those nodes",
        )
        error.report = self  # type: ignore[attr-defined]
        raise error

    def __str__(self) -> str:
        nm = self.graph.namespace_manager
        counts = self.counts()
        summary = ", ".join(
            f"{counts[s]} {s.lower()}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES
        )
        lines = [
            f"SHACL validation: {'conforms' if self.conforms else 'does NOT conform'} ({summary})"
        ]
        for severity in SEVERITIES:
            group = self.by_severity(severity)
            if not group:
                continue
            lines.append("")
            lines.append(f"== {severity} ({len(group)}) ==")
            by_shape: dict[Node, list[ValidationResult]] = {}
            for result in group:
                by_shape.setdefault(result.shape, []).append(result)
            for shape, results in sorted(
                by_shape.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))
            ):
                name = results[0].shape_name
                if isinstance(shape, BNode):
                    head = f"[{name}]" if name else "(anonymous shape)"
                else:
                    head = f"{_short(shape, nm)}{f' ({name})' if name else ''}"
                lines.append(f"{head}: {len(results)} result(s)")
                messages = {r.message for r in results}
                shared = len(messages) == 1
                if shared and results[0].message:
                    lines.append(f"  {results[0].message}")
                for result in results:
                    line = result.describe(nm, with_message=not shared,
                                           max_articles=MAX_ARTICLES_SHOWN)
                    lines.append(f"  - {line}")
        return "\n".join(lines)


def validate(
    dataset: Dataset | Graph,
    *,
    shapes: Sequence[Path] = (),
    ontology: bool = False,
) -> ValidationReport:
    """Validate the union of all graphs of ``dataset`` against kgbuild's shapes.

    Args:
        dataset: the graph to check (a dataset's named graphs are merged first).
        shapes: extra shapes files (Turtle, or any format rdflib guesses from
            the suffix), used besides the shipped ``ontology/shapes.ttl``.
        ontology: also load the ontology (``ontology/kgbuild.ttl`` and
            ``ontology/vocab.ttl``) and run RDFS inference with it before
            validating, so that ``sh:class`` accepts subclasses.

    Returns:
        The report. ``report.conforms`` is False only when there are violations;
        warnings and infos are listed but do not break conformance.

    Raises:
        RDFInputError: when a shapes file is missing or cannot be parsed.

    >>> validate(Graph()).counts()
    {'Violation': 0, 'Warning': 0, 'Info': 0}
    """
    data = union_graph(dataset, into=_PreparedQueryGraph())
    shapes_graph = Graph()
    for path in (default_shapes_path(), *map(Path, shapes)):
        _parse_into(shapes_graph, path)
    ont_graph: Graph | None = None
    if ontology:
        ont_graph = Graph()
        folder = data_dir("ontology")
        for name in ("kgbuild.ttl", "vocab.ttl"):
            _parse_into(ont_graph, folder / name)
    logger.debug(
        "validating %d triples against %d shape triples (ontology=%s)",
        len(data),
        len(shapes_graph),
        ontology,
    )
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ont_graph,
        inference="rdfs" if ontology else "none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
        inplace=True,  # ``data`` is this call's own copy: no need for pySHACL to clone it
    )
    if not isinstance(report_graph, Graph):  # pragma: no cover - pyshacl contract
        raise TypeError("pyshacl returned no report graph")
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    report_graph.bind("kgsh", KGSH)
    results = tuple(
        sorted(
            (
                _result(report_graph, node, shapes_graph, data)
                for node in report_graph.subjects(RDF.type, SH.ValidationResult)
            ),
            key=lambda r: (
                SEVERITIES.index(r.severity) if r.severity in SEVERITIES else len(SEVERITIES),
                str(r.shape),
                str(r.focus),
                str(r.path),
                str(r.value),
            ),
        )
    )
    conforms = not any(r.severity == "Violation" for r in results)
    counts = dict.fromkeys(SEVERITIES, 0)
    for result in results:
        counts[result.severity] = counts.get(result.severity, 0) + 1
    logger.info("validation: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
    return ValidationReport(conforms=conforms, results=results, graph=report_graph)


def _parse_into(graph: Graph, path: Path) -> None:
    """Parse a shapes or ontology file through :func:`kgbuild.inputs.rdfio.parse_rdf` (size
    limit, RDF/XML without DTDs, no remote JSON-LD context); Turtle unless the
    suffix says otherwise."""
    from kgbuild.inputs.rdfio import SUFFIXES, parse_rdf

    if not path.is_file():
        raise RDFInputError(
            "shapes or ontology file not found",
            input=path,
            fix="check the path, or reinstall kgbuild if it is a shipped file",
        )
    fmt = None if path.suffix.lower() in SUFFIXES else "turtle"
    parse_rdf(path, format=fmt, into=graph)


def _result(report: Graph, node: Node, shapes: Graph, data: Graph) -> ValidationResult:
    severity_node = report.value(node, SH.resultSeverity)
    severity = (
        _SEVERITY_NAMES.get(severity_node, str(severity_node)) if severity_node else "Violation"
    )
    shape = report.value(node, SH.sourceShape)
    focus = report.value(node, SH.focusNode)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    # the report graph names every article (rdfs:seeAlso); the text report caps them
    for article in _article_nodes(data, focus):
        report.add((node, RDFS.seeAlso, article))
    return ValidationResult(
        severity=severity,
        shape=shape if shape is not None else BNode(),
        shape_name=_shape_name(shapes, shape),
        focus=focus if focus is not None else BNode(),
        focus_label=_label(data, focus),
        path=report.value(node, SH.resultPath),
        value=report.value(node, SH.value),
        message="; ".join(messages),
        constraint=report.value(node, SH.sourceConstraintComponent),
        articles=_articles(data, focus),
    )


def _shape_name(shapes: Graph, shape: Node | None, depth: int = 0) -> str:
    if shape is None:
        return ""
    for prop in (SH.name, RDFS.label):
        value = shapes.value(shape, prop)
        if value is not None:
            return str(value)
    # An anonymous property shape (``sh:property [ sh:path ... ]``, common in users'
    # shapes files) is named after the node shape that holds it, and its path.
    parent = shapes.value(None, SH.property, shape) if isinstance(shape, BNode) else None
    if parent is not None and depth < 5:
        nm = shapes.namespace_manager
        name = _shape_name(shapes, parent, depth + 1) or _short(parent, nm)
        path = shapes.value(shape, SH.path)
        return f"{name}, path {_short(path, nm)}" if isinstance(path, URIRef) else name
    return ""


def _label(data: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    labels = sorted(str(label) for label in data.objects(node, RDFS.label))
    return labels[0] if labels else ""


def _articles(data: Graph, focus: Node | None) -> tuple[str, ...]:
    """File names of the articles a focus node comes from (via kg:article, the
    mention's context, the article itself, or the claims of a contradiction)."""
    names = {
        str(name)
        for article in _article_nodes(data, focus)
        for name in data.objects(article, KG.fileName)
        if isinstance(name, Literal)
    }
    return tuple(sorted(names))


def _article_nodes(data: Graph, focus: Node | None) -> set[Node]:
    """The article nodes a focus node comes from (see :func:`_articles`)."""
    if focus is None:
        return set()
    articles: set[Node] = set()
    if (focus, RDF.type, KG.Article) in data:
        articles.add(focus)
    articles.update(data.objects(focus, KG.article))
    articles.update(data.objects(focus, NIF.referenceContext))
    for claim_property in (KG.claimA, KG.claimB):
        for claim in data.objects(focus, claim_property):
            articles.update(data.objects(claim, KG.article))
    return articles


def _short(node: Node, namespace_manager: NamespaceManager | None) -> str:
    if isinstance(node, URIRef):
        if namespace_manager is not None:
            try:
                return namespace_manager.normalizeUri(node)
            except Exception:  # an IRI no prefix fits
                return f"<{node}>"
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(namespace_manager)
    if isinstance(node, BNode):
        return "[]"
    return str(node)
