"""The ontology's terms as closed namespaces, plus the standard prefixes.

Every IRI the RDF stage writes comes from here: a misspelt term raises
``AttributeError`` at import time of the caller instead of silently minting a
new IRI (``_fail = True``).  Only :mod:`kgbuild.graph.rdf`, :mod:`kgbuild.query` and
the modules after them import this file.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "GAF",
    "GEO",
    "ITSRDF",
    "KG",
    "KGR",
    "NIF",
    "ONTOLOGY_IRI",
    "ORG",
    "OUTCOME",
    "PREFIXES",
    "PROV",
    "QUALIFIER",
    "SCHEMA",
    "SEM",
    "STANCE",
    "TIME",
    "WD",
    "WGS84",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/kgbuild/ontology")


class KG(DefinedNamespace):
    """Classes and properties of the kgbuild ontology (``ontology/kgbuild.ttl``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kgbuild/ontology#")

    # --- documents and evidence
    Article: URIRef
    Mention: URIRef
    Source: URIRef
    fileName: URIRef
    contentHash: URIRef
    # --- actors
    Actor: URIRef
    Country: URIRef
    GovernmentBody: URIRef
    ArmedForce: URIRef
    Person: URIRef
    InternationalOrganization: URIRef
    Organization: URIRef
    PopulationGroup: URIRef
    # ACLED actor categories (subclasses of the kinds above)
    StateForce: URIRef
    PoliceForce: URIRef
    NonStateArmedGroup: URIRef
    RebelGroup: URIRef
    PoliticalMilitia: URIRef
    IdentityMilitia: URIRef
    UnidentifiedArmedGroup: URIRef
    ExternalForce: URIRef
    Civilians: URIRef
    Protesters: URIRef
    Rioters: URIRef
    MonitoringMission: URIRef
    country: URIRef  # actor -> the country it belongs to
    demonym: URIRef  # country -> adjective / people name (KB data)
    # --- places
    Place: URIRef
    Region: URIRef
    Settlement: URIRef
    Route: URIRef
    Landform: URIRef
    Area: URIRef
    Facility: URIRef
    within: URIRef
    connects: URIRef
    # --- events
    Event: URIRef
    MilitaryOperation: URIRef
    Attack: URIRef
    Airstrike: URIRef
    Mobilization: URIRef
    CeasefireViolation: URIRef
    TerritorialCapture: URIRef
    Destruction: URIRef
    Deployment: URIRef
    War: URIRef
    # ACLED event types and sub-event types
    Battle: URIRef
    ArmedClash: URIRef
    GovernmentRegainsTerritory: URIRef
    NonStateActorOvertakesTerritory: URIRef
    ExplosionRemoteViolence: URIRef
    AirDroneStrike: URIRef
    ShellingArtilleryMissileAttack: URIRef
    RemoteExplosiveLandmineIED: URIRef
    GrenadeAttack: URIRef
    SuicideBombing: URIRef
    ChemicalWeaponAttack: URIRef
    ViolenceAgainstCivilians: URIRef
    AttackOnCivilians: URIRef
    AbductionForcedDisappearance: URIRef
    SexualViolence: URIRef
    Protest: URIRef
    PeacefulProtest: URIRef
    ProtestWithIntervention: URIRef
    ExcessiveForceAgainstProtesters: URIRef
    Riot: URIRef
    ViolentDemonstration: URIRef
    MobViolence: URIRef
    StrategicDevelopment: URIRef
    Arrest: URIRef
    AgreementSigning: URIRef
    LootingPropertyDestruction: URIRef
    DisruptedWeaponsUse: URIRef
    BaseEstablished: URIRef
    NonViolentTransferOfTerritory: URIRef
    OtherDevelopment: URIRef
    agent: URIRef
    target: URIRef
    place: URIRef
    timeText: URIRef
    date: URIRef
    name: URIRef
    trigger: URIRef
    respondsTo: URIRef
    violates: URIRef
    # --- statements and claims
    Statement: URIRef
    CasualtyClaim: URIRef
    Stance: URIRef
    Outcome: URIRef
    Qualifier: URIRef
    speaker: URIRef
    stance: URIRef
    addressee: URIRef
    quote: URIRef
    about: URIRef
    reportingVerb: URIRef
    source: URIRef
    victim: URIRef
    outcome: URIRef
    count: URIRef
    countText: URIRef
    qualifier: URIRef
    victimGroup: URIRef
    victimSide: URIRef
    # --- conflicts between claims
    Contradiction: URIRef
    claimA: URIRef
    claimB: URIRef
    topic: URIRef
    contradicts: URIRef
    # --- agreements
    Agreement: URIRef
    broker: URIRef
    party: URIRef
    provides: URIRef
    signingPlace: URIRef
    provision: URIRef
    # --- roles
    Post: URIRef
    roleTitle: URIRef
    # --- provenance shortcuts
    evidence: URIRef
    article: URIRef
    extractor: URIRef


class STANCE(DefinedNamespace):
    """Speech-act stances of statements (a SKOS concept scheme)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kgbuild/vocab/stance/")

    Claim: URIRef
    Denial: URIRef
    Confirmation: URIRef
    Accusation: URIRef
    Appeal: URIRef
    Warning: URIRef


class OUTCOME(DefinedNamespace):
    """Casualty outcomes (a SKOS concept scheme)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kgbuild/vocab/outcome/")
    _extras = ["killed", "injured", "killed-or-injured"]


class QUALIFIER(DefinedNamespace):
    """How a casualty count is qualified (a SKOS concept scheme)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kgbuild/vocab/qualifier/")
    _extras = ["exact", "at-least", "at-most", "approximate", "several", "none"]


KGR = Namespace("https://w3id.org/kgbuild/id/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
GAF = Namespace("http://groundedannotationframework.org/gaf#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = Namespace("http://www.wikidata.org/entity/")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "kgr": str(KGR),
    "stance": str(STANCE._NS),
    "outcome": str(OUTCOME._NS),
    "qualifier": str(QUALIFIER._NS),
    "sem": str(SEM),
    "gaf": str(GAF),
    "nif": str(NIF),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "geo": str(GEO),
    "wgs84": str(WGS84),
    "wd": str(WD),
    "itsrdf": str(ITSRDF),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
