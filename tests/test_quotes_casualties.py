"""Casualty figures in the forms news and event notes use, coders' remarks, and the
quote and stance regressions of issue 12 case 11.

Every casualty test writes a tiny invented article and builds it through the public
path (:func:`kgbuild.build`), then reads the claims back with SPARQL.  Countries come
from the shipped knowledge base; the places and people are made up.  The statement
regressions build the two seed articles once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import spacy
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kgbuild
from kgbuild.extractors.common import coder_remark_spans
from kgbuild.kg.graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = "Update"
PUBLISHED = "2023-09-20"
PREFIXES = """
PREFIX kg:   <https://w3id.org/kgbuild/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX nif:  <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""

Builder = Callable[..., KnowledgeGraph]


@pytest.fixture(scope="module")
def build_text(tmp_path_factory: pytest.TempPathFactory) -> Builder:
    """Build one small article from its body text (cached per body)."""
    cache: dict[str, KnowledgeGraph] = {}

    def build(body: str) -> KnowledgeGraph:
        if body not in cache:
            folder = tmp_path_factory.mktemp("article")
            path = folder / "article.txt"
            path.write_text(f"{HEADLINE}\n\n{body}\n", encoding="utf-8")
            (folder / "article.meta.json").write_text(
                json.dumps({"published": PUBLISHED}), encoding="utf-8"
            )
            cache[body] = kgbuild.build([path])
        return cache[body]

    return build


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        if value.datatype == XSD.integer:
            return int(value)
        return str(value)
    text = str(value)
    if isinstance(value, URIRef) and "/kgbuild/vocab/" in text:
        return text.rsplit("/", 1)[-1]
    return text


def select(kg: KnowledgeGraph, sparql: str) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row.items()} for row in kg.query(PREFIXES + sparql).to_dicts()
    ]


