"""events.v2: events from a trigger table, with participants from the same sentence.

The triggers are data (``extractors/rules/event_triggers.tsv``, loaded and indexed by
:mod:`kgbuild.extractors.event_rules`): a lemma or a multiword expression, its part of
speech, its class, a frame saying which dependents give agent, target and place, and
conditions.  This module is the one engine that runs them:

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
5. **Coreference** within the article: a definite mention ("the attack", "Azerbaijan's
   operation") joins the latest earlier event of its family with compatible
   participants; a headline event joins the first compatible body event; a retaliation
   reverses the roles of the attack it answers.

Classes the ontology does not know yet are written as their older superclass
(:func:`written_kind`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from spacy.tokens import Span, Token

from kgbuild.core.model import EVENT_KINDS, Event, PlaceLink
from kgbuild.extractors.common import (
    governing_verb,
    hypothetical,
    is_passive,
    subject_of,
    time_phrase,
)
from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.event_rules import EventRules, Rule, RuleCondition, load_rules
from kgbuild.nlp import lexicon as lx
from kgbuild.nlp.timex import normalize_time

NAME = "events.v2"

_RULES: EventRules = load_rules()
#: class -> coreference family ("the attack" may be an earlier clash or shelling).
FAMILIES: dict[str, str] = {name: c.family for name, c in _RULES.classes.items()}
#: The classes the RDF stage can write: the gold vocabulary and every class of
#: ``event_classes.tsv`` (the ontology's ACLED-aligned classes).  A class missing from
#: the ontology would be written as its older superclass (column writes_as) by
#: :func:`written_kind`.
WRITABLE_KINDS: frozenset[str] = frozenset(EVENT_KINDS) | frozenset(_RULES.classes)
#: Classes refined by weapon and participants.
_GENERIC_ATTACKS = {"Attack", "MilitaryOperation"}
#: violence told without a weapon or a means: the classes the sides alone refine to
_PLAIN_VIOLENCE = {"Attack", "AttackOnCivilians", "ArmedClash"}
_PROTESTS = {c for c, f in FAMILIES.items() if f == "protest"}
_VIOLENT = {n for n, c in _RULES.classes.items() if c.violent}
_MILITARY = _VIOLENT | {"Deployment", "Mobilization", "BaseEstablished"}
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
# Lasting states: two mentions in one article with the same participants are one event.
_STATES = {"Deployment", "Mobilization", "War"}
_RESPONSE_MARKERS = {
    ("in", "response", "to"),
    ("in", "retaliation", "for"),
    ("in", "retaliation", "to"),
    ("in", "revenge", "for"),
}
_RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
_LOCATIVE = {
    "in",
    "near",
    "at",
    "outside",
    "inside",
    "around",
    "along",
    "across",
    "between",
    "within",
    "into",
    "on",
    "off",
    "from",
    "towards",
    "toward",
    "through",
}
_MOD_DEPS = ("amod", "compound", "nmod", "poss", "advmod", "npadvmod", "nummod")
_PRUNE = {"relcl", "appos", "advcl", "ccomp", "parataxis"}
_ARMED = {"state", "police", "nonstate", "armed"}
# named-entity types whose words are never event words ("12 March 2019")
_NOT_EVENT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
_CROWD = {"crowd", "rioter", "mob"}


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


def is_violent(cls: str) -> bool:
    """True for classes of violent acts (a calm report yields none of them)."""
    return cls in _VIOLENT


# --- small parse helpers ------------------------------------------------------------------
def pruned_subtree(tok: Token, *, keep_places: ArticleContext | None = None) -> list[Token]:
    """``tok``'s subtree without relative, appositive and subordinate clauses (an
    appositive place is kept when ``keep_places`` is given: "near Z, R")."""
    out = [tok]
    for c in tok.children:
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


def _lem(tok: Token) -> str:
    return tok.lemma_.lower()


def _forms(tok: Token) -> tuple[str, ...]:
    """The lemma, the lower-cased word, and the word without a regular inflection: the
    small model's lemmatiser misses some ("raped" -> "rap", "Rioters" -> "Rioters")."""
    return _word_forms(tok.lemma_, tok.lower_)


