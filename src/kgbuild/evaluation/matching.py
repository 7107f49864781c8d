"""Which returned rows are which gold rows: matching one row, pairing all of them.

A returned item (the rows of one node, or one distinct row) matches a gold row when
its values denote the gold's entities, terms and times (FORMAT.md and the rules listed
in :mod:`kgbuild.evaluation.evaluate`); :func:`pair_rows` then pairs items with gold
rows one to one by a maximum bipartite matching that prefers required gold rows and
correct kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import networkx as nx

from kgbuild.evaluation.gold import (
    AgreementGold,
    CasualtyGold,
    ConflictGold,
    EntityGold,
    EventGold,
    GoldEntity,
    GoldRow,
    PlaceLinkGold,
    RoleGold,
    StatementGold,
    local_key,
    normalise_label,
)
from kgbuild.evaluation.times import time_matches

#: One query result row: variable name to plain value (unbound: ``None``).
Row = Mapping[str, "str | int | None"]

#: The node variable whose distinct values are the items of a question.
_NODE_VAR: dict[str, str] = {
    "actors": "actor",
    "places": "place",
    "events": "event",
    "casualties": "claim",
    "statements": "statement",
    "agreements": "agreement",
}


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What matching needs besides the rows: the gold entities and the publication date."""

    entities: Mapping[str, GoldEntity]
    published: date | None

    def names(self, key: str) -> frozenset[str]:
        """The normalised label and aliases of an entity key (none for an unknown key)."""
        entity = self.entities.get(key)
        return entity.names if entity is not None else frozenset()


def label_matches(
    value: str | int | None, keys: Iterable[str], entities: Mapping[str, GoldEntity]
) -> bool:
    """Whether a returned label denotes one of the given entities.

    Args:
        value: the returned label (None: unbound, never matches).
        keys: entity keys, any one of which may match.
        entities: the gold entities.

    Returns:
        True when the normalised label equals an entity's label or alias.

    >>> ents = {"eu": GoldEntity("eu", "European Union", ("InternationalOrganization",), ("EU",))}
    >>> label_matches("the E.U.", ["eu"], ents)
    True
    """
    if value is None:
        return False
    norm = normalise_label(str(value))
    return any(norm in entities[k].names for k in keys if k in entities)


def _vocab_matches(value: str | int | None, allowed: Iterable[str]) -> bool:
    if value is None:
        return False
    got = local_key(value)
    return any(got == local_key(a) for a in allowed)


def _opt_label(value: str | int | None, keys: tuple[str, ...] | None, ctx: MatchContext) -> bool:
    return keys is None or label_matches(value, keys, ctx.entities)


def as_int(value: str | int | None) -> int | None:
    """A returned value as a whole number ("3", "3.0", 3), or None when it is not one."""
    if value is None or isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _row_matches(question: str, gold: GoldRow, row: Row, ctx: MatchContext) -> bool:
    g = row.get
    if isinstance(gold, EntityGold):
        return label_matches(g("label"), (gold.entity,), ctx.entities)
    if isinstance(gold, PlaceLinkGold):
        return (
            label_matches(g("label"), gold.place, ctx.entities)
            and _vocab_matches(g("relation"), (gold.relation,))
            and label_matches(g("otherLabel"), gold.other, ctx.entities)
        )
    if isinstance(gold, EventGold):
        if not _vocab_matches(g("kind"), gold.kinds):
            return False
        if not (
            _opt_label(g("agent"), gold.agent, ctx)
            and _opt_label(g("target"), gold.target, ctx)
            and _opt_label(g("place"), gold.place, ctx)
        ):
            return False
        return gold.time_text is None or time_matches(gold.time_text, g("time"), ctx.published)
    if isinstance(gold, CasualtyGold):
        if not (
            _opt_label(g("source"), gold.source, ctx) and _opt_label(g("victim"), gold.victim, ctx)
        ):
            return False
        if gold.outcome is not None and not _vocab_matches(g("outcome"), gold.outcome):
            return False
        if gold.qualifier is not None and not _vocab_matches(g("qualifier"), gold.qualifier):
            return False
        if gold.count_given:
            count = g("count")
            if gold.count is None:
                return count is None
            return as_int(count) == gold.count
        return True
    if isinstance(gold, StatementGold):
        return (
            _opt_label(g("speaker"), gold.speaker, ctx)
            and (gold.stance is None or _vocab_matches(g("stance"), gold.stance))
            and _opt_label(g("addressee"), gold.addressee, ctx)
        )
    if isinstance(gold, RoleGold):
        role = g("role")
        role_ok = role is not None and any(
            normalise_label(str(role)) == normalise_label(r) or local_key(role) == local_key(r)
            for r in gold.role
        )
        return (
            role_ok
            and label_matches(g("person"), gold.person, ctx.entities)
            and _opt_label(g("organization"), gold.organization, ctx)
        )
    if isinstance(gold, ConflictGold):
        a, b = g("sourceA"), g("sourceB")
        ents = ctx.entities
        return (label_matches(a, gold.a, ents) and label_matches(b, gold.b, ents)) or (
            label_matches(a, gold.b, ents) and label_matches(b, gold.a, ents)
        )
    raise TypeError(f"no row matcher for {type(gold).__name__} in question {question!r}")


