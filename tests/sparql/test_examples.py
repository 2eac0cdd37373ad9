"""Every preset of the query page runs on the sample federation and finds something; the federated one with a
second node serving the same federation as its peer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from catalog_service.app import STORE_KEY, create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation
from catalog_service.sparql import RUNNER_KEY
from catalog_service.sparql_examples import ACROSS_NODES, EXAMPLES, NATIONAL_NODE, Example
from catalog_service.store import CatalogStore
from tests.signin import government_client
from tests.sparql.live_server import Served, serve

ON_ONE_NODE = tuple(example for example in EXAMPLES if example is not ACROSS_NODES)
NATIONAL_BY_CATEGORY = """
SELECT ?category (COUNT(?entry) AS ?n) WHERE {
  ?entry a <http://www.w3.org/ns/dcat#Dataset> ;
         <https://w3id.org/gov-catalog/ns#level> <https://w3id.org/gov-catalog/code/level/1> ;
         <https://w3id.org/gov-catalog/ns#resourceCategory>/<http://www.w3.org/2004/02/skos/core#prefLabel> ?category .
  FILTER(LANG(?category) = "zh")
} GROUP BY ?category"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    folder = tmp_path_factory.mktemp("federation")
    store = CatalogStore.open(folder)
    store.init_vocabulary()
    assert {run.status for run in load_sample_federation(store)} == {"succeeded"}
    app = create_app(Config(data_dir=folder), store=store)
    yield government_client(app)  # the not-shared example has rows for government users only
    app.extensions[RUNNER_KEY].close()
    store.close()


@pytest.fixture(scope="module")
def national(client: FlaskClient) -> Iterator[Served]:
    """A second node over the same store, served on 127.0.0.1: the peer the federated example asks."""
    local = client.application
    with serve(create_app(local.config["GOV_CATALOG"], store=local.extensions[STORE_KEY])) as served:
        yield served


@pytest.mark.parametrize("example", ON_ONE_NODE, ids=lambda e: e.slug)
def test_example_returns_rows(client: FlaskClient, example: Example) -> None:
    response = client.get("/sparql", query_string={"query": example.query})
    assert response.status_code == 200, response.get_data(as_text=True)
    bindings = json.loads(response.data)["results"]["bindings"]
    assert bindings, f"{example.slug} found nothing"
    assert all(row for row in bindings)


@pytest.mark.parametrize("example", ON_ONE_NODE, ids=lambda e: e.slug)
def test_example_preset_shows_its_table(client: FlaskClient, example: Example) -> None:
    page = client.get("/sparql", query_string={"example": example.slug})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-current="page"' in html
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None and body.group(1).count("<tr>") >= 1


def test_levels_by_sharing_type_counts_every_entry(client: FlaskClient) -> None:
    by_level = json.loads(client.get("/sparql", query_string={"query": EXAMPLES[0].query}).data)
    total = sum(int(row["entries"]["value"]) for row in by_level["results"]["bindings"])
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
    n = json.loads(client.get("/sparql", query_string={"query": everything}).data)["results"]["bindings"][0]["n"]
    assert total == int(n["value"])
    levels = {row["level"]["value"] for row in by_level["results"]["bindings"]}
    assert levels == {"国家", "省", "市", "县"}


def test_federated_example_joins_this_node_with_the_national_node(
    client: FlaskClient, national: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.application.config["GOV_CATALOG"], "sparql_service_peers", [national.url])
    query = ACROSS_NODES.query.replace(NATIONAL_NODE, national.url)
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = json.loads(response.data)["results"]["bindings"]
    national_entries = {row["category"]["value"]: int(row["nationalEntries"]["value"]) for row in rows}
    # the peer is asked anonymously: it counts the national entries open to the public
    public = client.application.test_client().get("/sparql", query_string={"query": NATIONAL_BY_CATEGORY})
    expected = {row["category"]["value"]: int(row["n"]["value"]) for row in public.get_json()["results"]["bindings"]}
    assert len(national_entries) >= 3
    assert national_entries == {category: n for category, n in expected.items() if category in national_entries}
    assert set(national_entries) <= {"人口", "法人", "自然资源和空间地理", "社会信用", "电子证照"}
    assert all(int(row["entries"]["value"]) > 0 for row in rows)


def test_federated_example_renders_where_its_peer_is_not_allow_listed(client: FlaskClient) -> None:
    page = client.get("/sparql", query_string={"example": ACROSS_NODES.slug})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert escape(ACROSS_NODES.note_zh) in html and escape(ACROSS_NODES.note_en) in html
    assert "is not an allow-listed peer of this node" in html and 'aria-current="page"' in html
