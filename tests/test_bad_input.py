"""Every kind of bad input, through ``kgbuild build`` (click's CliRunner) and ``kgbuild.build``.

The reader's own rules (what is skipped, what only warns, offsets) are tested in
``test_articles.py``; here each bad input sits next to a good article and the
whole command is checked (issue 7):

- the message is on stderr, names the file (and line) and says ``Fix:``;
- the build goes on with the other articles and ends with a summary line;
- the exit code is 1 when an input was skipped, 0 when it only warned;
- ``--strict`` stops at the first problem (exit 2) and writes nothing;
- no traceback for user errors, while ``-v`` shows one (and debug details);
- an interrupted build leaves the previous output file as it was.

Catalogue (input -> behaviour):

============================  =====================================================
missing path                  exit 2 before any work, names the path
empty file                    skipped ("file is empty"), exit 1
empty folder                  exit 2 ("folder has no article files")
binary file                   skipped ("binary file (NUL byte at byte N)"), exit 1
non-UTF-8 text                U+FFFD + warning naming file and byte, exit 0; strict: exit 2
lone surrogates               U+FFFD + warning naming the line, exit 0; strict: exit 2
control characters            kept as they are (valid RDF 1.1), exit 0
10 MB article                 skipped ("N characters long, more than 200,000"), exit 1
HTML with scripts and styles  their text never reaches the graph, exit 0
JSONL line not JSON / no text skipped, names FILE:LINE, exit 1; strict stops at it
duplicate article             skipped with a warning, exit 0 (its text is in the graph)
sidecar with a bad date       date ignored with a warning, exit 0; strict: exit 2
unknown file type             named: skipped, exit 1; in a folder: warning, exit 0
thousands of files            read in sorted order, all built (slow test)
bad gold file (eval)          exit 2, names the file, the JSON path and FORMAT.md
============================  =====================================================
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, URIRef

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.config import Settings
from kgbuild.core.errors import InputError, InputWarning, KgbuildError
from kgbuild.inputs.articles import MAX_ARTICLE_CHARS, read_articles

KG = "https://w3id.org/kgbuild/ontology#"
NIF_IS_STRING = URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString")
FILE_NAME = URIRef(KG + "fileName")
GOOD = "Storm in Ruritania\n\nTroops of Ruritania shelled the town of Zorvan on Monday.\n"


def run(*args: str | Path) -> Result:
    # A wide terminal keeps each message on one line; CliRunner does not catch
    # exceptions into a traceback on stdout: result.exception holds them.
    return CliRunner(env={"COLUMNS": "400"}).invoke(cli, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def article_files(graph: Path) -> set[str]:
    """The ``kg:fileName`` of every article in a TriG file."""
    ds = Dataset(default_union=True)
    ds.parse(graph, format="trig")
    return {str(o) for o in ds.objects(None, FILE_NAME)}


def texts(graph: Path) -> list[str]:
    ds = Dataset(default_union=True)
    ds.parse(graph, format="trig")
    return [str(o) for o in ds.objects(None, NIF_IS_STRING)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding one good article, ``good.txt``."""
    path = tmp_path / "articles"
    path.mkdir()
    (path / "good.txt").write_text(GOOD, encoding="utf-8")
    return path


def assert_reported(result: Result, *needles: str) -> None:
    """The problem is on stderr, with each needle and a fix, without a traceback."""
    err = flat(result.stderr)
    for needle in needles:
        assert needle in err, f"{needle!r} not in stderr:\n{result.stderr}"
    assert "Fix:" in err
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def assert_summary(result: Result, *, articles: int, skipped: int) -> None:
    err = flat(result.stderr)
    assert f"{articles} articles ({skipped} skipped)" in err, result.stderr
    if skipped:
        assert f"{skipped} article(s) skipped" in err
        assert "--strict" in err


# --- one case each ---------------------------------------------------------------------

#: name -> (write the bad input into the folder, what stderr must say, exit code,
#: articles built, articles skipped).  ``{dir}`` in a needle is the folder.
Writer = Callable[[Path], None]


def _write(name: str, data: str | bytes) -> Writer:
    def write(folder: Path) -> None:
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")

    return write


def _jsonl(*lines: object) -> Writer:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return _write("feed.jsonl", text + "\n")


