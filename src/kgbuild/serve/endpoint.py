"""A read-only SPARQL 1.1 Protocol endpoint, with a query page, over a store or a graph file.

``kgbuild serve DIR|FILE`` runs :func:`serve`.  The endpoint answers ``GET`` and
``POST`` queries at ``/query`` (also ``/sparql``, and ``/`` when a ``query``
parameter is given) and shows a query page at ``/``.

Why not the ``oxigraph serve-read-only`` binary: it follows ``SERVICE`` clauses
to any URL (a query can make it send requests into the local network) and has
no switch to turn that off.  This endpoint is a small ``http.server`` in front
of worker processes that open the store read-only with pyoxigraph:

- **read-only**: updates are refused (403), whether sent as ``update=``, as
  ``application/sparql-update``, or as ``query=``; the workers open the store
  read-only anyway;
- **no network**: a query with ``SERVICE`` is refused (403) before it runs (the
  lexical check of :mod:`kgbuild.query.sparql`, on the canonical text that is then
  run); ``FROM`` and ``FROM NAMED`` only pick graphs of the store, Oxigraph never
  fetches them.  Without them (or ``default-graph-uri``) a query runs over the
  union of all graphs;
- **bounded**: a query runs in a worker process that is killed and replaced when
  it runs longer than the timeout, or when the worker's resident memory grows
  by more than ``memory_mb`` MiB during the query (503 with a message: never a
  partial answer; the parent reads the worker's ``/proc`` size every 20 ms);
  queries longer than ``max_query_bytes`` get 413 and results larger than
  ``max_result_bytes`` get 500 with a message;
- **busy**: the socket's listen backlog holds :data:`LISTEN_BACKLOG` connections,
  and at most ``queue_size`` queries wait for a free worker; a query beyond that
  gets 503 at once (a complete answer, never a connection reset).  A client that
  goes away, or is refused, costs one log line, never a traceback;
- **local**: it binds to 127.0.0.1 unless told otherwise, and while it does it
  answers only requests whose ``Host`` is a loopback name (against DNS
  rebinding from web pages);
- malformed requests get 400, unknown paths 404, other methods 405, unknown
  bodies 415, unsatisfiable ``Accept`` headers 406.

>>> _is_update("PREFIX ex: <http://ex/#> INSERT DATA { ex:a ex:b ex:c }")
True
>>> _is_update("# comment\\nSELECT * WHERE { ?s ?p ?o }")
False
>>> _negotiate("text/csv;q=0.5, application/sparql-results+json", "solutions")[1]
'application/sparql-results+json'
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import queue
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kgbuild.core.errors import KgbuildError, QueryError, RDFInputError
from kgbuild.core.namespaces import PREFIXES

__all__ = ["DEFAULT_PORT", "LISTEN_BACKLOG", "Endpoint", "serve"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 7878
#: Connections the kernel queues before they are accepted (``listen(2)`` backlog).
LISTEN_BACKLOG = 128
_POLL = 0.02  # seconds between two reads of a busy worker's memory
_PATHS = ("/", "/query", "/sparql")
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
_MAX_FIELDS = 64
_DRAIN_BYTES = 16 * 1024 * 1024  # a too-large body up to this size is read before the 413

# media type -> pyoxigraph format, for query solutions (SELECT, ASK) and graphs (CONSTRUCT,
# DESCRIBE); the first entry of each is the default.
_RESULT_TYPES: dict[str, tuple[Any, str]] = {
    "application/sparql-results+json": (ox.QueryResultsFormat.JSON,
                                         "application/sparql-results+json"),
    "application/json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "application/sparql-results+xml": (ox.QueryResultsFormat.XML,
                                       "application/sparql-results+xml"),
    "application/xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "text/xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "text/csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "text/tab-separated-values": (ox.QueryResultsFormat.TSV,
                                  "text/tab-separated-values; charset=utf-8"),
}
_GRAPH_TYPES: dict[str, tuple[Any, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "application/x-turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "text/plain": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "application/xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "text/xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "application/json": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}

_UPDATE_WORDS = re.compile(
    r"(?i)(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:-])"
)
_PROLOGUE = re.compile(
    r"(?i)\s+|#[^\n]*|BASE\s*<[^<>\s]*>|PREFIX\s*[\w.-]*:\s*<[^<>\s]*>"
)


def _is_update(text: str) -> bool:
    """Whether the SPARQL text is an update (its first keyword after the prologue)."""
    pos = 0
    while True:
        match = _PROLOGUE.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
    return _UPDATE_WORDS.match(text, pos) is not None


def _negotiate(accept: str | None, kind: str) -> tuple[Any, str] | None:
    """Pick the result format for an ``Accept`` header; None when nothing fits.

    Args:
        accept: the header (None or empty: the default format).
        kind: ``"solutions"`` (SELECT, ASK) or ``"triples"`` (CONSTRUCT, DESCRIBE).

    Returns:
        ``(pyoxigraph format, response media type)``.
    """
    table = _RESULT_TYPES if kind == "solutions" else _GRAPH_TYPES
    default = next(iter(table.values()))
    if not accept or not accept.strip():
        return default
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and weight > 0:
            ranges.append((-weight, index, media.lower()))
    for _, _, media in sorted(ranges):
        if media in table:
            return table[media]
        if media == "*/*" or (media.endswith("/*") and default[1].startswith(media[:-1])):
            return default
    return None


# --------------------------------------------------------------------------- workers


class _TooLarge(Exception):
    pass


class _CappedBuffer:
    """A write-only byte buffer that refuses to grow past ``cap`` bytes."""

    def __init__(self, cap: int) -> None:
        self.data = bytearray()
        self.cap = cap

    def write(self, chunk: bytes) -> int:
        if len(self.data) + len(chunk) > self.cap:
            raise _TooLarge
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass


def _answer(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes]:
    """Run one query in a worker: (HTTP status, content type, body)."""
    options: dict[str, Any] = {}
    if job["default_graphs"]:
        options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    # otherwise the default graph: it holds the union of all graphs (kgbuild.store.oxstore),
    # or the query's own FROM picks its graphs
    if job["named_graphs"]:
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        result = store.query(job["query"], **options)
    except SyntaxError as exc:
        return _text(400, f"the query cannot be parsed: {exc}")
    except ValueError as exc:
        return _text(400, f"bad request: {exc}")
    kind = "triples" if isinstance(result, ox.QueryTriples) else "solutions"
    chosen = _negotiate(job["accept"], kind)
    if chosen is None:
        wanted = ", ".join(sorted({v[1] for v in (_RESULT_TYPES if kind == "solutions"
                                                  else _GRAPH_TYPES).values()}))
        return _text(406, f"cannot answer in the media types of the Accept header; use one of "
                          f"{wanted}")
    fmt, media = chosen
    out = _CappedBuffer(job["max_bytes"])
    try:
        result.serialize(out, fmt)
    except _TooLarge:
        return _text(500, f"the result is larger than {job['max_bytes']} bytes and was not "
                          "sent; add a LIMIT, or restart the server with a larger "
                          "--max-result-mb")
    except SyntaxError as exc:
        return _text(400, f"the query cannot be evaluated: {exc}")
    except (OSError, ValueError, TypeError) as exc:
        return _text(500, f"the query failed while running: {exc}")
    return 200, media, bytes(out.data)


def _text(status: int, message: str) -> tuple[int, str, bytes]:
    return status, "text/plain; charset=utf-8", (message.rstrip(".") + ".\n").encode("utf-8")


def _worker_main(conn: Any, database: str) -> None:
    """A worker process: open the store read-only, answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's business
    try:
        store = ox.Store.read_only(database)
    except (OSError, RuntimeError) as exc:
        conn.send(_text(500, f"the store cannot be opened: {exc}"))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = _answer(store, job)
        except RuntimeError as exc:  # RocksDB: a damaged data file
            from kgbuild.store.oxstore import damaged_store

            reply = _text(500, str(damaged_store(database, exc)))
        except Exception as exc:  # anything else: report, keep serving
            reply = _text(500, f"the query failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, database: Path) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(database)),
                                       name="kgbuild-sparql-worker", daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class _Pool:
    """Worker processes, each with the store open; a query that overruns its time or
    memory kills its worker, which is replaced."""

    def __init__(self, database: Path, size: int, *, memory_mb: int | None = None,
                 queue_size: int = 64) -> None:
        self._database = database
        self._context = multiprocessing.get_context("forkserver")
        # Workers are forked from a server that has already imported kgbuild.
        self._context.set_forkserver_preload(["kgbuild.serve.endpoint"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.memory_mb = memory_mb
        #: queries running or waiting for a worker; more get 503 at once
        self._slots = threading.BoundedSemaphore(size + queue_size)
        self.capacity = size + queue_size
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._database)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._spawn())

    def run(self, job: dict[str, Any], *, timeout: float) -> tuple[int, str, bytes]:
        if not self._slots.acquire(blocking=False):
            return _text(503, f"the endpoint is busy: {self.capacity} queries are running or "
                              "waiting. Try again later")
        try:
            return self._run(job, timeout=timeout)
        finally:
            self._slots.release()

    def _run(self, job: dict[str, Any], *, timeout: float) -> tuple[int, str, bytes]:
        from kgbuild.query.sparql import rss_bytes

        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return _text(503, f"every worker is busy; no query could start within {timeout:g} s. "
                              "Try again later")
        started = time.monotonic()
        cap = None if self.memory_mb is None else self.memory_mb * 1024 * 1024
        base = rss_bytes(worker.process.pid) if cap is not None else None
        try:
            worker.conn.send(job)
            while True:
                remaining = timeout - (time.monotonic() - started)
                if remaining <= 0:
                    break
                if worker.conn.poll(remaining if base is None else min(_POLL, remaining)):
                    reply: tuple[int, str, bytes] = worker.conn.recv()
                    self._idle.put(worker)
                    return reply
                now = rss_bytes(worker.process.pid) if base is not None else None
                if cap is not None and base is not None and now is not None \
                        and now - base > cap:
                    self._replace(worker)
                    log.warning("query stopped: its worker grew by %d MiB (cap %d MiB)",
                                (now - base) // (1024 * 1024), self.memory_mb)
                    return _text(503, f"the query needed more than {self.memory_mb} MiB of "
                                      "memory and was stopped; add a LIMIT, narrower patterns "
                                      "or fewer joins (ORDER BY and GROUP BY over a cross join "
                                      "hold every row), or restart the server with a larger "
                                      "--memory-mb")
        except (EOFError, OSError) as exc:
            self._replace(worker)
            return _text(500, f"the query worker died ({type(exc).__name__}); try again")
        self._replace(worker)
        log.info("query stopped after %.1f s", time.monotonic() - started)
        return _text(503, f"the query ran longer than {timeout:g} s and was stopped; add a "
                          "LIMIT or narrower patterns, or restart the server with a longer "
                          "--timeout")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()


# --------------------------------------------------------------------------- HTTP


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kgbuild SPARQL endpoint</title>
<style>
body {{ font: 15px system-ui, sans-serif; margin: 2em; max-width: 70em; }}
textarea {{ width: 100%; height: 14em; font: 13px monospace; }}
table {{ border-collapse: collapse; margin-top: 1em; font-size: 13px; }}
td, th {{ border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }}
pre {{ background: #f4f4f4; padding: 1em; overflow: auto; }}
.error {{ color: #a00; white-space: pre-wrap; }}
</style></head>
<body>
<h1>kgbuild SPARQL endpoint</h1>
<p>{source} &middot; read-only &middot; queries run over the union of all graphs and stop
after {timeout:g} s &middot; SERVICE is disabled. The endpoint is <code>/query</code>
(SPARQL 1.1 Protocol, GET or POST).</p>
<form id="f"><textarea id="q" name="query" spellcheck="false">{example}</textarea>
<p><button type="submit">Run</button> <span id="status"></span></p></form>
<div id="out"></div>
<script>
document.getElementById("f").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const out = document.getElementById("out"), status = document.getElementById("status");
  out.textContent = ""; status.textContent = "running...";
  const started = performance.now();
  let response;
  try {{
    response = await fetch("query", {{method: "POST",
      headers: {{"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"}},
      body: new URLSearchParams({{query: document.getElementById("q").value}})}});
  }} catch (err) {{ status.textContent = ""; out.textContent = String(err); return; }}
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  const body = await response.text();
  if (!response.ok) {{
    status.textContent = response.status + " " + response.statusText;
    const p = document.createElement("p"); p.className = "error"; p.textContent = body;
    out.appendChild(p); return;
  }}
  if (!type.startsWith("application/sparql-results+json")) {{
    status.textContent = seconds + " s";
    const pre = document.createElement("pre"); pre.textContent = body; out.appendChild(pre);
    return;
  }}
  const data = JSON.parse(body);
  if ("boolean" in data) {{
    status.textContent = seconds + " s"; out.textContent = String(data.boolean); return;
  }}
  const vars = data.head.vars, rows = data.results.bindings;
  status.textContent = rows.length + " row(s), " + seconds + " s";
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of vars) {{
    const th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th);
  }}
  for (const row of rows) {{
    const tr = table.insertRow();
    for (const v of vars) {{ tr.insertCell().textContent = row[v] ? row[v].value : ""; }}
  }}
  out.appendChild(table);
}});
</script>
</body></html>
"""


def _example_query() -> str:
    prefixes = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("kg", "rdfs") if p in PREFIXES)
    return (f"{prefixes}\nSELECT ?type (COUNT(?s) AS ?n)\nWHERE {{ ?s a ?type }}\n"
            "GROUP BY ?type\nORDER BY DESC(?n)\nLIMIT 20\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG
    endpoint: Endpoint

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line for a client that went away; a traceback only for our own bugs."""
        exc = sys.exc_info()[1]
        who = client_address[0] if isinstance(client_address, tuple) else client_address
        if isinstance(exc, ConnectionError | TimeoutError):
            log.warning("client %s went away before its answer was sent (%s)", who,
                        type(exc).__name__)
            return
        log.error("error while answering %s", who, exc_info=exc)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "kgbuild-sparql"
    sys_version = ""
    timeout = 60  # seconds a client may take to send its request

    # ---- plumbing
    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, content_type: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(*_text(status, message), headers=headers)

    def _refuse_method(self) -> None:
        self._fail(405, f"{self.command} is not allowed; this read-only endpoint answers "
                        "GET and POST queries", headers={"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _refuse_method

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # ---- the request
    def _host_allowed(self) -> bool:
        if not self.server.endpoint.loopback:
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = host.strip().lower()
        if name.startswith("["):
            name = name[: name.find("]") + 1]
        else:
            name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
        return name in _LOOPBACK_NAMES or name == self.server.endpoint.host

    def _handle(self) -> None:
        endpoint = self.server.endpoint
        if not self._host_allowed():
            self._fail(403, "unexpected Host header: this server answers requests for "
                            "127.0.0.1 or localhost only")
            return
        url = urlsplit(self.path)
        if url.path not in _PATHS:
            self._fail(404, f"no such page {url.path!r}; the endpoint is /query")
            return
        try:
            params = parse_qs(url.query, keep_blank_values=True, max_num_fields=_MAX_FIELDS,
                              errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            self._fail(400, f"malformed query string ({exc})")
            return
        queries = list(params.get("query", []))
        if self.command == "POST":
            posted = self._read_post(params)
            if posted is None:
                return
            queries.extend(posted)
        if "update" in params:
            self._fail(403, "this endpoint is read-only: SPARQL updates are refused")
            return
        if not queries:
            if url.path == "/" and self.command == "GET":
                self._page()
            else:
                self._fail(400, "no query: pass query=... (SPARQL 1.1 Protocol)")
            return
        if len(queries) != 1:
            self._fail(400, "give exactly one query parameter")
            return
        self._query(queries[0], params, endpoint)

    def _read_post(self, params: dict[str, list[str]]) -> list[str] | None:
        endpoint = self.server.endpoint
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self._fail(411, "a POST request needs a Content-Length header")
            return None
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError(length_text)
        except ValueError:
            self._fail(400, f"bad Content-Length {length_text!r}")
            return None
        if length > endpoint.max_query_bytes + 4096:
            remaining = length if length <= _DRAIN_BYTES else 0
            while remaining > 0:  # read it, so that the client sees the answer
                chunk = self.rfile.read(min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
            self._fail(413, f"the request body is larger than {endpoint.max_query_bytes} bytes")
            self.close_connection = True
            return None
        body = self.rfile.read(length)
        media = self.headers.get_content_type()
        if media == "application/sparql-update":
            self._fail(403, "this endpoint is read-only: SPARQL updates are refused")
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._fail(400, "the request body is not UTF-8")
            return None
        if media == "application/sparql-query":
            return [text]
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS,
                                errors="strict")
            except (ValueError, UnicodeDecodeError) as exc:
                self._fail(400, f"malformed form body ({exc})")
                return None
            for name, values in form.items():
                if name != "query":
                    params.setdefault(name, []).extend(values)
            return form.get("query", [])
        self._fail(415, f"cannot read a {media} body; send application/sparql-query or "
                        "application/x-www-form-urlencoded")
        return None

    def _query(self, text: str, params: dict[str, list[str]], endpoint: Endpoint) -> None:
        from kgbuild.query.sparql import _canonical, _lexical_features

        if len(text.encode("utf-8")) > endpoint.max_query_bytes:
            self._fail(413, f"the query is longer than {endpoint.max_query_bytes} bytes")
            return
        if not text.strip():
            self._fail(400, "the query is empty")
            return
        try:
            canonical = _canonical(text)
        except QueryError as exc:
            self._fail(400, str(exc))
            return
        if _is_update(canonical):
            self._fail(403, "this endpoint is read-only: SPARQL updates are refused")
            return
        features = _lexical_features(canonical)
        if "service" in features:
            self._fail(403, "SERVICE is disabled: this endpoint never queries other "
                            "endpoints; remove the SERVICE clause")
            return
        default_graphs = params.get("default-graph-uri", [])
        named_graphs = params.get("named-graph-uri", [])
        for iri in (*default_graphs, *named_graphs):
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                self._fail(400, f"bad graph IRI {iri!r} ({exc})")
                return
        job = {
            "query": canonical,
            "accept": self.headers.get("Accept"),
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "has_from": "from" in features,
            "max_bytes": endpoint.max_result_bytes,
        }
        status, media, body = endpoint.pool.run(job, timeout=endpoint.timeout)
        if status == 503:
            log.warning("%s: %s", self.address_string(),
                        body.decode("utf-8", "replace").split(";")[0].strip())
        self._send(status, media, body)

    def _page(self) -> None:
        endpoint = self.server.endpoint
        page = _PAGE.format(source=html.escape(endpoint.source_name), timeout=endpoint.timeout,
                            example=html.escape(_example_query()))
        self._send(200, "text/html; charset=utf-8", page.encode("utf-8"), headers={
            "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                       "style-src 'unsafe-inline'; connect-src 'self'",
        })


# --------------------------------------------------------------------------- the endpoint


def _load_file_into(path: Path, folder: Path) -> Path:
    """Parse a graph file (the checks of :func:`kgbuild.load`) into a new store."""
    from kgbuild.kg.reading import load
    from kgbuild.store.oxstore import _to_ox

    kg = load(path)
    database = folder / "oxigraph"
    store = ox.Store(str(database))
    for graph in kg.dataset.graphs():
        name = graph.identifier
        if name != DATASET_DEFAULT_GRAPH_ID:
            target = _to_ox(name)
            store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), target) for s, p, o in graph)
    # the default graph holds the union of all graphs, as in a kgbuild store
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph())
                 for s, p, o, _ in kg.dataset.quads((None, None, None, None)))
    store.flush()
    del store
    return database


