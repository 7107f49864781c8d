"""kgbuild: a knowledge graph of actors, places, events, claims and statements from news.

>>> import kgbuild
>>> sorted(kgbuild.__all__)[:3]
['BuildStats', 'KnowledgeGraph', 'Settings']
"""

from __future__ import annotations

from kgbuild import _compat
from kgbuild.core.config import Settings, load_settings
from kgbuild.core.errors import KgbuildError
from kgbuild.kg.graph import BuildStats, KnowledgeGraph
from kgbuild.kg.reading import load
from kgbuild.pipeline import build

__all__ = [
    "BuildStats",
    "KgbuildError",
    "KnowledgeGraph",
    "Settings",
    "__version__",
    "build",
    "load",
    "load_settings",
]

__version__ = "0.1.0"

_compat.install()
