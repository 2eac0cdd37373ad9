"""The catalog's RDF store: an on-disk pyoxigraph store with one named graph per harvest source.

A source's graph is replaced atomically without one giant transaction: the new version is bulk-loaded into
a fresh, versioned graph that no reader sees yet, then a single update of the registry graph makes it
current. Queries run over the *current* graphs only (plus the vocabulary and region graphs), so a reader sees
either the old or the new version of a source, never a mix, and a load that fails or is killed leaves the
previous version in place. The previous version is kept until the next replacement, so that a query which
started just before a switch still reads a complete graph.

Queries do not name the current graphs one by one: pyoxigraph looks every triple pattern up once per graph of a
query's dataset, so over the ~70 graphs of a 32-source node a catalog-wide aggregate ran 50–100 times slower
than on one graph. Each audience instead reads an *audience view*, one graph holding the union of the current
graphs it may see (:data:`PUBLIC_VIEW`; :data:`RESTRICTED_VIEW` adds what only government users see), kept in
step by the same update that switches a version (only the difference between the versions is written), so it
stays atomic. On the embedded engine a source's *first* version, which has no older one to stay consistent with,
is sealed, then copied into the views in bulk before its switch (transactional writes cost about five times the
bulk loader's, and bound a national first harvest); readers may see its public entries a moment early, never a
restricted one, and a copy whose switch never came is taken out again (:meth:`CatalogStore._forget_unswitched`).
A remote server copies inside the switch: one update, and no triple crosses the network twice. The registry,
harvest runs and their details are small and written in many places; they stay graphs of their own in each
query's dataset.

Callers name sources; they never build graph IRIs. The registry is itself RDF (``gc:HarvestSource`` with
``gc:currentGraph``), so integrators can see over SPARQL which graph holds which source.

The engine is pyoxigraph, embedded (:meth:`CatalogStore.open`), or any SPARQL 1.1 server through
:class:`~catalog_service.remote_store.RemoteStore`, which offers the same methods over HTTP
(:meth:`CatalogStore.from_config` picks one from ``[store]``). Nothing here depends on which: the switch is one
SPARQL Update request, a transaction on either engine.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.rdfio import parse_file
from catalog_service.resources import resource_dir

if TYPE_CHECKING:
    from catalog_service.config import Config
    from catalog_service.remote_store import RemoteStore

VOCABULARY_GRAPH = ox.NamedNode(ns.GRAPH + "vocabulary")
REGIONS_GRAPH = ox.NamedNode(ns.GRAPH + "regions")
REGISTRY_GRAPH = ox.NamedNode(ns.GRAPH + "registry")
RUNS_GRAPH = ox.NamedNode(ns.GRAPH + "runs")
RUN_DETAILS_GRAPH = ox.NamedNode(ns.GRAPH + "run-details")
"""What harvest runs report record by record (keys, IRIs, messages) and their errors: government users only."""
PUBLIC_VIEW = ox.NamedNode(ns.GRAPH + "view/public")
"""The union of the vocabulary, the regions and every source's current public graph."""
RESTRICTED_VIEW = ox.NamedNode(ns.GRAPH + "view/restricted")
"""The union of every source's current restricted graph (entries not open to society): government users only."""

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_BULK_THRESHOLD = 10_000
"""Above this many triples a new version is written with ``bulk_extend``: not transactional, but the
version is invisible until the registry switch, and bulk loading is several times faster and leaner (below,
its fixed cost of about 0.15 s a call outweighs ``extend``'s 20 µs a triple)."""

_CHUNK = 200_000
"""Quads written per call when copying or loading a graph: bounds the memory a large source takes."""

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_HARVEST_SOURCE = ox.NamedNode(ns.GC + "HarvestSource")
_CURRENT_GRAPH = ox.NamedNode(ns.GC + "currentGraph")
_STATE_GRAPH = ox.NamedNode(ns.GC + "stateGraph")
_RESTRICTED_GRAPH = ox.NamedNode(ns.GC + "restrictedGraph")
_VERSION = ox.NamedNode(ns.GC + "graphVersion")
_REVISION = ox.NamedNode(ns.GC + "revision")
_MODIFIED = ox.NamedNode(ns.DCT + "modified")
_TITLE = ox.NamedNode(ns.DCT + "title")
_CHECKSUM = ox.NamedNode(ns.GC + "checksum")
_TRIPLE_COUNT = ox.NamedNode(ns.GC + "tripleCount")
_XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_AUDIENCE_VIEW = ox.NamedNode(ns.GC + "AudienceView")
_VIEW_COPY = ox.NamedNode(ns.GC + "viewCopy")

