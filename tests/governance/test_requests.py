"""Conditional-sharing requests: lifecycles, refusals with nothing changed, deadlines, escalation, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.demo import load_sample_federation
from catalog_service.governance import (
    AUDIT_GRAPH,
    GOVERNANCE_GRAPH,
    Actor,
    EscalationTarget,
    Forbidden,
    GovernanceError,
    NotFound,
    RequestConflict,
    RequestInvalid,
    RequestService,
    Role,
    SharingRequest,
    Status,
    TransitionRefused,
    events,
)
from catalog_service.store import REGIONS_GRAPH, VOCABULARY_GRAPH, CatalogStore

from .conftest import (
    CONDITIONAL,
    COUNTY_ADMIN,
    COUNTY_PROVIDER,
    NOT_SHARED,
    OTHER_MANAGER,
    PROVIDER,
    PROVINCE_ADMIN,
    PROVINCIAL,
    PROVINCIAL_MANAGER,
    REQUESTER,
    REQUESTER_DEPARTMENT,
    UNCONDITIONAL,
    UNKNOWN,
    beijing,
)

PREFIXES = ns.sparql_prefixes() + "PREFIX gcg: <https://w3id.org/gov-catalog/graph/>\n"


def submit(service: RequestService, dataset: str = CONDITIONAL, **changes: object) -> SharingRequest:
    fields: dict[str, object] = {
        "purpose": "业务协同",
        "scope": "户籍人口的姓名、身份证号，2026 年度",
        "basis": "《江苏省政务信息资源共享管理暂行办法》第十条",
        "at": beijing(2026, 2, 13),
    }
    return service.submit(REQUESTER, dataset, **{**fields, **changes})


def everything(store: CatalogStore) -> set[ox.Quad | ox.NamedNode]:
    """Every graph name and every quad outside the large, read-only vocabulary graphs."""
    graphs = set(store.raw.named_graphs()) - {VOCABULARY_GRAPH, REGIONS_GRAPH}
    quads = {q for g in [*graphs, ox.DefaultGraph()] for q in store.raw.quads_for_pattern(None, None, None, g)}
    return graphs | quads


def refused_unchanged(store: CatalogStore, error: type[GovernanceError], call: Callable[[], object]) -> GovernanceError:
    """Run a call that must be refused with ``error`` and leave every quad of the store as it was."""
    before = everything(store)
    with pytest.raises(error) as raised:
        call()
    assert everything(store) == before
    assert raised.value.message_zh and raised.value.message_en
    return raised.value


# -- lifecycles -----------------------------------------------------------------------------------------------


def test_submit_then_approve_with_conditions(service: RequestService) -> None:
    request = submit(service)
    assert request.status == Status.SUBMITTED
    assert (request.requester, request.requester_department) == ("li.si", REQUESTER_DEPARTMENT)
    assert request.provider_department == COUNTY_PROVIDER
    assert (request.provider_level, request.provider_region) == (ns.code("level", "4"), "320583")
    assert request.purpose == ns.code("use-purpose", "4")
    assert request.deadline == date(2026, 3, 5) and request.deadline_official  # across Spring Festival 2026
    assert service.get(request.id) == request

    approved = service.approve(
        PROVIDER, request.id, conditions=["仅用于社保资格核验", " 不得向第三方提供 "], at=beijing(2026, 3, 2)
    )
    assert approved.status == Status.APPROVED
    assert approved.conditions == ("不得向第三方提供", "仅用于社保资格核验")
    assert approved.answered == beijing(2026, 3, 2) and not approved.late
    assert service.get(request.id) == approved
    assert approved.as_dict()["status"] == "approved"


def test_submit_then_refuse_with_reason(service: RequestService) -> None:
    request = submit(service)
    refused = service.refuse(PROVIDER, request.id, reason="申请范围超出履职需要", at=beijing(2026, 2, 24))
    assert (refused.status, refused.reason, refused.conditions) == (Status.REFUSED, "申请范围超出履职需要", ())
    assert service.get(request.id) == refused


def test_an_answer_after_the_deadline_is_late(service: RequestService) -> None:
    request = submit(service)
    answered = service.refuse(PROVIDER, request.id, reason="数据正在治理", at=beijing(2026, 3, 6))
    assert answered.late


def test_every_transition_is_a_prov_decision_between_states(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    service.approve(PROVIDER, request.id, conditions=["仅用于核验"], at=beijing(2026, 2, 24))
    rows = catalog.raw.query(
        PREFIXES
        + """
        SELECT ?request ?action ?user ?before ?after ?used WHERE { GRAPH gcg:governance {
            ?decision a gc:Decision, prov:Activity ; gc:action ?action ; prov:wasAssociatedWith ?user ;
                prov:startedAtTime ?time ; prov:generated ?state ; gc:statusAfter ?after .
            ?state prov:specializationOf ?request ; gc:requestStatus ?after .
            OPTIONAL { ?decision prov:used ?used ; gc:statusBefore ?before . ?used gc:requestStatus ?before }
        } } ORDER BY ?time""",
        substitutions={ox.Variable("request"): ox.NamedNode(request.iri)},
    )
    found = [(r["action"].value, r["user"].value, r["before"], r["after"].value) for r in rows]
    submitted = ox.NamedNode(ns.GC + "RequestSubmitted")
    assert found == [
        ("submit", "https://w3id.org/gov-catalog/user/li.si", None, ns.GC + "RequestSubmitted"),
        ("approve", "https://w3id.org/gov-catalog/user/wang.wu", submitted, ns.GC + "RequestApproved"),
    ]


# -- refusals that change nothing -----------------------------------------------------------------------------


def test_a_refusal_needs_a_reason(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    for reason in ("", "   "):
        error = refused_unchanged(
            catalog, RequestInvalid, lambda r=reason: service.refuse(PROVIDER, request.id, reason=r)
        )
        assert error.status == 422
    assert service.get(request.id).status == Status.SUBMITTED


def test_an_approval_needs_conditions(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    for conditions in ([], [" "], ""):
        refused_unchanged(
            catalog, RequestInvalid, lambda c=conditions: service.approve(PROVIDER, request.id, conditions=c)
        )


def test_invalid_transitions_are_refused(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    service.refuse(PROVIDER, request.id, reason="不符合共享条件", at=beijing(2026, 2, 24))
    error = refused_unchanged(
        catalog, TransitionRefused, lambda: service.approve(PROVIDER, request.id, conditions=["x"])
    )
    assert error.status == 409 and "已拒绝" in error.message_zh
    refused_unchanged(catalog, TransitionRefused, lambda: service.refuse(PROVIDER, request.id, reason="再次拒绝"))
    settle = lambda: service.settle(COUNTY_ADMIN, request.id, approve=True, reason="协调", conditions=["x"])  # noqa: E731
    refused_unchanged(catalog, TransitionRefused, settle)


def test_only_an_escalated_request_is_settled_by_the_administrator(
    service: RequestService, catalog: CatalogStore
) -> None:
    request = submit(service)
    settle = lambda: service.settle(COUNTY_ADMIN, request.id, approve=False, reason="协调")  # noqa: E731
    refused_unchanged(catalog, TransitionRefused, settle)


def test_only_the_provider_department_answers(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    for actor in (OTHER_MANAGER, REQUESTER, COUNTY_ADMIN, Actor("x", COUNTY_PROVIDER, Role.REQUESTER)):
        error = refused_unchanged(catalog, Forbidden, lambda a=actor: service.approve(a, request.id, conditions=["x"]))
        assert error.status == 403
        refused_unchanged(catalog, Forbidden, lambda a=actor: service.refuse(a, request.id, reason="x"))


def test_requests_for_unconditional_unknown_or_own_entries(service: RequestService, catalog: CatalogStore) -> None:
    error = refused_unchanged(catalog, RequestConflict, lambda: submit(service, UNCONDITIONAL))
    assert error.status == 409 and "无条件共享" in error.message_zh
    assert refused_unchanged(catalog, NotFound, lambda: submit(service, UNKNOWN)).status == 404
    refused_unchanged(catalog, NotFound, lambda: submit(service, "not an IRI"))
    own = lambda: service.submit(PROVIDER, CONDITIONAL, purpose="2", scope="全部", basis="履职需要")  # noqa: E731
    refused_unchanged(catalog, RequestInvalid, own)
    nobody = Actor("visitor", None, Role.REQUESTER)
    refused_unchanged(
        catalog, Forbidden, lambda: service.submit(nobody, CONDITIONAL, purpose="2", scope="a", basis="b")
    )


def test_a_request_states_purpose_scope_and_basis(service: RequestService, catalog: CatalogStore) -> None:
    for changes in ({"purpose": "炒股"}, {"scope": " "}, {"basis": ""}):
        refused_unchanged(catalog, RequestInvalid, lambda c=changes: submit(service, **c))
    assert submit(service, purpose=ns.code("use-purpose", "3")).purpose == ns.code("use-purpose", "3")


def test_one_open_request_per_department_and_entry(service: RequestService, catalog: CatalogStore) -> None:
    first = submit(service)
    refused_unchanged(catalog, RequestConflict, lambda: submit(service))
    service.refuse(PROVIDER, first.id, reason="不符合条件", at=beijing(2026, 2, 24))
    assert submit(service, at=beijing(2026, 2, 25)).status == Status.SUBMITTED


def test_unknown_request_ids(service: RequestService) -> None:
    for request_id in ("not-an-id", "00000000-0000-4000-8000-000000000000"):
        with pytest.raises(NotFound):
            service.get(request_id)


# -- 不予共享: negotiation settled by the administrator -------------------------------------------------------


def test_a_request_for_a_non_shared_entry_is_negotiated_and_settled(
    service: RequestService, catalog: CatalogStore
) -> None:
    request = submit(service, NOT_SHARED)
    assert request.status == Status.NEGOTIATING
    refused_unchanged(catalog, TransitionRefused, lambda: service.refuse(PROVIDER, request.id, reason="不予共享"))
    settle = lambda admin, reason: lambda: service.settle(admin, request.id, approve=False, reason=reason)  # noqa: E731
    refused_unchanged(catalog, Forbidden, settle(PROVINCE_ADMIN, "不属于本级"))
    refused_unchanged(catalog, Forbidden, settle(PROVIDER, "提供方不能协调"))
    refused_unchanged(catalog, RequestInvalid, settle(COUNTY_ADMIN, " "))
    approve_bare = lambda: service.settle(COUNTY_ADMIN, request.id, approve=True, reason="履职必需")  # noqa: E731
    refused_unchanged(catalog, RequestInvalid, approve_bare)

    settled = service.settle(
        COUNTY_ADMIN, request.id, approve=True, reason="履职必需", conditions=["脱敏后提供"], at=beijing(2026, 2, 26)
    )
    assert (settled.status, settled.reason, settled.conditions) == (Status.APPROVED, "履职必需", ("脱敏后提供",))
    assert [e.actor for e in events(catalog, target=request.iri)] == ["li.si", "admin.kunshan"]


def test_a_negotiation_can_end_in_refusal_or_in_the_providers_agreement(service: RequestService) -> None:
    first = submit(service, NOT_SHARED)
    refused = service.settle(COUNTY_ADMIN, first.id, approve=False, reason="涉及个人隐私", at=beijing(2026, 2, 26))
    assert (refused.status, refused.reason) == (Status.REFUSED, "涉及个人隐私")
    second = submit(service, NOT_SHARED, at=beijing(2026, 2, 27))
    agreed = service.approve(PROVIDER, second.id, conditions=["仅限查询核验"], at=beijing(2026, 3, 2))
    assert agreed.status == Status.APPROVED


# -- deadlines, overdue and escalation ------------------------------------------------------------------------


def test_overdue_requests_are_escalated_to_the_administrator_of_the_level(
    service: RequestService, catalog: CatalogStore
) -> None:
    request = submit(service)  # deadline Thu 5 March 2026
    assert not request.overdue(beijing(2026, 3, 5, 23, 59))
    assert request.overdue(beijing(2026, 3, 6, 0, 1))
    assert service.overdue(beijing(2026, 3, 5, 23, 59)) == []
    assert service.escalate_overdue(beijing(2026, 3, 5, 18)) == []

    [escalated] = service.escalate_overdue(beijing(2026, 3, 6, 9))
    assert escalated.status == Status.SUBMITTED
    escalation = escalated.escalation
    assert escalation is not None and escalation.target == EscalationTarget.LEVEL_ADMINISTRATOR
    assert (escalation.level, escalation.region, escalation.at) == (
        ns.code("level", "4"),
        "320583",
        beijing(2026, 3, 6, 9),
    )
    assert service.get(request.id) == escalated
    assert service.escalate_overdue(beijing(2026, 3, 9)) == []  # once only
    assert [e.action for e in events(catalog, target=request.iri)] == ["submit", "escalate"]
    assert events(catalog, target=request.iri)[1].actor == "system"

    reason = "提供方逾期未答复，经协调不予提供"
    settled = service.settle(COUNTY_ADMIN, request.id, approve=False, reason=reason, at=beijing(2026, 3, 10))
    assert settled.status == Status.REFUSED and settled.late
    assert service.overdue(beijing(2026, 3, 10)) == []


def test_a_provider_may_still_answer_an_escalated_request_late(service: RequestService) -> None:
    request = submit(service)
    service.escalate_overdue(beijing(2026, 3, 6))
    answered = service.approve(PROVIDER, request.id, conditions=["仅用于核验"], at=beijing(2026, 3, 9))
    assert answered.status == Status.APPROVED and answered.late and answered.escalation is not None


def test_provincial_cases_go_to_the_leading_group(service: RequestService) -> None:
    county = submit(service)
    provincial = submit(service, PROVINCIAL)
    escalated = {r.id: r.escalation for r in service.escalate_overdue(beijing(2026, 3, 20))}
    assert escalated[county.id].target == EscalationTarget.LEVEL_ADMINISTRATOR
    assert escalated[provincial.id].target == EscalationTarget.LEADING_GROUP
    assert (escalated[provincial.id].level, escalated[provincial.id].region) == (ns.code("level", "2"), "320000")
    with pytest.raises(Forbidden):  # the county administrator does not settle provincial cases
        service.settle(COUNTY_ADMIN, provincial.id, approve=False, reason="x", at=beijing(2026, 3, 23))
    decision = {"approve": True, "reason": "领导小组决定", "conditions": ["限定用途"], "at": beijing(2026, 3, 23)}
    assert service.settle(PROVINCE_ADMIN, provincial.id, **decision).status == Status.APPROVED


def test_a_deadline_beyond_the_official_calendar_is_flagged(service: RequestService) -> None:
    request = submit(service, at=beijing(2031, 1, 29))
    assert (request.deadline, request.deadline_official) == (date(2031, 2, 12), False)
    assert request.as_dict()["deadline_official"] is False


def test_listing_filters(service: RequestService) -> None:
    first = submit(service)
    second = submit(service, PROVINCIAL, at=beijing(2026, 2, 14))
    service.approve(PROVINCIAL_MANAGER, second.id, conditions=["x"], at=beijing(2026, 2, 24))
    assert [r.id for r in service.list()] == [first.id, second.id]
    assert [r.id for r in service.list(status=Status.APPROVED)] == [second.id]
    assert [r.id for r in service.list(provider_department=COUNTY_PROVIDER)] == [first.id]
    assert [r.id for r in service.list(dataset=PROVINCIAL, requester_department=REQUESTER_DEPARTMENT)] == [second.id]


# -- the audit trail ------------------------------------------------------------------------------------------


def test_every_transition_has_an_audit_event_queryable_over_sparql(
    service: RequestService, catalog: CatalogStore
) -> None:
    request = submit(service, NOT_SHARED)
    service.escalate_overdue(beijing(2026, 3, 6))
    service.settle(COUNTY_ADMIN, request.id, approve=False, reason="涉密", at=beijing(2026, 3, 9))
    rows = catalog.raw.query(
        PREFIXES
        + """
        SELECT ?request ?action ?actor ?time ?before ?after WHERE { GRAPH gcg:audit {
            ?event a gc:AuditEvent ; gc:auditTarget ?request ; gc:action ?action ;
                prov:wasAssociatedWith ?actor ; prov:startedAtTime ?time ;
                gc:auditChange ?change . ?change gc:changedField "status" ; gc:valueAfter ?after .
            OPTIONAL { ?change gc:valueBefore ?before }
        } } ORDER BY ?time""",
        substitutions={ox.Variable("request"): ox.NamedNode(request.iri)},
    )
    found = [
        (r["action"].value, r["actor"].value.rsplit("/", 1)[1], r["before"] and r["before"].value, r["after"].value)
        for r in rows
    ]
    assert found == [
        ("submit", "li.si", None, "negotiating"),
        ("escalate", "system", "negotiating", "negotiating"),
        ("settle", "admin.kunshan", "negotiating", "refused"),
    ]
    settle_event = events(catalog, target=request.iri)[-1]
    assert settle_event.before["reason"] is None and settle_event.after["reason"] == "涉密"
    assert settle_event.at == beijing(2026, 3, 9)


def test_the_governance_and_audit_graphs_use_only_defined_terms(service: RequestService, catalog: CatalogStore) -> None:
    request = submit(service)
    service.escalate_overdue(beijing(2026, 3, 6))
    service.approve(PROVIDER, request.id, conditions=["x"], at=beijing(2026, 3, 9))
    used = set()
    for graph in (GOVERNANCE_GRAPH, AUDIT_GRAPH):
        for quad in catalog.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            used |= {t.value for t in (quad.predicate, quad.object) if isinstance(t, ox.NamedNode)}
    defined = {q.subject.value for q in catalog.raw.quads_for_pattern(None, None, None, VOCABULARY_GRAPH)}
    assert {term for term in used if term.startswith(ns.GC)} - defined == set()


# -- on the sample federation ---------------------------------------------------------------------------------


def test_a_request_on_the_sample_federation(store: CatalogStore) -> None:
    load_sample_federation(store)
    service = RequestService(store)
    jiangsu_entry = ns.resource("1010002/000186")
    fields = {"purpose": "数据校核", "scope": "全省", "basis": "履职需要", "at": beijing(2026, 2, 13)}
    request = service.submit(REQUESTER, jiangsu_entry, **fields)
    assert (request.provider_department, request.provider_region) == ("113200002295909933", "320000")
    [escalated] = service.escalate_overdue(beijing(2026, 3, 6))
    assert escalated.escalation.target == EscalationTarget.LEADING_GROUP
    with pytest.raises(RequestConflict):
        service.submit(REQUESTER, ns.resource("1050003/000417"), purpose="2", scope="全省", basis="履职需要")
