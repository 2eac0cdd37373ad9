"""Record bookkeeping for harvesting: blank nodes made stable, content checksums, and the harvest state.

A record's *checksum* decides whether it changed since the last run, so it must not depend on the blank-node
labels a parser happens to pick: blank nodes are relabelled by first appearance before hashing, then replaced
by skolem IRIs (RDF 1.1 §3.5) derived from the record, so that every stored subject is an IRI and a record
can be removed later by naming its subjects.

The *state* of a source (one small description per record: checksum, the source's key, first-seen time,
owned subjects, whether its body is stored here and whether this source is its authoritative copy) lives in
the source's state graph, which is switched together with the data and never shown to readers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from catalog_service import namespaces as ns

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


def is_public(iri: str, triples: Iterable[ox.Triple]) -> bool:
    """Whether a record's entry is open to society: its ``gc:openness`` is 无条件开放 or 有条件开放."""
    return any(
        t.subject.value == iri and t.predicate == P_OPENNESS and t.object.value in PUBLIC_OPENNESS for t in triples
    )


def stable_record(iri: str, triples: Iterable[ox.Triple]) -> tuple[list[ox.Triple], str]:
    """The record's triples with blank nodes replaced by skolem IRIs, and its content checksum."""
    labels: dict[ox.BlankNode, str] = {}

    def label(term):
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term, f"_:b{len(labels)}")
        return str(term)

    lines = sorted(f"{label(t.subject)} {t.predicate} {label(t.object)} ." for t in triples)
    checksum = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    if not labels:
        return [t for t in triples], checksum
    prefix = f"{GENID}{hashlib.sha256(iri.encode()).hexdigest()[:16]}/"
    skolem = {node: ox.NamedNode(prefix + name[3:]) for node, name in labels.items()}
    mapped = [ox.Triple(skolem.get(t.subject, t.subject), t.predicate, skolem.get(t.object, t.object)) for t in triples]
    return mapped, checksum


def record_iri(source: str, dataset: str) -> str:
    """IRI of the ``dcat:CatalogRecord`` describing how ``dataset`` reached us through ``source``."""
    return f"{RECORD}{source}/{hashlib.sha256(dataset.encode()).hexdigest()[:24]}"


def shared_checksum(triples: Iterable[ox.Triple]) -> str:
    """Checksum of the triples records share (providers, catalogs); order does not matter."""
    return hashlib.sha256("\n".join(sorted(str(t) for t in triples)).encode()).hexdigest()


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
        out = [
            ox.Triple(subject, P_CHECKSUM, ox.Literal(self.checksum)),
            ox.Triple(subject, P_SOURCE_KEY, ox.Literal(self.key)),
            ox.Triple(subject, P_ISSUED, ox.Literal(self.first_seen.isoformat(), datatype=_XSD_DATETIME)),
            ox.Triple(subject, P_BODY_STORED, ox.Literal(str(self.body_stored).lower(), datatype=_XSD_BOOLEAN)),
            ox.Triple(subject, P_AUTHORITATIVE, ox.Literal(str(self.authoritative).lower(), datatype=_XSD_BOOLEAN)),
            ox.Triple(subject, P_PUBLIC, ox.Literal(str(self.public).lower(), datatype=_XSD_BOOLEAN)),
        ]
        out += [ox.Triple(subject, P_OWNS, ox.NamedNode(s)) for s in sorted(self.owns)]
        return out


@dataclass
class SourceState:
    """A source's harvest state: its records, and the subjects and checksum of its shared triples."""

    records: dict[str, RecordState] = field(default_factory=dict)
    shared_subjects: set[str] = field(default_factory=set)
    shared_checksum: str = ""

    @classmethod
    def from_triples(cls, source_iri: str, triples: Iterable[ox.Triple]) -> SourceState:
        by_subject: dict[str, dict[ox.NamedNode, list]] = {}
        for t in triples:
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate, []).append(t.object)
        state = cls()
        for subject, values in by_subject.items():
            if subject == source_iri:
                state.shared_subjects = {o.value for o in values.get(P_OWNS, [])}
                state.shared_checksum = values[P_CHECKSUM][0].value if P_CHECKSUM in values else ""
                continue
            state.records[subject] = RecordState(
                iri=subject,
                checksum=values[P_CHECKSUM][0].value,
                key=values[P_SOURCE_KEY][0].value,
                first_seen=datetime.fromisoformat(values[P_ISSUED][0].value),
                owns={o.value for o in values.get(P_OWNS, [])},
                body_stored=values[P_BODY_STORED][0].value == "true",
                authoritative=values[P_AUTHORITATIVE][0].value == "true",
                public=values[P_PUBLIC][0].value == "true" if P_PUBLIC in values else True,
            )
        return state

    def source_triples(self, source_iri: str) -> list[ox.Triple]:
        subject = ox.NamedNode(source_iri)
        out = [ox.Triple(subject, P_CHECKSUM, ox.Literal(self.shared_checksum))]
        out += [ox.Triple(subject, P_OWNS, ox.NamedNode(s)) for s in sorted(self.shared_subjects)]
        return out
