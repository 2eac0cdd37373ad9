"""Conditional-sharing requests (有条件共享申请): a state machine whose every step is a recorded decision.

A department that needs another department's 有条件共享 resource applies for it, stating the purpose (用途),
the scope and the legal basis (依据). The provider must answer within :data:`ANSWER_DAYS` working days: an
approval states the usage conditions, a refusal its reason. A request for a 不予共享 resource cannot simply be
answered: it opens a negotiation (协商) that the administrator of the provider's level settles (协调).
无条件共享 resources need no request at all. A request still open after its deadline is overdue and is
escalated: to the administrator of the provider's level, or, for a provincial provider, to the leading group
(领导小组).

States and the actions that move between them (:data:`TRANSITIONS`)::

    (new) ──submit──> submitted 已提交      (有条件共享 resource)
    (new) ──submit──> negotiating 协商中    (不予共享 resource)
    submitted   ──approve (provider, conditions)──> approved 已同意
    submitted   ──refuse  (provider, reason)──────> refused 已拒绝
    negotiating ──approve (provider, conditions)──> approved       the negotiation reached agreement
    negotiating ──settle  (administrator, reason)─> approved | refused
    submitted   ──settle  (administrator, reason)─> approved | refused   only once escalated
    submitted | negotiating ──escalate (overdue)──> the same state, with an escalation

Requests live in the governance graph (:data:`GOVERNANCE_GRAPH`, never public) as PROV: the request is a
``prov:Entity`` and ``gc:SharingRequest`` holding its current values; each state it has been in is a
``prov:Entity`` that is ``prov:specializationOf`` the request; each transition is a ``gc:Decision`` activity
that ``prov:used`` the previous state and ``prov:generated`` the next, ``prov:wasAssociatedWith`` the acting
user, with the status before and after. Every transition is also written to the audit trail (:mod:`.audit`).

Authorisation is the caller's job (who may sign in, with which role); this module only refuses what the
rules forbid whoever asks: a department answering another department's request, an administrator settling a
case outside its level and region.

Usage::

    service = RequestService(store)
    request = service.submit(requester, dataset_iri, purpose="业务协同", scope="…", basis="…")
    service.approve(provider_manager, request.id, conditions=["仅用于…"])
    service.escalate_overdue(now)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.governance import audit
from catalog_service.governance.calendar import CALENDAR, WorkingDayCalendar, china_date
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists

GOVERNANCE_GRAPH = ns.GRAPH + "governance"
"""The named graph of sharing requests and their decisions; never part of what the public can query."""

REQUEST = ns.BASE + "request/"
ANSWER_DAYS = 10
"""Working days a provider has to answer a request."""

SYSTEM = "system"
"""The actor recorded for what the service does by itself, such as escalating overdue requests."""

UNCONDITIONAL = ns.code("sharing-type", "1")
CONDITIONAL = ns.code("sharing-type", "2")
NOT_SHARED = ns.code("sharing-type", "3")
PROVINCIAL = ns.code("level", "2")


# -- errors -------------------------------------------------------------------------------------------------


class GovernanceError(Exception):
    """A refused operation, with a message in Chinese and English and the HTTP status it stands for."""

    status = 400

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.message_zh = zh
        self.message_en = en


class NotFound(GovernanceError):
    """The request or the resource does not exist (404)."""

    status = 404


class Forbidden(GovernanceError):
    """The acting user's department or role may not do this (403)."""

    status = 403


class RequestConflict(GovernanceError):
    """The request contradicts the state of the catalog, e.g. a request for a 无条件共享 resource (409)."""

    status = 409


class TransitionRefused(GovernanceError):
    """The action is not allowed in the request's current state (409)."""

    status = 409


class RequestInvalid(GovernanceError):
    """Something required is missing or malformed: a purpose, conditions, a reason (422)."""

    status = 422


# -- states -------------------------------------------------------------------------------------------------


