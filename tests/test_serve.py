"""The read-only SPARQL endpoint, tested with a standard client (SPARQLWrapper).

An endpoint over a small generated store runs on a free port of 127.0.0.1 for the
module.  What is checked: SELECT, ASK and CONSTRUCT answers; updates refused in
every form; a slow query stopped at the timeout with a clear error (and the
endpoint still answering afterwards); SERVICE refused and FROM not fetched (a
local listener receives nothing); malformed requests get 4xx codes; only loopback
Host names; a graph file can be served too; a build cannot write a served store;
``kgbuild serve`` starts, answers and stops on Ctrl-C (slow).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed

import kgbuild
from kgbuild.core.errors import StoreError
from kgbuild.serve import Endpoint
from kgbuild.store import StoreWriter

SUBJECTS = 40  # 120 triples: a four-way cross product has 2e8 rows, far past the timeout
EX = "http://example.org/"


def _make_store(folder: Path) -> Path:
    with StoreWriter(folder) as writer:
        for g in range(2):
            triples = []
            for i in range(g, SUBJECTS, 2):
                s = URIRef(f"{EX}item/{i}")
                triples += [(s, URIRef(EX + "value"), Literal(i)),
                            (s, URIRef(EX + "name"), Literal(f"item {i}")),
                            (s, URIRef(EX + "group"), URIRef(f"{EX}group/{g}"))]
            writer.replace_graph(f"{EX}graph/{g}", triples)
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_store(tmp_path_factory.mktemp("serve") / "kg")


@pytest.fixture(scope="module")
def endpoint(store: Path) -> Iterator[Endpoint]:
    with Endpoint(store, port=0, timeout=2.0, workers=2).start() as ep:
        yield ep


def client(ep: Endpoint, query: str, fmt: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(ep.url + "query")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setTimeout(30)
    return sparql


def http(ep: Endpoint, path: str = "query", *, method: str = "GET", data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(ep.url + path, data=data, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP listener that records every connection it gets."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(4096))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


# --- answers ---------------------------------------------------------------------------------


def test_binds_to_loopback_by_default(endpoint: Endpoint) -> None:
    assert endpoint.url.startswith("http://127.0.0.1:")
    assert endpoint.triples == SUBJECTS * 3


def test_select(endpoint: Endpoint) -> None:
    result = client(endpoint, f"SELECT ?s ?v WHERE {{ ?s <{EX}value> ?v }} ORDER BY ?v LIMIT 3"
                    ).queryAndConvert()
    rows = result["results"]["bindings"]
    assert [int(r["v"]["value"]) for r in rows] == [0, 1, 2]
    assert rows[0]["s"] == {"type": "uri", "value": f"{EX}item/0"}


def test_select_over_the_union_and_with_post(endpoint: Endpoint) -> None:
    sparql = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sparql.setMethod(POST)
    assert sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == str(SUBJECTS * 3)
    sparql.setRequestMethod(POSTDIRECTLY)
    assert sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == str(SUBJECTS * 3)


def test_select_as_xml_csv_tsv(endpoint: Endpoint) -> None:
    query = f"SELECT ?v WHERE {{ <{EX}item/3> <{EX}value> ?v }}"
    document = client(endpoint, query, XML).queryAndConvert()
    assert "3" in document.toxml()
    for media in ("text/csv", "text/tab-separated-values"):
        status, ctype, body = http(endpoint, "query?query=" + urllib.request.quote(query),
                                   headers={"Accept": media})
        assert status == 200 and ctype.startswith(media) and "3" in body


def test_ask(endpoint: Endpoint) -> None:
    assert client(endpoint, f"ASK {{ <{EX}item/1> ?p ?o }}").queryAndConvert()["boolean"] is True
    assert client(endpoint, f"ASK {{ <{EX}item/999> ?p ?o }}").queryAndConvert()["boolean"] is False


@pytest.mark.parametrize("fmt", [pytest.param(TURTLE, id="turtle"), pytest.param(XML, id="rdfxml")])
def test_construct(endpoint: Endpoint, fmt: str) -> None:
    query = f"CONSTRUCT {{ ?s <{EX}label> ?n }} WHERE {{ ?s <{EX}name> ?n }}"
    sparql = client(endpoint, query, fmt)
    result = sparql.queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) == SUBJECTS
    assert (URIRef(f"{EX}item/5"), URIRef(EX + "label"), Literal("item 5")) in graph


def test_graph_selection_with_from_and_the_protocol(endpoint: Endpoint) -> None:
    one = client(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{EX}graph/0> WHERE {{ ?s ?p ?o }}")
    assert one.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == str(SUBJECTS // 2 * 3)
    sparql = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sparql.addParameter("default-graph-uri", f"{EX}graph/1")
    count = sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]
    assert count == str(SUBJECTS // 2 * 3)


def test_query_page(endpoint: Endpoint) -> None:
    status, ctype, body = http(endpoint, "")
    assert status == 200 and ctype.startswith("text/html")
    assert "<textarea" in body and "SERVICE is disabled" in body and "<script src" not in body


# --- refused -----------------------------------------------------------------------------------


def test_updates_are_refused(endpoint: Endpoint, store: Path) -> None:
    update = f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}"
    sparql = client(endpoint, update)
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as caught:  # sent as update=...
        sparql.query()
    assert caught.value.code == 403
    sparql.setRequestMethod(POSTDIRECTLY)  # sent as application/sparql-update
    with pytest.raises(urllib.error.HTTPError) as caught:
        sparql.query()
    assert caught.value.code == 403
    for text in (update, f"PREFIX ex: <{EX}>\n# a comment\nDROP ALL", "clear all"):
        status, _, body = http(endpoint, "query?query=" + urllib.request.quote(text))
        assert status == 403 and "read-only" in body
    count = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").queryAndConvert()
    assert count["results"]["bindings"][0]["n"]["value"] == str(SUBJECTS * 3)


def test_a_slow_query_is_stopped(endpoint: Endpoint) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.perf_counter()
    with pytest.raises(urllib.error.HTTPError) as caught:
        client(endpoint, slow).query()
    elapsed = time.perf_counter() - started
    assert caught.value.code == 503
    assert "longer than 2 s and was stopped" in caught.value.read().decode()
    assert 1.9 < elapsed < 10
    # the endpoint still answers, at once, with both workers
    for _ in range(3):
        started = time.perf_counter()
        assert client(endpoint, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True
        assert time.perf_counter() - started < 5


def test_service_is_refused_and_from_not_fetched(endpoint: Endpoint,
                                                 listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    remote = f"http://127.0.0.1:{port}/sparql"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{remote}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z . SERVICE\n<{remote}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{remote}> {{ ?s ?p ?o }} }}",
    ):
        status, _, body = http(endpoint, "query?query=" + urllib.request.quote(query))
        assert status in (400, 403), (query, body)
    status, _, body = http(endpoint, "query?query=" + urllib.request.quote(
        f"SELECT * FROM <{remote}> FROM NAMED <{remote}> WHERE {{ ?s ?p ?o }}"),
        headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and '"bindings":[]' in body.replace(" ", "")
    time.sleep(0.5)
    assert received == []


def test_malformed_requests(endpoint: Endpoint) -> None:
    with pytest.raises(QueryBadFormed):
        client(endpoint, "SELECT ?s WHERE { ?s ").query()
    cases = [
        ("query", "GET", None, {}, 400),  # no query
        ("query?query=%FF%FE", "GET", None, {}, 400),  # not UTF-8
        ("query?query=ASK%7B%7D&query=ASK%7B%7D", "GET", None, {}, 400),  # two queries
        ("query", "POST", b"ASK {}", {"Content-Type": "text/plain"}, 415),
        ("query", "POST", b"\xff\xfe", {"Content-Type": "application/sparql-query"}, 400),
        ("query?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", "GET", None, {}, 400),
        ("query?query=ASK%7B%7D", "GET", None, {"Accept": "image/png"}, 406),
        ("query?query=ASK%7B%7D", "PUT", b"", {}, 405),
        ("query?query=ASK%7B%7D", "DELETE", None, {}, 405),
        ("elsewhere", "GET", None, {}, 404),
    ]
    for path, method, data, headers, expected in cases:
        status, ctype, body = http(endpoint, path, method=method, data=data, headers=headers)
        assert status == expected, (path, method, status, body)
        if method != "HEAD":
            assert ctype.startswith("text/plain") and body.strip()


def test_huge_queries_are_refused(endpoint: Endpoint) -> None:
    for extra in (10, 100_000):  # the query text, then the request body, is too long
        huge = "ASK { ?s ?p ?o } # " + "x" * (endpoint.max_query_bytes + extra)
        status, _, body = http(endpoint, method="POST", data=huge.encode(),
                               headers={"Content-Type": "application/sparql-query"})
        assert status == 413 and re.search(r"(longer|larger) than 1000000 bytes", body), body
    # a request line over http.server's limit
    status, _, _ = http(endpoint, "query?query=" + "x" * 70000)
    assert status == 414


def test_foreign_host_names_are_refused(endpoint: Endpoint) -> None:
    status, _, body = http(endpoint, "query?query=ASK%7B%7D",
                           headers={"Host": f"attacker.example:{endpoint.port}"})
    assert status == 403 and "Host" in body
    status, _, _ = http(endpoint, "query?query=ASK%7B%7D",
                        headers={"Host": f"localhost:{endpoint.port}"})
    assert status == 200


def test_large_results_are_refused_not_cut(store: Path) -> None:
    with Endpoint(store, port=0, timeout=5, workers=1, max_result_bytes=500).start() as ep:
        with pytest.raises(EndPointInternalError) as caught:
            client(ep, "SELECT * WHERE { ?s ?p ?o }").query()
        assert "larger than 500 bytes" in str(caught.value)
        assert client(ep, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True


# --- sources and the store lock ------------------------------------------------------------------


def test_serves_a_graph_file(tmp_path: Path) -> None:
    path = tmp_path / "g.trig"
    path.write_text(
        f"<{EX}g> {{ <{EX}a> <{EX}p> 1 . }}\n<{EX}b> <{EX}p> 2 .\n", encoding="utf-8")
    with Endpoint(path, port=0, workers=1).start() as ep:
        result = client(ep, f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o").queryAndConvert()
        assert [r["o"]["value"] for r in result["results"]["bindings"]] == ["1", "2"]


def test_a_build_cannot_write_a_served_store(endpoint: Endpoint, store: Path,
                                             seeds_dir: Path) -> None:
    with pytest.raises(StoreError, match="in use"):
        kgbuild.build([seeds_dir], store=store)


def test_serving_fails_while_a_build_writes(tmp_path: Path) -> None:
    folder = _make_store(tmp_path / "kg")
    with StoreWriter(folder), pytest.raises(StoreError, match="is writing into it"):
        Endpoint(folder, port=0)
    with pytest.raises(StoreError, match="not a kgbuild store"):
        Endpoint(tmp_path, port=0)


def test_port_in_use(endpoint: Endpoint, store: Path) -> None:
    with pytest.raises(kgbuild.KgbuildError, match="pick another --port"):
        Endpoint(store, port=endpoint.port, workers=1)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [pytest.param(signal.SIGINT, id="store-ctrl-c"),
                                  pytest.param(signal.SIGTERM, id="file-sigterm")])
def test_cli_serve(store: Path, repo_root: Path, tmp_path: Path, stop: int) -> None:
    source = store
    if stop == signal.SIGTERM:  # serve a graph file: it goes into a temporary store
        source = tmp_path / "g.nq"
        source.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n", encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(repo_root / "src"), TMPDIR=str(temp))
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "serve", str(source), "--port", "0", "--timeout", "3"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stderr is not None
        line = ""
        deadline = time.monotonic() + 120
        while "serving" not in line and time.monotonic() < deadline:
            line += process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)query", line)
        assert match, line
        sparql = SPARQLWrapper(match.group(1) + "query")
        sparql.setQuery("ASK { ?s ?p ?o }")
        sparql.setReturnFormat(JSON)
        assert sparql.queryAndConvert()["boolean"] is True
    finally:
        process.send_signal(stop)
        code = process.wait(30)
    assert code == 0
    assert list(temp.iterdir()) == []  # the temporary store is gone
