"""Record bookkeeping for harvesting: blank nodes made stable, content checksums, and the harvest state.

A record's *checksum* decides whether it changed since the last run, so it must not depend on the blank-node
labels a parser happens to pick: blank nodes are relabelled by first appearance before hashing, then replaced
by skolem IRIs (RDF 1.1 §3.5) derived from the record, so that every stored subject is an IRI and a record
can be removed later by naming its subjects.

The *state* of a source (one small description per record: checksum, the source's key, first-seen time,
owned subjects, whether its body is stored here and whether this source is its authoritative copy) lives in
the source's state graph, which is switched together with the data and never shown to readers. A run reads
all of it only as a :class:`StateIndex` (checksums and openness), and the full state of the records it
changes or removes with :func:`read_records`: at a million records the whole state would take minutes and
gigabytes to load.

Records travel through the pipeline as N-Triples lines (:mod:`catalog_service.ntriples`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import ntriples
from catalog_service.store import CatalogStore, StoreError, source_iri

GENID = ns.BASE + ".well-known/genid/"
RECORD = ns.BASE + "record/"

_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")
P_CHECKSUM = ox.NamedNode(ns.GC + "checksum")
P_SOURCE_KEY = ox.NamedNode(ns.GC + "sourceKey")
P_OWNS = ox.NamedNode(ns.GC + "owns")
P_BODY_STORED = ox.NamedNode(ns.GC + "bodyStored")
P_AUTHORITATIVE = ox.NamedNode(ns.GC + "authoritative")
P_ISSUED = ox.NamedNode(ns.DCT + "issued")
P_PUBLIC = ox.NamedNode(ns.GC + "public")
P_OPENNESS = ox.NamedNode(ns.GC + "openness")
PUBLIC_OPENNESS = frozenset({ns.BASE + "code/openness/1", ns.BASE + "code/openness/2"})
"""开放属性 values that make an entry public: 无条件开放 and 有条件开放 (不予开放 is not public)."""
_OPENNESS_TERM = ntriples.iri(P_OPENNESS.value)
_READ_BATCH = 500
"""Records read per query by :func:`read_records`."""


def is_public(iri: str, triples: Iterable[ox.Triple]) -> bool:
    """Whether a record's entry is open to society: its ``gc:openness`` is 无条件开放 or 有条件开放."""
    return any(
        t.subject.value == iri and t.predicate == P_OPENNESS and t.object.value in PUBLIC_OPENNESS for t in triples
    )


def is_public_lines(iri: str, lines: Iterable[str]) -> bool:
    """:func:`is_public` of a record given as N-Triples lines."""
    start = f"{ntriples.iri(iri)} {_OPENNESS_TERM} "
    return any(line.startswith(start) and ntriples.value(line[len(start) : -2]) in PUBLIC_OPENNESS for line in lines)


def stable_record(iri: str, lines: list[str]) -> tuple[list[str], str]:
    """The record's lines with blank nodes replaced by skolem IRIs, and its content checksum."""
    if not any("_:" in line for line in lines):
        return lines, _checksum(sorted(lines))
    labels: dict[str, str] = {}

    def label(term: str) -> str:
        return labels.setdefault(term, f"_:b{len(labels)}") if ntriples.is_blank(term) else term

    split = [ntriples.terms(line) for line in lines]
    checksum = _checksum(sorted(f"{label(s)} {p} {label(o)} ." for s, p, o in split))
    if not labels:
        return lines, checksum
    prefix = f"{GENID}{hashlib.sha256(iri.encode()).hexdigest()[:16]}/"
    skolem = {node: ntriples.iri(prefix + name[3:]) for node, name in labels.items()}
    return [f"{skolem.get(s, s)} {p} {skolem.get(o, o)} ." for s, p, o in split], checksum


def _checksum(sorted_lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted_lines).encode()).hexdigest()


def record_iri(source: str, dataset: str) -> str:
    """IRI of the ``dcat:CatalogRecord`` describing how ``dataset`` reached us through ``source``."""
    return f"{RECORD}{source}/{hashlib.sha256(dataset.encode()).hexdigest()[:24]}"


def shared_checksum(lines: Iterable[str]) -> str:
    """Checksum of the triples records share (providers, catalogs), as N-Triples lines; order does not matter."""
    return hashlib.sha256("\n".join(sorted(line[:-2] for line in lines)).encode()).hexdigest()


@dataclass
class RecordState:
    """What the last run left behind for one record of a source."""

    iri: str
    checksum: str
    key: str
    first_seen: datetime
    owns: set[str] = field(default_factory=set)
    body_stored: bool = True
    authoritative: bool = True
    public: bool = True

    def triples(self) -> list[ox.Triple]:
        subject = ox.NamedNode(self.iri)
        return [
            ox.Triple(subject, P_CHECKSUM, ox.Literal(self.checksum)),
            ox.Triple(subject, P_SOURCE_KEY, ox.Literal(self.key)),
            ox.Triple(subject, P_ISSUED, ox.Literal(self.first_seen.isoformat(), datatype=_XSD_DATETIME)),
            ox.Triple(subject, P_BODY_STORED, ox.Literal(str(self.body_stored).lower(), datatype=_XSD_BOOLEAN)),
            ox.Triple(subject, P_AUTHORITATIVE, ox.Literal(str(self.authoritative).lower(), datatype=_XSD_BOOLEAN)),
            ox.Triple(subject, P_PUBLIC, ox.Literal(str(self.public).lower(), datatype=_XSD_BOOLEAN)),
            ox.Triple(subject, P_OWNS, ox.Literal(" ".join(sorted(self.owns)))),
        ]


