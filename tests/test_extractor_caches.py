"""The extractors' per-article caches answer exactly as spaCy does.

The extractors read each Doc's sentences, entities and parse-tree navigation once per
article (:class:`kgbuild.extractors.context.ArticleContext`, :mod:`kgbuild.extractors.tree`)
and build the knowledge base's name index without tokenising plain names; these tests
compare every cached answer with spaCy's own on parsed text, so the graph cannot change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kgbuild.core.model import Article, Extraction
from kgbuild.extractors import entities, tree
from kgbuild.extractors.context import ArticleContext
from kgbuild.kb.knowledge_base import load_kb

TEXT = (
    "Update\n\n"
    "Nigerian troops and police clashed with Boko Haram fighters near Maiduguri on Monday, "
    "killing 12 militants, the army said. The group, which has attacked villages in Borno "
    "State, did not comment.\n\n"
    "On 3 March 2021, Chad's defense ministry and the African Union's mission, known as "
    "AMISOM, announced that the ceasefire signed in Doha had collapsed. Residents of the "
    "village of Gubio fled; \"we cannot stay,\" one said.\n"
)


@pytest.fixture(scope="module")
def nlp() -> Any:
    """The shipped spaCy pipeline."""
    from kgbuild.nlp.spacy_pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="module")
def ctx(nlp: Any) -> ArticleContext:
    """The context of one parsed article."""
    article = Article(id="a.txt", text=TEXT, title="Update", title_span=(0, 6))
    return ArticleContext(article, nlp(TEXT), load_kb(), Extraction(article))


def _texts(tokens: Any) -> list[tuple[int, str]]:
    return [(t.i, t.text) for t in tokens]


def test_sentences_and_entities_match_spacy(ctx: ArticleContext) -> None:
    doc = ctx.doc
    assert [(s.start, s.end) for s in ctx.sents] == [(s.start, s.end) for s in doc.sents]
    assert [(e.start, e.end, e.label_) for e in ctx.ents] == [
        (e.start, e.end, e.label_) for e in doc.ents
    ]
    assert ctx.ents, "the text has named entities"
    for tok in doc:
        sent = tok.sent
        assert (ctx.sent(tok).start, ctx.sent(tok).end) == (sent.start, sent.end)
        assert ctx.sents[ctx.sent_number(tok.i)].start == sent.start
        assert ctx.sent_tokens(tok) == list(sent)
    for sent in doc.sents:
        assert [(e.start, e.end) for e in ctx.ents_in(sent)] == [
            (e.start, e.end) for e in sent.ents
        ]
    # a span across sentence ends: spaCy stops at the first entity running past its end
    span = doc[5:40]
    assert [(e.start, e.end) for e in ctx.ents_in(span)] == [(e.start, e.end) for e in span.ents]


def test_tree_navigation_matches_spacy(ctx: ArticleContext) -> None:
    doc = ctx.doc
    with tree.reading(doc) as current:
        for tok in doc:
            assert _texts(tree.children(tok)) == _texts(tok.children)
            assert _texts(tree.subtree(tok)) == _texts(tok.subtree)
            assert _texts(tree.conjuncts(tok)) == _texts(tok.conjuncts)
            assert _texts(tree.ancestors(tok)) == _texts(tok.ancestors)
        # asked again: the same cached tuple
        first = doc[3]
        assert tree.children(first) is tree.children(first)
        assert current.children[first.i] is not None
    # the block is over: nothing kept, answers come from spaCy again
    assert tree._CURRENT.get() is None
    assert _texts(tree.children(doc[3])) == _texts(doc[3].children)


COORDINATED = (
    "Soldiers, police officers and militia fighters attacked, looted and burned the "
    "market, the mosque and two schools in Gao and Timbuktu, which the rebels, who had "
    "fled north, had held since May. Who did they say they saw? Nobody, the mayor said."
)


def test_tree_navigation_matches_spacy_on_coordination(nlp: Any) -> None:
    doc = nlp(COORDINATED)
    with tree.reading(doc):
        for tok in doc:
            for relation in ("children", "subtree", "conjuncts", "ancestors"):
                mine = getattr(tree, relation)(tok)
                assert _texts(mine) == _texts(getattr(tok, relation)), (relation, tok.i)
    assert any(tok.conjuncts for tok in doc), "the text has coordinated tokens"


def test_tokens_are_shared_while_reading(ctx: ArticleContext) -> None:
    doc = ctx.doc
    outside = tree.tokens_of(doc)
    assert _texts(outside) == _texts(doc)
    assert tree.tokens_of(doc) is not outside  # no cache outside a reading block
    fresh = ArticleContext(ctx.article, doc, ctx.kb, Extraction(ctx.article))
    with tree.reading(doc) as current:
        shared = fresh.tokens
        assert _texts(shared) == _texts(doc)
        assert shared is tree.tokens_of(doc) is current.token_list()
        # the navigation answers with the same Token objects
        for tok in shared:
            for kid in tree.children(tok):
                assert kid is shared[kid.i]
            for t in tree.subtree(tok):
                assert t is shared[t.i]


def test_tree_ignores_tokens_of_another_doc(nlp: Any, ctx: ArticleContext) -> None:
    other = nlp("Rebels attacked the town and burned houses.")
    with tree.reading(ctx.doc):
        for tok in other:
            assert _texts(tree.children(tok)) == _texts(tok.children)
            assert _texts(tree.subtree(tok)) == _texts(tok.subtree)


def test_reading_resets_after_an_error(ctx: ArticleContext) -> None:
    with pytest.raises(RuntimeError), tree.reading(ctx.doc):
        raise RuntimeError("an extractor failed")
    assert tree._CURRENT.get() is None


def _kb_names() -> Iterator[str]:
    kb = load_kb()
    for ent in kb.entities.values():
        yield ent.label
        yield from ent.alt_labels
    for key in set(kb.demonyms.values()):
        yield from kb.entities[key].demonyms


def test_name_words_match_the_tokenizer(nlp: Any) -> None:
    words_of = entities._tokenizer_for(nlp.vocab)
    tricky = ["cannot", "Cannot", "gonna", "U.S.", "al-Shabaab", "Côte d'Ivoire",
              "two  spaces", " leading", "M23", "İstanbul", "Ansar al-Din", "Dont"]
    for name in sorted(set(_kb_names())) + tricky:
        doc = nlp.make_doc(name)
        expected = (tuple(t.text for t in doc), tuple(t.lower_ for t in doc))
        assert words_of(name) == expected, name


def test_name_scan_matches_every_span(ctx: ArticleContext) -> None:
    index = entities._matcher(ctx)
    lower = [t.lower_ for t in ctx.tokens]
    found = index(ctx.tokens)
    assert found, "the text names KB entities"
    assert index(ctx.tokens, ctx.lowers) == found  # with the article's lower-cased words
    # every span tried against the index, without the prefix shortcut
    expected = []
    for i, word in enumerate(lower):
        for n in range(1, min(index.from_first.get(word, 0), len(lower) - i) + 1):
            expected += [(key, i, i + n) for key in index.names.get(tuple(lower[i : i + n]), ())]
        if ctx.tokens[i].is_upper:
            expected += [(key, i, i + 1) for key in index.exact.get((ctx.tokens[i].text,), ())]
    assert found == expected


def test_forms_cache_matches_the_uncached_forms(ctx: ArticleContext) -> None:
    from kgbuild.extractors import event_vocabulary

    doc = ctx.doc
    uncached = [event_vocabulary._word_forms(t.lemma_, t.lower_) for t in doc]
    with tree.reading(doc) as current:
        assert [event_vocabulary._forms(t) for t in doc] == uncached
        assert [event_vocabulary._forms(t) for t in ctx.tokens] == uncached
        assert all(f is not None for f in current.forms)
    assert [event_vocabulary._forms(t) for t in doc] == uncached


def test_cached_normalize_time_matches_the_function() -> None:
    from datetime import date

    from kgbuild.nlp.timex import normalize_time

    uncached = normalize_time.__wrapped__  # the function under its cache
    texts = ["early on Wednesday morning", "in November 2020", "August 3", "yesterday",
             "last night", "3 March 2021", "the evening", "2019-02-30", "44-day-long", ""]
    for published in (None, date(2022, 8, 4), date(2021, 1, 1)):
        for text in texts * 2:  # the second round answers from the cache
            assert normalize_time(text, published) == uncached(text, published)


def test_token_arrays_match_the_token_attributes(nlp: Any, ctx: ArticleContext) -> None:
    for context in (ctx, ArticleContext(ctx.article, nlp(COORDINATED), ctx.kb,
                                        Extraction(ctx.article))):
        doc = context.doc
        assert context.pos_names == [t.pos_ for t in doc]
        assert context.lowers == [t.lower_ for t in doc]
        assert context.lemmas == [t.lemma_.lower() for t in doc]
        assert context.pos_names is context.pos_names  # made once
    assert {"NOUN", "PROPN", "VERB", "PUNCT"} <= set(ctx.pos_names)
    empty = nlp("")
    blank = ArticleContext(ctx.article, empty, ctx.kb, Extraction(ctx.article))
    assert blank.pos_names == blank.lowers == blank.lemmas == []


def test_doc_text_matches_spacy(nlp: Any, ctx: ArticleContext) -> None:
    for doc in (ctx.doc, nlp(COORDINATED), nlp(""), nlp("  two  spaces\n\nand a tab\tend ")):
        assert tree.doc_text(doc) == doc.text  # outside a reading block: spaCy's
        with tree.reading(doc) as current:
            assert tree.doc_text(doc) == doc.text
            assert current.text == doc.text
            assert tree.doc_text(doc) is current.text  # made once


def test_surface_matches_the_span_text(nlp: Any, ctx: ArticleContext) -> None:
    for doc in (ctx.doc, nlp(COORDINATED)):
        spans = [doc[i:j] for i in range(len(doc)) for j in range(i, min(len(doc), i + 6) + 1)]
        expected = [entities._strip_det(s).text.replace("\n", " ").strip() for s in spans]
        assert [entities._surface(s) for s in spans] == expected
        with tree.reading(doc):
            assert [entities._surface(s) for s in spans] == expected
