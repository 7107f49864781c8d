"""The one orchestrator: articles -> nlp -> extractors -> resolve -> rdf.

``build`` returns a :class:`KnowledgeGraph` wrapping the ``rdflib.Dataset``; the command
line and notebooks are thin shells over it and over :func:`load`.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset

from .articles import read_articles
from .config import Settings
from .errors import InputError, KgbuildError, RDFInputError
from .extractors import run_extractors
from .extractors.context import ArticleContext
from .kb import KnowledgeBase, load_kb
from .model import Article, Extraction
from .namespaces import KG
from .rdf import KB_GRAPH, kb_within, to_dataset, to_graphs
from .resolve import ArticleResult, resolve, summarize_article

__all__ = ["FORMATS", "WHOLE_VALIDATION_TRIPLES", "BuildStats", "KnowledgeGraph", "build",
           "check_build", "check_writable",
           "extract_article", "load", "write_atomic"]

log = logging.getLogger(__name__)

#: file suffix -> rdflib format name
FORMATS: dict[str, str] = {
    ".trig": "trig",
    ".ttl": "turtle",
    ".nq": "nquads",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".graphml": "graphml",
}
_FORMAT_NAMES = {"trig": "trig", "ttl": "turtle", "turtle": "turtle", "nq": "nquads",
                 "nquads": "nquads", "nt": "nt", "ntriples": "nt", "jsonld": "json-ld",
                 "json-ld": "json-ld", "graphml": "graphml"}


@dataclass
class BuildStats:
    """Counts of one build."""

    articles: int = 0
    skipped: int = 0
    triples: int = 0
    entities: int = 0
    events: int = 0
    statements: int = 0
    claims: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0  # store builds: articles skipped because their text is unchanged
    pruned: int = 0  # store builds: article graphs removed by prune
    written: list[str] = field(default_factory=list)  # store builds: graph IRIs written


def _format_for(destination: str | os.PathLike[str] | None, fmt: str | None) -> str:
    if fmt:
        name = _FORMAT_NAMES.get(fmt.lower())
        if name is None:
            raise InputError(f"unknown output format {fmt!r}", input=fmt,
                             fix=f"use one of {', '.join(sorted(_FORMAT_NAMES))}")
        return name
    if destination is None or str(destination) == "-":
        return "trig"
    suffix = Path(destination).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the RDF format from the suffix {suffix or '(none)'!r}",
                         input=str(destination),
                         fix=f"end the file name with one of {', '.join(FORMATS)} or pass --format")
    return FORMATS[suffix]


def _serialize_bytes(ds: Dataset, fmt: str) -> bytes:
    from .export import serialize

    return serialize(ds, format=fmt)


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere: read it by setting it, and put it back
    os.umask(current)
    return current


def _destination(path: Path) -> Path:
    """Where writing ``path`` lands: a symbolic link's final target, else the path."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Check, before any work, that :func:`write_atomic` can write ``path``.

    A temporary file is created and removed in the destination's folder (the
    target's folder when ``path`` is a symbolic link): the only test that agrees
    with what the write will meet (read-only mounts, ``/sys``, permissions).

    Returns:
        The file that will be written (the link's target for a link).

    Raises:
        InputError: the folder is missing, the path is a folder, or the folder
            cannot be written.
    """
    target = _destination(Path(path))
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError("is a folder, not a file", input=str(path),
                         fix="give the path of a file to write, inside that folder")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", input=str(directory),
                         fix=f"create it first (mkdir -p {directory}) or write elsewhere")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".check", dir=directory)
    except OSError as exc:
        raise InputError(
            f"cannot write here ({exc.strerror or exc})",
            input=str(path),
            fix="write to a folder you may write to (for example -o ./graph.trig), or fix "
            "the folder's permissions",
        ) from exc
    os.close(fd)
    os.unlink(tmp)
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The file gets the mode a plain ``open()`` would give it: an existing file
    keeps its mode, a new one follows the umask (0644 under the usual 022).  A
    symbolic link is written through: its target is replaced (atomically, in
    the target's folder) and the link stays.
    """
    path = Path(path)
    target = _destination(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the output folder does not exist", input=str(directory),
                         fix="create it first or write elsewhere")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KnowledgeGraph:
    """A built (or loaded) knowledge graph.

    Attributes:
        dataset: the ``rdflib.Dataset``; its default graph is the union of all graphs.
        stats: counts of the build (zeros for a loaded graph, except triples).
    """

    def __init__(self, dataset: Dataset, stats: BuildStats | None = None) -> None:
        self.dataset = dataset
        self.stats = stats or BuildStats(triples=len(dataset))

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self.dataset)} triples>"

    def query(self, sparql: str, *, params: Mapping[str, Any] | None = None,
              engine: str = "rdflib", timeout: float | None = 30, limit: int | None = None,
              allow_service: bool = False, memory_mb: int | None = 1024) -> Any:
        """Run a SPARQL SELECT over the union of all graphs (see :func:`kgbuild.query.run_query`).

        >>> kg = KnowledgeGraph(Dataset())
        >>> kg.query("SELECT ?s WHERE { ?s ?p ?o }").rows
        ()
        """
        from .query import run_query

        return run_query(self.dataset, sparql, params=params, engine=engine,  # type: ignore[arg-type]
                         timeout=timeout, limit=limit, allow_service=allow_service,
                         memory_mb=memory_mb)

    def validate(self, *, shapes: Sequence[str | os.PathLike[str]] = ()) -> Any:
        """Check the union of all graphs against kgbuild's SHACL shapes (plus ``shapes``).

        Each extra shapes file is first checked by :func:`kgbuild.rdfio.check_rdf`
        (size limit, no RDF/XML DOCTYPE or entities, no remote JSON-LD context).
        """
        from .rdfio import check_rdf
        from .validate import validate

        for path in shapes:
            check_rdf(path)
        return validate(self.dataset, shapes=[Path(s) for s in shapes])

    def serialize(self, destination: str | os.PathLike[str] | None = None, *,
                  format: str | None = None) -> bytes | None:
        """Serialise the graph; written atomically to ``destination``, or returned as bytes.

        The format follows the suffix (``.trig .ttl .nq .nt .jsonld .graphml``)
        unless given.  Output is deterministic and sorted (see :mod:`kgbuild.export`):
        N-Quads/N-Triples lines, Turtle/TriG graphs and subjects, JSON-LD nodes
        (compacted with ``ontology/context.jsonld``); GraphML is for Gephi.
        """
        fmt = _format_for(destination, format)
        data = _serialize_bytes(self.dataset, fmt)
        if destination is None:
            return data
        write_atomic(Path(destination), data)
        return None

    # --- notebook helpers: thin shells over kgbuild.viz (pyvis, matplotlib, pandas:
    # pip install 'kgbuild[viz]')

    def to_networkx(self, view: str = "entities", *, article: str | None = None) -> Any:
        """A networkx ``MultiDiGraph`` view (see :func:`kgbuild.viz.to_networkx`).

        Args:
            view: ``"entities"``, ``"events"``, ``"claims"`` or ``"rdf"``.
            article: only this article (its file name).

        Returns:
            The view; nodes carry label, kind, n_articles, kb; edges label and evidence.

        Raises:
            kgbuild.errors.InputError: unknown view or article.

        >>> KnowledgeGraph(Dataset()).to_networkx("claims").number_of_nodes()
        0
        """
        from .viz import to_networkx

        return to_networkx(self.dataset, view=view, article=article)

    def show(self, view: str = "entities", *, article: str | None = None,
             title: str | None = None, height: int = 720, edge_labels: bool = True) -> Any:
        """An interactive, offline view for Jupyter (see :func:`kgbuild.viz.show`).

        Returns:
            A :class:`kgbuild.viz.GraphView`; ``.save("graph.html")`` writes the page.
        """
        from .viz import show

        return show(self.to_networkx(view, article=article), title=title, height=height,
                    edge_labels=edge_labels)

    def draw(self, view: str = "entities", *, article: str | None = None,
             path: str | os.PathLike[str] | None = None, title: str | None = None,
             font_size: float = 9.0) -> Any:
        """A static figure, saved to ``path`` (.png/.svg/.pdf) when given (see
        :func:`kgbuild.viz.draw`).

        Returns:
            The matplotlib ``Figure``.
        """
        from .viz import draw

        return draw(self.to_networkx(view, article=article), path=path, title=title,
                    font_size=font_size)

    def query_df(self, sparql: str, *, params: Mapping[str, Any] | None = None,
                 engine: str = "rdflib", timeout: float | None = 30,
                 limit: int | None = None, shorten: bool = False) -> Any:
        """Run a SELECT query (SPARQL text, or a shipped query's name such as
        ``"events"``) and return a pandas ``DataFrame`` (see
        :func:`kgbuild.viz.to_dataframe`).

        Raises:
            kgbuild.errors.QueryError: bad query or parameters.
        """
        from .viz import resolve_query_text, to_dataframe

        result = self.query(resolve_query_text(sparql), params=params, engine=engine,
                            timeout=timeout, limit=limit)
        return to_dataframe(result, shorten=shorten)


