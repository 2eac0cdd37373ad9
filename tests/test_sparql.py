"""The SPARQL 1.1 Protocol endpoint: query forms, result formats, status codes, and refusing updates."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.store import CatalogStore
from tests.test_store import entries

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
CONSTRUCT = (
    "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } "
    "WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }"
)


@pytest.fixture
def client(store: CatalogStore, tmp_path) -> FlaskClient:
    store.replace_source("nanjing", entries("南京", 3))
    app = create_app(Config(data_dir=tmp_path), store=store)
    return app.test_client()


def count_from_json(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_direct_post_agree(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": COUNT})
    by_form = client.post("/sparql", data={"query": COUNT})
    direct = client.post("/sparql", data=COUNT.encode(), content_type="application/sparql-query")
    for response in (by_get, by_form, direct):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert count_from_json(response.data) == 3
    assert by_get.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_result_formats(client: FlaskClient, accept: str, mimetype: str) -> None:
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert b"3" in response.data


def test_csv_is_parseable(client: FlaskClient) -> None:
    query = (
        "SELECT ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }"
    )
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert sorted(r["t"] for r in rows) == ["南京0", "南京1", "南京2"]


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_result_formats(client: FlaskClient, accept: str, rdf_format: ox.RdfFormat) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    triples = list(ox.parse(response.data, format=rdf_format))
    assert sorted(t.object.value for t in triples) == ["南京0", "南京1", "南京2"]


def test_ask_and_format_parameter(client: FlaskClient) -> None:
    ask = "ASK { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
    response = client.get("/sparql", query_string={"query": ask, "format": "xml"})
    assert response.mimetype == "application/sparql-results+xml"
    assert b"<boolean>true</boolean>" in response.data


def test_syntax_error_is_400_with_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert "syntax error" in response.get_data(as_text=True)


def test_unmet_accept_is_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    response = client.get("/sparql", query_string={"query": COUNT, "format": "turtle"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": b"CLEAR ALL", "content_type": "application/sparql-update"},
        {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
    ],
)
def test_updates_are_refused_and_change_nothing(client: FlaskClient, request_kwargs: dict) -> None:
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert count_from_json(client.get("/sparql", query_string={"query": COUNT}).data) == 3


def test_update_smuggled_as_query_is_a_syntax_error(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "CLEAR ALL"})
    assert response.status_code == 400
    assert count_from_json(client.get("/sparql", query_string={"query": COUNT}).data) == 3


def test_oversized_query_is_refused(client: FlaskClient) -> None:
    huge = COUNT + " #" + "x" * 200_000
    assert client.post("/sparql", data={"query": huge}).status_code == 413


def test_service_description_and_html_form(client: FlaskClient) -> None:
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200
    triples = list(ox.parse(description.data, format=ox.RdfFormat.TURTLE))
    kinds = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert "http://www.w3.org/ns/sparql-service-description#Service" in kinds
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    assert "<textarea" in page.get_data(as_text=True)
