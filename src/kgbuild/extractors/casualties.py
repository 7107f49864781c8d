"""casualties.v2: reported figures of killed and injured people, attributed to a source.

A figure is a casualty word, the noun phrase of the victims, and a count read from it.
The frames (word lists in :mod:`kgbuild.nlp.lexicon`, casualty section):

- verbs of :data:`~kgbuild.nlp.lexicon.CASUALTY_VERBS`: the victims are the object of an
  active verb ("killing three civilians"), the subject of a passive one ("four soldiers
  were killed") or of an intransitive one ("30 people died").  A coordinated verb with
  a subject of its own and no object is an elided passive with its own victims ("four
  ... were killed and 11 others wounded", "3 killed"), so each conjunct is a figure of its
  own; coordinated verbs that share one group of victims make one figure of killed or
  injured people ("killed and wounded nine soldiers").
- counted nouns of :data:`~kgbuild.nlp.lexicon.CASUALTY_NOUNS`: "14 fatalities", "the deaths
  of at least two soldiers", "12 bodies were found"; "lost their lives", "claimed the
  lives of 12 people"; running totals ("the death toll rose to 40").
- adjectives of :data:`~kgbuild.nlp.lexicon.CASUALTY_ADJECTIVES` on a count: "five dead",
  "left three people dead", "were shot dead", "7 others injured".
- statements that nobody was hurt: "no casualties were reported", "without casualties",
  "no one was killed", "denied that any soldiers were killed" (count 0, qualifier
  ``none``).

The count comes from digits, number words ("twenty-five", "two hundred"), "a"/"an" = 1,
and vague words as ACLED reads them (:data:`~kgbuild.nlp.lexicon.VAGUE_COUNTS`: "dozens" = 12
at least, "several" = no number); the qualifier from the words before it ("at least",
"up to", "more than", "nearly").  Wished, warned-of and modal figures ("could kill
thousands") are no claim, nor is anything inside a coder's remark ("Fatalities coded as
3", see :func:`~kgbuild.extractors.common.coder_remark_spans`).

Victims: the entity the noun phrase refers to (``ctx.ref_for``: "its soldiers", "three
Thai soldiers"), else the actor of a demonym or possessive modifier ("Malian
civilians"); "others" continues the sentence's previous victims.  The head noun is kept
as the victims' group ("civilians", "police officers", "child"), and their side is the
country (or, for an armed group of no country, the group) the victim entity stands for.
A victim noun with no entity and no modifier keeps only its group.

The source is the speaker of the governing reporting verb, else the previous sentence's
speaker when this sentence continues it with no attribution of its own (news prose keeps
attribution running for one sentence), else the subject of "reported 51 deaths", else
the article.  A claim is linked to the event named in its clause.  Figures repeated in
one article (headline and body) are one claim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Token

from kgbuild.core.model import CasualtyClaim
from kgbuild.extractors.common import hypothetical, in_coder_remark
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.events import event_at
from kgbuild.extractors.statements import statement_governing
from kgbuild.extractors.tree import children, conjuncts, subtree
from kgbuild.kb.knowledge_base import ARMED_KINDS
from kgbuild.nlp import lexicon as lx

NAME = "casualties.v2"

# verbs whose subject suffered the casualties ("X suffered heavy losses")
_SUFFERING = {"suffer", "sustain", "incur", "lose", "take", "report", "record"}
_NUMBER_DEPS = ("nummod", "det", "amod", "quantmod", "compound", "nmod")
# dependency labels under which spaCy hangs the subject of a verbless figure ("3 killed")
_FRAGMENT_SUBJECTS = ("nsubj", "meta", "dep", "npadvmod", "nummod")
_ONE_PERSON_PRONOUNS = {"he", "she", "him", "her", "himself", "herself"}
# "rose to 40", "stands at 112", "reached 50", "is 40", "a toll of 40"
_TOLL_PREPS = {"to", "at", "of"}


@dataclass(frozen=True)
class _Figure:
    """One casualty figure found in the parse, before it becomes a claim."""

    anchor: Token  # the casualty word
    outcome: str
    phrase: Token | None  # head of the victims' phrase, or the number itself
    nobody: bool = False  # a statement that nobody was hurt (count 0)
    among: Token | None = None  # the victims, when the phrase is only a count noun


# --- counts ------------------------------------------------------------------------------------
def _is_number(tok: Token) -> bool:
    low = tok.lower_
    if low in ("a", "an", "no"):
        return False
    if tok.like_num or low in lx.NUMBER_WORDS:
        return True
    parts = low.split("-")
    return len(parts) > 1 and all(p in lx.NUMBER_WORDS for p in parts)


def _value(toks: list[Token]) -> int | None:
    """The integer of a number written in one or more tokens ("1,200", "twenty-five",
    "two hundred", "1.5 million", "a dozen")."""
    total, current = 0, 0.0
    seen = False
    for t in toks:
        for part in t.lower_.split("-") if not t.like_num else [t.lower_]:
            if part in ("", "and"):
                continue
            try:
                num = float(part.replace(",", ""))
            except ValueError:
                num = lx.NUMBER_WORDS.get(part)  # type: ignore[assignment]
                if num is None:
                    return None
                if part in lx.NUMBER_SCALES:
                    scale = num
                    if scale >= 1000:
                        total += int((current or 1) * scale)
                        current = 0
                    else:
                        current = (current or 1) * scale
                    seen = True
                    continue
            current += num
            seen = True
    if not seen:
        return None
    return int(total + current)


def _number_tokens(n: Token) -> list[Token]:
    """The tokens of the number headed by ``n`` ("Twenty - five", "two hundred")."""
    toks = [n]
    for c in children(n):
        if c.dep_ in ("compound", "quantmod", "nummod") and (
            _is_number(c) or c.lower_ in ("a", "an")
        ):
            toks.append(c)
    toks.sort(key=lambda t: t.i)
    return toks


def _qualifier(words: str) -> str:
    low = words.lower()
    for phrase, q in sorted(lx.QUALIFIER_WORDS.items(), key=lambda kv: -len(kv[0])):
        if low.startswith(phrase + " "):
            return q
    return "exact"


def _count_at(n: Token) -> tuple[int | None, str, str] | None:
    """(count, qualifier, words as written) of the number or vague word ``n``."""
    doc = n.doc
    start = n.left_edge.i
    for c in children(n):
        if c.i < n.i:
            start = min(start, c.left_edge.i)
    if doc[start].lower_ in ("the", "these", "those", "its", "their", "his", "her"):
        start += 1
    words = doc[start : n.i + 1].text
    qualifier = _qualifier(words)
    low = n.lower_
    if low in lx.VAGUE_COUNTS and not _is_number(n):
        if low == "number" and not any(c.lower_ in ("a", "an") for c in children(n)):
            return None  # "the number of dead rose": a toll, read elsewhere
        count, q = lx.VAGUE_COUNTS[low]
        return count, q if qualifier == "exact" else qualifier, words
    if low == "dozen":
        toks = _number_tokens(n)
        value = _value([t for t in toks if t.lower_ not in ("a", "an")] or [n])
        return value, qualifier, words
    value = _value(_number_tokens(n))
    if value is None:
        return None
    return value, qualifier, words


def _count(phrase: Token) -> tuple[int | None, str, str] | None:
    """The count of the noun phrase headed by ``phrase`` (the number itself, a number
    or vague word modifying the noun, "a"/"an" on a singular noun)."""
    if _is_number(phrase) or phrase.lower_ in lx.VAGUE_COUNTS or phrase.lower_ == "dozen":
        return _count_at(phrase)
    nums = [
        c
        for c in children(phrase)
        if c.dep_ in _NUMBER_DEPS
        and c.i < phrase.i
        and (_is_number(c) or c.lower_ in lx.VAGUE_COUNTS or c.lower_ == "dozen")
    ]
    if not nums:
        # "Two Nigerien soldiers": the parser may hang the number on a modifier
        nums = [
            t
            for t in subtree(phrase)
            if t.i < phrase.i
            and t.dep_ in ("nummod", "compound")
            and _is_number(t)
            and not _measure(t)
        ]
    if not nums:
        # "around 100 people were injured", with the number hung elsewhere
        prev = _word_before_phrase(phrase)
        if prev is not None and _is_number(prev) and not _measure(prev):
            nums = [prev]
    if nums:
        return _count_at(nums[-1] if nums[-1].head.i == phrase.i else nums[0])
    if phrase.lower_ in _ONE_PERSON_PRONOUNS:
        return 1, "exact", phrase.text  # "he was killed", "killing him"
    article = next(
        (c for c in children(phrase) if c.dep_ == "det" and c.lower_ in ("a", "an")), None
    )
    if article is not None and phrase.tag_ in ("NN", "NNP"):
        return 1, "exact", article.text
    if phrase.tag_ in ("NN", "NNP") and (
        phrase.lemma_.lower() in lx.PERSON_NOUNS or phrase.lower_ in lx.TITLES
    ):
        # "killed the commander of the militia", "the mayor was shot dead": one person
        det = next((c for c in children(phrase) if c.dep_ in ("det", "poss")), None)
        if det is None or det.lower_ in ("the", "its", "their", "his", "her", "this", "that"):
            return 1, "exact", (det.text + " " if det is not None else "") + phrase.text
    return None


def _measure(n: Token) -> bool:
    """ "17-year-old", "5-kilometre": a number inside a hyphenated measure, not a count."""
    doc = n.doc
    return (
        n.i + 2 < len(doc)
        and not n.whitespace_
        and doc[n.i + 1].text == "-"
        and not _is_number(doc[n.i + 2])
    )


def _word_before_phrase(phrase: Token) -> Token | None:
    """The token before the noun phrase's modifiers ("around 100 [Palestinian] people")."""
    i = phrase.i - 1
    doc = phrase.doc
    while i >= 0 and doc[i].head.i == phrase.i and doc[i].dep_ in ("amod", "compound"):
        i -= 1
    if i < 0 or doc[i].head.i == phrase.i or doc[i].sent.start != phrase.sent.start:
        return None
    return doc[i] if doc[i].dep_ in ("conj", "dep", "npadvmod", "appos", "nummod") else None


