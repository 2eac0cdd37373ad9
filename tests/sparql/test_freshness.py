"""Worker processes read a snapshot of the store: every kind of write must reach their next query."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import requests

from catalog_service import namespaces as ns
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.harvest.runs import Run
from catalog_service.store import CatalogStore
from tests.sparql.live_server import serve
from tests.test_store import entries

DATASETS = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
RUNS = "SELECT (COUNT(*) AS ?n) WHERE { ?run a <http://www.w3.org/ns/prov#Activity> }"


def counts(url: str, query: str, clients: int = 6) -> set[int]:
    """What several clients at once are told: with two workers, both get asked."""

    def ask(_: int) -> int:
        response = requests.get(url, params={"query": query}, timeout=10)
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    with ThreadPoolExecutor(clients) as pool:
        return set(pool.map(ask, range(clients)))


def test_every_write_is_seen_by_the_next_query(store: CatalogStore, tmp_path) -> None:
    app = create_app(Config(data_dir=tmp_path, sparql_workers=2), store=store)
    with serve(app) as served:
        assert counts(served.url, DATASETS) == {0}

        store.replace_source("nanjing", entries("南京", 3))  # a new version, switched in the registry
        assert counts(served.url, DATASETS) == {3}

        extra = ox.NamedNode(ns.resource("1010002/000001"))
        dataset = ox.Triple(extra, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.DCAT + "Dataset"))
        store.update_source("nanjing", add=[dataset])  # in place, one small transaction
        assert counts(served.url, DATASETS) == {4}

        Run("nanjing").start(store)  # the runs graph, outside any source
        assert counts(served.url, RUNS) == {1}

        store.replace_source("suzhou", entries("苏州", 51_000))  # over 100k triples: bulk-loaded table files
        # the default graph is the RDF merge of the sources: nanjing's three entries are suzhou's first three
        assert counts(served.url, DATASETS) == {51_001}
