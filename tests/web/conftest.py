"""The sample federation harvested once for all web tests (one source twice, for a run history), and the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation, sample_sources
from catalog_service.harvest.pipeline import harvest
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore

FEDERATION_CONFIG = resource_dir("examples") / "federation" / "gov-catalog.toml"
HARVESTED_TWICE = "national"


@pytest.fixture(scope="package")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogStore]:
    store = CatalogStore.open(tmp_path_factory.mktemp("web-federation"))
    store.init_vocabulary()
    runs = load_sample_federation(store)
    assert [r.status for r in runs] == ["succeeded"] * len(runs)
    again = harvest(store, next(s for s in sample_sources() if s.name == HARVESTED_TWICE))
    assert again.status == "succeeded"
    yield store
    store.close()


@pytest.fixture(scope="package")
def app(federation: CatalogStore, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    config = Config.load(FEDERATION_CONFIG, data_dir=tmp_path_factory.mktemp("web-data"))
    return create_app(config, store=federation)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A fresh client per test: the language cookie of one test must not leak into the next."""
    return app.test_client()