def _partitive(phrase: Token) -> Token:
    """The victims' noun of a partitive ("three of the troops" -> troops)."""
    low = phrase.lower_
    if _is_number(phrase) or low in lx.VAGUE_COUNTS or low in lx.PARTITIVE_HEADS:
        for c in children(phrase):
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in children(c):
                    if p.dep_ == "pobj":
                        return _partitive(p)
    return phrase


def _nobody(phrase: Token) -> bool:
    """ "no one", "nobody", "none of them", "no soldiers"."""
    low = phrase.lower_
    if low in lx.NOBODY_WORDS:
        return True
    return any(c.dep_ == "det" and c.lower_ == "no" for c in children(phrase))


def _any(phrase: Token) -> bool:
    """ "any soldiers", "any of its soldiers", "anyone"."""
    if phrase.lower_ in ("any", "anyone", "anybody"):
        return True
    return any(c.dep_ == "det" and c.lower_ == "any" for c in children(phrase))


# --- frames ------------------------------------------------------------------------------------
def _verb_outcome(tok: Token) -> str | None:
    if tok.pos_ not in ("VERB", "ADJ") and tok.tag_ not in ("VBN", "VBD", "VBG"):
        return None
    lemma = tok.lemma_.lower()
    outcome = lx.CASUALTY_VERBS.get(lemma)
    if outcome is None and tok.lower_ in ("wounded", "injured", "killed", "hurt"):
        outcome = "killed" if tok.lower_ == "killed" else "injured"
    if outcome is not None and tok.pos_ == "ADJ" and tok.dep_ not in ("acomp", "conj", "ROOT"):
        return None  # "wounded soldiers": an attribute, read by the noun frame
    return outcome


