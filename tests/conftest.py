"""Shared fixtures: an on-disk catalog store in a temporary folder, with the vocabularies loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_service.store import CatalogStore

pytest_plugins = ["tests.oxigraph_server"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CatalogStore]:
    catalog_store = CatalogStore.open(tmp_path / "data")
    catalog_store.init_vocabulary()
    yield catalog_store
    catalog_store.close()
