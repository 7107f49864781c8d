"""Score a knowledge graph against hand-made gold annotations.

The gold format and the scoring rules are the contract written in
``tests/gold/FORMAT.md``; this module implements them in three layers:

* :func:`load_gold` reads and strictly validates a gold folder
  (``entities.json``, every ``*.gold.json``, optional ``corpus.gold.json``)
  into a :class:`GoldSet`, raising :class:`GoldFormatError` that names the
  file, the JSON path of the bad item and the fix.
* :func:`score_question` and :func:`check_provenance` are the pure scoring
  core: they compare plain query rows (``dict`` of variable name to ``str``,
  ``int`` or ``None``) with gold rows and know nothing of RDF.
  :func:`score_graph` runs (or takes) the rows of every contract query for one
  article.
* :func:`evaluate` builds each gold article alone with
  :func:`kgbuild.pipeline.build`, scores it, then builds all gold articles
  together for the cross-article checks of ``corpus.gold.json``, and returns an
  :class:`EvalReport` (printable, ``to_dict``, ``to_json``).

Interpretation choices where FORMAT.md leaves room (all deliberate):

* Pairing is one to one and computed as a maximum bipartite matching, so it
  does not depend on row order.  Among the maximum matchings, one that pairs
  the most *required* gold rows is chosen, and then (actors, places) the one
  whose paired nodes have the most correct kinds.
* A node (``?actor``, ``?event`` ...) pairs with a gold row when ANY one of its
  rows matches every field the gold row gives.  Agreements are the exception,
  judged over all rows of the node: its label matches the gold label or an
  alias, its date matches (gold year equal; gold month, when not null, equal;
  a date without a month fails a gold month), its broker matches one of the
  gold brokers when gold gives any, and EVERY gold party is among the node's
  ``?party`` values.
* A gold field that is absent or ``null`` is not compared, except
  ``casualties.count``: ``null`` there demands an unbound ``?count``.
* Lists of entity keys, kinds, stances, outcomes, qualifiers and roles are
  alternatives (any one matches); a single string is accepted for a list.
* Event ``name`` is not compared (``events.rq`` has no variable for it).
  Conflict ``topic`` is free text and is not compared either; the sources
  ``a``/``b`` match ``?sourceA``/``?sourceB`` in either order.
* Roles: the returned ``?role`` matches when its normalised text equals a gold
  role, or when their local names agree with case, hyphens, underscores and
  spaces ignored (``chairman-in-office`` = ``ChairmanInOffice``).
* Event times: a gold ``time_text`` matches when the normalised returned
  ``?time`` contains it as whole words, or when both resolve to the same date
  against the article's publication date (or the returned date lies within a
  coarser gold period: ``2020`` accepts ``2020-11-10``).  Resolution knows ISO
  values, ``Month D[, YYYY]``, ``D Month [YYYY]`` (publication year when none
  is written), ``Month YYYY``, weekday names, ``today``/``yesterday`` and bare
  years.  A weekday name means the most recent such day ON OR BEFORE the
  publication date (news reports "on Wednesday" for a past day; the day of
  publication itself is allowed).  Without a publication date, ``Month D`` and
  weekday names still match a returned full date with that month and day, or
  that weekday.
* Precision of a question that returned nothing is 1.0 and recall of a
  question without required gold rows is 1.0; F1 is 0 when either is 0.
* A gold section that is absent from an article's file is "not annotated" and
  that question is not scored for the article; an empty list is scored.
* Items of ``place-links``, ``roles`` and ``conflicts`` are distinct rows of
  all projected variables, so a conflict returned in both orders is two items.
* ``corpus.gold.json`` ``conflicts`` (``a``/``b`` are article file names) are
  checked when both seeds are built together: a returned conflict row passes
  when ``?claimA`` and ``?claimB`` are stated (per ``provenance.rq``) in
  articles of ``a`` and ``b``, in either order.
* Article text for the provenance check, and the publication date, are those
  :func:`kgbuild.inputs.articles.read_articles` gives (UTF-8, BOM removed, newlines
  kept; the sidecar ``.meta.json``).

>>> normalise_label("The Azerbaijan’s Defence-Ministry!")
'azerbaijan defense ministry'
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from kgbuild.core.errors import GoldFormatError, InputError
from kgbuild.core.model import (
    ACTOR_KINDS,
    EVENT_KINDS,
    OUTCOMES,
    PLACE_KINDS,
    QUALIFIERS,
    STANCES,
    Article,
)
from kgbuild.nlp.lexicon import MONTH_NAMES

__all__ = [
    "QUESTIONS",
    "SCORED_QUESTIONS",
    "AgreementGold",
    "ArticleReport",
    "CasualtyGold",
    "ConflictGold",
    "CorpusCheck",
    "CorpusGold",
    "CorpusReport",
    "EntityGold",
    "EvalReport",
    "EventGold",
    "GoldArticle",
    "GoldEntity",
    "GoldRow",
    "GoldSet",
    "PlaceLinkGold",
    "ProvenanceCheck",
    "QuestionScore",
    "RoleGold",
    "Row",
    "StatementGold",
    "check_provenance",
    "evaluate",
    "label_matches",
    "load_gold",
    "local_key",
    "normalise_label",
    "resolve_time",
    "rows_from_result",
    "score_graph",
    "score_question",
    "time_matches",
]

#: One query result row: variable name to plain value (unbound: ``None``).
Row = Mapping[str, "str | int | None"]

#: Every contract query, in report order.
QUESTIONS: tuple[str, ...] = (
    "actors",
    "places",
    "place-links",
    "events",
    "casualties",
    "statements",
    "agreements",
    "roles",
    "conflicts",
    "provenance",
)
#: The questions that have gold rows and an F1 (all but provenance).
SCORED_QUESTIONS: tuple[str, ...] = QUESTIONS[:-1]

#: The node variable whose distinct values are the items of a question.
_NODE_VAR: dict[str, str] = {
    "actors": "actor",
    "places": "place",
    "events": "event",
    "casualties": "claim",
    "statements": "statement",
    "agreements": "agreement",
}
#: Gold section name (JSON key) of each scored question.
_SECTION: dict[str, str] = {q: q.replace("-", "_") for q in SCORED_QUESTIONS}
_QUESTION_OF_SECTION: dict[str, str] = {v: k for k, v in _SECTION.items()}


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_HYPHENS = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_POSSESSIVE = re.compile(r"'s\b")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def normalise_label(text: str) -> str:
    """Normalise a label the way FORMAT.md compares labels.

    Case folded, curly quotes straightened, a possessive ``'s`` and a leading
    "the" dropped, "defence" read as "defense", hyphens and runs of spaces
    read as one space, other punctuation dropped.

    Args:
        text: a label as returned or as written in the gold.

    Returns:
        The normalised form.

    >>> normalise_label("the Upper-Zorvan  enclave")
    'upper zorvan enclave'
    >>> normalise_label("Armenia’s foreign ministry")
    'armenia foreign ministry'
    """
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    s = _POSSESSIVE.sub("", s)
    s = _HYPHENS.sub(" ", s)
    s = "".join(ch for ch in s if ch.isalnum() or ch.isspace())
    s = _SPACES.sub(" ", s).strip()
    if s.startswith("the ") and len(s) > 4:
        s = s[4:]
    return s.replace("defence", "defense")


def local_key(value: str | int) -> str:
    """Reduce a kind, stance, relation, outcome or qualifier to its compared form.

    The local name (after the last ``#`` or ``/``) with case, hyphens,
    underscores and spaces ignored.

    Args:
        value: an IRI or a literal.

    Returns:
        The comparison key.

    >>> local_key("http://example.org/onto#Killed-Or-Injured")
    'killedorinjured'
    """
    s = str(value).strip()
    cut = max(s.rfind("#"), s.rfind("/"))
    if cut >= 0 and cut < len(s) - 1:
        s = s[cut + 1 :]
    s = unicodedata.normalize("NFKC", s).casefold()
    return re.sub(r"[\s_\-\u2010\u2011\u2013]", "", s)


# ---------------------------------------------------------------------------
# Gold records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """An entity of ``entities.json``: canonical label, kinds and aliases."""

    key: str
    label: str
    kinds: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """The normalised label and aliases."""
        return frozenset(normalise_label(n) for n in (self.label, *self.aliases))


@dataclass(frozen=True, slots=True)
class EntityGold:
    """A gold row of ``actors`` or ``places``: one entity key."""

    entity: str
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        return self.entity


@dataclass(frozen=True, slots=True)
class PlaceLinkGold:
    """A gold row of ``place_links``."""

    place: tuple[str, ...]
    relation: str
    other: tuple[str, ...]
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        return f"{'|'.join(self.place)} {self.relation} {'|'.join(self.other)}"


@dataclass(frozen=True, slots=True)
class EventGold:
    """A gold row of ``events``."""

    id: str
    kinds: tuple[str, ...]
    agent: tuple[str, ...] | None = None
    target: tuple[str, ...] | None = None
    place: tuple[str, ...] | None = None
    time_text: str | None = None
    name: str | None = None
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        return f"event {self.id} ({'|'.join(self.kinds)})"


@dataclass(frozen=True, slots=True)
class CasualtyGold:
    """A gold row of ``casualties``.

    ``count_given`` is False when the gold omits ``count`` (not compared);
    ``count=None`` with ``count_given`` demands an unbound ``?count``.
    """

    source: tuple[str, ...] | None
    victim: tuple[str, ...] | None
    outcome: tuple[str, ...] | None
    count: int | None
    qualifier: tuple[str, ...] | None
    count_given: bool = True
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        src = "|".join(self.source or ("*",))
        vic = "|".join(self.victim or ("*",))
        out = "|".join(self.outcome or ("*",))
        qual = "|".join(self.qualifier or ("*",))
        return f"{src}: {self.count} {out} ({qual}) of {vic}"


@dataclass(frozen=True, slots=True)
class StatementGold:
    """A gold row of ``statements``."""

    speaker: tuple[str, ...] | None
    stance: tuple[str, ...] | None
    addressee: tuple[str, ...] | None = None
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        text = f"{'|'.join(self.speaker or ('*',))} {'|'.join(self.stance or ('*',))}"
        if self.addressee:
            text += f" -> {'|'.join(self.addressee)}"
        return text


@dataclass(frozen=True, slots=True)
class AgreementGold:
    """A gold row of ``agreements``."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    year: int | None = None
    month: int | None = None
    broker: tuple[str, ...] | None = None
    parties: tuple[str, ...] = ()
    required: bool = True

    @property
    def names(self) -> frozenset[str]:
        """The normalised label and aliases."""
        return frozenset(normalise_label(n) for n in (self.label, *self.aliases))

    def describe(self) -> str:
        """One-line description for reports."""
        return f"agreement {self.id}"


@dataclass(frozen=True, slots=True)
class RoleGold:
    """A gold row of ``roles``."""

    person: tuple[str, ...]
    role: tuple[str, ...]
    organization: tuple[str, ...] | None = None
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        org = "|".join(self.organization or ("*",))
        return f"{'|'.join(self.person)} {'|'.join(self.role)} of {org}"


@dataclass(frozen=True, slots=True)
class ConflictGold:
    """A gold row of ``conflicts``: sources ``a`` and ``b`` (either order)."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    topic: str | None = None
    required: bool = True

    def describe(self) -> str:
        """One-line description for reports."""
        return f"{'|'.join(self.a)} vs {'|'.join(self.b)}" + (
            f" ({self.topic})" if self.topic else ""
        )


GoldRow = (
    EntityGold
    | PlaceLinkGold
    | EventGold
    | CasualtyGold
    | StatementGold
    | AgreementGold
    | RoleGold
    | ConflictGold
)


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """What one article must yield: gold rows per question.

    ``sections`` maps a question name (``"place-links"``, not the JSON key
    ``place_links``) to its gold rows; a question the file does not annotate is
    absent.
    """

    article: str
    path: Path
    sections: Mapping[str, tuple[GoldRow, ...]]


@dataclass(frozen=True, slots=True)
class CorpusGold:
    """What must hold when all gold articles are built into one graph."""

    same_entity: tuple[str, ...] = ()
    same_event: tuple[str, ...] = ()
    same_agreement: tuple[str, ...] = ()
    conflicts: tuple[ConflictGold, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldSet:
    """A whole gold folder: entities, per-article gold keyed by file name, corpus gold."""

    entities: Mapping[str, GoldEntity]
    articles: Mapping[str, GoldArticle]
    corpus: CorpusGold | None = None


# ---------------------------------------------------------------------------
# Loading and validating gold
# ---------------------------------------------------------------------------


class _Reader:
    """Strict readers for one gold file; every error names file, JSON path and fix."""

    def __init__(self, path: Path, entities: Mapping[str, GoldEntity] | None = None) -> None:
        self.path = path
        self.entities = entities or {}

    def fail(self, where: str, problem: str, fix: str) -> GoldFormatError:
        return GoldFormatError(
            problem, input=f"{self.path}: {where}", fix=f"{fix} (see tests/gold/FORMAT.md)"
        )

    def load(self) -> Any:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise self.fail(
                f"line {exc.lineno} column {exc.colno}",
                f"not valid JSON ({exc.msg})",
                "correct the JSON syntax (a missing comma or quote is the usual cause)",
            ) from exc
        except UnicodeDecodeError as exc:
            raise self.fail("$", "not UTF-8 text", "save the file as UTF-8") from exc

    def obj(
        self,
        value: Any,
        where: str,
        *,
        required: Iterable[str] = (),
        allowed: Iterable[str] | None = (),
    ) -> dict[str, Any]:
        """An object; ``allowed=None`` accepts any key (a map such as entities.json)."""
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, found {_json_type(value)}", "use {...}")
        req = tuple(required)
        if allowed is None:
            return value
        ok = set(req) | set(allowed)
        for key in value:
            if key not in ok:
                near = difflib.get_close_matches(key, sorted(ok), n=1)
                hint = f"did you mean {near[0]!r}?" if near else f"allowed: {sorted(ok)}"
                raise self.fail(f"{where}.{key}", f"unknown key {key!r}", f"remove it; {hint}")
        for key in req:
            if key not in value:
                raise self.fail(where, f"missing key {key!r}", f"add {key!r}")
        return value

    def lst(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, found {_json_type(value)}", "use [...]")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                where,
                f"expected a non-empty string, found {_json_type(value)}",
                'write a string such as "Wednesday"',
            )
        return value

    def opt_text(self, value: Any, where: str) -> str | None:
        return None if value is None else self.text(value, where)

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(
                where, f"expected true or false, found {_json_type(value)}", "write true or false"
            )
        return value

    def integer(
        self, value: Any, where: str, *, low: int, high: int | None = None, nullable: bool = True
    ) -> int | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(
                where,
                f"expected an integer, found {_json_type(value)}",
                "write a whole number without quotes" + (" or null" if nullable else ""),
            )
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise self.fail(where, f"{value} is out of range", f"use a number {bound}")
        return value

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        """A string or a non-empty list of strings."""
        if isinstance(value, str):
            items: list[Any] = [value]
        else:
            items = self.lst(value, where)
            if not items:
                raise self.fail(where, "empty list", "give at least one value, or use null")
        out: list[str] = []
        for i, item in enumerate(items):
            out.append(self.text(item, f"{where}[{i}]" if not isinstance(value, str) else where))
        return tuple(out)

    def opt_keys(self, value: Any, where: str) -> tuple[str, ...] | None:
        """Entity keys, or None for null / absent (not compared)."""
        return None if value is None else self.keys(value, where)

    def keys(self, value: Any, where: str) -> tuple[str, ...]:
        """Entity keys: a key or a list of keys, each defined in entities.json."""
        keys = self.strings(value, where)
        for i, key in enumerate(keys):
            if key not in self.entities:
                near = difflib.get_close_matches(key, sorted(self.entities), n=1)
                hint = f"did you mean {near[0]!r}?" if near else "or add it to entities.json"
                spot = where if isinstance(value, str) else f"{where}[{i}]"
                raise self.fail(
                    spot, f"unknown entity key {key!r}", f"use a key of entities.json; {hint}"
                )
        return keys

    def opt_vocab(self, value: Any, where: str, allowed: Sequence[str]) -> tuple[str, ...] | None:
        """Vocabulary terms, or None for null / absent (not compared)."""
        return None if value is None else self.vocab(value, where, allowed)

    def vocab(self, value: Any, where: str, allowed: Sequence[str]) -> tuple[str, ...]:
        """Vocabulary terms compared by local name; a term or a list of terms."""
        terms = self.strings(value, where)
        known = {local_key(a) for a in allowed}
        for i, term in enumerate(terms):
            if local_key(term) not in known:
                spot = where if isinstance(value, str) else f"{where}[{i}]"
                raise self.fail(spot, f"unknown value {term!r}", f"use one of {list(allowed)}")
        return terms

    def required_flag(self, row: Mapping[str, Any], where: str) -> bool:
        return self.boolean(row.get("required", True), f"{where}.required")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _load_entities(path: Path) -> dict[str, GoldEntity]:
    r = _Reader(path)
    data = r.obj(r.load(), "$", allowed=None)
    kinds = tuple(dict.fromkeys(ACTOR_KINDS + PLACE_KINDS))
    entities: dict[str, GoldEntity] = {}
    for key, value in data.items():
        where = f"$.{key}"
        if not key.strip():
            raise r.fail(where, "empty entity key", "give every entity a non-empty key")
        obj = r.obj(value, where, required=("label", "kinds"), allowed=("aliases",))
        label = r.text(obj["label"], f"{where}.label")
        entity_kinds = r.vocab(obj["kinds"], f"{where}.kinds", kinds)
        aliases: tuple[str, ...] = ()
        if obj.get("aliases"):
            aliases = r.strings(obj["aliases"], f"{where}.aliases")
        entities[key] = GoldEntity(key=key, label=label, kinds=entity_kinds, aliases=aliases)
    return entities


def _entity_section(r: _Reader, value: Any, where: str) -> tuple[EntityGold, ...]:
    obj = r.obj(value, where, required=("required",), allowed=("optional",))
    rows: list[EntityGold] = []
    seen: set[str] = set()
    for flag, name in ((True, "required"), (False, "optional")):
        raw = obj.get(name) or []
        for i, key in enumerate(r.lst(raw, f"{where}.{name}")):
            keys = r.keys(key, f"{where}.{name}[{i}]")
            if key in seen:
                raise r.fail(
                    f"{where}.{name}[{i}]", f"entity {key!r} listed twice", "list it only once"
                )
            seen.add(key)
            rows.append(EntityGold(entity=keys[0], required=flag))
    return tuple(rows)


def _rows(r: _Reader, value: Any, where: str) -> list[tuple[str, Any]]:
    return [(f"{where}[{i}]", item) for i, item in enumerate(r.lst(value, where))]


def _place_links(r: _Reader, value: Any, where: str) -> tuple[PlaceLinkGold, ...]:
    out: list[PlaceLinkGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(item, w, required=("place", "relation", "other"), allowed=("required",))
        relation = r.vocab(row["relation"], f"{w}.relation", ("connects", "within"))
        if len(relation) != 1:
            raise r.fail(f"{w}.relation", "expected one relation", 'write "connects" or "within"')
        place = r.keys(row["place"], f"{w}.place")
        other = r.keys(row["other"], f"{w}.other")
        out.append(PlaceLinkGold(place, relation[0], other, r.required_flag(row, w)))
    return tuple(out)


def _events(r: _Reader, value: Any, where: str) -> tuple[EventGold, ...]:
    out: list[EventGold] = []
    ids: set[str] = set()
    for w, item in _rows(r, value, where):
        row = r.obj(
            item,
            w,
            required=("id", "kinds"),
            allowed=("agent", "target", "place", "time_text", "name", "required"),
        )
        event_id = r.text(row["id"], f"{w}.id")
        if event_id in ids:
            raise r.fail(
                f"{w}.id", f"event id {event_id!r} used twice", "give each event its own id"
            )
        ids.add(event_id)
        kinds = r.vocab(row["kinds"], f"{w}.kinds", EVENT_KINDS)
        out.append(
            EventGold(
                id=event_id,
                kinds=kinds,
                agent=r.opt_keys(row.get("agent"), f"{w}.agent"),
                target=r.opt_keys(row.get("target"), f"{w}.target"),
                place=r.opt_keys(row.get("place"), f"{w}.place"),
                time_text=r.opt_text(row.get("time_text"), f"{w}.time_text"),
                name=r.opt_text(row.get("name"), f"{w}.name"),
                required=r.required_flag(row, w),
            )
        )
    return tuple(out)


def _casualties(r: _Reader, value: Any, where: str) -> tuple[CasualtyGold, ...]:
    out: list[CasualtyGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(
            item,
            w,
            required=("source", "outcome"),
            allowed=("victim", "count", "qualifier", "required"),
        )
        out.append(
            CasualtyGold(
                source=r.opt_keys(row["source"], f"{w}.source"),
                victim=r.opt_keys(row.get("victim"), f"{w}.victim"),
                outcome=r.opt_vocab(row["outcome"], f"{w}.outcome", OUTCOMES),
                count=r.integer(row.get("count"), f"{w}.count", low=0),
                qualifier=r.opt_vocab(row.get("qualifier"), f"{w}.qualifier", QUALIFIERS),
                count_given="count" in row,
                required=r.required_flag(row, w),
            )
        )
    return tuple(out)


def _statements(r: _Reader, value: Any, where: str) -> tuple[StatementGold, ...]:
    out: list[StatementGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(item, w, required=("speaker",), allowed=("stance", "addressee", "required"))
        out.append(
            StatementGold(
                speaker=r.opt_keys(row["speaker"], f"{w}.speaker"),
                stance=r.opt_vocab(row.get("stance"), f"{w}.stance", STANCES),
                addressee=r.opt_keys(row.get("addressee"), f"{w}.addressee"),
                required=r.required_flag(row, w),
            )
        )
    return tuple(out)


def _agreements(r: _Reader, value: Any, where: str) -> tuple[AgreementGold, ...]:
    out: list[AgreementGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(
            item,
            w,
            required=("id", "label"),
            allowed=("aliases", "year", "month", "broker", "parties", "required"),
        )
        agreement_id = r.text(row["id"], f"{w}.id")
        label = r.text(row["label"], f"{w}.label")
        aliases = r.strings(row["aliases"], f"{w}.aliases") if row.get("aliases") else ()
        year = r.integer(row.get("year"), f"{w}.year", low=1, high=9999)
        month = r.integer(row.get("month"), f"{w}.month", low=1, high=12)
        if month is not None and year is None:
            raise r.fail(f"{w}.month", "a month without a year", "give the year too")
        parties = r.keys(row["parties"], f"{w}.parties") if row.get("parties") else ()
        out.append(
            AgreementGold(
                id=agreement_id,
                label=label,
                aliases=aliases,
                year=year,
                month=month,
                broker=r.opt_keys(row.get("broker"), f"{w}.broker"),
                parties=parties or (),
                required=r.required_flag(row, w),
            )
        )
    return tuple(out)


def _roles(r: _Reader, value: Any, where: str) -> tuple[RoleGold, ...]:
    out: list[RoleGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(item, w, required=("person", "role"), allowed=("organization", "required"))
        person = r.keys(row["person"], f"{w}.person")
        out.append(
            RoleGold(
                person=person,
                role=r.strings(row["role"], f"{w}.role"),
                organization=r.opt_keys(row.get("organization"), f"{w}.organization"),
                required=r.required_flag(row, w),
            )
        )
    return tuple(out)


def _conflicts(
    r: _Reader, value: Any, where: str, *, articles: Sequence[str] | None = None
) -> tuple[ConflictGold, ...]:
    out: list[ConflictGold] = []
    for w, item in _rows(r, value, where):
        row = r.obj(item, w, required=("a", "b"), allowed=("topic", "required"))
        if articles is None:
            a = r.keys(row["a"], f"{w}.a")
            b = r.keys(row["b"], f"{w}.b")
        else:
            a, b = r.strings(row["a"], f"{w}.a"), r.strings(row["b"], f"{w}.b")
            for side, names in (("a", a), ("b", b)):
                for name in names:
                    if name not in articles:
                        raise r.fail(
                            f"{w}.{side}",
                            f"{name!r} is not the article of any *.gold.json",
                            f"use one of {sorted(articles)}",
                        )
        topic = r.opt_text(row.get("topic"), f"{w}.topic")
        out.append(ConflictGold(a=a, b=b, topic=topic, required=r.required_flag(row, w)))
    return tuple(out)


_SECTION_READERS: dict[str, Callable[[_Reader, Any, str], tuple[GoldRow, ...]]] = {
    "actors": _entity_section,
    "places": _entity_section,
    "place_links": _place_links,
    "events": _events,
    "casualties": _casualties,
    "statements": _statements,
    "agreements": _agreements,
    "roles": _roles,
    "conflicts": _conflicts,
}


def _load_article(path: Path, entities: Mapping[str, GoldEntity]) -> GoldArticle:
    r = _Reader(path, entities)
    data = r.obj(r.load(), "$", required=("article",), allowed=tuple(_SECTION_READERS))
    article = r.text(data["article"], "$.article")
    sections: dict[str, tuple[GoldRow, ...]] = {}
    for key, reader in _SECTION_READERS.items():
        if key in data:
            sections[_QUESTION_OF_SECTION[key]] = reader(r, data[key], f"$.{key}")
    return GoldArticle(article=article, path=path, sections=sections)


def _load_corpus(
    path: Path, entities: Mapping[str, GoldEntity], articles: Mapping[str, GoldArticle]
) -> CorpusGold:
    r = _Reader(path, entities)
    data = r.obj(
        r.load(),
        "$",
        allowed=("same_entity", "same_event", "same_agreement", "conflicts"),
    )
    same_entity: tuple[str, ...] = ()
    if data.get("same_entity"):
        keys = r.keys(data["same_entity"], "$.same_entity")
        same_entity = keys or ()

    def ids(name: str, question: str) -> tuple[str, ...]:
        if not data.get(name):
            return ()
        values = r.strings(data[name], f"$.{name}")
        known = {
            row.id
            for art in articles.values()
            for row in art.sections.get(question, ())
            if isinstance(row, EventGold | AgreementGold)
        }
        for i, value in enumerate(values):
            if value not in known:
                raise r.fail(
                    f"$.{name}[{i}]",
                    f"{value!r} is not the id of any {question} row in the article gold",
                    f"use one of {sorted(known)}",
                )
        return values

    conflicts: tuple[ConflictGold, ...] = ()
    if data.get("conflicts"):
        conflicts = _conflicts(r, data["conflicts"], "$.conflicts", articles=tuple(articles))
    return CorpusGold(
        same_entity=same_entity,
        same_event=ids("same_event", "events"),
        same_agreement=ids("same_agreement", "agreements"),
        conflicts=conflicts,
    )


def load_gold(gold_dir: Path) -> GoldSet:
    """Read and validate a gold folder.

    Args:
        gold_dir: folder with ``entities.json``, one or more ``*.gold.json`` and
            optionally ``corpus.gold.json``.

    Returns:
        The parsed gold; articles keyed by their ``"article"`` file name.

    Raises:
        GoldFormatError: a file is missing or does not follow FORMAT.md; the
            message names the file, the JSON path of the bad item and the fix.

    >>> from kgbuild.core.resources import data_dir
    >>> gold = load_gold(data_dir("queries").parent / "tests" / "gold")
    >>> sorted(gold.articles)[0]
    '000_5b0c8244025bb314.txt'
    """
    gold_dir = Path(gold_dir)
    entities_path = gold_dir / "entities.json"
    if not entities_path.is_file():
        raise GoldFormatError(
            "file not found",
            input=entities_path,
            fix="put entities.json (the entity keys, labels, kinds and aliases) in the gold "
            "folder (see tests/gold/FORMAT.md)",
        )
    entities = _load_entities(entities_path)
    articles: dict[str, GoldArticle] = {}
    for path in sorted(gold_dir.glob("*.gold.json")):
        if path.name == "corpus.gold.json":
            continue
        art = _load_article(path, entities)
        if art.article in articles:
            raise GoldFormatError(
                f"{art.article!r} is also annotated by {articles[art.article].path.name}",
                input=f"{path}: $.article",
                fix="keep one gold file per article",
            )
        articles[art.article] = art
    if not articles:
        raise GoldFormatError(
            "no *.gold.json file",
            input=gold_dir,
            fix="add one NNN_name.gold.json per article (see tests/gold/FORMAT.md)",
        )
    corpus_path = gold_dir / "corpus.gold.json"
    corpus = _load_corpus(corpus_path, entities, articles) if corpus_path.is_file() else None
    return GoldSet(entities=entities, articles=articles, corpus=corpus)


# ---------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------

_MONTHS: dict[str, int] = MONTH_NAMES
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_ISO_MONTH = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?![\d-])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}}))?\b"
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?(?:,?\s+(\d{{4}}))?"
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b")
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\b")
_YEAR = re.compile(r"(?<![\d-])(1[5-9]\d\d|20\d\d)(?![\d-])")


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    try:
        if d is not None and m is not None:
            return date(y, m, d).isoformat()
    except ValueError:
        return None
    if m is not None:
        return f"{y:04d}-{m:02d}" if 1 <= m <= 12 else None
    return f"{y:04d}"


def resolve_time(text: str | int, published: date | None) -> str | None:
    """Resolve a time expression to an ISO value (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Weekday names resolve to the most recent such day on or before the
    publication date; ``Month D`` without a year takes the publication year.

    Args:
        text: an ISO value or an expression as written ("early on Wednesday").
        published: the article's publication date, if known.

    Returns:
        The ISO value, or None when the expression cannot be resolved.

    >>> resolve_time("early on Wednesday morning", date(2022, 8, 4))
    '2022-08-03'
    >>> resolve_time("August 3", date(2022, 8, 4))
    '2022-08-03'
    """
    s = str(text).strip()
    if m := _ISO_DATE.search(s):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if m := _ISO_MONTH.search(s):
        return _iso(int(m[1]), int(m[2]))
    low = unicodedata.normalize("NFKC", s).casefold()
    for regex, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        if m := regex.search(low):
            year = int(m[3]) if m[3] else (published.year if published else None)
            if year is not None:
                return _iso(year, _MONTHS[m[month_group]], int(m[day_group]))
    if m := _MONTH_YEAR.search(low):
        return _iso(int(m[2]), _MONTHS[m[1]])
    if published is not None:
        if m := _WEEKDAY.search(low):
            back = (published.weekday() - _WEEKDAYS.index(m[1])) % 7
            return (published - timedelta(days=back)).isoformat()
        if re.search(r"\b(today|tonight|this morning)\b", low):
            return published.isoformat()
        if re.search(r"\byesterday\b", low):
            return (published - timedelta(days=1)).isoformat()
    if m := _YEAR.search(low):
        return m[1]
    return None


def _words(text: str) -> str:
    return f" {normalise_label(text)} "


def time_matches(gold_text: str, returned: str | int | None, published: date | None) -> bool:
    """Whether a returned ``?time`` matches a gold ``time_text`` (see module docs).

    Args:
        gold_text: the gold ``time_text``.
        returned: the returned ``?time`` value (None: unbound).
        published: the article's publication date, if known.

    Returns:
        True when they match.

    >>> time_matches("Wednesday", "2022-08-03", date(2022, 8, 4))
    True
    >>> time_matches("Tuesday", "2022-08-03", date(2022, 8, 4))
    False
    """
    if returned is None:
        return False
    got = str(returned)
    gold_norm = normalise_label(gold_text)
    if gold_norm and f" {gold_norm} " in _words(got):
        return True
    gold_iso = resolve_time(gold_text, published)
    got_iso = resolve_time(got, published)
    if gold_iso and got_iso and (got_iso == gold_iso or got_iso.startswith(gold_iso + "-")):
        return True
    if published is None and got_iso and len(got_iso) == 10:
        got_date = date.fromisoformat(got_iso)
        low = gold_text.casefold()
        for regex, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
            if (m := regex.search(low)) and not m[3]:
                return (got_date.month, got_date.day) == (
                    _MONTHS[m[month_group]],
                    int(m[day_group]),
                )
        if m := _WEEKDAY.search(low):
            return got_date.weekday() == _WEEKDAYS.index(m[1])
    return False


def _published(article_meta: Mapping[str, Any] | None) -> date | None:
    if not article_meta:
        return None
    for key in ("published", "date", "datePublished", "publish_date"):
        value = article_meta.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and (m := _ISO_DATE.search(value)):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------------------
# Matching rows against gold
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    entities: Mapping[str, GoldEntity]
    published: date | None

    def names(self, key: str) -> frozenset[str]:
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


def _opt_label(value: str | int | None, keys: tuple[str, ...] | None, ctx: _Context) -> bool:
    return keys is None or label_matches(value, keys, ctx.entities)


def _as_int(value: str | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _row_matches(question: str, gold: GoldRow, row: Row, ctx: _Context) -> bool:
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
            return _as_int(count) == gold.count
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


def _agreement_matches(gold: AgreementGold, rows: Sequence[Row], ctx: _Context) -> bool:
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


def _item_matches(question: str, gold: GoldRow, rows: Sequence[Row], ctx: _Context) -> bool:
    if isinstance(gold, AgreementGold):
        return _agreement_matches(gold, rows, ctx)
    return any(_row_matches(question, gold, row, ctx) for row in rows)


def _kind_ok(rows: Sequence[Row], entity: GoldEntity | None) -> bool:
    if entity is None:
        return False
    allowed = {local_key(k) for k in entity.kinds}
    kinds = (r.get("kind") for r in rows)
    return any(k is not None and local_key(k) in allowed for k in kinds)


def _render_row(row: Row) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(row.items(), key=lambda kv: kv[0]))


def _items(question: str, rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    """Group rows into items: distinct node values, or distinct rows."""
    var = _NODE_VAR.get(question)
    groups: dict[str, list[Row]] = {}
    for row in rows:
        node = row.get(var) if var else None
        key = str(node) if node is not None else _render_row(row)
        group = groups.setdefault(key, [])
        if var is None and group:
            continue  # a duplicate row is the same item
        group.append(row)
    return sorted(groups.items())


@dataclass(frozen=True, slots=True)
class _Pairing:
    items: list[tuple[str, list[Row]]]
    pairs: dict[int, int]  # item index -> gold index
    kind_ok: dict[int, bool]  # item index -> kind correct (actors, places)


def _pair(
    question: str, gold_rows: Sequence[GoldRow], rows: Sequence[Row], ctx: _Context
) -> _Pairing:
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
    return _Pairing(items=items, pairs=pairs, kind_ok=kinds)


# ---------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------


def _prf(
    returned: int, paired: int, required: int, required_paired: int
) -> tuple[float, float, float]:
    precision = paired / returned if returned else 1.0
    recall = required_paired / required if required else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True, slots=True)
class QuestionScore:
    """How one question's rows compare with the gold.

    ``kind_accuracy`` (actors, places) is the fraction of paired nodes whose
    ``?kind`` is among the gold entity's kinds; None for other questions or
    when nothing paired.
    """

    question: str
    precision: float
    recall: float
    f1: float
    returned_items: int
    paired_items: int
    gold_required: int
    gold_paired: int
    kind_accuracy: float | None = None
    unmatched_gold: tuple[str, ...] = ()
    unmatched_returned: tuple[str, ...] = ()
    kind_checked: int = 0
    kind_correct: int = 0
    pairs: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "question": self.question,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "returned_items": self.returned_items,
            "paired_items": self.paired_items,
            "gold_required": self.gold_required,
            "gold_paired": self.gold_paired,
            "kind_accuracy": self.kind_accuracy,
            "unmatched_gold": list(self.unmatched_gold),
            "unmatched_returned": list(self.unmatched_returned),
            "pairs": [list(p) for p in self.pairs],
        }

    @classmethod
    def combine(cls, question: str, scores: Iterable[QuestionScore]) -> QuestionScore:
        """Micro-average: sum the counts of several scores, then recompute P/R/F1.

        Args:
            question: the question name.
            scores: scores of that question (for example one per article).

        Returns:
            The combined score (unmatched lists concatenated).
        """
        items = list(scores)
        returned = sum(s.returned_items for s in items)
        paired = sum(s.paired_items for s in items)
        required = sum(s.gold_required for s in items)
        req_paired = sum(s.gold_paired for s in items)
        checked = sum(s.kind_checked for s in items)
        correct = sum(s.kind_correct for s in items)
        p, r, f = _prf(returned, paired, required, req_paired)
        return cls(
            question=question,
            precision=p,
            recall=r,
            f1=f,
            returned_items=returned,
            paired_items=paired,
            gold_required=required,
            gold_paired=req_paired,
            kind_accuracy=(correct / checked) if checked else None,
            unmatched_gold=tuple(u for s in items for u in s.unmatched_gold),
            unmatched_returned=tuple(u for s in items for u in s.unmatched_returned),
            kind_checked=checked,
            kind_correct=correct,
        )


_GOLD_TYPE: dict[str, type] = {
    "actors": EntityGold,
    "places": EntityGold,
    "place-links": PlaceLinkGold,
    "events": EventGold,
    "casualties": CasualtyGold,
    "statements": StatementGold,
    "agreements": AgreementGold,
    "roles": RoleGold,
    "conflicts": ConflictGold,
}


def score_question(
    question: str,
    gold_rows: Sequence[GoldRow],
    returned_rows: Sequence[Row],
    entities: Mapping[str, GoldEntity],
    *,
    article_meta: Mapping[str, Any] | None = None,
) -> QuestionScore:
    """Score one question's returned rows against its gold rows.

    Args:
        question: a scored question name (``"actors"`` ... ``"conflicts"``).
        gold_rows: the gold rows of that question for one article.
        returned_rows: the query rows, variable name to plain value.
        entities: the gold entities (``GoldSet.entities``).
        article_meta: the article's sidecar metadata; ``"published"`` (ISO
            date) resolves weekday names and dates without a year.

    Returns:
        Precision, recall, F1, the counts behind them and what did not pair.

    Raises:
        ValueError: for an unknown question, or ``provenance`` (use
            :func:`check_provenance`).
        TypeError: when a gold row is not of the question's gold type.

    >>> ents = {"eu": GoldEntity("eu", "European Union", ("InternationalOrganization",), ("EU",))}
    >>> rows = [{"actor": "x:1", "label": "EU", "kind": "InternationalOrganization"},
    ...         {"actor": "x:2", "label": "European Union", "kind": "Organization"}]
    >>> s = score_question("actors", [EntityGold("eu")], rows, ents)
    >>> (s.precision, s.recall, s.kind_accuracy)
    (0.5, 1.0, 1.0)
    """
    if question == "provenance":
        raise ValueError("provenance has no gold rows; use check_provenance() for it")
    if question not in _GOLD_TYPE:
        raise ValueError(f"unknown question {question!r}; expected one of {list(SCORED_QUESTIONS)}")
    expected = _GOLD_TYPE[question]
    for gold in gold_rows:
        if not isinstance(gold, expected):
            raise TypeError(
                f"question {question!r} takes {expected.__name__} gold rows, "
                f"got {type(gold).__name__}"
            )
    ctx = _Context(entities=entities, published=_published(article_meta))
    pairing = _pair(question, gold_rows, returned_rows, ctx)
    paired_gold = set(pairing.pairs.values())
    required = sum(1 for g in gold_rows if g.required)
    req_paired = sum(1 for j in paired_gold if gold_rows[j].required)
    p, r, f = _prf(len(pairing.items), len(pairing.pairs), required, req_paired)
    checked = len(pairing.kind_ok)
    correct = sum(pairing.kind_ok.values())
    return QuestionScore(
        question=question,
        precision=p,
        recall=r,
        f1=f,
        returned_items=len(pairing.items),
        paired_items=len(pairing.pairs),
        gold_required=required,
        gold_paired=req_paired,
        kind_accuracy=(correct / checked) if checked else None,
        unmatched_gold=tuple(
            g.describe() for j, g in enumerate(gold_rows) if g.required and j not in paired_gold
        ),
        unmatched_returned=tuple(
            key for i, (key, _rows) in enumerate(pairing.items) if i not in pairing.pairs
        ),
        kind_checked=checked,
        kind_correct=correct,
        pairs=tuple(
            (pairing.items[i][0], gold_rows[j].describe()) for i, j in sorted(pairing.pairs.items())
        ),
    )


# ---------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProvenanceCheck:
    """Result of checking ``provenance.rq`` rows against the article text."""

    rows_checked: int
    offset_failures: tuple[str, ...] = ()
    facts_checked: int = 0
    missing_facts: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row's offsets hold and every fact has provenance."""
        return not self.offset_failures and not self.missing_facts

    @property
    def failures(self) -> int:
        """Number of failed rows plus facts without provenance."""
        return len(self.offset_failures) + len(self.missing_facts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "ok": self.ok,
            "rows_checked": self.rows_checked,
            "offset_failures": list(self.offset_failures),
            "facts_checked": self.facts_checked,
            "missing_facts": list(self.missing_facts),
        }

    @classmethod
    def combine(cls, checks: Iterable[ProvenanceCheck]) -> ProvenanceCheck:
        """Sum several checks (for example one per article).

        Args:
            checks: the checks.

        Returns:
            One check with all counts added and failures concatenated.
        """
        items = list(checks)
        return cls(
            rows_checked=sum(c.rows_checked for c in items),
            offset_failures=tuple(f for c in items for f in c.offset_failures),
            facts_checked=sum(c.facts_checked for c in items),
            missing_facts=tuple(f for c in items for f in c.missing_facts),
        )


def check_provenance(
    rows: Sequence[Row],
    article_text: str,
    article_name: str,
    facts: Iterable[str] = (),
) -> ProvenanceCheck:
    """Check ``provenance.rq`` rows of one article.

    Every row must name the article (its file name, or an IRI ending in it),
    and ``article_text[begin:end]`` must equal ``?text``; every fact node
    (events, claims, statements of the other questions) must appear as
    ``?fact``.

    Args:
        rows: the provenance rows (``fact article begin end text``).
        article_text: the article file's text as read (UTF-8, newlines kept).
        article_name: the article's file name.
        facts: node values that need provenance.

    Returns:
        The number of rows checked, the failures, and the facts lacking provenance.

    >>> check_provenance([{"fact": "e1", "article": "a.txt", "begin": 0, "end": 5,
    ...                    "text": "Hello"}], "Hello world", "a.txt", ["e1"]).ok
    True
    """
    failures: list[str] = []
    covered: set[str] = set()
    for row in rows:
        fact, article = row.get("fact"), row.get("article")
        begin, end, text = _as_int(row.get("begin")), _as_int(row.get("end")), row.get("text")
        where = f"fact {fact}"
        if fact is not None:
            covered.add(str(fact))
        if article is None or not str(article).endswith(article_name):
            failures.append(f"{where}: ?article {article!r} is not {article_name!r}")
            continue
        if begin is None or end is None or not 0 <= begin <= end <= len(article_text):
            failures.append(
                f"{where}: offsets {row.get('begin')!r}..{row.get('end')!r} are not within "
                f"the text (length {len(article_text)})"
            )
            continue
        if text is None or article_text[begin:end] != str(text):
            failures.append(
                f"{where}: text[{begin}:{end}] is {article_text[begin:end]!r}, ?text is {text!r}"
            )
    wanted = sorted(set(facts))
    missing = tuple(f for f in wanted if f not in covered)
    return ProvenanceCheck(
        rows_checked=len(rows),
        offset_failures=tuple(failures),
        facts_checked=len(wanted),
        missing_facts=missing,
    )


# ---------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------


class _Queryable(Protocol):
    def query(self, sparql: str) -> Any: ...


def _plain(term: Any) -> str | int | None:
    if term is None:
        return None
    # Imported here so that the scoring core stays independent of rdflib.
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, bool):
        return str(term).lower()
    if isinstance(term, int):
        return term
    return str(term)