_VOCABULARY_FILES = {
    VOCABULARY_GRAPH: ("gov-catalog.ttl", "codelists.ttl"),
    REGIONS_GRAPH: ("regions.ttl",),
}


PUBLIC = "public"
GOVERNMENT = "government"
AUDIENCES = (PUBLIC, GOVERNMENT)
"""Who reads: the public sees the public part of each source, government users (and internal code) all of it."""


class StoreError(ValueError):
    """A store operation that cannot be done, such as an unknown or badly named source."""


class StoreUnavailable(StoreError):
    """The remote store cannot be reached, failed, or refused the configured credentials."""


class StoreTimeout(StoreUnavailable):
    """The remote store did not answer in time."""


class SourceChanged(StoreError):
    """A new version was written from a source's version that changed in place meanwhile (an edit, a demotion):
    switching to it would undo that change, so the version is refused."""


@dataclass(frozen=True)
class SourceVersion:
    """What the registry says about one source's current graph."""

    name: str
    version: int
    graph: str
    state_graph: str
    triples: int
    modified: datetime
    restricted_graph: str = ""
    """The graph of the non-public entries (不予开放), read by government users only; see docs/visibility.md."""
    revision: int = 0
    """How many in-place changes (:meth:`CatalogStore.update_source`) this version has had."""

    def graphs(self, audience: str = GOVERNMENT) -> list[str]:
        """The content graphs of this version the audience may read."""
        if audience == PUBLIC or not self.restricted_graph:
            return [self.graph]
        return [self.graph, self.restricted_graph]


@dataclass(frozen=True)
class _View:
    """An audience view (see the module's docstring): which graphs it unites, and the updates keeping it so.

    Its members are the ``fixed`` graphs and those the registry names with ``member``; every statement reads
    the registry when it runs, so one placed after a switch in the same update sees the new members.
    """

    graph: ox.NamedNode
    member: ox.NamedNode
    fixed: tuple[ox.NamedNode, ...] = ()

    def holds(self, *, exclude: str = "") -> str:
        """A pattern matching ``?s ?p ?o`` (bound) in a member graph ``?m`` other than ``exclude``."""
        unless = f"FILTER(?m != <{exclude}>)" if exclude else ""
        from_registry = f"GRAPH <{REGISTRY_GRAPH.value}> {{ ?source <{self.member.value}> ?m }}"
        branches = [f"{{ {from_registry} GRAPH ?m {{ ?s ?p ?o }} {unless} }}"]
        if self.fixed:
            fixed = " ".join(str(g) for g in self.fixed)
            branches.insert(0, f"{{ VALUES ?m {{ {fixed} }} GRAPH ?m {{ ?s ?p ?o }} {unless} }}")
        return " UNION ".join(branches)

    def forget(self, graph: str, *, unless_in: str = "", exclude: str = "") -> str:
        """The update removing from the view the triples of ``graph`` that no member (but ``exclude``) holds
        any more; ``unless_in`` names a graph to look in first (the new version, which holds most of them)."""
        first = f"NOT EXISTS {{ GRAPH <{unless_in}> {{ ?s ?p ?o }} }} && " if unless_in else ""
        return (
            f"DELETE {{ GRAPH <{self.graph.value}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER({first}NOT EXISTS {{ {self.holds(exclude=exclude)} }}) }}"
        )

    def take(self, graph: str, *, unless_in: str = "", subjects: str = "") -> str:
        """The update adding the triples of ``graph`` (of the ``subjects``, a ``VALUES ?s`` block, if given) to
        the view, but those of ``unless_in`` (the previous version: the view holds them already)."""
        unless = f"FILTER NOT EXISTS {{ GRAPH <{unless_in}> {{ ?s ?p ?o }} }}" if unless_in else ""
        return (
            f"INSERT {{ GRAPH <{self.graph.value}> {{ ?s ?p ?o }} }} "
            f"WHERE {{ {subjects} GRAPH <{graph}> {{ ?s ?p ?o }} {unless} }}"
        )

    def forget_subjects(self, subjects: str) -> str:
        """The update removing from the view the triples of the ``subjects`` (a ``VALUES ?s`` block) that no
        member holds any more."""
        return (
            f"DELETE {{ GRAPH <{self.graph.value}> {{ ?s ?p ?o }} }} WHERE {{ {subjects} "
            f"GRAPH <{self.graph.value}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ {self.holds()} }} }}"
        )


_PUBLIC = _View(PUBLIC_VIEW, _CURRENT_GRAPH, (VOCABULARY_GRAPH, REGIONS_GRAPH))
_RESTRICTED = _View(RESTRICTED_VIEW, _RESTRICTED_GRAPH)


