"""``SERVICE`` to allow-listed peers: a real peer node, and real HTTP servers that are slow, broken or hostile.

The local node is a Flask app (test client) over an in-memory store; the peer is another gov-catalog app served on
127.0.0.1 (``tests/sparql/live_server.py``); the misbehaving peers and the "attacker" that must never be called
are small servers from ``tests/servers.py``, which record every request they get.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.app import create_app
from catalog_service.config import Config, ConfigError
from catalog_service.federated_query import normalise_endpoint
from catalog_service.sparql import RUNNER_KEY
from catalog_service.store import CatalogStore
from tests import servers
from tests.servers import Reply, serve, static
from tests.sparql.live_server import serve as serve_app

PREFIXES = (
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
    "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
    "PREFIX gc: <https://w3id.org/gov-catalog/ns#>\n"
)
SHARING = "https://w3id.org/gov-catalog/code/sharing-type/"
ONE_ROW = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})


def _dataset(key: str, identifier: str, **values: ox.NamedNode | ox.BlankNode | ox.Literal) -> list[ox.Triple]:
    subject = ox.NamedNode(ns.resource(key))
    triples = [
        ox.Triple(subject, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.DCAT + "Dataset")),
        ox.Triple(subject, ox.NamedNode(ns.DCT + "identifier"), ox.Literal(identifier)),
    ]
    properties = {"title": ns.DCT + "title", "contact": ns.DCAT + "contactPoint", "sharing": ns.GC + "sharingType"}
    triples += [ox.Triple(subject, ox.NamedNode(properties[name]), value) for name, value in values.items()]
    return triples


def _peer_store() -> CatalogStore:
    """The peer's catalog: A and B have titles and share one blank-node contact point; C has no title."""
    desk = ox.BlankNode()
    store = CatalogStore.open(None)
    store.replace_source(
        "national",
        _dataset("peer/A", "A", title=ox.Literal("国家A", language="zh"), contact=desk)
        + _dataset("peer/B", "B", title=ox.Literal("国家B", language="zh"), contact=desk)
        + _dataset("peer/C", "C")
        + [ox.Triple(desk, ox.NamedNode(ns.FOAF + "name"), ox.Literal("服务台"))],
    )
    return store


def _local_store() -> CatalogStore:
    store = CatalogStore.open(None)
    store.replace_source(
        "province",
        _dataset("local/A", "A", sharing=ox.NamedNode(SHARING + "1"))
        + _dataset("local/B", "B", sharing=ox.NamedNode(SHARING + "2"))
        + _dataset("local/Z", "Z", sharing=ox.NamedNode(SHARING + "1")),
    )
    return store


@dataclass(frozen=True)
class Network:
    """What the local node can reach: every endpoint but the attacker's is allow-listed."""

    peer: str
    """The real peer node's endpoint."""
    dead: str
    """An endpoint nobody listens on."""
    fake: servers.TestServer
    """Misbehaving peers, one route each (``/slow``, ``/garbage`` …)."""
    attacker: servers.TestServer
    """Never allow-listed: must never get a request."""

    def endpoint(self, name: str) -> str:
        return {"peer": self.peer, "dead": self.dead}.get(name) or self.fake.url(f"/{name}")

    def allowed(self) -> list[str]:
        return [self.peer, self.dead, *(self.fake.url(route) for route in self.fake.routes)]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with ExitStack() as stack:
        peer_app = create_app(Config(data_dir=tmp_path_factory.mktemp("peer")), _peer_store())
        peer = stack.enter_context(serve_app(peer_app))
        attacker = stack.enter_context(serve({"/sparql": static(ONE_ROW, "application/sparql-results+json")}))
        fake = stack.enter_context(serve(_misbehaving_routes(attacker)))
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{closed.getsockname()[1]}/sparql"
        yield Network(peer.url, dead, fake, attacker)


def _misbehaving_routes(attacker: servers.TestServer) -> dict[str, Callable]:
    results = "application/sparql-results+json"
    injected = {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "uri", "value": "http://x/> } ?s ?p ?o . { <http://y/"}}]},
    }
    return {
        "/ok": static(ONE_ROW, results),
        "/slow": lambda request: Reply(ONE_ROW.encode(), content_type=results, delay=3.0),
        "/garbage": static("<html>维护中 / down for maintenance</html>", "text/html"),
        "/ask": static('{"head": {}, "boolean": true}', results),
        "/injected": static(json.dumps(injected), results),
        "/truncated": lambda request: Reply(
            ONE_ROW.encode(), content_type=results, headers={"X-Result-Truncated": "true"}
        ),
        "/redirect": lambda request: Reply(status=307, headers={"Location": attacker.url("/sparql")}),
        "/failing": static("内部错误 / internal error", status=500),
    }


