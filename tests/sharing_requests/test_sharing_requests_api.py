"""The sharing-request JSON API: lifecycles and every refusal, with bearer tokens of demo-like users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from catalog_service.governance import RequestService
from catalog_service.governance.calendar import ESTIMATE_NOTE
from catalog_service.requests_api import actor_for
from catalog_service.store import CatalogStore
from tests.sharing_requests.conftest import (
    CONDITIONAL,
    CONDITIONAL_2,
    NOT_SHARED,
    OTHER_MANAGER,
    POLICE,
    UNCONDITIONAL,
    dataset,
    governance_state,
    sign_in,
)

APPLICATION = {"purpose": "4", "scope": "玄武区低保资格核验", "basis": "《社会救助暂行办法》第十一条"}


def submit(client: FlaskClient, headers: dict[str, str], identifier: str = CONDITIONAL, **changes: object):
    return client.post("/api/requests", json={"dataset": identifier, **APPLICATION, **changes}, headers=headers)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body["error"]) == {"status", "zh", "en"}, body
    assert body["error"]["status"] == response.status_code and body["error"]["zh"] and body["error"]["en"]
    return body["error"]


def ids(response) -> set[str]:
    return {item["id"] for item in response.get_json()["requests"]}


def test_anonymous_gets_401(client: FlaskClient, catalog: CatalogStore) -> None:
    for response in (
        client.get("/api/requests"),
        client.get("/api/requests/00000000-0000-0000-0000-000000000000"),
        client.post("/api/requests", json={"dataset": CONDITIONAL, **APPLICATION}),
        client.post("/api/requests/00000000-0000-0000-0000-000000000000/approve", json={"conditions": ["x"]}),
    ):
        assert response.status_code == 401
        error_of(response)
    assert governance_state(catalog) == []
    page = client.get("/requests")
    assert page.status_code == 302 and "/login" in page.location


def test_approval_lifecycle(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    created = submit(client, tokens["xuanwu-requester"])
    assert created.status_code == 201, created.get_json()
    item = created.get_json()["request"]
    assert item["status"] == "submitted" and item["status_label"] == {"zh": "已提交", "en": "submitted"}
    assert item["dataset"] == dataset(CONDITIONAL) and item["dataset_identifier"] == CONDITIONAL
    assert item["provider_department"] == POLICE and item["requester_department"] == "113201021733417942"
    assert item["purpose_label"]["zh"] == "业务协同"
    assert item["deadline"] > item["received"][:10]
    assert item["deadline_basis"] == ("official" if item["deadline_official"] else "estimated")
    assert item["deadline_note"] == (None if item["deadline_official"] else ESTIMATE_NOTE)
    assert item["overdue"] is False and item["escalation"] is None
    assert created.headers["Location"].endswith(f"/api/requests/{item['id']}")

    # who sees it
    assert ids(client.get("/api/requests", headers=tokens["xuanwu-requester"])) == {item["id"]}
    assert ids(client.get("/api/requests", headers=tokens["nanjing-police"])) == {item["id"]}
    assert ids(client.get("/api/requests", headers=tokens["nanjing-admin"])) == {item["id"]}
    assert ids(client.get("/api/requests", headers=tokens["jiangsu-admin"])) == set()
    assert ids(client.get("/api/requests", headers=tokens[OTHER_MANAGER])) == set()
    assert client.get(f"/api/requests/{item['id']}", headers=tokens["nanjing-police"]).status_code == 200
    assert client.get(f"/api/requests/{item['id']}", headers=tokens[OTHER_MANAGER]).status_code == 403

    # refused calls change nothing
    before = governance_state(catalog)
    url = f"/api/requests/{item['id']}"
    other = client.post(f"{url}/approve", json={"conditions": ["仅用于核验"]}, headers=tokens[OTHER_MANAGER])
    assert other.status_code == 403 and "提供方" in error_of(other)["zh"]
    requester = client.post(f"{url}/approve", json={"conditions": ["x"]}, headers=tokens["xuanwu-requester"])
    assert requester.status_code == 403
    no_conditions = client.post(f"{url}/approve", json={"conditions": []}, headers=tokens["nanjing-police"])
    assert no_conditions.status_code == 422 and error_of(no_conditions)
    no_reason = client.post(f"{url}/refuse", json={"reason": "  "}, headers=tokens["nanjing-police"])
    assert no_reason.status_code == 422 and "reason" in error_of(no_reason)["en"]
    not_escalated = client.post(
        f"{url}/settle",
        json={"decision": "approve", "reason": "r", "conditions": ["c"]},
        headers=tokens["nanjing-admin"],
    )
    assert not_escalated.status_code == 409
    assert governance_state(catalog) == before

    approved = client.post(
        f"{url}/approve", json={"conditions": ["仅用于低保核验", "不得向第三方提供"]}, headers=tokens["nanjing-police"]
    )
    assert approved.status_code == 200, approved.get_json()
    answer = approved.get_json()["request"]
    assert answer["status"] == "approved" and answer["conditions"] == sorted(["仅用于低保核验", "不得向第三方提供"])
    assert answer["answered"] and answer["overdue"] is False

    after = governance_state(catalog)
    for action in ("approve", "refuse"):
        again = client.post(
            f"{url}/{action}", json={"conditions": ["x"], "reason": "y"}, headers=tokens["nanjing-police"]
        )
        assert again.status_code == 409 and "已同意" in error_of(again)["zh"]
    assert governance_state(catalog) == after
    shown = client.get(url, headers=tokens["xuanwu-requester"]).get_json()["request"]
    assert shown["status"] == "approved" and shown["deadline"] == item["deadline"]


def test_refusal_with_reason(client: FlaskClient, tokens: dict) -> None:
    item = submit(client, tokens["xuanwu-requester"], CONDITIONAL_2).get_json()["request"]
    refused = client.post(
        f"/api/requests/{item['id']}/refuse", json={"reason": "申请范围超出职责"}, headers=tokens["nanjing-police"]
    )
    assert refused.status_code == 200
    assert refused.get_json()["request"]["status"] == "refused"
    assert refused.get_json()["request"]["reason"] == "申请范围超出职责"


def test_bad_submissions(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    requester = tokens["xuanwu-requester"]
    unknown = submit(client, requester, "1010001/999999")
    assert unknown.status_code == 404 and error_of(unknown)
    unconditional = submit(client, requester, UNCONDITIONAL)
    assert unconditional.status_code == 409 and "无条件共享" in error_of(unconditional)["zh"]
    assert submit(client, requester, "").status_code == 422
    assert submit(client, requester, purpose="no such purpose").status_code == 422
    assert submit(client, requester, scope="").status_code == 422
    assert client.post("/api/requests", json=["not", "an", "object"], headers=requester).status_code == 422
    assert submit(client, tokens["nanjing-police"]).status_code == 403  # a manager does not apply
    assert governance_state(catalog) == []
    first = submit(client, requester)
    assert first.status_code == 201
    duplicate = submit(client, requester)
    assert duplicate.status_code == 409 and error_of(duplicate)


def test_unknown_request_is_404(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    for path in ("/api/requests/00000000-0000-0000-0000-000000000000", "/api/requests/not-a-uuid"):
        response = client.get(path, headers=tokens["nanjing-police"])
        assert response.status_code == 404 and error_of(response)
        approve = client.post(f"{path}/approve", json={"conditions": ["x"]}, headers=tokens["nanjing-police"])
        assert approve.status_code == 404
    assert governance_state(catalog) == []


def test_negotiation_settled_by_the_level_administrator(
    client: FlaskClient, catalog: CatalogStore, tokens: dict
) -> None:
    created = submit(client, tokens["xuanwu-requester"], NOT_SHARED)
    assert created.status_code == 201
    item = created.get_json()["request"]
    assert item["status"] == "negotiating"
    url = f"/api/requests/{item['id']}"
    before = governance_state(catalog)
    assert client.post(f"{url}/refuse", json={"reason": "r"}, headers=tokens["nanjing-police"]).status_code == 409
    settle = {"decision": "approve", "reason": "经协调同意", "conditions": ["仅限玄武区民政局使用"]}
    assert client.post(f"{url}/settle", json=settle, headers=tokens["jiangsu-admin"]).status_code == 403
    assert client.post(f"{url}/settle", json=settle, headers=tokens["nanjing-police"]).status_code == 403
    no_decision = client.post(f"{url}/settle", json={"reason": "r"}, headers=tokens["nanjing-admin"])
    assert no_decision.status_code == 422
    no_reason = client.post(f"{url}/settle", json={"decision": "refuse"}, headers=tokens["nanjing-admin"])
    assert no_reason.status_code == 422
    assert governance_state(catalog) == before
    settled = client.post(f"{url}/settle", json=settle, headers=tokens["nanjing-admin"])
    assert settled.status_code == 200, settled.get_json()
    answer = settled.get_json()["request"]
    assert answer["status"] == "approved" and answer["reason"] == "经协调同意"


def test_overdue_request_is_escalated_and_settled(
    client: FlaskClient, catalog: CatalogStore, tokens: dict, app
) -> None:
    from catalog_service.accounts.access import ACCOUNTS_KEY

    requester = app.extensions[ACCOUNTS_KEY].get_user("xuanwu-requester")
    service = RequestService(catalog)
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
    item = service.submit(actor_for(requester), dataset(CONDITIONAL), **APPLICATION, at=received)
    shown = client.get(f"/api/requests/{item.id}", headers=tokens["nanjing-police"]).get_json()["request"]
    assert shown["overdue"] is True and shown["escalation"] is None

    assert [r.id for r in service.escalate_overdue()] == [item.id]
    shown = client.get(f"/api/requests/{item.id}", headers=tokens["nanjing-admin"]).get_json()["request"]
    assert shown["overdue"] is True
    assert shown["escalation"]["target"] == "level-administrator" and shown["escalation"]["region"] == "320100"
    settled = client.post(
        f"/api/requests/{item.id}/settle",
        json={"decision": "refuse", "reason": "涉及个人隐私"},
        headers=tokens["nanjing-admin"],
    )
    assert settled.status_code == 200
    assert settled.get_json()["request"]["status"] == "refused"
    assert settled.get_json()["request"]["overdue"] is False


@pytest.mark.parametrize(("sent", "status"), [(None, 400), ("wrong", 403)])
def test_session_json_post_needs_csrf(
    client: FlaskClient, catalog: CatalogStore, sent: str | None, status: int
) -> None:
    sign_in(client, "xuanwu-requester")
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    response = client.post("/api/requests", json={"dataset": CONDITIONAL, **APPLICATION}, headers=headers)
    assert response.status_code == status
    assert governance_state(catalog) == []


def test_session_json_post_with_csrf(client: FlaskClient) -> None:
    csrf = sign_in(client, "xuanwu-requester")
    response = client.post(
        "/api/requests", json={"dataset": CONDITIONAL, **APPLICATION}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 201
