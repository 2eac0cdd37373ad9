"""Page memory: what each fetched document of a source gave last run, so that an unchanged one is not parsed.

A harvester that reads a source in documents (DCAT pages, a spreadsheet file) announces each one with a
:class:`~harvesters.base.Page` carrying a checksum of its bytes. When a run succeeds, the pipeline remembers,
per page, in the source's state graph: the checksum, the next page, and the page's items in order — each record
(IRI, key, checksum) with its verdict (kept, or invalid with its messages and the subjects it has in the
quarantine graph), each failure with its messages, and the page's shared triples.

On the next run the harvester is told these pages (:attr:`~harvesters.base.Harvester.known_pages`); one whose
bytes hash the same is not parsed, and the pipeline replays its items instead — or declines the page
(:meth:`~harvesters.base.KeepPage.decline`), which the harvester then parses after all. Replaying gives what
parsing, mapping and validating the page would: the same document maps to the same records, and the pipeline
only replays when each record's checksum is still the one in the source's state (an entry edited on this
node, or changed by a partial run, makes its page be parsed again). An invalid record's verdict also depends on
the shared triples (its provider may be described on another page): if those changed, the replayed invalid
records are judged again, from their copy in the quarantine graph. Items and verdicts depend on the shapes,
the code lists and the code too: a :func:`fingerprint` of them is remembered with each page, so that after an
upgrade every page is parsed once.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

import catalog_service
import harvesters
from catalog_service import namespaces as ns
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore, source_iri
from harvesters.base import Page

RECORD, INVALID, FAILED = "record", "invalid", "failed"
"""Kinds of remembered items: a record the run kept, an invalid record, and an entry that could not be taken."""

P_URL = ox.NamedNode(ns.GC + "pageUrl")
P_CHECKSUM = ox.NamedNode(ns.GC + "pageChecksum")
P_NEXT = ox.NamedNode(ns.GC + "nextPage")
P_FINGERPRINT = ox.NamedNode(ns.GC + "pageFingerprint")
P_ITEMS = ox.NamedNode(ns.GC + "pageItems")
P_SHARED = ox.NamedNode(ns.GC + "pageShared")


@dataclass
class Memory:
    """One page as a run left it: its items in order (JSON-able lists, see :data:`RECORD`) and shared lines."""

    page: Page
    items: list[list] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)

    def triples(self, source: str) -> list[ox.Triple]:
        """The page's description in the source's state graph."""
        node = ox.NamedNode(page_node(source, self.page.url))
        out = [
            ox.Triple(node, P_URL, ox.Literal(self.page.url)),
            ox.Triple(node, P_CHECKSUM, ox.Literal(self.page.checksum)),
            ox.Triple(node, P_FINGERPRINT, ox.Literal(fingerprint())),
            ox.Triple(node, P_ITEMS, ox.Literal(json.dumps(self.items, ensure_ascii=False))),
            ox.Triple(node, P_SHARED, ox.Literal("\n".join(self.shared))),
        ]
        if self.page.next_url is not None:
            out.append(ox.Triple(node, P_NEXT, ox.Literal(self.page.next_url)))
        return out


def page_node(source: str, url: str) -> str:
    """The subject describing a page of a source in its state graph."""
    return f"{source_iri(source)}/page/{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def remembered(store: CatalogStore, source: str) -> dict[str, Page | None]:
    """The pages remembered for ``source``, by URL; ``None`` for those remembered under another
    :func:`fingerprint`, which cannot be replayed. Their items are read when one is kept (:func:`read_memory`)."""
    entry = store.source(source)
    if entry is None:
        return {}
    query = f"""SELECT ?url ?checksum ?next ?fingerprint WHERE {{ GRAPH <{entry.state_graph}> {{
        ?page <{P_URL.value}> ?url ; <{P_CHECKSUM.value}> ?checksum ; <{P_FINGERPRINT.value}> ?fingerprint
        OPTIONAL {{ ?page <{P_NEXT.value}> ?next }} }} }}"""
    pages: dict[str, Page | None] = {}
    for row in store.query_state(query):
        url, following = row["url"].value, row["next"]
        usable = row["fingerprint"].value == fingerprint()
        following = None if following is None else following.value
        pages[url] = Page(url, row["checksum"].value, following) if usable else None
    return pages


def read_memory(store: CatalogStore, source: str, page: Page) -> Memory | None:
    """The remembered items and shared lines of a page (``None`` if it is no longer remembered)."""
    entry = store.source(source)
    node = page_node(source, page.url)
    query = f"""SELECT ?items ?shared WHERE {{ GRAPH <{entry.state_graph}> {{
        <{node}> <{P_ITEMS.value}> ?items ; <{P_SHARED.value}> ?shared }} }}"""
    row = next(iter(store.query_state(query)), None)
    if row is None:
        return None
    shared = row["shared"].value
    return Memory(page, json.loads(row["items"].value), shared.split("\n") if shared else [])


@functools.cache
def fingerprint() -> str:
    """A digest of what besides a page's bytes decides its items and their verdicts: the shapes, the ontology
    and code lists, the code of this package and of the harvesters, and pyoxigraph's version (its parsers)."""
    digest = hashlib.sha256(ox.__version__.encode())
    folders = [resource_dir("shapes"), resource_dir("ontology")]
    files = [p for folder in folders for p in sorted(folder.glob("*.ttl"))]
    for package in (catalog_service, harvesters):
        root = Path(package.__file__).parent
        files += sorted(root.rglob("*.py"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
