"""The REST API on the sample federation: datasets, the catalog tree, harvest sources, the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import sample_sources
from catalog_service.harvest.runs import COUNTS
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists
from tests.api.conftest import dataset_count

PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX gc: <https://w3id.org/gov-catalog/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
RESOURCE = "https://w3id.org/gov-catalog/resource/"
KNOWN = "1010002/000186"
"""A provincial resource (江苏省公安厅) with data elements, a distribution and a data service."""


def rows(store: CatalogStore, query: str) -> list[dict[str, str | None]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]


def objects(store: CatalogStore, subject: str, predicate: str) -> set[str]:
    return {r["o"] for r in rows(store, f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")}


def value_text(value: dict[str, Any]) -> str:
    """A JSON value as the lexical form the store holds."""
    if "id" in value:
        return value["id"]
    return str(value["value"]).lower() if isinstance(value["value"], bool) else str(value["value"])


def test_dataset_shows_every_profile_element_with_the_stored_values(client: FlaskClient, federation) -> None:
    response = client.get(f"/api/datasets/{KNOWN}")
    assert response.status_code == 200
    data = response.get_json()
    iri = RESOURCE + KNOWN
    assert data["id"] == iri and data["identifier"] == KNOWN

    profile = rows(
        federation,
        """SELECT ?e ?class ?zh ?en WHERE { ?e a gc:ProfileElement ; gc:elementClass ?class ;
            rdfs:label ?zh, ?en FILTER (LANG(?zh) = "zh" && LANG(?en) = "en") }""",
    )
    by_key = {r["e"].split("#element-", 1)[1]: r for r in profile}
    shown = data["elements"] + data["dataElements"]["columns"]
    assert sorted(e["key"] for e in shown) == sorted(by_key)
    for element in shown:
        assert element["label"] == {"zh": by_key[element["key"]]["zh"], "en": by_key[element["key"]]["en"]}

    (publisher,) = objects(federation, iri, "http://purl.org/dc/terms/publisher")
    for element in data["elements"]:
        subject = publisher if by_key[element["key"]]["class"].endswith("Organization") else iri
        stored = set().union(*(objects(federation, subject, p) for p in element["properties"]))
        assert {value_text(v) for v in element["values"]} == stored, element["key"]
    values = {e["key"]: e["values"] for e in data["elements"]}
    assert values["provider"][0]["name"] == {"zh": "江苏省公安厅"}
    assert values["sharing-type"][0]["label"]["zh"] == "有条件共享"
    assert values["sharing-condition"][0]["lang"] == "zh"
    assert values["classified"] == [{"value": False}]

    elements = rows(
        federation,
        f"""SELECT ?name ?type WHERE {{ <{iri}> gc:dataElement ?e . ?e dct:title ?name ; gc:dataType ?type ;
            gc:position ?n }} ORDER BY ?n""",
    )
    table = data["dataElements"]["rows"]
    assert [r["values"]["data-element-name"][0]["value"] for r in table] == [e["name"] for e in elements]
    assert [r["values"]["data-type"][0]["id"] for r in table] == [e["type"] for e in elements]
    assert [r["position"] for r in table] == list(range(1, len(elements) + 1))

    distributions = objects(federation, iri, "http://www.w3.org/ns/dcat#distribution")
    assert {d["id"] for d in data["distributions"]} == distributions
    services = {r["s"] for r in rows(federation, f"SELECT ?s WHERE {{ ?s dcat:servesDataset <{iri}> }}")}
    assert services and {s["id"] for s in data["services"]} == services
    assert all(s["endpointURL"] for s in data["services"])
    assert data["links"] == {
        "self": f"/api/datasets/{KNOWN}",
        "rdf": f"/resource/{KNOWN}",
        "html": f"/datasets/{KNOWN}",
    }


def test_dataset_provenance_lists_every_source_and_the_authoritative_copy(client: FlaskClient, federation) -> None:
    republished = rows(
        federation,
        """SELECT ?d WHERE { ?r a dcat:CatalogRecord ; foaf:primaryTopic ?d } GROUP BY ?d
            HAVING (COUNT(?r) > 1) ORDER BY ?d LIMIT 1""",
    )[0]["d"]
    stored = rows(
        federation,
        f"""SELECT ?r ?source ?auth ?issued ?modified WHERE {{ ?r a dcat:CatalogRecord ;
            foaf:primaryTopic <{republished}> ; gc:harvestSource ?source ; gc:authoritative ?auth ;
            dct:issued ?issued ; dct:modified ?modified }}""",
    )
    data = client.get(f"/api/datasets/{republished.removeprefix(RESOURCE)}").get_json()
    provenance = data["provenance"]
    records = {r["id"]: r for r in provenance["records"]}
    assert set(records) == {r["r"] for r in stored}
    configured = {s.name: s for s in sample_sources()}
    codes = CodeLists.default()
    for row in stored:
        record = records[row["r"]]
        assert record["source"] == row["source"].rsplit("/", 1)[1]
        assert record["authoritative"] == (row["auth"] == "true")
        assert (record["firstSeen"], record["lastChanged"]) == (row["issued"], row["modified"])
        source = configured[record["source"]]
        assert record["level"]["id"] == codes.concept("level", source.level)
        assert record["region"]["notation"] == source.region
    (authoritative,) = [r for r in stored if r["auth"] == "true"]
    assert provenance["authoritative"]["id"] == authoritative["r"]
    assert provenance["descriptionFrom"] == provenance["authoritative"]["source"]
    assert provenance["records"][0] == provenance["authoritative"]


@pytest.mark.parametrize("path", ["/api/datasets/9999999/000000", "/api/datasets/not a code"])
def test_unknown_dataset_is_404_with_a_message_in_both_languages(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["status"] == 404 and "未找到" in error["zh"] and "no resource" in error["en"]


def test_catalog_tree_counts_add_up_to_the_catalog(client: FlaskClient, federation) -> None:
    data = client.get("/api/catalogs").get_json()
    total = dataset_count(federation)
    assert data["total"] == total == data["tree"]["count"]
    departments: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], path: list[dict[str, Any]]) -> None:
        if node["kind"] == "department":
            assert node["children"] == []
            departments.append({**node, "path": path})
            return
        assert node["count"] == sum(child["count"] for child in node["children"])
        for child in node["children"]:
            walk(child, [*path, node])

    walk(data["tree"], [])
    assert sum(d["count"] for d in departments) == total

    xuanwu = next(d for d in departments if d["path"][-1]["code"] == "320102")
    assert [(n["code"], n["level"]["label"]["zh"]) for n in [*xuanwu["path"]]] == [
        ("100000", "国家"),
        ("320000", "省"),
        ("320100", "市"),
        ("320102", "县"),
    ]
    jiangsu = xuanwu["path"][1]
    assert [c["id"] for c in jiangsu["catalogs"]] == ["https://w3id.org/gov-catalog/catalog/jiangsu"]
    police = next(d for d in departments if d["creditCode"] == "113200002295909933")
    assert police["name"] == {"zh": "江苏省公安厅"} and police["path"][-1]["code"] == "320000"
    assert [c["id"] for c in police["catalogs"]] == ["https://w3id.org/gov-catalog/catalog/jiangsu/gat"]
    assert police["catalogs"][0]["title"] == {"zh": "江苏省公安厅政务信息资源目录"}

    # Kunshan's spreadsheet has no catalogs: its departments come from the resources' division and provider
    kunshan = [d for d in departments if d["path"][-1]["code"] == "320583"]
    assert kunshan and all(d["catalogs"] == [] for d in kunshan)
    in_kunshan = rows(
        federation,
        """SELECT ?p (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ;
            dct:spatial <https://w3id.org/gov-catalog/region/320583> ; dct:publisher ?p } GROUP BY ?p""",
    )
    assert {d["id"]: d["count"] for d in kunshan} == {r["p"]: int(r["n"]) for r in in_kunshan}


