"""Role × interface: each role, on each interface, sees and may do exactly what docs/accounts.md says.

One row per interface action, one expected outcome per role. The roles are the anonymous public, a requester
(玄武区民政局), the catalog manager of the provider (南京市公安局), a catalog manager of another department
(江苏省公安厅) and the administrator of the provider's level (南京市大数据管理局). Each row runs on a fresh copy
of the sample federation, so a write allowed for one role is checked against the unchanged node for the next.
The per-feature suites (tests/visibility, tests/editing, tests/sharing_requests, tests/compliance) test each
interface in depth; this table is the overview that fails when any cell changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.editing.conftest import (
    OTHER_MANAGER,
    POLICE_HIDDEN,
    POLICE_PUBLIC,
    Node,
    client,  # noqa: F401 — a fixture, used by name
    federation_template,  # noqa: F401 — a fixture, used by name
    node,  # noqa: F401 — a fixture, used by name
)

PUBLIC, REQUESTER, MANAGER, ADMIN = "public", "xuanwu-requester", "nanjing-police", "nanjing-admin"
OTHER = OTHER_MANAGER
ROLES = (PUBLIC, REQUESTER, MANAGER, OTHER, ADMIN)
CONDITIONAL = "1010003/000126"
"""南京市公安局's 有条件共享 entry that requests are made for."""
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
APPLICATION = {"purpose": "4", "scope": "玄武区低保资格核验", "basis": "《社会救助暂行办法》第十一条"}


@dataclass(frozen=True)
class Row:
    """One interface action and what each role gets from it (a status code, or whether a hidden entry shows)."""

    name: str
    act: Callable[[FlaskClient, dict[str, str], Node], object]
    expected: dict[str, object]


