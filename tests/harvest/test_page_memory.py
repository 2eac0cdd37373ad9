"""Page memory: a page fetched byte for byte as last run is not parsed again, and the run says what parsing would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import harvesters.spreadsheet_source
from catalog_service import namespaces as ns
from catalog_service.harvest import pages
from catalog_service.harvest.pipeline import QUARANTINE, harvest
from catalog_service.harvest.runs import Run
from catalog_service.loading import read_catalog_file
from catalog_service.store import CatalogStore
from harvesters import dcat
from harvesters.base import SourceConfig
from tests.harvest.catalogs import credit_code, entry, write
from tests.servers import Reply, serve
from tests.servers import TestServer as LocalServer

pytestmark = pytest.mark.parametrize("store", ["embedded", "remote"], indirect=True)

PREFIXES = ns.sparql_prefixes()
ORG_NAME = ox.NamedNode(ns.FOAF + "name")
OTHER = {"provider": "南京市玄武区民政局", "credit": credit_code("320102", 2)}
"""Cells of entries whose provider is not the default one."""


class Pages:
    """A paged DCAT catalog on a local server: ``/p/0.ttl`` links to ``/p/1.ttl`` and so on."""

    def __init__(self, server: LocalServer, tmp_path: Path) -> None:
        self.server, self.tmp_path, self.bodies = server, tmp_path, {}
        server.routes.clear()

    def url(self, number: int) -> str:
        return self.server.url(f"/p/{number}.ttl")

    def publish(self, *pages: list[ox.Triple]) -> str:
        """Serve these pages (each its triples); return the first page's URL."""
        for number, triples in enumerate(pages):
            if number + 1 < len(pages):
                view = ox.NamedNode(self.url(number))
                triples = [
                    *triples,
                    ox.Triple(view, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.HYDRA + "PartialCollectionView")),
                    ox.Triple(view, ox.NamedNode(ns.HYDRA + "next"), ox.NamedNode(self.url(number + 1))),
                ]
            body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES)
            self.server.routes[f"/p/{number}.ttl"] = lambda request, body=body: Reply(body, content_type="text/turtle")
        return self.url(0)

    def entries(self, *rows: dict[str, str]) -> list[ox.Triple]:
        """The triples of template rows (entries, with their providers)."""
        return read_catalog_file(write(self.tmp_path / "rows.csv", list(rows))).triples


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with serve() as running:
        yield running


