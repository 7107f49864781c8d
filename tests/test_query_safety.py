"""Nothing a user hands kgbuild reaches the network or other files (issue 7).

A local listener (a socket on 127.0.0.1, on a free port, with a bounded accept
loop) stands in for "the network": every hostile query or RDF file below names
it, and the listener must receive nothing, through the library and through the
command line, with both query engines.  One positive control per path shows that
the listener does hear a request when the user opts in with ``allow_service``,
so silence means refusal and not a broken listener.

Covered: ``SERVICE`` (refused unless opted in), ``FROM`` / ``FROM NAMED`` (always
refused, URLs and ``file:`` alike), queries written to hide a ``SERVICE`` from
one engine's parser (``\\u`` escapes, a comment ended by a lone carriage return),
the timeout (exit 3) and the row limit (``truncated``), and the RDF files users
pass in: RDF/XML with DOCTYPE or entities, JSON-LD with remote contexts, and the
size cap, for ``load``, ``validate --shapes``, ``query``, ``export`` and ``--kb``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Literal, URIRef

import kgbuild
from kgbuild.cli import cli
from kgbuild.core.errors import InputError, QueryError, QueryTimeout, RDFInputError
from kgbuild.inputs.rdfio import ENV_MAX_BYTES, check_rdf, parse_rdf
from kgbuild.kb.knowledge_base import load_kb
from kgbuild.kg.graph import KnowledgeGraph
from kgbuild.query import QueryResult, run_query

ENGINES = ("rdflib", "oxigraph")


class Listener:
    """Accepts connections on 127.0.0.1 and records what each one sends.

    The accept loop polls every 0.1 s, stops at ``close()`` or after 20
    connections, and answers each one with an HTTP 500 so clients give up.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and len(self.requests) < 20:
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1.0)
                try:
                    self.requests.append(conn.recv(4096) or b"(connected)")
                    conn.sendall(
                        b"HTTP/1.1 500 Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    self.requests.append(b"(connected)")

    def heard(self) -> list[bytes]:
        """What arrived so far (after a short wait for a connection in flight)."""
        self._stop.wait(0.05)
        return list(self.requests)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": "400", **(env or {})})
    return runner.invoke(cli, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


# --- a small graph --------------------------------------------------------------------

KGR = "https://w3id.org/kgbuild/id/"


def _dataset(rows: int = 5) -> Dataset:
    ds = Dataset(default_union=True)
    graph = ds.graph(URIRef(KGR + "graph/a.txt"))
    for i in range(rows):
        graph.add((URIRef(f"{KGR}thing/{i}"), URIRef(KGR + "p"), Literal(f"value {i}")))
    return ds


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "graph.trig"
    KnowledgeGraph(_dataset()).serialize(path)
    return path


# --- hostile queries --------------------------------------------------------------------

#: name -> query template ({url} is the listener); every one must be refused.
REFUSED = {
    "service": "SELECT * WHERE { ?s ?p ?o . SERVICE <{url}/sparql> { ?a ?b ?c } }",
    "service-silent": "SELECT * WHERE { ?s ?p ?o . SERVICE SILENT <{url}/sparql> { ?a ?b ?c } }",
    "service-lowercase": "select * where { ?s ?p ?o . service <{url}/sparql> { ?a ?b ?c } }",
    "service-variable": (
        "SELECT * WHERE { VALUES ?e { <{url}/sparql> } ?s ?p ?o . SERVICE ?e { ?a ?b ?c } }"
    ),
    "service-in-optional": (
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}/sparql> { ?s ?b ?c } } }"
    ),
    "service-in-subquery": (
        "SELECT * WHERE { ?s ?p ?o { SELECT ?a WHERE { SERVICE <{url}/sparql> { ?a ?b ?c } } } }"
    ),
    "service-escaped": "SELECT * WHERE { ?s ?p ?o . \\u0053ERVICE <{url}/sparql> { ?a ?b ?c } }",
    # rdflib ends a comment only at LF, Oxigraph also at CR: without care, Oxigraph
    # would run a SERVICE that rdflib's check read as part of the comment.
    "service-after-cr-comment": (
        "SELECT * WHERE { ?s ?p ?o # note\rSERVICE <{url}/sparql> { ?a ?b ?c }\n}"
    ),
    "service-glued-to-dot": "SELECT * WHERE { ?s ?p ?o .SERVICE<{url}/sparql>{ ?a ?b ?c } }",
    "from": "SELECT * FROM <{url}/x.ttl> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <{url}/x.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-file": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "from-escaped": "SELECT * \\u0046ROM <{url}/x.ttl> WHERE { ?s ?p ?o }",
}

