"""The demo: the sample federation harvested through its configured sources and served over SPARQL."""

from __future__ import annotations

import json

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation, sample_sources
from catalog_service.loading import check_document, read_catalog_file
from catalog_service.records import datasets_in
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore
from tests.signin import government_client

COUNT = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT (COUNT(*) AS ?n) WHERE { ?d a dcat:Dataset }"


def valid_sample_resources() -> set[str]:
    """The distinct resources of the sample files that the profile accepts, judged file by file."""
    valid: set[str] = set()
    for source in sample_sources():
        document = read_catalog_file(source.url)
        invalid = check_document(document).invalid_records()
        valid |= set(datasets_in(document.triples)) - invalid
    return valid


def test_sparql_counts_the_valid_sample_entries(store: CatalogStore, tmp_path) -> None:
    runs = load_sample_federation(store)
    assert [r.status for r in runs] == ["succeeded"] * len(runs)
    expected = valid_sample_resources()
    assert 400 < len(expected) < 474

    client = government_client(create_app(Config(data_dir=tmp_path), store=store))  # the public sees fewer
    response = client.get(
        "/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    n = int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])
    assert n == len(expected)

    # one datum, one source: the district entries Nanjing republishes are stored once, from the districts
    query = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX gc: <https://w3id.org/gov-catalog/ns#>
        SELECT ?d (COUNT(?r) AS ?records) WHERE { ?r foaf:primaryTopic ?d } GROUP BY ?d HAVING (COUNT(?r) > 1)"""
    shared = {row["d"].value: int(row["records"].value) for row in store.query(query)}
    manifest = json.loads((resource_dir("examples") / "federation" / "manifest.json").read_text(encoding="utf-8"))
    nanjing = next(f for f in manifest["files"] if f["source"] == "nanjing")
    republished = set(nanjing["duplicates"]) | set(nanjing["conflicts"])
    assert {d.rsplit("/resource/", 1)[1] for d in shared} == republished
