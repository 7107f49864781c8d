"""How the event engine reads the dependency parse: voice, conjuncts and clauses.

Who does what to whom, told in the active or the passive voice, in a relative clause
or through a control verb; the objects of a preposition with their conjuncts; a
phrase without its subordinate clauses.  No vocabulary here: the rule tables and the
word forms they are matched by are in :mod:`kgbuild.extractors.event_vocabulary`.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

from kgbuild.extractors.common import is_passive, subject_of
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.tree import children, conjuncts

_RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
_PRUNE = {"relcl", "appos", "advcl", "ccomp", "parataxis"}


def pruned_subtree(tok: Token, *, keep_places: ArticleContext | None = None) -> list[Token]:
    """``tok``'s subtree without relative, appositive and subordinate clauses (an
    appositive place is kept when ``keep_places`` is given: "near Z, R")."""
    out = [tok]
    for c in children(tok):
        if c.dep_ in _PRUNE and not (
            keep_places is not None and c.dep_ == "appos" and _is_place(keep_places, c)
        ):
            continue
        out.extend(pruned_subtree(c, keep_places=keep_places))
    return out


def _is_place(ctx: ArticleContext, tok: Token) -> bool:
    ref = ctx.ref_at(tok)
    if ref is None:
        return False
    info = ctx.entities.get(ref.key)
    return info is not None and info.is_place and not info.is_actor


def _prep_objects(tok: Token, preps: Iterable[str]) -> list[Token]:
    want = set(preps)
    out: list[Token] = []
    for c in children(tok):
        word = "by" if c.dep_ == "agent" else c.lower_
        if (c.dep_ in ("prep", "agent") or (c.dep_ == "dative" and word == "to")) and (
            word in want
        ):
            out.extend(p for p in children(c) if p.dep_ in ("pobj", "pcomp"))
    return out


def _with_conjuncts(toks: Iterable[Token]) -> list[Token]:
    out: list[Token] = []
    for t in toks:
        for x in (t, *conjuncts(t)):
            if x not in out:
                out.append(x)
    return out


def _passive(tok: Token) -> bool:
    if is_passive(tok):
        return True
    # "the town captured by rebels", "a man shot dead": a participle modifying a noun
    return tok.dep_ == "acl" and tok.tag_ == "VBN"


def _subject(tok: Token) -> Token | None:
    """The grammatical subject of verb ``tok``; an object-control verb's object is its
    complement's subject ("forced police to open fire")."""
    if tok.dep_ == "xcomp":
        obj = next((c for c in children(tok.head) if c.dep_ == "dobj"), None)
        if obj is not None:
            return obj
    if tok.dep_ == "acl" and not _passive(tok) and tok.tag_ == "VBG":
        return tok.head  # "gunmen riding motorbikes attacked", "militants attacking"
    s = subject_of(tok)
    if s is not None and s.lower_ in _RELATIVE_PRONOUNS and s.head.dep_ == "relcl":
        return s.head.head
    return s


def logical_subject(tok: Token) -> list[Token]:
    """Who does what verb ``tok`` says: the active subject or the passive by-phrase."""
    if _passive(tok):
        by = _prep_objects(tok, ("by",))
        if not by:
            # "was shot and killed by police": the by-phrase of the last conjunct
            for c in conjuncts(tok):
                if c.tag_ == "VBN" and c.i > tok.i:
                    by = _prep_objects(c, ("by",))
                    if by:
                        break
        return _with_conjuncts(by)
    s = _subject(tok)
    if s is None or s.dep_ == "nsubjpass":
        return []
    return _with_conjuncts([s])


def logical_object(tok: Token) -> list[Token]:
    """Whom verb ``tok`` acts on: the direct object, or the passive subject."""
    if _passive(tok):
        subj = next((c for c in children(tok) if c.dep_ == "nsubjpass"), None)
        if subj is None:
            s = subject_of(tok)
            subj = s if s is not None and s.dep_ == "nsubjpass" else None
        if subj is None and tok.dep_ == "acl":
            subj = tok.head
        if subj is not None and subj.lower_ in _RELATIVE_PRONOUNS and subj.head.dep_ == "relcl":
            subj = subj.head.head
        return _with_conjuncts([subj]) if subj is not None else []
    objs = [c for c in children(tok) if c.dep_ in ("dobj", "oprd")]
    if not objs:
        # "intercepted and destroyed two missiles": the object of the last conjunct
        for c in children(tok):
            if c.dep_ == "conj" and c.pos_ == "VERB":
                objs = [d for d in children(c) if d.dep_ == "dobj"]
                if objs:
                    break
    return _with_conjuncts(objs)


def _governor(tok: Token) -> Token | None:
    """The content word a noun depends on, skipping a preposition ("came under fire")."""
    h = tok.head
    if h.i == tok.i:
        return None
    if tok.dep_ in ("pobj", "pcomp") and h.dep_ in ("prep", "agent"):
        return h.head
    if tok.dep_ == "conj":
        return _governor(h)
    return h
