"""Score kgbuild on the world corpus: short conflict reports from every continent.

Usage (from the repository root)::

    PYTHONPATH=src python tests/world/score.py                 # build all, print the tables
    PYTHONPATH=src python tests/world/score.py --only ml-001 sd-001
    PYTHONPATH=src python tests/world/score.py --json          # the figures as JSON
    PYTHONPATH=src python tests/world/score.py --stats         # corpus counts only, no build
    PYTHONPATH=src python tests/world/score.py --misses events # what was missed, with the text

Every report of ``tests/world/reports.jsonl`` is written as one article (``<id>.txt``, and
``<id>.meta.json`` with ``published`` when the report has a date), all are built in one
``kgbuild.build`` call, and the graph is read only through SPARQL: the shipped queries
(events, provenance, casualties, agreements) plus the scorer's own queries for what each
article mentions (every node with a mention in it, its labels and its types), ``kg:within``
links, and the places and provisions linked from agreements.

Why the scorer reads types through the ontology: an extractor may type a node with a
subclass of what the corpus expects (a ``PoliceForce`` where ``StateForce`` is expected,
or ``ArmedClash`` where only the event type ``Battle`` is checked), and that is right. The
types of each node are closed upwards with ``rdfs:subClassOf`` from ``ontology/kgbuild.ttl``
before they are compared.

Categories (recall unless said otherwise):

- places: the expected place is named by some node mentioned in that article;
  place_kind: one of those nodes has the expected kind; within: one of them is
  ``kg:within`` a node named as the expected container.
- actors / actor_category: the same for actors and their class.
- events: ``strict`` an event of the expected class in that article; ``loose`` an event
  of a class of the same ACLED event type (Battles, Explosions/Remote violence, ...);
  ``yardstick`` an event whose class name holds a stem of the blind test's kind table
  (the measure of ``acled_score.py``, which also credits today's classes such as
  ``Attack``); ``any`` some event at all.
- slots (agent, target, place, date): on the best event found (strict, loose or
  yardstick) for each expected event, over all expected events that give the slot. For an
  armed clash both sides count in either slot. A place counts when the event's place
  names the expected place or the place the corpus says it lies in.
- casualties: a claim with the expected outcome and count (``count: null`` accepts any
  count; outcome ``any`` accepts killed, injured or killed-or-injured); victim: of those,
  the claim's victim names the expected side. remarks: counts in ``casualties_absent``
  (coders' remarks such as "fatalities coded as 10") that no claim reports.
- agreements: found (an agreement in the article), and its date, parties, broker,
  signing place, and provision (any ``kg:provides`` link).
- calm_violent: the share of calm reports whose graph holds a violent event (lower is
  better); calm_capture: the share of calm reports that expect no change of control of
  territory but whose graph holds a capture (lower is better).

Names match leniently: case, accents, punctuation, hyphens, "the", a leading "a"/"an" and
the possessive are ignored, and one name must contain the other as whole words. A graph
label that is shorter than the expected name must hold at least one word that is not
generic ("army", "forces", "region", ...): "army" does not name "Malian army". For actors,
a demonym or alias names its country ("Malian troops" is named by "Armed Forces of Mali").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "reports.jsonl"
FLOORS = HERE / "floors.json"

# --- the vocabulary the corpus uses ------------------------------------------------------

#: ACLED sub-event class -> ACLED event type class (the local names the extractors emit).
SUB_EVENT_TYPE: dict[str, str] = {
    "ArmedClash": "Battle",
    "GovernmentRegainsTerritory": "Battle",
    "NonStateActorOvertakesTerritory": "Battle",
    "AirDroneStrike": "ExplosionRemoteViolence",
    "ShellingArtilleryMissileAttack": "ExplosionRemoteViolence",
    "RemoteExplosiveLandmineIED": "ExplosionRemoteViolence",
    "GrenadeAttack": "ExplosionRemoteViolence",
    "SuicideBombing": "ExplosionRemoteViolence",
    "ChemicalWeaponAttack": "ExplosionRemoteViolence",
    "AttackOnCivilians": "ViolenceAgainstCivilians",
    "AbductionForcedDisappearance": "ViolenceAgainstCivilians",
    "SexualViolence": "ViolenceAgainstCivilians",
    "PeacefulProtest": "Protest",
    "ProtestWithIntervention": "Protest",
    "ExcessiveForceAgainstProtesters": "Protest",
    "ViolentDemonstration": "Riot",
    "MobViolence": "Riot",
    "Arrest": "StrategicDevelopment",
    "AgreementSigning": "StrategicDevelopment",
    "LootingPropertyDestruction": "StrategicDevelopment",
    "DisruptedWeaponsUse": "StrategicDevelopment",
    "BaseEstablished": "StrategicDevelopment",
    "NonViolentTransferOfTerritory": "StrategicDevelopment",
}
SUB_EVENTS = tuple(SUB_EVENT_TYPE)
#: Spellings of the event-type classes that count as the same group (singular or plural).
EVENT_TYPE_NAMES: dict[str, set[str]] = {
    "Battle": {"battle", "battles"},
    "ExplosionRemoteViolence": {"explosionremoteviolence", "explosionsremoteviolence"},
    "ViolenceAgainstCivilians": {"violenceagainstcivilians"},
    "Protest": {"protest", "protests"},
    "Riot": {"riot", "riots"},
    "StrategicDevelopment": {"strategicdevelopment", "strategicdevelopments"},
}
#: Stems of the blind test's yardstick: an event kind whose local name holds one of them
#: fits the sub-event type (it credits today's classes, e.g. Attack or Airstrike).
YARDSTICK_STEMS: dict[str, tuple[str, ...]] = {
    "ArmedClash": ("attack", "militaryoperation", "ceasefireviolation", "clash", "battle", "fight"),
    "GovernmentRegainsTerritory": ("territor", "militaryoperation", "capture", "regain"),
    "NonStateActorOvertakesTerritory": ("territor", "militaryoperation", "capture", "overtake"),
    "AirDroneStrike": ("airstrike", "attack", "strike", "drone"),
    "ShellingArtilleryMissileAttack": ("attack", "shelling", "ceasefireviolation",
                                       "militaryoperation", "strike"),
    "RemoteExplosiveLandmineIED": ("attack", "explosi", "bomb", "destruction", "blast", "mine",
                                   "ied"),
    "GrenadeAttack": ("attack", "explosi", "bomb", "grenade"),
    "SuicideBombing": ("attack", "explosi", "bomb", "suicide"),
    "ChemicalWeaponAttack": ("attack", "chemical"),
    "AttackOnCivilians": ("attack", "assault", "killing", "murder", "shooting"),
    "AbductionForcedDisappearance": ("abduction", "kidnap", "disappear", "detention"),
    "SexualViolence": ("sexual", "rape"),
    "PeacefulProtest": ("protest", "demonstration"),
    "ProtestWithIntervention": ("protest", "demonstration"),
    "ExcessiveForceAgainstProtesters": ("protest", "excessiveforce", "attack"),
    "ViolentDemonstration": ("riot", "violentdemonstration"),
    "MobViolence": ("riot", "mob"),
    "Arrest": ("arrest", "detention"),
    "AgreementSigning": ("agreement",),
    "LootingPropertyDestruction": ("loot", "destruction"),
    "DisruptedWeaponsUse": ("disrupt", "intercept", "shootdown", "attack", "destruction",
                            "airstrike"),
    "BaseEstablished": ("base", "headquarter", "deployment"),
    "NonViolentTransferOfTerritory": ("transfer", "territor"),
}
#: An event with one of these classes (after closure) is violent. The event-type classes
#: and violent sub-event classes of the new model, plus today's violent classes. A capture
#: of territory is not violent in itself (a non-violent transfer is one); see CAPTURE.
VIOLENT_CLASSES: frozenset[str] = frozenset(
    {"battle", "battles", "explosionremoteviolence", "explosionsremoteviolence",
     "violenceagainstcivilians", "riot", "riots", "attack", "airstrike", "militaryoperation",
     "war", "ceasefireviolation"}
    | {k.lower() for k, v in SUB_EVENT_TYPE.items()
       if v in ("Battle", "ExplosionRemoteViolence", "ViolenceAgainstCivilians", "Riot")}
    | {"excessiveforceagainstprotesters"}
)
#: Classes of a change of control of territory; on a calm report that expects none, an event
#: of one of them is a false capture ("took over a toll booth").
CAPTURE_CLASSES: frozenset[str] = frozenset(
    {"territorialcapture", "governmentregainsterritory", "nonstateactorovertakesterritory"})
TERRITORY_KINDS = ("GovernmentRegainsTerritory", "NonStateActorOvertakesTerritory",
                   "NonViolentTransferOfTerritory")
PLACE_KINDS = ("Settlement", "Region", "Country", "Route", "Landform", "Area", "Facility")
ACTOR_CATEGORIES = ("NonStateArmedGroup", "StateForce", "PoliceForce", "Civilians", "Protesters",
                    "Rioters", "UnidentifiedArmedGroup", "Country", "GovernmentBody", "Person",
                    "InternationalOrganization", "MonitoringMission", "Organization",
                    "ExternalForce")
CONTINENTS = ("AF", "AS", "EU", "NA", "SA", "OC")
STYLES = ("acled", "ucdp", "wire")
OUTCOMES = ("killed", "injured", "any")
SLOTS = ("agent", "target", "place", "date")

# --- names --------------------------------------------------------------------------------

#: Words that alone do not name anyone or anywhere.
_GENERIC_WORDS = (
    "forces force troops troop army armed military soldiers soldier police policemen officers "
    "officer security group groups fighters fighter militants militant men man people government "
    "state states region province district village town city national federal of and unit units "
    "personnel members member regional county department governorate municipality territory "
    "division local authorities service services special ministry guards guard regime junta "
    "republic democratic"
)
GENERIC = frozenset(_GENERIC_WORDS.split())
#: Country -> other names a text uses for it (demonyms, short forms); used for actors.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "afghanistan": ("afghan",), "angola": ("angolan",), "argentina": ("argentine", "argentinian"),
    "australia": ("australian",), "bangladesh": ("bangladeshi",), "belarus": ("belarusian",),
    "benin": ("beninese",), "bolivia": ("bolivian",), "bosnia": ("bosnian",),
    "brazil": ("brazilian",), "burkina faso": ("burkinabe", "burkinabè"), "burundi": ("burundian",),
    "cambodia": ("cambodian",), "cameroon": ("cameroonian",), "canada": ("canadian",),
    "central african republic": ("central african",), "chad": ("chadian",),
    "chile": ("chilean",), "china": ("chinese",), "colombia": ("colombian",),
    "democratic republic of congo": ("democratic republic of the congo", "congolese", "drc",
                                     "dr congo", "fardc"),
    "cote d ivoire": ("ivorian", "ivory coast"), "cuba": ("cuban",), "ecuador": ("ecuadorian",),
    "egypt": ("egyptian",), "el salvador": ("salvadoran", "salvadorean"),
    "eritrea": ("eritrean",), "eswatini": ("swazi",), "ethiopia": ("ethiopian",),
    "fiji": ("fijian",), "france": ("french",), "georgia": ("georgian",), "germany": ("german",),
    "ghana": ("ghanaian",), "greece": ("greek",), "guatemala": ("guatemalan",),
    "guinea": ("guinean",), "haiti": ("haitian",), "honduras": ("honduran",),
    "india": ("indian",), "indonesia": ("indonesian",), "iran": ("iranian",), "iraq": ("iraqi",),
    "ireland": ("irish",), "israel": ("israeli",), "jamaica": ("jamaican",),
    "kazakhstan": ("kazakh",), "kenya": ("kenyan",), "kosovo": ("kosovar",),
    "kyrgyzstan": ("kyrgyz",), "lebanon": ("lebanese",), "libya": ("libyan",),
    "madagascar": ("malagasy",), "malawi": ("malawian",), "malaysia": ("malaysian",),
    "mali": ("malian",), "mexico": ("mexican",), "mongolia": ("mongolian",),
    "montenegro": ("montenegrin",), "morocco": ("moroccan",), "mozambique": ("mozambican",),
    "myanmar": ("burmese",), "nepal": ("nepali", "nepalese"), "netherlands": ("dutch",),
    "new zealand": ("new zealander",), "nicaragua": ("nicaraguan",), "niger": ("nigerien",),
    "nigeria": ("nigerian",), "north korea": ("north korean",), "norway": ("norwegian",),
    "pakistan": ("pakistani",), "palestine": ("palestinian",), "panama": ("panamanian",),
    "papua new guinea": ("papua new guinean", "png"), "paraguay": ("paraguayan",),
    "peru": ("peruvian",), "philippines": ("philippine", "filipino"), "poland": ("polish",),
    "qatar": ("qatari",), "russia": ("russian",), "rwanda": ("rwandan",),
    "samoa": ("samoan",), "saudi arabia": ("saudi",), "senegal": ("senegalese",),
    "serbia": ("serbian", "serb"), "sierra leone": ("sierra leonean",),
    "solomon islands": ("solomon islander",), "somalia": ("somali",),
    "south africa": ("south african",), "south korea": ("south korean",),
    "south sudan": ("south sudanese",), "spain": ("spanish",), "sri lanka": ("sri lankan",),
    "sudan": ("sudanese",), "sweden": ("swedish",), "syria": ("syrian",),
    "tajikistan": ("tajik",), "tanzania": ("tanzanian",), "thailand": ("thai",),
    "togo": ("togolese",), "tonga": ("tongan",), "tunisia": ("tunisian",),
    "turkey": ("turkish", "turkiye"), "uganda": ("ugandan",),
    "united arab emirates": ("emirati", "uae"), "united kingdom": ("british", "uk", "britain"),
    "united states": ("american", "us", "usa", "u s"), "uzbekistan": ("uzbek",),
    "vanuatu": ("ni vanuatu",), "venezuela": ("venezuelan",), "yemen": ("yemeni",),
    "zambia": ("zambian",), "zimbabwe": ("zimbabwean",),
}


def norm(name: Any) -> str:
    """Normalise a name for comparison: accents, case, punctuation, "the", possessive.

    >>> norm("The People's Defence Force")
    'people defence force'
    >>> norm("Ménaka  region")
    'menaka region'
    >>> norm("a mob")
    'mob'
    """
    if name is None:
        return ""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("\u2019", "'").replace("\u2018", "'").casefold()
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[\-\u2010-\u2015_/]", " ", s)
    s = re.sub(r"[^\w\s]", " ", s)
    words = [w for w in s.split() if w != "the"]
    if words and words[0] in ("a", "an"):
        words = words[1:]
    return " ".join(words)


def _contains(big: str, small: str) -> bool:
    return f" {small} " in f" {big} "


def _alias_map() -> list[tuple[str, str]]:
    """(alias, country token) pairs, longest alias first; a country of several words is one
    token, so that "Sudan" is not a word of "South Sudan"."""
    pairs = []
    for country, aliases in COUNTRY_ALIASES.items():
        token = norm(country).replace(" ", "_")
        for a in (country, *aliases):
            pairs.append((norm(a), token))
    return sorted(pairs, key=lambda p: -len(p[0]))


_ALIASES = _alias_map()


def _countries_named(s: str) -> str:
    """Replace country names, demonyms and short forms by one token per country.

    >>> _countries_named("south sudanese troops")
    'south_sudan troops'
    """
    out = f" {s} "
    for alias, country in _ALIASES:
        out = out.replace(f" {alias} ", f" {country} ")
    return out.strip()


def names_match(expected: str, label: Any, *, actor: bool = False) -> bool:
    """Whether a graph label names what the corpus expects.

    Args:
        expected: the name as the report writes it.
        label: a graph node's label.
        actor: also equate demonyms and aliases with their country, and accept a label
            that holds every distinctive word of the expected name.

    >>> names_match("Gao", "Gao Region")
    True
    >>> names_match("Malian army", "army")
    False
    >>> names_match("Malian troops", "Armed Forces of Mali", actor=True)
    True
    >>> names_match("Malian troops", "Armed Forces of Mali")
    False
    """
    e, lab = norm(expected), norm(label)
    if not e or not lab:
        return False
    if e == lab or _contains(lab, e):
        return True
    if _contains(e, lab) and any(w not in GENERIC for w in lab.split()):
        return True
    if not actor:
        return False
    e2, l2 = _countries_named(e), _countries_named(lab)
    if e2 == l2 or _contains(l2, e2):
        return True
    if _contains(e2, l2) and any(w not in GENERIC for w in l2.split()):
        return True
    core = [w for w in e2.split() if w not in GENERIC]
    return bool(core) and all(_contains(l2, w) for w in core)


def any_match(expected: str | Sequence[str], labels: Iterable[Any], *, actor: bool = False) -> bool:
    """Whether some label names the expected name (or one of its alternatives)."""
    alts = [expected] if isinstance(expected, str) else list(expected)
    labels = list(labels)
    return any(names_match(a, lab, actor=actor) for a in alts for lab in labels)


def as_list(value: Any) -> list[Any]:
    """A value or a list of alternatives, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def local(iri: Any) -> str:
    """The local name of an IRI: after the last '#' or '/'."""
    return re.split(r"[#/]", str(iri or ""))[-1]


