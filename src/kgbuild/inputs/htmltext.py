"""The main text of an HTML page, with its headline and the page metadata it declares.

Only the standard library's HTML parser is used: ``script``, ``style``, ``nav``,
``header``, ``footer``, ``aside``, ``form`` (and similar) are dropped, ``<article>`` or
else ``<main>`` is preferred, the headline comes from ``<h1>`` or ``<title>``, and
paragraphs are separated by blank lines.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["declared_charset", "extract_html"]

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


def declared_charset(head: bytes) -> str | None:
    """The character set a page declares in a ``<meta charset>``, if Python knows it.

    Args:
        head: the page's first bytes (the declaration must come early).

    Returns:
        The codec name as declared, or None.

    >>> declared_charset(b'<meta charset="windows-1252">')
    'windows-1252'
    """
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", head, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name
