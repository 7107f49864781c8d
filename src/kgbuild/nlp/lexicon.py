"""Word lists the extractors read: general English news vocabulary, no names.

Everything specific to a place, person or organisation lives in the knowledge
base (``kb/*.ttl``); this module only knows how news prose talks about them.
Keys are lower-case lemmas (or lower-case surface forms where noted).
"""

from __future__ import annotations

__all__ = [
    "AGREEMENT_MODIFIERS",
    "AGREEMENT_NOUNS",
    "AGREEMENT_PHRASES",
    "ANAPHORIC_CLAIM_NOUNS",
    "BODY_HEADS",
    "CASUALTY_ADJECTIVES",
    "CASUALTY_INTRANSITIVE",
    "CASUALTY_NOUNS",
    "CASUALTY_VERBS",
    "CODER_REMARKS",
    "EVENT_NOUNS",
    "EVENT_VERBS",
    "FORCE_HEADS",
    "LIGHT_VERBS",
    "MINISTRY_TYPES",
    "NUMBER_WORDS",
    "PLACE_HEADS",
    "PLACE_OF_HEADS",
    "QUALIFIER_WORDS",
    "REPORTING_VERBS",
    "TITLES",
    "VAGUE_COUNTS",
]

# --- reporting verbs -> stance -----------------------------------------------------------
REPORTING_VERBS: dict[str, str] = {
    **dict.fromkeys(
        [
            "say",
            "said",
            "inform",
            "state",
            "report",
            "announce",
            "claim",
            "add",
            "note",
            "tell",
            "declare",
            "assert",
            "insist",
            "write",
            "explain",
            "maintain",
            "stress",
            "emphasize",
            "emphasise",
            "argue",
            "reiterate",
            "describe",
            "indicate",
            "suggest",
            "publish",
            "disclose",
            "reveal",
        ],
        "Claim",
    ),
    **dict.fromkeys(["deny", "reject", "refute", "dismiss", "disprove"], "Denial"),
    **dict.fromkeys(["confirm", "acknowledge", "admit", "verify"], "Confirmation"),
    **dict.fromkeys(["accuse", "blame", "allege", "condemn", "denounce"], "Accusation"),
    **dict.fromkeys(["urge", "demand", "appeal", "ask", "request", "implore"], "Appeal"),
    **dict.fromkeys(["warn", "threaten", "caution"], "Warning"),
}
# "call on X to", "call for": Appeal only with these particles/prepositions.
CALL_PARTICLES = frozenset({"on", "upon", "for"})
# "declare" is reporting only with a clausal complement (not "declared a mobilization").
NEEDS_CLAUSE = frozenset(
    {
        "declare",
        "add",
        "note",
        "describe",
        "indicate",
        "suggest",
        "publish",
        "disclose",
        "reveal",
        "report",
        "state",
        "write",
    }
)

# Nouns that refer back to something someone said ("rejected the allegations").
ANAPHORIC_CLAIM_NOUNS = frozenset(
    ["allegation", "accusation", "claim", "charge", "report", "statement", "assertion"]
)

