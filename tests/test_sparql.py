"""The SPARQL 1.1 Protocol endpoint: query forms, result formats, status codes, refusing updates and SERVICE,
the row cap, the dataset, and the query page."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.sparql import RUNNER_KEY
from catalog_service.sparql_examples import EXAMPLES
from catalog_service.store import CatalogStore
from tests.test_store import entries

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
CONSTRUCT = (
    "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } "
    "WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }"
)


@pytest.fixture
def client(store: CatalogStore, tmp_path) -> Iterator[FlaskClient]:
    store.replace_source("nanjing", entries("南京", 3))
    with _client(store, Config(data_dir=tmp_path)) as test_client:
        yield test_client


@contextmanager
def _client(store: CatalogStore, config: Config) -> Iterator[FlaskClient]:
    """A test client of an app over ``store``; its query workers are stopped afterwards."""
    app = create_app(config, store=store)
    try:
        yield app.test_client()
    finally:
        runner = app.extensions.get(RUNNER_KEY)
        if runner is not None:
            runner.close()


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
    query = "SELECT ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }"
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


def test_service_description_unmet_accept_is_406(client: FlaskClient) -> None:
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_oversized_direct_post_is_refused(client: FlaskClient) -> None:
    huge = (COUNT + " #" + "x" * 200_000).encode()
    assert client.post("/sparql", data=huge, content_type="application/sparql-query").status_code == 413


def test_two_queries_are_400_and_unknown_parameters_are_ignored(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400
    response = client.get("/sparql", query_string={"query": COUNT, "timeout": "5", "callback": "x"})
    assert response.status_code == 200
    assert count_from_json(response.data) == 3


def test_service_is_refused_but_the_word_in_strings_iris_and_comments_is_not(client: FlaskClient) -> None:
    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": federated})
    assert response.status_code == 400
    assert "SERVICE" in response.get_data(as_text=True)
    sneaky = "SELECT * WHERE { ?s ?p ?o }.service<http://127.0.0.1:9/x>{?a ?b ?c}"
    assert client.get("/sparql", query_string={"query": sneaky}).status_code == 400
    harmless = (
        "PREFIX ex: <http://example.org/SERVICE#>\n"
        "SELECT * WHERE { ?s ?p ?o FILTER(?o != 'SERVICE <x> {}' && ?o != ex:SERVICE) } # SERVICE <y> {}"
    )
    assert client.get("/sparql", query_string={"query": harmless}).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_nothing_malformed_is_a_500(client: FlaskClient, method: str) -> None:
    for query in (
        "",
        " ",
        "SELECT",
        "}",
        "PREFIX : <",
        "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
        "\x00",
        "ASK {} ASK {}",
    ):
        if method == "GET":
            response = client.get("/sparql", query_string={"query": query})
        else:
            response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
        assert response.status_code == 400, (query, response.status_code)
    assert client.post("/sparql", data=b"ASK {}", content_type="image/png").status_code == 415
    assert client.get("/sparql", query_string={"query": COUNT, "format": "nonsense"}).status_code == 406


@pytest.fixture
def capped(store: CatalogStore, tmp_path) -> Iterator[FlaskClient]:
    store.replace_source("nanjing", entries("南京", 3))
    with _client(store, Config(data_dir=tmp_path, sparql_max_rows=2)) as test_client:
        yield test_client


TITLES = (
    "SELECT ?d ?t WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"
)


def test_select_results_beyond_the_row_cap_are_cut_and_still_well_formed(capped: FlaskClient) -> None:
    as_json = capped.get("/sparql", query_string={"query": TITLES})
    assert as_json.headers["X-Result-Truncated"] == "true"
    assert [b["t"]["value"] for b in json.loads(as_json.data)["results"]["bindings"]] == ["南京0", "南京1"]
    as_xml = capped.get("/sparql", query_string={"query": TITLES, "format": "xml"})
    results = ET.fromstring(as_xml.data).iter("{http://www.w3.org/2005/sparql-results#}result")
    assert len(list(results)) == 2
    as_csv = capped.get("/sparql", query_string={"query": TITLES, "format": "csv"})
    assert [r["t"] for r in csv.DictReader(io.StringIO(as_csv.data.decode()))] == ["南京0", "南京1"]
    as_tsv = capped.get("/sparql", query_string={"query": TITLES, "format": "tsv"})
    assert as_tsv.data.decode().splitlines()[1:] == [
        f'<{ns.resource("1010001/000000")}>\t"南京0"@zh',
        f'<{ns.resource("1010001/000001")}>\t"南京1"@zh',
    ]
    assert as_json.headers["Access-Control-Expose-Headers"] == "X-Result-Truncated"


def test_results_within_the_cap_are_not_marked_truncated(capped: FlaskClient) -> None:
    exactly_two = TITLES + " LIMIT 2"
    response = capped.get("/sparql", query_string={"query": exactly_two})
    assert response.headers["X-Result-Truncated"] == "false"
    assert len(json.loads(response.data)["results"]["bindings"]) == 2
    ask = capped.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert "X-Result-Truncated" not in ask.headers


def test_graph_results_are_capped_by_triples(capped: FlaskClient) -> None:
    for accept, rdf_format in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
        response = capped.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["X-Result-Truncated"] == "true"
        assert len(list(ox.parse(response.data, format=rdf_format))) == 2


def test_terms_survive_the_row_cap_machinery(store: CatalogStore, tmp_path) -> None:
    """Answers are serialised as TSV, cut, and converted: every kind of term must come through unchanged."""
    subject = ox.NamedNode("https://example.org/odd")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    objects = [
        ox.Literal('带\n换行\t制表 "引号" \\ 反斜杠'),
        ox.Literal("中文", language="zh-Hans"),
        ox.Literal("-0", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("1.50", datatype=ox.NamedNode(xsd + "decimal")),
        ox.Literal("INF", datatype=ox.NamedNode(xsd + "double")),
        ox.Literal("2024-02-30", datatype=ox.NamedNode(xsd + "date")),
        ox.Literal("x", datatype=ox.NamedNode("https://example.org/custom")),
        ox.BlankNode("b0"),
        ox.NamedNode("https://example.org/含中文的IRI?q=1#f"),
    ]
    store.replace_source("odd", [ox.Triple(subject, ox.NamedNode("https://example.org/p"), o) for o in objects])
    query = "SELECT ?o ?unbound WHERE { <https://example.org/odd> ?p ?o } ORDER BY STR(?o)"
    direct = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    with _client(store, Config(data_dir=tmp_path)) as client:
        response = client.get("/sparql", query_string={"query": query})
        assert json.loads(response.data) == json.loads(direct)
        graph = client.get(
            "/sparql",
            query_string={"query": "CONSTRUCT WHERE { <https://example.org/odd> ?p ?o }"},
            headers={"Accept": "application/n-triples"},
        )
        parsed = ox.parse(graph.data, format=ox.RdfFormat.N_TRIPLES)
        expected = store.query("CONSTRUCT WHERE { <https://example.org/odd> ?p ?o }")
        assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == set(expected)


def test_dataset_narrowing_is_the_stores(store: CatalogStore, tmp_path) -> None:
    """``default-graph-uri`` narrows to current graphs; graphs readers must not see stay hidden however named."""
    store.replace_source("nanjing", entries("南京", 3))
    store.replace_source("suzhou", entries("苏州", 2))
    current, state = store.source("suzhou").graph, store.source("suzhou").state_graph
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    cases = [
        ({"query": query, "default-graph-uri": current}, store.query(query, default_graph=[current])),
        ({"query": query, "default-graph-uri": state}, store.query(query, default_graph=[state])),
        ({"query": query.replace("WHERE", f"FROM <{state}> WHERE")}, store.query(query)),
    ]
    expected = [int(next(iter(result))["n"].value) for _, result in cases]
    assert expected[0] == 4 and expected[1] == 0
    with _client(store, Config(data_dir=tmp_path)) as client:
        for (params, _), count in zip(cases, expected, strict=True):
            assert count_from_json(client.get("/sparql", query_string=params).data) == count


def test_in_memory_store_is_answered_in_process_with_a_deadline(tmp_path) -> None:
    store = CatalogStore.open(None)
    store.init_vocabulary()
    store.replace_source("nanjing", entries("南京", 3))
    config = Config(data_dir=tmp_path, sparql_timeout=0.5, sparql_max_rows=10**9)
    with _client(store, config) as client:
        assert count_from_json(client.get("/sparql", query_string={"query": COUNT}).data) == 3
        endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
        started = time.monotonic()
        response = client.get("/sparql", query_string={"query": endless}, headers={"Accept": "text/csv"})
        assert response.status_code == 503
        assert "0.5 s" in response.get_data(as_text=True)
        assert time.monotonic() - started < 2.0


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_query_page_offers_the_examples_accessibly(client: FlaskClient) -> None:
    page = client.get("/sparql", headers=BROWSER)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert '<label for="query">' in html and '<label for="format">' in html
    assert 'lang="en"' in html
    for example in EXAMPLES:
        assert f"/sparql?example={example.slug}" in html
        assert example.title_zh in html


def test_query_page_runs_a_query_and_shows_a_table(client: FlaskClient) -> None:
    page = client.post("/sparql", data={"query": TITLES, "format": "html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<th scope="col">t</th>' in html
    assert '<td class="literal" lang="zh">南京2</td>' in html
    assert 'name="format" value="csv"' in html  # the same answer as a download
    by_accept = client.get("/sparql", query_string={"query": TITLES}, headers=BROWSER)
    assert by_accept.mimetype == "text/html"
    assert "南京1" in by_accept.get_data(as_text=True)


def test_query_page_shows_errors_with_their_status(client: FlaskClient) -> None:
    page = client.post("/sparql", data={"query": "SELECT ?x WHERE { ?x", "format": "html"})
    assert page.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True)
    assert client.get("/sparql?example=nonsense", headers=BROWSER).status_code == 404
    hostile = "SELECT * WHERE { ?s ?p ?o } # </textarea><script>alert(1)</script>"
    html = client.post("/sparql", data={"query": hostile, "format": "html"}).get_data(as_text=True)
    assert "<script>" not in html
