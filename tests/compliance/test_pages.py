"""The compliance pages: flag and report from an entry's page, answer on /feedback, record changes, CSRF."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from catalog_service.store import CatalogStore
from tests.sharing_requests import conftest as shared
from tests.sharing_requests.conftest import CONDITIONAL, OTHER_MANAGER, POLICE, form_csrf, governance_state, sign_in

# The sample federation with the demo accounts, one store for this module (see tests/sharing_requests/conftest.py).
federation, app, catalog, client, tokens = shared.federation, shared.app, shared.catalog, shared.client, shared.tokens

ANSWER_FORM = re.compile(r'action="/feedback/([0-9a-f-]{36})/answer"')
CHANGE = {"department": POLICE, "kind": "functional", "description": "机构改革，职能调整", "effective": "2026-03-02"}


def sign_out(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        csrf = session["csrf"]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302


def flag_from_dataset_page(client: FlaskClient, description: str = "联系电话已停用") -> None:
    """Flag CONDITIONAL through the form on its page, as the signed-in user, and follow back to the page."""
    page = client.get(f"/datasets/{CONDITIONAL}").get_data(as_text=True)
    assert 'id="compliance-actions"' in page and f'href="/misuse/new?dataset={CONDITIONAL}"' in page
    csrf = form_csrf(client, f"/datasets/{CONDITIONAL}")
    response = client.post(
        "/feedback/new", data={"dataset": CONDITIONAL, "description": description, "csrf_token": csrf}
    )
    assert response.status_code == 303 and response.location.endswith(f"/datasets/{CONDITIONAL}#compliance-actions")
    assert "已提交纠错反馈" in client.get(response.location).get_data(as_text=True)


def test_public_sees_no_forms_and_is_sent_to_sign_in(client: FlaskClient, catalog: CatalogStore) -> None:
    assert 'id="compliance-actions"' not in client.get(f"/datasets/{CONDITIONAL}").get_data(as_text=True)
    for path in ("/feedback", "/compliance/changes", f"/feedback/new?dataset={CONDITIONAL}", "/misuse/new"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login"), path
    response = client.post("/feedback/new", data={"dataset": CONDITIONAL, "description": "x"})
    assert response.status_code in (302, 401)
    assert client.get("/feedback", headers={"Accept": "application/json"}).status_code == 401
    assert governance_state(catalog) == []


def test_flag_answer_and_list(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    sign_in(client, "xuanwu-requester")
    flag_from_dataset_page(client)
    mine = client.get("/feedback").get_data(as_text=True)
    assert "联系电话已停用" in mine and "待答复" in mine and not ANSWER_FORM.search(mine)
    sign_out(client)

    sign_in(client, OTHER_MANAGER)  # another department's manager: not shown, and refused when trying anyway
    assert "联系电话已停用" not in client.get("/feedback").get_data(as_text=True)
    feedback_id = client.get("/api/feedback", headers=tokens["nanjing-police"]).get_json()[0]["id"]
    with client.session_transaction() as session:
        csrf = session["csrf"]
    response = client.post(f"/feedback/{feedback_id}/answer", data={"answer": "已更正", "csrf_token": csrf})
    assert response.status_code == 403 and "只有提供方部门可以答复" in response.get_data(as_text=True)
    sign_out(client)

    csrf = sign_in(client, "nanjing-police")
    page = client.get("/feedback").get_data(as_text=True)
    assert "联系电话已停用" in page and ANSWER_FORM.search(page).group(1) == feedback_id
    response = client.post(f"/feedback/{feedback_id}/answer", data={"answer": "", "csrf_token": csrf})
    assert response.status_code == 422 and "须填写答复" in response.get_data(as_text=True)
    response = client.post(
        f"/feedback/{feedback_id}/answer",
        data={"answer": "已核实，电话已更新", "corrected": "true", "csrf_token": csrf},
    )
    assert response.status_code == 303
    page = client.get("/feedback").get_data(as_text=True)
    assert "已核实，电话已更新" in page and "已答复" in page and not ANSWER_FORM.search(page)
    item = client.get("/api/feedback", headers=tokens["xuanwu-requester"]).get_json()[0]
    assert (item["status"], item["answer"], item["corrected"], item["answeredBy"]) == (
        "answered",
        "已核实，电话已更新",
        True,
        "nanjing-police",
    )


def test_unticked_corrected_means_not_corrected(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    sign_in(client, "xuanwu-requester")
    flag_from_dataset_page(client)
    sign_out(client)
    csrf = sign_in(client, "nanjing-police")
    feedback_id = ANSWER_FORM.search(client.get("/feedback").get_data(as_text=True)).group(1)
    response = client.post(f"/feedback/{feedback_id}/answer", data={"answer": "数据无误", "csrf_token": csrf})
    assert response.status_code == 303
    assert client.get("/api/feedback", headers=tokens["nanjing-police"]).get_json()[0]["corrected"] is False


def test_refused_flag_shows_the_form_again(client: FlaskClient, catalog: CatalogStore) -> None:
    csrf = sign_in(client, "xuanwu-requester")
    response = client.post(
        "/feedback/new?lang=en", data={"dataset": CONDITIONAL, "description": "", "csrf_token": csrf}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "a description is required" in page and f'value="{CONDITIONAL}"' in page
    response = client.post("/feedback/new", data={"dataset": "9999999/999999", "description": "x", "csrf_token": csrf})
    assert response.status_code == 404
    assert governance_state(catalog) == []


def test_misuse_report_through_the_form(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    csrf = sign_in(client, "nanjing-police")
    form = client.get(f"/misuse/new?dataset={CONDITIONAL}").get_data(as_text=True)
    assert "报告超范围使用" in form and f'value="{CONDITIONAL}"' in form
    data = {"dataset": CONDITIONAL, "department": "11320102MB0000000X", "description": "用于营销", "csrf_token": csrf}
    response = client.post("/misuse/new", data=data)
    assert response.status_code == 303 and response.location.endswith(f"/datasets/{CONDITIONAL}#compliance-actions")
    assert "已提交超范围使用举报" in client.get(response.location).get_data(as_text=True)
    response = client.post("/misuse/new", data={**data, "department": ""})
    assert response.status_code == 422 and "须填写使用部门统一社会信用代码" in response.get_data(as_text=True)
    assert sum("MisuseReport" in quad for quad in governance_state(catalog)) == 1


def test_missing_or_forged_csrf_writes_nothing(client: FlaskClient, catalog: CatalogStore) -> None:
    sign_in(client, "jiangsu-admin")
    for sent, status in ((None, 400), ("forged", 403)):
        extra = {} if sent is None else {"csrf_token": sent}
        assert client.post("/feedback/new", data={"dataset": CONDITIONAL, "description": "x", **extra}).status_code == (
            status
        )
        assert client.post("/compliance/changes", data={**CHANGE, **extra}).status_code == status
    assert governance_state(catalog) == []


def test_admin_records_a_change(client: FlaskClient, catalog: CatalogStore, tokens: dict) -> None:
    csrf = sign_in(client, "jiangsu-admin")
    assert 'href="/compliance/changes"' in client.get("/compliance").get_data(as_text=True)
    page = client.get("/compliance/changes").get_data(as_text=True)
    assert "15 个工作日" in page and "职能变更" in page and "暂无登记的变更" in page
    response = client.post("/compliance/changes", data={**CHANGE, "region": "320100", "csrf_token": csrf})
    assert response.status_code == 303
    [notice] = client.get("/api/compliance/changes", headers=tokens["jiangsu-admin"]).get_json()
    page = client.get("/compliance/changes").get_data(as_text=True)
    assert notice["deadline"] == "2026-03-23"  # 15 working days after Monday 2026-03-02
    assert "已登记变更" in page and "机构改革，职能调整" in page and notice["deadline"] in page and POLICE in page
    response = client.post("/compliance/changes", data={**CHANGE, "effective": "2026-02-30", "csrf_token": csrf})
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)
    english = client.get("/compliance/changes?lang=en").get_data(as_text=True)
    assert (
        "Legal and functional changes" in english and "Catalog update due" in english and "functional change" in english
    )


def test_non_admin_may_not_record_changes(client: FlaskClient, catalog: CatalogStore) -> None:
    csrf = sign_in(client, "nanjing-police")
    assert client.get("/compliance/changes").status_code == 403
    assert client.post("/compliance/changes", data={**CHANGE, "csrf_token": csrf}).status_code == 403
    assert 'href="/compliance/changes"' not in client.get("/feedback").get_data(as_text=True)
    assert governance_state(catalog) == []


def test_navigation_and_english(client: FlaskClient, catalog: CatalogStore) -> None:
    assert 'href="/feedback"' not in client.get("/").get_data(as_text=True)
    sign_in(client, "xuanwu-requester")
    page = client.get("/feedback?lang=en").get_data(as_text=True)
    assert 'href="/feedback" aria-current="page">Error feedback' in page and "No feedback." in page
    entry = client.get(f"/datasets/{CONDITIONAL}?lang=en").get_data(as_text=True)
    assert "Report suspected wrong data" in entry and "Report misuse" in entry
    assert "Using department (credit code)" in client.get(f"/misuse/new?dataset={CONDITIONAL}").get_data(as_text=True)
