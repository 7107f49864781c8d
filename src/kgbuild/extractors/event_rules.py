"""The event rules as data: the trigger table, the word lists and the classes.

Three tab-separated files in ``extractors/rules/`` hold every word the event engine
(:mod:`kgbuild.extractors.events`) knows; their headers say what each column means:

- ``event_triggers.tsv``: a trigger lemma or multiword expression, its part of speech,
  its class, the frame that says which dependents are agent, target and place, and the
  conditions under which it counts.
- ``event_words.tsv``: named word lists the conditions and the refinement read (weapons,
  munitions, territory, civilian nouns ...).
- ``event_classes.tsv``: the classes, the older class each is written as while the
  ontology lacks it, the coreference family, whether it is violent, weapon ranks.

The files are read once per process and indexed by the first word of each trigger, so
the engine looks up a token's lemma in a dict instead of trying every pattern.

>>> rules = load_rules()
>>> [r.cls for r in rules.by_word["shell"] if r.pos == "verb"]
['ShellingArtilleryMissileAttack']
>>> rules.classes["ArmedClash"].writes_as
'Attack'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kgbuild.core.errors import ConfigError

__all__ = ["EventClass", "EventRules", "Rule", "RuleCondition", "load_rules"]

RULES_DIR = Path(__file__).resolve().parent / "rules"
ROLES = frozenset({"agent", "target", "sides", "place", "event", "none"})
#: Prepositions a frame or a condition may name (their objects).
PREPOSITIONS = frozenset(
    {
        "on",
        "at",
        "against",
        "with",
        "of",
        "to",
        "from",
        "by",
        "into",
        "in",
        "near",
        "over",
        "between",
        "toward",
        "towards",
        "upon",
        "for",
        "outside",
        "inside",
        "around",
        "along",
        "across",
        "under",
    }
)
#: Frame slots besides the prepositions.
SLOTS = frozenset({"subj", "obj", "poss", "mod"}) | PREPOSITIONS
#: Condition keys that read one dependent or the sentence (see event_triggers.tsv).
CONDITION_KEYS = (
    frozenset({"obj", "subj", "mod", "head", "prep", "sent", "sub", "objsub", "acl"}) | PREPOSITIONS
)
#: Lists the engine computes from the parse and the entity references, not from words.
DYNAMIC_LISTS = frozenset(
    {"place", "actor", "armed", "state", "nonstate", "police", "civilian", "crowd", "event"}
)
DEFAULT_FRAMES = {
    "verb": {"subj": "agent", "obj": "target", "by": "agent"},
    "noun": {
        "poss": "agent",
        "mod": "agent",
        "by": "agent",
        "on": "target",
        "against": "target",
    },
}


@dataclass(frozen=True, slots=True)
class RuleCondition:
    """One condition of a rule: ``key`` (a dependent, or "sent"/"sub") must (or, when
    ``negate``, must not) have a word in ``words`` or in one of the named ``lists``."""

    key: str
    words: frozenset[str]
    lists: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of the trigger table."""

    words: tuple[frozenset[str], ...]  # each word of the expression, with alternatives
    pos: str  # "verb" | "noun"
    cls: str
    frame: dict[str, str]
    conditions: tuple[RuleCondition, ...]
    solo: bool
    line: int

    @property
    def text(self) -> str:
        return " ".join("|".join(sorted(w)) for w in self.words)


@dataclass(frozen=True, slots=True)
class EventClass:
    """One line of the class table."""

    name: str
    writes_as: str | None
    family: str
    violent: bool
    weapon_rank: int | None


@dataclass(frozen=True)
class EventRules:
    """The loaded tables: rules indexed by their first word, lists, classes."""

    by_word: dict[str, list[Rule]]
    lists: dict[str, frozenset[str]]
    values: dict[str, dict[str, str]]  # list -> word -> value
    classes: dict[str, EventClass]
    phrases: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def in_list(self, name: str, word: str) -> bool:
        return word in self.lists.get(name, frozenset())

    def value(self, name: str, word: str) -> str | None:
        return self.values.get(name, {}).get(word)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        out.append((n, [c.strip() for c in raw.split("\t")]))
    return out


def _bad(path: Path, line: int, what: str) -> ConfigError:
    return ConfigError(
        what,
        input=f"{path}:{line}",
        fix="correct the line (the file's header explains each column)",
    )