def rows_from_result(result: Any) -> list[dict[str, str | int | None]]:
    """Turn a SPARQL SELECT result into plain rows.

    Accepts a result with ``.vars`` and ``.rows`` (tuples of rdflib terms or
    None) or an rdflib ``Result``.  Literals become ``int`` (integer types) or
    their lexical ``str``; IRIs their string; blank nodes ``"_:id"``.

    Args:
        result: the query result.

    Returns:
        One dict per row, variable name to plain value.
    """
    names = [str(v) for v in (result.vars or ())]
    raw = getattr(result, "rows", None)
    if raw is None:
        raw = list(result)
    return [{n: _plain(v) for n, v in zip(names, tuple(row), strict=False)} for row in raw]


def _run_queries(
    kg: _Queryable, queries_dir: Path, names: Iterable[str]
) -> tuple[dict[str, list[dict[str, str | int | None]]], tuple[str, ...]]:
    rows: dict[str, list[dict[str, str | int | None]]] = {}
    missing: list[str] = []
    for name in names:
        path = queries_dir / f"{name}.rq"
        if not path.is_file():
            missing.append(name)
            rows[name] = []
            continue
        rows[name] = rows_from_result(kg.query(path.read_text(encoding="utf-8")))
    return rows, tuple(missing)


def _queries_dir(queries_dir: Path | None) -> Path:
    if queries_dir is not None:
        return Path(queries_dir)
    from kgbuild.core.resources import data_dir

    return Path(data_dir("queries"))


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _table(scores: Mapping[str, QuestionScore]) -> list[str]:
    lines = [
        f"  {'question':<12} {'P':>5} {'R':>5} {'F1':>5} {'ret':>4} {'pair':>4} "
        f"{'gold':>4} {'hit':>4} {'kind':>5}"
    ]
    for q in SCORED_QUESTIONS:
        s = scores.get(q)
        if s is None:
            continue
        lines.append(
            f"  {q:<12} {_fmt(s.precision):>5} {_fmt(s.recall):>5} {_fmt(s.f1):>5} "
            f"{s.returned_items:>4} {s.paired_items:>4} {s.gold_required:>4} "
            f"{s.gold_paired:>4} {_fmt(s.kind_accuracy):>5}"
        )
    return lines


