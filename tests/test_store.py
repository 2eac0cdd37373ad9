"""The store: source graphs replaced atomically, versions hidden from callers, vocabularies loaded once.

Every test runs on both engines: the embedded pyoxigraph store and a remote one (a real ``oxigraph serve``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service import store as store_module
from catalog_service.store import PUBLIC_VIEW, CatalogStore, SourceChanged, StoreError

pytestmark = pytest.mark.parametrize("store", ["embedded", "remote"], indirect=True)

TITLE = ox.NamedNode(ns.DCT + "title")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
RDF_TYPE = ox.NamedNode(ns.RDF + "type")


def entries(prefix: str, count: int) -> list[ox.Triple]:
    triples = []
    for i in range(count):
        subject = ox.NamedNode(ns.resource(f"1010001/{i:06d}"))
        triples.append(ox.Triple(subject, RDF_TYPE, DATASET))
        triples.append(ox.Triple(subject, TITLE, ox.Literal(f"{prefix}{i}", language="zh")))
    return triples


def titles(store: CatalogStore) -> set[str]:
    query = "SELECT ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }"
    return {row["t"].value for row in store.query(query)}


def count_datasets(store: CatalogStore) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
    return int(next(iter(store.query(query)))["n"].value)


def test_vocabulary_and_regions_are_queryable(store: CatalogStore) -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?label WHERE { ?r skos:notation '320102' ; skos:prefLabel ?label }"
    )
    assert [row["label"].value for row in store.query(query)] == ["玄武区"]
    assert store.init_vocabulary() is False, "an unchanged vocabulary is not loaded again"


def test_replace_source_swaps_versions(store: CatalogStore) -> None:
    first = store.replace_source("nanjing", entries("旧", 3))
    assert (first.version, first.triples) == (1, 6)
    assert titles(store) == {"旧0", "旧1", "旧2"}
    second = store.replace_source("nanjing", entries("新", 2))
    assert second.version == 2
    assert titles(store) == {"新0", "新1"}
    assert [s.name for s in store.sources()] == ["nanjing"]
    assert store.source("nanjing").triples == 4


def test_previous_version_is_kept_one_generation_only(store: CatalogStore) -> None:
    for n in range(4):
        store.replace_source("suzhou", entries(f"v{n}-", 1))
    graphs = {g.value for g in store.raw.named_graphs() if "/source/suzhou/" in g.value}
    assert graphs == {ns.GRAPH + "source/suzhou/3", ns.GRAPH + "source/suzhou/4"}
    assert titles(store) == {"v3-0"}


def test_sources_are_independent(store: CatalogStore) -> None:
    store.replace_source("a", entries("甲", 2))
    store.replace_source("b", entries("乙", 1))
    store.replace_source("a", [])
    assert titles(store) == {"乙0"}
    store.remove_source("b")
    assert titles(store) == set()
    with pytest.raises(StoreError):
        store.remove_source("b")


def test_bad_source_names_are_refused(store: CatalogStore) -> None:
    for name in ("", "a b", "../x", "a>b", "x" * 101):
        with pytest.raises(StoreError):
            store.replace_source(name, [])


def test_an_unfinished_load_stays_invisible(store: CatalogStore) -> None:
    """A load killed before its switch leaves a graph no reader sees; the next load replaces it."""
    store.replace_source("jiangning", entries("好", 2))
    orphan = ox.NamedNode(ns.GRAPH + "source/jiangning/2")
    store.raw.extend([ox.Quad(ox.NamedNode(ns.resource("1010001/999999")), TITLE, ox.Literal("半截"), orphan)])
    assert titles(store) == {"好0", "好1"}
    store.replace_source("jiangning", entries("再", 1))
    assert titles(store) == {"再0"}


def test_readers_never_see_a_mix(store: CatalogStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one thread replaces a large source over and over, every read sees one whole version.

    Versions are written in many small chunks, so that a reader would catch a half-written one if it could.
    """
    monkeypatch.setattr(store_module, "_CHUNK", 500)
    size = 2_000
    store.replace_source("big", entries("A", size))
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(count_datasets(store))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(4):
            store.replace_source("big", entries("B" if round_ % 2 else "A", size + (round_ % 2)))
    finally:
        stop.set()
        reader.join()
    assert seen, "the reader ran"
    assert set(seen) <= {size, size + 1}


def test_protocol_dataset_narrows_to_current_graphs(store: CatalogStore) -> None:
    store.replace_source("a", entries("甲", 1))
    store.replace_source("b", entries("乙", 1))
    graph_a = store.source("a").graph
    query = "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }"
    assert {r["t"].value for r in store.query(query, default_graph=[graph_a])} == {"甲0"}
    # a graph IRI that is not current (an old version, or made up) contributes nothing
    assert list(store.query(query, default_graph=[ns.GRAPH + "source/a/0"])) == []
    named = "SELECT ?g WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/title> ?t } }"
    assert {r["g"].value for r in store.query(named, named_graphs=[graph_a])} == {graph_a}


def test_update_source_changes_in_place_atomically(store: CatalogStore) -> None:
    store.replace_source("kunshan", entries("甲", 3), state=[])
    first = ns.resource("1010001/000000")
    new = ox.NamedNode(ns.resource("1010001/000009"))
    version = store.update_source(
        "kunshan",
        remove_subjects=[first],
        add=[ox.Triple(new, RDF_TYPE, DATASET), ox.Triple(new, TITLE, ox.Literal("新增", language="zh"))],
    )
    assert version.version == 1, "an in-place change keeps the version"
    assert titles(store) == {"甲1", "甲2", "新增"}
    assert store.source("kunshan").triples == 6


