"""Browser sessions: the key that signs them, signing in and out, and the CSRF token of each session.

Sessions are Flask's signed cookies. The cookie holds the login, a stamp that must still match the account's
(:meth:`Accounts.session_stamp`: a password change or disabling ends every session) and the CSRF token; a
cookie signed with any other key is ignored by Flask, so a forged one is simply an anonymous visitor.

The signing key is ``GOV_CATALOG_SECRET_KEY`` if set, else read from ``secret_key_file`` (default
``{data_dir}/secret_key``), which is created on first start with permissions 0600. Every process serving the
same node must use the same key, or they will not accept each other's sessions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import request, session

from catalog_service.accounts.models import User
from catalog_service.config import Config, ConfigError

SECRET_KEY_ENV = "GOV_CATALOG_SECRET_KEY"
SECRET_KEY_FILE = "secret_key"
MIN_KEY_LENGTH = 32
CSRF_FIELD = "csrf_token"
"""Name of the hidden form field carrying the CSRF token."""
CSRF_HEADER = "X-CSRF-Token"
"""Header carrying the CSRF token, for scripts of our own pages that send JSON with the session cookie."""
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

logger = logging.getLogger(__name__)


def load_secret_key(config: Config) -> str:
    """The key signing session cookies: from the environment, else from its file, created if missing."""
    key = os.environ.get(SECRET_KEY_ENV, "").strip()
    if key:
        if len(key) < MIN_KEY_LENGTH:
            raise ConfigError(f"{SECRET_KEY_ENV} must have at least {MIN_KEY_LENGTH} characters")
        return key
    path = Path(config.secret_key_file) if config.secret_key_file else Path(config.data_dir) / SECRET_KEY_FILE
    if not path.exists():
        _create_key_file(path)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"{path}: the secret key is shorter than {MIN_KEY_LENGTH} characters")
    if path.stat().st_mode & 0o077:
        logger.warning("%s can be read by other users; it should have permissions 0600", path)
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key where no process sees it half-written, and never replace one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # created 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made the key first: use theirs
            os.link(draft, path)
    finally:
        os.unlink(draft)


def sign_in(user: User, stamp: str) -> None:
    """Start a session for ``user``: a fresh session with a new CSRF token, so none from before sign-in survives."""
    session.clear()
    session.permanent = True
    session["login"] = user.login
    session["stamp"] = stamp
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """End the session (the cookie is removed)."""
    session.clear()


def session_credentials() -> tuple[str, str] | None:
    """The login and stamp of a signed-in session, or ``None`` for an anonymous one."""
    login, stamp = session.get("login"), session.get("stamp")
    if not isinstance(login, str) or not isinstance(stamp, str):
        return None
    return login, stamp


def csrf_token() -> str:
    """This session's CSRF token, made on first use; put it in every form that POSTs (field ``csrf_token``)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_problem() -> tuple[int, str, str] | None:
    """Why this request's CSRF token is not acceptable (status, zh, en), or ``None`` if it is.

    A missing token is a malformed request (400); a wrong one a refused request (403).
    """
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.mimetype in FORM_TYPES:
        sent = request.form.get(CSRF_FIELD)
    if not sent:
        return (
            400,
            "缺少安全校验令牌（CSRF），请刷新页面后重试",
            "the CSRF token is missing: reload the page and try again",
        )
    expected = session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        return (
            403,
            "安全校验令牌（CSRF）无效，请刷新页面后重试",
            "the CSRF token is wrong: reload the page and try again",
        )
    return None