def _kind_accuracy(scores: Iterable[QuestionScore]) -> float | None:
    items = [s for s in scores if s.question in ("actors", "places")]
    checked = sum(s.kind_checked for s in items)
    return sum(s.kind_correct for s in items) / checked if checked else None


@dataclass(frozen=True, slots=True)
class ArticleReport:
    """Scores of one article built alone."""

    article: str
    scores: Mapping[str, QuestionScore]
    provenance: ProvenanceCheck | None = None
    missing_queries: tuple[str, ...] = ()

    @property
    def mean_f1(self) -> float | None:
        """Mean F1 over the scored questions this article annotates."""
        return _mean(s.f1 for q, s in self.scores.items() if q in SCORED_QUESTIONS)

    @property
    def kind_accuracy(self) -> float | None:
        """Kind accuracy over the paired actors and places."""
        return _kind_accuracy(self.scores.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "article": self.article,
            "mean_f1": self.mean_f1,
            "kind_accuracy": self.kind_accuracy,
            "questions": {q: s.to_dict() for q, s in self.scores.items()},
            "provenance": self.provenance.to_dict() if self.provenance else None,
            "missing_queries": list(self.missing_queries),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.article}: mean F1 {_fmt(self.mean_f1)}, "
            f"kind accuracy {_fmt(self.kind_accuracy)}"
        ]
        lines += _table(self.scores)
        if self.provenance is not None:
            lines.append(f"  {_provenance_line(self.provenance)}")
        if self.missing_queries:
            lines.append(f"  missing queries (scored as empty): {', '.join(self.missing_queries)}")
        return "\n".join(lines)