@pytest.fixture
def attacker(network: Network) -> servers.TestServer:
    network.attacker.requests.clear()
    network.fake.requests.clear()
    return network.attacker


@pytest.fixture(scope="module")
def local(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., FlaskClient]]:
    """The local node's test client, with the network's peers allow-listed and ``settings`` applied.

    One node per set of settings, shared by the module's tests: they only read.
    """
    apps: dict[tuple, Flask] = {}

    def make(**settings) -> FlaskClient:
        key = tuple(sorted(settings.items()))
        if key not in apps:
            folder = tmp_path_factory.mktemp("local")
            config = Config(data_dir=folder, sparql_service_peers=network.allowed(), **settings)
            apps[key] = create_app(config, store=_local_store())
        return apps[key].test_client()

    yield make
    for app in apps.values():
        runner = app.extensions.get(RUNNER_KEY)
        if runner is not None:
            runner.close()


def _ask(client: FlaskClient, query: str):
    return client.post(
        "/sparql", data={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"}
    )


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    bindings = response.get_json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


def test_a_join_of_local_and_remote_entries(local, network) -> None:
    query = f"""
SELECT ?id ?sharing ?title WHERE {{
  ?entry dct:identifier ?id ; gc:sharingType ?sharing .
  SERVICE <{network.peer}> {{ ?remote dct:identifier ?id ; dct:title ?title }}
}} ORDER BY ?id"""
    assert _rows(_ask(local(), query)) == [
        {"id": "A", "sharing": SHARING + "1", "title": "国家A"},
        {"id": "B", "sharing": SHARING + "2", "title": "国家B"},
    ]


def test_a_prefixed_name_or_a_relative_iri_may_name_the_peer(local, network) -> None:
    base = network.peer.removesuffix("sparql")  # http://127.0.0.1:port/
    client = local()
    for query in (
        f"PREFIX peer: <{base}> SELECT ?id WHERE {{ SERVICE peer:sparql {{ ?d dct:identifier ?id }} }} ORDER BY ?id",
        f"BASE <{base}> SELECT ?id WHERE {{ SERVICE <sparql> {{ ?d dct:identifier ?id }} }} ORDER BY ?id",
        f"SELECT ?id WHERE {{ SERVICE <{base.upper()}sparql> {{ ?d dct:identifier ?id }} }} ORDER BY ?id",
    ):
        assert [row["id"] for row in _rows(_ask(client, query))] == ["A", "B", "C"], query
    other_path = f"SELECT ?id WHERE {{ SERVICE <{base}./sparql> {{ ?d dct:identifier ?id }} }}"
    assert _ask(client, other_path).status_code == 400, "only the configured URL itself"


def test_service_inside_optional_and_union(local, network) -> None:
    client = local()
    optional = f"""
SELECT ?id ?title WHERE {{
  ?entry dct:identifier ?id .
  OPTIONAL {{ SERVICE <{network.peer}> {{ ?remote dct:identifier ?id ; dct:title ?title }} }}
}} ORDER BY ?id"""
    assert _rows(_ask(client, optional)) == [{"id": "A", "title": "国家A"}, {"id": "B", "title": "国家B"}, {"id": "Z"}]
    union = f"""
SELECT ?id WHERE {{
  {{ ?entry dct:identifier ?id }} UNION {{ SERVICE <{network.peer}> {{ ?remote dct:identifier ?id }} }}
}} ORDER BY ?id"""
    assert [row["id"] for row in _rows(_ask(client, union))] == ["A", "A", "B", "B", "C", "Z"]


def test_unbound_remote_values_join_as_undef(local, network) -> None:
    query = f"""
SELECT ?id ?title WHERE {{
  SERVICE <{network.peer}> {{ ?remote dct:identifier ?id OPTIONAL {{ ?remote dct:title ?title }} }}
  VALUES ?title {{ "国家A"@zh "本地"@zh }}
}} ORDER BY ?id ?title"""
    rows = _rows(_ask(local(), query))
    assert rows == [
        {"id": "A", "title": "国家A"},
        {"id": "C", "title": "国家A"},  # C's title is UNDEF: compatible with either value
        {"id": "C", "title": "本地"},
    ]


def test_remote_blank_nodes_become_one_fresh_iri_each(local, network) -> None:
    query = f"""
SELECT ?id ?desk ?name WHERE {{
  SERVICE <{network.peer}> {{ ?remote dct:identifier ?id ; dcat:contactPoint ?desk . ?desk <{ns.FOAF}name> ?name }}
}} ORDER BY ?id"""
    client = local()
    first, second = _rows(_ask(client, query))
    assert first["desk"] == second["desk"], "the same blank node of one answer is the same IRI"
    assert first["desk"].startswith("http://localhost/.well-known/genid/")
    assert first["name"] == "服务台"
    (again, _) = _rows(_ask(client, query))
    assert again["desk"] != first["desk"], "a blank node is scoped to its answer"


def test_the_word_service_in_strings_iris_and_comments_is_no_call(local, network, attacker) -> None:
    target = network.attacker.url("/sparql")
    query = f"""
PREFIX ex: <{target}#SERVICE>
SELECT ?id WHERE {{
  ?entry dct:identifier ?id .   # SERVICE <{target}> {{ ?s ?p ?o }}
  FILTER(?id != "SERVICE <{target}> {{ ?s ?p ?o }}" && ?id != '''SERVICE <{target}>
    {{ }}''' && ?entry != ex:SERVICE && ?entry != <{target}?SERVICE>)
}} ORDER BY ?id"""
    assert [row["id"] for row in _rows(_ask(local(), query))] == ["A", "B", "Z"]
    assert attacker.requests == []


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{attacker}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{attacker}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service<{attacker}>{{?s ?p ?o}} }}",
        "SELECT * WHERE {{ SERVICESILENT<{attacker}>{{?s ?p ?o}} }}",
        "PREFIX : <{attacker_base}> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        "PREFIX x: <{attacker_base}> SELECT * WHERE {{ ?s ?p true SERVICEx:sparql {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o }}.service<{attacker}>{{?a ?b ?c}}",
        "SELECT * WHERE {{ ?s ?p 1SERVICE <{attacker}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE#note\n<{attacker}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ OPTIONAL {{ ?s ?p ?o }} OPTIONAL {{ SERVICE <{attacker}> {{ ?s ?p ?o }} }} }}",
        "ASK {{ FILTER EXISTS {{ SERVICE <{attacker}> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ SERVICE <{ok}> {{ ?x ?p ?o }} SERVICE <{attacker}> {{ ?s ?p ?o }} }}",
        "BASE <{attacker_base}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE <{attacker_unicode}> {{ ?s ?p ?o }} }}",
    ],
)
def test_a_target_not_allow_listed_is_refused_before_any_request(local, network, attacker, template) -> None:
    target = attacker.url("/sparql")
    query = template.format(
        attacker=target,
        attacker_base=attacker.url("/"),
        attacker_unicode=attacker.url("/\\u0073parql"),
        ok=network.endpoint("ok"),
    )
    response = _ask(local(), query)
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert "allow-listed" in text and "允许" in text and target in text
    assert attacker.requests == [] and network.fake.requests == [], "no request was made"


