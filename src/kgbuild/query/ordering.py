"""ORDER BY in Python: a sorted query runs unsorted in Oxigraph, and its rows are sorted
here by SPARQL's ordering rules, as Oxigraph applies them.

Oxigraph sorts by reading every IRI and string of the sort keys back from its store at
each comparison, and only after the whole answer is sorted does the first row come out:
on a million triples its ``ORDER BY`` took most of a big query's time (bench/README.md).
Python sorts the rows once each term has been read, in a fraction of that.

:func:`plan_order` rewrites a checked query whose top-level ``ORDER BY`` sorts by
variables only (``?x``, ``ASC(?x)``, ``DESC(?x)``): the ``ORDER BY``, ``LIMIT`` and
``OFFSET`` clauses are cut out and the sort variables that the query does not project
are added to its projection.  The rewritten text is parsed again and must give the
original algebra without its ordering and slice, or the query is left to Oxigraph.
:func:`order_rows` then sorts Oxigraph's rows:

- unbound first, then blank nodes, IRIs and literals (IRIs and blank nodes by their
  text, in code point order, as Rust compares strings);
- literals of one kind by value: numbers (``xsd:integer``, ``xsd:decimal`` and the types
  derived from them; or ``xsd:float`` and ``xsd:double``), ``xsd:dateTime``,
  ``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear`` without time zones; strings, language
  strings, booleans and literals of other datatypes by (text, datatype, language), as
  Oxigraph compares them;
- each key ascending or descending; ties keep the order Oxigraph gave the rows (SPARQL
  leaves it open); with ``DISTINCT``, the first of equal projected rows is kept, as if
  the answer had been sorted before its projection;
- then the query's own ``OFFSET`` and ``LIMIT``.

Where Oxigraph's order is not a total order (a key column mixing numbers and strings,
NaN, time zones, time and duration literals...) or cannot be reproduced for certain, the
rows are not sorted here (:func:`order_rows` answers None) and the caller runs the
original query, sorted by Oxigraph.
"""

from __future__ import annotations

import re
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from kgbuild.core.oxterms import memoized
from kgbuild.query.checks import _OPAQUE, _WORD
from kgbuild.query.limits import _Cancelled
from kgbuild.query.results import QueryResult
from kgbuild.query.terms import _ox_answer

__all__ = ["OrderPlan", "order_rows", "plan_order"]


@dataclass(frozen=True)
class OrderPlan:
    """How to run a sorted query unsorted and sort its rows in Python.

    Attributes:
        sparql: the query without its ``ORDER BY``, ``LIMIT`` and ``OFFSET``, projecting
            the sort variables it did not project after its own columns.
        keys: the sort keys in order: (variable name, descending).
        hidden: the sort variables added to the projection, in the order added.
        distinct: the query is ``SELECT DISTINCT`` and ``hidden`` is not empty: equal
            rows of the query's own columns are kept once, the first after sorting.
        offset: the query's ``OFFSET`` (0 without one).
        limit: the query's ``LIMIT`` (None without one).
    """

    sparql: str
    keys: tuple[tuple[str, bool], ...]
    hidden: tuple[str, ...]
    distinct: bool
    offset: int
    limit: int | None


# --------------------------------------------------------------------------- planning

#: plans by query text (None: the query is left to Oxigraph); bounded, see _remember
_PLANS: dict[str, OrderPlan | None] = {}
_PLANS_MAX = 256
_PLANS_LOCK = threading.Lock()


def plan_order(sparql: str, algebra: Any) -> OrderPlan | None:
    """The plan that sorts ``sparql``'s answer in Python, or None to let Oxigraph sort it.

    Args:
        sparql: a checked query text (:func:`kgbuild.query.checks._check`).
        algebra: rdflib's translation of it (``_Checked.prepared.algebra``).

    Returns:
        The plan; None when the query has no top-level ``ORDER BY``, sorts by an
        expression other than a variable, is ``SELECT REDUCED``, groups or aggregates
        and sorts by a variable it does not project, or the rewritten text does not
        give the same algebra.

    >>> q = "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY DESC(?o) ?s LIMIT 2"
    >>> from rdflib.plugins.sparql.parser import parseQuery
    >>> plan = plan_order(q, translateQuery(parseQuery(q)).algebra)
    >>> plan.keys, plan.hidden, plan.distinct, plan.limit
    ((('o', True), ('s', False)), ('o',), True, 2)
    >>> print(plan.sparql)
    SELECT DISTINCT ?s ?o WHERE { ?s ?p ?o }
    """
    with _PLANS_LOCK:
        if sparql in _PLANS:
            return _PLANS[sparql]
    try:
        plan = _plan(sparql, algebra)
    except Exception:  # any surprise in the rewriting leaves the query to Oxigraph
        plan = None
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[sparql] = plan
    return plan


