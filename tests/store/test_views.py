"""Audience views: one graph per audience holding the union of the current graphs it reads, kept in step by
every change (replacement, in-place update, sealing, removal, vocabulary reload), on both engines."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service import store as store_module
from catalog_service.store import (
    PUBLIC_VIEW,
    REGIONS_GRAPH,
    REGISTRY_GRAPH,
    RESTRICTED_VIEW,
    RUNS_GRAPH,
    VOCABULARY_GRAPH,
    CatalogStore,
)

on_both_engines = pytest.mark.parametrize("store", ["embedded", "remote"], indirect=True)

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
TITLE = ox.NamedNode(ns.DCT + "title")
PUBLISHER = ox.NamedNode(ns.DCT + "publisher")
NAME = ox.NamedNode(ns.FOAF + "name")
CATALOG_HAS = ox.NamedNode(ns.DCAT + "dataset")
CURRENT = ox.NamedNode(ns.GC + "currentGraph")
RESTRICTED = ox.NamedNode(ns.GC + "restrictedGraph")
OFFICE = ox.NamedNode(ns.BASE + "org/office")
CATALOG = ox.NamedNode(ns.BASE + "catalog/a")


def entry(number: int, title: str) -> list[ox.Triple]:
    subject = ox.NamedNode(ns.resource(f"1010001/{number:06d}"))
    return [
        ox.Triple(subject, RDF_TYPE, DATASET),
        ox.Triple(subject, TITLE, ox.Literal(title, language="zh")),
        ox.Triple(subject, PUBLISHER, OFFICE),
    ]


SHARED = [ox.Triple(OFFICE, NAME, ox.Literal("办公厅", language="zh"))]
"""A publisher's description that two sources both carry."""


def graph_triples(store: CatalogStore, graph: ox.NamedNode) -> set[ox.Triple]:
    return {q.triple for q in store.raw.quads_for_pattern(None, None, None, graph)}


def union(store: CatalogStore, fixed: list[ox.NamedNode], member: ox.NamedNode) -> set[ox.Triple]:
    graphs = fixed + [q.object for q in store.raw.quads_for_pattern(None, member, None, REGISTRY_GRAPH)]
    return {t for g in graphs for t in graph_triples(store, g)}


def assert_views_consistent(store: CatalogStore) -> None:
    assert store.views_ready()
    public = union(store, [VOCABULARY_GRAPH, REGIONS_GRAPH], CURRENT)
    assert graph_triples(store, PUBLIC_VIEW) == public
    assert graph_triples(store, RESTRICTED_VIEW) == union(store, [], RESTRICTED)


def public_titles(store: CatalogStore) -> set[str]:
    query = f"SELECT ?t WHERE {{ ?d a {DATASET} ; {TITLE} ?t }}"
    return {row["t"].value for row in store.for_audience("public").query(query)}


@on_both_engines
def test_views_follow_replacements_updates_seals_and_removals(store: CatalogStore) -> None:
    assert store.default_graphs("public") == [PUBLIC_VIEW, REGISTRY_GRAPH, RUNS_GRAPH]
    store.replace_source(
        "a", entry(1, "甲") + entry(2, "乙") + SHARED + [ox.Triple(CATALOG, CATALOG_HAS, entry(2, "")[0].subject)]
    )
    store.replace_source("b", entry(3, "丙") + SHARED)
    assert_views_consistent(store)
    assert public_titles(store) == {"甲", "乙", "丙"}

    store.replace_source("a", entry(1, "甲二") + entry(2, "乙"))  # a no longer carries the shared name
    assert_views_consistent(store)
    assert (OFFICE, NAME) in {(t.subject, t.predicate) for t in graph_triples(store, PUBLIC_VIEW)}, "b still has it"

    second = entry(2, "乙")[0].subject
    store.update_source("a", remove_subjects=[second.value], add_restricted=entry(2, "乙（不予开放）"))
    assert_views_consistent(store)
    assert public_titles(store) == {"甲二", "丙"}
    assert "乙（不予开放）" in {row["t"].value for row in store.query(f"SELECT ?t WHERE {{ {second} {TITLE} ?t }}")}

    sixth = entry(6, "己")[0].subject
    store.replace_source("c", [*entry(6, "己"), ox.Triple(CATALOG, CATALOG_HAS, sixth)])
    store.replace_source("d", entry(7, "庚"))
    store.update_source("d", add_restricted=entry(6, "己")[:1])  # d now holds entry 6 as not public
    store.update_source("c", add=entry(8, "辛"))  # c's public catalog link to it is sealed
    assert ox.Triple(CATALOG, CATALOG_HAS, sixth) not in graph_triples(store, PUBLIC_VIEW)
    assert ox.Triple(CATALOG, CATALOG_HAS, sixth) in graph_triples(store, RESTRICTED_VIEW)
    assert_views_consistent(store)
    store.remove_source("c")
    store.remove_source("d")

    store.remove_source("b")
    store.replace_source("a", entry(5, "戊"))
    assert_views_consistent(store)
    assert public_titles(store) == {"戊"}
    assert not any(t.subject == OFFICE for t in graph_triples(store, PUBLIC_VIEW))