def source_iri(name: str) -> str:
    """IRI of a harvest source in the registry."""
    return f"{ns.BASE}source/{name}"


class CatalogStore:
    """The catalog's quad store: source graphs, vocabulary graphs and the registry that ties them together."""

    def __init__(self, store: ox.Store | RemoteStore, path: Path | None = None) -> None:
        self._store = store
        self._path = path
        self._views_ready = False

    @classmethod
    def from_config(cls, config: Config) -> CatalogStore:
        """The store ``[store]`` names: the embedded one under ``data_dir``, or a remote SPARQL 1.1 store."""
        if config.store.type == "remote":
            from catalog_service.remote_store import RemoteStore  # it imports StoreError from here

            return cls(RemoteStore(config.store))
        return cls.open(config.data_dir)

    @classmethod
    def open(cls, data_dir: str | Path | None) -> CatalogStore:
        """Open (creating if needed) the store under ``data_dir``; ``None`` gives an in-memory store."""
        if data_dir is None:
            return cls(ox.Store()).ensure_views()
        path = Path(data_dir) / "store"
        path.mkdir(parents=True, exist_ok=True)
        store = cls(ox.Store(str(path)), path).ensure_views()
        store._forget_unswitched()  # the embedded store has one writer: this process
        return store

    @property
    def path(self) -> Path | None:
        """The store's folder on disk (``None`` in memory or remote): lets other processes open it read-only."""
        return self._path

    @property
    def raw(self) -> ox.Store | RemoteStore:
        """The engine (a pyoxigraph store or a :class:`RemoteStore` with the same methods), for benchmarks and
        the few callers that need it."""
        return self._store

    # -- vocabulary -------------------------------------------------------------------------------

    def init_vocabulary(self) -> bool:
        """Load the ontology, code lists and regions into their graphs; reload only when the files changed.

        Returns whether anything was (re)loaded. Builds the audience views first if the store has none.
        """
        self.ensure_views()
        changed = False
        folder = resource_dir("ontology")
        for graph, names in _VOCABULARY_FILES.items():
            paths = [folder / name for name in names]
            digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
            if self._graph_checksum(graph) == digest:
                continue
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for p in paths for t in parse_file(p)]
            forget = _PUBLIC.forget(graph.value, exclude=graph.value)
            self._store.update(f"{forget};\nDROP SILENT GRAPH <{graph.value}>")
            self._store.extend(quads + [ox.Quad(q.subject, q.predicate, q.object, PUBLIC_VIEW) for q in quads])
            self._set_graph_checksum(graph, digest)
            changed = True
        return changed

    def _graph_checksum(self, graph: ox.NamedNode) -> str | None:
        for quad in self._store.quads_for_pattern(graph, _CHECKSUM, None, REGISTRY_GRAPH):
            return quad.object.value
        return None

    def _set_graph_checksum(self, graph: ox.NamedNode, digest: str) -> None:
        self._store.update(
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH.value}> {{ <{graph.value}> <{_CHECKSUM.value}> ?c }} }};"
            f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH.value}> {{ <{graph.value}> <{_CHECKSUM.value}> "
            f'"{digest}" }} }}'
        )

    # -- audience views ---------------------------------------------------------------------------

    def ensure_views(self) -> CatalogStore:
        """Build the audience views if this store has none yet (a new store, or one from before they existed:
        copied member by member, then marked built in the registry); returns the store."""
        if self.views_ready():
            return self
        statements = [f"DROP SILENT GRAPH {PUBLIC_VIEW}", f"DROP SILENT GRAPH {RESTRICTED_VIEW}"]
        statements += [_PUBLIC.take(graph.value) for graph in _PUBLIC.fixed]  # in the engine: blank nodes stay
        self._store.update(";\n".join(statements))
        for view in (_PUBLIC, _RESTRICTED):  # source graphs have no blank nodes, and may be large: in bulk
            for member in self._store.quads_for_pattern(None, view.member, None, REGISTRY_GRAPH):
                self._copy_graph(member.object, view.graph)
        self._store.update(
            f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH.value}> {{ {PUBLIC_VIEW} a <{_AUDIENCE_VIEW.value}> . "
            f"{RESTRICTED_VIEW} a <{_AUDIENCE_VIEW.value}> }} }}"
        )
        self._views_ready = True
        return self

    def views_ready(self) -> bool:
        """Whether the audience views are built (queries read them instead of listing the current graphs)."""
        if not self._views_ready:
            marks = self._store.quads_for_pattern(PUBLIC_VIEW, _RDF_TYPE, _AUDIENCE_VIEW, REGISTRY_GRAPH)
            self._views_ready = next(iter(marks), None) is not None
        return self._views_ready

    def _forget_unswitched(self, name: str | None = None) -> None:
        """Take out of the views the bulk copy of a first version whose switch never came (a killed or failed
        commit), for source ``name`` or all; only a writer may call it, as no copy is then in progress."""
        subject = ox.NamedNode(source_iri(name)) if name else None
        marks = list(self._store.quads_for_pattern(subject, _VIEW_COPY, None, REGISTRY_GRAPH))
        statements = [view.forget(mark.object.value) for mark in marks for view in (_PUBLIC, _RESTRICTED)]
        statements += [f"DELETE DATA {{ GRAPH {REGISTRY_GRAPH} {{ {mark.triple} }} }}" for mark in marks]
        if statements:
            self._store.update(";\n".join(statements))

    def _copy_into_views(self, name: str, graph: str, restricted: str, triples: int) -> None:
        """Bulk-copy a first version's graphs (``triples`` in all) into the views, marked in the registry until
        its switch (which drops the marks with the rest of the source's registry entry)."""
        marks = " ".join(f"<{source_iri(name)}> <{_VIEW_COPY.value}> <{g}> ." for g in (graph, restricted))
        self._store.update(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH.value}> {{ {marks} }} }}")
        self._copy_graph(ox.NamedNode(graph), PUBLIC_VIEW, large=triples > _BULK_THRESHOLD)
        self._copy_graph(ox.NamedNode(restricted), RESTRICTED_VIEW, large=triples > _BULK_THRESHOLD)

    def _copy_graph(self, graph: ox.NamedNode, into: ox.NamedNode, *, large: bool = True) -> None:
        """Add a graph's triples to another (a source graph: no blank nodes to keep apart).

        The embedded engine copies a ``large`` graph through an N-Triples file, without a Python object per
        triple (below some 10,000 triples the bulk loader's fixed cost, tens of milliseconds a call, outweighs
        that); otherwise the quads go in chunks."""
        if large and isinstance(self._store, ox.Store):
            with tempfile.TemporaryFile() as dump:
                self._store.dump(dump, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
                dump.seek(0)
                self._store.bulk_load(dump, format=ox.RdfFormat.N_TRIPLES, to_graph=into)
            return
        quads = self._store.quads_for_pattern(None, None, None, graph)
        copies = (ox.Quad(q.subject, q.predicate, q.object, into) for q in quads)
        while chunk := list(islice(copies, _CHUNK)):
            _write(self._store, chunk)

    # -- sources ----------------------------------------------------------------------------------

    def new_version(self, name: str) -> SourceWriter:
        """Start writing the next version of a source; nothing is visible until :meth:`SourceWriter.commit`."""
        check_source_name(name)
        previous = self.source(name)
        version = (previous.version if previous else 0) + 1
        return SourceWriter(self, name, version, previous)

    def replace_source(self, name: str, triples: Iterable[ox.Triple], state: Iterable[ox.Triple] = ()) -> SourceVersion:
        """Make ``triples`` the new content of source ``name`` (and ``state`` its harvest state), atomically."""
        writer = self.new_version(name)
        try:
            writer.add(triples)
            return writer.commit(state)
        except BaseException:
            writer.abort()
            raise

    def update_source(
        self,
        name: str,
        *,
        remove_subjects: Iterable[str] = (),
        add: Iterable[ox.Triple] = (),
        add_restricted: Iterable[ox.Triple] = (),
        state_remove_subjects: Iterable[str] = (),
        state_add: Iterable[ox.Triple] = (),
    ) -> SourceVersion:
        """Change a source's current version in place, in one transaction: for small changes to a large source.

        Every triple of each subject in ``remove_subjects`` goes (from the public and the restricted graph),
        then ``add`` comes in (``add_restricted`` into the restricted graph); the same for the source's harvest
        state. Readers see the version before or after, never between.
        """
        current = self.source(name)
        if current is None:
            raise StoreError(f"未知数据源 / unknown source {name!r}")
        restricted = current.restricted_graph or restricted_graph_iri(name, current.version)
        added, added_restricted = list(add), list(add_restricted)
        remove_subjects = set(remove_subjects)
        removed = self._count_subject_triples(current.graph, remove_subjects)
        removed += self._count_subject_triples(restricted, remove_subjects)
        count = current.triples + len(added) + len(added_restricted) - removed
        now = _now()
        statements = [_delete_subjects(current.graph, remove_subjects), _insert(current.graph, added)]
        statements += [_delete_subjects(restricted, remove_subjects), _insert(restricted, added_restricted)]
        statements += [
            _delete_subjects(current.state_graph, state_remove_subjects),
            _insert(current.state_graph, state_add),
        ]
        statements.append(self._seal(current.graph, restricted, views=True))
        revision = current.revision + 1
        statements.append(
            _registry_update(
                name, current.graph, current.state_graph, current.version, count, now, restricted, revision
            )
        )
        changed = remove_subjects | {t.subject.value for t in added + added_restricted}
        if changed:
            subjects = "VALUES ?s { " + " ".join(f"<{s}>" for s in sorted(changed)) + " }"
            for view, graph in ((_PUBLIC, current.graph), (_RESTRICTED, restricted)):
                statements += [view.forget_subjects(subjects), view.take(graph, subjects=subjects)]
        self._store.update(";\n".join(s for s in statements if s))
        return SourceVersion(
            name, current.version, current.graph, current.state_graph, count, now, restricted, revision
        )

    def _seal(self, graph: str, restricted: str, *, views: bool = False) -> str:
        """The update moving every triple of ``graph`` that points to a non-public entry (one described in a
        restricted graph: this version's or another source's) into ``restricted``: a public entry's
        ``dct:relation``, a catalog's ``dcat:dataset``, a service's ``dcat:servesDataset`` to it.

        With ``views`` (the graphs are current), the triples move between the audience views too: out of the
        public one even if another source's public graph, not sealed since, still holds them.
        (The triple count is unchanged: the triples move between the version's two graphs.)
        """
        graphs = {restricted} | {v.restricted_graph for v in self.sources() if v.restricted_graph}
        values = " ".join(f"<{g}>" for g in sorted(graphs))
        delete, insert = f"GRAPH <{graph}> {{ ?s ?p ?o }}", f"GRAPH <{restricted}> {{ ?s ?p ?o }}"
        if views:
            delete += f" GRAPH {PUBLIC_VIEW} {{ ?s ?p ?o }}"
            insert += f" GRAPH {RESTRICTED_VIEW} {{ ?s ?p ?o }}"
        return (
            f"DELETE {{ {delete} }} INSERT {{ {insert} }} "
            f"WHERE {{ {{ SELECT DISTINCT ?o WHERE {{ VALUES ?g {{ {values} }} "
            f"GRAPH ?g {{ ?o a <{ns.DCAT}Dataset> }} }} }} "
            f"GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )

    def _count_subject_triples(self, graph: str, subjects: Iterable[str]) -> int:
        g = ox.NamedNode(graph)
        return sum(
            1 for subject in set(subjects) for _ in self._store.quads_for_pattern(ox.NamedNode(subject), None, None, g)
        )

    def _drop_versions_before(self, name: str, keep_from: int) -> None:
        prefixes = (f"{ns.GRAPH}source/{name}/", f"{ns.GRAPH}state/{name}/", f"{ns.GRAPH}restricted/{name}/")
        for graph in list(self._store.named_graphs()):
            if not isinstance(graph, ox.NamedNode):
                continue
            for prefix in prefixes:
                suffix = graph.value[len(prefix) :] if graph.value.startswith(prefix) else ""
                if suffix.isdigit() and int(suffix) < keep_from:
                    self._store.remove_graph(graph)

    def remove_source(self, name: str) -> None:
        """Forget a source and all its versions."""
        check_source_name(name)
        current = self.source(name)
        if current is None:
            raise StoreError(f"未知数据源 / unknown source {name!r}")
        statements = [f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH.value}> {{ <{source_iri(name)}> ?p ?o }} }}"]
        statements.append(_PUBLIC.forget(current.graph))
        if current.restricted_graph:
            statements.append(_RESTRICTED.forget(current.restricted_graph))
        self._store.update(";\n".join(statements))
        self._drop_versions_before(name, 2**62)

    def source(self, name: str) -> SourceVersion | None:
        """The registry entry of one source, or ``None`` if it was never loaded."""
        return self._source_entry(ox.NamedNode(source_iri(name)))

    def sources(self) -> list[SourceVersion]:
        """All loaded sources with their current versions, by name."""
        subjects = {q.subject for q in self._store.quads_for_pattern(None, _CURRENT_GRAPH, None, REGISTRY_GRAPH)}
        return sorted((self._source_entry(s) for s in subjects), key=lambda s: s.name)

    def _source_entry(self, subject: ox.NamedNode) -> SourceVersion | None:
        values = {q.predicate: q.object for q in self._store.quads_for_pattern(subject, None, None, REGISTRY_GRAPH)}
        if _CURRENT_GRAPH not in values:
            return None
        return SourceVersion(
            name=subject.value.rsplit("/", 1)[-1],
            version=int(values[_VERSION].value),
            graph=values[_CURRENT_GRAPH].value,
            state_graph=values[_STATE_GRAPH].value,
            triples=int(values[_TRIPLE_COUNT].value),
            modified=datetime.fromisoformat(values[_MODIFIED].value),
            restricted_graph=values[_RESTRICTED_GRAPH].value if _RESTRICTED_GRAPH in values else "",
            revision=int(values[_REVISION].value) if _REVISION in values else 0,
        )

    def current_graphs(self, audience: str = GOVERNMENT) -> list[ox.NamedNode]:
        """The graphs a reader sees: vocabulary, regions, registry, harvest runs and each source's current version.

        The public (``audience="public"``) sees each source's public graph only; government users also its
        restricted graph (the entries that are not open to society) and the harvest runs' record details.
        """
        check_audience(audience)
        graphs = [VOCABULARY_GRAPH, REGIONS_GRAPH, REGISTRY_GRAPH, RUNS_GRAPH]
        graphs += [q.object for q in self._store.quads_for_pattern(None, _CURRENT_GRAPH, None, REGISTRY_GRAPH)]
        if audience == GOVERNMENT:
            graphs.append(RUN_DETAILS_GRAPH)
            graphs += [q.object for q in self._store.quads_for_pattern(None, _RESTRICTED_GRAPH, None, REGISTRY_GRAPH)]
        return graphs

    def default_graphs(self, audience: str = GOVERNMENT) -> list[ox.NamedNode]:
        """The graphs whose merge is a query's default graph for the audience: its views, the registry and the
        harvest runs (the current graphs one by one while the views are not built)."""
        check_audience(audience)
        if not self.views_ready():
            return self.current_graphs(audience)
        graphs = [PUBLIC_VIEW, REGISTRY_GRAPH, RUNS_GRAPH]
        if audience == GOVERNMENT:
            graphs += [RESTRICTED_VIEW, RUN_DETAILS_GRAPH]
        return graphs

    def content_graphs(self, audience: str = GOVERNMENT) -> list[ox.NamedNode]:
        """The graphs of catalog content the audience reads (its views; the current source graphs while the
        views are not built): a narrower default graph for readers of entries, which need no runs."""
        fixed = {REGISTRY_GRAPH, RUNS_GRAPH, RUN_DETAILS_GRAPH}
        return [g for g in self.default_graphs(audience) if g not in fixed]

    def for_audience(self, audience: str) -> CatalogStore:
        """This store as the audience sees it: ``current_graphs()`` and ``query()`` default to that audience."""
        check_audience(audience)
        return self if audience == GOVERNMENT else _AudienceStore(self, audience)

    def state_graphs(self) -> list[ox.NamedNode]:
        """Each source's current harvest-state graph (checksums, ownership; never shown to readers)."""
        return [q.object for q in self._store.quads_for_pattern(None, _STATE_GRAPH, None, REGISTRY_GRAPH)]

    def query_state(self, sparql: str) -> ox.QuerySolutions:
        """Query the current harvest-state graphs (``GRAPH ?g`` names them) — for the harvesting pipeline."""
        graphs = self.state_graphs()
        return self._store.query(sparql, default_graph=graphs or [REGISTRY_GRAPH], named_graphs=graphs)

    def write_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace a bookkeeping graph (such as a source's quarantine) in one transaction."""
        statements = [f"DROP SILENT GRAPH <{graph}>", _insert(graph, triples)]
        self._store.update(";\n".join(s for s in statements if s))

    def append(self, graph: str, triples: Iterable[ox.Triple], *, remove_subjects: Iterable[str] = ()) -> None:
        """Add to an append-only graph (harvest runs), first dropping the given subjects' triples, atomically."""
        statements = [_delete_subjects(graph, remove_subjects), _insert(graph, triples)]
        if any(statements):
            self._store.update(";\n".join(s for s in statements if s))

    # -- reading ----------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        audience: str = GOVERNMENT,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a SPARQL query over the current graphs the audience may read.

        By default the query's default graph is the merge of the current graphs (read from the audience's
        views, :meth:`default_graphs`) and ``GRAPH`` reaches each current graph;
        ``default_graph``/``named_graphs`` (the protocol's ``default-graph-uri``/``named-graph-uri``)
        narrow that to the named graphs among the current ones and the audience's views. The dataset given here
        always wins over the
        query's own ``FROM``/``FROM NAMED`` (pyoxigraph's behaviour, pinned by tests/visibility), so those
        clauses cannot reach a graph outside the audience's. ``substitutions`` bind variables to values.
        """
        current = self.current_graphs(audience)
        visible = {g.value for g in current + self.default_graphs(audience)}
        if default_graph is None:
            default = self.default_graphs(audience)
        else:
            default = [ox.NamedNode(g) for g in default_graph if g in visible]
        named = current if named_graphs is None else [ox.NamedNode(g) for g in named_graphs if g in visible]
        return self._store.query(sparql, default_graph=default, named_graphs=named, substitutions=substitutions)

    def triples(self, name: str, *, state: bool = False) -> Iterator[ox.Triple]:
        """The triples of a source's current version (public and restricted), or of its harvest state."""
        entry = self.source(name)
        if entry is None:
            raise StoreError(f"未知数据源 / unknown source {name!r}")
        for graph in [entry.state_graph] if state else entry.graphs():
            for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                yield ox.Triple(quad.subject, quad.predicate, quad.object)

    def close(self) -> None:
        """Flush and release the on-disk store (or the connections to the remote one)."""
        self._store.flush()
        del self._store


