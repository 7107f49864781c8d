"""Locate the data shipped with kgbuild (ontology, shapes, queries, knowledge base).

In a wheel the folders are installed under ``kgbuild/_data``; in a source
checkout (editable install, tests) they live at the repository root.  Both are
looked up so that the same code works in either case.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent.parent  # the kgbuild package


def data_dir(name: str) -> Path:
    """Return the folder of shipped data called ``name``.

    Args:
        name: one of ``"ontology"``, ``"queries"``, ``"kb"``.

    Returns:
        The folder's path.

    Raises:
        FileNotFoundError: when the installation lacks the folder.

    >>> data_dir("queries").name
    'queries'
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"kgbuild's {name!r} data folder is missing from this installation; "
        "reinstall kgbuild (pip install --force-reinstall kgbuild)."
    )
