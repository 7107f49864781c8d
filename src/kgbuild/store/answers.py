"""Answers of queries kept beside a store, exact: an answer is read back only while the store
holds the very data it was computed from.

A query on a million quads takes Oxigraph a second or more when it returns tens of
thousands of rows (it reads every IRI and string of every row back from its database);
reading the same answer back from a file takes a fraction of that.  A store folder keeps
the answers of the queries run on it (:func:`kgbuild.store.reading.query_store` with the
store's folder as ``source``) in ``DIR/answers/``, and :meth:`StoreWriter.precompute_answers
<kgbuild.store.oxstore.StoreWriter.precompute_answers>` computes those of the shipped
queries at the end of a build.

Why an answer is exact:

- ``DIR/answers/GENERATION`` names the state of the database.  Only a writer changes it:
  when it opens the store (holding the exclusive lock, before it changes anything), and
  before any change after it saved answers itself.  A store no writer of this kind has
  opened has no generation, and its answers are neither kept nor read.
- An answer is saved under the generation read *before* its query ran, and read back
  only under the current generation.  Readers hold the shared lock (no writer runs
  meanwhile); a query that was running when a writer of the same process took the store
  saves its answer under the old generation, which is never read again.
- The answer's name is a digest of what decides it: the query text as it runs, its
  parameters as RDF terms, whether the union of the named graphs is read, and this
  module's format.  Queries whose answer may change without the data changing
  (``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``, ``SERVICE``) are never kept.
- Files are written whole (a temporary file renamed into place); a file that cannot be
  read is a miss.  Answers are JSON, not pickles: a store folder from elsewhere cannot
  run code.

Answers of a generation left behind are deleted when the next one is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kgbuild.query.results import QueryResult

__all__ = ["ANSWERS_DIR", "cache_key", "generation", "load_answer", "new_generation",
           "save_answer"]

log = logging.getLogger(__name__)

ANSWERS_DIR = "answers"
_GENERATION = "GENERATION"
#: the format of an answer file (part of its name: a new format never reads an old file)
_FORMAT = 2
#: at most this many answers are kept per generation
MAX_ANSWERS = 512
#: answers with more rows are not kept (their file would be large)
MAX_ROWS = 500_000
#: SPARQL functions whose value does not depend on the data alone
_VOLATILE = frozenset({"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID",
                       "Builtin_BNODE", "ServiceGraphPattern"})


def _folder(store_folder: str | os.PathLike[str]) -> Path:
    return Path(store_folder) / ANSWERS_DIR


def generation(store_folder: str | os.PathLike[str]) -> str | None:
    """The generation of the store's data, or None when no writer has named one."""
    try:
        text = (_folder(store_folder) / _GENERATION).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 32 and all(c in "0123456789abcdef" for c in text) else None


