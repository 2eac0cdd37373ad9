"""An upper node's ``node`` source against a peer that is down, slow or answers garbage: that source's run fails
with a clear error in the run report, its previous version stays current and queryable, and the other sources
of the same ``gov-catalog harvest`` run go on."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.cli import harvest_all
from catalog_service.loading import read_catalog_file
from catalog_service.rdfio import serialize
from catalog_service.store import CatalogStore, source_iri
from harvesters.base import SourceConfig
from tests.harvest.catalogs import entry, write
from tests.servers import Reply, Request, static
from tests.servers import TestServer as LocalServer

PEER_ENTRIES = 5
TURTLE = "text/turtle; charset=utf-8"
HYDRA_NEXT = f"<{ns.HYDRA}next>"


@pytest.fixture(scope="module")
def export_page(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A peer's export: a few county entries in Turtle, as the profile has them."""
    csv = write(tmp_path_factory.mktemp("peer") / "peer.csv", [entry(seq) for seq in range(1, PEER_ENTRIES + 1)])
    return serialize(read_catalog_file(csv).triples, ox.RdfFormat.TURTLE, {"dcat": ns.DCAT, "gc": ns.GC})


@dataclass(frozen=True)
class Fault:
    """A way for the peer to fail, the source options that bound it, and what the run report must say."""

    routes: Callable[[bytes], dict[str, Callable[[Request], Reply]]]
    error: str
    options: dict[str, float | int]
    down: bool = False
    """The peer's port is closed: nothing listens there any more."""


def _dead_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _looping(page: bytes) -> dict[str, Callable[[Request], Reply]]:
    """Two pages whose Hydra links lead from each to the other."""
    first = page + f"\n</catalog.ttl> {HYDRA_NEXT} </page2.ttl> .\n".encode()
    second = page + f"\n</page2.ttl> {HYDRA_NEXT} </catalog.ttl> .\n".encode()
    return {"/catalog.ttl": static(first, TURTLE), "/page2.ttl": static(second, TURTLE)}


FAULTS = {
    "is down": Fault(lambda page: {}, "无法连接 / cannot connect", {}, down=True),
    "stalls": Fault(
        lambda page: {"/catalog.ttl": lambda request: Reply(page, content_type=TURTLE, delay=3)},
        "超时 / timed out",
        {"read_timeout": 0.5},
    ),
    "drips past the time limit": Fault(
        lambda page: {"/catalog.ttl": lambda request: Reply(page, content_type=TURTLE, drip=0.01)},
        "超过总时限 / exceeded the 1 s deadline",
        {"time_limit": 1},
    ),
    "sends an HTML error page with 200": Fault(
        lambda page: {"/catalog.ttl": static("<!DOCTYPE html><html><body>系统维护中</body></html>", "text/html")},
        "收到 HTML 页面而非 RDF / got an HTML page, not RDF",
        {},
    ),
    "sends truncated Turtle": Fault(
        lambda page: {"/catalog.ttl": static(page[: len(page) * 2 // 3], TURTLE)},
        "第 1 页无法解析 / page 1 cannot be read",
        {},
    ),
    "sends more than the size cap": Fault(
        lambda page: {"/catalog.ttl": static(page + b"# " + b"0" * 2_000_000 + b"\n", TURTLE)},
        "响应过大 / response of",
        {"max_bytes": 1_000_000},
    ),
    "loops its Hydra paging": Fault(_looping, "分页循环 / paging loops", {}),
}


def peer_count(store: CatalogStore, name: str) -> int:
    query = (
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?r <http://xmlns.com/foaf/0.1/primaryTopic> ?d ; "
        f"<{ns.GC}harvestSource> <{source_iri(name)}> }}"
    )
    return int(next(iter(store.query(query)))["n"].value)


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_faulty_peer_fails_its_run_only(
    fault: Fault,
    server: LocalServer,
    store: CatalogStore,
    export_page: bytes,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limits = {"retries": 0, "read_timeout": 5, "fetch_deadline": 10, **fault.options}
    peer = SourceConfig("peer", "node", server.base_url, level="县", region="320102", options=limits)
    other = SourceConfig("other", "spreadsheet", write(tmp_path / "other.csv", [entry(seq) for seq in (90, 91)]))
    server.routes["/catalog.ttl"] = static(export_page, TURTLE)
    (first,) = harvest_all(store, [peer])
    assert (first.status, first.counts["added"]) == ("succeeded", PEER_ENTRIES)
    version = store.source("peer").version

    server.routes.clear()
    server.routes.update(fault.routes(export_page))
    if fault.down:
        peer = replace(peer, url=_dead_port())
    capsys.readouterr()
    failed, went_on = harvest_all(store, [peer, other])

    assert failed.status == "failed" and len(failed.errors) == 1
    assert fault.error in failed.errors[0]
    assert fault.error in capsys.readouterr().out  # the report `gov-catalog harvest` prints
    assert store.source("peer").version == version
    assert peer_count(store, "peer") == PEER_ENTRIES
    assert (went_on.status, went_on.counts["added"]) == ("succeeded", 2)
