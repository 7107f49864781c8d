"""conflicts.v1: claims of one article that cannot all be true, linked, never merged.

- Two casualty claims by different sources about the same victim side whose figures
  are incompatible: a denial (count 0, ``none``) against any positive figure, or two
  exact figures that differ, or an exact figure below another's "at least".
- A denial whose object refers back to what was said ("rejected the allegations")
  against the most recent accusation or claim by another speaker's side.
One contradiction per pair of sources and topic.
"""

from __future__ import annotations

from kgbuild.core.model import CasualtyClaim, Contradiction
from kgbuild.extractors.context import ArticleContext

NAME = "conflicts.v1"


def _clash(a: CasualtyClaim, b: CasualtyClaim) -> bool:
    if a.qualifier == "none" or b.qualifier == "none":
        pos = b if a.qualifier == "none" else a
        return (pos.count or 0) > 0 or pos.qualifier == "several"
    if a.outcome != b.outcome or a.count is None or b.count is None:
        return False
    if a.qualifier == b.qualifier == "exact":
        return a.count != b.count
    if a.qualifier == "exact" and b.qualifier == "at-least":
        return a.count < b.count
    if b.qualifier == "exact" and a.qualifier == "at-least":
        return b.count < a.count
    return False


def extract(ctx: ArticleContext) -> None:
    out: list[Contradiction] = []
    seen: set[tuple] = set()
    claims = ctx.out.claims
    for i, a in enumerate(claims):
        for b in claims[i + 1 :]:
            if ctx.side_of(a.source) == ctx.side_of(b.source) and a.source == b.source:
                continue
            va, vb = ctx.side_of(a.victim), ctx.side_of(b.victim)
            if va is None or va != vb or not _clash(a, b):
                continue
            label = ctx.entities[va].label if va in ctx.entities else va
            topic = f"casualties of {label}"
            sig = (frozenset({a.source, b.source}), topic)
            if sig in seen:
                continue
            seen.add(sig)
            out.append(Contradiction(a.key, b.key, topic))
    statements = ctx.out.statements
    for i, st in enumerate(statements):
        if st.stance != "Denial":
            continue
        words = st.quote.lower()
        if not any(w in words for w in ("allegation", "accusation", "claim", "charge", "report")):
            continue
        for prev in reversed(statements[:i]):
            if prev.stance in ("Accusation", "Claim") and ctx.side_of(prev.speaker) != ctx.side_of(
                st.speaker
            ):
                sig = (frozenset({prev.speaker, st.speaker}), "allegations")
                if sig not in seen:
                    seen.add(sig)
                    topic = "allegations" + (
                        " of ceasefire violation"
                        if any(
                            e.kind == "CeasefireViolation"
                            for e in ctx.out.events
                            if e.key in prev.about
                        )
                        else ""
                    )
                    out.append(Contradiction(prev.key, st.key, topic))
                break
    ctx.out.contradictions.extend(out)