# --- the corpus ---------------------------------------------------------------------------


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    """Read the corpus, one JSON object a line.

    Raises:
        SystemExit: with a message naming the line, when a line is not JSON.
    """
    reports = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                reports.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise SystemExit(f"{path}:{n}: not a JSON object ({err}); fix the line") from err
    return reports


def _in_text(name: str, text: str) -> bool:
    return _contains(norm(text), norm(name))


def check_report(r: dict[str, Any]) -> list[str]:
    """The problems of one report (empty when it is well formed).

    Checks the fields, their values against the vocabulary above, and that every expected
    name is written in the text (the corpus expects names as the text writes them).
    """
    rid = r.get("id", "?")
    errs: list[str] = []
    need = {"id": str, "style": str, "country": str, "iso2": str, "continent": str,
            "text": str, "calm": bool, "expect": dict}
    for key, typ in need.items():
        if not isinstance(r.get(key), typ):
            errs.append(f"{rid}: field {key!r} missing or not {typ.__name__}")
    if errs:
        return errs
    if "published" not in r:
        errs.append(f"{rid}: field 'published' missing (use null)")
    elif r["published"] is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", r["published"]):
        errs.append(f"{rid}: published {r['published']!r} is not YYYY-MM-DD")
    if r["style"] not in STYLES:
        errs.append(f"{rid}: style {r['style']!r} not in {STYLES}")
    if r["continent"] not in CONTINENTS:
        errs.append(f"{rid}: continent {r['continent']!r} not in {CONTINENTS}")
    if not re.fullmatch(r"[A-Z]{2}", r["iso2"]):
        errs.append(f"{rid}: iso2 {r['iso2']!r} is not two capitals")
    if not re.fullmatch(r"[a-z0-9]+-\d{3}", rid):
        errs.append(f"{rid}: id should look like 'ml-001'")
    if re.search(r"\b2020\b", r["text"]):
        errs.append(f"{rid}: the corpus avoids the year 2020")
    sentences = len(re.findall(r"[.!?](?:\s|$)", r["text"]))
    if not 1 <= sentences <= 4:
        errs.append(f"{rid}: {sentences} sentences; reports have 1 to 4")
    ex = r["expect"]
    text = r["text"]
    shape = [f"{rid}: expect.{key} missing or not a list"
             for key in ("places", "actors", "events", "casualties")
             if not isinstance(ex.get(key), list)]
    if shape:
        return errs + shape

    def named(value: Any, what: str) -> None:
        alts = as_list(value)
        if not alts or not all(isinstance(a, str) and a for a in alts):
            errs.append(f"{rid}: {what} must be a name or a list of names")
        elif not any(_in_text(a, text) for a in alts):
            errs.append(f"{rid}: {what} {value!r} is not written in the text")

    for p in ex["places"]:
        named(p.get("name"), "place")
        for k in as_list(p.get("kind")) or [None]:
            if k not in PLACE_KINDS:
                errs.append(f"{rid}: place kind {k!r} not in {PLACE_KINDS}")
        if "within" in p:
            named(p["within"], "within")
    for a in ex["actors"]:
        named(a.get("name"), "actor")
        for k in as_list(a.get("category")) or [None]:
            if k not in ACTOR_CATEGORIES:
                errs.append(f"{rid}: actor category {k!r} not in {ACTOR_CATEGORIES}")
    for e in ex["events"]:
        if e.get("kind") not in SUB_EVENT_TYPE:
            errs.append(f"{rid}: event kind {e.get('kind')!r} is not a sub-event class")
        for slot in ("agent", "target", "place"):
            if slot in e:
                named(e[slot], f"event {slot}")
        if "date" in e and not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", str(e["date"])):
            errs.append(f"{rid}: event date {e['date']!r} is not YYYY[-MM[-DD]]")
        if set(e) - {"kind", *SLOTS}:
            errs.append(f"{rid}: unknown event keys {sorted(set(e) - {'kind', *SLOTS})}")
    for c in ex["casualties"]:
        if c.get("outcome") not in OUTCOMES:
            errs.append(f"{rid}: casualty outcome {c.get('outcome')!r} not in {OUTCOMES}")
        if c.get("count") is not None and not isinstance(c["count"], int):
            errs.append(f"{rid}: casualty count {c['count']!r} is not an integer or null")
    for g in ex.get("agreements", []):
        if not g.get("label"):
            errs.append(f"{rid}: agreement without a label")
        for p in g.get("parties", []):
            named(p, "agreement party")
        for key in ("broker", "place"):
            if key in g:
                named(g[key], f"agreement {key}")
        if "date" in g and not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", str(g["date"])):
            errs.append(f"{rid}: agreement date {g['date']!r} is not YYYY[-MM[-DD]]")
    if r["calm"]:
        violent = [e["kind"] for e in ex["events"]
                   if e["kind"].lower() in VIOLENT_CLASSES]
        if violent:
            errs.append(f"{rid}: calm report expects violent events {violent}")
    return errs


