"""Catalog freshness and compliance: change notices, stale entries, error feedback, misuse reports, the report.

The sharing rules hold departments accountable for keeping their catalogs current and for sharing what they
list. This module records what the rules need beyond the catalog and the requests, and computes the figures:

- **change notices** (职能变更): an administrator records a legal or functional change of a department; its
  catalog must be updated within :data:`UPDATE_DAYS` working days (the project's calendar). The catalog counts
  as updated when any catalog record of the department's entries changed (``dct:modified``) on or after the
  day of the change; a notice not updated by its deadline is *overdue* (as of the end of the report period);
- **stale entries**: an entry whose 更新周期 is daily … yearly but whose catalog record last changed longer ago
  than the period plus a grace (:data:`PERIOD_DAYS`);
- **error feedback** (疑似错误数据): any government user flags an entry with a description; the provider
  answers; items without an answer are *open*;
- **misuse reports**: shared data used beyond the approved purpose, counted against the misusing department;
- **data collected again**: an entry whose data-element names are the same set as those of an earlier entry
  (by release date, then IRI) of another department.

Notices, feedback and misuse reports are RDF in the governance graph (never public), each write audited.
:func:`compliance_report` gives the figures per department and per region for a period; :func:`annual_report`
the same figures for a calendar year, due by the end of January of the next.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import uscc
from catalog_service.governance import audit
from catalog_service.governance.calendar import CALENDAR, CHINA_TIME, WorkingDayCalendar, china_date
from catalog_service.governance.requests import GOVERNANCE_GRAPH, RequestService, Status
from catalog_service.store import CatalogStore

UPDATE_DAYS = 15
"""Working days a department has to update its catalog after a legal or functional change."""

PERIOD_DAYS: dict[str, tuple[int, int]] = {
    "2": (1, 2),  # 每日: one day, two days' grace
    "3": (7, 3),  # 每周
    "4": (31, 7),  # 每月
    "5": (92, 15),  # 每季度
    "6": (183, 30),  # 每半年
    "7": (366, 30),  # 每年
}
"""``update-frequency`` notation → (period, grace) in calendar days; 实时 and 其他 are never stale."""

CHANGE_KINDS = {
    "legal": {"zh": "法律法规变更", "en": "legal change"},
    "functional": {"zh": "职能变更", "en": "functional change"},
}

FIGURES: tuple[tuple[str, str, str], ...] = (
    ("entries", "目录条目数", "catalog entries"),
    ("catalog_missing", "未编制目录", "catalog missing"),
    ("changes", "职能变更数", "changes recorded"),
    ("changes_overdue", "变更后逾期未更新", "not updated after a change (overdue)"),
    ("stale_entries", "未按周期更新条目", "stale entries"),
    ("shared_not_provided", "共享数据未提供", "shared data not provided"),
    ("requests_received", "收到共享申请", "requests received"),
    ("requests_not_accepted", "逾期未答复申请", "requests not answered (overdue)"),
    ("requests_answered_late", "超期答复申请", "requests answered late"),
    ("refusals_without_reason", "拒绝未说明理由", "refusals without reasons"),
    ("feedback_received", "收到纠错反馈", "error feedback received"),
    ("feedback_open", "纠错未处理", "error feedback not corrected"),
    ("misuse_reports", "超范围使用举报", "misuse reports"),
    ("duplicate_collection", "重复采集", "data collected again"),
)
"""Every figure of the report, in column order, with its Chinese and English name."""
ISSUE_FIGURES = (
    "catalog_missing",
    "changes_overdue",
    "stale_entries",
    "shared_not_provided",
    "requests_not_accepted",
    "requests_answered_late",
    "refusals_without_reason",
    "feedback_open",
    "misuse_reports",
    "duplicate_collection",
)
"""The figures that are failures under the rules; their sum is a department's ``issues``."""

_G = ox.NamedNode(GOVERNANCE_GRAPH)
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_XSD_DATE = ox.NamedNode(ns.XSD + "date")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")
CHANGE = ns.BASE + "change/"
FEEDBACK = ns.BASE + "feedback/"
MISUSE = ns.BASE + "misuse/"


