"""Names the knowledge base does not know: typed once per article, used everywhere in it.

News about a place nobody has catalogued still names it consistently, so kgbuild reads
each unknown name once for the whole article ("one sense per discourse"):

1. Candidates are the named-entity spans of spaCy's model and runs of proper nouns in
   the body (not the headline, whose title case misleads the model), without a
   leading article and a trailing possessive; spans the knowledge base already knows,
   and phrases the compositional rules handle ("the X Ministry of Defense"), are left
   out.
2. Evidence for each distinct name is pooled over all its occurrences.  Grammar is
   strong evidence: "the village/region of X", "X region", "X corridor" give the place
   kind; "X's ministry/troops", "forces/Ministry ... of X", or a demonym in the article
   derived from X ("Valdorian" for "Valdoria") make X a country; a force or body noun
   as the head of the name ("X Defense Army", "X Republic") gives its kind.  The
   model's labels are weak evidence (GPE -> settlement, PERSON -> person when the name
   has two words or more, ORG -> organisation, LOC -> area, FAC -> facility); a single
   unknown word the model calls a person is not trusted.
3. Demonyms the KB does not know ("Valdorian", "Karsenians") denote the country they
   derive from: a country name of the article that they extend (minus its last letter),
   else one derived from them (an "-an" demonym minus its "n": "Norvanian" ->
   "Norvania").
4. Acronyms in the text ("the CNC") that spell the initials of a name of the article
   ("Council for Northern Cooperation") are that entity.
5. Every occurrence of a typed name, headline included, becomes a reference to one
   entity, whose key is its kind and normalised name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Span, Token

from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.entity_keys import minted_key, register_entity
from kgbuild.extractors.tree import doc_text
from kgbuild.kb.knowledge_base import KBEntity
from kgbuild.nlp import lexicon as lx

NAME = "localnames.v1"

_NER_KIND = {
    "GPE": "Settlement",
    "LOC": "Area",
    "FAC": "Facility",
    "ORG": "Organization",
    "PERSON": "Person",
}
_ORG_HEADS = {
    "republic": "GovernmentBody",
    "union": "InternationalOrganization",
    "league": "InternationalOrganization",
    "council": "InternationalOrganization",
    "organization": "InternationalOrganization",
    "organisation": "InternationalOrganization",
    "federation": "Country",
    "kingdom": "Country",
    "emirates": "Country",
    "states": "Country",
}
_DEMONYM_SUFFIX = re.compile(r"(ians?|ans?|ese|ish|is?|ers?)$")
_SKIP_WORDS = {"the", "a", "an", "this", "that", "these", "those"}
_SPECIFIC_PLACES = {"Settlement", "Region", "Route", "Landform", "Area", "Facility", "Country"}
# kinds of unknown names worth looking up in the world gazetteer
_LINKABLE = {"Place", "Settlement", "Region", "Area"}


def _strip(span: Span) -> Span:
    doc = span.doc
    start, end = span.start, span.end
    while start < end and doc[start].lower_ in _SKIP_WORDS:
        start += 1
    while end > start and doc[end - 1].text in ("’s", "'s", "’", "'", ",", "(", ")"):
        end -= 1
    return doc[start:end]


def _cut_at_place_preposition(span: Span) -> Span:
    """The model's span up to a lower-case place preposition inside it: "Liberation
    Front of the North in Gao" is a name, then a place."""
    for t in span[1:]:
        if t.is_lower and t.lower_ in lx.PLACE_PREPOSITIONS:
            return span.doc[span.start : t.i]
    return span


