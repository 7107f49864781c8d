"""Synthetic news articles for benchmarks and scale tests, seeded and reproducible.

The articles read like wire copy about an armed conflict between two countries:
attacks and airstrikes, casualty figures, denials, appeals from mediators,
mobilisations, captures and background on earlier ceasefires.  Sentence shapes
vary on purpose (active and passive voice, quotes first, "according to",
numbers in words and in digits, relative and absolute dates) so that every
extractor has work to do.  Names come from the shipped knowledge base (countries
with their demonyms, ministries, armed forces, people, places) plus invented
villages, officers and local outlets, so some mentions resolve to KB nodes and
some are minted.

Article ``i`` of seed ``s`` depends only on ``(s, i)``: the first thousand
articles of a 10,000-article corpus are the 1,000-article corpus.

>>> a, b = generate_articles(2, seed=7)
>>> a.id, a.text == generate_articles(1, seed=7)[0].text
('synth-000000', True)
>>> a.text.splitlines()[0] == a.title
True
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from kgbuild.core.errors import InputError
from kgbuild.kb.knowledge_base import KBEntity, KnowledgeBase, load_kb

__all__ = [
    "SyntheticArticle",
    "corpus_words",
    "generate_articles",
    "iter_articles",
    "number_in_words",
    "write_corpus",
]

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)
_TENS = (
    "_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)
_WEEKDAYS = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
_SYLLABLES = (
    "ar", "an", "ash", "ber", "da", "gar", "kh", "lu", "ma", "nor", "ov", "ra", "sar",
    "tak", "tsa", "ur", "vard", "yan", "zor", "gol", "ham", "kend", "li", "ruz", "sha",
    "ten", "vil",
)
_FIRST = (
    "Arman", "Elchin", "Gor", "Ramil", "Tigran", "Farid", "Hayk", "Orkhan", "Levon",
    "Samir", "Narek", "Vugar", "Anahit", "Leyla", "Mariam", "Sevinj", "Lilit", "Nigar",
)
_SURNAME_ENDS = ("yan", "ov", "ian", "li", "zade", "ev")
_OUTLET_WORDS = (
    "Caucasus", "Daily", "Frontline", "Regional", "Herald", "Observer", "Monitor", "Courier",
    "Post", "Review", "Wire", "Dispatch",
)
_WEAPONS = ("artillery", "mortar", "rocket", "drone", "sniper", "heavy-caliber")
_UNITS = ("military unit", "artillery battery", "supply depot", "command post",
          "air defense system", "checkpoint")
_WOUNDS = ("injured", "wounded")


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    """One generated article: an id, its text (headline first) and its metadata."""

    id: str
    title: str
    text: str
    published: date
    publisher: str
    url: str

    def meta(self) -> dict[str, str]:
        """The sidecar metadata, as kgbuild's readers expect it."""
        return {"id": self.id, "url": self.url, "published": self.published.isoformat(),
                "publisher": self.publisher, "title": self.title}


def number_in_words(n: int) -> str:
    """Spell ``n`` (0-999) in English words.

    >>> number_in_words(14), number_in_words(42), number_in_words(300)
    ('fourteen', 'forty-two', 'three hundred')
    """
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_in_words(rest)}" if rest else "")


class _Cast:
    """Everything one article talks about, drawn from the KB and invented."""

    def __init__(self, kb: _KBView, rng: random.Random) -> None:
        self.rng = rng
        a, b, third = rng.sample(kb.belligerents, 3)
        self.a, self.b = a, b
        self.dem_a, self.dem_b = kb.demonym(a, rng), kb.demonym(b, rng)
        self.dem_c = kb.demonym(third, rng)
        # "the European Union urged" but "France urged"
        self.mediator = rng.choice([*kb.mediators, third.label])
        self.outlet = rng.choice([*kb.outlets, _invent_outlet(rng)])
        local = kb.towns_in.get(b.key, []) + kb.towns_in.get(a.key, [])
        pool = local if len(local) >= 2 and rng.random() < 0.8 else kb.towns
        self.towns = [p.label for p in rng.sample(pool, 2)]
        self.region = rng.choice(kb.regions).label
        self.villages = [_invent_place(rng) for _ in range(2)]
        self.person_a = kb.person_of(a, rng) or _invent_person(rng)
        self.person_b = kb.person_of(b, rng) or _invent_person(rng)
        self.officer = _invent_person(rng)

    def number(self, low: int, high: int) -> tuple[int, str]:
        """A count and how it is written: in words (mostly when small) or digits."""
        n = self.rng.randint(low, high)
        if (n < 10 and self.rng.random() < 0.7) or self.rng.random() < 0.3:
            return n, number_in_words(n)
        return n, str(n)


