"""The sharing-request pages: the form, the lists, the detail with its answer forms, CSRF on every form."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from catalog_service.store import CatalogStore
from tests.sharing_requests.conftest import CONDITIONAL, NOT_SHARED, UNCONDITIONAL, form_csrf, governance_state, sign_in

APPLICATION = {"purpose": "4", "scope": "玄武区低保资格核验", "basis": "《社会救助暂行办法》"}
DETAIL = re.compile(r"/requests/([0-9a-f-]{36})$")


def apply(client: FlaskClient, identifier: str = CONDITIONAL) -> str:
    """Apply through the form as the signed-in requester; the new request's id."""
    csrf = form_csrf(client, f"/requests/new?dataset={identifier}")
    response = client.post("/requests/new", data={"dataset": identifier, **APPLICATION, "csrf_token": csrf})
    assert response.status_code == 303, response.get_data(as_text=True)
    match = DETAIL.search(response.location)
    assert match, response.location
    return match.group(1)


def sign_out(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        csrf = session["csrf"]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302


def test_pages_need_sign_in(client: FlaskClient) -> None:
    for path in ("/requests", f"/requests/new?dataset={CONDITIONAL}", "/requests/00000000-0000-0000-0000-000000000000"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login")


def test_form_in_chinese_and_english(client: FlaskClient) -> None:
    sign_in(client, "xuanwu-requester")
    page = client.get(f"/requests/new?dataset={CONDITIONAL}").get_data(as_text=True)
    assert (
        "申请共享" in page and 'name="csrf_token"' in page and f'value="{CONDITIONAL}"' in page and "业务协同" in page
    )
    english = client.get(f"/requests/new?dataset={CONDITIONAL}&lang=en").get_data(as_text=True)
    assert "Request access" in english and "Purpose" in english
    nav = client.get("/requests").get_data(as_text=True)
    assert 'href="/requests" aria-current="page"' in nav


def test_only_requesters_get_the_form(client: FlaskClient) -> None:
    sign_in(client, "nanjing-police")
    assert client.get(f"/requests/new?dataset={CONDITIONAL}").status_code == 403


@pytest.mark.parametrize(("sent", "status"), [(None, 400), ("forged", 403)])
def test_form_without_valid_csrf_changes_nothing(
    client: FlaskClient, catalog: CatalogStore, sent: str | None, status: int
) -> None:
    sign_in(client, "xuanwu-requester")
    data = {"dataset": CONDITIONAL, **APPLICATION}
    if sent is not None:
        data["csrf_token"] = sent
    assert client.post("/requests/new", data=data).status_code == status
    assert governance_state(catalog) == []


def test_refused_application_shows_the_reason(client: FlaskClient, catalog: CatalogStore) -> None:
    csrf = sign_in(client, "xuanwu-requester")
    response = client.post("/requests/new", data={"dataset": UNCONDITIONAL, **APPLICATION, "csrf_token": csrf})
    assert response.status_code == 409 and "无条件共享资源无需申请" in response.get_data(as_text=True)
    response = client.post("/requests/new?lang=en", data={"dataset": CONDITIONAL, "purpose": "4", "csrf_token": csrf})
    assert response.status_code == 422 and "is required" in response.get_data(as_text=True)
    assert governance_state(catalog) == []


def test_answer_through_the_pages(client: FlaskClient, catalog: CatalogStore) -> None:
    sign_in(client, "xuanwu-requester")
    request_id = apply(client)
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "已提交" in page and "答复期限" in page and ("按周一至周五估算" in page or "法定节假日" in page)
    assert "同意共享</button>" not in page  # the requester cannot answer
    assert CONDITIONAL in client.get("/requests").get_data(as_text=True)
    english = client.get(f"/requests/{request_id}?lang=en").get_data(as_text=True)
    assert "Answer due" in english and "submitted" in english

    sign_out(client)
    sign_in(client, "nanjing-police")
    listing = client.get("/requests").get_data(as_text=True)
    assert "待答复" in listing and request_id in listing
    csrf = form_csrf(client, f"/requests/{request_id}")
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') == 2  # approve and refuse

    before = governance_state(catalog)
    assert client.post(f"/requests/{request_id}/refuse", data={"reason": "无正当理由"}).status_code == 400
    forged = client.post(f"/requests/{request_id}/refuse", data={"reason": "x", "csrf_token": "forged"})
    assert forged.status_code == 403
    no_reason = client.post(f"/requests/{request_id}/refuse", data={"reason": "", "csrf_token": csrf})
    assert no_reason.status_code == 422 and "拒绝理由" in no_reason.get_data(as_text=True)
    assert governance_state(catalog) == before

    approved = client.post(
        f"/requests/{request_id}/approve", data={"conditions": "仅用于低保核验\n不得转交", "csrf_token": csrf}
    )
    assert approved.status_code == 303
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "已同意" in page and "仅用于低保核验" in page and "不得转交" in page
    again = client.post(f"/requests/{request_id}/approve", data={"conditions": "x", "csrf_token": csrf})
    assert again.status_code == 409


def test_other_department_cannot_see_or_answer(client: FlaskClient, catalog: CatalogStore) -> None:
    sign_in(client, "xuanwu-requester")
    request_id = apply(client)
    sign_out(client)
    csrf = sign_in(client, "jiangsu-police")
    assert client.get(f"/requests/{request_id}").status_code == 403
    before = governance_state(catalog)
    response = client.post(f"/requests/{request_id}/approve", data={"conditions": "x", "csrf_token": csrf})
    assert response.status_code == 403
    assert governance_state(catalog) == before
    assert client.get("/requests/00000000-0000-0000-0000-000000000000").status_code == 404


def test_administrator_settles_a_negotiation(client: FlaskClient) -> None:
    sign_in(client, "xuanwu-requester")
    request_id = apply(client, NOT_SHARED)
    assert "协商中" in client.get(f"/requests/{request_id}").get_data(as_text=True)
    sign_out(client)
    sign_in(client, "nanjing-admin")
    listing = client.get("/requests").get_data(as_text=True)
    assert "待协调" in listing and request_id in listing
    csrf = form_csrf(client, f"/requests/{request_id}")
    assert 'value="approve"' in client.get(f"/requests/{request_id}").get_data(as_text=True)
    settled = client.post(
        f"/requests/{request_id}/settle",
        data={"decision": "refuse", "reason": "涉及国家秘密", "csrf_token": csrf},
    )
    assert settled.status_code == 303
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "已拒绝" in page and "涉及国家秘密" in page
