"""The gold annotations as records, and the normal forms labels and terms are compared in.

A gold folder (``tests/gold/FORMAT.md``) becomes a :class:`GoldSet`: the entities of
``entities.json``, one :class:`GoldArticle` per ``*.gold.json`` with its gold rows per
question (:data:`GoldRow`), and the cross-article :class:`CorpusGold`.
:mod:`kgbuild.evaluation.gold_loader` reads the files; this module only says what a row
holds and how a label (:func:`normalise_label`) or a vocabulary term (:func:`local_key`)
is reduced before two are compared.

>>> sorted(GoldEntity("eu", "European Union", ("InternationalOrganization",), ("EU",)).names)
['eu', 'european union']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    >>> normalise_label("Mali’s foreign ministry")
    'mali foreign ministry'
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


#: The gold record type of each scored question.
GOLD_ROW_TYPES: dict[str, type] = {
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
