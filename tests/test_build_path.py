"""The build path's shortcuts give what the plain ways give.

- results pickled by :mod:`kgbuild.execution.transport` come back equal, shared records
  still shared, and every frozen record class of :mod:`kgbuild.core.model` takes the
  short way;
- :func:`kgbuild.execution.processes.tapered` keeps the stream's order, cuts whole
  batches (all but the last chunk), smaller ones at the end, and reads a bounded
  number of articles ahead;
- the build's triple count and counted subjects equal those of the union of its graphs.
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kgbuild.core import model
from kgbuild.core.namespaces import KG
from kgbuild.execution import transport
from kgbuild.execution.processes import tapered
from kgbuild.execution.step import extract_stream
from kgbuild.graph.rdf import to_graphs
from kgbuild.graph.resolve import resolve
from kgbuild.inputs.articles import read_articles
from kgbuild.kb.knowledge_base import load_kb
from kgbuild.pipeline import _count


@pytest.fixture(scope="module")
def seed_results(seeds_dir: Path) -> tuple[list[Any], list[Any]]:
    articles = list(read_articles([seeds_dir]))
    return articles, list(extract_stream(articles, kb=load_kb()))


def test_transport_gives_back_equal_results(seed_results: tuple[list[Any], list[Any]]) -> None:
    _, results = seed_results
    back = transport.loads(transport.dumps(results))
    assert back == results
    assert back == pickle.loads(pickle.dumps(results))
    # a record named twice comes back as one object, as with plain pickle
    mention = next(m for r in back for m in r.mentions)
    pair = transport.loads(transport.dumps([mention, mention]))
    assert pair[0] is pair[1] and pair[0] == mention


def test_every_frozen_record_class_takes_the_short_way() -> None:
    frozen = {c for c in vars(model).values()
              if isinstance(c, type) and dataclasses.is_dataclass(c)
              and c.__module__ == model.__name__ and c.__dataclass_params__.frozen}
    assert model.Evidence in frozen and model.Mention in frozen
    assert frozen <= set(transport._TABLE)


def test_tapered_keeps_order_and_whole_batches() -> None:
    for n, workers, size, batch in itertools.product((0, 1, 7, 64, 200, 333), (1, 2, 4),
                                                     (1, 4, 32), (1, 4)):
        if size % batch:
            continue
        chunks = list(tapered(range(n), size, batch_size=batch, workers=workers))
        assert [x for c in chunks for x in c] == list(range(n))
        assert all(len(c) % batch == 0 and 0 < len(c) <= size for c in chunks[:-1])
    sizes = [len(c) for c in tapered(range(200), 32, batch_size=4, workers=2)]
    assert sizes[:4] == [32] * 4 and sizes[-1] == 8 and max(sizes[4:]) < 32


def test_tapered_reads_a_bounded_number_ahead() -> None:
    pulled = 0

    def stream() -> Iterator[int]:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield i

    chunks = tapered(stream(), 32, batch_size=4, workers=2)
    first = next(chunks)
    assert first == list(range(32))
    assert pulled <= 3 * 32


def test_count_equals_the_union(seed_results: tuple[list[Any], list[Any]]) -> None:
    articles, results = seed_results
    kb = load_kb()
    graphs = list(to_graphs(resolve(results), articles, kb))
    # the seeds share entities across their graphs: both branches of the count are used
    union = {t for _, triples in graphs for t in triples}
    assert len(union) < sum(len(triples) for _, triples in graphs)
    properties = (KG.trigger, KG.stance, KG.outcome)
    count, counted = _count(graphs, properties)
    assert count == len(union)
    for p in properties:
        assert counted[p] == {s for s, q, _o in union if q == p}
    assert counted[KG.trigger]
