"""Routes of the quality score and the compliance report: JSON, CSV and XLSX, and the administrators' page.

- ``GET /api/quality``: per department and per catalog, mean score, ratings and histogram;
  ``GET /api/quality/datasets/<identifier>``: one entry's score, check by check. The public sees the scores of
  entries open to society only; signed-in users of every entry.
- ``GET /api/compliance?from=&to=&region=&department=&format=json|csv|xlsx`` and
  ``GET /api/compliance/annual?year=&format=`` (administrators);
- ``POST /api/compliance/changes`` (administrators) records a legal or functional change of a department;
  ``GET /api/compliance/changes`` lists them;
- ``POST /api/feedback`` (any signed-in user) flags an entry as suspected wrong, ``POST /api/feedback/<id>/answer``
  (its provider department) answers; ``GET /api/feedback`` lists them;
- ``POST /api/misuse`` (any signed-in user) reports use beyond the approved purpose;
- ``GET /compliance`` (administrators): the report with SVG bar charts and download links.

The write actions and the feedback filter are functions (``flag_for``, ``answer_for``, ``misuse_for``,
``record_change_for``, ``visible_feedback``) that the pages of :mod:`catalog_service.compliance_pages` call too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from catalog_service import namespaces as ns
from catalog_service import quality
from catalog_service.accounts.access import current_user, login_required, require_role
from catalog_service.accounts.models import User
from catalog_service.app import STORE_KEY
from catalog_service.charts import bar_chart
from catalog_service.compliance import (
    FIGURES,
    ISSUE_FIGURES,
    ChangeNotice,
    ComplianceError,
    ComplianceService,
    Feedback,
    Misuse,
    annual_report,
    compliance_report,
    to_csv,
    to_xlsx,
)
from catalog_service.store import CatalogStore

blueprint = Blueprint("compliance", __name__, template_folder="templates")

_PUBLIC_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
SELECT DISTINCT ?d WHERE {
  ?d a dcat:Dataset ; gc:openness ?o
  FILTER(?o IN (<https://w3id.org/gov-catalog/code/openness/1>, <https://w3id.org/gov-catalog/code/openness/2>))
}"""


def current_store() -> CatalogStore:
    """The whole store: these views filter what the public may see themselves (entries open to society)."""
    return current_app.extensions[STORE_KEY]


@blueprint.errorhandler(ComplianceError)
def _error(error: ComplianceError) -> tuple[Response, int]:
    return jsonify({"error": {"status": error.status, "zh": error.zh, "en": error.en}}), error.status


def _fail(status: int, zh: str, en: str) -> ComplianceError:
    return ComplianceError(status, zh, en)


def _visible_datasets() -> list[str] | None:
    """``None`` (every entry) for signed-in users, the entries open to society for the public."""
    if current_user() is not None:
        return None
    return [row["d"].value for row in current_store().query(_PUBLIC_QUERY)]


@blueprint.get("/api/quality")
def quality_summary() -> Response:
    store = current_store()
    scores = quality.score_entries(store, _visible_datasets())
    return jsonify(quality.catalog_summary(store, scores))


@blueprint.get("/api/quality/datasets/<path:identifier>")
def dataset_quality(identifier: str) -> Response:
    dataset = identifier if identifier.startswith(("http://", "https://")) else ns.resource(identifier)
    visible = _visible_datasets()
    if visible is not None and dataset not in visible:
        raise _fail(404, f"目录中没有资源 {identifier}", f"no resource {identifier} in the catalog")
    scores = quality.score_entries(current_store(), [dataset])
    if dataset not in scores:
        raise _fail(404, f"目录中没有资源 {identifier}", f"no resource {identifier} in the catalog")
    return jsonify(scores[dataset].to_dict())


