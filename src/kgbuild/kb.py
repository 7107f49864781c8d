"""The knowledge base: known entities with kinds, labels, aliases and links.

Read from Turtle files (the shipped ``kb/*.ttl`` and any the user adds).  The
extractors look names up here; no entity name appears in code.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .names import match_key
from .resources import data_dir

__all__ = ["KBEntity", "KnowledgeBase", "load_kb"]

log = logging.getLogger(__name__)

_KG = "https://w3id.org/kgbuild/ontology#"
_KGR = "https://w3id.org/kgbuild/id/"
PLACE_KINDS = frozenset(
    ("Country", "Region", "Settlement", "Route", "Landform", "Area", "Facility", "Place")
)
ACTOR_KINDS = frozenset(
    (
        "Country",
        "GovernmentBody",
        "ArmedForce",
        "Person",
        "InternationalOrganization",
        "Organization",
        "PopulationGroup",
        "StateForce",
        "PoliceForce",
        "ExternalForce",
        "NonStateArmedGroup",
        "RebelGroup",
        "PoliticalMilitia",
        "IdentityMilitia",
        "UnidentifiedArmedGroup",
        "Civilians",
        "Protesters",
        "Rioters",
        "MonitoringMission",
        "Actor",
    )
)
KINDS = sorted(PLACE_KINDS | ACTOR_KINDS)


@dataclass
class KBEntity:
    """One entity of the knowledge base."""

    key: str  # IRI path under kgr:, e.g. "entity/country/azerbaijan"
    kind: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    lat: float | None = None
    long: float | None = None
    country: str | None = None
    within: list[str] = field(default_factory=list)
    connects: list[str] = field(default_factory=list)

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS

    @property
    def is_actor(self) -> bool:
        return self.kind in ACTOR_KINDS


@dataclass
class KnowledgeBase:
    """Entities by key, with indexes from normalised names and demonyms."""

    entities: dict[str, KBEntity]
    names: dict[str, list[str]]  # match_key(name) -> entity keys
    demonyms: dict[str, str]  # match_key(demonym) -> country key
    by_label: dict[str, str]  # match_key(label) -> key (canonical labels only)
    sources: tuple[str, ...] = ()

    def lookup(self, name: str) -> list[KBEntity]:
        """Entities whose label or alias normalises like ``name``."""
        return [self.entities[k] for k in self.names.get(match_key(name), [])]

    def country_of_demonym(self, word: str) -> KBEntity | None:
        key = self.demonyms.get(match_key(word))
        if key is None and word.lower().endswith("s"):
            key = self.demonyms.get(match_key(word[:-1]))
        return self.entities[key] if key else None

    def demonym_of(self, key: str) -> str | None:
        ent = self.entities.get(key)
        return ent.demonyms[0] if ent and ent.demonyms else None


def _local(iri: URIRef) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _key(iri: URIRef) -> str:
    s = str(iri)
    return s[len(_KGR) :] if s.startswith(_KGR) else s


def _build(graph: Graph, sources: Sequence[str]) -> KnowledgeBase:
    entities: dict[str, KBEntity] = {}
    for subj, kind_iri in graph.subject_objects(RDF.type):
        if not str(kind_iri).startswith(_KG) or _local(kind_iri) not in KINDS:
            continue
        if not isinstance(subj, URIRef):
            continue
        labels = sorted(str(o) for o in graph.objects(subj, RDFS.label))
        if not labels:
            log.warning("KB entity %s has no rdfs:label; skipped", subj)
            continue
        key = _key(subj)
        ent = KBEntity(key=key, kind=_local(kind_iri), label=labels[0])
        ent.alt_labels = sorted(
            {str(o) for o in graph.objects(subj, SKOS.altLabel)} | set(labels[1:])
        )
        ent.demonyms = sorted(str(o) for o in graph.objects(subj, URIRef(_KG + "demonym")))
        ent.same_as = sorted(str(o) for o in graph.objects(subj, OWL.sameAs))
        for prop, attr in (("lat", "lat"), ("long", "long")):
            val = graph.value(subj, URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#" + prop))
            if isinstance(val, Literal):
                setattr(ent, attr, float(val))
        country = graph.value(subj, URIRef(_KG + "country"))
        ent.country = _key(country) if isinstance(country, URIRef) else None
        ent.within = sorted(_key(o) for o in graph.objects(subj, URIRef(_KG + "within")))
        ent.connects = sorted(_key(o) for o in graph.objects(subj, URIRef(_KG + "connects")))
        entities[key] = ent
    names: dict[str, list[str]] = defaultdict(list)
    demonyms: dict[str, str] = {}
    by_label: dict[str, str] = {}
    for key in sorted(entities):
        ent = entities[key]
        by_label.setdefault(match_key(ent.label), key)
        for name in [ent.label, *ent.alt_labels]:
            mk = match_key(name)
            if mk and key not in names[mk]:
                names[mk].append(key)
        if ent.kind == "Country":
            for dem in ent.demonyms:
                demonyms.setdefault(match_key(dem), key)
    return KnowledgeBase(entities, dict(names), demonyms, by_label, tuple(sources))


def load_kb(paths: Iterable[str | Path] = (), *, include_default: bool = True) -> KnowledgeBase:
    """Load the knowledge base from the shipped files plus ``paths``.

    Args:
        paths: extra Turtle files or folders of ``*.ttl`` files.
        include_default: also read the shipped ``kb/`` folder.

    Returns:
        The knowledge base.

    Raises:
        kgbuild.errors.InputError: when a file is missing or not valid Turtle.
    """
    files: list[Path] = []
    if include_default:
        files.extend(sorted(data_dir("kb").glob("*.ttl")))
    for p in paths:
        path = Path(p)
        files.extend(sorted(path.glob("*.ttl")) if path.is_dir() else [path])
    return _load_cached(tuple(str(f) for f in files))


@lru_cache(maxsize=8)
def _load_cached(files: tuple[str, ...]) -> KnowledgeBase:
    from .errors import InputError, RDFInputError
    from .rdfio import parse_rdf

    graph = Graph()
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise InputError(
                "knowledge-base file does not exist",
                input=f,
                fix="pass an existing Turtle file with --kb, or drop the option",
            )
        try:
            parse_rdf(path, format="turtle", into=graph)  # size-capped; nothing fetched
        except RDFInputError as exc:
            raise InputError(
                f"knowledge-base file cannot be read: {exc.message}",
                input=f,
                fix=exc.fix or "fix the syntax (see kb/README.md for the format)",
            ) from exc
    return _build(graph, files)