def extract_article(article: Article, doc: Any, kb: KnowledgeBase) -> ArticleResult:
    """Run every extractor over one parsed article and give its facts global keys."""
    ctx = ArticleContext(article, doc, kb, Extraction(article))
    run_extractors(ctx)
    return summarize_article(ctx)


def build(sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
          settings: Settings | None = None,
          progress: Callable[[int, int | None], None] | None = None,
          on_problem: Callable[[KgbuildError], None] | None = None,
          dask: Any = None,
          store: Any = None,
          prune: bool = False) -> KnowledgeGraph:
    """Build a knowledge graph from article files and folders.

    Args:
        sources: files (.txt, .html, .jsonl) and folders of them.
        settings: run settings (defaults: :class:`kgbuild.config.Settings`).
        progress: called with (articles done, total or None) after each article.
        on_problem: called with each skipped input's error (otherwise logged).
        dask: extract on a Dask cluster: a scheduler address, ``"local"``, or a
            ``distributed.Client`` (see :mod:`kgbuild.distributed`).  Otherwise
            ``settings.workers`` processes extract (see :mod:`kgbuild.parallel`).
            Either way the graph is the same as a serial build's, byte for byte.
        store: a store folder (see :mod:`kgbuild.store`) to build into: only new or
            changed articles are processed, in chunks of ``settings.store_chunk``
            (memory stays flat), each article's graph is replaced atomically, events
            are merged across every article in the store at the end, and the
            store-backed graph is returned.
        prune: with ``store``, remove the graphs of articles no longer in the
            sources (not done when an input was skipped).

    Returns:
        The :class:`KnowledgeGraph`.

    Raises:
        kgbuild.errors.InputError: when no article can be read (or, strict, any problem).
        kgbuild.errors.StoreError: the store cannot be written, or another process uses it.

    >>> kg = build(["seeds/"])
    >>> kg.stats.articles
    2
    >>> kg.validate().conforms
    True
    """
    settings = settings or Settings()
    started = time.perf_counter()
    stats = BuildStats()

    def problem(err: KgbuildError) -> None:
        from .errors import InputWarning

        if not isinstance(err, InputWarning):
            stats.skipped += 1
        stats.problems.append(str(err))
        if on_problem is not None:
            on_problem(err)
        else:
            log.warning("%s", err)

    def nothing_read() -> InputError:
        named = sources if not isinstance(sources, (str, os.PathLike)) else [sources]
        return InputError("no article could be read", input=", ".join(map(str, named)),
                          fix="check the messages above; pass .txt, .html or .jsonl files")

    kb = load_kb(settings.kb_paths, world=settings.world)
    stream = read_articles(sources, strict=settings.strict, on_problem=problem,
                           follow_symlinks=settings.follow_symlinks)
    if store is not None:
        from .store import StoreKnowledgeGraph, StoreWriter

        with StoreWriter(store) as writer:
            _build_into_store(writer, stream, kb, settings, stats, progress=progress,
                              dask=dask, prune=prune)
            if not stats.articles and not writer.seen:
                raise nothing_read()
        stats.seconds = time.perf_counter() - started
        return StoreKnowledgeGraph(store, stats)

    articles: list[Article] = []
    results: list[ArticleResult] = []

    def keep(it: Iterable[Article]) -> Iterable[Article]:
        for a in it:
            articles.append(a)
            yield a

    from .parallel import extract_results

    for result in extract_results(keep(stream), kb=kb, settings=settings, dask=dask):
        results.append(result)
        if progress is not None:
            progress(len(results), None)
    if not results:
        raise nothing_read()
    resolved = resolve(results)
    ds = to_dataset(resolved, articles, kb)
    stats.articles = len(results)
    stats.triples = len(ds)
    stats.entities = len(resolved.entities)
    stats.events = len(set(ds.subjects(predicate=KG.trigger)))
    stats.statements = len({s for s in ds.subjects(predicate=KG.stance)})
    stats.claims = len({s for s in ds.subjects(predicate=KG.outcome)})
    stats.seconds = time.perf_counter() - started
    return KnowledgeGraph(ds, stats)


