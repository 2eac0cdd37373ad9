"""Accounts with cheap password hashing (the real cost is a third of a second per hash), and an app serving them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.accounts import Accounts, PasswordHasher, ensure_demo_accounts, store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore

FAST = PasswordHasher(n=2**8, r=8, p=1)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "DEFAULT_HASHER", FAST)
    monkeypatch.delenv("GOV_CATALOG_SECRET_KEY", raising=False)


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    return Accounts.open(tmp_path / "node")


@pytest.fixture
def app(tmp_path: Path, store: CatalogStore) -> Iterator[Flask]:
    """An app on an empty catalog with the demo accounts (password ``demo``)."""
    app = create_app(Config(data_dir=tmp_path / "node"), store=store)
    app.config["TESTING"] = True
    ensure_demo_accounts(app.extensions[ACCOUNTS_KEY])
    yield app
    app.extensions[INDEX_KEY].close()


@pytest.fixture
def app_accounts(app: Flask) -> Accounts:
    return app.extensions[ACCOUNTS_KEY]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def form_csrf(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page's form carries, as a browser would read it."""
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, login: str, password: str = "demo") -> str:
    """Sign in through the form and return the session's CSRF token for later POSTs."""
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": form_csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        return session["csrf"]
