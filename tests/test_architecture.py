"""The package layout is the architecture (ARCHITECTURE.md), and it is checked.

- import-linter's contracts in pyproject.toml hold: stages import only the stages below
  them, the execution strategies are independent, no cycles inside a stage;
- no module is over about 800 lines unless it is data;
- the build never imports the evaluation package;
- old import paths still work, with a DeprecationWarning;
- the graphs are byte for byte the ones recorded before the layout changed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import kgbuild
from kgbuild._compat import MOVED_MODULES, MOVED_NAMES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "kgbuild"
#: modules that are data (word lists), exempt from the size rule
DATA_MODULES = {"nlp/lexicon.py"}
MAX_LINES = 820


def test_import_contracts_hold() -> None:
    importlinter = pytest.importorskip("importlinter", reason="pip install import-linter")
    del importlinter
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert result.stdout.count("KEPT") >= 5


def test_contracts_name_every_stage() -> None:
    """Every subpackage and top-level module sits in a layer: a new package must be placed."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    present = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    present |= {p.stem for p in PACKAGE.glob("*.py")
                if p.stem not in ("__init__", "__main__", "_compat")}
    assert present - placed == set(), "place these in a layer of pyproject.toml"


@pytest.mark.parametrize("path", sorted(
    str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")))
def test_no_module_is_too_big_to_read(path: str) -> None:
    if path in DATA_MODULES:
        return
    lines = (PACKAGE / path).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path} has {lines} lines: split it by responsibility"


def test_the_build_never_imports_evaluation() -> None:
    code = (
        "import sys, kgbuild\n"
        f"kgbuild.build([{str(ROOT / 'seeds')!r}]).serialize(format='nquads')\n"
        "print(sorted(m for m in sys.modules if m.startswith('kgbuild.evaluation')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("old", sorted(MOVED_MODULES))
def test_old_module_paths_still_work_with_a_warning(old: str) -> None:
    code = (
        "import importlib, warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    old = importlib.import_module({old!r})\n"
        f"new = importlib.import_module({MOVED_MODULES[old]!r})\n"
        "assert old is new, (old, new)\n"
        f"assert new.__spec__.name == {MOVED_MODULES[old]!r}, new.__spec__\n"
        "assert new.__all__ and all(getattr(old, n) is getattr(new, n) for n in new.__all__)\n"
        "print([str(w.message) for w in caught if w.category is DeprecationWarning])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"{old} moved to {MOVED_MODULES[old]}" in result.stdout


@pytest.mark.parametrize(("old", "name"), sorted(MOVED_NAMES))
def test_moved_names_still_work_with_a_warning(old: str, name: str) -> None:
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=f"{old}.{name} moved"):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(MOVED_NAMES[(old, name)]), name)


def test_documented_old_paths() -> None:
    """The three paths users are known to use (issue 13), as they would write them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from kgbuild.query import named_query  # the package kept its name: no warning
        assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]
        from kgbuild.articles import read_articles
        from kgbuild.validate_scale import validate_in_batches
    assert named_query("events").name == "events.rq"
    assert read_articles.__module__ == "kgbuild.inputs.articles"
    assert validate_in_batches.__module__ == "kgbuild.check.batched"
    moved = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any("kgbuild.articles moved" in m for m in moved)
    assert any("kgbuild.validate_scale moved" in m for m in moved)
    # the warning points at the line that imported the old path, not at kgbuild
    assert all(Path(w.filename).name == Path(__file__).name for w in caught
               if issubclass(w.category, DeprecationWarning))


def test_monkeypatching_an_old_path_patches_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module("kgbuild.names")
    new = importlib.import_module("kgbuild.core.names")
    monkeypatch.setattr(old, "slugify", lambda text: "patched")
    assert new.slugify("x") == "patched"


def test_public_api_unchanged() -> None:
    assert set(kgbuild.__all__) == {"BuildStats", "KgbuildError", "KnowledgeGraph", "Settings",
                                    "__version__", "build", "load", "load_settings"}
    for name in kgbuild.__all__:
        assert getattr(kgbuild, name) is not None


# --- byte-identical graphs -------------------------------------------------------------------

_DIGESTS = json.loads((ROOT / "tests" / "golden" / "graph-digests.json").read_text("utf-8"))
_HOW = "if the change is meant to change the graph: python scripts/graph_digests.py --write"


@pytest.mark.parametrize(("fmt", "name"), [("trig", "seeds.trig"), ("nquads", "seeds.nq")])
def test_seed_graph_is_byte_identical(fmt: str, name: str) -> None:
    data = kgbuild.build([ROOT / "seeds"]).serialize(format=fmt)
    assert data is not None
    assert hashlib.sha256(data).hexdigest() == _DIGESTS[name], _HOW


@pytest.mark.slow
def test_generated_corpus_graph_is_byte_identical(tmp_path: Path) -> None:
    from kgbuild.evaluation.synthetic import write_corpus

    write_corpus(tmp_path / "corpus", 200, seed=0)
    data = kgbuild.build([tmp_path / "corpus"]).serialize(format="nquads")
    assert data is not None
    assert hashlib.sha256(data).hexdigest() == _DIGESTS["synthetic-200-seed0.nq"], _HOW
