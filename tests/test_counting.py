"""kgbuild.core.counting: distinct counts in bounded memory equal exact counts."""

from __future__ import annotations

import random

from kgbuild.core import counting
from kgbuild.core.counting import DistinctCounter


def _names(count: int, *, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"https://example.org/e/{rng.randrange(count // 2)}" for _ in range(count)]


def test_the_count_equals_a_set_across_many_merges(monkeypatch) -> None:
    monkeypatch.setattr(counting, "_PENDING", 97)  # many merges into the sorted array
    names = _names(20_000, seed=3)
    counter = DistinctCounter()
    for start in range(0, len(names), 1_000):
        counter.update(names[start:start + 1_000])
        assert len(counter) == len(set(names[:start + 1_000]))


def test_renaming_counts_each_renamed_name_as_its_target(monkeypatch) -> None:
    monkeypatch.setattr(counting, "_PENDING", 7)
    names = _names(500, seed=5)
    renamed = {name: names[0] for name in names[1:100]}
    renamed.update({f"urn:never-seen:{i}": f"urn:target:{i}" for i in range(50)})
    counter = DistinctCounter()
    counter.update(names)
    counter.rename(renamed)
    assert len(counter) == len({renamed.get(name, name) for name in names})


def test_renaming_to_a_name_not_counted_yet_adds_it() -> None:
    counter = DistinctCounter()
    counter.update(["a", "b", "c"])
    counter.rename({"a": "x", "b": "x"})
    assert len(counter) == 2  # x and c
    counter.rename({})
    assert len(counter) == 2
    assert len(DistinctCounter()) == 0
