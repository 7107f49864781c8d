"""Views, pages, pictures and tables of ``kgbuild.outputs.viz`` (and the ``kgbuild viz`` command).

Most tests use the hand-made ``tests/data/sample.trig``; the picture tests also use the
graph of the seed articles, because "no overlapping labels" is promised at seed size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("pyvis", reason="the viz extra is not installed: pip install -e '.[viz]'")
pytest.importorskip("matplotlib", reason="the viz extra is not installed")
pytest.importorskip("pandas", reason="the viz extra is not installed")

import networkx as nx
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kgbuild
from kgbuild import cli as cli_module
from kgbuild.cli.output import VIZ_VIEWS
from kgbuild.core.errors import InputError, KgbuildError
from kgbuild.core.namespaces import KG, KGR
from kgbuild.outputs import viz, viz_style

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
ENT = "https://w3id.org/kgbuild/id/entity/"


@pytest.fixture(scope="module")
def sample() -> kgbuild.KnowledgeGraph:
    return kgbuild.load(SAMPLE)


@pytest.fixture(scope="module")
def seeds_kg(seeds_dir: Path) -> kgbuild.KnowledgeGraph:
    return kgbuild.build([seeds_dir])


def _edges(g: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    return {(g.nodes[u]["label"], k, g.nodes[v]["label"]) for u, v, k in g.edges(keys=True)}


# ------------------------------------------------------------------ views


@pytest.mark.parametrize("view", viz.VIEWS)
def test_every_view_has_the_promised_attributes(sample: kgbuild.KnowledgeGraph,
                                                view: str) -> None:
    g = sample.to_networkx(view)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph["view"] == view
    assert g.number_of_nodes() > 0 and g.number_of_edges() > 0
    for _, attrs in g.nodes(data=True):
        for key in ("label", "kind", "kind_label", "group", "n_articles", "articles", "kb",
                    "iri", "sentences"):
            assert key in attrs, key
        assert attrs["label"] and isinstance(attrs["n_articles"], int)
        assert attrs["n_articles"] == len(attrs["articles"])
    for _, _, key, data in g.edges(keys=True, data=True):
        assert data["label"] == key and key
        assert isinstance(data["evidence"], int) and data["evidence"] >= 1


def test_entities_view_links_actors_through_events_statements_and_places(
        sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("entities")
    groups = {d["group"] for _, d in g.nodes(data=True)}
    assert groups <= {"actor", "place"}
    edges = _edges(g)
    assert ("Union of Nations", "appeals to", "Northland") in edges
    assert ("Union of Nations", "appeals to", "Southland") in edges
    assert ("peacekeepers", "deployment at", "Valley Region") in edges
    assert ("Valley Region", "within", "Southland") in edges
    assert ("Ministry of Defense of Northland", "reports casualties of", "Southland") in edges
    northland = g.nodes[ENT + "country/northland"]
    assert northland["kb"] == "http://www.wikidata.org/entity/Q999001"
    assert northland["kind"] == "Country" and northland["kind_label"] == "country"
    assert g.nodes[ENT + "settlement/riverton"]["kb"] == ""


def test_events_view_points_from_agents_to_events_to_targets_and_places(
        sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("events")
    edges = _edges(g)
    assert ("peacekeepers", "agent", "Deployment (peacekeepers, Valley Region)") in edges
    assert ("Deployment (peacekeepers, Valley Region)", "place", "Valley Region") in edges
    assert ("Operation Dawn", "violates", "2020 ceasefire agreement") in edges
    assert ("2020 ceasefire agreement", "provides",
            "Deployment (peacekeepers, Valley Region)") in edges
    deployment = next(d for _, d in g.nodes(data=True) if d["kind"] == "Deployment")
    assert deployment["group"] == "event"
    # the evidence of the event is the sentence that states it, with its article
    assert deployment["sentences"] == [(
        "002_sample.txt",
        "Under the 2020 ceasefire agreement, peacekeepers were deployed in the Valley Region.",
    )]


def test_claims_view_has_sources_topics_and_contradictions(
        sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("claims")
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert {"Statement", "CasualtyClaim"} <= kinds
    contradicts = [(u, v) for u, v, k in g.edges(keys=True) if k == "contradicts"]
    assert contradicts == [("https://w3id.org/kgbuild/id/claim/2f22765d04931a07",
                            "https://w3id.org/kgbuild/id/claim/a625406f6977d45c")]
    said = {g.nodes[u]["kind"] for u, _, k in g.edges(keys=True) if k in ("said", "reported")}
    assert "Article" in said  # an article speaking in its own voice is a source too
    assert ("Union of Nations", "said") in {(g.nodes[u]["label"], k)
                                            for u, _, k in g.edges(keys=True)}


def test_rdf_view_keeps_types_and_literals_as_attributes(
        sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("rdf")
    assert not any(k == "rdf:type" for _, _, k in g.edges(keys=True))
    assert ("Valley Region", "kg:within", "Southland") in _edges(g)
    riverton = g.nodes[ENT + "settlement/riverton"]
    assert "kg:Settlement" in riverton["types"]
    assert riverton["literals"]["rdfs:label"] == ["Riverton"]


def test_one_article_only(sample: kgbuild.KnowledgeGraph) -> None:
    whole = sample.to_networkx("entities")
    one = sample.to_networkx("entities", article="001_sample.txt")
    assert one.graph["article"] == "001_sample.txt"
    assert 0 < one.number_of_nodes() < whole.number_of_nodes()
    for _, _, data in one.edges(data=True):
        assert all(article == "001_sample.txt" for article, _ in data["sentences"])
    # the stem and the IRI name the same article
    stem = sample.to_networkx("entities", article="001_sample")
    assert set(stem.nodes) == set(one.nodes)
    iri = sample.to_networkx("rdf", article=str(KGR["article/001_sample.txt"]))
    assert all("002_sample" not in n for n in iri.nodes)


def test_unknown_view_or_article_is_an_error_that_lists_the_choices(
        sample: kgbuild.KnowledgeGraph) -> None:
    with pytest.raises(InputError, match="entities, events, claims, rdf"):
        sample.to_networkx("people")
    with pytest.raises(InputError, match=r"001_sample\.txt, 002_sample\.txt"):
        sample.to_networkx("events", article="nope.txt")


def test_entity_evidence_is_the_whole_sentence_around_the_mention(
        sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("entities")
    is_string = URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString")
    sentences = g.nodes[ENT + "settlement/riverton"]["sentences"]
    assert {article for article, _ in sentences} == {"001_sample.txt", "002_sample.txt"}
    for article, sentence in sentences:
        text = str(sample.dataset.value(KGR[f"article/{article}"], is_string))
        assert "Riverton" in sentence and sentence in " ".join(text.split())
        assert sentence != "Riverton" and sentence.endswith(".")


# ------------------------------------------------------------------ interactive page


def _page_nodes(page: str) -> list[dict[str, object]]:
    match = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    assert match, "the page has no vis DataSet of nodes"
    return json.loads(match.group(1))


def test_page_is_offline_and_has_every_node(sample: kgbuild.KnowledgeGraph) -> None:
    g = sample.to_networkx("entities")
    page = viz.to_html(g)
    assert viz.remote_resources(page) == []
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=[\"']?https?:", page)
    nodes = _page_nodes(page)
    assert sorted(n["id"] for n in nodes) == sorted(g.nodes)
    northland = next(n for n in nodes if n["id"] == ENT + "country/northland")
    assert northland["shape"] == "dot" and northland["color"] == viz.KIND_COLORS["Country"]
    assert "KB: http://www.wikidata.org/entity/Q999001" in northland["title"]
    assert "Articles: 001_sample.txt, 002_sample.txt" in northland["title"]
    riverton = next(n for n in nodes if n["id"] == ENT + "settlement/riverton")
    assert riverton["shape"] == "square"
    assert "died in the attack near Riverton" in riverton["title"]


def test_remote_resources_finds_cdn_tags_and_css_urls() -> None:
    page = ('<link rel="stylesheet" href="https://cdn.example/a.css">'
            "<script src='//cdn.example/b.js'></script>"
            "<style>body { background: url(https://img.example/x.png) }</style>"
            '<script>var svg = "http://www.w3.org/2000/svg";</script>')
    found = viz.remote_resources(page)
    assert len(found) == 3
    assert viz.remote_resources("<img src='data:image/png;base64,AAAA'>") == []


def _hostile_graph() -> Dataset:
    ds = Dataset()
    a, b, art = URIRef(ENT + "country/a"), URIRef(ENT + "country/b"), KGR["article/x.txt"]
    for node, label in ((a, '<script>alert("a")</script> & <b>bold</b>'),
                        (b, "B </script><img src=x onerror=alert(1)> href")):
        ds.add((node, RDF.type, KG.Actor))
        ds.add((node, RDF.type, KG.Country))
        ds.add((node, RDFS.label, Literal(label)))
        ds.add((node, KG.article, art))
    event = KGR["event/e"]
    ds.add((event, RDF.type, KG.Attack))
    ds.add((event, KG.agent, a))
    ds.add((event, KG.target, b))
    ds.add((event, KG.article, art))
    return ds


def test_labels_cannot_inject_html() -> None:
    g = viz.to_networkx(_hostile_graph(), view="entities")
    page = viz.to_html(g, title="<i>title</i>")
    assert "<script>alert" not in page
    assert "</script><img" not in page
    assert "<img src=x" not in page
    assert "<i>title</i>" not in page and "&lt;i&gt;title&lt;/i&gt;" in page
    labels = {n["label"] for n in _page_nodes(page)}
    assert '<script>alert("a")</script> & <b>bold</b>' in labels  # intact as text
    # a title with "href" would make pyvis switch to an innerHTML popup
    assert "popup.innerHTML" not in page
    view = viz.GraphView(page)
    frame = view._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "<script" not in frame[:-10]


def test_show_returns_a_view_that_saves_the_page(sample: kgbuild.KnowledgeGraph,
                                                 tmp_path: Path) -> None:
    view = sample.show("events", height=500)
    assert isinstance(view, viz.GraphView)
    assert "vis.Network" in view.html
    target = view.save(tmp_path / "events.html")
    assert target.read_text(encoding="utf-8") == view.html


# ------------------------------------------------------------------ static pictures


def _label_boxes(fig: object) -> list[object]:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fig.draw(renderer)  # type: ignore[attr-defined]
    ax = fig.axes[0]  # type: ignore[attr-defined]
    return [t.get_window_extent(renderer) for t in ax.texts]


def _overlaps(boxes: list[object]) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])]  # type: ignore[attr-defined]


@pytest.mark.parametrize("view", ["entities", "events", "claims"])
def test_seed_pictures_have_no_overlapping_labels(seeds_kg: kgbuild.KnowledgeGraph,
                                                  view: str) -> None:
    g = seeds_kg.to_networkx(view)
    fig = viz.draw(g)
    assert fig.kg_overlaps == 0
    boxes = _label_boxes(fig)
    assert len(boxes) == g.number_of_nodes()
    assert _overlaps(boxes) == []
    width, height = fig.get_size_inches()
    # the seeds' claims view grew to ~53 nodes once victim groups became nodes and two
    # wrongly merged events came apart (issues 11, 12): 16-17 inches tall at full label size
    assert width <= 24 and height <= 18, "too big to stay readable on a page"


def test_draw_writes_png_and_svg_the_same_every_time(sample: kgbuild.KnowledgeGraph,
                                                     tmp_path: Path) -> None:
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    sample.draw("entities", path=first)
    sample.draw("entities", path=second)
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()
    svg1, svg2 = tmp_path / "a.svg", tmp_path / "b.svg"
    sample.draw("claims", path=svg1)
    sample.draw("claims", path=svg2)
    assert svg1.read_text().lstrip().startswith("<?xml")
    assert svg1.read_bytes() == svg2.read_bytes()


def test_draw_refuses_unknown_suffixes(sample: kgbuild.KnowledgeGraph,
                                       tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf"):
        sample.draw(path=tmp_path / "graph.gif")
    with pytest.raises(InputError, match="does not exist"):
        sample.draw(path=tmp_path / "missing" / "graph.png")


def test_an_empty_graph_still_draws() -> None:
    g = viz.to_networkx(Dataset(), view="entities")
    assert viz.draw(g).kg_overlaps == 0
    assert viz.remote_resources(viz.to_html(g)) == []


# ------------------------------------------------------------------ tables and charts


def test_query_df_takes_sparql_or_a_shipped_name(sample: kgbuild.KnowledgeGraph) -> None:
    df = sample.query_df("casualties", shorten=True)
    assert list(df.columns) == ["claim", "source", "victim", "outcome", "count", "qualifier"]
    assert len(df) == len(sample.query(kgbuild.query.named_query("casualties").read_text()))
    assert set(df["outcome"]) <= {"outcome:killed", "outcome:injured",
                                  "outcome:killed-or-injured"}
    assert {type(v) for v in df["count"].dropna()} == {int}
    text = sample.query_df("SELECT ?s WHERE { ?s a <https://w3id.org/kgbuild/ontology#Event> }")
    assert list(text.columns) == ["s"] and len(text) == 3
    assert text["s"].str.startswith("https://").all()


def test_charts_of_the_timeline_and_casualty_figures(seeds_kg: kgbuild.KnowledgeGraph,
                                                     tmp_path: Path) -> None:
    timeline = viz.timeline_figure(seeds_kg.dataset)
    labels = [t.get_text() for t in timeline.axes[0].get_yticklabels()]
    assert labels and any("Operation Revenge" in t for t in labels)
    casualties = viz.casualty_figure(seeds_kg.dataset)
    ax = casualties.axes[0]
    assert len(ax.patches) == len(seeds_kg.query_df("casualties"))
    assert ax.get_legend() is not None
    casualties.savefig(tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 5000


def test_missing_optional_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> object:
        raise ImportError(name)

    # every viz module imports its optional packages through viz_style._require
    monkeypatch.setattr(viz_style, "import_module", refuse)
    with pytest.raises(KgbuildError, match=r"pip install 'kgbuild\[viz\]'"):
        viz.to_html(nx.MultiDiGraph())


# ------------------------------------------------------------------ command line


def test_cli_views_match_the_library() -> None:
    assert VIZ_VIEWS == viz.VIEWS


def test_cli_writes_a_page_and_a_picture(tmp_path: Path) -> None:
    runner = CliRunner()
    page = tmp_path / "graph.html"
    result = runner.invoke(cli_module.cli, ["viz", str(SAMPLE), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "entities view" in result.output
    assert viz.remote_resources(page.read_text(encoding="utf-8")) == []
    picture = tmp_path / "events.svg"
    result = runner.invoke(cli_module.cli, ["viz", str(SAMPLE), "-o", str(picture),
                                            "--view", "events", "--article", "002_sample.txt"])
    assert result.exit_code == 0, result.output
    assert picture.read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "{tmp}/g.gif"], ".html, .png, .svg or .pdf"),
    (["-o", "{tmp}/g.png", "--article", "nope.txt"], "001_sample.txt"),
    (["-o", "{tmp}/g.png", "--view", "people"], "Invalid value for '--view'"),
    (["-o", "{tmp}/missing/g.png"], "does not exist"),
])
def test_cli_errors_exit_2_and_say_what_to_do(tmp_path: Path, args: list[str],
                                               message: str) -> None:
    argv = ["viz", str(SAMPLE), *[a.replace("{tmp}", str(tmp_path)) for a in args]]
    result = CliRunner().invoke(cli_module.cli, argv)
    assert result.exit_code == 2
    assert message in result.output