#: ``kgbuild build`` checks graphs up to this many triples whole (pySHACL over the
#: union, as ``kgbuild validate`` does) and larger ones in batches of article graphs
#: (:func:`kgbuild.validate_scale.validate_in_batches`: bounded memory, several cores).
WHOLE_VALIDATION_TRIPLES = 50_000


def check_build(kg: KnowledgeGraph, *, shapes: Sequence[str | os.PathLike[str]] = (),
                workers: int = 1) -> Any:
    """The SHACL check ``kgbuild build`` runs after building (``--no-validate`` skips it).

    A graph file's graph is checked whole up to :data:`WHOLE_VALIDATION_TRIPLES`,
    in batches beyond; a store build checks only the article graphs it wrote
    (``kg.stats.written``) with the knowledge-base graph, so an incremental run
    costs what it adds.  pySHACL takes about 0.35 CPU-seconds per thousand
    triples, comparable to extraction itself: the summary says how long it took.

    Returns:
        A :class:`kgbuild.validate.ValidationReport`.
    """
    from .validate_scale import validate_in_batches

    store = getattr(kg, "store", None)
    if store is not None:
        return validate_in_batches(store, shapes=[str(s) for s in shapes], workers=workers,
                                   graphs=set(kg.stats.written))
    if kg.stats.triples <= WHOLE_VALIDATION_TRIPLES:
        return kg.validate(shapes=tuple(shapes))
    return validate_in_batches(kg.dataset, shapes=[str(s) for s in shapes], workers=workers)


