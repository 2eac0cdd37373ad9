"""Every preset of the query page runs on the sample federation and finds something."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation
from catalog_service.sparql import RUNNER_KEY
from catalog_service.sparql_examples import EXAMPLES, Example
from catalog_service.store import CatalogStore
from tests.signin import government_client


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


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_example_returns_rows(client: FlaskClient, example: Example) -> None:
    response = client.get("/sparql", query_string={"query": example.query})
    assert response.status_code == 200, response.get_data(as_text=True)
    bindings = json.loads(response.data)["results"]["bindings"]
    assert bindings, f"{example.slug} found nothing"
    assert all(row for row in bindings)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
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
