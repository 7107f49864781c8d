"""The exceptions kgbuild raises, as one tree.

Every message says what failed, on which input, and what to do about it; the
command line maps each class to one exit code and prints the message without a
traceback (``-v`` shows it)::

    KgbuildError                 exit 2   base class: .input, .fix, .exit_code
    ├── InputError               exit 2   missing path, unreadable / binary / empty file,
    │   │                                 bad JSONL line, bad sidecar, unknown file type
    │   └── InputWarning         exit 2   (reported, not raised) read with a caveat or
    │                                     harmlessly ignored: lossy decoding, NFC,
    │                                     duplicate article, ignored file
    ├── ConfigError              exit 2   bad TOML, unknown setting, bad value
    ├── GoldFormatError          exit 2   a gold annotation file that cannot be used
    ├── RDFInputError            exit 2   a graph file that cannot be parsed
    ├── QueryError               exit 2   unknown query, bad SPARQL, bad parameter
    │   ├── QueryTimeout         exit 3   the query ran longer than the timeout
    │   └── QueryMemoryExceeded  exit 3   the query needed more memory than its cap
    ├── StoreError               exit 2   a storage back end failed
    └── ValidationFailed         exit 1   the graph does not conform to the shapes

Exit code 0 means success; 1 means the run finished but the result is not
acceptable (shapes violated, articles skipped); 2 means bad input or usage; 3 a
query stopped by a limit (time or memory).

>>> err = InputError("file is empty", input="a.txt", fix="remove it or add text")
>>> str(err)
'a.txt: file is empty. Fix: remove it or add text.'
>>> err.exit_code
2
"""

from __future__ import annotations

from os import PathLike
from typing import ClassVar

__all__ = [
    "ConfigError",
    "GoldFormatError",
    "InputError",
    "InputWarning",
    "KgbuildError",
    "QueryError",
    "QueryMemoryExceeded",
    "QueryTimeout",
    "RDFInputError",
    "StoreError",
    "ValidationFailed",
]


class KgbuildError(Exception):
    """Base class of every error kgbuild raises on purpose.

    Args:
        message: what failed, as a sentence fragment without the input's name.
        input: the file, ``file:line``, setting or query the failure is about.
        fix: what the user can do about it.

    Attributes:
        message: as given.
        input: as given, as a string ("" when not about one input).
        fix: as given ("" when there is nothing to suggest).
        exit_code: the command line's exit status for this class of error.
    """

    exit_code: ClassVar[int] = 2

    def __init__(
        self,
        message: str,
        *,
        input: str | PathLike[str] | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.input = "" if input is None else str(input)
        self.fix = fix or ""
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.input}: {self.message}" if self.input else self.message
        text = text.rstrip(".") + "."
        if self.fix:
            text += f" Fix: {self.fix.rstrip('.')}."
        return text

    def __str__(self) -> str:
        return self._render()

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments need help to survive pickling (multiprocessing).
        return (_rebuild, (type(self), self.message, self.input, self.fix))


def _rebuild(cls: type[KgbuildError], message: str, input: str, fix: str) -> KgbuildError:
    return cls(message, input=input or None, fix=fix or None)


class InputError(KgbuildError):
    """An article source cannot be read: the file or line is skipped (or, strict, fatal)."""

    exit_code = 2


class InputWarning(InputError):
    """An article source was read with a caveat, or deliberately ignored.

    Never raised by the reader: it is passed to ``on_problem`` (or logged) and
    the build goes on.  It does not count as a skipped article.
    """


class ConfigError(KgbuildError):
    """A settings file or option is wrong: bad TOML, unknown key, bad value."""

    exit_code = 2


class GoldFormatError(KgbuildError):
    """A gold annotation file does not follow ``tests/gold/FORMAT.md``."""

    exit_code = 2


class RDFInputError(KgbuildError):
    """A graph file cannot be parsed (or its format is not recognised)."""

    exit_code = 2


class QueryError(KgbuildError):
    """A SPARQL query cannot be found, parsed, bound or run."""

    exit_code = 2


class QueryTimeout(QueryError):
    """A SPARQL query ran longer than the allowed time."""

    exit_code = 3


class QueryMemoryExceeded(QueryError):
    """A SPARQL query needed more memory than its cap and was stopped.

    The same exit code as a timeout: both say the query is too expensive as
    written (narrow it, or raise the limit).
    """

    exit_code = 3


class ValidationFailed(KgbuildError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1


class StoreError(KgbuildError):
    """A storage back end (file store, Oxigraph) failed."""

    exit_code = 2
