"""What the search index knows of a catalog entry, and how it is read from the store.

The index is derived data: every field of a :class:`Document` comes from the store's current graphs, read
in batches with one SPARQL query per batch, so that re-indexing a harvest run's thousands of changed
entries costs a few queries rather than thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TypeVar

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists

BATCH = 500
"""Entries read per SPARQL query."""

_READ = (
    ns.sparql_prefixes()
    + """
SELECT ?d ?p ?o ?elementTitle ?publisherName ?recordModified WHERE {
  VALUES ?d { %s }
  { ?d ?p ?o }
  UNION { ?d gc:dataElement ?element . ?element dct:title ?elementTitle }
  UNION { ?d dct:publisher ?publisher . ?publisher foaf:name ?publisherName }
  UNION { ?d ^foaf:primaryTopic ?record . ?record dct:modified ?recordModified }
}"""
)
"""The triples of a batch of entries, their data elements' and publisher's names and their records' times.

The ``VALUES`` are IRIs checked by pyoxigraph's parser. The default graph is the reader's audience views (see
:mod:`catalog_service.store`): a lookup per pattern in one or two graphs, eight times faster than ``GRAPH ?g``
over the current graphs. The branches bind different variables rather than ``BIND``, and the records are not
checked for their class, because either makes Oxigraph evaluate a branch before joining it with the ``VALUES``
(seconds instead of milliseconds)."""

_ALL = ns.sparql_prefixes() + "SELECT DISTINCT ?d WHERE { ?d a dcat:Dataset }"

T = TypeVar("T")

_RDF_TYPE = ns.RDF + "type"
_DATASET = ns.DCAT + "Dataset"
_CODED = {
    ns.GC + "level": "level",
    ns.GC + "sharingType": "sharing",
    ns.GC + "openness": "openness",
    ns.GC + "resourceCategory": "theme",
    ns.DCT + "accrualPeriodicity": "frequency",
}


@dataclass
class Document:
    """One catalog entry as the index sees it: texts by language, and codes (notations) for the facets."""

    iri: str
    identifier: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    publisher: str | None = None
    publisher_names: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    """GB/T 2260 code of the entry's division (dct:spatial)."""
    level: str | None = None
    sharing: str | None = None
    openness: str | None = None
    theme: str | None = None
    """Notation of the entry's resource category (a leaf such as ``101``, or ``3``)."""
    formats: list[str] = field(default_factory=list)
    frequency: str | None = None
    modified: str | None = None
    """The entry's dct:modified, else its newest catalog record's, as written (a date or a date-time)."""


def read_documents(store: CatalogStore, iris: Iterable[str]) -> dict[str, Document]:
    """The documents of those IRIs that are datasets in the store's current graphs, by IRI.

    An IRI missing from the answer has left the catalog (or was never in it).
    """
    documents: dict[str, Document] = {}
    for chunk in chunked(dict.fromkeys(iris), BATCH):
        values = " ".join(str(node) for node in _checked_nodes(chunk))
        if values:
            documents.update(_read_chunk(store, values))
    return documents


def all_documents(store: CatalogStore) -> Iterator[list[Document]]:
    """Every dataset of the store, in batches of :data:`BATCH` documents."""
    iris = [row["d"].value for row in store.query(_ALL) if isinstance(row["d"], ox.NamedNode)]
    for chunk in chunked(iris, BATCH):
        yield list(read_documents(store, chunk).values())


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _checked_nodes(iris: Iterable[str]) -> Iterator[ox.NamedNode]:
    """The IRIs as pyoxigraph nodes, leaving out any that is not a valid IRI (it cannot be in the store)."""
    for iri in iris:
        try:
            yield ox.NamedNode(iri)
        except ValueError:
            continue


def _read_chunk(store: CatalogStore, values: str) -> dict[str, Document]:
    codes = CodeLists.default()
    found: dict[str, Document] = {}
    datasets: set[str] = set()
    record_modified: dict[str, str] = {}
    for row in store.query(_READ % values, default_graph=[g.value for g in store.content_graphs()]):
        iri = row["d"].value
        document = found.setdefault(iri, Document(iri))
        if row["elementTitle"] is not None:
            document.elements.append(row["elementTitle"].value)
        elif row["publisherName"] is not None:
            document.publisher_names.setdefault(row["publisherName"].language or "", row["publisherName"].value)
        elif row["recordModified"] is not None:
            record_modified[iri] = max(record_modified.get(iri, ""), row["recordModified"].value)
        elif row["p"].value == _RDF_TYPE and row["o"].value == _DATASET:
            datasets.add(iri)
        else:
            _take(document, row["p"].value, row["o"], codes)
    documents = {iri: found[iri] for iri in datasets}
    for iri, document in documents.items():
        document.keywords = sorted(set(document.keywords))
        document.elements = sorted(set(document.elements))
        document.formats.sort()
        document.modified = document.modified or record_modified.get(iri)
    return documents


def _take(document: Document, predicate: str, term: ox.NamedNode | ox.BlankNode | ox.Literal, codes: CodeLists) -> None:
    """Put one property value of an entry where the document keeps it (other properties are not indexed)."""
    value = term.value
    language = (term.language or "") if isinstance(term, ox.Literal) else ""
    if predicate == ns.DCT + "identifier":
        document.identifier = min(document.identifier or value, value)
    elif predicate == ns.DCT + "title":
        document.titles.setdefault(language, value)
    elif predicate == ns.DCT + "description":
        document.descriptions.setdefault(language, value)
    elif predicate == ns.DCAT + "keyword":
        document.keywords.append(value)
    elif predicate == ns.DCT + "publisher":
        document.publisher = min(document.publisher or value, value)
    elif predicate == ns.DCT + "spatial":
        document.region = codes.notation(value) or value.removeprefix(ns.REGION)
    elif predicate == ns.GC + "resourceFormat":
        notation = codes.notation(value)
        if notation and notation not in document.formats:
            document.formats.append(notation)
    elif predicate in _CODED:
        setattr(document, _CODED[predicate], codes.notation(value))
    elif predicate == ns.DCT + "modified":
        document.modified = max(document.modified or value, value)


def modified_key(modified: str | None) -> int:
    """Seconds since 1970 for sorting by last modification; dates count from midnight UTC, unknown as 0."""
    if not modified:
        return 0
    try:
        moment = datetime.fromisoformat(modified)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
