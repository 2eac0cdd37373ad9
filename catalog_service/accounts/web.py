"""Sign-in pages and the token API, plus the request checks every feature relies on.

Registering :data:`blueprint` sets up the whole of access control for the application:

* it opens the node's :class:`Accounts` and configures the session cookie (HttpOnly, SameSite=Lax, Secure
  when ``session_cookie_secure``, lifetime ``session_hours``);
* before every request, a bearer token that is not active (unknown, expired, revoked, owner disabled) is
  refused with 401 (429 once its address sent too many unknown tokens, :mod:`.throttle`), and an unsafe
  request (POST, PUT, PATCH, DELETE) of a signed-in browser session, or any sign-in attempt, must carry the
  session's CSRF token (field ``csrf_token`` or header ``X-CSRF-Token``) unless its view is marked
  :func:`csrf_exempt`. Bearer-token requests need none: browsers never add that header by themselves, so
  another site cannot make them send it;
* :class:`AccessDenied` anywhere becomes a JSON error for the API (and token clients) and, for pages, a
  redirect to ``/login`` (401) or a page saying why (400, 403, 429 — with ``Retry-After``);
* templates get ``current_user()`` and ``csrf_token()``.

Failed sign-ins are counted per login and per client address; past the limits the form answers 429 with
``Retry-After`` before checking the password (:mod:`catalog_service.accounts.throttle`).

Routes: ``GET/POST /login``, ``POST /logout``, ``GET/POST /api/tokens``, ``DELETE /api/tokens/<id>``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, make_response, redirect, request, url_for
from flask.sansio.blueprints import BlueprintSetupState

from catalog_service.accounts.access import (
    ACCOUNTS_KEY,
    AccessDenied,
    bearer_token,
    current_accounts,
    current_user,
    login_required,
)
from catalog_service.accounts.models import AccountError, User
from catalog_service.accounts.sessions import csrf_problem, csrf_token, session_credentials, sign_in, sign_out
from catalog_service.accounts.store import Accounts
from catalog_service.accounts.throttle import Throttle, TooManyFailures

blueprint = Blueprint("accounts", __name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SESSION_COOKIE = "gov_catalog_session"
THROTTLE_KEY = "gov_catalog.throttle"
logger = logging.getLogger(__name__)

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"zh": "登录", "en": "Sign in"},
    "login": {"zh": "登录名", "en": "Login name"},
    "password": {"zh": "密码", "en": "Password"},
    "submit": {"zh": "登录", "en": "Sign in"},
    "logout": {"zh": "退出登录", "en": "Sign out"},
    "signed_in_as": {"zh": "当前登录：", "en": "Signed in as"},
    "intro": {
        "zh": "政府部门工作人员登录后可查看全部目录（含不予共享的条目）并办理共享申请。公众无需登录。",
        "en": "Government staff sign in to see every catalog entry (不予共享 entries included) and to handle "
        "sharing requests. The public needs no account.",
    },
    "failed": {"zh": "登录名或密码错误。", "en": "Wrong login name or password."},
    "denied.400": {"zh": "请求有误", "en": "Bad request"},
    "denied.403": {"zh": "无权访问", "en": "Forbidden"},
    "denied.429": {"zh": "尝试过于频繁", "en": "Too many attempts"},
}


@blueprint.record_once
def _set_up(state: BlueprintSetupState) -> None:
    app = state.app
    config = app.config["GOV_CATALOG"]
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
    )
    app.extensions[ACCOUNTS_KEY] = Accounts.open(config.data_dir)
    app.extensions[THROTTLE_KEY] = Throttle(app.extensions[ACCOUNTS_KEY])


def current_throttle() -> Throttle:
    """The sign-in and token limits of the application handling the current request."""
    return current_app.extensions[THROTTLE_KEY]


@blueprint.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"current_user": current_user, "csrf_token": csrf_token}


# -- checks on every request ------------------------------------------------------------------------


@blueprint.before_app_request
def _refuse_inactive_token() -> None:
    """A client presenting a token that no longer works should hear so, not silently become the public.

    A valid token always passes; an address that sent too many tokens never issued here is told to wait.
    """
    token = bearer_token()
    if token is None or current_user() is not None:
        return
    throttle = current_throttle()
    throttle.check_token(request.remote_addr)
    if not current_accounts().token_exists(token):
        throttle.unknown_token(request.remote_addr)
    raise AccessDenied(401, "令牌无效、已过期或已撤销", "the token is invalid, expired or revoked")


@blueprint.before_app_request
def _check_csrf() -> None:
    if request.method in SAFE_METHODS or bearer_token() is not None or request.url_rule is None:
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), "csrf_exempt", False):
        return
    # Signing in is checked too: otherwise another site could sign a visitor in to an account of its choosing.
    if session_credentials() is None and request.endpoint != "accounts.login_submit":
        return
    problem = csrf_problem()
    if problem is not None:
        raise AccessDenied(*problem)


@blueprint.app_errorhandler(AccessDenied)
def _denied(error: AccessDenied) -> Response:
    if _wants_json():
        response = jsonify(error={"status": error.status, "zh": error.zh, "en": error.en})
        response.status_code = error.status
        if error.status == 401:
            challenge = 'Bearer realm="gov-catalog"'
            if bearer_token() is not None:
                challenge += ', error="invalid_token"'
            response.headers["WWW-Authenticate"] = challenge
    elif error.status == 401:
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=target))
    else:
        response = make_response(_page(error.status, message={"zh": error.zh, "en": error.en}))
    if isinstance(error, TooManyFailures):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@blueprint.errorhandler(AccountError)
def _account_error(error: AccountError) -> tuple[Response, int]:
    return jsonify(error={"status": error.status, "zh": error.zh, "en": error.en}), error.status


def _wants_json() -> bool:
    if request.path.startswith("/api/") or bearer_token() is not None:
        return True
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


# -- sign-in pages ----------------------------------------------------------------------------------


@blueprint.get("/login")
def login() -> tuple[str, int]:
    """The sign-in form; ``?next=`` is where to go afterwards (a path on this site)."""
    return _page(200, next_url=_safe_next(request.args.get("next")))


@blueprint.post("/login")
def login_submit() -> Response | tuple[str, int]:
    name, address = request.form.get("login", ""), request.remote_addr
    throttle = current_throttle()
    try:
        throttle.check_sign_in(name, address)
    except TooManyFailures:
        logger.warning("refused sign-in as %r from %s: too many failures", name[:64], address)
        raise
    user = current_accounts().authenticate(name, request.form.get("password", ""))
    stamp = None if user is None else current_accounts().session_stamp(user.login)
    if user is None or stamp is None:
        throttle.sign_in_failed(name, address)
        logger.warning("failed sign-in as %r from %s", name[:64], address)
        return _page(401, message=MESSAGES["failed"], login=name, next_url=_safe_next(request.form.get("next")))
    throttle.signed_in(user.login)
    sign_in(user, stamp)
    logger.info("%s signed in from %s", user.login, request.remote_addr)
    return redirect(_safe_next(request.form.get("next")) or "/")


@blueprint.post("/logout")
def logout() -> Response:
    sign_out()
    return redirect("/")


def _page(status: int, *, message: dict[str, str] | None = None, **context: Any) -> tuple[str, int]:
    """The sign-in page, also used to explain a refusal (400, 403) with the form to sign in as someone else."""
    from catalog_service.web import page_language, render

    lang = page_language()
    texts = {key: value[lang] for key, value in MESSAGES.items()}
    heading = texts["title"] if status in (200, 401) else f"{status} · {texts.get(f'denied.{status}', '')}"
    user = current_user()
    return render(
        "login.html",
        status,
        m=texts,
        heading=heading,
        message=None if message is None else message[lang],
        user=user,
        role_label=None if user is None else (user.role.label_en if lang == "en" else user.role.label_zh),
        login=context.get("login", ""),
        next_url=context.get("next_url") or "",
    )


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site; anything else could send a user who just signed in elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


# -- API tokens -------------------------------------------------------------------------------------


@blueprint.get("/api/tokens")
@login_required
def list_tokens() -> Response:
    """The caller's tokens, revoked and expired ones included (never their plaintext)."""
    user = _user()
    now = datetime.now(UTC)
    return jsonify(user=user.to_json(), tokens=[t.to_json(now) for t in current_accounts().list_tokens(user.login)])


