"""The physical split at write time: a source version is a public graph and a restricted graph, switched together."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_service import namespaces as ns
from catalog_service.harvest.pipeline import harvest
from catalog_service.store import PUBLIC, CatalogStore
from tests.harvest.catalogs import entry, write
from tests.harvest.test_pipeline import source

pytestmark = pytest.mark.parametrize("store", ["embedded", "remote"], indirect=True)

QUERY = ns.sparql_prefixes() + "SELECT ?id WHERE { ?d a dcat:Dataset ; dct:identifier ?id }"
RECORDS = ns.sparql_prefixes() + "SELECT ?r WHERE { ?r foaf:primaryTopic ?d }"


def ids(store: CatalogStore, audience: str = "government") -> set[str]:
    return {row["id"].value for row in store.query(QUERY, audience=audience)}


def opened(seq: int, is_open: bool) -> dict[str, str]:
    return entry(seq, **{"是否向社会开放": "是" if is_open else "否"})


@pytest.mark.parametrize("in_place_limit", [10_000, 1], ids=["in-place", "new-version"])
def test_openness_changes_move_entries_between_graphs(store: CatalogStore, tmp_path: Path, in_place_limit) -> None:
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [opened(1, True), opened(2, False)]), options={"in_place_limit": in_place_limit})
    harvest(store, src)
    assert ids(store) == {"1010001/000001", "1010001/000002"}
    assert ids(store, PUBLIC) == {"1010001/000001"}
    assert len(list(store.query(RECORDS, audience=PUBLIC))) == 1

    write(path, [opened(1, False), opened(2, True), opened(3, True)])
    run = harvest(store, src)
    assert run.status == "succeeded"
    assert ids(store) == {"1010001/000001", "1010001/000002", "1010001/000003"}
    assert ids(store, PUBLIC) == {"1010001/000002", "1010001/000003"}
    public_text = " ".join(
        str(q) for g in store.current_graphs(PUBLIC) for q in store.raw.quads_for_pattern(None, None, None, g)
    )
    assert "resource/1010001/000001" not in public_text
    entry_ = store.source("xuanwu")
    assert entry_.restricted_graph and entry_.triples == sum(1 for _ in store.triples("xuanwu"))


def test_removing_a_source_drops_its_restricted_graph(store: CatalogStore, tmp_path: Path) -> None:
    harvest(store, source("xuanwu", write(tmp_path / "x.csv", [opened(1, False)])))
    restricted = store.source("xuanwu").restricted_graph
    assert any(g.value == restricted for g in store.raw.named_graphs())
    store.remove_source("xuanwu")
    assert not any(g.value == restricted for g in store.raw.named_graphs())
