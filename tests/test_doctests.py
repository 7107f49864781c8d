"""The ``>>>`` examples in the library's docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import kgbuild

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(kgbuild.__path__, prefix="kgbuild.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in MODULES])
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples refer to seeds/ and queries/ relative to the root
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