# --- events --------------------------------------------------------------------------------
# The event extractor (events.v2) reads its triggers, word lists and classes from
# extractors/rules/event_*.tsv.  The short lists below stay for the extractors that only
# need to tell a common event noun from a name (entities, localnames, casualties).
EVENT_NOUNS: dict[str, str] = {
    "operation": "MilitaryOperation",
    "offensive": "MilitaryOperation",
    "counteroffensive": "MilitaryOperation",
    "counter-offensive": "MilitaryOperation",
    "incursion": "MilitaryOperation",
    "invasion": "MilitaryOperation",
    "attack": "Attack",
    "assault": "Attack",
    "raid": "Attack",
    "ambush": "Attack",
    "shelling": "Attack",
    "bombardment": "Attack",
    "aggression": "Attack",
    "provocation": "Attack",
    "strike": "Attack",
    "clash": "Attack",
    "fighting": "Attack",
    "skirmish": "Attack",
    "firefight": "Attack",
    "airstrike": "Airstrike",
    "air-strike": "Airstrike",
    "bombing": "Airstrike",
    "mobilization": "Mobilization",
    "mobilisation": "Mobilization",
    "violation": "CeasefireViolation",
    "capture": "TerritorialCapture",
    "seizure": "TerritorialCapture",
    "takeover": "TerritorialCapture",
    "destruction": "Destruction",
    "deployment": "Deployment",
    "war": "War",
}
# Modifiers that turn a generic strike/attack into an airstrike.
AIR_MODIFIERS = frozenset(["air", "aerial", "drone", "missile", "rocket"])
# "fire" is an attack only when opened / intensive / heavy ... (not "ceasefire").
FIRE_MODIFIERS = frozenset(["intensive", "heavy", "artillery", "mortar", "sniper", "small-arms"])
EVENT_VERBS: dict[str, str] = {
    "attack": "Attack",
    "strike": "Attack",
    "shell": "Attack",
    "storm": "Attack",
    "ambush": "Attack",
    "bomb": "Airstrike",
    "invade": "MilitaryOperation",
    "seize": "TerritorialCapture",
    "capture": "TerritorialCapture",
    "occupy": "TerritorialCapture",
    "destroy": "Destruction",
    "deploy": "Deployment",
    "mobilize": "Mobilization",
    "mobilise": "Mobilization",
}
# Verbs whose object names the event ("launched an attack", "declared a mobilization").
LIGHT_VERBS = frozenset(
    [
        "launch",
        "conduct",
        "carry",
        "stage",
        "mount",
        "begin",
        "start",
        "declare",
        "open",
        "undertake",
        "initiate",
        "announce",
        "order",
        "wage",
        "press",
        "step",
    ]
)
# Verbs of trying or failing: the event is attempted, kept but not as a separate kind.
ATTEMPT_NOUNS = frozenset({"attempt", "effort", "bid"})