@pytest.fixture
def catalog(server: LocalServer, tmp_path: Path) -> Pages:
    return Pages(server, tmp_path)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages the dcat harvester parses, in order."""
    urls: list[str] = []
    read_page = dcat.read_page

    def spy(response, number):
        urls.append(response.url)
        return read_page(response, number)

    monkeypatch.setattr(dcat, "read_page", spy)
    return urls


def source(url: str) -> SourceConfig:
    return SourceConfig("xuanwu", "dcat", url)


def counts(run: Run) -> dict[str, int]:
    return {k: v for k, v in run.counts.items() if v}


def issues(run: Run) -> list[tuple]:
    return [(i.kind, i.key, i.messages_zh, i.messages_en, i.record) for i in run.issues]


def titles(store: CatalogStore) -> dict[str, str]:
    query = PREFIXES + "SELECT ?id ?t WHERE { ?d a dcat:Dataset ; dct:identifier ?id ; dct:title ?t }"
    return {row["id"].value: row["t"].value for row in store.query(query)}


def quarantined(store: CatalogStore) -> set[str]:
    graph = ox.NamedNode(QUARANTINE + "xuanwu")
    return {q.subject.value for q in store.raw.quads_for_pattern(None, None, None, graph)}


def invalid(seq: int) -> dict[str, str]:
    """An entry that breaks the profile: conditional sharing without its conditions."""
    return entry(seq, **{"共享类型": "有条件共享"})


def test_an_unchanged_catalog_is_replayed_not_parsed(store: CatalogStore, catalog: Pages, parsed: list[str]) -> None:
    url = catalog.publish(
        catalog.entries(entry(1), entry(2)), catalog.entries(entry(3), invalid(4)), catalog.entries(entry(5))
    )
    first = harvest(store, source(url))
    assert (first.status, counts(first)) == ("succeeded", {"added": 4, "invalid": 1})
    assert len(parsed) == 3
    parsed.clear()

    again = harvest(store, source(url))
    assert parsed == [], "no page was parsed again"
    assert (again.status, counts(again)) == ("succeeded", {"unchanged": 4, "invalid": 1})
    assert issues(again) == issues(first), "the invalid record is reported as validation reported it"
    assert ns.resource("1010001/000004") in quarantined(store), "and stays in quarantine"
    assert len(titles(store)) == 4


def test_only_the_pages_that_changed_are_parsed(store: CatalogStore, catalog: Pages, parsed: list[str]) -> None:
    pages_before = [catalog.entries(entry(1), entry(2)), catalog.entries(entry(3), invalid(4))]
    harvest(store, source(catalog.publish(*pages_before)))
    parsed.clear()

    url = catalog.publish(pages_before[0], catalog.entries(entry(3, title="婚姻登记信息"), entry(4)))
    run = harvest(store, source(url))
    assert parsed == [catalog.url(1)]
    assert counts(run) == {"added": 1, "updated": 1, "unchanged": 2}
    assert titles(store)["1010001/000003"] == "婚姻登记信息"
    assert quarantined(store) == set(), "the record fixed is out of quarantine"


def test_a_record_changed_since_its_page_was_remembered_makes_the_page_parsed(
    store: CatalogStore, catalog: Pages, parsed: list[str]
) -> None:
    url = catalog.publish(catalog.entries(entry(1), entry(2)), catalog.entries(entry(3), entry(4)))
    harvest(store, source(url))
    state, dataset = store.source("xuanwu").state_graph, ns.resource("1010001/000003")
    store.raw.update(  # as if the entry had changed here since (its checksum is no longer the source's)
        f"DELETE {{ GRAPH <{state}> {{ <{dataset}> <{ns.GC}checksum> ?c }} }} "
        f'INSERT {{ GRAPH <{state}> {{ <{dataset}> <{ns.GC}checksum> "changed" }} }} '
        f"WHERE {{ GRAPH <{state}> {{ <{dataset}> <{ns.GC}checksum> ?c }} }}"
    )
    parsed.clear()
    run = harvest(store, source(url))
    assert parsed == [catalog.url(1)]
    assert counts(run) == {"updated": 1, "unchanged": 3}


def test_replayed_invalid_records_are_judged_again_when_a_provider_changes_on_another_page(
    store: CatalogStore, catalog: Pages, parsed: list[str]
) -> None:
    first_page = catalog.entries(entry(1), entry(5, **OTHER), entry(6, **OTHER))
    provider = {t.subject for t in first_page if t.predicate == ORG_NAME and t.object.value.endswith("公安分局")}
    described_elsewhere = [t for t in first_page if t.subject not in provider]  # the provider is on page 2
    second_page = catalog.entries(entry(2), entry(7, **OTHER))
    nameless = [t for t in second_page if t.predicate != ORG_NAME or t.subject not in provider]
    url = catalog.publish(described_elsewhere, nameless)
    first = harvest(store, source(url))
    assert counts(first) == {"added": 3, "invalid": 2}, "a provider without a name makes its entries invalid"
    parsed.clear()

    url = catalog.publish(described_elsewhere, second_page)
    run = harvest(store, source(url))
    assert parsed == [catalog.url(1)], "the first page is replayed"
    assert counts(run) == {"added": 2, "unchanged": 3}, "its invalid entry is valid now that its provider has a name"
    assert "1010001/000001" in titles(store)
    assert quarantined(store) == set()


def test_pages_remembered_before_an_upgrade_are_parsed(
    store: CatalogStore, catalog: Pages, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = catalog.publish(catalog.entries(entry(1)), catalog.entries(entry(2)))
    harvest(store, source(url))
    parsed.clear()
    monkeypatch.setattr(pages, "fingerprint", lambda: "other shapes, code lists or code")
    run = harvest(store, source(url))
    assert len(parsed) == 2
    assert counts(run) == {"unchanged": 2}
    parsed.clear()
    assert counts(harvest(store, source(url))) == {"unchanged": 2}
    assert parsed == [], "remembered again under the new fingerprint"


def test_a_resource_twice_in_the_source_is_reported_every_run(
    store: CatalogStore, catalog: Pages, parsed: list[str]
) -> None:
    url = catalog.publish(catalog.entries(entry(1), entry(2)), catalog.entries(entry(1, title="重复"), entry(3)))
    first = harvest(store, source(url))
    assert counts(first) == {"added": 3, "failed": 1}
    parsed.clear()
    again = harvest(store, source(url))
    assert counts(again) == {"unchanged": 3, "failed": 1}
    assert issues(again) == issues(first)
    assert parsed == [catalog.url(1)], "a page with a duplicate is not remembered: it is parsed each run"
    assert titles(store)["1010001/000001"] == "户籍人口基本信息1"


def test_an_unchanged_spreadsheet_is_not_read_again(
    store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = []
    read_template = harvesters.spreadsheet_source.read_template
    monkeypatch.setattr(
        harvesters.spreadsheet_source, "read_template", lambda *a, **k: read.append(1) or read_template(*a, **k)
    )
    rows = [entry(1), entry(2), invalid(3), entry(4, **{"信息资源提供方代码": ""})]
    src = SourceConfig("xuanwu", "spreadsheet", write(tmp_path / "x.csv", rows))
    first = harvest(store, src)
    assert counts(first) == {"added": 2, "invalid": 1, "failed": 1}
    again = harvest(store, src)
    assert len(read) == 1
    assert counts(again) == {"unchanged": 2, "invalid": 1, "failed": 1}
    assert issues(again) == issues(first)