class Status(StrEnum):
    """The states of a request; ``label`` gives their names in Chinese and English."""

    SUBMITTED = "submitted"
    NEGOTIATING = "negotiating"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def iri(self) -> str:
        """The ``gc:RequestStatus`` individual of this state."""
        return ns.GC + "Request" + self.value.capitalize()

    @property
    def label(self) -> dict[str, str]:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.SUBMITTED: {"zh": "已提交", "en": "submitted"},
    Status.NEGOTIATING: {"zh": "协商中", "en": "negotiating"},
    Status.APPROVED: {"zh": "已同意", "en": "approved"},
    Status.REFUSED: {"zh": "已拒绝", "en": "refused"},
}
OPEN = frozenset({Status.SUBMITTED, Status.NEGOTIATING})
"""States that wait for an answer, and so can become overdue."""


class Action(StrEnum):
    """What can be done to a request."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REFUSE = "refuse"
    SETTLE = "settle"
    ESCALATE = "escalate"


TRANSITIONS: dict[tuple[Status | None, Action], frozenset[Status]] = {
    (None, Action.SUBMIT): frozenset({Status.SUBMITTED, Status.NEGOTIATING}),
    (Status.SUBMITTED, Action.APPROVE): frozenset({Status.APPROVED}),
    (Status.SUBMITTED, Action.REFUSE): frozenset({Status.REFUSED}),
    (Status.SUBMITTED, Action.SETTLE): frozenset({Status.APPROVED, Status.REFUSED}),
    (Status.SUBMITTED, Action.ESCALATE): frozenset({Status.SUBMITTED}),
    (Status.NEGOTIATING, Action.APPROVE): frozenset({Status.APPROVED}),
    (Status.NEGOTIATING, Action.SETTLE): frozenset({Status.APPROVED, Status.REFUSED}),
    (Status.NEGOTIATING, Action.ESCALATE): frozenset({Status.NEGOTIATING}),
}
"""Every allowed (state, action) and the states it may lead to; anything else is refused."""


class Role(StrEnum):
    """The roles of government users that the rules give something to do with requests."""

    ADMINISTRATOR = "administrator"
    """The coordinating office of a level (本级政务信息资源共享主管部门), for one division."""
    CATALOG_MANAGER = "catalog-manager"
    """Manages a provider department's catalog and answers its requests."""
    REQUESTER = "requester"
    """Applies for resources on behalf of a user department."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user acting, as the caller has authenticated them."""

    user: str
    """Account name, recorded in decisions and the audit trail."""
    department: str | None
    """Unified social credit code of the user's department."""
    role: Role
    region: str | None = None
    """For an administrator: the six-digit division whose level it coordinates (``100000`` for the country)."""


class EscalationTarget(StrEnum):
    """Who an overdue request is escalated to."""

    LEVEL_ADMINISTRATOR = "level-administrator"
    """The administrator (coordinating office) of the provider's level."""
    LEADING_GROUP = "leading-group"
    """The leading group (领导小组) of a province, for requests to provincial providers."""

    @property
    def iri(self) -> str:
        return ns.GC + ("LevelAdministrator" if self is EscalationTarget.LEVEL_ADMINISTRATOR else "LeadingGroup")


@dataclass(frozen=True)
class Escalation:
    """An overdue request handed up: to whom, at which level and division, since when."""

    target: EscalationTarget
    level: str
    """``level`` concept IRI of the provider (国家, 省, 市 or 县)."""
    region: str
    """Six-digit division of the provider: where the administrator or leading group sits."""
    at: datetime