# --- casualties -----------------------------------------------------------------------------
# Verbs of killing and wounding -> outcome.  The victims are the object (active), the
# subject (passive, or an intransitive verb of CASUALTY_INTRANSITIVE).
CASUALTY_VERBS: dict[str, str] = {
    "kill": "killed",
    "slay": "killed",
    "murder": "killed",
    "assassinate": "killed",
    "behead": "killed",
    "massacre": "killed",
    "lynch": "killed",
    "die": "killed",
    "perish": "killed",
    "neutralise": "killed",
    "neutralize": "killed",
    "wound": "injured",
    "stab": "injured",
    "injure": "injured",
    "hurt": "injured",
    "maim": "injured",
}
# Casualty verbs whose subject is the victim ("30 soldiers died").
CASUALTY_INTRANSITIVE = frozenset({"die", "perish"})
# Nouns that are a casualty figure when counted ("14 fatalities", "the deaths of two
# soldiers", "12 bodies were found", "no casualties") -> outcome.
CASUALTY_NOUNS: dict[str, str] = {
    "death": "killed",
    "dead": "killed",
    "fatality": "killed",
    "killing": "killed",
    "body": "killed",
    "corpse": "killed",
    "injury": "injured",
    "injured": "injured",
    "wounded": "injured",
    "casualty": "killed-or-injured",
    "loss": "killed-or-injured",
}
# Nouns of CASUALTY_NOUNS that count only with a number or a negation ("heavy losses",
# "the body" are no figure; "12 bodies", "no losses" are).
CASUALTY_NOUNS_COUNTED_ONLY = frozenset({"loss", "body", "corpse", "killing"})
# Adjectives that state an outcome of counted people: "five dead", "left three people
# dead", "were shot dead", "two are confirmed dead", "7 others injured".
CASUALTY_ADJECTIVES: dict[str, str] = {
    "dead": "killed",
    "injured": "injured",
    "wounded": "injured",
    "hurt": "injured",
}
# "lost their lives", "claimed the lives of 12 people", "12 lives were lost".
LIFE_NOUNS = frozenset({"life", "lives"})
LIFE_VERBS = frozenset({"lose", "claim", "take", "cost"})
# "the death toll rose to 40": the noun of a running total and the modifiers that say
# what it counts (a bare "toll" counts the dead).
TOLL_NOUNS = frozenset({"toll", "tally"})
TOLL_MODIFIERS: dict[str, str] = {
    "death": "killed",
    "casualty": "killed-or-injured",
    "injury": "injured",
    "fatality": "killed",
}
# Words that say nobody was hurt: "no one was killed", "nobody", "none of them".
NOBODY_WORDS = frozenset({"nobody", "none", "noone", "no-one"})
# Heads of a partitive count ("three of the troops", "dozens of civilians",
# "none of its soldiers"): the victims are the object of "of".
PARTITIVE_HEADS = frozenset(
    {"one", "none", "some", "several", "many", "most", "all", "each", "any", "both", "number"}
)
# Nouns of one person, counted as one victim when singular and definite ("killed the
# commander", "the driver was shot dead"); titles (TITLES) count too.
PERSON_NOUNS = frozenset(
    {
        "man",
        "woman",
        "boy",
        "girl",
        "child",
        "baby",
        "civilian",
        "soldier",
        "officer",
        "policeman",
        "policewoman",
        "journalist",
        "reporter",
        "teacher",
        "student",
        "doctor",
        "nurse",
        "farmer",
        "herder",
        "villager",
        "resident",
        "driver",
        "worker",
        "activist",
        "priest",
        "imam",
        "pastor",
        "militant",
        "fighter",
        "rebel",
        "insurgent",
        "gunman",
        "bomber",
        "guard",
        "councillor",
        "councilor",
        "businessman",
        "trader",
        "shepherd",
        "fisherman",
        "pilot",
        "member",
        "wife",
        "husband",
        "son",
        "daughter",
        "mother",
        "father",
        "brother",
        "sister",
        "cousin",
        "uncle",
        "nephew",
        "niece",
        "relative",
        "chief",
        "official",
        "bystander",
        "passer-by",
        "cadet",
        "ranger",
        "prisoner",
        "inmate",
        "suspect",
        "judge",
        "lawyer",
        "politician",
        "candidate",
        "lawmaker",
        "tourist",
        "migrant",
        "refugee",
        "worshipper",
        "pilgrim",
        "monk",
        "nun",
    }
)
NUMBER_WORDS: dict[str, int] = {
    "zero": 0,
    "no": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "dozen": 12,
    "single": 1,
}
# Number words that multiply what stands before them ("two hundred", "1.5 million").
NUMBER_SCALES = frozenset({"hundred", "thousand", "million", "dozen"})
# Vague quantities: (count or None, qualifier).  ACLED's conservative reading, as its
# analysts use it: "dozens" = 12, "tens" = 10, "scores" = 20, "hundreds" = 100,
# "thousands" = 1000, each a lower bound; words that give no number ("several", "many",
# "a few") keep the count unbound with qualifier ``several`` (tests/gold/FORMAT.md).
# The words as written are always kept beside the number (``count_text``).
VAGUE_COUNTS: dict[str, tuple[int | None, str]] = {
    "several": (None, "several"),
    "some": (None, "several"),
    "many": (None, "several"),
    "numerous": (None, "several"),
    "multiple": (None, "several"),
    "few": (None, "several"),
    "handful": (None, "several"),
    "number": (None, "several"),
    "dozens": (12, "at-least"),
    "scores": (20, "at-least"),
    "tens": (10, "at-least"),
    "hundreds": (100, "at-least"),
    "thousands": (1000, "at-least"),
}
QUALIFIER_WORDS: dict[str, str] = {
    "at least": "at-least",
    "more than": "at-least",
    "over": "at-least",
    "no fewer than": "at-least",
    "no less than": "at-least",
    "at most": "at-most",
    "up to": "at-most",
    "no more than": "at-most",
    "fewer than": "at-most",
    "less than": "at-most",
    "about": "approximate",
    "around": "approximate",
    "nearly": "approximate",
    "almost": "approximate",
    "approximately": "approximate",
    "roughly": "approximate",
    "some": "approximate",
    "an estimated": "approximate",
    "estimated": "approximate",
    "close to": "approximate",
    "as many as": "at-most",
    "upwards of": "at-least",
    "in excess of": "at-least",
}
# ACLED coders' remarks inside event notes: not claims of the report (no casualty figure,
# no event).  Each pattern matches the start of a remark; the remark runs to the end of
# its sentence or bracket ("Fatalities coded as 3.", "(fatalities spread between 2
# locations)", "[size=no report]", "Fatalities unknown.").  Case is ignored.
CODER_REMARKS: tuple[str, ...] = (
    r"\bfatalit(?:y|ies)(?:\s+(?:count|figure|number)s?)?\s+(?:(?:was|were|is|are|has been|have been)\s+)?coded\b",
    r"\b(?:fatalities|deaths|casualties)\s+(?:were\s+|are\s+)?(?:spread|split|divided|distributed)\s+(?:between|among|amongst|across|over)\b",
    r"\b(?:spread|split|divided|distributed)\s+(?:between|among|amongst|across|over)\s+(?:\w+\s+){0,2}(?:locations|events|days|sites|dates)\b",
    r"\[\s*size\s*=[^\]]*\]",
    r"\bfatalit(?:y|ies)(?:\s+(?:count|figure|number)s?)?\s+(?:(?:was|were|is|are)\s+)?(?:unknown|not known|not reported|unreported|unclear)\b",
    r"\bcoded as\s+(?:\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten)\b",
)