CASES: dict[str, tuple[Writer, list[str], int, int, int]] = {
    "empty-file": (_write("empty.txt", " \n\n"), ["{dir}/empty.txt: file is empty"], 1, 1, 1),
    "binary-file": (
        _write("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ["{dir}/photo.txt: binary file (NUL byte at byte 8)"],
        1,
        1,
        1,
    ),
    "non-utf8": (
        _write("latin1.txt", "Café bomb\n\nA bomb exploded.\n".encode("latin-1")),
        ["{dir}/latin1.txt: not valid UTF-8 at byte 3", "iconv"],
        0,
        2,
        0,
    ),
    "lone-surrogate": (
        _jsonl('{"text": "Troops shelled Ber\\ud800lin on Monday.", "title": "Shelling"}'),
        ["{dir}/feed.jsonl:1: text holds lone surrogate code points (first at character 18)"],
        0,
        2,
        0,
    ),
    "jsonl-not-json": (
        _jsonl({"text": "Rain in Spain\n\nIt rained."}, "{broken", {"title": "no text"}),
        [
            "{dir}/feed.jsonl:2: not valid JSON",
            "{dir}/feed.jsonl:3: missing or empty 'text'",
        ],
        1,
        2,
        2,
    ),
    "duplicate": (
        _write("zcopy.txt", GOOD),
        ["{dir}/zcopy.txt: duplicate of article 'good.txt'; skipped"],
        0,
        1,
        0,
    ),
    "sidecar-bad-date": (
        lambda d: (
            _write("dated.txt", "Rain in Spain\n\nIt rained.\n")(d),
            _write("dated.meta.json", '{"published": "4th of August"}')(d),
        ),
        ["{dir}/dated.meta.json: metadata field 'published' is not an ISO date", "YYYY-MM-DD"],
        0,
        2,
        0,
    ),
    "unknown-type-in-folder": (
        _write("scan.pdf", "%PDF-1.4"),
        ["{dir}/scan.pdf: not an article file; ignored", ".txt, .html, .htm, .jsonl"],
        0,
        1,
        0,
    ),
    "html-scripts-styles": (
        _write(
            "page.html",
            "<html><head><style>p { color: red }</style><script>var secret = 'TRACKER';</script>"
            "</head><body><article><h1>Rain in Spain</h1><p>It rained.</p>"
            "<script>document.write('TRACKER')</script><noscript>TRACKER</noscript>"
            "</article></body></html>",
        ),
        [],
        0,
        2,
        0,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_reported_and_the_build_goes_on(
    case: str, folder: Path, tmp_path: Path
) -> None:
    write, needles, code, articles, skipped = CASES[case]
    write(folder)
    out = tmp_path / "graph.trig"
    result = run("build", folder, "-o", out)
    assert result.exit_code == code, result.output
    if needles:
        assert_reported(result, *(n.format(dir=folder) for n in needles))
    assert_summary(result, articles=articles, skipped=skipped)
    assert "good.txt" in article_files(out)  # the good article is always built
    assert len(article_files(out)) == articles


@pytest.mark.parametrize(
    "case",
    [
        "empty-file",
        "binary-file",
        "non-utf8",
        "lone-surrogate",
        "jsonl-not-json",
        "sidecar-bad-date",
    ],
)
def test_strict_stops_at_the_first_problem_and_writes_nothing(
    case: str, folder: Path, tmp_path: Path
) -> None:
    write, needles, *_ = CASES[case]
    write(folder)
    out = tmp_path / "graph.trig"
    result = run("build", folder, "-o", out, "--strict")
    assert result.exit_code == 2, result.output
    assert_reported(result, "error:", needles[0].format(dir=folder))
    if len(needles) > 1 and ":3:" in needles[1]:
        assert ":3:" not in result.stderr  # stopped at line 2
    assert not out.exists()
    assert list(tmp_path.glob(".graph.trig.*")) == []


def test_strict_still_only_warns_for_duplicates_and_ignored_files(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "copy.txt").write_text(GOOD, encoding="utf-8")
    (folder / "notes.md").write_text("notes", encoding="utf-8")
    result = run("build", folder, "-o", tmp_path / "g.trig", "--strict")
    assert result.exit_code == 0, result.output
    assert "duplicate of article" in result.stderr and "not an article file" in result.stderr


def test_html_script_and_style_text_never_reaches_the_graph(folder: Path, tmp_path: Path) -> None:
    CASES["html-scripts-styles"][0](folder)
    out = tmp_path / "graph.trig"
    assert run("build", folder, "-o", out).exit_code == 0
    page = [t for t in texts(out) if "It rained" in t]
    assert page == ["Rain in Spain\n\nIt rained."]
    assert "TRACKER" not in out.read_text(encoding="utf-8")
    assert "color: red" not in out.read_text(encoding="utf-8")


def test_unknown_file_type_named_explicitly_is_skipped(folder: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_text("%PDF-1.4", encoding="utf-8")
    result = run("build", pdf, folder / "good.txt", "-o", tmp_path / "g.trig")
    assert result.exit_code == 1
    assert_reported(result, f"{pdf}: unknown file type '.pdf'", "give files ending in .txt")
    assert_summary(result, articles=1, skipped=1)


# --- sources that are not there ----------------------------------------------------------


def test_missing_path_stops_before_any_work(folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    out = tmp_path / "graph.trig"
    result = run("build", folder, missing, "-o", out)
    assert result.exit_code == 2
    assert_reported(result, f"{missing}: no such file or folder", "relative paths")
    assert not out.exists()
    with pytest.raises(InputError, match="no such file or folder"):
        kgbuild.build([folder, missing])


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    result = run("build", empty, "-o", tmp_path / "graph.trig")
    assert result.exit_code == 2
    assert_reported(result, f"{empty}: folder has no article files")
    with pytest.raises(InputError, match="folder has no article files"):
        kgbuild.build([empty])


def test_nothing_readable_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    result = run("build", bad, "-o", tmp_path / "graph.trig")
    assert result.exit_code == 2
    assert_reported(result, f"{bad}: binary file", "no article could be read")
    assert not (tmp_path / "graph.trig").exists()


# --- surrogates, control characters, size ----------------------------------------------


def test_lone_surrogates_anywhere_become_replacement_characters(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"text": "Rain\\udc80 in Spain\\n\\nIt rained.", "id": "a\\ud800", '
        '"title": "T\\udfff", "publisher": "P\\ud800"}\n',
        encoding="utf-8",
    )
    problems: list[KgbuildError] = []
    (article,) = read_articles([feed], on_problem=problems.append)
    assert article.text == "Rain\ufffd in Spain\n\nIt rained."
    assert (article.id, article.title, article.publisher) == ("a\ufffd", "T\ufffd", "P\ufffd")
    assert all(isinstance(p, InputWarning) for p in problems) and len(problems) == 4
    kg = kgbuild.build([feed], on_problem=lambda p: None)
    data = kg.serialize(format="nq")
    assert isinstance(data, bytes)
    data.decode("utf-8")  # encodable at all
    quads = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS))
    assert len(quads) == len(list(kg.dataset.quads((None, None, None, None))))


def test_non_utf8_file_name_becomes_a_valid_article_id(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # a surrogate-escaped name on POSIX
    try:
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    problems: list[KgbuildError] = []
    kg = kgbuild.build([tmp_path], on_problem=problems.append)
    assert {str(o) for o in kg.dataset.objects(None, FILE_NAME)} == {"caf\ufffd.txt"}
    assert any("article id" in str(p) for p in problems)
    data = kg.serialize(format="trig")
    assert isinstance(data, bytes)
    list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TRIG))


CONTROLS = "".join(map(chr, [*range(1, 9), 11, 12, *range(14, 32), 127, 0x85, 0x2028]))


def test_control_characters_are_kept_and_the_graph_parses(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    text = f"Rain in Spain\n\nIt rained{CONTROLS} all day.\x00 Troops of Ruritania left.\n"
    feed.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "graph.trig"
    result = run("build", feed, "-o", out)
    assert result.exit_code == 0, result.output
    assert texts(out) == [text]
    quads = list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TRIG))
    strings = {q.object.value for q in quads if q.predicate.value == str(NIF_IS_STRING)}
    assert strings == {text}


def test_a_10_mb_article_is_skipped_without_a_crash(folder: Path, tmp_path: Path) -> None:
    sentence = "Troops shelled the village on Monday, officials said. "
    huge = folder / "huge.txt"
    with huge.open("w", encoding="utf-8") as handle:
        handle.write("A very long report\n\n")
        for _ in range(10 * 1024 * 1024 // len(sentence) + 1):
            handle.write(sentence)
    out = tmp_path / "graph.trig"
    result = run("build", folder, "-o", out)
    assert result.exit_code == 1, result.output
    assert_reported(
        result,
        f"{huge}: article is 10,485,",
        f"characters long, more than the {MAX_ARTICLE_CHARS:,} kgbuild analyses",
        "split it",
    )
    assert_summary(result, articles=1, skipped=1)
    assert article_files(out) == {"good.txt"}


def test_an_article_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Headline\n\n" + "x" * (50 - 10), encoding="utf-8")
    assert len(list(read_articles([path], max_chars=50))) == 1
    with pytest.raises(InputError, match="more than the 49 kgbuild analyses"):
        list(read_articles([path], max_chars=49, strict=True))


# --- many files ------------------------------------------------------------------------


def _many(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(
            f"Report {i}\n\nSoldiers of unit {i} moved to the village of Place{i} on Monday.\n",
            encoding="utf-8",
        )


def test_thousands_of_files_are_read_in_order(tmp_path: Path) -> None:
    _many(tmp_path / "many", 2000)
    ids = [a.id for a in read_articles([tmp_path / "many"])]
    assert ids == [f"a{i:04d}.txt" for i in range(2000)]


@pytest.mark.slow
def test_thousands_of_files_build(tmp_path: Path) -> None:
    _many(tmp_path / "many", 2000)
    (tmp_path / "many" / "zz-bad.txt").write_bytes(b"\x00")
    out = tmp_path / "graph.nq"
    result = run("build", tmp_path / "many", "-o", out)
    assert result.exit_code == 1, result.output
    assert "zz-bad.txt: binary file" in flat(result.stderr)
    names = {
        line.split(" ")[2]
        for line in out.read_text(encoding="utf-8").splitlines()
        if f"<{KG}fileName>" in line
    }
    assert len(names) == 2000


# --- gold files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        pytest.param(
            "001_x.gold.json",
            '{"article": "001_x.txt",\n "events": [}',
            ["001_x.gold.json: line 2", "not valid JSON", "FORMAT.md"],
            id="not-json",
        ),
        pytest.param(
            "001_x.gold.json",
            json.dumps(
                {
                    "article": "001_x.txt",
                    "events": [{"id": "e", "kinds": ["Attack"], "agnet": ["x"]}],
                }
            ),
            ["$.events[0].agnet: unknown key 'agnet'", "did you mean 'agent'"],
            id="bad-key",
        ),
        pytest.param(
            "entities.json",
            "[1, 2]",
            ["entities.json", "FORMAT.md"],
            id="entities-not-object",
        ),
    ],
)
def test_gold_file_that_does_not_follow_the_format(
    tmp_path: Path, folder: Path, name: str, content: str, needles: list[str]
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "entities.json").write_text("{}", encoding="utf-8")
    (gold / name).write_text(content, encoding="utf-8")
    result = run("eval", "--gold", gold, folder)
    assert result.exit_code == 2, result.output
    assert_reported(result, *needles)
    assert result.stdout == ""