def _has_aux_have(v: Token) -> bool:
    return any(c.dep_ == "aux" and c.lemma_.lower() == "have" for c in children(v))


def _own_victims(v: Token) -> list[Token]:
    """The victims a casualty verb names itself."""
    lemma = v.lemma_.lower()
    out = [c for c in children(v) if c.dep_ in ("nsubjpass", "dobj")]
    if not out and lemma in lx.CASUALTY_INTRANSITIVE:
        out = [c for c in children(v) if c.dep_ == "nsubj"]
    if not out and not _has_aux_have(v) and not any(c.dep_ == "dobj" for c in children(v)):
        # an elided passive: "... and 11 others wounded", "3 killed", "five wounded"
        subj = [c for c in children(v) if c.dep_ in _FRAGMENT_SUBJECTS and c.i < v.i]
        if v.dep_ == "conj" or v.pos_ == "ADJ":
            out = [c for c in subj if c.dep_ == "nsubj" or _is_number(c)]
        else:
            out = [c for c in subj if _is_number(c)]
    if not out and v.dep_ == "acomp":
        out = [c for c in children(v.head) if c.dep_ in ("nsubj", "nsubjpass")]
    if (
        not out
        and v.tag_ == "VBN"
        and v.i > 0
        and not any(c.dep_ in ("aux", "auxpass", "nsubj", "dobj") for c in children(v))
    ):
        # telegraphic style the parser may attach elsewhere ("... in Gao. 3 killed",
        # "Two soldiers killed in attack"): the number phrase right before the verb
        prev = v.doc[v.i - 1]
        if (_is_number(prev) and prev.head.i != v.i) or (prev.pos_ == "NOUN" and any(
            c.dep_ == "nummod" and _is_number(c) for c in children(prev)
        )):
            out = [prev]
    return [w for o in out for w in (o, *_victim_conjuncts(o))]


