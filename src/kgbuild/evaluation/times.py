"""Time expressions of the gold and of the graph, resolved and compared.

An event's gold ``time_text`` ("early on Wednesday") matches a returned ``?time``
when the words agree or when both resolve (:func:`resolve_time`) to the same date
against the article's publication date (:func:`published_date`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from kgbuild.evaluation.gold import normalise_label
from kgbuild.nlp.lexicon import MONTH_NAMES

_MONTHS: dict[str, int] = MONTH_NAMES
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_ISO_MONTH = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?![\d-])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}}))?\b"
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?(?:,?\s+(\d{{4}}))?"
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b")
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\b")
_YEAR = re.compile(r"(?<![\d-])(1[5-9]\d\d|20\d\d)(?![\d-])")


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    try:
        if d is not None and m is not None:
            return date(y, m, d).isoformat()
    except ValueError:
        return None
    if m is not None:
        return f"{y:04d}-{m:02d}" if 1 <= m <= 12 else None
    return f"{y:04d}"


def resolve_time(text: str | int, published: date | None) -> str | None:
    """Resolve a time expression to an ISO value (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Weekday names resolve to the most recent such day on or before the
    publication date; ``Month D`` without a year takes the publication year.

    Args:
        text: an ISO value or an expression as written ("early on Wednesday").
        published: the article's publication date, if known.

    Returns:
        The ISO value, or None when the expression cannot be resolved.

    >>> resolve_time("early on Wednesday morning", date(2022, 8, 4))
    '2022-08-03'
    >>> resolve_time("August 3", date(2022, 8, 4))
    '2022-08-03'
    """
    s = str(text).strip()
    if m := _ISO_DATE.search(s):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if m := _ISO_MONTH.search(s):
        return _iso(int(m[1]), int(m[2]))
    low = unicodedata.normalize("NFKC", s).casefold()
    for regex, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        if m := regex.search(low):
            year = int(m[3]) if m[3] else (published.year if published else None)
            if year is not None:
                return _iso(year, _MONTHS[m[month_group]], int(m[day_group]))
    if m := _MONTH_YEAR.search(low):
        return _iso(int(m[2]), _MONTHS[m[1]])
    if published is not None:
        if m := _WEEKDAY.search(low):
            back = (published.weekday() - _WEEKDAYS.index(m[1])) % 7
            return (published - timedelta(days=back)).isoformat()
        if re.search(r"\b(today|tonight|this morning)\b", low):
            return published.isoformat()
        if re.search(r"\byesterday\b", low):
            return (published - timedelta(days=1)).isoformat()
    if m := _YEAR.search(low):
        return m[1]
    return None


def _words(text: str) -> str:
    return f" {normalise_label(text)} "


def time_matches(gold_text: str, returned: str | int | None, published: date | None) -> bool:
    """Whether a returned ``?time`` matches a gold ``time_text`` (see module docs).

    Args:
        gold_text: the gold ``time_text``.
        returned: the returned ``?time`` value (None: unbound).
        published: the article's publication date, if known.

    Returns:
        True when they match.

    >>> time_matches("Wednesday", "2022-08-03", date(2022, 8, 4))
    True
    >>> time_matches("Tuesday", "2022-08-03", date(2022, 8, 4))
    False
    """
    if returned is None:
        return False
    got = str(returned)
    gold_norm = normalise_label(gold_text)
    if gold_norm and f" {gold_norm} " in _words(got):
        return True
    gold_iso = resolve_time(gold_text, published)
    got_iso = resolve_time(got, published)
    if gold_iso and got_iso and (got_iso == gold_iso or got_iso.startswith(gold_iso + "-")):
        return True
    if published is None and got_iso and len(got_iso) == 10:
        got_date = date.fromisoformat(got_iso)
        low = gold_text.casefold()
        for regex, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
            if (m := regex.search(low)) and not m[3]:
                return (got_date.month, got_date.day) == (
                    _MONTHS[m[month_group]],
                    int(m[day_group]),
                )
        if m := _WEEKDAY.search(low):
            return got_date.weekday() == _WEEKDAYS.index(m[1])
    return False


def published_date(article_meta: Mapping[str, Any] | None) -> date | None:
    """The publication date in an article's metadata (``published`` or a like key), if any."""
    if not article_meta:
        return None
    for key in ("published", "date", "datePublished", "publish_date"):
        value = article_meta.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and (m := _ISO_DATE.search(value)):
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None