def _date(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(422, f"{name} 须为 YYYY-MM-DD 日期", f"{name} must be a YYYY-MM-DD date") from None


def _period_report() -> dict[str, Any]:
    today = date.today()
    start = _date("from", date(today.year, 1, 1))
    end = _date("to", today)
    return compliance_report(
        current_store(),
        start,
        end,
        region=request.args.get("region") or None,
        department=request.args.get("department") or None,
    )


def _deliver(report: dict[str, Any], stem: str) -> Response:
    fmt = request.args.get("format", "json")
    if fmt == "csv":
        return Response(
            "\ufeff" + to_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            to_xlsx(report),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    if fmt != "json":
        raise _fail(422, "format 须为 json、csv 或 xlsx", "format must be json, csv or xlsx")
    return jsonify(report)


@blueprint.get("/api/compliance")
@require_role("admin")
def compliance_api() -> Response:
    report = _period_report()
    return _deliver(report, f"compliance-{report['from']}-{report['to']}")


@blueprint.get("/api/compliance/annual")
@require_role("admin")
def annual_api() -> Response:
    try:
        year = int(request.args.get("year", date.today().year - 1))
    except ValueError:
        raise _fail(422, "year 须为年份", "year must be a year") from None
    report = annual_report(
        current_store(),
        year,
        region=request.args.get("region") or None,
        department=request.args.get("department") or None,
    )
    return _deliver(report, f"annual-sharing-report-{year}")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        body = request.form.to_dict()
    if not isinstance(body, dict):
        raise _fail(422, "请求体须为 JSON 对象", "the body must be a JSON object")
    return body


# -- actions shared by the API and the pages (catalog_service.compliance_pages) ------------------------------------


def record_change_for(user: User, body: Mapping[str, Any]) -> ChangeNotice:
    """Record the change described by ``body`` (department, kind, description, effective?, region?)."""
    effective = body.get("effective")
    try:
        effective_date = date.fromisoformat(effective) if effective else None
    except (TypeError, ValueError):
        raise _fail(422, "effective 须为 YYYY-MM-DD 日期", "effective must be a YYYY-MM-DD date") from None
    return ComplianceService(current_store()).record_change(
        user.login,
        body.get("department", ""),
        kind=body.get("kind", ""),
        description=body.get("description", ""),
        effective=effective_date,
        region=body.get("region") or None,
    )


def dataset_iri(body: Mapping[str, Any]) -> str:
    """The entry ``body["dataset"]`` names, by its 信息资源代码 or its IRI."""
    dataset = body.get("dataset") or ""
    if not isinstance(dataset, str) or not dataset.strip():
        raise _fail(422, "须指明资源 dataset", "dataset is required")
    dataset = dataset.strip()
    return dataset if dataset.startswith(("http://", "https://")) else ns.resource(dataset)


def flag_for(user: User, body: Mapping[str, Any]) -> Feedback:
    """Flag ``body["dataset"]`` as suspected wrong, with ``body["description"]``."""
    return ComplianceService(current_store()).flag(
        user.login, user.department_code, dataset_iri(body), description=body.get("description", "")
    )


def answer_for(user: User, feedback_id: str, body: Mapping[str, Any]) -> Feedback:
    """Answer a feedback item; ``corrected`` is a boolean or a text (``false``/``0``/``no``/empty mean no)."""
    corrected = body.get("corrected", True)
    if isinstance(corrected, str):
        corrected = corrected.lower() not in ("false", "0", "no", "")
    return ComplianceService(current_store()).answer(
        user.login, user.department_code, feedback_id, answer=body.get("answer", ""), corrected=bool(corrected)
    )


def misuse_for(user: User, body: Mapping[str, Any]) -> Misuse:
    """Report use of ``body["dataset"]`` beyond the approved purpose by ``body["department"]``."""
    return ComplianceService(current_store()).report_misuse(
        user.login, dataset_iri(body), body.get("department", ""), description=body.get("description", "")
    )


def visible_feedback(user: User) -> list[Feedback]:
    """The feedback a user may see: administrators all; others their department's (either side) and their own."""
    items = ComplianceService(current_store()).feedback()
    if user.role == "admin":
        return items
    return [
        i for i in items if user.department_code in (i.department, i.reporter_department) or i.reporter == user.login
    ]


# -- the API -------------------------------------------------------------------------------------------------------


@blueprint.post("/api/compliance/changes")
@require_role("admin")
def record_change() -> tuple[Response, int]:
    return jsonify(record_change_for(current_user(), _body()).to_dict()), 201


@blueprint.get("/api/compliance/changes")
@require_role("admin")
def list_changes() -> Response:
    return jsonify([c.to_dict() for c in ComplianceService(current_store()).changes()])


@blueprint.post("/api/feedback")
@login_required
def flag() -> tuple[Response, int]:
    return jsonify(flag_for(current_user(), _body()).to_dict()), 201


@blueprint.post("/api/feedback/<feedback_id>/answer")
@login_required
def answer(feedback_id: str) -> Response:
    return jsonify(answer_for(current_user(), feedback_id, _body()).to_dict())


@blueprint.get("/api/feedback")
@login_required
def list_feedback() -> Response:
    return jsonify([i.to_dict() for i in visible_feedback(current_user())])


@blueprint.post("/api/misuse")
@login_required
def misuse() -> tuple[Response, int]:
    return jsonify(misuse_for(current_user(), _body()).to_dict()), 201


# -- the page ----------------------------------------------------------------------------------------------------


@blueprint.get("/compliance")
@require_role("admin")
def page() -> tuple[str, int]:
    from catalog_service.web import page_language, render

    report = _period_report()
    lang = page_language()
    issues_chart = bar_chart(
        [
            (d["name"] or d["department"], d["issues"])
            for d in sorted(report["departments"], key=lambda d: -d["issues"])
        ][:20]
    )
    figure_chart = bar_chart(
        [(zh if lang == "zh" else en, report["totals"][key]) for key, zh, en in FIGURES if key in ISSUE_FIGURES]
    )
    scores = quality.score_entries(current_store())
    summary = quality.catalog_summary(current_store(), scores)
    histogram_chart = bar_chart([(f"{b['from']}–{b['to']}", b["count"]) for b in summary["overall"]["histogram"]])
    query = {k: v for k, v in request.args.items() if k in ("from", "to", "region", "department")}
    return render(
        "compliance/report.html",
        report=report,
        figures=FIGURES,
        issue_figures=ISSUE_FIGURES,
        issues_chart=issues_chart,
        figure_chart=figure_chart,
        histogram_chart=histogram_chart,
        quality=summary,
        query=query,
    )
