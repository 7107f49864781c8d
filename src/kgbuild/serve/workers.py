"""The query workers: processes that each open the store read-only and answer one query at a
time, in a pool that admits a bounded number of queries and kills and replaces a worker
whose query overruns its time or memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgbuild.serve.protocol import _GRAPH_TYPES, _RESULT_TYPES, _negotiate, _text

__all__: list[str] = []

# the endpoint's log lines keep the logger they had before the package was split
log = logging.getLogger("kgbuild.serve.endpoint")

_POLL = 0.02  # seconds between two reads of a busy worker's memory


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
            from kgbuild.store.layout import damaged_store

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
        from kgbuild.query.limits import rss_bytes

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
