"""Shared fixtures: an on-disk catalog store in a temporary folder, with the vocabularies loaded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_service.store import CatalogStore

pytest_plugins = ["tests.oxigraph_server"]


@pytest.fixture(scope="session")
def vocabulary_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose store holds the vocabularies and regions, made once: loading them takes a while."""
    folder = tmp_path_factory.mktemp("template") / "data"
    template = CatalogStore.open(folder)
    template.init_vocabulary()
    template.close()
    return folder


@pytest.fixture
def store(tmp_path: Path, vocabulary_store: Path) -> Iterator[CatalogStore]:
    """A fresh on-disk store of its own for each test, copied from the template."""
    shutil.copytree(vocabulary_store, tmp_path / "data")
    catalog_store = CatalogStore.open(tmp_path / "data")
    yield catalog_store
    catalog_store.close()
