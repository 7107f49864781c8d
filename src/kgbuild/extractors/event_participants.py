"""Who took part in an event: the agents and targets its frame and its clause name.

Step 3 of :mod:`kgbuild.extractors.events`.  A trigger's frame (``event_triggers.tsv``)
says which dependents are agent, target, both sides, place or a deferred event; the
slots are read with voice (:mod:`kgbuild.extractors.event_syntax`).  An event noun also
takes participants from the clause around it (the subject of a light verb, "between X
and Y", the killer and the killed of "X killed four soldiers in an attack"), and an
attack the casualties of its clause as targets.  :func:`_sides` gives the sides of the
participants found, which refinement reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Token

from kgbuild.extractors.common import governing_verb, is_passive, subject_of
from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.event_syntax import (
    _passive,
    _prep_objects,
    _with_conjuncts,
    logical_object,
    logical_subject,
)
from kgbuild.extractors.event_triggers import _Match
from kgbuild.extractors.event_vocabulary import (
    _MILITARY,
    _RULES,
    FAMILIES,
    _in_word_list,
    _is_trigger_word,
    _lem,
    side_of_token,
)
from kgbuild.extractors.tree import children, conjuncts
from kgbuild.nlp import lexicon as lx

_CASUALTY_LEMMAS = set(lx.CASUALTY_VERBS)
# Verbs whose subject performs the event they take as object ("the operation involved
# the destruction of ..."), besides the light verbs of the lexicon.
_CARRYING = {
    "involve",
    "include",
    "continue",
    "intensify",
    "resume",
    "escalate",
    "perform",
    "execute",
    "commit",
    "carry",
}


@dataclass
class _Roles:
    agents: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    place_refs: list[str] = field(default_factory=list)
    agent_toks: list[Token] = field(default_factory=list)
    target_toks: list[Token] = field(default_factory=list)
    defer_to: Token | None = None  # "repelled an attack": the attack is the event
    force: bool = False  # a force used on a protest, told without the protest word

    def add(self, lst: list[str], key: str | None) -> None:
        if key and key not in lst:
            lst.append(key)


def _agent_from_ref(ctx: ArticleContext, ref: Ref | None, kind: str) -> str | None:
    ref = ctx.acting(ref)
    if ref is None:
        return None
    info = ctx.entities.get(ref.key)
    if info is None or not info.is_actor:
        return None
    if kind in _MILITARY and info.kind == "GovernmentBody" and info.country:
        return info.country  # a ministry "carrying out attacks" stands for its country
    return ref.key


def _target_ref(ctx: ArticleContext, ref: Ref, kind: str) -> str | None:
    info = ctx.entities[ref.key]
    if info.is_actor and (not info.is_place or info.kind == "Country"):
        return ref.key
    if kind == "War" and info.kind == "Settlement":
        return ref.key  # "the war against the capital": a capital stands for its government
    return None


def _assign(ctx: ArticleContext, roles: _Roles, role: str, toks: list[Token], kind: str) -> None:
    """Put the entities of ``toks`` (already with their conjuncts) in ``role``."""
    if role == "none" or not toks:
        return
    if role == "event":
        roles.defer_to = toks[0]
        return
    if role == "sides" and len(toks) == 1:
        # "rival gangs, X and Y, fought": the sides are the apposition; "inmates from
        # rival gangs, X and Y, fought": ... the apposition of the group they are from
        heads = [toks[0]]
        if ctx.ref_for(toks[0]) is None:
            heads += _prep_objects(toks[0], ("from", "of"))
        for h in heads:
            named = _enumerated(h)
            if named:
                toks = named
                break
    first = True
    for t in toks:
        group = ctx.group_refs(t)
        if role == "sides" and len(toks) == 1 and len(group) > 1:
            # "forces of A and B exchanged fire": one head, both sides
            roles.agent_toks.append(t)
            _add_refs(ctx, roles, [group[0]], "agent", kind)
            _add_refs(ctx, roles, group[1:], "target", kind)
            return
        refs = group or [r for r in [ctx.ref_for(t)] if r is not None]
        if role == "target" and not any(ctx.entities[r.key].is_actor for r in refs):
            # "a vehicle carrying soldiers": those it carried were attacked
            for c in children(t):
                if c.dep_ == "acl" and _in_word_list(c, "conveying"):
                    for o in logical_object(c):
                        refs += ctx.conjuncts_refs(o)
        this_role = role
        if role == "sides":
            this_role = "agent" if first else "target"
        first = False
        if this_role == "agent":
            roles.agent_toks.append(t)
        elif this_role == "target":
            roles.target_toks.append(t)
        _add_refs(ctx, roles, refs, this_role, kind)


def _enumerated(tok: Token) -> list[Token]:
    """The names that spell out plural ``tok``: its apposition ("rival gangs, X and Y"),
    or names the parser coordinated with it after a comma (the same apposition parsed as
    "gangs, X and Y")."""
    appos = [c for c in children(tok) if c.dep_ == "appos"]
    if appos:
        return _with_conjuncts(appos)
    conj = list(conjuncts(tok))
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if (
        tok.tag_ == "NNS"
        and nxt is not None
        and nxt.text == ","
        and len(conj) >= 2
        and all(c.pos_ == "PROPN" and c.i > tok.i for c in conj)
    ):
        return conj
    return []


def _add_refs(ctx: ArticleContext, roles: _Roles, refs: list[Ref], role: str, kind: str) -> None:
    """Put the entities of ``refs`` in the slot ``role`` (places go to the places)."""
    for r in refs:
        info = ctx.entities.get(r.key)
        if info is None:
            continue
        if role == "target" and _target_ref(ctx, r, kind):
            roles.add(roles.targets, _target_ref(ctx, r, kind))
            continue
        if role == "place" or (info.is_place and not info.is_actor):
            if info.is_place and info.kind != "Country":
                roles.add(roles.place_refs, r.key)
            continue
        if role == "agent":
            roles.add(roles.agents, _agent_from_ref(ctx, r, kind))
        elif role == "target":
            roles.add(roles.targets, _target_ref(ctx, r, kind))


def _slot_tokens(
    ctx: ArticleContext, tok: Token, slot: str, pos: str, extra: Sequence[Token] = ()
) -> list[Token]:
    if slot == "subj":
        if pos == "verb":
            return [t for t in logical_subject(tok) if t.pos_ != "PRON" or ctx.ref_for(t)]
        return []
    if slot == "obj":
        return logical_object(tok) if pos == "verb" else []
    if slot == "poss":
        return [c for c in children(tok) if c.dep_ == "poss"]
    if slot == "mod":
        return [
            c
            for c in children(tok)
            if c.dep_ in ("amod", "compound", "nmod") and ctx.ref_at(c) is not None
        ]
    if slot == "by" and pos == "verb" and not _passive(tok):
        return []
    found = _prep_objects(tok, (slot,))
    if not found and pos == "verb" and slot != "by":
        # the parser often hangs the phrase on a word after the verb: "came under fire
        # from X" (on "fire"), "recaptured the town from X" (on "town")
        for t in [*extra, *(c for c in children(tok) if c.dep_ == "dobj")]:
            found = _prep_objects(t, (slot,))
            if found:
                break
    return _with_conjuncts(found)


def _roles(ctx: ArticleContext, m: _Match, kind: str) -> _Roles:
    tok, rule = m.head, m.rule
    roles = _Roles()
    extra = [t for t in m.tokens if t.i != tok.i]
    for slot, role in rule.frame.items():
        _assign(ctx, roles, role, _slot_tokens(ctx, tok, slot, rule.pos, extra), kind)
    verb = governing_verb(tok) if tok.pos_ != "VERB" else tok
    if rule.pos == "noun":
        _noun_context(ctx, tok, verb, roles, kind)
    # casualties of the same clause are its targets ("opened fire and killed a soldier")
    if FAMILIES.get(kind) == "attack" and not roles.targets:
        _casualty_targets(ctx, tok, verb, roles)
    return roles


def _noun_context(
    ctx: ArticleContext, tok: Token, verb: Token | None, roles: _Roles, kind: str
) -> None:
    """Participants an event noun takes from the clause around it."""
    light = verb is not None and (_lem(verb) in lx.LIGHT_VERBS or _lem(verb) in _CARRYING)
    if verb is not None and tok.dep_ in ("dobj", "attr", "nsubjpass", "conj", "appos") and light:
        subj = subject_of(verb)
        if subj is not None and subj.i != tok.i and tok.dep_ != "nsubjpass":
            if _is_trigger_word(subj):
                # "the army's operation involved the destruction": inherit the agent
                for c in children(subj):
                    if c.dep_ == "poss":
                        roles.add(roles.agents, _agent_from_ref(ctx, ctx.ref_for(c), kind))
            elif not roles.agents:
                roles.agent_toks.append(subj)
                for r in ctx.conjuncts_refs(subj):
                    roles.add(roles.agents, _agent_from_ref(ctx, r, kind))
        if tok.dep_ in ("dobj", "conj"):
            for p in _with_conjuncts(
                _prep_objects(verb, ("on", "against", "toward", "towards", "at"))
            ):
                roles.target_toks.append(p)
                for r in ctx.conjuncts_refs(p):
                    roles.add(roles.targets, _target_ref(ctx, r, kind))
    if not roles.agents:
        # "an explosion blamed on X", "the attack claimed by X": a participle of the
        # perpetrator list names who did it
        for c in children(tok):
            how = _RULES.value("perpetrator", _lem(c)) if c.dep_ == "acl" else None
            if how in ("blame", "claim", "suspect"):
                who = _prep_objects(c, ("on",) if how == "blame" else ("by",))
                _assign(ctx, roles, "agent", _with_conjuncts(who), kind)
    if verb is not None and tok.dep_ == "nsubj":
        # "clashes broke out between X and Y", "an explosion hit a bus"
        between = _with_conjuncts(_prep_objects(verb, ("between",)))
        if between and not roles.agents:
            _assign(ctx, roles, "sides", between, kind)
    # "Fano militiamen took the town after clashes with the army": the subject of the
    # clause fought the other side of the clash
    if (
        not roles.agents
        and tok.dep_ == "pobj"
        and tok.head.head.pos_ == "VERB"
        and _prep_objects(tok, ("with", "against"))
        and kind in ("ArmedClash", "Attack")
    ):
        subj = subject_of(tok.head.head)
        if subj is not None and not _passive(tok.head.head):
            roles.agent_toks.append(subj)
            for r in ctx.conjuncts_refs(subj):
                roles.add(roles.agents, _agent_from_ref(ctx, r, kind))
    # "X killed four soldiers in an attack": the killer attacked, the killed were hit
    cas = None
    if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "during"):
        # "... and made arrests during a raid": the phrase hangs on a coordinated verb
        gov = tok.head.head
        cas = next(
            (v for v in (gov, *conjuncts(gov)) if v.pos_ == "VERB" and _lem(v) in _CASUALTY_LEMMAS),
            None,
        )
    if cas is not None:
        if not roles.agents and not is_passive(cas):
            subj = subject_of(cas)
            if subj is not None:
                roles.agent_toks.append(subj)
                for r in ctx.conjuncts_refs(subj):
                    roles.add(roles.agents, _agent_from_ref(ctx, r, kind))
        for o in children(cas):
            if o.dep_ in ("dobj", "nsubjpass"):
                roles.target_toks.append(o)
                r = ctx.ref_for(o)
                if r is not None and ctx.entities[r.key].is_actor:
                    roles.add(roles.targets, r.key)


def _casualty_targets(ctx: ArticleContext, tok: Token, verb: Token | None, roles: _Roles) -> None:
    if (
        verb is not None
        and tok.dep_ == "nsubj"
        and tok.head.i == verb.i
        and _lem(verb) in _CASUALTY_LEMMAS
    ):
        # "a grenade attack kills a police officer": the killed are the attack's targets
        for o in logical_object(verb):
            roles.target_toks.append(o)
            r = ctx.ref_for(o)
            if r is not None and ctx.entities[r.key].is_actor:
                roles.add(roles.targets, r.key)
    anchors = [tok]
    if verb is not None:
        anchors += [verb, *conjuncts(verb)]
    for a in anchors:
        for c in list(children(a)) + list(conjuncts(a)):
            if c.pos_ == "VERB" and _lem(c) in _CASUALTY_LEMMAS:
                for o in logical_object(c):
                    roles.target_toks.append(o)
                    r = ctx.ref_for(o)
                    if r is not None and ctx.entities[r.key].is_actor:
                        roles.add(roles.targets, r.key)
    if not roles.targets and verb is not None and verb.dep_ == "advcl":
        # "soldiers were killed when forces shelled ...": the victims were its targets
        for v in (
            verb.head,
            *conjuncts(verb.head),
            *([verb.head.head] if verb.head.dep_ == "conj" else []),
        ):
            if _lem(v) in _CASUALTY_LEMMAS:
                for o in logical_object(v):
                    roles.target_toks.append(o)
                    r = ctx.ref_for(o)
                    if r is not None and ctx.entities[r.key].is_actor:
                        roles.add(roles.targets, r.key)


def _sides(ctx: ArticleContext, roles: _Roles, which: str) -> set[str]:
    toks = roles.agent_toks if which == "agent" else roles.target_toks
    keys = roles.agents if which == "agent" else roles.targets
    out = {s for s in (side_of_token(ctx, t) for t in toks) if s}
    for k in keys:
        info = ctx.entities.get(k)
        if info is not None:
            s = _RULES.value("kindcat", info.kind.lower())
            if s:
                out.add(s)
    return out
