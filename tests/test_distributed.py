"""The Dask mode builds exactly the serial graph (a LocalCluster on 127.0.0.1).

The cluster tests are slow (CI runs them): a two-worker cluster in this process
talking TCP on 127.0.0.1, so every chunk of articles and every result crosses a
real serialisation boundary; and ``--dask local`` through the command line, which
starts worker processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kgbuild
from kgbuild.core.config import Settings
from kgbuild.core.errors import ConfigError
from kgbuild.evaluation.synthetic import write_corpus
from kgbuild.execution import processes as parallel
from kgbuild.execution.dask_cluster import PipelinePlugin, connect

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.mark.slow
def test_seeds_on_a_local_cluster(client: Any, seeds_dir: Path) -> None:
    serial = kgbuild.build([seeds_dir])
    on_dask = kgbuild.build([seeds_dir], dask=client)
    assert on_dask.stats.articles == 2
    for fmt in ("trig", "nquads"):
        assert on_dask.serialize(None, format=fmt) == serial.serialize(None, format=fmt), fmt
    plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert all(PipelinePlugin().name in names for names in plugins.values())


@pytest.mark.slow
def test_generated_corpus_on_a_local_cluster(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CHUNK_ARTICLES", 4)  # five tasks over two workers
    write_corpus(tmp_path / "corpus", 20, seed=5)
    serial = kgbuild.build([tmp_path / "corpus"])
    on_dask = kgbuild.build([tmp_path / "corpus"], dask=client)
    assert on_dask.stats.articles == 20
    assert on_dask.serialize(None, format="nquads") == serial.serialize(None, format="nquads")


@pytest.mark.slow
def test_cli_dask_local(seeds_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kgbuild.cli import cli

    out = tmp_path / "graph.nq"
    result = CliRunner().invoke(cli, ["build", str(seeds_dir), "-o", str(out), "--dask", "local"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == kgbuild.build([seeds_dir], settings=Settings()).serialize(
        None, format="nquads"
    )


def test_an_unreachable_scheduler_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler") as info, connect(
        "tcp://127.0.0.1:9", timeout=1
    ):
        pass
    assert "dask scheduler" in info.value.fix


def test_an_address_must_be_text() -> None:
    with pytest.raises(ConfigError, match="not a Dask scheduler address"), connect(42):
        pass