@lru_cache(maxsize=65536)
def _word_forms(lemma: str, low: str) -> tuple[str, ...]:
    out = [lemma.lower(), low]
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            out.append(low[: len(low) - len(suffix)] + repl)
    return tuple(dict.fromkeys(out))


def _prep_objects(tok: Token, preps: Iterable[str]) -> list[Token]:
    want = set(preps)
    out: list[Token] = []
    for c in tok.children:
        word = "by" if c.dep_ == "agent" else c.lower_
        if (c.dep_ in ("prep", "agent") or (c.dep_ == "dative" and word == "to")) and (
            word in want
        ):
            out.extend(p for p in c.children if p.dep_ in ("pobj", "pcomp"))
    return out


def _with_conjuncts(toks: Iterable[Token]) -> list[Token]:
    out: list[Token] = []
    for t in toks:
        for x in (t, *t.conjuncts):
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
        obj = next((c for c in tok.head.children if c.dep_ == "dobj"), None)
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
            for c in tok.conjuncts:
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
        subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
        if subj is None:
            s = subject_of(tok)
            subj = s if s is not None and s.dep_ == "nsubjpass" else None
        if subj is None and tok.dep_ == "acl":
            subj = tok.head
        if subj is not None and subj.lower_ in _RELATIVE_PRONOUNS and subj.head.dep_ == "relcl":
            subj = subj.head.head
        return _with_conjuncts([subj]) if subj is not None else []
    objs = [c for c in tok.children if c.dep_ in ("dobj", "oprd")]
    if not objs:
        # "intercepted and destroyed two missiles": the object of the last conjunct
        for c in tok.children:
            if c.dep_ == "conj" and c.pos_ == "VERB":
                objs = [d for d in c.children if d.dep_ == "dobj"]
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


# --- word lists and sides ---------------------------------------------------------------------
def _in_word_list(tok: Token, name: str) -> bool:
    words = _RULES.lists.get(name)
    if not words:
        return False
    if any(f in words for f in _forms(tok)):
        return True
    mods = _RULES.phrases.get(name, {}).get(_lem(tok))
    return bool(mods) and any(_lem(c) in mods or c.lower_ in mods for c in tok.children)


def side_of_token(ctx: ArticleContext, tok: Token, *, depth: int = 0) -> str | None:
    """The side a noun phrase stands for: state, police, nonstate, civilian, crowd,
    rioter, or None.  An entity's kind decides first (the entity extractor's kinds,
    mapped in ``event_words.tsv`` under ``kindcat``); then the phrase's modifiers
    ("government forces", "armed men"); then its head noun ("villagers", "militants");
    then a partitive ("a group of protesters")."""
    if depth > 3:
        return None
    ref = ctx.ref_at(tok)
    if ref is None and tok.dep_ != "compound":
        ref = ctx.ref_for(tok)
    if ref is not None:
        side = side_of_ref(ctx, ref)
        if side is not None:
            return side
    for c in tok.children:
        if c.dep_ in ("amod", "compound", "nmod"):
            v = _RULES.value("modcat", _lem(c)) or _RULES.value("modcat", c.lower_)
            if v is not None:
                return v
    v = next((x for x in (_RULES.value("category", f) for f in _forms(tok)) if x), None)
    if v is not None and not (v == "nonstate" and _lem(tok) == "group"):
        return v
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                if p.dep_ == "pobj":
                    inner = side_of_token(ctx, p, depth=depth + 1)
                    if inner is not None:
                        return inner
    return v


def side_of_ref(ctx: ArticleContext, ref: Ref) -> str | None:
    """The side of an entity from its kind (unknown kinds: None)."""
    info = ctx.entities.get(ref.key)
    kind = info.kind if info is not None else ref.kind
    return _RULES.value("kindcat", kind.lower())