class ComplianceError(Exception):
    """A refused operation with its HTTP status and messages in Chinese and English."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


def _now(at: datetime | None) -> datetime:
    at = at or datetime.now(UTC).replace(microsecond=0)
    if at.tzinfo is None:
        raise ValueError("时间须带时区 / a time needs a time zone")
    return at


def _lit(value: str, datatype: ox.NamedNode | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=datatype) if datatype else ox.Literal(value)


def _gc(name: str) -> ox.NamedNode:
    return ox.NamedNode(ns.GC + name)


def _org(credit_code: str) -> ox.NamedNode:
    """A department's IRI (as sharing requests and the catalog name it) from its credit code, checked."""
    if not uscc.PATTERN.match(credit_code):
        raise ComplianceError(
            422, f"不是统一社会信用代码：{credit_code}", f"not a unified social credit code: {credit_code}"
        )
    return ox.NamedNode(ns.organization(credit_code))


def _region(code: str) -> ox.NamedNode:
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ComplianceError(422, f"行政区划代码须为 6 位数字：{code}", f"a division code has six digits: {code}")
    return ox.NamedNode(ns.region(code))


def _code(value: str | None) -> str | None:
    """The code in a department's or division's IRI (notices written before they were IRIs hold the code)."""
    return value.removeprefix(ns.ORG).removeprefix(ns.REGION) if value is not None else None


def _required(text: Any, zh: str, en: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ComplianceError(422, f"须填写{zh}", f"{en} is required")
    return text.strip()


# -- the catalog's entries ------------------------------------------------------------------------------------

_ENTRIES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?d ?credit ?spatial ?sharing ?freq ?issued (MAX(?m) AS ?modified) (COUNT(?acc) AS ?access) WHERE {
  ?d a dcat:Dataset ; dct:publisher/gc:creditCode ?credit .
  OPTIONAL { ?d dct:spatial ?spatial }
  OPTIONAL { ?d gc:sharingType ?sharing }
  OPTIONAL { ?d dct:accrualPeriodicity ?freq }
  OPTIONAL { ?d dct:issued ?issued }
  OPTIONAL { ?r foaf:primaryTopic ?d ; dct:modified ?m }
  OPTIONAL { ?d dcat:distribution|dcat:accessService ?acc }
} GROUP BY ?d ?credit ?spatial ?sharing ?freq ?issued
"""

_NAMES = """
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?credit ?name WHERE { ?org gc:creditCode ?credit ; foaf:name ?name }
"""

_ELEMENTS = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
SELECT ?d ?title WHERE { ?d gc:dataElement ?e . ?e dct:title ?title }
"""


@dataclass
class Entry:
    """What the report needs to know about one catalog entry."""

    dataset: str
    department: str
    region: str | None
    sharing: str | None
    frequency: str | None
    issued: str
    modified: datetime | None
    provided: bool
    elements: frozenset[str] = frozenset()


def catalog_entries(store: CatalogStore) -> dict[str, Entry]:
    """Every entry with its department, division, sharing type, update cycle, last change and access; batched."""
    entries: dict[str, Entry] = {}
    for row in store.query(_ENTRIES):
        dataset = row["d"].value
        if dataset in entries:
            continue
        spatial = row["spatial"].value if row["spatial"] is not None else None
        sharing, freq = row["sharing"], row["freq"]
        entries[dataset] = Entry(
            dataset=dataset,
            department=row["credit"].value,
            region=spatial.removeprefix(ns.REGION) if spatial and spatial.startswith(ns.REGION) else None,
            sharing=sharing.value.rsplit("/", 1)[-1] if sharing is not None else None,
            frequency=freq.value.rsplit("/", 1)[-1] if freq is not None and freq.value.startswith(ns.CODE) else None,
            issued=row["issued"].value if row["issued"] is not None else "",
            modified=datetime.fromisoformat(row["modified"].value) if row["modified"] is not None else None,
            provided=int(row["access"].value) > 0,
        )
    elements: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_ELEMENTS):
        elements[row["d"].value].add(row["title"].value.strip())
    for dataset, titles in elements.items():
        if dataset in entries:
            entries[dataset].elements = frozenset(titles)
    return entries


def department_names(store: CatalogStore) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in store.query(_NAMES):
        names.setdefault(row["credit"].value, row["name"].value)
    return names


