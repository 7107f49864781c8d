"""The finest class of an event: by the weapon it names and by its participants' sides.

Step 4 of :mod:`kgbuild.extractors.events`.  A generic attack takes the class of its
weapon (artillery, drone, IED, grenade, suicide, chemical), else of the sides of its
agents and targets (civilians as victims: an attack on civilians; two armed sides: an
armed clash; a mob: mob violence; police on protesters: excessive force).  A capture is
by the government or by a non-state group, or a non-violent transfer when unresisted; a
protest is peaceful unless its sentence tells of force used on it or by it.
"""

from __future__ import annotations

from spacy.tokens import Token

from kgbuild.extractors.common import hypothetical
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_participants import _Roles, _sides
from kgbuild.extractors.event_syntax import (
    _governor,
    logical_object,
    logical_subject,
    pruned_subtree,
)
from kgbuild.extractors.event_triggers import _Match
from kgbuild.extractors.event_vocabulary import (
    _ARMED,
    _CROWD,
    _GENERIC_ATTACKS,
    _RULES,
    FAMILIES,
    _in_word_list,
    _lem,
)
from kgbuild.extractors.tree import children, subtree


def _weapon_tokens(m: _Match) -> list[Token]:
    tok = m.head
    out: list[Token] = []
    if m.rule.pos == "noun":
        out.extend(t for t in pruned_subtree(tok) if t.i != tok.i)
        g = _governor(tok)
        if g is not None and g.pos_ == "VERB":
            for c in children(g):
                if c.dep_ == "prep" and c.lower_ in ("with", "using", "by"):
                    out.extend(subtree(c))
    else:
        for o in logical_object(tok):
            out.extend(subtree(o))
        for s in logical_subject(tok):
            out.extend(subtree(s))
        for c in children(tok):
            if c.dep_ == "nsubj":
                out.extend(subtree(c))
            if c.dep_ in ("prep", "agent") and c.lower_ in ("with", "using", "by", "from"):
                out.extend(subtree(c))
            if c.dep_ == "advcl" and _lem(c) == "use":
                out.extend(subtree(c))
    out.extend(t for t in m.tokens if t.i != tok.i)
    return out


def _weapon_class(toks: list[Token]) -> str | None:
    best: tuple[int, str] | None = None
    for t in toks:
        cls = None
        mods = _RULES.phrases.get("weapon", {}).get(_lem(t))
        if mods and any(_lem(c) in mods for c in children(t)):
            mod = next(_lem(c) for c in children(t) if _lem(c) in mods)
            cls = _RULES.value("weapon", f"{mod} {_lem(t)}")
        if cls is None:
            cls = _RULES.value("weapon", _lem(t)) or _RULES.value("weapon", t.lower_)
        if cls is None:
            continue
        if _lem(t) == "gas" or (t.head.i != t.i and _lem(t.head) == "gas"):
            continue
        if t.dep_ in ("compound", "amod") and (
            _in_word_list(t.head, "territory") or _in_word_list(t.head, "property")
        ):
            continue  # "an air base", "a missile factory": a place, not the weapon used
        rank = _RULES.classes[cls].weapon_rank or 99
        if best is None or rank < best[0]:
            best = (rank, cls)
    return best[1] if best else None


def _intervention_class(toks: list[Token], exclude: set[int]) -> str | None:
    order = ["ViolentDemonstration", "ExcessiveForceAgainstProtesters", "ProtestWithIntervention"]
    found: set[str] = set()
    for t in toks:
        if t.i in exclude or hypothetical(t):
            continue  # "no arrests were made"
        for w in (_lem(t), t.lower_):
            v = _RULES.value("intervention", w)
            if v is not None:
                found.add(v)
        mods = _RULES.phrases.get("intervention", {}).get(_lem(t))
        if mods and t.i > 0 and _lem(t.doc[t.i - 1]) in mods:
            v = _RULES.value("intervention", f"{_lem(t.doc[t.i - 1])} {_lem(t)}")
            if v is not None:
                found.add(v)
    for cls in order:
        if cls in found:
            return cls
    return None


