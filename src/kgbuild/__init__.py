"""kgbuild: a knowledge graph of actors, places, events, claims and statements from news.

>>> import kgbuild
>>> sorted(kgbuild.__all__)[:3]
['BuildStats', 'KnowledgeGraph', 'Settings']
"""

from __future__ import annotations

from .config import Settings, load_settings
from .errors import KgbuildError
from .pipeline import BuildStats, KnowledgeGraph, build, load

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
