"""Helpers of the federation tests: free local ports, and JSON and SPARQL counts from a running node."""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request

from catalog_service import namespaces as ns

PREFIXES = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    f"PREFIX gc: <{ns.GC}> "
)


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


def sparql_rows(base: str, query: str) -> list[dict]:
    """The bindings of a SELECT query (``PREFIXES`` prepended) asked anonymously of the node at ``base``."""
    request = urllib.request.Request(
        base + "/sparql?" + urllib.parse.urlencode({"query": PREFIXES + query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["results"]["bindings"]


def sparql_count(base: str, where: str) -> int:
    """How many distinct ``?d`` match ``where`` on the node at ``base``."""
    return int(sparql_rows(base, f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {where} }}")[0]["n"]["value"])
