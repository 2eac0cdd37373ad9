"""Adversarial tests: harvest run reports tell the public run-level facts only, never record details.

A run's record issues name records (key, IRI, SHACL messages quoting values) and its errors may quote a
source's text; entries behind them may not be open to society. Here two county entries are 不予开放, one of
them republished by the city with another title (a conflict issue naming it), a third non-public record is
invalid, and a source fails with an error naming its file. The public must learn none of that through SPARQL,
``/api/sources`` or the sources page; a government user sees all of it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.accounts import ensure_demo_accounts
from catalog_service.accounts import store as account_store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.harvest.pipeline import harvest
from catalog_service.harvest.runs import fail_interrupted_runs
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import RUN_DETAILS_GRAPH, RUNS_GRAPH, CatalogStore
from harvesters.base import SourceConfig
from tests.harvest.catalogs import credit_code, entry, write
from tests.signin import FAST

SPARQL_JSON = {"Accept": "application/sparql-results+json"}
HIDDEN_TITLE = "户籍人口基本信息（市级转报）"
"""The title under which the city republishes a non-public county entry: named only by the conflict issue."""
HIDDEN_KEYS = ["1010001/000001", "1010001/000002", "1010001/000003"]
MISSING_FILE = "no-such-catalog-xyz.csv"


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory, vocabulary_store: Path) -> Iterator[tuple[Flask, str]]:
    """An app over three harvested sources (one failing) and a government user's bearer token."""
    folder = tmp_path_factory.mktemp("run-reports")
    shutil.copytree(vocabulary_store, folder / "node")
    store = CatalogStore.open(folder / "node")
    bad_credit = credit_code("320102", 1)[:-1] + ("1" if credit_code("320102", 1)[-1] == "0" else "0")
    public = entry(4, **{"是否向社会开放": "是", "开放条件": "无"})
    county_rows = [entry(1), entry(2), entry(3, **{"信息资源提供方代码": bad_credit}), public]
    city_rows = [entry(2, title=HIDDEN_TITLE)]
    sources = [
        SourceConfig("county", "spreadsheet", write(folder / "county.csv", county_rows), level="县", region="320102"),
        SourceConfig("city", "spreadsheet", write(folder / "city.csv", city_rows), level="市", region="320100"),
        SourceConfig("broken", "spreadsheet", str(folder / MISSING_FILE), level="县", region="320102"),
    ]
    runs = {source.name: harvest(store, source) for source in sources}
    assert (runs["county"].counts["added"], runs["county"].counts["invalid"]) == (3, 1)
    assert runs["city"].counts["conflicts"] == 1 and runs["broken"].status == "failed"
    patch = pytest.MonkeyPatch()
    patch.setattr(account_store, "DEFAULT_HASHER", FAST)
    app = create_app(Config(data_dir=folder / "node"), store=store)
    app.config["TESTING"] = True
    ensure_demo_accounts(app.extensions[ACCOUNTS_KEY])
    token, _ = app.extensions[ACCOUNTS_KEY].create_token("xuanwu-requester", expires_in_days=1)
    patch.undo()
    yield app, token
    app.extensions[INDEX_KEY].close()
    store.close()


@pytest.fixture
def public(reported: tuple[Flask, str]) -> FlaskClient:
    return reported[0].test_client()


@pytest.fixture
def government(reported: tuple[Flask, str]) -> FlaskClient:
    client = reported[0].test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {reported[1]}"
    return client


def secrets_in(text: str) -> list[str]:
    """The record details of non-public entries, and the failing source's error, that ``text`` reveals."""
    named = [ns.resource(key) for key in HIDDEN_KEYS] + HIDDEN_KEYS + [HIDDEN_TITLE, MISSING_FILE]
    return [secret for secret in named if secret in text or json.dumps(secret)[1:-1] in text]


def sparql(client: FlaskClient, query: str, **params: str) -> dict:
    response = client.get("/sparql", query_string={"query": query, **params}, headers=SPARQL_JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


EVERYTHING_ABOUT_RUNS = """
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
SELECT ?g ?s ?p ?o WHERE {
  { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/gov-catalog/run/"))
}"""


def test_public_sparql_reads_run_facts_but_no_record_details(public: FlaskClient, government: FlaskClient) -> None:
    anonymous = sparql(public, EVERYTHING_ABOUT_RUNS)
    text = json.dumps(anonymous, ensure_ascii=False)
    assert not secrets_in(text)
    predicates = {row["p"]["value"] for row in anonymous["results"]["bindings"]}
    assert {ns.GC + "runStatus", ns.GC + "addedCount", ns.PROV + "startedAtTime"} <= predicates
    assert not predicates & {ns.GC + "recordIssue", ns.GC + "sourceKey", ns.GC + "runError", ns.GC + "processId"}
    assert ns.RDFS + "comment" not in predicates

    signed_in = json.dumps(sparql(government, EVERYTHING_ABOUT_RUNS), ensure_ascii=False)
    assert set(secrets_in(signed_in)) >= {ns.resource("1010001/000002"), ns.resource("1010001/000003"), MISSING_FILE}


@pytest.mark.parametrize(
    "query, params",
    [
        (f"SELECT * WHERE {{ GRAPH <{RUN_DETAILS_GRAPH.value}> {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * FROM <{RUN_DETAILS_GRAPH.value}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{RUN_DETAILS_GRAPH.value}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": RUN_DETAILS_GRAPH.value}),
        ("SELECT * WHERE { ?issue a <https://w3id.org/gov-catalog/ns#RecordIssue> ; ?p ?o }", {}),
        (
            "SELECT * WHERE { ?run a <https://w3id.org/gov-catalog/ns#HarvestRun> ; "
            "(<https://w3id.org/gov-catalog/ns#recordIssue>|!<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)+ ?o }",
            {},
        ),
    ],
)
def test_public_cannot_reach_the_run_details_graph(public: FlaskClient, query: str, params: dict) -> None:
    answer = sparql(public, query, **params)
    assert not secrets_in(json.dumps(answer, ensure_ascii=False))
    assert all(
        row.get("p", {}).get("value") not in (ns.GC + "recordIssue", ns.GC + "runError")
        for row in answer["results"]["bindings"]
    )