def status(method: str, path: str, **kwargs: object) -> Callable[[FlaskClient, dict[str, str], Node], int]:
    def act(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
        return http.open(path, method=method, headers=headers, **kwargs).status_code

    return act


def hidden_in_search(http: FlaskClient, headers: dict[str, str], at: Node) -> bool:
    body = http.get("/api/search", query_string={"q": "出入境证件"}, headers=headers).get_json()
    return any(POLICE_HIDDEN in str(item) for item in body["items"])


def hidden_in_sparql(http: FlaskClient, headers: dict[str, str], at: Node) -> bool:
    query = f'ASK {{ ?d <http://purl.org/dc/terms/identifier> "{POLICE_HIDDEN}" }}'
    response = http.get("/sparql", query_string={"query": query}, headers={**headers, **SPARQL_JSON})
    assert response.status_code == 200
    return response.get_json()["boolean"]


def hidden_in_export(http: FlaskClient, headers: dict[str, str], at: Node) -> bool:
    page = http.get("/catalog.ttl", query_string={"page_size": 1000}, headers=headers)
    assert page.status_code == 200
    return POLICE_HIDDEN in page.get_data(as_text=True)


def record_issues_in_sparql(http: FlaskClient, headers: dict[str, str], at: Node) -> bool:
    """Whether harvest runs' record issues (record keys, SHACL messages) are readable: government users only."""
    query = "ASK { ?issue a <https://w3id.org/gov-catalog/ns#RecordIssue> }"
    response = http.get("/sparql", query_string={"query": query}, headers={**headers, **SPARQL_JSON})
    assert response.status_code == 200
    return response.get_json()["boolean"]


def offers_to_apply(identifier: str) -> Callable[[FlaskClient, dict[str, str], Node], bool]:
    """Whether the entry's page links to the sharing-request form."""

    def act(http: FlaskClient, headers: dict[str, str], at: Node) -> bool:
        page = http.get(f"/datasets/{identifier}", headers=headers).get_data(as_text=True)
        return "/requests/new?dataset=" in page

    return act


def submit_request(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
    return http.post("/api/requests", json={"dataset": CONDITIONAL, **APPLICATION}, headers=headers).status_code


def approve_request(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
    """Approve the requester's open request for the entry (submitted first if there is none)."""
    requester = at.token(REQUESTER)
    listed = http.get("/api/requests", headers=requester).get_json()["requests"]
    open_ids = [item["id"] for item in listed if item["status"] == "submitted"]
    if not open_ids:
        submitted = http.post("/api/requests", json={"dataset": CONDITIONAL, **APPLICATION}, headers=requester)
        assert submitted.status_code == 201, submitted.get_json()
        open_ids = [submitted.get_json()["request"]["id"]]
    answer = {"conditions": ["仅限核验使用"]}
    return http.post(f"/api/requests/{open_ids[0]}/approve", json=answer, headers=headers).status_code


def edit_entry(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
    change = {"use-requirement": "仅用于统计分析"}
    return http.patch(f"/api/datasets/{POLICE_PUBLIC}", json=change, headers={**headers, "If-Match": "*"}).status_code


def flag_entry(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
    body = {"dataset": POLICE_PUBLIC, "description": "统计口径与公安部发布的不一致"}
    return http.post("/api/feedback", json=body, headers=headers).status_code


def sparql_update(http: FlaskClient, headers: dict[str, str], at: Node) -> int:
    update = 'INSERT DATA { <urn:x> <urn:y> "z" }'
    return http.post("/sparql", data={"update": update}, headers=headers).status_code


def by_role(public: object, requester: object, manager: object, other: object, admin: object) -> dict[str, object]:
    return dict(zip(ROLES, (public, requester, manager, other, admin), strict=True))


GOVERNMENT_ONLY = by_role(False, True, True, True, True)
NOT_FOUND_FOR_PUBLIC = by_role(404, 200, 200, 200, 200)

ROWS = (
    Row("search shows a 不予开放 entry", hidden_in_search, GOVERNMENT_ONLY),
    Row("SPARQL reaches a 不予开放 entry", hidden_in_sparql, GOVERNMENT_ONLY),
    Row("DCAT export lists a 不予开放 entry", hidden_in_export, GOVERNMENT_ONLY),
    Row("REST API: a 不予开放 entry", status("GET", f"/api/datasets/{POLICE_HIDDEN}"), NOT_FOUND_FOR_PUBLIC),
    Row("dataset page: a 不予开放 entry", status("GET", f"/datasets/{POLICE_HIDDEN}"), NOT_FOUND_FOR_PUBLIC),
    Row("REST API: a public entry", status("GET", f"/api/datasets/{POLICE_PUBLIC}"), by_role(200, 200, 200, 200, 200)),
    Row("run reports name records", record_issues_in_sparql, GOVERNMENT_ONLY),
    Row("edit an entry (PATCH)", edit_entry, by_role(401, 403, 200, 403, 200)),
    Row("page offers 申请共享: 有条件共享", offers_to_apply(CONDITIONAL), by_role(False, True, False, False, False)),
    Row("page offers 申请共享: 无条件共享", offers_to_apply(POLICE_PUBLIC), by_role(False, False, False, False, False)),
    Row("apply for 有条件共享", submit_request, by_role(401, 201, 403, 403, 403)),
    Row("approve a request", approve_request, by_role(401, 403, 200, 403, 403)),
    Row("flag suspected wrong data", flag_entry, by_role(401, 201, 201, 201, 201)),
    Row("compliance report (API)", status("GET", "/api/compliance"), by_role(401, 403, 403, 403, 200)),
    Row("recorded changes (API)", status("GET", "/api/compliance/changes"), by_role(401, 403, 403, 403, 200)),
    Row("create a token with a token", status("POST", "/api/tokens", json={}), by_role(401, 403, 403, 403, 403)),
    Row("SPARQL update", sparql_update, by_role(403, 403, 403, 403, 403)),
    # 409 for the administrator: this node does not harvest while serving (tests/harvest/test_harvest_web.py)
    Row("harvest a source now", status("POST", "/api/sources/nanjing/harvest"), by_role(401, 403, 403, 403, 409)),
)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_role_on_each_interface(row: Row, node: Node, client: FlaskClient) -> None:  # noqa: F811 (fixtures)
    observed = {}
    for role in ROLES:
        headers = {} if role == PUBLIC else node.token(role)
        observed[role] = row.act(client, headers, node)
    assert observed == row.expected
