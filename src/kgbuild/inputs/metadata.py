"""Article metadata: the fields a sidecar ``NAME.meta.json``, an HTML page or a JSONL line
may give (``id``, ``published``, ``publisher``, ``title``, ``url``), checked one by one.

A bad value is dropped with a warning (an error in strict mode); the rest are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kgbuild.core.errors import InputError, InputWarning
from kgbuild.inputs.decoding import Decoder
from kgbuild.inputs.files import MAX_FILE_BYTES, inside, open_regular

__all__ = ["META_KEYS", "check_meta", "parse_date", "read_sidecar"]

#: Keys a sidecar ``.meta.json`` (or a JSONL line besides ``text``) may hold.
META_KEYS = ("id", "published", "publisher", "title", "url")


def parse_date(value: str) -> date:
    """Parse an ISO 8601 date or date-time into a date.

    Args:
        value: "2022-08-04" or "2022-08-04T10:00:00+02:00", spaces around allowed.

    Returns:
        The date (a date-time's own date, not converted to UTC).

    Raises:
        ValueError: not an ISO date.

    >>> parse_date(" 2022-08-04T23:30:00-05:00")
    datetime.date(2022, 8, 4)
    """
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        return datetime.fromisoformat(value).date()


def check_meta(
    decoder: Decoder, raw: Mapping[str, Any], *, input: str, allowed_extra: Iterable[str] = ()
) -> tuple[dict[str, Any], set[str]]:
    """Validate metadata fields; return the good ones and the unknown keys.

    Args:
        decoder: the reading run, which reports bad values and cleans text.
        raw: the fields as found (a JSON object, an HTML page's metadata).
        input: how messages name where they come from.
        allowed_extra: other keys that are not unknown (a JSONL line's ``text``).

    Returns:
        ``(meta, unknown)``: the good fields, ``published`` as a :class:`~datetime.date`
        and the others stripped, and the keys that are not metadata.
    """
    meta: dict[str, Any] = {}
    unknown = set(raw) - set(META_KEYS) - set(allowed_extra)
    for key in META_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            decoder.lossy(
                f"metadata field {key!r} must be a non-empty string, not {value!r}; ignored",
                input=input,
                fix=f"write {key!r} as a JSON string or remove it",
            )
            continue
        value = decoder.scrub(value, input=input, what=f"metadata field {key!r}")
        if key == "published":
            try:
                meta[key] = parse_date(value)
            except ValueError:
                decoder.lossy(
                    f"metadata field 'published' is not an ISO date: {value!r}; ignored",
                    input=input,
                    fix='write the date as "YYYY-MM-DD"',
                )
            continue
        meta[key] = value.strip()
    return meta, unknown


def read_sidecar(
    decoder: Decoder, path: Path, root: Path | None = None, *, follow_symlinks: bool = False
) -> dict[str, Any]:
    """Read ``NAME.meta.json`` (or ``NAME.txt.meta.json``) next to ``path``, if there is one.

    Only a regular file is read; in a source folder (``root``), a sidecar
    that links outside it is ignored unless symbolic links are followed.

    Args:
        decoder: the reading run, which reports a sidecar that cannot be used.
        path: the article file.
        root: the resolved source folder ``path`` was found in, if any.
        follow_symlinks: accept a sidecar that links outside ``root``.

    Returns:
        The sidecar's good fields (see :func:`check_meta`); empty when there is none
        or it cannot be used.
    """
    candidates = [path.with_name(path.stem + ".meta.json"), Path(f"{path}.meta.json")]
    sidecar = next((c for c in candidates if c.is_file()), None)
    if sidecar is None:
        return {}
    fix = 'write a JSON object such as {"url": "...", "published": "2022-08-04"}'
    if (root is not None and not follow_symlinks and sidecar.is_symlink()
            and not inside(sidecar.resolve(), root)):
        decoder.lossy(
            f"sidecar metadata is a symbolic link to {sidecar.resolve()}, outside the "
            "source folder; ignored",
            input=str(sidecar),
            fix="copy the file into the folder, or pass --follow-symlinks",
        )
        return {}
    try:
        with open_regular(sidecar, name=str(sidecar)) as handle:
            data = handle.read(MAX_FILE_BYTES)
        raw = json.loads(data.decode("utf-8-sig"))
    except InputError as exc:
        decoder.lossy(f"{exc.message}; ignored", input=str(sidecar), fix=exc.fix)
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        decoder.lossy(
            f"cannot read sidecar metadata ({exc}); ignored", input=str(sidecar), fix=fix
        )
        return {}
    if not isinstance(raw, dict):
        decoder.lossy(
            "sidecar metadata is not a JSON object; ignored", input=str(sidecar), fix=fix
        )
        return {}
    meta, unknown = check_meta(decoder, raw, input=str(sidecar))
    if unknown:
        decoder.report(
            InputWarning(
                f"unknown sidecar keys {sorted(unknown)} ignored",
                input=str(sidecar),
                fix=f"use only {list(META_KEYS)}",
            )
        )
    return meta
