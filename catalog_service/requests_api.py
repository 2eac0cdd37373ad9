"""Conditional-sharing requests over HTTP: the JSON API and the pages, on :class:`RequestService`.

The signed-in user (session or bearer token, :func:`current_user`) becomes the service's :class:`Actor`:
admin → administrator (of its region), manager → catalog manager, requester → requester; the department is
the user's unified social credit code. The service refuses what the rules forbid; this module decides who
may *see* a request: its requesting department, its providing department, and the administrator of the
provider's division.

API (JSON bodies or form fields; errors are ``{"error": {"status", "zh", "en"}}`` with 401/403/404/409/422):

* ``POST /api/requests`` (requester): ``dataset`` (信息资源代码 or IRI), ``purpose`` (use-purpose notation,
  label or IRI), ``scope``, ``basis`` → 201 ``{"request": …}``
* ``GET /api/requests``: the requests the caller may see; ``GET /api/requests/<id>``
* ``POST /api/requests/<id>/approve`` (manager of the provider): ``conditions`` (list, or lines of text)
* ``POST /api/requests/<id>/refuse`` (manager of the provider): ``reason``
* ``POST /api/requests/<id>/settle`` (administrator of the provider's division): ``decision``
  (``approve``/``refuse``), ``reason``, ``conditions`` when approving

Every request in an answer carries its deadline, whether the deadline was counted on the official calendar
(``deadline_basis``: ``official`` or ``estimated``, with ``deadline_note`` saying so), ``overdue`` and
``escalation``.

Pages: ``/requests`` (mine, to answer, to settle), ``/requests/new?dataset=…``, ``/requests/<id>`` with the
answer forms. Their POSTs carry the session's CSRF token (checked for every session POST by
:mod:`catalog_service.accounts.web`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for

from catalog_service import namespaces as ns
from catalog_service.accounts.access import AccessDenied, current_user, login_required, require_role
from catalog_service.accounts.models import Role as UserRole
from catalog_service.accounts.models import User
from catalog_service.app import current_store
from catalog_service.governance.calendar import ESTIMATE_NOTE
from catalog_service.governance.requests import (
    Actor,
    GovernanceError,
    RequestInvalid,
    RequestService,
    Role,
    SharingRequest,
    Status,
)
from catalog_service.vocabulary import CodeLists

blueprint = Blueprint("sharing_requests", __name__)

ROLES = {UserRole.ADMIN: Role.ADMINISTRATOR, UserRole.MANAGER: Role.CATALOG_MANAGER, UserRole.REQUESTER: Role.REQUESTER}
"""The account role of a signed-in user → the role the sharing rules give it."""


# -- mapping --------------------------------------------------------------------------------------


def actor_for(user: User) -> Actor:
    """The service's actor for a signed-in user."""
    return Actor(user.login, user.department_code or None, ROLES[user.role], region=user.region or None)


def may_see(user: User, item: SharingRequest) -> bool:
    """Whether ``user`` may read ``item``: its two departments and the administrator of the provider's division."""
    if user.role == UserRole.ADMIN:
        return item.provider_region == user.region
    return user.department_code in (item.requester_department, item.provider_department)


def visible(user: User, service: RequestService) -> list[SharingRequest]:
    """The requests a user is shown: requesters their department's, managers the incoming, admins their division's."""
    if user.role == UserRole.REQUESTER:
        return service.list(requester_department=user.department_code)
    if user.role == UserRole.MANAGER:
        return service.list(provider_department=user.department_code)
    return [item for item in service.list() if item.provider_region == user.region]


def can_answer(user: User, item: SharingRequest) -> bool:
    return (
        user.role == UserRole.MANAGER
        and user.department_code == item.provider_department
        and item.status in (Status.SUBMITTED, Status.NEGOTIATING)
    )


def can_refuse(user: User, item: SharingRequest) -> bool:
    return can_answer(user, item) and item.status == Status.SUBMITTED


def can_settle(user: User, item: SharingRequest) -> bool:
    return (
        user.role == UserRole.ADMIN
        and user.region == item.provider_region
        and (item.status == Status.NEGOTIATING or (item.status == Status.SUBMITTED and item.escalation is not None))
    )


def dataset_iri(value: str) -> str:
    """A dataset named by its 信息资源代码 (``3010004/000319``) or by its IRI."""
    value = (value or "").strip()
    if not value:
        raise RequestInvalid("须指明申请的信息资源", "the requested dataset is required")
    return value if value.startswith(("http://", "https://")) else ns.resource(value)


def dataset_identifier(iri: str) -> str:
    prefix = ns.resource("")
    return iri.removeprefix(prefix) if iri.startswith(prefix) else iri


