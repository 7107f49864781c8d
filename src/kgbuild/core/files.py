"""Writing files safely: check an output before any work, then write it atomically.

Every stage that writes a file (the graph, a report, a picture, a page) goes through
:func:`write_atomic`, so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from kgbuild.core.errors import InputError

__all__ = ["check_writable", "write_atomic"]


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere: read it by setting it, and put it back
    os.umask(current)
    return current


def _destination(path: Path) -> Path:
    """Where writing ``path`` lands: a symbolic link's final target, else the path."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Check, before any work, that :func:`write_atomic` can write ``path``.

    A temporary file is created and removed in the destination's folder (the
    target's folder when ``path`` is a symbolic link): the only test that agrees
    with what the write will meet (read-only mounts, ``/sys``, permissions).

    Returns:
        The file that will be written (the link's target for a link).

    Raises:
        InputError: the folder is missing, the path is a folder, or the folder
            cannot be written.
    """
    target = _destination(Path(path))
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError("is a folder, not a file", input=str(path),
                         fix="give the path of a file to write, inside that folder")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", input=str(directory),
                         fix=f"create it first (mkdir -p {directory}) or write elsewhere")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".check", dir=directory)
    except OSError as exc:
        raise InputError(
            f"cannot write here ({exc.strerror or exc})",
            input=str(path),
            fix="write to a folder you may write to (for example -o ./graph.trig), or fix "
            "the folder's permissions",
        ) from exc
    os.close(fd)
    os.unlink(tmp)
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The file gets the mode a plain ``open()`` would give it: an existing file
    keeps its mode, a new one follows the umask (0644 under the usual 022).  A
    symbolic link is written through: its target is replaced (atomically, in
    the target's folder) and the link stays.
    """
    path = Path(path)
    target = _destination(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", input=str(directory),
                         fix="create it first or write elsewhere")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
