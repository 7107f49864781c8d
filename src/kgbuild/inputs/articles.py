"""Read news articles from files and folders into :class:`~kgbuild.core.model.Article` records.

Supported inputs:

``.txt``
    Plain text.  The first non-empty line is the headline and stays part of the
    text.  A sidecar ``NAME.meta.json`` (or ``NAME.txt.meta.json``) may give
    ``url``, ``published`` (ISO date), ``publisher``, ``title`` and ``id``.
``.html`` / ``.htm``
    The main text only, extracted with the standard library's HTML parser:
    ``script``, ``style``, ``nav``, ``header``, ``footer``, ``aside``, ``form``
    (and similar) are dropped, ``<article>`` or else ``<main>`` is preferred,
    the headline comes from ``<h1>`` or ``<title>``, and paragraphs are
    separated by blank lines.  :attr:`Article.text` is that extracted text, and
    all offsets refer to it.  Sidecars work as for ``.txt``.
``.jsonl``
    One article per line, a JSON object with ``text`` (required) and optional
    ``title``, ``url``, ``published``, ``publisher``, ``id``; the id defaults to
    ``FILE.jsonl:LINE``.  Blank lines are ignored.

Folders are walked recursively in sorted order; hidden files, ``*.meta.json``
and ``*.gold.json`` are not articles.  Only regular files are read: a FIFO,
socket or device in a folder, a broken symbolic link and a symbolic-link loop
are skipped with a warning naming them (a FIFO is never opened, so it cannot
hang the run), and such a path named as a source is an error.  A symbolic link
inside a folder that points outside it (to ``/etc/passwd``, say) is refused
unless ``follow_symlinks`` is given (``--follow-symlinks``); a link to a folder
is followed only then, and never twice into the same folder.

Text decoding: UTF-8.  A byte-order mark is removed *before* offsets are
counted, so offset 0 is the first character after the BOM.  Bytes that are not
UTF-8 are replaced by U+FFFD with a warning naming the file and byte position
(an :class:`~kgbuild.core.errors.InputError` in strict mode).  Files with NUL bytes
are binary and refused.  Lone surrogate code points (from JSON escapes such as
``"\\ud800"``) are replaced by U+FFFD with a warning (an error in strict mode), so
every text and metadata value encodes as UTF-8; the length stays the same, so
offsets do not move.  Text not in Unicode NFC is normalised with a warning;
offsets then refer to the normalised text.  Newlines and other control
characters are kept as they are.  An article longer than
:data:`MAX_ARTICLE_CHARS` characters is skipped (spaCy needs gigabytes of
memory for such texts): split it into several articles.

Page furniture: :attr:`Article.body_end` is the start of the first line that
begins page furniture (comment forms, "Video transcript", "Related articles",
newsletter prompts; see :data:`FURNITURE_PATTERNS`), and
:attr:`Article.excluded` lists photo or video credit lines inside the body
("Credit: X via Y"); neither yields facts.

Problems are reported, not hidden: a file or line that cannot be read is
skipped and an :class:`~kgbuild.core.errors.InputError` is passed to ``on_problem``
(or raised in strict mode); a caveat (lossy decoding, NFC, duplicate article,
ignored file) is an :class:`~kgbuild.core.errors.InputWarning`.  Without
``on_problem`` both are logged on the ``kgbuild.inputs.articles`` logger.

This module is the reader's entry point and public face; the work is done by
:mod:`~kgbuild.inputs.sources` (finding files), :mod:`~kgbuild.inputs.records` (files to
articles), :mod:`~kgbuild.inputs.decoding`, :mod:`~kgbuild.inputs.metadata`,
:mod:`~kgbuild.inputs.htmltext`, :mod:`~kgbuild.inputs.layout` and
:mod:`~kgbuild.inputs.files`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from kgbuild.core.errors import InputError
from kgbuild.core.model import Article
from kgbuild.inputs.decoding import ProblemHandler
from kgbuild.inputs.files import MAX_FILE_BYTES
from kgbuild.inputs.htmltext import extract_html
from kgbuild.inputs.layout import (
    CREDIT_LABELS,
    FURNITURE_PATTERNS,
    find_body_end,
    furniture_spans,
)
from kgbuild.inputs.metadata import META_KEYS
from kgbuild.inputs.records import MAX_ARTICLE_CHARS, Reader
from kgbuild.inputs.sources import ARTICLE_SUFFIXES, Source, collect

__all__ = [
    "ARTICLE_SUFFIXES",
    "CREDIT_LABELS",
    "FURNITURE_PATTERNS",
    "MAX_ARTICLE_CHARS",
    "MAX_FILE_BYTES",
    "META_KEYS",
    "extract_html",
    "find_body_end",
    "furniture_spans",
    "read_articles",
]


def read_articles(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    strict: bool = False,
    on_problem: ProblemHandler | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
    follow_symlinks: bool = False,
) -> Iterator[Article]:
    """Read articles from files and folders, one at a time.

    Args:
        sources: files (``.txt``, ``.html``, ``.htm``, ``.jsonl``) and folders
            (walked recursively in sorted order).  A single path is accepted too.
        strict: raise on the first problem that would skip an input or lose
            information (undecodable bytes, bad metadata) instead of reporting it.
        on_problem: called with each problem: an :class:`InputError` for a file
            or line that was skipped, an :class:`InputWarning` for a caveat.
            Without it, problems are logged on the ``kgbuild.inputs.articles`` logger.
        max_chars: skip (and report) articles whose text is longer than this.
        follow_symlinks: inside a folder, read what symbolic links point to even
            outside the folder, and walk linked folders (each folder once).
            Without it such a link is refused with an error naming it.

    Returns:
        An iterator of :class:`Article`, in source order.  Paths are checked
        when this function is called; files are read as the iterator advances.

    Raises:
        InputError: a source does not exist, a folder holds no articles, no
            article could be read at all, or (strict) any file or line problem.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Rain in Spain\\n\\nIt rained.\\n", encoding="utf-8")
    >>> [(a.id, a.title, a.title_span) for a in read_articles([folder])]
    [('a.txt', 'Rain in Spain', (0, 13))]
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    source_list = list(sources)
    if not source_list:
        raise InputError(
            "no sources given", fix="name at least one article file or folder (e.g. seeds/)"
        )
    reader = Reader(strict=strict, on_problem=on_problem, max_chars=max_chars,
                    follow_symlinks=follow_symlinks)
    files = collect(source_list, report=reader.report, follow_symlinks=follow_symlinks)
    return _iterate(files, reader, source_list)


def _iterate(
    files: list[Source], reader: Reader, sources: list[str | os.PathLike[str]]
) -> Iterator[Article]:
    """Read the files in order; a file that fails is reported and the next one read."""
    count = 0
    for source in files:
        try:
            if source.kind == "jsonl":
                articles = reader.read_jsonl(source)
            elif source.kind in ("text", "html"):
                articles = reader.read_document(source)
            else:
                raise InputError(
                    f"unknown file type {source.path.suffix or '(no suffix)'!r}",
                    input=str(source.path),
                    fix=f"give files ending in {', '.join(ARTICLE_SUFFIXES)}",
                )
            for article in articles:
                count += 1
                yield article
        except InputError as problem:
            reader.report(problem)
    if count == 0:
        names = ", ".join(str(s) for s in sources)
        raise InputError(
            "no article could be read",
            input=names,
            fix="see the problems reported above; give readable .txt, .html or .jsonl files",
        )
