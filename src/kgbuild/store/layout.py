"""The store folder: what marks it as a kgbuild store, where its database lies, the
lock that admits one writer or many readers, and the errors for a store in use, damaged
or unopenable.

A kgbuild store is a folder::

    DIR/
      kgbuild-store.json   marks the folder as a kgbuild store (format, kgbuild version)
      kgbuild.lock         flock(2) lock: one writer, or any number of readers
      oxigraph/            the pyoxigraph (RocksDB) database
      answers/             answers of queries on this data (kgbuild.store.answers)
"""

from __future__ import annotations

import fcntl
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kgbuild.core.errors import StoreError

__all__ = ["DB_DIR", "LOCK_FILE", "MARKER_FILE", "damaged_store", "database_path", "is_store",
           "reader_lock"]

MARKER_FILE = "kgbuild-store.json"
LOCK_FILE = "kgbuild.lock"
DB_DIR = "oxigraph"
#: 2: the default graph holds the union of all graphs (1 kept named graphs only);
#: 3: answers of queries are kept in ``answers/`` under the generation a writer names
_FORMAT = 3
#: formats a writer takes over (and marks as its own)
_UPGRADABLE = (2, 3)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kgbuild")
    except PackageNotFoundError:
        return "unknown"


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a kgbuild store folder (it holds ``kgbuild-store.json``)."""
    return (Path(path) / MARKER_FILE).is_file()


def database_path(path: str | os.PathLike[str]) -> Path:
    """The Oxigraph database folder inside the store ``path``.

    Raises:
        StoreError: when ``path`` is not a kgbuild store.
    """
    folder = Path(path)
    if not is_store(folder):
        raise StoreError(
            "not a kgbuild store (no kgbuild-store.json in it)",
            input=str(folder),
            fix=f"build one first: kgbuild build SOURCES --store {folder}",
        )
    return folder / DB_DIR


def damaged_store(folder: str | os.PathLike[str], exc: BaseException) -> StoreError:
    """The error for a store whose database RocksDB finds damaged (a corrupted
    ``CURRENT``, ``MANIFEST`` or ``.sst`` file): pyoxigraph raises ``RuntimeError``."""
    detail = " ".join(str(exc).split())[:300]
    where = Path(folder)
    if where.name == DB_DIR:
        where = where.parent
    return StoreError(
        f"the store at {where} is damaged ({detail})",
        input=str(where),
        fix=f"move it away (or delete it), then rebuild it with: kgbuild build SOURCES... "
        f"--store {where}",
    )


@contextmanager
def _guard(folder: Path) -> Iterator[None]:
    """Turn RocksDB's corruption errors (``RuntimeError``) into :func:`damaged_store`."""
    try:
        yield
    except RuntimeError as exc:
        raise damaged_store(folder, exc) from exc


def _open_failed(db: Path, exc: Exception, *, writing: bool) -> StoreError:
    if isinstance(exc, RuntimeError) or "Corruption" in str(exc):
        return damaged_store(db, exc)
    fix = ("check the permissions and free disk space; a store written by a newer Oxigraph "
           "needs a newer kgbuild") if writing else "check the permissions"
    return StoreError(f"cannot open the Oxigraph database ({exc})", input=str(db), fix=fix)


# --------------------------------------------------------------------------- locking


class _Lock:
    """An flock(2) lock on ``DIR/kgbuild.lock``, released on close or garbage collection."""

    def __init__(self, folder: Path, *, exclusive: bool) -> None:
        path = folder / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the lock file ({exc.strerror})", input=str(path),
                             fix="check that the folder exists and that you may write to it",
                             ) from exc
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise _busy(folder, holder, writing=exclusive) from None
        self.fd: int | None = fd
        self.exclusive = exclusive
        if exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._finalizer = weakref.finalize(self, _release, fd, exclusive)

    def close(self) -> None:
        self._finalizer()
        self.fd = None


def _release(fd: int, exclusive: bool) -> None:
    try:
        if exclusive:
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def _busy(folder: Path, holder: str, *, writing: bool) -> StoreError:
    if holder:
        who = f"a kgbuild build (process {holder}) is writing into it"
    else:
        who = "another kgbuild process is reading it (kgbuild serve, or an open KnowledgeGraph)"
    if writing:
        fix = "wait until it is done (or stop the server), then run the build again"
    else:
        fix = "wait until the build is done, then try again"
    return StoreError(f"the store is in use: {who}", input=str(folder), fix=fix)


def reader_lock(path: str | os.PathLike[str]) -> _Lock:
    """Take a shared (reader) lock on the store ``path``; ``close()`` releases it.

    Raises:
        StoreError: when ``path`` is not a store, or a build is writing into it.
    """
    database_path(path)
    return _Lock(Path(path), exclusive=False)