def _in_list(ctx: ArticleContext, tok: Token, name: str, events: set[int]) -> bool:
    if name == "place":
        ref = ctx.ref_for(tok)
        if ref is None:
            # "retook Marawi": a proper name no extractor typed, object of a place verb
            return tok.pos_ == "PROPN" and tok.ent_type_ not in ("PERSON", "ORG", "NORP")
        return ctx.entities[ref.key].is_place
    if name == "actor":
        ref = ctx.ref_for(tok)
        return ref is not None and ctx.entities[ref.key].is_actor
    if name == "event":
        return tok.i in events
    if name in ("armed", "state", "nonstate", "police", "civilian", "crowd"):
        side = side_of_token(ctx, tok)
        if name == "armed":
            return side in _ARMED
        if name == "crowd":
            return side in _CROWD
        return side == name
    if _in_word_list(tok, name):
        return True
    if tok.pos_ == "PRON" and tok.lower_ in ("it", "this", "them", "they"):
        # "violating it": the nearest noun of the list before, within a few sentences
        for t in reversed(tok.doc[max(tok.sent.start - 40, 0) : tok.i]):
            if t.pos_ in ("NOUN", "PROPN") and _in_word_list(t, name):
                return True
    return False


def _matches(
    ctx: ArticleContext, toks: Iterable[Token], cond: RuleCondition, events: set[int]
) -> bool:
    for t in toks:
        if any(f in cond.words for f in _forms(t)):
            return True
        if any(_in_list(ctx, t, name, events) for name in cond.lists):
            return True
    return False


def _dependents(tok: Token, key: str, pos: str) -> list[Token]:
    """The tokens a condition key reads."""
    if key == "obj":
        objs = (
            logical_object(tok)
            if pos == "verb"
            else _with_conjuncts(c for c in tok.children if c.dep_ == "dobj")
        )
        # "intercepted most of the 130 rockets": the whole the part is of
        return objs + [p for o in objs for p in _prep_objects(o, ("of",))]
    if key == "subj":
        if pos == "verb":
            return logical_subject(tok) + (
                [c for c in tok.children if c.dep_ == "nsubj"] if not _passive(tok) else []
            )
        return [c for c in tok.children if c.dep_ in ("nsubj",)]
    if key == "mod":
        return [c for c in tok.children if c.dep_ in _MOD_DEPS]
    if key == "head":
        g = _governor(tok)
        return [g] if g is not None else []
    if key == "sent":
        return list(tok.sent)
    if key == "sub":
        return [t for t in pruned_subtree(tok) if t.i != tok.i]
    if key == "objsub":
        return [t for o in _dependents(tok, "obj", pos) for t in o.subtree]
    if key == "acl":
        return [c for c in tok.children if c.dep_ in ("acl", "relcl", "xcomp", "advcl")]
    return _with_conjuncts(_prep_objects(tok, (key,)))


def _conditions_hold(ctx: ArticleContext, tok: Token, rule: Rule, events: set[int]) -> bool:
    for cond in rule.conditions:
        if cond.key == "prep":
            found = any(
                (c.dep_ in ("prep", "agent") and c.lower_ in cond.words) for c in tok.children
            )
        else:
            found = _matches(ctx, _dependents(tok, cond.key, rule.pos), cond, events)
        if found == cond.negate:
            return False
    return True


# --- matching ---------------------------------------------------------------------------------
def _pos_ok(tok: Token, pos: str) -> bool:
    """Part of speech, with the tagger's slips of terse notes ("Al Shabaab fire mortar
    rounds": a noun with a subject and an object is a verb)."""
    if pos == "verb":
        if tok.pos_ == "VERB":
            return True
        deps = {c.dep_ for c in tok.children}
        return (
            tok.pos_ in ("NOUN", "PROPN")
            and "nsubj" in deps
            and bool(deps & {"dobj", "prep", "aux", "advmod"})
            and not any(c.dep_ == "det" for c in tok.children)
        )
    if tok.pos_ in ("NOUN", "PROPN"):
        return True
    if tok.pos_ == "VERB" and any(c.dep_ == "det" for c in tok.children):
        return True  # "the attack" tagged as a verb
    return (
        tok.pos_ == "VERB"
        and tok.tag_ == "VBG"
        and (tok.dep_ in ("nsubj", "dobj", "pobj", "nsubjpass", "conj"))
    )


