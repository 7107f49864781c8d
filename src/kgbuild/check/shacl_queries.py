"""The SPARQL queries of the SHACL compiler: the top-level queries of a shape (values,
counts, pairs, SPARQL-based constraints) on a set of focus nodes.

Part of :mod:`kgbuild.check.shacl_sparql`.  :class:`_Generator` writes each query with
what its rows mean (:class:`_Query`, one :class:`_Check` per constraint it flags);
:mod:`kgbuild.check.shacl_runner` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgbuild.check.shacl_expressions import _Expressions
from kgbuild.check.shacl_shapes import _Constraint, _Shape, _ShapeReader
from kgbuild.check.shacl_terms import (
    _PY_REGEX,
    _WELL_FORMED,
    _count,
    _iri,
    _Unsupported,
    compare_fails,
    datatype_matches,
)
from kgbuild.core.oxterms import INTEGER_DERIVED

#: The variables a SPARQL-based constraint may use, and the parts of its SELECT query.
_PATH_VAR = re.compile(r"([\s{}()])[$?]PATH\b")
_SHAPE_VAR = re.compile(r"([\s{}()])[$?]currentShape\b")
_SHAPES_GRAPH_VAR = re.compile(r"[$?]shapesGraph\b")
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.I)
_SELECT_HEAD = re.compile(r"\A\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*(WHERE\b|\{)",
                          re.I | re.S)


@dataclass(frozen=True)
class _Focus:
    """Where focus nodes come from: a SPARQL pattern binding ``var`` (and the focus
    and value variables of the enclosing results, ``outer``)."""

    pattern: str
    var: str
    outer: tuple[str, ...] = ()

    @property
    def listed(self) -> bool:
        """Whether the focus nodes are written out (a VALUES block): Oxigraph then
        looks patterns up from them, inside UNION branches too."""
        return self.pattern.startswith("VALUES")


@dataclass(eq=False)
class _Check:
    """One constraint of one shape inside a compiled query: the query's variable that
    says whether it fails on a row."""

    shape: _Shape
    constraint: _Constraint
    component: URIRef
    flag: str | None = None  # None: every row of the query is a result of this check
    recheck_var: str | None = None  # sh:datatype: the literal has the datatype itself
    with_value: bool = True


@dataclass(eq=False)
class _Query:
    """One compiled SPARQL query and how to read its rows into results."""

    text: str
    focus: _Focus
    checks: list[_Check]
    value_var: str | None = None
    python_regex: bool = False
    sparql: dict[str, Any] | None = None
    #: the variable that numbers the parent results of a detail query
    parent_var: str | None = None


class _Generator(_Expressions):
    """Writes the SPARQL queries of the top-level shapes."""

    def __init__(self, reader: _ShapeReader, subclasses: dict[Node, list[Node]],
                 regex_ok: dict[tuple[str, str], bool], *,
                 graphs: Sequence[str] | None = None) -> None:
        super().__init__(reader, subclasses, regex_ok)
        self.graphs = graphs
        self.queries: list[_Query] = []

    # ---- targets

    def target_pattern(self, shape: _Shape, var: str, *, limited: bool = True) -> str:
        """A subquery binding ``var`` to each focus node of ``shape`` (that is a subject
        in the generator's graphs, if any, unless not ``limited``)."""
        union = self.targets(shape, var)
        if self.graphs is not None and limited:
            # the subjects of the given named graphs first (read graph by graph), each
            # then checked against the targets
            g = self.fresh("g")
            names = " ".join(f"<{name}>" for name in self.graphs)
            graph = (f"VALUES ?{g} {{ {names} }} "
                     f"GRAPH ?{g} {{ ?{var} ?{self.fresh('p')} ?{self.fresh('o')} }}")
            return (f"{{ SELECT ?{var} WHERE {{ {{ SELECT DISTINCT ?{var} WHERE {{ {graph} }} }} "
                    f"FILTER EXISTS {{ {union} }} }} }}")
        return f"{{ SELECT DISTINCT ?{var} WHERE {{ {union} }} }}"

    def targets(self, shape: _Shape, var: str) -> str:
        """A pattern binding ``var`` to the targets of ``shape`` (possibly repeated)."""
        parts: list[str] = []
        classes = sorted({c for t in shape.targets[SH.targetClass] for c in self.classes(t)},
                         key=str)
        if classes:
            kind = self.fresh("c")
            parts.append(f"VALUES ?{kind} {{ {' '.join(_iri(c) for c in classes)} }} "
                         f"?{var} <{RDF.type}> ?{kind} .")
        nodes = shape.targets[SH.targetNode]
        if nodes:
            parts.append(f"VALUES ?{var} {{ {' '.join(_iri(n) for n in nodes)} }}")
        for predicate in shape.targets[SH.targetSubjectsOf]:
            parts.append(f"?{var} {_iri(predicate)} ?{self.fresh('o')} .")
        for predicate in shape.targets[SH.targetObjectsOf]:
            parts.append(f"?{self.fresh('s')} {_iri(predicate)} ?{var} .")
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    # ---- top-level queries

    def add(self, text: str, focus: _Focus, checks: list[_Check], **extra: Any) -> None:
        if focus.outer and focus.outer[0].startswith("_kgp"):
            extra.setdefault("parent_var", focus.outer[0])
        self.queries.append(_Query(text, focus, checks, python_regex=_PY_REGEX in text,
                                   **extra))

    def emit(self, shape: _Shape, focus: _Focus, *, scan: bool = False) -> None:
        """Add the queries that find the results of ``shape`` on the focus nodes of
        ``focus``: one for the values of all its paths, one for their counts, and one
        for each SPARQL, ``sh:equals`` and ``sh:lessThan`` constraint.

        With ``scan``, each path is read whole (an index scan) and joined to the focus
        nodes by hash; otherwise it is looked up from each focus node (better for few
        focus nodes).
        """
        if shape.deactivated:
            return
        owners = [shape] if shape.is_property else [shape, *shape.properties]
        self.enter(shape)
        try:
            value_checks: list[tuple[_Shape, _Constraint]] = []
            count_checks: list[tuple[_Shape, _Constraint]] = []
            for owner in owners:
                if owner.deactivated:
                    continue
                if owner is not shape:
                    self.enter(owner)
                try:
                    for c in owner.constraints:
                        kind = _kind(owner, c)
                        if kind == "value":
                            value_checks.append((owner, c))
                        elif kind == "count":
                            count_checks.append((owner, c))
                        elif kind == "sparql":
                            self.emit_sparql(owner, c, focus, scan=scan)
                        else:
                            self.emit_pair(owner, c, focus)
                    if owner.is_property:
                        for child in owner.properties:
                            v = self.fresh("v")
                            keep = _vars(_unique((*focus.outer, focus.var, v)))
                            inner = _Focus(f"{{ SELECT DISTINCT {keep} WHERE {{ {focus.pattern} "
                                           f"{self.values(owner, focus.var, v)} }} }}",
                                           v, (*focus.outer, focus.var))
                            self.emit(child, inner)
                finally:
                    if owner is not shape:
                        self.stack.pop()
            self.emit_values(value_checks, focus, scan=scan)
            self.emit_counts(count_checks, focus, scan=scan)
        finally:
            self.stack.pop()

    def emit_values(self, checks: list[tuple[_Shape, _Constraint]], focus: _Focus, *,
                    scan: bool) -> None:
        """The query that flags every failing value of the value-level checks."""
        f = focus.var
        scanned: dict[str, list[tuple[_Shape, _Constraint]]] = {}
        looked_up: dict[str, list[tuple[_Shape, _Constraint]]] = {}
        own: list[tuple[_Shape, _Constraint]] = []
        for owner, c in checks:
            if not owner.is_property:
                own.append((owner, c))
            elif scan and _scannable(owner.path_sparql):
                scanned.setdefault(owner.path_sparql, []).append((owner, c))
            else:
                looked_up.setdefault(owner.path_sparql, []).append((owner, c))
        if own:  # a node shape's own value is its focus node
            v = self.fresh("v")
            self.values_query(focus, {"": own}, v, f"{focus.pattern} BIND(?{f} AS ?{v})",
                              branch=None)
        for groups, scanning in ((scanned, True), (looked_up, False)):
            if not groups:
                continue
            v = self.fresh("v")
            k = self.fresh("k")
            branches = []
            for i, path in enumerate(groups):
                if scanning:
                    branches.append(f"{{ {{ SELECT ?{f} ?{v} WHERE {{ ?{f} {path} ?{v} }} }} "
                                    f"BIND({i} AS ?{k}) }}")
                elif focus.listed:
                    branches.append(f"{{ ?{f} {path} ?{v} . BIND({i} AS ?{k}) }}")
                else:
                    # the focus pattern in each branch: a branch alone would read the
                    # whole path before the join
                    branches.append(f"{{ {focus.pattern} ?{f} {path} ?{v} . BIND({i} AS ?{k}) }}")
            source = " UNION ".join(branches)
            if not scanning and focus.listed:
                source = f"{focus.pattern} {source}"
            if scanning:
                inside = self.fresh("in")
                source += (f" OPTIONAL {{ SELECT ?{f} ?{inside} WHERE {{ {focus.pattern} "
                           f"BIND(true AS ?{inside}) }} }} FILTER(BOUND(?{inside}))")
            self.values_query(focus, groups, v, source, branch=k)

    def values_query(self, focus: _Focus, groups: dict[str, list[tuple[_Shape, _Constraint]]],
                     v: str, source: str, *, branch: str | None) -> None:
        f = focus.var
        binds: list[str] = []
        checks: list[_Check] = []
        head = [*focus.outer, f, v]
        for i, items in enumerate(groups.values()):
            for owner, c in items:
                flag = self.fresh("r")
                fails = self.value_fails(c, f, v)
                if branch is not None:
                    binds.append(f"BIND(IF(?{branch} = {i}, COALESCE({fails}, false), false) "
                                 f"AS ?{flag})")
                else:
                    binds.append(f"BIND(COALESCE({fails}, false) AS ?{flag})")
                # pySHACL reports sh:hasValue without a value, on node shapes too
                check = _Check(owner, c, _component(c.parameter), flag,
                               with_value=c.parameter != SH.hasValue)
                if c.parameter == SH.datatype and (c.value in _WELL_FORMED
                                                   or c.value in INTEGER_DERIVED):
                    # a literal of the datatype that Oxigraph could not parse is judged
                    # again by rdflib, pySHACL's judge (the two parsers differ at the edges)
                    check.recheck_var = self.fresh("rc")
                    exact = datatype_matches(c.value, f"?{v}", exact=True)
                    binds.append(f"BIND(COALESCE({exact}, false) AS ?{check.recheck_var})")
                    head.append(check.recheck_var)
                head.append(flag)
                checks.append(check)
        flags = " || ".join(f"?{c.flag}" for c in checks)
        text = (f"SELECT DISTINCT {_vars(_unique(head))} WHERE {{ {source} {' '.join(binds)} "
                f"FILTER({flags}) }}")
        self.add(text, focus, checks, value_var=v)

    def emit_counts(self, checks: list[tuple[_Shape, _Constraint]], focus: _Focus, *,
                    scan: bool) -> None:
        """The query that flags the focus nodes failing a cardinality, ``sh:hasValue``
        or qualified-count check."""
        f = focus.var
        joins: list[str] = []
        binds: list[str] = []
        made: list[_Check] = []
        counted: dict[str, str] = {}
        for owner, c in checks:
            for part, component in _count_parts(c):
                if scan and _scannable(owner.path_sparql):
                    fails = self.scanned_count_fails(owner, part, f, joins, counted)
                else:
                    limits = {SH.minCount: 3, SH.maxCount: 2}
                    if part.parameter in limits and _count(part.value) > limits[part.parameter]:
                        self.emit_large_count(owner, part, focus)
                        continue
                    fails = self.fails(owner, part, f)
                if fails == "false":
                    continue
                flag = self.fresh("x")
                binds.append(f"BIND(COALESCE({fails}, false) AS ?{flag})")
                made.append(_Check(owner, c, component, flag, with_value=False))
        if not made:
            return
        if counted:
            # one scan of every counted path, grouped by focus node: cheaper than a
            # grouped scan per path
            x, k = self.fresh("vv"), self.fresh("k")
            union = " UNION ".join(f"{{ ?{f} {path} ?{x} BIND({i} AS ?{k}) }}"
                                   for i, path in enumerate(counted))
            sums = " ".join(f"(SUM(IF(?{k} = {i}, 1, 0)) AS ?{number})"
                            for i, number in enumerate(counted.values()))
            joins.insert(0, f"OPTIONAL {{ SELECT ?{f} {sums} WHERE {{ SELECT DISTINCT ?{f} "
                            f"?{k} ?{x} WHERE {{ {union} }} }} GROUP BY ?{f} }}")
        flags = " || ".join(f"?{c.flag}" for c in made)
        head = _vars(_unique((*focus.outer, f, *(c.flag or "" for c in made))))
        text = (f"SELECT DISTINCT {head} WHERE {{ {focus.pattern} {' '.join(joins)} "
                f"{' '.join(binds)} FILTER({flags}) }}")
        self.add(text, focus, made)

    def scanned_count_fails(self, owner: _Shape, c: _Constraint, f: str, joins: list[str],
                            counted: dict[str, str]) -> str:
        """SPARQL over the focus variable: the count check ``c`` fails.  Counts come
        from one grouped scan of the path per query, joined by hash."""
        p = c.parameter
        path = owner.path_sparql
        x = self.fresh("vv")
        if p == SH.hasValue:
            flag = self.fresh("h")
            joins.append(f"OPTIONAL {{ SELECT DISTINCT ?{f} ?{flag} WHERE {{ ?{f} {path} "
                         f"{_iri(c.value)} BIND(true AS ?{flag}) }} }}")
            return f"!BOUND(?{flag})"
        if p == SH.qualifiedValueShape:
            number = self.fresh("q")
            condition = self.qualified(c, x)
            joins.append(f"OPTIONAL {{ SELECT ?{f} (COUNT(DISTINCT ?{x}) AS ?{number}) WHERE "
                         f"{{ ?{f} {path} ?{x} FILTER({condition}) }} GROUP BY ?{f} }}")
            parts = []
            if c.extra["min"] is not None and c.extra["min"] > 0:
                parts.append(f"COALESCE(?{number}, 0) < {c.extra['min']}")
            if c.extra["max"] is not None:
                parts.append(f"COALESCE(?{number}, 0) > {c.extra['max']}")
            return " || ".join(parts) if parts else "false"
        number = counted.get(path)
        if number is None:  # counted by the query's one scan of all its paths
            number = counted[path] = self.fresh("n")
        n = _count(c.value)
        if p == SH.minCount:
            return "false" if n == 0 else f"COALESCE(?{number}, 0) < {n}"
        return f"COALESCE(?{number}, 0) > {n}"

    def emit_large_count(self, shape: _Shape, c: _Constraint, focus: _Focus) -> None:
        """A cardinality too large for nested patterns: GROUP BY on its own."""
        f = focus.var
        outer = _unique((*focus.outer, f))
        v = self.fresh("v")
        n = _count(c.value)
        if c.parameter == SH.minCount:
            text = (f"SELECT {_vars(outer)} WHERE {{ {focus.pattern} OPTIONAL {{ "
                    f"{self.values(shape, f, v)} }} }} GROUP BY {_vars(outer)} "
                    f"HAVING (COUNT(DISTINCT ?{v}) < {n})")
        else:
            text = (f"SELECT {_vars(outer)} WHERE {{ {focus.pattern} {self.values(shape, f, v)} }}"
                    f" GROUP BY {_vars(outer)} HAVING (COUNT(DISTINCT ?{v}) > {n})")
        self.add(text, focus, [_Check(shape, c, _component(c.parameter), with_value=False)])

    def emit_pair(self, shape: _Shape, c: _Constraint, focus: _Focus) -> None:
        """``sh:equals`` (values missing on either side) and ``sh:lessThan`` /
        ``sh:lessThanOrEquals`` (one result per value and per other value it is not
        below, as pySHACL reports them)."""
        f = focus.var
        other = _iri(c.value)
        v = self.fresh("v")
        head = _unique((*focus.outer, f, v))
        check = _Check(shape, c, _component(c.parameter))
        if c.parameter == SH.equals:
            for body in (f"{self.values(shape, f, v)} FILTER NOT EXISTS {{ ?{f} {other} ?{v} }}",
                         f"?{f} {other} ?{v} . FILTER NOT EXISTS {{ {self.values(shape, f, v)} }}"):
                text = f"SELECT DISTINCT {_vars(head)} WHERE {{ {focus.pattern} {body} }}"
                self.add(text, focus, [check], value_var=v)
            return
        w = self.fresh("w")
        text = (f"SELECT DISTINCT {_vars((*head, w))} WHERE {{ {focus.pattern} "
                f"{self.values(shape, f, v)} ?{f} {other} ?{w} . "
                f"FILTER({compare_fails(c.parameter, '?' + v, '?' + w)}) }}")
        self.add(text, focus, [check], value_var=v)

    def emit_sparql(self, shape: _Shape, c: _Constraint, focus: _Focus, *,
                    scan: bool = False) -> None:
        """A SPARQL-based constraint: its query joined to the focus nodes through
        ``?this`` (by hash after running it whole, with ``scan``)."""
        info = c.extra
        if info.get("deactivated"):
            return
        if "problem" in info:
            raise _Unsupported(info["problem"])
        select: str = info["select"]
        if _SHAPES_GRAPH_VAR.search(select):
            raise _Unsupported("$shapesGraph in a SPARQL constraint")
        if shape.is_property:
            select = _PATH_VAR.sub(lambda m: m.group(1) + shape.path_sparql, select)
        elif _PATH_VAR.search(select):
            raise _Unsupported("$PATH in the SPARQL constraint of a node shape")
        if _SHAPE_VAR.search(select):
            iri = _iri(shape.node)
            select = _SHAPE_VAR.sub(lambda m: m.group(1) + iri, select)
        prologue_match = _PROLOGUE.match(select)
        own_prologue = prologue_match.group(0) if prologue_match else ""
        body = select[len(own_prologue):]
        head = _SELECT_HEAD.match(body)
        if head is None:
            raise _Unsupported("sh:select that is not a SELECT query")
        projected = head.group(2)
        names = set(re.findall(r"[?$](\w+)", projected)) if projected.strip() != "*" else None
        projects_this = names is None or "this" in names
        if names is not None and "this" not in names:
            # the focus node joins the query through ?this: project it
            start = head.start(2)
            body = body[:start] + "?this " + body[start:]
        # pySHACL's queries also see the data graph's prefixes (kgbuild's and rdflib's)
        known = {**_fallback_prefixes(), **info["prefixes"]}
        _check_this_bound(known, select)
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in known.items())
        f = focus.var
        if scan and not focus.outer:
            inside = self.fresh("in")
            text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT * WHERE {{ {{ {body} }} "
                    f"OPTIONAL {{ SELECT (?{f} AS ?this) ?{inside} WHERE {{ {focus.pattern} "
                    f"BIND(true AS ?{inside}) }} }} FILTER(BOUND(?{inside})) }}")
            internal = {inside}
            focus = _Focus(focus.pattern, "this")
        else:
            group = _single_group(body[head.end(2):]) if names and "(" not in projected else None
            if group is not None:
                # a plain SELECT: its pattern inlined after the focus nodes, so that each
                # is looked up from them (a subquery would be read whole first)
                keep = _vars((*focus.outer, f))
                head_vars = _vars(_unique((*focus.outer, "this", *sorted(names or ()))))
                text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT {head_vars} WHERE {{ "
                        f"{{ SELECT {keep} (?{f} AS ?this) WHERE {{ {focus.pattern} }} }} "
                        f"{group} }}")
                focus = _Focus(focus.pattern, "this", focus.outer)
            else:
                text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT * WHERE {{ "
                        f"{{ {focus.pattern} BIND(?{f} AS ?this) }} {{ {body} }} }}")
            internal = set((*focus.outer, f))
        self.add(text, focus, [_Check(shape, c, SH.SPARQLConstraintComponent)],
                 sparql={**info, "projects_this": projects_this, "internal": internal})


#: Strings, IRIs and comments of a SPARQL text (braces inside them do not count), and braces.
_SPARQL_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^\s<>"{}|^`\\]*>|#[^\n]*|[{}]')


def _single_group(text: str) -> str | None:
    """The content of ``WHERE { ... }`` when nothing follows the group (no GROUP BY,
    ORDER BY, LIMIT...), else None."""
    text = re.sub(r"\A\s*WHERE\b", "", text.strip(), flags=re.I).strip()
    if not text.startswith("{"):
        return None
    depth = 0
    for token in _SPARQL_TOKENS.finditer(text):
        if token.group(0) == "{":
            depth += 1
        elif token.group(0) == "}":
            depth -= 1
            if depth == 0:
                return text[1:token.start()] if not text[token.end():].strip() else None
    return None


def _kind(shape: _Shape, c: _Constraint) -> str:
    """How a constraint is compiled: per value, per focus node (counts), or alone."""
    p = c.parameter
    if p in (SH.minCount, SH.maxCount, SH.qualifiedValueShape) or (
            p == SH.hasValue and shape.is_property):
        return "count"
    if p == SH.sparql:
        return "sparql"
    if p in (SH.equals, SH.lessThan, SH.lessThanOrEquals):
        return "pair"
    return "value"


def _count_parts(c: _Constraint) -> list[tuple[_Constraint, URIRef]]:
    """A count check and its component; a qualified count with both bounds is two."""
    if c.parameter != SH.qualifiedValueShape:
        return [(c, _component(c.parameter))]
    parts = []
    if c.extra["min"] is not None and c.extra["min"] > 0:
        parts.append((_Constraint(c.parameter, c.value, {**c.extra, "max": None}),
                      SH.QualifiedMinCountConstraintComponent))
    if c.extra["max"] is not None:
        parts.append((_Constraint(c.parameter, c.value, {**c.extra, "min": None}),
                      SH.QualifiedMaxCountConstraintComponent))
    return parts


def _scannable(path: str) -> bool:
    """Whether a path can be read whole: no closure (``*``, ``+``, ``?``), which would
    start from every node of the graph."""
    return not re.search(r"\)[*+?]", path)


def _fallback_prefixes() -> dict[str, str]:
    """The prefixes kgbuild's data graph binds (rdflib's defaults and kgbuild's)."""
    from kgbuild.core.namespaces import PREFIXES

    found = {str(p): str(ns) for p, ns in Graph().namespaces() if p}
    found.update({p: str(ns) for p, ns in PREFIXES.items() if p})
    return found


def _check_this_bound(prefixes: dict[str, str], select: str) -> None:
    """Refuse a SPARQL constraint whose ``$this`` is not bound by its own pattern.

    The compiled query joins the constraint's results with the focus nodes instead
    of running it once per focus node with ``$this`` pre-bound; the two agree when
    ``$this`` is bound by a triple pattern outside ``OPTIONAL``, ``FILTER`` and
    ``MINUS`` (as in kgbuild's shapes).
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        query = prepareQuery(select, initNs=prefixes)
    except Exception as exc:
        raise _Unsupported(f"SPARQL constraint that rdflib cannot parse: {exc}") from exc
    this = Variable("this")

    def bound(node: Any) -> bool:
        if not isinstance(node, CompValue):
            return False
        name = node.name
        if name == "BGP":
            return any(this in triple for triple in node.triples)
        if name in ("Join",):
            return bound(node.p1) or bound(node.p2)
        if name in ("LeftJoin", "Minus"):
            return bound(node.p1)
        if name == "Union":
            return bound(node.p1) and bound(node.p2)
        if name in ("Filter", "Extend", "Project", "Distinct", "Reduced", "Slice", "OrderBy",
                    "Group", "AggregateJoin", "ToMultiSet", "Graph", "SelectQuery", "SubSelect"):
            return bound(node.p)
        return False

    if not bound(query.algebra):
        raise _Unsupported("SPARQL constraint whose $this is not bound by a triple pattern")


def _component(parameter: Node) -> URIRef:
    """The constraint component of a parameter (``sh:class``: ``sh:ClassConstraintComponent``)."""
    names: dict[Node, str] = {SH["class"]: "Class", SH["in"]: "In", SH["not"]: "Not",
                              SH["or"]: "Or", SH["and"]: "And", SH.xone: "Xone"}
    name = names.get(parameter)
    if name is None:
        local = str(parameter)[len(str(SH)):]
        name = local[0].upper() + local[1:]
    return SH[f"{name}ConstraintComponent"]


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    """The names once each, in their first order."""
    return tuple(dict.fromkeys(names))


def _vars(names: Iterable[str]) -> str:
    """SPARQL variables, space-separated."""
    return " ".join(f"?{n}" for n in names)