def duplicates(entries: dict[str, Entry]) -> set[str]:
    """Entries whose data-element names equal those of an earlier entry (release date, IRI) of another department."""
    by_set: dict[frozenset[str], list[Entry]] = defaultdict(list)
    for entry in entries.values():
        if entry.elements:
            by_set[entry.elements].append(entry)
    found = set()
    for group in by_set.values():
        group.sort(key=lambda e: (e.issued, e.dataset))
        for n, entry in enumerate(group):
            if any(other.department != entry.department for other in group[:n]):
                found.add(entry.dataset)
    return found


def is_stale(entry: Entry, as_of: date) -> bool:
    """Whether the entry's last change is older than its update cycle plus grace, on ``as_of``."""
    if entry.frequency not in PERIOD_DAYS or entry.modified is None:
        return False
    period, grace = PERIOD_DAYS[entry.frequency]
    return (as_of - china_date(entry.modified)).days > period + grace


# -- governance records -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeNotice:
    id: str
    department: str
    kind: str
    description: str
    effective: date
    deadline: date
    deadline_official: bool
    recorded_by: str
    recorded_at: datetime
    region: str | None

    @property
    def iri(self) -> str:
        return CHANGE + self.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "iri": self.iri,
            "department": self.department,
            "kind": self.kind,
            "description": self.description,
            "effective": self.effective.isoformat(),
            "deadline": self.deadline.isoformat(),
            "deadlineOfficial": self.deadline_official,
            "recordedBy": self.recorded_by,
            "recordedAt": self.recorded_at.isoformat(),
            "region": self.region,
        }


@dataclass(frozen=True)
class Feedback:
    id: str
    dataset: str
    department: str
    description: str
    reporter: str
    reporter_department: str | None
    received: datetime
    answered: datetime | None = None
    answer: str | None = None
    corrected: bool | None = None
    answered_by: str | None = None

    @property
    def iri(self) -> str:
        return FEEDBACK + self.id

    def open_at(self, moment: datetime) -> bool:
        return self.received <= moment and (self.answered is None or self.answered > moment)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "iri": self.iri,
            "dataset": self.dataset,
            "department": self.department,
            "description": self.description,
            "reporter": self.reporter,
            "reporterDepartment": self.reporter_department,
            "received": self.received.isoformat(),
            "status": "open" if self.answered is None else "answered",
            "answered": self.answered.isoformat() if self.answered else None,
            "answer": self.answer,
            "corrected": self.corrected,
            "answeredBy": self.answered_by,
        }


@dataclass(frozen=True)
class Misuse:
    id: str
    dataset: str
    department: str
    description: str
    reporter: str
    received: datetime

    @property
    def iri(self) -> str:
        return MISUSE + self.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "iri": self.iri,
            "dataset": self.dataset,
            "department": self.department,
            "description": self.description,
            "reporter": self.reporter,
            "received": self.received.isoformat(),
        }


def _subjects(store: CatalogStore, cls: str) -> list[dict[str, str]]:
    """Each governance-graph subject of class ``gc:{cls}`` as {local predicate name: value} (one value each)."""
    out: dict[str, dict[str, str]] = {}
    raw = store.raw
    for quad in raw.quads_for_pattern(None, _RDF_TYPE, _gc(cls), _G):
        values: dict[str, str] = {"@id": quad.subject.value}
        for q in raw.quads_for_pattern(quad.subject, None, None, _G):
            name = q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            values[name] = q.object.value
        out[quad.subject.value] = values
    return list(out.values())


def _dataset_department(store: CatalogStore, dataset: str) -> str:
    department = provider_of(store, dataset)
    if department is None:
        raise ComplianceError(404, f"目录中没有资源 {dataset}", f"no resource {dataset} in the catalog")
    return department


def provider_of(store: CatalogStore, dataset: str) -> str | None:
    """The provider credit code of one entry, or ``None`` if the catalog has no such entry."""
    try:
        node = ox.NamedNode(dataset)
    except ValueError:
        return None
    query = (
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX gc: <https://w3id.org/gov-catalog/ns#> "
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        f"SELECT ?credit WHERE {{ <{node.value}> a dcat:Dataset ; dct:publisher/gc:creditCode ?credit }}"
    )
    codes = sorted(row["credit"].value for row in store.query(query))
    return codes[0] if codes else None


