"""Events across an article: coreference, retaliations and claims of responsibility.

Step 5 of :mod:`kgbuild.extractors.events`.  A definite mention ("the attack",
"Niger's operation") or a lasting state joins the latest earlier event of its
family with compatible participants, a headline event the first compatible body event
(:func:`merge_events` unites them); "in response to an attack" reverses the roles of
the attack answered; "X claimed the attack", "blamed on X" name the agent of the
latest violent event without one.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from kgbuild.core.model import Event
from kgbuild.extractors.common import governing_verb
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_syntax import (
    _passive,
    _prep_objects,
    _subject,
    _with_conjuncts,
    logical_object,
    logical_subject,
)
from kgbuild.extractors.event_vocabulary import _RULES, _VIOLENT, FAMILIES, _is_trigger_word, _lem
from kgbuild.extractors.tree import children

# Lasting states: two mentions in one article with the same participants are one event.
_STATES = {"Deployment", "Mobilization", "War"}
_RESPONSE_MARKERS = {
    ("in", "response", "to"),
    ("in", "retaliation", "for"),
    ("in", "retaliation", "to"),
    ("in", "revenge", "for"),
}


def merge_events(a: Event, b: Event) -> Event:
    """``a`` absorbs ``b``: participants united, the finer kind kept (a named operation
    upgrades a generic attack, a shelling a generic attack), evidence of ``a`` kept
    (``b``'s is recorded by the caller)."""
    kind = a.kind
    named_upgrade = b.kind in ("MilitaryOperation", "Airstrike") and bool(b.name)
    finer = b.kind not in ("Attack", "MilitaryOperation", "Airstrike") and (
        FAMILIES.get(b.kind) == "attack"
    )
    if a.kind == "Attack" and (named_upgrade or finer):
        kind = b.kind

    def union(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*x, *y]))

    return replace(
        a,
        kind=kind,
        agents=union(a.agents, b.agents),
        targets=union(a.targets, b.targets),
        places=union(a.places, b.places),
        time_text=a.time_text or b.time_text,
        date=a.date or b.date,
        name=a.name or b.name,
        violates=tuple(dict.fromkeys([*a.violates, *b.violates])),
        source=a.source or b.source,
    )


def _side_set(ctx: ArticleContext, keys: tuple[str, ...]) -> set[str]:
    return {s for s in (ctx.country_of(k) for k in keys) if s}


def _compatible(ctx: ArticleContext, a: Event, b: Event) -> bool:
    if FAMILIES.get(a.kind, a.kind) != FAMILIES.get(b.kind, b.kind):
        return False
    sa, sb = _side_set(ctx, a.agents), _side_set(ctx, b.agents)
    if sa and sb and not (sa & sb):
        return False
    ta, tb = _side_set(ctx, a.targets), _side_set(ctx, b.targets)
    if ta and tb and not (ta & tb):
        return False
    return not (a.date and b.date and not (a.date.startswith(b.date) or b.date.startswith(a.date)))


def _corefer(
    ctx: ArticleContext, found: list[tuple[Token, Event]]
) -> tuple[list[Event], dict[str, str], dict[str, list]]:
    """The article's events once each: a body mention joins an earlier compatible event
    when it is definite or a lasting state, a headline mention the first compatible one.

    Returns:
        The surviving events in order, absorbed key -> surviving key, and surviving
        key -> the evidence of the mentions it absorbed.
    """
    events: list[Event] = []
    aliases: dict[str, str] = {}  # absorbed key -> surviving key
    extra_evidence: dict[str, list] = {}
    headline = [(t, e) for t, e in found if ctx.in_headline(t)]
    body = [(t, e) for t, e in found if not ctx.in_headline(t)]
    for _tok, ev in body:
        target = None
        if ev.definite or ev.kind in _STATES:
            compatible = [p for p in reversed(events) if _compatible(ctx, p, ev)]
            if ev.kind in _STATES:
                compatible = [
                    p for p in compatible if p.kind == ev.kind and (p.agents or not ev.agents)
                ]

            def rank(p: Event, ev: Event = ev) -> tuple[int, int]:
                overlap = bool(_side_set(ctx, p.agents) & _side_set(ctx, ev.agents))
                return (0 if overlap else 1, 0 if p.trigger.lower() == ev.trigger.lower() else 1)

            target = min(compatible, key=rank) if compatible else None
        if target is None:
            events.append(ev)
            continue
        merged = merge_events(target, ev)
        events[events.index(target)] = merged
        aliases[ev.key] = target.key
        extra_evidence.setdefault(target.key, []).append(ev.evidence)
    for _tok, ev in headline:
        target = next((e for e in events if _compatible(ctx, e, ev)), None)
        if target is None:
            events.append(ev)
            continue
        merged = merge_events(target, replace(ev, name=None))
        events[events.index(target)] = merged
        aliases[ev.key] = target.key
        extra_evidence.setdefault(target.key, []).append(ev.evidence)
    return events, aliases, extra_evidence


