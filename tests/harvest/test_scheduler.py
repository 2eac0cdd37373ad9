"""The scheduler starts due sources, never one source twice at once, and a broken source delays no other."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from catalog_service.harvest.scheduler import Scheduler
from catalog_service.harvest.sources import SourceConfigError, next_run, parse_sources
from catalog_service.store import CatalogStore
from harvesters.base import SourceConfig
from tests.harvest.catalogs import entry, write
from tests.servers import Reply, serve


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0)

    def __call__(self) -> datetime:
        return self.now


def test_schedules_parse() -> None:
    start = datetime(2026, 3, 2, 8, 0)
    assert next_run("30m", start) == start + timedelta(minutes=30)
    assert next_run("1d", start) == start + timedelta(days=1)
    assert next_run("0 2 * * *", start) == datetime(2026, 3, 3, 2, 0)
    with pytest.raises(SourceConfigError):
        next_run("every tuesday", start)


def test_source_tables_are_checked(tmp_path: Path) -> None:
    ok = parse_sources(
        [
            {
                "name": "a",
                "type": "dcat",
                "url": "a.ttl",
                "level": "市",
                "region": "320100",
                "schedule": "6h",
                "max_pages": 3,
            }
        ],
        base_dir=tmp_path,
    )
    assert ok[0].url == str(tmp_path / "a.ttl") and ok[0].options == {"max_pages": 3}
    for bad in (
        {"name": "a", "type": "dcat"},
        {"name": "a b", "type": "dcat", "url": "x"},
        {"name": "a", "type": "dcat", "url": "x", "level": "乡"},
        {"name": "a", "type": "dcat", "url": "x", "region": "999999"},
        {"name": "a", "type": "dcat", "url": "x", "schedule": "sometimes"},
    ):
        with pytest.raises(SourceConfigError):
            parse_sources([bad])
    with pytest.raises(SourceConfigError, match="duplicate"):
        parse_sources([{"name": "a", "type": "dcat", "url": "x"}] * 2)


def test_due_sources_run_and_a_slow_one_delays_no_other(store: CatalogStore, tmp_path: Path) -> None:
    fast = write(tmp_path / "fast.csv", [entry(1)])
    slow_body = (tmp_path / "fast.csv").read_bytes()
    clock = Clock()
    with serve({"/slow.csv": lambda request: Reply(slow_body, content_type="text/csv", delay=1.5)}) as server:
        sources = [
            SourceConfig("slow", "spreadsheet", server.url("/slow.csv"), schedule="1h"),
            SourceConfig("fast", "spreadsheet", fast, schedule="1h"),
            SourceConfig("manual", "spreadsheet", fast),
        ]
        finished: list[str] = []
        scheduler = Scheduler(store, sources, clock=clock, on_finish=lambda run: finished.append(run.source))
        assert scheduler.tick() == [], "nothing is due yet"
        clock.now += timedelta(hours=1)
        assert scheduler.tick() == ["slow", "fast"]
        assert scheduler.tick() == [], "running sources are not started again"
        scheduler.wait()
    assert finished == ["fast", "slow"], "the fast source finished while the slow one was still fetching"
    assert {s.name for s in store.sources()} == {"fast", "slow"}


def test_abort_a_running_source(store: CatalogStore, tmp_path: Path) -> None:
    write(tmp_path / "x.csv", [entry(1)])
    body = (tmp_path / "x.csv").read_bytes()
    clock = Clock()
    with serve({"/x.csv": lambda request: Reply(body, content_type="text/csv", delay=0.8)}) as server:
        runs = []
        scheduler = Scheduler(
            store,
            [SourceConfig("x", "spreadsheet", server.url("/x.csv"), schedule="5m")],
            clock=clock,
            on_finish=runs.append,
        )
        clock.now += timedelta(minutes=5)
        scheduler.tick()
        assert scheduler.abort("x")
        scheduler.wait()
    assert [r.status for r in runs] == ["aborted"]
    assert store.source("x") is None
