"""The HTTP side of the endpoint: the server that accepts connections, and the handler that
checks each request (host, path, method, body, size, update or ``SERVICE``) and hands the
query to the worker pool.
"""

from __future__ import annotations

import html
import logging
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kgbuild.core.errors import QueryError
from kgbuild.serve.page import _PAGE, _example_query
from kgbuild.serve.protocol import _is_update, _text
from kgbuild.serve.workers import _Pool

__all__ = ["LISTEN_BACKLOG"]

# the endpoint's log lines keep the logger they had before the package was split
log = logging.getLogger("kgbuild.serve.endpoint")

#: Connections the kernel queues before they are accepted (``listen(2)`` backlog).
LISTEN_BACKLOG = 128
_PATHS = ("/", "/query", "/sparql")
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
_MAX_FIELDS = 64
_DRAIN_BYTES = 16 * 1024 * 1024  # a too-large body up to this size is read before the 413


class _Served(Protocol):
    """What the handler reads of the :class:`~kgbuild.serve.endpoint.Endpoint` it serves."""

    host: str
    loopback: bool
    timeout: float
    max_query_bytes: int
    max_result_bytes: int
    source_name: str
    pool: _Pool


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG
    endpoint: _Served

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

    def _query(self, text: str, params: dict[str, list[str]], endpoint: _Served) -> None:
        from kgbuild.query.checks import _canonical, _lexical_features

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