def test_government_sparql_reads_the_record_issues(government: FlaskClient) -> None:
    query = f"""SELECT ?kind ?topic WHERE {{ GRAPH <{RUN_DETAILS_GRAPH.value}> {{
        ?issue <{ns.GC}issueKind> ?kind . OPTIONAL {{ ?issue <{ns.FOAF}primaryTopic> ?topic }} }} }}"""
    rows = sparql(government, query)["results"]["bindings"]
    issues = {(row["kind"]["value"], row.get("topic", {}).get("value")) for row in rows}
    assert ("conflict", ns.resource("1010001/000002")) in issues
    assert ("invalid", ns.resource("1010001/000003")) in issues


def test_api_sources_gives_the_public_statuses_and_counts_only(public: FlaskClient, government: FlaskClient) -> None:
    anonymous = public.get("/api/sources").get_json()
    assert not secrets_in(json.dumps(anonymous, ensure_ascii=False))
    by_name = {s["name"]: s for s in anonymous["sources"]}
    assert by_name["broken"]["lastRun"]["status"] == "failed"
    assert by_name["broken"]["lastRun"]["errors"] == []
    assert by_name["county"]["lastRun"]["counts"]["invalid"] == 1

    signed_in = government.get("/api/sources").get_json()
    broken = next(s for s in signed_in["sources"] if s["name"] == "broken")
    assert any(MISSING_FILE in error for error in broken["lastRun"]["errors"])


def test_sources_page_shows_the_public_no_errors(public: FlaskClient, government: FlaskClient) -> None:
    for lang, note in (("zh", "仅对登录的政府用户显示"), ("en", "shown to signed-in government users")):
        html = public.get(f"/sources?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert not secrets_in(html)
        assert note in html
    html = government.get("/sources", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert MISSING_FILE in html and "仅对登录的政府用户显示" not in html


def test_details_of_runs_recorded_before_the_split_are_moved_out(reported: tuple[Flask, str]) -> None:
    from catalog_service.app import STORE_KEY

    store: CatalogStore = reported[0].extensions[STORE_KEY]
    run, issue = ox.NamedNode(ns.BASE + "run/legacy"), ox.NamedNode(ns.BASE + "run/legacy/issue/0")
    legacy = [
        ox.Quad(run, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.GC + "HarvestRun"), RUNS_GRAPH),
        ox.Quad(run, ox.NamedNode(ns.GC + "runStatus"), ox.Literal("succeeded"), RUNS_GRAPH),
        ox.Quad(run, ox.NamedNode(ns.GC + "runError"), ox.Literal(f"cannot read {MISSING_FILE}"), RUNS_GRAPH),
        ox.Quad(run, ox.NamedNode(ns.GC + "recordIssue"), issue, RUNS_GRAPH),
        ox.Quad(issue, ox.NamedNode(ns.GC + "sourceKey"), ox.Literal(HIDDEN_KEYS[0]), RUNS_GRAPH),
    ]
    store.raw.extend(legacy)
    fail_interrupted_runs(store)
    left = {(q.subject, q.predicate) for q in store.raw.quads_for_pattern(None, None, None, RUNS_GRAPH)}
    assert left & {(q.subject, q.predicate) for q in legacy} == {(run, legacy[0].predicate), (run, legacy[1].predicate)}
    moved = {(q.subject, q.predicate) for q in store.raw.quads_for_pattern(None, None, None, RUN_DETAILS_GRAPH)}
    assert {(q.subject, q.predicate) for q in legacy[2:]} <= moved
    fail_interrupted_runs(store)  # again: nothing left to move, nothing lost
    assert {(q.subject, q.predicate) for q in legacy[2:]} <= {
        (q.subject, q.predicate) for q in store.raw.quads_for_pattern(None, None, None, RUN_DETAILS_GRAPH)
    }