def check_sources(data: dict[str, Any], store: CatalogStore) -> None:
    configured = {s.name: s for s in sample_sources()}
    assert data["total"] == len(data["sources"]) == 7
    assert [s["name"] for s in data["sources"]] == sorted(configured)
    codes = CodeLists.default()
    for source in data["sources"]:
        version = store.source(source["name"])
        assert (source["version"], source["triples"]) == (version.version, version.triples)
        assert source["lastRun"]["status"] == "succeeded" and source["lastRun"] == source["lastSuccess"]
        assert source["runs"] == [source["lastRun"]] and source["totalRuns"] == 1
        assert set(source["lastRun"]["counts"]) == set(COUNTS) and source["lastRun"]["counts"]["added"] > 0
        assert source["lastRun"]["errors"] == [] and source["lastRun"]["ended"] >= source["lastRun"]["started"]
        expected = configured[source["name"]]
        assert source["level"]["id"] == codes.concept("level", expected.level)
        assert source["region"]["notation"] == expected.region


def test_sources_lists_the_seven_sources_with_their_runs(client: FlaskClient, federation) -> None:
    data = client.get("/api/sources").get_json()
    check_sources(data, federation)
    assert {s["type"] for s in data["sources"]} == {"dcat", "spreadsheet"}
    assert data["sources"][0]["schedule"] == "1d"


