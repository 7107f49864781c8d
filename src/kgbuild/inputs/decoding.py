"""Decoding an article file's bytes and cleaning its text, and where the problems of one
reading run go.

Text decoding: UTF-8.  A byte-order mark is removed *before* offsets are counted; a
UTF-16 file with its byte-order mark is read as UTF-16.  Bytes that are not UTF-8 are
replaced by U+FFFD with a warning naming the file and byte position (an error in strict
mode), unless an HTML page declares another character set that decodes them.  Files
with NUL bytes are binary and refused.  Lone surrogate code points are replaced by
U+FFFD with a warning, so that every text encodes as UTF-8; the length stays the same,
so offsets do not move.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable

from kgbuild.core.errors import InputError, InputWarning, KgbuildError

__all__ = ["Decoder", "ProblemHandler", "replace_surrogates"]

# the reader's documented logger, whichever of its modules reports
_log = logging.getLogger("kgbuild.inputs.articles")

_SURROGATE = re.compile("[\ud800-\udfff]")

ProblemHandler = Callable[[KgbuildError], None]


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate code point replaced by U+FFFD (same length).

    >>> replace_surrogates("a" + chr(0xD800)) == "a" + chr(0xFFFD)
    True
    """
    return _SURROGATE.sub("\ufffd", text)


class Decoder:
    """Decoding and clean-up for one reading run, and the run's problem reporting.

    Args:
        strict: raise errors (not warnings) instead of reporting them, and treat a
            lossy clean-up as an error.
        on_problem: called with each problem; without it, problems are logged.
    """

    def __init__(self, *, strict: bool, on_problem: ProblemHandler | None) -> None:
        self.strict = strict
        self.on_problem = on_problem

    # -- problems

    def report(self, problem: KgbuildError) -> None:
        """Hand a problem to the caller; in strict mode, raise errors instead."""
        if problem.__cause__ is not None:  # shown with -v
            _log.debug("%s: caused by %r", problem.input, problem.__cause__)
        if self.strict and not isinstance(problem, InputWarning):
            raise problem
        if self.on_problem is not None:
            self.on_problem(problem)
        else:
            _log.warning("%s", problem)

    def lossy(self, message: str, *, input: str, fix: str) -> None:
        """A problem that loses information: an error when strict, else a warning."""
        cls = InputError if self.strict else InputWarning
        self.report(cls(message, input=input, fix=fix))

    def scrub(self, text: str, *, input: str, what: str = "text") -> str:
        """Replace lone surrogates (invalid in UTF-8 and RDF) by U+FFFD, with a warning."""
        found = _SURROGATE.search(text)
        if found is None:
            return text
        self.lossy(
            f"{what} holds lone surrogate code points (first at character {found.start()}); "
            "they were replaced with U+FFFD",
            input=input,
            fix="fix the source: in JSON, \\ud800-\\udfff escapes must come in valid pairs",
        )
        return replace_surrogates(text)

    # -- decoding

    def decode(self, data: bytes, *, name: str, offset: int = 0, charset: str | None = None) -> str:
        """Decode bytes as UTF-8 (BOM removed), replacing invalid bytes with a warning."""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and offset == 0:
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"binary file (NUL byte at byte {offset + nul})",
                input=name,
                fix="give a UTF-8 text, HTML or JSONL file, or remove it from the sources",
            )
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        body = data[skip:]
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            position = offset + skip + exc.start
            if charset:
                try:
                    return body.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    pass
            self.lossy(
                f"not valid UTF-8 at byte {position}; undecodable bytes were replaced with U+FFFD",
                input=name,
                fix="re-save the file as UTF-8 (for example: iconv -f cp1252 -t utf-8)",
            )
            return body.decode("utf-8", errors="replace")
