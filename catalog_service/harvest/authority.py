"""一数一源 (one datum, one source): which copy of a resource is the authoritative one.

The same 信息资源代码 reaches a node through several sources — a county's entry harvested directly, and
again inside its city's catalog. It is one resource (one IRI, since the IRI is minted from the code), and its
description is stored once: from the source at the provider's own level (the record's 层级 and 行政区划 match
the source's ``level`` and ``region``). Other sources keep a ``dcat:CatalogRecord`` that points to it. Until
the authoritative source has been harvested, the first copy to arrive stands in for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists
from harvesters.base import SourceConfig

_LEVEL = ox.NamedNode(ns.GC + "level")
_SPATIAL = ox.NamedNode(ns.DCT + "spatial")


@dataclass(frozen=True)
class Copy:
    """A copy of a resource held by another source."""

    source: str
    checksum: str
    body_stored: bool
    authoritative: bool


def is_authoritative(source: SourceConfig, dataset: str, triples: Iterable[ox.Triple]) -> bool:
    """Whether ``source`` is at the provider's own level for this record.

    A source without a configured level (a file loaded by hand) is taken to be the provider's own catalog.
    """
    if not source.level:
        return True
    codes = CodeLists.default()
    level = codes.concept("level", source.level)
    subject = ox.NamedNode(dataset)
    record_level = next((t.object.value for t in triples if t.subject == subject and t.predicate == _LEVEL), None)
    if record_level != level:
        return False
    if not source.region:
        return True
    spatial = next((t.object.value for t in triples if t.subject == subject and t.predicate == _SPATIAL), None)
    return spatial == ns.region(source.region)


def copies_elsewhere(store: CatalogStore, source: str, datasets: list[str]) -> dict[str, list[Copy]]:
    """The copies other sources hold of the given resources, from their harvest state."""
    if not datasets:
        return {}
    found: dict[str, list[Copy]] = {}
    owners = {v.state_graph: v.name for v in store.sources() if v.name != source}
    for chunk in range(0, len(datasets), 500):
        values = " ".join(f"<{d}>" for d in datasets[chunk : chunk + 500])
        query = f"""
            SELECT ?d ?g ?checksum ?body ?auth WHERE {{
                VALUES ?d {{ {values} }}
                GRAPH ?g {{ ?d <{ns.GC}checksum> ?checksum ; <{ns.GC}bodyStored> ?body ; <{ns.GC}authoritative> ?auth }}
            }}"""
        for row in store.query_state(query):
            owner = owners.get(row["g"].value)
            if owner is None:
                continue
            found.setdefault(row["d"].value, []).append(
                Copy(
                    source=owner,
                    checksum=row["checksum"].value,
                    body_stored=row["body"].value == "true",
                    authoritative=row["auth"].value == "true",
                )
            )
    return found