def _claimed(
    ctx: ArticleContext,
    found: list[tuple[Token, Event]],
    events: list[Event],
    aliases: dict[str, str],
) -> list[Event]:
    """ "Islamic State claimed the attack", "The attack was blamed on Boko Haram", "Police
    blamed the New IRA", "Al Shabaab is suspected", "(X assumed responsible)": the claimant,
    the blamed or the suspect is the agent of the latest violent event told before that has
    no agent (a claim is not proof, but it is how the report names the perpetrator; ACLED
    codes it so).  The verbs and how each names the perpetrator are the ``perpetrator``
    word list of event_words.tsv."""
    out = list(events)
    index = {e.key: n for n, e in enumerate(out)}
    perpetrator = _RULES.values.get("perpetrator", {})  # _RULES.value, one lookup a token
    lemmas = ctx.lemmas  # _lem of every token
    for tok in ctx.tokens:
        how = perpetrator.get(lemmas[tok.i])
        if how is None or tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "acl"):
            continue
        who = _perpetrators(tok, how)
        if not who:
            continue
        refs = [r for t in who for r in [ctx.ref_for(t)] if r is not None]
        actors = [r.key for r in refs if ctx.entities[r.key].is_actor]
        if not actors:
            continue
        before = [
            aliases.get(e.key, e.key)
            for t, e in found
            if t.i < tok.i and e.kind in _VIOLENT and ctx.sent(t).start != ctx.sent(tok).start
        ] + [
            aliases.get(e.key, e.key)
            for t, e in found
            if ctx.sent(t).start == ctx.sent(tok).start
            and t.i != tok.i
            and e.kind in _VIOLENT
            and (
                t.dep_ in ("dobj", "nsubjpass")
                or (how in ("suspect", "responsible") and t.i < tok.left_edge.i)
            )
        ]
        for key in reversed(before):
            n = index.get(key)
            if n is not None and not out[n].agents:
                out[n] = replace(out[n], agents=tuple(dict.fromkeys(actors)))
                break
    return out


def _perpetrators(tok: Token, how: str) -> list[Token]:
    """Whom perpetrator verb ``tok`` names, read as ``how`` (see :func:`_claimed`)."""
    on = _with_conjuncts(_prep_objects(tok, ("on",)))
    if how == "claim":
        obj = logical_object(tok)
        if not obj or not any(
            _is_trigger_word(o) or _lem(o) in ("responsibility", "it") for o in obj
        ):
            return []
        return logical_subject(tok)
    if how == "blame":  # "the attack was blamed on X", "X was blamed", "blamed X"
        return on or logical_object(tok)
    if how == "suspect":
        if any(c.dep_ in ("ccomp", "xcomp") for c in children(tok)):
            return []  # "police suspected that ...": the clause says more than a name
        obj = logical_object(tok)
        if obj or _passive(tok):
            return obj
        # "Al Shabaab suspected.": a note without its auxiliary
        if any(c.dep_ in ("aux", "auxpass") for c in children(tok)):
            return []
        return [t for t in logical_subject(tok) if t.pos_ == "PROPN"]
    # how == "responsible": "X was held responsible", "police held X responsible",
    # "(X assumed responsible)", "X was responsible for the attack"
    pred = [
        c
        for c in children(tok)
        if c.dep_ in ("oprd", "acomp", "xcomp", "ccomp", "advcl") and _lem(c) == "responsible"
    ]
    if not pred:
        return []
    if _lem(tok) == "be":
        fors = _prep_objects(pred[0], ("for",))
        if not any(_is_trigger_word(f) for f in fors):
            return []
        subj = _subject(tok)
        return _with_conjuncts([subj]) if subj is not None else []
    subj_of_pred = [c for c in pred[0].children if c.dep_ == "nsubj"]
    return (
        [o for o in logical_object(tok) if o.i != pred[0].i]
        or _with_conjuncts(subj_of_pred)
        or [t for t in logical_subject(tok) if t.pos_ == "PROPN"]
    )


def _responses(
    ctx: ArticleContext,
    found: list[tuple[Token, Event]],
    events: list[Event],
    aliases: dict[str, str],
) -> None:
    """ "X attacked Y in response to an attack that killed a soldier": the earlier attack
    responded to was by Y's side on X's side (a retaliation's roles are reversed)."""
    doc = ctx.doc
    by_key = {e.key: i for i, e in enumerate(events)}
    for tok, ev in found:
        if tok.dep_ != "pobj" or tok.head.i < 2:
            continue
        words = (doc[tok.head.i - 2].lower_, doc[tok.head.i - 1].lower_, tok.head.lower_)
        if words not in _RESPONSE_MARKERS:
            continue
        verb = governing_verb(tok.head)
        if verb is None:
            continue
        main = None
        for t, e in found:
            if t.i != tok.i and (t.head.i == verb.i or t.i == verb.i):
                main = aliases.get(e.key, e.key)
                break
        prior = aliases.get(ev.key, ev.key)
        if main is None or prior not in by_key or main not in by_key or main == prior:
            continue
        m, p = events[by_key[main]], events[by_key[prior]]
        agents, targets = p.agents, p.targets
        if not agents and m.targets:
            agents = m.targets
        if not targets and m.agents:
            side = ctx.side_of(m.agents[0])
            forces = [
                k
                for k, info in ctx.entities.items()
                if info.kind in ("ArmedForce", "StateForce")
                and info.country == side
                and "peacekeep" not in info.label.lower()
            ]
            targets = (sorted(forces)[0],) if forces else m.agents[:1]
        events[by_key[prior]] = replace(p, agents=agents, targets=targets)
        events[by_key[main]] = replace(m, responds_to=prior)
