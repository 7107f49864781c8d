"""Old import paths, kept working with a ``DeprecationWarning``.

kgbuild's modules moved into one subpackage per stage (see ARCHITECTURE.md). Code
written against the flat layout (``import kgbuild.validate_scale``,
``from kgbuild.articles import read_articles``) still runs: an import hook answers
each old module name with the new module itself, and the packages that kept an old
name forward the attributes that moved out of them.
Targets are named as strings and imported on first use, so no stage imports
another through this table.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import Any

__all__ = ["MOVED_MODULES", "MOVED_NAMES", "install", "moved_attribute"]

#: old module -> the module that now holds its contents
MOVED_MODULES: dict[str, str] = {
    "kgbuild.errors": "kgbuild.core.errors",
    "kgbuild.config": "kgbuild.core.config",
    "kgbuild.model": "kgbuild.core.model",
    "kgbuild.namespaces": "kgbuild.core.namespaces",
    "kgbuild.names": "kgbuild.core.names",
    "kgbuild.resources": "kgbuild.core.resources",
    "kgbuild.oxterms": "kgbuild.core.oxterms",
    "kgbuild.articles": "kgbuild.inputs.articles",
    "kgbuild.rdfio": "kgbuild.inputs.rdfio",
    "kgbuild.lexicon": "kgbuild.nlp.lexicon",
    "kgbuild.timex": "kgbuild.nlp.timex",
    "kgbuild.gazetteer": "kgbuild.kb.gazetteer",
    "kgbuild.resolve": "kgbuild.graph.resolve",
    "kgbuild.rdf": "kgbuild.graph.rdf",
    "kgbuild.validate": "kgbuild.check.validate",
    "kgbuild.validate_scale": "kgbuild.check.batched",
    "kgbuild.export": "kgbuild.outputs.export",
    "kgbuild.viz": "kgbuild.outputs.viz",
    "kgbuild.parallel": "kgbuild.execution.processes",
    "kgbuild.distributed": "kgbuild.execution.dask_cluster",
    "kgbuild.evaluate": "kgbuild.evaluation.evaluate",
    "kgbuild.synthetic": "kgbuild.evaluation.synthetic",
}

#: (module that kept its name, attribute that left it) -> the module that holds it now
MOVED_NAMES: dict[tuple[str, str], str] = {
    **{("kgbuild.pipeline", name): "kgbuild.kg" for name in ("FORMATS", "load")},
    **{("kgbuild.pipeline", name): "kgbuild.core.files"
       for name in ("check_writable", "write_atomic")},
    ("kgbuild.pipeline", "extract_article"): "kgbuild.execution.step",
    ("kgbuild.pipeline", "WHOLE_VALIDATION_TRIPLES"): "kgbuild.check.engines",
    ("kgbuild.store", "StoreKnowledgeGraph"): "kgbuild.kg.stored",
    **{("kgbuild.execution.processes", name): "kgbuild.execution.step"
       for name in ("ZONE_ARTICLES", "extract_stream")},
    ("kgbuild.execution.processes", "extract_results"): "kgbuild.execution",
}


def _warn(old: str, new: str, *, stacklevel: int) -> None:
    warnings.warn(f"{old} moved to {new}; import it from there (the old path will be "
                  "removed in a future release)", DeprecationWarning, stacklevel=stacklevel)


def moved_attribute(module: str, name: str) -> Any:
    """The attribute ``name`` that left ``module``, with a ``DeprecationWarning``.

    A package's ``__getattr__`` calls this for names it no longer holds.

    Raises:
        AttributeError: ``name`` never was in ``module``.
    """
    target = MOVED_NAMES.get((module, name))
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    # the caller's caller is the package's __getattr__; its caller, the user's code
    _warn(f"{module}.{name}", f"{target}.{name}", stacklevel=4)
    return getattr(importlib.import_module(target), name)


class _Loader(importlib.abc.Loader):
    """Answers an old module name with the new module itself, so that reads, writes and
    monkeypatching through either name reach the same object."""

    def __init__(self) -> None:
        self._spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(MOVED_MODULES[spec.name])
        self._spec = module.__spec__  # the import system sets the old name's spec on it
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec  # put the module's own spec back
        old = next(name for name, new in MOVED_MODULES.items() if new == module.__name__)
        # the import system's own frames are skipped by warnings: this names the importer
        _warn(old, module.__name__, stacklevel=3)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader())


def install() -> None:
    """Answer the old module names (once per process; called by ``kgbuild/__init__``)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_Finder())
