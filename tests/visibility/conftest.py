"""The sample federation (some entries 不予开放) served to the public and to a signed-in government user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.accounts import ensure_demo_accounts
from catalog_service.accounts import store as account_store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore
from tests.accounts.conftest import FAST

OPENNESS = "https://w3id.org/gov-catalog/code/openness/"
GC = "https://w3id.org/gov-catalog/ns#"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_store, "DEFAULT_HASHER", FAST)
    monkeypatch.delenv("GOV_CATALOG_SECRET_KEY", raising=False)


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """An app over the harvested sample federation and a bearer token of a government user."""
    folder = tmp_path_factory.mktemp("visibility")
    store = CatalogStore.open(folder / "node")
    store.init_vocabulary()
    load_sample_federation(store)
    patch = pytest.MonkeyPatch()
    patch.setattr(account_store, "DEFAULT_HASHER", FAST)
    app = create_app(Config(data_dir=folder / "node"), store=store)
    app.config["TESTING"] = True
    accounts = app.extensions[ACCOUNTS_KEY]
    ensure_demo_accounts(accounts)
    token, _ = accounts.create_token("xuanwu-requester", expires_in_days=1)
    patch.undo()
    yield app, token
    app.extensions[INDEX_KEY].close()
    store.close()


@pytest.fixture(scope="module")
def app(federation: tuple[Flask, str]) -> Flask:
    return federation[0]


@pytest.fixture(scope="module")
def catalog(app: Flask) -> CatalogStore:
    from catalog_service.app import STORE_KEY

    return app.extensions[STORE_KEY]


@pytest.fixture
def public(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def government(federation: tuple[Flask, str]) -> FlaskClient:
    app, token = federation
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _datasets(store: CatalogStore, openness: str) -> list[str]:
    rows = store.query(
        "SELECT DISTINCT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; "
        f"<{GC}openness> <{OPENNESS}{openness}> }}"
    )
    return sorted(row["d"].value for row in rows)


@pytest.fixture(scope="module")
def hidden(catalog: CatalogStore) -> list[str]:
    """The IRIs of the 不予开放 entries (read with the government audience)."""
    found = _datasets(catalog, "3")
    assert found, "the sample federation should have entries that are not open"
    return found


@pytest.fixture(scope="module")
def shown(catalog: CatalogStore) -> list[str]:
    found = _datasets(catalog, "1") + _datasets(catalog, "2")
    assert found
    return found
