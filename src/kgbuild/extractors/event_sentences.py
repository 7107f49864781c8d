"""The events of one sentence: matches built into events, the parts absorbed by the whole.

:func:`_sentence_events` runs steps 1 to 4 of :mod:`kgbuild.extractors.events` on a
sentence and then decides which matches are events of their own: the firing of a
weapon is part of the attack it causes, a solo trigger (a killing, a dispersal) part of
the stronger event it is told with, two coordinated verbs one event, a background event
("arrested after an earlier clash") no event beside the main one, "repelled an attack
by X" the attack with the repeller as its target.  :func:`_event` makes the record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from kgbuild.core.model import Event
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_participants import _assign, _Roles, _roles, _sides
from kgbuild.extractors.event_protests import _FORCED_PROTESTS, _protest_absorbs
from kgbuild.extractors.event_refinement import refine
from kgbuild.extractors.event_setting import _opening_time, _places, _source, _time
from kgbuild.extractors.event_syntax import (
    _prep_objects,
    _with_conjuncts,
    logical_object,
    logical_subject,
)
from kgbuild.extractors.event_triggers import _candidates, _Match, _skip
from kgbuild.extractors.event_vocabulary import (
    _GENERIC_ATTACKS,
    _PLAIN_VIOLENCE,
    _PROTESTS,
    _RULES,
    _VIOLENT,
    FAMILIES,
    _lem,
)
from kgbuild.extractors.tree import ancestors, children, subtree


@dataclass
class _Built:
    """A match with its participants, before it becomes an Event."""

    m: _Match
    roles: _Roles
    kind: str = ""
    background: bool = False

    @property
    def head(self) -> Token:
        return self.m.head


def _event(
    ctx: ArticleContext, b: _Built, sent_events: list[int], *, extractor: str
) -> Event | None:
    """The record of built match ``b`` (None when its sentence is excluded), its evidence
    credited to ``extractor``."""
    tok, roles, kind = b.head, b.roles, b.kind
    places = [p for p in _places(ctx, b.m, roles, sent_events) if p not in roles.targets]
    agents, targets = list(roles.agents), list(roles.targets)
    if not agents and targets and kind == "War":
        # "X ... after the war against Y": the main clause's subject fought it
        root = ctx.sent(tok).root
        subj = next((c for c in children(root) if c.dep_ == "nsubj"), None)
        if subj is not None:
            r = ctx.ref_for(subj)
            if (
                r is not None
                and ctx.entities[r.key].is_actor
                and ctx.side_of(r.key) not in {ctx.side_of(t) for t in targets}
            ):
                agents = [r.key]
    agents = [a for a in agents if a not in targets]
    time_text, iso = _time(ctx, tok)
    if time_text is None:
        time_text, iso = _opening_time(ctx, ctx.sent(tok))
    # "the attack", "Niger's operation" refer back; "the shelling of X" describes
    # an event of its own by its place or target
    described = any(
        c.dep_ == "prep"
        and c.lower_ in ("of", "on", "against", "in", "near")
        and any(ctx.ref_for(p) is not None for p in children(c) if p.dep_ == "pobj")
        for c in children(tok)
    )
    definite = (
        tok.pos_ != "VERB"
        and not described
        and (
            any(
                c.dep_ in ("det",) and c.lower_ in ("the", "this", "that", "these", "those")
                for c in children(tok)
            )
            or any(c.dep_ == "poss" for c in children(tok))
            or tok.pos_ == "PROPN"
        )
    )
    name = None
    if tok.pos_ == "PROPN" or (
        tok.i + 1 < len(tok.doc) and tok.is_title and tok.doc[tok.i + 1].pos_ == "PROPN"
    ):
        nxt = tok.i + 1
        while nxt < len(tok.doc) and tok.doc[nxt].pos_ == "PROPN" and tok.doc[nxt].is_title:
            nxt += 1
        if nxt > tok.i + 1 and not ctx.in_headline(tok):
            name = tok.doc[tok.i : nxt].text
            definite = True
    ev = ctx.span_evidence(ctx.sent(tok), extractor)
    if ctx.excluded(ev.begin, ev.end):
        return None
    trigger = " ".join(t.text for t in sorted(b.m.tokens, key=lambda t: t.i))
    return Event(
        key=ctx.next_id("e"),
        kind=kind,
        evidence=ev,
        trigger=trigger,
        agents=tuple(agents),
        targets=tuple(targets),
        places=tuple(places),
        time_text=time_text,
        date=iso,
        name=name,
        definite=definite,
        source=_source(ctx, tok),
    )


# Prepositions and nouns that put an event in the background of its sentence: a prior
# or feared event that explains the main one ("arrested after an earlier clash",
# "schools closed due to attacks", "patrols in the wake of an attack"); word lists
# "background" and "causal" of event_words.tsv.
_BACKGROUND_PREPS = _RULES.lists.get("background", frozenset())
_CAUSAL_WORDS = _RULES.lists.get("causal", frozenset())


def _background(tok: Token) -> tuple[bool, bool]:
    """(in the background, by a causal rather than a temporal marker) for ``tok``: inside a
    descriptive clause ("al-Shabab, who have been attacking ...") or a prepositional
    phrase of cause or prior time."""
    t = tok
    causal = False
    background = False
    for _ in range(12):
        if t.head.i == t.i:
            break
        if (t.dep_ in ("relcl", "acl") and t.pos_ == "VERB" and t.i != tok.i) or (
            t.i == tok.i and t.dep_ == "relcl"
        ):
            background = True
        if t.dep_ in ("prep", "advmod") and t.lower_ in _BACKGROUND_PREPS:
            background = True
        if _lem(t) in _CAUSAL_WORDS and t.i != tok.i:
            background = causal = True
        t = t.head
    return background, causal


def _linked(a: Token, b: Token) -> bool:
    """True when one of ``a``, ``b`` (or the verb an event noun is the subject or object
    of) governs the other with no prior-time or causal phrase between them ("opened fire
    and killed", "killed in an attack", "an attack that killed", "launched aggression,
    killing"; not "killed after clashes")."""

    def anchors(t: Token) -> list[Token]:
        out = [t]
        if t.pos_ != "VERB" and t.dep_ in ("dobj", "nsubj", "nsubjpass", "attr"):
            out.append(t.head)
        return out

    for x in anchors(a):
        for y in anchors(b):
            for low, high in ((x, y), (y, x)):
                if low.i == high.i:
                    return True
                if high in ancestors(low):
                    t = low
                    while t.i != high.i:
                        if (t.dep_ == "prep" and t.lower_ in _BACKGROUND_PREPS) or (
                            _lem(t) in _CAUSAL_WORDS
                        ):
                            break
                        t = t.head
                    else:
                        return True
    return False


def _sentence_events(
    ctx: ArticleContext, sent: Span, *, extractor: str
) -> list[tuple[Token, Event, _Roles]]:
    """The events of ``sent`` with their trigger and participants, in text order; their
    evidence is credited to ``extractor``."""
    matches = [m for m in _candidates(ctx, sent) if not _skip(ctx, m)]
    built = [_Built(m, _roles(ctx, m, m.rule.cls)) for m in matches]
    for b in built:
        b.roles.force = b.m.rule.solo and b.m.rule.cls == "ProtestWithIntervention"
    for b in built:
        b.kind = refine(ctx, b.m, b.roles)
        b.background, _ = _background(b.head)
    # a solo trigger (a killing, a dispersal) linked to a stronger event of its sentence
    # is part of it: its victims are that event's targets
    # "a missile fired by X hit a petrol station", "a landmine left by X exploded": the
    # firing or leaving of the weapon is part of the event it causes, X its agent
    for b in built:
        if not b.kind or b.head.pos_ != "VERB":
            continue
        for w in logical_subject(b.head) + logical_object(b.head):
            for c in children(w):
                if c.dep_ != "acl" or c.pos_ != "VERB":
                    continue
                by = _with_conjuncts(_prep_objects(c, ("by",)))
                if not b.roles.agents:
                    _assign(ctx, b.roles, "agent", by, b.kind)
                for o in built:
                    if o is not b and o.head.i == c.i:
                        o.kind = ""  # absorbed
    built = [b for b in built if b.kind]
    # "intercepted two missiles fired by X", "defused an IED planted near a school": the
    # firing or planting of a disrupted weapon is part of the disruption; X is its target
    disrupted = [b for b in built if b.kind == "DisruptedWeaponsUse"]
    for d in disrupted:
        weapons = {t.i for o in logical_object(d.head) for t in subtree(o)}
        for b in built:
            if b is not d and b.head.i in weapons:
                for t in b.roles.agent_toks:
                    d.roles.target_toks.append(t)
                for a in b.roles.agents:
                    d.roles.add(d.roles.targets, a)
                b.kind = ""  # absorbed
    # "intercepted and destroyed": one event told by two coordinated verbs
    for b in built:
        if b.kind and b.head.dep_ == "conj" and b.m.rule.pos == "verb":
            first = next((x for x in built if x.head.i == b.head.head.i and x.kind), None)
            if first is not None and first.kind == b.kind:
                b.kind = ""
    built = [b for b in built if b.kind]
    # "two soldiers were shot dead in an ambush by X": the shooting told in an attack
    # noun is that attack; the noun takes the verb's participants it lacks
    for b in built:
        if b.m.rule.pos != "verb" or b.kind not in _PLAIN_VIOLENCE:
            continue  # a weapon's own event ("grenades thrown during clashes") stays
        for n in _prep_objects(b.head, ("in", "during")):
            owner = next(
                (
                    o
                    for o in built
                    if o is not b
                    and o.kind
                    and o.head.i == n.i
                    and FAMILIES.get(o.kind) == "attack"
                ),
                None,
            )
            if owner is None:
                continue
            if not owner.roles.agents:
                owner.roles.agents = list(b.roles.agents)
                owner.roles.agent_toks.extend(b.roles.agent_toks)
            for t in b.roles.targets:
                owner.roles.add(owner.roles.targets, t)
            owner.roles.target_toks.extend(b.roles.target_toks)
            owner.kind = refine(ctx, owner.m, owner.roles)
            b.kind = ""
            break
    built = [b for b in built if b.kind]
    strong = [b for b in built if not b.m.rule.solo and (b.kind in _VIOLENT or b.kind in _PROTESTS)]
    kept: list[_Built] = []
    for b in built:
        owner = None
        if b.m.rule.solo:
            # an attack owns its killings before a capture or a protest does
            for s in sorted(strong, key=lambda x: FAMILIES.get(x.kind) != "attack"):
                if s is b:
                    continue
                same_family = (b.m.rule.cls in _PROTESTS) == (s.kind in _PROTESTS) or (
                    s.kind in _PROTESTS
                )
                if same_family and (_linked(b.head, s.head) or s.kind in _PROTESTS):
                    owner = s
                    break
        if owner is None:
            kept.append(b)
            continue
        if FAMILIES.get(owner.kind) == "attack":
            for t in logical_object(b.head):
                if t not in owner.roles.target_toks:
                    owner.roles.target_toks.append(t)
                    r = ctx.ref_for(t)
                    if r is not None and ctx.entities[r.key].is_actor:
                        owner.roles.add(owner.roles.targets, r.key)
            owner.kind = refine(ctx, owner.m, owner.roles)
        elif owner.kind in _FORCED_PROTESTS and _sides(ctx, b.roles, "agent") & {"state", "police"}:
            # "police fired rubber bullets at students protesting": ACLED's actor 1 of
            # force on a protest is who used it, actor 2 the protesters
            crowd = [a for a in owner.roles.agents if a not in b.roles.agents]
            owner.roles.agents = list(dict.fromkeys(b.roles.agents))
            owner.roles.targets = [
                t
                for t in dict.fromkeys([*crowd, *b.roles.targets, *owner.roles.targets])
                if t not in owner.roles.agents
            ]
    # two solo triggers of one class told together are one event ("police fired tear gas
    # to disperse the protesters")
    for b in list(kept):
        if b.m.rule.solo and any(
            o is not b
            and o.m.rule.solo
            and o.kind == b.kind
            and o.head.i < b.head.i
            and _linked(o.head, b.head)
            for o in kept
        ):
            kept.remove(b)
    # background events give way to the main event of a calm sentence ("police arrested
    # 40 people over the invasion of a farm"), or to none ("schools closed due to attacks")
    main_violent = any(not b.background and b.kind in _VIOLENT for b in kept)
    main_calm = any(not b.background and b.kind not in _VIOLENT for b in kept)
    final: list[_Built] = []
    for b in kept:
        if b.background and not main_violent:
            _, causal = _background(b.head)
            if main_calm or causal:
                continue
        if (
            b.m.rule.pos == "noun"
            and b.kind in _GENERIC_ATTACKS
            and b.head.dep_ == "pobj"
            and b.head.head.lower_ in ("in", "during")
            and any(
                o.head.i == b.head.head.head.i and o.kind not in _VIOLENT
                for o in kept
                if o is not b
            )
        ):
            continue  # "arrested 100 people in a night-time operation": the arrest
        if (
            b.kind == "MilitaryOperation"
            and not any(o.kind in _VIOLENT and o.kind != b.kind for o in kept)
            and any(o.kind == "Arrest" for o in kept)
        ):
            continue  # a police operation that netted suspects is their arrest
        final.append(b)
    heads = [b.head.i for b in final]
    by_head = {b.head.i: b for b in final}
    events: dict[int, Event] = {}
    for b in final:
        ev = _event(ctx, b, heads, extractor=extractor)
        if ev is not None:
            events[b.head.i] = ev
    # "repelled an attack by X": the attack is the event, the repeller its target
    out: list[tuple[Token, Event, _Roles]] = []
    for i, ev in events.items():
        b = by_head[i]
        if b.roles.defer_to is not None and b.roles.defer_to.i in events:
            continue
        for j, rep_ev in events.items():
            rep = by_head[j]
            if rep.roles.defer_to is None or rep.roles.defer_to.i != i:
                continue
            targets = [
                t for t in dict.fromkeys([*ev.targets, *rep_ev.targets]) if t not in ev.agents
            ]
            kind = ev.kind
            if kind in ("Attack", "AttackOnCivilians") and rep.m.rule.cls == "ArmedClash":
                kind = "ArmedClash"
            ev = replace(
                ev,
                targets=tuple(targets),
                kind=kind,
                places=tuple(dict.fromkeys([*ev.places, *rep_ev.places])),
            )
        out.append((b.head, ev, b.roles))
    out = _protest_absorbs(ctx, out)
    out.sort(key=lambda x: x[0].i)
    return out