class ComplianceService:
    """Records change notices, error feedback and misuse reports (audited) and reads them back."""

    def __init__(self, store: CatalogStore, *, calendar: WorkingDayCalendar = CALENDAR) -> None:
        self.store = store
        self.calendar = calendar

    # -- change notices
    def record_change(
        self,
        user: str,
        department: str,
        *,
        kind: str,
        description: str,
        effective: date | None = None,
        region: str | None = None,
        at: datetime | None = None,
    ) -> ChangeNotice:
        at = _now(at)
        if kind not in CHANGE_KINDS:
            raise ComplianceError(422, "变更类型须为 legal 或 functional", "kind must be legal or functional")
        department = _required(department, "部门统一社会信用代码", "a department credit code")
        description = _required(description, "变更说明", "a description")
        effective = effective or china_date(at)
        deadline = self.calendar.add_working_days(effective, UPDATE_DAYS)
        notice = ChangeNotice(
            str(uuid.uuid4()),
            department,
            kind,
            description,
            effective,
            deadline.date,
            deadline.official,
            user,
            at,
            region,
        )
        node = ox.NamedNode(notice.iri)
        triples = [
            ox.Triple(node, _RDF_TYPE, _gc("CatalogChangeNotice")),
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.PROV + "Entity")),
            ox.Triple(node, _gc("changedDepartment"), _org(department)),
            ox.Triple(node, _gc("changeKind"), _lit(kind)),
            ox.Triple(node, ox.NamedNode(ns.DCT + "description"), _lit(description)),
            ox.Triple(node, _gc("effectiveDate"), _lit(effective.isoformat(), _XSD_DATE)),
            ox.Triple(node, _gc("deadline"), _lit(deadline.date.isoformat(), _XSD_DATE)),
            ox.Triple(node, _gc("deadlineOfficial"), _lit(str(deadline.official).lower(), _XSD_BOOLEAN)),
            ox.Triple(node, ox.NamedNode(ns.PROV + "wasAttributedTo"), ox.NamedNode(audit.user_iri(user))),
            ox.Triple(node, ox.NamedNode(ns.PROV + "generatedAtTime"), _lit(at.isoformat(), _XSD_DATETIME)),
        ]
        if region:
            triples.append(ox.Triple(node, _gc("changeRegion"), _region(region)))
        self.store.append(GOVERNANCE_GRAPH, triples)
        audit.record(
            self.store,
            actor=user,
            action="record-change",
            target=notice.iri,
            before=None,
            after=notice.to_dict(),
            at=at,
        )
        return notice

    def changes(self) -> list[ChangeNotice]:
        out = []
        for v in _subjects(self.store, "CatalogChangeNotice"):
            out.append(
                ChangeNotice(
                    id=v["@id"].removeprefix(CHANGE),
                    department=_code(v["changedDepartment"]),
                    kind=v["changeKind"],
                    description=v["description"],
                    effective=date.fromisoformat(v["effectiveDate"]),
                    deadline=date.fromisoformat(v["deadline"]),
                    deadline_official=v["deadlineOfficial"] == "true",
                    recorded_by=audit.user_name(v["wasAttributedTo"]),
                    recorded_at=datetime.fromisoformat(v["generatedAtTime"]),
                    region=_code(v.get("changeRegion")),
                )
            )
        return sorted(out, key=lambda c: (c.effective, c.id))

    # -- error feedback
    def flag(
        self, user: str, user_department: str | None, dataset: str, *, description: str, at: datetime | None = None
    ) -> Feedback:
        at = _now(at)
        description = _required(description, "问题描述", "a description")
        department = _dataset_department(self.store, dataset)
        item = Feedback(str(uuid.uuid4()), dataset, department, description, user, user_department, at)
        self._write_feedback(None, item, "flag", user, at)
        return item

    def answer(
        self,
        user: str,
        user_department: str | None,
        feedback_id: str,
        *,
        answer: str,
        corrected: bool = True,
        at: datetime | None = None,
    ) -> Feedback:
        at = _now(at)
        item = self.feedback_item(feedback_id)
        if user_department != item.department:
            raise ComplianceError(403, "只有提供方部门可以答复", "only the provider department can answer")
        if item.answered is not None:
            raise ComplianceError(409, "该反馈已答复", "this feedback has been answered already")
        answer = _required(answer, "答复", "an answer")
        after = Feedback(
            **{**item.__dict__, "answered": at, "answer": answer, "corrected": corrected, "answered_by": user}
        )
        self._write_feedback(item, after, "answer-feedback", user, at)
        return after

    def _write_feedback(self, before: Feedback | None, item: Feedback, action: str, user: str, at: datetime) -> None:
        node = ox.NamedNode(item.iri)
        triples = [
            ox.Triple(node, _RDF_TYPE, _gc("ErrorFeedback")),
            ox.Triple(node, _gc("feedbackDataset"), ox.NamedNode(item.dataset)),
            ox.Triple(node, _gc("providingDepartment"), _org(item.department)),
            ox.Triple(node, ox.NamedNode(ns.DCT + "description"), _lit(item.description)),
            ox.Triple(node, ox.NamedNode(ns.PROV + "wasAttributedTo"), ox.NamedNode(audit.user_iri(item.reporter))),
            ox.Triple(node, _gc("receivedAt"), _lit(item.received.isoformat(), _XSD_DATETIME)),
        ]
        if item.reporter_department:
            triples.append(ox.Triple(node, _gc("reportingDepartment"), _org(item.reporter_department)))
        if item.answered is not None:
            triples += [
                ox.Triple(node, _gc("answeredAt"), _lit(item.answered.isoformat(), _XSD_DATETIME)),
                ox.Triple(node, _gc("answer"), _lit(item.answer or "")),
                ox.Triple(node, _gc("corrected"), _lit(str(bool(item.corrected)).lower(), _XSD_BOOLEAN)),
                ox.Triple(node, _gc("answeredBy"), ox.NamedNode(audit.user_iri(item.answered_by or user))),
            ]
        self.store.append(GOVERNANCE_GRAPH, triples, remove_subjects=[item.iri])
        audit.record(
            self.store,
            actor=user,
            action=action,
            target=item.iri,
            before=before.to_dict() if before else None,
            after=item.to_dict(),
            at=at,
        )

    def feedback_item(self, feedback_id: str) -> Feedback:
        for item in self.feedback():
            if item.id == feedback_id:
                return item
        raise ComplianceError(404, f"纠错反馈 {feedback_id} 不存在", f"no feedback {feedback_id}")

    def feedback(self) -> list[Feedback]:
        out = []
        for v in _subjects(self.store, "ErrorFeedback"):
            out.append(
                Feedback(
                    id=v["@id"].removeprefix(FEEDBACK),
                    dataset=v["feedbackDataset"],
                    department=_code(v["providingDepartment"]),
                    description=v["description"],
                    reporter=audit.user_name(v["wasAttributedTo"]),
                    reporter_department=_code(v.get("reportingDepartment")),
                    received=datetime.fromisoformat(v["receivedAt"]),
                    answered=datetime.fromisoformat(v["answeredAt"]) if "answeredAt" in v else None,
                    answer=v.get("answer"),
                    corrected=(v["corrected"] == "true") if "corrected" in v else None,
                    answered_by=audit.user_name(v["answeredBy"]) if "answeredBy" in v else None,
                )
            )
        return sorted(out, key=lambda f: (f.received, f.id))

    # -- misuse reports
    def report_misuse(
        self, user: str, dataset: str, department: str, *, description: str, at: datetime | None = None
    ) -> Misuse:
        at = _now(at)
        if provider_of(self.store, dataset) is None:
            raise ComplianceError(404, f"目录中没有资源 {dataset}", f"no resource {dataset} in the catalog")
        department = _required(department, "使用部门统一社会信用代码", "the misusing department's credit code")
        description = _required(description, "问题描述", "a description")
        item = Misuse(str(uuid.uuid4()), dataset, department, description, user, at)
        node = ox.NamedNode(item.iri)
        triples = [
            ox.Triple(node, _RDF_TYPE, _gc("MisuseReport")),
            ox.Triple(node, _gc("misusedDataset"), ox.NamedNode(dataset)),
            ox.Triple(node, _gc("misusingDepartment"), _org(department)),
            ox.Triple(node, ox.NamedNode(ns.DCT + "description"), _lit(description)),
            ox.Triple(node, ox.NamedNode(ns.PROV + "wasAttributedTo"), ox.NamedNode(audit.user_iri(user))),
            ox.Triple(node, _gc("receivedAt"), _lit(at.isoformat(), _XSD_DATETIME)),
        ]
        self.store.append(GOVERNANCE_GRAPH, triples)
        audit.record(
            self.store, actor=user, action="report-misuse", target=item.iri, before=None, after=item.to_dict(), at=at
        )
        return item

    def misuse(self) -> list[Misuse]:
        return sorted(
            (
                Misuse(
                    id=v["@id"].removeprefix(MISUSE),
                    dataset=v["misusedDataset"],
                    department=_code(v["misusingDepartment"]),
                    description=v["description"],
                    reporter=audit.user_name(v["wasAttributedTo"]),
                    received=datetime.fromisoformat(v["receivedAt"]),
                )
                for v in _subjects(self.store, "MisuseReport")
            ),
            key=lambda m: (m.received, m.id),
        )