def _near(tok: Token, start: int, end: int) -> list[Token]:
    """Tokens within two steps of ``tok`` in the parse (three down), in tokens
    ``[start, end)`` (its sentence)."""
    out: list[Token] = []
    seen = {tok.i}

    def add(t: Token) -> None:
        if t.i not in seen and start <= t.i < end:
            seen.add(t.i)
            out.append(t)

    for c in tok.children:
        add(c)
        for g in c.children:
            add(g)
            for gg in g.children:  # "set a bus and several cars on fire"
                add(gg)
    if tok.head.i != tok.i:
        add(tok.head)
        for s in tok.head.children:
            add(s)
        if tok.head.head.i != tok.head.i:
            add(tok.head.head)
    return out


def _match_words(tok: Token, rule: Rule, pool: list[Token]) -> list[Token] | None:
    """The tokens of ``rule``'s expression anchored at ``tok`` (its first word), the
    others taken from ``pool`` (the tokens near it)."""
    matched = [tok]
    if len(rule.words) > 1:
        for alts in rule.words[1:]:
            hit = next(
                (t for t in pool if t not in matched and any(f in alts for f in _forms(t))),
                None,
            )
            if hit is None:
                return None
            matched.append(hit)
    return matched


def _head_of(tokens: list[Token]) -> Token:
    """The token of ``tokens`` highest in the parse."""
    ids = {t.i for t in tokens}
    for t in tokens:
        if not any(a.i in ids for a in t.ancestors):
            return t
    return tokens[0]


@dataclass
class _Match:
    rule: Rule
    head: Token
    tokens: list[Token]


def _candidates(ctx: ArticleContext, sent: Span) -> list[_Match]:
    """Every rule match of ``sent``, longest first, a token used once."""
    raw: list[_Match] = []
    for tok in sent:
        if tok.is_punct or tok.is_space or tok.ent_type_ in _NOT_EVENT_ENTS:
            continue
        pool: list[Token] | None = None
        for key in _forms(tok):
            for rule in _RULES.by_word.get(key, ()):
                if pool is None and len(rule.words) > 1:
                    pool = _near(tok, sent.start, sent.end)
                toks = _match_words(tok, rule, pool or [])
                if toks is None:
                    continue
                head = _head_of(toks)
                if not _pos_ok(head, rule.pos):
                    continue
                raw.append(_Match(rule, head, toks))
    raw.sort(key=lambda m: (-len(m.rule.words), m.head.i, m.rule.line))
    used: set[int] = set()
    heads: set[int] = set()
    chosen: list[_Match] = []
    # a first pass over heads so the @event list is known to the conditions
    event_heads = {m.head.i for m in raw}
    for m in raw:
        if m.head.i in heads or any(t.i in used for t in m.tokens):
            continue
        if not _conditions_hold(ctx, m.head, m.rule, event_heads - {m.head.i}):
            continue
        chosen.append(m)
        heads.add(m.head.i)
        used.update(t.i for t in m.tokens)
    return chosen


# --- participants -----------------------------------------------------------------------------
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
            for c in t.children:
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
    appos = [c for c in tok.children if c.dep_ == "appos"]
    if appos:
        return _with_conjuncts(appos)
    conj = list(tok.conjuncts)
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
        return [c for c in tok.children if c.dep_ == "poss"]
    if slot == "mod":
        return [
            c
            for c in tok.children
            if c.dep_ in ("amod", "compound", "nmod") and ctx.ref_at(c) is not None
        ]
    if slot == "by" and pos == "verb" and not _passive(tok):
        return []
    found = _prep_objects(tok, (slot,))
    if not found and pos == "verb" and slot != "by":
        # the parser often hangs the phrase on a word after the verb: "came under fire
        # from X" (on "fire"), "recaptured the town from X" (on "town")
        for t in [*extra, *(c for c in tok.children if c.dep_ == "dobj")]:
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
                for c in subj.children:
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
        for c in tok.children:
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
            (v for v in (gov, *gov.conjuncts) if v.pos_ == "VERB" and _lem(v) in _CASUALTY_LEMMAS),
            None,
        )
    if cas is not None:
        if not roles.agents and not is_passive(cas):
            subj = subject_of(cas)
            if subj is not None:
                roles.agent_toks.append(subj)
                for r in ctx.conjuncts_refs(subj):
                    roles.add(roles.agents, _agent_from_ref(ctx, r, kind))
        for o in cas.children:
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
        anchors += [verb, *verb.conjuncts]
    for a in anchors:
        for c in list(a.children) + list(a.conjuncts):
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
            *verb.head.conjuncts,
            *([verb.head.head] if verb.head.dep_ == "conj" else []),
        ):
            if _lem(v) in _CASUALTY_LEMMAS:
                for o in logical_object(v):
                    roles.target_toks.append(o)
                    r = ctx.ref_for(o)
                    if r is not None and ctx.entities[r.key].is_actor:
                        roles.add(roles.targets, r.key)


