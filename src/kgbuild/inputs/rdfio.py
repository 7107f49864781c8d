"""Read RDF files that users pass in (graphs, knowledge-base files, shapes) safely.

Parsers are given only the bytes of the file, after these checks:

- the file exists, is a regular file, and is at most ``max_bytes`` long.  The
  default comes from a memory budget: rdflib holds a parsed graph in Python
  objects, and at the peak of parsing it takes many times the file's size.
  Measured (peak resident size over file size, ``VmHWM``): kgbuild's own graphs
  of 168,000 triples, N-Triples 8, N-Quads 8, Turtle 15, TriG 18, RDF/XML 12,
  JSON-LD 26; 200,000 short distinct triples (53 bytes a line) 36 in N-Triples
  and Turtle; a 50 MB N-Triples file was reported at 2.4 GB, 48.  The limit is
  the budget (:data:`MEMORY_BUDGET_MB`, 4096 MiB, or ``KGBUILD_MEMORY_MB``)
  divided by :data:`BYTES_FACTOR` (50, above every case measured): about
  82 MiB of file for 4 GiB of memory.
  ``KGBUILD_MAX_RDF_BYTES`` sets the limit in bytes instead;
- RDF/XML holds no ``<!DOCTYPE`` (so no ``<!ENTITY``) declaration: entities can
  read local files, fetch URLs (XXE) or expand without bound.  The refusal is
  made by the XML parser itself (:class:`SafeExpatReader`, the approach of
  defusedxml): the expat reader that parses the file raises at the start of a
  DOCTYPE, before any declaration in it is read, so the check cannot disagree
  with the parser about the encoding (UTF-16 or UTF-32 without a byte-order
  mark, a declared encoding) the way a check on decoded text can;
- JSON-LD names no remote context (a URL as ``@context`` or ``@import``): rdflib
  would fetch it over the network.

Nothing is fetched: Turtle, TriG, N-Triples and N-Quads have no way to name
other documents that parsers follow.

IRIs are checked strictly, the same for every command that reads a graph
(``validate``, ``query``, ``export``, ``serve``, ``kgbuild.load``): an IRI with
a character that RDF forbids in IRIs (a space, ``<>"{}|\\^```) is an
:class:`~kgbuild.core.errors.RDFInputError` naming the file, the IRI and its line.
rdflib's Turtle parser accepts such IRIs (with a logged warning) but no writer
can write them back, so the file would validate and query, then fail to export.
``check_iris=False`` keeps them, for a caller who repairs the graph in Python.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
>>> _ = path.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\\n", encoding="utf-8")
>>> len(parse_rdf(path))
1
>>> parse_rdf(path, max_bytes=10)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kgbuild.core.errors.RDFInputError: ...: the file is 32 bytes, more than the limit of 10 bytes...
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload
from xml.parsers import expat
from xml.sax import handler as sax_handler
from xml.sax.expatreader import ExpatParser
from xml.sax.xmlreader import InputSource

from rdflib import Dataset, Graph, plugin
from rdflib.parser import Parser
from rdflib.plugins.parsers.rdfxml import ErrorHandler, RDFXMLHandler, RDFXMLParser

from kgbuild.core.errors import RDFInputError
from kgbuild.inputs.files import read_capped

__all__ = [
    "BYTES_FACTOR",
    "DEFAULT_MAX_BYTES",
    "ENV_MAX_BYTES",
    "ENV_MEMORY_MB",
    "MEMORY_BUDGET_MB",
    "SUFFIXES",
    "DTDForbidden",
    "SafeExpatReader",
    "check_rdf",
    "parse_rdf",
]

#: Memory (MiB) that reading one graph file may take, by default.
MEMORY_BUDGET_MB = 4096
#: Peak memory per byte of file while rdflib parses it, rounded up from the worst
#: measured case (see the module's description).
BYTES_FACTOR = 50
#: Largest RDF file read by default: the budget over the factor (about 82 MiB).
DEFAULT_MAX_BYTES = MEMORY_BUDGET_MB * 1024 * 1024 // BYTES_FACTOR
#: Environment variable that sets another memory budget, in MiB.
ENV_MEMORY_MB = "KGBUILD_MEMORY_MB"
#: Environment variable that sets another default limit, in bytes.
ENV_MAX_BYTES = "KGBUILD_MAX_RDF_BYTES"

#: File suffix -> rdflib parser name.
SUFFIXES: dict[str, str] = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
_NAMES: dict[str, str] = {
    "trig": "trig",
    "ttl": "turtle",
    "turtle": "turtle",
    "nq": "nquads",
    "nquads": "nquads",
    "nt": "nt",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
    "xml": "xml",
    "rdfxml": "xml",
    "rdf/xml": "xml",
}
#: rdflib parser name of :class:`SafeRDFXMLParser` (registered below).
SAFE_XML_FORMAT = "kgbuild-rdfxml"

G = TypeVar("G", bound=Graph)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _positive(name: str, example: int, unit: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 1:
        raise RDFInputError(
            f"must be a positive number of {unit}, not {raw!r}",
            input=name,
            fix=f"set it to a number such as {example}, or unset it",
        )
    return value


def _limit(max_bytes: int | None) -> int:
    """The file-size limit: ``max_bytes``, else ``KGBUILD_MAX_RDF_BYTES``, else the
    memory budget (``KGBUILD_MEMORY_MB`` or 4096 MiB) over :data:`BYTES_FACTOR`."""
    if max_bytes is not None:
        return max_bytes
    value = _positive(ENV_MAX_BYTES, DEFAULT_MAX_BYTES, "bytes")
    if value is not None:
        return value
    budget = _positive(ENV_MEMORY_MB, MEMORY_BUDGET_MB, "MiB") or MEMORY_BUDGET_MB
    return budget * 1024 * 1024 // BYTES_FACTOR


def _too_big(size: str, limit: int) -> str:
    budget = _positive(ENV_MEMORY_MB, MEMORY_BUDGET_MB, "MiB") or MEMORY_BUDGET_MB
    return (f"the file is {size}, more than the limit of {_size(limit)} (reading RDF takes "
            f"up to {BYTES_FACTOR} bytes of memory per byte of file; the memory budget is "
            f"{budget} MiB)")


_RAISE_LIMIT = (f"split it, or raise the memory budget: set {ENV_MEMORY_MB}=<MiB> (or "
                f"{ENV_MAX_BYTES}=<bytes>, or pass max_bytes=... in Python); for big graphs, "
                "build a store instead (kgbuild build ... --store DIR)")


def _format(path: Path, format: str | None) -> str | None:
    if format is not None:
        name = _NAMES.get(format.lower())
        if name is None:
            raise RDFInputError(
                f"unknown RDF format {format!r}",
                input=str(path),
                fix=f"use one of {', '.join(sorted(_NAMES))}",
            )
        return name
    return SUFFIXES.get(path.suffix.lower())


class DTDForbidden(ValueError):
    """An XML document declares a DOCTYPE or an entity: refused before it is read.

    Attributes:
        what: ``"DOCTYPE"``, ``"ENTITY"`` or ``"external entity"``.
        line: the line of the declaration (1-based), as the parser counts it.
    """

    def __init__(self, what: str, line: int) -> None:
        super().__init__(f"{what} declaration at line {line}")
        self.what = what
        self.line = line


class SafeExpatReader(ExpatParser):
    """The standard library's SAX expat reader, refusing every DTD.

    expat detects the encoding itself (byte-order mark, then the byte pattern of
    ``<?xml`` in UTF-16, then the declared encoding); a check on text decoded by
    other rules can be fooled by a file it decodes differently.  Raising from
    the parser's own DOCTYPE handler cannot be: the handler runs when the
    parser meets the declaration, before any entity in it is defined, so
    neither an internal entity (billion laughs) nor an external one (XXE) is
    ever expanded.
    """

    def reset(self) -> None:
        super().reset()
        parser = self._parser
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_entity
        parser.UnparsedEntityDeclHandler = self._refuse_entity
        parser.ExternalEntityRefHandler = self._refuse_external
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _line(self) -> int:
        return int(self._parser.CurrentLineNumber) if self._parser is not None else 0

    def _refuse_doctype(self, *args: Any) -> NoReturn:
        raise DTDForbidden("DOCTYPE", self._line())

    def _refuse_entity(self, *args: Any) -> NoReturn:
        raise DTDForbidden("ENTITY", self._line())

    def _refuse_external(self, *args: Any) -> NoReturn:
        raise DTDForbidden("external entity", self._line())


class SafeRDFXMLParser(RDFXMLParser):
    """rdflib's RDF/XML parser on a :class:`SafeExpatReader` (format ``kgbuild-rdfxml``)."""

    def parse(self, source: Any, sink: Graph, **args: Any) -> None:
        reader = SafeExpatReader()
        reader.setFeature(sax_handler.feature_namespaces, 1)
        content = RDFXMLHandler(sink)
        content.setDocumentLocator(source)
        preserve = args.get("preserve_bnode_ids")
        if preserve is not None:
            content.preserve_bnode_ids = preserve
        reader.setContentHandler(content)
        reader.setErrorHandler(ErrorHandler())
        self._parser = reader
        reader.parse(source)