@dataclass(frozen=True)
class _Modifiers:
    """The top of a SELECT query's algebra: Slice? (Distinct | Reduced)? Project OrderBy?"""

    offset: int
    limit: int | None
    modifier: str  # "", "Distinct" or "Reduced"
    projected: tuple[str, ...]
    order: Any  # the OrderBy node's conditions, or None
    body: Any  # what the projection (or the OrderBy under it) reads


def _modifiers(algebra: Any) -> _Modifiers | None:
    node = algebra.get("p") if isinstance(algebra, CompValue) else None
    offset, limit = 0, None
    if isinstance(node, CompValue) and node.name == "Slice":
        offset = int(node.get("start") or 0)
        length = node.get("length")
        limit = None if length is None else int(length)
        node = node.get("p")
    modifier = ""
    if isinstance(node, CompValue) and node.name in ("Distinct", "Reduced"):
        modifier = node.name
        node = node.get("p")
    if not (isinstance(node, CompValue) and node.name == "Project"):
        return None
    projected = tuple(str(v) for v in dict.get(algebra, "PV") or ())
    inner = node.get("p")
    if isinstance(inner, CompValue) and inner.name == "OrderBy":
        return _Modifiers(offset, limit, modifier, projected, inner.get("expr"), inner.get("p"))
    return _Modifiers(offset, limit, modifier, projected, None, inner)


