"""Names in the world layer: the word lists of ``kb/world/``, ASCII and English spellings
of a name, and the stop list of names the layer must not give.

>>> ascii_fold("Ségou"), english_fold("Košice"), english_fold("Çanakkale")
('Segou', 'Koshice', 'Chanakkale')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from kgbuild.core.names import match_key as _match_key
from kgbuild.core.resources import data_dir

__all__ = [
    "CONNECTORS",
    "admin_words",
    "ascii_fold",
    "english_fold",
    "is_stopped",
    "match_key",
    "name_variants",
    "stop_names",
    "world_file",
    "world_rows",
]

#: The world layer normalises the same names many times over: memoised.
match_key = lru_cache(maxsize=1 << 16)(_match_key)


def world_file(name: str) -> Path:
    """The path of a data file of ``kb/world/`` ("countries.tsv")."""
    return data_dir("kb") / "world" / name


def world_rows(name: str) -> Iterator[list[str]]:
    """Tab-separated rows of a ``kb/world`` file, comments and blank lines skipped."""
    with world_file(name).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield [c.strip() for c in line.split("\t")]


@lru_cache(maxsize=1)
def _transliteration() -> tuple[dict[int, str], dict[int, str]]:
    plain: dict[int, str] = {}
    english: dict[int, str] = {}
    for row in world_rows("transliteration.tsv"):
        letter, p, e = [*row, "", ""][:3]
        plain[ord(letter)] = p
        english[ord(letter)] = e or p
    return plain, english


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def ascii_fold(name: str) -> str:
    """``name`` with its accents dropped and non-decomposing letters spelled plainly."""
    return _strip_marks(name.translate(_transliteration()[0]))


def english_fold(name: str) -> str:
    """``name`` spelled as English text usually writes it ("Košice" -> "Koshice")."""
    return _strip_marks(name.translate(_transliteration()[1]))


def name_variants(name: str, *, key: Callable[[str], str] | None = None) -> list[str]:
    """``name`` and its plain and English ASCII spellings, distinct after
    :func:`~kgbuild.core.names.match_key` (or ``key``), in that order."""
    norm = key or match_key
    if name.isascii():
        return [name] if norm(name) else []
    out: list[str] = []
    seen: set[str] = set()
    for variant in (name, ascii_fold(name), english_fold(name)):
        k = norm(variant)
        if k and k not in seen:
            seen.add(k)
            out.append(variant)
    return out


@lru_cache(maxsize=1)
def _stop_lists() -> tuple[frozenset[str], frozenset[str]]:
    sections: dict[str, set[str]] = {"names": set(), "generic": set()}
    current = "names"
    with world_file("stopnames.txt").open(encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1].strip()
                if current not in sections:
                    raise ValueError(f"kb/world/stopnames.txt: unknown section [{current}]")
                continue
            sections[current].add(match_key(line))
    return frozenset(sections["names"]), frozenset(sections["generic"])


def stop_names() -> frozenset[str]:
    """Match keys of the whole names in ``kb/world/stopnames.txt``."""
    return _stop_lists()[0]


def is_stopped(name: str) -> bool:
    """Whether the world layer must not give ``name`` to a subdivision or as another
    name of a country: a plain English word that would fire in any text ("Delta"), or a
    name made only of generic words and area words ("Central Province", "North West").

    >>> is_stopped("Delta"), is_stopped("Delta State"), is_stopped("Upper East Region")
    (True, False, True)
    """
    key = match_key(name)
    names, generic = _stop_lists()
    if key in names:
        return True
    words = key.split()
    admin = admin_words()
    return bool(words) and all(w in generic or w in admin for w in words) and any(
        w in generic for w in words
    )


@lru_cache(maxsize=1)
def admin_words() -> dict[str, str]:
    """Words that name a kind of area (``kb/world/admin-words.tsv``, casefolded: "state",
    "oblast") -> the English type word written after a name ("State"), or "-" for none."""
    return {
        row[0].casefold(): (row[1] if len(row) > 1 else "-")
        for row in world_rows("admin-words.tsv")
    }


#: Small words that join an area word to a name ("Province of X", "Departamento del Y").
CONNECTORS = frozenset(("de", "del", "of", "du", "di", "da", "din", "la", "des", "and"))

