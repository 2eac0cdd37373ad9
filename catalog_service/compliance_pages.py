"""The compliance actions as pages, for people: flag an entry, report misuse, answer feedback, record changes.

The JSON API (:mod:`catalog_service.compliance_web`) and these pages call the same actions (``flag_for``,
``answer_for``, ``misuse_for``, ``record_change_for``, ``visible_feedback``), so both refuse the same things
with the same messages. Every POST carries the session's CSRF token (checked by
:mod:`catalog_service.accounts.web`); a refused form is shown again with the reason and the 4xx status.

- ``GET/POST /feedback/new?dataset=…`` (signed-in users): flag an entry as 疑似错误数据; the dataset page
  embeds the same form (``web/_compliance_actions.html``) and a success returns there with a message;
- ``GET/POST /misuse/new?dataset=…`` (signed-in users): report use beyond the approved purpose;
- ``GET /feedback`` (signed-in users): the items ``GET /api/feedback`` gives, open first, with the answer
  form for users of the provider department; ``POST /feedback/<id>/answer`` answers;
- ``GET/POST /compliance/changes`` (administrators): the recorded changes with their update deadlines, and
  the form to record one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for

from catalog_service.accounts.access import AccessDenied, current_user, login_required, require_role
from catalog_service.accounts.models import User
from catalog_service.compliance import CHANGE_KINDS, UPDATE_DAYS, ComplianceError, ComplianceService, Feedback
from catalog_service.compliance_web import (
    answer_for,
    current_store,
    flag_for,
    misuse_for,
    record_change_for,
    visible_feedback,
)
from catalog_service.governance.calendar import ESTIMATE_NOTE
from catalog_service.requests_api import dataset_identifier

blueprint = Blueprint("compliance_pages", __name__)

FLASH = "compliance"
"""The flash category of these pages' success messages (keys of :mod:`catalog_service.i18n`)."""


def _user() -> User:
    user = current_user()
    if user is None:  # only behind login_required / require_role; kept as a guard
        raise AccessDenied(401, "请先登录", "please sign in")
    return user


def _message(error: ComplianceError) -> str:
    from catalog_service.web import page_language

    return error.en if page_language() == "en" else error.zh


def can_answer(user: User, item: Feedback) -> bool:
    """Whether ``user`` gets the answer form: a user of the provider department, while the item is open."""
    return item.answered is None and bool(user.department_code) and user.department_code == item.department


# -- reporting from an entry's page -----------------------------------------------------------------------------


def _report_form(
    kind: str, status: int = 200, *, error: str | None = None, values: Mapping[str, Any] | None = None
) -> tuple[str, int]:
    from catalog_service.web import render

    values = dict(values or {})
    values.setdefault("dataset", request.args.get("dataset", ""))
    return render(f"compliance/{kind}.html", status, values=values, error=error)


def _report(kind: str, action: Callable[[User, Mapping[str, Any]], Any], done: str) -> Response | tuple[str, int]:
    """Run ``action`` on the form; back to the entry's page with the message ``done``, or the form with the error."""
    body = request.form.to_dict()
    try:
        item = action(_user(), body)
    except ComplianceError as error:
        return _report_form(kind, error.status, error=_message(error), values=body)
    flash(done, FLASH)
    target = url_for("web.dataset", identifier=dataset_identifier(item.dataset), _anchor="compliance-actions")
    return redirect(target, 303)


@blueprint.get("/feedback/new")
@login_required
def flag_page() -> tuple[str, int]:
    """The form to flag ``?dataset=<信息资源代码>`` as suspected wrong data."""
    return _report_form("flag")


@blueprint.post("/feedback/new")
@login_required
def flag_submit() -> Response | tuple[str, int]:
    return _report("flag", flag_for, "feedback.flagged")


@blueprint.get("/misuse/new")
@login_required
def misuse_page() -> tuple[str, int]:
    """The form to report that ``?dataset=<信息资源代码>`` is used beyond the approved purpose."""
    return _report_form("misuse")


@blueprint.post("/misuse/new")
@login_required
def misuse_submit() -> Response | tuple[str, int]:
    return _report("misuse", misuse_for, "misuse.reported")


# -- feedback ---------------------------------------------------------------------------------------------------


def _feedback_list(status: int = 200, *, error: str | None = None, failed: str | None = None) -> tuple[str, int]:
    """The list, open items first (oldest first within each); ``failed`` is the item whose answer was refused."""
    from catalog_service.web import render

    user = _user()
    items = visible_feedback(user)
    rows = [
        {
            **item.to_dict(),
            "identifier": dataset_identifier(item.dataset),
            "can_answer": can_answer(user, item),
            "error": error if item.id == failed else None,
        }
        for item in sorted(items, key=lambda i: i.answered is not None)
    ]
    return render("compliance/feedback.html", status, items=rows, error=error if failed is None else None)


@blueprint.get("/feedback")
@login_required
def feedback_page() -> tuple[str, int]:
    """The feedback the user may see, with the answer form where they may answer."""
    return _feedback_list()


@blueprint.post("/feedback/<feedback_id>/answer")
@login_required
def answer_submit(feedback_id: str) -> Response | tuple[str, int]:
    # An unticked checkbox sends nothing: here that means "not corrected", not the API's default of yes.
    body = {**request.form.to_dict(), "corrected": "corrected" in request.form}
    try:
        answer_for(_user(), feedback_id, body)
    except ComplianceError as error:
        known = any(item.id == feedback_id for item in visible_feedback(_user()))
        return _feedback_list(error.status, error=_message(error), failed=feedback_id if known else None)
    flash("feedback.answered_done", FLASH)
    return redirect(url_for(".feedback_page") + f"#feedback-{feedback_id}", 303)


# -- change notices ---------------------------------------------------------------------------------------------


def _changes(
    status: int = 200, *, error: str | None = None, values: Mapping[str, Any] | None = None
) -> tuple[str, int]:
    from catalog_service.web import render

    return render(
        "compliance/changes.html",
        status,
        changes=sorted(ComplianceService(current_store()).changes(), key=lambda c: c.recorded_at, reverse=True),
        kinds=CHANGE_KINDS,
        update_days=UPDATE_DAYS,
        estimate_note=ESTIMATE_NOTE,
        values=values or {},
        error=error,
    )


@blueprint.get("/compliance/changes")
@require_role("admin")
def changes_page() -> tuple[str, int]:
    """The recorded legal and functional changes, newest first, and the form to record one."""
    return _changes()


@blueprint.post("/compliance/changes")
@require_role("admin")
def changes_submit() -> Response | tuple[str, int]:
    body = request.form.to_dict()
    try:
        record_change_for(_user(), body)
    except ComplianceError as error:
        return _changes(error.status, error=_message(error), values=body)
    flash("changes.recorded", FLASH)
    return redirect(url_for(".changes_page"), 303)