def _victim_conjuncts(o: Token) -> list[Token]:
    """Coordinated victims ("two soldiers and a civilian"), not coordinated acts or
    things ("killed one soldier and an attempt to seize a hill" is one figure)."""
    out = []
    for w in conjuncts(o):
        lemma = w.lemma_.lower()
        if (
            lemma in lx.EVENT_NOUNS
            or lemma in lx.ATTEMPT_NOUNS
            or lemma in lx.AGREEMENT_NOUNS
            or any(c.dep_ in ("acl", "relcl") and c.tag_ == "VB" for c in children(w))
        ):
            continue
        out.append(w)
    return out


def _to_death(tok: Token) -> bool:
    """ "beat ... to death", "burned to death", "stabbed to death"."""
    return any(
        c.dep_ == "prep"
        and c.lower_ == "to"
        and any(p.dep_ == "pobj" and p.lower_ == "death" for p in children(c))
        for c in children(tok)
    )


def _verb_figures(tok: Token) -> list[_Figure]:
    outcome = _verb_outcome(tok)
    if tok.pos_ == "VERB" and _to_death(tok):
        outcome = "killed"
    if outcome is None:
        return []
    victims = _own_victims(tok)
    # coordinated casualty verbs without victims of their own share this verb's:
    # "killed and wounded nine soldiers", "killing or wounding several people"
    group = [tok, *conjuncts(tok)]
    partners = [
        v for v in group if v is not tok and _verb_outcome(v) is not None and not _own_victims(v)
    ]
    if not victims:
        return []
    if partners and {_verb_outcome(p) for p in partners} - {outcome}:
        outcome = "killed-or-injured"
    return [_Figure(tok, outcome, v) for v in victims]


def _noun_figures(ctx: ArticleContext, tok: Token) -> list[_Figure]:
    """ "14 fatalities", "the deaths of two soldiers", "no casualties", "12 bodies"."""
    if tok.pos_ not in ("NOUN", "PROPN", "ADJ"):
        return []
    lemma = tok.lemma_.lower()
    outcome = lx.CASUALTY_NOUNS.get(lemma) or lx.CASUALTY_NOUNS.get(tok.lower_)
    if outcome is None or (tok.pos_ == "ADJ" and tok.lower_ not in lx.CASUALTY_ADJECTIVES):
        return []
    if tok.pos_ == "ADJ" and tok.dep_ in ("amod", "oprd", "acomp", "conj"):
        return []  # read by the adjective frame
    if lemma == "loss" and any(
        c.dep_ == "prep"
        and c.lower_ == "of"
        and not any(p.lemma_ in lx.LIFE_NOUNS for p in children(c))
        for c in children(tok)
    ):
        return []  # "loss of territory"
    of = [
        p
        for c in children(tok)
        if c.dep_ == "prep" and c.lower_ == "of"
        for p in children(c)
        if p.dep_ == "pobj"
    ]
    if of and of[0].lemma_.lower() in lx.LIFE_NOUNS:
        of = [p for c in of[0].children if c.dep_ == "prep" for p in children(c)] or of
    if _nobody(tok) or _without(tok) is not None:
        return [_Figure(tok, outcome, tok, nobody=True)]
    if _count(tok) is not None:
        among = _among(tok)
        return [_Figure(tok, outcome, tok, among=among)]
    if (
        tok.dep_ == "dobj"
        and tok.head.lemma_.lower() in _SUFFERING
        and not _any(tok)
        and tok.tag_ == "NNS"
    ):
        # "two officers sustained injuries": the subject is the victims, and counted
        subj = next((c for c in children(tok.head) if c.dep_ == "nsubj"), None)
        if subj is not None and _count(subj) is not None:
            return [_Figure(tok, outcome, subj)]
    if of:
        return [_Figure(tok, outcome, of[0])]
    if _any(tok):
        return [_Figure(tok, outcome, tok)]  # "denied any casualties": decided later
    return []


