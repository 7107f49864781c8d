"""The parse tree's navigation (children, subtree, conjuncts, ancestors), read once per token
of the article being extracted.

spaCy computes ``Token.children``, ``Token.subtree``, ``Token.conjuncts`` and
``Token.ancestors`` afresh on every read, scanning the Doc's arrays and making new
``Token`` objects each time; the extractors ask the same tokens the same questions many
times over.  :func:`reading` makes a :class:`ParseTree` for one Doc current while the
extractors run over it (:func:`kgbuild.extractors.run_extractors`), and :func:`children`
and the others answer from it: the same tokens in the same order as spaCy's, as tuples.

The cache lives only as long as the ``with reading(doc)`` block: it is held in a context
variable that the block resets, so no article's tokens outlive its extraction.  Outside
such a block (or for a token of another Doc) the functions ask spaCy directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from spacy.tokens import Doc, Token

__all__ = ["ParseTree", "ancestors", "children", "conjuncts", "reading", "subtree"]


class ParseTree:
    """The navigation of one Doc's tokens, each answer made on first request.

    Args:
        doc: the parsed Doc.
    """

    __slots__ = ("ancestors", "children", "conjuncts", "doc", "subtree")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        n = len(doc)
        # token index -> the answer, None until asked
        self.children: list[tuple[Token, ...] | None] = [None] * n
        self.subtree: list[tuple[Token, ...] | None] = [None] * n
        self.conjuncts: list[tuple[Token, ...] | None] = [None] * n
        self.ancestors: list[tuple[Token, ...] | None] = [None] * n


_CURRENT: ContextVar[ParseTree | None] = ContextVar("kgbuild_parse_tree", default=None)


@contextmanager
def reading(doc: Doc) -> Iterator[ParseTree]:
    """Make ``doc``'s :class:`ParseTree` current for the block (and drop it after).

    Args:
        doc: the Doc the extractors are about to read.

    Returns:
        A context manager giving the tree.
    """
    tree = ParseTree(doc)
    token = _CURRENT.set(tree)
    try:
        yield tree
    finally:
        _CURRENT.reset(token)


def _cached(tok: Token, relation: str) -> tuple[Token, ...]:
    """``tuple(getattr(tok, relation))``, kept for the Doc being read (see :func:`reading`)."""
    tree = _CURRENT.get()
    if tree is None or tree.doc is not tok.doc:
        return tuple(getattr(tok, relation))
    table = getattr(tree, relation)
    got = table[tok.i]
    if got is None:
        got = table[tok.i] = tuple(getattr(tok, relation))
    return got


def children(tok: Token) -> tuple[Token, ...]:
    """The token's syntactic children, left to right (``tok.children``)."""
    return _cached(tok, "children")


def subtree(tok: Token) -> tuple[Token, ...]:
    """The token and its descendants in spaCy's order (``tok.subtree``)."""
    return _cached(tok, "subtree")


def conjuncts(tok: Token) -> tuple[Token, ...]:
    """The tokens coordinated with it (``tok.conjuncts``)."""
    return _cached(tok, "conjuncts")


def ancestors(tok: Token) -> tuple[Token, ...]:
    """The token's heads up to the root, nearest first (``tok.ancestors``)."""
    return _cached(tok, "ancestors")
