"""The parse tree's navigation (children, subtree, conjuncts, ancestors), read once per token
of the article being extracted.

spaCy computes ``Token.children``, ``Token.subtree``, ``Token.conjuncts`` and
``Token.ancestors`` afresh on every read, scanning the Doc's arrays and making new
``Token`` objects each time; the extractors ask the same tokens the same questions many
times over.  :func:`reading` makes a :class:`ParseTree` for one Doc current while the
extractors run over it (:func:`kgbuild.extractors.run_extractors`), and :func:`children`
and the others answer from it: the same tokens in the same order as spaCy's, as tuples.

The tree reads the Doc's head offsets, dependency labels and subtree edges once, and its
answers are made of one list of the Doc's tokens (one ``Token`` object per position), so
no navigation makes new ``Token`` objects after the first request.  Each relation follows
spaCy's own definition step by step (``Token.lefts`` scans from the left edge,
``Token.rights`` from the right edge, ``Token.conjuncts`` climbs ``conj`` arcs through
``Token.head``), so the answers are the same tokens in the same order.

The cache lives only as long as the ``with reading(doc)`` block: it is held in a context
variable that the block resets, so no article's tokens outlive its extraction.  Outside
such a block (or for a token of another Doc) the functions ask spaCy directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from spacy.symbols import conj as _CONJ
from spacy.tokens import Doc, Token

__all__ = [
    "ParseTree",
    "ancestors",
    "children",
    "conjuncts",
    "current",
    "doc_text",
    "reading",
    "subtree",
    "tokens_of",
]


class ParseTree:
    """The navigation of one Doc's tokens, each answer made on first request.

    Args:
        doc: the parsed Doc.
    """

    __slots__ = (
        "_dep",
        "_kids",
        "_raw_head",
        "ancestors",
        "children",
        "conjuncts",
        "doc",
        "forms",
        "subtree",
        "text",
        "tokens",
    )

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        n = len(doc)
        # token index -> the answer, None until asked
        self.children: list[tuple[Token, ...] | None] = [None] * n
        self.subtree: list[tuple[Token, ...] | None] = [None] * n
        self.conjuncts: list[tuple[Token, ...] | None] = [None] * n
        self.ancestors: list[tuple[Token, ...] | None] = [None] * n
        # token index -> the word forms the event rules match (event_vocabulary._forms)
        self.forms: list[tuple[str, ...] | None] = [None] * n
        # doc.text, made on first request (see doc_text)
        self.text: str | None = None
        # the Doc's arrays, read on the first navigation (see _index)
        self.tokens: list[Token] = []
        self._kids: list[list[int]] = []
        self._raw_head: list[int] = []
        self._dep: list[int] = []

    def _index(self) -> None:
        """Read the heads and labels once (two arrays, no Token objects), and each token's
        children.

        spaCy's ``lefts`` scans from the token's left edge and ``rights`` from its right
        edge for tokens whose raw head offset points at it; the edges bound the token's
        descendants, so its children are every token whose head points at it, left to
        right (tests/test_extractor_caches.py compares them with spaCy's on parsed text).
        """
        doc = self.doc
        tokens = self.token_list()
        n = len(tokens)
        raw_head: list[int] = []
        dep: list[int] = []
        if n:
            # HEAD is the raw offset of the head (two's complement in an unsigned array)
            arrays = doc.to_array(["HEAD", "DEP"])
            offsets = arrays[:, 0].view("int64").tolist()
            raw_head = [i + off for i, off in enumerate(offsets)]
            dep = arrays[:, 1].tolist()
        kids: list[list[int]] = [[] for _ in range(n)]
        for j, h in enumerate(raw_head):
            if h != j:
                kids[h].append(j)
        self._kids = kids
        self._raw_head = raw_head
        self._dep = dep
        # nearly every token's children are asked for: all made here, in one pass
        self.children = [tuple([tokens[j] for j in k]) for k in kids]

    def token_list(self) -> list[Token]:
        """The Doc's tokens, one ``Token`` object per position, made once."""
        if not self.tokens:
            self.tokens = list(self.doc)
        return self.tokens

    def make(self, relation: str, i: int) -> tuple[Token, ...]:
        """The answer for ``relation`` of token ``i``, made from the arrays.

        Args:
            relation: ``children``, ``subtree``, ``conjuncts`` or ``ancestors``.
            i: the token's index.

        Returns:
            The tokens spaCy's property of that name gives, in its order.
        """
        if not self._kids:
            self._index()
        tokens = self.tokens
        if relation == "children":
            return self.children[i]  # made by _index
        if relation == "subtree":
            return tuple([tokens[j] for j in self._subtree_indices(i)])
        if relation == "ancestors":
            return tuple([tokens[j] for j in self._ancestor_indices(i)])
        return tuple([tokens[j] for j in self._conjunct_indices(i)])

    def _subtree_indices(self, i: int) -> list[int]:
        """Token.subtree: each left child's subtree, the token, each right child's subtree
        (iterative, so a deep tree cannot exhaust the recursion limit)."""
        kids = self._kids
        out: list[int] = []
        # an index to expand, or ~index (negative) for a token to emit
        stack = [i]
        while stack:
            x = stack.pop()
            if x < 0:
                out.append(~x)
                continue
            mine = kids[x]
            for k in reversed(mine):
                if k > x:
                    stack.append(k)
            stack.append(~x)
            for k in reversed(mine):
                if k < x:
                    stack.append(k)
        return out

    def _ancestor_indices(self, i: int) -> list[int]:
        """Token.ancestors: follow the raw head offsets until one is zero (at most as many
        steps as there are tokens)."""
        raw_head = self._raw_head
        n = len(raw_head)
        out: list[int] = []
        h = i
        steps = 0
        while raw_head[h] != h and steps < n:
            h = raw_head[h]
            out.append(h)
            steps += 1
        return out

    def _conjunct_indices(self, i: int) -> list[int]:
        """Token.conjuncts: climb ``conj`` arcs to the first conjunct, then collect the
        ``conj`` right children breadth first; the token itself left out."""
        raw_head, dep, kids = self._raw_head, self._dep, self._kids
        start = i
        # spaCy climbs while the token has a head of its own and is a conj; a conj has a
        # label, so its head is the raw one
        while dep[start] == _CONJ and raw_head[start] != start:
            start = raw_head[start]
        queue = [start]
        output = [start]
        for word in queue:
            for child in kids[word]:
                if child > word and dep[child] == _CONJ:
                    output.append(child)
                    queue.append(child)
        return [w for w in output if w != i]


_CURRENT: ContextVar[ParseTree | None] = ContextVar("kgbuild_parse_tree", default=None)

#: The tree of the Doc being read, or None (for per-token caches of other modules: check
#: that ``tree.doc`` is the token's Doc).
current = _CURRENT.get


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
    doc = tok.doc
    if tree is None or tree.doc is not doc or (
        relation == "conjuncts" and "conjuncts" in doc.user_token_hooks
    ):
        return tuple(getattr(tok, relation))
    table = getattr(tree, relation)
    i = tok.i
    got = table[i]
    if got is None:
        got = table[i] = tree.make(relation, i)
    return got


def children(tok: Token) -> tuple[Token, ...]:
    """The token's syntactic children, left to right (``tok.children``)."""
    # asked a quarter of a million times per 200 articles: the cached answer without the
    # calls of _cached
    tree = _CURRENT.get()
    if tree is not None and tree.doc is tok.doc:
        got = tree.children[tok.i]
        if got is not None:
            return got
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


def tokens_of(doc: Doc) -> list[Token]:
    """``list(doc)``: while ``doc`` is being read (see :func:`reading`), the tree's own list,
    so that the extractors and the navigation share one ``Token`` object per position.

    Args:
        doc: the Doc.

    Returns:
        Its tokens in order (the tree's list: do not change it).
    """
    tree = _CURRENT.get()
    if tree is None or tree.doc is not doc:
        return list(doc)
    return tree.token_list()


def doc_text(doc: Doc) -> str:
    """``doc.text``: while ``doc`` is being read (see :func:`reading`), made once from the
    tree's tokens (spaCy joins every token's ``text_with_ws`` anew on each read, making a
    new Token for each).

    Args:
        doc: the Doc.

    Returns:
        Its text.
    """
    tree = _CURRENT.get()
    if tree is None or tree.doc is not doc:
        return str(doc.text)
    if tree.text is None:
        tree.text = "".join([t.text_with_ws for t in tree.token_list()])
    return tree.text