def _candidates(ctx: ArticleContext) -> list[tuple[Span, str]]:
    """(span, model label) of unknown names in the body."""
    out: list[tuple[Span, str]] = []
    seen: set[tuple[int, int]] = set()
    for ent in ctx.ents:
        if ent.label_ not in ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"):
            continue
        span = _strip(_cut_at_place_preposition(ent))
        if len(span) == 0 or ctx.in_headline(span[0]) or ctx.covered(span.start, span.end):
            continue
        if ctx.excluded(span.start_char, span.end_char):
            continue
        words = [t for t in span if t.is_alpha]
        if not words or not words[0].text[0].isupper():
            continue
        if any(t.lower_ in lx.TITLES and t.lower_ not in ("general",) for t in span):
            continue
        # phrases the compositional rules read ("the X Ministry of Defense", "X's Council")
        if any(t.text in ("’s", "'s") for t in span):
            continue
        if span.root.lower_ in lx.EVENT_NOUNS or span[0].lower_ in lx.EVENT_NOUNS:
            continue
        if _compositional(ctx, span):
            continue
        seen.add((span.start, span.end))
        out.append((span, ent.label_))
    # proper-noun runs the model missed
    doc = ctx.doc
    tokens, pos_names = ctx.tokens, ctx.pos_names  # doc[i] would make a new Token each time
    i = 0
    while i < len(doc):
        tok = tokens[i]
        capital = tok.is_title or (tok.is_upper and 2 <= len(tok) <= 6 and tok.is_alpha)
        if pos_names[i] == "PROPN" and capital and not ctx.in_headline(tok) and i not in ctx._cover:
            j = i
            while (
                j + 1 < len(doc)
                and pos_names[j + 1] == "PROPN"
                and tokens[j + 1].is_title
                and (j + 1) not in ctx._cover
            ):
                j += 1
            span = doc[i : j + 1]
            if ctx.excluded(span.start_char, span.end_char):
                i = j + 1
                continue
            if (
                not any(s <= i < e for s, e in seen)
                and not any(t.lower_ in lx.TITLES for t in span)
                and span.root.lower_ not in lx.EVENT_NOUNS
                and span[0].lower_ not in lx.EVENT_NOUNS
            ):
                out.append((span, ""))
            i = j + 1
        else:
            i += 1
    return out


def _compositional(ctx: ArticleContext, span: Span) -> bool:
    """ "the Valdorian Army", "Valdoria Army": an owner plus a body noun, left to the
    compositional rules."""
    head = span[-1].lower_
    if len(span) < 2 or not (
        head in lx.FORCE_HEADS or head in lx.BODY_HEADS or head in ("ministry",)
    ):
        return False
    first = span[0]
    if ctx.kb.country_of_demonym(first.text) is not None or (
        len(span) == 2 and _looks_demonym(first)
    ):
        return True
    rest = span.doc[span.start : span.end - 1].text
    # the article's Token objects and text, made once (iterating the Doc makes new Tokens)
    return any(t.text == rest for t in ctx.tokens if t.i < span.start or t.i >= span.end) or (
        len(span) == 2
        and first.is_title
        and first.pos_ == "PROPN"
        and doc_text(span.doc).count(first.text + " ") > 1
    )


def _demonym_country(dem: str, countries: list[str]) -> str | None:
    low = dem.lower().rstrip("s") if dem.lower().endswith(("ians", "ans")) else dem.lower()
    for c in sorted(countries, key=len, reverse=True):
        stem = c.lower()[:-1] if len(c) > 4 else c.lower()
        if low.startswith(stem) and low != c.lower():
            return c
    return None


_NOT_DEMONYMS = {m[:3] for m in lx.MONTHS} | set(lx.MONTHS) | {"sept"}


def _looks_demonym(tok: Token) -> bool:
    """A capitalised adjective-like word with a demonym ending ("Valdorian")."""
    low = tok.lower_
    return (
        tok.is_title
        and len(low) >= 5
        and low not in _NOT_DEMONYMS
        and bool(_DEMONYM_SUFFIX.search(low))
        and tok.pos_ in ("ADJ", "PROPN", "NOUN")
    )