def corpus_stats(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of the corpus: reports, countries, per continent, style and sub-event type."""
    by_cont: dict[str, dict[str, Any]] = {}
    for c in CONTINENTS:
        rs = [r for r in reports if r["continent"] == c]
        by_cont[c] = {"reports": len(rs), "countries": len({r["country"] for r in rs}),
                      "calm": sum(r["calm"] for r in rs)}
    sub = Counter(e["kind"] for r in reports for e in r["expect"]["events"])
    return {
        "reports": len(reports),
        "countries": len({r["country"] for r in reports}),
        "calm": sum(r["calm"] for r in reports),
        "styles": dict(Counter(r["style"] for r in reports)),
        "continents": by_cont,
        "sub_events": {k: sub.get(k, 0) for k in SUB_EVENTS},
        "places": sum(len(r["expect"]["places"]) for r in reports),
        "actors": sum(len(r["expect"]["actors"]) for r in reports),
        "casualties": sum(len(r["expect"]["casualties"]) for r in reports),
        "agreements": sum(len(r["expect"].get("agreements", [])) for r in reports),
    }


# --- building and reading the graph -------------------------------------------------------


def write_articles(reports: Sequence[dict[str, Any]], folder: Path) -> None:
    """One ``<id>.txt`` per report; a ``<id>.meta.json`` sidecar with ``published``."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in reports:
        (folder / f"{r['id']}.txt").write_text(r["text"] + "\n", encoding="utf-8")
        if r.get("published"):
            meta = {"published": r["published"]}
            (folder / f"{r['id']}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


def build_graph(reports: Sequence[dict[str, Any]]) -> Any:
    """Build all reports in one ``kgbuild.build`` call and return the KnowledgeGraph."""
    import kgbuild

    with tempfile.TemporaryDirectory(prefix="kg-world-") as tmp:
        folder = Path(tmp) / "articles"
        write_articles(reports, folder)
        return kgbuild.build([folder])


_PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX gaf:  <http://groundedannotationframework.org/gaf#>
PREFIX nif:  <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX kg:   <https://w3id.org/kgbuild/ontology#>
"""
#: Every node with a mention in an article: its names (canonical and alternative: a node
#: labelled "National Liberation Army" with the alias "ELN" names the ELN) and its types.
MENTIONED = _PREFIXES + """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?node ?article ?label ?type WHERE {
  ?node gaf:denotedBy ?m . ?m nif:referenceContext/kg:fileName ?article .
  OPTIONAL { ?node rdfs:label|skos:altLabel ?label }
  OPTIONAL { ?node a ?type }
}"""
#: Places and what they lie in (transitively), by label.
WITHIN = _PREFIXES + """
SELECT DISTINCT ?place ?outer WHERE { ?place kg:within+ ?o . ?o rdfs:label ?outer . }"""
#: Places an agreement is linked to (other than its parties and brokers) and its provisions.
AGREEMENT_LINKS = _PREFIXES + """
SELECT DISTINCT ?agreement ?what ?label WHERE {
  ?agreement a kg:Agreement .
  { ?agreement ?p ?o . ?o a kg:Place . FILTER (?p NOT IN (kg:party, kg:broker))
    OPTIONAL { ?o rdfs:label ?label } BIND ("place" AS ?what) }
  UNION
  { ?agreement kg:provides ?o . OPTIONAL { ?o rdfs:label ?label } BIND ("provision" AS ?what) }
}"""


def ontology_ancestors() -> dict[str, set[str]]:
    """Lower-cased local class name -> itself and every superclass (rdfs:subClassOf*)."""
    from rdflib import Graph
    from rdflib.namespace import RDFS

    from kgbuild.core.resources import data_dir

    g = Graph()
    for path in sorted(data_dir("ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    parents: dict[str, set[str]] = defaultdict(set)
    for sub, sup in g.subject_objects(RDFS.subClassOf):
        parents[local(sub).lower()].add(local(sup).lower())
    closed: dict[str, set[str]] = {}

    def up(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if name in closed:
            return closed[name]
        out = {name}
        for p in parents.get(name, ()):
            if p not in seen:
                out |= up(p, seen | {name})
        closed[name] = out
        return out

    for name in list(parents):
        up(name)
    return closed


@dataclass
class Node:
    """A node mentioned in an article."""

    labels: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)  # lower-cased local names, closed upwards
    raw: set[str] = field(default_factory=set)  # lower-cased local names as written
    within: set[str] = field(default_factory=set)


@dataclass
class Event:
    """An event of an article, with its slots from the shipped events query."""

    iri: str
    types: set[str]
    raw: set[str]
    agent: set[str] = field(default_factory=set)
    target: set[str] = field(default_factory=set)
    place: set[str] = field(default_factory=set)
    time: set[str] = field(default_factory=set)
    in_events_query: bool = False


@dataclass
class Facts:
    """What the graph says about one article."""

    nodes: dict[str, Node] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)


def _q(kg: Any, text: str) -> list[dict[str, Any]]:
    res = kg.query(text, engine="oxigraph", timeout=600)
    if res.truncated:
        raise SystemExit("a scorer query was truncated; raise the row limit")
    return res.to_dicts()


def read_graph(kg: Any) -> dict[str, Facts]:
    """Read a built graph into per-article facts (article id = file name without .txt)."""
    from kgbuild.query import named_query

    ancestors = ontology_ancestors()

    def closure(types: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for t in types:
            out |= ancestors.get(t, {t})
        return out

    def art(name: Any) -> str:
        return str(name).removesuffix(".txt")

    facts: dict[str, Facts] = defaultdict(Facts)
    raw_types: dict[str, set[str]] = defaultdict(set)
    node_articles: dict[str, set[str]] = defaultdict(set)
    for row in _q(kg, MENTIONED):
        iri, a = str(row["node"]), art(row["article"])
        node = facts[a].nodes.setdefault(iri, Node())
        node_articles[iri].add(a)
        if row["label"] is not None:
            node.labels.add(str(row["label"]))
        if row["type"] is not None:
            node.raw.add(local(row["type"]).lower())
            raw_types[iri].add(local(row["type"]).lower())
    for f in facts.values():
        for node in f.nodes.values():
            node.types = closure(node.raw)
    for row in _q(kg, WITHIN):
        for a in node_articles.get(str(row["place"]), ()):
            facts[a].nodes[str(row["place"])].within.add(str(row["outer"]))

    fact_articles: dict[str, set[str]] = defaultdict(set)
    for row in _q(kg, named_query("provenance").read_text(encoding="utf-8")):
        if row.get("article") is not None:
            fact_articles[str(row["fact"])].add(art(row["article"]))

    slots: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _q(kg, named_query("events").read_text(encoding="utf-8")):
        s = slots[str(row["event"])]
        for key in ("agent", "target", "place", "time"):
            if row.get(key) is not None:
                s[key].add(str(row[key]))
    for f in facts.values():
        for iri, node in f.nodes.items():
            if "event" not in node.types:
                continue
            s = slots.get(iri, {})
            f.events.append(Event(iri, node.types, node.raw, set(s.get("agent", ())),
                                  set(s.get("target", ())), set(s.get("place", ())),
                                  set(s.get("time", ())), in_events_query=iri in slots))

    for row in _q(kg, named_query("casualties").read_text(encoding="utf-8")):
        claim = {"outcome": local(row.get("outcome")),
                 "count": None if row.get("count") is None else int(row["count"]),
                 "victim": None if row.get("victim") is None else str(row["victim"])}
        for a in fact_articles.get(str(row["claim"]), ()):
            facts[a].claims.append(claim)

    agreements: dict[str, dict[str, Any]] = {}
    for row in _q(kg, named_query("agreements").read_text(encoding="utf-8")):
        g = agreements.setdefault(str(row["agreement"]), {
            "label": set(), "date": set(), "broker": set(), "party": set(), "place": set(),
            "provision": set()})
        for key in ("label", "date", "broker", "party"):
            if row.get(key) is not None:
                g[key].add(str(row[key]))
    for row in _q(kg, AGREEMENT_LINKS):
        g = agreements.get(str(row["agreement"]))
        if g is not None:
            g[str(row["what"])].add(str(row["label"] or ""))
    for iri, g in agreements.items():
        for a in fact_articles.get(iri, ()):
            facts[a].agreements.append(g)
    return dict(facts)


# --- scoring ------------------------------------------------------------------------------


class Tally:
    """Hits over trials, per category, overall and by group."""

    def __init__(self) -> None:
        self.hit: Counter[str] = Counter()
        self.n: Counter[str] = Counter()

    def add(self, key: str, ok: bool) -> None:
        self.n[key] += 1
        self.hit[key] += bool(ok)

    def rate(self, key: str) -> float | None:
        return round(self.hit[key] / self.n[key], 3) if self.n[key] else None

    def as_dict(self, keys: Sequence[str]) -> dict[str, Any]:
        return {k: self.rate(k) for k in keys} | {f"n_{k}": self.n[k] for k in keys}


CATEGORIES = ("places", "place_kind", "within", "actors", "actor_category",
              "events_strict", "events_loose", "events_yardstick", "events_any",
              "agent", "target", "place", "date", "casualties", "victim", "remarks",
              "agreements", "agreement_date", "agreement_parties", "agreement_broker",
              "agreement_place", "agreement_provision")
SUB_KEYS = ("events_strict", "events_loose", "events_yardstick", "events_any",
            "agent", "target", "place", "date")


def _kind_fits(event: Event, kind: str) -> tuple[bool, bool, bool]:
    """(strict, loose, yardstick) fit of an event for an expected sub-event class."""
    strict = kind.lower() in event.types
    group = SUB_EVENT_TYPE[kind]
    siblings = {k.lower() for k, v in SUB_EVENT_TYPE.items() if v == group}
    loose = strict or bool(event.types & (siblings | EVENT_TYPE_NAMES[group]))
    names = event.raw | event.types
    yard = any(stem in t for t in names for stem in YARDSTICK_STEMS[kind])
    return strict, loose, yard


def _date_ok(expected: str, times: Iterable[str]) -> bool:
    return any(str(t).startswith(expected) for t in times)


def _slot_hits(e: dict[str, Any], places: list[str], ev: Event) -> dict[str, bool]:
    """Which of the expected event's slots the graph event fills rightly.

    ``places`` are the expected place names plus the places they lie in. In an armed
    clash both sides act, so either side may fill the agent or the target.
    """
    sides = ev.agent | ev.target
    clash = e["kind"] == "ArmedClash"
    out = {}
    if "agent" in e:
        out["agent"] = any_match(e["agent"], sides if clash else ev.agent, actor=True)
    if "target" in e:
        out["target"] = any_match(e["target"], sides if clash else ev.target, actor=True)
    if "place" in e:
        out["place"] = any_match(places, ev.place)
    if "date" in e:
        out["date"] = _date_ok(str(e["date"]), ev.time)
    return out


def _claim_fits(expected: dict[str, Any], claim: dict[str, Any]) -> bool:
    """A casualty claim with the expected outcome and count (null: any count)."""
    if expected["outcome"] != "any" and claim["outcome"] != expected["outcome"]:
        return False
    return expected["count"] is None or claim["count"] == expected["count"]


def score(reports: Sequence[dict[str, Any]], facts: dict[str, Facts]) -> dict[str, Any]:
    """Score the facts read from the graph against the corpus.

    Returns:
        ``{"overall": {...}, "continents": {...}, "sub_events": {...}, "calm": {...},
        "misses": {category: [...]}, "events_not_in_events_query": n}``.
    """
    total, by_cont, by_sub = Tally(), defaultdict(Tally), defaultdict(Tally)
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    calm_n = calm_violent = calm_capture = 0
    not_in_query = 0

    def add(r: dict[str, Any], key: str, ok: bool, item: Any = None, had: Any = None,
            sub: str | None = None) -> None:
        total.add(key, ok)
        by_cont[r["continent"]].add(key, ok)
        if sub:
            by_sub[sub].add(key, ok)
        if not ok:
            misses[key].append({"id": r["id"], "expected": item, "graph": had, "text": r["text"]})

    for r in reports:
        f = facts.get(r["id"], Facts())
        ex = r["expect"]
        nodes = list(f.nodes.values())
        within_of: dict[str, list[str]] = {}
        for p in ex["places"]:
            hits = [n for n in nodes if any_match(p["name"], n.labels)]
            add(r, "places", bool(hits), p, sorted({lab for n in nodes for lab in n.labels}))
            if hits:
                kinds = [k.lower() for k in as_list(p["kind"])]
                add(r, "place_kind", any(set(kinds) & n.types for n in hits), p,
                    sorted({t for n in hits for t in n.raw}))
            if "within" in p:
                within_of[norm(p["name"])] = [p["within"]]
                add(r, "within", any(any_match(p["within"], n.within) for n in hits), p,
                    sorted({w for n in hits for w in n.within}))
        for a in ex["actors"]:
            hits = [n for n in nodes if any_match(a["name"], n.labels, actor=True)]
            add(r, "actors", bool(hits), a, sorted({lab for n in nodes for lab in n.labels}))
            if hits:
                cats = {k.lower() for k in as_list(a["category"])}
                add(r, "actor_category", any(cats & n.types for n in hits), a,
                    sorted({t for n in hits for t in n.raw}))

        used: set[str] = set()
        for e in ex["events"]:
            kind = e["kind"]
            fits = {ev.iri: _kind_fits(ev, kind) for ev in f.events}
            cands = [ev for ev in f.events if any(fits[ev.iri])]
            had = sorted({t for ev in f.events for t in ev.raw if t != "event"})
            add(r, "events_strict", any(fits[ev.iri][0] for ev in cands), e, had, kind)
            add(r, "events_loose", any(fits[ev.iri][1] for ev in cands), e, had, kind)
            add(r, "events_yardstick", any(fits[ev.iri][2] for ev in cands), e, had, kind)
            add(r, "events_any", bool(f.events), e, had, kind)
            places = as_list(e.get("place"))
            for p in list(places):
                places += within_of.get(norm(p), [])

            best: Event | None = None
            if cands:
                best = max(cands, key=lambda ev: (
                    ev.iri not in used, fits[ev.iri], sum(_slot_hits(e, places, ev).values())))
                used.add(best.iri)
                not_in_query += not best.in_events_query
            got = _slot_hits(e, places, best) if best else {}
            for slot in SLOTS:
                if slot in e:
                    seen = None
                    if best is not None:
                        seen = sorted(best.time if slot == "date" else getattr(best, slot))
                    add(r, slot, got.get(slot, False), e, seen, kind)

        for c in ex["casualties"]:
            hits = [cl for cl in f.claims if _claim_fits(c, cl)]
            add(r, "casualties", bool(hits), c, f.claims)
            if hits and c.get("victim"):
                add(r, "victim", any(any_match(c["victim"], [cl["victim"]], actor=True)
                                     for cl in hits if cl["victim"]), c, hits)
        for count in ex.get("casualties_absent", []):
            bad = [cl for cl in f.claims if cl["count"] == count]
            add(r, "remarks", not bad, {"count": count}, bad)

        for g in ex.get("agreements", []):
            found = f.agreements
            add(r, "agreements", bool(found), g, None)
            if "date" in g:
                add(r, "agreement_date", any(_date_ok(g["date"], a["date"]) for a in found), g,
                    [sorted(a["date"]) for a in found])
            for p in g.get("parties", []):
                add(r, "agreement_parties",
                    any(any_match(p, a["party"], actor=True) for a in found), p,
                    [sorted(a["party"]) for a in found])
            if "broker" in g:
                add(r, "agreement_broker",
                    any(any_match(g["broker"], a["broker"], actor=True) for a in found), g,
                    [sorted(a["broker"]) for a in found])
            if "place" in g:
                add(r, "agreement_place", any(any_match(g["place"], a["place"]) for a in found),
                    g, [sorted(a["place"]) for a in found])
            if "provision" in g:
                add(r, "agreement_provision", any(a["provision"] for a in found), g,
                    [sorted(a["provision"]) for a in found])

        if r["calm"]:
            calm_n += 1
            violent = sorted({t for ev in f.events for t in ev.raw if t in VIOLENT_CLASSES}
                             | {t for ev in f.events for t in ev.types if t in VIOLENT_CLASSES})
            if violent:
                calm_violent += 1
                misses["calm"].append({"id": r["id"], "expected": "no violent event",
                                       "graph": violent, "text": r["text"]})
            if not any(e["kind"] in TERRITORY_KINDS for e in ex["events"]):
                captures = sorted({t for ev in f.events for t in ev.types if t in CAPTURE_CLASSES})
                if captures:
                    calm_capture += 1
                    misses["calm_capture"].append({"id": r["id"], "expected": "no capture",
                                                   "graph": captures, "text": r["text"]})

    return {
        "reports": len(reports),
        "overall": total.as_dict(CATEGORIES),
        "continents": {c: by_cont[c].as_dict(CATEGORIES) for c in CONTINENTS if c in by_cont},
        "sub_events": {k: by_sub[k].as_dict(SUB_KEYS) for k in SUB_EVENTS if k in by_sub},
        "calm": {"reports": calm_n, "with_violent_event": calm_violent,
                 "calm_violent": round(calm_violent / calm_n, 3) if calm_n else None,
                 "with_false_capture": calm_capture,
                 "calm_capture": round(calm_capture / calm_n, 3) if calm_n else None},
        "events_not_in_events_query": not_in_query,
        "misses": dict(misses),
    }


# --- output -------------------------------------------------------------------------------


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:5.2f}"


def format_tables(res: dict[str, Any]) -> str:
    """Readable tables of the figures."""
    o = res["overall"]
    lines = [f"world corpus: {res['reports']} reports", "", "category               recall    n"]
    for k in CATEGORIES:
        lines.append(f"{k:<22} {_fmt(o[k])} {o['n_' + k]:5d}")
    c = res["calm"]
    lines.append(f"{'calm_violent (lower)':<22} {_fmt(c['calm_violent'])} {c['reports']:5d}"
                 f"   ({c['with_violent_event']} calm reports with a violent event)")
    lines.append(f"{'calm_capture (lower)':<22} {_fmt(c['calm_capture'])} {c['reports']:5d}"
                 f"   ({c['with_false_capture']} calm reports with a capture of territory)")
    lines.append(f"best events missing from queries/events.rq: {res['events_not_in_events_query']}")
    cols = ("places", "place_kind", "actors", "actor_category", "events_loose", "events_strict",
            "agent", "target", "place", "date", "casualties")
    short = ("plc", "pkind", "act", "acat", "ev~", "ev=", "agent", "targ", "place", "date", "cas")
    lines += ["", "per continent   " + " ".join(f"{s:>6}" for s in short)]
    for cont, d in res["continents"].items():
        lines.append(f"{cont:<15} " + " ".join(f"{_fmt(d[k]):>6}" for k in cols))
    short2 = ("n", "strict", "loose", "yard", "any", "agent", "targ", "place", "date")
    lines += ["", f"{'per sub-event type':<32}" + " ".join(f"{s:>6}" for s in short2)]
    for k, d in res["sub_events"].items():
        lines.append(f"{k:<32}{d['n_events_any']:>6} " + " ".join(
            f"{_fmt(d[x]):>6}" for x in SUB_KEYS))
    return "\n".join(lines)


def format_stats(st: dict[str, Any]) -> str:
    """The corpus counts as Markdown (for tests/world/README.md)."""
    lines = [f"{st['reports']} reports from {st['countries']} countries; {st['calm']} calm; "
             f"styles {', '.join(f'{k} {v}' for k, v in sorted(st['styles'].items()))}. "
             f"Expected: {st['places']} places, {st['actors']} actors, "
             f"{sum(st['sub_events'].values())} events, {st['casualties']} casualty figures, "
             f"{st['agreements']} agreements.", "",
             "| continent | reports | countries | calm |", "| --- | --- | --- | --- |"]
    for c, d in st["continents"].items():
        lines.append(f"| {c} | {d['reports']} | {d['countries']} | {d['calm']} |")
    lines += ["", "| sub-event class | ACLED event type | expected events |", "| --- | --- | --- |"]
    for k, n in st["sub_events"].items():
        lines.append(f"| {k} | {SUB_EVENT_TYPE[k]} | {n} |")
    return "\n".join(lines)


def format_misses(res: dict[str, Any], category: str) -> str:
    """The misses of one category, with the report text, for developers."""
    rows = res["misses"].get(category, [])
    out = [f"{len(rows)} misses in {category!r}"]
    for m in rows:
        out += [f"- {m['id']}: expected {json.dumps(m['expected'], ensure_ascii=False)}",
                f"  graph: {json.dumps(m['graph'], ensure_ascii=False, default=str)}",
                f"  text: {m['text']}"]
    return "\n".join(out)


def run(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Build the reports and score them."""
    kg = build_graph(reports)
    return score(reports, read_graph(kg))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the JSONL corpus")
    ap.add_argument("--only", nargs="+", metavar="ID", help="score only these reports")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--stats", action="store_true", help="print corpus counts (no build)")
    ap.add_argument("--misses", metavar="CATEGORY",
                    help=f"list the misses of a category: {', '.join(CATEGORIES)}, calm, "
                         "calm_capture")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: corpus {args.corpus} not found; pass --corpus FILE", file=sys.stderr)
        return 2
    reports = load_corpus(args.corpus)
    problems = [p for r in reports for p in check_report(r)]
    if problems:
        print("error: the corpus is not well formed:\n  " + "\n  ".join(problems[:20]),
              file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - {r["id"] for r in reports})
        if unknown:
            print(f"error: unknown report ids {unknown}; see {args.corpus}", file=sys.stderr)
            return 2
        reports = [r for r in reports if r["id"] in set(args.only)]
    if args.misses and args.misses not in (*CATEGORIES, "calm", "calm_capture"):
        print(f"error: unknown category {args.misses!r}; use one of {', '.join(CATEGORIES)}, "
              "calm, calm_capture", file=sys.stderr)
        return 2
    if args.stats:
        st = corpus_stats(reports)
        print(json.dumps(st, indent=1) if args.json else format_stats(st))
        return 0
    res = run(reports)
    if args.misses:
        print(format_misses(res, args.misses))
    elif args.json:
        print(json.dumps({k: v for k, v in res.items() if k != "misses"}, indent=1))
    else:
        print(format_tables(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
