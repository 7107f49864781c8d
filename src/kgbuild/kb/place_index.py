"""Looking up GeoNames populated places, by name or id, in the SQLite place index (built
on first use by :func:`~kgbuild.kb.place_build.build_index`); a normal run only queries
the index, one name at a time.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgbuild.kb.place_build import (
    INDEX_FILES,
    CitySource,
    GeonamesCacheSource,
    IndexStats,
    build_index,
)
from kgbuild.kb.world_cache import cache_dir, versions_tag
from kgbuild.kb.world_names import ascii_fold, english_fold, match_key

__all__ = ["GEONAMES_URI", "PlaceIndex", "PlaceRecord", "geonames_uri"]

# the gazetteer's logger, whichever of its modules logs
log = logging.getLogger("kgbuild.kb.gazetteer")

GEONAMES_URI = "https://sws.geonames.org/{}/"


def geonames_uri(geonameid: int) -> str:
    """The GeoNames URI of a place id (the only identifier the world layer writes).

    >>> geonames_uri(1605651)
    'https://sws.geonames.org/1605651/'
    """
    return GEONAMES_URI.format(int(geonameid))


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """A GeoNames populated place from the index."""

    geonameid: int
    name: str
    country: str  # two-letter country code
    admin1: str  # GeoNames first-level admin code ("" when unknown)
    lat: float
    lon: float
    population: int
    main: bool = True  # in a name query: matched on its main name, not an alternate one


class PlaceIndex:
    """The SQLite index of populated places, built once on first use.

    Tables: ``places`` (geonameid, name, country, admin1, lat, lon, population), ``names``
    (normalised name -> geonameid), ``admin1`` (country, GeoNames admin1 code -> ISO 3166-2
    code, where the data show it; see :func:`~kgbuild.kb.place_build.build_index`) and ``meta``.

    The file name carries the versions of the data (source, pycountry, ``kb/world`` files,
    schema), so new data builds a new file.  It is written to a temporary file and renamed
    into place, under a lock, so several processes starting at once build it once and
    never read a half-written file.  If the cache folder cannot be written, the index is
    built in the system's temporary folder instead, with a warning.

    The object pickles without its connection, for worker processes; each process opens
    the file read-only on first use.

    Args:
        cache_dir: the folder of the index; :func:`cache_dir` when None (read at first use).
        source: where the places come from; :class:`GeonamesCacheSource` by default.
    """

    def __init__(self, *, cache_dir: Path | str | None = None,
                 source: CitySource | None = None) -> None:
        self._dir = Path(cache_dir) if cache_dir is not None else None
        self.source: CitySource = source or GeonamesCacheSource()
        self._path: Path | None = None
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self.last_build: IndexStats | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_conn"] = None
        return state

    # -- location and build --
    def file_name(self) -> str:
        """The index's file name: the source's version, pycountry's, and a hash of the
        ``kb/world`` files the admin-area mapping depends on."""
        tag = f"{self.source.version}-{versions_tag(INDEX_FILES, geonames=False)}"
        return "places-" + re.sub(r"[^A-Za-z0-9._-]+", "_", tag) + ".sqlite"

    def folders(self) -> list[Path]:
        """Where the index is looked for and built: the cache folder, then a fallback
        in the system's temporary folder."""
        first = self._dir if self._dir is not None else cache_dir()
        fallback = Path(tempfile.gettempdir()) / f"kgbuild-cache-{os.getuid()}"
        return [first, fallback]

    @property
    def path(self) -> Path:
        """The index file, built first if it does not exist yet."""
        if self._path is not None and self._path.exists():
            return self._path
        name = self.file_name()
        dirs = self.folders()
        for folder in dirs:
            if (folder / name).is_file():
                self._path = folder / name
                return self._path
        for i, folder in enumerate(dirs):
            try:
                self.last_build = build_index(folder / name, self.source)
            except OSError as exc:
                if i + 1 == len(dirs):
                    raise
                log.warning(
                    "cannot write the place index in %s (%s); building it in %s instead. "
                    "Set KGBUILD_CACHE_DIR to a writable folder to keep it.",
                    folder, exc.strerror or exc, dirs[i + 1],
                )
                continue
            self._path = folder / name
            return self._path
        raise AssertionError("unreachable")  # pragma: no cover

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._conn

    # -- queries --
    def named(self, name: str) -> list[PlaceRecord]:
        """Places whose name or Latin alternate name normalises like ``name`` (also after
        ASCII folding): those named so in their main name first, then by descending
        population, then by id.  ``PlaceRecord.main`` tells which matched how."""
        keys = sorted({match_key(v) for v in (name, ascii_fold(name), english_fold(name))})
        keys = [k for k in keys if len(k) > 2]
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db().execute(
            "SELECT p.id, p.name, p.country, p.admin1, p.lat, p.lon, p.population, "
            f"MAX(n.main) AS m FROM names n JOIN places p ON p.id = n.id "
            f"WHERE n.key IN ({marks}) GROUP BY p.id ORDER BY m DESC, p.population DESC, p.id",
            keys,
        ).fetchall()
        return [PlaceRecord(int(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4]),
                            float(r[5]), int(r[6]), main=bool(r[7])) for r in rows]

    def get(self, geonameid: int) -> PlaceRecord | None:
        """The place with this GeoNames id, if the index has it."""
        row = self._db().execute(
            "SELECT id, name, country, admin1, lat, lon, population FROM places WHERE id = ?",
            (int(geonameid),),
        ).fetchone()
        return PlaceRecord(*row) if row else None

    def admin1_subdivision(self, country: str, admin1: str) -> str | None:
        """The ISO 3166-2 code of a GeoNames admin1 area, where the data show it."""
        row = self._db().execute(
            "SELECT iso FROM admin1 WHERE country = ? AND admin1 = ?", (country, admin1)
        ).fetchone()
        return row[0] if row else None

    def subdivision_admin1(self, iso: str) -> tuple[str, str] | None:
        """(country, GeoNames admin1 code) of an ISO 3166-2 subdivision, where known."""
        row = self._db().execute(
            "SELECT country, admin1 FROM admin1 WHERE iso = ?", (iso,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def meta(self) -> dict[str, str]:
        """The index's recorded versions and counts."""
        return dict(self._db().execute("SELECT key, value FROM meta").fetchall())
