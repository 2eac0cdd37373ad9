"""A node serving the sample federation, fresh for each test: edits change the store, so no test sees another's.

Harvesting the federation and indexing it takes seconds, so it is done once per session into a template folder
(store, search index, accounts, secret key); each test gets a copy of that folder and its own app on it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.accounts import Accounts, ensure_demo_accounts
from catalog_service.accounts import store as account_store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.demo import load_sample_federation
from catalog_service.governance import AUDIT_GRAPH, edit_history
from catalog_service.search.api import INDEX_KEY
from catalog_service.sparql import RUNNER_KEY
from catalog_service.store import REGISTRY_GRAPH, CatalogStore
from tests.accounts.conftest import FAST

POLICE_PUBLIC = "3010002/000277"
"""南京市道路交通事故统计信息: 南京市公安局, 无条件共享, 无条件开放 (public)."""
POLICE_HIDDEN = "3010004/000319"
"""南京市出入境证件签发信息: 南京市公安局, 有条件共享, 不予开放 (government users only)."""
NANJING_OTHER = "1020001/000115"
"""南京市企业登记信息: 南京市市场监督管理局 (public): nanjing-admin's division, not nanjing-police's department."""
JIANGSU_POLICE = "1010002/000186"
"""江苏省流动人口居住登记信息: 江苏省公安厅 (province 320000)."""
OTHER_MANAGER = "jiangsu-police"
"""A catalog manager of 江苏省公安厅, besides the demo accounts."""
LOGINS = ("jiangsu-admin", "nanjing-admin", "nanjing-police", "xuanwu-requester", OTHER_MANAGER)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Node:
    app: Flask
    store: CatalogStore
    folder: Path

    @property
    def accounts(self) -> Accounts:
        return self.app.extensions[ACCOUNTS_KEY]

    def token(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.accounts.create_token(login)[0]}"}


@pytest.fixture(scope="session")
def federation_template(tmp_path_factory: pytest.TempPathFactory, vocabulary_store: Path) -> Path:
    """A node folder with the sample federation harvested and indexed, and the demo accounts (made once)."""
    folder = tmp_path_factory.mktemp("editing") / "node"
    shutil.copytree(vocabulary_store, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_store, "DEFAULT_HASHER", FAST)
        patch.delenv("GOV_CATALOG_SECRET_KEY", raising=False)
        store = CatalogStore.open(folder)
        runs = load_sample_federation(store)
        assert [r.status for r in runs] == ["succeeded"] * len(runs)
        app = create_app(Config(data_dir=folder), store=store)
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
        app.extensions[INDEX_KEY].close()
        store.close()
    return folder


@pytest.fixture
def node(tmp_path: Path, federation_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    monkeypatch.setattr(account_store, "DEFAULT_HASHER", FAST)
    monkeypatch.delenv("GOV_CATALOG_SECRET_KEY", raising=False)
    folder = tmp_path / "node"
    shutil.copytree(federation_template, folder)
    store = CatalogStore.open(folder)
    app = create_app(Config(data_dir=folder), store=store)
    app.config["TESTING"] = True
    yield Node(app, store, folder)
    if RUNNER_KEY in app.extensions:
        app.extensions[RUNNER_KEY].close()
    app.extensions[INDEX_KEY].close()
    store.close()


@pytest.fixture
def client(node: Node) -> FlaskClient:
    return node.app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dataset(identifier: str) -> str:
    return ns.resource(identifier)


def catalog_state(store: CatalogStore, sources: tuple[str, ...] = ("nanjing", "jiangsu")) -> list[str]:
    """The registry, the audit trail and the graphs of the sources the tests edit: equal before and after a
    refused edit (the registry stamps every write to any source)."""
    graphs = [REGISTRY_GRAPH.value, AUDIT_GRAPH]
    for name in sources:
        version = store.source(name)
        graphs += [version.graph, version.restricted_graph, version.state_graph]
    raw = store.raw
    return sorted(str(q) for g in graphs for q in raw.quads_for_pattern(None, None, None, ox.NamedNode(g)))


def audit_events(store: CatalogStore) -> int:
    return sum(1 for _ in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(AUDIT_GRAPH)))


def edits_of(store: CatalogStore, identifier: str) -> list:
    return edit_history(store, dataset(identifier))


def etag(client: FlaskClient, identifier: str, headers: dict[str, str]) -> str:
    response = client.get(f"/api/datasets/{identifier}", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"].startswith('"')
    return response.headers["ETag"]


def patch(client: FlaskClient, identifier: str, body: object, headers: dict[str, str], if_match: str | None = None):
    extra = {"If-Match": if_match} if if_match else {}
    return client.patch(
        f"/api/datasets/{identifier}",
        json=body,
        headers={**headers, **extra, "Content-Type": "application/merge-patch+json"},
    )


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body["error"]) >= {"status", "zh", "en"}, body
    assert body["error"]["status"] == response.status_code and body["error"]["zh"] and body["error"]["en"]
    return body["error"]


def element(entry: dict, key: str) -> list[dict]:
    """The values of one profile element of an entry's JSON."""
    return next(e["values"] for e in entry["elements"] if e["key"] == key)


def form_csrf(client: FlaskClient, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, login: str) -> str:
    """Sign in through the form; the session's CSRF token."""
    password = "demo-password" if login == OTHER_MANAGER else "demo"
    response = client.post(
        "/login", data={"login": login, "password": password, "csrf_token": form_csrf(client, "/login")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as session:
        return session["csrf"]
