"""The web application on a remote store answers as on the embedded one, for the sample federation."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.app import STORE_KEY, create_app
from catalog_service.cli import harvest_all
from catalog_service.config import Config
from catalog_service.demo import sample_sources
from catalog_service.remote_store import RemoteStore
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore
from tests.oxigraph_server import oxigraph_server

DATASET, TYPE = ox.NamedNode(ns.DCAT + "Dataset"), ox.NamedNode(ns.RDF + "type")
DATASETS = f"?d a {DATASET}"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ {DATASETS} }}"
SLOW = (  # every pair of divisions: millions of rows for the server, a few seconds
    "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2004/02/skos/core#notation> ?x . "
    "?b <http://www.w3.org/2004/02/skos/core#notation> ?y }"
)


@pytest.fixture(scope="module")
def apps(
    federation: CatalogStore, tmp_path_factory: pytest.TempPathFactory, vocabulary_file: Path
) -> Iterator[dict[str, Flask]]:
    """The same federation twice: harvested into the embedded store and into a real ``oxigraph serve``."""
    folder = tmp_path_factory.mktemp("remote-app")
    with oxigraph_server([vocabulary_file], location=folder / "db") as server:
        config = Config(data_dir=folder / "remote", store=server.store_config(), sparql_max_rows=5, sparql_timeout=5)
        remote = CatalogStore.from_config(config)
        assert isinstance(remote.raw, RemoteStore)
        assert remote.init_vocabulary() is False, "loaded with the server"
        runs = harvest_all(remote, sample_sources())
        assert [r.status for r in runs] == ["succeeded"] * len(runs)
        apps = {
            "embedded": create_app(Config(data_dir=folder / "embedded", sparql_max_rows=5), store=federation),
            "remote": create_app(config),  # opens the store from [store], as gov-catalog serve does
        }
        yield apps
        for app in apps.values():
            app.extensions[INDEX_KEY].close()
        remote.close()


@pytest.fixture(scope="module")
def clients(apps: dict[str, Flask]) -> dict[str, FlaskClient]:
    return {mode: app.test_client() for mode, app in apps.items()}


def both(clients: dict[str, FlaskClient], path: str, **kwargs) -> tuple:
    embedded, remote = (clients[mode].get(path, **kwargs) for mode in ("embedded", "remote"))
    assert (embedded.status_code, remote.status_code) == (200, 200), path
    return embedded, remote


def test_search_page_lists_the_same_entries(clients: dict[str, FlaskClient]) -> None:
    embedded, remote = both(clients, "/search?q=人口")
    links = [re.findall(r'href="(/datasets/[^"?]+)"', r.get_data(as_text=True)) for r in (embedded, remote)]
    assert links[0] and links[0] == links[1]


def test_api_search_sources_and_catalog_tree_agree(clients: dict[str, FlaskClient]) -> None:
    embedded, remote = both(clients, "/api/search?q=社保&size=50")
    assert embedded.json["total"] > 0
    assert [i["id"] for i in embedded.json["items"]] == [i["id"] for i in remote.json["items"]]
    assert embedded.json["facets"] == remote.json["facets"]
    embedded, remote = both(clients, "/api/catalogs")
    assert embedded.json == remote.json
    embedded, remote = both(clients, "/api/sources")
    counts = [sorted((s["name"], s["triples"]) for s in r.json["sources"]) for r in (embedded, remote)]
    assert counts[0] == counts[1]


def test_dataset_descriptions_agree(clients: dict[str, FlaskClient]) -> None:
    found, _ = both(clients, "/api/search?q=信用&size=5")
    assert found.json["items"]
    for item in found.json["items"]:
        embedded, remote = both(clients, f"/api/datasets/{item['identifier']}")
        volatile = {"provenance"}  # harvest times: the two stores were harvested seconds apart
        assert {k: v for k, v in embedded.json.items() if k not in volatile} == {
            k: v for k, v in remote.json.items() if k not in volatile
        }


@pytest.mark.parametrize("query", ["", "?modified_since=2024-01-01", "?exclude_source=national"])
def test_dcat_export_pages_agree(clients: dict[str, FlaskClient], query: str) -> None:
    """The export binds its filters through substitutions, which a remote store rewrites into the query."""
    embedded, remote = both(clients, f"/catalog.ttl{query}")
    listed = [
        {q.subject for q in ox.parse(r.data, format=ox.RdfFormat.TURTLE) if q.object == DATASET and q.predicate == TYPE}
        for r in (embedded, remote)
    ]
    assert listed[0] and listed[0] == listed[1]


def test_sparql_counts_agree_and_the_row_cap_holds(clients: dict[str, FlaskClient]) -> None:
    embedded, remote = both(clients, "/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    assert embedded.data == remote.data
    rows = f"SELECT ?d WHERE {{ {DATASETS} }} ORDER BY ?d"
    embedded, remote = both(clients, "/sparql", query_string={"query": rows}, headers={"Accept": "text/csv"})
    assert remote.headers["X-Result-Truncated"] == "true"
    assert embedded.data == remote.data and len(remote.data.splitlines()) == 6


def test_sparql_ask_and_construct_agree(clients: dict[str, FlaskClient]) -> None:
    ask = f"ASK {{ {DATASETS} }}"
    embedded, remote = both(clients, "/sparql", query_string={"query": ask}, headers={"Accept": "text/csv"})
    assert embedded.data == remote.data
    construct = f"CONSTRUCT {{ {DATASETS} }} WHERE {{ {DATASETS} }}"
    embedded, remote = both(
        clients, "/sparql", query_string={"query": construct}, headers={"Accept": "application/n-triples"}
    )
    assert remote.headers["X-Result-Truncated"] == "true"
    assert len(embedded.data.splitlines()) == len(remote.data.splitlines()) == 5


def test_sparql_on_a_remote_store_stops_waiting_at_the_time_limit(apps: dict[str, Flask]) -> None:
    remote = apps["remote"]
    config = dataclasses.replace(remote.config["GOV_CATALOG"], sparql_timeout=0.2)
    impatient = create_app(config, store=remote.extensions[STORE_KEY])
    try:
        response = impatient.test_client().get("/sparql", query_string={"query": SLOW})
    finally:
        impatient.extensions[INDEX_KEY].close()
    assert response.status_code == 503
    assert "the query exceeded the time limit" in response.get_data(as_text=True)
