"""placelinks.v1: how places relate, from the text and from the knowledge base.

Text: "X, a road that links/connects A to/and B" gives X connects A and X connects B;
"X is recognized as Y territory / part of Y" gives X within Y.  Knowledge base: for
places both mentioned in the article, the KB's ``kg:within`` facts (containment is
stable geography; connections are what reports disagree on, so only the text states
them).
"""

from __future__ import annotations

from kgbuild.core.model import PlaceLink
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.tree import children, subtree
from kgbuild.nlp import lexicon as lx

NAME = "placelinks.v1"


def extract(ctx: ArticleContext) -> None:
    links: list[PlaceLink] = []
    lemmas, pos_names = ctx.lemmas, ctx.pos_names  # the article's arrays: one test a token
    for tok in ctx.tokens:
        lemma = lemmas[tok.i]
        if lemma in lx.CONNECT_VERBS and pos_names[tok.i] == "VERB":
            # the route: the relative clause's antecedent, or its appositive head
            # "a road that links A to B", "the only road linking A with B"
            head = tok.head if tok.dep_ in ("relcl", "acl") else None
            route = None
            if head is not None:
                route = ctx.ref_for(head)
                if route is None and head.dep_ == "appos":
                    route = ctx.ref_for(head.head)
            else:
                subj = next((c for c in children(tok) if c.dep_ == "nsubj"), None)
                route = ctx.ref_for(subj) if subj is not None else None
            if route is None or not ctx.entities[route.key].is_place:
                continue
            ends = [c for c in children(tok) if c.dep_ == "dobj"]
            ends += [
                o
                for c in children(tok)
                if c.dep_ == "prep" and c.lower_ in ("to", "with")
                for o in children(c)
                if o.dep_ == "pobj"
            ]
            ev = ctx.span_evidence(ctx.sent(tok), NAME)
            for e in ends:
                for r in ctx.conjuncts_refs(e):
                    if r.key != route.key and ctx.entities[r.key].is_place:
                        links.append(PlaceLink(ev, route.key, "connects", r.key))
        if lemma == "recognize" or lemma == "recognise":
            subj = next((c for c in children(tok) if c.dep_ == "nsubjpass"), None)
            place = ctx.ref_for(subj) if subj is not None else None
            if place is None:
                continue
            for c in children(tok):
                if c.dep_ == "prep" and c.lower_ == "as":
                    for o in children(c):
                        for m in subtree(o):
                            r = ctx.ref_at(m)
                            if (
                                r is not None
                                and ctx.entities[r.key].kind == "Country"
                                and r.key != place.key
                            ):
                                links.append(
                                    PlaceLink(
                                        ctx.span_evidence(ctx.sent(tok), NAME),
                                        place.key,
                                        "within",
                                        r.key,
                                    )
                                )
                                break
    # "X, Y": the entity extractor saw a place named next to its region or country
    for inner, outer in getattr(ctx, "text_within", []):
        links.append(PlaceLink(None, inner, "within", outer))
    mentioned = {m.key for m in ctx.out.mentions if m.is_place}
    for key in sorted(mentioned):
        ent = ctx.kb.entities.get(key)
        if ent is None:
            continue
        for other in ent.within:
            if other in mentioned:
                links.append(PlaceLink(None, key, "within", other))
    seen = set()
    named = {m.key for m in ctx.out.mentions}
    for link in links:
        if link.place not in named or link.other not in named:
            continue  # a link stands on places the article names, never on guesses it dropped
        sig = (link.place, link.relation, link.other)
        if sig not in seen:
            seen.add(sig)
            ctx.out.place_links.append(link)
