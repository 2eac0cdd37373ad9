"""Shared fixtures: an on-disk catalog store in a temporary folder, with the vocabularies loaded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_service.demo import load_sample_federation
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
def store(request: pytest.FixtureRequest, tmp_path: Path, vocabulary_store: Path) -> Iterator[CatalogStore]:
    """A fresh on-disk store of its own for each test, copied from the template.

    A module runs its tests on both engines with
    ``pytestmark = pytest.mark.parametrize("store", ["embedded", "remote"], indirect=True)``: the remote one
    is a real ``oxigraph serve`` (``remote_store`` in tests/oxigraph_server.py).
    """
    if getattr(request, "param", "embedded") == "remote":
        yield request.getfixturevalue("remote_store")
        return
    shutil.copytree(vocabulary_store, tmp_path / "data")
    catalog_store = CatalogStore.open(tmp_path / "data")
    yield catalog_store
    catalog_store.close()


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory, vocabulary_store: Path) -> Iterator[CatalogStore]:
    """A store with the sample federation harvested, shared by the tests of one module (they only read it)."""
    folder = tmp_path_factory.mktemp("federation") / "data"
    shutil.copytree(vocabulary_store, folder)
    catalog_store = CatalogStore.open(folder)
    runs = load_sample_federation(catalog_store)
    assert [r.status for r in runs] == ["succeeded"] * len(runs)
    yield catalog_store
    catalog_store.close()