@on_both_engines
def test_a_failed_version_never_reaches_the_views(store: CatalogStore) -> None:
    store.replace_source("a", entry(1, "甲"))
    writer = store.new_version("a")
    writer.add(entry(2, "未提交"))
    writer.abort()
    assert_views_consistent(store)
    assert public_titles(store) == {"甲"}


@on_both_engines
def test_a_vocabulary_reload_keeps_what_sources_repeat(store: CatalogStore) -> None:
    region = ox.NamedNode(ns.REGION + "320102")
    label = next(t for t in graph_triples(store, REGIONS_GRAPH) if t.subject == region)
    store.replace_source("a", [*entry(1, "甲"), label])
    store.raw.update(
        f"DELETE WHERE {{ GRAPH {REGISTRY_GRAPH} {{ {REGIONS_GRAPH} <{ns.GC}checksum> ?c }} }}"
    )  # as if regions.ttl had changed
    assert store.init_vocabulary() is True
    assert_views_consistent(store)
    assert label in graph_triples(store, PUBLIC_VIEW)


@on_both_engines
def test_a_store_from_before_the_views_gets_them_built(store: CatalogStore) -> None:
    store.replace_source("a", entry(1, "甲") + SHARED)
    store.update_source("a", add_restricted=entry(2, "乙"))
    store.raw.update(
        f"DROP GRAPH {PUBLIC_VIEW}; DROP GRAPH {RESTRICTED_VIEW}; "
        f"DELETE WHERE {{ GRAPH {REGISTRY_GRAPH} {{ ?view a <{ns.GC}AudienceView> }} }}"
    )
    old = CatalogStore(store.raw, store.path)
    assert not old.views_ready()
    assert old.default_graphs() == old.current_graphs(), "until built, queries list the current graphs"
    assert public_titles(old) == {"甲"}
    old.ensure_views()
    assert_views_consistent(old)
    assert public_titles(old) == {"甲"}


@on_both_engines
def test_a_first_version_copied_into_the_views_but_never_switched_is_taken_out(
    store: CatalogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_BULK_THRESHOLD", 0)  # every copy in bulk, as for large sources
    store.replace_source("a", entry(1, "甲") + SHARED)
    assert_views_consistent(store)

    def no_switch(*args: object) -> str:
        raise OSError("killed before the switch")

    with monkeypatch.context() as patch:
        patch.setattr(store_module, "_registry_update", no_switch)
        with pytest.raises(OSError):
            store.replace_source("b", entry(2, "乙") + SHARED)  # fails, and aborts
        assert_views_consistent(store)
        writer = store.new_version("c")
        writer.add(entry(3, "丙") + SHARED)
        with pytest.raises(OSError):
            writer.commit()  # fails, and is not aborted: as if the process had been killed
        embedded = isinstance(store.raw, ox.Store)  # a remote server copies inside the switch
        assert public_titles(store) == ({"甲", "丙"} if embedded else {"甲"}), "in bulk, the copy precedes the switch"

    store.replace_source("c", entry(4, "丁"))  # the next writer of the source cleans up first
    assert_views_consistent(store)
    assert public_titles(store) == {"甲", "丁"}
    assert (OFFICE, NAME) in {(t.subject, t.predicate) for t in graph_triples(store, PUBLIC_VIEW)}, "a still has it"


def test_opening_the_store_takes_out_an_unswitched_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CatalogStore.open(tmp_path)
    writer = store.new_version("a")
    writer.add(entry(1, "甲"))
    monkeypatch.setattr(store_module, "_registry_update", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.commit()
    assert public_titles(store) == {"甲"}
    store.close()
    reopened = CatalogStore.open(tmp_path)
    assert_views_consistent(reopened)
    assert public_titles(reopened) == set()
    reopened.close()