def _has_aggregate(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in ("Group", "AggregateJoin"):
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _plan(sparql: str, algebra: Any) -> OrderPlan | None:
    top = _modifiers(algebra)
    if top is None or top.order is None or top.modifier == "Reduced":
        return None
    keys: list[tuple[str, bool]] = []
    for condition in top.order:
        expr = condition.get("expr") if isinstance(condition, CompValue) else condition
        if not isinstance(expr, Variable):
            return None  # an expression: Oxigraph evaluates and sorts it
        descending = isinstance(condition, CompValue) and condition.get("order") == "DESC"
        keys.append((str(expr), descending))
    hidden = tuple(dict.fromkeys(k for k, _ in keys if k not in top.projected))
    if hidden and _has_aggregate(top.body):
        return None  # a grouped query may not project what it does not group by
    spans = _clauses(sparql)
    if spans is None:
        return None
    text = _rewrite(sparql, spans, hidden)
    # the rewritten text must mean the same query, unsorted and unsliced
    again = _modifiers(translateQuery(parseQuery(text)).algebra)
    if (again is None or again.order is not None or again.offset != 0
            or again.limit is not None or again.modifier != top.modifier
            or again.projected != top.projected + hidden or again.body != top.body):
        return None
    return OrderPlan(sparql=text, keys=tuple(keys), hidden=hidden,
                     distinct=bool(hidden) and top.modifier == "Distinct",
                     offset=top.offset, limit=top.limit)


@dataclass(frozen=True)
class _Spans:
    """Where the clauses to cut or extend lie in a query text."""

    insert_at: int  # before the WHERE keyword (or the group's brace): the projection's end
    cut: tuple[tuple[int, int], ...]  # ORDER BY, LIMIT and OFFSET clauses


def _tokens(sparql: str) -> list[tuple[int, int, str, int]]:
    """The words and brackets of ``sparql`` outside comments, strings, IRIs and variables:
    (start, end, lower-case text, bracket depth before the token)."""
    out: list[tuple[int, int, str, int]] = []
    depth = 0
    pos = 0
    while pos < len(sparql):
        char = sparql[pos]
        if char.isspace():
            pos += 1
            continue
        opaque = _OPAQUE.match(sparql, pos)
        if opaque is not None and opaque.end() > pos:
            pos = opaque.end()
            continue
        if char in "{(":
            out.append((pos, pos + 1, char, depth))
            depth += 1
            pos += 1
            continue
        if char in "})":
            depth -= 1
            out.append((pos, pos + 1, char, depth))
            pos += 1
            continue
        word = _WORD.match(sparql, pos)
        if word is None:
            out.append((pos, pos + 1, char, depth))
            pos += 1
            continue
        out.append((pos, word.end(), word.group().lower(), depth))
        pos = word.end()
    return out


def _clauses(sparql: str) -> _Spans | None:
    """Find the end of the projection and the top-level ORDER BY / LIMIT / OFFSET."""
    tokens = _tokens(sparql)
    select = next((i for i, t in enumerate(tokens) if t[2] == "select" and t[3] == 0), None)
    if select is None:
        return None
    group = next((i for i in range(select + 1, len(tokens))
                  if tokens[i][2] == "{" and tokens[i][3] == 0), None)
    if group is None:
        return None
    insert_at = tokens[group][0]
    if tokens[group - 1][2] == "where" and tokens[group - 1][3] == 0:
        insert_at = tokens[group - 1][0]
    close = next((i for i in range(group + 1, len(tokens))
                  if tokens[i][2] == "}" and tokens[i][3] == 0), None)
    if close is None:
        return None
    top = [(i, t) for i, t in enumerate(tokens) if i > close and t[3] == 0]
    ends = ("limit", "offset", "values")
    cut: list[tuple[int, int]] = []
    for n, (i, (start, _end, word, _)) in enumerate(top):
        if word == "order":
            after = [t[0] for _, t in top[n + 1:] if t[2] in ends]
            cut.append((start, after[0] if after else len(sparql)))
        elif word in ("limit", "offset"):
            if i + 1 >= len(tokens) or not tokens[i + 1][2].isdigit():
                return None
            cut.append((start, tokens[i + 1][1]))
    return _Spans(insert_at=insert_at, cut=tuple(cut))


def _rewrite(sparql: str, spans: _Spans, hidden: tuple[str, ...]) -> str:
    pieces: list[str] = []
    last = 0
    edits = sorted([(spans.insert_at, spans.insert_at), *spans.cut])
    for start, end in edits:
        pieces.append(sparql[last:start])
        if start == end == spans.insert_at and hidden:
            pieces.append(" ".join("?" + name for name in hidden) + " ")
        last = max(last, end)
    pieces.append(sparql[last:])
    return "".join(pieces).rstrip()


# --------------------------------------------------------------------------- sort keys

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGERS = frozenset(_XSD + name for name in (
    "integer", "byte", "short", "int", "long", "unsignedByte", "unsignedShort", "unsignedInt",
    "unsignedLong", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "nonNegativeInteger"))
#: datatypes Oxigraph reads as values that this module does not compare: time zones and
#: the like decide their order, so a key holding them is left to Oxigraph
_UNSUPPORTED = frozenset(_XSD + name for name in (
    "time", "gMonthDay", "gDay", "gMonth", "duration", "yearMonthDuration",
    "dayTimeDuration"))
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_YEAR = r"(-?(?:[1-9]\d{4,}|\d{4}))"
_DATE_TIME = re.compile(_YEAR + r"-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d(?:\.\d+)?)")
_DATE = re.compile(_YEAR + r"-(\d\d)-(\d\d)")
_YEAR_MONTH = re.compile(_YEAR + r"-(\d\d)")
_GYEAR = re.compile(_YEAR)
_I64 = 2**63
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _day_ok(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month - 1]:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return not (month == 2 and day == 29 and not leap)


def _literal_key(value: str, datatype: str) -> tuple[Any, ...] | None:
    """The sort key of a typed literal other than a string, or None when unsure."""
    if datatype in _INTEGERS:
        if _INTEGER.fullmatch(value) and -_I64 <= int(value) < _I64:
            return (3, "exact", int(value))
        return None
    if datatype == _XSD + "decimal":
        if not _DECIMAL.fullmatch(value):
            return None
        number = Decimal(value)
        # Oxigraph's decimals hold 18 fractional digits in 128 bits
        if abs(number) >= Decimal("1e20") or -number.as_tuple().exponent > 18:  # type: ignore[operator]
            return None
        return (3, "exact", number)
    if datatype in (_XSD + "double", _XSD + "float"):
        if value in ("INF", "+INF"):
            number = float("inf")
        elif value == "-INF":
            number = float("-inf")
        elif _DOUBLE.fullmatch(value):
            number = float(value)
        else:
            return None  # NaN too: it is not ordered
        if datatype == _XSD + "float":
            try:
                number = struct.unpack("f", struct.pack("f", number))[0]
            except OverflowError:
                number = float("inf") if number > 0 else float("-inf")
        return (3, "binary", number)
    if datatype == _XSD + "boolean":
        canonical = {"true": "true", "1": "true", "false": "false", "0": "false"}.get(value)
        return None if canonical is None else (3, "text", canonical, datatype, "")
    return _calendar_key(value, datatype)


def _calendar_key(value: str, datatype: str) -> tuple[Any, ...] | None:
    if datatype in (_XSD + "dateTime", _XSD + "dateTimeStamp"):
        match = _DATE_TIME.fullmatch(value)
        if match is None:
            return None
        y, mo, d, h, mi = (int(g) for g in match.groups()[:5])
        second = Decimal(match.group(6))
        if not _day_ok(y, mo, d) or h > 23 or mi > 59 or second >= 60:
            return None
        return (3, "dateTime", y, mo, d, h, mi, second)
    if datatype == _XSD + "date":
        match = _DATE.fullmatch(value)
        if match is None:
            return None
        y, mo, d = (int(g) for g in match.groups())
        return (3, "date", y, mo, d) if _day_ok(y, mo, d) else None
    if datatype == _XSD + "gYearMonth":
        match = _YEAR_MONTH.fullmatch(value)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            return None
        return (3, "gYearMonth", int(match.group(1)), int(match.group(2)))
    if datatype == _XSD + "gYear":
        match = _GYEAR.fullmatch(value)
        return None if match is None else (3, "gYear", int(match.group(1)))
    if datatype in _UNSUPPORTED:
        return None
    # any other datatype: Oxigraph compares (text, datatype, language)
    return (3, "text", value, datatype, "")


def _term_key(term: Any) -> tuple[Any, ...] | None:
    """The sort key of a pyoxigraph term (None: unbound), or None when unsure.

    The first item orders the kinds of terms; for literals the second names the kind of
    literal: only literals of one kind are compared by these keys.
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, "", term.value)
    if isinstance(term, ox.NamedNode):
        return (2, "", term.value)
    if not isinstance(term, ox.Literal) or getattr(term, "direction", None):
        return None  # a triple term, a directional language string
    if term.language:
        return (3, "text", term.value, _RDF_LANG_STRING, term.language)
    datatype = term.datatype.value
    if datatype == _XSD + "string":
        return (3, "text", term.value, datatype, "")
    return _literal_key(term.value, datatype)


def _ranks(terms: Sequence[Any]) -> list[int] | None:
    """The rank of each of the distinct ``terms`` in SPARQL's order (equal keys share a
    rank), or None when they cannot all be ordered here (mixed kinds of literals,
    values this module is unsure of)."""
    keyed: list[tuple[tuple[Any, ...], int]] = []
    kinds: set[str] = set()
    for position, term in enumerate(terms):
        key = _term_key(term)
        if key is None:
            return None
        if key[0] == 3:
            kinds.add(key[1])
        keyed.append((key, position))
    if len(kinds) > 1:
        return None  # Oxigraph's comparison across kinds is not a total order
    keyed.sort(key=lambda pair: pair[0])
    ranks = [0] * len(terms)
    rank = -1
    previous: tuple[Any, ...] | None = None
    for key, position in keyed:
        if key != previous:
            rank += 1
            previous = key
        ranks[position] = rank
    return ranks


@dataclass
class _Interned:
    """A column of an answer: each row's term as a number, and the distinct terms."""

    ids: list[int]
    terms: list[Any]