def test_a_version_started_before_an_in_place_change_is_refused(store: CatalogStore) -> None:
    """An edit made while a new version is written would be undone by the switch: the version is refused."""
    store.replace_source("kunshan", entries("甲", 3))
    writer = store.new_version("kunshan")
    writer.copy_previous(except_subjects=set())
    first = ox.NamedNode(ns.resource("1010001/000000"))
    edited = [ox.Triple(first, RDF_TYPE, DATASET), ox.Triple(first, TITLE, ox.Literal("编辑", language="zh"))]
    assert store.update_source("kunshan", remove_subjects=[first.value], add=edited).revision == 1
    with pytest.raises(SourceChanged, match="changed while its new version was written"):
        writer.commit()
    writer.abort()
    assert titles(store) == {"编辑", "甲1", "甲2"}
    assert (store.source("kunshan").version, store.source("kunshan").revision) == (1, 1)
    assert store.replace_source("kunshan", entries("乙", 1)).version == 2, "a version started after it switches"


def test_writer_streams_copies_and_aborts(store: CatalogStore) -> None:
    store.replace_source("city", entries("旧", 3))
    writer = store.new_version("city")
    writer.add(entries("新", 1)[:2])  # replaces 1010001/000000
    writer.copy_previous(except_subjects={ns.resource("1010001/000000")})
    assert titles(store) == {"旧0", "旧1", "旧2"}, "nothing is visible before commit"
    writer.commit([ox.Triple(ox.NamedNode(ns.resource("1010001/000000")), TITLE, ox.Literal("state"))])
    assert titles(store) == {"新0", "旧1", "旧2"}
    state = list(store.query_state("SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }"))
    assert [row["t"].value for row in state] == ["state"]
    aborted = store.new_version("city")
    aborted.add(entries("废", 5))
    aborted.abort()
    assert titles(store) == {"新0", "旧1", "旧2"}
    assert not any(g.value == aborted.graph for g in store.raw.named_graphs())


def test_a_failed_upload_leaves_the_previous_version(store: CatalogStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that fails after part of the new version was written leaves the old one current and whole."""
    monkeypatch.setattr(store_module, "_CHUNK", 100)
    store.replace_source("nanjing", entries("旧", 50))
    writer = store.new_version("nanjing")
    for part in range(4):
        writer.add(entries(f"新{part}-", 50))  # 100 triples: one upload each
    assert any(g.value == writer.graph for g in store.raw.named_graphs()), "part of the new version is written"
    assert titles(store) == {f"旧{i}" for i in range(50)}, "but not visible"
    writer.abort()  # what the harvest pipeline does when its source fails half-way
    assert titles(store) == {f"旧{i}" for i in range(50)}
    assert store.source("nanjing").version == 1
    assert not any(g.value == writer.graph for g in store.raw.named_graphs()), "the partial version is gone"
    with pytest.raises(OSError, match="connection lost"):
        store.replace_source("nanjing", failing(entries("新", 200)))
    assert titles(store) == {f"旧{i}" for i in range(50)}


def failing(triples: list[ox.Triple]) -> Iterator[ox.Triple]:
    yield from triples
    raise OSError("source connection lost")


def test_from_clauses_cannot_widen_the_dataset(store: CatalogStore) -> None:
    """The dataset a query runs over is the store's choice: ``FROM`` naming an old version or a state graph,
    or a made-up graph, reaches nothing outside the current graphs."""
    state = [ox.Triple(ox.NamedNode(ns.resource("x")), TITLE, ox.Literal("状态"))]
    store.replace_source("a", entries("旧", 1), state=state)
    old = store.source("a")
    store.replace_source("a", entries("新", 1))
    pattern = f"?d <{TITLE.value}> ?t FILTER (ISIRI(?d) && STRSTARTS(STR(?d), '{ns.RESOURCE}'))"
    for graph in (old.graph, old.state_graph, ns.GRAPH + "none"):
        rows = store.query(f"SELECT ?t FROM <{graph}> FROM NAMED <{graph}> WHERE {{ {pattern} }}")
        assert {row["t"].value for row in rows} == {"新0"}
        rows = store.query(f"SELECT ?t FROM NAMED <{graph}> WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}")
        assert list(rows) == []
    assert list(store.query(f"SELECT ?t FROM <{old.graph}> WHERE {{ {pattern} }}", default_graph=[])) == []


def test_query_forms_and_pattern_lookups(store: CatalogStore) -> None:
    """ASK, CONSTRUCT and pattern lookups answer alike on both engines."""
    store.replace_source("a", entries("甲", 2))
    assert bool(store.query("ASK { ?d a <http://www.w3.org/ns/dcat#Dataset> }"))
    construct = f"CONSTRUCT {{ ?d <{TITLE.value}> ?t }} WHERE {{ ?d a <{DATASET.value}> ; <{TITLE.value}> ?t }}"
    constructed = store.query(construct)
    assert {t.object.value for t in constructed} == {"甲0", "甲1"}
    graph = ox.NamedNode(store.source("a").graph)
    subject = ox.NamedNode(ns.resource("1010001/000001"))
    assert [q.object.value for q in store.raw.quads_for_pattern(subject, TITLE, None, graph)] == ["甲1"]
    found = list(store.raw.quads_for_pattern(None, None, ox.Literal("甲0", language="zh"), None))
    assert sorted((q.predicate.value, q.graph_name.value) for q in found) == [
        (TITLE.value, graph.value),
        (TITLE.value, PUBLIC_VIEW.value),  # the public audience view holds a copy (module docstring of store.py)
    ]
    with pytest.raises(SyntaxError):
        store.query("SELECT WHERE {")