def _build_into_store(writer: Any, stream: Iterable[Article], kb: KnowledgeBase,
                      settings: Settings, stats: BuildStats, *,
                      progress: Callable[[int, int | None], None] | None, dask: Any,
                      prune: bool) -> None:
    """Extract the new and changed articles and write them into an open store, a chunk
    of ``settings.store_chunk`` articles at a time (see :mod:`kgbuild.store`).

    One extraction stream (one pool of workers) runs through the whole corpus; each
    chunk of its results is resolved, turned into RDF, written and dropped, so
    memory does not grow with the corpus.
    """
    from .parallel import extract_results

    pending: list[Article] = []  # read (perhaps ahead by the workers), not yet written
    results: list[ArticleResult] = []
    seen: dict[str, set[Any]] = {"entities": set(), "events": set(), "statements": set(),
                                 "claims": set()}

    def keep(it: Iterable[Article]) -> Iterable[Article]:
        for a in it:
            pending.append(a)
            yield a

    counted = {KG.trigger: seen["events"], KG.stance: seen["statements"],
               KG.outcome: seen["claims"]}

    def flush() -> None:
        resolved = resolve(results)
        # triples straight to the store: no rdflib Dataset in between; each article's
        # own graph (events are merged across the whole store at the end)
        graphs = list(to_graphs(resolved, pending[:len(results)], kb, merge=False))
        seen["entities"].update(resolved.entities)  # keys: the same entity, the same key
        for _, triples in graphs:
            for s, p, _o in triples:
                if p in counted:
                    counted[p].add(s)
        writer.write_graphs(graphs)
        stats.written.extend(str(name) for name, _ in graphs if name != KB_GRAPH)
        stats.articles += len(results)
        del pending[:len(results)]
        results.clear()

    for result in extract_results(keep(writer.select(stream)), kb=kb, settings=settings,
                                  dask=dask):
        results.append(result)
        if progress is not None:
            progress(stats.articles + len(results), None)
        if len(results) >= settings.store_chunk:
            flush()
    if results:
        flush()
    if prune and stats.skipped:
        log.warning("not pruning the store: %d input(s) could not be read, so their "
                    "articles may still belong in it", stats.skipped)
    elif prune:
        stats.pruned = writer.prune()
    # always, even when nothing was written: a build killed before this step left
    # articles unmerged, and a prune may have taken away one report of an event
    renamed = writer.merge_events(kb, kb_within(kb))
    stats.entities = len(seen["entities"])
    stats.events = len({renamed.get(str(e), str(e)) for e in seen["events"]})
    stats.statements = len(seen["statements"])
    stats.claims = len(seen["claims"])
    stats.unchanged = writer.unchanged
    stats.triples = len(writer)


