"""Checks on the shipped knowledge base (``kb/*.ttl``).

The extractor holds no entity names: every known name comes from these files, so
they must parse, follow the IRI scheme, give each entity one kind and one label,
and never give the same name to two entities.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgbuild.core.names import match_key  # the project's own matching rules

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "kb"
GOLD_ENTITIES = ROOT / "tests" / "gold" / "entities.json"

KG = "https://w3id.org/kgbuild/ontology#"
ENTITY_BASE = "https://w3id.org/kgbuild/id/entity/"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")

KINDS = (
    "Country",
    "GovernmentBody",
    "ArmedForce",
    "Person",
    "InternationalOrganization",
    "Organization",
    "PopulationGroup",
    "Region",
    "Settlement",
    "Route",
    "Landform",
    "Area",
    "Facility",
    "NonStateArmedGroup",
    "RebelGroup",
    "PoliticalMilitia",
    "IdentityMilitia",
    "ExternalForce",
    "StateForce",
)
KIND_IRIS = {URIRef(KG + k): k for k in KINDS}
PLACE_KINDS = {"Country", "Region", "Settlement", "Route", "Landform", "Area", "Facility"}
# Named armed groups (kb/armed-groups.ttl) all live under entity/nonstatearmedgroup/ whatever
# their ACLED category, so that re-classing a group never changes its IRI.
GROUP_KINDS = {
    "NonStateArmedGroup",
    "RebelGroup",
    "PoliticalMilitia",
    "IdentityMilitia",
    "ExternalForce",
}
BODY_KINDS = {"GovernmentBody", "ArmedForce", "StateForce", "Person", "Organization"} | GROUP_KINDS


def iri_kind(kind: str) -> str:
    """The kind segment of an entity IRI for a KB class: a state's forces keep their
    ``armedforce/`` IRIs from before the ACLED-aligned classes."""
    if kind == "StateForce":
        return "armedforce"
    return "nonstatearmedgroup" if kind in GROUP_KINDS else kind.lower()

DEMONYM = URIRef(KG + "demonym")
COUNTRY = URIRef(KG + "country")
WITHIN = URIRef(KG + "within")
CONNECTS = URIRef(KG + "connects")
LAT = URIRef(WGS84 + "lat")
LONG = URIRef(WGS84 + "long")

ALLOWED_PREDICATES = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SKOS.altLabel,
    DEMONYM,
    OWL.sameAs,
    LAT,
    LONG,
    COUNTRY,
    WITHIN,
    CONNECTS,
}

IRI_RE = re.compile(
    r"^" + re.escape(ENTITY_BASE) + r"(?P<kind>[a-z]+)/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$"
)
WIKIDATA_RE = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9]\d*$")

# Names deliberately shared by two entities: (normalised name) -> set of entity IRIs.
# Keep empty unless a real, documented ambiguity has to stay in the KB.
INTENDED_SHARED_NAMES: dict[str, set[str]] = {}



def normalise(name: str) -> str:
    """Stricter than :func:`match_key` for clash detection: accents are folded too."""
    folded = unicodedata.normalize("NFKD", match_key(name))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def slugify(label: str) -> str:
    """Slug of a canonical label (same rule as ``kgbuild.core.names.slugify`` for ASCII names)."""
    text = normalise(label)
    if not text.isascii():
        raise AssertionError(f"label {label!r} needs a non-ASCII slug; transliterate it")
    return "-".join(re.findall(r"[a-z0-9_]+", text)).replace("_", "-")


def kb_files() -> list[Path]:
    return sorted(KB_DIR.glob("*.ttl"))


@pytest.fixture(scope="module")
def kb() -> Graph:
    graph = Graph()
    for path in kb_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def entities(kb: Graph) -> list[URIRef]:
    subjects = {s for s in kb.subjects() if isinstance(s, URIRef)}
    return sorted(subjects)


def kind_of(kb: Graph, entity: URIRef) -> str:
    kinds = [KIND_IRIS[t] for t in kb.objects(entity, RDF.type) if t in KIND_IRIS]
    assert len(kinds) == 1, f"{entity}: kinds {kinds}"
    return kinds[0]


def test_there_are_kb_files() -> None:
    names = {p.name for p in kb_files()}
    assert {"countries.ttl", "places.ttl", "organizations.ttl"} <= names
    assert (KB_DIR / "README.md").is_file()


@pytest.mark.parametrize("path", kb_files(), ids=lambda p: p.name)
def test_each_file_parses(path: Path) -> None:
    graph = Graph()
    graph.parse(path, format="turtle")
    assert len(graph) > 0
    assert not any(
        not isinstance(term, (URIRef, Literal)) for triple in graph for term in triple
    ), f"{path.name} has blank nodes"


def test_every_entity_has_one_kind_and_one_label(kb: Graph, entities: list[URIRef]) -> None:
    problems = []
    for e in entities:
        types = set(kb.objects(e, RDF.type))
        kinds = [KIND_IRIS[t] for t in types if t in KIND_IRIS]
        if len(kinds) != 1 or len(types) != 1:
            problems.append(f"{e}: rdf:type {sorted(map(str, types))}")
        labels = list(kb.objects(e, RDFS.label))
        if len(labels) != 1 or not isinstance(labels[0], Literal) or not str(labels[0]).strip():
            problems.append(f"{e}: rdfs:label {labels}")
    assert not problems, "\n".join(problems)


def test_only_known_predicates(kb: Graph) -> None:
    bad = sorted({str(p) for p in kb.predicates() if p not in ALLOWED_PREDICATES})
    assert not bad, bad


def test_iris_follow_the_scheme(kb: Graph, entities: list[URIRef]) -> None:
    problems = []
    for e in entities:
        m = IRI_RE.match(str(e))
        if not m:
            problems.append(f"{e}: not entity/{{kind}}/{{slug}}")
            continue
        kind = kind_of(kb, e)
        if m["kind"] != iri_kind(kind):
            problems.append(f"{e}: path kind {m['kind']!r} but class kg:{kind}")
        label = str(kb.value(e, RDFS.label))
        if m["slug"] != slugify(label):
            problems.append(f"{e}: slug should be {slugify(label)!r} (from label {label!r})")
    assert not problems, "\n".join(problems)


def test_no_two_entities_share_a_name(kb: Graph, entities: list[URIRef]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        for prop in (RDFS.label, SKOS.altLabel, DEMONYM):
            for name in kb.objects(e, prop):
                key = normalise(str(name))
                assert key, f"{e}: empty name {name!r}"
                owners[key].add(str(e))
    duplicates = {
        key: sorted(iris)
        for key, iris in owners.items()
        if len(iris) > 1 and INTENDED_SHARED_NAMES.get(key) != iris
    }
    report = "\n".join(f"{k!r}: {v}" for k, v in sorted(duplicates.items()))
    assert not duplicates, f"names shared by several entities:\n{report}"


def test_references_are_defined(kb: Graph, entities: list[URIRef]) -> None:
    defined = set(entities)
    problems = []
    for prop in (COUNTRY, WITHIN, CONNECTS):
        for s, o in kb.subject_objects(prop):
            if o not in defined:
                problems.append(f"{s} {prop} {o}: object not defined in the KB")
    assert not problems, "\n".join(problems)


def test_reference_kinds(kb: Graph) -> None:
    problems = []
    for s, o in kb.subject_objects(COUNTRY):
        if kind_of(kb, s) not in BODY_KINDS:
            problems.append(f"{s}: kg:country on a kg:{kind_of(kb, s)}")
        if kind_of(kb, o) != "Country":
            problems.append(f"{s} kg:country {o}: not a kg:Country")
    for prop in (WITHIN, CONNECTS):
        for s, o in kb.subject_objects(prop):
            for node in (s, o):
                if kind_of(kb, node) not in PLACE_KINDS:
                    problems.append(f"{s} {prop} {o}: {node} is not a place")
            if s == o:
                problems.append(f"{s} {prop} itself")
    assert not problems, "\n".join(problems)


def test_within_has_no_cycles(kb: Graph) -> None:
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in kb.subject_objects(WITHIN):
        parents[s].add(o)

    def ancestors(node: URIRef, seen: frozenset[URIRef]) -> None:
        for p in parents[node]:
            assert p not in seen, f"kg:within cycle through {p}"
            ancestors(p, seen | {p})

    for node in list(parents):
        ancestors(node, frozenset({node}))


def test_same_as_targets_are_wikidata_items(kb: Graph) -> None:
    problems = [
        f"{s} owl:sameAs {o}"
        for s, o in kb.subject_objects(OWL.sameAs)
        if not isinstance(o, URIRef) or not WIKIDATA_RE.match(str(o))
    ]
    assert not problems, "\n".join(problems)
    # one Wikidata item never names two KB entities
    by_item: dict[URIRef, list[URIRef]] = defaultdict(list)
    for s, o in kb.subject_objects(OWL.sameAs):
        by_item[o].append(s)
    shared = {str(k): v for k, v in by_item.items() if len(v) > 1}
    assert not shared, shared


def test_demonyms_only_on_countries(kb: Graph) -> None:
    problems = [
        f"{s}: kg:demonym on a kg:{kind_of(kb, s)}"
        for s in set(kb.subjects(DEMONYM, None))
        if kind_of(kb, s) != "Country"
    ]
    assert not problems, "\n".join(problems)


def test_coordinates(kb: Graph, entities: list[URIRef]) -> None:
    problems = []
    for e in entities:
        lat = list(kb.objects(e, LAT))
        lon = list(kb.objects(e, LONG))
        if not lat and not lon:
            continue
        if len(lat) != 1 or len(lon) != 1:
            problems.append(f"{e}: needs exactly one wgs84:lat and one wgs84:long")
            continue
        for value, bound in ((lat[0], 90), (lon[0], 180)):
            if not isinstance(value, Literal) or value.datatype != XSD_DECIMAL:
                problems.append(f"{e}: {value!r} is not an xsd:decimal")
            elif not -bound <= float(value) <= bound:
                problems.append(f"{e}: {value} out of range")
        if kind_of(kb, e) not in PLACE_KINDS:
            problems.append(f"{e}: coordinates on a non-place")
    assert not problems, "\n".join(problems)


def test_literals_are_plain_strings(kb: Graph) -> None:
    problems = []
    for prop in (RDFS.label, SKOS.altLabel, DEMONYM):
        for s, o in kb.subject_objects(prop):
            if not isinstance(o, Literal) or o.datatype not in (None, XSD_STRING):
                problems.append(f"{s} {prop} {o!r}")
            elif str(o) != str(o).strip() or "  " in str(o):
                problems.append(f"{s} {prop} {o!r}: stray whitespace")
    assert not problems, "\n".join(problems)


# --- the seed articles' gold entities are known to the KB ---------------------

# Gold entities that are not named entities and so have no place in the KB.
GOLD_NOT_IN_KB = {"commanding_heights"}


def _gold() -> dict[str, dict[str, object]]:
    with GOLD_ENTITIES.open(encoding="utf-8") as fh:
        data: dict[str, dict[str, object]] = json.load(fh)
    return data


@pytest.mark.skipif(not GOLD_ENTITIES.is_file(), reason="no gold entities")
def test_gold_entities_resolve_to_kb_nodes_of_an_accepted_kind(kb: Graph) -> None:
    index: dict[str, URIRef] = {}
    for prop in (RDFS.label, SKOS.altLabel, DEMONYM):
        for s, name in kb.subject_objects(prop):
            index[normalise(str(name))] = s
    problems = []
    for key, gold in _gold().items():
        if key in GOLD_NOT_IN_KB:
            continue
        node = index.get(normalise(str(gold["label"])))
        if node is None:
            problems.append(f"{key}: label {gold['label']!r} unknown to the KB")
            continue
        kinds = gold["kinds"]
        assert isinstance(kinds, list)
        kind = kind_of(kb, node)
        # a state force or armed group is also an ArmedForce (the builder writes both)
        armed = kind in GROUP_KINDS | {"StateForce"} and "ArmedForce" in kinds
        if kind not in kinds and not armed:
            problems.append(f"{key}: KB kind {kind_of(kb, node)} not in {kinds}")
    assert not problems, "\n".join(problems)