#: Queries that are harmless once both engines read the same text; they may run
#: or be refused, but never call out.  Before the fix, rdflib saw an empty string
#: and a comment where Oxigraph saw a string and a SERVICE.
HARMLESS = {
    "escaped-quote-hides-service": (
        'SELECT * WHERE { ?s ?p ?o FILTER(?o != "\\u0022 #" ) '
        'SERVICE <{url}/sparql> { ?a ?b ?c } FILTER("x"\n) }'
    ),
}


def _query(template: str, listener: Listener) -> str:
    return template.replace("{url}", listener.url)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(REFUSED))
def test_hostile_query_is_refused_and_sends_nothing(
    name: str, engine: str, listener: Listener
) -> None:
    sparql = _query(REFUSED[name], listener)
    with pytest.raises(QueryError) as info:
        run_query(_dataset(), sparql, engine=engine, timeout=10)  # type: ignore[arg-type]
    assert not isinstance(info.value, QueryTimeout)
    assert ("SERVICE is disabled" in str(info.value)) or ("FROM" in str(info.value))
    assert info.value.fix
    assert listener.heard() == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(HARMLESS))
def test_parser_differences_cannot_smuggle_a_service(
    name: str, engine: str, listener: Listener
) -> None:
    sparql = _query(HARMLESS[name], listener)
    with contextlib.suppress(QueryError):  # refused or run: either way, nothing sent
        run_query(_dataset(), sparql, engine=engine, timeout=10)  # type: ignore[arg-type]
    assert listener.heard() == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["service", "from", "from-file", "service-after-cr-comment"])
def test_hostile_query_through_the_cli_exits_2_and_sends_nothing(
    name: str, engine: str, listener: Listener, graph_file: Path
) -> None:
    sparql = _query(REFUSED[name], listener)
    result = run("query", graph_file, "--engine", engine, "--query", sparql)
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr and "Fix:" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert listener.heard() == []


def test_hostile_query_file_through_the_cli(
    listener: Listener, graph_file: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "hostile.rq"
    rq.write_text(_query(REFUSED["service-variable"], listener), encoding="utf-8")
    result = run("query", graph_file, rq)
    assert result.exit_code == 2
    assert "SERVICE is disabled" in flat(result.stderr)
    assert "--allow-service" in flat(result.stderr) or "allow_service" in flat(result.stderr)
    assert listener.heard() == []


def test_knowledge_graph_query_refuses_service(listener: Listener) -> None:
    kg = KnowledgeGraph(_dataset())
    with pytest.raises(QueryError, match="SERVICE is disabled"):
        kg.query(_query(REFUSED["service"], listener))
    assert listener.heard() == []


# Positive controls: the listener does hear a SERVICE call once the user opts in.


@pytest.mark.parametrize("engine", ENGINES)
def test_opt_in_lets_service_through_library(engine: str, listener: Listener) -> None:
    sparql = _query(REFUSED["service"], listener)
    with contextlib.suppress(QueryError):  # the listener answers 500
        run_query(_dataset(), sparql, engine=engine, timeout=10, allow_service=True)  # type: ignore[arg-type]
    heard = listener.heard()
    assert heard, "the listener heard nothing: the refusal tests above prove nothing"
    assert b"/sparql" in heard[0]


def test_opt_in_lets_service_through_cli(listener: Listener, graph_file: Path) -> None:
    sparql = _query(REFUSED["service"], listener)
    run("query", graph_file, "--engine", "oxigraph", "--allow-service", "--query", sparql)
    assert listener.heard(), "--allow-service did not reach the listener"


@pytest.mark.parametrize("engine", ENGINES)
def test_from_stays_refused_even_with_allow_service(engine: str, listener: Listener) -> None:
    with pytest.raises(QueryError, match="FROM"):
        run_query(
            _dataset(),
            _query(REFUSED["from"], listener),
            engine=engine,  # type: ignore[arg-type]
            allow_service=True,
        )
    assert listener.heard() == []


@pytest.mark.parametrize("engine", ENGINES)
def test_words_inside_strings_iris_and_names_are_not_keywords(engine: str) -> None:
    sparql = (
        "PREFIX service: <urn:x:>\n"
        "SELECT ?from WHERE { ?from <https://w3id.org/kgbuild/id/p> ?o "
        'FILTER(?o != "SERVICE <http://x/> FROM") FILTER(?from != service:from) } # SERVICE'
    )
    result = run_query(_dataset(), sparql, engine=engine)  # type: ignore[arg-type]
    assert len(result) == 5


# --- timeout and row limit --------------------------------------------------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_timed_out_query_exits_3_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "big.trig"
    KnowledgeGraph(_dataset(rows=60)).serialize(path)
    result = run("query", path, "--query", SLOW, "--timeout", "0.3")
    assert result.exit_code == 3, result.output
    assert "longer than 0.3 s" in flat(result.stderr)
    assert "raise the timeout" in flat(result.stderr)
    assert result.stdout == ""  # no partial answer that looks complete
    assert "Traceback" not in result.output


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("limit", "rows", "truncated"),
    [(2, 2, True), (5, 5, False), (6, 5, False), (None, 5, False), (0, 0, True)],
)
def test_row_limit_says_when_it_truncated(
    engine: str, limit: int | None, rows: int, truncated: bool
) -> None:
    result = run_query(
        _dataset(),
        "SELECT ?s WHERE { ?s ?p ?o }",
        engine=engine,  # type: ignore[arg-type]
        limit=limit,
    )
    assert (len(result), result.truncated) == (rows, truncated)