# --- -v, summaries, library ---------------------------------------------------------------


def test_verbose_shows_the_traceback_and_details(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    quiet = run("build", empty, "-o", tmp_path / "g.trig")
    loud = run("-v", "build", empty, "-o", tmp_path / "g.trig")
    assert quiet.exit_code == loud.exit_code == 2
    assert "Traceback" not in quiet.output
    assert "Traceback" in loud.stderr and "InputError" in loud.stderr
    assert "folder has no article files" in flat(loud.stderr)


def test_verbose_build_logs_details(folder: Path, tmp_path: Path) -> None:
    (folder / "feed.jsonl").write_text("{broken\n", encoding="utf-8")
    quiet = run("build", folder, "-o", tmp_path / "g.trig")
    loud = run("-v", "build", folder, "-o", tmp_path / "g.trig")
    assert quiet.exit_code == loud.exit_code == 1
    assert "DEBUG" not in quiet.stderr
    assert "'good.txt', 78 characters" in flat(loud.stderr)
    assert "caused by JSONDecodeError" in flat(loud.stderr)


def test_library_build_reports_each_problem_and_counts_skips(folder: Path) -> None:
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "zcopy.txt").write_text(GOOD, encoding="utf-8")
    problems: list[KgbuildError] = []
    kg = kgbuild.build([folder], on_problem=problems.append)
    assert kg.stats.articles == 1 and kg.stats.skipped == 1
    kinds = sorted((type(p).__name__, Path(p.input).name) for p in problems)
    assert kinds == [("InputError", "empty.txt"), ("InputWarning", "zcopy.txt")]
    assert all(p.fix for p in problems)
    assert len(kg.stats.problems) == 2
    with pytest.raises(InputError, match="file is empty"):
        kgbuild.build([folder], settings=Settings(strict=True))


# --- interrupted builds keep the previous output -------------------------------------------


@pytest.mark.parametrize("where", ["extracting", "writing"])
def test_interrupted_build_keeps_the_previous_output(
    where: str, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "graph.trig"
    out.write_bytes(b"# the previous graph\n")
    import kgbuild.core.files as files
    import kgbuild.execution.step as step

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if where == "extracting":
        monkeypatch.setattr(step, "extract_article", interrupt)
    else:
        monkeypatch.setattr(files.os, "fsync", interrupt)
    result = run("build", folder, "-o", out)
    assert result.exit_code != 0
    assert out.read_bytes() == b"# the previous graph\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles", "graph.trig"]


def test_library_build_interrupted_writes_nothing(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "graph.nq"
    out.write_bytes(b"previous\n")
    kg = kgbuild.build([folder])
    import kgbuild.core.files as files

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        kg.serialize(out)
    assert out.read_bytes() == b"previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.undo()
    kg.serialize(out)
    assert out.read_bytes().startswith(b"<")
