"""Answers kept beside a store (kgbuild.store.answers): read back only for the same data.

What is checked:

- a query on a store is answered the same with and without kept answers, row for row,
  on the first run (which keeps the answer) and on the next (which reads it back), with
  and without a row limit and parameters;
- every writer names a new generation before it changes anything, so answers kept
  before a rebuild, a replaced article, a prune or a writer that only opened the store
  are never read again; answers the writer kept itself (``precompute_answers``) are
  dropped at its next change;
- a query that was running when a writer took the store keeps nothing readable;
- queries whose answer is not decided by the data alone (NOW, RAND, UUID, STRUUID,
  BNODE, SERVICE allowed) are never kept; a store no writer of this version opened keeps
  nothing; a damaged answer file is a miss;
- a format 2 store is taken over as format 3, which older writers refuse.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

import kgbuild
from kgbuild.core.errors import StoreError
from kgbuild.graph.rdf import graph_iri
from kgbuild.query import list_queries
from kgbuild.store import StoreWriter, database_path, query_store
from kgbuild.store.answers import (
    ANSWERS_DIR,
    cache_key,
    generation,
    load_answer,
    new_generation,
    save_answer,
)
from kgbuild.store.reading import _open_read_only

EX = "https://example.org/"
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
QUERY = (f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?label")


def _write(folder: Path, graphs: dict[str, list[str]]) -> None:
    with StoreWriter(folder) as writer:
        writer.replace_graphs([
            (str(graph_iri(name)), [(URIRef(EX + label), LABEL, Literal(label))
                                    for label in labels])
            for name, labels in graphs.items()])


def _kept(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / ANSWERS_DIR).glob("*.json"))


def _query(folder: Path, sparql: str = QUERY, **options: Any) -> Any:
    with kgbuild.load(folder) as kg:
        return kg.query(sparql, engine="oxigraph", **options)


def _fresh(folder: Path, sparql: str = QUERY, **options: Any) -> Any:
    """The answer computed now, without kept answers."""
    store = _open_read_only(folder)
    return query_store(store, sparql, union=False, source=folder, answers=False, **options)


def _labels(result: Any) -> list[str]:
    return [str(row[1]) for row in result.rows]


def test_answers_are_kept_and_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["b", "c", "a"], "b.txt": ["d"]})
    assert generation(folder) is not None and _kept(folder) == []
    first = _query(folder)
    assert _labels(first) == ["a", "b", "c", "d"]
    assert len(_kept(folder)) == 1
    second = _query(folder)
    assert second.rows == first.rows == _fresh(folder).rows
    page = _query(folder, limit=2)
    assert _labels(page) == ["a", "b"] and page.truncated
    assert len(_kept(folder)) == 1  # the same answer, cut at the limit
    # a sorted query asked for its first rows keeps its whole answer
    other = QUERY.replace("ORDER BY ?label", "ORDER BY DESC(?label)")
    assert _labels(_query(folder, other, limit=1)) == ["d"]
    assert len(_kept(folder)) == 2
    assert _labels(_query(folder, other)) == ["d", "c", "b", "a"]


def test_parameters_are_part_of_the_answer(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a", "b"]})
    sparql = f"SELECT ?s WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s"
    for label in ("a", "b", "a"):
        result = _query(folder, sparql, params={"label": label})
        assert [str(r[0]) for r in result.rows] == [EX + label]
    assert len(_kept(folder)) == 2


def test_every_change_makes_kept_answers_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"], "b.txt": ["b"]})
    assert _labels(_query(folder)) == ["a", "b"]
    # a replaced article
    _write(folder, {"a.txt": ["x"]})
    assert _kept(folder) == []
    assert _labels(_query(folder)) == ["b", "x"] == _labels(_fresh(folder))
    # a prune
    with StoreWriter(folder) as writer:
        assert writer.prune(keep={str(graph_iri("a.txt"))}) == 1
    assert _labels(_query(folder)) == ["x"]
    # a writer that only opened the store
    before = generation(folder)
    with StoreWriter(folder):
        pass
    assert generation(folder) not in (None, before) and _kept(folder) == []


def test_a_rebuild_reads_no_answer_of_the_old_articles(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Armenia accused Azerbaijan of shelling Stepanakert.\n",
                                  encoding="utf-8")
    folder = tmp_path / "kg"
    kgbuild.build([corpus], store=folder).close()
    info = next(i for i in list_queries() if i.name == "actors")
    sparql = info.path.read_text(encoding="utf-8")
    old = _query(folder, sparql)
    assert old.rows
    (corpus / "a.txt").write_text("Georgia accused Russia of shelling Tskhinvali.\n",
                                  encoding="utf-8")
    kgbuild.build([corpus], store=folder).close()
    new = _query(folder, sparql)
    assert new.rows == _fresh(folder, sparql).rows
    assert new.rows != old.rows


def test_precomputed_answers_and_a_later_change(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    with StoreWriter(folder) as writer:
        assert writer.precompute_answers([QUERY]) == 1
        kept = _kept(folder)
        assert len(kept) == 1
    # read back by the next reader, without running the query
    assert _labels(_query(folder)) == ["a"]
    assert _kept(folder) == kept
    with StoreWriter(folder) as writer:
        assert writer.precompute_answers([QUERY]) == 1
        writer.replace_graph(str(graph_iri("b.txt")), [(URIRef(EX + "b"), LABEL, Literal("b"))])
        assert _kept(folder) == []  # dropped: made before the change
    assert _labels(_query(folder)) == ["a", "b"]


def test_shipped_queries_are_precomputed_by_default(tmp_path: Path, seeds_dir: Path) -> None:
    folder = tmp_path / "kg"
    kgbuild.build([seeds_dir], store=folder).close()
    with StoreWriter(folder) as writer:
        assert writer.precompute_answers() == len(list_queries())
    for info in list_queries():
        sparql = info.path.read_text(encoding="utf-8")
        kept = _query(folder, sparql)
        assert kept.vars == info.columns
        assert kept.rows == _fresh(folder, sparql).rows


def test_answers_computed_in_a_child_process_equal_the_engine(tmp_path: Path,
                                                             seeds_dir: Path) -> None:
    # the path big stores take (kgbuild.store.precompute): the database is closed,
    # a child opens it read-only, and the writer opens it again after
    folder = tmp_path / "kg"
    kgbuild.build([seeds_dir], store=folder).close()
    with StoreWriter(folder) as writer:
        assert writer.precompute_answers(child=True) == len(list_queries())
        assert len(_kept(folder)) == len(list_queries())
        before = len(writer)  # the writer's database is open again
        writer.replace_graph(str(graph_iri("z.txt")),
                             [(URIRef(EX + "z"), LABEL, Literal("zz-new"))])
        assert _kept(folder) == []  # a change after them drops them
        assert len(writer) == before + 1
    with StoreWriter(folder) as writer:
        assert writer.precompute_answers(child=True) == len(list_queries())
    for info in list_queries():
        sparql = info.path.read_text(encoding="utf-8")
        assert _query(folder, sparql).rows == _fresh(folder, sparql).rows


def test_a_failed_answers_process_keeps_nothing_and_the_writer_goes_on(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    with StoreWriter(folder) as writer:
        # not a query text: the child process fails outright
        assert writer.precompute_answers([QUERY, None], child=True) == 0  # type: ignore[list-item]
        assert "answers not precomputed" in caplog.text
        writer.replace_graph(str(graph_iri("b.txt")), [(URIRef(EX + "b"), LABEL, Literal("b"))])
    assert _kept(folder) == []
    assert _labels(_query(folder)) == ["a", "b"]


def test_a_store_build_ends_with_the_shipped_answers_unless_told(tmp_path: Path,
                                                                  seeds_dir: Path) -> None:
    from kgbuild.core.config import Settings

    folder = tmp_path / "kg"
    with kgbuild.build([seeds_dir], store=folder) as kg:
        assert kg.stats.answers == len(list_queries())
    assert len(_kept(folder)) == len(list_queries())
    sparql = next(i for i in list_queries() if i.name == "events").path.read_text("utf-8")
    kept = _query(folder, sparql)
    assert kept.rows and kept.rows == _fresh(folder, sparql).rows
    assert len(_kept(folder)) == len(list_queries())  # read back, not computed again
    bare = tmp_path / "bare"
    with kgbuild.build([seeds_dir], store=bare, settings=Settings(store_answers=False)) as kg:
        assert kg.stats.answers == 0
    assert _kept(bare) == []


def test_a_query_running_while_a_writer_takes_the_store_keeps_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    old = generation(folder)
    assert old is not None
    result = _fresh(folder)  # computed from the old data...
    key = cache_key(QUERY, _algebra(QUERY), {}, union=False, allow_service=False)
    assert key is not None
    _write(folder, {"a.txt": ["z"]})  # ...while a writer changed it
    assert not save_answer(folder, old, key, result)
    new = generation(folder)
    assert new is not None and load_answer(folder, new, key, limit=None) is None
    assert _labels(_query(folder)) == ["z"]


def _algebra(sparql: str) -> Any:
    from kgbuild.query.checks import _check

    return _check(sparql, None, limit=None, allow_service=False).prepared.algebra


@pytest.mark.parametrize("sparql", [
    "SELECT ?s (NOW() AS ?t) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY RAND()",
    "SELECT ?s (UUID() AS ?u) WHERE { ?s ?p ?o }",
    "SELECT ?s (STRUUID() AS ?u) WHERE { ?s ?p ?o }",
    "SELECT ?s (BNODE() AS ?b) WHERE { ?s ?p ?o }",
])
def test_answers_that_the_data_does_not_decide_are_not_kept(tmp_path: Path, sparql: str) -> None:
    assert cache_key(sparql, _algebra(sparql), {}, union=False, allow_service=False) is None
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    _query(folder, sparql)
    assert _kept(folder) == []
    assert cache_key(QUERY, _algebra(QUERY), {}, union=False, allow_service=True) is None


def test_a_store_without_a_generation_keeps_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    shutil.rmtree(folder / ANSWERS_DIR)  # as an older kgbuild left it
    assert _labels(_query(folder)) == ["a"]
    assert not (folder / ANSWERS_DIR).exists()


def test_a_damaged_answer_is_a_miss(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a", "b"]})
    _query(folder)
    (path,) = _kept(folder)
    whole = path.read_text(encoding="utf-8")
    for damaged in ('{"format": 2, "vars": ["s"', whole[: len(whole) // 2], ""):
        path.write_text(damaged, encoding="utf-8")
        assert _labels(_query(folder)) == ["a", "b"]
        assert path.read_text(encoding="utf-8") == whole  # kept again, whole


def test_pages_of_a_long_answer(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    labels = [f"label-{n:04d}" for n in range(1234)]
    _write(folder, {"a.txt": labels[::2], "b.txt": labels[1::2]})
    assert _labels(_query(folder)) == labels  # kept
    header = json.loads(_kept(folder)[0].read_text(encoding="utf-8").splitlines()[0])
    assert header["rows"] == 1234
    for limit in (1, 499, 500, 501, 1233, 1234, 5000):
        page = _query(folder, limit=limit)
        assert _labels(page) == labels[:limit]
        assert page.truncated == (limit < 1234)


def test_answers_keep_every_kind_of_term(tmp_path: Path) -> None:
    from rdflib.namespace import XSD

    folder = tmp_path / "kg"
    values = [Literal("plain"), Literal("chat", lang="fr"), Literal("3", datatype=XSD.integer),
              Literal("2021-03-01", datatype=XSD.date), Literal("x", datatype=URIRef(EX + "t")),
              Literal("quote \" and \\ and \n and \U0001F600"), URIRef(EX + "o")]
    with StoreWriter(folder) as writer:
        writer.replace_graph(str(graph_iri("a.txt")),
                             [(URIRef(EX + f"s{i}"), URIRef(EX + "p"), v)
                              for i, v in enumerate(values)])
    sparql = f"SELECT ?s ?v ?none WHERE {{ ?s <{EX}p> ?v OPTIONAL {{ ?s <{EX}q> ?none }} }} " \
             "ORDER BY ?s"
    first, second = _query(folder, sparql), _query(folder, sparql)
    assert len(_kept(folder)) == 1
    assert [repr(r) for r in second.rows] == [repr(r) for r in first.rows]
    assert [r[1] for r in second.rows] == values


def test_new_generation_deletes_the_old_answers(tmp_path: Path) -> None:
    (tmp_path / ANSWERS_DIR).mkdir()
    (tmp_path / ANSWERS_DIR / "0123-old.json").write_text("{}", encoding="utf-8")
    name = new_generation(tmp_path)
    assert generation(tmp_path) == name
    assert [p.name for p in (tmp_path / ANSWERS_DIR).iterdir()] == ["GENERATION"]


def test_format_2_is_taken_over_and_newer_formats_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    _write(folder, {"a.txt": ["a"]})
    marker = folder / "kgbuild-store.json"
    info = json.loads(marker.read_text(encoding="utf-8"))
    assert info["format"] == 3
    info["format"] = 2
    marker.write_text(json.dumps(info), encoding="utf-8")
    _write(folder, {"b.txt": ["b"]})
    assert json.loads(marker.read_text(encoding="utf-8"))["format"] == 3
    assert _labels(_query(folder)) == ["a", "b"]
    info["format"] = 4
    marker.write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(StoreError, match="format 4"):
        StoreWriter(folder)
    assert database_path(folder).is_dir()
