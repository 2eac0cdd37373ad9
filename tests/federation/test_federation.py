"""Four real gov-catalog node processes, county → city → province → national, harvested up the chain."""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from pathlib import Path

from catalog_service import namespaces as ns
from catalog_service.config import Config
from catalog_service.federation import CHAIN, node_configs_dir, start_federation
from catalog_service.harvest import records as harvest_records
from catalog_service.harvest.sources import parse_sources
from catalog_service.loading import check_document, read_catalog_file
from catalog_service.records import datasets_in
from catalog_service.vocabulary import CodeLists

PREFIXES = f"PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> PREFIX gc: <{ns.GC}> "


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def sparql_count(base: str, where: str) -> int:
    query = PREFIXES + f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where} }}"
    request = urllib.request.Request(
        base + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def file_resources() -> dict[str, set[str]]:
    """Node key → the valid resources of its own file that an anonymous reader sees, judged file by file.

    Where the store keeps entries not open to society (不予开放) from anonymous readers, they are left out:
    a node's public export does not carry them up the chain.
    """
    is_public = getattr(harvest_records, "is_public", None)
    found: dict[str, set[str]] = {}
    for spec in CHAIN:
        path = node_configs_dir() / spec.key / "gov-catalog.toml"
        config = Config.load(path)
        (source,) = (s for s in parse_sources(config.sources, base_dir=path.parent) if s.name == spec.own_source)
        document = read_catalog_file(source.url)
        valid = set(datasets_in(document.triples)) - check_document(document).invalid_records()
        found[spec.key] = {d for d in valid if is_public is None or is_public(d, document.triples)}
    return found


def source_json(base: str, name: str) -> dict:
    return next(s for s in get_json(base + "/api/sources")["sources"] if s["name"] == name)


def test_four_node_federation(tmp_path: Path) -> None:
    ports = dict(zip((s.key for s in CHAIN), free_ports(len(CHAIN)), strict=True))
    federation = start_federation(tmp_path, ports=ports)
    try:
        national, city = federation.nodes["national"].url, federation.nodes["city"].url

        # 一数一源 across the chain: one dataset per distinct resource of the four files.
        files = file_resources()
        expected = set().union(*files.values())
        assert sparql_count(national, "?d a dcat:Dataset") == len(expected)

        # A county (玄武区) entry, listed by 南京市's own catalog as well, reaches the national node once.
        iri = min(files["county"] & files["city"])
        entry = iri.removeprefix(ns.RESOURCE)
        assert sparql_count(national, f"BIND(<{iri}> AS ?d) ?d a dcat:Dataset") == 1
        county_level, xuanwu = CodeLists.default().concept("level", "县"), ns.region("320102")
        in_xuanwu = f"?d a dcat:Dataset ; gc:level <{county_level}> ; dct:spatial <{xuanwu}>"
        county_entries = sparql_count(national, in_xuanwu)
        assert county_entries == sparql_count(federation.nodes["county"].url, "?d a dcat:Dataset") > 0

        # Its provenance shows the chain: authored at the county, through the city, province and national nodes.
        provenance = get_json(f"{national}/api/datasets/{entry}")["provenance"]
        records = {r["source"]: r for r in provenance["records"]}
        assert {"xuanwu", "node-xuanwu", "node-nanjing", "node-jiangsu"} <= set(records)
        assert records["xuanwu"]["authoritative"] is True  # the county's own catalog
        assert records["node-xuanwu"]["authoritative"] is True  # the city took it from the county at its level
        assert records["nanjing"]["authoritative"] is False  # the city's own copy is not the authoritative one
        assert records["node-nanjing"]["authoritative"] is False
        assert records["node-jiangsu"]["authoritative"] is False
        assert provenance["authoritative"]["authoritative"] is True
        assert provenance["descriptionFrom"] == "node-jiangsu"

        # A peer node down: the city's run for it fails cleanly and the city keeps its previous version.
        before = sparql_count(city, "?d a dcat:Dataset")
        previous_version = source_json(city, "node-xuanwu")["version"]
        federation.stop_node("county")
        federation.stop_node("city")
        result = federation.harvest("city", ["node-xuanwu"])
        assert result.returncode != 0, result.stdout
        assert "node-xuanwu: failed" in result.stdout
        federation.start_node("city")
        source = source_json(city, "node-xuanwu")
        assert source["lastRun"]["status"] == "failed"
        assert source["version"] == previous_version
        assert sparql_count(city, "?d a dcat:Dataset") == before
        assert sparql_count(national, "?d a dcat:Dataset") == len(expected)  # the others go on serving
    finally:
        federation.stop()
    assert all(node.process is None for node in federation.nodes.values())
