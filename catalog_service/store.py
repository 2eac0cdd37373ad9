"""The catalog's RDF store: an on-disk pyoxigraph store with one named graph per harvest source.

A source's graph is replaced atomically without one giant transaction: the new version is bulk-loaded into
a fresh, versioned graph that no reader sees yet, then a single small update of the registry graph makes it
current. Queries run over the *current* graphs only (plus the vocabulary and region graphs), so a reader sees
either the old or the new version of a source, never a mix, and a load that fails or is killed leaves the
previous version in place. The previous version is kept until the next replacement, so that a query which
started just before a switch still reads a complete graph.

Callers name sources; they never build graph IRIs. The registry is itself RDF (``gc:HarvestSource`` with
``gc:currentGraph``), so integrators can see over SPARQL which graph holds which source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.rdfio import parse_file
from catalog_service.resources import resource_dir

VOCABULARY_GRAPH = ox.NamedNode(ns.GRAPH + "vocabulary")
REGIONS_GRAPH = ox.NamedNode(ns.GRAPH + "regions")
REGISTRY_GRAPH = ox.NamedNode(ns.GRAPH + "registry")

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_BULK_THRESHOLD = 100_000
"""Above this many triples a new version is written with ``bulk_extend``: not transactional, but the
version is invisible until the registry switch, and bulk loading is several times faster and leaner."""

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_HARVEST_SOURCE = ox.NamedNode(ns.GC + "HarvestSource")
_CURRENT_GRAPH = ox.NamedNode(ns.GC + "currentGraph")
_VERSION = ox.NamedNode(ns.GC + "graphVersion")
_MODIFIED = ox.NamedNode(ns.DCT + "modified")
_TITLE = ox.NamedNode(ns.DCT + "title")
_CHECKSUM = ox.NamedNode(ns.GC + "checksum")
_TRIPLE_COUNT = ox.NamedNode(ns.GC + "tripleCount")
_XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")

_VOCABULARY_FILES = {
    VOCABULARY_GRAPH: ("gov-catalog.ttl", "codelists.ttl"),
    REGIONS_GRAPH: ("regions.ttl",),
}


class StoreError(Exception):
    """A store operation that cannot be done, such as an unknown or badly named source."""


@dataclass(frozen=True)
class SourceVersion:
    """What the registry says about one source's current graph."""

    name: str
    version: int
    graph: str
    triples: int
    modified: datetime


def source_iri(name: str) -> str:
    """IRI of a harvest source in the registry."""
    return f"{ns.BASE}source/{name}"