def _protest_cause(tok: Token) -> set[int]:
    """The words that tell what a protest is about (its own phrase, but not a relative
    clause telling what happened to it): force words there are no intervention
    ("protested the killing of a student")."""
    out = {tok.i}
    for c in children(tok):
        if c.dep_ != "relcl":
            out.update(t.i for t in subtree(c))
    if tok.dep_ in ("xcomp", "advcl", "acl", "relcl", "pcomp"):
        # "gathered to hold a demonstration in support of ...": the clause that holds it
        out.update(t.i for t in subtree(tok.head) if t.i > tok.i)
    return out


def _unresisted(toks: list[Token]) -> bool:
    """ "took over the town unopposed", "without a fight": a change of control without
    violence, told in ``toks`` (a sentence's tokens)."""
    for t in toks:
        if _in_word_list(t, "nonviolent"):
            return True
        if t.lower_ == "without" and any(
            c.dep_ == "pobj" and _in_word_list(c, "unresisted") for c in children(t)
        ):
            return True
        if _in_word_list(t, "unresisted") and any(
            c.dep_ in ("amod", "det") and c.lower_ in ("little", "no", "minimal", "scant")
            for c in children(t)
        ):
            return True  # "meeting little resistance"
    return False


def refine(ctx: ArticleContext, m: _Match, roles: _Roles) -> str:
    """The finest class the weapon words and the participants' sides allow."""
    cls = m.rule.cls
    ag, tg = _sides(ctx, roles, "agent"), _sides(ctx, roles, "target")
    if cls in _GENERIC_ATTACKS or cls == "Attack":
        wtoks = _weapon_tokens(m)
        if (
            cls == "Attack"
            and _intervention_class(
                [t for t in wtoks if _lem(t) in ("gas", "teargas", "cannon", "bullet")], set()
            )
            == "ProtestWithIntervention"
            and not any(_lem(t) == "live" for t in wtoks)
        ):
            # "fired tear gas at protesters (who threw bricks)"
            return _intervention_class(ctx.sent_tokens(m.head), set()) or (
                "ProtestWithIntervention"
            )
        weapon = _weapon_class(wtoks)
        if weapon is not None:
            return weapon
        if cls != "Attack":
            return cls
        if tg & {"crowd"} and not ag & ({"civilian", "nonstate"} | _CROWD):
            return "ExcessiveForceAgainstProtesters"  # "police opened fire on protesters"
        if ag & {"mob"}:
            return "MobViolence"
        if ag & {"rioter"}:
            return "ViolentDemonstration"
        if not ag & _ARMED and any(_in_word_list(t, "mobvictim") for t in roles.target_toks):
            return "MobViolence"  # "suspected thieves were burnt to death"
        if ag & {"crowd"} and tg & _ARMED:
            return "ViolentDemonstration"
        if "civilian" in tg and not tg & _ARMED:
            return "AttackOnCivilians"
        if tg & _ARMED and (ag & _ARMED or not ag):
            return "ArmedClash"
        return "Attack"
    if cls == "ArmedClash" and (ag | tg) & {"crowd", "rioter"}:
        return "ViolentDemonstration"
    if cls == "ArmedClash" and (ag | tg) & {"mob"}:
        return "MobViolence"
    if FAMILIES.get(cls) == "TerritorialCapture" and _unresisted(ctx.sent_tokens(m.head)):
        return "NonViolentTransferOfTerritory"
    if cls == "TerritorialCapture":
        if ag & {"state", "police"}:
            return "GovernmentRegainsTerritory"
        if ag & {"nonstate"}:
            return "NonStateActorOvertakesTerritory"
        return cls
    if cls == "GovernmentRegainsTerritory" and ag & {"nonstate"} and not ag & {"state"}:
        return "NonStateActorOvertakesTerritory"
    if cls == "LootingPropertyDestruction" and ag & {"mob"}:
        return "MobViolence"
    if cls == "LootingPropertyDestruction" and ag & {"crowd", "rioter"}:
        return "ViolentDemonstration"
    if cls == "PeacefulProtest":
        return _intervention_class(ctx.sent_tokens(m.head), _protest_cause(m.head)) or cls
    return cls
