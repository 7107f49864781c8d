"""Where an article's parts are in its text: the headline, the end of the body (page
furniture such as comment forms and "Related articles") and photo or video credits.

The reader keeps all of the text, so that offsets stay the file's; these spans tell the
extractors what yields no facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "CREDIT_LABELS",
    "FURNITURE_PATTERNS",
    "find_body_end",
    "find_title",
    "furniture_spans",
]

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


def find_title(text: str, title: str | None, *, headline_first: bool) -> tuple[int, int]:
    """Locate the headline: the given title if it occurs, else the first non-empty line.

    Args:
        text: the article text.
        title: the headline the metadata gives, if any.
        headline_first: whether the text starts with its headline (a ``.txt`` or ``.html``
            file; a JSONL line without a title).

    Returns:
        ``(begin, end)`` of the headline, ``(0, 0)`` when there is none: a single
        paragraph, or a first line that reads as body text.

    >>> find_title("Rain in Spain\\n\\nIt rained.", None, headline_first=True)
    (0, 13)
    """
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