class _AudienceStore(CatalogStore):
    """A store as one audience sees it (see :meth:`CatalogStore.for_audience`); writes go to the same store."""

    def __init__(self, store: CatalogStore, audience: str) -> None:
        super().__init__(store.raw, store.path)
        self.audience = audience

    def current_graphs(self, audience: str | None = None) -> list[ox.NamedNode]:
        return super().current_graphs(audience or self.audience)

    def default_graphs(self, audience: str | None = None) -> list[ox.NamedNode]:
        return super().default_graphs(audience or self.audience)

    def content_graphs(self, audience: str | None = None) -> list[ox.NamedNode]:
        return super().content_graphs(audience or self.audience)

    def query(self, sparql: str, *, audience: str | None = None, **kwargs: Any) -> Any:
        return super().query(sparql, audience=audience or self.audience, **kwargs)

    def close(self) -> None:
        raise StoreError("an audience view does not own the store")


def check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise StoreError(f"unknown audience {audience!r}")


def restricted_graph_iri(name: str, version: int) -> str:
    """The graph of a source version's non-public entries."""
    return f"{ns.GRAPH}restricted/{name}/{version}"


def check_source_name(name: str) -> None:
    """Refuse names that cannot serve in graph IRIs and file names."""
    if not _SOURCE_NAME.match(name):
        raise StoreError(
            f"数据源名称只能包含字母、数字、'-'、'_'、'.' / source name {name!r} must be letters, digits, - _ ."
        )