def _without(tok: Token) -> Token | None:
    """The "without" of "without casualties", "without causing any casualties"."""
    t = tok
    for _ in range(3):
        if t.dep_ in ("pobj", "pcomp") and t.head.lower_ == "without":
            return t.head
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def _among(tok: Token) -> Token | None:
    """ "2 fatalities reported among Kyrgyz border guards": whose they were."""
    heads = [tok, *[c for c in children(tok) if c.dep_ in ("acl", "relcl")]]
    if tok.dep_ in ("nsubjpass", "dobj") and tok.head.lemma_.lower() in _SUFFERING:
        heads.append(tok.head)  # "2 fatalities were reported among X"
    for t in heads:
        for c in children(t):
            if c.dep_ == "prep" and c.lower_ in ("among", "amongst"):
                for p in children(c):
                    if p.dep_ == "pobj":
                        return p
    return None


def _life_figures(tok: Token) -> list[_Figure]:
    """ "lost their lives", "claimed the lives of 12 people", "12 lives were lost"."""
    if tok.lemma_.lower() not in lx.LIFE_NOUNS and tok.lower_ not in lx.LIFE_NOUNS:
        return []
    verb = tok.head
    if verb.lemma_.lower() not in lx.LIFE_VERBS:
        return []
    if _count(tok) is not None:
        return [_Figure(tok, "killed", tok)]
    of = [
        p
        for c in children(tok)
        if c.dep_ == "prep" and c.lower_ == "of"
        for p in children(c)
        if p.dep_ == "pobj"
    ]
    if of:
        return [_Figure(tok, "killed", of[0])]
    if verb.lemma_.lower() == "lose" and tok.dep_ == "dobj":
        subj = next((c for c in children(verb) if c.dep_ == "nsubj"), None)
        if subj is not None:
            return [_Figure(tok, "killed", subj)]
    return []


def _toll_figures(tok: Token) -> list[_Figure]:
    """ "the death toll rose to 40", "a death toll of 40", "the toll stands at 112"."""
    if tok.lemma_.lower() not in lx.TOLL_NOUNS:
        return []
    outcome = None
    for c in children(tok):
        if c.dep_ in ("compound", "amod", "nmod"):
            outcome = lx.TOLL_MODIFIERS.get(c.lemma_.lower()) or outcome
    if outcome is None:
        if tok.lemma_.lower() != "toll":
            return []
        outcome = "killed"
    cands: list[Token] = []
    for c in children(tok):
        if c.dep_ == "prep" and c.lower_ == "of":
            cands += [p for p in children(c) if p.dep_ == "pobj"]
    verb = tok.head
    if tok.dep_ in ("nsubj", "nsubjpass") and verb.pos_ in ("VERB", "AUX"):
        for c in children(verb):
            if c.dep_ in ("attr", "dobj") and c.i > tok.i:
                cands.append(c)
            if c.dep_ == "prep" and c.lower_ in _TOLL_PREPS:
                cands += [p for p in children(c) if p.dep_ == "pobj"]
    for c in cands:
        if _is_number(c) or _count(c) is not None:
            return [_Figure(tok, outcome, c)]
    return []


def _adjective_figures(tok: Token) -> list[_Figure]:
    """ "five dead", "left three people dead", "were shot dead", "6 dead after"."""
    low = tok.lower_
    outcome = lx.CASUALTY_ADJECTIVES.get(low)
    if outcome is None:
        return []
    nums = [c for c in children(tok) if c.dep_ in ("nummod", "quantmod") and _is_number(c)]
    if nums:
        return [_Figure(tok, outcome, tok)]  # "five dead", "12 injured"
    if tok.dep_ in ("oprd", "acomp", "xcomp", "ccomp", "advmod") and tok.head.pos_ in (
        "VERB",
        "AUX",
    ):
        v = tok.head
        victims = [c for c in children(v) if c.dep_ in ("dobj", "nsubjpass")]
        if not victims and tok.dep_ == "acomp":
            victims = [c for c in children(v) if c.dep_ == "nsubj"]
        return [_Figure(tok, outcome, w) for o in victims for w in (o, *_victim_conjuncts(o))]
    if tok.dep_ == "amod" and tok.head.pos_ in ("NOUN", "NUM", "PROPN"):
        head = tok.head
        if _is_number(head) or _count(head) is not None:
            return [_Figure(tok, outcome, head)]  # "6 dead", "two dead soldiers"
    return []


