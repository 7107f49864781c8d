"""The Oxigraph store: incremental, crash-safe builds of one named graph per article."""

from __future__ import annotations

from typing import Any

from kgbuild._compat import moved_attribute
from kgbuild.store.layout import (
    DB_DIR,
    LOCK_FILE,
    MARKER_FILE,
    damaged_store,
    database_path,
    is_store,
    reader_lock,
)
from kgbuild.store.oxstore import StoreWriter, content_hash
from kgbuild.store.reading import query_store

__all__ = ["DB_DIR", "LOCK_FILE", "MARKER_FILE", "StoreWriter", "content_hash", "damaged_store",
           "database_path", "is_store", "query_store", "reader_lock"]


def __getattr__(name: str) -> Any:
    return moved_attribute(__name__, name)