class CatalogStore:
    """The catalog's quad store: source graphs, vocabulary graphs and the registry that ties them together."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def open(cls, data_dir: str | Path | None) -> CatalogStore:
        """Open (creating if needed) the store under ``data_dir``; ``None`` gives an in-memory store."""
        if data_dir is None:
            return cls(ox.Store())
        path = Path(data_dir) / "store"
        path.mkdir(parents=True, exist_ok=True)
        return cls(ox.Store(str(path)))

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for benchmarks and the few callers that need the raw engine."""
        return self._store

    # -- vocabulary -------------------------------------------------------------------------------

    def init_vocabulary(self) -> bool:
        """Load the ontology, code lists and regions into their graphs; reload only when the files changed.

        Returns whether anything was (re)loaded.
        """
        changed = False
        folder = resource_dir("ontology")
        for graph, names in _VOCABULARY_FILES.items():
            paths = [folder / name for name in names]
            digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
            if self._graph_checksum(graph) == digest:
                continue
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for p in paths for t in parse_file(p)]
            self._store.update(f"DROP SILENT GRAPH <{graph.value}>")
            self._store.extend(quads)
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

    # -- sources ----------------------------------------------------------------------------------

    def replace_source(self, name: str, triples: Iterable[ox.Triple]) -> SourceVersion:
        """Make ``triples`` the new content of source ``name``, atomically for readers."""
        _check_name(name)
        previous = self.source(name)
        version = (previous.version if previous else 0) + 1
        graph = ox.NamedNode(f"{ns.GRAPH}source/{name}/{version}")
        self._store.update(f"DROP SILENT GRAPH <{graph.value}>")  # left over by a killed load
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        if len(quads) > _BULK_THRESHOLD:
            self._store.bulk_extend(quads)
        else:
            self._store.extend(quads)
        if not quads:
            self._store.add_graph(graph)
        now = datetime.now(UTC).replace(microsecond=0)
        self._switch(name, graph, version, len(quads), now)
        if previous:
            self._drop_versions_before(name, previous.version)
        self._store.flush()
        return SourceVersion(name, version, graph.value, len(quads), now)

    def _switch(self, name: str, graph: ox.NamedNode, version: int, count: int, now: datetime) -> None:
        """One SPARQL update, hence one transaction: the moment readers move to the new version."""
        source = source_iri(name)
        reg = REGISTRY_GRAPH.value
        self._store.update(
            f"DELETE WHERE {{ GRAPH <{reg}> {{ <{source}> ?p ?o }} }};"
            f"INSERT DATA {{ GRAPH <{reg}> {{ <{source}> a <{_HARVEST_SOURCE.value}> ; "
            f'<{_TITLE.value}> "{name}" ; <{_CURRENT_GRAPH.value}> <{graph.value}> ; '
            f'<{_VERSION.value}> "{version}"^^<{_XSD_INTEGER.value}> ; '
            f'<{_TRIPLE_COUNT.value}> "{count}"^^<{_XSD_INTEGER.value}> ; '
            f'<{_MODIFIED.value}> "{now.isoformat()}"^^<{_XSD_DATETIME.value}> }} }}'
        )

    def _drop_versions_before(self, name: str, keep_from: int) -> None:
        prefix = f"{ns.GRAPH}source/{name}/"
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix):
                suffix = graph.value[len(prefix) :]
                if suffix.isdigit() and int(suffix) < keep_from:
                    self._store.remove_graph(graph)

    def remove_source(self, name: str) -> None:
        """Forget a source and all its versions."""
        _check_name(name)
        if self.source(name) is None:
            raise StoreError(f"未知数据源 / unknown source {name!r}")
        self._store.update(
            f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH.value}> {{ <{source_iri(name)}> ?p ?o }} }}"
        )
        self._drop_versions_before(name, 2**62)

    def source(self, name: str) -> SourceVersion | None:
        """The registry entry of one source, or ``None`` if it was never loaded."""
        return next((s for s in self.sources() if s.name == name), None)

    def sources(self) -> list[SourceVersion]:
        """All loaded sources with their current versions, by name."""
        found = []
        for quad in self._store.quads_for_pattern(None, _CURRENT_GRAPH, None, REGISTRY_GRAPH):
            subject = quad.subject
            name = subject.value.rsplit("/", 1)[-1]
            version = int(self._value(subject, _VERSION))
            modified = datetime.fromisoformat(self._value(subject, _MODIFIED))
            triples = int(self._value(subject, _TRIPLE_COUNT))
            found.append(SourceVersion(name, version, quad.object.value, triples, modified))
        return sorted(found, key=lambda s: s.name)

    def _value(self, subject: ox.NamedNode, predicate: ox.NamedNode) -> str:
        for quad in self._store.quads_for_pattern(subject, predicate, None, REGISTRY_GRAPH):
            return quad.object.value
        raise StoreError(f"registry entry {subject.value} lacks {predicate.value}")

    def current_graphs(self) -> list[ox.NamedNode]:
        """The graphs a reader sees: vocabulary, regions, the registry and each source's current version."""
        graphs = [VOCABULARY_GRAPH, REGIONS_GRAPH, REGISTRY_GRAPH]
        graphs += [
            q.object for q in self._store.quads_for_pattern(None, _CURRENT_GRAPH, None, REGISTRY_GRAPH)
        ]
        return graphs

    # -- reading ----------------------------------------------------------------------------------

    def query(
        self, sparql: str, *, default_graph: list[str] | None = None, named_graphs: list[str] | None = None
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a SPARQL query over the current graphs.

        By default the query's default graph is the merge of the current graphs and ``GRAPH`` reaches each of
        them; ``default_graph``/``named_graphs`` (the protocol's ``default-graph-uri``/``named-graph-uri``)
        narrow that to the named graphs among the current ones.
        """
        current = self.current_graphs()
        visible = {g.value for g in current}
        default = (
            current if default_graph is None else [ox.NamedNode(g) for g in default_graph if g in visible]
        )
        named = current if named_graphs is None else [ox.NamedNode(g) for g in named_graphs if g in visible]
        return self._store.query(sparql, default_graph=default, named_graphs=named)

    def triples(self, name: str) -> Iterator[ox.Triple]:
        """The triples of a source's current version."""
        entry = self.source(name)
        if entry is None:
            raise StoreError(f"未知数据源 / unknown source {name!r}")
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(entry.graph)):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)

    def close(self) -> None:
        """Flush and release the on-disk store."""
        self._store.flush()
        del self._store


def _check_name(name: str) -> None:
    if not _SOURCE_NAME.match(name):
        raise StoreError(
            f"数据源名称只能包含字母、数字、'-'、'_'、'.' / source name {name!r} must be letters, digits, - _ ."
        )
