"""The compliance report against a hand-built scenario whose figures are worked out by hand below."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from catalog_service import namespaces as ns
from catalog_service.compliance import (
    ComplianceError,
    ComplianceService,
    annual_report,
    compliance_report,
    to_csv,
    to_xlsx,
)
from catalog_service.governance import Actor, RequestService, Role, audit
from catalog_service.governance.requests import GOVERNANCE_GRAPH
from catalog_service.store import CatalogStore
from tests.compliance.conftest import (
    A1,
    A2,
    A3,
    B1,
    DEPT_A,
    DEPT_B,
    DEPT_C,
    REQ_1,
    REQ_2,
    REQ_3,
    beijing,
)

NOW = beijing(2026, 1, 15)  # after the period: state is judged as of 2025-12-31
PROVIDER_A = Actor("a.manager", DEPT_A, Role.CATALOG_MANAGER)


def build(store: CatalogStore) -> dict[str, object]:
    """Record changes, requests, feedback and misuse reports at controlled times."""
    service = ComplianceService(store)
    made: dict[str, object] = {}
    # changes: A on 2025-06-02 (Dragon Boat holiday; A last changed 2025-03-01: never updated → overdue);
    # A on 2024-12-01 (outside the period); B on 2025-12-01 (B harvested 2025-12-20: updated);
    # C on 2025-12-25 (deadline in January 2026: not yet overdue on 2025-12-31; C has no catalog)
    made["change_a"] = service.record_change(
        "admin", DEPT_A, kind="functional", description="职能调整", effective=date(2025, 6, 2), at=beijing(2025, 6, 2)
    )
    service.record_change("admin", DEPT_A, kind="legal", description="旧变更", effective=date(2024, 12, 1))
    service.record_change("admin", DEPT_B, kind="legal", description="法规修订", effective=date(2025, 12, 1))
    made["change_c"] = service.record_change(
        "admin", DEPT_C, kind="functional", description="新设机构", effective=date(2025, 12, 25), region="320102"
    )
    # requests for A2 (有条件共享)
    requests = RequestService(store)
    a2 = ns.resource(A2)

    def submit(department: str, at):
        actor = Actor(f"user.{department[-4:]}", department, Role.REQUESTER)
        return requests.submit(actor, a2, purpose="业务协同", scope="全区", basis="管理办法", at=at)

    r1 = submit(REQ_1, beijing(2025, 3, 3))  # deadline 2025-03-17, approved 03-10: in time
    requests.approve(PROVIDER_A, r1.id, conditions=["仅限核验"], at=beijing(2025, 3, 10))
    r2 = submit(REQ_2, beijing(2025, 4, 1))  # deadline 2025-04-16 (清明 4-4), refused 04-25: late
    requests.refuse(PROVIDER_A, r2.id, reason="超出范围", at=beijing(2025, 4, 25))
    r3 = submit(REQ_3, beijing(2025, 11, 3))  # deadline 2025-11-17, never answered: not accepted
    made["requests"] = (r1, r2, r3)
    # error feedback
    f1 = service.flag("req.user", REQ_1, ns.resource(A1), description="出生日期有误", at=beijing(2025, 5, 1))
    service.answer("a.manager", DEPT_A, f1.id, answer="已更正", at=beijing(2025, 5, 10))
    made["f2"] = service.flag("req.user", REQ_1, ns.resource(A1), description="姓名缺失", at=beijing(2025, 7, 1))
    service.flag("req.user", REQ_2, ns.resource(B1), description="身份号码重复", at=beijing(2025, 12, 21))
    service.flag("req.user", REQ_2, ns.resource(A3), description="地址过时", at=beijing(2026, 1, 5))  # after
    # misuse: one in the period, one before
    service.report_misuse("a.manager", ns.resource(A2), REQ_1, description="用于商业目的", at=beijing(2025, 8, 1))
    service.report_misuse("a.manager", ns.resource(A2), REQ_1, description="旧举报", at=beijing(2024, 6, 1))
    return made


ZERO = {
    "entries": 0,
    "catalog_missing": 0,
    "changes": 0,
    "changes_overdue": 0,
    "stale_entries": 0,
    "shared_not_provided": 0,
    "requests_received": 0,
    "requests_not_accepted": 0,
    "requests_answered_late": 0,
    "refusals_without_reason": 0,
    "feedback_received": 0,
    "feedback_open": 0,
    "misuse_reports": 0,
    "duplicate_collection": 0,
}
EXPECTED = {
    # A: 3 entries; A1 daily and A3 monthly last changed 2025-03-01 are stale on 2025-12-31 (305 days), A2
    # yearly is not; none of the three (all shared) has a distribution or service; 3 requests, r3 not
    # accepted, r2 late; 2 feedback items in the period, f2 still open; A1 is the original of B1's elements.
    DEPT_A: ZERO
    | {
        "entries": 3,
        "changes": 1,
        "changes_overdue": 1,
        "stale_entries": 2,
        "shared_not_provided": 3,
        "requests_received": 3,
        "requests_not_accepted": 1,
        "requests_answered_late": 1,
        "feedback_received": 2,
        "feedback_open": 1,
    },
    # B: updated after its change; its one entry has a distribution, is yearly (changed 11 days before the end);
    # its elements repeat A1's (released earlier, 2024-05-01 < 2025-02-01): collected again; 1 open feedback.
    DEPT_B: ZERO | {"entries": 1, "changes": 1, "feedback_received": 1, "feedback_open": 1, "duplicate_collection": 1},
    DEPT_C: ZERO | {"catalog_missing": 1, "changes": 1},
    REQ_1: ZERO | {"misuse_reports": 1},
}
EXPECTED_ISSUES = {DEPT_A: 1 + 2 + 3 + 1 + 1 + 1, DEPT_B: 1 + 1, DEPT_C: 1, REQ_1: 1}


def test_hand_built_scenario(scenario: CatalogStore) -> None:
    made = build(scenario)
    r1, r2, r3 = made["requests"]
    assert (r1.deadline, r2.deadline, r3.deadline) == (date(2025, 3, 17), date(2025, 4, 16), date(2025, 11, 17))
    assert made["change_a"].deadline == date(2025, 6, 23)  # 15 working days after the 端午 Monday

    report = compliance_report(scenario, date(2025, 1, 1), date(2025, 12, 31), now=NOW)
    assert report["asOf"] == "2025-12-31"
    rows = {d["department"]: d for d in report["departments"]}
    assert set(rows) == set(EXPECTED)
    for department, expected in EXPECTED.items():
        got = {key: rows[department][key] for key in ZERO}
        assert got == expected, department
        assert rows[department]["issues"] == EXPECTED_ISSUES[department], department
    assert rows[DEPT_A]["overdueChanges"] == [made["change_a"].id]
    assert rows[DEPT_A]["name"] == "南京市玄武区甲局"
    assert (rows[DEPT_A]["region"], rows[DEPT_B]["region"], rows[DEPT_C]["region"]) == ("320102", "320105", "320102")
    assert report["totals"]["issues"] == sum(EXPECTED_ISSUES.values()) == 13
    regions = {r["region"]: r for r in report["regions"]}
    assert regions["320102"]["issues"] == 10 and regions["320102"]["departments"] == 2
    assert regions["320105"]["duplicate_collection"] == 1

    # filters: a region takes in its subdivisions; a department narrows to its row
    city = compliance_report(scenario, date(2025, 1, 1), date(2025, 12, 31), region="320100", now=NOW)
    assert {d["department"] for d in city["departments"]} == {DEPT_A, DEPT_B, DEPT_C}
    assert city["totals"]["issues"] == 12
    county = compliance_report(scenario, date(2025, 1, 1), date(2025, 12, 31), region="320102", now=NOW)
    assert {d["department"] for d in county["departments"]} == {DEPT_A, DEPT_C}
    one = compliance_report(scenario, date(2025, 1, 1), date(2025, 12, 31), department=DEPT_B, now=NOW)
    assert [d["department"] for d in one["departments"]] == [DEPT_B]

    # an earlier cut-off: on 2025-06-30 A's change is overdue (deadline 06-23), r3 not yet received, f2 not yet
    half = compliance_report(scenario, date(2025, 1, 1), date(2025, 6, 30), now=NOW)
    a = {d["department"]: d for d in half["departments"]}[DEPT_A]
    assert (a["changes_overdue"], a["requests_received"], a["requests_not_accepted"]) == (1, 2, 0)
    assert (a["requests_answered_late"], a["feedback_received"], a["feedback_open"]) == (1, 1, 0)
    # before the deadline the change is not overdue yet
    early = compliance_report(scenario, date(2025, 6, 1), date(2025, 6, 20), now=NOW)
    assert {d["department"]: d for d in early["departments"]}[DEPT_A]["changes_overdue"] == 0

    # the annual report is the same figures over the year, due at the end of next January
    annual = annual_report(scenario, 2025, now=NOW)
    assert annual["due"] == "2026-01-31"
    assert annual["departments"] == report["departments"]

    # CSV and XLSX parse back to the same figures
    table = list(csv.reader(io.StringIO(to_csv(report))))
    header = table[0]
    by_code = {row[0]: row for row in table[1:]}
    column = next(i for i, h in enumerate(header) if h.startswith("变更后逾期未更新"))
    assert by_code[DEPT_A][column] == "1" and by_code[DEPT_B][column] == "0"
    assert by_code["合计 / total"][-1] == "13"
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    sheet = [list(r) for r in book["部门"].iter_rows(values_only=True)]
    assert sheet[0] == header
    xrows = {r[0]: r for r in sheet[1:]}
    assert xrows[DEPT_A][column] == 1 and xrows["合计 / total"][-1] == 13
    regions_sheet = [list(r) for r in book["地区"].iter_rows(values_only=True)]
    assert {r[0]: r[-1] for r in regions_sheet[1:]} == {None: 1, "320102": 10, "320105": 2}


def test_records_are_rdf_and_audited(scenario: CatalogStore) -> None:
    service = ComplianceService(scenario)
    notice = service.record_change("admin", DEPT_A, kind="legal", description="修法", effective=date(2025, 6, 2))
    item = service.flag("req.user", REQ_1, ns.resource(A1), description="有误", at=beijing(2025, 7, 1))
    answered = service.answer("a.manager", DEPT_A, item.id, answer="已核实", corrected=False, at=beijing(2025, 7, 2))
    assert (answered.answer, answered.corrected, answered.answered_by) == ("已核实", False, "a.manager")
    assert service.feedback_item(item.id) == answered
    assert [e.action for e in audit.events(scenario, target=item.iri)] == ["flag", "answer-feedback"]
    assert [e.actor for e in audit.events(scenario, target=notice.iri)] == ["admin"]
    graph = f"<{GOVERNANCE_GRAPH}>"
    ask = f"ASK {{ GRAPH {graph} {{ <{notice.iri}> a <{ns.GC}CatalogChangeNotice> }} }}"
    assert scenario.raw.query(ask)
    department = f"<{ns.organization(DEPT_A)}>"  # as sharing requests and the catalog name departments
    ask = f"ASK {{ GRAPH {graph} {{ <{notice.iri}> <{ns.GC}changedDepartment> {department} }} }}"
    assert scenario.raw.query(ask)
    assert scenario.raw.query(f"ASK {{ GRAPH {graph} {{ <{item.iri}> <{ns.GC}providingDepartment> {department} }} }}")
    assert service.changes() == [notice]


def test_refused_operations_change_nothing(scenario: CatalogStore) -> None:
    service = ComplianceService(scenario)
    item = service.flag("req.user", REQ_1, ns.resource(A1), description="有误")
    with pytest.raises(ComplianceError) as other:
        service.answer("b.manager", DEPT_B, item.id, answer="不是我们的")
    assert other.value.status == 403
    with pytest.raises(ComplianceError) as empty:
        service.flag("req.user", REQ_1, ns.resource(A1), description="  ")
    assert empty.value.status == 422
    with pytest.raises(ComplianceError) as unknown:
        service.flag("req.user", REQ_1, ns.resource("1010001/999999"), description="有误")
    assert unknown.value.status == 404
    with pytest.raises(ComplianceError) as kind:
        service.record_change("admin", DEPT_A, kind="other", description="x")
    assert kind.value.status == 422
    for department, region in (("市公安局", None), (DEPT_A, "玄武区")):
        with pytest.raises(ComplianceError) as malformed:
            service.record_change("admin", department, kind="legal", description="x", region=region)
        assert malformed.value.status == 422
    with pytest.raises(ComplianceError) as misuser:
        service.report_misuse("req.user", ns.resource(A1), "<x> .", description="超范围使用")
    assert misuser.value.status == 422
    service.answer("a.manager", DEPT_A, item.id, answer="已更正")
    with pytest.raises(ComplianceError) as twice:
        service.answer("a.manager", DEPT_A, item.id, answer="再次")
    assert twice.value.status == 409
    assert len(service.feedback()) == 1 and service.changes() == [] and service.misuse() == []
