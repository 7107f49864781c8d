"""Name normalisation and slugs shared by the knowledge base and resolution."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["match_key", "slugify"]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "‐": "-", "‑": "-", "–": "-"})
_POSSESSIVE = re.compile(r"'s\b|'(?=\s|$)")
_NON_WORD = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"[\s-]+")


def match_key(name: str) -> str:
    """Normalise a name for matching: case folded, quotes straightened, a leading
    "the" and possessive "'s" dropped, "defence" read as "defense", hyphens and runs of
    spaces as one space, other punctuation dropped.

    >>> match_key("the Niger’s Defence-Ministry")
    'niger defense ministry'
    """
    s = unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold().strip()
    s = _POSSESSIVE.sub("", s)
    s = _NON_WORD.sub("", s)
    s = _SPACES.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s.replace("defence", "defense")


def slugify(name: str) -> str:
    """A stable, IRI-safe slug: ASCII letters and digits joined by "-"; other scripts are
    kept as their Unicode code points so that distinct names never share a slug.

    >>> slugify("Upper Zorvan")
    'upper-zorvan'
    >>> slugify("Ереван")
    'u0435u0440u0435u0432u0430u043d'
    """
    key = match_key(name)
    folded = unicodedata.normalize("NFKD", key)
    out: list[str] = []
    for ch in folded:
        if unicodedata.combining(ch):
            continue
        if ch.isascii() and (ch.isalnum()):
            out.append(ch)
        elif ch in " -_":
            out.append("-")
        elif ch.isalnum():
            out.append(f"u{ord(ch):04x}")
    slug = re.sub("-+", "-", "".join(out)).strip("-")
    return slug or "unnamed"
