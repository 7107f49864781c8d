"""Counting distinct names in a few bytes each, for builds whose size has no bound.

A store build reports how many distinct entities, events, statements and claims its
articles hold. Keeping the names themselves to count them made the build's process grow
with the corpus (about 8 MB per thousand articles, bench/README.md); a
:class:`DistinctCounter` keeps one 64-bit hash of each, sorted in one array.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["DistinctCounter"]

#: names hashed and held in a set before they are merged into the sorted array
_PENDING = 1 << 15


def _digest(name: str) -> int:
    # the string's own hash (cached on the object, so free for a name seen before) as an
    # unsigned 64-bit number; salted per process, which a count within one run never sees
    return str.__hash__(name) & 0xFFFF_FFFF_FFFF_FFFF


class DistinctCounter:
    """How many distinct strings were added, in 8 bytes per distinct string.

    Two strings count once only if their 64-bit hashes are equal: for a million names
    the chance that any two different ones collide is about 3 in 100 million.

    >>> names = DistinctCounter()
    >>> names.update(["a", "b", "a"])
    >>> len(names)
    2
    >>> names.rename({"b": "a", "z": "y"})  # "b" became "a"; "z" was never counted
    >>> len(names)
    1
    """

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)
        self._pending: set[int] = set()

    def add(self, name: str) -> None:
        """Count ``name`` (once, however often it is added)."""
        self._pending.add(_digest(name))
        if len(self._pending) >= _PENDING:
            self._merge()

    def update(self, names: Iterable[str]) -> None:
        """Count each of ``names``."""
        for name in names:
            self.add(name)

    def _merge(self) -> None:
        if self._pending:
            fresh = np.fromiter(self._pending, dtype=np.uint64, count=len(self._pending))
            self._sorted = np.union1d(self._sorted, fresh)
            self._pending.clear()

    def rename(self, renamed: Mapping[str, str]) -> None:
        """Count each counted name of ``renamed``'s keys as its value instead.

        Names that were never counted are left alone: ``renamed`` may cover more names
        than this counter saw.
        """
        self._merge()
        if not renamed or not len(self._sorted):
            return
        old = np.fromiter((_digest(name) for name in renamed), dtype=np.uint64,
                          count=len(renamed))
        seen = np.isin(old, self._sorted, assume_unique=False)
        if not seen.any():
            return
        new = np.fromiter((_digest(target) for target, hit in zip(renamed.values(), seen,
                                                                   strict=True) if hit),
                          dtype=np.uint64)
        self._sorted = np.union1d(np.setdiff1d(self._sorted, old[seen]), new)

    def __len__(self) -> int:
        self._merge()
        return len(self._sorted)