class SourceWriter:
    """The next version of one source, written in pieces and switched to at the end.

    Triples are buffered and written in large chunks: one pyoxigraph transaction per record would cost more
    than the rest of a harvest together.
    """

    def __init__(self, store: CatalogStore, name: str, version: int, previous: SourceVersion | None) -> None:
        self._store = store
        self.name = name
        self.version = version
        self.previous = previous
        self.graph = f"{ns.GRAPH}source/{name}/{version}"
        self.state_graph = f"{ns.GRAPH}state/{name}/{version}"
        self.restricted_graph = restricted_graph_iri(name, version)
        self.count = 0
        self._buffer: list[ox.Quad] = []
        self._graph_node = ox.NamedNode(self.graph)
        self._restricted_node = ox.NamedNode(self.restricted_graph)
        store._forget_unswitched(name)  # a killed load's, then its graphs
        store.raw.update(self._drop())

    def _drop(self) -> str:
        return "; ".join(f"DROP SILENT GRAPH <{g}>" for g in (self.graph, self.state_graph, self.restricted_graph))

    def add(self, triples: Iterable[ox.Triple], *, restricted: bool = False) -> None:
        """Write triples into the new version (invisible to readers until commit); ``restricted``: non-public."""
        graph = self._restricted_node if restricted else self._graph_node
        self._buffer.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        if len(self._buffer) >= _CHUNK:
            self._flush()

    def add_ntriples(self, lines: Iterable[str], *, restricted: bool = False) -> None:
        """:meth:`add` for triples given as N-Triples lines (``<s> <p> <o> .``, see :mod:`catalog_service.ntriples`):
        pyoxigraph makes the quads from text several times faster than from Python triples."""
        graph = self._restricted_node if restricted else self._graph_node
        text = "".join(f"{line[:-1]}{graph} .\n" for line in lines)
        self._buffer.extend(ox.parse(text, format=ox.RdfFormat.N_QUADS))
        if len(self._buffer) >= _CHUNK:
            self._flush()

    def copy_previous(self, *, except_subjects: set[str]) -> None:
        """Carry the previous version's triples over, but for those of the given subjects."""
        if self.previous is None:
            return
        skip = {ox.NamedNode(s) for s in except_subjects}
        pairs = [(self.previous.graph, self._graph_node)]
        if self.previous.restricted_graph:
            pairs.append((self.previous.restricted_graph, self._restricted_node))
        for old, new in pairs:
            for quad in self._store.raw.quads_for_pattern(None, None, None, ox.NamedNode(old)):
                if quad.subject not in skip:
                    self._buffer.append(ox.Quad(quad.subject, quad.predicate, quad.object, new))
                    if len(self._buffer) >= _CHUNK:
                        self._flush()

    def _flush(self) -> None:
        self.count += len(self._buffer)
        _write(self._store.raw, self._buffer)
        self._buffer = []

    def commit(self, state: Iterable[ox.Triple] = ()) -> SourceVersion:
        """Write the harvest state, then switch readers to this version in one small transaction.

        Raises :class:`SourceChanged` (switching nothing) if the source's current version is no longer the one
        this version was started from, or has been changed in place since.
        """
        self._check_unchanged()
        self._flush()
        raw = self._store.raw
        state_graph = ox.NamedNode(self.state_graph)
        _write(raw, [ox.Quad(t.subject, t.predicate, t.object, state_graph) for t in state])
        raw.add_graph(self._graph_node)
        raw.add_graph(self._restricted_node)
        raw.add_graph(state_graph)
        raw.update(self._store._seal(self.graph, self.restricted_graph))
        in_bulk = self.previous is None and isinstance(raw, ox.Store)  # a remote server copies in the switch
        if in_bulk:
            self._store._copy_into_views(self.name, self.graph, self.restricted_graph, self.count)
        now = _now()
        switch = [
            _registry_update(
                self.name, self.graph, self.state_graph, self.version, self.count, now, self.restricted_graph
            )
        ]
        if not in_bulk:
            old = self.previous or SourceVersion(self.name, 0, "", "", 0, now)
            for view, before, after in (
                (_PUBLIC, old.graph, self.graph),
                (_RESTRICTED, old.restricted_graph, self.restricted_graph),
            ):
                if before:
                    switch.append(view.forget(before, unless_in=after))
                switch.append(view.take(after, unless_in=before))
        raw.update(";\n".join(switch))
        if self.previous:
            self._store._drop_versions_before(self.name, self.previous.version)
        return SourceVersion(
            self.name, self.version, self.graph, self.state_graph, self.count, now, self.restricted_graph
        )

    def _check_unchanged(self) -> None:
        current, previous = self._store.source(self.name), self.previous
        if current == previous:
            return
        raise SourceChanged(
            f"数据源 {self.name} 在写入新版本期间被修改（如条目编辑），新版本未启用，修改保留 / "
            f"source {self.name} changed while its new version was written (an edit, for instance): the new "
            "version is not switched to, and the change stays"
        )

    def abort(self) -> None:
        """Throw the unfinished version away; the current one stays."""
        self._buffer = []
        self._store._forget_unswitched(self.name)
        self._store.raw.update(self._drop())