class _KBView:
    """The KB entities the generator draws from, in a stable order."""

    def __init__(self, kb: KnowledgeBase) -> None:
        ents = [kb.entities[k] for k in sorted(kb.entities)]
        countries = {e.key: e for e in ents if e.kind == "Country" and e.demonyms}
        forces = {e.country for e in ents if e.kind in ("ArmedForce", "StateForce") and e.country}
        bodies = {e.country for e in ents if e.kind == "GovernmentBody" and e.country}
        self.belligerents = [c for k, c in countries.items() if k in forces and k in bodies]
        self.towns = [e for e in ents if e.kind == "Settlement"]
        self.regions = [e for e in ents if e.kind == "Region"]
        if len(self.belligerents) < 3 or len(self.towns) < 2 or not self.regions:
            raise InputError("the knowledge base has too few countries with armed forces and "
                             "government bodies, settlements or regions", input="kb/",
                             fix="generate with the shipped knowledge base")
        self.mediators = [f"the {e.label}" for e in ents
                          if e.kind == "InternationalOrganization"]
        self.towns_in: dict[str, list[KBEntity]] = {}
        for town in self.towns:
            country = _country_of(kb, town)
            if country is not None:
                self.towns_in.setdefault(country, []).append(town)
        self.outlets = [e.label for e in ents if e.kind == "Organization"]
        self.people: dict[str, list[KBEntity]] = {}
        for e in ents:
            if e.kind == "Person" and e.country:
                self.people.setdefault(e.country, []).append(e)

    @staticmethod
    def demonym(country: KBEntity, rng: random.Random) -> str:
        # an adjective, not a plural people-name ("Malian", not "Malians")
        singular = [d for d in country.demonyms if not d.endswith("s")] or country.demonyms
        return rng.choice(singular)

    def person_of(self, country: KBEntity, rng: random.Random) -> str | None:
        people = self.people.get(country.key)
        return rng.choice(people).label if people and rng.random() < 0.7 else None


def _country_of(kb: KnowledgeBase, place: KBEntity) -> str | None:
    """The country a place lies in, following ``kg:within`` upwards."""
    seen: set[str] = set()
    todo = list(place.within)
    while todo:
        key = todo.pop(0)
        ent = kb.entities.get(key)
        if ent is None or key in seen:
            continue
        if ent.kind == "Country":
            return key
        seen.add(key)
        todo.extend(ent.within)
    return None


def _invent_word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _invent_place(rng: random.Random) -> str:
    name = _invent_word(rng, rng.randint(2, 3))
    return rng.choice([name, f"{name}kend", f"Verin {name}", f"Nerkin {name}", f"{name}li"])


def _invent_person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {_invent_word(rng, 2)}{rng.choice(_SURNAME_ENDS)}"


def _invent_outlet(rng: random.Random) -> str:
    return f"{rng.choice(_OUTLET_WORDS)} {rng.choice(_OUTLET_WORDS)}"