plugin.register(SAFE_XML_FORMAT, Parser, __name__, "SafeRDFXMLParser")


class _Prolog(Exception):
    """The root element started: no DOCTYPE can follow."""


class _StopAtRoot(sax_handler.ContentHandler):
    def startElement(self, name: str, attrs: Any) -> None:
        raise _Prolog

    def startElementNS(self, name: Any, qname: Any, attrs: Any) -> None:
        raise _Prolog


def _refused(exc: DTDForbidden, name: str) -> RDFInputError:
    return RDFInputError(
        f"RDF/XML with a {exc.what} declaration (line {exc.line}) is refused: "
        "entities can read local files, fetch URLs or expand without bound",
        input=name,
        fix="remove the DOCTYPE and entity declarations and write their values out, "
        "or convert the file to Turtle",
    )


def _may_be_xml(data: bytes) -> bool:
    """Whether a file of unknown format could be XML in some encoding (cheap and broad):
    its first character other than a byte-order mark, NUL or white space is ``<``."""
    head = data[:256].replace(b"\x00", b"")
    return head.lstrip(b"\xef\xbb\xbf\xfe\xff \t\r\n")[:1] == b"<"


def _check_xml(data: bytes, *, name: str, strict: bool) -> None:
    """Read the XML prolog with :class:`SafeExpatReader`, up to the root element.

    Args:
        strict: the file must be XML: a syntax error is an error too (else it is
            ignored: the data may be Turtle that starts with an IRI).
    """
    reader = SafeExpatReader()
    reader.setContentHandler(_StopAtRoot())
    source = InputSource(name)
    source.setByteStream(io.BytesIO(data))
    try:
        reader.parse(source)
    except _Prolog:
        return
    except DTDForbidden as exc:
        raise _refused(exc, name) from None
    except Exception as exc:  # SAXParseException, and decoding errors of odd encodings
        if strict:
            raise RDFInputError(
                f"cannot parse the file as XML ({exc})",
                input=name,
                fix="check the XML syntax, or convert the file to Turtle",
            ) from exc


