"""``gov-catalog escalate``: overdue requests go up once, to the right body."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog_service import cli
from catalog_service.governance import RequestService
from catalog_service.store import CatalogStore
from tests.governance.conftest import CONDITIONAL, PROVINCIAL, REQUESTER, beijing, entry_triples

APPLICATION = {"purpose": "4", "scope": "核验", "basis": "依据"}


def test_escalate_command(tmp_path: Path, vocabulary_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(vocabulary_store, data)
    store = CatalogStore.open(data)
    store.replace_source("entries", entry_triples())
    service = RequestService(store)
    county = service.submit(REQUESTER, CONDITIONAL, **APPLICATION, at=beijing(2026, 3, 2))
    provincial = service.submit(REQUESTER, PROVINCIAL, **APPLICATION, at=beijing(2026, 3, 2))
    store.close()

    assert cli.main(["escalate", "--data-dir", str(data), "--now", "2026-03-10T10:00:00+08:00"]) == 0
    assert "escalated 0 overdue requests" in capsys.readouterr().out  # not yet due

    assert cli.main(["escalate", "--data-dir", str(data), "--now", "2026-04-01T10:00:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert "escalated 2 overdue requests" in out and county.id in out and provincial.id in out
    assert cli.main(["escalate", "--data-dir", str(data), "--now", "2026-04-02T10:00:00+08:00"]) == 0
    assert "escalated 0 overdue requests" in capsys.readouterr().out  # never twice

    store = CatalogStore.open(data)
    try:
        service = RequestService(store)
        assert service.get(county.id).escalation.target.value == "level-administrator"
        assert service.get(provincial.id).escalation.target.value == "leading-group"
    finally:
        store.close()


def test_escalate_needs_a_time_zone(tmp_path: Path, vocabulary_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(vocabulary_store, data)
    assert cli.main(["escalate", "--data-dir", str(data), "--now", "2026-04-01T10:00:00"]) == cli.EXIT_UNREADABLE
    assert "time zone" in capsys.readouterr().err
