"""Adversarial visibility tests: the public sees only entries open to society (开放属性 1 or 2), on every interface.

Signed-in government users (here: an API token) see every entry, with 不予共享 entries marked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.app import STORE_KEY, create_app
from catalog_service.store import PUBLIC, CatalogStore
from tests.sparql.live_server import serve

SPARQL_JSON = {"Accept": "application/sparql-results+json"}


def _ident(iri: str) -> str:
    return iri.removeprefix(ns.RESOURCE)


def _leaks(text: str, hidden: list[str]) -> list[str]:
    return [iri for iri in hidden if iri in text]


# -- the store: a physical split ------------------------------------------------------------------


def test_no_triple_of_a_hidden_entry_is_in_a_public_graph(catalog: CatalogStore, hidden: list[str]) -> None:
    public = catalog.current_graphs(PUBLIC)
    terms = {ox.NamedNode(iri) for iri in hidden}
    for graph in public:
        for quad in catalog.raw.quads_for_pattern(None, None, None, graph):
            assert quad.subject not in terms, quad
            assert quad.object not in terms, quad  # not even a public entry's dct:relation to it
    # their catalog records (foaf:primaryTopic) too
    records = catalog.query(
        "SELECT ?r ?d WHERE { ?r <http://xmlns.com/foaf/0.1/primaryTopic> ?d }", audience="government"
    )
    hidden_records = {row["r"] for row in records if row["d"] in terms}
    assert hidden_records
    for graph in public:
        for record in hidden_records:
            assert next(catalog.raw.quads_for_pattern(record, None, None, graph), None) is None


def test_government_graphs_hold_everything_and_registry_lists_both(catalog: CatalogStore) -> None:
    for version in catalog.sources():
        assert version.restricted_graph
        assert ox.NamedNode(version.restricted_graph) in catalog.current_graphs("government")
        assert ox.NamedNode(version.restricted_graph) not in catalog.current_graphs(PUBLIC)
    internal = {g.value for g in catalog.current_graphs("government")} | {g.value for g in catalog.state_graphs()}
    assert all("/state/" not in g for g in {g.value for g in catalog.current_graphs(PUBLIC)})
    assert internal


# -- search ---------------------------------------------------------------------------------------


def test_search_totals_items_and_facets(public: FlaskClient, government: FlaskClient, hidden, shown) -> None:
    anon = public.get("/api/search?size=100").get_json()
    gov = government.get("/api/search?size=100").get_json()
    assert anon["total"] == len(shown)
    assert gov["total"] == len(shown) + len(hidden)
    assert {f["value"] for f in anon["facets"]["openness"]} <= {"1", "2"}
    assert sum(f["count"] for f in anon["facets"]["level"]) <= len(shown)
    assert "3" not in {f["value"] for f in anon["facets"]["sharing"]}  # 不予共享 entries are never open
    assert not _leaks(json.dumps(anon, ensure_ascii=False), hidden)


@pytest.mark.parametrize(
    "query",
    ["openness=3", "sharing=3", "public_only=0", "q=*", "sort=modified&size=100", "openness=3&sort=modified"],
)
def test_search_filters_cannot_reach_hidden_entries(public: FlaskClient, hidden, query: str) -> None:
    response = public.get(f"/api/search?{query}")
    if response.status_code == 400:
        return
    body = response.get_json()
    assert not _leaks(json.dumps(body, ensure_ascii=False), hidden)
    if "openness=3" in query or "sharing=3" in query:
        assert body["total"] == 0 and body["items"] == []


def test_search_by_a_hidden_entry_s_title_finds_nothing(
    public: FlaskClient, government: FlaskClient, catalog: CatalogStore, hidden
) -> None:
    title = next(
        row["t"].value
        for row in catalog.query(f"SELECT ?t WHERE {{ <{hidden[0]}> <{ns.DCT}title> ?t }}", audience="government")
    )
    assert hidden[0] in json.dumps(government.get("/api/search", query_string={"q": title}).get_json())
    assert hidden[0] not in json.dumps(public.get("/api/search", query_string={"q": title}).get_json())


def test_web_search_and_home(public: FlaskClient, government: FlaskClient, hidden) -> None:
    for path in ("/search", "/search?openness=3", "/search?sort=modified&size=100", "/"):
        page = public.get(path).get_data(as_text=True)
        assert not [i for i in hidden if _ident(i) in page], path
    assert any(_ident(i) in government.get("/search?openness=3&size=100").get_data(as_text=True) for i in hidden)


# -- REST API, pages, dereferencing, export ---------------------------------------------------------


def test_hidden_entry_is_404_for_the_public_everywhere(public: FlaskClient, government: FlaskClient, hidden) -> None:
    ident = _ident(hidden[0])
    paths = [f"/api/datasets/{ident}", f"/datasets/{ident}", f"/resource/{ident}", f"/datasets/{ident}?format=ttl"]
    for path in paths:
        assert public.get(path).status_code == 404, path
        assert government.get(path).status_code == 200, path
    for accept in ("text/turtle", "application/ld+json", "text/html"):
        assert public.get(f"/resource/{ident}", headers={"Accept": accept}).status_code == 404


def test_unknown_and_hidden_entries_answer_alike(public: FlaskClient, hidden) -> None:
    hidden_answer = public.get(f"/api/datasets/{_ident(hidden[0])}")
    unknown = public.get("/api/datasets/9999999/999999")
    assert hidden_answer.status_code == unknown.status_code == 404
    assert set(hidden_answer.get_json()) == set(unknown.get_json())


def test_shown_entry_is_visible_to_everyone(public: FlaskClient, shown) -> None:
    assert public.get(f"/api/datasets/{_ident(shown[0])}").status_code == 200
    assert public.get(f"/datasets/{_ident(shown[0])}").status_code == 200


def test_catalog_tree_counts(public: FlaskClient, government: FlaskClient, hidden, shown) -> None:
    anon, gov = public.get("/api/catalogs").get_json(), government.get("/api/catalogs").get_json()
    assert anon["total"] == len(shown)
    assert gov["total"] == len(shown) + len(hidden)
    assert not _leaks(json.dumps(anon), hidden)
    assert not [i for i in hidden if _ident(i) in public.get("/catalogs").get_data(as_text=True)]


@pytest.mark.parametrize("path", ["/catalog", "/catalog.ttl", "/catalog.jsonld", "/catalog.rdf"])
def test_dcat_export(public: FlaskClient, government: FlaskClient, hidden, path: str) -> None:
    texts = []
    response = public.get(path)
    if response.status_code in (301, 302, 303, 307, 308):
        response = public.get(response.headers["Location"])
    texts.append(response.get_data(as_text=True))
    assert response.status_code == 200
    assert not _leaks("".join(texts), hidden), path


def test_dcat_export_pages_for_government_include_hidden(government: FlaskClient, public: FlaskClient, hidden) -> None:
    def everything(client: FlaskClient) -> str:
        out, page = [], 1
        while page < 50:
            response = client.get("/catalog.ttl", query_string={"page": page})
            if response.status_code != 200:
                break
            text = response.get_data(as_text=True)
            out.append(text)
            if "hydra:next" not in text and "hydra#next" not in text:
                break
            page += 1
        return "".join(out)

    assert _leaks(everything(government), hidden)
    assert not _leaks(everything(public), hidden)


def test_dataset_json_and_page_mark_not_shared_for_government(government: FlaskClient, catalog, hidden) -> None:
    not_shared = [
        row["d"].value
        for row in catalog.query(
            f"SELECT ?d WHERE {{ ?d <{ns.GC}sharingType> <{ns.BASE}code/sharing-type/3> }}", audience="government"
        )
    ]
    assert not_shared
    ident = _ident(not_shared[0])
    entry = government.get(f"/api/datasets/{ident}").get_json()
    assert entry["visibility"] == {"public": False, "shared": False}
    page = government.get(f"/datasets/{ident}").get_data(as_text=True)
    assert "不予共享 / not shared" in page


def test_public_page_has_no_badge(public: FlaskClient, shown) -> None:
    page = public.get(f"/datasets/{_ident(shown[0])}").get_data(as_text=True)
    assert "badge-not-shared" not in page and "badge-not-public" not in page


def test_forged_token_is_the_public(app, hidden) -> None:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer gct_forged"
    response = client.get(f"/api/datasets/{_ident(hidden[0])}")
    assert response.status_code in (401, 404)
    body = client.get("/api/search?openness=3").get_json()
    assert body is None or not body.get("items")


# -- SPARQL -----------------------------------------------------------------------------------------


def _sparql(client: FlaskClient, query: str, **params: str):
    return client.post("/sparql", data={"query": query, **params}, headers=SPARQL_JSON)


def _hidden_count(client: FlaskClient, query: str, **params: str) -> int | None:
    response = _sparql(client, query, **params)
    if response.status_code != 200:
        return None
    return len(response.get_json()["results"]["bindings"])


def _values(hidden: list[str]) -> str:
    return " ".join(f"<{i}>" for i in hidden)


def test_sparql_default_graph(public: FlaskClient, government: FlaskClient, hidden) -> None:
    query = f"SELECT * WHERE {{ VALUES ?d {{ {_values(hidden)} }} ?d ?p ?o }}"
    assert _hidden_count(public, query) == 0
    assert _hidden_count(government, query)
    inbound = f"SELECT * WHERE {{ VALUES ?d {{ {_values(hidden)} }} ?s ?p ?d }}"
    assert _hidden_count(public, inbound) == 0
    assert _hidden_count(government, inbound)


def test_sparql_graph_variable(public: FlaskClient, government: FlaskClient, hidden) -> None:
    query = f"SELECT * WHERE {{ VALUES ?d {{ {_values(hidden)} }} GRAPH ?g {{ ?d ?p ?o }} }}"
    assert _hidden_count(public, query) == 0
    assert _hidden_count(government, query)
    graphs = _sparql(public, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").get_json()
    named = {b["g"]["value"] for b in graphs["results"]["bindings"]}
    assert not [g for g in named if "/restricted/" in g or "/state/" in g or "quarantine" in g or "audit" in g]


def test_sparql_named_graph_by_name(public: FlaskClient, catalog: CatalogStore, hidden) -> None:
    for version in catalog.sources():
        query = f"SELECT * WHERE {{ GRAPH <{version.restricted_graph}> {{ ?s ?p ?o }} }} LIMIT 1"
        assert _hidden_count(public, query) == 0
        state = f"SELECT * WHERE {{ GRAPH <{version.state_graph}> {{ ?s ?p ?o }} }} LIMIT 1"
        assert _hidden_count(public, state) == 0


def test_sparql_from_and_from_named_cannot_widen_the_dataset(
    public: FlaskClient, government: FlaskClient, catalog: CatalogStore, hidden
) -> None:
    values = _values(hidden)
    for version in catalog.sources():
        for graph in (version.restricted_graph, version.state_graph):
            for clause in (f"FROM <{graph}>", f"FROM NAMED <{graph}>", f"FROM <{graph}> FROM NAMED <{graph}>"):
                query = (
                    f"SELECT * {clause} WHERE {{ VALUES ?d {{ {values} }} "
                    "{ ?d ?p ?o } UNION { GRAPH ?g { ?d ?p ?o } } UNION { ?s ?p ?d } }"
                )
                assert _hidden_count(public, query) == 0, clause
    prefix, local = hidden[0].rsplit("/", 1)
    restricted = catalog.sources()[0].restricted_graph
    base, name = restricted.rsplit("/", 1)
    prefixed = f"PREFIX r: <{base}/> PREFIX h: <{prefix}/> SELECT * FROM r:{name} WHERE {{ h:{local} ?p ?o }}"
    assert _hidden_count(public, prefixed) == 0
    assert _hidden_count(government, f"SELECT * WHERE {{ <{hidden[0]}> ?p ?o }}")


def test_sparql_dataset_parameters(public: FlaskClient, government: FlaskClient, catalog, hidden) -> None:
    restricted = [v.restricted_graph for v in catalog.sources()]
    query = f"SELECT * WHERE {{ VALUES ?d {{ {_values(hidden)} }} {{ ?d ?p ?o }} UNION {{ GRAPH ?g {{ ?d ?p ?o }} }} }}"
    for name in ("default-graph-uri", "named-graph-uri"):
        response = public.post("/sparql", data={"query": query, name: restricted}, headers=SPARQL_JSON)
        assert response.status_code == 200
        assert response.get_json()["results"]["bindings"] == []
    response = government.post("/sparql", data={"query": query, "named-graph-uri": restricted}, headers=SPARQL_JSON)
    assert response.get_json()["results"]["bindings"]


def test_sparql_property_paths(public: FlaskClient, government: FlaskClient, hidden) -> None:
    values = _values(hidden)
    for path in ("(<urn:x>|!<urn:x>)*", "^(<urn:x>|!<urn:x>)+", "(<urn:x>|^<urn:x>|!<urn:x>|!^<urn:x>)+"):
        query = f"SELECT DISTINCT ?d WHERE {{ VALUES ?d {{ {values} }} ?s {path} ?d FILTER(?s != ?d) }} LIMIT 5"
        assert _hidden_count(public, query) == 0, path
    catalogs = f"SELECT ?d WHERE {{ VALUES ?d {{ {values} }} ?c <{ns.DCAT}dataset>+ ?d }} LIMIT 1"
    assert _hidden_count(public, catalogs) == 0
    assert _hidden_count(government, catalogs)


def test_sparql_service_is_refused_without_peers(public: FlaskClient, government: FlaskClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://localhost/sparql> { ?s ?p ?o } }"
    assert _sparql(public, query).status_code == 400
    assert _sparql(government, query).status_code == 400


@pytest.fixture(scope="module")
def served_peer(app: Flask) -> Iterator[str]:
    """A second node over the same catalog, served on 127.0.0.1: its endpoint URL."""
    with serve(create_app(replace(app.config["GOV_CATALOG"]), store=app.extensions[STORE_KEY])) as served:
        yield served.url


@pytest.fixture
def peer(app: Flask, served_peer: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The served peer, allow-listed for ``SERVICE`` on the node under test for one test."""
    monkeypatch.setattr(app.config["GOV_CATALOG"], "sparql_service_peers", [served_peer])
    return served_peer


