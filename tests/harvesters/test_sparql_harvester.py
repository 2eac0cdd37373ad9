"""The SPARQL harvester against a real Oxigraph endpoint, and against small fake servers for its failures.

The endpoint holds ``tests/data/sparql/catalog.ttl`` (thirty entries of a city catalog) in its default graph
and ``zhejiang.trig`` (five entries of a provincial catalog) in a named graph. What each record should hold is
worked out here from those files, independently of the harvester's queries: the dataset's triples, those of
its data elements and distributions, and those of the blank nodes below any of them; publishers are shared.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.rdfio import parse_file
from harvesters.base import HarvestedRecord, HarvestError, HarvestItem, RecordFailure, SharedTriples, SourceConfig
from harvesters.http import Fetcher
from harvesters.registry import harvester_class
from tests.oxigraph_server import OxigraphServer, oxigraph_server
from tests.servers import Reply, Route, serve, static

if TYPE_CHECKING:  # imported by name, pytest would try to collect it as a test class
    from tests.servers import TestServer

DATA = Path(__file__).resolve().parents[1] / "data" / "sparql"
CATALOG = DATA / "catalog.ttl"
ZHEJIANG = DATA / "zhejiang.trig"
ZHEJIANG_GRAPH = "https://data.example.gov.cn/graph/zhejiang"

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
OWNED = {ox.NamedNode(ns.DCAT + "distribution"), ox.NamedNode(ns.GC + "dataElement")}
PUBLISHER = ox.NamedNode(ns.DCT + "publisher")
RESOURCE = "https://w3id.org/gov-catalog/resource/"


@pytest.fixture(scope="module")
def endpoint(oxigraph_servers) -> OxigraphServer:
    """The shared endpoint: read-only, so one server serves the whole module."""
    return oxigraph_servers([CATALOG, ZHEJIANG])


def run(url: str, fetcher: Fetcher | None = None, **options) -> Iterator[HarvestItem]:
    """The harvest as the pipeline drives it: lazily, one page fetched when the previous one is consumed."""
    source = SourceConfig("test", "sparql", url, options=options)
    return harvester_class("sparql")(source, fetcher or Fetcher(read_timeout=5, deadline=10, retries=0)).harvest()


def harvest(url: str, fetcher: Fetcher | None = None, **options) -> list[HarvestItem]:
    return list(run(url, fetcher, **options))


def loaded(graph: str | None = None) -> list[ox.Triple]:
    if graph is None:
        return parse_file(CATALOG)
    name = ox.NamedNode(graph)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=ZHEJIANG) if q.graph_name == name]


def expected_records(triples: list[ox.Triple]) -> tuple[dict[str, list[ox.Triple]], set[ox.Triple]]:
    """Each dataset's record as the profile has it, and the publishers' triples."""
    about: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        about.setdefault(t.subject, []).append(t)
    records: dict[str, list[ox.Triple]] = {}
    publishers: set[ox.Triple] = set()
    for dataset in {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == DATASET}:
        nodes = [dataset] + [t.object for t in about[dataset] if t.predicate in OWNED]
        own = [t for node in nodes for t in about.get(node, [])]
        blanks = [t for b in {t.object for t in own if isinstance(t.object, ox.BlankNode)} for t in about[b]]
        records[dataset.value] = own + blanks
        publishers.update(t for p in (t.object for t in about[dataset] if t.predicate == PUBLISHER) for t in about[p])
    return records, publishers


def canonical(triples: list[ox.Triple]) -> ox.Dataset:
    """The triples with blank nodes renamed canonically: the endpoint's blank node labels are its own."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def assert_harvested(items: list[HarvestItem], graph: str | None = None) -> None:
    """Every dataset of the graph arrived exactly once with exactly its triples; publishers came as shared."""
    records, publishers = expected_records(loaded(graph))
    harvested = [i for i in items if isinstance(i, HarvestedRecord)]
    assert sorted(r.iri for r in harvested) == sorted(records)
    for record in harvested:
        assert len(record.triples) == len(set(record.triples)) == len(records[record.iri]), record.iri
        assert canonical(record.triples) == canonical(records[record.iri]), record.iri
    shared = {t for i in items if isinstance(i, SharedTriples) for t in i.triples}
    assert shared == publishers
    assert [i for i in items if isinstance(i, RecordFailure)] == []


@pytest.mark.parametrize(("paging", "page_size"), [("offset", 7), ("subject-range", 7), ("offset", 500)])
def test_every_dataset_arrives_once_with_all_its_triples(endpoint: OxigraphServer, paging: str, page_size: int) -> None:
    items = harvest(endpoint.query_url, paging=paging, page_size=page_size)
    assert_harvested(items)
    assert len([i for i in items if isinstance(i, HarvestedRecord)]) == 30