def _is_trigger_word(tok: Token) -> bool:
    """True when ``tok`` could head an event (an index entry of its part of speech)."""
    pos = "verb" if tok.pos_ == "VERB" else "noun"
    for key in (_lem(tok), tok.lower_):
        for rule in _RULES.by_word.get(key, ()):
            if len(rule.words) == 1 and rule.pos == pos and rule.cls != "OtherDevelopment":
                return True
    return False


def _places(ctx: ArticleContext, m: _Match, roles: _Roles, sent_events: list[int]) -> list[str]:
    """Place references of the event's clause, innermost first."""
    tok = m.head
    verb = governing_verb(tok) if tok.pos_ != "VERB" else tok
    toks: list[Token] = []
    if m.rule.pos == "noun":
        toks.extend(pruned_subtree(tok, keep_places=ctx))
        if verb is not None and tok.dep_ in ("dobj", "conj", "nsubj", "nsubjpass"):
            toks.extend(
                t
                for c in verb.children
                if c.dep_ in ("prep", "npadvmod", "advmod") and tok not in c.subtree
                for t in pruned_subtree(c, keep_places=ctx)
            )
    else:
        toks.extend(
            t
            for c in tok.children
            if c.dep_ in ("prep", "dobj", "advmod", "npadvmod", "nsubjpass", "agent", "oprd")
            for t in pruned_subtree(c, keep_places=ctx)
        )
    for t in m.tokens:
        if t.i != tok.i:
            toks.extend(pruned_subtree(t, keep_places=ctx))
    out = list(roles.place_refs)
    for key in _place_refs(ctx, toks):
        if key not in out:
            out.append(key)
    if not out and verb is not None:
        # "positions stationed in X opened fire": where the agent is
        subj = subject_of(verb)
        if subj is not None:
            for c in subj.children:
                if c.dep_ == "acl":
                    out = _place_refs(ctx, pruned_subtree(c, keep_places=ctx))
    if not out and len(sent_events) == 1:
        # the one event of its sentence: "in Z" anywhere in it
        locs = [
            t
            for p in tok.sent
            if p.dep_ == "prep" and p.lower_ in _LOCATIVE
            for c in p.children
            if c.dep_ == "pobj"
            for t in pruned_subtree(c, keep_places=ctx)
        ]
        out = _place_refs(ctx, locs)
    return out


def _place_refs(ctx: ArticleContext, toks: list[Token]) -> list[str]:
    out: list[str] = []
    for t in toks:
        ref = ctx.ref_at(t)
        if ref is None or ref.head != t.i:
            continue
        info = ctx.entities.get(ref.key)
        if info is not None and info.is_place and info.kind != "Country" and ref.key not in out:
            out.append(ref.key)
    return out


def _within_links(ctx: ArticleContext, places: list[str], sent: Span) -> list[tuple[str, str]]:
    """ "near Z, R": Z lies within R, for places of the event written "Z, R"."""
    links: list[tuple[str, str]] = []
    by_key = {r.key: r for r in ctx.refs_in(sent.start, sent.end) if r.key in places}
    for r in by_key.values():
        nxt = r.end
        if nxt + 1 < len(ctx.doc) and ctx.doc[nxt].text == ",":
            after = ctx.ref_at(ctx.doc[nxt + 1])
            if (
                after is not None
                and after.key != r.key
                and after.start == nxt + 1
                and after.key in places
            ):
                links.append((r.key, after.key))
    return links


