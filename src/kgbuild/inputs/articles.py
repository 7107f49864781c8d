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
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import logging
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kgbuild.core.errors import InputError, InputWarning, KgbuildError
from kgbuild.core.model import Article

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

_log = logging.getLogger(__name__)

#: File suffixes read as articles, and how.
ARTICLE_SUFFIXES: Mapping[str, str] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
#: Suffixes of companion files that sit next to articles and are never articles.
_COMPANION_SUFFIXES = (".meta.json", ".gold.json")
#: Keys a sidecar ``.meta.json`` (or a JSONL line besides ``text``) may hold.
META_KEYS = ("id", "published", "publisher", "title", "url")
#: Longest article text (in characters) that is analysed; longer ones are skipped.
#: spaCy's parser takes about a minute and 3 GB of memory for a million characters,
#: while a long news article has fewer than 100,000.
MAX_ARTICLE_CHARS = 200_000
#: Largest ``.txt`` / ``.html`` file that is read at all (HTML markup can be much
#: bigger than its text); JSONL files are read line by line and have no such cap.
MAX_FILE_BYTES = 64 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Lines that begin page furniture.  Each is a regular expression matched,
#: case-insensitively, at the start of a stripped line of at most
#: :data:`_FURNITURE_MAX_LINE` characters; a ``$`` demands the whole line.
FURNITURE_PATTERNS: tuple[str, ...] = (
    r"be the first to comment\b",
    r"leave a (?:reply|comment)\b",
    r"(?:post|add|write) a comment\b",
    r"your email address will not be published\b",
    r"comments are closed\b",
    r"(?:\d+\s+)?comments?\s*(?:\(\d+\))?\s*:?$",
    r"(?:video|audio|podcast|episode|full|read the|show)\s+transcript\b",
    r"transcript\s*:?$",
    r"related\s+(?:articles?|stories|posts|coverage|content|news|topics|reading|links|videos?)\b",
    r"(?:you|we think you) (?:may|might|will) (?:also )?(?:like|enjoy|be interested in)\b",
    r"(?:recommended|more) (?:for you|stories|articles|reading|videos?)\b",
    r"(?:most|more) (?:read|popular|viewed|shared|watched)\s*(?:stories|articles)?\s*:?$",
    r"trending (?:now|stories|articles)\b",
    r"share (?:this|the)(?: (?:article|story|post|page|video))?\s*[:!]?$",
    r"share on (?:facebook|twitter|x|linkedin|whatsapp|email)\b",
    r"(?:sign up|subscribe|register) (?:for|to) (?:our|the|my)\b.{0,40}\bnewsletters?\b",
    r"(?:get|receive) our (?:\w+ )?newsletter\b",
    r"follow us on\b",
    r"about the author\s*:?$",
    r"(?:tags|filed under|topics|categories)\s*:",
    r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))",
    r"all rights reserved\b",
    r"(?:join|start) the (?:conversation|discussion)\b",
    r"(?:we want to hear from you|have your say)\b",
)
_FURNITURE_MAX_LINE = 200
_FURNITURE_RE = re.compile("|".join(f"(?:{p})" for p in FURNITURE_PATTERNS), re.IGNORECASE)

#: Labels that introduce a photo or video credit ("Credit: Agency via Service").
CREDIT_LABELS: tuple[str, ...] = (
    r"(?:photo|image|video|picture|footage|graphic|illustration)?\s*credits?\s*:",
    r"(?:photo(?:graph)?s?|images?|pictures?|footage|video|illustration|graphic)\s*:",
    r"(?:photo(?:graph)?s?|images?|pictures?|video|footage|illustration)\s+(?:by|courtesy of)\s",
    r"(?:source|courtesy)\s*:\s*(?=\S.{0,80}$)",
)
_CREDIT_MAX = 150
# A credit starts a line, or follows the end of a sentence on the same line,
# and runs (short) to the end of the line.
_CREDIT_RE = re.compile(
    r"(?:^|(?<=[.!?\"”’')\]])[ \t]+)"
    r"(?P<credit>(?:" + "|".join(CREDIT_LABELS) + rf")[^\n]{{1,{_CREDIT_MAX}}}?)[ \t\r]*$",
    re.IGNORECASE | re.MULTILINE,
)

