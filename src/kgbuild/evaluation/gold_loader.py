"""Read a gold folder into a :class:`~kgbuild.evaluation.gold.GoldSet`, strictly.

:func:`load_gold` reads ``entities.json``, every ``*.gold.json`` and the optional
``corpus.gold.json``, and checks them against ``tests/gold/FORMAT.md`` as it goes: a
wrong key, type, vocabulary term or entity key raises a
:class:`~kgbuild.core.errors.GoldFormatError` that names the file, the JSON path of the
bad item and the fix.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

from kgbuild.core.errors import GoldFormatError
from kgbuild.core.model import (
    ACTOR_KINDS,
    EVENT_KINDS,
    OUTCOMES,
    PLACE_KINDS,
    QUALIFIERS,
    STANCES,
)
from kgbuild.evaluation import gold

#: Gold section name (JSON key) of each scored question.
_SECTION: dict[str, str] = {q: q.replace("-", "_") for q in gold.SCORED_QUESTIONS}
_QUESTION_OF_SECTION: dict[str, str] = {v: k for k, v in _SECTION.items()}


class _Reader:
    """Strict readers for one gold file; every error names file, JSON path and fix."""

    def __init__(self, path: Path, entities: Mapping[str, gold.GoldEntity] | None = None) -> None:
        self.path = path
        self.entities = entities or {}
        self._ids: dict[str, set[str]] = {}  # kind -> ids its rows used so far

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
        known = {gold.local_key(a) for a in allowed}
        for i, term in enumerate(terms):
            if gold.local_key(term) not in known:
                spot = where if isinstance(value, str) else f"{where}[{i}]"
                raise self.fail(spot, f"unknown value {term!r}", f"use one of {list(allowed)}")
        return terms

    def required_flag(self, row: Mapping[str, Any], where: str) -> bool:
        return self.boolean(row.get("required", True), f"{where}.required")

    def unique_id(self, value: Any, where: str, *, kind: str) -> str:
        """An id that no earlier ``kind`` row of this file has."""
        ident = self.text(value, where)
        seen = self._ids.setdefault(kind, set())
        if ident in seen:
            raise self.fail(
                where, f"{kind} id {ident!r} used twice", f"give each {kind} its own id"
            )
        seen.add(ident)
        return ident


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


def _load_entities(path: Path) -> dict[str, gold.GoldEntity]:
    r = _Reader(path)
    data = r.obj(r.load(), "$", allowed=None)
    kinds = tuple(dict.fromkeys(ACTOR_KINDS + PLACE_KINDS))
    entities: dict[str, gold.GoldEntity] = {}
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
        entities[key] = gold.GoldEntity(key=key, label=label, kinds=entity_kinds, aliases=aliases)
    return entities


def _entity_section(r: _Reader, value: Any, where: str) -> tuple[gold.EntityGold, ...]:
    obj = r.obj(value, where, required=("required",), allowed=("optional",))
    rows: list[gold.EntityGold] = []
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
            rows.append(gold.EntityGold(entity=keys[0], required=flag))
    return tuple(rows)


def _place_link(r: _Reader, w: str, row: dict[str, Any]) -> gold.PlaceLinkGold:
    relation = r.vocab(row["relation"], f"{w}.relation", ("connects", "within"))
    if len(relation) != 1:
        raise r.fail(f"{w}.relation", "expected one relation", 'write "connects" or "within"')
    place = r.keys(row["place"], f"{w}.place")
    return gold.PlaceLinkGold(place, relation[0], r.keys(row["other"], f"{w}.other"))


def _event(r: _Reader, w: str, row: dict[str, Any]) -> gold.EventGold:
    return gold.EventGold(
        id=r.unique_id(row["id"], f"{w}.id", kind="event"),
        kinds=r.vocab(row["kinds"], f"{w}.kinds", EVENT_KINDS),
        agent=r.opt_keys(row.get("agent"), f"{w}.agent"),
        target=r.opt_keys(row.get("target"), f"{w}.target"),
        place=r.opt_keys(row.get("place"), f"{w}.place"),
        time_text=r.opt_text(row.get("time_text"), f"{w}.time_text"),
        name=r.opt_text(row.get("name"), f"{w}.name"),
    )


def _casualty(r: _Reader, w: str, row: dict[str, Any]) -> gold.CasualtyGold:
    return gold.CasualtyGold(
        source=r.opt_keys(row["source"], f"{w}.source"),
        victim=r.opt_keys(row.get("victim"), f"{w}.victim"),
        outcome=r.opt_vocab(row["outcome"], f"{w}.outcome", OUTCOMES),
        count=r.integer(row.get("count"), f"{w}.count", low=0),
        qualifier=r.opt_vocab(row.get("qualifier"), f"{w}.qualifier", QUALIFIERS),
        count_given="count" in row,
    )


def _statement(r: _Reader, w: str, row: dict[str, Any]) -> gold.StatementGold:
    return gold.StatementGold(
        speaker=r.opt_keys(row["speaker"], f"{w}.speaker"),
        stance=r.opt_vocab(row.get("stance"), f"{w}.stance", STANCES),
        addressee=r.opt_keys(row.get("addressee"), f"{w}.addressee"),
    )


def _agreement(r: _Reader, w: str, row: dict[str, Any]) -> gold.AgreementGold:
    agreement_id = r.text(row["id"], f"{w}.id")
    label = r.text(row["label"], f"{w}.label")
    aliases = r.strings(row["aliases"], f"{w}.aliases") if row.get("aliases") else ()
    year = r.integer(row.get("year"), f"{w}.year", low=1, high=9999)
    month = r.integer(row.get("month"), f"{w}.month", low=1, high=12)
    if month is not None and year is None:
        raise r.fail(f"{w}.month", "a month without a year", "give the year too")
    parties = r.keys(row["parties"], f"{w}.parties") if row.get("parties") else ()
    return gold.AgreementGold(
        id=agreement_id,
        label=label,
        aliases=aliases,
        year=year,
        month=month,
        broker=r.opt_keys(row.get("broker"), f"{w}.broker"),
        parties=parties or (),
    )


def _role(r: _Reader, w: str, row: dict[str, Any]) -> gold.RoleGold:
    return gold.RoleGold(
        person=r.keys(row["person"], f"{w}.person"),
        role=r.strings(row["role"], f"{w}.role"),
        organization=r.opt_keys(row.get("organization"), f"{w}.organization"),
    )


def _conflict(
    r: _Reader, w: str, row: dict[str, Any], *, articles: Sequence[str] | None = None
) -> gold.ConflictGold:
    """A conflict row; in ``corpus.gold.json`` (``articles`` given) its sides are articles."""
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
    return gold.ConflictGold(a=a, b=b, topic=r.opt_text(row.get("topic"), f"{w}.topic"))


_Record = TypeVar("_Record", bound=gold.GoldRow)


@dataclass(frozen=True, slots=True)
class _RowSection(Generic[_Record]):
    """A section that is a list of row objects: the keys a row has, and how one is read."""

    read_row: Callable[[_Reader, str, dict[str, Any]], _Record]
    required: tuple[str, ...]
    allowed: tuple[str, ...] = ()

    def __call__(self, r: _Reader, value: Any, where: str) -> tuple[_Record, ...]:
        """The section's gold rows.

        A row's keys are checked before its fields are read; every row may also say
        ``required``, read after the other fields so that the first error reported
        is the first in the row.
        """
        out: list[_Record] = []
        for i, item in enumerate(r.lst(value, where)):
            w = f"{where}[{i}]"
            row = r.obj(item, w, required=self.required, allowed=(*self.allowed, "required"))
            record = self.read_row(r, w, row)
            out.append(record if r.required_flag(row, w) else replace(record, required=False))
        return tuple(out)


#: How each section of an article's gold file is read, by JSON key.
_SECTION_READERS: dict[str, Callable[[_Reader, Any, str], tuple[gold.GoldRow, ...]]] = {
    "actors": _entity_section,
    "places": _entity_section,
    "place_links": _RowSection(_place_link, ("place", "relation", "other")),
    "events": _RowSection(
        _event, ("id", "kinds"), ("agent", "target", "place", "time_text", "name")
    ),
    "casualties": _RowSection(_casualty, ("source", "outcome"), ("victim", "count", "qualifier")),
    "statements": _RowSection(_statement, ("speaker",), ("stance", "addressee")),
    "agreements": _RowSection(
        _agreement, ("id", "label"), ("aliases", "year", "month", "broker", "parties")
    ),
    "roles": _RowSection(_role, ("person", "role"), ("organization",)),
    "conflicts": _RowSection(_conflict, ("a", "b"), ("topic",)),
}


def _load_article(path: Path, entities: Mapping[str, gold.GoldEntity]) -> gold.GoldArticle:
    r = _Reader(path, entities)
    data = r.obj(r.load(), "$", required=("article",), allowed=tuple(_SECTION_READERS))
    article = r.text(data["article"], "$.article")
    sections: dict[str, tuple[gold.GoldRow, ...]] = {}
    for key, reader in _SECTION_READERS.items():
        if key in data:
            sections[_QUESTION_OF_SECTION[key]] = reader(r, data[key], f"$.{key}")
    return gold.GoldArticle(article=article, path=path, sections=sections)


def _load_corpus(
    path: Path, entities: Mapping[str, gold.GoldEntity], articles: Mapping[str, gold.GoldArticle]
) -> gold.CorpusGold:
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
            if isinstance(row, gold.EventGold | gold.AgreementGold)
        }
        for i, value in enumerate(values):
            if value not in known:
                raise r.fail(
                    f"$.{name}[{i}]",
                    f"{value!r} is not the id of any {question} row in the article gold",
                    f"use one of {sorted(known)}",
                )
        return values

    conflicts: tuple[gold.ConflictGold, ...] = ()
    if data.get("conflicts"):
        read = _RowSection(partial(_conflict, articles=tuple(articles)), ("a", "b"), ("topic",))
        conflicts = read(r, data["conflicts"], "$.conflicts")
    return gold.CorpusGold(
        same_entity=same_entity,
        same_event=ids("same_event", "events"),
        same_agreement=ids("same_agreement", "agreements"),
        conflicts=conflicts,
    )


def load_gold(gold_dir: Path) -> gold.GoldSet:
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
    articles: dict[str, gold.GoldArticle] = {}
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
    return gold.GoldSet(entities=entities, articles=articles, corpus=corpus)