# -- the report -------------------------------------------------------------------------------------------------


def region_matches(region: str | None, wanted: str) -> bool:
    """Whether division ``region`` lies in ``wanted`` (GB/T 2260 prefixes; ``100000`` is the whole country)."""
    if wanted == "100000":
        return True
    if region is None:
        return False
    prefix = wanted
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return region.startswith(prefix)


@dataclass
class DepartmentFigures:
    department: str
    name: str = ""
    region: str | None = None
    figures: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _, _ in FIGURES})
    overdue_changes: list[str] = field(default_factory=list)

    @property
    def issues(self) -> int:
        return sum(self.figures[key] for key in ISSUE_FIGURES)

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "name": self.name,
            "region": self.region,
            **self.figures,
            "issues": self.issues,
            "overdueChanges": self.overdue_changes,
        }


def compliance_report(
    store: CatalogStore,
    start: date,
    end: date,
    *,
    region: str | None = None,
    department: str | None = None,
    now: datetime | None = None,
    calendar: WorkingDayCalendar = CALENDAR,
) -> dict[str, Any]:
    """The figures per department and per region for the period [start, end] (Beijing days, both included).

    State-like figures (stale entries, overdue changes and requests, open feedback) are judged as of the end of
    the period, or now if that is earlier; events (changes, requests, feedback, misuse) count when they fall in
    the period.
    """
    if end < start:
        raise ComplianceError(422, "结束日期早于开始日期", "the period ends before it starts")
    now = _now(now)
    as_of = min(end, china_date(now))
    as_of_moment = min(datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=CHINA_TIME), now)
    service = ComplianceService(store, calendar=calendar)
    entries = catalog_entries(store)
    names = department_names(store)
    departments: dict[str, DepartmentFigures] = {}

    def dept(code: str, region_hint: str | None = None) -> DepartmentFigures:
        if code not in departments:
            departments[code] = DepartmentFigures(code, names.get(code, ""), region_hint)
        elif departments[code].region is None:
            departments[code].region = region_hint
        return departments[code]

    dupes = duplicates(entries)
    last_change: dict[str, date] = {}
    for entry in entries.values():
        d = dept(entry.department, entry.region)
        d.figures["entries"] += 1
        if is_stale(entry, as_of):
            d.figures["stale_entries"] += 1
        if entry.sharing in ("1", "2") and not entry.provided:
            d.figures["shared_not_provided"] += 1
        if entry.dataset in dupes:
            d.figures["duplicate_collection"] += 1
        if entry.modified is not None:
            day = china_date(entry.modified)
            last_change[entry.department] = max(last_change.get(entry.department, day), day)
    for notice in service.changes():
        if not start <= notice.effective <= end:
            continue
        d = dept(notice.department, notice.region)
        d.figures["changes"] += 1
        updated = last_change.get(notice.department)
        if (updated is None or updated < notice.effective) and as_of > notice.deadline:
            d.figures["changes_overdue"] += 1
            d.overdue_changes.append(notice.id)
    for request in RequestService(store, calendar=calendar).list():
        received = china_date(request.received)
        if not start <= received <= end:
            continue
        d = dept(request.provider_department, request.provider_region)
        d.figures["requests_received"] += 1
        answered = request.answered is not None and request.answered <= as_of_moment
        if not answered and as_of > request.deadline:
            d.figures["requests_not_accepted"] += 1
        if request.answered is not None and request.answered <= as_of_moment and request.late:
            d.figures["requests_answered_late"] += 1
        if request.status == Status.REFUSED and not (request.reason or "").strip():
            d.figures["refusals_without_reason"] += 1
    for item in service.feedback():
        d = dept(item.department)
        if start <= china_date(item.received) <= end:
            d.figures["feedback_received"] += 1
        if item.open_at(as_of_moment):
            d.figures["feedback_open"] += 1
    for report in service.misuse():
        if start <= china_date(report.received) <= end:
            dept(report.department).figures["misuse_reports"] += 1
    for d in departments.values():  # a department told to update its catalog that has none
        if d.figures["entries"] == 0 and d.figures["changes"] > 0:
            d.figures["catalog_missing"] = 1
    rows = [
        d
        for d in departments.values()
        if (department is None or d.department == department) and (region is None or region_matches(d.region, region))
    ]
    rows.sort(key=lambda d: (d.region or "", d.department))
    regions: dict[str, dict[str, int]] = {}
    for d in rows:
        bucket = regions.setdefault(d.region or "", {key: 0 for key, _, _ in FIGURES} | {"departments": 0, "issues": 0})
        bucket["departments"] += 1
        bucket["issues"] += d.issues
        for key, _, _ in FIGURES:
            bucket[key] += d.figures[key]
    totals = {key: sum(d.figures[key] for d in rows) for key, _, _ in FIGURES}
    totals["issues"] = sum(d.issues for d in rows)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "asOf": as_of.isoformat(),
        "region": region,
        "department": department,
        "calendarOfficial": all(calendar.covered(y) for y in range(start.year, end.year + 1)),
        "figures": [{"key": k, "label": {"zh": zh, "en": en}, "issue": k in ISSUE_FIGURES} for k, zh, en in FIGURES],
        "departments": [d.to_dict() for d in rows],
        "regions": [{"region": r, **v} for r, v in sorted(regions.items())],
        "totals": totals,
    }


