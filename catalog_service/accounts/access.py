"""Who is making this request, and the decorators that let a view through or refuse it.

A request is made by the user of its ``Authorization: Bearer`` token, else by the user of its signed-in
session, else by the anonymous public (``None``). A request with a bearer token ignores the session cookie.

Usage in a feature's views::

    @blueprint.post("/api/requests/<id>/answer")
    @require_role("manager", "admin")  # 401 when not signed in, 403 for any other role
    def answer(id): user = current_user(); ...

Roles are listed explicitly: ``require_role("manager")`` does not admit an administrator. A view may also
``raise AccessDenied(403, zh, en)`` itself, e.g. when a catalog manager edits another department's entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request, session

from catalog_service.accounts.models import Role, User
from catalog_service.accounts.sessions import session_credentials
from catalog_service.accounts.store import Accounts

ACCOUNTS_KEY = "gov_catalog.accounts"
View = TypeVar("View", bound=Callable[..., Any])
_ANONYMOUS = object()


class AccessDenied(Exception):
    """A refused request: 401 (who are you?), 403 (not you) or 400 (malformed, e.g. no CSRF token).

    Answered as JSON ``{"error": {"status", "zh", "en"}}`` for the API and as a page for browsers.
    """

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


def current_accounts() -> Accounts:
    """The accounts of the application handling the current request."""
    return current_app.extensions[ACCOUNTS_KEY]


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header (possibly empty), or ``None`` without one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def current_user() -> User | None:
    """The user making this request, or ``None`` for the public; looked up once per request."""
    found = g.get("accounts_user", _ANONYMOUS)
    if found is _ANONYMOUS:
        found = g.accounts_user = _find_user()
    return found


def _find_user() -> User | None:
    accounts = current_accounts()
    token = bearer_token()
    if token is not None:
        return accounts.user_for_token(token)
    credentials = session_credentials()
    if credentials is None:
        return None
    user = accounts.user_for_session(*credentials)
    if user is None:  # disabled, deleted or password changed since: the session ends here
        session.pop("login", None)
        session.pop("stamp", None)
    return user


def require_role(*roles: Role | str) -> Callable[[View], View]:
    """Let through signed-in users with one of ``roles``; 401 for the public, 403 for other roles."""
    allowed = tuple(Role(role) for role in roles)
    names_zh = "、".join(role.label_zh for role in allowed)
    names_en = ", ".join(role.label_en for role in allowed)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise AccessDenied(401, "请先登录", "please sign in")
            if user.role not in allowed:
                raise AccessDenied(
                    403,
                    f"此操作仅限{names_zh}；您的角色是{user.role.label_zh}",
                    f"only for: {names_en}; your role is {user.role.label_en}",
                )
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def login_required(view: View) -> View:
    """Let through any signed-in user (by session or token); 401 for the public."""
    return require_role(*Role)(view)


def csrf_exempt(view: View) -> View:
    """Mark a POST view that changes nothing (such as a SPARQL query) as needing no CSRF token."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view
