"""What every harvester is: a source's settings in, mapped records out.

A harvester yields three kinds of items, Scrapy-style, and knows nothing of what happens to them:

* :class:`HarvestedRecord` — one catalog entry (a ``dcat:Dataset``) mapped to the profile, with the nodes it
  alone owns (data elements, distributions);
* :class:`SharedTriples` — descriptions several records share (providers, catalogs, data services);
* :class:`RecordFailure` — an entry of the source that could not be mapped, reported and skipped;
* :class:`KeepRecord` — an entry that still exists unchanged since :attr:`Harvester.since` (incremental
  harvesting: the source said so, so it was not fetched again).

A failure of the whole source (unreachable, unparseable, not a catalog) is raised as :class:`HarvestError`
or :class:`harvesters.http.FetchError`; the pipeline then keeps the previous version of the source.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import pyoxigraph as ox

from catalog_service import namespaces as ns
from harvesters.http import Fetcher


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` table of ``gov-catalog.toml``; type-specific keys stay in ``options``."""

    name: str
    type: str
    url: str
    level: str | None = None
    """国家, 省, 市 or 县: the level of the platform harvested, which decides whose copy is authoritative."""
    region: str | None = None
    """GB/T 2260 code of the platform's division."""
    schedule: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class HarvestedRecord:
    """A catalog entry mapped to the profile; ``key`` is what the source calls it (its id, URL or row).

    ``key`` defaults to the dataset IRI; incremental harvesters use the source's own id, which
    :class:`KeepRecord` names later.
    """

    iri: str
    triples: list[ox.Triple]
    key: str = ""


@dataclass
class SharedTriples:
    """Triples about nodes that records share, such as providers and catalogs."""

    triples: list[ox.Triple]


@dataclass
class RecordFailure:
    """An entry that could not be mapped: where it is in the source and why, in zh and en."""

    key: str
    message_zh: str
    message_en: str


@dataclass
class KeepRecord:
    """The entry the source calls ``key`` still exists and has not changed since the last run."""

    key: str


HarvestItem = HarvestedRecord | SharedTriples | RecordFailure | KeepRecord


class HarvestError(Exception):
    """The source as a whole cannot be harvested this time."""


class Harvester(ABC):
    """Base of the harvester types; subclasses set ``type`` and implement :meth:`harvest`."""

    type: ClassVar[str]

    def __init__(self, source: SourceConfig, fetcher: Fetcher, since: datetime | None = None) -> None:
        self.source = source
        self.fetcher = fetcher
        self.since = since
        """Start of the last successful run, for sources that can list what changed since; ``None``: all."""
        self.partial = False
        """Set by a harvester whose run lists only what changed: entries it did not yield still exist."""

    @abstractmethod
    def harvest(self) -> Iterator[HarvestItem]:
        """Fetch the source and yield its records mapped to the profile."""

    def option(self, name: str, default: Any = None) -> Any:
        """A type-specific setting of the source."""
        return self.source.options.get(name, default)


_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_DATASET = ox.NamedNode(ns.DCAT + "Dataset")
_OWNED = frozenset(ox.NamedNode(ns.DCAT + p) for p in ("distribution",)) | {ox.NamedNode(ns.GC + "dataElement")}


def split_records(triples: Iterable[ox.Triple]) -> Iterator[HarvestedRecord | SharedTriples]:
    """Cut an RDF description of a catalog into records and shared triples.

    A record is a dataset's own triples plus those of the nodes it owns (data elements, distributions) and
    of the blank nodes hanging from either; everything else is shared.
    """
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    datasets = [s for s, ts in by_subject.items() if any(t.predicate == _RDF_TYPE and t.object == _DATASET for t in ts)]
    claimed: set = set()
    records = []
    for dataset in datasets:
        members, stack = [], [dataset]
        while stack:
            node = stack.pop()
            if node in claimed or node not in by_subject:
                continue
            claimed.add(node)
            for t in by_subject[node]:
                members.append(t)
                owned = t.predicate in _OWNED and t.subject == dataset
                if isinstance(t.object, ox.BlankNode) or (owned and t.object not in datasets):
                    stack.append(t.object)
        records.append(HarvestedRecord(dataset.value if isinstance(dataset, ox.NamedNode) else "", members))
    shared = [t for s, ts in by_subject.items() if s not in claimed for t in ts]
    if shared:
        yield SharedTriples(shared)
    yield from records