def test_truncated_table_says_so() -> None:
    result = QueryResult(vars=("s",), rows=((Literal("a"),),), truncated=True)
    assert result.to_table().endswith("(1 row, truncated at the row limit)")
    assert not QueryResult(vars=("s",), rows=()).truncated


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_limit_notice_goes_to_stderr(graph_file: Path, fmt: str) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    cut = run("query", graph_file, "--query", query, "--limit", "2", "--format", fmt)
    assert cut.exit_code == 0, cut.output
    assert "truncated" in cut.stderr and "--limit" in flat(cut.stderr)
    assert "thing/2" not in cut.stdout and "thing/1" in cut.stdout
    whole = run("query", graph_file, "--query", query, "--limit", "10", "--format", fmt)
    assert whole.exit_code == 0 and "truncated" not in whole.stderr
    assert "thing/4" in whole.stdout


# --- RDF files the user passes in -------------------------------------------------------

RDF_XML = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:x:">
  <rdf:Description rdf:about="urn:x:a"><ex:p>{value}</ex:p></rdf:Description>
</rdf:RDF>
"""


def _xxe(url: str, secret: Path) -> str:
    doctype = (
        f'<!DOCTYPE rdf:RDF [<!ENTITY net SYSTEM "{url}/xxe">'
        f'<!ENTITY file SYSTEM "{secret.as_uri()}">]>\n'
    )
    body = RDF_XML.replace("{value}", "&net;&file;")
    head, rest = body.split("\n", 1)
    return f"{head}\n{doctype}{rest}"


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
""" + RDF_XML.split("\n", 1)[1].replace("{value}", "&lol2;")


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "variant", ["xxe", "xxe-utf16", "bomb", "doctype-only", "xxe-unknown-suffix"]
)
def test_rdf_xml_with_doctype_or_entities_is_refused(
    variant: str, tmp_path: Path, listener: Listener, secret: Path
) -> None:
    text = {
        "xxe": _xxe(listener.url, secret),
        "xxe-utf16": _xxe(listener.url, secret).replace('encoding="utf-8"', 'encoding="utf-16"'),
        "bomb": BOMB,
        "doctype-only": RDF_XML.replace("?>\n", '?>\n<!DOCTYPE rdf:RDF SYSTEM "x.dtd">\n', 1),
        "xxe-unknown-suffix": _xxe(listener.url, secret),
    }[variant].replace("{value}", "v")
    suffix = ".data" if variant == "xxe-unknown-suffix" else ".rdf"
    path = tmp_path / f"graph{suffix}"
    path.write_bytes(text.encode("utf-16" if variant == "xxe-utf16" else "utf-8"))
    with pytest.raises(RDFInputError, match=r"DOCTYPE|ENTITY") as info:
        check_rdf(path)
    assert info.value.fix
    if suffix == ".rdf":
        with pytest.raises(RDFInputError, match="refused"):
            kgbuild.load(path)
    assert listener.heard() == []


def test_plain_rdf_xml_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdf"
    path.write_text(RDF_XML.replace("{value}", "v"), encoding="utf-8")
    kg = kgbuild.load(path)
    assert (URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("v")) in kg.dataset