@dataclass(frozen=True)
class SharingRequest:
    """One request as it stands now."""

    id: str
    dataset: str
    requester: str
    requester_department: str
    provider_department: str
    provider_level: str
    provider_region: str
    purpose: str
    """``use-purpose`` concept IRI."""
    scope: str
    basis: str
    received: datetime
    deadline: date
    """Last day (Beijing time) on which the answer is in time."""
    deadline_official: bool
    """``False`` when the deadline was counted Monday–Friday for want of the official calendar."""
    status: Status
    answered: datetime | None
    conditions: tuple[str, ...]
    reason: str | None
    escalation: Escalation | None
    version: int
    """Number of decisions after the submission: the last state entity is ``{iri}/state/{version}``."""

    @property
    def iri(self) -> str:
        return REQUEST + self.id

    def overdue(self, now: datetime) -> bool:
        """Whether the request still waits for an answer after its deadline."""
        return self.status in OPEN and china_date(now) > self.deadline

    @property
    def late(self) -> bool:
        """Whether it was answered after its deadline (the compliance report counts these)."""
        return self.answered is not None and china_date(self.answered) > self.deadline

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, used for audit snapshots and API answers."""
        escalation = self.escalation
        return {
            "id": self.id,
            "iri": self.iri,
            "dataset": self.dataset,
            "requester": self.requester,
            "requester_department": self.requester_department,
            "provider_department": self.provider_department,
            "provider_level": self.provider_level,
            "provider_region": self.provider_region,
            "purpose": self.purpose,
            "scope": self.scope,
            "basis": self.basis,
            "received": self.received.isoformat(),
            "deadline": self.deadline.isoformat(),
            "deadline_official": self.deadline_official,
            "status": self.status.value,
            "answered": self.answered.isoformat() if self.answered else None,
            "conditions": list(self.conditions),
            "reason": self.reason,
            "escalation": None
            if escalation is None
            else {
                "target": escalation.target.value,
                "level": escalation.level,
                "region": escalation.region,
                "at": escalation.at.isoformat(),
            },
        }


# -- the service --------------------------------------------------------------------------------------------


class RequestService:
    """Submits, answers, settles and escalates requests; each step checked, stored and audited.

    Every method that changes a request validates everything first and then writes, so a refused call
    leaves the store untouched. Times (``at``, ``now``) must carry a time zone; they default to the present.
    """

    def __init__(
        self, store: CatalogStore, *, calendar: WorkingDayCalendar = CALENDAR, code_lists: CodeLists | None = None
    ) -> None:
        self._store = store
        self._calendar = calendar
        self._code_lists = code_lists or CodeLists.default()

    # -- changing requests ---------------------------------------------------------------------------------

    def submit(
        self, actor: Actor, dataset: str, *, purpose: str, scope: str, basis: str, at: datetime | None = None
    ) -> SharingRequest:
        """Apply for a resource on behalf of the actor's department.

        ``purpose`` is anything the ``use-purpose`` code list recognises (notation, label, concept IRI).
        A 有条件共享 resource gives a *submitted* request, a 不予共享 one a *negotiating* request.
        """
        at = _moment(at)
        if not actor.department:
            raise Forbidden(
                "只有政务部门用户可以提交共享申请", "only users of a government department can submit requests"
            )
        entry = self._dataset(dataset)
        if entry.sharing_type == UNCONDITIONAL:
            raise RequestConflict("无条件共享资源无需申请", "an unconditionally shared resource needs no request")
        status = {CONDITIONAL: Status.SUBMITTED, NOT_SHARED: Status.NEGOTIATING}.get(entry.sharing_type)
        if status is None:
            raise RequestInvalid("该资源未注明共享类型", "the resource states no sharing type")
        if entry.provider_department == actor.department:
            raise RequestInvalid("不能申请本部门的资源", "a department cannot request its own resource")
        purpose_iri = self._purpose(purpose)
        scope, basis = _required(scope, "使用范围", "a scope"), _required(basis, "申请依据", "a basis")
        for existing in self.list(dataset=dataset, requester_department=actor.department):
            if existing.status in OPEN:
                raise RequestConflict(
                    f"本部门对该资源已有未办结的申请 {existing.id}",
                    f"your department already has an open request {existing.id} for this resource",
                )
        deadline = self._calendar.add_working_days(at, ANSWER_DAYS)
        request = SharingRequest(
            id=str(uuid.uuid4()),
            dataset=dataset,
            requester=actor.user,
            requester_department=actor.department,
            provider_department=entry.provider_department,
            provider_level=entry.level,
            provider_region=entry.region,
            purpose=purpose_iri,
            scope=scope,
            basis=basis,
            received=at,
            deadline=deadline.date,
            deadline_official=deadline.official,
            status=status,
            answered=None,
            conditions=(),
            reason=None,
            escalation=None,
            version=0,
        )
        self._write(None, request, Action.SUBMIT, actor.user, at)
        return request

    def approve(
        self, actor: Actor, request_id: str, *, conditions: Sequence[str], at: datetime | None = None
    ) -> SharingRequest:
        """The provider agrees to share, under the usage conditions it states (at least one)."""
        at = _moment(at)
        request = self.get(request_id)
        self._check_provider(actor, request)
        self._check_transition(request, Action.APPROVE, at)
        conditions = _conditions(conditions)
        return self._answer(request, Action.APPROVE, Status.APPROVED, actor.user, at, conditions=conditions)

    def refuse(self, actor: Actor, request_id: str, *, reason: str, at: datetime | None = None) -> SharingRequest:
        """The provider refuses; the rules require a reason."""
        at = _moment(at)
        request = self.get(request_id)
        self._check_provider(actor, request)
        self._check_transition(request, Action.REFUSE, at)
        reason = _required(reason, "拒绝理由", "a reason for the refusal")
        return self._answer(request, Action.REFUSE, Status.REFUSED, actor.user, at, reason=reason)

    def settle(
        self,
        actor: Actor,
        request_id: str,
        *,
        approve: bool,
        reason: str,
        conditions: Sequence[str] = (),
        at: datetime | None = None,
    ) -> SharingRequest:
        """The administrator of the provider's level decides (协调) a negotiation or an escalated request.

        The decision always gives its reason; an approval also states the usage conditions.
        """
        at = _moment(at)
        request = self.get(request_id)
        if actor.role != Role.ADMINISTRATOR or actor.region != request.provider_region:
            raise Forbidden(
                "只有提供方所在层级的主管部门可以协调",
                "only the administrator of the provider's level can settle a request",
            )
        self._check_transition(request, Action.SETTLE, at)
        if request.status == Status.SUBMITTED and request.escalation is None:
            raise TransitionRefused(
                "申请尚未逾期升级，应由提供方答复", "the request has not been escalated: the provider answers it"
            )
        reason = _required(reason, "协调理由", "a reason for the decision")
        if approve:
            kept = _conditions(conditions)
            return self._answer(request, Action.SETTLE, Status.APPROVED, actor.user, at, conditions=kept, reason=reason)
        return self._answer(request, Action.SETTLE, Status.REFUSED, actor.user, at, reason=reason)

    def escalate_overdue(self, now: datetime | None = None, *, actor: str = SYSTEM) -> list[SharingRequest]:
        """Escalate every overdue request not escalated yet; return them as escalated.

        Run it daily (the scheduler's job); running it again escalates nothing twice.
        """
        now = _moment(now)
        escalated = []
        for request in self.overdue(now):
            if request.escalation is not None:
                continue
            target = (
                EscalationTarget.LEADING_GROUP
                if request.provider_level == PROVINCIAL
                else EscalationTarget.LEVEL_ADMINISTRATOR
            )
            escalation = Escalation(target, request.provider_level, request.provider_region, now)
            self._check_transition(request, Action.ESCALATE, now)
            after = replace(request, escalation=escalation, version=request.version + 1)
            self._write(request, after, Action.ESCALATE, actor, now)
            escalated.append(after)
        return escalated

    # -- reading -------------------------------------------------------------------------------------------

    def get(self, request_id: str) -> SharingRequest:
        """The request with this identifier, or :class:`NotFound`."""
        try:
            canonical = str(uuid.UUID(request_id))
        except ValueError:
            canonical = None
        request = None if canonical is None else self._read(ox.NamedNode(REQUEST + canonical))
        if request is None:
            raise NotFound(f"共享申请 {request_id} 不存在", f"no sharing request {request_id}")
        return request

    def list(
        self,
        *,
        status: Status | None = None,
        dataset: str | None = None,
        requester_department: str | None = None,
        provider_department: str | None = None,
    ) -> list[SharingRequest]:
        """The requests matching every filter given, oldest first."""
        found = []
        for quad in self._store.raw.quads_for_pattern(None, _RDF_TYPE, _SHARING_REQUEST, _GRAPH):
            request = self._read(quad.subject)
            if request is not None and (
                (status is None or request.status == status)
                and (dataset is None or request.dataset == dataset)
                and (requester_department is None or request.requester_department == requester_department)
                and (provider_department is None or request.provider_department == provider_department)
            ):
                found.append(request)
        return sorted(found, key=lambda r: (r.received, r.id))

    def overdue(self, now: datetime | None = None) -> list[SharingRequest]:
        """The requests still waiting for an answer after their deadline, oldest first."""
        now = _moment(now)
        return [r for r in self.list() if r.overdue(now)]

    # -- checks --------------------------------------------------------------------------------------------

    def _dataset(self, dataset: str) -> _Entry:
        try:
            node = ox.NamedNode(dataset)
        except ValueError:
            node = None
        rows = []
        if node is not None:
            rows = list(self._store.query(_DATASET_QUERY, substitutions={ox.Variable("dataset"): node}))
        if not rows:
            raise NotFound(f"目录中没有资源 {dataset}", f"no resource {dataset} in the catalog")

        def value(name: str) -> str | None:
            found = sorted({row[name].value for row in rows if row[name] is not None})
            return found[0] if found else None

        provider, level, spatial = value("credit"), value("level"), value("spatial")
        if provider is None or level is None or spatial is None or not spatial.startswith(ns.REGION):
            raise RequestInvalid(
                "该资源缺少提供方、层级或行政区划", "the resource lacks its provider, level or division"
            )
        return _Entry(value("sharingType"), provider, level, spatial.removeprefix(ns.REGION))

    def _purpose(self, purpose: str) -> str:
        lists = self._code_lists
        if purpose in lists.members("use-purpose"):
            return purpose
        found = lists.concept("use-purpose", purpose)
        if found is None:
            raise RequestInvalid(f"未知用途 {purpose!r}", f"unknown purpose {purpose!r}")
        return found

    @staticmethod
    def _check_provider(actor: Actor, request: SharingRequest) -> None:
        if actor.role != Role.CATALOG_MANAGER or actor.department != request.provider_department:
            raise Forbidden("只有提供方部门可以答复该申请", "only the provider department can answer this request")

    @staticmethod
    def _check_transition(request: SharingRequest, action: Action, at: datetime) -> None:
        if (request.status, action) not in TRANSITIONS:
            raise TransitionRefused(
                f"申请处于“{request.status.label['zh']}”状态，不能{_ACTION_LABELS[action]['zh']}",
                f"a request that is {request.status.label['en']} cannot be {_ACTION_LABELS[action]['en']}",
            )
        if at < request.received:
            raise RequestInvalid("答复时间早于申请时间", "the decision is dated before the request was received")

    # -- writing -------------------------------------------------------------------------------------------

    def _answer(
        self,
        request: SharingRequest,
        action: Action,
        status: Status,
        actor: str,
        at: datetime,
        *,
        conditions: tuple[str, ...] = (),
        reason: str | None = None,
    ) -> SharingRequest:
        after = replace(
            request, status=status, answered=at, conditions=conditions, reason=reason, version=request.version + 1
        )
        self._write(request, after, action, actor, at)
        return after

    def _write(
        self, before: SharingRequest | None, after: SharingRequest, action: Action, actor: str, at: datetime
    ) -> None:
        """Store the request's new values, its new state and the decision, then the audit event.

        The governance graph changes in one transaction. The audit event is a second one: should it fail, the
        decision in the governance graph still says who did what when, from which status to which.
        """
        assert after.status in TRANSITIONS[(before.status if before else None, action)]
        triples = _request_triples(after) + _decision_triples(before, after, action, actor, at)
        self._store.append(GOVERNANCE_GRAPH, triples, remove_subjects=[after.iri, _escalation_iri(after.iri)])
        audit.record(
            self._store,
            actor=actor,
            action=action.value,
            target=after.iri,
            before=before.as_dict() if before else None,
            after=after.as_dict(),
            at=at,
        )

    def _read(self, subject: ox.NamedNode) -> SharingRequest | None:
        raw = self._store.raw
        values: dict[ox.NamedNode, list[ox.NamedNode | ox.Literal]] = {}
        for quad in raw.quads_for_pattern(subject, None, None, _GRAPH):
            values.setdefault(quad.predicate, []).append(quad.object)
        if _SHARING_REQUEST not in values.get(_RDF_TYPE, []):
            return None

        def one(predicate: ox.NamedNode) -> str | None:
            found = values.get(predicate)
            return found[0].value if found else None

        escalation = None
        if _ESCALATION in values:
            node = {q.predicate: q.object for q in raw.quads_for_pattern(values[_ESCALATION][0], None, None, _GRAPH)}
            escalation = Escalation(
                target=_TARGETS[node[_ESCALATION_TARGET].value],
                level=one(_PROVIDER_LEVEL),
                region=one(_PROVIDER_REGION).removeprefix(ns.REGION),
                at=datetime.fromisoformat(node[_AT_TIME].value),
            )
        answered = one(_ANSWERED)
        states = sum(1 for _ in raw.quads_for_pattern(None, _SPECIALIZATION_OF, subject, _GRAPH))
        return SharingRequest(
            id=one(_IDENTIFIER),
            dataset=one(_DATASET),
            requester=audit.user_name(one(_REQUESTER)),
            requester_department=one(_REQUESTER_DEPARTMENT).removeprefix(ns.ORG),
            provider_department=one(_PROVIDER_DEPARTMENT).removeprefix(ns.ORG),
            provider_level=one(_PROVIDER_LEVEL),
            provider_region=one(_PROVIDER_REGION).removeprefix(ns.REGION),
            purpose=one(_PURPOSE),
            scope=one(_SCOPE),
            basis=one(_BASIS),
            received=datetime.fromisoformat(one(_RECEIVED)),
            deadline=date.fromisoformat(one(_DEADLINE)),
            deadline_official=one(_DEADLINE_OFFICIAL) == "true",
            status=_STATUSES[one(_STATUS)],
            answered=datetime.fromisoformat(answered) if answered else None,
            conditions=tuple(sorted(c.value for c in values.get(_CONDITION, []))),
            reason=one(_REASON),
            escalation=escalation,
            version=states - 1,
        )


# -- RDF ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """What a request needs to know about the resource it asks for."""

    sharing_type: str | None
    provider_department: str
    level: str
    region: str


_DATASET_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
SELECT ?dataset ?sharingType ?credit ?level ?spatial WHERE {
    ?dataset a dcat:Dataset .
    OPTIONAL { ?dataset gc:sharingType ?sharingType }
    OPTIONAL { ?dataset dct:publisher/gc:creditCode ?credit }
    OPTIONAL { ?dataset gc:level ?level }
    OPTIONAL { ?dataset dct:spatial ?spatial }
}"""
"""The sharing type, provider and provider level and division of a resource, bound to ``?dataset``."""

_GRAPH = ox.NamedNode(GOVERNANCE_GRAPH)
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_XSD_DATE = ox.NamedNode(ns.XSD + "date")
_XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")
_PROV_ENTITY = ox.NamedNode(ns.PROV + "Entity")
_SHARING_REQUEST = ox.NamedNode(ns.GC + "SharingRequest")
_IDENTIFIER = ox.NamedNode(ns.DCT + "identifier")
_DATASET = ox.NamedNode(ns.GC + "requestedDataset")
_REQUESTER = ox.NamedNode(ns.PROV + "wasAttributedTo")
_REQUESTER_DEPARTMENT = ox.NamedNode(ns.GC + "requestingDepartment")
_PROVIDER_DEPARTMENT = ox.NamedNode(ns.GC + "providingDepartment")
_PROVIDER_LEVEL = ox.NamedNode(ns.GC + "providerLevel")
_PROVIDER_REGION = ox.NamedNode(ns.GC + "providerRegion")
_PURPOSE = ox.NamedNode(ns.GC + "requestPurpose")
_SCOPE = ox.NamedNode(ns.GC + "requestScope")
_BASIS = ox.NamedNode(ns.GC + "requestBasis")
_RECEIVED = ox.NamedNode(ns.GC + "receivedAt")
_DEADLINE = ox.NamedNode(ns.GC + "deadline")
_DEADLINE_OFFICIAL = ox.NamedNode(ns.GC + "deadlineOfficial")
_STATUS = ox.NamedNode(ns.GC + "requestStatus")
_ANSWERED = ox.NamedNode(ns.GC + "answeredAt")
_CONDITION = ox.NamedNode(ns.GC + "usageCondition")
_REASON = ox.NamedNode(ns.GC + "decisionReason")
_ESCALATION = ox.NamedNode(ns.GC + "escalation")
_ESCALATION_TARGET = ox.NamedNode(ns.GC + "escalationTarget")
_AT_TIME = ox.NamedNode(ns.PROV + "atTime")
_SPECIALIZATION_OF = ox.NamedNode(ns.PROV + "specializationOf")

_STATUSES = {status.iri: status for status in Status}
_TARGETS = {target.iri: target for target in EscalationTarget}
_ACTION_LABELS = {
    Action.SUBMIT: {"zh": "提交", "en": "submitted"},
    Action.APPROVE: {"zh": "同意", "en": "approved"},
    Action.REFUSE: {"zh": "拒绝", "en": "refused"},
    Action.SETTLE: {"zh": "协调", "en": "settled"},
    Action.ESCALATE: {"zh": "升级", "en": "escalated"},
}


def _escalation_iri(request_iri: str) -> str:
    return request_iri + "/escalation"


def _request_triples(request: SharingRequest) -> list[ox.Triple]:
    node = ox.NamedNode(request.iri)

    def literal(predicate: ox.NamedNode, value: str, datatype: ox.NamedNode | None = None) -> ox.Triple:
        return ox.Triple(node, predicate, ox.Literal(value, datatype=datatype))

    def link(predicate: ox.NamedNode, iri: str) -> ox.Triple:
        return ox.Triple(node, predicate, ox.NamedNode(iri))

    out = [
        link(_RDF_TYPE, _PROV_ENTITY.value),
        link(_RDF_TYPE, _SHARING_REQUEST.value),
        literal(_IDENTIFIER, request.id),
        link(_DATASET, request.dataset),
        link(_REQUESTER, audit.user_iri(request.requester)),
        link(_REQUESTER_DEPARTMENT, ns.organization(request.requester_department)),
        link(_PROVIDER_DEPARTMENT, ns.organization(request.provider_department)),
        link(_PROVIDER_LEVEL, request.provider_level),
        link(_PROVIDER_REGION, ns.region(request.provider_region)),
        link(_PURPOSE, request.purpose),
        literal(_SCOPE, request.scope),
        literal(_BASIS, request.basis),
        literal(_RECEIVED, request.received.isoformat(), _XSD_DATETIME),
        literal(_DEADLINE, request.deadline.isoformat(), _XSD_DATE),
        literal(_DEADLINE_OFFICIAL, "true" if request.deadline_official else "false", _XSD_BOOLEAN),
        link(_STATUS, request.status.iri),
    ]
    if request.answered is not None:
        out.append(literal(_ANSWERED, request.answered.isoformat(), _XSD_DATETIME))
    out += [literal(_CONDITION, condition) for condition in request.conditions]
    if request.reason is not None:
        out.append(literal(_REASON, request.reason))
    if request.escalation is not None:
        escalation = ox.NamedNode(_escalation_iri(request.iri))
        out += [
            ox.Triple(node, _ESCALATION, escalation),
            ox.Triple(escalation, _RDF_TYPE, ox.NamedNode(ns.GC + "Escalation")),
            ox.Triple(escalation, _ESCALATION_TARGET, ox.NamedNode(request.escalation.target.iri)),
            ox.Triple(escalation, _AT_TIME, ox.Literal(request.escalation.at.isoformat(), datatype=_XSD_DATETIME)),
        ]
    return out


def _decision_triples(
    before: SharingRequest | None, after: SharingRequest, action: Action, actor: str, at: datetime
) -> list[ox.Triple]:
    """The decision activity and the state entity it generated (new subjects: nothing is overwritten)."""
    decision = ox.NamedNode(f"{after.iri}/decision/{after.version}")
    state = ox.NamedNode(f"{after.iri}/state/{after.version}")
    when = ox.Literal(at.isoformat(), datatype=_XSD_DATETIME)
    out = [
        ox.Triple(decision, _RDF_TYPE, ox.NamedNode(ns.PROV + "Activity")),
        ox.Triple(decision, _RDF_TYPE, ox.NamedNode(ns.GC + "Decision")),
        ox.Triple(decision, ox.NamedNode(ns.GC + "action"), ox.Literal(action.value)),
        ox.Triple(decision, ox.NamedNode(ns.PROV + "wasAssociatedWith"), ox.NamedNode(audit.user_iri(actor))),
        ox.Triple(decision, ox.NamedNode(ns.PROV + "startedAtTime"), when),
        ox.Triple(decision, ox.NamedNode(ns.PROV + "generated"), state),
        ox.Triple(decision, ox.NamedNode(ns.GC + "statusAfter"), ox.NamedNode(after.status.iri)),
        ox.Triple(state, _RDF_TYPE, _PROV_ENTITY),
        ox.Triple(state, _SPECIALIZATION_OF, ox.NamedNode(after.iri)),
        ox.Triple(state, _STATUS, ox.NamedNode(after.status.iri)),
        ox.Triple(state, ox.NamedNode(ns.PROV + "wasGeneratedBy"), decision),
        ox.Triple(state, ox.NamedNode(ns.PROV + "generatedAtTime"), when),
    ]
    if action != Action.ESCALATE:  # an escalation answers nothing: the conditions and reason are the answer's
        out += [ox.Triple(decision, _CONDITION, ox.Literal(c)) for c in after.conditions]
    if after.reason is not None and action != Action.ESCALATE:
        out.append(ox.Triple(decision, _REASON, ox.Literal(after.reason)))
    if before is not None:
        previous = ox.NamedNode(f"{before.iri}/state/{before.version}")
        out += [
            ox.Triple(decision, ox.NamedNode(ns.PROV + "used"), previous),
            ox.Triple(decision, ox.NamedNode(ns.GC + "statusBefore"), ox.NamedNode(before.status.iri)),
            ox.Triple(state, ox.NamedNode(ns.PROV + "wasRevisionOf"), previous),
        ]
    return out


# -- helpers ------------------------------------------------------------------------------------------------


def _moment(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC).replace(microsecond=0)
    if at.tzinfo is None:
        raise ValueError("时间须带时区 / a time needs a time zone")
    return at


def _required(text: str, zh: str, en: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RequestInvalid(f"须填写{zh}", f"{en} is required")
    return text


def _conditions(conditions: Iterable[str] | str) -> tuple[str, ...]:
    items = [conditions] if isinstance(conditions, str) else list(conditions)
    kept = tuple(sorted({c.strip() for c in items if c and c.strip()}))
    if not kept:
        raise RequestInvalid("同意共享须写明使用条件", "an approval must state the usage conditions")
    return kept
