"""Issue 12, cases 1-4 and 8: what an attacker (or an unlucky input) could do, and does not.

1. RDF/XML with a DOCTYPE is refused in every encoding an XML parser detects (UTF-16
   and UTF-32 without a byte-order mark included), by the parser itself: a
   billion-laughs file finishes at once through ``export``, ``validate --shapes``,
   ``query``, ``--kb`` and ``kgbuild.load``.
2. A query that would take gigabytes (a three-way cross join with ORDER BY) is
   stopped by its memory cap: exit 3 from ``kgbuild query``, 503 from the endpoint.
3. Only regular files are read: FIFOs, sockets, link loops and broken links in a
   folder are reported and skipped; a link out of the folder is refused unless
   ``--follow-symlinks``; a FIFO named as a source is an error, never a hang.
4. The endpoint answers 200 concurrent clients with 200 or 503, never a reset; a
   client that goes away costs one log line, no traceback.
8. ``kgbuild serve FILE`` stopped by SIGTERM while loading leaves no temporary store.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.errors import (
    InputError,
    InputWarning,
    KgbuildError,
    QueryMemoryExceeded,
    RDFInputError,
)
from kgbuild.inputs.articles import read_articles
from kgbuild.inputs.rdfio import SAFE_XML_FORMAT, DTDForbidden, check_rdf
from kgbuild.query import run_query
from kgbuild.serve import LISTEN_BACKLOG, Endpoint

ROOT = Path(__file__).resolve().parents[1]
SECRET = "EXPANDED-ENTITY-VALUE"
ENTITY_DOC = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret "{SECRET}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/a"><ex:p>&secret;</ex:p></rdf:Description>
</rdf:RDF>
"""
# ten levels of ten: 10^10 "lol"s when expanded
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY lol0 "lol">\n'
    + "".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n"
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://ex.org/">\n'
    '  <rdf:Description rdf:about="http://ex.org/a"><ex:p>&lol9;</ex:p></rdf:Description>\n'
    "</rdf:RDF>\n"
)
PLAIN_DOC = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/a"><ex:p>plain</ex:p></rdf:Description>
</rdf:RDF>
"""
# (encoding, byte-order mark): expat detects UTF-16 without a BOM from the "<?xml" bytes
ENCODINGS = [
    pytest.param("utf-16-le", b"", id="utf16le-no-bom"),
    pytest.param("utf-16-be", b"", id="utf16be-no-bom"),
    pytest.param("utf-16-le", b"\xff\xfe", id="utf16le-bom"),
    pytest.param("utf-32-le", b"", id="utf32le-no-bom"),
    pytest.param("utf-32-be", b"", id="utf32be-no-bom"),
    pytest.param("utf-32-le", b"\xff\xfe\x00\x00", id="utf32le-bom"),
    pytest.param("utf-8", b"", id="utf8"),
]


def cli_run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False,
                                terminal_width=200)
    return result.exit_code, result.stdout, result.stderr


# --- case 1: DOCTYPE refused in every encoding --------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
def test_case1_doctype_is_refused_in_every_encoding(tmp_path: Path, encoding: str,
                                                    bom: bytes) -> None:
    path = tmp_path / "g.rdf"
    path.write_bytes(bom + ENTITY_DOC.encode(encoding))
    with pytest.raises(RDFInputError) as info:
        kgbuild.load(path)
    # UTF-32 is not an encoding expat reads: the file is refused as unreadable XML
    assert "DOCTYPE declaration (line 2) is refused" in str(info.value) or (
        "utf-32" in encoding and "cannot parse the file as XML" in str(info.value))
    code, out, err = cli_run("export", path, "-o", "-")
    assert code == 2, err
    assert SECRET not in out and SECRET not in err
    assert "Traceback" not in err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_case1_the_parser_itself_refuses_a_dtd(encoding: str) -> None:
    """Even without kgbuild's prolog check, rdflib's RDF/XML parser as registered by
    kgbuild raises on the DOCTYPE before any entity is defined."""
    with pytest.raises(DTDForbidden):
        Graph().parse(data=ENTITY_DOC.encode(encoding), format=SAFE_XML_FORMAT)
    graph = Graph().parse(data=PLAIN_DOC.encode(encoding), format=SAFE_XML_FORMAT)
    assert (URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal("plain")) in graph


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8"])
def test_case1_plain_rdf_xml_still_loads_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "g.rdf"
    path.write_bytes(PLAIN_DOC.encode(encoding))
    assert len(kgbuild.load(path)) == 1


def test_case1_check_rdf_scans_xml_whatever_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "shapes.data"  # a suffix that names no format
    path.write_bytes(ENTITY_DOC.encode("utf-16-be"))
    with pytest.raises(RDFInputError, match="DOCTYPE"):
        check_rdf(path)
    turtle = tmp_path / "other.data"
    turtle.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n")
    assert check_rdf(turtle) is None  # an IRI's "<" is not taken for XML


_LAUGHS_SCRIPT = """
import json, sys, time
from pathlib import Path
from click.testing import CliRunner
import kgbuild
from kgbuild.cli import cli
from kgbuild.core.errors import KgbuildError

