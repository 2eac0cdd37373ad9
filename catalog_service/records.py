"""Records: a catalog entry (``dcat:Dataset``) together with the nodes that belong to it alone.

Validation judges records, and an invalid record must leave the catalog whole — its data elements and
distributions with it — while the providers and catalogs it shares with valid records stay.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from catalog_service import namespaces as ns

DATASET = ox.NamedNode(ns.DCAT + "Dataset")
RDF_TYPE = ox.NamedNode(ns.RDF + "type")
OWNED_LINKS = frozenset(ox.NamedNode(iri) for iri in (ns.GC + "dataElement", ns.DCAT + "distribution"))
"""Links from a dataset to nodes that exist only as part of it."""
MEMBERSHIP = ox.NamedNode(ns.DCAT + "dataset")


def datasets_in(triples: Iterable[ox.Triple]) -> list[str]:
    """IRIs of the datasets described, in document order."""
    seen: dict[str, None] = {}
    for t in triples:
        if t.predicate == RDF_TYPE and t.object == DATASET:
            seen.setdefault(t.subject.value)
    return list(seen)


def without_records(triples: list[ox.Triple], datasets: set[str]) -> list[ox.Triple]:
    """The triples left after removing the given datasets and the nodes only they own."""
    if not datasets:
        return triples
    doomed = {t.subject for t in triples if t.subject.value in datasets}
    owned = {t.object for t in triples if t.subject in doomed and t.predicate in OWNED_LINKS}
    doomed |= owned
    return [t for t in triples if t.subject not in doomed and not (t.predicate == MEMBERSHIP and t.object in doomed)]
