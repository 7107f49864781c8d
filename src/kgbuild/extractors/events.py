"""events.v1: events from trigger words, with participants from the same sentence.

Triggers are nouns and verbs of :mod:`kgbuild.lexicon` (``EVENT_NOUNS``,
``EVENT_VERBS``).  Agent, target, place and time come only from the trigger's own
sentence: the possessive or demonym on the noun ("Azerbaijan's attack"), "by X",
"on/against X", the subject of a light verb ("X launched an operation"), places in the
trigger's phrase or clause.  A government body as agent of a military action stands for
its country.  Wished, warned-about and modal events ("any provocation would be met")
are not events.

Coreference within the article: a definite mention ("the attack", "Azerbaijan's
operation", "the strike") joins the most recent earlier event of the same family with
compatible participants; a headline event joins the first compatible body event.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from .. import lexicon as lx
from ..model import Event
from ..timex import normalize_time
from .common import governing_verb, hypothetical, is_passive, subject_of, time_phrase
from .context import ArticleContext, Ref

NAME = "events.v1"

FAMILIES = {
    "MilitaryOperation": "attack",
    "Attack": "attack",
    "Airstrike": "attack",
}
_MILITARY = {
    "MilitaryOperation",
    "Attack",
    "Airstrike",
    "TerritorialCapture",
    "Destruction",
    "CeasefireViolation",
    "War",
}
_NON_MILITARY_OPS = {"rescue", "humanitarian", "search", "evacuation", "police", "surgical"}
_ATTEMPT_VERBS = {"seize", "capture", "cross", "take", "occupy", "storm"}
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
}
_MUNITIONS = {
    "missile",
    "rocket",
    "shell",
    "mortar",
    "artillery",
    "drone",
    "grenade",
    "bomb",
    "shot",
}
_AIRCRAFT = {"drone", "aircraft", "jet", "plane", "warplane", "helicopter", "bomber", "uav"}
# Lasting states: two mentions in one article with the same participants are one event.
_STATES = {"Deployment", "Mobilization", "War"}
_RESPONSE_MARKERS = {
    ("in", "response", "to"),
    ("in", "retaliation", "for"),
    ("in", "retaliation", "to"),
    ("in", "revenge", "for"),
}


def _trigger_kind(tok: Token) -> str | None:
    lemma, lower = tok.lemma_.lower(), tok.lower_
    if tok.pos_ in ("NOUN", "PROPN"):
        if lower == "fire" or lemma == "fire":
            head = tok.head
            if (tok.dep_ == "dobj" and head.lemma_ == "open") or any(
                c.lower_ in lx.FIRE_MODIFIERS for c in tok.children
            ):
                return "Attack"
            return None
        if lemma in lx.ATTEMPT_NOUNS:
            for c in tok.children:
                if c.dep_ in ("acl", "relcl", "xcomp") and c.lemma_.lower() in _ATTEMPT_VERBS:
                    return "TerritorialCapture"
            return None
        if lemma == "conflict" and (
            tok.head.lemma_ == "break"
            or any(c.lower_ in ("renewed", "armed", "military") for c in tok.children)
        ):
            return "War"
        kind = lx.EVENT_NOUNS.get(lemma) or lx.EVENT_NOUNS.get(lower)
        if kind is None:
            return None
        if lemma == "violation":
            window = (
                " ".join(t.lower_ for t in tok.subtree)
                + " "
                + " ".join(c.lower_ for c in tok.lefts)
            )
            return (
                "CeasefireViolation"
                if any(w in window for w in ("ceasefire", "truce", "cease-fire"))
                else None
            )
        if lemma == "operation" and any(c.lower_ in _NON_MILITARY_OPS for c in tok.children):
            return None
        if kind == "Attack" and any(c.lower_ in lx.AIR_MODIFIERS for c in tok.children):
            return "Airstrike"
        return kind
    if tok.pos_ == "VERB":
        if lemma in ("violate", "breach", "break"):
            obj = [c for c in tok.children if c.dep_ == "dobj"]
            if obj and any(
                t.lower_ in lx.AGREEMENT_NOUNS or t.lemma_ in ("term",) for t in obj[0].subtree
            ):
                return "CeasefireViolation"
            if obj and obj[0].lower_ in ("it", "this") and lemma == "violate":
                # "violating it": the agreement mentioned just before
                prev = tok.doc[max(tok.sent.start - 40, 0) : tok.i]
                if any(t.lower_ in lx.AGREEMENT_NOUNS for t in prev):
                    return "CeasefireViolation"
            return None
        if lemma == "take" and any(c.lower_ == "control" for c in tok.children):
            return "TerritorialCapture"
        if lemma == "fire" and any(
            c.dep_ == "dobj" and c.lemma_.lower() in _MUNITIONS for c in tok.children
        ):
            return "Attack"  # "fired missiles at the city"
        if lemma == "strike":
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is not None and subj.lemma_.lower() in _AIRCRAFT:
                return "Airstrike"
        return lx.EVENT_VERBS.get(lemma)
    return None


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


def _places_in(ctx: ArticleContext, toks: list[Token]) -> list[str]:
    out: list[str] = []
    for t in toks:
        ref = ctx.ref_at(t)
        if ref is None or ref.head != t.i:
            continue
        info = ctx.entities.get(ref.key)
        if info is not None and info.is_place and info.kind != "Country" and ref.key not in out:
            out.append(ref.key)
    return out


_PRUNE = {"relcl", "appos", "advcl", "ccomp", "parataxis"}


def pruned_subtree(tok: Token) -> list[Token]:
    """``tok``'s subtree without relative, appositive and subordinate clauses."""
    out = [tok]
    for c in tok.children:
        if c.dep_ in _PRUNE:
            continue
        out.extend(pruned_subtree(c))
    return out