def test_a_variable_target_is_refused(local, attacker) -> None:
    response = _ask(local(), "SELECT * WHERE { BIND(<http://x/> AS ?where) SERVICE ?where { ?s ?p ?o } }")
    assert response.status_code == 400
    assert "variable" in response.get_data(as_text=True)


def test_without_peers_service_is_refused(network, tmp_path, attacker) -> None:
    app = create_app(Config(data_dir=tmp_path), store=_local_store())
    response = _ask(app.test_client(), f"SELECT * WHERE {{ SERVICE <{network.peer}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 400
    assert "none" in response.get_data(as_text=True)


def test_silent_turns_a_dead_peer_into_the_empty_solution(local, network) -> None:
    query = f"SELECT ?id WHERE {{ ?entry dct:identifier ?id SERVICE SILENT <{network.dead}> {{ ?s ?p ?o }} }}"
    assert sorted(row["id"] for row in _rows(_ask(local(), query))) == ["A", "B", "Z"]


@pytest.mark.parametrize(
    "peer, status, said",
    [
        ("dead", 502, "无法连接 / cannot connect"),
        ("failing", 502, "HTTP 500"),
        ("garbage", 502, "did not answer with valid SPARQL results"),
        ("ask", 502, "SPARQL results: ASK"),
        ("injected", 502, "SPARQL results: Invalid uri"),
        ("truncated", 502, "narrow the SERVICE pattern"),
        ("redirect", 502, "redirects"),
    ],
)
def test_a_failing_peer_is_a_clear_error_naming_it(local, network, attacker, peer, status, said) -> None:
    query = f"SELECT * WHERE {{ ?entry dct:identifier ?id SERVICE <{network.endpoint(peer)}> {{ ?s ?p ?o }} }}"
    client = local()
    response = _ask(client, query)
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert (
        said in text and f"对等节点 {network.endpoint(peer)}" in text and f"the peer {network.endpoint(peer)}" in text
    )
    assert attacker.requests == [], "a redirect is not followed"
    silent = _ask(client, query.replace("SERVICE", "SERVICE SILENT"))
    assert len(_rows(silent)) == 3


def test_more_rows_than_the_cap_is_an_error(local, network) -> None:
    query = f"SELECT ?id WHERE {{ SERVICE <{network.peer}> {{ ?d dct:identifier ?id }} }}"
    client = local(sparql_max_rows=2)
    response = _ask(client, query)
    assert response.status_code == 502
    assert "more than 2 rows" in response.get_data(as_text=True)
    narrowed = query.replace("?id }", "?id FILTER(?id != 'C') }")
    assert len(_rows(_ask(client, narrowed))) == 2


def test_a_slow_peer_is_stopped_at_the_call_limit(local, network) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{network.endpoint('slow')}> {{ ?s ?p ?o }} }}"
    client = local(sparql_service_timeout=0.5)
    started = time.monotonic()
    response = _ask(client, query)
    assert time.monotonic() - started < 2.0
    assert response.status_code == 504
    assert f"the peer {network.endpoint('slow')} did not answer within 0.5 s" in response.get_data(as_text=True)