def annual_report(store: CatalogStore, year: int, **kwargs: Any) -> dict[str, Any]:
    """The annual sharing report of ``year``: the same figures over the year, due by the end of next January."""
    report = compliance_report(store, date(year, 1, 1), date(year, 12, 31), **kwargs)
    report["year"] = year
    report["due"] = date(year + 1, 1, 31).isoformat()
    return report


# -- downloads ---------------------------------------------------------------------------------------------------

_COLUMNS = [("department", "部门代码", "department"), ("name", "部门名称", "name"), ("region", "行政区划", "region")]


def _table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = (
        [f"{zh} / {en}" for _, zh, en in _COLUMNS] + [f"{zh} / {en}" for _, zh, en in FIGURES] + ["问题合计 / issues"]
    )
    rows = [
        [d["department"], d["name"], d["region"] or ""] + [d[key] for key, _, _ in FIGURES] + [d["issues"]]
        for d in report["departments"]
    ]
    rows.append(
        ["合计 / total", "", report["region"] or ""]
        + [report["totals"][k] for k, _, _ in FIGURES]
        + [report["totals"]["issues"]]
    )
    return header, rows


def to_csv(report: dict[str, Any]) -> str:
    """The per-department table as CSV (UTF-8, with a header row and a totals row)."""
    header, rows = _table(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(report: dict[str, Any]) -> bytes:
    """The report as an XLSX workbook: sheet 部门 (departments, as the CSV) and sheet 地区 (regions)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "部门"
    header, rows = _table(report)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    regions = book.create_sheet("地区")
    regions.append(
        ["行政区划 / region", "部门数 / departments"]
        + [f"{zh} / {en}" for _, zh, en in FIGURES]
        + ["问题合计 / issues"]
    )
    for r in report["regions"]:
        regions.append([r["region"], r["departments"]] + [r[k] for k, _, _ in FIGURES] + [r["issues"]])
    info = book.create_sheet("说明")
    for key in ("from", "to", "asOf", "region", "department", "year", "due"):
        if report.get(key) is not None:
            info.append([key, str(report[key])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
