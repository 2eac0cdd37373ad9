"""开放属性 edited: an entry made 不予开放 leaves every public interface, and comes back when opened again."""

from __future__ import annotations

import pyoxigraph as ox
from flask.testing import FlaskClient

from catalog_service.store import CatalogStore
from tests.editing.conftest import POLICE_HIDDEN, POLICE_PUBLIC, Node, dataset, element, error_of, patch

SPARQL_JSON = {"Accept": "application/sparql-results+json"}
JIANGNING_PUBLIC = "1040002/000184"
"""江宁区企业经营异常名录信息 (public): its body is jiangning's; nanjing's catalog lists it, describes its service."""


def ask(client: FlaskClient, query: str) -> bool:
    response = client.post("/sparql", data={"query": query}, headers=SPARQL_JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["boolean"]


def public_sightings(
    client: FlaskClient, store: CatalogStore, identifier: str, title: str, since: str | None = None
) -> set[str]:
    """Where the public (``client`` is not signed in) meets the entry; the DCAT export is read from ``since``
    (the export of everything takes long), so only after an edit."""
    iri = dataset(identifier)
    seen = set()
    if client.get(f"/api/datasets/{identifier}").status_code == 200:
        seen.add("api")
    if client.get(f"/datasets/{identifier}").status_code == 200:
        seen.add("page")
    if client.get(f"/resource/{identifier}", headers={"Accept": "text/turtle"}).status_code == 200:
        seen.add("resource")
    items = client.get("/api/search", query_string={"q": title, "size": 100}).get_json()["items"]
    if identifier in {item["identifier"] for item in items}:
        seen.add("search")
    if identifier in client.get("/search", query_string={"q": title}).get_data(as_text=True):
        seen.add("search page")
    if since is not None:
        export = client.get("/catalog.ttl", query_string={"modified_since": since, "page_size": 1000})
        assert export.status_code == 200
        if iri in export.get_data(as_text=True):
            seen.add("export")
    if ask(client, f"ASK {{ <{iri}> ?p ?o }}"):
        seen.add("sparql")
    if ask(client, f"ASK {{ ?s ?p <{iri}> }}"):
        seen.add("sparql links")
    if ask(client, f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{iri}/')) }}"):
        seen.add("sparql nodes")
    node = ox.NamedNode(iri)
    for source in store.sources():  # what SPARQL cannot tell apart: which source's public graph
        graph = ox.NamedNode(source.graph)
        if any(store.raw.quads_for_pattern(None, None, node, graph)) or any(
            store.raw.quads_for_pattern(node, None, None, graph)
        ):
            seen.add(f"graph {source.name}")
    return seen


EVERYWHERE = {"api", "page", "resource", "search", "search page", "sparql", "sparql links", "sparql nodes"}


def edit_time(response) -> str:
    assert response.status_code == 200, response.get_json()
    return response.get_json()["edit"]["at"]


def test_closing_and_reopening_an_entry(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    title = "南京市道路交通事故统计信息"
    assert EVERYWHERE | {"graph nanjing"} <= public_sightings(client, node.store, POLICE_PUBLIC, title)

    closed = edit_time(patch(client, POLICE_PUBLIC, {"openness": "3"}, police, "*"))
    assert public_sightings(client, node.store, POLICE_PUBLIC, title, closed) == set()
    government = client.get(f"/datasets/{POLICE_PUBLIC}", headers=police).get_data(as_text=True)
    assert "badge-not-public" in government
    assert [
        v["notation"]
        for v in element(client.get(f"/api/datasets/{POLICE_PUBLIC}", headers=police).get_json(), "openness")
    ] == ["3"]
    catalog_link = f"ASK {{ <https://w3id.org/gov-catalog/catalog/nanjing/gaj> ?p <{dataset(POLICE_PUBLIC)}> }}"
    assert not ask(client, catalog_link)

    opened = edit_time(patch(client, POLICE_PUBLIC, {"openness": "1"}, police, "*"))
    assert EVERYWHERE | {"export", "graph nanjing"} <= public_sightings(
        client, node.store, POLICE_PUBLIC, title, opened
    )
    assert ask(client, catalog_link)  # the department's catalog lists it again


def test_opening_a_hidden_entry(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    title = "南京市出入境证件签发信息"
    assert public_sightings(client, node.store, POLICE_HIDDEN, title) == set()

    refused = patch(client, POLICE_HIDDEN, {"openness": "2"}, police, "*")  # 有条件开放 needs its conditions
    assert refused.status_code == 422
    assert "https://w3id.org/gov-catalog/ns#openCondition" in {v["resultPath"] for v in error_of(refused)["violations"]}
    assert public_sightings(client, node.store, POLICE_HIDDEN, title) == set()

    change = {"openness": "2", "open-condition": ["实名注册后可查询"]}
    opened = edit_time(patch(client, POLICE_HIDDEN, change, police, "*"))
    seen = public_sightings(client, node.store, POLICE_HIDDEN, title, opened)
    assert EVERYWHERE | {"export", "graph nanjing"} <= seen
    service = f"ASK {{ <{dataset(POLICE_HIDDEN)}/service> <http://www.w3.org/ns/dcat#endpointURL> ?url }}"
    assert ask(client, service)  # its data service came with it
    assert ask(client, f"ASK {{ <https://w3id.org/gov-catalog/catalog/nanjing/gaj> ?p <{dataset(POLICE_HIDDEN)}> }}")


def test_other_sources_follow(node: Node, client: FlaskClient) -> None:
    """jiangning holds the entry; nanjing's catalog, catalog record and data service description follow it."""
    node.accounts.add_user(
        "jiangning-manager",
        "a password for tests",
        role="manager",
        department_code="113201157860537364",
        department_name="南京市江宁区市场监督管理局",
        level="县",
        region="320115",
    )
    manager = node.token("jiangning-manager")
    title = "江宁区企业经营异常名录信息"
    assert {"graph nanjing", "graph jiangning"} <= public_sightings(client, node.store, JIANGNING_PUBLIC, title)

    closed = edit_time(patch(client, JIANGNING_PUBLIC, {"openness": "3"}, manager, "*"))
    assert public_sightings(client, node.store, JIANGNING_PUBLIC, title, closed) == set()
    assert client.get(f"/api/datasets/{JIANGNING_PUBLIC}", headers=manager).status_code == 200

    opened = edit_time(patch(client, JIANGNING_PUBLIC, {"openness": "1"}, manager, "*"))
    seen = public_sightings(client, node.store, JIANGNING_PUBLIC, title, opened)
    assert EVERYWHERE | {"export", "graph nanjing", "graph jiangning"} <= seen
    sources = {r["source"] for r in client.get(f"/api/datasets/{JIANGNING_PUBLIC}").get_json()["provenance"]["records"]}
    assert sources == {"jiangning", "nanjing"}