@blueprint.post("/api/tokens")
@login_required
def create_token() -> tuple[Response, int]:
    """Create a token for the signed-in person; the answer holds the plaintext, shown this once.

    Body (JSON or form): ``role`` (default the caller's; not above it) and ``days`` (default 90). A token
    cannot create tokens, so a leaked one cannot be used to make a longer-lived or undetected copy.
    """
    if bearer_token() is not None:
        raise AccessDenied(
            403,
            "API 令牌不能创建令牌，请在浏览器中登录后创建",
            "an API token cannot create tokens: sign in with a browser to make one",
        )
    body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(body, dict):
        raise AccountError(422, "请求体须为 JSON 对象", "the body must be a JSON object")
    days = body.get("days", 90)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise AccountError(422, f"有效天数 {days!r} 不是整数", f"days {days!r} is not a whole number") from None
    token, info = current_accounts().create_token(_user().login, role=body.get("role") or None, expires_in_days=days)
    now = datetime.now(UTC)
    _audit("create-token", info.id, None, info.to_json(now), now)
    response = jsonify(
        token=token,
        info=info.to_json(now),
        notice={"zh": "令牌只显示这一次，请妥善保存。", "en": "The token is shown only this once: keep it safe."},
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 201


@blueprint.delete("/api/tokens/<token_id>")
@login_required
def revoke_token(token_id: str) -> Response:
    """Revoke one of the caller's tokens, named by id or prefix; someone else's is 404."""
    info = current_accounts().revoke_token(token_id, owner=_user().login)
    now = datetime.now(UTC)
    after = info.to_json(now)
    _audit("revoke-token", info.id, {**after, "revoked": None}, after, now)
    return jsonify(token=after)


def _audit(action: str, token_id: str, before: dict[str, Any] | None, after: dict[str, Any], at: datetime) -> None:
    """Put a token's creation or revocation in the audit trail: token writes are writes like any other."""
    from catalog_service import namespaces as ns
    from catalog_service.app import current_store
    from catalog_service.governance.audit import record

    target = f"{ns.BASE}token/{token_id}"
    record(current_store(), actor=_user().login, action=action, target=target, before=before, after=after, at=at)


def _user() -> User:
    user = current_user()
    assert user is not None, "only called behind login_required"
    return user