# --- victims and sources --------------------------------------------------------------------
def _victim(ctx: ArticleContext, tok: Token) -> str | None:
    """The actor the victims' phrase refers to, or the actor of its demonym or
    possessive modifier ("Malian civilians", "Cambodia's soldiers")."""
    ref = ctx.ref_for(tok)
    if ref is None:
        for c in children(tok):
            if c.dep_ in ("amod", "compound", "poss", "nmod") and ctx.ref_at(c) is not None:
                ref = ctx.ref_at(c)
                break
    ref = ctx.acting(ref)
    if ref is None:
        return None
    info = ctx.entities[ref.key]
    return ref.key if info.is_actor else None


def _is_force(tok: Token) -> bool:
    return tok.lower_ in lx.FORCE_HEADS or tok.lemma_.lower() in lx.FORCE_HEADS


def _named_person(ctx: ArticleContext, tok: Token) -> tuple[int, str, str] | None:
    """One victim when the phrase names a person."""
    ref = ctx.ref_for(tok)
    info = ctx.entities.get(ref.key) if ref is not None else None
    if info is None or info.kind != "Person" or tok.tag_ not in ("NNP", "NN"):
        return None
    return 1, "exact", ref.surface  # type: ignore[union-attr]


def _side(ctx: ArticleContext, victim: str | None) -> str | None:
    """The side the victims belong to: their country, else the victim itself when it is
    an armed actor of no country (an armed group); civilians of no known country have
    no side."""
    if victim is None:
        return None
    country = ctx.country_of(victim)
    if country is not None:
        return country
    info = ctx.entities.get(victim)
    return victim if info is not None and info.kind in ARMED_KINDS else None


def _group(tok: Token) -> str | None:
    """The victims' noun as written, with its compounds ("police officers", "civilians");
    None for a bare number, a pronoun or "others"."""
    if tok.pos_ not in ("NOUN", "PROPN") or _is_number(tok):
        return None
    low = tok.lower_
    if low in ("others", "other", "one", "none", "any", "anyone", "nobody", "some", "many"):
        return None
    if low in lx.VAGUE_COUNTS or low in lx.PARTITIVE_HEADS:
        return None
    if tok.lemma_.lower() in lx.CASUALTY_NOUNS or tok.lemma_.lower() in lx.TOLL_NOUNS:
        return None
    if tok.lemma_.lower() in lx.LIFE_NOUNS:
        return None
    if tok.ent_type_ or tok.pos_ == "PROPN":
        return None  # a name, not a group
    doc = tok.doc
    start = tok.i
    while start > 0 and doc[start - 1].dep_ == "compound" and start <= doc[start - 1].head.i:
        start -= 1
    return doc[start : tok.i + 1].text.lower()


def _source(ctx: ArticleContext, tok: Token) -> tuple[str | None, str | None]:
    st = statement_governing(ctx, tok)
    if st is not None:
        return st.speaker, st.key
    # continuing attribution: the previous sentence was one reported statement
    sents, idx = ctx.sents, ctx.sent_number(tok.i)
    if ctx.in_headline(tok):
        return None, None
    from kgbuild.extractors.statements import _stance

    if any(_stance(t) is not None for t in ctx.sent_tokens(tok)):
        return None, None  # the sentence has its own attribution, even if unread
    if idx > 0:
        prev = sents[idx - 1]
        sts = [s for s in ctx.out.statements if prev.start_char <= s.evidence.begin < prev.end_char]
        if (
            len(sts) == 1
            and not ctx.in_headline(prev[0])
            and sts[0].stance in ("Claim", "Confirmation")
        ):
            return sts[0].speaker, sts[0].key
    return None, None


def _negated(tok: Token) -> bool:
    """The casualty word's own clause is negated ("were not killed", "did not suffer")."""
    t = tok
    for _ in range(3):
        if any(c.dep_ == "neg" for c in children(t)):
            return True
        if t.pos_ in ("VERB", "AUX") or t.head.i == t.i:
            return False
        t = t.head
    return False