@pytest.mark.parametrize("paging", ["offset", "subject-range"])
def test_graph_option_restricts_to_a_named_graph(endpoint: OxigraphServer, paging: str) -> None:
    items = harvest(endpoint.query_url, paging=paging, page_size=2, graph=ZHEJIANG_GRAPH)
    assert_harvested(items, ZHEJIANG_GRAPH)
    assert len([i for i in items if isinstance(i, HarvestedRecord)]) == 5


def test_custom_queries_from_a_file_and_from_text(endpoint: OxigraphServer, tmp_path: Path) -> None:
    select = tmp_path / "openly-shared.rq"
    select.write_text(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
        "PREFIX gc: <https://w3id.org/gov-catalog/ns#>\n"
        "SELECT ?resource WHERE {\n"
        "  ?resource a dcat:Dataset ; gc:sharingType <https://w3id.org/gov-catalog/code/sharing-type/1> .\n"
        "  FILTER(STR(?resource) > {{after}})\n"
        "} ORDER BY ?resource LIMIT {{limit}}\n",
        encoding="utf-8",
    )
    left_out = RESOURCE + "1040002/000001"
    construct = (
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        "CONSTRUCT { ?dataset a ?type ; dct:title ?title }\n"
        "WHERE {\n"
        "  VALUES ?dataset { {{datasets}} }\n"
        "  ?dataset a ?type ; dct:title ?title .\n"
        f"  FILTER(?dataset != <{left_out}>)\n"
        "}\n"
    )
    items = harvest(
        endpoint.query_url,
        paging="subject-range",
        page_size=4,
        query_file={"select": str(select)},
        construct_query=construct,
    )
    shared_openly = {
        t.subject.value
        for t in loaded()
        if t.predicate == ox.NamedNode(ns.GC + "sharingType") and t.object.value.endswith("/sharing-type/1")
    }
    records = {i.iri: i for i in items if isinstance(i, HarvestedRecord)}
    assert set(records) == shared_openly - {left_out}
    titles = ox.NamedNode(ns.DCT + "title")
    for record in records.values():
        assert {t.predicate for t in record.triples} == {RDF_TYPE, titles}
    failures = [i for i in items if isinstance(i, RecordFailure)]
    assert [f.key for f in failures] == [left_out]
    assert "construct query returned no description" in failures[0].message_en


def test_changes_between_pages(tmp_path: Path) -> None:
    """Neither paging mode yields a dataset twice or misses one that stayed, while the endpoint changes."""
    inserted = RESOURCE + "1010001/000000"  # sorts before the first page's last dataset: shifts later offsets
    deleted = RESOURCE + "3000007/000001"  # sorts last: not harvested yet when it goes
    unchanged = set(expected_records(loaded())[0]) - {deleted}
    for paging in ("offset", "subject-range"):
        with oxigraph_server([CATALOG], location=tmp_path / paging) as server:
            iris = []
            for item in run(server.query_url, paging=paging, page_size=7):
                if isinstance(item, HarvestedRecord):
                    iris.append(item.iri)
                    if len(iris) == 7:
                        server.add(f"<{inserted}> a <{ns.DCAT}Dataset> .".encode(), "text/turtle")
                        server.update(f"DELETE WHERE {{ <{deleted}> ?p ?o }}")
        assert sorted(iris) == sorted(unchanged), paging


def test_a_syntax_error_reported_by_the_endpoint_is_surfaced(endpoint: OxigraphServer) -> None:
    broken = (
        "CONSTRUCT { ?dataset ?p ?o } WHERE {\n  VALUES ?dataset { {{datasets}} }\n  ?dataset ?p ?o ; FILTR(?o) .\n}"
    )
    with pytest.raises(HarvestError) as caught:
        harvest(endpoint.query_url, construct_query=broken)
    message = str(caught.value)
    assert "HTTP 400" in message
    assert "option construct_query" in message
    assert "error at 3:" in message  # Oxigraph's own words, with the line of the configured query


@pytest.fixture(scope="module")
def fake_server() -> Iterator[TestServer]:
    with serve() as server:
        yield server


@pytest.fixture
def fake(fake_server: TestServer) -> TestServer:
    """A fake endpoint for the failures a real one will not produce; each test sets its ``/sparql`` route."""
    fake_server.routes.clear()
    fake_server.requests.clear()
    return fake_server


JSON_RESULTS = "application/sparql-results+json"


def results(*iris: str) -> bytes:
    bindings = [{"dataset": {"type": "uri", "value": iri}} for iri in iris]
    return json.dumps({"head": {"vars": ["dataset"]}, "results": {"bindings": bindings}}).encode()


def select_or_construct(select: Reply, construct: Reply) -> Route:
    return lambda request: construct if b"CONSTRUCT" in request.body else select


def test_endpoint_answering_500(fake: TestServer) -> None:
    fake.routes["/sparql"] = static("数据库连接池耗尽 / connection pool exhausted", status=500)
    with pytest.raises(HarvestError, match=r"HTTP 500 .*connection pool exhausted"):
        harvest(fake.url("/sparql"))


def test_unreachable_endpoint() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HarvestError, match=f"cannot connect: SPARQL endpoint http://127.0.0.1:{port}/query"):
        harvest(f"http://127.0.0.1:{port}/query", Fetcher(retries=1, backoff=0.01))