def _prep_objects(tok: Token, preps: set[str]) -> list[Token]:
    out = []
    for c in tok.children:
        if (c.dep_ == "prep" or (c.dep_ == "agent" and "by" in preps)) and c.lower_ in preps:
            out.extend(p for p in c.children if p.dep_ == "pobj")
    return out


def _event_for(ctx: ArticleContext, tok: Token, kind: str) -> Event | None:
    agents: list[str] = []
    targets: list[str] = []
    place_toks: list[Token] = []

    def add(lst: list[str], key: str | None) -> None:
        if key and key not in lst:
            lst.append(key)

    verb = governing_verb(tok) if tok.pos_ != "VERB" else tok
    if tok.pos_ in ("NOUN", "PROPN"):
        for c in tok.children:
            if c.dep_ == "poss" or (
                c.dep_ in ("amod", "compound", "nmod") and ctx.ref_at(c) is not None
            ):
                ref = ctx.ref_at(c) or ctx.ref_for(c)
                if ref is not None and ctx.entities[ref.key].is_actor:
                    add(agents, _agent_from_ref(ctx, ref, kind))
        for p in _prep_objects(tok, {"by"}):
            for r in ctx.conjuncts_refs(p):
                add(agents, _agent_from_ref(ctx, r, kind))
        for p in _prep_objects(tok, {"on", "against", "toward", "towards", "upon"}):
            for r in ctx.conjuncts_refs(p):
                info = ctx.entities[r.key]
                # "the war against Yerevan": a capital stands for its government
                war_city = kind == "War" and info.kind == "Settlement"
                actor = info.is_actor and not (info.is_place and info.kind != "Country")
                if actor or war_city:
                    add(targets, r.key)
        # "the destruction of X's positions": the owner of the object is the target
        if (
            kind in ("Destruction", "TerritorialCapture")
            or lx.EVENT_NOUNS.get(tok.lemma_.lower()) == "Destruction"
        ):
            for p in _prep_objects(tok, {"of"}):
                r = ctx.ref_for(p)
                if r is not None and ctx.entities[r.key].is_actor:
                    add(targets, r.key)
        place_toks.extend(pruned_subtree(tok))
        # the noun is the object of a verb: "X launched an attack", "X opened fire"
        light = verb is not None and (
            verb.lemma_.lower() in lx.LIGHT_VERBS or verb.lemma_.lower() in _CARRYING
        )
        if (
            verb is not None
            and tok.dep_ in ("dobj", "attr", "nsubjpass", "conj", "appos")
            and light
        ):
            subj = subject_of(verb)
            if subj is not None and subj.i != tok.i and tok.dep_ != "nsubjpass":
                trig = _trigger_kind(subj)
                if trig is not None:
                    # "Azerbaijan's operation involved the destruction": inherit the agent
                    for c in subj.children:
                        if c.dep_ == "poss":
                            add(agents, _agent_from_ref(ctx, ctx.ref_for(c), kind))
                elif not agents:
                    for r in ctx.conjuncts_refs(subj):
                        add(agents, _agent_from_ref(ctx, r, kind))
            if tok.dep_ in ("dobj", "conj"):
                for p in _prep_objects(verb, {"on", "against", "toward", "towards", "at"}):
                    for r in ctx.conjuncts_refs(p):
                        info = ctx.entities[r.key]
                        if info.is_actor and (not info.is_place or info.kind == "Country"):
                            add(targets, r.key)
                place_toks.extend(
                    t for c in verb.children if c.dep_ == "prep" for t in pruned_subtree(c)
                )
        # "X killed four soldiers in an attack": the killer attacked, the killed were hit
        if (
            tok.dep_ == "pobj"
            and tok.head.lower_ in ("in", "during")
            and tok.head.head.lemma_.lower() in _CASUALTY_LEMMAS
        ):
            cas = tok.head.head
            if not agents and not is_passive(cas):
                subj = subject_of(cas)
                if subj is not None:
                    for r in ctx.conjuncts_refs(subj):
                        add(agents, _agent_from_ref(ctx, r, kind))
            for o in cas.children:
                if o.dep_ in ("dobj", "nsubjpass"):
                    r = ctx.ref_for(o)
                    if r is not None and ctx.entities[r.key].is_actor:
                        add(targets, r.key)
    else:  # verb trigger
        subj = subject_of(tok)
        if subj is not None:
            refs = ctx.conjuncts_refs(subj)
            if is_passive(tok) and kind != "Deployment":
                for r in refs:
                    add(targets, r.key)
            else:
                for r in refs:
                    add(agents, _agent_from_ref(ctx, r, kind))
        for p in _prep_objects(tok, {"by"}):
            for r in ctx.conjuncts_refs(p):
                add(agents, _agent_from_ref(ctx, r, kind))
        for c in tok.children:
            if c.dep_ == "dobj" and kind not in ("CeasefireViolation", "Mobilization", "War"):
                for r in ctx.conjuncts_refs(c):
                    info = ctx.entities[r.key]
                    if info.is_actor and (not info.is_place or info.kind == "Country"):
                        add(agents if kind == "Deployment" else targets, r.key)
        place_toks.extend(
            t
            for c in tok.children
            if c.dep_ in ("prep", "dobj", "advmod", "npadvmod")
            for t in pruned_subtree(c)
        )
    # casualties of the same clause are its targets ("opened fire and killed a soldier")
    if FAMILIES.get(kind) == "attack" and not targets:
        anchors = [tok]
        if verb is not None:
            anchors += [verb, *verb.conjuncts]
        for a in anchors:
            for c in list(a.children) + list(a.conjuncts):
                v = c if c.pos_ == "VERB" else None
                if v is not None and v.lemma_.lower() in _CASUALTY_LEMMAS:
                    for o in v.children:
                        if o.dep_ == "dobj":
                            r = ctx.ref_for(o)
                            if r is not None and ctx.entities[r.key].is_actor:
                                add(targets, r.key)
    if FAMILIES.get(kind) == "attack" and not targets and verb is not None and verb.dep_ == "advcl":
        # "soldiers were killed when forces shelled ...": the victims were its targets
        for v in (
            verb.head,
            *verb.head.conjuncts,
            *([verb.head.head] if verb.head.dep_ == "conj" else []),
        ):
            if v.lemma_.lower() in _CASUALTY_LEMMAS:
                for o in v.children:
                    if o.dep_ in ("nsubjpass", "dobj"):
                        r = ctx.ref_for(o)
                        if r is not None and ctx.entities[r.key].is_actor:
                            add(targets, r.key)
    places = [p for p in _places_in(ctx, place_toks) if p not in targets]
    if not places and verb is not None:
        # "positions stationed in X opened fire": where the agent is
        subj = subject_of(verb)
        if subj is not None:
            for c in subj.children:
                if c.dep_ == "acl":
                    places = _places_in(ctx, pruned_subtree(c))
    if not agents and targets and kind == "War":
        # "X ... after the war against Y": the main clause's subject fought it
        root = tok.sent.root
        subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            r = ctx.ref_for(subj)
            if (
                r is not None
                and ctx.entities[r.key].is_actor
                and ctx.side_of(r.key) not in {ctx.side_of(t) for t in targets}
            ):
                agents = [r.key]
    agents = [a for a in agents if a not in targets]
    tp = time_phrase(ctx, tok)
    time_text = tp.text if tp is not None else None
    iso = normalize_time(time_text, ctx.article.published) if time_text else None
    # "the attack", "Azerbaijan's operation" refer back; "the shelling of X" describes
    # an event of its own by its place or target
    described = any(
        c.dep_ == "prep"
        and c.lower_ in ("of", "on", "against", "in", "near")
        and any(ctx.ref_for(p) is not None for p in c.children if p.dep_ == "pobj")
        for c in tok.children
    )
    definite = (
        tok.pos_ != "VERB"
        and not described
        and (
            any(
                c.dep_ in ("det",) and c.lower_ in ("the", "this", "that", "these", "those")
                for c in tok.children
            )
            or any(c.dep_ == "poss" for c in tok.children)
            or tok.pos_ == "PROPN"
        )
    )
    name = None
    if tok.pos_ == "PROPN" or (
        tok.i + 1 < len(tok.doc) and tok.is_title and tok.doc[tok.i + 1].pos_ == "PROPN"
    ):
        span = tok.doc[tok.i : tok.i + 1]
        nxt = tok.i + 1
        while nxt < len(tok.doc) and tok.doc[nxt].pos_ == "PROPN" and tok.doc[nxt].is_title:
            nxt += 1
        if nxt > tok.i + 1 and not ctx.in_headline(tok):
            span = tok.doc[tok.i : nxt]
            name = span.text
            definite = True
    sent = tok.sent
    ev = ctx.span_evidence(sent, NAME)
    if ctx.excluded(ev.begin, ev.end):
        return None
    return Event(
        key=ctx.next_id("e"),
        kind=kind,
        evidence=ev,
        trigger=tok.text,
        agents=tuple(agents),
        targets=tuple(targets),
        places=tuple(places),
        time_text=time_text,
        date=iso,
        name=name,
        definite=definite,
    )