def _parse_conditions(
    text: str, path: Path, line: int, lists: dict[str, frozenset[str]]
) -> tuple[tuple[RuleCondition, ...], bool]:
    conds: list[RuleCondition] = []
    solo = False
    if text in ("", "-"):
        return (), False
    for item in text.split():
        if item == "solo":
            solo = True
            continue
        negate = item.startswith("!")
        body = item[1:] if negate else item
        if "=" not in body:
            raise _bad(path, line, f"condition {item!r} is not key=values")
        key, vals = body.split("=", 1)
        words: set[str] = set()
        names: list[str] = []
        for v in vals.split(","):
            if v.startswith("@"):
                name = v[1:]
                if name not in lists and name not in DYNAMIC_LISTS:
                    raise _bad(path, line, f"unknown word list {v!r}")
                names.append(name)
            elif v:
                words.add(v.lower())
        conds.append(RuleCondition(key, frozenset(words), tuple(names), negate))
    return tuple(conds), solo


def _parse_frame(text: str, pos: str, path: Path, line: int) -> dict[str, str]:
    if text in ("", "-"):
        return dict(DEFAULT_FRAMES[pos])
    frame: dict[str, str] = {}
    for item in text.split():
        if "=" not in item:
            raise _bad(path, line, f"frame entry {item!r} is not slot=role")
        slot, role = item.split("=", 1)
        if slot not in SLOTS:
            raise _bad(path, line, f"unknown frame slot {slot!r}")
        if role not in ROLES:
            raise _bad(path, line, f"unknown role {role!r} (one of {', '.join(sorted(ROLES))})")
        frame[slot] = role
    return frame


@lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> EventRules:
    """Read and index the three tables of ``directory`` (cached: read once).

    Raises:
        kgbuild.core.errors.ConfigError: a malformed line, naming the file and line.
    """
    words_path = directory / "event_words.tsv"
    lists: dict[str, set[str]] = {}
    values: dict[str, dict[str, str]] = {}
    for n, cols in _rows(words_path):
        if len(cols) < 2:
            raise _bad(words_path, n, "a word line needs a list name and a word")
        name, word = cols[0], cols[1].lower()
        lists.setdefault(name, set()).add(word)
        if len(cols) > 2 and cols[2]:
            values.setdefault(name, {})[word] = cols[2]
    frozen = {k: frozenset(v) for k, v in lists.items()}

    classes_path = directory / "event_classes.tsv"
    classes: dict[str, EventClass] = {}
    for n, cols in _rows(classes_path):
        if len(cols) != 5:
            raise _bad(classes_path, n, f"a class line needs 5 columns, not {len(cols)}")
        name, writes, family, violent, rank = cols
        classes[name] = EventClass(
            name,
            None if writes == "-" else writes,
            name if family == "-" else family,
            violent == "yes",
            None if rank == "-" else int(rank),
        )
    for name, value_map in values.items():
        if name == "weapon" or name == "intervention":
            for word, cls in value_map.items():
                if cls not in classes:
                    raise _bad(words_path, 0, f"{name} {word!r} names unknown class {cls!r}")

    trig_path = directory / "event_triggers.tsv"
    by_word: dict[str, list[Rule]] = {}
    for n, cols in _rows(trig_path):
        if len(cols) != 5:
            raise _bad(trig_path, n, f"a trigger line needs 5 columns, not {len(cols)}")
        trigger, pos, cls, frame_text, when = cols
        if pos not in DEFAULT_FRAMES:
            raise _bad(trig_path, n, f"part of speech {pos!r} is not verb or noun")
        if cls not in classes:
            raise _bad(trig_path, n, f"class {cls!r} is not in {classes_path.name}")
        words = tuple(frozenset(w.lower().split("|")) for w in trigger.split())
        conds, solo = _parse_conditions(when, trig_path, n, frozen)
        for c in conds:
            if c.key not in CONDITION_KEYS:
                raise _bad(trig_path, n, f"unknown condition key {c.key!r}")
        rule = Rule(words, pos, cls, _parse_frame(frame_text, pos, trig_path, n), conds, solo, n)
        for first in words[0]:
            by_word.setdefault(first, []).append(rule)
    for rules in by_word.values():
        rules.sort(key=lambda r: (-len(r.words), r.line))
    # two-word entries of the word lists ("car bomb"): head -> modifiers
    phrases: dict[str, dict[str, frozenset[str]]] = {}
    for name, ws in frozen.items():
        heads: dict[str, set[str]] = {}
        for w in ws:
            parts = w.split()
            if len(parts) == 2:
                heads.setdefault(parts[1], set()).add(parts[0])
        phrases[name] = {h: frozenset(m) for h, m in heads.items()}
    return EventRules(by_word, frozen, values, classes, phrases)
