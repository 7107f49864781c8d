"""The command line: help, usage errors, exit codes, and end-to-end runs on the seeds.

Tests of the CLI's own logic replace ``kgbuild.build`` / ``kgbuild.load`` with
small fakes; the end-to-end tests at the bottom use the real pipeline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import rdflib
from click.testing import CliRunner, Result

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.config import Settings
from kgbuild.core.errors import QueryTimeout, RDFInputError

COMMANDS = ["build", "validate", "query", "eval", "export"]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------------------ help


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["kgbuild", *COMMANDS])
def test_help_has_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert "kgbuild " in result.stdout


def test_python_dash_m(repo_root: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "kgbuild", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: kgbuild" in done.stdout
    for command in COMMANDS:
        assert command in done.stdout


# ------------------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["build", "{missing}", "-o", "{tmp}/g.trig"], id="build"),
        pytest.param(["validate", "{missing}"], id="validate"),
        pytest.param(["query", "{missing}", "actors"], id="query"),
        pytest.param(["export", "{missing}", "-o", "{tmp}/g.nq"], id="export"),
        pytest.param(["eval", "--gold", "{tmp}", "{missing}"], id="eval"),
    ],
)
def test_missing_path_exits_2_naming_it(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "no-such-thing"
    result = run(*(a.format(missing=missing, tmp=tmp_path) for a in args))
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "no such" in result.stderr
    assert "Traceback" not in result.output


def test_bad_format_exits_2(tmp_path: Path, seeds_dir: Path) -> None:
    result = run("build", seeds_dir, "-o", tmp_path / "g.trig", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr


def test_unknown_suffix_needs_format(tmp_path: Path, seeds_dir: Path) -> None:
    result = run("build", seeds_dir, "-o", tmp_path / "g.xyz")
    assert result.exit_code == 2
    assert "--format" in result.stderr


def test_bad_query_format_exits_2(tmp_path: Path) -> None:
    result = run("query", tmp_path, "actors", "--format", "xml")
    assert result.exit_code == 2


def test_bad_param_exits_2(tmp_path: Path) -> None:
    graph = tmp_path / "g.trig"
    graph.write_text("")
    result = run("query", graph, "actors", "--param", "novalue")
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


def test_query_needs_exactly_one_query(tmp_path: Path) -> None:
    graph = tmp_path / "g.trig"
    graph.write_text("")
    assert run("query", graph).exit_code == 2
    assert run("query", graph, "actors", "--query", "SELECT * {}").exit_code == 2
    assert run("query").exit_code == 2


def test_bad_config_exits_2(tmp_path: Path, seeds_dir: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text("batchsize = 2\n")
    result = run("--config", config, "build", seeds_dir, "-o", tmp_path / "g.trig")
    assert result.exit_code == 2
    assert "unknown setting 'batchsize'" in result.stderr
    assert "batch_size" in result.stderr


# ------------------------------------------------------------------------------ fakes


@dataclass
class FakeKG:
    articles: int = 2
    skipped: int = 0
    calls: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def stats(self) -> SimpleNamespace:
        return SimpleNamespace(
            articles=self.articles,
            skipped=self.skipped,
            triples=120,
            entities=12,
            events=3,
            statements=4,
            claims=2,
            seconds=0.25,
        )

    def serialize(self, out: Path | None, *, format: str) -> bytes | None:
        self.calls.append(("serialize", format))
        data = f"<fake> <graph> <{format}> .\n".encode()
        if out is None:
            return data
        Path(out).write_bytes(data)
        return None

    def validate(self, *, shapes: tuple[Path, ...], engine: str = "auto", workers: int = 1
                 ) -> FakeReport:
        self.calls.append(("validate", shapes))
        return FakeReport(violations=self.skipped)


@dataclass
class FakeReport:
    violations: int

    def __str__(self) -> str:
        return f"{self.violations} violations"

    def __len__(self) -> int:
        return self.violations

    @property
    def conforms(self) -> bool:
        return not self.violations

    def counts(self) -> dict[str, int]:
        return {"Violation": self.violations, "Warning": 0, "Info": 0}

    def exit_code(self, fail_on: str) -> int:
        return 1 if self.violations else 0

    @property
    def graph(self) -> rdflib.Graph:
        return rdflib.Graph()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace kgbuild.build and kgbuild.load; record how they were called."""
    state: dict[str, Any] = {"kg": FakeKG()}

    def build(sources: list[str], *, settings: Settings, progress: Any) -> FakeKG:
        state.update(sources=sources, settings=settings)
        progress(1, 2)
        progress(2, 2)
        return state["kg"]

    def load(path: Path) -> FakeKG:
        state["loaded"] = path
        return state["kg"]

    monkeypatch.setattr(kgbuild, "build", build, raising=False)
    monkeypatch.setattr(kgbuild, "load", load, raising=False)
    return state


