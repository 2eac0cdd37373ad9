"""PATCH /api/datasets/<code>: the manager's edit seen everywhere, every refusal changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from catalog_service.accounts.web import SESSION_COOKIE
from tests.editing.conftest import (
    JIANGSU_POLICE,
    NANJING_OTHER,
    OTHER_MANAGER,
    POLICE_HIDDEN,
    POLICE_PUBLIC,
    Node,
    audit_events,
    bearer,
    catalog_state,
    dataset,
    edits_of,
    element,
    error_of,
    etag,
    patch,
    sign_in,
)

SPARQL_JSON = {"Accept": "application/sparql-results+json"}
NEW_TITLE = "南京市道路交通事故统计（季度汇总）"


def test_manager_edits_own_entry(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    tag = etag(client, POLICE_PUBLIC, police)
    changes = {
        "title": {"zh": NEW_TITLE, "en": "Road traffic accidents in Nanjing (quarterly)"},
        "keywords": ["交通事故", "季度统计"],
        "update-cycle": "5",  # 每季度
        "use-requirement": ["引用时注明来源"],
    }
    response = patch(client, POLICE_PUBLIC, changes, police, tag)
    assert response.status_code == 200, response.get_json()
    entry = response.get_json()
    assert entry["title"] == {"zh": NEW_TITLE, "en": "Road traffic accidents in Nanjing (quarterly)"}
    assert entry["edit"]["changed"] == ["title", "keywords", "use-requirement", "update-cycle"]
    assert entry["edit"]["event"] and entry["edit"]["at"]
    assert response.headers["ETag"] != tag

    # the API, for everyone (the entry is public), with the new version as its ETag
    shown = client.get(f"/api/datasets/{POLICE_PUBLIC}")
    assert shown.status_code == 200 and shown.headers["ETag"] == response.headers["ETag"]
    body = shown.get_json()
    assert body["title"]["zh"] == NEW_TITLE
    assert sorted(k["value"] for k in body["keywords"]) == ["交通事故", "季度统计"]
    assert [v["notation"] for v in element(body, "update-cycle")] == ["5"]
    assert body["modified"].startswith(entry["edit"]["at"][:10]) and "T" in body["modified"]
    record = next(r for r in body["provenance"]["records"] if r["source"] == "nanjing")
    assert datetime.fromisoformat(record["lastChanged"]) == datetime.fromisoformat(entry["edit"]["at"])

    # search (public), and SPARQL
    found = client.get("/api/search", query_string={"q": "季度汇总"}).get_json()
    assert [item["identifier"] for item in found["items"]] == [POLICE_PUBLIC]
    query = (
        "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?t WHERE { "
        f"<{dataset(POLICE_PUBLIC)}> dct:title ?t FILTER(LANG(?t) = 'zh') }}"
    )
    rows = client.post("/sparql", data={"query": query}, headers=SPARQL_JSON).get_json()["results"]["bindings"]
    assert [row["t"]["value"] for row in rows] == [NEW_TITLE]

    # the audit trail: who, when, what, before and after
    (event,) = edits_of(node.store, POLICE_PUBLIC)
    assert event.actor == "nanjing-police" and event.action == "edit" and event.iri == entry["edit"]["event"]
    assert event.before["title"] == [{"lang": "zh", "value": "南京市道路交通事故统计信息"}]
    assert {"lang": "zh", "value": NEW_TITLE} in event.after["title"]
    assert event.before["version"] == tag.strip('"') and event.after["version"] == response.headers["ETag"].strip('"')
    assert "南京市道路交通事故统计信息" in event.before["triples"] and NEW_TITLE in event.after["triples"]
    history = client.get(f"/api/datasets/{POLICE_PUBLIC}/history", headers=police).get_json()
    assert [(e["user"], e["changed"]) for e in history["edits"]] == [("nanjing-police", entry["edit"]["changed"])]
    assert client.get(f"/api/datasets/{POLICE_PUBLIC}/history").status_code == 401


def test_values_as_the_api_gives_them_change_nothing(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    entry = client.get(f"/api/datasets/{POLICE_HIDDEN}", headers=police).get_json()
    same = {
        key: element(entry, key)
        for key in ("description", "format", "sharing-type", "sharing-condition", "sharing-method", "openness")
    }
    same |= {"title": entry["title"], "keywords": entry["keywords"], "dataElements": entry["dataElements"]["rows"]}
    before = catalog_state(node.store)
    response = patch(client, POLICE_HIDDEN, same, police, "*")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["edit"] == {"changed": [], "warnings": [], "event": None, "at": None}
    assert catalog_state(node.store) == before


def test_administrator_edits_the_entries_of_its_division(node: Node, client: FlaskClient) -> None:
    change = {"use-requirement": "仅限本市政务使用"}
    response = patch(client, NANJING_OTHER, change, node.token("nanjing-admin"), "*")
    assert response.status_code == 200, response.get_json()
    assert [v["value"] for v in element(response.get_json(), "use-requirement")] == ["仅限本市政务使用"]
    provincial = patch(client, NANJING_OTHER, change, node.token("jiangsu-admin"), "*")
    assert provincial.status_code == 403 and "division" in error_of(provincial)["en"]
    assert patch(client, JIANGSU_POLICE, change, node.token("jiangsu-admin"), "*").status_code == 200
    assert patch(client, JIANGSU_POLICE, {"use-requirement": None}, node.token(OTHER_MANAGER), "*").status_code == 200
    assert [e.actor for e in edits_of(node.store, JIANGSU_POLICE)] == ["jiangsu-admin", OTHER_MANAGER]


def test_refusals_change_nothing(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    tag = etag(client, POLICE_HIDDEN, police)
    good = {"title": {"zh": "改过的名称"}}
    before = catalog_state(node.store)
    accounts = node.accounts

    expired, _ = accounts.create_token("nanjing-police", expires_in_days=1, now=datetime.now(UTC) - timedelta(days=2))
    revoked, info = accounts.create_token("nanjing-police")
    accounts.revoke_token(info.id)
    lowered, _ = accounts.create_token("nanjing-police", role="requester")
    for headers, status in (
        ({}, 401),
        (bearer("gct_" + "x" * 43), 401),
        (bearer(expired), 401),
        (bearer(revoked), 401),
        (bearer(lowered), 403),  # a token limited to the requester role
        (node.token("xuanwu-requester"), 403),
        (node.token(OTHER_MANAGER), 403),
        (node.token("nanjing-admin"), 200),  # checked last below: nanjing-admin may, its division
    ):
        if status == 200:
            continue
        response = patch(client, POLICE_HIDDEN, good, headers, tag)
        assert response.status_code == status, (headers, response.get_json())
        error_of(response)
        if status == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")

    # a manager of another department on a public entry; unknown entries
    assert patch(client, POLICE_PUBLIC, good, node.token(OTHER_MANAGER), "*").status_code == 403
    assert patch(client, "1010001/999999", good, police, "*").status_code == 404
    assert patch(client, "not-a-code", good, police, "*").status_code == 404

    # the request itself
    wrong_type = client.patch(
        f"/api/datasets/{POLICE_HIDDEN}",
        data="title=x",
        headers={**police, "If-Match": tag, "Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415 and error_of(wrong_type)
    assert patch(client, POLICE_HIDDEN, good, police).status_code == 428
    broken = client.patch(
        f"/api/datasets/{POLICE_HIDDEN}",
        data="{not json",
        headers={**police, "If-Match": tag, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert patch(client, POLICE_HIDDEN, ["title", "x"], police, tag).status_code == 422
    unknown = patch(client, POLICE_HIDDEN, {"identifier": "3010004/000999"}, police, tag)
    assert unknown.status_code == 422 and "identifier" in error_of(unknown)["en"]
    bad_code = patch(client, POLICE_HIDDEN, {"sharing-type": "maybe"}, police, tag)
    assert bad_code.status_code == 422 and "sharing-type" in error_of(bad_code)["en"]
    assert patch(client, POLICE_HIDDEN, {"openness": ["1", "3"]}, police, tag).status_code == 422
    assert patch(client, POLICE_HIDDEN, {"title": {"zh-": "x"}}, police, tag).status_code == 422

    # SHACL: a 有条件共享 entry without its conditions, an entry without a title or data elements
    for change, path in (
        ({"sharing-condition": None}, "https://w3id.org/gov-catalog/ns#sharingCondition"),
        ({"title": None}, "http://purl.org/dc/terms/title"),
        ({"dataElements": []}, "https://w3id.org/gov-catalog/ns#dataElement"),
        ({"dataElements": [{"data-element-name": "姓名"}]}, "https://w3id.org/gov-catalog/ns#dataType"),
    ):
        response = patch(client, POLICE_HIDDEN, change, police, tag)
        assert response.status_code == 422, response.get_json()
        violations = error_of(response)["violations"]
        assert path in {v["resultPath"] for v in violations}, violations
        assert all(v["message"]["zh"] and v["message"]["en"] and v["severity"] == "Violation" for v in violations)
        assert {v["field"] for v in violations} <= {*change, None}

    # a stale version
    stale = patch(client, POLICE_HIDDEN, good, police, '"0123456789abcdef0123456789abcdef"')
    assert stale.status_code == 412 and error_of(stale)

    assert catalog_state(node.store) == before
    assert audit_events(node.store) == 0
    assert patch(client, POLICE_HIDDEN, good, node.token("nanjing-admin"), tag).status_code == 200


def test_sessions_need_csrf_and_forged_sessions_are_the_public(node: Node, client: FlaskClient) -> None:
    csrf = sign_in(client, "nanjing-police")
    tag = etag(client, POLICE_HIDDEN, {})
    before = catalog_state(node.store)
    change = {"keywords": ["护照", "出入境", "港澳通行证"]}
    assert patch(client, POLICE_HIDDEN, change, {}, tag).status_code == 400
    assert patch(client, POLICE_HIDDEN, change, {"X-CSRF-Token": "guess"}, tag).status_code == 403

    forger = node.app.test_client()
    other = Flask("forger")
    other.secret_key = "not the node's key " * 3
    stamp = node.accounts.session_stamp("nanjing-police")
    cookie = (
        SecureCookieSessionInterface()
        .get_signing_serializer(other)
        .dumps({"login": "nanjing-police", "stamp": stamp, "csrf": "x"})
    )
    forger.set_cookie(SESSION_COOKIE, cookie)
    forged = patch(forger, POLICE_HIDDEN, change, {"X-CSRF-Token": "x"}, tag)
    assert forged.status_code == 401
    assert catalog_state(node.store) == before

    response = patch(client, POLICE_HIDDEN, change, {"X-CSRF-Token": csrf}, tag)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["edit"]["changed"] == ["keywords"]


def test_concurrent_edits_the_second_one_loses(node: Node, client: FlaskClient) -> None:
    police, admin = node.token("nanjing-police"), node.token("nanjing-admin")
    tag = etag(client, POLICE_HIDDEN, police)
    assert client.get(f"/api/datasets/{POLICE_HIDDEN}", headers={**police, "If-None-Match": tag}).status_code == 304
    first = patch(client, POLICE_HIDDEN, {"sharing-condition": ["仅用于证件核验"]}, admin, tag)
    assert first.status_code == 200
    second = patch(client, POLICE_HIDDEN, {"sharing-condition": ["不得向第三方提供"]}, police, tag)
    assert second.status_code == 412 and "GET" in error_of(second)["en"]
    shown = client.get(f"/api/datasets/{POLICE_HIDDEN}", headers=police).get_json()
    assert [v["value"] for v in element(shown, "sharing-condition")] == ["仅用于证件核验"]
    assert len(edits_of(node.store, POLICE_HIDDEN)) == 1
    retry = patch(client, POLICE_HIDDEN, {"sharing-condition": ["不得向第三方提供"]}, police, first.headers["ETag"])
    assert retry.status_code == 200


def test_data_elements_and_sharing_method(node: Node, client: FlaskClient) -> None:
    police = node.token("nanjing-police")
    rows = [
        {"data-element-name": "事故编号", "data-type": "C"},
        {"data-element-name": {"zh": "发生时间"}, "data-type": "T"},
        {"data-element-name": "死亡人数", "data-type": "整型"},
    ]
    change = {"dataElements": rows, "sharing-method": {"category": "2", "type": "文件"}}
    response = patch(client, POLICE_PUBLIC, change, police, "*")
    assert response.status_code == 200, response.get_json()
    entry = response.get_json()
    shown = [
        ([v["value"] for v in row["values"]["data-element-name"]], [v["notation"] for v in row["values"]["data-type"]])
        for row in entry["dataElements"]["rows"]
    ]
    assert shown == [(["事故编号"], ["C"]), (["发生时间"], ["T"]), (["死亡人数"], ["I"])]
    assert [r["position"] for r in entry["dataElements"]["rows"]] == [1, 2, 3]
    assert {v["notation"] for v in element(entry, "sharing-method")} == {"2", "3"}
    assert sorted(entry["edit"]["changed"]) == ["dataElements", "sharing-method"]
    # the old elements beyond the third are gone from the store
    gone = ox.NamedNode(f"{dataset(POLICE_PUBLIC)}/element/4")
    assert list(node.store.raw.quads_for_pattern(gone, None, None, None)) == []
    assert list(node.store.raw.quads_for_pattern(None, None, gone, None)) == []


def test_openapi_documents_editing(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    operation = paths["/api/datasets/{identifier}"]["patch"]
    assert {"412", "415", "422", "428", "401", "403"} <= set(operation["responses"])
    assert set(operation["requestBody"]["content"]) == {"application/merge-patch+json", "application/json"}
    assert "get" in paths["/api/datasets/{identifier}/history"]
