"""Tests of the ontology (ontology/kgbuild.ttl) and its SKOS vocabularies (ontology/vocab.ttl)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import owlrl
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import _toPythonMapping

from kgbuild.core.namespaces import (
    GAF,
    GEO,
    KG,
    NIF,
    ONTOLOGY_IRI,
    ORG,
    OUTCOME,
    PROV,
    QUALIFIER,
    SCHEMA,
    SEM,
    STANCE,
)

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kgbuild.ttl"
VOCAB = ROOT / "ontology" / "vocab.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages

KG_TERMS = sorted(name for name in KG.__annotations__ if not name.startswith("_"))
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(VOCAB, format="turtle")


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")


@pytest.mark.parametrize("name", KG_TERMS)
def test_every_term_is_declared_and_documented(ontology: Graph, name: str) -> None:
    term = KG[name]
    kinds = set(ontology.objects(term, RDF.type))
    assert kinds & set(DECLARATIONS), f"kg:{name} is not declared"
    for prop in (RDFS.label, RDFS.comment):
        values = list(ontology.objects(term, prop))
        assert len(values) == 1 and str(values[0]).strip(), f"kg:{name} lacks one {prop}"
    if kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
        assert ontology.value(term, RDFS.domain) is not None, f"kg:{name} has no domain"
        assert ontology.value(term, RDFS.range) is not None, f"kg:{name} has no range"
    if name[0].isupper():
        assert OWL.Class in kinds
    else:
        assert OWL.Class not in kinds


def test_no_term_outside_the_closed_namespace(ontology: Graph) -> None:
    namespace = str(KG._NS)
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(namespace)
    }
    unknown = sorted(str(node)[len(namespace) :] for node in used)
    assert set(unknown) <= set(KG_TERMS), set(unknown) - set(KG_TERMS)


@pytest.mark.parametrize(
    ("subject", "relation", "target"),
    [
        pytest.param(KG.Event, RDFS.subClassOf, SEM.Event, id="Event-sem"),
        pytest.param(KG.Actor, RDFS.subClassOf, SEM.Actor, id="Actor-sem"),
        pytest.param(KG.Place, RDFS.subClassOf, SEM.Place, id="Place-sem"),
        pytest.param(KG.agent, RDFS.subPropertyOf, SEM.hasActor, id="agent-sem"),
        pytest.param(KG.place, RDFS.subPropertyOf, SEM.hasPlace, id="place-sem"),
        pytest.param(KG.Post, RDFS.subClassOf, ORG.Post, id="Post-org"),
        pytest.param(KG.GovernmentBody, RDFS.subClassOf, ORG.Organization, id="GovernmentBody-org"),
        pytest.param(KG.Article, RDFS.subClassOf, SCHEMA.NewsArticle, id="Article-schema"),
        pytest.param(KG.Article, RDFS.subClassOf, NIF.Context, id="Article-nif"),
        pytest.param(KG.Article, RDFS.subClassOf, KG.Source, id="Article-Source"),
        pytest.param(KG.Mention, RDFS.subClassOf, NIF.String, id="Mention-nif"),
        pytest.param(KG.within, RDFS.subPropertyOf, GEO.sfWithin, id="within-geo"),
        pytest.param(KG.Statement, RDFS.subClassOf, PROV.Entity, id="Statement-prov"),
        pytest.param(KG.CasualtyClaim, RDFS.subClassOf, SCHEMA.Claim, id="CasualtyClaim-schema"),
        pytest.param(KG.Stance, RDFS.subClassOf, SKOS.Concept, id="Stance-skos"),
        pytest.param(KG.evidence, RDFS.subPropertyOf, GAF.denotedBy, id="evidence-gaf"),
        pytest.param(KG.Country, RDFS.subClassOf, KG.Actor, id="Country-Actor"),
        pytest.param(KG.Country, RDFS.subClassOf, KG.Place, id="Country-Place"),
    ],
)
def test_alignments(ontology: Graph, subject: URIRef, relation: URIRef, target: URIRef) -> None:
    assert (subject, relation, target) in ontology


def test_no_disjointness_that_real_data_breaks(ontology: Graph) -> None:
    touchy = {KG.Actor, KG.Place, KG.Country, KG.Source, KG.Article}
    for s, _, o in ontology.triples((None, OWL.disjointWith, None)):
        assert not ({s, o} & touchy)
    assert not list(ontology.triples((None, RDF.type, OWL.AllDisjointClasses)))


@pytest.mark.parametrize(
    ("scheme", "namespace", "names"),
    [
        pytest.param(
            "stance",
            STANCE,
            ["Claim", "Denial", "Confirmation", "Accusation", "Appeal", "Warning"],
            id="stance",
        ),
        pytest.param("outcome", OUTCOME, ["killed", "injured", "killed-or-injured"], id="outcome"),
        pytest.param(
            "qualifier",
            QUALIFIER,
            ["exact", "at-least", "at-most", "approximate", "several", "none"],
            id="qualifier",
        ),
    ],
)
def test_vocabulary(vocab: Graph, scheme: str, namespace: type, names: list[str]) -> None:
    scheme_iri = URIRef(f"https://w3id.org/kgbuild/vocab/{scheme}")
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in vocab
    members = set(vocab.subjects(SKOS.inScheme, scheme_iri))
    expected = {URIRef(str(namespace._NS) + name) for name in names}  # type: ignore[attr-defined]
    assert members == expected
    for concept in expected:
        assert (concept, RDF.type, SKOS.Concept) in vocab
        assert vocab.value(concept, SKOS.prefLabel) is not None
        assert vocab.value(concept, SKOS.definition) is not None


def test_shape_value_sets_come_from_the_vocabulary(vocab: Graph) -> None:
    shapes = Graph().parse(SHAPES, format="turtle")
    concepts = set(vocab.subjects(RDF.type, SKOS.Concept))
    for listed in shapes.objects(None, SH["in"]):
        values = list(shapes.items(listed))
        vocabulary_values = [
            v for v in values if str(v).startswith("https://w3id.org/kgbuild/vocab/")
        ]
        assert set(vocabulary_values) <= concepts


def test_owl_rl_closure_of_ontology_and_sample_is_consistent(ontology: Graph, vocab: Graph) -> None:
    dataset = Dataset()
    dataset.parse(SAMPLE, format="trig")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph += ontology
    graph += vocab
    parsers = dict(_toPythonMapping)
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    finally:  # owlrl adds and swaps rdflib's literal parsers, process-wide:
        # put rdflib's back, or later tests judge literals by owlrl's rules
        _toPythonMapping.clear()
        _toPythonMapping.update(parsers)
    assert not list(graph.subjects(RDF.type, OWL.Nothing))
    errors = [
        str(graph.value(node, ERR.error)) for node in graph.subjects(RDF.type, ERR.ErrorMessage)
    ]
    assert errors == []
    # the closure draws the intended conclusions
    country = URIRef("https://w3id.org/kgbuild/id/entity/country/northland")
    assert (country, RDF.type, SEM.Actor) in graph
    assert (country, RDF.type, SEM.Place) in graph
    article = URIRef("https://w3id.org/kgbuild/id/article/001_sample.txt")
    assert (article, RDF.type, KG.Source) in graph
    assert (article, RDF.type, SCHEMA.NewsArticle) in graph


def test_ontology_doc_is_current() -> None:
    """docs/ontology.md is generated; regenerate with python scripts/gen_ontology_doc.py."""
    script = ROOT / "scripts" / "gen_ontology_doc.py"
    spec = importlib.util.spec_from_file_location("gen_ontology_doc", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    current = (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    assert current == expected, "docs/ontology.md is stale: run python scripts/gen_ontology_doc.py"
    for name in KG_TERMS:
        assert f"`kg:{name}`" in current


# --- ACLED and CAMEO alignment ----------------------------------------------

ACLED = Namespace("https://w3id.org/kgbuild/vocab/acled/")
ACLED_ACTOR = Namespace("https://w3id.org/kgbuild/vocab/acled-actor/")
CAMEO = Namespace("https://w3id.org/kgbuild/vocab/cameo/")
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)

# class -> (its kg: superclasses, the ACLED label it matches exactly, the CAMEO root it maps to)
ACLED_EVENTS: dict[str, tuple[set[str], str, str | None]] = {
    "Battle": ({"Event"}, "Battles", "19"),
    "ArmedClash": ({"Battle", "Attack"}, "Armed clash", "19"),
    "GovernmentRegainsTerritory": ({"TerritorialCapture"}, "Government regains territory", "19"),
    "NonStateActorOvertakesTerritory": (
        {"TerritorialCapture"}, "Non-state actor overtakes territory", "19"),
    "ExplosionRemoteViolence": ({"Event"}, "Explosions/Remote violence", None),
    "AirDroneStrike": ({"Airstrike"}, "Air/drone strike", "19"),
    "ShellingArtilleryMissileAttack": (
        {"ExplosionRemoteViolence", "Attack"}, "Shelling/artillery/missile attack", "19"),
    "RemoteExplosiveLandmineIED": (
        {"ExplosionRemoteViolence", "Attack"}, "Remote explosive/landmine/IED", "18"),
    "GrenadeAttack": ({"ExplosionRemoteViolence", "Attack"}, "Grenade", None),
    "SuicideBombing": ({"ExplosionRemoteViolence", "Attack"}, "Suicide bomb", "18"),
    "ChemicalWeaponAttack": ({"ExplosionRemoteViolence", "Attack"}, "Chemical weapon", "20"),
    "ViolenceAgainstCivilians": ({"Event"}, "Violence against civilians", "18"),
    "AttackOnCivilians": ({"ViolenceAgainstCivilians", "Attack"}, "Attack", "18"),
    "AbductionForcedDisappearance": (
        {"ViolenceAgainstCivilians"}, "Abduction/forced disappearance", "18"),
    "SexualViolence": ({"ViolenceAgainstCivilians"}, "Sexual violence", "18"),
    "Protest": ({"Event"}, "Protests", "14"),
    "PeacefulProtest": ({"Protest"}, "Peaceful protest", "14"),
    "ProtestWithIntervention": ({"Protest"}, "Protest with intervention", "14"),
    "ExcessiveForceAgainstProtesters": (
        {"Protest"}, "Excessive force against protesters", "17"),
    "Riot": ({"Event"}, "Riots", "14"),
    "ViolentDemonstration": ({"Riot"}, "Violent demonstration", "14"),
    "MobViolence": ({"Riot"}, "Mob violence", "18"),
    "StrategicDevelopment": ({"Event"}, "Strategic developments", None),
    "Arrest": ({"StrategicDevelopment"}, "Arrests", "17"),
    "AgreementSigning": ({"StrategicDevelopment"}, "Agreement", "05"),
    "LootingPropertyDestruction": (
        {"StrategicDevelopment", "Destruction"}, "Looting/property destruction", "17"),
    "DisruptedWeaponsUse": ({"StrategicDevelopment"}, "Disrupted weapons use", None),
    "BaseEstablished": ({"StrategicDevelopment"}, "Headquarters or base established", None),
    "NonViolentTransferOfTerritory": (
        {"StrategicDevelopment"}, "Non-violent transfer of territory", None),
    "OtherDevelopment": ({"StrategicDevelopment"}, "Other", None),
}
# the first classes, placed in the ACLED tree where they fit (None: kept under kg:Event)
OLD_EVENTS: dict[str, str | None] = {
    "Airstrike": "ExplosionRemoteViolence",
    "TerritorialCapture": "Battle",
    "Mobilization": "StrategicDevelopment",
    "Deployment": "StrategicDevelopment",
    "MilitaryOperation": None,
    "Attack": None,
    "CeasefireViolation": None,
    "Destruction": None,
    "War": None,
}
# actor class -> (its kg: superclass, ACLED actor category label, its inter code)
ACLED_ACTORS: dict[str, tuple[str, str, str]] = {
    "StateForce": ("ArmedForce", "State Forces", "1"),
    "PoliceForce": ("StateForce", "State Forces", "1"),
    "NonStateArmedGroup": ("ArmedForce", "Rebel Groups", "2"),
    "RebelGroup": ("NonStateArmedGroup", "Rebel Groups", "2"),
    "PoliticalMilitia": ("NonStateArmedGroup", "Political Militias", "3"),
    "IdentityMilitia": ("NonStateArmedGroup", "Identity Militias", "4"),
    "UnidentifiedArmedGroup": ("NonStateArmedGroup", "Political Militias", "3"),
    "ExternalForce": ("ArmedForce", "External/Other Forces", "8"),
    "Rioters": ("PopulationGroup", "Rioters", "5"),
    "Protesters": ("PopulationGroup", "Protesters", "6"),
    "Civilians": ("PopulationGroup", "Civilians", "7"),
    "MonitoringMission": ("InternationalOrganization", "External/Other Forces", "8"),
}


def _superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    todo = [cls]
    while todo:
        for parent in ontology.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _mapped(ontology: Graph, cls: URIRef, namespace: Namespace) -> dict[URIRef, URIRef]:
    """The concepts of ``namespace`` that ``cls`` is mapped to, with the mapping property."""
    return {
        target: prop
        for prop in MATCHES
        for target in ontology.objects(cls, prop)
        if str(target).startswith(str(namespace))
    }


@pytest.mark.parametrize("name", sorted(ACLED_EVENTS))
def test_acled_event_class(ontology: Graph, vocab: Graph, name: str) -> None:
    parents, label, cameo_root = ACLED_EVENTS[name]
    cls = KG[name]
    assert set(ontology.objects(cls, RDFS.subClassOf)) >= {KG[p] for p in parents}
    assert KG.Event in _superclasses(ontology, cls)
    exact = [t for t, p in _mapped(ontology, cls, ACLED).items() if p == SKOS.exactMatch]
    assert len(exact) == 1, f"kg:{name} needs one skos:exactMatch to an ACLED concept"
    assert vocab.value(exact[0], SKOS.prefLabel) == Literal(label, lang="en")
    cameo = _mapped(ontology, cls, CAMEO)
    if cameo_root is None:
        assert cameo == {}
    else:
        assert len(cameo) == 1, f"kg:{name} needs one CAMEO mapping"
        (code,) = cameo
        assert str(vocab.value(code, SKOS.notation)).startswith(cameo_root)


@pytest.mark.parametrize("name", sorted(OLD_EVENTS))
def test_first_event_classes_stay_and_are_placed(ontology: Graph, name: str) -> None:
    parent = OLD_EVENTS[name]
    direct = set(ontology.objects(KG[name], RDFS.subClassOf))
    assert direct == {KG[parent] if parent else KG.Event}


def test_airstrike_and_capture_are_mapped_to_acled(ontology: Graph) -> None:
    assert _mapped(ontology, KG.Airstrike, ACLED) == {ACLED.AirDroneStrike: SKOS.closeMatch}
    assert _mapped(ontology, KG.TerritorialCapture, ACLED) == {
        ACLED.GovernmentRegainsTerritory: SKOS.narrowMatch,
        ACLED.NonStateActorOvertakesTerritory: SKOS.narrowMatch,
    }
    # kg:Attack is any act of violence, not ACLED's "Attack" (on civilians)
    assert _mapped(ontology, KG.Attack, ACLED) == {}


@pytest.mark.parametrize("name", sorted(ACLED_ACTORS))
def test_acled_actor_class(ontology: Graph, vocab: Graph, name: str) -> None:
    parent, label, code = ACLED_ACTORS[name]
    cls = KG[name]
    assert (cls, RDFS.subClassOf, KG[parent]) in ontology
    assert KG.Actor in _superclasses(ontology, cls)
    mapped = _mapped(ontology, cls, ACLED_ACTOR)
    assert mapped, f"kg:{name} is not mapped to an ACLED actor category"
    labels = {str(vocab.value(t, SKOS.prefLabel)): str(vocab.value(t, SKOS.notation))
              for t in mapped}
    assert labels.get(label) == code


def test_every_mapping_target_is_a_concept(ontology: Graph, vocab: Graph) -> None:
    schemes = {URIRef(str(ns).rstrip("/")) for ns in (ACLED, ACLED_ACTOR, CAMEO)}
    targets = {t for prop in MATCHES for t in ontology.objects(None, prop)}
    assert len(targets) > 40
    for target in targets:
        assert (target, RDF.type, SKOS.Concept) in vocab, target
        assert vocab.value(target, SKOS.inScheme) in schemes, target
        assert vocab.value(target, SKOS.prefLabel) is not None, target
        assert vocab.value(target, SKOS.definition) is not None, target


def test_acled_schemes(vocab: Graph) -> None:
    event_types = set(vocab.objects(URIRef(str(ACLED).rstrip("/")), SKOS.hasTopConcept))
    assert {str(vocab.value(c, SKOS.prefLabel)) for c in event_types} == {
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
        "Riots", "Strategic developments",
    }
    subs = {c for c in vocab.subjects(SKOS.inScheme, URIRef(str(ACLED).rstrip("/")))}
    assert len(subs - event_types) == 25  # ACLED's sub-event types
    for concept in subs - event_types:
        (broader,) = vocab.objects(concept, SKOS.broader)
        assert broader in event_types
        assert (broader, SKOS.narrower, concept) in vocab
    categories = vocab.subjects(SKOS.inScheme, URIRef(str(ACLED_ACTOR).rstrip("/")))
    assert sorted(str(vocab.value(c, SKOS.notation)) for c in categories) == list("12345678")


def test_cameo_codes_sit_under_their_roots(vocab: Graph) -> None:
    scheme = URIRef(str(CAMEO).rstrip("/"))
    roots = set(vocab.objects(scheme, SKOS.hasTopConcept))
    for code in vocab.subjects(SKOS.inScheme, scheme):
        notation = str(vocab.value(code, SKOS.notation))
        assert code == CAMEO[notation]
        if len(notation) == 2:
            assert code in roots
            continue
        parent = vocab.value(code, SKOS.broader)
        assert parent == CAMEO[notation[:-1]] or parent == CAMEO[notation[:2]], code
        while parent not in roots:
            parent = vocab.value(parent, SKOS.broader)
        assert parent == CAMEO[notation[:2]]


def _subclasses(ontology: Graph, root: URIRef) -> set[URIRef]:
    return {c for c in ontology.subjects(RDF.type, OWL.Class)
            if isinstance(c, URIRef) and root in _superclasses(ontology, c)}


def test_shapes_list_every_kind_class(ontology: Graph) -> None:
    """The kind lists of the shapes follow the ontology's hierarchy."""
    shapes = Graph().parse(SHAPES, format="turtle")
    kgsh = Namespace("https://w3id.org/kgbuild/shapes#")
    events = _subclasses(ontology, KG.Event)
    assert len(events) == 39
    assert set(shapes.objects(kgsh.EventKindShape, SH.targetClass)) == events
    listed = shapes.value(shapes.value(kgsh["Event-kind"], SH.qualifiedValueShape), SH["in"])
    assert set(shapes.items(listed)) == events
    actors = _subclasses(ontology, KG.Actor)
    assert set(shapes.objects(kgsh.ActorKindShape, SH.targetClass)) == actors
    places = _subclasses(ontology, KG.Place)
    assert set(shapes.objects(kgsh.PlaceKindShape, SH.targetClass)) == places
