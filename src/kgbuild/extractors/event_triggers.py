"""Finding event triggers in a sentence: rule matches, their conditions, the filter.

Steps 1 and 2 of :mod:`kgbuild.extractors.events`.  Each token's word forms are looked
up in the trigger index; a multiword expression matches when its other words lie within
two steps of the first in the parse; longer matches win and a token belongs to one
match; a rule counts only when its conditions hold (its dependents in a word list, an
entity of a side, another event ...).  :func:`_skip` then drops what is no event:
negated, hypothetical or attempted acts, a word inside a name, a verb whose subject is
an event (a result of that event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Span, Token

from kgbuild.extractors.common import hypothetical
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_rules import Rule, RuleCondition
from kgbuild.extractors.event_syntax import (
    _governor,
    _passive,
    _prep_objects,
    _with_conjuncts,
    logical_object,
    logical_subject,
    pruned_subtree,
)
from kgbuild.extractors.event_vocabulary import (
    _ARMED,
    _CROWD,
    _RULES,
    _forms,
    _in_word_list,
    _is_trigger_word,
    _lem,
    side_of_token,
)
from kgbuild.extractors.tree import ancestors, children, subtree
from kgbuild.nlp import lexicon as lx

_MOD_DEPS = ("amod", "compound", "nmod", "poss", "advmod", "npadvmod", "nummod")
# named-entity types whose words are never event words ("12 March 2019")
_NOT_EVENT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}


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
        for t in reversed(ctx.tokens[max(ctx.sent(tok).start - 40, 0) : tok.i]):
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


def _dependents(ctx: ArticleContext, tok: Token, key: str, pos: str) -> list[Token]:
    """The tokens a condition key reads."""
    if key == "obj":
        objs = (
            logical_object(tok)
            if pos == "verb"
            else _with_conjuncts(c for c in children(tok) if c.dep_ == "dobj")
        )
        # "intercepted most of the 130 rockets": the whole the part is of
        return objs + [p for o in objs for p in _prep_objects(o, ("of",))]
    if key == "subj":
        if pos == "verb":
            return logical_subject(tok) + (
                [c for c in children(tok) if c.dep_ == "nsubj"] if not _passive(tok) else []
            )
        return [c for c in children(tok) if c.dep_ in ("nsubj",)]
    if key == "mod":
        return [c for c in children(tok) if c.dep_ in _MOD_DEPS]
    if key == "head":
        g = _governor(tok)
        return [g] if g is not None else []
    if key == "sent":
        sent = ctx.sent(tok)
        return ctx.tokens[sent.start : sent.end]
    if key == "sub":
        return [t for t in pruned_subtree(tok) if t.i != tok.i]
    if key == "objsub":
        return [t for o in _dependents(ctx, tok, "obj", pos) for t in subtree(o)]
    if key == "acl":
        return [c for c in children(tok) if c.dep_ in ("acl", "relcl", "xcomp", "advcl")]
    return _with_conjuncts(_prep_objects(tok, (key,)))


def _conditions_hold(ctx: ArticleContext, tok: Token, rule: Rule, events: set[int]) -> bool:
    for cond in rule.conditions:
        if cond.key == "prep":
            found = any(
                (c.dep_ in ("prep", "agent") and c.lower_ in cond.words) for c in children(tok)
            )
        else:
            found = _matches(ctx, _dependents(ctx, tok, cond.key, rule.pos), cond, events)
        if found == cond.negate:
            return False
    return True


def _pos_ok(tok: Token, pos: str) -> bool:
    """Part of speech, with the tagger's slips of terse notes ("Al Shabaab fire mortar
    rounds": a noun with a subject and an object is a verb)."""
    if pos == "verb":
        if tok.pos_ == "VERB":
            return True
        deps = {c.dep_ for c in children(tok)}
        return (
            tok.pos_ in ("NOUN", "PROPN")
            and "nsubj" in deps
            and bool(deps & {"dobj", "prep", "aux", "advmod"})
            and not any(c.dep_ == "det" for c in children(tok))
        )
    if tok.pos_ in ("NOUN", "PROPN"):
        return True
    if tok.pos_ == "VERB" and any(c.dep_ == "det" for c in children(tok)):
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

    for c in children(tok):
        add(c)
        for g in children(c):
            add(g)
            for gg in children(g):  # "set a bus and several cars on fire"
                add(gg)
    if tok.head.i != tok.i:
        add(tok.head)
        for s in children(tok.head):
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
        if not any(a.i in ids for a in ancestors(t)):
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
    # the article's Token objects, made once (iterating the Span would make new ones)
    by_word = _RULES.by_word
    for tok in ctx.tokens[sent.start : sent.end]:
        forms = _forms(tok)
        for key in forms:
            if key in by_word:
                break
        else:
            continue  # no rule starts with this word: the loop below would find nothing
        if tok.is_punct or tok.is_space or tok.ent_type_ in _NOT_EVENT_ENTS:
            continue
        pool: list[Token] | None = None
        for key in forms:
            for rule in by_word.get(key, ()):
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
        for c in children(tok):
            if c.dep_ in ("nsubj", "nsubjpass") and (
                c.lower_ in ("nobody", "none", "nothing")
                or any(d.dep_ == "det" and d.lower_ == "no" for d in children(c))
                or (c.lower_ == "one" and any(d.lower_ == "no" for d in children(c)))
            ):
                return True  # "no shots were fired", "nobody was hurt"
        if tok.dep_ in ("xcomp", "acl", "relcl") and _lem(tok.head) in lx.ATTEMPT_NOUNS:
            return True  # "an attempt to seize": the attempt is the event
        if any(c.dep_ == "neg" for c in children(tok)):
            return True
        subj = None
        v = tok
        for _ in range(4):
            subj = next((c for c in children(v) if c.dep_ == "nsubj"), None)
            if subj is not None or v.dep_ != "conj":
                break
            v = v.head
        if subj is not None and _is_trigger_word(subj) and _lem(subj) != _lem(tok):
            return True  # "the strike destroyed ...": a result of that event
    return False