def request_json(item: SharingRequest, now: datetime | None = None) -> dict[str, Any]:
    """A request as the API answers it: the service's view plus deadline basis, note, overdue and labels."""
    now = now or datetime.now(UTC)
    codes = CodeLists.default()
    out = item.as_dict()
    out.update(
        dataset_identifier=dataset_identifier(item.dataset),
        status_label=item.status.label,
        purpose_label={lang: codes.label(item.purpose, lang) or codes.label(item.purpose) for lang in ("zh", "en")},
        deadline_basis="official" if item.deadline_official else "estimated",
        deadline_note=None if item.deadline_official else dict(ESTIMATE_NOTE),
        overdue=item.overdue(now),
    )
    return out


def purposes(lang: str) -> list[dict[str, str]]:
    """The use-purpose code list, for the form's choice."""
    codes = CodeLists.default()
    return [
        {"iri": iri, "notation": codes.notation(iri) or iri, "label": codes.label(iri, lang) or codes.label(iri) or iri}
        for iri in sorted(codes.members("use-purpose"))
    ]


# -- request bodies -------------------------------------------------------------------------------


def _body() -> Mapping[str, Any]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise RequestInvalid("请求体须为 JSON 对象", "the body must be a JSON object")
        return body
    form = request.form
    return {key: (form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key)) for key in form}


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        if len(value) != 1 or not isinstance(value[0], str):
            raise RequestInvalid(f"字段 {key} 须为一个文本", f"{key} must be one text")
        value = value[0]
    if not isinstance(value, str):
        raise RequestInvalid(f"字段 {key} 须为文本", f"{key} must be a text")
    return value


def _conditions(body: Mapping[str, Any]) -> list[str]:
    value = body.get("conditions", body.get("condition"))
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [line for v in value for line in v.splitlines()]
    raise RequestInvalid("使用条件须为文本或文本列表", "conditions must be a text or a list of texts")


def _decision(body: Mapping[str, Any]) -> bool:
    value = body.get("decision", body.get("approve"))
    if value in (True, "approve", "approved", "true"):
        return True
    if value in (False, "refuse", "refused", "false"):
        return False
    raise RequestInvalid("须选择同意或拒绝（decision: approve/refuse）", "decision must be approve or refuse")


def _user() -> User:
    user = current_user()
    if user is None:  # only behind require_role; kept as a guard
        raise AccessDenied(401, "请先登录", "please sign in")
    return user


def _service() -> RequestService:
    return RequestService(current_store())


def _visible_request(user: User, request_id: str) -> SharingRequest:
    item = _service().get(request_id)
    if not may_see(user, item):
        raise AccessDenied(403, "无权查看该共享申请", "you may not see this sharing request")
    return item


# -- actions shared by API and pages --------------------------------------------------------------


def _submit(user: User, body: Mapping[str, Any]) -> SharingRequest:
    dataset = dataset_iri(_text(body, "dataset"))
    return _service().submit(
        actor_for(user),
        dataset,
        purpose=_text(body, "purpose"),
        scope=_text(body, "scope"),
        basis=_text(body, "basis"),
    )


def _act(user: User, request_id: str, action: str, body: Mapping[str, Any]) -> SharingRequest:
    service, actor = _service(), actor_for(user)
    if action == "approve":
        return service.approve(actor, request_id, conditions=_conditions(body))
    if action == "refuse":
        return service.refuse(actor, request_id, reason=_text(body, "reason"))
    item = service.get(request_id)
    if not may_see(user, item):
        raise AccessDenied(403, "无权协调该共享申请", "you may not settle this sharing request")
    return service.settle(
        actor, request_id, approve=_decision(body), reason=_text(body, "reason"), conditions=_conditions(body)
    )


# -- JSON API -------------------------------------------------------------------------------------


def _error_json(error: GovernanceError) -> tuple[Response, int]:
    return jsonify(error={"status": error.status, "zh": error.message_zh, "en": error.message_en}), error.status


@blueprint.post("/api/requests")
@require_role("requester")
def api_submit() -> tuple[Response, int]:
    """Apply for a 有条件共享 resource (or open a negotiation for a 不予共享 one): dataset, purpose, scope, basis."""
    try:
        item = _submit(_user(), _body())
    except GovernanceError as error:
        return _error_json(error)
    response = jsonify(request=request_json(item))
    response.headers["Location"] = url_for(".api_get", request_id=item.id)
    return response, 201


@blueprint.get("/api/requests")
@login_required
def api_list() -> Response:
    """The sharing requests the caller may see, oldest first."""
    now = datetime.now(UTC)
    return jsonify(requests=[request_json(item, now) for item in visible(_user(), _service())])


