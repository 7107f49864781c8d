"""Read RDF files that users pass in (graphs, knowledge-base files, shapes) safely.

Parsers are given only the bytes of the file, after these checks:

- the file exists, is a regular file, and is at most ``max_bytes`` long
  (default :data:`DEFAULT_MAX_BYTES`, or the ``KGBUILD_MAX_RDF_BYTES``
  environment variable);
- RDF/XML holds no ``<!DOCTYPE`` or ``<!ENTITY`` declaration: entities can
  read local files, fetch URLs (XXE) or expand without bound;
- JSON-LD names no remote context (a URL as ``@context`` or ``@import``): rdflib
  would fetch it over the network.

Nothing is fetched: Turtle, TriG, N-Triples and N-Quads have no way to name
other documents that parsers follow.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
>>> _ = path.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\\n", encoding="utf-8")
>>> len(parse_rdf(path))
1
>>> parse_rdf(path, max_bytes=10)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kgbuild.errors.RDFInputError: ...: the file is 32 bytes, more than the limit of 10 bytes...
"""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path
from typing import Any, TypeVar, overload

from rdflib import Dataset, Graph

from .errors import RDFInputError

__all__ = ["DEFAULT_MAX_BYTES", "ENV_MAX_BYTES", "SUFFIXES", "check_rdf", "parse_rdf"]

#: Largest RDF file read by default (512 MiB).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
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
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

G = TypeVar("G", bound=Graph)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _limit(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    raw = os.environ.get(ENV_MAX_BYTES, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 1:
        raise RDFInputError(
            f"must be a positive number of bytes, not {raw!r}",
            input=ENV_MAX_BYTES,
            fix=f"set it to a number such as {DEFAULT_MAX_BYTES}, or unset it",
        )
    return value


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


def _xml_text(data: bytes) -> str:
    """Decode XML as the parser would: BOM, then the declared encoding, else UTF-8."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec)
    declared = _XML_ENCODING.match(data)
    return data.decode(declared.group(1).decode("ascii") if declared else "utf-8")


def _check_xml(data: bytes, *, name: str) -> None:
    try:
        text = _xml_text(data)
    except (LookupError, UnicodeDecodeError) as exc:
        raise RDFInputError(
            f"cannot decode the XML ({exc})",
            input=name,
            fix="save it as UTF-8, or convert it to Turtle",
        ) from exc
    found = _DECLARATION.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise RDFInputError(
            f"RDF/XML with a {found.group(1).upper()} declaration (line {line}) is refused: "
            "entities can read local files, fetch URLs or expand without bound",
            input=name,
            fix="remove the DOCTYPE and entity declarations and write their values out, "
            "or convert the file to Turtle",
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
        document = json.loads(data.decode("utf-8-sig"))
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
        raise RDFInputError(
            f"the file is {_size(size)}, more than the limit of {_size(limit)}",
            input=name,
            fix=f"split it, or raise the limit: set {ENV_MAX_BYTES}=<bytes> "
            "(or pass max_bytes=... in Python)",
        )
    fmt = _format(path, format)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise RDFInputError(
            f"cannot read the file ({exc.strerror or exc})",
            input=name,
            fix="check that it is readable",
        ) from exc
    if len(data) > limit:  # it grew while we looked
        raise RDFInputError(
            f"the file is more than the limit of {_size(limit)}",
            input=name,
            fix=f"split it, or raise the limit: set {ENV_MAX_BYTES}=<bytes>",
        )
    sniffed = fmt
    if sniffed is None:  # unknown suffix: check by what the content looks like
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        sniffed = {b"<": "xml", b"{": "json-ld", b"[": "json-ld"}.get(head)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            sniffed = "xml"
    if sniffed == "xml":
        _check_xml(data, name=name)
    elif sniffed == "json-ld":
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
        max_bytes: size limit; default ``KGBUILD_MAX_RDF_BYTES`` or 512 MiB.

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
) -> Dataset: ...


@overload
def parse_rdf(
    path: str | os.PathLike[str],
    *,
    format: str | None = ...,
    max_bytes: int | None = ...,
    into: G,
) -> G: ...


def parse_rdf(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    max_bytes: int | None = None,
    into: Graph | None = None,
) -> Graph:
    """Parse an RDF file the user passed in, refusing what could reach out or blow up.

    Args:
        path: the file.
        format: the RDF format (``trig``, ``ttl``, ``nq``, ``nt``, ``jsonld``,
            ``xml``); default from the suffix (see :data:`SUFFIXES`).
        max_bytes: size limit; default ``KGBUILD_MAX_RDF_BYTES`` or 512 MiB.
        into: add the statements to this graph; default a new
            ``Dataset(default_union=True)``.

    Returns:
        ``into``, or the new dataset.

    Raises:
        RDFInputError: the file is missing, too big, of an unknown format,
            refused (RDF/XML with DOCTYPE or entities, JSON-LD with a remote
            context), or does not parse.
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
        target.parse(data=data, format=fmt, publicID=p.resolve().as_uri())
    except Exception as exc:  # rdflib raises many exception types for bad syntax
        raise RDFInputError(
            f"cannot parse the file as {fmt}: {type(exc).__name__}: {str(exc)[:300]}",
            input=str(p),
            fix="check the syntax, or give the right format (the suffix sets it)",
        ) from exc
    return target