lol, graph, article = (Path(p) for p in sys.argv[1:4])
runs = {
    "export": ["export", lol, "-o", "-"],
    "query": ["query", lol, "--query", "SELECT * WHERE { ?s ?p ?o }"],
    "validate --shapes": ["validate", graph, "--shapes", lol],
    "build --kb": ["build", article, "--kb", lol, "-o", str(graph) + ".out.trig"],
}
out = {}
for name, args in runs.items():
    started = time.perf_counter()
    result = CliRunner().invoke(cli, [str(a) for a in args])
    out[name] = [result.exit_code, round(time.perf_counter() - started, 2),
                 result.stderr[-3000:]]
started = time.perf_counter()
try:
    kgbuild.load(lol)
    out["load"] = [0, 0, "loaded"]
except KgbuildError as exc:
    out["load"] = [2, round(time.perf_counter() - started, 2), str(exc)]
print(json.dumps(out))
"""


def test_case1_billion_laughs_in_utf16_without_bom_stops_at_once(tmp_path: Path) -> None:
    """A subprocess with a timeout: before the fix, validate --shapes pinned a core."""
    lol = tmp_path / "lol.rdf"
    lol.write_bytes(LAUGHS.encode("utf-16-le"))
    graph = tmp_path / "g.ttl"
    graph.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n")
    article = tmp_path / "a.txt"
    article.write_text("Storm in Ruritania\n\nTroops shelled the town of Zorvan.\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, "-c", _LAUGHS_SCRIPT, lol, graph, article],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (code, seconds, message) in outcome.items():
        assert code == 2, (name, message)
        assert seconds < 10, (name, seconds)
        assert "lollollol" not in message
    for name in ("export", "query", "validate --shapes", "load"):
        assert "DOCTYPE" in outcome[name][2], outcome[name]
    # --kb files are Turtle: the XML does not parse as Turtle, and nothing is expanded
    kb_message = " ".join(outcome["build --kb"][2].split())
    assert "lol.rdf: knowledge-base file cannot be read" in kb_message


# --- case 2: memory cap --------------------------------------------------------------------

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 triples, about the seed graph's size: a three-way cross join has 3e9 rows."""
    path = tmp_path_factory.mktemp("cap") / "g.nt"
    lines = [f'<http://ex.org/s{i}> <http://ex.org/p{i % 7}> "value {i}" .' for i in range(1500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_case2_rdflib_query_is_stopped_by_its_memory_cap(graph_file: Path) -> None:
    dataset = kgbuild.load(graph_file).dataset
    started = time.monotonic()
    with pytest.raises(QueryMemoryExceeded, match="more than 64 MiB") as info:
        run_query(dataset, CROSS, memory_mb=64, timeout=120)
    assert time.monotonic() - started < 60
    assert info.value.exit_code == 3
    # the same graph answers a reasonable query with the same cap
    assert len(run_query(dataset, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", memory_mb=64)) == 3


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_case2_kgbuild_query_exits_3_at_the_cap(graph_file: Path, engine: str) -> None:
    """A subprocess: Oxigraph's ORDER BY cannot be interrupted in a thread, the command
    stops by exiting (before the cap, this query grew by gigabytes in seconds)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "kgbuild", "query", str(graph_file), "--query", CROSS,
         "--engine", engine, "--memory-mb", "64", "--timeout", "120"],
        capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "needed more than 64 MiB of memory" in done.stderr
    assert "--memory-mb" in done.stderr and "Traceback" not in done.stderr


def _get(url: str, query: str, timeout: float = 60) -> tuple[int, str]:
    target = url + "query?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_case2_endpoint_worker_is_stopped_at_its_memory_cap(graph_file: Path) -> None:
    with Endpoint(graph_file, port=0, timeout=60, workers=1, memory_mb=64).start() as ep:
        started = time.monotonic()
        status, body = _get(ep.url, CROSS)
        assert status == 503, body
        assert "needed more than 64 MiB of memory" in body
        assert time.monotonic() - started < 30
        status, body = _get(ep.url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
        assert status == 200, body  # a new worker took over


def test_case2_memory_cap_is_a_setting(tmp_path: Path) -> None:
    from kgbuild.core.config import Settings, load_settings

    assert Settings().query_memory_mb == 1024
    config = tmp_path / "k.toml"
    config.write_text("query_memory_mb = 256\n")
    assert load_settings(config_file=config, project_dir=tmp_path).query_memory_mb == 256


# --- case 3: only regular files --------------------------------------------------------------

GOOD = "Storm in Ruritania\n\nTroops of Ruritania shelled the town of Zorvan on Monday.\n"


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    """A source folder with one article and every kind of entry that must not be read."""
    folder = tmp_path / "src"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret\n\nThe password is hunter2.\n", encoding="utf-8")
    (folder / "link-out.txt").symlink_to(outside)
    (folder / "link-in.txt").symlink_to(folder / "good.txt")  # inside: the same article
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    sock.close()
    return folder


def test_case3_only_regular_files_are_read_and_every_skip_is_reported(
        hostile_folder: Path) -> None:
    problems: list[KgbuildError] = []
    articles = list(read_articles([hostile_folder], on_problem=problems.append))
    assert [a.id for a in articles] == ["good.txt"]
    assert all("hunter2" not in a.text for a in articles)
    named = {Path(p.input).name: p for p in problems}
    assert isinstance(named["link-out.txt"], InputError)
    assert not isinstance(named["link-out.txt"], InputWarning)
    assert "outside the source folder; refused" in str(named["link-out.txt"])
    assert "--follow-symlinks" in str(named["link-out.txt"])
    for name, words in (("pipe.txt", "FIFO"), ("sock.txt", "socket"),
                        ("loop-a.txt", "loop"), ("loop-b.txt", "loop"),
                        ("dangling.txt", "broken symbolic link"), ("up", "folder")):
        assert isinstance(named[name], InputWarning), name
        assert words in str(named[name]), str(named[name])


def test_case3_follow_symlinks_reads_what_links_point_to(hostile_folder: Path) -> None:
    problems: list[KgbuildError] = []
    articles = list(read_articles([hostile_folder], on_problem=problems.append,
                                  follow_symlinks=True))
    assert sorted(a.id for a in articles) == ["good.txt", "link-out.txt"]
    # the folder loop is walked once, and reported
    assert any("already read" in str(p) for p in problems)


def test_case3_cli_refuses_links_out_unless_follow_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    code, _, err = cli_run("build", folder, "-o", tmp_path / "g.trig", "--no-validate")
    assert code == 1, err  # the refused link counts as a skipped input
    # the log handler wraps long lines anywhere: compare without white space
    assert "passwd.txt:asymboliclinkto/etc/passwd,outsidethesourcefolder" in "".join(err.split())
    assert "root:" not in (tmp_path / "g.trig").read_text(encoding="utf-8")


def test_case3_a_fifo_named_as_a_source_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "news.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"FIFO \(named pipe\), not a regular file"):
        read_articles([fifo])
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, "-m", "kgbuild", "build", str(fifo), "-o",
                           str(tmp_path / "g.trig")], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "news.txt: a FIFO (named pipe), not a regular file" in " ".join(done.stderr.split())


def test_case3_a_file_that_became_a_fifo_is_not_opened_blocking(tmp_path: Path) -> None:
    """The race guard: an entry checked as a file and replaced by a FIFO before it is read."""
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    problems: list[KgbuildError] = []
    # checked now, read as the iterator advances
    stream = read_articles([tmp_path], on_problem=problems.append)
    path.unlink()
    os.mkfifo(path)
    outcome: list[object] = []

    def consume() -> None:
        try:
            outcome.extend(stream)
        except InputError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    reader.join(20)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert any("FIFO (named pipe), not a regular file" in str(p) for p in problems), problems
    assert isinstance(outcome[-1], InputError)  # no article could be read


# --- case 4: many clients ------------------------------------------------------------------


def test_case4_two_hundred_concurrent_clients_get_200_or_503(graph_file: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d <http://ex.org/p1> ?f }"
    with Endpoint(graph_file, port=0, timeout=30, workers=1, queue_size=4).start() as ep:
        assert ep.httpd.request_queue_size == LISTEN_BACKLOG >= 128
        barrier = threading.Barrier(200)
        results: list[object] = []
        lock = threading.Lock()

        def client() -> None:
            barrier.wait()
            try:
                status, _ = _get(ep.url, slow, timeout=60)
            except Exception as exc:  # a reset, a timeout: the failure this test is about
                status = repr(exc)
            with lock:
                results.append(status)

        threads = [threading.Thread(target=client) for _ in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    counts = Counter(results)
    assert set(counts) <= {200, 503}, counts
    assert counts[200] >= 1 and sum(counts.values()) == 200, counts


def test_case4_a_client_that_goes_away_is_one_log_line(
        graph_file: Path, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    with caplog.at_level(logging.WARNING, logger="kgbuild.serve.endpoint"), \
            Endpoint(graph_file, port=0, timeout=30, workers=1).start() as ep:
        for _ in range(3):
            conn = socket.create_connection(("127.0.0.1", ep.port))
            query = urllib.parse.urlencode({"query": CROSS.replace("ORDER BY ?c ?f ?i", "")})
            conn.sendall(f"GET /query?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            # reset the connection (SO_LINGER 0): the server's answer meets a closed socket
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and sum(
                "went away" in r.getMessage() for r in caplog.records) < 3:
            time.sleep(0.2)
    gone = [r for r in caplog.records if "went away" in r.getMessage()]
    assert len(gone) == 3, [r.getMessage() for r in caplog.records]
    assert all(r.exc_info is None for r in gone)
    assert "Traceback" not in capsys.readouterr().err


# --- case 8: SIGTERM while loading -----------------------------------------------------------


def test_case8_sigterm_while_loading_leaves_no_temporary_store(tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as handle:
        for i in range(150_000):
            handle.write(f'<http://ex.org/s{i}> <http://ex.org/p> "value {i}" .\n')
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TMPDIR=str(temp))
    process = subprocess.Popen([sys.executable, "-m", "kgbuild", "serve", str(big), "--port", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        deadline = time.monotonic() + 60
        while not list(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(temp.iterdir()), "the server never started loading"
        time.sleep(0.3)  # well inside the loading (it takes seconds)
        process.terminate()
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert "serving" not in err, "the file loaded before SIGTERM: make it bigger"
    assert list(temp.iterdir()) == [], "the temporary store was left behind"
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_case2_the_file_limit_follows_the_memory_budget(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kgbuild.inputs.rdfio import (
        BYTES_FACTOR,
        DEFAULT_MAX_BYTES,
        ENV_MEMORY_MB,
        MEMORY_BUDGET_MB,
    )

    assert DEFAULT_MAX_BYTES == MEMORY_BUDGET_MB * 2**20 // BYTES_FACTOR  # about 82 MiB
    path = tmp_path / "g.nt"
    path.write_text(f'<http://ex.org/a> <http://ex.org/p> "{"x" * 30_000}" .\n')
    monkeypatch.setenv(ENV_MEMORY_MB, "1")  # 1 MiB of memory: a 20 KiB file
    with pytest.raises(RDFInputError, match="memory budget is 1 MiB") as info:
        kgbuild.load(path)
    assert "KGBUILD_MEMORY_MB" in str(info.value)
    monkeypatch.setenv(ENV_MEMORY_MB, "2")
    assert len(kgbuild.load(path)) == 1


_PEAK_SCRIPT = """
import sys
import kgbuild
def status(key):
    # VmHWM is this process's own peak; ru_maxrss would count the parent's memory at fork
    for line in open('/proc/self/status'):
        if line.startswith(key + ':'):
            return int(line.split()[1]) * 1024
before = status('VmRSS')
kg = kgbuild.load(sys.argv[1])
print(len(kg), status('VmHWM') - before)
"""


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_case2_reading_stays_within_the_documented_factor(tmp_path: Path, fmt: str) -> None:
    """The factor the limit is derived from holds for a graph of short, distinct triples."""
    from kgbuild.inputs.rdfio import BYTES_FACTOR

    path = tmp_path / f"g.{fmt}"
    lines = [f'<http://ex.org/s{i}> <http://ex.org/p{i % 50}> "v{i}" .' for i in range(40_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, str(path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    triples, grown = (int(x) for x in done.stdout.split())
    assert triples == 40_000
    assert grown <= BYTES_FACTOR * path.stat().st_size, (grown, path.stat().st_size)