@pytest.mark.parametrize("command", ["validate", "query", "export"])
def test_cli_refuses_xxe_graph(
    command: str, tmp_path: Path, listener: Listener, secret: Path
) -> None:
    path = tmp_path / "graph.rdf"
    path.write_text(_xxe(listener.url, secret), encoding="utf-8")
    args: list[str | Path] = [command, path]
    if command == "query":
        args.append("actors")
    if command == "export":
        args += ["-o", tmp_path / "out.nq"]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "DOCTYPE declaration (line 2) is refused" in flat(result.stderr)
    assert "TOP-SECRET" not in result.output
    assert "Traceback" not in result.output
    assert listener.heard() == []


def test_cli_refuses_xxe_shapes(
    tmp_path: Path, listener: Listener, secret: Path, graph_file: Path
) -> None:
    shapes = tmp_path / "shapes.rdf"
    shapes.write_text(_xxe(listener.url, secret), encoding="utf-8")
    result = run("validate", graph_file, "--shapes", shapes)
    assert result.exit_code == 2, result.output
    assert str(shapes) in flat(result.stderr) and "refused" in result.stderr
    assert listener.heard() == []


@pytest.mark.parametrize("where", ["context", "context-list", "import", "nested"])
def test_jsonld_with_a_remote_context_is_refused(
    where: str, tmp_path: Path, listener: Listener
) -> None:
    remote = f"{listener.url}/context.jsonld"
    context = {
        "context": remote,
        "context-list": [{"ex": "urn:x:"}, remote],
        "import": {"@import": remote},
        "nested": {"ex": "urn:x:", "p": {"@id": "ex:p", "@context": remote}},
    }[where]
    document = {"@context": context, "@id": "urn:x:a", "urn:x:p": "v"}
    path = tmp_path / "graph.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(RDFInputError, match="remote context"):
        kgbuild.load(path)
    result = run("export", path, "-o", tmp_path / "out.nq")
    assert result.exit_code == 2 and "remote context" in result.stderr
    assert listener.heard() == []


def test_jsonld_with_an_inline_context_loads(tmp_path: Path) -> None:
    path = tmp_path / "graph.jsonld"
    path.write_text(
        json.dumps({"@context": {"ex": "urn:x:"}, "@id": "urn:x:a", "ex:p": "v"}), encoding="utf-8"
    )
    assert len(kgbuild.load(path)) == 1


def test_size_cap_library(graph_file: Path) -> None:
    size = graph_file.stat().st_size
    with pytest.raises(RDFInputError, match="more than the limit of 100 bytes") as info:
        kgbuild.load(graph_file, max_bytes=100)
    assert ENV_MAX_BYTES in info.value.fix
    assert len(kgbuild.load(graph_file, max_bytes=size)) == 5
    with pytest.raises(RDFInputError, match="more than the limit"):
        parse_rdf(graph_file, max_bytes=size - 1)


@pytest.mark.parametrize("command", ["validate", "query", "export"])
def test_size_cap_cli(command: str, graph_file: Path, tmp_path: Path) -> None:
    args: list[str | Path] = [command, graph_file]
    if command == "query":
        args.append("actors")
    if command == "export":
        args += ["-o", tmp_path / "out.nq"]
    result = run(*args, env={ENV_MAX_BYTES: "100"})
    assert result.exit_code == 2, result.output
    assert "more than the limit of 100 bytes" in flat(result.stderr)
    assert f"{ENV_MAX_BYTES}=" in flat(result.stderr)
    raised = run(*args, env={ENV_MAX_BYTES: str(10**9)})
    assert raised.exit_code in (0, 1), raised.output  # 1: the tiny graph violates shapes


def test_bad_size_setting_is_named(graph_file: Path) -> None:
    result = run("export", graph_file, env={ENV_MAX_BYTES: "lots"})
    assert result.exit_code == 2
    assert f"{ENV_MAX_BYTES}: must be a positive number of bytes, not 'lots'" in flat(result.stderr)


def test_kb_files_are_parsed_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = tmp_path / "extra.ttl"
    kb.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
    assert load_kb([kb], include_default=False).entities == {}
    big = tmp_path / "big.ttl"  # another path: load_kb caches by paths
    big.write_bytes(kb.read_bytes())
    monkeypatch.setenv(ENV_MAX_BYTES, "10")
    with pytest.raises(InputError, match="knowledge-base file cannot be read") as info:
        load_kb([big], include_default=False)
    assert info.value.input == str(big)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    monkeypatch.delenv(ENV_MAX_BYTES)
    with pytest.raises(InputError, match="cannot parse the file as turtle"):
        load_kb([broken], include_default=False)
