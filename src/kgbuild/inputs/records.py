"""Turning article files into :class:`~kgbuild.core.model.Article` records: a ``.txt`` or
``.html`` file is one article, each line of a ``.jsonl`` file another.

Each article's text is cleaned (lone surrogates, Unicode NFC), its headline, body end and
credit lines are found, its id is made unique within the run, and a text read before is
skipped as a duplicate.  An article longer than :data:`MAX_ARTICLE_CHARS` characters is
refused (spaCy needs gigabytes of memory for such texts).
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from kgbuild.core.errors import InputError, InputWarning
from kgbuild.core.model import Article
from kgbuild.inputs.decoding import Decoder, ProblemHandler, replace_surrogates
from kgbuild.inputs.files import (
    MAX_FILE_BYTES,
    UNREADABLE,
    UNREADABLE_FIX,
    open_regular,
    read_capped,
)
from kgbuild.inputs.htmltext import declared_charset, extract_html
from kgbuild.inputs.layout import find_body_end, find_title, furniture_spans
from kgbuild.inputs.metadata import META_KEYS, check_meta, read_sidecar
from kgbuild.inputs.sources import Source

__all__ = ["MAX_ARTICLE_CHARS", "Reader"]

# the reader's documented logger, whichever of its modules reports
_log = logging.getLogger("kgbuild.inputs.articles")

#: Longest article text (in characters) that is analysed; longer ones are skipped.
#: spaCy's parser takes about a minute and 3 GB of memory for a million characters,
#: while a long news article has fewer than 100,000.
MAX_ARTICLE_CHARS = 200_000


class Reader(Decoder):
    """State of one :func:`~kgbuild.inputs.articles.read_articles` run: problem reporting,
    ids, duplicates.

    Args:
        strict: see :class:`~kgbuild.inputs.decoding.Decoder`.
        on_problem: see :class:`~kgbuild.inputs.decoding.Decoder`.
        max_chars: the longest article text accepted.
        follow_symlinks: accept sidecars that link out of the source folder.
    """

    def __init__(
        self,
        *,
        strict: bool,
        on_problem: ProblemHandler | None,
        max_chars: int = MAX_ARTICLE_CHARS,
        follow_symlinks: bool = False,
    ) -> None:
        super().__init__(strict=strict, on_problem=on_problem)
        self.follow_symlinks = follow_symlinks
        self.max_chars = max_chars
        self.seen_ids: set[str] = set()
        self.seen_texts: dict[bytes, str] = {}

    # -- articles

    def claim_id(self, preferred: str, fallback: str, *, input: str) -> str:
        """Reserve a unique article id, preferring ``preferred``."""
        if preferred not in self.seen_ids:
            self.seen_ids.add(preferred)
            return preferred
        candidate = fallback
        n = 2
        while candidate in self.seen_ids:
            candidate = f"{fallback}~{n}"
            n += 1
        self.report(
            InputWarning(
                f"article id {preferred!r} is already taken; using {candidate!r}",
                input=input,
                fix="give each article a unique id",
            )
        )
        self.seen_ids.add(candidate)
        return candidate

    def make_article(
        self,
        text: str,
        *,
        id: str,
        fallback_id: str,
        input: str,
        source_path: str,
        meta: Mapping[str, Any],
        headline_first: bool,
        title_span: tuple[int, int] | None = None,
        title: str | None = None,
    ) -> Article | None:
        """Turn decoded text and metadata into an Article (None: a duplicate)."""
        if len(text) > self.max_chars:
            raise InputError(
                f"article is {len(text):,} characters long, more than the {self.max_chars:,} "
                "kgbuild analyses",
                input=input,
                fix="split it into one file per story (a JSONL file holds many articles)",
            )
        text = self.scrub(text, input=input)
        id = self.scrub(id, input=input, what="article id (a file name that is not UTF-8?)")
        fallback_id = replace_surrogates(fallback_id)
        if title is not None:
            title = self.scrub(title, input=input, what="title")
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
            self.report(
                InputWarning(
                    "text is not in Unicode NFC; it was normalised and offsets refer "
                    "to the normalised text",
                    input=input,
                    fix="normalise the file to NFC to keep offsets equal to the file's",
                )
            )
            title_span = None  # recomputed below from the normalised text
            if title is not None:
                title = unicodedata.normalize("NFC", title)
        if not text.strip():
            raise InputError(
                "article has no text",
                input=input,
                fix="add the article's text or remove the empty file",
            )
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        if digest in self.seen_texts:
            self.report(
                InputWarning(
                    f"duplicate of article {self.seen_texts[digest]!r}; skipped",
                    input=input,
                    fix="remove one of the copies",
                )
            )
            return None

        meta_title = meta.get("title")
        if title_span is None:
            title_span = find_title(text, title or meta_title, headline_first=headline_first)
        if title is None:
            title = meta_title or text[title_span[0] : title_span[1]].strip() or id
        elif meta_title:
            title = meta_title
        body_end = find_body_end(text, start=title_span[1])
        excluded = tuple(furniture_spans(text, start=title_span[1], end=body_end))

        article_id = self.claim_id(id, fallback_id, input=input)
        self.seen_texts[digest] = article_id
        _log.debug("%s: article %r, %d characters", input, article_id, len(text))
        return Article(
            id=article_id,
            text=text,
            title=title,
            source_path=source_path,
            url=meta.get("url"),
            published=meta.get("published"),
            publisher=meta.get("publisher"),
            body_end=body_end,
            title_span=title_span,
            excluded=excluded,
        )

    # -- file kinds

    def read_document(self, source: Source) -> Iterator[Article]:
        """Read one .txt or .html file."""
        name = str(source.path)

        def too_big(size: int) -> InputError:
            return InputError(
                f"file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} kgbuild reads",
                input=name,
                fix="split it into one file per story, or remove it from the sources",
            )

        data = read_capped(source.path, limit=MAX_FILE_BYTES, error=InputError,
                           unreadable=UNREADABLE, fix=UNREADABLE_FIX,
                           open_file=lambda path: open_regular(path, name=name),
                           too_big=too_big)
        if not data.strip():
            raise InputError("file is empty", input=name, fix="add text or remove the file")
        meta: dict[str, Any] = {}
        # an HTML page gives its own headline and offsets; a text's are found in it
        span: tuple[int, int] | None = None
        title: str | None = None
        if source.kind == "html":
            charset = declared_charset(data[:4096])
            markup = self.decode(data, name=name, charset=charset)
            text, page_title, page_span, page_meta = extract_html(markup)
            meta, _ = check_meta(self, page_meta, input=name)
            meta.update(self._sidecar(source))
            span, title = (page_span, page_title) if page_title else (None, None)
        else:
            text = self.decode(data, name=name)
            meta = self._sidecar(source)
        article = self.make_article(text, id=meta.get("id", source.id), fallback_id=source.id,
                                    input=name, source_path=name, meta=meta,
                                    headline_first=True, title_span=span, title=title)
        if article is not None:
            yield article

    def _sidecar(self, source: Source) -> dict[str, Any]:
        return read_sidecar(self, source.path, source.root, follow_symlinks=self.follow_symlinks)

    def read_jsonl(self, source: Source) -> Iterator[Article]:
        """Read a JSONL file line by line (memory stays flat)."""
        name = str(source.path)
        found = False
        unknown_reported = False
        handle = open_regular(source.path, name=name)
        with handle:
            if b"\x00" in handle.read(8192):
                raise InputError(
                    "binary file (NUL bytes)",
                    input=name,
                    fix="give a UTF-8 JSONL file with one JSON object per line",
                )
            handle.seek(0)
            offset = 0
            for lineno, raw in enumerate(handle, start=1):
                start, offset = offset, offset + len(raw)
                where = f"{name}:{lineno}"
                line = self.decode(raw, name=where, offset=start).strip()
                if not line:
                    continue
                found = True
                try:
                    article, unknown = self._jsonl_line(
                        line, source=source, lineno=lineno, where=where
                    )
                except InputError as problem:
                    self.report(problem)
                    continue
                if unknown and not unknown_reported:
                    unknown_reported = True
                    self.report(
                        InputWarning(
                            f"unknown keys {sorted(unknown)} ignored (reported once per file)",
                            input=where,
                            fix=f"use only 'text' and {list(META_KEYS)}",
                        )
                    )
                if article is not None:
                    yield article
        if not found:
            raise InputError(
                "file is empty", input=name, fix="add one JSON object per line or remove the file"
            )

    def _jsonl_line(
        self, line: str, *, source: Source, lineno: int, where: str
    ) -> tuple[Article | None, set[str]]:
        fix = 'write one JSON object per line, such as {"text": "...", "title": "..."}'
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg} at column {exc.colno})", input=where, fix=fix
            ) from exc
        if not isinstance(record, dict):
            raise InputError("line is not a JSON object", input=where, fix=fix)
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(
                "missing or empty 'text'",
                input=where,
                fix='give each line a non-empty "text" string',
            )
        meta, unknown = check_meta(self, record, input=where, allowed_extra=("text",))
        default_id = f"{source.id}:{lineno}"
        article = self.make_article(
            text,
            id=meta.get("id", default_id),
            fallback_id=default_id,
            input=where,
            source_path=str(source.path),
            meta=meta,
            headline_first="title" not in meta,
        )
        return article, unknown
