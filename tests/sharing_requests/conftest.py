"""The sample federation in one store per module, served with the demo accounts and one more manager.

Loading the federation takes seconds, so the store and app are module-scoped; the governance and audit
graphs are emptied before each test so that every test starts without requests.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.accounts import Accounts, PasswordHasher, ensure_demo_accounts, store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation
from catalog_service.governance import AUDIT_GRAPH, GOVERNANCE_GRAPH
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore

FAST = PasswordHasher(n=2**8, r=8, p=1)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

POLICE = "11320100155006351N"  # 南京市公安局, provider of the entries below (市 320100)
CONDITIONAL = "3010004/000319"  # 有条件共享
CONDITIONAL_2 = "1010003/000126"  # 有条件共享
NOT_SHARED = "2120001/000362"  # 不予共享
UNCONDITIONAL = "3010002/000277"  # 无条件共享
OTHER_MANAGER = "jiangsu-police"
"""A catalog manager of another department (a provincial one)."""


@pytest.fixture(scope="module")
def federation(
    tmp_path_factory: pytest.TempPathFactory, vocabulary_store: Path
) -> Iterator[tuple[Flask, CatalogStore]]:
    node = tmp_path_factory.mktemp("requests") / "node"
    shutil.copytree(vocabulary_store, node)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "DEFAULT_HASHER", FAST)
        patch.delenv("GOV_CATALOG_SECRET_KEY", raising=False)
        catalog = CatalogStore.open(node)
        load_sample_federation(catalog)
        app = create_app(Config(data_dir=node), store=catalog)
        app.config["TESTING"] = True
        accounts: Accounts = app.extensions[ACCOUNTS_KEY]
        ensure_demo_accounts(accounts)
        accounts.add_user(
            OTHER_MANAGER,
            "demo-password",
            role="manager",
            department_code="113200002295909933",
            department_name="江苏省公安厅",
            level="省",
            region="320000",
        )
        yield app, catalog
    app.extensions[INDEX_KEY].close()
    catalog.close()


@pytest.fixture
def app(federation: tuple[Flask, CatalogStore]) -> Flask:
    return federation[0]


@pytest.fixture
def catalog(federation: tuple[Flask, CatalogStore]) -> CatalogStore:
    """The module's store, without any request or audit event."""
    store_ = federation[1]
    for graph in (GOVERNANCE_GRAPH, AUDIT_GRAPH):
        store_.raw.clear_graph(ox.NamedNode(graph))
    return store_


@pytest.fixture
def client(app: Flask, catalog: CatalogStore) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def tokens(app: Flask) -> dict[str, dict[str, str]]:
    """Bearer headers per login (tokens are cheap; a fresh set per test)."""
    accounts: Accounts = app.extensions[ACCOUNTS_KEY]
    logins = ("jiangsu-admin", "nanjing-admin", "nanjing-police", "xuanwu-requester", OTHER_MANAGER)
    return {login: {"Authorization": f"Bearer {accounts.create_token(login)[0]}"} for login in logins}


def governance_state(catalog: CatalogStore) -> list[str]:
    """Everything in the governance graph and the audit trail: equal before and after a refused call."""
    out = []
    for graph in (GOVERNANCE_GRAPH, AUDIT_GRAPH):
        out += sorted(str(q) for q in catalog.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return out


def dataset(identifier: str) -> str:
    return ns.resource(identifier)


def form_csrf(client: FlaskClient, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, login: str) -> str:
    """Sign in through the form; return the session's CSRF token."""
    password = "demo-password" if login == OTHER_MANAGER else "demo"
    data = {"login": login, "password": password, "csrf_token": form_csrf(client, "/login")}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        return session["csrf"]
