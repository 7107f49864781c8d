"""Rename every named entity of the seed articles (and their gold) to invented names.

Used by the metamorphic test: rules that only work for names the knowledge base knows
score much worse on the renamed copy than on the original.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

# Longest names first, so "Nagorno-Karabakh" is replaced before "Karabakh".
RENAMES: list[tuple[str, str]] = [
    ("Organization for Security and Co-operation in Europe", "Council for Northern Cooperation"),
    ("Organization for Security and Cooperation in Europe", "Council for Northern Cooperation"),
    ("Organisation for Security and Co-operation in Europe", "Council for Northern Cooperation"),
    ("Republic of Arksakh", "Republic of Tarvia"),
    ("Republic of Artsakh", "Republic of Tarvia"),
    ("Nagorno-Karabakh", "Upper Tarvosh"),
    ("Nagorno Karabakh", "Upper Tarvosh"),
    ("Karabakh", "Tarvosh"),
    ("Artsakh", "Tarvia"),
    ("Yukhary Oratagh", "Velsk Ardan"),
    ("Yukhari Oratagh", "Velsk Ardan"),
    ("Verin Horatagh", "Verin Ardan"),
    ("Armen Grigoryan", "Stefan Varga"),
    ("Zbigniew Rau", "Marek Lenz"),
    ("European Union", "Southern League"),
    ("Soviet Union", "Old Federation"),
    ("Azerbaijani", "Valdorian"),
    ("Azerbaijan", "Valdoria"),
    ("Azeri", "Valdorian"),
    ("Armenians", "Karsenians"),
    ("Armenian", "Karsenian"),
    ("Armenia", "Karsenia"),
    ("Russian", "Norvanian"),
    ("Russia", "Norvania"),
    ("Polish", "Estravan"),
    ("Poland", "Estrava"),
    ("Lachin", "Kelbrin"),
    ("Berdzor", "Kelbrin"),
    ("Yerevan", "Drelburg"),
    ("Baku", "Morvik"),
    ("Storyful", "Newsreel"),
    ("USSR", "OFR"),
    ("OSCE", "CNC"),
    ("NKR", "RT"),
    ("EU", "SL"),
]
_PATTERN = re.compile("|".join(rf"\b{re.escape(a)}" for a, _ in RENAMES))
_MAP = dict(RENAMES)


def rename(text: str) -> str:
    """Replace every known name in ``text`` by its invented counterpart."""
    return _PATTERN.sub(lambda m: _MAP[m.group(0)], text)


def _rename_json(value: object) -> object:
    if isinstance(value, str):
        return value if value.endswith(".txt") else rename(value)
    if isinstance(value, list):
        return [_rename_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _rename_json(v) for k, v in value.items()}
    return value


def write_renamed(seeds: Path, gold: Path, out: Path) -> tuple[Path, Path]:
    """Write renamed copies of the seed articles and the gold; returns (seeds, gold) dirs."""
    s_out, g_out = out / "seeds", out / "gold"
    s_out.mkdir(parents=True)
    g_out.mkdir(parents=True)
    for f in sorted(seeds.iterdir()):
        if f.suffix == ".txt":
            (s_out / f.name).write_text(rename(f.read_text(encoding="utf-8")), encoding="utf-8")
        elif f.name.endswith(".meta.json"):
            shutil.copy(f, s_out / f.name)
    for f in sorted(gold.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        (g_out / f.name).write_text(json.dumps(_rename_json(data), indent=1), encoding="utf-8")
    return s_out, g_out
