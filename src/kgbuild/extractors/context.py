"""The per-article context every extractor reads: the Doc, the knowledge base, and the
entity references found so far (names, compositional phrases, anaphors).

Extractors run in a fixed order (see :mod:`kgbuild.extractors`); the entity
extractor fills :attr:`ArticleContext.refs`, later ones read them through
:meth:`ArticleContext.ref_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from spacy.parts_of_speech import NAMES as _SPACY_POS_NAMES
from spacy.tokens import Doc, Span, Token

from kgbuild.core.model import Article, Evidence, Extraction
from kgbuild.extractors.tree import children, conjuncts, tokens_of
from kgbuild.kb.knowledge_base import KnowledgeBase

__all__ = ["ArticleContext", "EntityInfo", "Ref"]

#: POS id -> ``Token.pos_`` (spaCy's table, keyed by plain ints for a faster lookup)
POS_NAMES: dict[int, str] = {int(k): v for k, v in _SPACY_POS_NAMES.items()}


@dataclass
class Ref:
    """A reference to an entity from tokens ``[start, end)`` of the Doc."""

    key: str
    kind: str
    start: int
    end: int
    head: int
    how: str  # "kb" | "compose" | "pattern" | "ner" | "demonym" | "pronoun" | "anaphor"
    surface: str

    @property
    def named(self) -> bool:
        """True for references that name the entity (not pronouns or anaphors)."""
        return self.how not in ("pronoun", "anaphor")


@dataclass
class EntityInfo:
    """What the article says about one entity (merged later across articles)."""

    key: str
    kind: str
    label: str
    alt_labels: set[str] = field(default_factory=set)
    country: str | None = None
    is_actor: bool = True
    is_place: bool = False


@dataclass
class ArticleContext:
    """Shared state of the extractors for one article."""

    article: Article
    doc: Doc
    kb: KnowledgeBase
    out: Extraction
    refs: list[Ref] = field(default_factory=list)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    # token index -> refs covering it, innermost last
    _cover: dict[int, list[Ref]] = field(default_factory=dict)
    _head: dict[int, Ref] = field(default_factory=dict)
    counter: int = 0

    @cached_property
    def tokens(self) -> list[Token]:
        """The Doc's tokens as one list, made once: iterating a Doc creates new Token
        objects on every pass, and the extractors pass over it many times.  While the
        extractors run, it is the parse tree's list (the same Token objects)."""
        return tokens_of(self.doc)

    @cached_property
    def pos_names(self) -> list[str]:
        """``tok.pos_`` of every token, read once from the Doc's POS array (the same names
        :attr:`spacy.tokens.Token.pos_` gives): the whole-document loops filter on it."""
        pos = self.doc.to_array("POS").tolist() if len(self.doc) else []
        return [POS_NAMES[p] for p in pos]

    @cached_property
    def lowers(self) -> list[str]:
        """``tok.lower_`` of every token, made once."""
        return [t.lower_ for t in self.tokens]

    @cached_property
    def lemmas(self) -> list[str]:
        """``tok.lemma_.lower()`` of every token, made once."""
        return [t.lemma_.lower() for t in self.tokens]

    @cached_property
    def _sentences(self) -> tuple[list[Span], list[int]]:
        """The sentences and, per token, the number of its sentence, made once."""
        sents = list(self.doc.sents)
        of_token = [0] * len(self.doc)
        for n, s in enumerate(sents):
            of_token[s.start : s.end] = [n] * (s.end - s.start)
        return sents, of_token

    @property
    def sents(self) -> list[Span]:
        """``list(doc.sents)``, made once: every pass over ``doc.sents`` scans the Doc and
        makes new Spans (and each ``Token.sent`` scans its annotation first)."""
        return self._sentences[0]

    def sent(self, tok: Token) -> Span:
        """``tok.sent``, each sentence made once: spaCy scans the Doc for a sentence's
        ends on every call, and the extractors ask for it of every candidate."""
        return self.sent_at(tok.i)

    def sent_tokens(self, tok: Token) -> list[Token]:
        """The tokens of ``tok``'s sentence (a new list of the cached Tokens)."""
        sent = self.sent(tok)
        return self.tokens[sent.start : sent.end]

    def sent_at(self, i: int) -> Span:
        """The sentence of token ``i`` (the Span :meth:`sent` gives)."""
        sents, of_token = self._sentences
        return sents[of_token[i]]

    def sent_number(self, i: int) -> int:
        """The position of token ``i``'s sentence in :attr:`sents`."""
        return self._sentences[1][i]

    @cached_property
    def ents(self) -> tuple[Span, ...]:
        """``doc.ents``, made once: spaCy rebuilds the tuple and its Spans on every read."""
        return tuple(self.doc.ents)

    def ents_in(self, span: Span) -> list[Span]:
        """``span.ents`` (the entities wholly inside ``span``) from the cached
        :attr:`ents`, with spaCy's rule: the scan stops at the first entity that starts
        inside the span and ends after it."""
        out: list[Span] = []
        start, end = span.start, span.end
        for ent in self.ents:
            if ent.start >= start:
                if ent.end <= end:
                    out.append(ent)
                else:
                    break
        return out

    # --- evidence -----------------------------------------------------------------------
    def evidence(self, begin: int, end: int, extractor: str) -> Evidence:
        """Evidence for characters ``[begin, end)`` of the article text (trimmed)."""
        text = self.article.text
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        return Evidence(self.article.id, begin, end, text[begin:end], extractor)

    def span_evidence(self, span: Span, extractor: str) -> Evidence:
        return self.evidence(span.start_char, span.end_char, extractor)

    def excluded(self, begin: int, end: int) -> bool:
        """True when ``[begin, end)`` overlaps page furniture (credits and the like)."""
        for b, e in getattr(self.article, "excluded", ()) or ():
            if begin < e and b < end:
                return True
        for b, e in self.doc.user_data.get("kgbuild.datelines", ()):
            if b <= begin and end <= e:
                return True
        return False

    def in_headline(self, tok: Token) -> bool:
        b, e = self.article.title_span
        return b <= tok.idx < e

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- references -----------------------------------------------------------------------
    def add_ref(self, ref: Ref) -> None:
        self.refs.append(ref)
        for i in range(ref.start, ref.end):
            self._cover.setdefault(i, []).append(ref)
        self._head[ref.head] = ref

    def covered(self, start: int, end: int) -> bool:
        """True when a reference covers one of tokens ``[start, end)``."""
        # asked of nearly every token: a set operation in C, not any() over a generator
        return not self._cover.keys().isdisjoint(range(start, end))

    def ref_at(self, tok: Token) -> Ref | None:
        """The reference headed by ``tok``, else the outermost one covering it."""
        ref = self._head.get(tok.i)  # a Ref or None (one lookup, not two)
        if ref is not None:
            return ref
        refs = self._cover.get(tok.i)
        if refs:
            return max(refs, key=lambda r: r.end - r.start)
        return None

    def ref_for(self, tok: Token, *, depth: int = 0) -> Ref | None:
        """The entity a noun phrase headed by ``tok`` refers to.

        Looks at the token itself, then partitive and membership phrases
        ("three of the troops", "members of X"), then compounds and modifiers.
        """
        if depth > 4:
            return None
        ref = self.ref_at(tok)
        if ref is not None:
            return ref
        for child in children(tok):
            if child.dep_ == "prep" and child.lower_ == "of":
                for pobj in children(child):
                    if pobj.dep_ == "pobj":
                        inner = self.ref_for(pobj, depth=depth + 1)
                        if inner is not None:
                            return inner
        for child in children(tok):
            if child.dep_ in ("compound", "amod", "poss", "nmod") and child.i in self._head:
                return self._head[child.i]
        # "the opposition, Citizens Coalition for Change", "the paramilitary Rapid Support
        # Forces" (parsed as an apposition): a common noun names what its apposition names
        if tok.pos_ in ("NOUN", "ADJ"):
            for child in children(tok):
                if child.dep_ == "appos":
                    inner = self.ref_for(child, depth=depth + 1)
                    if inner is not None:
                        return inner
        return None

    def refs_in(self, start: int, end: int) -> list[Ref]:
        """References starting within tokens ``[start, end)``, outermost only."""
        out: list[Ref] = []
        # those in range first, then sorted: the same order (the sort is stable)
        inside = [r for r in self.refs if start <= r.start and r.end <= end]
        for r in sorted(inside, key=lambda r: (r.start, -(r.end - r.start))):
            if not any(o.start <= r.start and r.end <= o.end and o is not r for o in out):
                out.append(r)
        return out

    def group_refs(self, tok: Token) -> list[Ref]:
        """The references of a head that names several owners' bodies at once
        ("Thai and Cambodian forces", "forces of A and B"), else []."""
        return [r for r in getattr(self, "_group", {}).get(tok.i, []) if r is not None]

    def conjuncts_refs(self, tok: Token) -> list[Ref]:
        """The entity of ``tok`` and of its coordinated phrases ("A and B")."""
        out: list[Ref] = []
        for t in (tok, *conjuncts(tok)):
            # "Thai and Cambodian forces", "forces of A and B": one head, one
            # composed reference per owner (see the entity extractor's groups)
            for ref in self.group_refs(t) or [self.ref_for(t)]:
                if ref is not None and ref not in out:
                    out.append(ref)
        return out

    def info(self, key: str) -> EntityInfo | None:
        return self.entities.get(key)

    def country_of(self, key: str) -> str | None:
        info = self.entities.get(key)
        if info is None:
            return None
        if info.kind == "Country":
            return key
        return info.country

    def acting(self, ref: Ref | None) -> Ref | None:
        """The actor a reference stands for when it acts, speaks or is addressed: itself,
        or for a city ("Niamey denies", "accused Bamako") the country the knowledge base
        puts it in (metonymy: the seat of government speaks for it)."""
        if ref is None:
            return None
        info = self.entities.get(ref.key)
        if info is None:
            return None
        if info.is_actor:
            return ref
        if info.kind != "Settlement":
            return None
        kb_ent = self.kb.entities.get(ref.key)
        for outer in kb_ent.within if kb_ent else []:
            outer_ent = self.kb.entities.get(outer)
            if outer_ent is not None and outer_ent.kind == "Country":
                if outer not in self.entities:
                    self.entities[outer] = EntityInfo(
                        outer, "Country", outer_ent.label, is_actor=True, is_place=True
                    )
                return Ref(outer, "Country", ref.start, ref.end, ref.head, "anaphor", ref.surface)
        return None

    def named_countries(self) -> set[str]:
        """The countries the article names so far, or implies by the places it names
        (a town of the world gazetteer or a region carries its country)."""
        out: set[str] = set()
        for r in self.refs:
            info = self.entities.get(r.key)
            if info is None or not r.named:
                continue
            if info.kind == "Country":
                out.add(r.key)
            elif info.is_place and info.country:
                out.add(info.country)
        return out

    def side_of(self, key: str | None) -> str | None:
        """The country an actor stands for, or the actor itself when it has none."""
        if key is None:
            return None
        return self.country_of(key) or key