# --- actors ---------------------------------------------------------------------------------
# Heads of government-body names.  Value: canonical pattern, {C} = owner's label.
BODY_HEADS: dict[str, str] = {
    "ministry": "Ministry of {T}of {C}",
    "government": "Government of {C}",
    "authorities": "Government of {C}",
    "authority": "Government of {C}",
    "officials": "Government of {C}",
    "cabinet": "Government of {C}",
    "parliament": "Parliament of {C}",
    "presidency": "Presidency of {C}",
    "council": "{M}Council of {C}",
    "service": "{M}Service of {C}",
    "office": "{M}Office of {C}",
    "committee": "{M}Committee of {C}",
}
# Ministry types from modifiers ("defense ministry", "Ministry of Foreign Affairs").
MINISTRY_TYPES: dict[str, str] = {
    "defense": "Defense",
    "defence": "Defense",
    "foreign": "Foreign Affairs",
    "interior": "Internal Affairs",
    "internal": "Internal Affairs",
    "emergency": "Emergency Situations",
    "justice": "Justice",
    "health": "Health",
    "finance": "Finance",
    "economy": "Economy",
    "energy": "Energy",
}
FORCE_HEADS = frozenset(
    [
        "army",
        "armies",
        "force",
        "forces",
        "troops",
        "troop",
        "soldier",
        "soldiers",
        "serviceman",
        "servicemen",
        "military",
        "detachment",
        "detachments",
        "unit",
        "units",
        "militia",
        "militias",
        "contingent",
        "contingents",
        "peacekeeper",
        "peacekeepers",
        "guard",
        "guards",
        "navy",
        "fighters",
        "fighter",
        "battalion",
        "battalions",
        "brigade",
        "brigades",
        "division",
        "divisions",
        "gunmen",
        "personnel",
    ]
)
PEACEKEEPING_HEADS = frozenset({"peacekeeper", "peacekeepers"})
# "the Malian side" denotes the country itself.
SIDE_HEADS = frozenset({"side", "party"})
PERSON_TITLES = frozenset()
TITLES: frozenset[str] = frozenset(
    [
        "secretary",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "chairman-in-office",
        "president",
        "vice-president",
        "prime",
        "premier",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "commander",
        "head",
        "leader",
        "envoy",
        "representative",
        "ombudsman",
        "mayor",
        "governor",
        "director",
        "general",
        "colonel",
        "lieutenant",
        "major",
        "captain",
        "official",
        "adviser",
        "advisor",
        "chief",
        "speaker",
        "deputy",
        "foreign",
        "defense",
        "defence",
    ]
)
# Title words that are only modifiers of a following title ("prime minister").
TITLE_MODIFIERS = frozenset(["prime", "vice", "deputy", "foreign", "defense", "defence", "chief"])