def load(path: str | os.PathLike[str], *, format: str | None = None,
         max_bytes: int | None = None, check_iris: bool = True) -> KnowledgeGraph:
    """Load a graph file written by :func:`build` (any supported format), or a store folder.

    A store folder (``build(..., store=DIR)``) gives a
    :class:`kgbuild.store.StoreKnowledgeGraph` that reads the store in place.
    Files are read through :func:`kgbuild.rdfio.parse_rdf`: at most ``max_bytes``
    (default from a 4 GiB memory budget, about 82 MiB: see :mod:`kgbuild.rdfio`),
    no RDF/XML DOCTYPE or
    entities, no remote JSON-LD contexts, and no IRI with a character RDF forbids
    (a space...) unless ``check_iris=False``.

    Raises:
        kgbuild.errors.RDFInputError: when the file is missing, too big, refused,
            holds an invalid IRI, or cannot be parsed.
        kgbuild.errors.StoreError: when the folder is not a store or a build is writing it.
    """
    p = Path(path)
    if p.is_dir():
        from .store import StoreKnowledgeGraph

        return StoreKnowledgeGraph(p)
    if not p.is_file():
        raise RDFInputError("graph file does not exist", input=str(p),
                            fix="build one first: kgbuild build seeds/ -o graph.trig")
    from .rdfio import SUFFIXES, parse_rdf

    try:
        fmt = _format_for(p, format)
    except InputError as exc:
        if format is not None or p.suffix.lower() not in SUFFIXES:
            raise RDFInputError(exc.message, input=str(p), fix=exc.fix) from exc
        fmt = SUFFIXES[p.suffix.lower()]  # RDF/XML (.rdf, .owl, .xml)
    if fmt == "graphml":
        raise RDFInputError("GraphML is an export format for Gephi; it cannot be read back as RDF",
                            input=str(p), fix="load the .trig (or .nq, .ttl, .jsonld) file instead")
    return KnowledgeGraph(parse_rdf(p, format=fmt, max_bytes=max_bytes, check_iris=check_iris))