def _intern(rows: list[tuple[Any, ...]], width: int) -> list[_Interned]:
    # each distinct term is hashed once per column here; sorting, DISTINCT and the
    # conversion to rdflib terms then work on numbers (hashing a pyoxigraph term is slow)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    out: list[_Interned] = []
    for column in columns:
        index: dict[Any, int] = {}
        ids = [index.setdefault(term, len(index)) for term in column]
        out.append(_Interned(ids, list(index)))
    return out


def _order(variables: Sequence[str], columns: list[_Interned], count: int, plan: OrderPlan
           ) -> list[int] | None:
    """The row numbers of the answer in the plan's order, after DISTINCT over the query's
    own columns, OFFSET and LIMIT; None when the keys cannot be ordered here."""
    names = list(variables)
    # one number per row that orders as its keys do: the ranks of each key in turn, as
    # digits of a number in mixed radix (Python sorts numbers faster than tuples)
    key: list[int] = [0] * count
    for name, descending in plan.keys:
        column = columns[names.index(name)]
        ranks = _ranks(column.terms)
        if ranks is None:
            return None
        base = max(ranks, default=0) + 1
        if descending:
            ranks = [base - 1 - r for r in ranks]
        key = [k * base + ranks[i] for k, i in zip(key, column.ids, strict=True)]
    order = sorted(range(count), key=key.__getitem__)  # stable: ties keep their order
    if plan.distinct:
        width = len(variables) - len(plan.hidden)
        own = list(zip(*(c.ids for c in columns[:width]), strict=True))
        seen: set[tuple[int, ...]] = set()
        unique: list[int] = []
        for i in order:
            if own[i] not in seen:
                seen.add(own[i])
                unique.append(i)
        order = unique
    end = None if plan.limit is None else plan.offset + plan.limit
    return order[plan.offset:end]