def _write(raw: ox.Store | RemoteStore, quads: list[ox.Quad]) -> None:
    if len(quads) > _BULK_THRESHOLD:
        raw.bulk_extend(quads)
    elif quads:
        raw.extend(quads)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _registry_update(
    name: str, graph: str, state_graph: str, version: int, count: int, now: datetime, restricted: str, revision: int = 0
) -> str:
    """The SPARQL update that makes a version (both its graphs) current: one statement, hence one transaction."""
    source, reg = source_iri(name), REGISTRY_GRAPH.value
    return (
        f"DELETE WHERE {{ GRAPH <{reg}> {{ <{source}> ?p ?o }} }};\n"
        f"INSERT DATA {{ GRAPH <{reg}> {{ <{source}> a <{_HARVEST_SOURCE.value}> ; "
        f'<{_TITLE.value}> "{name}" ; <{_CURRENT_GRAPH.value}> <{graph}> ; <{_STATE_GRAPH.value}> <{state_graph}> ; '
        f"<{_RESTRICTED_GRAPH.value}> <{restricted}> ; "
        f'<{_VERSION.value}> "{version}"^^<{_XSD_INTEGER.value}> ; '
        f'<{_REVISION.value}> "{revision}"^^<{_XSD_INTEGER.value}> ; '
        f'<{_TRIPLE_COUNT.value}> "{count}"^^<{_XSD_INTEGER.value}> ; '
        f'<{_MODIFIED.value}> "{now.isoformat()}"^^<{_XSD_DATETIME.value}> }} }}'
    )


def _delete_subjects(graph: str, subjects: Iterable[str]) -> str:
    subjects = sorted(set(subjects))
    if not subjects:
        return ""
    values = " ".join(f"<{s}>" for s in subjects)
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    return f"DELETE {{ {pattern} }} WHERE {{ VALUES ?s {{ {values} }} {pattern} }}"


def _insert(graph: str, triples: Iterable[ox.Triple]) -> str:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}" if body.strip() else ""
