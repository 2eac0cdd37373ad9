"""The sample federation, harvested once per test module into its own store, and an app serving it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore
from tests.signin import government_client

FEDERATION_CONFIG = resource_dir("examples") / "federation" / "gov-catalog.toml"
DATASET_COUNT = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }"
)


@pytest.fixture(scope="module")
def app(federation: CatalogStore, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app as a node harvesting the sample federation runs it: configured with its sources."""
    config = Config.load(FEDERATION_CONFIG, data_dir=tmp_path_factory.mktemp("data"))
    return create_app(config, store=federation)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    """A signed-in government user, who sees every entry (the public's view: tests/visibility)."""
    return government_client(app)


def dataset_count(store: CatalogStore) -> int:
    return int(next(iter(store.query(DATASET_COUNT)))["n"].value)


def shared_folder() -> Path:
    """``shared/`` beside the repository root, as developers and CI have it; its absence fails the test."""
    folder = Path(__file__).resolve().parents[2] / ".." / "shared"
    assert folder.is_dir(), f"{folder} is missing: the DCAT-AP shapes live there"
    return folder