class Endpoint:
    """The SPARQL endpoint: an HTTP server and its query workers.

    Args:
        source: a store folder (``kgbuild build ... --store DIR``) or a graph file
            (copied into a temporary store first).
        host: address to bind; ``127.0.0.1`` unless you mean to expose the graph.
        port: TCP port; 0 picks a free one (see :attr:`url`).
        timeout: seconds a query may run before it is stopped.
        workers: queries that can run at the same time (one process each).
        max_query_bytes: longest query accepted.
        max_result_bytes: largest result sent.
        memory_mb: most memory (MiB) a worker may add while it runs one query;
            None: no cap.
        queue_size: queries that may wait for a free worker; more get 503.

    Attributes:
        url: the server's base URL (``http://127.0.0.1:7878/``); the endpoint is
            ``url + "query"``.
        quads: how many quads the store holds.

    Raises:
        StoreError: the store cannot be opened, or a build is writing into it.
        RDFInputError: the graph file is missing or cannot be parsed.
        KgbuildError: the address cannot be bound (port in use, bad host).
    """

    def __init__(self, source: str | os.PathLike[str], *, host: str = "127.0.0.1",
                 port: int = DEFAULT_PORT, timeout: float = 30.0, workers: int = 2,
                 max_query_bytes: int = 1_000_000,
                 max_result_bytes: int = 64 * 1024 * 1024, memory_mb: int | None = 1024,
                 queue_size: int = 64) -> None:
        if timeout <= 0 or workers < 1 or max_query_bytes < 1 or max_result_bytes < 1 \
                or (memory_mb is not None and memory_mb < 1) or queue_size < 0:
            raise KgbuildError("timeout, workers, memory and the size limits must be positive",
                               fix="pass positive values")
        self.host = host
        self.timeout = float(timeout)
        self.max_query_bytes = max_query_bytes
        self.max_result_bytes = max_result_bytes
        self.loopback = host in _LOOPBACK_NAMES or host.startswith("127.")
        self._closers: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        try:
            database = self._prepare(Path(source))
            self.triples = self._count(database)
            self.pool = _Pool(database, workers, memory_mb=memory_mb, queue_size=queue_size)
            self._closers.append(self.pool.close)
            self._bind(host, port)
        except BaseException:
            self.close()
            raise

    def _prepare(self, source: Path) -> Path:
        from kgbuild.store.oxstore import database_path, is_store, reader_lock

        self.source_name = source.name or str(source)
        if source.is_dir():
            if not is_store(source):
                database_path(source)  # raises the StoreError that explains
            lock = reader_lock(source)
            self._closers.append(lock.close)
            return database_path(source)
        if not source.is_file():
            raise RDFInputError("no such store folder or graph file", input=str(source),
                                fix="build one first: kgbuild build seeds/ --store kg/")
        folder = Path(tempfile.mkdtemp(prefix="kgbuild-serve-"))
        self._closers.append(lambda: shutil.rmtree(folder, ignore_errors=True))
        return _load_file_into(source, folder)

    @staticmethod
    def _count(database: Path) -> int:
        from kgbuild.store.oxstore import _open_failed, _triple_count, damaged_store

        try:
            store = ox.Store.read_only(str(database))
        except (OSError, RuntimeError) as exc:
            raise _open_failed(database, exc, writing=False) from exc
        try:
            return _triple_count(store)
        except RuntimeError as exc:
            raise damaged_store(database, exc) from exc

    def _bind(self, host: str, port: int) -> None:
        server_class = _Server6 if ":" in host else _Server
        try:
            self.httpd = server_class((host, port), _Handler)
        except OSError as exc:
            raise KgbuildError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                               input=f"{host}:{port}",
                               fix="pick another --port (0 picks a free one) or --host"
                               ) from exc
        self.httpd.endpoint = self
        self._closers.append(self.httpd.server_close)
        address = self.httpd.server_address
        bound_host, bound_port = str(address[0]), address[1]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.port = int(bound_port)
        self.url = f"http://{shown}:{self.port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl-C in the caller)."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> Endpoint:
        """Answer requests in a background thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="kgbuild-sparql",
                                        daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop answering requests (from another thread than :meth:`serve_forever`'s)."""
        if getattr(self, "httpd", None) is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        """Stop the server and the workers, and release the store."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(10)
            self._thread = None
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:  # keep closing the rest
                log.debug("error while closing the endpoint", exc_info=True)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(source: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float = 30.0, workers: int = 2, max_query_bytes: int = 1_000_000,
          max_result_bytes: int = 64 * 1024 * 1024, memory_mb: int | None = 1024,
          queue_size: int = 64,
          on_ready: Callable[[Endpoint], None] | None = None) -> None:
    """Serve ``source`` read-only over SPARQL until interrupted (Ctrl-C or SIGTERM).

    SIGTERM stops the server as Ctrl-C does, from the start: a graph file being
    loaded into a temporary store when it arrives leaves no temporary store
    behind.

    Args:
        source: a store folder or a graph file.
        host: address to bind (default loopback only).
        port: TCP port (0: any free port; see ``on_ready``).
        timeout: seconds a query may run.
        workers: queries that can run at the same time.
        max_query_bytes: longest query accepted.
        max_result_bytes: largest result sent.
        memory_mb: most memory (MiB) one query may add to its worker.
        queue_size: queries that may wait for a free worker.
        on_ready: called with the :class:`Endpoint` once it listens.

    Raises:
        StoreError, RDFInputError, KgbuildError: see :class:`Endpoint`.
    """
    with _sigterm_interrupts():
        try:
            endpoint = Endpoint(source, host=host, port=port, timeout=timeout, workers=workers,
                                max_query_bytes=max_query_bytes,
                                max_result_bytes=max_result_bytes, memory_mb=memory_mb,
                                queue_size=queue_size)
        except KeyboardInterrupt:  # the temporary store is removed by Endpoint
            log.info("stopped while loading")
            return
        with endpoint as ep:
            if on_ready is not None:
                on_ready(ep)
            try:
                ep.serve_forever()
            except KeyboardInterrupt:
                log.info("stopped")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM raise KeyboardInterrupt (as Ctrl-C) while the block runs, so the
    ``finally`` clauses remove workers, lock and temporary store."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
