"""The embedded store survives closing and reopening its folder (the remote one, a server restart:
test_remote_faults.py)."""

from __future__ import annotations

from pathlib import Path

from catalog_service.store import CatalogStore
from tests.test_store import entries, titles


def test_store_survives_reopening(tmp_path: Path) -> None:
    first = CatalogStore.open(tmp_path)
    first.init_vocabulary()
    first.replace_source("xuanwu", entries("持久", 1))
    first.close()
    second = CatalogStore.open(tmp_path)
    assert second.init_vocabulary() is False
    assert titles(second) == {"持久0"}
    assert second.source("xuanwu").version == 1
    second.close()