def claims(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every casualty claim with its victim, group, side and event."""
    return select(
        kg,
        """
        SELECT ?claim ?outcome ?count ?qualifier ?countText ?victim ?group ?side ?about
        WHERE {
          ?claim a kg:CasualtyClaim ; kg:outcome ?outcome ; kg:qualifier ?qualifier ;
                 kg:countText ?countText .
          OPTIONAL { ?claim kg:count ?count }
          OPTIONAL { ?claim kg:victim / rdfs:label ?victim }
          OPTIONAL { ?claim kg:victimGroup ?group }
          OPTIONAL { ?claim kg:victimSide / rdfs:label ?side }
          OPTIONAL { ?claim kg:about ?about }
        }""",
    )


def figures(kg: KnowledgeGraph) -> set[tuple[Any, ...]]:
    return {(c["outcome"], c["count"], c["qualifier"]) for c in claims(kg)}


# --- one test per form ----------------------------------------------------------------------
CASUALTY_FORMS = [
    pytest.param(
        "Georgia said four of its soldiers were killed and 11 others wounded.",
        {("killed", 4, "exact"), ("injured", 11, "exact")},
        id="coordinated-killed-and-others-wounded",
    ),
    pytest.param(
        "Three soldiers were killed and five wounded in the attack.",
        {("killed", 3, "exact"), ("injured", 5, "exact")},
        id="coordinated-elided-passive",
    ),
    pytest.param(
        "The bombing killed six people and wounded 20 others.",
        {("killed", 6, "exact"), ("injured", 20, "exact")},
        id="coordinated-active-verbs",
    ),
    pytest.param(
        "The shelling killed and wounded nine soldiers.",
        {("killed-or-injured", 9, "exact")},
        id="shared-object-is-one-figure",
    ),
    pytest.param(
        "Turkish artillery shelled the village of Kerevan, killing three civilians.",
        {("killed", 3, "exact")},
        id="killing-n",
    ),
    pytest.param("The attack left five dead.", {("killed", 5, "exact")}, id="n-dead"),
    pytest.param(
        "There were 6 dead after the raid.", {("killed", 6, "exact")}, id="there-were-n-dead"
    ),
    pytest.param(
        "The clashes caused 14 fatalities.", {("killed", 14, "exact")}, id="n-fatalities"
    ),
    pytest.param(
        "The attack left five dead and 12 injured.",
        {("killed", 5, "exact"), ("injured", 12, "exact")},
        id="left-n-dead-and-m-injured",
    ),
    pytest.param(
        "The blast left three people dead.", {("killed", 3, "exact")}, id="left-n-people-dead"
    ),
    pytest.param(
        "Seven people died in the blast.", {("killed", 7, "exact")}, id="n-people-died"
    ),
    pytest.param(
        "Five people lost their lives in the attack.",
        {("killed", 5, "exact")},
        id="lost-their-lives",
    ),
    pytest.param(
        "The clashes claimed the lives of 12 people.",
        {("killed", 12, "exact")},
        id="claimed-the-lives-of",
    ),
    pytest.param("The death toll rose to 40.", {("killed", 40, "exact")}, id="death-toll-rose"),
    pytest.param(
        "The death toll from the attack has risen to at least 52.",
        {("killed", 52, "at-least")},
        id="death-toll-at-least",
    ),
    pytest.param(
        "Twelve bodies were found near the river.",
        {("killed", 12, "exact")},
        id="n-bodies-found",
    ),
    pytest.param(
        "Two police officers were shot dead.", {("killed", 2, "exact")}, id="shot-dead"
    ),
    pytest.param(
        "At least 9 civilians were killed.", {("killed", 9, "at-least")}, id="at-least"
    ),
    pytest.param("Up to 20 people were injured.", {("injured", 20, "at-most")}, id="up-to"),
    pytest.param("More than 30 soldiers died.", {("killed", 30, "at-least")}, id="more-than"),
    pytest.param("Nearly 50 people were wounded.", {("injured", 50, "approximate")}, id="nearly"),
    pytest.param(
        "Twenty-five soldiers were killed.", {("killed", 25, "exact")}, id="hyphenated-number"
    ),
    pytest.param(
        "Two hundred people were wounded.", {("injured", 200, "exact")}, id="two-hundred"
    ),
    pytest.param(
        "No casualties were reported.", {("killed-or-injured", 0, "none")}, id="no-casualties"
    ),
    pytest.param(
        "The rebels withdrew without casualties.",
        {("killed-or-injured", 0, "none")},
        id="without-casualties",
    ),
    pytest.param("Nobody was hurt in the attack.", {("injured", 0, "none")}, id="nobody-hurt"),
    pytest.param(
        "None of the soldiers were hurt.", {("injured", 0, "none")}, id="none-of-them"
    ),
    pytest.param(
        "The army did not suffer any casualties.",
        {("killed-or-injured", 0, "none")},
        id="not-any-casualties",
    ),
    pytest.param("He was killed in 2019.", {("killed", 1, "exact")}, id="he-was-killed"),
    pytest.param(
        "Residents beat a man to death in Kerevan.", {("killed", 1, "exact")}, id="to-death"
    ),
    pytest.param(
        "The army said 18 assailants were neutralised.",
        {("killed", 18, "exact")},
        id="neutralised",
    ),
    pytest.param(
        "A grenade hit the post. Two officers sustained injuries.",
        {("injured", 2, "exact")},
        id="sustained-injuries",
    ),
    pytest.param(
        "Debris fell in the city without causing casualties.",
        {("killed-or-injured", 0, "none")},
        id="without-causing-casualties",
    ),
    pytest.param(
        "A police officer shot dead a 17-year-old boy.",
        {("killed", 1, "exact")},
        id="age-is-no-count",
    ),
    pytest.param(
        "A man was shot dead and around 100 people were injured.",
        {("killed", 1, "exact"), ("injured", 100, "approximate")},
        id="number-hung-elsewhere",
    ),
    pytest.param(
        "A man stabbed three children outside a school.",
        {("injured", 3, "exact")},
        id="stabbed",
    ),
    pytest.param(
        "The raid killed the commander of the militia.",
        {("killed", 1, "exact")},
        id="the-commander",
    ),
    # vague counts, as ACLED reads them
    pytest.param("Several soldiers were killed.", {("killed", None, "several")}, id="several"),
    pytest.param("Dozens of civilians were injured.", {("injured", 12, "at-least")}, id="dozens"),
    pytest.param(
        "Hundreds of people were injured.", {("injured", 100, "at-least")}, id="hundreds"
    ),
    # no figure
    pytest.param("Officials warned that the fighting could kill thousands.", set(), id="modal"),
    pytest.param("Police officers arrested 12 protesters.", set(), id="not-a-casualty"),
    pytest.param("Heavy losses were reported.", set(), id="losses-without-number"),
]


@pytest.mark.parametrize(("body", "expected"), CASUALTY_FORMS)
def test_casualty_form(build_text: Builder, body: str, expected: set[tuple[Any, ...]]) -> None:
    assert figures(build_text(body)) == expected


# --- victims and their side -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "victim", "group", "side"),
    [
        pytest.param(
            "Four Georgian soldiers were killed in the clashes.",
            "Armed Forces of Georgia",
            "soldiers",
            "Georgia",
            id="demonym-soldiers",
        ),
        pytest.param(
            "Gunmen killed 11 civilians in Kerevan.",
            "civilians",
            "civilians",
            None,
            id="civilians",
        ),
        pytest.param(
            "Gunmen killed two police officers.",
            None,
            "police officers",
            None,
            id="police-officers",
        ),
        pytest.param(
            "A child was killed by a stray shell.", "child", "child", None, id="a-child"
        ),
        pytest.param(
            "Armenia said three of its soldiers were wounded.",
            "Armed Forces of Armenia",
            "soldiers",
            "Armenia",
            id="its-soldiers",
        ),
        pytest.param(
            "Georgia fired mortars at Turkish positions. 2 fatalities were reported among "
            "Turkish border guards.",
            "Armed Forces of Turkey",
            "border guards",
            "Turkey",
            id="fatalities-among",
        ),
    ],
)
def test_victim_and_side(
    build_text: Builder, body: str, victim: str | None, group: str, side: str | None
) -> None:
    rows = claims(build_text(body))
    assert len(rows) == 1, rows
    assert (rows[0]["victim"], rows[0]["group"], rows[0]["side"]) == (victim, group, side)


def test_others_are_on_the_side_of_the_first_figure(build_text: Builder) -> None:
    body = "Georgia said four of its soldiers were killed and 11 others wounded."
    rows = claims(build_text(body))
    assert {(r["count"], r["victim"], r["side"]) for r in rows} == {
        (4, "Armed Forces of Georgia", "Georgia"),
        (11, "Armed Forces of Georgia", "Georgia"),
    }


# --- coders' remarks ----------------------------------------------------------------------
NOTE = (
    "On 5 March 2019, militants attacked a police post in Kerevan. 3 killed. "
    "Fatalities coded as 3."
)


def test_acled_note_gives_the_reported_figure_only(build_text: Builder) -> None:
    rows = claims(build_text(NOTE))
    assert [(r["outcome"], r["count"], r["countText"]) for r in rows] == [("killed", 3, "3")]
    assert rows[0]["about"] is not None, "the figure belongs to the attack told before it"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "Militants attacked a convoy near Kerevan. Fatalities coded as 10.", id="coded"
        ),
        pytest.param(
            "Militants attacked a convoy near Kerevan. Fatality count coded as 3.",
            id="count-coded",
        ),
        pytest.param(
            "Fighting was reported in Kerevan (fatalities spread between 2 locations).",
            id="spread",
        ),
        pytest.param(
            "Protesters gathered in Kerevan [size=no report]. Fatalities unknown.", id="unknown"
        ),
    ],
)
def test_coder_remarks_are_no_claims(build_text: Builder, body: str) -> None:
    assert claims(build_text(body)) == []


@pytest.mark.parametrize(
    ("text", "remarks"),
    [
        pytest.param(NOTE, ["Fatalities coded as 3."], id="coded"),
        pytest.param(
            "Rebels attacked Kerevan - 25 rebels killed (fatalities divided between three "
            "locations). Next day, more fighting.",
            ["(fatalities divided between three locations)"],
            id="bracketed",
        ),
        pytest.param(
            "Protesters gathered [size=no report]. Fatalities unknown.",
            ["[size=no report]", "Fatalities unknown."],
            id="size-and-unknown",
        ),
        pytest.param("Two soldiers were killed in Kerevan.", [], id="no-remark"),
    ],
)
def test_coder_remark_spans(text: str, remarks: list[str]) -> None:
    doc = spacy.blank("en")(text)
    assert [text[b:e] for b, e in coder_remark_spans(doc)] == remarks


# --- statements: issue 12 case 11 -----------------------------------------------------------
@pytest.fixture(scope="module")
def seed_statements() -> list[dict[str, Any]]:
    kg = kgbuild.build([ROOT / "seeds"])
    rows = select(
        kg,
        """
        SELECT ?st ?speaker ?stance ?addressee ?quote ?text ?verb WHERE {
          ?st a kg:Statement ; kg:stance ?stance ; kg:quote ?quote ; kg:reportingVerb ?verb ;
              kg:article / nif:isString ?text .
          OPTIONAL { ?st kg:speaker / rdfs:label ?speaker }
          OPTIONAL { ?st kg:addressee / rdfs:label ?addressee }
        }""",
    )
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        st = grouped.setdefault(r["st"], {**r, "addressees": set()})
        if r["addressee"] is not None:
            st["addressees"].add(r["addressee"])
    return list(grouped.values())


def test_quotes_never_cut_a_word(seed_statements: list[dict[str, Any]]) -> None:
    for st in seed_statements:
        text, quote = st["text"], st["quote"]
        at = text.find(quote)
        assert at >= 0, quote
        before = text[at - 1] if at > 0 else " "
        after = text[at + len(quote)] if at + len(quote) < len(text) else " "
        assert not (before.isalnum() or before == "-"), f"cut before: {quote!r}"
        assert not (after.isalnum() or after == "-"), f"cut after: {quote!r}"


def test_appeal_to_de_escalate_keeps_its_prefix(seed_statements: list[dict[str, Any]]) -> None:
    appeals = [st["quote"] for st in seed_statements if st["verb"] == "urged"]
    assert appeals and all(q.startswith("de-escalate, resume talks") for q in appeals), appeals


def test_quote_of_a_that_clause_the_parser_hung_elsewhere(
    seed_statements: list[dict[str, Any]],
) -> None:
    kda = [
        st["quote"]
        for st in seed_statements
        if st["speaker"] == "Karabakh Defense Army" and st["stance"] == "Claim"
    ]
    assert kda == ["that its troops thwarted Azerbaijani attempts to cross the line of contact "
                   "throughout the day"]


def test_coordinated_demonyms_are_two_addressees(seed_statements: list[dict[str, Any]]) -> None:
    eu = [
        st
        for st in seed_statements
        if st["speaker"] == "European Union" and st["verb"] == "demanded"
    ]
    assert len(eu) == 1
    assert eu[0]["addressees"] == {"Armed Forces of Azerbaijan", "Armed Forces of Armenia"}


def test_claim_about_own_act_is_no_accusation(seed_statements: list[dict[str, Any]]) -> None:
    own = [st for st in seed_statements if st["quote"].startswith("it carried out")]
    assert len(own) == 1
    assert (own[0]["stance"], own[0]["addressees"]) == ("Claim", set())
    # an explicit hostile act of the other side stays an accusation
    acc = [st for st in seed_statements if st["quote"].startswith("that they launched")]
    assert len(acc) == 1 and acc[0]["stance"] == "Accusation"


def _statements(kg: KnowledgeGraph) -> list[tuple[str, set[str]]]:
    rows = select(
        kg,
        """
        SELECT ?st ?stance ?addressee WHERE {
          ?st a kg:Statement ; kg:stance ?stance .
          OPTIONAL { ?st kg:addressee / rdfs:label ?addressee }
        }""",
    )
    out: dict[str, tuple[str, set[str]]] = {}
    for r in rows:
        st = out.setdefault(r["st"], (r["stance"], set()))
        if r["addressee"]:
            st[1].add(r["addressee"])
    return list(out.values())


@pytest.mark.parametrize(
    ("body", "stance", "addressees"),
    [
        pytest.param(
            "The Georgian defence ministry said it carried out strikes on Turkish positions "
            "in response to an attack.",
            "Claim",
            set(),
            id="it-carried-out",
        ),
        pytest.param(
            "The Georgian defence ministry said we repelled the attack.",
            "Claim",
            set(),
            id="we-repelled",
        ),
        pytest.param(
            "The Georgian defence ministry said Turkish forces shelled its positions.",
            "Accusation",
            {"Armed Forces of Turkey"},
            id="other-side-did-it",
        ),
        pytest.param(
            "The UN demanded that Georgian and Turkish forces stop the fighting.",
            "Appeal",
            {"Armed Forces of Georgia", "Armed Forces of Turkey"},
            id="coordinated-demonym-addressees",
        ),
    ],
)
def test_stance_of_invented_statements(
    build_text: Builder, body: str, stance: str, addressees: set[str]
) -> None:
    assert _statements(build_text(body)) == [(stance, addressees)]


@pytest.mark.parametrize(
    ("body", "quote"),
    [
        pytest.param(
            "Georgia urged both sides to de-escalate, resume talks, and work toward peace.",
            "de-escalate, resume talks, and work toward peace",
            id="coordinated-infinitives",
        ),
        pytest.param(
            "Georgia urged both sides to de-escalate and resume talks.",
            "to de-escalate and resume talks",
            id="to-parsed-as-preposition",
        ),
    ],
)
def test_appeal_quote_keeps_hyphenated_words(build_text: Builder, body: str, quote: str) -> None:
    rows = select(build_text(body), "SELECT ?quote WHERE { ?st a kg:Statement ; kg:quote ?quote }")
    assert [r["quote"] for r in rows] == [quote]