_TERM_LOG = logging.getLogger("rdflib.term")
_BAD_IRI_NOTE = " does not look like a valid URI"
_IRI_FORBIDDEN = '<>" {}|\\^`'


class _BadIRIs(logging.Filter):
    """Collect the invalid IRIs rdflib meets while this thread parses (rdflib logs
    each one on ``rdflib.term`` and keeps it); the log record itself is dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.found: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.thread == self.thread and _BAD_IRI_NOTE in message:
            if len(self.found) < 100:
                self.found.append(message[: message.rindex(_BAD_IRI_NOTE)])
            return False
        return True


@contextmanager
def _collect_bad_iris() -> Iterator[list[str]]:
    watcher = _BadIRIs()
    _TERM_LOG.addFilter(watcher)
    try:
        yield watcher.found
    finally:
        _TERM_LOG.removeFilter(watcher)


def _bad_iri(iri: str, data: bytes, *, name: str, more: int) -> RDFInputError:
    """The error for an invalid IRI, with the line where the file writes it, if found."""
    where = ""
    for needle in (f"<{iri}>", iri, iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]):
        at = data.find(needle.encode("utf-8")) if needle else -1
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
            where = f" (line {line})"
            break
    bad = sorted({c for c in iri if c in _IRI_FORBIDDEN}) or ["a forbidden character"]
    shown = ", ".join("a space" if c == " " else repr(c) for c in bad)
    others = f"; {more} more invalid IRI(s) follow" if more else ""
    return RDFInputError(
        f"the IRI <{iri[:200]}>{where} holds {shown}, which RDF forbids in IRIs{others}",
        input=name,
        fix="percent-encode the character (a space is %20) where the file is written, "
        "or fix the tool that wrote it",
    )


def _remote_context(document: Any) -> str | None:
    """The first remote context a JSON-LD document names, or None."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@context":
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            return context
                        if isinstance(context, dict) and "@import" in context:
                            return str(context["@import"])
                stack.append(value)
    return None


def _check_jsonld(data: bytes, *, name: str) -> None:
    try:
        # bytes: json detects UTF-8/16/32 and a BOM as the JSON-LD parser does
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RDFInputError(
            f"cannot parse the file as JSON-LD ({type(exc).__name__}: {exc})",
            input=name,
            fix="check the JSON syntax (UTF-8, no trailing commas)",
        ) from exc
    remote = _remote_context(document)
    if remote is not None:
        raise RDFInputError(
            f"JSON-LD with a remote context ({remote[:100]!r}) is refused: kgbuild never "
            "fetches documents named in a file",
            input=name,
            fix="put the context into the file as a JSON object",
        )