def _provenance_line(check: ProvenanceCheck) -> str:
    state = "ok" if check.ok else "FAILED"
    return (
        f"provenance {state}: {check.rows_checked} rows checked, "
        f"{len(check.offset_failures)} offset failures, "
        f"{len(check.missing_facts)} of {check.facts_checked} facts without provenance"
    )


@dataclass(frozen=True, slots=True)
class CorpusCheck:
    """One cross-article check: a key that must come out as exactly one node."""

    kind: str  # "entity" | "event" | "agreement" | "conflict"
    key: str
    nodes: tuple[str, ...]
    passed: bool
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "kind": self.kind,
            "key": self.key,
            "nodes": list(self.nodes),
            "passed": self.passed,
            "required": self.required,
        }


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """The checks of ``corpus.gold.json`` on all gold articles built together."""

    checks: tuple[CorpusCheck, ...]
    missing_queries: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        """Required checks that passed."""
        return sum(1 for c in self.checks if c.required and c.passed)

    @property
    def total(self) -> int:
        """Required checks."""
        return sum(1 for c in self.checks if c.required)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "passed": self.passed,
            "total": self.total,
            "checks": [c.to_dict() for c in self.checks],
            "missing_queries": list(self.missing_queries),
        }

    def __str__(self) -> str:
        lines = [f"corpus checks: {self.passed}/{self.total} passed"]
        for c in self.checks:
            mark = "ok  " if c.passed else ("FAIL" if c.required else "miss")
            what = "exactly one node" if c.kind != "conflict" else "a cross-article conflict"
            lines.append(
                f"  {mark} same {c.kind:<9} {c.key}: {len(c.nodes)} node(s), want {what}"
                + ("" if c.required else " (optional)")
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The whole evaluation: per article, overall (micro over articles), corpus."""

    articles: Mapping[str, ArticleReport]
    corpus: CorpusReport | None = None

    @property
    def overall(self) -> dict[str, QuestionScore]:
        """Per question, counts summed over articles (micro average)."""
        out: dict[str, QuestionScore] = {}
        for q in SCORED_QUESTIONS:
            scores = [a.scores[q] for a in self.articles.values() if q in a.scores]
            if scores:
                out[q] = QuestionScore.combine(q, scores)
        return out

    @property
    def mean_f1(self) -> float | None:
        """Mean over the scored questions of the overall F1 (the headline figure)."""
        return _mean(s.f1 for s in self.overall.values())

    @property
    def kind_accuracy(self) -> float | None:
        """Kind accuracy over paired actors and places of all articles."""
        return _kind_accuracy(self.overall.values())

    @property
    def provenance(self) -> ProvenanceCheck | None:
        """The provenance checks of all articles, summed."""
        checks = [a.provenance for a in self.articles.values() if a.provenance is not None]
        return ProvenanceCheck.combine(checks) if checks else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        prov = self.provenance
        return {
            "mean_f1": self.mean_f1,
            "kind_accuracy": self.kind_accuracy,
            "overall": {q: s.to_dict() for q, s in self.overall.items()},
            "provenance": prov.to_dict() if prov else None,
            "articles": {k: a.to_dict() for k, a in self.articles.items()},
            "corpus": self.corpus.to_dict() if self.corpus else None,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text.

        Args:
            indent: JSON indentation (None: one line).

        Returns:
            The JSON text.
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        lines: list[str] = []
        for art in self.articles.values():
            lines += [str(art), ""]
        lines.append(
            f"overall (micro over {len(self.articles)} articles): mean F1 {_fmt(self.mean_f1)}, "
            f"kind accuracy {_fmt(self.kind_accuracy)}"
        )
        lines += _table(self.overall)
        if (prov := self.provenance) is not None:
            lines.append(f"  {_provenance_line(prov)}")
        if self.corpus is not None:
            lines += ["", str(self.corpus)]
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# Scoring graphs
# ---------------------------------------------------------------------------

_FACT_VARS = (("events", "event"), ("casualties", "claim"), ("statements", "statement"))


def score_graph(
    kg_or_rows: _Queryable | Mapping[str, Sequence[Row]],
    gold_article: GoldArticle,
    *,
    entities: Mapping[str, GoldEntity],
    article_meta: Mapping[str, Any] | None = None,
    article_text: str | None = None,
    queries_dir: Path | None = None,
) -> ArticleReport:
    """Score one article's graph (or its query rows) against its gold.

    Args:
        kg_or_rows: an object with ``.query(sparql)`` (a built knowledge
            graph), or a mapping of query name (``"actors"``, ``"place-links"``
            ...) to plain rows.  A question missing from the mapping is scored
            as returning nothing.
        gold_article: the article's gold.
        entities: the gold entities.
        article_meta: the article's sidecar metadata (``"published"``).
        article_text: the article file's text; when given, the provenance rows
            are checked against it.
        queries_dir: folder of the contract ``*.rq`` files (default: the
            shipped ``queries`` folder); only used with a graph.

    Returns:
        The article's report.
    """
    missing: tuple[str, ...] = ()
    if isinstance(kg_or_rows, Mapping):
        rows: Mapping[str, Sequence[Row]] = kg_or_rows
    else:
        wanted = [q for q in QUESTIONS if q in gold_article.sections or q == "provenance"]
        for q, _var in _FACT_VARS:
            if q not in wanted:
                wanted.append(q)
        rows, missing = _run_queries(kg_or_rows, _queries_dir(queries_dir), wanted)
    scores: dict[str, QuestionScore] = {}
    for q in SCORED_QUESTIONS:
        if q in gold_article.sections:
            scores[q] = score_question(
                q,
                gold_article.sections[q],
                rows.get(q, ()),
                entities,
                article_meta=article_meta,
            )
    provenance = None
    if article_text is not None:
        facts = {
            str(r[var]) for q, var in _FACT_VARS for r in rows.get(q, ()) if r.get(var) is not None
        }
        provenance = check_provenance(
            rows.get("provenance", ()), article_text, gold_article.article, facts
        )
    return ArticleReport(
        article=gold_article.article,
        scores=scores,
        provenance=provenance,
        missing_queries=missing,
    )


def _corpus_checks(
    gold: GoldSet,
    rows: Mapping[str, Sequence[Row]],
    metas: Mapping[str, Mapping[str, Any] | None],
) -> tuple[CorpusCheck, ...]:
    corpus = gold.corpus
    if corpus is None:
        return ()
    checks: list[CorpusCheck] = []
    for key in corpus.same_entity:
        entity_nodes = {
            str(r[var])
            for q, var in (("actors", "actor"), ("places", "place"))
            for r in rows.get(q, ())
            if r.get(var) is not None and label_matches(r.get("label"), (key,), gold.entities)
        }
        checks.append(
            CorpusCheck("entity", key, tuple(sorted(entity_nodes)), len(entity_nodes) == 1)
        )

    fact_articles: dict[str, set[str]] = {}
    for r in rows.get("provenance", ()):
        if r.get("fact") is not None and r.get("article") is not None:
            fact_articles.setdefault(str(r["fact"]), set()).add(str(r["article"]))

    def stated_in(node: str, article: str) -> bool:
        return any(a.endswith(article) for a in fact_articles.get(node, ()))

    def stated(node: str | int, articles: tuple[str, ...]) -> bool:
        return any(stated_in(str(node), art) for art in articles)

    event_rows = list(rows.get("events", ()))
    for event_id in corpus.same_event:
        nodes: set[str] = set()
        for name, art in gold.articles.items():
            golds = art.sections.get("events", ())
            if not any(isinstance(g, EventGold) and g.id == event_id for g in golds):
                continue
            local = [r for r in event_rows if r.get("event") is not None]
            if fact_articles:  # restrict to the events this article states
                local = [r for r in local if stated_in(str(r["event"]), name)]
            ctx = _Context(gold.entities, _published(metas.get(name)))
            pairing = _pair("events", golds, local, ctx)
            for i, j in pairing.pairs.items():
                g = golds[j]
                if isinstance(g, EventGold) and g.id == event_id:
                    nodes.add(pairing.items[i][0])
        checks.append(CorpusCheck("event", event_id, tuple(sorted(nodes)), len(nodes) == 1))

    for agreement_id in corpus.same_agreement:
        names: set[str] = set()
        for art in gold.articles.values():
            for g in art.sections.get("agreements", ()):
                if isinstance(g, AgreementGold) and g.id == agreement_id:
                    names |= g.names
        agreement_nodes = {
            str(r["agreement"])
            for r in rows.get("agreements", ())
            if r.get("agreement") is not None
            and r.get("label") is not None
            and normalise_label(str(r["label"])) in names
        }
        checks.append(
            CorpusCheck(
                "agreement",
                agreement_id,
                tuple(sorted(agreement_nodes)),
                len(agreement_nodes) == 1,
            )
        )

    for conflict in corpus.conflicts:
        found: set[str] = set()
        for r in rows.get("conflicts", ()):
            a, b = r.get("claimA"), r.get("claimB")
            if a is None or b is None:
                continue
            if (stated(a, conflict.a) and stated(b, conflict.b)) or (
                stated(a, conflict.b) and stated(b, conflict.a)
            ):
                found.add(_render_row(r))
        checks.append(
            CorpusCheck(
                "conflict",
                f"{'|'.join(conflict.a)} vs {'|'.join(conflict.b)}",
                tuple(sorted(found)),
                bool(found),
                required=conflict.required,
            )
        )
    return tuple(checks)


# ---------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------


def _source_files(sources: Sequence[str | Path]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for source in sources:
        path = Path(source)
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            files.setdefault(candidate.name, candidate)
    return files


def _article_meta(article: Article) -> dict[str, Any]:
    return {
        "published": article.published.isoformat() if article.published else None,
        "publisher": article.publisher,
        "url": article.url,
        "title": article.title,
    }


def evaluate(
    gold_dir: Path,
    sources: Sequence[str | Path],
    *,
    settings: object | None = None,
    queries_dir: Path | None = None,
) -> EvalReport:
    """Build each gold article, run the contract queries and score them.

    Each article is built alone and scored against its gold; then, when the
    gold folder has ``corpus.gold.json``, all gold articles are built together
    once for the cross-article checks.

    Args:
        gold_dir: the gold folder (see :func:`load_gold`).
        sources: article files or folders; a gold article is found by file name.
        settings: pipeline settings passed to :func:`kgbuild.pipeline.build`.
        queries_dir: folder of the contract ``*.rq`` files (default: the
            shipped ``queries`` folder).

    Returns:
        The report (``print`` it, or ``to_json()``).

    Raises:
        GoldFormatError: the gold does not follow FORMAT.md.
        InputError: a gold article is not among the sources.
    """
    from kgbuild.inputs.articles import read_articles
    from kgbuild.pipeline import build

    gold = load_gold(Path(gold_dir))
    files = _source_files(sources)
    absent = [name for name in gold.articles if name not in files]
    if absent:
        raise InputError(
            f"gold article(s) {absent} not found among the sources",
            input=", ".join(str(s) for s in sources),
            fix="pass the files or the folder that holds them (for example seeds/)",
        )
    qdir = _queries_dir(queries_dir)
    # The article as the pipeline reads it: its text (provenance offsets) and
    # its sidecar metadata (publication date for resolving times).
    texts: dict[str, Article] = {}
    for name in gold.articles:
        read = list(read_articles([files[name]]))
        texts[name] = next((a for a in read if a.id == name), read[0])
    metas = {name: _article_meta(article) for name, article in texts.items()}
    reports: dict[str, ArticleReport] = {}
    for name, art in gold.articles.items():
        kg = build([files[name]], settings=settings)
        reports[name] = score_graph(
            kg,
            art,
            entities=gold.entities,
            article_meta=metas[name],
            article_text=texts[name].text,
            queries_dir=qdir,
        )
    corpus = None
    if gold.corpus is not None:
        kg = build([files[name] for name in gold.articles], settings=settings)
        rows, missing = _run_queries(
            kg, qdir, ("actors", "places", "events", "agreements", "conflicts", "provenance")
        )
        corpus = CorpusReport(checks=_corpus_checks(gold, rows, metas), missing_queries=missing)
    return EvalReport(articles=reports, corpus=corpus)