ProblemHandler = Callable[[KgbuildError], None]


# --------------------------------------------------------------------------------------
# Page furniture


def _lines(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """Yield (begin, end) of each line from ``start``; ``end`` excludes the newline."""
    pos = start
    while pos <= len(text):
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        yield pos, end
        if newline < 0:
            return
        pos = newline + 1


def find_body_end(text: str, *, start: int = 0) -> int:
    """Find where page furniture begins.

    Args:
        text: the article text.
        start: search from this offset (the end of the headline, typically).

    Returns:
        The offset of the first line at or after ``start`` that begins page
        furniture (see :data:`FURNITURE_PATTERNS`), or ``-1`` when there is none.

    >>> find_body_end("Headline\\n\\nBody.\\n\\nLeave a Reply\\nName")
    17
    """
    for begin, end in _lines(text, start):
        line = text[begin:end].strip()
        if line and len(line) <= _FURNITURE_MAX_LINE and _FURNITURE_RE.match(line):
            return begin
    return -1


def furniture_spans(text: str, *, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Find photo and video credits (``Credit: X via Y``, ``Photo: ...``) in the text.

    A credit starts a line or follows the end of a sentence, and runs to the end
    of its line (at most about 150 characters).

    Args:
        text: the article text.
        start: ignore credits that begin before this offset.
        end: ignore credits that begin at or after this offset (the body end).

    Returns:
        Sorted ``(begin, end)`` spans; ``text[begin:end]`` is the credit.

    >>> text = 'He spoke. Credit: Reuters via Newsfeed\\nNext line.'
    >>> [text[b:e] for b, e in furniture_spans(text)]
    ['Credit: Reuters via Newsfeed']
    """
    stop = len(text) if end is None or end < 0 else end
    spans: list[tuple[int, int]] = []
    for match in _CREDIT_RE.finditer(text):
        begin, finish = match.span("credit")
        if start <= begin < stop:
            spans.append((begin, begin + len(text[begin:finish].rstrip())))
    return spans


# --------------------------------------------------------------------------------------
# HTML


_DROPPED_TAGS = frozenset(
    {
        "aside", "button", "figcaption", "footer", "form", "head", "header", "iframe",
        "nav", "noscript", "script", "select", "style", "svg", "template", "textarea",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "dd", "details", "div", "dl", "dt",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
        "section", "summary", "table", "tr", "ul",
    }
)  # fmt: skip
_VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_PUBLISHED_META = frozenset(
    {"article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date"}
)


@dataclass(slots=True)
class _Block:
    parts: list[str]
    article: int  # index of the innermost <article>, 0 when outside any
    in_main: bool
    is_h1: bool = False


class _MainTextParser(HTMLParser):
    """Collect text blocks, headline candidates and page metadata from HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.h1s: list[tuple[str, int]] = []  # (text, article index)
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._dropping: list[str] = []
        self._articles: list[int] = []
        self._article_count = 0
        self._main_depth = 0
        self._in_title = False
        self._h1_parts: list[str] | None = None
        self._current: _Block | None = None

    def _new_block(self, *, is_h1: bool = False) -> None:
        self._current = None
        if is_h1:
            self._current = self._open_block(is_h1=True)

    def _open_block(self, *, is_h1: bool = False) -> _Block:
        block = _Block([], self._articles[-1] if self._articles else 0, self._main_depth > 0, is_h1)
        self.blocks.append(block)
        return block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._read_meta(dict(attrs))
            return
        if tag == "link":
            values = dict(attrs)
            if (values.get("rel") or "").lower() == "canonical" and values.get("href"):
                self.meta.setdefault("url", str(values["href"]))
            return
        if tag == "time" and not self._dropping:
            stamp = dict(attrs).get("datetime")
            if stamp:
                self.meta.setdefault("time", stamp)
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._h1_parts = []
        if tag in _DROPPED_TAGS and tag not in _VOID_TAGS:
            self._dropping.append(tag)
            return
        if tag == "article":
            self._article_count += 1
            self._articles.append(self._article_count)
        elif tag == "main":
            self._main_depth += 1
        if tag == "br":
            if self._current is not None and not self._dropping:
                self._current.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._new_block(is_h1=tag == "h1" and not self._dropping)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "h1" and self._h1_parts is not None:
            text = " ".join("".join(self._h1_parts).split())
            if text:
                self.h1s.append((text, self._articles[-1] if self._articles else 0))
            self._h1_parts = None
        if tag in self._dropping:
            # Pop back to the matching open tag; tolerate unclosed children.
            while self._dropping and self._dropping.pop() != tag:
                pass
            return
        if tag == "article" and self._articles:
            self._articles.pop()
        elif tag == "main" and self._main_depth:
            self._main_depth -= 1
        if tag in _BLOCK_TAGS:
            self._new_block()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        if self._h1_parts is not None:
            self._h1_parts.append(data)
        if self._dropping or not data:
            return
        if self._current is None:
            self._current = self._open_block()
        # Source newlines are just spaces in HTML; only <br> breaks a line.
        self._current.parts.append(_SPACES.sub(" ", data))

    def _read_meta(self, attrs: Mapping[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content")
        if not key or not content:
            return
        if key in ("og:url", "twitter:url"):
            self.meta.setdefault("url", content)
        elif key in _PUBLISHED_META:
            self.meta.setdefault("published", content)
        elif key in ("og:site_name", "publisher", "article:publisher"):
            self.meta.setdefault("publisher", content)
        elif key in ("og:title", "twitter:title"):
            self.meta.setdefault("og:title", content)


def _block_text(block: _Block) -> str:
    lines = "".join(block.parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip("\n ")


def extract_html(markup: str) -> tuple[str, str, tuple[int, int], dict[str, str]]:
    """Extract the main text of an HTML page.

    Args:
        markup: the page's HTML.

    Returns:
        ``(text, title, title_span, meta)``: the text with paragraphs separated
        by blank lines and the headline first, the headline, its offsets in the
        text, and page metadata found in ``<meta>`` / ``<link>`` / ``<time>``
        (``url``, ``published``, ``publisher``).

    >>> text, title, span, meta = extract_html(
    ...     "<title>T</title><nav>Menu</nav><article><h1>Big news</h1>"
    ...     "<p>It rained.</p><script>x()</script></article>")
    >>> text
    'Big news\\n\\nIt rained.'
    >>> title, span
    ('Big news', (0, 8))
    """
    parser = _MainTextParser()
    parser.feed(markup)
    parser.close()
    blocks = [(b, _block_text(b)) for b in parser.blocks]
    blocks = [(b, t) for b, t in blocks if t]

    chosen = blocks
    sizes: Counter[int] = Counter()
    for block, text in blocks:
        if block.article:
            sizes[block.article] += len(text)
    if sizes:
        best = max(sizes, key=lambda idx: (sizes[idx], -idx))
        chosen = [(b, t) for b, t in blocks if b.article == best]
    elif any(b.in_main for b, _ in blocks):
        chosen = [(b, t) for b, t in blocks if b.in_main]

    title = ""
    if sizes:
        title = next((t for t, idx in parser.h1s if idx == best), "")
    if not title and parser.h1s:
        title = parser.h1s[0][0]
    if not title:
        title = " ".join("".join(parser.title_parts).split())
    if not title:
        title = " ".join(parser.meta.get("og:title", "").split())

    paragraphs = [t for _, t in chosen]
    if title and title not in paragraphs:
        paragraphs.insert(0, title)
    text = "\n\n".join(paragraphs)
    span = (0, 0)
    if title:
        offset = 0
        for paragraph in paragraphs:
            if paragraph == title:
                span = (offset, offset + len(title))
                break
            offset += len(paragraph) + 2
    elif paragraphs:
        title = paragraphs[0].split("\n", 1)[0]
        span = (0, len(title))
    meta = {k: v for k, v in parser.meta.items() if k in ("url", "published", "publisher")}
    if "published" not in meta and "time" in parser.meta:
        meta["published"] = parser.meta["time"]
    return text, title, span, meta


# --------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class _Source:
    path: Path
    kind: str  # "text" | "html" | "jsonl" | "unknown"
    id: str
    root: Path | None = None  # the resolved source folder it was found in


def _file_type(mode: int) -> str:
    """A file type's name for messages."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a regular file")):
        if test(mode):
            return name
    return "not a regular file"


def _open_regular(path: Path, *, name: str) -> Any:
    """Open ``path`` for reading only if it is a regular file.

    ``O_NONBLOCK`` makes the open return at once even if the path became a FIFO
    after it was checked; ``fstat`` on the open file then refuses it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(
            f"cannot read file ({exc.strerror or exc})",
            input=name,
            fix="check that the file exists and is readable",
        ) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(
            f"{_file_type(mode)}, not a regular file; not read",
            input=name,
            fix="kgbuild reads only regular files: save the data to a file first",
        )
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _inside(target: Path, root: Path) -> bool:
    return target == root or root in target.parents


class _Reader:
    """State of one :func:`read_articles` run: problem reporting, ids, duplicates."""

    def __init__(
        self,
        *,
        strict: bool,
        on_problem: ProblemHandler | None,
        max_chars: int = MAX_ARTICLE_CHARS,
        follow_symlinks: bool = False,
    ) -> None:
        self.strict = strict
        self.follow_symlinks = follow_symlinks
        self.on_problem = on_problem
        self.max_chars = max_chars
        self.seen_ids: set[str] = set()
        self.seen_texts: dict[bytes, str] = {}

    # -- problems

    def report(self, problem: KgbuildError) -> None:
        """Hand a problem to the caller; in strict mode, raise errors instead."""
        if problem.__cause__ is not None:  # shown with -v
            _log.debug("%s: caused by %r", problem.input, problem.__cause__)
        if self.strict and not isinstance(problem, InputWarning):
            raise problem
        if self.on_problem is not None:
            self.on_problem(problem)
        else:
            _log.warning("%s", problem)

    def lossy(self, message: str, *, input: str, fix: str) -> None:
        """A problem that loses information: an error when strict, else a warning."""
        cls = InputError if self.strict else InputWarning
        self.report(cls(message, input=input, fix=fix))

    def scrub(self, text: str, *, input: str, what: str = "text") -> str:
        """Replace lone surrogates (invalid in UTF-8 and RDF) by U+FFFD, with a warning."""
        found = _SURROGATE.search(text)
        if found is None:
            return text
        self.lossy(
            f"{what} holds lone surrogate code points (first at character {found.start()}); "
            "they were replaced with U+FFFD",
            input=input,
            fix="fix the source: in JSON, \\ud800-\\udfff escapes must come in valid pairs",
        )
        return _SURROGATE.sub("\ufffd", text)

    # -- decoding

    def decode(self, data: bytes, *, name: str, offset: int = 0, charset: str | None = None) -> str:
        """Decode bytes as UTF-8 (BOM removed), replacing invalid bytes with a warning."""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and offset == 0:
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"binary file (NUL byte at byte {offset + nul})",
                input=name,
                fix="give a UTF-8 text, HTML or JSONL file, or remove it from the sources",
            )
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        body = data[skip:]
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            position = offset + skip + exc.start
            if charset:
                try:
                    return body.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    pass
            self.lossy(
                f"not valid UTF-8 at byte {position}; undecodable bytes were replaced with U+FFFD",
                input=name,
                fix="re-save the file as UTF-8 (for example: iconv -f cp1252 -t utf-8)",
            )
            return body.decode("utf-8", errors="replace")

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
        fallback_id = _SURROGATE.sub("\ufffd", fallback_id)
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
            title_span = _find_title(text, title or meta_title, headline_first=headline_first)
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

    # -- metadata

    def check_meta(
        self, raw: Mapping[str, Any], *, input: str, allowed_extra: Iterable[str] = ()
    ) -> tuple[dict[str, Any], set[str]]:
        """Validate metadata fields; return the good ones and the unknown keys."""
        meta: dict[str, Any] = {}
        unknown = set(raw) - set(META_KEYS) - set(allowed_extra)
        for key in META_KEYS:
            value = raw.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                self.lossy(
                    f"metadata field {key!r} must be a non-empty string, not {value!r}; ignored",
                    input=input,
                    fix=f"write {key!r} as a JSON string or remove it",
                )
                continue
            value = self.scrub(value, input=input, what=f"metadata field {key!r}")
            if key == "published":
                try:
                    meta[key] = _parse_date(value)
                except ValueError:
                    self.lossy(
                        f"metadata field 'published' is not an ISO date: {value!r}; ignored",
                        input=input,
                        fix='write the date as "YYYY-MM-DD"',
                    )
                continue
            meta[key] = value.strip()
        return meta, unknown

    def read_sidecar(self, path: Path, root: Path | None = None) -> dict[str, Any]:
        """Read ``NAME.meta.json`` next to ``path``, if there is one.

        Only a regular file is read; in a source folder (``root``), a sidecar
        that links outside it is ignored unless symbolic links are followed.
        """
        candidates = [path.with_name(path.stem + ".meta.json"), Path(f"{path}.meta.json")]
        sidecar = next((c for c in candidates if c.is_file()), None)
        if sidecar is None:
            return {}
        fix = 'write a JSON object such as {"url": "...", "published": "2022-08-04"}'
        if (root is not None and not self.follow_symlinks and sidecar.is_symlink()
                and not _inside(sidecar.resolve(), root)):
            self.lossy(
                f"sidecar metadata is a symbolic link to {sidecar.resolve()}, outside the "
                "source folder; ignored",
                input=str(sidecar),
                fix="copy the file into the folder, or pass --follow-symlinks",
            )
            return {}
        try:
            with _open_regular(sidecar, name=str(sidecar)) as handle:
                data = handle.read(MAX_FILE_BYTES)
            raw = json.loads(data.decode("utf-8-sig"))
        except InputError as exc:
            self.lossy(f"{exc.message}; ignored", input=str(sidecar), fix=exc.fix)
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.lossy(
                f"cannot read sidecar metadata ({exc}); ignored", input=str(sidecar), fix=fix
            )
            return {}
        if not isinstance(raw, dict):
            self.lossy(
                "sidecar metadata is not a JSON object; ignored", input=str(sidecar), fix=fix
            )
            return {}
        meta, unknown = self.check_meta(raw, input=str(sidecar))
        if unknown:
            self.report(
                InputWarning(
                    f"unknown sidecar keys {sorted(unknown)} ignored",
                    input=str(sidecar),
                    fix=f"use only {list(META_KEYS)}",
                )
            )
        return meta

    # -- file kinds

    def read_document(self, source: _Source) -> Iterator[Article]:
        """Read one .txt or .html file."""
        name = str(source.path)
        try:
            with _open_regular(source.path, name=name) as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise InputError(
                        f"file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} kgbuild "
                        "reads",
                        input=name,
                        fix="split it into one file per story, or remove it from the sources",
                    )
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(
                f"cannot read file ({exc.strerror or exc})",
                input=name,
                fix="check that the file exists and is readable",
            ) from exc
        if not data.strip():
            raise InputError("file is empty", input=name, fix="add text or remove the file")
        meta: dict[str, Any] = {}
        if source.kind == "html":
            charset = _declared_charset(data[:4096])
            markup = self.decode(data, name=name, charset=charset)
            text, title, span, page_meta = extract_html(markup)
            meta, _ = self.check_meta(page_meta, input=name)
            meta.update(self.read_sidecar(source.path, source.root))
            article = self.make_article(
                text,
                id=meta.get("id", source.id),
                fallback_id=source.id,
                input=name,
                source_path=name,
                meta=meta,
                headline_first=True,
                title_span=span if title else None,
                title=title or None,
            )
        else:
            text = self.decode(data, name=name)
            meta = self.read_sidecar(source.path, source.root)
            article = self.make_article(
                text,
                id=meta.get("id", source.id),
                fallback_id=source.id,
                input=name,
                source_path=name,
                meta=meta,
                headline_first=True,
            )
        if article is not None:
            yield article

    def read_jsonl(self, source: _Source) -> Iterator[Article]:
        """Read a JSONL file line by line (memory stays flat)."""
        name = str(source.path)
        found = False
        unknown_reported = False
        handle = _open_regular(source.path, name=name)
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
        self, line: str, *, source: _Source, lineno: int, where: str
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
        meta, unknown = self.check_meta(record, input=where, allowed_extra=("text",))
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


def _parse_date(value: str) -> date:
    """Parse an ISO 8601 date or date-time into a date."""
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        return datetime.fromisoformat(value).date()


def _declared_charset(head: bytes) -> str | None:
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", head, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _find_title(text: str, title: str | None, *, headline_first: bool) -> tuple[int, int]:
    """Locate the headline: the given title if it occurs, else the first non-empty line."""
    if title:
        at = text.find(title)
        if at >= 0:
            return at, at + len(title)
    if not headline_first:
        return (0, 0)
    lines = [(b, e) for b, e in _lines(text) if text[b:e].strip()]
    if len(lines) < 2:
        return (0, 0)  # a single paragraph (an event note, a short report) has no headline
    begin, end = lines[0]
    line = text[begin:end]
    stripped = line.strip()
    if not _looks_like_headline(stripped):
        return (0, 0)
    lead = len(line) - len(line.lstrip())
    return begin + lead, begin + lead + len(stripped)


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
_INNER_SENTENCE = re.compile(r"[a-z0-9][.!?]\s+[A-Z]")


def _looks_like_headline(line: str) -> bool:
    """A headline is one short line that does not read as body text: body sentences end
    with a full stop, and a paragraph holds more than one sentence."""
    return (
        len(line.split()) <= 30
        and not _SENTENCE_END.search(line)
        and not _INNER_SENTENCE.search(line)
    )


def _kind(path: Path) -> str | None:
    """The reader for ``path``; None for companion files that are never articles."""
    name = path.name.lower()
    if name.endswith(_COMPANION_SUFFIXES):
        return None
    return ARTICLE_SUFFIXES.get(path.suffix.lower(), "unknown")


def _stat_source(path: Path, source: str) -> os.stat_result:
    """``os.stat`` of a path named as a source (links followed), or the InputError."""
    try:
        return os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            why = "a symbolic-link loop" if exc.errno == errno.ELOOP else \
                f"a broken symbolic link (to {os.readlink(path)})"
            raise InputError(f"{why}; nothing to read", input=source,
                             fix="fix or remove the link") from exc
        if isinstance(exc, FileNotFoundError):
            raise InputError(
                "no such file or folder",
                input=source,
                fix="check the path (relative paths are taken from the current folder)",
            ) from exc
        raise InputError(f"cannot read it ({exc.strerror or exc})", input=source,
                         fix="check its permissions") from exc


def _walk(root: Path, reader: _Reader) -> Iterator[tuple[Path, os.stat_result]]:
    """Yield the regular files under ``root`` in sorted order, with their (followed) stat.

    Hidden entries are passed over silently; every other entry that is not read
    is reported: FIFOs, sockets and devices, broken links, link loops, links
    out of the folder (an error: a file the user may have meant to include),
    and links to folders (followed only with ``follow_symlinks``, once each).
    """
    base = root.resolve()
    visited = {base}

    def ignore(message: str, child: Path, fix: str) -> None:
        reader.report(InputWarning(message, input=str(child), fix=fix))

    def walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            ignore(f"cannot list the folder ({exc.strerror or exc}); skipped", folder,
                   "check its permissions")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            linked = entry.is_symlink()
            try:
                info = os.stat(child) if linked else entry.stat(follow_symlinks=False)
            except OSError as exc:
                if linked and exc.errno == errno.ELOOP:
                    ignore("a symbolic-link loop; skipped", child, "fix or remove the link")
                elif linked:
                    ignore(f"a broken symbolic link (to {os.readlink(child)}); skipped", child,
                           "fix or remove the link")
                else:
                    ignore(f"cannot read it ({exc.strerror or exc}); skipped", child,
                           "check its permissions")
                continue
            if linked:
                target = child.resolve()
                if not _inside(target, base) and not reader.follow_symlinks:
                    if stat.S_ISREG(info.st_mode) and _kind(child) in (None, "unknown"):
                        pass  # not an article by its name: reported (or not) as such below
                    else:
                        reader.report(InputError(
                            f"a symbolic link to {target}, outside the source folder; refused",
                            input=str(child),
                            fix="pass --follow-symlinks to read what links point to, or copy "
                            "the file into the folder",
                        ))
                        continue
                if stat.S_ISDIR(info.st_mode):
                    if not reader.follow_symlinks:
                        ignore(f"a symbolic link to the folder {target}; not followed", child,
                               "pass --follow-symlinks to read folders that links point to")
                        continue
                    if target in visited or _inside(folder.resolve(), target):
                        ignore(f"a symbolic link to {target}, a folder already read (a loop); "
                               "skipped", child, "remove the link")
                        continue
            if stat.S_ISDIR(info.st_mode):
                if linked:
                    visited.add(child.resolve())
                yield from walk(child)
            elif stat.S_ISREG(info.st_mode):
                yield child, info
            else:
                ignore(f"{_file_type(info.st_mode)}, not a regular file; skipped", child,
                       "kgbuild reads only regular files")

    yield from walk(root)


def _collect(sources: Iterable[str | os.PathLike[str]], reader: _Reader) -> list[_Source]:
    """Resolve sources to a list of files with deterministic, unique ids."""
    found: list[tuple[Path, str, Path | None]] = []
    seen: set[Path] = set()
    for source in sources:
        path = Path(source)
        info = _stat_source(path, str(source))
        if stat.S_ISDIR(info.st_mode):
            root = path.resolve()
            has_articles = False
            for child, _ in _walk(path, reader):
                kind = _kind(child)
                if kind is None:
                    continue
                if kind == "unknown":
                    reader.report(
                        InputWarning(
                            "not an article file; ignored",
                            input=str(child),
                            fix=f"articles end in {', '.join(ARTICLE_SUFFIXES)}",
                        )
                    )
                    continue
                has_articles = True
                if child.resolve() not in seen:
                    seen.add(child.resolve())
                    found.append((child, kind, root))
            if not has_articles:
                raise InputError(
                    f"folder has no article files ({', '.join(ARTICLE_SUFFIXES)})",
                    input=str(source),
                    fix="point at a folder that holds articles, or add some",
                )
            continue
        if not stat.S_ISREG(info.st_mode):
            # never opened: opening a FIFO waits for a writer
            raise InputError(
                f"{_file_type(info.st_mode)}, not a regular file",
                input=str(source),
                fix="kgbuild reads only regular files and folders: save the data to a file "
                "first",
            )
        kind = _kind(path)
        if kind is None:
            _log.debug("%s: companion file, not an article", path)
            continue
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append((path, kind, None))

    names = Counter(p.name for p, _, _ in found)
    clashing = [p.resolve() for p, _, _ in found if names[p.name] > 1]
    common = Path(os.path.commonpath([p.parent for p in clashing])) if clashing else None
    result: list[_Source] = []
    for path, kind, root in found:
        ident = path.name
        if common is not None and names[path.name] > 1:
            ident = path.resolve().relative_to(common).as_posix()
        result.append(_Source(path, kind, ident, root))
    return result


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
    reader = _Reader(strict=strict, on_problem=on_problem, max_chars=max_chars,
                     follow_symlinks=follow_symlinks)
    files = _collect(source_list, reader)
    return _iterate(files, reader, source_list)


def _iterate(
    files: list[_Source], reader: _Reader, sources: list[str | os.PathLike[str]]
) -> Iterator[Article]:
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