def test_build_format_follows_suffix(fake: dict[str, Any], tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "graph.nq"
    result = run("build", seeds_dir, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text().endswith("<nq> .\n")
    assert fake["sources"] == [str(seeds_dir)]
    assert "2 articles (0 skipped), 120 triples" in result.stderr
    assert result.stdout == ""


def test_build_to_stdout_defaults_to_trig(fake: dict[str, Any], seeds_dir: Path) -> None:
    result = run("build", seeds_dir)
    assert result.exit_code == 0, result.output
    assert result.stdout == "<fake> <graph> <trig> .\n"
    result = run("-q", "build", seeds_dir, "-o", "-", "--format", "nt")
    assert result.stdout == "<fake> <graph> <nt> .\n"
    assert result.stderr == ""


def test_build_options_reach_the_settings(
    fake: dict[str, Any], tmp_path: Path, seeds_dir: Path
) -> None:
    kb = tmp_path / "extra.ttl"
    kb.write_text("")
    result = run(
        "build", seeds_dir, "-o", tmp_path / "g.trig", "--workers", "2", "--strict", "--kb", kb
    )
    assert result.exit_code == 0, result.output
    settings: Settings = fake["settings"]
    assert (settings.workers, settings.strict) == (2, True)
    assert settings.kb_paths[-1] == kb


def test_build_with_skipped_articles_exits_1(
    fake: dict[str, Any], tmp_path: Path, seeds_dir: Path
) -> None:
    fake["kg"] = FakeKG(articles=1, skipped=1)
    result = run("build", seeds_dir, "-o", tmp_path / "g.trig")
    assert result.exit_code == 1
    assert (tmp_path / "g.trig").exists()
    assert "1 article(s) skipped" in result.stderr


def test_build_with_no_article_exits_2(
    fake: dict[str, Any], tmp_path: Path, seeds_dir: Path
) -> None:
    fake["kg"] = FakeKG(articles=0, skipped=2)
    assert run("build", seeds_dir, "-o", tmp_path / "g.trig").exit_code == 2


def test_validate_exit_codes_and_report(fake: dict[str, Any], tmp_path: Path) -> None:
    graph = tmp_path / "g.trig"
    graph.write_text("")
    result = run("validate", graph)
    assert result.exit_code == 0 and "0 violations" in result.stderr
    fake["kg"] = FakeKG(skipped=3)  # the fake reports 3 violations
    result = run("validate", graph, "--report", tmp_path / "report.ttl", "--fail-on", "warning")
    assert result.exit_code == 1
    assert (tmp_path / "report.ttl").exists()


def test_kgbuild_errors_map_to_exit_codes(
    fake: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    graph = tmp_path / "g.trig"
    graph.write_text("not rdf")

    def broken(path: Path) -> None:
        raise RDFInputError("cannot parse the graph", input=str(path), fix="give a TriG file")

    monkeypatch.setattr(kgbuild, "load", broken)
    result = run("validate", graph)
    assert result.exit_code == 2
    assert f"error: {graph}: cannot parse the graph. Fix: give a TriG file." in result.stderr
    assert "Traceback" not in result.stderr
    result = run("-v", "validate", graph)
    assert result.exit_code == 2
    assert "Traceback" in result.stderr

    def slow(path: Path) -> None:
        raise QueryTimeout("query ran longer than 1 s", input="actors", fix="raise --timeout")

    monkeypatch.setattr(kgbuild, "load", slow)
    assert run("query", graph, "--query", "SELECT * {}").exit_code == 3


# ------------------------------------------------------------------------------ the real thing


def _pipeline_available() -> bool:
    try:
        from kgbuild import pipeline  # noqa: F401
    except ImportError:
        return False
    return True


requires_pipeline = pytest.mark.skipif(
    not _pipeline_available(), reason="kgbuild.pipeline (build/load) is not available yet"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    if not _pipeline_available():
        pytest.skip("kgbuild.pipeline (build/load) is not available yet")
    out = tmp_path_factory.mktemp("cli") / "graph.trig"
    result = run("build", seeds_dir, "-o", out)
    assert result.exit_code == 0, result.output
    return out


@requires_pipeline
def test_build_seeds_writes_a_graph(built: Path) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(built, format="trig")
    assert len(dataset) + sum(len(g) for g in dataset.graphs()) > 0


@requires_pipeline
def test_validate_seeds_graph(built: Path) -> None:
    result = run("validate", built)
    assert result.exit_code == 0, result.output


@requires_pipeline
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_query_seeds_graph(built: Path, fmt: str) -> None:
    result = run("query", built, "actors", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Armenia" in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)["head"]["vars"][:3] == ["actor", "label", "kind"]
    if fmt == "csv":
        assert result.stdout.splitlines()[0].startswith("actor,label,kind")


def test_query_list() -> None:
    pytest.importorskip("kgbuild.query.sparql", reason="kgbuild.query.sparql is not available yet")
    result = run("query", "--list")
    assert result.exit_code == 0, result.output
    assert "actors" in result.stdout and "provenance" in result.stdout


def test_unknown_query_name_exits_2(tmp_path: Path) -> None:
    pytest.importorskip("kgbuild.query.sparql", reason="kgbuild.query.sparql is not available yet")
    graph = tmp_path / "g.trig"
    graph.write_text("")
    result = run("query", graph, "no-such-query")
    assert result.exit_code == 2
    assert "actors" in result.stderr  # the valid names are listed


@requires_pipeline
def test_export_seeds_graph(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.nq"
    result = run("export", built, "-o", out)
    assert result.exit_code == 0, result.output
    rdflib.Dataset().parse(out, format="nquads")
