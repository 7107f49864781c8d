"""A protest and the force used on it or by it are one event.

"Police dispersed the protesters with tear gas", "traders stormed the offices,
protesting", "Teachers protested over pay. Police fired tear gas.": the force, told in
the protest's sentence or in the next sentences of its paragraph, refines the protest
and adds no event of its own; who used force on a protest becomes its agent and the
protesters its targets, as ACLED codes intervention and excessive force.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from kgbuild.core.model import Event
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_participants import _Roles, _sides
from kgbuild.extractors.event_refinement import _intervention_class
from kgbuild.extractors.event_vocabulary import _CROWD, _PROTESTS, side_of_token

#: protests refined by the force used on them (who used it is their agent)
_FORCED_PROTESTS = {"ProtestWithIntervention", "ExcessiveForceAgainstProtesters"}

_PROTEST_FORCE = {
    "Attack",
    "AttackOnCivilians",
    "ExcessiveForceAgainstProtesters",
    "ArmedClash",
    "ViolentDemonstration",
    "LootingPropertyDestruction",
    "MobViolence",
    "ProtestWithIntervention",
}


def _force_on_protest(protest: Event, force: Event) -> Event:
    """The protest a force was used on: the force's user becomes its agent and the
    protesters (with the force's victims) its targets, as ACLED codes intervention
    and excessive force (actor 1 the police, actor 2 the protesters)."""
    if not force.agents or protest.kind == "PeacefulProtest":
        return protest
    targets = [*protest.agents, *force.targets, *protest.targets]
    return replace(
        protest,
        agents=tuple(dict.fromkeys(force.agents)),
        targets=tuple(t for t in dict.fromkeys(targets) if t not in force.agents),
    )


def _protest_absorbs(
    ctx: ArticleContext, found: list[tuple[Token, Event, _Roles]]
) -> list[tuple[Token, Event, _Roles]]:
    """A protest and the force used on it or by it in one sentence are one event:
    "police dispersed the protesters with tear gas" refines the protest (:func:`refine`
    reads the force from the sentence) and adds no event of its own; so does "traders
    stormed the offices, protesting against ..." or "security forces shot dead two young
    men during a protest"."""
    protests = [i for i, (_, e, _) in enumerate(found) if e.kind in _PROTESTS]
    if not protests:
        return found
    protesters = {t.i for i in protests for t in found[i][2].agent_toks}
    out: list[tuple[Token, Event, _Roles]] = []
    forces: list[Event] = []
    for t, e, roles in found:
        if e.kind not in _PROTESTS and e.kind in _PROTEST_FORCE:
            ag, tg = _sides(ctx, roles, "agent"), _sides(ctx, roles, "target")
            by_police = bool(ag & {"state", "police"}) and (
                not tg or bool(tg & (_CROWD | {"civilian"}))
            )
            by_crowd = bool(ag & _CROWD) or (not ag and e.kind != "Attack")
            same = any(a.i in protesters for a in roles.agent_toks)
            if by_police or by_crowd or same or (not ag and not tg):
                if by_police:
                    forces.append(e)
                continue
        out.append((t, e, roles))
    for n, (t, e, roles) in enumerate(out):
        if e.kind in _PROTESTS:
            for f in forces:
                e = _force_on_protest(e, f)
            out[n] = (t, e, roles)
    return out


def _paragraphs(ctx: ArticleContext) -> dict[int, int]:
    """Sentence start -> paragraph number (a blank line or a line break between)."""
    out: dict[int, int] = {}
    para = 0
    for sent in ctx.sents:
        prev = ctx.tokens[sent.start - 1] if sent.start > 0 else None
        if prev is not None and ("\n" in prev.text_with_ws or prev.is_space):
            para += 1
        out[sent.start] = para
    return out


def _paragraph_protests(
    ctx: ArticleContext, found: list[tuple[Token, Event, _Roles]]
) -> list[tuple[Token, Event, _Roles]]:
    """ "Teachers protested over pay. Police fired tear gas. Several were arrested.": the
    force told in the next sentences of a protest's paragraph is used on that protest;
    it refines the protest and is no event of its own."""
    paras = _paragraphs(ctx)
    sent_no = {s.start: n for n, s in enumerate(ctx.sents)}
    drop: set[str] = set()
    upgraded: dict[str, str] = {}
    forced: dict[str, list[Event]] = {}
    for tok, ev, _ in found:
        if ev.kind not in _PROTESTS:
            continue
        start0 = ctx.sent(tok).start
        n0, p0 = sent_no[start0], paras[start0]
        words: list[Token] = []
        for t2, ev2, roles2 in found:
            sent2 = ctx.sent(t2)
            n2 = sent_no[sent2.start]
            if not (0 < n2 - n0 <= 2) or paras[sent2.start] != p0:
                continue
            if (ev2.kind in _PROTESTS and not roles2.force) or (
                ev2.kind not in _PROTEST_FORCE and not roles2.force
            ):
                continue
            ag, tg = _sides(ctx, roles2, "agent"), _sides(ctx, roles2, "target")
            if (ag and not ag & ({"state", "police"} | _CROWD)) or (tg and not tg & _CROWD):
                continue
            drop.add(ev2.key)
            words.extend(ctx.tokens[sent2.start : sent2.end])
            if ag & {"state", "police"}:
                forced.setdefault(ev.key, []).append(ev2)
        later = [
            t
            for s in ctx.sents
            if 0 < sent_no[s.start] - n0 <= 2
            and paras[s.start] == p0
            and not any(
                e.kind in _PROTESTS and not r.force and ctx.sent(t).start == s.start
                for t, e, r in found
            )
            for t in ctx.tokens[s.start : s.end]
        ]
        if any(side_of_token(ctx, t) in ("police", "state") for t in later):
            words.extend(later)  # "Police fired tear gas.": no event, but force on the protest
        cls = _intervention_class(words, set())
        if cls is not None and ev.kind == "PeacefulProtest":
            upgraded[ev.key] = cls
    out = []
    for t, e, r in found:
        if e.key in drop:
            continue
        e = replace(e, kind=upgraded.get(e.key, e.kind))
        for f in forced.get(e.key, ()):
            e = _force_on_protest(e, f)
        out.append((t, e, r))
    return out