@blueprint.get("/api/requests/<request_id>")
@login_required
def api_get(request_id: str) -> Response | tuple[Response, int]:
    """One sharing request."""
    try:
        item = _visible_request(_user(), request_id)
    except GovernanceError as error:
        return _error_json(error)
    return jsonify(request=request_json(item))


def _api_action(request_id: str, action: str) -> Response | tuple[Response, int]:
    try:
        item = _act(_user(), request_id, action, _body())
    except GovernanceError as error:
        return _error_json(error)
    return jsonify(request=request_json(item))


@blueprint.post("/api/requests/<request_id>/approve")
@require_role("manager")
def api_approve(request_id: str) -> Response | tuple[Response, int]:
    """The provider approves, stating the usage conditions (``conditions``)."""
    return _api_action(request_id, "approve")


@blueprint.post("/api/requests/<request_id>/refuse")
@require_role("manager")
def api_refuse(request_id: str) -> Response | tuple[Response, int]:
    """The provider refuses, giving a ``reason``."""
    return _api_action(request_id, "refuse")


@blueprint.post("/api/requests/<request_id>/settle")
@require_role("admin")
def api_settle(request_id: str) -> Response | tuple[Response, int]:
    """The administrator of the provider's division settles a negotiation or an escalated request."""
    return _api_action(request_id, "settle")


# -- pages ----------------------------------------------------------------------------------------


def _message(error: GovernanceError) -> str:
    from catalog_service.web import page_language

    return error.message_en if page_language() == "en" else error.message_zh


def _error_page(error: GovernanceError) -> tuple[str, int]:
    from catalog_service.web import error_page

    return error_page(error.status, error.message_zh, error.message_en)


@blueprint.get("/requests")
@login_required
def list_page() -> tuple[str, int]:
    """My requests, those to answer, those to settle."""
    from catalog_service.web import render

    user, now = _user(), datetime.now(UTC)
    items = [request_json(item, now) for item in visible(_user(), _service())]
    open_states = ("submitted", "negotiating")
    sections = []
    if user.role == UserRole.REQUESTER:
        sections.append(("requests.mine", items))
    elif user.role == UserRole.MANAGER:
        sections.append(("requests.to_answer", [i for i in items if i["status"] in open_states]))
        sections.append(("requests.answered", [i for i in items if i["status"] not in open_states]))
    else:
        settle = [i for i in items if i["status"] == "negotiating" or (i["status"] == "submitted" and i["escalation"])]
        sections.append(("requests.to_settle", settle))
        sections.append(("requests.all_region", items))
    return render("requests/list.html", sections=sections, user=user)


def _new_form(status: int = 200, *, error: str | None = None, values: Mapping[str, Any] | None = None):
    from catalog_service.web import page_language, render

    values = dict(values or {})
    values.setdefault("dataset", request.args.get("dataset", ""))
    return render("requests/new.html", status, purposes=purposes(page_language()), values=values, error=error)


@blueprint.get("/requests/new")
@require_role("requester")
def new_page() -> tuple[str, int]:
    """The application form for ``?dataset=<信息资源代码>``."""
    return _new_form()


@blueprint.post("/requests/new")
@require_role("requester")
def new_submit() -> Response | tuple[str, int]:
    body = _body()
    try:
        item = _submit(_user(), body)
    except GovernanceError as error:
        return _new_form(error.status, error=_message(error), values=body)
    return redirect(url_for(".detail_page", request_id=item.id), 303)


def _detail(item: SharingRequest, status: int = 200, *, error: str | None = None):
    from catalog_service.web import render

    user = _user()
    return render(
        "requests/detail.html",
        status,
        item=request_json(item),
        error=error,
        can_answer=can_answer(user, item),
        can_refuse=can_refuse(user, item),
        can_settle=can_settle(user, item),
    )


@blueprint.get("/requests/<request_id>")
@login_required
def detail_page(request_id: str) -> tuple[str, int]:
    """A request, its deadline, and the forms to answer or settle it when the user may."""
    try:
        item = _visible_request(_user(), request_id)
    except GovernanceError as error:
        return _error_page(error)
    return _detail(item)


@blueprint.post("/requests/<request_id>/<any(approve, refuse, settle):action>")
@login_required
def answer_page(request_id: str, action: str) -> Response | tuple[str, int]:
    user = _user()
    try:
        item = _visible_request(user, request_id)
    except GovernanceError as error:
        return _error_page(error)
    try:
        _act(user, request_id, action, _body())
    except GovernanceError as error:
        return _detail(item, error.status, error=_message(error))
    return redirect(url_for(".detail_page", request_id=item.id), 303)
