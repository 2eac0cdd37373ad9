"""Keeping the index in step with the store: refresh after changes and removals, rebuild beside a serving index,
``gov-catalog reindex``, and damaged or outdated index files."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.app import create_app
from catalog_service.cli import main
from catalog_service.config import Config
from catalog_service.resources import resource_dir
from catalog_service.search import SearchIndex, current_index, documents, index_path
from catalog_service.search.documents import chunked
from catalog_service.store import CatalogStore
from tests.search.conftest import copy_store, search

NATIONAL = resource_dir("examples") / "federation" / "national.ttl"
ALL = ns.sparql_prefixes() + "SELECT DISTINCT ?d WHERE { ?d a dcat:Dataset }"
TITLE = ox.NamedNode(ns.DCT + "title")


@pytest.fixture
def store(federation: CatalogStore) -> CatalogStore:
    """A copy of the sample federation that a test may change."""
    return copy_store(federation)


@pytest.fixture
def on_disk(store: CatalogStore, tmp_path: Path) -> Iterator[SearchIndex]:
    index = SearchIndex.open(tmp_path / "index.sqlite")
    index.rebuild(store)
    yield index
    index.close()


def source_of(store: CatalogStore, iri: str) -> str:
    """The source whose graph holds the body of an entry."""
    graphs = {entry.graph: entry.name for entry in store.sources()}
    rows = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> a <{ns.DCAT}Dataset> }} }}")
    return graphs[next(iter(rows))["g"].value]


def retitle(store: CatalogStore, iri: str, title: str) -> None:
    name = source_of(store, iri)
    triples = [t for t in store.triples(name) if t.subject.value == iri and t.predicate != TITLE]
    triples.append(ox.Triple(ox.NamedNode(iri), TITLE, ox.Literal(title, language="zh")))
    store.update_source(name, remove_subjects=[iri], add=triples)


def remove(store: CatalogStore, iri: str) -> None:
    store.update_source(source_of(store, iri), remove_subjects=[iri])


def some_entry(store: CatalogStore) -> str:
    return next(iter(store.query(ALL)))["d"].value


def test_refresh_picks_up_a_changed_title(store: CatalogStore, on_disk: SearchIndex) -> None:
    iri = some_entry(store)
    retitle(store, iri, "萤火虫观测记录")
    assert search(on_disk, q="萤火虫")["total"] == 0
    assert on_disk.refresh(store, [iri]) == 1
    items = search(on_disk, q="萤火虫")["items"]
    assert [item["id"] for item in items] == [iri]
    assert items[0]["highlight"]["title"] == "<mark>萤火虫</mark>观测记录"
    retitle(store, iri, "蝴蝶迁徙记录")
    on_disk.refresh(store, [iri])
    assert search(on_disk, q="萤火虫")["total"] == 0  # the old tokens left the index
    assert [item["id"] for item in search(on_disk, q="蝴蝶")["items"]] == [iri]


def test_refresh_drops_a_removed_entry_everywhere(store: CatalogStore, on_disk: SearchIndex, tmp_path: Path) -> None:
    elsewhere = SearchIndex.open(tmp_path / "index.sqlite")  # as another process would open it
    iri = some_entry(store)
    before = search(elsewhere)
    level = _level_of(on_disk, iri)
    remove(store, iri)
    on_disk.refresh(store, [iri])
    for index in (on_disk, elsewhere):
        after = search(index)
        assert after["total"] == before["total"] - 1
        assert _count(after, "level", level) == _count(before, "level", level) - 1
        assert iri not in {i["id"] for page in range(1, 6) for i in search(index, size=100, page=page)["items"]}
    elsewhere.close()


def _level_of(index: SearchIndex, iri: str) -> str:
    items = [i for page in range(1, 6) for i in search(index, size=100, page=page)["items"]]
    return next(i["level"]["value"] for i in items if i["id"] == iri)


def _count(result: dict, facet: str, value: str) -> int:
    return next((e["count"] for e in result["facets"][facet] if e["value"] == value), 0)


def test_refresh_of_unknown_or_malformed_iris_is_harmless(store: CatalogStore, on_disk: SearchIndex) -> None:
    total = search(on_disk)["total"]
    assert on_disk.refresh(store, ["not an iri", "https://example.org/nothing", ns.ORG + "x"]) == 3
    assert search(on_disk)["total"] == total


def test_a_removed_entry_that_returns_is_found_again(store: CatalogStore, on_disk: SearchIndex) -> None:
    iri = some_entry(store)
    name = source_of(store, iri)
    triples = [t for t in store.triples(name) if t.subject.value == iri]
    remove(store, iri)
    on_disk.refresh(store, [iri])
    store.update_source(name, add=triples)
    on_disk.refresh(store, [iri])
    assert iri in {i["id"] for page in range(1, 6) for i in search(on_disk, size=100, page=page)["items"]}


class ChangingStore:
    """A store that runs ``change`` just before its ``at``-th query: a harvest happening during a rebuild."""

    def __init__(self, store: CatalogStore, at: int, change: Callable[[], None]) -> None:
        self.store, self.at, self.change, self.calls = store, at, change, 0

    def query(self, sparql: str, **options: object):
        self.calls += 1
        if self.calls == self.at:
            self.change()
        return self.store.query(sparql, **options)

    def content_graphs(self) -> list:
        return self.store.content_graphs()


def test_rebuild_serves_the_old_index_until_it_switches_and_keeps_concurrent_changes(
    store: CatalogStore, on_disk: SearchIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "BATCH", 100)
    first = some_entry(store)  # read in the first batch, changed while the third is read
    elsewhere = SearchIndex.open(tmp_path / "index.sqlite")
    total = search(elsewhere)["total"]
    seen_during_build: list[int] = []

    def harvest() -> None:
        retitle(store, first, "萤火虫观测记录")
        elsewhere.refresh(store, [first])
        seen_during_build.append(search(elsewhere, q="萤火虫")["total"])
        seen_during_build.append(search(elsewhere)["total"])

    assert on_disk.rebuild(ChangingStore(store, 4, harvest)) == total
    assert seen_during_build == [1, total]  # the old index, refreshed, kept answering
    for index in (on_disk, elsewhere):
        assert [i["id"] for i in search(index, q="萤火虫")["items"]] == [first]
        assert search(index)["total"] == total
    with sqlite3.connect(tmp_path / "index.sqlite") as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"docs_2", "fts_2"} <= tables and "docs_1" not in tables  # the old generation is gone
    elsewhere.close()


def test_failed_rebuild_leaves_the_index_as_it_was(store: CatalogStore, on_disk: SearchIndex) -> None:
    total = search(on_disk, q="人口")["total"]

    def fail() -> None:
        raise RuntimeError("source store went away")

    with pytest.raises(RuntimeError):
        on_disk.rebuild(ChangingStore(store, 2, fail))
    assert search(on_disk, q="人口")["total"] == total
    assert not on_disk.needs_rebuild


def test_replace_with_documents_and_chunked() -> None:
    index = SearchIndex.open(None)
    assert index.needs_rebuild
    made = [documents.Document(f"{ns.RESOURCE}1010001/{n:06d}", titles={"zh": "户籍人口"}) for n in range(7)]
    assert index.replace(made) == 7 and not index.needs_rebuild
    assert search(index, q="人口")["total"] == 7
    assert [len(c) for c in chunked(range(7), 3)] == [3, 3, 1]
    index.close()


def test_reindex_command_rebuilds_a_missing_or_truncated_index(tmp_path: Path, capsys) -> None:
    data = tmp_path / "var"
    assert main(["load", str(NATIONAL), "--source", "national", "--data-dir", str(data)]) == 0
    path = index_path(data)
    assert not path.exists()
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert "search index rebuilt" in capsys.readouterr().out
    count = _total(path)
    assert count > 50

    size = path.stat().st_size
    with open(path, "r+b") as file:
        file.truncate(size // 2)
    damaged = SearchIndex.open(path)
    assert damaged.needs_rebuild and search(damaged)["total"] == 0
    damaged.close()
    assert main(["reindex", "--data-dir", str(data)]) == 0
    assert _total(path) == count


def _total(path: Path) -> int:
    index = SearchIndex.open(path)
    try:
        return search(index, q="信息")["total"]
    finally:
        index.close()


@pytest.mark.parametrize("damage", ["garbage", "schema"])
def test_app_rebuilds_a_damaged_or_outdated_index_at_start(
    federation: CatalogStore, tmp_path: Path, damage: str
) -> None:
    create_app(Config(data_dir=tmp_path), store=federation)
    path = index_path(tmp_path)
    if damage == "garbage":
        path.write_bytes(b"\x00garbage" * 4096)
    else:
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE meta SET value = '0/old' WHERE key = 'schema'")
    app = create_app(Config(data_dir=tmp_path), store=federation)
    with app.app_context():
        assert search(current_index(), q="人口")["total"] > 10