def test_sparql_service_join_reaches_no_hidden_local_entry(
    public: FlaskClient, government: FlaskClient, peer: str, hidden
) -> None:
    # the peer hands back the hidden entries' IRIs; joined with local data, the public still sees nothing of them
    query = f"SELECT * WHERE {{ SERVICE <{peer}> {{ VALUES ?d {{ {_values(hidden)} }} }} ?d ?p ?o }}"
    assert _hidden_count(public, query) == 0
    assert _hidden_count(government, query)


def test_sparql_service_asks_peers_anonymously(government: FlaskClient, peer: str, hidden) -> None:
    remote = f"SELECT ?d WHERE {{ SERVICE <{peer}> {{ VALUES ?d {{ {_values(hidden)} }} ?d ?p ?o }} }}"
    assert _hidden_count(government, remote) == 0, "a government user's SERVICE call gets the peer's public data"
    local = f"SELECT DISTINCT ?d WHERE {{ VALUES ?d {{ {_values(hidden)} }} ?d ?p ?o }}"
    assert _hidden_count(government, local) == len(hidden)


def test_sparql_ask_construct_describe(public: FlaskClient, hidden) -> None:
    ask = public.post(
        "/sparql",
        data={"query": f"ASK {{ <{hidden[0]}> ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.get_json()["boolean"] is False
    for query in (f"DESCRIBE <{hidden[0]}>", f"CONSTRUCT {{ <{hidden[0]}> ?p ?o }} WHERE {{ <{hidden[0]}> ?p ?o }}"):
        response = public.post("/sparql", data={"query": query}, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200
        assert hidden[0] not in response.get_data(as_text=True)


def test_store_query_from_for_the_public(catalog: CatalogStore, hidden) -> None:
    for version in catalog.sources():
        query = f"SELECT * FROM <{version.restricted_graph}> FROM NAMED <{version.restricted_graph}> WHERE {{ "
        query += f"{{ <{hidden[0]}> ?p ?o }} UNION {{ GRAPH ?g {{ <{hidden[0]}> ?p ?o }} }} }}"
        assert list(catalog.query(query, audience=PUBLIC)) == []
        assert list(catalog.for_audience(PUBLIC).query(query)) == []


def test_pyoxigraph_explicit_dataset_overrides_from() -> None:
    """What keeps FROM / FROM NAMED from widening the public's dataset: the dataset the store passes wins."""
    raw = ox.Store()
    a, b = ox.NamedNode("urn:g:a"), ox.NamedNode("urn:g:b")
    raw.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("public"), a))
    raw.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("secret"), b))
    rows = raw.query("SELECT ?o FROM <urn:g:b> WHERE { ?s ?p ?o }", default_graph=[a], named_graphs=[a])
    assert [r["o"].value for r in rows] == ["public"]
    rows = raw.query(
        "SELECT ?o FROM NAMED <urn:g:b> WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[a], named_graphs=[a]
    )
    assert [r["o"].value for r in rows] == ["public"]
