"""The HTTP interface: JSON, CSV and XLSX downloads, the page, feedback and misuse, and who may do what."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from catalog_service import namespaces as ns
from catalog_service.accounts import PasswordHasher
from catalog_service.accounts import store as accounts_store
from catalog_service.accounts.access import ACCOUNTS_KEY
from catalog_service.app import create_app
from catalog_service.config import Config
from catalog_service.search.api import INDEX_KEY
from catalog_service.store import CatalogStore
from tests.compliance.conftest import A1, B1, DEPT_A, DEPT_B, REQ_1
from tests.harvest.catalogs import credit_code

USERS = {
    "admin": ("admin", credit_code("320102", 99), "320102"),
    "a-manager": ("manager", DEPT_A, "320102"),
    "b-manager": ("manager", DEPT_B, "320105"),
    "requester": ("requester", REQ_1, "320102"),
}


@pytest.fixture
def app(scenario: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setattr(accounts_store, "DEFAULT_HASHER", PasswordHasher(n=2**8, r=8, p=1))
    app = create_app(Config(data_dir=tmp_path / "node"), store=scenario)
    app.config["TESTING"] = True
    accounts = app.extensions[ACCOUNTS_KEY]
    for login, (role, code, region) in USERS.items():
        accounts.add_user(
            login=login,
            password="secret-password",
            display_name=login,
            role=role,
            department_code=code,
            department_name=login,
            level="县",
            region=region,
        )
    yield app
    app.extensions[INDEX_KEY].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(app: Flask, login: str) -> dict[str, str]:
    token, _ = app.extensions[ACCOUNTS_KEY].create_token(login)
    return {"Authorization": f"Bearer {token}"}


def test_compliance_only_for_administrators(app: Flask, client: FlaskClient) -> None:
    for path in ("/api/compliance", "/api/compliance/annual?year=2025", "/api/compliance/changes"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=auth(app, "a-manager")).status_code == 403
        assert client.get(path, headers=auth(app, "requester")).status_code == 403
    assert client.get("/compliance").status_code in (302, 401)
    assert client.get("/compliance", headers=auth(app, "a-manager")).status_code == 403
    change = {"department": DEPT_A, "kind": "functional", "description": "职能调整"}
    assert client.post("/api/compliance/changes", json=change, headers=auth(app, "a-manager")).status_code == 403
    assert client.post("/api/compliance/changes", json=change).status_code == 401


def test_downloads_and_page(app: Flask, client: FlaskClient) -> None:
    admin = auth(app, "admin")
    made = client.post(
        "/api/compliance/changes",
        json={"department": DEPT_A, "kind": "functional", "description": "职能调整", "effective": "2025-06-02"},
        headers=admin,
    )
    assert made.status_code == 201 and made.get_json()["deadline"] == "2025-06-23"
    query = "from=2025-01-01&to=2025-12-31"
    report = client.get(f"/api/compliance?{query}", headers=admin).get_json()
    rows = {d["department"]: d for d in report["departments"]}
    assert rows[DEPT_A]["changes_overdue"] == 1 and rows[DEPT_B]["duplicate_collection"] == 1

    answer = client.get(f"/api/compliance?{query}&format=csv", headers=admin)
    assert answer.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    parsed = {row[0]: row for row in table[1:]}
    column = next(i for i, h in enumerate(table[0]) if h.startswith("目录条目数"))
    assert (parsed[DEPT_A][column], parsed[DEPT_B][column]) == ("3", "1")

    answer = client.get(f"/api/compliance?{query}&format=xlsx", headers=admin)
    book = load_workbook(io.BytesIO(answer.data))
    sheet = {r[0]: r for r in book["部门"].iter_rows(values_only=True)}
    assert sheet[DEPT_A][column] == 3

    assert client.get(f"/api/compliance?{query}&format=pdf", headers=admin).status_code == 422
    assert client.get("/api/compliance?from=yesterday", headers=admin).status_code == 422
    annual = client.get("/api/compliance/annual?year=2025", headers=admin).get_json()
    assert annual["due"] == "2026-01-31"

    page = client.get(f"/compliance?{query}", headers=admin)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "<rect" in html and "南京市玄武区甲局" in html
    assert 'id="compliance-departments"' in html


def test_feedback_and_misuse(app: Flask, client: FlaskClient) -> None:
    flag = {"dataset": A1, "description": "出生日期有误"}
    assert client.post("/api/feedback", json=flag).status_code == 401
    made = client.post("/api/feedback", json=flag, headers=auth(app, "requester"))
    assert made.status_code == 201
    item = made.get_json()
    assert item["status"] == "open" and item["department"] == DEPT_A
    path = f"/api/feedback/{item['id']}/answer"
    assert client.post(path, json={"answer": "不是我们"}, headers=auth(app, "b-manager")).status_code == 403
    assert client.post(path, json={"answer": ""}, headers=auth(app, "a-manager")).status_code == 422
    answered = client.post(path, json={"answer": "已更正"}, headers=auth(app, "a-manager"))
    assert answered.status_code == 200 and answered.get_json()["status"] == "answered"
    assert (
        client.post(
            "/api/feedback", json={"dataset": "1010001/999999", "description": "x"}, headers=auth(app, "requester")
        ).status_code
        == 404
    )
    assert [i["id"] for i in client.get("/api/feedback", headers=auth(app, "a-manager")).get_json()] == [item["id"]]
    assert client.get("/api/feedback", headers=auth(app, "b-manager")).get_json() == []

    report = {"dataset": B1, "department": REQ_1, "description": "超范围使用"}
    assert client.post("/api/misuse", json=report).status_code == 401
    assert client.post("/api/misuse", json=report, headers=auth(app, "b-manager")).status_code == 201


def test_quality_api(app: Flask, client: FlaskClient) -> None:
    signed_in = client.get("/api/quality", headers=auth(app, "requester")).get_json()
    assert signed_in["overall"]["entries"] == 4
    public = client.get("/api/quality").get_json()
    assert public["overall"]["entries"] == 1  # only B1 is open to society
    one = client.get(f"/api/quality/datasets/{B1}").get_json()
    assert (one["points"], one["max"], one["rating"]) == (360, 360, "excellent")
    assert client.get(f"/api/quality/datasets/{A1}").status_code == 404  # not open: hidden from the public
    minimal = client.get(f"/api/quality/datasets/{A1}", headers=auth(app, "requester")).get_json()
    assert minimal["points"] == 220
    assert (
        client.get(f"/api/quality/datasets/{ns.resource(A1)}", headers=auth(app, "admin")).get_json()["points"] == 220
    )
