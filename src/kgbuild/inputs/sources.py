"""Finding the article files that sources name: folders walked in sorted order, only
regular files read, symbolic links kept inside the folder, and each file given a
deterministic, unique id.

Hidden files, ``*.meta.json`` and ``*.gold.json`` are not articles.  A FIFO, socket or
device in a folder, a broken symbolic link and a symbolic-link loop are skipped with a
warning naming them (a FIFO is never opened, so it cannot hang the run), and such a path
named as a source is an error.  A symbolic link inside a folder that points outside it is
refused unless ``follow_symlinks`` is given; a link to a folder is followed only then, and
never twice into the same folder.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from kgbuild.core.errors import InputError, InputWarning
from kgbuild.inputs.decoding import ProblemHandler
from kgbuild.inputs.files import file_type, inside

__all__ = ["ARTICLE_SUFFIXES", "Source", "collect", "kind_of", "walk_folder"]

# the reader's documented logger, whichever of its modules reports
_log = logging.getLogger("kgbuild.inputs.articles")

#: File suffixes read as articles, and how.
ARTICLE_SUFFIXES: Mapping[str, str] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
#: Suffixes of companion files that sit next to articles and are never articles.
_COMPANION_SUFFIXES = (".meta.json", ".gold.json")


@dataclass(frozen=True, slots=True)
class Source:
    """An article file to read: its path, its reader, its article id (or id prefix)."""

    path: Path
    kind: str  # "text" | "html" | "jsonl" | "unknown"
    id: str
    root: Path | None = None  # the resolved source folder it was found in


def kind_of(path: Path) -> str | None:
    """The reader for ``path`` by its name: "text", "html", "jsonl" or "unknown"; None for
    companion files that are never articles.

    >>> kind_of(Path("a.HTM")), kind_of(Path("a.meta.json")), kind_of(Path("a.pdf"))
    ('html', None, 'unknown')
    """
    name = path.name.lower()
    if name.endswith(_COMPANION_SUFFIXES):
        return None
    return ARTICLE_SUFFIXES.get(path.suffix.lower(), "unknown")


def _stat_source(path: Path, source: str) -> os.stat_result:
    """``os.stat`` of a path named as a source (links followed), or the InputError."""
    try:
        return os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            why = "a symbolic-link loop" if exc.errno == errno.ELOOP else \
                f"a broken symbolic link (to {os.readlink(path)})"
            raise InputError(f"{why}; nothing to read", input=source,
                             fix="fix or remove the link") from exc
        if isinstance(exc, FileNotFoundError):
            raise InputError(
                "no such file or folder",
                input=source,
                fix="check the path (relative paths are taken from the current folder)",
            ) from exc
        raise InputError(f"cannot read it ({exc.strerror or exc})", input=source,
                         fix="check its permissions") from exc


def walk_folder(
    root: Path, *, report: ProblemHandler, follow_symlinks: bool
) -> Iterator[tuple[Path, os.stat_result]]:
    """Yield the regular files under ``root`` in sorted order, with their (followed) stat.

    Hidden entries are passed over silently; every other entry that is not read
    is reported: FIFOs, sockets and devices, broken links, link loops, links
    out of the folder (an error: a file the user may have meant to include),
    and links to folders (followed only with ``follow_symlinks``, once each).

    Args:
        root: the source folder.
        report: called with each entry that is not read (and why).
        follow_symlinks: follow links out of the folder, and links to folders.

    Returns:
        ``(path, stat)`` of each regular file, depth first, names sorted.
    """
    base = root.resolve()
    visited = {base}

    def ignore(message: str, child: Path, fix: str) -> None:
        report(InputWarning(message, input=str(child), fix=fix))

    def walk(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            ignore(f"cannot list the folder ({exc.strerror or exc}); skipped", folder,
                   "check its permissions")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            linked = entry.is_symlink()
            try:
                info = os.stat(child) if linked else entry.stat(follow_symlinks=False)
            except OSError as exc:
                if linked and exc.errno == errno.ELOOP:
                    ignore("a symbolic-link loop; skipped", child, "fix or remove the link")
                elif linked:
                    ignore(f"a broken symbolic link (to {os.readlink(child)}); skipped", child,
                           "fix or remove the link")
                else:
                    ignore(f"cannot read it ({exc.strerror or exc}); skipped", child,
                           "check its permissions")
                continue
            if linked:
                target = child.resolve()
                if not inside(target, base) and not follow_symlinks:
                    if stat.S_ISREG(info.st_mode) and kind_of(child) in (None, "unknown"):
                        pass  # not an article by its name: reported (or not) as such below
                    else:
                        report(InputError(
                            f"a symbolic link to {target}, outside the source folder; refused",
                            input=str(child),
                            fix="pass --follow-symlinks to read what links point to, or copy "
                            "the file into the folder",
                        ))
                        continue
                if stat.S_ISDIR(info.st_mode):
                    if not follow_symlinks:
                        ignore(f"a symbolic link to the folder {target}; not followed", child,
                               "pass --follow-symlinks to read folders that links point to")
                        continue
                    if target in visited or inside(folder.resolve(), target):
                        ignore(f"a symbolic link to {target}, a folder already read (a loop); "
                               "skipped", child, "remove the link")
                        continue
            if stat.S_ISDIR(info.st_mode):
                if linked:
                    visited.add(child.resolve())
                yield from walk(child)
            elif stat.S_ISREG(info.st_mode):
                yield child, info
            else:
                ignore(f"{file_type(info.st_mode)}, not a regular file; skipped", child,
                       "kgbuild reads only regular files")

    yield from walk(root)


def collect(
    sources: Iterable[str | os.PathLike[str]], *, report: ProblemHandler, follow_symlinks: bool
) -> list[Source]:
    """Resolve sources to a list of files with deterministic, unique ids.

    A file's id is its name; where two files share a name, their paths below the
    folder they have in common.  A file named twice is read once.

    Args:
        sources: files and folders, as given.
        report: called with each file or entry that is not read.
        follow_symlinks: see :func:`walk_folder`.

    Returns:
        The article files, in source order.

    Raises:
        InputError: a source is missing, not a regular file or folder, or a folder holds
            no article file.
    """
    found: list[tuple[Path, str, Path | None]] = []
    seen: set[Path] = set()
    for source in sources:
        path = Path(source)
        info = _stat_source(path, str(source))
        if stat.S_ISDIR(info.st_mode):
            root = path.resolve()
            has_articles = False
            for child, _ in walk_folder(path, report=report, follow_symlinks=follow_symlinks):
                kind = kind_of(child)
                if kind is None:
                    continue
                if kind == "unknown":
                    report(
                        InputWarning(
                            "not an article file; ignored",
                            input=str(child),
                            fix=f"articles end in {', '.join(ARTICLE_SUFFIXES)}",
                        )
                    )
                    continue
                has_articles = True
                if child.resolve() not in seen:
                    seen.add(child.resolve())
                    found.append((child, kind, root))
            if not has_articles:
                raise InputError(
                    f"folder has no article files ({', '.join(ARTICLE_SUFFIXES)})",
                    input=str(source),
                    fix="point at a folder that holds articles, or add some",
                )
            continue
        if not stat.S_ISREG(info.st_mode):
            # never opened: opening a FIFO waits for a writer
            raise InputError(
                f"{file_type(info.st_mode)}, not a regular file",
                input=str(source),
                fix="kgbuild reads only regular files and folders: save the data to a file "
                "first",
            )
        kind = kind_of(path)
        if kind is None:
            _log.debug("%s: companion file, not an article", path)
            continue
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append((path, kind, None))

    names = Counter(p.name for p, _, _ in found)
    clashing = [p.resolve() for p, _, _ in found if names[p.name] > 1]
    common = Path(os.path.commonpath([p.parent for p in clashing])) if clashing else None
    result: list[Source] = []
    for path, kind, root in found:
        ident = path.name
        if common is not None and names[path.name] > 1:
            ident = path.resolve().relative_to(common).as_posix()
        result.append(Source(path, kind, ident, root))
    return result