def _kind_evidence(ctx: ArticleContext, span: Span) -> list[str]:
    """Grammatical evidence for the kind of the name ``span``."""
    ev: list[str] = []
    doc = span.doc
    root = span.root
    head_lower = span[-1].lower_
    group = _group_name_evidence(span)
    if group:
        ev.extend([group] * 2)
    elif head_lower in lx.FORCE_HEADS:
        ev.append("ArmedForce")
    elif head_lower in _ORG_HEADS:
        ev.append(_ORG_HEADS[head_lower])
    elif span[0].lower_ in _ORG_HEADS and len(span) > 2:
        ev.append(_ORG_HEADS[span[0].lower_])
    elif head_lower in lx.PLACE_HEADS:
        ev.append(lx.PLACE_HEADS[head_lower])
    nxt = doc[span.end] if span.end < len(doc) else None
    prev = doc[span.start - 1] if span.start > 0 else None
    # "the X region", "the X enclave": the name of a place of that kind (strong)
    if (
        nxt is not None
        and nxt.lower_ in lx.PLACE_OF_HEADS
        and nxt.pos_ == "NOUN"
        and root.head.i == nxt.i
    ):
        ev.extend([lx.PLACE_OF_HEADS[nxt.lower_]] * 2)
    # "X's ministry", "X's troops"
    if nxt is not None and nxt.text in ("’s", "'s"):
        owned = root.head
        if (
            owned.lower_ in lx.FORCE_HEADS
            or owned.lower_ in lx.BODY_HEADS
            or owned.lower_ in ("side",)
        ):
            ev.append("Country")
    # "forces of X", "Ministry of Defense of X"
    if (
        prev is not None
        and prev.lower_ == "of"
        and prev.head.lower_ in (lx.FORCE_HEADS | set(lx.BODY_HEADS) | {"defense", "affairs"})
    ):
        ev.append("Country")
    # "the village of X", "the region of X"
    if prev is not None and prev.lower_ == "of" and prev.head.lower_ in lx.PLACE_OF_HEADS:
        ev.extend([lx.PLACE_OF_HEADS[prev.head.lower_]] * 2)
    # "in X", "near X", "outside X", "north of X": a place, whatever the model's label
    if _after_place_preposition(root):
        ev.extend(["Place"] * 2)
    # "shelled X", "X was captured": most often a place (weak)
    if root.dep_ in ("dobj", "nsubjpass") and root.head.lemma_.lower() in lx.PLACE_OBJECT_VERBS:
        ev.append("Place")
    # "X, Y" with Y a known region or country: X is a place within Y
    if _enclosing_place(ctx, span) is not None:
        ev.extend(["Place"] * 2)
    # the subject of a reporting verb is an actor ("the Kremlin warned")
    if root.dep_ == "nsubj" and root.head.lemma_.lower() in lx.REPORTING_VERBS:
        ev.append("Organization" if len(span) == 1 else "")
    # "links X to Y": the ends of a route are places
    if root.head.lemma_.lower() in lx.CONNECT_VERBS or (
        root.head.lower_ in ("to", "with") and root.head.head.lemma_.lower() in lx.CONNECT_VERBS
    ):
        ev.append("Settlement")
    return ev


@lru_cache(maxsize=1)
def _group_words() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {"head": set(), "head-if": set(), "marker": set()}
    path = Path(__file__).resolve().parent / "rules" / "group_names.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, role = line.split("\t")[:2]
            table[role.strip()].add(word.strip())
    return table


def _group_name_evidence(span: Span) -> str | None:
    """``NonStateArmedGroup`` for names such as "Arakan Army" or "Oromo Liberation Front"
    (see ``rules/group_names.tsv``); state forces are composed before this runs."""
    words = [t.lower_ for t in span if t.is_alpha or "-" in t.text]
    if len(words) < 2:
        return None
    table = _group_words()
    if words[-1] in table["head"]:
        return "NonStateArmedGroup"
    if words[-1] in table["head-if"] and any(w in table["marker"] for w in words[:-1]):
        return "NonStateArmedGroup"
    return None


def _after_place_preposition(root: Token) -> bool:
    """``root`` is the object of a place preposition ("in X", "north of X")."""
    if root.dep_ != "pobj":
        return False
    prep = root.head
    if prep.lower_ in lx.PLACE_PREPOSITIONS:
        return True
    if prep.lower_ == "of":
        # "north of X", "10 km south-east of X", "on the outskirts of X"
        head = prep.head.lower_
        return head in lx.COMPASS_WORDS or head in lx.PLACE_PART_NOUNS
    return False


