"""Entity keys and records, shared by the passes of ``entities.v1`` (names, local names,
actors): a known entity keeps its knowledge-base key, a new one gets a minted key made
from its kind and label, and each is registered once per article.
"""

from __future__ import annotations

from functools import lru_cache

from kgbuild.core.names import match_key as _match_key
from kgbuild.core.names import slugify
from kgbuild.extractors.context import ArticleContext, EntityInfo
from kgbuild.kb.knowledge_base import PLACE_KINDS, KBEntity

__all__ = ["ascii_name", "composed_entity", "minted_key", "register_entity"]

#: :func:`kgbuild.core.names.match_key`, cached: an entity's names and labels come back
#: at each of its mentions, in every article
match_key = lru_cache(maxsize=1 << 16)(_match_key)


def register_entity(
    ctx: ArticleContext,
    key: str,
    kind: str,
    label: str,
    *,
    surface: str = "",
    country: str | None = None,
    kb_ent: KBEntity | None = None,
) -> None:
    """Record the entity ``key`` of this article once; later names add alternative labels."""
    info = ctx.entities.get(key)
    if info is None:
        if _named_as_written(kb_ent):
            # GeoNames and ISO names carry diacritics the press does not write
            # ("Tillabéri", "Ménaka"): the node's label is the name in plain Latin letters,
            # the same in every article; the name as written and the gazetteer's name
            # stay alternative labels
            label = ascii_name(label)
        info = EntityInfo(
            key=key,
            kind=kind,
            label=label,
            country=country,
            is_actor=kind == "Country" or kind not in PLACE_KINDS,
            is_place=kind in PLACE_KINDS,
        )
        if kb_ent is not None:
            info.country = kb_ent.country
        ctx.entities[key] = info
    if surface and match_key(surface) != match_key(info.label):
        info.alt_labels.add(surface)
    if kb_ent is not None and match_key(kb_ent.label) != match_key(info.label):
        info.alt_labels.add(kb_ent.label)


def ascii_name(name: str) -> str:
    """``name`` without diacritics or modifier letters ("Khān Yūnis" -> "Khan Yunis").

    >>> ascii_name("Tillabéri"), ascii_name("Ṣaʿdah")
    ('Tillaberi', "Sa'dah")
    """
    from kgbuild.kb.world_names import ascii_fold

    return ascii_fold(name.translate(_MODIFIER_LETTERS))


_MODIFIER_LETTERS = str.maketrans({"ʿ": "'", "ʾ": "'", "’": "'", "‘": "'", "ʼ": "'"})


def _named_as_written(kb_ent: KBEntity | None) -> bool:
    """Places of the world layer below country level: their packaged names are not
    the English names of news reports."""
    return (
        kb_ent is not None
        and getattr(kb_ent, "origin", "kb") == "world"
        and kb_ent.kind != "Country"
    )


def composed_entity(ctx: ArticleContext, kind: str, label: str) -> tuple[str, str, str]:
    """(key, kind, label) of a composed name ("Armed Forces of X"): the knowledge base's
    entity of that canonical label when it has one, else a minted key."""
    kb_key = ctx.kb.by_label.get(match_key(label))
    if kb_key is not None:
        ent = ctx.kb.entities[kb_key]
        return kb_key, ent.kind, ent.label
    return minted_key(_key_kind(kind), label), kind, label


def _key_kind(kind: str) -> str:
    """The kind a minted key is made from: a state's forces keep their ``armedforce/``
    keys from before the ACLED-aligned classes, so graphs stay comparable."""
    return "ArmedForce" if kind == "StateForce" else kind


def minted_key(kind: str, label: str) -> str:
    """The deterministic key of an entity the KB does not know."""
    return f"entity/{kind.lower()}/{slugify(label)}"