def _has_own_agent(anchor: Token, phrase: Token) -> bool:
    """The figure's clause names who did it ("Gunmen shot dead the mayor"): an act of
    its own, not the casualties of the act told before."""
    v = anchor if anchor.pos_ in ("VERB", "AUX") else anchor.head
    if v.pos_ not in ("VERB", "AUX"):
        return False
    for c in children(v):
        if c.dep_ == "nsubj" and c.i != phrase.i and c.lemma_.lower() not in lx.TOLL_NOUNS:
            return True
        if c.dep_ == "agent":
            return True
    return False


def _previous_event(ctx: ArticleContext, anchor: Token) -> str | None:
    """The one event told in the sentence before a figure whose own sentence tells none
    ("Militants attacked a police post. 3 killed.")."""
    sent = ctx.sent(anchor)
    if sent.start == 0:
        return None
    prev = ctx.sent(ctx.doc[sent.start - 1])
    if ctx.in_headline(prev[0]):
        return None
    found = {k for t in prev if (k := event_at(ctx, t))}
    return found.pop() if len(found) == 1 else None


#: Words a frame starts from (a token with neither form among them: only a verb "to death")
_FRAME_WORDS = frozenset((*lx.CASUALTY_VERBS, *lx.CASUALTY_ADJECTIVES, *lx.CASUALTY_NOUNS,
                          *lx.LIFE_NOUNS, *lx.TOLL_NOUNS, "wounded", "injured", "killed", "hurt"))


def _figures(ctx: ArticleContext, tok: Token) -> list[_Figure]:
    if ctx.lowers[tok.i] not in _FRAME_WORDS and ctx.lemmas[tok.i] not in _FRAME_WORDS:
        return _verb_figures(tok) if ctx.pos_names[tok.i] == "VERB" else []  # only "to death"
    out = _verb_figures(tok)
    if not out:
        out = _adjective_figures(tok)
    if not out:
        out = _noun_figures(ctx, tok)
    if not out:
        out = _life_figures(tok)
    if not out:
        out = _toll_figures(tok)
    return out


