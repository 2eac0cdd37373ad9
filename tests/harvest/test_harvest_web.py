"""Administrators start and stop one source's harvest on a node that schedules its own (harvest_web)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.governance.audit import events
from catalog_service.harvest.runs import Run
from catalog_service.harvest.scheduler import Scheduler
from catalog_service.harvest_web import attach_scheduler
from catalog_service.store import CatalogStore, source_iri
from harvesters.base import SourceConfig
from tests.harvest.catalogs import entry, write
from tests.signin import government_client

ADMIN, MANAGER = "nanjing-admin", "nanjing-police"


@pytest.fixture
def node(store: CatalogStore, tmp_path: Path) -> Iterator[tuple[Flask, Scheduler, list[Run]]]:
    """A serving node whose scheduler runs two daily sources (not due for a day) in background threads."""
    sources = [
        SourceConfig(name, "spreadsheet", str(write(tmp_path / f"{name}.csv", [entry(n)])), schedule="1d")
        for n, name in enumerate(("xuanwu", "gulou"), start=1)
    ]
    finished: list[Run] = []
    scheduler = Scheduler(store, sources, on_finish=finished.append)
    app = create_app(Config(data_dir=tmp_path / "data"), store=store)
    attach_scheduler(app, scheduler)
    thread = threading.Thread(target=scheduler.run_forever, kwargs={"poll": 0.05}, daemon=True)
    thread.start()
    yield app, scheduler, finished
    scheduler.stop()
    thread.join(10)


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_an_administrator_harvests_one_source_now(node, store: CatalogStore) -> None:
    app, _, finished = node
    client = government_client(app, ADMIN)
    response = client.post("/api/sources/xuanwu/harvest")
    assert response.status_code == 202
    assert response.get_json()["source"] == "xuanwu"
    wait_for(lambda: len(finished) == 1)
    assert [(run.source, run.status) for run in finished] == [("xuanwu", "succeeded")]
    time.sleep(0.3)
    assert len(finished) == 1, "only the source asked for ran"
    assert [s.name for s in store.sources()] == ["xuanwu"]
    assert [(e.actor, e.action) for e in events(store, target=source_iri("xuanwu"))] == [(ADMIN, "harvest-now")]

    page = client.get("/sources").get_data(as_text=True)
    assert 'action="/api/sources/xuanwu/harvest"' in page, "the sources page offers the same"
    manager_page = government_client(app, MANAGER).get("/sources").get_data(as_text=True)
    assert 'id="source-xuanwu"' in manager_page and "/api/sources/xuanwu/harvest" not in manager_page


def test_only_administrators_may_and_only_scheduled_sources(node) -> None:
    app, _, finished = node
    assert app.test_client().post("/api/sources/xuanwu/harvest").status_code == 401
    manager = government_client(app, MANAGER)
    assert manager.post("/api/sources/xuanwu/harvest").status_code == 403
    admin = government_client(app, ADMIN)
    missing = admin.post("/api/sources/nowhere/harvest")
    assert missing.status_code == 404 and "nowhere" in missing.get_json()["error"]
    idle = admin.post("/api/sources/gulou/abort")
    assert idle.status_code == 409 and "no run under way" in idle.get_json()["error"]
    time.sleep(0.3)
    assert finished == []


def test_without_a_scheduler_the_node_says_how_to_start_one(store: CatalogStore, tmp_path: Path) -> None:
    app = create_app(Config(data_dir=tmp_path / "data"), store=store)
    response = government_client(app, ADMIN).post("/api/sources/xuanwu/harvest")
    assert response.status_code == 409
    assert "serve --schedule" in response.get_json()["error"]