def _read(path: Path, *, format: str | None, max_bytes: int | None) -> tuple[bytes, str | None]:
    name = str(path)
    if not path.exists():
        raise RDFInputError(
            "file does not exist",
            input=name,
            fix="check the path (relative paths are taken from the current folder)",
        )
    if not path.is_file():
        raise RDFInputError(
            "not a regular file", input=name, fix="pass an RDF file, not a folder or device"
        )
    limit = _limit(max_bytes)
    size = path.stat().st_size
    if size > limit:
        raise RDFInputError(_too_big(_size(size), limit), input=name, fix=_RAISE_LIMIT)
    fmt = _format(path, format)
    data = read_capped(path, limit=limit, error=RDFInputError, unreadable="cannot read the file",
                       fix="check that it is readable")
    if len(data) > limit:  # it grew while we looked
        raise RDFInputError(_too_big("larger", limit), input=name, fix=_RAISE_LIMIT)
    if fmt == "xml":
        _check_xml(data, name=name, strict=True)
    elif fmt == "json-ld":
        _check_jsonld(data, name=name)
    elif fmt is None:  # unknown suffix: whatever parser reads it next, check what it may be
        if _may_be_xml(data):
            _check_xml(data, name=name, strict=False)
        head = data[:256].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xfe\xff \t\r\n")[:1]
        if head in (b"{", b"["):
            _check_jsonld(data, name=name)
    return data, fmt


def check_rdf(
    path: str | os.PathLike[str], *, format: str | None = None, max_bytes: int | None = None
) -> str | None:
    """Check an RDF file as :func:`parse_rdf` does, without parsing it.

    For callers that hand the path on to another parser (pySHACL's shapes).

    Args:
        path: the file.
        format: the RDF format; default from the suffix (see :data:`SUFFIXES`).
        max_bytes: size limit; default ``KGBUILD_MAX_RDF_BYTES``, else the memory
            budget over :data:`BYTES_FACTOR` (about 82 MiB).

    Returns:
        The rdflib format name, or None when the suffix does not tell it.

    Raises:
        RDFInputError: missing, too big, or refused (DOCTYPE, remote context).
    """
    return _read(Path(path), format=format, max_bytes=max_bytes)[1]


@overload
def parse_rdf(
    path: str | os.PathLike[str],
    *,
    format: str | None = ...,
    max_bytes: int | None = ...,
    into: None = ...,
    check_iris: bool = ...,
) -> Dataset: ...


@overload
def parse_rdf(
    path: str | os.PathLike[str],
    *,
    format: str | None = ...,
    max_bytes: int | None = ...,
    into: G,
    check_iris: bool = ...,
) -> G: ...


def parse_rdf(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    max_bytes: int | None = None,
    into: Graph | None = None,
    check_iris: bool = True,
) -> Graph:
    """Parse an RDF file the user passed in, refusing what could reach out or blow up.

    Args:
        path: the file.
        format: the RDF format (``trig``, ``ttl``, ``nq``, ``nt``, ``jsonld``,
            ``xml``); default from the suffix (see :data:`SUFFIXES`).
        max_bytes: size limit; default ``KGBUILD_MAX_RDF_BYTES``, else the memory
            budget over :data:`BYTES_FACTOR` (about 82 MiB).
        into: add the statements to this graph; default a new
            ``Dataset(default_union=True)``.
        check_iris: refuse IRIs with characters RDF forbids (a space...); the
            default.  False keeps them (no writer can write them back).

    Returns:
        ``into``, or the new dataset.

    Raises:
        RDFInputError: the file is missing, too big, of an unknown format,
            refused (RDF/XML with DOCTYPE or entities, JSON-LD with a remote
            context), holds an invalid IRI, or does not parse.
    """
    p = Path(path)
    data, fmt = _read(p, format=format, max_bytes=max_bytes)
    if fmt is None:
        raise RDFInputError(
            f"cannot tell the RDF format from the suffix {p.suffix or '(none)'!r}",
            input=str(p),
            fix=f"name the file with one of {', '.join(SUFFIXES)}, or give the format",
        )
    target: Graph = into if into is not None else Dataset(default_union=True)
    try:
        # RDF/XML is parsed by a reader that refuses DTDs itself (SafeExpatReader)
        with _collect_bad_iris() as bad:
            target.parse(data=data, format=SAFE_XML_FORMAT if fmt == "xml" else fmt,
                         publicID=p.resolve().as_uri())
    except DTDForbidden as exc:
        raise _refused(exc, str(p)) from None
    except Exception as exc:  # rdflib raises many exception types for bad syntax
        raise RDFInputError(
            f"cannot parse the file as {fmt}: {type(exc).__name__}: {str(exc)[:300]}",
            input=str(p),
            fix="check the syntax, or give the right format (the suffix sets it)",
        ) from exc
    if bad and check_iris:
        raise _bad_iri(bad[0], data, name=str(p), more=len(set(bad)) - 1)
    return target
