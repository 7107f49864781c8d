"""events.v2: events from a trigger table, with participants from the same sentence.

The triggers are data (``extractors/rules/event_triggers.tsv``, loaded and indexed by
:mod:`kgbuild.extractors.event_rules`): a lemma or a multiword expression, its part of
speech, its class, a frame saying which dependents give agent, target and place, and
conditions.  One engine runs them, this module and the ``event_*`` modules below it:

1. **Match.**  Each token's lemma is looked up in the index; a multiword expression
   matches when its other words are linked to the first within two steps of the parse.
   Longer matches win; a token belongs to one match.
2. **Filter.**  Negated, denied, wished, warned-about and modal acts are no events
   (:func:`~kgbuild.extractors.common.hypothetical`); nor is a verb whose subject is an
   event ("the strike destroyed ...": a result), a word inside a multiword name, or a
   "solo" trigger (a killing, an injury, a dispersal) told beside the event it belongs to.
3. **Roles, with voice.**  Logical subject and object (a passive subject is the object,
   the by-phrase the subject; a relative pronoun is its antecedent); possessives,
   demonyms and compounds of an event noun are its agent; the subject of a light verb
   ("X launched an attack") is the agent of its noun; "X and Y" on a "sides" slot puts X
   as agent and Y as target.  Places are the place references of the clause ("in Z",
   "near Z, R": both, innermost first, and Z within R).  The time is the clause's time
   expression, or the one that opens the paragraph.  The source is "according to X" or
   the subject of a reporting or recording verb ("Observers recorded 63 explosions":
   the observers are the source, not the agent).
4. **Refine.**  A generic attack takes the class of the weapon it names (artillery,
   drone, IED, grenade, suicide, chemical), else of its participants' sides: civilians
   as victims make an attack on civilians, two armed sides an armed clash, a mob mob
   violence, police on protesters excessive force.  A capture is by the government or
   by a non-state group; a protest is peaceful unless the sentence tells of force used
   against it or by it.
5. **Coreference** within the article: a definite mention ("the attack", "Niger's
   operation") joins the latest earlier event of its family with compatible
   participants; a headline event joins the first compatible body event; a retaliation
   reverses the roles of the attack it answers.

Classes the ontology does not know yet are written as their older superclass
(:func:`written_kind`).

The engine's modules, lowest first (each imports only those before it):
:mod:`~kgbuild.extractors.event_syntax` (voice, conjuncts, clauses),
:mod:`~kgbuild.extractors.event_vocabulary` (word forms, classes, word lists, sides),
:mod:`~kgbuild.extractors.event_triggers` (1, 2),
:mod:`~kgbuild.extractors.event_participants` and
:mod:`~kgbuild.extractors.event_setting` (3),
:mod:`~kgbuild.extractors.event_refinement` (4),
:mod:`~kgbuild.extractors.event_protests` (a protest and the force used on it),
:mod:`~kgbuild.extractors.event_sentences` (one sentence's events),
:mod:`~kgbuild.extractors.event_coreference` (5); this module runs them over an
article and writes the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from spacy.tokens import Token

from kgbuild.core.model import EVENT_KINDS, Event, PlaceLink
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_coreference import _claimed, _corefer, _responses, merge_events
from kgbuild.extractors.event_participants import _Roles
from kgbuild.extractors.event_protests import _paragraph_protests
from kgbuild.extractors.event_refinement import refine
from kgbuild.extractors.event_sentences import _sentence_events
from kgbuild.extractors.event_setting import _within_links
from kgbuild.extractors.event_syntax import logical_object, logical_subject, pruned_subtree
from kgbuild.extractors.event_vocabulary import (
    _RULES,
    FAMILIES,
    is_violent,
    side_of_ref,
    side_of_token,
)

# the engine's public names, importable from here as before the split
__all__ = [
    "FAMILIES",
    "NAME",
    "WRITABLE_KINDS",
    "event_at",
    "extract",
    "is_violent",
    "logical_object",
    "logical_subject",
    "merge_events",
    "pruned_subtree",
    "refine",
    "side_of_ref",
    "side_of_token",
    "written_kind",
]

NAME = "events.v2"

#: The classes the RDF stage can write: the gold vocabulary and every class of
#: ``event_classes.tsv`` (the ontology's ACLED-aligned classes).  A class missing from
#: the ontology would be written as its older superclass (column writes_as) by
#: :func:`written_kind`.
WRITABLE_KINDS: frozenset[str] = frozenset(EVENT_KINDS) | frozenset(_RULES.classes)


def written_kind(cls: str, writable: Iterable[str] | None = None) -> str | None:
    """The class to write for ``cls``: itself when the ontology knows it, else its
    older superclass from ``event_classes.tsv``; None when there is none yet.

    >>> written_kind("Attack")
    'Attack'
    >>> written_kind("ArmedClash", {"Attack"})
    'Attack'
    >>> written_kind("PeacefulProtest", {"Attack"}) is None
    True
    """
    known = WRITABLE_KINDS if writable is None else frozenset(writable)
    if cls in known:
        return cls
    info = _RULES.classes.get(cls)
    if info is None or info.writes_as is None or info.writes_as not in known:
        return None
    return info.writes_as


def extract(ctx: ArticleContext) -> None:
    """Append the article's events (and the "within" links of their places) to ``ctx.out``,
    and leave on ``ctx`` which token triggered each event (:func:`event_at`)."""
    found3: list[tuple[Token, Event, _Roles]] = []
    for sent in ctx.sents:
        found3.extend(_sentence_events(ctx, sent, extractor=NAME))
    found3 = _paragraph_protests(ctx, found3)
    found: list[tuple[Token, Event]] = [(t, e) for t, e, _ in found3]
    # in-article coreference
    events, aliases, extra_evidence = _corefer(ctx, found)
    _responses(ctx, found, events, aliases)
    events = _claimed(ctx, found, events, aliases)
    # "near Z, R": Z within R
    links: set[tuple[str, str]] = set()
    for tok, ev in found:
        for z, r in _within_links(ctx, list(ev.places), ctx.sent(tok)):
            if (z, r) not in links:
                links.add((z, r))
                ctx.out.place_links.append(
                    PlaceLink(ctx.span_evidence(ctx.sent(tok), NAME), z, "within", r)
                )
    # classes the ontology lacks are written as their superclass, or not at all
    written: list[Event] = []
    dropped: set[str] = set()
    for ev in events:
        kind = written_kind(ev.kind)
        if kind is None:
            dropped.add(ev.key)
            continue
        written.append(ev if kind == ev.kind else replace(ev, kind=kind))
    ctx.event_aliases = {  # type: ignore[attr-defined]
        k: v for k, v in aliases.items() if v not in dropped
    }
    ctx.event_tokens = {  # type: ignore[attr-defined]
        ev.key: tok.i for tok, ev in found if ev.key not in dropped
    }
    ctx.extra_evidence = extra_evidence  # type: ignore[attr-defined]
    ctx.out.events.extend(written)


def event_at(ctx: ArticleContext, tok: Token) -> str | None:
    """The (surviving) event key whose trigger is ``tok``."""
    tokens: dict[str, int] = getattr(ctx, "event_tokens", {})
    # token -> the first event it triggers, made once per article (asked of every token)
    index = ctx.__dict__.get("_event_at")
    if index is None or index[0] is not tokens:
        by_token: dict[int, str] = {}
        for key, i in tokens.items():
            by_token.setdefault(i, key)
        index = (tokens, by_token)
        ctx.__dict__["_event_at"] = index
    key = index[1].get(tok.i)
    if key is None:
        return None
    return getattr(ctx, "event_aliases", {}).get(key, key)
