"""Checks on the named non-state armed groups of ``kb/armed-groups.ttl``.

The file is data that the extractor trusts blindly: a group name that two groups share, an
acronym that is an ordinary English word, or a country link that points nowhere would put
wrong actors into every graph built from text that mentions it. ``tests/test_kb_data.py``
checks the whole KB; these checks are the ones particular to armed groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kgbuild.core.names import match_key
from kgbuild.kb.knowledge_base import load_kb

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "kb"
GROUPS_FILE = KB_DIR / "armed-groups.ttl"

KG = "https://w3id.org/kgbuild/ontology#"
GROUP_BASE = "https://w3id.org/kgbuild/id/entity/nonstatearmedgroup/"
GROUP_KINDS = {
    URIRef(KG + k)
    for k in (
        "NonStateArmedGroup",
        "RebelGroup",
        "PoliticalMilitia",
        "IdentityMilitia",
        "ExternalForce",
    )
}
COUNTRY = URIRef(KG + "country")
KG_COUNTRY_CLASS = URIRef(KG + "Country")

# Acronyms may not spell a common English word: matched in lower case (or by a reader of a
# headline in capitals) they would name the group wherever the word occurs.
STOP_WORDS = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "for", "from", "go", "he",
    "her", "his", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on",
    "or", "our", "so", "the", "to", "up", "us", "was", "we", "who", "all", "any", "can",
    "has", "had", "may", "one", "out", "per", "via", "let", "act", "age", "aim", "air",
    "arm", "art", "bra", "bras", "cam", "dag", "ram", "tip", "fact", "mend", "aah", "eta",
    "man", "men", "war", "new", "now", "old", "see", "set", "sea", "law", "end",
}
# Kept despite the list above, by decision: the extractor matches short all-capitals aliases
# case-sensitively, and "IS" is how wire copy names the Islamic State.
ALLOWED_ACRONYMS = {"IS"}
# Acronyms the file's header says were left out on purpose; they must stay out.
LEFT_OUT = {
    "AA", "LeT", "JeM", "ETA", "MEND", "BRAS", "BRA", "TIP", "FACT", "CPC", "SNA", "ISI",
    "ISS", "ISSP", "ISM", "AAH", "ASWJ", "NRF", "CJTF", "NDA", "CDG", "CDN", "CV", "CNA",
    "CDF", "EPP", "EPL", "CAM", "RAM", "MIT", "ABM", "PRC", "SL", "FN", "FPL", "MSA", "KA",
}

SUBJECT_LINE = re.compile(r"^nonstatearmedgroup:(?P<slug>\S+) a kg:\w+ ;(?P<rest>.*)$")
ISO_COMMENT = re.compile(r"#\s*(?P<code>[A-Z]{2})\s*$")
MULTI_COMMENT = re.compile(r"#\s*operates in:(?P<codes>(?:\s+[A-Z]{2})+)\s*$")


def is_acronym(name: str) -> bool:
    """A single word with at least two capitals and no lower-case run: "RSF", "LeJ", "IS-K"."""
    return " " not in name and sum(c.isupper() for c in name) >= 2 and not re.search(
        r"[a-z]{2,}", name
    )


def is_caps_acronym(name: str) -> bool:
    """Written wholly in capitals (digits and punctuation allowed): compared case-sensitively."""
    return " " not in name and any(c.isalpha() for c in name) and name.upper() == name


def alias_key(name: str) -> str:
    """How two aliases are compared for clashes: capitals acronyms exactly, others normalised."""
    return "=" + name if is_caps_acronym(name) else match_key(name)


@pytest.fixture(scope="module")
def groups_graph() -> Graph:
    graph = Graph()
    graph.parse(GROUPS_FILE, format="turtle")
    return graph


@pytest.fixture(scope="module")
def kb_graph() -> Graph:
    graph = Graph()
    for path in sorted(KB_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def groups(groups_graph: Graph) -> list[URIRef]:
    return sorted(
        s for s in set(groups_graph.subjects(RDF.type, None)) if isinstance(s, URIRef)
    )


def names_of(graph: Graph, group: URIRef) -> list[str]:
    return [str(o) for o in graph.objects(group, RDFS.label)] + [
        str(o) for o in graph.objects(group, SKOS.altLabel)
    ]


def test_file_parses_and_holds_the_groups(groups_graph: Graph, groups: list[URIRef]) -> None:
    assert len(groups) >= 150, f"only {len(groups)} groups"
    kinds = {o for g in groups for o in groups_graph.objects(g, RDF.type)}
    for local in ("RebelGroup", "PoliticalMilitia", "IdentityMilitia", "ExternalForce"):
        assert URIRef(KG + local) in kinds, f"no kg:{local} in the file"


def test_each_group_has_one_group_kind_one_label_and_its_iri(
    groups_graph: Graph, groups: list[URIRef]
) -> None:
    problems = []
    for g in groups:
        types = set(groups_graph.objects(g, RDF.type))
        if len(types) != 1 or not types <= GROUP_KINDS:
            problems.append(f"{g}: rdf:type {sorted(map(str, types))}")
        labels = list(groups_graph.objects(g, RDFS.label))
        if len(labels) != 1:
            problems.append(f"{g}: {len(labels)} rdfs:label")
        if not str(g).startswith(GROUP_BASE):
            problems.append(f"{g}: not under {GROUP_BASE}")
    assert not problems, "\n".join(problems)


def test_no_two_groups_share_a_name(groups_graph: Graph, groups: list[URIRef]) -> None:
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for g in groups:
        for name in names_of(groups_graph, g):
            owners[alias_key(name)].add(g)
    shared = {k: sorted(map(str, v)) for k, v in owners.items() if len(v) > 1}
    assert not shared, "\n".join(f"{k!r}: {v}" for k, v in sorted(shared.items()))


def test_country_links_point_to_kb_countries(kb_graph: Graph, groups: list[URIRef]) -> None:
    problems = [
        f"{g} kg:country {c}"
        for g in groups
        for c in kb_graph.objects(g, COUNTRY)
        if (c, RDF.type, KG_COUNTRY_CLASS) not in kb_graph
    ]
    assert not problems, "\n".join(problems)
    assert all(len(list(kb_graph.objects(g, COUNTRY))) <= 1 for g in groups)


def test_no_acronym_is_an_english_word(groups_graph: Graph, groups: list[URIRef]) -> None:
    problems = []
    for g in groups:
        for name in names_of(groups_graph, g):
            if not is_acronym(name) or name in ALLOWED_ACRONYMS:
                continue
            letters = re.sub(r"[^a-z]", "", name.lower())
            if letters in STOP_WORDS:
                problems.append(f"{g}: acronym {name!r} is the word {letters!r}")
            if name in LEFT_OUT:
                problems.append(f"{g}: {name!r} was left out on purpose (see the header)")
    assert not problems, "\n".join(problems)


def test_left_out_acronyms_are_documented_in_the_header() -> None:
    header = "".join(
        line for line in GROUPS_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.startswith("#")
    )
    missing = sorted(a for a in LEFT_OUT if not re.search(rf"\b{re.escape(a)}\b", header))
    assert not missing, f"left-out acronyms not named in the file header: {missing}"


def test_country_comments_for_countries_outside_the_kb(groups_graph: Graph) -> None:
    """A group without kg:country says on its subject line why: "# XX" or "# operates in:"."""
    try:
        import pycountry
    except ImportError:  # the world-gazetteer branch adds it; the format is checked anyway
        pycountry = None
    problems = []
    seen = 0
    for line in GROUPS_FILE.read_text(encoding="utf-8").splitlines():
        m = SUBJECT_LINE.match(line)
        if not m:
            continue
        seen += 1
        group = URIRef(GROUP_BASE + m["slug"])
        linked = (group, COUNTRY, None) in groups_graph
        iso = ISO_COMMENT.search(m["rest"])
        multi = MULTI_COMMENT.search(m["rest"])
        codes = [iso["code"]] if iso else (multi["codes"].split() if multi else [])
        if linked and iso:
            problems.append(f"{m['slug']}: has kg:country and an ISO comment")
        if not linked and not codes:
            problems.append(f"{m['slug']}: no kg:country and no '# XX' comment")
        if pycountry is not None:
            problems += [
                f"{m['slug']}: {c} is not an ISO 3166-1 alpha-2 code"
                for c in codes
                if pycountry.countries.get(alpha_2=c) is None
            ]
    assert seen == len(set(groups_graph.subjects(RDF.type, None)))
    assert not problems, "\n".join(problems)


def test_the_kb_loader_keeps_every_group() -> None:
    kb = load_kb()
    keys = {k for k, e in kb.entities.items() if k.startswith("entity/nonstatearmedgroup/")}
    graph = Graph()
    graph.parse(GROUPS_FILE, format="turtle")
    base = "https://w3id.org/kgbuild/id/"
    expected = {str(s)[len(base) :] for s in graph.subjects(RDF.type, None)}
    assert keys == expected
    assert kb.lookup("Rapid Support Forces")[0].kind == "RebelGroup"
    assert kb.lookup("QSD")[0].key == "entity/nonstatearmedgroup/syrian-democratic-forces"