def test_source_levels_are_known_without_configuration(federation, tmp_path) -> None:
    """A node serving a store it did not configure (the demo) still tells each source's level and division."""
    bare = create_app(Config(data_dir=tmp_path), store=federation).test_client()
    data = bare.get("/api/sources").get_json()
    check_sources(data, federation)
    assert {s["type"] for s in data["sources"]} == {None}


@pytest.mark.parametrize(
    "path",
    [
        "/api/sources?runs=0",
        "/api/sources?runs=abc",
        "/api/sources?run=3",
        "/api/catalogs?x=1",
        f"/api/datasets/{KNOWN}?a=b",
    ],
)
def test_bad_parameters_are_400_with_a_message(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["zh"] and error["en"]


DOCUMENTED_PREFIXES = ("/api/", "/sparql", "/catalog", "/resource/")


def openapi_paths_of(app: Flask) -> dict[str, str]:
    """The app's routes under the documented prefixes, as OpenAPI paths, with their blueprint."""
    return {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule): rule.endpoint.split(".")[0]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(DOCUMENTED_PREFIXES)
    }


def test_openapi_document_describes_every_route(client: FlaskClient, app: Flask) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    routes = openapi_paths_of(app)
    assert set(routes) <= set(document["paths"])
    # this node's own features are described by hand (tagged), not just listed from the URL map
    for path, blueprint in routes.items():
        if blueprint in ("api", "export", "sparql"):
            assert all(op.get("tags") for op in document["paths"][path].values()), path
    assert {
        "/api/search",
        "/api/datasets/{identifier}",
        "/api/catalogs",
        "/api/sources",
        "/api/openapi.json",
        "/sparql",
        "/catalog",
        "/catalog.ttl",
        "/catalog.jsonld",
        "/catalog.rdf",
        "/resource/{identifier}",
    } <= set(document["paths"])
    search = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert search == {"q", "level", "region", "publisher", "sharing", "openness", "theme", "format", "frequency"} | {
        "sort",
        "page",
        "size",
        "lang",
    }

    methods = {"get", "post", "put", "patch", "delete"}
    for path, item in document["paths"].items():
        assert item and set(item) <= methods, path
        in_path = set(re.findall(r"{([^}]+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
            assert declared == in_path, path
            assert all(p["in"] in ("query", "path", "header") for p in operation.get("parameters", ()))
            assert operation["responses"] and all(re.fullmatch(r"[1-5]\d\d", s) for s in operation["responses"])

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for v in node.values() for r in refs(v)]
        return [r for v in node for r in refs(v)] if isinstance(node, list) else []

    schemas = document["components"]["schemas"]
    assert refs(document) and all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs(document))
