"""Opening and reading the files users name: regular files only, bytes under a size cap.

Shared by the article reader and the RDF reader, so that both turn an ``OSError`` into
one of kgbuild's errors that names the file (the message and the fix are the caller's).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from kgbuild.core.errors import InputError, KgbuildError

__all__ = [
    "MAX_FILE_BYTES",
    "UNREADABLE",
    "UNREADABLE_FIX",
    "file_type",
    "inside",
    "open_regular",
    "read_capped",
]

#: Largest ``.txt`` / ``.html`` file that is read at all (HTML markup can be much
#: bigger than its text); JSONL files are read line by line and have no such cap.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: How the article reader says that a file cannot be read, and what to do about it.
UNREADABLE = "cannot read file"
UNREADABLE_FIX = "check that the file exists and is readable"


def file_type(mode: int) -> str:
    """A file type's name for messages.

    Args:
        mode: ``st_mode`` of the file's ``stat``.

    Returns:
        "a FIFO (named pipe)", "a socket", ..., or "not a regular file".

    >>> import stat
    >>> file_type(stat.S_IFIFO)
    'a FIFO (named pipe)'
    """
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a regular file")):
        if test(mode):
            return name
    return "not a regular file"


def inside(target: Path, root: Path) -> bool:
    """Whether the resolved path ``target`` is ``root`` or lies below it."""
    return target == root or root in target.parents


def open_regular(path: Path, *, name: str) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file.

    ``O_NONBLOCK`` makes the open return at once even if the path became a FIFO
    after it was checked; ``fstat`` on the open file then refuses it.

    Args:
        path: the file.
        name: how messages name it.

    Returns:
        The file, open for reading bytes (blocking again).

    Raises:
        InputError: it cannot be opened, or it is not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(exc, InputError, UNREADABLE, name=name, fix=UNREADABLE_FIX) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(
            f"{file_type(mode)}, not a regular file; not read",
            input=name,
            fix="kgbuild reads only regular files: save the data to a file first",
        )
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _unreadable(exc: OSError, error: type[KgbuildError], message: str, *, name: str,
                fix: str) -> KgbuildError:
    return error(f"{message} ({exc.strerror or exc})", input=name, fix=fix)


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb")


def read_capped(
    path: Path,
    *,
    limit: int,
    error: type[KgbuildError],
    unreadable: str,
    fix: str,
    open_file: Callable[[Path], BinaryIO] = _open_binary,
    too_big: Callable[[int], KgbuildError] | None = None,
) -> bytes:
    """Read the bytes of ``path``, at most ``limit + 1`` of them.

    One byte more than the limit is read so that the caller can tell a file that grew
    past the limit after its size was checked.

    Args:
        path: the file.
        limit: the most bytes the caller accepts.
        error: the class an ``OSError`` becomes, as ``error("UNREADABLE (reason)")``
            naming the file.
        unreadable: the start of that message ("cannot read file").
        fix: that error's fix.
        open_file: opens ``path`` for reading bytes; ``Path.open`` by default.
        too_big: when given, the size of the open file is checked before reading, and
            the error it returns for that size is raised when the size is over ``limit``.

    Returns:
        The bytes read.

    Raises:
        KgbuildError: ``error`` when the file cannot be read, ``too_big``'s error, or
            what ``open_file`` raises.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = path.write_bytes(b"12345")
    >>> read_capped(path, limit=3, error=InputError, unreadable="cannot read", fix="-")
    b'1234'
    """
    try:
        with open_file(path) as handle:
            if too_big is not None:
                size = os.fstat(handle.fileno()).st_size
                if size > limit:
                    raise too_big(size)
            return handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(exc, error, unreadable, name=str(path), fix=fix) from exc