@dataclass
class SourceState:
    """The records' states among some triples of a source's state graph."""

    records: dict[str, RecordState] = field(default_factory=dict)

    @classmethod
    def from_triples(cls, source_iri: str, triples: Iterable[ox.Triple]) -> SourceState:
        """The states of the records described (not of the source itself, nor of its remembered pages)."""
        by_subject: dict[str, dict[ox.NamedNode, list]] = {}
        for t in triples:
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate, []).append(t.object)
        records = {s: _record_state(s, v) for s, v in by_subject.items() if s != source_iri and P_CHECKSUM in v}
        return cls(records)


def _record_state(iri: str, values: dict[ox.NamedNode, list]) -> RecordState:
    """A record's state from its state triples' objects, by predicate."""
    return RecordState(
        iri=iri,
        checksum=values[P_CHECKSUM][0].value,
        key=values[P_SOURCE_KEY][0].value,
        first_seen=datetime.fromisoformat(values[P_ISSUED][0].value),
        owns=_owned(values.get(P_OWNS, [])),
        body_stored=values[P_BODY_STORED][0].value == "true",
        authoritative=values[P_AUTHORITATIVE][0].value == "true",
        public=values[P_PUBLIC][0].value == "true" if P_PUBLIC in values else True,
    )


def _owned(objects: Iterable[ox.NamedNode | ox.Literal]) -> set[str]:
    """The subjects a record owns: one literal listing them (a triple per subject would make the state, which a
    run writes for every record, twice as large), or one IRI per triple as in states written before."""
    return {s for o in objects for s in (o.value.split(" ") if isinstance(o, ox.Literal) else [o.value]) if s}


def shared_state_triples(source_iri: str, subjects: Iterable[str], checksum: str) -> list[ox.Triple]:
    """The state of a source's shared triples: their checksum and the subjects they describe."""
    subject = ox.NamedNode(source_iri)
    out = [ox.Triple(subject, P_CHECKSUM, ox.Literal(checksum))]
    out += [ox.Triple(subject, P_OWNS, ox.NamedNode(s)) for s in sorted(subjects)]
    return out


@dataclass
class StateIndex:
    """What a run needs up front of a source's harvest state: each record's checksum, the entries that are not
    public, and the subjects and checksum of the shared triples."""

    checksums: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    shared_subjects: set[str] = field(default_factory=set)
    shared_checksum: str = ""

    @classmethod
    def read(cls, store: CatalogStore, name: str) -> StateIndex:
        """The index of source ``name``'s current state (empty for a source never harvested)."""
        entry = store.source(name)
        if entry is None:
            return cls()
        graph, source = entry.state_graph, source_iri(name)
        index = cls()
        query = f"SELECT ?r ?c WHERE {{ GRAPH <{graph}> {{ ?r <{P_CHECKSUM.value}> ?c }} }}"
        index.checksums = {row[0].value: row[1].value for row in store.query_state(query)}
        index.shared_checksum = index.checksums.pop(source, "")
        query = f"SELECT ?r WHERE {{ GRAPH <{graph}> {{ ?r <{P_PUBLIC.value}> false }} }}"
        index.hidden = {row[0].value for row in store.query_state(query)}
        query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{source}> <{P_OWNS.value}> ?o }} }}"
        index.shared_subjects = {row[0].value for row in store.query_state(query)}
        return index


def read_records(store: CatalogStore, name: str, iris: Iterable[str]) -> dict[str, RecordState]:
    """The full state of the given records of source ``name`` (those it has), by IRI."""
    entry = store.source(name)
    if entry is None:
        raise StoreError(f"未知数据源 / unknown source {name!r}")
    iris = sorted(set(iris))
    found: dict[str, dict[ox.NamedNode, list]] = {}
    for start in range(0, len(iris), _READ_BATCH):
        values = " ".join(str(ox.NamedNode(iri)) for iri in iris[start : start + _READ_BATCH])
        query = f"SELECT ?r ?p ?o WHERE {{ VALUES ?r {{ {values} }} GRAPH <{entry.state_graph}> {{ ?r ?p ?o }} }}"
        for row in store.query_state(query):
            found.setdefault(row[0].value, {}).setdefault(row[1], []).append(row[2])
    return {iri: _record_state(iri, values) for iri, values in found.items() if P_CHECKSUM in values}


def read_keys(store: CatalogStore, name: str) -> dict[str, str]:
    """Source ``name``'s records by the source's key for them (for the harvesters that name kept records)."""
    entry = store.source(name)
    if entry is None:
        return {}
    query = f"SELECT ?r ?k WHERE {{ GRAPH <{entry.state_graph}> {{ ?r <{P_SOURCE_KEY.value}> ?k }} }}"
    return {row[1].value: row[0].value for row in store.query_state(query)}