# --- places ---------------------------------------------------------------------------------
# "X region", "X corridor": head noun -> place kind.
PLACE_HEADS: dict[str, str] = {
    "region": "Region",
    "district": "Region",
    "province": "Region",
    "oblast": "Region",
    "governorate": "Region",
    "county": "Region",
    "corridor": "Route",
    "enclave": "Region",
    "road": "Route",
    "highway": "Route",
    "pass": "Route",
    "mountain": "Landform",
    "mountains": "Landform",
    "river": "Landform",
    "lake": "Landform",
    "village": "Settlement",
    "town": "Settlement",
    "city": "Settlement",
    "airport": "Facility",
    "base": "Facility",
    "state": "Region",
    "department": "Region",
    "commune": "Region",
    "municipality": "Region",
    "prefecture": "Region",
    "canton": "Region",
    "township": "Region",
    "sub-county": "Region",
    "subcounty": "Region",
    "ward": "Region",
    "locality": "Region",
    "lga": "Region",
    "cercle": "Region",
    "woreda": "Region",
    "zone": "Region",
    "tehsil": "Region",
    "upazila": "Region",
    "neighbourhood": "Settlement",
    "neighborhood": "Settlement",
    "suburb": "Settlement",
    "favela": "Settlement",
    "camp": "Facility",
}
# "the village of X": head -> kind of X.
PLACE_OF_HEADS: dict[str, str] = {
    "village": "Settlement",
    "town": "Settlement",
    "city": "Settlement",
    "settlement": "Settlement",
    "region": "Region",
    "district": "Region",
    "province": "Region",
    "territory": "Region",
    "enclave": "Region",
    "state": "Region",
    "department": "Region",
    "commune": "Region",
    "municipality": "Region",
    "prefecture": "Region",
    "governorate": "Region",
    "oblast": "Region",
    "county": "Region",
    "neighbourhood": "Settlement",
    "neighborhood": "Settlement",
    "suburb": "Settlement",
}
# Generic place nouns that are places on their own ("the line of contact", "heights").
GENERIC_PLACES: dict[str, str] = {
    "line of contact": "Area",
    "contact line": "Area",
    "commanding heights": "Landform",
    "heights": "Landform",
    "frontline": "Area",
    "front line": "Area",
}
# Anaphoric place nouns: "the region", "the enclave" -> the most salient place of that kind.
PLACE_ANAPHORS: dict[str, tuple[str, ...]] = {
    "region": ("Region",),
    "territory": ("Region", "Country"),
    "enclave": ("Region",),
    "village": ("Settlement",),
    "town": ("Settlement",),
    "city": ("Settlement",),
    "corridor": ("Route",),
}
# Verbs linking places: "a road that links A to B".
# Prepositions whose object is a place ("in X", "near X"); "of" after a compass word or a
# part noun too ("north of X", "the outskirts of X").
PLACE_PREPOSITIONS = frozenset(
    ["in", "near", "at", "outside", "around", "inside", "across", "towards", "toward",
     "into", "nearby", "along", "through", "throughout", "within", "beyond"]
)
COMPASS_WORDS = frozenset(
    ["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
     "north-east", "north-west", "south-east", "south-west", "northern", "southern",
     "eastern", "western"]
)
PLACE_PART_NOUNS = frozenset(
    ["outskirts", "suburb", "suburbs", "centre", "center", "edge", "vicinity", "outskirt",
     "periphery", "border", "entrance", "environs", "area", "part", "parts", "heart"]
)
# Verbs whose object is most often a place ("shelled X", "X was captured"): weak evidence.
PLACE_OBJECT_VERBS = frozenset(
    ["shell", "bomb", "bombard", "capture", "seize", "overrun", "recapture", "retake",
     "storm", "raid", "besiege", "occupy", "enter", "evacuate", "liberate", "encircle",
     "surround", "reach", "visit", "flee", "loot", "torch", "burn"]
)
CONNECT_VERBS = frozenset({"link", "connect", "join"})
# --- agreements -----------------------------------------------------------------------------
# Nouns of an agreement -> its kind.
AGREEMENT_NOUNS: dict[str, str] = {
    "ceasefire": "ceasefire",
    "cease-fire": "ceasefire",
    "truce": "ceasefire",
    "armistice": "ceasefire",
    "treaty": "treaty",
    "accord": "agreement",
    "agreement": "agreement",
    "deal": "agreement",
    "pact": "agreement",
    "mou": "agreement",
    "roadmap": "agreement",
    "road-map": "agreement",
    "settlement": "agreement",
}
# (modifier, head) pairs that name an agreement ("an action plan", "a peace plan").
AGREEMENT_COMPOUNDS: dict[tuple[str, str], str] = {
    ("action", "plan"): "agreement",
    ("peace", "plan"): "agreement",
    ("road", "map"): "agreement",
}
# Heads of an agreement's proper name ("the Stockholm Agreement", "the Minsk Protocol",
# "the Dayton Accords"): counted only as part of a name.
AGREEMENT_NAME_HEADS = frozenset(
    {"agreement", "agreements", "accord", "accords", "treaty", "protocol", "declaration",
     "memorandum", "charter", "pact", "ceasefire", "truce"}
)
# Two-word agreement names: (head lemma, lemma of its "of" object) -> kind
# ("a memorandum of understanding", "a cessation of hostilities").
AGREEMENT_PHRASES: dict[tuple[str, str], str] = {
    ("memorandum", "understanding"): "agreement",
    ("cessation", "hostility"): "ceasefire",
    ("cessation", "hostilities"): "ceasefire",
    ("cessation", "fighting"): "ceasefire",
    ("declaration", "principle"): "agreement",
    ("declaration", "principles"): "agreement",
}
# Modifiers that make a generic "agreement"/"deal"/"accord" one between conflict
# parties ("peace deal", "security pact"); a generic one counts only with such a
# modifier, a verb of signing, a broker or parties ("in agreement with" does not).
AGREEMENT_MODIFIERS = frozenset(
    {
        "peace",
        "ceasefire",
        "cease-fire",
        "truce",
        "security",
        "border",
        "power-sharing",
        "prisoner",
        "de-escalation",
        "withdrawal",
        "disarmament",
        "demobilisation",
        "demobilization",
        "reconciliation",
        "non-aggression",
        "disengagement",
        "electoral",
        "maritime",
        "exchange",
        "humanitarian",
    }
)
# Verbs of making an agreement: its date and place hang on them ("signed ... in X on D").
SIGNING_VERBS = frozenset(
    {
        "sign",
        "conclude",
        "reach",
        "agree",
        "broker",
        "seal",
        "strike",
        "adopt",
        "mediate",
        "ink",
        "finalise",
        "finalize",
        "negotiate",
    }
)
# Of those, verbs whose "in X" may name the scope rather than the place of signing
# ("agreed to a truce in the east"): a signing place only when X is a settlement.
SIGNING_VERBS_LOOSE_PLACE = frozenset({"agree", "reach", "broker", "mediate", "negotiate"})
# Participles of brokering ("brokered by X", "X-brokered", "talks hosted by X").
BROKER_WORDS = frozenset(
    {"brokered", "mediated", "facilitated", "hosted", "sponsored", "backed", "guaranteed"}
)
# Nouns of brokering that name the broker with "of"/"by" or a demonym ("under the
# auspices of X", "under Qatari mediation").
BROKER_NOUNS = frozenset({"auspices", "mediation", "facilitation", "sponsorship"})
# Roles of a broker: "with Norway as facilitator", "with Cuba and Norway as guarantors".
BROKER_ROLES = frozenset(
    {"facilitator", "facilitators", "mediator", "mediators", "guarantor", "guarantors",
     "broker", "brokers", "host", "hosts", "witness", "witnesses", "sponsor", "sponsors"}
)
# What is brokered besides the agreement itself ("the talks were facilitated by X").
NEGOTIATION_NOUNS = frozenset({"talk", "talks", "negotiation", "negotiations", "process"})
# Verbs whose infinitive complement is an undertaking ("agreed to pull back heavy
# weapons", "pledged to release prisoners") -> provisions of the agreement.
PROVISION_VERBS = frozenset({"agree", "pledge", "commit", "undertake", "promise", "vow"})
# Verbs with which an agreement states its provisions ("the deal calls for ...").
# Verbs with which an agreement states its provisions -> the preposition that introduces
# them ("calls for X", "commits the groups to X"), or "" for the object ("requires X").
PROVIDING_VERBS: dict[str, str] = {
    "call": "for",
    "provide": "for",
    "allow": "for",
    "commit": "to",
    "oblige": "to",
    "bind": "to",
    "require": "",
    "stipulate": "",
    "envisage": "",
    "include": "",
    "set": "",
    "establish": "",
    "guarantee": "",
    "foresee": "",
}
# "the two sides", "both countries", "the parties": the two main sides of the article.
BOTH_SIDES_NOUNS = frozenset(
    {"side", "sides", "party", "parties", "country", "countries", "nation", "nations",
     "government", "governments", "neighbour", "neighbours", "neighbor", "neighbors",
     "state", "states"}
)
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
#: month names and their usual abbreviations ("Sept.", "Oct") -> month number
MONTH_NAMES = {**MONTHS, **{m[:3]: i for m, i in MONTHS.items()}, "sept": 9}
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