def order_rows(variables: Sequence[str], rows: list[tuple[Any, ...]], plan: OrderPlan
               ) -> list[tuple[Any, ...]] | None:
    """Sort the rows of a plan's query by its keys; drop hidden columns, apply DISTINCT
    over the query's own columns, OFFSET and LIMIT.

    Args:
        variables: the answer's variables (the query's columns, then ``plan.hidden``).
        rows: its rows of pyoxigraph terms (None: unbound), in Oxigraph's order.
        plan: the plan the query ran by.

    Returns:
        The rows of the query's own columns, or None when the keys hold terms this
        module does not order as Oxigraph does (the caller lets Oxigraph sort).
    """
    order = _order(variables, _intern(rows, len(variables)), len(rows), plan)
    if order is None:
        return None
    width = len(variables) - len(plan.hidden)
    return [rows[i][:width] for i in order]


# --------------------------------------------------------------------------- collecting


def collect_ordered(solutions: Any, plan: OrderPlan, limit: int | None,
                    cancel: threading.Event) -> QueryResult | None:
    """Read Oxigraph's unsorted ``solutions`` of ``plan.sparql``, sort them, and answer the
    first ``limit`` rows (None: all) as rdflib terms.

    Returns:
        The result, or None when the rows must be sorted by Oxigraph instead.

    Raises:
        _Cancelled: ``cancel`` was set.
    """
    variables = tuple(v.value for v in solutions.variables)
    width = len(variables) - len(plan.hidden)
    if width < 0 or variables[width:] != plan.hidden:
        return None
    rows: list[tuple[Any, ...]] = []
    try:
        for solution in solutions:
            if cancel.is_set():
                raise _Cancelled
            rows.append(tuple(solution))
    finally:
        # Oxigraph's solution iterator must be dropped in this thread (see engines)
        solutions = solution = None
    columns = _intern(rows, len(variables))
    del rows
    order = _order(variables, columns, len(columns[0].ids) if columns else 0, plan)
    if order is None:
        return None
    truncated = limit is not None and len(order) > limit
    if limit is not None:
        order = order[:limit]
    # column by column: each distinct term of the rows returned is converted once
    convert: Callable[[Any], Node | None] = memoized(_ox_answer)
    values: list[list[Node | None]] = []
    for column in columns[:width]:
        picked = [column.ids[i] for i in order]
        terms = column.terms
        answers = {k: convert(terms[k]) for k in set(picked)}
        values.append([answers[k] for k in picked])
    return QueryResult(vars=variables[:width], rows=tuple(zip(*values, strict=True)),
                       truncated=truncated)