def test_peer_time_counts_against_the_query_time_limit(local, network) -> None:
    client = local(sparql_timeout=1.0, sparql_service_timeout=10.0)
    started = time.monotonic()
    response = _ask(client, f"SELECT * WHERE {{ SERVICE <{network.endpoint('slow')}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 504
    assert "within 1 s" in response.get_data(as_text=True)
    silent = _ask(client, f"SELECT * WHERE {{ SERVICE SILENT <{network.endpoint('slow')}> {{ ?s ?p ?o }} ?s ?p ?o }}")
    assert silent.status_code == 503, "no time left for the local part"
    slow, ok = network.endpoint("slow"), network.endpoint("ok")
    second = _ask(client, f"SELECT * WHERE {{ SERVICE SILENT <{slow}> {{}} SERVICE <{ok}> {{}} }}")
    assert second.status_code == 504 and "time limit ran out before the peer" in second.get_data(as_text=True)
    assert time.monotonic() - started < 6.0


def test_line_numbers_of_syntax_errors_survive_the_substitution(local, network) -> None:
    query = f"SELECT * WHERE {{\n  SERVICE <{network.endpoint('ok')}> {{\n    ?s ?p ?o\n  }}\n  ?s ?p\n}}"
    with pytest.raises(SyntaxError) as unchanged:  # the text as written (it fails before calling anything)
        ox.Store().query(PREFIXES + query)
    where = re.search(r"error at \d+:\d+", str(unchanged.value)).group(0)
    response = _ask(local(), query)
    assert response.status_code == 400
    assert where in response.get_data(as_text=True)


def test_the_query_page_shows_a_peer_failure(local, network) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{network.dead}> {{ ?s ?p ?o }} }}"
    page = local().post("/sparql", data={"query": query, "format": "html"})
    assert page.status_code == 502
    assert 'role="alert"' in page.get_data(as_text=True)


def test_peers_are_checked_when_the_configuration_is_read(tmp_path) -> None:
    config = tmp_path / "gov-catalog.toml"
    config.write_text('[catalog]\nsparql_service_peers = ["http://node.example/sparql"]\n', encoding="utf-8")
    assert Config.load(config).sparql_service_peers == ["http://node.example/sparql"]
    for bad in ('"http://node.example/sparql"', '["ftp://node.example/"]', '["http://user:secret@node.example/"]'):
        config.write_text(f"[catalog]\nsparql_service_peers = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            Config.load(config)
    config.write_text("[catalog]\nsparql_service_timeout = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        Config.load(config)


def test_endpoints_compare_after_normalisation() -> None:
    assert normalise_endpoint("HTTP://Node.Example:80") == "http://node.example/"
    assert normalise_endpoint("https://node.example:443/sparql?x=1") == "https://node.example/sparql?x=1"
    assert normalise_endpoint("http://node.example:8080/Sparql") == "http://node.example:8080/Sparql"
    assert normalise_endpoint("http://[::1]:8080/sparql") == "http://[::1]:8080/sparql"
    for refused in ("ftp://node.example/", "http://user@node.example/", "http://node.example:x/", "/sparql"):
        assert normalise_endpoint(refused) is None