def _source(ctx: ArticleContext, tok: Token) -> str | None:
    """Who reports the event: "according to X", or the subject of a reporting or
    recording verb the event is the object or complement of."""
    for t in tok.sent:
        if t.lower_ == "according" and t.i + 1 < len(tok.doc) and tok.doc[t.i + 1].lower_ == "to":
            for p in tok.doc[t.i + 1].children:
                if p.dep_ == "pobj":
                    ref = ctx.ref_for(p)
                    if ref is not None and ctx.entities[ref.key].is_actor:
                        return ref.key
    t = tok
    for _ in range(6):
        if t.head.i == t.i:
            break
        up = t.head
        if (
            up.pos_ == "VERB"
            and (_lem(up) in lx.REPORTING_VERBS or _in_word_list(up, "record"))
            and t.dep_ in ("dobj", "ccomp", "nsubjpass", "xcomp", "conj", "pobj")
        ):
            subj = next((c for c in up.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                ref = ctx.ref_for(subj)
                if ref is not None and ctx.entities[ref.key].is_actor:
                    acting = ctx.acting(ref)
                    return acting.key if acting is not None else ref.key
            return None
        t = up
    return None


# --- refinement -------------------------------------------------------------------------------
def _weapon_tokens(m: _Match) -> list[Token]:
    tok = m.head
    out: list[Token] = []
    if m.rule.pos == "noun":
        out.extend(t for t in pruned_subtree(tok) if t.i != tok.i)
        g = _governor(tok)
        if g is not None and g.pos_ == "VERB":
            for c in g.children:
                if c.dep_ == "prep" and c.lower_ in ("with", "using", "by"):
                    out.extend(c.subtree)
    else:
        for o in logical_object(tok):
            out.extend(o.subtree)
        for s in logical_subject(tok):
            out.extend(s.subtree)
        for c in tok.children:
            if c.dep_ == "nsubj":
                out.extend(c.subtree)
            if c.dep_ in ("prep", "agent") and c.lower_ in ("with", "using", "by", "from"):
                out.extend(c.subtree)
            if c.dep_ == "advcl" and _lem(c) == "use":
                out.extend(c.subtree)
    out.extend(t for t in m.tokens if t.i != tok.i)
    return out


def _weapon_class(toks: list[Token]) -> str | None:
    best: tuple[int, str] | None = None
    for t in toks:
        cls = None
        mods = _RULES.phrases.get("weapon", {}).get(_lem(t))
        if mods and any(_lem(c) in mods for c in t.children):
            mod = next(_lem(c) for c in t.children if _lem(c) in mods)
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
    for c in tok.children:
        if c.dep_ != "relcl":
            out.update(t.i for t in c.subtree)
    if tok.dep_ in ("xcomp", "advcl", "acl", "relcl", "pcomp"):
        # "gathered to hold a demonstration in support of ...": the clause that holds it
        out.update(t.i for t in tok.head.subtree if t.i > tok.i)
    return out


def _unresisted(sent: Span) -> bool:
    """ "took over the town unopposed", "without a fight": a change of control without
    violence."""
    for t in sent:
        if _in_word_list(t, "nonviolent"):
            return True
        if t.lower_ == "without" and any(
            c.dep_ == "pobj" and _in_word_list(c, "unresisted") for c in t.children
        ):
            return True
        if _in_word_list(t, "unresisted") and any(
            c.dep_ in ("amod", "det") and c.lower_ in ("little", "no", "minimal", "scant")
            for c in t.children
        ):
            return True  # "meeting little resistance"
    return False


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
            return _intervention_class(list(m.head.sent), set()) or "ProtestWithIntervention"
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
    if FAMILIES.get(cls) == "TerritorialCapture" and _unresisted(m.head.sent):
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
        return _intervention_class(list(m.head.sent), _protest_cause(m.head)) or cls
    return cls


# --- events -------------------------------------------------------------------------------------
def _skip(ctx: ArticleContext, m: _Match) -> bool:
    tok = m.head
    if hypothetical(tok):
        return True
    named = ctx.ref_at(tok)
    if named is not None and named.how in ("kb", "local") and named.end - named.start > 1:
        return True  # "Co-operation" in an organisation's name is no event
    gov = _governor(tok) if tok.pos_ != "VERB" else None
    if gov is not None and _in_word_list(gov, "stopping"):
        return True  # "a cessation of hostilities", "an end to the fighting"
    if tok.pos_ == "VERB":
        for c in tok.children:
            if c.dep_ in ("nsubj", "nsubjpass") and (
                c.lower_ in ("nobody", "none", "nothing")
                or any(d.dep_ == "det" and d.lower_ == "no" for d in c.children)
                or (c.lower_ == "one" and any(d.lower_ == "no" for d in c.children))
            ):
                return True  # "no shots were fired", "nobody was hurt"
        if tok.dep_ in ("xcomp", "acl", "relcl") and _lem(tok.head) in lx.ATTEMPT_NOUNS:
            return True  # "an attempt to seize": the attempt is the event
        if any(c.dep_ == "neg" for c in tok.children):
            return True
        subj = None
        v = tok
        for _ in range(4):
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None or v.dep_ != "conj":
                break
            v = v.head
        if subj is not None and _is_trigger_word(subj) and _lem(subj) != _lem(tok):
            return True  # "the strike destroyed ...": a result of that event
    return False


def _time(ctx: ArticleContext, tok: Token) -> tuple[str | None, str | None]:
    """The event's time expression and ISO value: the clause's own, or the date that
    opens its sentence when that is more precise ("On 9 February 2021, the army said it
    had taken over several rebel bases during an operation launched in late January")."""
    tp = time_phrase(ctx, tok)
    text = tp.text if tp is not None else None
    iso = normalize_time(text, ctx.article.published) if text else None
    opening = _sentence_opening(ctx, tok.sent)
    if opening is not None:
        o_iso = normalize_time(opening.text, ctx.article.published)
        inside = tp is not None and opening.start <= tp.start and tp.end <= opening.end
        if o_iso and (iso is None or len(o_iso) > len(iso) or inside):
            return opening.text, o_iso  # "Between 3 and 5 May 2021, ...": the whole range
    return text, iso


def _sentence_opening(ctx: ArticleContext, sent: Span) -> Span | None:
    """A date that opens ``sent`` ("On 12 March 2019, ...", "Between 3 and 5 May 2021,")."""
    if not len(sent) or sent[0].lower_ not in ("on", "between", "around", "from", "in", "at"):
        return None
    dated = [t for t in sent[:10] if t.ent_type_ in ("DATE", "TIME")]
    if not dated:
        return None
    return ctx.doc[sent.start : dated[-1].i + 1]


def _opening_time(ctx: ArticleContext, sent: Span) -> tuple[str | None, str | None]:
    """The time that opens ``sent``'s paragraph ("On 12 March 2019, ..."), which sets the
    scene of the sentences after it."""
    doc = ctx.doc
    start = sent.start
    first = sent
    for s in doc.sents:
        if s.start > start:
            break
        if s.start == 0 or "\n" in doc[s.start - 1].text_with_ws or doc[s.start - 1].is_space:
            first = s
    if first.start == sent.start:
        return None, None
    opening = [t for t in first[:8] if t.ent_type_ == "DATE"]
    if not opening or first[0].lower_ not in ("on", "in", "between", "around", "from", "at"):
        return None, None
    span = doc[opening[0].i : opening[-1].i + 1]
    iso = normalize_time(span.text, ctx.article.published)
    return (span.text, iso) if iso else (None, None)


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


def _event(ctx: ArticleContext, b: _Built, sent_events: list[int]) -> Event | None:
    tok, roles, kind = b.head, b.roles, b.kind
    places = [p for p in _places(ctx, b.m, roles, sent_events) if p not in roles.targets]
    agents, targets = list(roles.agents), list(roles.targets)
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
    time_text, iso = _time(ctx, tok)
    if time_text is None:
        time_text, iso = _opening_time(ctx, tok.sent)
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
        nxt = tok.i + 1
        while nxt < len(tok.doc) and tok.doc[nxt].pos_ == "PROPN" and tok.doc[nxt].is_title:
            nxt += 1
        if nxt > tok.i + 1 and not ctx.in_headline(tok):
            name = tok.doc[tok.i : nxt].text
            definite = True
    ev = ctx.span_evidence(tok.sent, NAME)
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
                if high in low.ancestors:
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


def _sentence_events(ctx: ArticleContext, sent: Span) -> list[tuple[Token, Event, _Roles]]:
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
            for c in w.children:
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
        weapons = {t.i for o in logical_object(d.head) for t in o.subtree}
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
        ev = _event(ctx, b, heads)
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


def _paragraphs(ctx: ArticleContext) -> dict[int, int]:
    """Sentence start -> paragraph number (a blank line or a line break between)."""
    out: dict[int, int] = {}
    para = 0
    for sent in ctx.doc.sents:
        prev = ctx.doc[sent.start - 1] if sent.start > 0 else None
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
    sent_no = {s.start: n for n, s in enumerate(ctx.doc.sents)}
    drop: set[str] = set()
    upgraded: dict[str, str] = {}
    forced: dict[str, list[Event]] = {}
    for tok, ev, _ in found:
        if ev.kind not in _PROTESTS:
            continue
        n0, p0 = sent_no[tok.sent.start], paras[tok.sent.start]
        words: list[Token] = []
        for t2, ev2, roles2 in found:
            n2 = sent_no[t2.sent.start]
            if not (0 < n2 - n0 <= 2) or paras[t2.sent.start] != p0:
                continue
            if (ev2.kind in _PROTESTS and not roles2.force) or (
                ev2.kind not in _PROTEST_FORCE and not roles2.force
            ):
                continue
            ag, tg = _sides(ctx, roles2, "agent"), _sides(ctx, roles2, "target")
            if (ag and not ag & ({"state", "police"} | _CROWD)) or (tg and not tg & _CROWD):
                continue
            drop.add(ev2.key)
            words.extend(t2.sent)
            if ag & {"state", "police"}:
                forced.setdefault(ev.key, []).append(ev2)
        later = [
            t
            for s in ctx.doc.sents
            if 0 < sent_no[s.start] - n0 <= 2
            and paras[s.start] == p0
            and not any(
                e.kind in _PROTESTS and not r.force and t.sent.start == s.start for t, e, r in found
            )
            for t in s
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


def extract(ctx: ArticleContext) -> None:
    found3: list[tuple[Token, Event, _Roles]] = []
    for sent in ctx.doc.sents:
        found3.extend(_sentence_events(ctx, sent))
    found3 = _paragraph_protests(ctx, found3)
    found: list[tuple[Token, Event]] = [(t, e) for t, e, _ in found3]
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
    _responses(ctx, found, events, aliases)
    events = _claimed(ctx, found, events, aliases)
    # "near Z, R": Z within R
    links: set[tuple[str, str]] = set()
    for tok, ev in found:
        for z, r in _within_links(ctx, list(ev.places), tok.sent):
            if (z, r) not in links:
                links.add((z, r))
                ctx.out.place_links.append(
                    PlaceLink(ctx.span_evidence(tok.sent, NAME), z, "within", r)
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
    for tok in ctx.tokens:
        how = _RULES.value("perpetrator", _lem(tok))
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
            if t.i < tok.i and e.kind in _VIOLENT and t.sent.start != tok.sent.start
        ] + [
            aliases.get(e.key, e.key)
            for t, e in found
            if t.sent.start == tok.sent.start
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
        if any(c.dep_ in ("ccomp", "xcomp") for c in tok.children):
            return []  # "police suspected that ...": the clause says more than a name
        obj = logical_object(tok)
        if obj or _passive(tok):
            return obj
        # "Al Shabaab suspected.": a note without its auxiliary
        if any(c.dep_ in ("aux", "auxpass") for c in tok.children):
            return []
        return [t for t in logical_subject(tok) if t.pos_ == "PROPN"]
    # how == "responsible": "X was held responsible", "police held X responsible",
    # "(X assumed responsible)", "X was responsible for the attack"
    pred = [
        c
        for c in tok.children
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


def event_at(ctx: ArticleContext, tok: Token) -> str | None:
    """The (surviving) event key whose trigger is ``tok``."""
    for key, i in getattr(ctx, "event_tokens", {}).items():
        if i == tok.i:
            return getattr(ctx, "event_aliases", {}).get(key, key)
    return None