def _an(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote(rng: random.Random, text: str) -> str:
    """An opening quotation, its comma inside the marks."""
    return f"“{text},”" if rng.random() < 0.6 else f'"{text},"'


def _when(rng: random.Random, event_day: date, published: date) -> str:
    """A relative or absolute date phrase for ``event_day``."""
    days = (published - event_day).days
    weekday = _WEEKDAYS[event_day.weekday()]
    month = _MONTHS[event_day.month - 1]
    choices = [f"on {weekday}", f"on {month} {event_day.day}", f"early on {weekday} morning",
               f"on {event_day.day} {month}", f"late on {weekday}"]
    if days == 1:
        choices += ["yesterday", "overnight"]
    if days == 0:
        choices += ["earlier today"]
    return rng.choice(choices)


def _sentences(c: _Cast, when: str, year: int) -> list[str]:
    """The paragraphs of one article: a lead, then a shuffled selection."""
    rng = c.rng
    a, b, da, db, dc = c.a.label, c.b.label, c.dem_a, c.dem_b, c.dem_c
    town, town2 = c.towns
    region = c.region
    village, village2 = c.villages
    mediator = c.mediator
    killed, killed_w = c.number(1, 12)
    hurt, hurt_w = c.number(2, 40)
    weapon = rng.choice(_WEAPONS)
    unit = rng.choice(_UNITS)
    wound = rng.choice(_WOUNDS)
    war_year = year - rng.randint(1, 4)
    month = rng.choice(_MONTHS)
    quote_a = rng.choice([
        "Our forces responded proportionately to the provocation",
        "The enemy will be met with a decisive response",
        "We did not open fire first",
        "Every attack on our positions will be answered",
    ])
    quote_b = rng.choice([
        "This is a gross violation of the ceasefire",
        "The statements of the other side are false",
        "We call on the international community to react",
        "Our soldiers repelled the attack",
    ])
    leads = [
        f"{da} forces launched an attack on {db} positions near {village} {when}, "
        f"the {da} defense ministry said.",
        f"{db} positions near {village} were shelled by {da} troops {when}, "
        f"according to the Ministry of Defense of {b}.",
        f"{_quote(rng, quote_a)} the {da} defense ministry said after its troops "
        f"carried out a strike on {db} positions near {village} {when}.",
        f"According to the {db} defense ministry, {da} forces opened {weapon} fire "
        f"on {db} positions near {village} {when}, killing {killed_w} soldiers.",
        f"{a} said {when} that its army had destroyed {_an(db)} {unit} in the area of "
        f"{village}, near the town of {town}.",
        f"{_cap(killed_w)} {db} soldiers were killed {when} when {da} forces attacked "
        f"their positions near {village}, the {db} defense ministry said.",
    ]
    body = [
        f"The {db} defense ministry said {killed_w} of its soldiers were killed and "
        f"{hurt_w} others were {wound} in the attack. The ministry did not say how many "
        f"of the wounded were in serious condition.",
        f"At least {killed} {db} servicemen were killed, the ministry said in a "
        f"statement issued in the evening.",
        f"{_cap(hurt_w)} civilians were {wound} when shells hit residential "
        f"areas of {village2}, local officials said.",
        f"According to {c.outlet}, {killed_w} people died in the shelling of {village2}.",
        f"The {da} foreign ministry denied the claims and accused {b} of violating the "
        f"ceasefire agreement signed in {month} {war_year}.",
        f"{b} rejected the allegations and said {da} troops had launched an "
        f"aggression against {town}.",
        f"{_quote(rng, quote_b)} said {c.person_b}, a senior {db} official. "
        f"The official added that the situation along the front remained tense.",
        f"{c.person_a} warned that any further provocation would be met with a "
        f"crushing response.",
        f"{_cap(mediator)} urged both sides to de-escalate, respect the ceasefire and "
        f"return to the negotiating table.",
        f"{_cap(mediator)} called on {a} and {b} to exercise restraint and said it was "
        f"ready to help.",
        f"Authorities in {b} declared a partial mobilization in the {region}.",
        f"{da} troops seized control of {village2} and several strategic heights "
        f"near {town2}, the ministry said.",
        f"A drone strike destroyed {_an(db)} {unit} stationed in the village of {village}.",
        f"The {db} army confirmed the deaths of {killed_w} soldiers but denied that "
        f"it had lost any positions.",
        f"Colonel {c.officer}, a commander of the {db} forces, said his troops "
        f"repelled {rng.choice(['two', 'three', 'several'])} attacks during the night.",
        f"{rng.choice(['Dozens', 'Hundreds'])} of residents fled {village2} after "
        f"the {weapon} fire, {c.outlet} reported.",
        f"The fighting is the worst since the {war_year} war over the {region}, "
        f"which ended with a ceasefire agreement brokered by {mediator}.",
        f"{a} and {b} have been locked in a dispute over the {region} for decades. "
        f"Talks mediated by {mediator} have stalled since {war_year}.",
        f"{dc} peacekeepers deployed in the area reported {hurt_w} ceasefire "
        f"violations {when}.",
        f"{c.person_b} told reporters in {town} that {db} forces had not fired "
        f"a single shot.",
        f"The ministry published footage that it said showed {da} artillery "
        f"shelling {village}. The footage could not be independently verified.",
        f"More than {hurt} houses were damaged in {village2}, according to "
        f"local authorities, and electricity was cut in {town2}.",
        f"Residents of {town2} said they heard explosions {when} and spent the night "
        f"in basements.",
        f"{b} summoned the {da} ambassador and handed him a note of protest.",
        f"The {da} defense ministry denied that its forces had shelled civilian areas "
        f"and said it targeted only military positions.",
        f"{c.outlet} could not independently confirm the casualty figures given by either side.",
    ]
    background = rng.choice([
        f"{a} and {b} fought a war over the {region} in {war_year}. It ended with a "
        f"ceasefire agreement that {mediator} helped to negotiate, but skirmishes along the "
        f"line of contact have continued since then, and both sides accuse each other of "
        f"violating the truce.",
        f"Tensions between {a} and {b} have been high since the {war_year} war, in which "
        f"thousands of soldiers were killed. The two countries have held several rounds of "
        f"talks on a peace treaty, but no agreement has been reached on the status of the "
        f"{region} or on the opening of transport links.",
    ])
    rng.shuffle(body)
    chosen = body[: rng.randint(8, 16)]
    chosen.insert(rng.randint(len(chosen) // 2, len(chosen)), background)
    return [rng.choice(leads), *chosen]


def _headline(c: _Cast) -> str:
    rng = c.rng
    killed, killed_w = c.number(1, 9)
    return rng.choice([
        f"{c.dem_a} Attack Near {c.villages[0]} Kills {killed} {c.dem_b} Soldiers",
        f"{c.a.label} and {c.b.label} Trade Blame After Clashes Near {c.towns[0]}",
        f"{c.b.label} Accuses {c.a.label} of Violating Ceasefire",
        f"{_cap(c.mediator)} Urges Restraint as Fighting Flares Near {c.towns[0]}",
        f"Shelling Near {c.villages[0]}: {_cap(killed_w)} Dead, Ministry Says",
    ])


def _article(index: int, seed: int, view: _KBView) -> SyntheticArticle:
    rng = random.Random(f"kgbuild-synthetic:{seed}:{index}")
    cast = _Cast(view, rng)
    published = date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365))
    event_day = published - timedelta(days=rng.choice([0, 1, 1, 2, 3, 5]))
    title = _headline(cast)
    paragraphs = _sentences(cast, _when(rng, event_day, published), published.year)
    text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
    aid = f"synth-{index:06d}"
    publisher = cast.outlet
    slug = "-".join(title.lower().replace(":", "").split()[:8])
    url = f"https://{publisher.lower().replace(' ', '')}.example/{published:%Y/%m/%d}/{slug}"
    return SyntheticArticle(aid, title, text, published, publisher, url)


def iter_articles(count: int, *, seed: int = 0, start: int = 0,
                  kb: KnowledgeBase | None = None) -> Iterator[SyntheticArticle]:
    """Yield ``count`` synthetic articles, from index ``start``.

    Args:
        count: how many articles.
        seed: the corpus seed; the same seed gives the same articles.
        start: index of the first article (to extend a corpus).
        kb: the knowledge base to draw names from (default: the shipped one).

    Returns:
        An iterator of :class:`SyntheticArticle`.

    Raises:
        kgbuild.core.errors.InputError: when ``count`` or ``start`` is negative.
    """
    if count < 0 or start < 0:
        raise InputError(f"cannot generate {count} articles from index {start}",
                         input=f"count={count}, start={start}",
                         fix="give a count and a start of 0 or more")
    view = _KBView(kb if kb is not None else load_kb())
    for i in range(start, start + count):
        yield _article(i, seed, view)


def generate_articles(count: int, *, seed: int = 0) -> list[SyntheticArticle]:
    """Return ``count`` synthetic articles as a list (see :func:`iter_articles`)."""
    return list(iter_articles(count, seed=seed))


def write_corpus(folder: str | Path, count: int, *, seed: int = 0,
                 format: str = "txt", per_folder: int = 1000) -> list[Path]:
    """Write a synthetic corpus that ``kgbuild build`` reads.

    Args:
        folder: where to write (created if missing).
        count: how many articles.
        seed: the corpus seed.
        format: ``"txt"`` (one ``.txt`` with a ``.meta.json`` sidecar per article,
            ``per_folder`` files to a subfolder) or ``"jsonl"`` (one
            ``corpus.jsonl``).
        per_folder: articles per subfolder in the ``txt`` format.

    Returns:
        The files written (the articles, not the sidecars).

    Raises:
        kgbuild.core.errors.InputError: for an unknown format or a folder that is a file.
    """
    out = Path(folder)
    if format not in ("txt", "jsonl"):
        raise InputError(f"unknown corpus format {format!r}", input=format,
                         fix="use txt or jsonl")
    if out.exists() and not out.is_dir():
        raise InputError("the corpus folder is a file", input=str(out),
                         fix="give a folder name")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if format == "jsonl":
        path = out / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for art in iter_articles(count, seed=seed):
                fh.write(json.dumps({"text": art.text, **art.meta()}, ensure_ascii=False))
                fh.write("\n")
        return [path]
    for i, art in enumerate(iter_articles(count, seed=seed)):
        sub = out / f"{i // per_folder:04d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"{art.id}.txt"
        path.write_text(art.text, encoding="utf-8")
        meta = {k: v for k, v in art.meta().items() if k != "title"}
        (sub / f"{art.id}.meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        written.append(path)
    return written


def corpus_words(articles: Sequence[SyntheticArticle]) -> int:
    """Count whitespace-separated words (the unit of the benchmarks' words/s)."""
    return sum(len(a.text.split()) for a in articles)
