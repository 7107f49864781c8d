"""Time expressions: keep the words as written, normalise against the publication date.

Rules (all relative to ``published``, the article's date, when known):

- a weekday name ("on Tuesday", "early on Wednesday morning") is the most recent such
  day on or before the publication date (news reports past events);
- "today", "tonight", "this morning" = the publication date; "yesterday" = the day
  before; "last night" = the day before;
- "August 3" / "3 August" takes the publication year (or the year before, when that
  would put it after the publication date); with no publication date it stays text;
- "November 2020" -> ``2020-11``; "2020" -> ``2020``; "2022-08-03" as is;
- a range is dated by its start: "between 3 and 5 May 2021" and "3-5 May 2021" ->
  ``2021-05-03``; "between February and May 2022" -> ``2022-02``;
- "two days ago", "three weeks ago" count back from the publication date; "last
  Tuesday" is the Tuesday before; "the previous day", "the day before" is the day
  before the publication date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from kgbuild.nlp.lexicon import MONTH_NAMES, NUMBER_WORDS, WEEKDAYS

__all__ = ["calendar_day", "normalize_time"]

_MONTH_NAMES = MONTH_NAMES
_MONTH_RE = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_MD = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
_DM = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b(?:,?\s+(\d{{4}}))?", re.I
)
_MY = re.compile(rf"\b({_MONTH_RE})\s+(?:of\s+)?(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
# "between 3 and 5 May 2021", "3-5 May 2021", "from 3 to 5 May": the first day
_DAY_RANGE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|and|until)\s*\d{{1,2}}(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?({_MONTH_RE})\b(?:,?\s+(\d{{4}}))?",
    re.I,
)
# "between February and May 2022", "from March to June 2019": the first month
_MONTH_RANGE = re.compile(
    rf"\b({_MONTH_RE})\s*(?:-|–|to|and|until)\s*(?:{_MONTH_RE})\s+(\d{{4}})\b", re.I
)
_AGO = re.compile(r"\b(\w+)\s+(day|week)s?\s+ago\b", re.I)
_NUMBERS = {w: n for w, n in NUMBER_WORDS.items() if 1 <= n <= 10}


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# a pure function of its arguments, asked several times of each time expression (its
# specificity, whether it resolves, the event's date); bounded, and it keeps only
# strings and dates
@lru_cache(maxsize=8192)
def normalize_time(text: str, published: date | None = None) -> str | None:
    """Normalise a time expression to ISO 8601 (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).

    Args:
        text: the expression as written.
        published: the article's publication date, if known.

    Returns:
        The ISO value, or None when the text cannot be resolved.

    >>> normalize_time("early on Wednesday morning", date(2022, 8, 4))
    '2022-08-03'
    >>> normalize_time("in November 2020")
    '2020-11'
    >>> normalize_time("August 3", date(2022, 8, 4))
    '2022-08-03'
    """
    t = text.strip()
    low = t.lower()
    if m := _ISO.search(t):
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return d.isoformat() if d else None
    if m := _DAY_RANGE.search(t):
        day, month, year = int(m[1]), _MONTH_NAMES[m[2].lower()], m[3]
        return _month_day(month, day, int(year) if year else None, published)
    if m := _MONTH_RANGE.search(t):
        return f"{int(m[2]):04d}-{_MONTH_NAMES[m[1].lower()]:02d}"
    if m := _MD.search(t):
        month, day, year = _MONTH_NAMES[m[1].lower()], int(m[2]), m[3]
        return _month_day(month, day, int(year) if year else None, published)
    if m := _DM.search(t):
        day, month, year = int(m[1]), _MONTH_NAMES[m[2].lower()], m[3]
        return _month_day(month, day, int(year) if year else None, published)
    if m := _MY.search(t):
        return f"{int(m[2]):04d}-{_MONTH_NAMES[m[1].lower()]:02d}"
    if published is not None:
        if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low):
            return published.isoformat()
        if re.search(r"\b(yesterday|last night)\b", low):
            return (published - timedelta(days=1)).isoformat()
        if re.search(r"\blast month\b", low):
            first = published.replace(day=1) - timedelta(days=1)
            return f"{first.year:04d}-{first.month:02d}"
        if re.search(r"\bthis month\b", low):
            return f"{published.year:04d}-{published.month:02d}"
        if re.search(r"\blast year\b", low):
            return f"{published.year - 1:04d}"
        if re.search(r"\b(the )?(previous day|day before)\b", low):
            return (published - timedelta(days=1)).isoformat()
        if m := _AGO.search(low):
            n = int(m[1]) if m[1].isdigit() else _NUMBERS.get(m[1])
            if n is not None:
                days = n * (7 if m[2] == "week" else 1)
                return (published - timedelta(days=days)).isoformat()
        if m := re.search(r"\blast (" + "|".join(WEEKDAYS) + r")\b", low):
            back = (published.weekday() - WEEKDAYS[m[1]]) % 7 or 7
            return (published - timedelta(days=back)).isoformat()
        if m := _WEEKDAY.search(t):
            back = (published.weekday() - WEEKDAYS[m[1].lower()]) % 7
            return (published - timedelta(days=back)).isoformat()
    if re.search(r"\d{4}s\b", low):
        return None  # "the early 1990s": a decade, kept as text
    if m := _YEAR.search(t):
        return m[1]
    return None


def calendar_day(text: str) -> tuple[int | None, int, int] | None:
    """The calendar day a time expression names explicitly, without any reference date.

    Only dates written out count ("August 3", "3 August 2022", "2022-08-03"); a weekday
    or "yesterday" names no day until a publication date anchors it, so two reports
    saying "on Monday" are not known to speak of the same day.

    Returns:
        ``(year or None, month, day)``, or None when the text names no calendar day.

    >>> calendar_day("on August 3"), calendar_day("3 August 2022"), calendar_day("on Monday")
    ((None, 8, 3), (2022, 8, 3), None)
    """
    if m := _ISO.search(text):
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (d.year, d.month, d.day) if d else None
    for pattern, order in ((_MD, (1, 2)), (_DM, (2, 1))):
        if m := pattern.search(text):
            month, day = _MONTH_NAMES[m[order[0]].lower()], int(m[order[1]])
            year = int(m[3]) if m[3] else None
            # 29 February stands in a leap year when the year is unknown
            if _safe_date(year or 2000, month, day) is None:
                return None
            return (year, month, day)
    return None


def _month_day(month: int, day: int, year: int | None, published: date | None) -> str | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        d = _safe_date(year, month, day)
        if d is not None and d > published + timedelta(days=1):
            year -= 1
    d = _safe_date(year, month, day)
    return d.isoformat() if d else None