def new_generation(store_folder: str | os.PathLike[str]) -> str:
    """Name a new generation (a writer does, before it changes the database) and delete the
    answers of the others.

    The name is written to a temporary file, synced and renamed into place, so it is the
    old or the new one after a crash, never a torn one.

    Raises:
        OSError: the folder cannot be written (the writer fails: answers of the old
            generation would otherwise pass for the new data).
    """
    folder = _folder(store_folder)
    folder.mkdir(exist_ok=True)
    name = uuid.uuid4().hex
    tmp = folder / f"{_GENERATION}.{name}.tmp"
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / _GENERATION)
    _sync_folder(folder)
    for old in folder.iterdir():
        if old.name != _GENERATION and not old.name.startswith(name):
            old.unlink(missing_ok=True)
    return name


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _volatile(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in _VOLATILE:
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return False


def cache_key(sparql: str, algebra: Any, bound: Mapping[str, URIRef | Literal], *,
              union: bool, allow_service: bool) -> str | None:
    """The name of a checked query's answer, or None when its answer is not kept.

    Args:
        sparql: the checked text (:func:`kgbuild.query.checks._check`).
        algebra: rdflib's translation of it.
        bound: its parameters as RDF terms.
        union: whether it reads the union of the named graphs.
        allow_service: whether SERVICE is allowed (then nothing is kept).
    """
    if allow_service or _volatile(algebra):
        return None
    digest = hashlib.sha256()
    for part in (f"format {_FORMAT}", f"union {union}", sparql,
                 *(f"{name}={_encode_term(value)!r}" for name, value in sorted(bound.items()))):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _path(store_folder: str | os.PathLike[str], generation_name: str, key: str) -> Path:
    return _folder(store_folder) / f"{generation_name}-{key}.json"


def _encode_term(term: Node) -> list[str]:
    if isinstance(term, URIRef):
        return ["u", str(term)]
    if isinstance(term, BNode):
        return ["b", str(term)]
    if isinstance(term, Literal):
        if term.language:
            return ["l", str(term), "", term.language]
        return ["l", str(term), "" if term.datatype is None else str(term.datatype), ""]
    raise TypeError(f"cannot keep {type(term).__name__} {term!r} in an answer")


def _decode_term(item: list[str]) -> Node:
    kind, value = item[0], item[1]
    if kind == "u":
        return URIRef(value)
    if kind == "b":
        return BNode(value)
    if kind == "l":
        if item[3]:
            return Literal(value, lang=item[3])
        return Literal(value, datatype=URIRef(item[2])) if item[2] else Literal(value)
    raise ValueError(f"unknown term kind {kind!r}")


#: rows per line of an answer file: a first page reads the lines it needs, not the file
_CHUNK = 500


def save_answer(store_folder: str | os.PathLike[str], generation_name: str, key: str,
                result: QueryResult) -> bool:
    """Keep a whole answer (not one cut at a row limit) under ``generation_name``.

    The file is JSON lines: a header (format, variables, number of rows), then the rows
    in chunks, each with the terms it is the first to use.  Best effort: a folder that
    cannot be written, or too many or too big answers, keep nothing.

    Returns:
        Whether the answer was kept.
    """
    if result.truncated or len(result.rows) > MAX_ROWS:
        return False
    folder = _folder(store_folder)
    try:
        if sum(1 for _ in folder.glob(f"{generation_name}-*.json")) >= MAX_ANSWERS:
            return False
        # terms by identity: an answer repeats the same term objects (kgbuild's conversion
        # makes each term once), and an rdflib term hashes slowly; the result keeps them
        # alive, so no identity is reused meanwhile
        index: dict[int, int] = {}
        lines = [json.dumps({"format": _FORMAT, "vars": list(result.vars),
                             "rows": len(result.rows)})]
        for start in range(0, len(result.rows), _CHUNK):
            terms: list[list[str]] = []
            rows: list[list[int]] = []
            for row in result.rows[start:start + _CHUNK]:
                out: list[int] = []
                for value in row:
                    if value is None:
                        out.append(-1)
                        continue
                    number = index.get(id(value))
                    if number is None:
                        number = index[id(value)] = len(index)
                        terms.append(_encode_term(value))
                    out.append(number)
                rows.append(out)
            lines.append(json.dumps({"terms": terms, "rows": rows}, separators=(",", ":")))
        target = _path(store_folder, generation_name, key)
        tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError) as exc:
        log.debug("answer not kept (%s)", exc)
        return False
    if generation(store_folder) != generation_name:
        # a writer named a new generation meanwhile: this answer is of the old data
        target.unlink(missing_ok=True)
        return False
    return True


def load_answer(store_folder: str | os.PathLike[str], generation_name: str, key: str, *,
                limit: int | None) -> QueryResult | None:
    """The kept answer (its first ``limit`` rows), or None when there is none.

    Only the lines and the terms of the rows returned are read.
    """
    try:
        with open(_path(store_folder, generation_name, key), encoding="utf-8") as handle:
            header = json.loads(handle.readline())
            if header.get("format") != _FORMAT:
                return None
            variables = tuple(str(v) for v in header["vars"])
            total = int(header["rows"])
            wanted = total if limit is None else min(limit, total)
            encoded: list[list[str]] = []
            made: list[Node | None] = []
            out: list[tuple[Node | None, ...]] = []
            while len(out) < wanted:
                chunk = json.loads(handle.readline())
                encoded.extend(chunk["terms"])
                made.extend([None] * len(chunk["terms"]))
                for row in chunk["rows"][:wanted - len(out)]:
                    if len(row) != len(variables):
                        return None
                    values: list[Node | None] = []
                    for number in row:
                        if number < 0:
                            values.append(None)
                            continue
                        term = made[number]
                        if term is None:
                            term = made[number] = _decode_term(encoded[number])
                        values.append(term)
                    out.append(tuple(values))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return QueryResult(vars=variables, rows=tuple(out), truncated=wanted < total)