def test_transient_failures_are_retried(fake: TestServer) -> None:
    answers = iter([Reply(b"", 503), Reply(results(), content_type=JSON_RESULTS)])
    fake.routes["/sparql"] = lambda request: next(answers)
    assert harvest(fake.url("/sparql"), Fetcher(retries=2, backoff=0.01)) == []
    assert len(fake.requests) == 2
    assert fake.requests[0].method == "POST"
    assert fake.requests[0].headers["Accept"].startswith(JSON_RESULTS)


def test_named_graph_is_sent_as_the_protocols_default_graph(fake: TestServer) -> None:
    fake.routes["/sparql"] = static(results(), JSON_RESULTS)
    harvest(fake.url("/sparql"), graph=ZHEJIANG_GRAPH)
    assert "default-graph-uri=https%3A//data.example.gov.cn/graph/zhejiang" in fake.requests[0].body.decode()


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(b"{not json", content_type=JSON_RESULTS), "malformed answer"),
        (Reply(b"<html>maintenance</html>", content_type="text/html"), "expected SPARQL JSON or XML results"),
        (Reply(b'{"head": {}, "boolean": true}', content_type=JSON_RESULTS), "solutions of a SELECT"),
        (Reply(results("x").replace(b'"uri"', b'"literal"'), content_type=JSON_RESULTS), "must bind dataset IRIs"),
        (Reply(results("http://a/b c"), content_type=JSON_RESULTS), "Invalid IRI"),
    ],
)
def test_malformed_select_answers(fake: TestServer, reply: Reply, expected: str) -> None:
    fake.routes["/sparql"] = lambda request: reply
    with pytest.raises(HarvestError, match=expected):
        harvest(fake.url("/sparql"))


def test_malformed_construct_answer(fake: TestServer) -> None:
    fake.routes["/sparql"] = select_or_construct(
        Reply(results("http://a"), content_type=JSON_RESULTS),
        Reply(b"<http://a> <http://b> .", content_type="application/n-triples"),
    )
    with pytest.raises(HarvestError, match=r"malformed answer .* construct query"):
        harvest(fake.url("/sparql"))


def test_subject_range_refuses_an_endpoint_ordering_otherwise(fake: TestServer) -> None:
    fake.routes["/sparql"] = static(results("http://b", "http://a"), JSON_RESULTS)
    with pytest.raises(HarvestError, match="code-point order"):
        harvest(fake.url("/sparql"), paging="subject-range")


def test_offset_paging_notices_an_endpoint_ignoring_offset(fake: TestServer) -> None:
    fake.routes["/sparql"] = select_or_construct(
        Reply(results("http://a"), content_type=JSON_RESULTS), Reply(b"", content_type="application/n-triples")
    )
    with pytest.raises(HarvestError, match="same page twice"):
        harvest(fake.url("/sparql"))


def test_size_cap(endpoint: OxigraphServer) -> None:
    with pytest.raises(HarvestError, match="cap"):
        harvest(endpoint.query_url, Fetcher(max_bytes=2000, retries=0))


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        ("http://127.0.0.1:9/q", {"paging": "cursor"}, "unknown paging"),
        ("http://127.0.0.1:9/q", {"page_size": 0}, "positive integer"),
        ("http://127.0.0.1:9/q", {"page_size": "50"}, "positive integer"),
        ("http://127.0.0.1:9/q", {"graph": "zhejiang"}, "absolute IRI"),
        ("file:///etc/passwd", {}, "http\\(s\\) URL"),
        ("http://127.0.0.1:9/q", {"select_query": "SELECT ?d { ?d ?p ?o } LIMIT {{limit}}"}, "lacks .*offset"),
        (
            "http://127.0.0.1:9/q",
            {"paging": "subject-range", "select_query": "SELECT ?d { ?d ?p ?o } LIMIT {{limit}} OFFSET {{offset}}"},
            "lacks .*after",
        ),
        ("http://127.0.0.1:9/q", {"construct_query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "lacks .*datasets"),
        ("http://127.0.0.1:9/q", {"construct_query": "{{datasets}} {{dataset}}"}, "unknown placeholders: {{dataset}}"),
        ("http://127.0.0.1:9/q", {"select_query": "x", "query_file": {"select": "x.rq"}}, "give select_query or"),
        ("http://127.0.0.1:9/q", {"query_file": "x.rq"}, "must be a table"),
        ("http://127.0.0.1:9/q", {"query_file": {"construct": "/nonexistent/q.rq"}}, "cannot read the query file"),
        (
            "http://127.0.0.1:9/q",
            {"select_query": "DELETE WHERE { ?s ?p ?o } # {{limit}} {{offset}}"},
            "must be a query, not an update",
        ),
    ],
)
def test_configuration_errors(url: str, options: dict, expected: str) -> None:
    with pytest.raises(HarvestError, match=expected):
        harvest(url, **options)
