"""Every output format parses back, unchanged, whatever text the articles hold (issue 7).

- Ingestion (property): any text, lone surrogates included, comes out of the
  reader in NFC, encodable as UTF-8, and as long as the NFC of the input (a lone
  surrogate becomes one U+FFFD, so offsets do not move).
- IRIs and literals (property): entity names, article ids, titles and quotes of
  arbitrary Unicode, driven through the reader and :mod:`kgbuild.graph.rdf` as
  records (no spaCy), are written in TriG, Turtle, N-Quads, N-Triples and
  JSON-LD; each parses back in rdflib and in pyoxigraph to the same set of quads
  (triples for Turtle and N-Triples).  No blank nodes anywhere, so the quad sets
  can be compared directly.
- Determinism: builds of the same generated articles in shuffled orders are
  byte-identical in every format, and loading one output twice into one dataset
  adds nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import unicodedata
from datetime import timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

import kgbuild
from kgbuild.core.model import Article, Event, Evidence, Mention, Statement
from kgbuild.core.names import slugify
from kgbuild.extractors.context import EntityInfo
from kgbuild.graph.rdf import to_dataset
from kgbuild.graph.resolve import ArticleResult, resolve
from kgbuild.inputs.articles import read_articles
from kgbuild.kb.knowledge_base import load_kb
from kgbuild.kg.graph import KnowledgeGraph

#: format given to ``serialize`` -> (rdflib parser, pyoxigraph format, holds named graphs)
FORMATS: dict[str, tuple[str, ox.RdfFormat, bool]] = {
    "trig": ("trig", ox.RdfFormat.TRIG, True),
    "ttl": ("turtle", ox.RdfFormat.TURTLE, False),
    "nq": ("nquads", ox.RdfFormat.N_QUADS, True),
    "nt": ("nt", ox.RdfFormat.N_TRIPLES, False),
    "jsonld": ("json-ld", ox.RdfFormat.JSON_LD, True),
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Quad = tuple[Node, Node, Node, Node | None]

PROPERTY = settings(
    max_examples=50,
    deadline=timedelta(seconds=10),
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow],
)

# --- comparing graphs ---------------------------------------------------------------------


def _graph_name(g: object) -> Node:
    return g.identifier if hasattr(g, "identifier") else g  # type: ignore[return-value]


def original_quads(ds: Dataset, *, graphs: bool) -> set[Quad]:
    return {
        (s, p, o, _graph_name(g) if graphs else None)
        for s, p, o, g in ds.quads((None, None, None, None))
    }


def rdflib_quads(data: bytes, fmt: str) -> set[Quad]:
    parser, _, graphs = FORMATS[fmt]
    ds = Dataset()
    ds.parse(data=data, format=parser)
    return {
        (s, p, o, _graph_name(g) if graphs else None)
        for s, p, o, g in ds.quads((None, None, None, None))
    }


def _from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def oxigraph_quads(data: bytes, fmt: str) -> set[Quad]:
    _, ox_format, graphs = FORMATS[fmt]
    return {
        (
            _from_ox(q.subject),
            _from_ox(q.predicate),
            _from_ox(q.object),
            _from_ox(q.graph_name) if graphs else None,
        )
        for q in ox.parse(data, format=ox_format)
    }


def assert_round_trips(kg: KnowledgeGraph, fmt: str) -> None:
    data = kg.serialize(format=fmt)
    assert isinstance(data, bytes)
    expected = original_quads(kg.dataset, graphs=FORMATS[fmt][2])
    assert not any(isinstance(t, BNode) for quad in expected for t in quad)
    back_rdflib = rdflib_quads(data, fmt)
    assert back_rdflib == expected, (
        f"rdflib reads {fmt} differently: missing {sorted(expected - back_rdflib)[:3]}, "
        f"extra {sorted(back_rdflib - expected)[:3]}"
    )
    back_ox = oxigraph_quads(data, fmt)
    assert back_ox == expected, (
        f"pyoxigraph reads {fmt} differently: missing {sorted(expected - back_ox)[:3]}, "
        f"extra {sorted(back_ox - expected)[:3]}"
    )


# --- ingestion ---------------------------------------------------------------------------

#: Any code point, surrogates included (the JSON writer escapes them as \\udXXX).
ANY_CHAR = st.characters(codec=None, categories=None)


def _read_one(record: dict[str, str]) -> tuple[Article | None, list[Exception]]:
    problems: list[Exception] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=True) + "\n", encoding="ascii")
        try:
            articles = list(read_articles([path], on_problem=problems.append))
        except Exception as exc:  # "no article could be read"
            return None, [*problems, exc]
    return (articles[0] if articles else None), problems


@PROPERTY
@given(text=st.text(ANY_CHAR, min_size=1, max_size=80))
def test_ingested_text_is_nfc_without_surrogates(text: str) -> None:
    article, problems = _read_one({"text": "Headline\n\n" + text + " end."})
    assert article is not None, problems
    assert unicodedata.is_normalized("NFC", article.text)
    article.text.encode("utf-8")  # no lone surrogates left
    article.title.encode("utf-8")
    decoded = json.loads(json.dumps(text))  # JSON joins a high and a low surrogate
    scrubbed = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in decoded)
    assert article.text == unicodedata.normalize("NFC", f"Headline\n\n{scrubbed} end.")


# --- records with arbitrary names through kgbuild.graph.rdf -----------------------------------

#: Characters that str.splitlines() breaks on, besides \n and \r.
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

NAMES = st.text(
    st.characters(codec=None, categories=None),
    min_size=1,
    max_size=24,
)


def _records(article: Article, names: list[str]) -> KnowledgeGraph:
    """One article whose entities, mentions, event and statement carry ``names``."""
    text = article.text
    entities: dict[str, EntityInfo] = {}
    mentions: list[Mention] = []
    keys: list[str] = []
    for i, name in enumerate(names):
        label = article.title if i == 0 else name
        begin = max(text.find(label), 0)
        evidence = Evidence(article.id, begin, begin + len(label), label, "test.v1")
        # The key an extractor mints (a slug), and one as a KB key may be (raw text).
        for key in (f"entity/person/{slugify(label)}", f"entity/x/{label}"):
            keys.append(key)
            entities[key] = EntityInfo(key, "Person", label, {label + " (alias)"})
            mentions.append(Mention(evidence, "Person", key, label, label + "\u00a0"))
    first = Evidence(article.id, 0, len(article.title), article.title, "test.v1")
    digest = hashlib.sha1(article.id.encode("utf-8")).hexdigest()[:8]
    event = Event(
        f"event/{digest}",
        "Attack",
        first,
        article.title,
        agents=(keys[0],),
        targets=tuple(keys[1:2]),
        time_text=article.title,
        date="2022-08-03",
        name=article.title,
    )
    statement = Statement(
        f"statement/{digest}",
        first,
        keys[-1],
        "Claim",
        article.title,
        addressees=(keys[0],),
        quote=text,
        about=(event.key,),
    )
    result = ArticleResult(
        article.id, entities, mentions, [event], [statement], [], [], [], [], [], {}
    )
    kb = load_kb(include_default=False)
    return KnowledgeGraph(to_dataset(resolve([result]), [article], kb))


@PROPERTY
@given(
    names=st.lists(NAMES, min_size=1, max_size=3),
    article_id=NAMES,
    publisher=NAMES,
)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_any_unicode_names_round_trip_in_every_format(
    fmt: str, names: list[str], article_id: str, publisher: str
) -> None:
    record = {
        "text": f"{names[0]}\n\n" + " and ".join(names) + " met.",
        "id": article_id,
        "title": names[0],
        "publisher": publisher,
        "url": "https://example.org/" + article_id,
    }
    article, _ = _read_one(record)
    if article is None or not article.title.strip():
        return  # a whitespace-only title: nothing to name
    kg = _records(article, [article.title, *names[1:]])
    assert_round_trips(kg, fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Zorvan", id="ascii"),
        pytest.param('"quotes" \\ back\\slash """triple"""', id="quotes"),
        pytest.param("<Ar|me^n`i{a}> %zz %41", id="iri-breakers"),
        pytest.param("Ереван 東京 Ḱ 🙂 \ufffe\uffff", id="scripts"),
        pytest.param("tab\tcr\rnul\x00 del\x7f", id="controls"),
        pytest.param("e\u0301 \u212b \ufb01", id="not-nfc"),
        pytest.param('trailing quote"', id="trailing-quote"),
        pytest.param("a:b/c?d#e[f]@g!$&'()*+,;=", id="reserved"),
        pytest.param(" \u00a0 ", id="spaces"),
    ],
)
def test_awkward_names_round_trip(fmt: str, name: str) -> None:
    article, problems = _read_one(
        {"text": f"{name}X\n\nBody {name}.", "id": name, "title": name + "X", "publisher": name}
    )
    assert article is not None, problems
    assert_round_trips(_records(article, [article.title, name]), fmt)


@pytest.mark.parametrize(
    "fmt",
    [pytest.param(f, id=f) for f in FORMATS],
)
@pytest.mark.parametrize("char", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_line_break_characters_in_literals_round_trip(fmt: str, char: str) -> None:
    article, problems = _read_one({"text": f"Head{char}line\n\nBody.", "title": "Head"})
    assert article is not None, problems
    assert_round_trips(_records(article, [article.title]), fmt)


# --- real builds: determinism and no duplicates -----------------------------------------

ARTICLES = {
    "a-shelling.txt": (
        "Ruritania shells Zorvan\n\nRuritanian forces shelled the town of Zorvan on "
        "3 August 2022, the defence ministry of Borduria said. Two civilians were killed."
    ),
    "b-denial.txt": (
        "Ruritania denies shelling\n\nThe defence ministry of Ruritania denied that its "
        "forces shelled Zorvan on 3 August 2022 and accused Borduria of provocations."
    ),
    "c-ceasefire.txt": (
        "Ceasefire agreed\n\nRuritania and Borduria agreed to a ceasefire brokered by "
        "Freedonia on 10 August 2022."
    ),
    "d-unicode.txt": (
        "Café in Zürich attacked\n\nUnknown gunmen attacked a café in Zürich on Monday; "
        "police said three people were injured.\u2009«Terrible», said the mayor."
    ),
    "feed.jsonl": json.dumps(
        {
            "text": "Troops move\n\nBordurian troops moved to the border "
            "near Zorvan on Tuesday, officials said.",
            "id": "e-troops",
        }
    )
    + "\n"
    + json.dumps(
        {
            "text": "Talks\n\nThe foreign minister of Freedonia met envoys of "
            "Ruritania in the capital.",
            "title": "Talks",
        }
    )
    + "\n",
    "f-page.html": (
        "<html><head><title>Airstrike</title><script>x()</script></head><body><article>"
        "<h1>Airstrike near Zorvan</h1><p>Ruritanian aircraft struck a depot near Zorvan "
        "on 4 August 2022, Borduria said.</p></article></body></html>"
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("corpus")
    for name, content in ARTICLES.items():
        (folder / name).write_text(content, encoding="utf-8")
    return sorted(folder.iterdir())


@pytest.fixture(scope="module")
def builds(corpus: list[Path]) -> list[KnowledgeGraph]:
    """The corpus built three times: sorted, and in two shuffled orders."""
    orders = [list(corpus)]
    for seed in (1, 2):
        shuffled = list(corpus)
        random.Random(seed).shuffle(shuffled)
        assert shuffled != corpus
        orders.append(shuffled)
    return [kgbuild.build(order) for order in orders]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_shuffled_input_order_gives_byte_identical_output(
    fmt: str, builds: list[KnowledgeGraph]
) -> None:
    first, *others = (kg.serialize(format=fmt) for kg in builds)
    assert first
    for other in others:
        assert other == first, f"{fmt} output depends on the input order"


def test_the_corpus_builds_every_article(builds: list[KnowledgeGraph]) -> None:
    assert builds[0].stats.articles == 7 and builds[0].stats.skipped == 0


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_built_graph_round_trips(fmt: str, builds: list[KnowledgeGraph]) -> None:
    assert_round_trips(builds[0], fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_loading_the_same_output_twice_adds_nothing(
    fmt: str, builds: list[KnowledgeGraph], tmp_path: Path
) -> None:
    path = tmp_path / f"graph.{fmt}"
    builds[0].serialize(path)
    once = kgbuild.load(path)
    size = sum(1 for _ in once.dataset.quads((None, None, None, None)))
    once.dataset.parse(path, format=FORMATS[fmt][0])
    assert sum(1 for _ in once.dataset.quads((None, None, None, None))) == size
    assert not any(
        isinstance(term, BNode)
        for quad in once.dataset.quads((None, None, None, None))
        for term in quad[:3]
    )