def extract(ctx: ArticleContext) -> None:
    claims: list[CasualtyClaim] = []
    last: dict[int, tuple[str | None, str | None]] = {}  # sentence -> (victim, group)
    taken: set[int] = set()  # victims' phrases already counted (one figure each)
    for tok in ctx.tokens:
        figures = _figures(ctx, tok)
        if not figures or in_coder_remark(tok):
            continue
        for fig in figures:
            anchor, phrase = fig.anchor, fig.phrase
            if phrase is None or (phrase.i in taken and phrase.i != anchor.i):
                continue
            noun = _partitive(phrase)
            counted: tuple[int | None, str, str] | None
            if fig.nobody or _nobody(phrase):
                without = _without(phrase)
                word = next(
                    (c.text for c in children(phrase) if c.dep_ == "det" and c.lower_ == "no"),
                    phrase.text
                    if phrase.lower_ in lx.NOBODY_WORDS
                    else (without.text if without is not None else anchor.head.text),
                )
                counted = (0, "none", word)
            elif _any(phrase):
                # "denied that any of its soldiers were killed", "did not suffer any"
                st = statement_governing(ctx, anchor)
                if not ((st is not None and st.stance == "Denial") or _negated(anchor)):
                    continue
                det = next((c for c in children(phrase) if c.lower_ == "any"), phrase)
                counted = (0, "none", det.text)
            else:
                counted = _count(phrase)
                if counted is None and noun is not phrase:
                    counted = _count(noun)
                if counted is None:
                    counted = _named_person(ctx, noun)  # "killing student Abu Sayed"
                if counted is None:
                    continue
                if _negated(anchor) or hypothetical(anchor):
                    continue  # "were not killed", "could kill thousands"
            taken.add(phrase.i)
            victim_tok = fig.among if fig.among is not None else noun
            victim = _victim(ctx, victim_tok)
            group = _group(victim_tok)
            if (
                victim is None
                and anchor.pos_ in ("NOUN", "PROPN")
                and anchor.head.pos_ == "VERB"
                and anchor.head.lemma_.lower() in _SUFFERING
            ):
                # "the Malian side suffered any casualties": the subject suffered them
                subj = next((c for c in children(anchor.head) if c.dep_ == "nsubj"), None)
                if subj is not None and anchor.head.lemma_.lower() not in ("report", "record"):
                    victim = _victim(ctx, subj)
            sent_key = ctx.sent(anchor).start
            if victim_tok.lower_ in ("others", "other") or (
                victim is None and group is None and noun is phrase and _is_number(phrase)
                and anchor.dep_ == "conj"
            ):
                # "... and 11 others wounded": the same side as the sentence's last figure
                prev_victim, prev_group = last.get(sent_key, (None, None))
                victim = victim or prev_victim
                group = group or prev_group
            if victim is not None or group is not None:
                last[sent_key] = (victim, group)
            count, qualifier, words = counted
            source, st_key = _source(ctx, anchor)
            if source is None and anchor.head.lemma_.lower() in lx.REPORTING_VERBS:
                # "the ministry reported 51 deaths": a report without a clause
                subj = next((c for c in children(anchor.head) if c.dep_ == "nsubj"), None)
                ref = ctx.acting(ctx.ref_for(subj)) if subj is not None else None
                if ref is not None:
                    source = ref.key
            ev = ctx.span_evidence(ctx.sent(anchor), NAME)
            if ctx.excluded(ev.begin, ev.end):
                continue
            about = event_at(ctx, anchor)
            if about is None and anchor.dep_ in ("relcl", "acl"):
                # "an attack that killed one soldier": the casualties of that attack
                about = event_at(ctx, anchor.head)
                ev_rec = next((e for e in ctx.out.events if e.key == about), None)
                if (
                    victim is None
                    and ev_rec is not None
                    and ev_rec.targets
                    and noun.lemma_.lower() in lx.FORCE_HEADS
                ):
                    victim = ev_rec.targets[0]  # unnamed victims are on the attacked side
            if about is None:
                for t in ctx.sent(anchor):
                    about = event_at(ctx, t)
                    if about:
                        break
            if about is None and not _has_own_agent(anchor, phrase):
                about = _previous_event(ctx, anchor)
            if victim is None and about is not None and _is_force(victim_tok):
                # "... attacked Malian positions, killing three soldiers": unnamed forces
                # among the victims are on the attacked side
                ev_rec = next((e for e in ctx.out.events if e.key == about), None)
                for t in ev_rec.targets if ev_rec is not None else ():
                    info = ctx.entities.get(t)
                    if info is not None and info.is_actor and (
                        info.kind in ARMED_KINDS or info.kind == "Country"
                    ):
                        victim = t
                        break
            claims.append(
                CasualtyClaim(
                    key=ctx.next_id("c"),
                    evidence=ev,
                    source=source,
                    victim=victim,
                    outcome=fig.outcome,
                    count=count,
                    count_text=words,
                    qualifier=qualifier,
                    about=about,
                    statement=st_key,
                    victim_group=group,
                    victim_side=_side(ctx, victim),
                )
            )
    ctx.out.claims.extend(_dedupe(ctx, claims))


def _dedupe(ctx: ArticleContext, claims: list[CasualtyClaim]) -> list[CasualtyClaim]:
    """One claim per figure repeated in the article (headline and body): the same side,
    outcome, count and qualifier, and no disagreement on the victims' group or the
    event.  A named source wins over the article's own voice; two named sources keep
    two claims."""
    out: list[CasualtyClaim] = []
    extra: dict[str, list] = getattr(ctx, "extra_evidence", {})

    def same(a: CasualtyClaim, b: CasualtyClaim) -> bool:
        return (
            (a.victim_side, a.outcome, a.count, a.qualifier)
            == (b.victim_side, b.outcome, b.count, b.qualifier)
            and (a.victim_group is None or b.victim_group is None
                 or a.victim_group == b.victim_group)
            and (a.about is None or b.about is None or a.about == b.about)
            and (a.source is None or b.source is None or a.source == b.source)
        )

    for c in claims:
        i = next((i for i, p in enumerate(out) if same(p, c)), None)
        if i is None:
            out.append(c)
            continue
        prev = out[i]
        keep, drop = (c, prev) if prev.source is None and c.source is not None else (prev, c)
        keep = replace(
            keep,
            victim_group=keep.victim_group or drop.victim_group,
            about=keep.about or drop.about,
        )
        out[i] = keep
        extra.setdefault(keep.key, []).append(drop.evidence)
    ctx.extra_evidence = extra  # type: ignore[attr-defined]
    return out
