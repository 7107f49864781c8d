"""Records passed between the stages of the pipeline.

Extractors return these plain, frozen records, never triples; only
:mod:`kgbuild.graph.rdf` turns them into RDF.  Every record that states a fact carries
an :class:`Evidence` pointing at the exact characters of the article text.

Offsets are Python string indices (code points) into :attr:`Article.text`,
which is the file's text exactly as read (UTF-8 decoded, newlines kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "ACTOR_KINDS",
    "EVENT_KINDS",
    "OUTCOMES",
    "PLACE_KINDS",
    "QUALIFIERS",
    "STANCES",
    "Agreement",
    "Article",
    "CasualtyClaim",
    "Contradiction",
    "Event",
    "Evidence",
    "Extraction",
    "Mention",
    "PlaceLink",
    "Role",
    "Statement",
]

ACTOR_KINDS = (
    "Country",
    "GovernmentBody",
    "ArmedForce",
    "Person",
    "InternationalOrganization",
    "Organization",
    "PopulationGroup",
)
PLACE_KINDS = ("Country", "Region", "Settlement", "Route", "Landform", "Area", "Facility")
EVENT_KINDS = (
    "MilitaryOperation",
    "Attack",
    "Airstrike",
    "Mobilization",
    "CeasefireViolation",
    "TerritorialCapture",
    "Destruction",
    "Deployment",
    "War",
)
STANCES = ("Claim", "Denial", "Confirmation", "Accusation", "Appeal", "Warning")
OUTCOMES = ("killed", "injured", "killed-or-injured")
QUALIFIERS = ("exact", "at-least", "at-most", "approximate", "several", "none")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from its source.

    ``body_end`` is the offset where page furniture (comment forms, video
    transcript markers) begins; nothing after it yields facts.  ``excluded``
    lists spans before it that yield no facts either (photo and video credits).
    """

    id: str  # file name (or jsonl id); unique within a build
    text: str
    title: str
    source_path: str = ""
    url: str | None = None
    published: date | None = None
    publisher: str | None = None
    body_end: int = -1  # -1: the whole text is body
    title_span: tuple[int, int] = (0, 0)
    # (begin, end) spans inside the body that yield no facts (photo/video credits)
    excluded: tuple[tuple[int, int], ...] = ()

    @property
    def body(self) -> str:
        """The text that may yield facts (offsets unchanged)."""
        return self.text if self.body_end < 0 else self.text[: self.body_end]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact is stated: article, character offsets, exact text, extractor."""

    article: str
    begin: int
    end: int
    text: str
    extractor: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text that names an actor or a place.

    ``key`` identifies the entity it denotes after resolution: a knowledge-base
    key (``entity/country/ruritania``) or a minted one (``entity/person/jane-doe``).
    """

    evidence: Evidence
    kind: str
    key: str
    label: str  # canonical label of the entity
    surface: str  # the name as written, normalised (no leading "the")
    country: str | None = None  # key of the country an actor belongs to
    is_place: bool = False
    is_actor: bool = True


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, with its participants from one sentence."""

    key: str  # article-local id, replaced by a global one in resolve
    kind: str
    evidence: Evidence
    trigger: str
    agents: tuple[str, ...] = ()  # entity keys
    targets: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    time_text: str | None = None
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    name: str | None = None
    definite: bool = False  # "the attack": refers back to an event already told
    responds_to: str | None = None  # key of the event this one retaliates for
    violates: tuple[str, ...] = ()  # keys of agreements this event breaks
    # entity key of who reports it ("according to X", "observers recorded ..."): the
    # source is never the agent unless the text says so
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """Who said what, with which stance, to whom."""

    key: str
    evidence: Evidence
    speaker: str | None  # entity key; None: the article's own voice
    stance: str
    verb: str
    addressees: tuple[str, ...] = ()
    quote: str = ""
    about: tuple[str, ...] = ()  # keys of events or entities the statement is about
    negated: bool = False


@dataclass(frozen=True, slots=True)
class CasualtyClaim:
    """A reported figure of killed or injured people, attributed to a source."""

    key: str
    evidence: Evidence
    source: str | None  # entity key; None: the article itself
    victim: str | None
    outcome: str
    count: int | None
    count_text: str
    qualifier: str
    about: str | None = None  # event key
    statement: str | None = None  # key of the statement that reports it
    # the victims' noun as written ("civilians", "police officers"), when it names a group
    victim_group: str | None = None
    # entity key of the side the victims belong to (a country, or an armed group)
    victim_side: str | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """A ceasefire, treaty or deal referred to in the text."""

    key: str
    evidence: Evidence
    label: str
    kind: str  # "ceasefire", "treaty", "deal", "statement", "agreement"
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    brokers: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()  # event keys (for example a deployment)
    place: str | None = None  # entity key of the place where it was signed or reached
    # what the parties undertook, as written ("pull back heavy weapons five kilometres
    # from the border")
    provisions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """A person's post in an organisation."""

    evidence: Evidence
    person: str
    title: str
    organization: str | None


@dataclass(frozen=True, slots=True)
class PlaceLink:
    """``place`` connects / is within ``other``."""

    evidence: Evidence | None
    place: str
    relation: str  # "connects" | "within"
    other: str


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two claims or statements that cannot both be true."""

    a: str
    b: str
    topic: str


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one article, before cross-article resolution."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    claims: list[CasualtyClaim] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    place_links: list[PlaceLink] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
