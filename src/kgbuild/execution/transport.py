"""Results sent home from worker processes: pickled with each record rebuilt by its class.

A record of :mod:`kgbuild.core.model` is a frozen dataclass with slots; pickle rebuilds
such an object through the ``__setstate__`` that :mod:`dataclasses` writes for it, which
asks ``dataclasses.fields`` for the field list at each object. A chunk's results hold
tens of thousands of records (every mention has its evidence), so that call was most of
the main process's work to receive them. Here each record travels as its class and its
field values, and is rebuilt by calling the class: the same object, a fourth of the
time to receive it (and half the time to send it).
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import pickle
from collections.abc import Callable
from typing import Any

from kgbuild.core import model

__all__ = ["dumps", "loads"]

Reducer = Callable[[Any], tuple[type, tuple[Any, ...]]]


def _reducer(cls: type) -> Reducer:
    """Pickle an object of ``cls`` as a call of ``cls`` with its field values in order."""
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple([getattr(obj, name) for name in names])

    return reduce


def _rebuilt_by_call(cls: type) -> bool:
    """Whether calling ``cls`` with its field values gives back the same record: a frozen
    dataclass whose every field is set by ``__init__`` as given (no ``__post_init__``)."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        return False
    params = getattr(cls, "__dataclass_params__", None)
    return (params is not None and params.frozen and not hasattr(cls, "__post_init__")
            and all(f.init for f in dataclasses.fields(cls)))


def _table() -> dict[type, Reducer]:
    table: dict[type, Reducer] = dict(copyreg.dispatch_table)
    for value in vars(model).values():
        if _rebuilt_by_call(value) and value.__module__ == model.__name__:
            table[value] = _reducer(value)
    return table


_TABLE = _table()


def dumps(obj: Any) -> bytes:
    """Pickle ``obj`` (a worker's results) with the records of :mod:`kgbuild.core.model`
    reduced to their class and field values.

    Args:
        obj: any picklable object.

    Returns:
        The pickle, for :func:`loads` (or ``pickle.loads``).
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TABLE
    pickler.dump(obj)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """The object :func:`dumps` pickled.

    >>> from kgbuild.core.model import Evidence
    >>> ev = Evidence("a.txt", 0, 4, "Rain", "test")
    >>> back = loads(dumps([ev, ev]))
    >>> back[0] == ev, back[0] is back[1]
    (True, True)
    """
    return pickle.loads(data)
