"""Parallel and streaming extraction give exactly the serial build's graph.

- ``ArticleResult`` records are plain, picklable data (what workers send home);
- extraction inside spaCy memory zones gives the same records as plain ``nlp.pipe``;
- ``--workers 2`` serialises byte for byte like the serial build (seeds; a generated
  corpus in the slow run), and the CLI option reaches it;
- the synthetic corpus generator is reproducible and readable by kgbuild.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import kgbuild
from kgbuild.core.config import Settings
from kgbuild.core.errors import ConfigError
from kgbuild.evaluation.synthetic import generate_articles, iter_articles, write_corpus
from kgbuild.execution import processes as parallel
from kgbuild.execution.processes import extract_in_processes
from kgbuild.execution.step import chunked, extract_article, extract_stream
from kgbuild.inputs.articles import read_articles
from kgbuild.kb.knowledge_base import load_kb
from kgbuild.nlp.spacy_pipeline import load_pipeline


@pytest.fixture(scope="module")
def serial_seeds(seeds_dir: Path) -> dict[str, bytes]:
    kg = kgbuild.build([seeds_dir])
    return {fmt: kg.serialize(None, format=fmt) for fmt in ("trig", "nquads")}  # type: ignore[misc]


def test_article_results_are_plain_picklable_records(seeds_dir: Path) -> None:
    articles = list(read_articles([seeds_dir]))
    results = list(extract_stream(articles, kb=load_kb()))
    assert [r.article_id for r in results] == [a.id for a in articles]
    for result in results:
        copy = pickle.loads(pickle.dumps(result))
        assert copy == result
        assert "spacy" not in pickle.dumps(result).decode("latin-1")  # no Doc, Span or Token


def test_memory_zones_change_nothing(seeds_dir: Path) -> None:
    kb = load_kb()
    articles = list(read_articles([seeds_dir])) * 3  # same texts again, after a zone closed
    nlp = load_pipeline()
    plain = [extract_article(a, doc, kb)
             for doc, a in nlp.pipe(((a.body, a) for a in articles), as_tuples=True, batch_size=4)]
    zoned = list(extract_stream(articles, kb=kb, zone_articles=1))
    assert zoned == plain


def test_workers_give_the_serial_graph_byte_for_byte(
    seeds_dir: Path, serial_seeds: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CHUNK_ARTICLES", 1)  # one seed to each worker
    serial = kgbuild.build([seeds_dir], settings=Settings(batch_size=1))
    kg = kgbuild.build([seeds_dir], settings=Settings(workers=2, batch_size=1))
    assert kg.stats.articles == 2
    for fmt in serial_seeds:
        assert kg.serialize(None, format=fmt) == serial.serialize(None, format=fmt), fmt
    # spaCy batches of one article give the same graph as the default batches of four
    assert serial.serialize(None, format="nquads") == serial_seeds["nquads"]


def test_results_come_back_in_input_order(seeds_dir: Path) -> None:
    articles = list(read_articles([seeds_dir]))
    stream = [a for _ in range(3) for a in articles]  # six tasks of one article each
    results = list(extract_in_processes(stream, kb=load_kb(), workers=2, batch_size=1,
                                        chunk_size=1))
    assert [r.article_id for r in results] == [a.id for a in stream]
    assert results[0] == results[2] == results[4]


def test_a_worker_error_reaches_the_caller(seeds_dir: Path) -> None:
    articles = list(read_articles([seeds_dir]))
    with pytest.raises(ConfigError, match="not installed"):
        list(extract_in_processes(articles, kb=load_kb(), workers=1, model="no_such_pipeline"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"workers": 0}, "at least 1", id="no-workers"),
        pytest.param({"workers": 1, "start_method": "teleport"}, "start method", id="bad-start"),
    ],
)
def test_bad_worker_options_are_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        list(extract_in_processes([], kb=load_kb(), **kwargs))  # type: ignore[arg-type]


def test_chunks_are_whole_batches() -> None:
    assert [len(c) for c in chunked(range(9), 4)] == [4, 4, 1]
    with pytest.raises(ValueError):
        list(chunked([], 0))


def test_cli_workers_writes_the_serial_graph(
    seeds_dir: Path, tmp_path: Path, serial_seeds: dict[str, bytes]
) -> None:
    from click.testing import CliRunner

    from kgbuild.cli import cli

    out = tmp_path / "graph.nq"
    result = CliRunner().invoke(cli, ["build", str(seeds_dir), "-o", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == serial_seeds["nquads"]


# --- the synthetic corpus ------------------------------------------------------------------
def test_generator_is_seeded_and_prefix_stable() -> None:
    ten = generate_articles(10, seed=3)
    assert [a.text for a in generate_articles(10, seed=3)] == [a.text for a in ten]
    assert [a.text for a in iter_articles(4, seed=3, start=6)] == [a.text for a in ten[6:]]
    assert [a.text for a in generate_articles(10, seed=4)] != [a.text for a in ten]
    assert len({a.text for a in ten}) == 10


def test_generator_varies_its_sentences() -> None:
    text = "\n".join(a.text for a in generate_articles(60, seed=0))
    for phrase in ("according to", "were shelled by", "“", "said", "urged", "denied"):
        assert phrase in text.lower() or phrase in text, phrase
    assert any(w in text for w in ("two", "three", "four", "five", "six", "seven", "eight"))
    assert any(ch.isdigit() for ch in text)


@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_written_corpus_reads_back(tmp_path: Path, fmt: str) -> None:
    files = write_corpus(tmp_path / "corpus", 5, seed=1, format=fmt)
    articles = list(read_articles([tmp_path / "corpus"], strict=True))
    generated = generate_articles(5, seed=1)
    assert [a.text for a in articles] == [g.text for g in generated]
    assert [a.published for a in articles] == [g.published for g in generated]
    if fmt == "txt":
        meta = json.loads(files[0].with_suffix(".meta.json").read_text(encoding="utf-8"))
        assert meta["url"].startswith("https://")


@pytest.mark.slow
def test_workers_on_a_generated_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK_ARTICLES", 4)  # six tasks for two workers
    write_corpus(tmp_path / "corpus", 24, seed=11)
    serial = kgbuild.build([tmp_path / "corpus"], settings=Settings(batch_size=2))
    in_workers = kgbuild.build([tmp_path / "corpus"], settings=Settings(workers=2, batch_size=2))
    assert in_workers.stats.articles == serial.stats.articles == 24
    for fmt in ("nquads", "trig"):
        assert in_workers.serialize(None, format=fmt) == serial.serialize(None, format=fmt), fmt


# --- SHACL in batches ----------------------------------------------------------------------
def _keys(report: object) -> set[tuple[str, ...]]:
    return {(r.severity, r.shape_name, str(r.focus), str(r.path), str(r.value), *r.articles)
            for r in report}  # type: ignore[attr-defined]


def test_batched_validation_finds_what_whole_validation_finds(seeds_dir: Path) -> None:
    from kgbuild.check.batched import validate_in_batches

    kg = kgbuild.build([seeds_dir])
    whole = kg.validate()
    assert len(whole) > 0  # the seeds have warnings and infos to compare
    for batch in (1, 2):
        batched = validate_in_batches(kg.dataset, batch_articles=batch)
        assert batched.conforms == whole.conforms
        assert _keys(batched) == _keys(whole)
        assert batched.counts() == whole.counts()


def test_batched_validation_reads_an_oxigraph_store(seeds_dir: Path) -> None:
    import pyoxigraph as ox

    from kgbuild.check.batched import validate_in_batches

    kg = kgbuild.build([seeds_dir])
    store = ox.Store()
    store.load(kg.serialize(None, format="nquads"), format=ox.RdfFormat.N_QUADS)
    assert _keys(validate_in_batches(store, batch_articles=1)) == _keys(kg.validate())


def test_batched_validation_reports_a_violation_once(seeds_kg_with_a_second_label: object
                                                     ) -> None:
    from kgbuild.check.batched import validate_in_batches

    # an entity named in both seeds gets a second label: a violation across graphs
    kg = seeds_kg_with_a_second_label
    whole = kg.validate()
    batched = validate_in_batches(kg.dataset, batch_articles=1)
    assert not whole.conforms and not batched.conforms
    assert _keys(batched) == _keys(whole)
    assert len(batched.by_severity("Violation")) == len(whole.by_severity("Violation"))


@pytest.mark.slow
def test_batched_validation_on_a_generated_corpus_in_workers(tmp_path: Path) -> None:
    from kgbuild.check.batched import validate_in_batches

    write_corpus(tmp_path / "corpus", 12, seed=2)
    kg = kgbuild.build([tmp_path / "corpus"])
    batched = validate_in_batches(kg.dataset, batch_articles=3, workers=2)
    assert _keys(batched) == _keys(kg.validate())


# --- the benchmark command -----------------------------------------------------------------
@pytest.mark.slow
def test_bench_command_runs_on_a_tiny_corpus(repo_root: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "results.json"
    cmd = [sys.executable, str(repo_root / "bench" / "run.py"), "--articles", "3",
           "--memory-sizes", "3", "--memory-modes", "stream", "--triples", "3000",
           "--shacl-triples", "1000", "--no-shacl-big", "--batch-articles", "2",
           "--rdflib-timeout", "20", "--oxigraph-timeout", "20",
           "--work", str(tmp_path / "work"), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results) >= {"machine", "throughput", "memory", "queries", "shacl", "load"}
    assert results["shacl"]["same_results_as_whole_graph"] is True
    assert {r["query"] for r in results["queries"]["rows"]} == {
        p.stem for p in (repo_root / "queries").glob("*.rq")}
    assert "| ratio |" in done.stdout
