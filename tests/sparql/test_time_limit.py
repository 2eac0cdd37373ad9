"""A query over its time limit is stopped — its worker process killed — while other clients keep being answered."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import requests

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.store import CatalogStore
from tests.sparql.live_server import query_workers, serve
from tests.test_store import entries

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""Over the vocabularies and regions (tens of thousands of triples), a join that would run for ages."""
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
LIMIT = 2.0
"""Seconds; long enough that the other client is answered well within it, even on a loaded machine."""


def count(response: requests.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_query_over_its_limit_is_killed_while_another_client_is_answered(store: CatalogStore, tmp_path) -> None:
    store.replace_source("nanjing", entries("南京", 3))
    app = create_app(Config(data_dir=tmp_path, sparql_timeout=LIMIT, sparql_workers=2), store=store)
    with serve(app) as served:
        assert count(requests.get(served.url, params={"query": SIMPLE}, timeout=10)) == 3  # one worker warm

        heavy: dict[str, object] = {}

        def run_heavy() -> None:
            started = time.monotonic()
            response = requests.get(served.url, params={"query": CROSS_JOIN}, timeout=10)
            heavy.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

        thread = threading.Thread(target=run_heavy)
        thread.start()
        time.sleep(0.3)
        before = query_workers()
        time.sleep(0.2)
        after = query_workers()
        busy = [pid for pid in before if after.get(pid, 0) > before[pid]]
        assert len(busy) == 1, "exactly one worker is computing: the heavy query's"

        started = time.monotonic()
        quick = requests.get(served.url, params={"query": SIMPLE}, timeout=10)
        quick_seconds = time.monotonic() - started
        assert quick.status_code == 200 and count(quick) == 3
        assert quick_seconds < LIMIT / 2
        assert thread.is_alive(), "answered while the heavy query was still running"

        thread.join(timeout=10)
        assert heavy["status"] == 503
        assert "2 s" in str(heavy["text"]) and "时限" in str(heavy["text"])
        assert LIMIT <= float(heavy["seconds"]) < LIMIT + 1.0

        assert not Path(f"/proc/{busy[0]}").exists(), "the heavy query's worker is gone"
        time.sleep(0.5)  # its successor, started at once, finishes starting up
        first = query_workers()
        time.sleep(0.3)
        second = query_workers()
        assert busy[0] not in second and len(second) == 2
        assert all(second.get(pid, 0) - ticks <= 2 for pid, ticks in first.items()), "no worker burns CPU any more"

        assert count(requests.get(served.url, params={"query": SIMPLE}, timeout=10)) == 3


def test_a_worker_killed_from_outside_is_replaced(store: CatalogStore, tmp_path) -> None:
    store.replace_source("nanjing", entries("南京", 3))
    app = create_app(Config(data_dir=tmp_path, sparql_workers=1), store=store)
    with serve(app) as served:
        assert count(requests.get(served.url, params={"query": SIMPLE}, timeout=10)) == 3
        (pid,) = query_workers()
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
        assert count(requests.get(served.url, params={"query": SIMPLE}, timeout=10)) == 3
        assert pid not in query_workers()