def _date_matches(value: str | int | None, year: int | None, month: int | None) -> bool:
    if year is None:
        return True
    if value is None:
        return False
    m = re.match(r"\s*(-?\d{4})(?:-(\d{2}))?", str(value))
    if not m or int(m[1]) != year:
        return False
    return month is None or (m[2] is not None and int(m[2]) == month)


def _agreement_matches(gold: AgreementGold, rows: Sequence[Row], ctx: MatchContext) -> bool:
    if not any(
        r.get("label") is not None and normalise_label(str(r["label"])) in gold.names for r in rows
    ):
        return False
    if not any(_date_matches(r.get("date"), gold.year, gold.month) for r in rows):
        return False
    if gold.broker and not any(
        label_matches(r.get("broker"), gold.broker, ctx.entities) for r in rows
    ):
        return False
    parties = [r.get("party") for r in rows]
    return all(any(label_matches(p, (key,), ctx.entities) for p in parties) for key in gold.parties)


def _item_matches(question: str, gold: GoldRow, rows: Sequence[Row], ctx: MatchContext) -> bool:
    if isinstance(gold, AgreementGold):
        return _agreement_matches(gold, rows, ctx)
    return any(_row_matches(question, gold, row, ctx) for row in rows)


def _kind_ok(rows: Sequence[Row], entity: GoldEntity | None) -> bool:
    if entity is None:
        return False
    allowed = {local_key(k) for k in entity.kinds}
    kinds = (r.get("kind") for r in rows)
    return any(k is not None and local_key(k) in allowed for k in kinds)


def render_row(row: Row) -> str:
    """A row as ``var=value, ...`` by variable name (the key of an item that is a row)."""
    return ", ".join(f"{k}={v}" for k, v in sorted(row.items(), key=lambda kv: kv[0]))


def _items(question: str, rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    """Group rows into items: distinct node values, or distinct rows."""
    var = _NODE_VAR.get(question)
    groups: dict[str, list[Row]] = {}
    for row in rows:
        node = row.get(var) if var else None
        key = str(node) if node is not None else render_row(row)
        group = groups.setdefault(key, [])
        if var is None and group:
            continue  # a duplicate row is the same item
        group.append(row)
    return sorted(groups.items())


@dataclass(frozen=True, slots=True)
class Pairing:
    """The items of a question's rows and which gold row each paired item is."""

    items: list[tuple[str, list[Row]]]
    pairs: dict[int, int]  # item index -> gold index
    kind_ok: dict[int, bool]  # item index -> kind correct (actors, places)


def pair_rows(
    question: str, gold_rows: Sequence[GoldRow], rows: Sequence[Row], ctx: MatchContext
) -> Pairing:
    """Pair a question's returned items with its gold rows, one to one.

    Args:
        question: the question name.
        gold_rows: its gold rows.
        rows: its returned rows.
        ctx: the gold entities and the publication date.

    Returns:
        The items, the pairs, and (actors, places) whether each paired node's kind is right.
    """
    items = _items(question, rows)
    with_kinds = question in ("actors", "places")
    n = min(len(items), len(gold_rows)) + 1
    # Lexicographic weights: more pairs first, then more required gold rows
    # paired, then (actors, places) more correct kinds.
    tier_required = n + 1
    tier_pair = n * tier_required + n + 1
    graph: nx.Graph[tuple[str, int]] = nx.Graph()
    kind_ok: dict[tuple[int, int], bool] = {}
    for i, (_key, item_rows) in enumerate(items):
        for j, gold in enumerate(gold_rows):
            if not _item_matches(question, gold, item_rows, ctx):
                continue
            ok = False
            if with_kinds and isinstance(gold, EntityGold):
                ok = _kind_ok(item_rows, ctx.entities.get(gold.entity))
                kind_ok[(i, j)] = ok
            weight = tier_pair + (tier_required if gold.required else 0) + (1 if ok else 0)
            graph.add_edge(("item", i), ("gold", j), weight=weight)
    pairs: dict[int, int] = {}
    for u, v in nx.max_weight_matching(graph):
        item, gold = (u, v) if u[0] == "item" else (v, u)
        pairs[item[1]] = gold[1]
    kinds = {i: kind_ok[(i, j)] for i, j in pairs.items() if (i, j) in kind_ok}
    return Pairing(items=items, pairs=pairs, kind_ok=kinds)