def _sides(ctx: ArticleContext, keys: tuple[str, ...]) -> set[str]:
    return {s for s in (ctx.country_of(k) for k in keys) if s}


def _compatible(ctx: ArticleContext, a: Event, b: Event) -> bool:
    if FAMILIES.get(a.kind, a.kind) != FAMILIES.get(b.kind, b.kind):
        return False
    sa, sb = _sides(ctx, a.agents), _sides(ctx, b.agents)
    if sa and sb and not (sa & sb):
        return False
    ta, tb = _sides(ctx, a.targets), _sides(ctx, b.targets)
    if ta and tb and not (ta & tb):
        return False
    return not (a.date and b.date and not (a.date.startswith(b.date) or b.date.startswith(a.date)))


def merge_events(a: Event, b: Event) -> Event:
    """``a`` absorbs ``b``: participants united, the first kind kept (a named
    operation upgrades a generic attack), evidence of ``a`` kept (``b``'s is recorded
    by the caller)."""
    kind = a.kind
    if a.kind == "Attack" and b.kind in ("MilitaryOperation", "Airstrike") and b.name:
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
    )


def extract(ctx: ArticleContext) -> None:
    doc = ctx.doc
    found: list[tuple[Token, Event]] = []
    for tok in doc:
        kind = _trigger_kind(tok)
        if kind is None or hypothetical(tok):
            continue
        named = ctx.ref_at(tok)
        if named is not None and named.how in ("kb", "local") and named.end - named.start > 1:
            continue  # "Co-operation" in an organisation's name is no event
        if tok.pos_ == "VERB":
            if (
                tok.dep_ in ("xcomp", "acl", "relcl")
                and tok.head.lemma_.lower() in lx.ATTEMPT_NOUNS
            ):
                continue  # "an attempt to seize": the attempt is the event
            subj = None
            v = tok
            for _ in range(4):
                subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
                if subj is not None or v.dep_ != "conj":
                    break
                v = v.head
            if subj is not None and _trigger_kind(subj) is not None:
                continue  # "the strike destroyed ...": a result of that event
        if tok.pos_ == "VERB" and any(c.dep_ == "neg" for c in tok.children):
            continue
        ev = _event_for(ctx, tok, kind)
        if ev is not None:
            found.append((tok, ev))
    # in-article coreference
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
                overlap = bool(_sides(ctx, p.agents) & _sides(ctx, ev.agents))
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
    _responses(ctx, found, events, aliases)
    ctx.event_aliases = aliases  # type: ignore[attr-defined]
    ctx.event_tokens = {ev.key: tok.i for tok, ev in found}  # type: ignore[attr-defined]
    ctx.extra_evidence = extra_evidence  # type: ignore[attr-defined]
    ctx.out.events.extend(events)


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


def event_at(ctx: ArticleContext, tok: Token) -> str | None:
    """The (surviving) event key whose trigger is ``tok``."""
    for key, i in getattr(ctx, "event_tokens", {}).items():
        if i == tok.i:
            return getattr(ctx, "event_aliases", {}).get(key, key)
    return None