def _enclosing_place(ctx: ArticleContext, span: Span) -> Ref | None:
    """The known region or country right after ``span`` and a comma ("X, Mopti")."""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return None
    ref = ctx.ref_at(doc[span.end + 1])
    if ref is None or ref.start != span.end + 1 or not ref.named:
        return None
    info = ctx.entities.get(ref.key)
    if info is None or info.kind not in ("Region", "Country"):
        return None
    return ref


def _is_acronym(name: str) -> bool:
    return name.isupper() and " " not in name


def _is_calendar(name: str) -> bool:
    words = [w.lower().rstrip(".") for w in name.split()]
    return all(w in lx.MONTH_NAMES or w in lx.WEEKDAYS for w in words)


def extract(ctx: ArticleContext) -> None:
    cands = _candidates(ctx)
    evidence: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, str] = {}
    demonyms: set[str] = set()
    enclosing: dict[str, str] = {}
    for span, label in cands:
        text = span.text.replace("\n", " ")
        adjectival = (
            len(span) == 1
            and _looks_demonym(span[0])
            and (span[0].dep_ in ("amod", "compound") or label in ("", "NORP"))
        )
        if label == "NORP" or adjectival:
            if len(span) == 1 and ctx.kb.country_of_demonym(text) is None:
                demonyms.add(text)
            continue
        if _is_calendar(text):
            continue
        forms.setdefault(text, text)
        evidence[text].extend(_kind_evidence(ctx, span))
        outer = _enclosing_place(ctx, span)
        if outer is not None:
            enclosing.setdefault(text, outer.key)
        if label:
            labels[text][label] += 1
    # names that some demonym of the article extends are countries
    for dem in sorted(demonyms):
        c = _demonym_country(dem, list(forms))
        if c is not None:
            evidence[c].append("Country")
    kinds: dict[str, str] = {}
    for name in sorted(forms):
        ev = Counter(e for e in evidence[name] if e)
        if "Place" in ev and any(k in _SPECIFIC_PLACES for k in ev):
            del ev["Place"]
        if ev:
            kind = sorted(ev.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            lab = labels[name].most_common(1)[0][0] if labels[name] else ""
            kind = _NER_KIND.get(lab, "")
            if kind == "Person" and len(name.split()) < 2:
                kind = ""
            if kind == "Organization" and len(name.split()) < 2 and not name.isupper():
                kind = ""
            if not kind and name.isupper() and 2 <= len(name) <= 6:
                kind = "Organization"  # an acronym the model missed
        if not ev and not _is_acronym(name):
            # no grammar says what it is: the world gazetteer beats the model's label
            # (the small model tags many villages PERSON or ORG), but a person-like name
            # is read as a place only inside a country the article is about
            person_like = labels[name].most_common(1)[0][0] == "PERSON" if labels[name] else False
            countries = ctx.named_countries()
            if (not person_like or countries) and _gazetteer_place(
                ctx, name, countries, enclosing.get(name)
            ) is not None:
                kind = "Place"
        if kind:
            kinds[name] = kind
    # "Charles Michel ... Michel said": a surname alone is the person named in full
    full_names: dict[str, list[str]] = defaultdict(list)
    for name, kind in kinds.items():
        if kind == "Person" and len(name.split()) > 1:
            full_names[name.split()[-1]].append(name)
    for name in list(kinds) + [n for n in forms if n not in kinds]:
        if len(full_names.get(name, [])) == 1:
            kinds[name] = "alias:" + full_names[name][0]
    # acronyms: "CNC" for "Council for Northern Cooperation"
    initials = {
        "".join(w[0] for w in n.split() if w[0].isupper()): n for n in kinds if len(n.split()) > 1
    }
    for name in list(kinds):
        if name.isupper() and name in initials and name != initials[name]:
            kinds[name] = "alias:" + initials[name]
    # demonyms with no country of the article: derive the country's name
    dem_country: dict[str, str] = {}
    for dem in sorted(demonyms):
        c = _demonym_country(dem, [n for n, k in kinds.items() if k == "Country"])
        if c is None:
            base = dem[:-1] if dem.endswith("s") and dem.lower().endswith(("ians", "ans")) else dem
            # "Valdorian" for a "Valdoria" the article names; every real country's
            # demonym is known to the world layer, so an unknown "-an" word whose country
            # the article never names is no country ("Taliban", "Catalan")
            if base.lower().endswith("an") and base[:-1] in forms:
                c = base[:-1]
                kinds.setdefault(c, "Country")
        if c is not None:
            dem_country[dem] = c
    keys: dict[str, str] = {}
    countries = ctx.named_countries()
    for name, kind in sorted(kinds.items()):
        if kind.startswith("alias:"):
            continue
        if kind in _LINKABLE or (not kind and labels[name].get("GPE")):
            place = _gazetteer_place(ctx, name, countries, enclosing.get(name))
            if place is not None:
                keys[name] = place.key
                register_entity(ctx, place.key, place.kind, place.label, surface=name, kb_ent=place)
                continue
        label = name
        if kind in ("Route", "Region") and name.split()[-1].lower() in lx.PLACE_HEADS:
            label = " ".join([*name.split()[:-1], name.split()[-1].lower()])
        key = minted_key(kind, label)
        keys[name] = key
        register_entity(ctx, key, kind, label)
    for name, kind in kinds.items():
        if kind.startswith("alias:") and kind[6:] in keys:
            keys[name] = keys[kind[6:]]
    local_dem = getattr(ctx, "local_demonyms", {})
    for dem, c in sorted(dem_country.items()):
        if c in keys and not dem.endswith("s"):
            local_dem.setdefault(keys[c], dem)
    ctx.local_demonyms = local_dem  # type: ignore[attr-defined]
    for dem, c in dem_country.items():
        if c in keys:
            keys[dem] = keys[c]
            if dem.endswith("s"):
                keys[dem[:-1]] = keys[c]
            else:
                keys[dem + "s"] = keys[c]
    _apply(
        ctx, keys, set(dem_country) | {d + "s" for d in dem_country} | {d[:-1] for d in dem_country}
    )
    _within_links(ctx, keys, enclosing)


def _gazetteer_place(
    ctx: ArticleContext, name: str, countries: set[str], within: str | None
) -> KBEntity | None:
    """The world gazetteer's place for ``name`` in this article's context, if any."""
    resolve = getattr(ctx.kb, "resolve_place", None)
    if resolve is None:
        return None
    place: KBEntity | None = resolve(name, countries=sorted(countries), within=within)
    return place


def _within_links(ctx: ArticleContext, keys: dict[str, str], enclosing: dict[str, str]) -> None:
    """Remember "X, Y" containment for the place-link extractor."""
    pairs = getattr(ctx, "text_within", [])
    for name, outer in sorted(enclosing.items()):
        key = keys.get(name)
        if key is not None and key != outer and ctx.entities[key].is_place:
            pairs.append((key, outer))
    ctx.text_within = pairs  # type: ignore[attr-defined]


def _apply(ctx: ArticleContext, keys: dict[str, str], demonyms: set[str]) -> None:
    """A reference for every occurrence of every typed name, longest names first."""
    doc = ctx.doc
    texts = [t.text for t in ctx.tokens]
    for name in sorted(keys, key=lambda n: (-len(n.split()), n)):
        words = name.split()
        n = len(words)
        first = words[0] if words else None
        for i in range(len(doc) - n + 1):
            # the first word alone first: most positions differ there (same test)
            if (n and texts[i] != first) or texts[i : i + n] != words or ctx.covered(i, i + n):
                continue
            span = doc[i : i + n]
            if ctx.excluded(span.start_char, span.end_char):
                continue
            key = keys[name]
            info = ctx.entities[key]
            how = "demonym" if name in demonyms else "local"
            ctx.add_ref(Ref(key, info.kind, i, i + n, span.root.i, how, span.text))
