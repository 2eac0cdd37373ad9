"""What every harvester is: a source's settings in, mapped records out.

A harvester yields items, Scrapy-style, and knows nothing of what happens to them:

* :class:`HarvestedRecord` — one catalog entry (a ``dcat:Dataset``) mapped to the profile, with the nodes it
  alone owns (data elements, distributions);
* :class:`SharedTriples` — descriptions several records share (providers, catalogs, data services);
* :class:`RecordFailure` — an entry of the source that could not be mapped, reported and skipped;
* :class:`KeepRecord` — an entry that still exists unchanged since :attr:`Harvester.since` (incremental
  harvesting: the source said so, so it was not fetched again);
* :class:`Page` — the items that follow, up to the next page, come from one fetched document, which the
  pipeline then remembers; :class:`KeepPage` — a document byte for byte as the pipeline remembers it
  (:attr:`Harvester.known_pages`), not parsed again: its items are those of last time.

Records and shared triples hold their triples as pyoxigraph triples or, from harvesters that parse whole
documents, as N-Triples lines (:mod:`catalog_service.ntriples`), each form made from the other when asked for.

A failure of the whole source (unreachable, unparseable, not a catalog) is raised as :class:`HarvestError`
or :class:`harvesters.http.FetchError`; the pipeline then keeps the previous version of the source.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import ntriples
from harvesters.http import Fetcher, Response


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


class Triples:
    """Some triples, given as pyoxigraph triples or as N-Triples lines; the other form is made on first use."""

    def __init__(self, triples: Iterable[ox.Triple] | None = None, *, lines: Iterable[str] | None = None) -> None:
        self._triples = None if triples is None else list(triples)
        self._lines = None if lines is None else list(lines)

    @property
    def triples(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = ntriples.triples(self._lines or ())
        return self._triples

    @triples.setter
    def triples(self, triples: Iterable[ox.Triple]) -> None:
        self._triples, self._lines = list(triples), None

    @property
    def lines(self) -> list[str]:
        """The triples as N-Triples lines (what the pipeline works with)."""
        if self._lines is None:
            self._lines = ntriples.statements(self._triples or ())
        return self._lines

    @lines.setter
    def lines(self, lines: Iterable[str]) -> None:
        self._lines, self._triples = list(lines), None


class HarvestedRecord(Triples):
    """A catalog entry mapped to the profile; ``key`` is what the source calls it (its id, URL or row).

    ``key`` defaults to the dataset IRI; incremental harvesters use the source's own id, which
    :class:`KeepRecord` names later.
    """

    def __init__(
        self, iri: str, triples: Iterable[ox.Triple] | None = None, key: str = "", *, lines: Iterable[str] | None = None
    ) -> None:
        super().__init__(triples, lines=lines)
        self.iri = iri
        self.key = key

    def __repr__(self) -> str:
        return f"HarvestedRecord({self.iri!r}, key={self.key!r})"


class SharedTriples(Triples):
    """Triples about nodes that records share, such as providers and catalogs."""

    def __repr__(self) -> str:
        return f"SharedTriples({len(self.lines)} triples)"


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


@dataclass(frozen=True)
class Page:
    """The items up to the next page come from the document fetched at ``url``; ``checksum`` is
    :func:`page_checksum` of it and ``next_url`` the page it links to."""

    url: str
    checksum: str
    next_url: str | None = None


@dataclass
class KeepPage:
    """The document at ``url`` is byte for byte the one the pipeline remembers (a :class:`Page` of
    :attr:`Harvester.known_pages`): its items are the ones it had then, so it was not parsed.

    The pipeline replays the page from its memory, or declines it (the memory is out of date); the harvester
    then parses the page as any other when it resumes.
    """

    url: str
    declined: bool = False

    def decline(self) -> None:
        self.declined = True


HarvestItem = HarvestedRecord | SharedTriples | RecordFailure | KeepRecord | Page | KeepPage


def page_checksum(response: Response) -> str:
    """What decides a fetched document's items: its bytes, its type and its URL (relative IRIs resolve against it)."""
    digest = hashlib.sha256(f"{response.url}\n{response.content_type}\n".encode())
    digest.update(response.body)
    return digest.hexdigest()


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
        self.known_pages: dict[str, Page] = {}
        """The pages the pipeline remembers, by URL: a harvester that fetches one of them and finds the same
        :func:`page_checksum` yields :class:`KeepPage` and, unless declined, goes on to its ``next_url`` without
        parsing it."""

    @abstractmethod
    def harvest(self) -> Iterator[HarvestItem]:
        """Fetch the source and yield its records mapped to the profile."""

    def option(self, name: str, default: Any = None) -> Any:
        """A type-specific setting of the source."""
        return self.source.options.get(name, default)


_RDF_TYPE = ntriples.iri(ns.RDF + "type")
_A_DATASET = ntriples.iri(ns.DCAT + "Dataset") + " ."
"""What follows ``rdf:type`` in the line of a dataset's type."""
_OWNED = frozenset(ntriples.iri(p) for p in (ns.DCAT + "distribution", ns.GC + "dataElement"))


def split_records(triples: Iterable[ox.Triple]) -> Iterator[HarvestedRecord | SharedTriples]:
    """Cut an RDF description of a catalog into records and shared triples (see :func:`split_lines`)."""
    return split_lines(ntriples.statements(triples))


def split_lines(lines: Iterable[str]) -> Iterator[HarvestedRecord | SharedTriples]:
    """Cut an RDF description of a catalog, as N-Triples lines, into records and shared triples.

    A record is a dataset's own triples plus those of the nodes it owns (data elements, distributions) and
    of the blank nodes hanging from either; everything else is shared. Datasets claim nodes in the order
    they are first described.
    """
    return Description(lines).split()


class Description:
    """N-Triples lines grouped by subject, with the datasets among the subjects: what :func:`split_lines`
    cuts, and what a harvester mapping a page looks at first."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.by_subject: dict[str, list[tuple[str, str, str]]] = {}
        """Each subject's predicate, rest of the line (the object and `` .``) and line, in the lines' order."""
        typed: set[str] = set()
        for line in lines:
            subject, predicate, rest = line.split(" ", 2)
            described = self.by_subject.get(subject)
            if described is None:
                self.by_subject[subject] = described = []
            described.append((predicate, rest, line))
            if predicate == _RDF_TYPE and rest == _A_DATASET:
                typed.add(subject)
        self.datasets = [s for s in self.by_subject if s in typed]
        """The subjects typed ``dcat:Dataset``, in the order they are first described."""

    def split(self) -> Iterator[HarvestedRecord | SharedTriples]:
        by_subject, datasets = self.by_subject, set(self.datasets)
        claimed: set[str] = set()
        records = []
        for dataset in self.datasets:
            members, stack = [], [dataset]
            while stack:
                node = stack.pop()
                if node in claimed or node not in by_subject:
                    continue
                claimed.add(node)
                for predicate, rest, line in by_subject[node]:
                    members.append(line)
                    if rest[0] == "_" or (node == dataset and predicate in _OWNED and rest[:-2] not in datasets):
                        stack.append(rest[:-2])
            iri = "" if ntriples.is_blank(dataset) else ntriples.value(dataset)
            records.append(HarvestedRecord(iri, lines=members))
        shared = [line for s, described in by_subject.items() if s not in claimed for _, _, line in described]
        if shared:
            yield SharedTriples(lines=shared)
        yield from records
