"""A persistent knowledge graph: an Oxigraph store on disk, written one article at a time.

A kgbuild store is a folder (:mod:`kgbuild.store.layout`) whose database holds the same
quads as an in-memory build: one named graph per article
(:func:`kgbuild.graph.rdf.graph_iri`) plus the knowledge-base graph
(:data:`kgbuild.graph.rdf.KB_GRAPH`) and the resolution graph
(:data:`kgbuild.graph.rdf.RESOLUTION_GRAPH`), and, in its default graph, the union of them all
(each distinct triple once).  Queries read the union: Oxigraph answers them there
many times faster than over ``use_default_graph_as_union`` (on a million triples,
seconds against minutes).  What a build guarantees:

- **Incremental.**  An article is processed only when it is new or its text
  changed: the ``kg:contentHash`` stored on its article node is compared with the
  hash of the text read now.  A changed article's graph is replaced, never
  duplicated.
- **Atomic per article.**  Articles are written in transactions of whole
  articles (one SPARQL update each, which Oxigraph applies all or nothing): the
  old graphs go, their triples leave the union unless another graph holds them,
  and the new graphs and their triples come in.  A killed build leaves every
  article either fully in (old or new version) or fully out, and the union exact;
  an article left out has no hash, so the next build redoes it.  The
  knowledge-base facts of a run are added first, in their own transaction, so
  every article in the store has its KB facts.
- **One writer.**  A build takes an exclusive lock on ``kgbuild.lock``; readers
  (:class:`StoreKnowledgeGraph`, ``kgbuild serve``) take a shared one.  A second
  build, or a build while the store is being read, fails at once with a
  :class:`~kgbuild.core.errors.StoreError`.
- **Cross-article merging.**  Entities are merged across all runs (their IRIs are
  deterministic, so two article graphs may state the same entity triples).  Each
  chunk (``Settings.store_chunk``, ``--store-chunk``, 250 articles by default, which
  keeps memory flat) writes every article's own graph; at the end of the build,
  :meth:`StoreWriter.merge_events` merges events across all the articles in the
  store (the resolution graph), as a file build of the same articles would, in
  transactions that each rewrite some articles' graphs together with their records
  in the resolution graph (:mod:`kgbuild.store.merging`).  A store killed at any
  point and built again ends with the quads of a clean build.
  Knowledge-base facts only grow, except that ``prune`` also drops facts about
  entities no remaining article mentions.
- **Answers kept exact.**  Queries run on the store keep their answers beside it
  (:mod:`kgbuild.store.answers`); a writer names a new generation of the data before it
  changes anything, and answers of an older generation are never read.
  :meth:`StoreWriter.precompute_answers`, called last in a build, computes the shipped
  queries' answers then.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "kg"
>>> with StoreWriter(folder) as writer:
...     writer.stored_hashes()
{}
>>> is_store(folder)
True
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kgbuild.core.errors import StoreError
from kgbuild.core.model import Article
from kgbuild.core.namespaces import KG
from kgbuild.core.oxterms import to_ox as _to_ox
from kgbuild.graph.rdf import KB_GRAPH, RESOLUTION_GRAPH, graph_iri
from kgbuild.store.answers import new_generation
from kgbuild.store.layout import (
    _FORMAT,
    _UPGRADABLE,
    DB_DIR,
    LOCK_FILE,
    MARKER_FILE,
    _guard,
    _Lock,
    _open_failed,
    _version,
    damaged_store,
    database_path,
    is_store,
    reader_lock,
)
from kgbuild.store.merging import kb_links, merge_store_events
from kgbuild.store.reading import _suspend_readers, _triple_count, query_store

__all__ = [
    "DB_DIR",
    "LOCK_FILE",
    "MARKER_FILE",
    "StoreWriter",
    "content_hash",
    "damaged_store",
    "database_path",
    "is_store",
    "query_store",
    "reader_lock",
]

log = logging.getLogger(__name__)

#: about how many quads one write transaction holds (whole articles); the environment
#: variable ``KGBUILD_STORE_TRANSACTION_QUADS`` overrides it (1: one article each)
UPDATE_QUADS = 20_000
#: new articles (nothing to take out first) are bulk-loaded in batches of about this many
#: quads: each bulk load has a fixed cost (sorted files for every index); the same
#: environment variable overrides it
BULK_QUADS = 100_000

#: a writer that bulk-loaded at least this many quads compacts the database when it closes
COMPACT_QUADS = 100_000

_CONTENT_HASH = ox.NamedNode(str(KG.contentHash))
_KB = ox.NamedNode(str(KB_GRAPH))
_RESOLUTION = ox.NamedNode(str(RESOLUTION_GRAPH))
_NOT_ARTICLES = (_KB, _RESOLUTION)


def content_hash(article: Article) -> str:
    """The ``kg:contentHash`` value :mod:`kgbuild.graph.rdf` writes for ``article``.

    >>> content_hash(Article(id="a.txt", text="Rain.", title="Rain."))[:15]
    'sha256:389be629'
    """
    digest = hashlib.sha256(article.text.encode("utf-8", "surrogatepass")).hexdigest()
    return "sha256:" + digest


# --------------------------------------------------------------------------- updates


def _drop_graph(iri: str) -> tuple[str, str]:
    """SPARQL update operations that drop the graph ``iri`` (in N-Triples form) and
    take out of the union (the default graph) its triples that no other graph holds."""
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != {iri}) }} }}",
        f"DROP SILENT GRAPH {iri}",
    )


def _replace_update(stored: Sequence[str], bodies: Sequence[tuple[str, Sequence[str]]],
                    union: Iterable[str]) -> str:
    """One SPARQL update that drops the ``stored`` graphs (N-Triples IRIs), taking their
    triples no other graph holds out of the union, then inserts each graph's triple
    lines (N-Triples, without the final dot) into it and ``union`` into the union."""
    removals = [op for iri in stored for op in _drop_graph(iri)]
    inserts = [f"GRAPH {iri} {{\n" + "".join(f"{line} .\n" for line in lines) + "}"
               for iri, lines in bodies if lines]
    body = "".join(f"{line} .\n" for line in union) + "\n".join(inserts)
    return " ;\n".join([*removals, "INSERT DATA {\n" + body + "\n}"])


def _transaction_quads(default: int = UPDATE_QUADS) -> int:
    value = os.environ.get("KGBUILD_STORE_TRANSACTION_QUADS", "")
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        from kgbuild.core.errors import ConfigError

        raise ConfigError("KGBUILD_STORE_TRANSACTION_QUADS must be a whole number",
                          input=value, fix="set it to a number of quads, e.g. 20000, or unset it"
                          ) from None


# --------------------------------------------------------------------------- writing


class _NTriplesLines:
    """Triples of rdflib terms -> N-Triples lines (without the final dot), each distinct
    term converted once (Oxigraph checks it).

    The hot loop of a write (millions of terms): IRIs are looked up by their plain
    string, whose hash and equality run in C (an rdflib term's equality runs in
    Python); literals by their lexical form, datatype and language."""

    def __init__(self) -> None:
        self._texts: dict[Any, str] = {}
        #: a blank node was converted (a SPARQL update keeps them apart per request)
        self.blank = False

    def _miss(self, term: Node, key: Any) -> str:
        text = self._texts[key] = str(_to_ox(term))
        if isinstance(term, BNode):
            self.blank = True
        return text

    def __call__(self, triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
        get, miss, uri, literal = self._texts.get, self._miss, URIRef, Literal
        out: list[str] = []
        append = out.append
        for s, p, o in triples:  # spelt out: a call per term would double the time
            ks: Any = str(s) if type(s) is uri else s
            kp: Any = str(p) if type(p) is uri else p
            kind = type(o)
            ko: Any = (str(o) if kind is uri else
                       (str(o), o.datatype, o.language) if kind is literal else o)
            append(f"{get(ks) or miss(s, ks)} {get(kp) or miss(p, kp)} "
                   f"{get(ko) or miss(o, ko)}")
        return out



class StoreWriter:
    """Exclusive write access to a kgbuild store; creates the store when needed.

    Use it as a context manager: the lock is held until it exits.

    Args:
        path: the store folder.  It is created if missing (its parent must
            exist); an existing folder must be a kgbuild store or empty.

    Raises:
        StoreError: the folder is something else, another process uses the
            store, or the database cannot be opened.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._create_folder()
        _suspend_readers(self.path)
        self._lock = _Lock(self.path, exclusive=True)
        try:
            self._write_marker()
            self.store: Any = self._open()
            # before anything changes: answers kept for the old data are never read again
            self._new_generation()
        except BaseException:
            self.__dict__.pop("store", None)
            self._lock.close()
            raise
        #: graph IRIs of the articles read by :meth:`select` (new, changed or not)
        self.seen: set[str] = set()
        #: articles :meth:`select` skipped because their text is unchanged
        self.unchanged = 0
        self._hashes: dict[str, str] | None = None
        #: quads bulk-loaded by this writer (see close: they are compacted then)
        self._bulk_loaded = 0
        #: this writer kept answers (precompute_answers) for the data as it is now
        self._answers_kept = False

    def _create_folder(self) -> None:
        folder = self.path
        if folder.exists() and not folder.is_dir():
            raise StoreError(
                "is a file, not a store folder", input=str(folder),
                fix="give the path of a folder (kgbuild creates it)",
            )
        if folder.is_dir():
            # only a lock file (and a marker being written): a build created it just now
            left = {p.name for p in folder.iterdir()}
            if is_store(folder) or left <= {LOCK_FILE, Path(MARKER_FILE).stem + ".tmp"}:
                return
            raise StoreError(
                "the folder is not empty and not a kgbuild store",
                input=str(folder),
                fix="give a new or empty folder, or an existing kgbuild store",
            )
        if not folder.parent.is_dir():
            raise StoreError(
                "the store's parent folder does not exist",
                input=str(folder),
                fix=f"create {folder.parent} first",
            )
        folder.mkdir(exist_ok=True)

    def _write_marker(self) -> None:
        marker = self.path / MARKER_FILE
        info: dict[str, Any] = {}
        if marker.is_file():
            try:
                info = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StoreError(
                    f"cannot read the store's marker file ({exc})",
                    input=str(marker),
                    fix="restore it, or build into a new store folder",
                ) from exc
            if info.get("format") not in _UPGRADABLE:
                raise StoreError(
                    f"the store has format {info.get('format')!r}; this kgbuild writes "
                    f"format {_FORMAT}",
                    input=str(self.path),
                    fix="build into a new store folder",
                )
            if info.get("kgbuild") != _version():
                log.warning(
                    "%s was built by kgbuild %s (this is %s): unchanged articles keep the "
                    "old extraction; build into a new folder to redo them all",
                    self.path, info.get("kgbuild"), _version(),
                )
            if info.get("format") == _FORMAT:
                return
            # format 2 to 3: the same database; a kgbuild that writes format 2 (and would
            # not renew the answers' generation) now refuses the store
            info["format"] = _FORMAT
        else:
            info = {"format": _FORMAT, "kgbuild": _version()}
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, marker)

    def _open(self) -> Any:
        db = self.path / DB_DIR
        if db.is_dir() and not (db / "CURRENT").exists():
            # Left by an older kgbuild that created the database in place and was
            # killed while doing so: nothing was stored.
            shutil.rmtree(db)
        # SST files a bulk load was writing when its build was killed: never part of the
        # database (it ingests them all at once, or none), only disk space
        for leftover in db.glob("bulk-*.sst") if db.is_dir() else ():
            leftover.unlink(missing_ok=True)
        try:
            if not db.is_dir():
                self._create_database(db)
            return ox.Store(str(db))
        except (OSError, RuntimeError) as exc:
            raise _open_failed(db, exc, writing=True) from exc

    @staticmethod
    def _create_database(db: Path) -> None:
        """Create an empty database beside ``db`` and rename it into place.

        RocksDB writes ``CURRENT`` before it has created all of Oxigraph's column
        families; a build killed in between would leave a database that no longer
        opens.  Creating it under a temporary name makes ``db`` appear complete or
        not at all.
        """
        staging = db.with_name(db.name + ".creating")
        if staging.exists():
            shutil.rmtree(staging)  # a build killed while creating it
        created = ox.Store(str(staging))
        created.flush()
        del created  # pyoxigraph closes the database when the Store is freed
        gc.collect()
        os.replace(staging, db)

    def _new_generation(self) -> None:
        try:
            new_generation(self.path)
        except OSError as exc:
            raise StoreError(
                f"cannot write the store's answers folder ({exc})", input=str(self.path),
                fix="check the permissions and free disk space") from exc
        self._answers_kept = False

    def _changing(self) -> None:
        """Called before each change: answers this writer kept are of the data before it."""
        if self._answers_kept:
            self._new_generation()

    # ---- context manager
    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close the database, then release the lock."""
        try:
            self._close_database()
        finally:
            self._lock.close()

    def _close_database(self) -> None:
        """Flush, compact when bulk loads left overlapping files, and close the database."""
        store = self.__dict__.pop("store", None)
        if store is None:
            return
        try:
            with _guard(self.path):
                store.flush()
                if self._bulk_loaded >= COMPACT_QUADS:
                    # each bulk load adds sorted files that overlap the others; until
                    # RocksDB merges them, queries read them all (on a million quads 3
                    # times slower): merge them now, once
                    store.optimize()
                    self._bulk_loaded = 0
        finally:
            # pyoxigraph closes the database when the Store is freed; a query's parse may
            # have left it in a reference cycle (frames of rdflib's parser): then collect
            # it now, or its database lock outlives the writer
            if sys.getrefcount(store) > 2:
                # pyparsing's packrat cache (when some library turned it on) keeps the
                # exceptions of a SPARQL parse, and their tracebacks the frames of the
                # query that ran on this store
                from pyparsing import ParserElement

                ParserElement.reset_cache()
            cycle = sys.getrefcount(store) > 2  # this name and the call's argument
            del store
            if cycle:
                gc.collect()

    # ---- reading what is there
    def stored_hashes(self) -> dict[str, str]:
        """Map each article graph's IRI to the ``kg:contentHash`` stored in it."""
        if self._hashes is None:
            with _guard(self.path):
                self._hashes = self._read_hashes()
        return self._hashes

    def _read_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for quad in self.store.quads_for_pattern(None, _CONTENT_HASH, None, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode):
                key = graph.value
                # two hashes in one graph cannot happen; if they do, rebuild it
                hashes[key] = "" if key in hashes else quad.object.value
        return hashes

    def article_graphs(self) -> set[str]:
        """The IRIs of the article graphs: every named graph but the knowledge-base and
        resolution graphs."""
        with _guard(self.path):
            return {g.value for g in self.store.named_graphs() if g not in _NOT_ARTICLES}

    def select(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Yield the articles that are new or whose text changed; count the others.

        Every article read is recorded in :attr:`seen` (for :meth:`prune`).
        """
        stored = self.stored_hashes()
        for article in articles:
            graph = str(graph_iri(article.id))
            self.seen.add(graph)
            if stored.get(graph) == content_hash(article):
                self.unchanged += 1
                log.debug("unchanged %s", article.id)
                continue
            yield article

    # ---- writing
    def write(self, dataset: Dataset) -> int:
        """Store the graphs of one build run: the KB facts, then each article's graph.

        Article graphs are written in transactions of whole articles (about
        :data:`UPDATE_QUADS` quads each); each replaces the articles' previous
        graphs and keeps the default graph equal to the union of all graphs.

        Args:
            dataset: the run's dataset (:func:`kgbuild.graph.rdf.to_dataset`).

        Returns:
            The number of article graphs written.

        Raises:
            StoreError: a write failed; articles written before it stay in, the
                ones of the failed transaction keep their previous version.
        """
        return self.write_graphs(
            (g.identifier, list(g)) for g in dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) > 0
        )

    def write_graphs(self, graphs: Iterable[tuple[Node, Sequence[tuple[Node, Node, Node]]]]
                     ) -> int:
        """:meth:`write` for (graph IRI, triples) pairs (:func:`kgbuild.graph.rdf.to_graphs`):
        the KB graph's facts are added first, then the article graphs replaced."""
        pairs = [(str(name), triples) for name, triples in graphs if len(triples) > 0]
        kb = [t for name, triples in pairs if name == str(KB_GRAPH) for t in triples]
        if kb:
            self._changing()
            try:
                # the same facts in the KB graph and in the union; adding is idempotent
                self.store.extend(
                    ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph)
                    for s, p, o in kb for graph in (_KB, ox.DefaultGraph())
                )
            except RuntimeError as exc:
                raise damaged_store(self.path, exc) from exc
            except (OSError, ValueError, TypeError) as exc:
                raise StoreError(
                    f"cannot store the knowledge-base facts ({exc})",
                    input=str(self.path),
                    fix="check free disk space and run the build again",
                ) from exc
        articles = sorted((name, triples) for name, triples in pairs if name != str(KB_GRAPH))
        # new graphs go in by bulk loads, larger batches; changed ones by updates
        new: list[tuple[str, Sequence[tuple[Node, Node, Node]]]] = []
        changed: list[tuple[str, Sequence[tuple[Node, Node, Node]]]] = []
        with _guard(self.path):
            for pair in articles:
                stored = self.store.contains_named_graph(ox.NamedNode(pair[0]))
                (changed if stored else new).append(pair)
        for group, limit in ((changed, _transaction_quads()),
                             (new, _transaction_quads(BULK_QUADS))):
            batch: list[tuple[str, Sequence[tuple[Node, Node, Node]]]] = []
            size = 0
            for name, triples in group:
                batch.append((name, triples))
                size += len(triples)
                if size >= limit:
                    self.replace_graphs(batch)
                    batch, size = [], 0
            if batch:
                self.replace_graphs(batch)
        # RocksDB keeps written data in memory tables until they fill; flushing after
        # each chunk keeps a long build's memory flat (bench/README.md)
        with _guard(self.path):
            self.store.flush()
        self._hashes = None
        return len(articles)

    def replace_graph(self, name: str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Replace the named graph ``name`` by ``triples`` (see :meth:`replace_graphs`)."""
        self.replace_graphs([(name, triples)])

    def replace_graphs(self, graphs: Sequence[tuple[str, Iterable[tuple[Node, Node, Node]]]]
                       ) -> None:
        """Replace each named graph ``name`` by its ``triples``, in one transaction.

        The store keeps, besides one named graph per article, the union of all
        graphs in its default graph, which Oxigraph queries many times faster than
        a union of named graphs.  One transaction removes from the union the old
        triples no other graph holds, drops the old graphs and inserts the new
        triples into their graphs and the union.  A process killed at any point
        leaves every article either with its old graph or with its new one, and the
        union exact.

        When none of the graphs is in the store yet (a first build, new articles), the
        write is one bulk load of N-Quads: Oxigraph writes the sorted files of every
        index and ingests them into RocksDB in one step, all or none (atomic since
        pyoxigraph 0.5), about three times faster than a transaction.  Otherwise it
        is one SPARQL update that also removes the old graphs (Oxigraph applies an
        update all or nothing).

        Raises:
            StoreError: the write failed; the graphs keep their previous version.
        """
        self._changing()
        count = 0
        lines_of = _NTriplesLines()
        bodies: list[tuple[str, list[str]]] = []
        stored: list[str] = []  # the graphs in the store now, in N-Triples form
        union: dict[str, None] = {}  # insertion order: the same text for the same input
        try:
            for name, triples in graphs:
                lines = lines_of(triples)
                count += len(lines)
                union.update(dict.fromkeys(lines))
                node = ox.NamedNode(name)
                bodies.append((str(node), lines))
                if self.store.contains_named_graph(node):
                    stored.append(str(node))
            if stored or lines_of.blank:
                # old graphs to take out of the union first (and blank nodes, which a
                # SPARQL update keeps apart per request, as before)
                self.store.update(_replace_update(stored, bodies, union))
            elif count:
                # new graphs only: Oxigraph's bulk loader writes sorted files and adds
                # them to the database in one step, all or none (pyoxigraph 0.5), several
                # times faster than a transaction
                data = "".join(f"{line} {iri} .\n" for iri, lines in bodies for line in lines)
                data += "".join(f"{line} .\n" for line in union)
                self.store.bulk_load(data.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
                self._bulk_loaded += count + len(union)
        except RuntimeError as exc:
            raise damaged_store(self.path, exc) from exc
        except (OSError, ValueError, TypeError, SyntaxError) as exc:
            shown = ", ".join(name.rsplit("/", 1)[-1] for name, _ in graphs)
            raise StoreError(
                f"cannot store the graphs of {shown} ({exc})",
                input=str(self.path),
                fix="check free disk space and run the build again; the articles are "
                "redone then",
            ) from exc
        log.debug("stored %d graph(s) (%d quads)", len(graphs), count)

    def merge_events(self, kb: Any, within: Mapping[str, Sequence[str]]) -> dict[str, str]:
        """Merge the reports of the same events across every article in the store.

        Run at the end of each build (and after a prune).  The decision is made
        afresh over all the articles in the store, from each article's own graph
        (restored from its records in the resolution graph, see
        :func:`kgbuild.graph.rdf.undo_merges`), by the same rules as a file build
        (:func:`kgbuild.graph.resolve.merge_reports`); only the triples whose merges
        changed are rewritten, each article's graph together with its records in the
        resolution graph, in transactions of whole articles (:mod:`kgbuild.store.merging`:
        memory stays flat).  So the store ends as a file build of the same articles
        would, whatever chunks, runs or kills led to it.  It also adds the knowledge
        base's "within" links between entities that different chunks brought in.

        Args:
            kb: the run's :class:`~kgbuild.kb.knowledge_base.KnowledgeBase`.
            within: its "lies within" links (:func:`kgbuild.graph.rdf.kb_within`).

        Returns:
            The IRI of each article-level event report now folded into another
            event's IRI -> that IRI.

        Raises:
            StoreError: a write failed; the articles rewritten before it keep their
                merges, the others their previous state (the next build completes it).
        """
        renamed = merge_store_events(self.store, within, write=self._write_merge,
                                     quads=_transaction_quads())
        # the KB's "within" links between entities of any two articles (a chunk only
        # links the entities it holds)
        links = kb_links(self.store, kb, within)
        if links:
            self._changing()
            self.store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph)
                              for s, p, o in links for graph in (_KB, ox.DefaultGraph()))
        with _guard(self.path):
            self.store.flush()
        self._hashes = None
        return renamed

    def _write_merge(self, update: str, articles: int, quads: int) -> None:
        """Run one update of :meth:`merge_events` (all or nothing)."""
        self._changing()
        try:
            self.store.update(update)
        except RuntimeError as exc:
            raise damaged_store(self.path, exc) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise StoreError(f"cannot store the merged events ({exc})", input=str(self.path),
                             fix="check free disk space and run the build again") from exc
        log.debug("merged events of %d article(s) (%d quads changed)", articles, quads)

    def prune(self, keep: set[str] | None = None) -> int:
        """Remove the article graphs not in ``keep`` (default: :attr:`seen`).

        Also drops knowledge-base facts about subjects that no remaining article
        graph mentions.  The graphs go in transactions of whole graphs (about
        :data:`UPDATE_QUADS` quads each), the knowledge-base facts with the last of
        them; after each, the union in the default graph has lost exactly the triples
        no remaining graph holds.  A prune killed half-way is completed by the next one.

        Returns:
            The number of article graphs removed.
        """
        keep = self.seen if keep is None else keep
        gone = sorted(self.article_graphs() - keep)  # a damaged store raises here
        if not gone:
            return 0
        limit = _transaction_quads()
        batch: list[str] = []
        size = 0
        for number, name in enumerate(gone, start=1):
            batch.append(name)
            with _guard(self.path):
                size += sum(1 for _ in self.store.quads_for_pattern(
                    None, None, None, ox.NamedNode(name)))
            if size >= limit or number == len(gone):
                self._drop_graphs(batch, last=number == len(gone))
                batch, size = [], 0
        self._hashes = None
        return len(gone)

    def _drop_graphs(self, names: Sequence[str], *, last: bool) -> None:
        """One transaction of :meth:`prune`: drop the graphs ``names`` (and, ``last``, the
        knowledge-base facts about subjects no article mentions any more)."""
        self._changing()
        parts: list[str] = []
        for name in names:
            parts.extend(_drop_graph(str(ox.NamedNode(name))))
            log.debug("removing %s", name.rsplit("/", 1)[-1])
        if last:
            # KB facts about subjects no article mentions any more (an article graph
            # cannot hold such a triple, so it leaves the union too)
            parts.append(
                f"DELETE {{ GRAPH {_KB} {{ ?s ?p ?o }} ?s ?p ?o }} WHERE {{ GRAPH {_KB} "
                f"{{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?q ?x }} FILTER(?g != {_KB}) }} "
                f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?y ?r ?s }} FILTER(?h != {_KB}) }} }}"
            )
        try:
            self.store.update(" ;\n".join(parts))
        except RuntimeError as exc:
            raise damaged_store(self.path, exc) from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot remove articles from the store ({exc})",
                             input=str(self.path),
                             fix="check free disk space and run the build again") from exc

    def precompute_answers(self, queries: Iterable[str] | None = None, *,
                           timeout: float | None = 300, child: bool | None = None) -> int:
        """Compute the answers of queries now and keep them beside the store, so that the
        first run of each after the build reads its answer back (:mod:`kgbuild.store.answers`).

        Run it last in a build: any later change in this writer makes them stale, and
        they are dropped then.

        Args:
            queries: query texts without parameters; default: every shipped query.
            timeout: seconds allowed to each; a query that takes longer, or fails, is
                not kept.
            child: compute them in a child process (:mod:`kgbuild.store.precompute`), so
                that this process does not grow by the rows of the biggest answer. The
                database is closed meanwhile and opened again after. Default: when the
                store holds more than :data:`~kgbuild.store.precompute.CHILD_TRIPLES`
                triples.

        Returns:
            The number of answers kept.
        """
        from kgbuild.store.precompute import (
            CHILD_TRIPLES,
            compute_answers,
            compute_in_child,
            shipped_query_texts,
        )

        texts = shipped_query_texts() if queries is None else list(queries)
        # before any is kept: an answer written by a step that then fails is of this data
        # too, and the next change must make it stale
        self._answers_kept = True
        if child is None:
            with _guard(self.path):  # more than CHILD_TRIPLES, without counting them all
                child = any(True for _ in self.store.query(
                    f"SELECT ?s WHERE {{ ?s ?p ?o }} OFFSET {CHILD_TRIPLES} LIMIT 1"))
        if not child:
            with _guard(self.path):
                self.store.flush()
            kept = compute_answers(self.store, self.path, texts, timeout=timeout)
        else:
            # the database closed here (compacted first, as close would): RocksDB allows
            # no read-only handle beside a writing one; the lock stays held meanwhile
            self._close_database()
            try:
                kept = compute_in_child(self.path / DB_DIR, self.path, texts,
                                        timeout=timeout)
            finally:
                self.store = self._open()
        return kept

    def __len__(self) -> int:
        """The number of distinct triples (the size of the union)."""
        with _guard(self.path):
            return _triple_count(self.store)
