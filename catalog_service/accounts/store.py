"""User accounts and API tokens in ``{data_dir}/accounts.sqlite``, apart from the catalog store.

Credentials never go into the RDF store: everything there is reachable through SPARQL, and a hash that can be
read can be attacked offline. The SQLite file is created readable by its owner only. Passwords are kept as
scrypt hashes (:mod:`catalog_service.accounts.passwords`), tokens as SHA-256 digests: a token is random and
long, so a fast digest is enough, and a stolen file yields no usable token.

Each operation opens its own connection, so one :class:`Accounts` serves every thread of the web server.

Usage::

    accounts = Accounts.open(config.data_dir)
    accounts.add_user("nanjing-police", "…", role="manager", department_code="11320100155006351N",
                      department_name="南京市公安局", level="市", region="320100")
    token, info = accounts.create_token("nanjing-police", role="requester", expires_in_days=30)
    accounts.user_for_token(token)  # -> User with role requester, until it expires or is revoked
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from catalog_service import uscc
from catalog_service.accounts.models import AccountError, Role, TokenInfo, User
from catalog_service.accounts.passwords import DEFAULT_HASHER, PasswordHasher, verify_password
from catalog_service.vocabulary import CodeLists

FILE_NAME = "accounts.sqlite"
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
"""Lower-case ASCII letters, digits, ``.``, ``_`` and ``-``: logins appear in URLs, logs and the audit trail."""
TOKEN_PREFIX = "gct_"
"""Marks a gov-catalog token, so that a leaked one is recognisable (and secret scanners can look for it)."""
VISIBLE_CHARACTERS = 8
"""Random characters after :data:`TOKEN_PREFIX` kept in clear to identify a token."""
MAX_TOKEN_DAYS = 365
"""A token lives at most a year: a forgotten machine credential should not stay valid for ever."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    login TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    session_stamp TEXT NOT NULL,
    department_code TEXT NOT NULL,
    department_name TEXT NOT NULL,
    level TEXT NOT NULL,
    region TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'requester')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'requester')),
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    revoked TEXT
);
CREATE INDEX IF NOT EXISTS tokens_by_prefix ON tokens (prefix);
CREATE INDEX IF NOT EXISTS tokens_by_owner ON tokens (owner);
CREATE TABLE IF NOT EXISTS failed_attempts (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_attempts_by_key ON failed_attempts (key, at);
CREATE INDEX IF NOT EXISTS failed_attempts_by_time ON failed_attempts (at);
"""


class Accounts:
    """The accounts file of one node. Open it with :meth:`open`."""

    def __init__(self, path: Path, hasher: PasswordHasher) -> None:
        self.path = path
        self.hasher = hasher

    @classmethod
    def open(cls, data_dir: str | Path, *, hasher: PasswordHasher | None = None) -> Accounts:
        """Open (creating if needed) the accounts of the node whose data folder is ``data_dir``.

        ``hasher`` sets the cost of new password hashes; tests pass a cheap one.
        """
        folder = Path(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE_NAME
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        accounts = cls(path, hasher or DEFAULT_HASHER)
        with accounts._connect() as connection:
            connection.executescript(_SCHEMA)
        return accounts

    # -- users ------------------------------------------------------------------------------------

    def add_user(
        self,
        login: str,
        password: str,
        *,
        role: Role | str,
        department_code: str,
        department_name: str,
        level: str,
        region: str,
        display_name: str | None = None,
        now: datetime | None = None,
    ) -> User:
        """Create an account; raises :class:`AccountError` (422 bad value, 409 login taken) and stores nothing.

        ``level`` may be written in any form the level code list knows (``省``, ``省级``, ``2``, ``Provincial``);
        ``region`` must be a division of that level, so that a user's scope is unambiguous. Password strength
        is the caller's concern (:func:`check_new_password`): the demo accounts use ``demo`` on purpose.
        """
        login = _valid_login(login)
        if not password:
            raise AccountError(422, "密码不能为空", "the password must not be empty")
        role = _valid_role(role)
        code = department_code.strip().upper()
        if not uscc.is_valid(code):
            raise AccountError(
                422,
                f"{department_code!r} 不是有效的统一社会信用代码",
                f"{department_code!r} is not a valid unified social credit code",
            )
        if not department_name.strip():
            raise AccountError(422, "部门名称不能为空", "the department name must not be empty")
        level_label, region = _valid_division(level, region)
        created = _now(now)
        try:
            with self._connect() as connection:
                connection.execute(
                    "INSERT INTO users (login, display_name, password_hash, session_stamp, department_code,"
                    " department_name, level, region, role, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        login,
                        (display_name or "").strip() or login,
                        self.hasher.hash(password),
                        _new_stamp(),
                        code,
                        department_name.strip(),
                        level_label,
                        region,
                        role.value,
                        created.isoformat(),
                    ),
                )
        except sqlite3.IntegrityError:
            raise AccountError(409, f"用户 {login} 已存在", f"user {login} exists already") from None
        return self._require_user(login)

    def get_user(self, login: str) -> User | None:
        """The account called ``login`` (disabled or not), or ``None``."""
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM users WHERE login = ?", (_normal_login(login),)).fetchone()
        return None if row is None else _user(row)

    def list_users(self) -> list[User]:
        """Every account, by login."""
        with self._connect() as connection:
            return [_user(row) for row in connection.execute("SELECT * FROM users ORDER BY login")]

    def authenticate(self, login: str, password: str) -> User | None:
        """The enabled user whose password this is, or ``None``.

        An unknown login costs the same scrypt computation as a known one, so response times do not reveal
        which logins exist. A password hashed with older parameters is re-hashed with the current ones.
        """
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM users WHERE login = ?", (_normal_login(login),)).fetchone()
        stored = row["password_hash"] if row is not None else self._unknown_user_hash
        matches = verify_password(password, stored)
        if row is None or not matches or row["disabled"]:
            return None
        if not self.hasher.is_current(stored):
            with self._connect() as connection:
                connection.execute(
                    "UPDATE users SET password_hash = ? WHERE login = ?", (self.hasher.hash(password), row["login"])
                )
        return _user(row)

    def set_password(self, login: str, password: str) -> None:
        """Replace a password; the user's existing browser sessions end (see :meth:`session_stamp`)."""
        if not password:
            raise AccountError(422, "密码不能为空", "the password must not be empty")
        self._update_user(login, password_hash=self.hasher.hash(password), session_stamp=_new_stamp())

    def set_disabled(self, login: str, disabled: bool) -> User:
        """Disable or re-enable an account. A disabled user cannot sign in, and its sessions and tokens stop
        working at once; re-enabling does not revive the sessions it had."""
        self._update_user(login, disabled=int(disabled), session_stamp=_new_stamp())
        return self._require_user(login)

    def delete_user(self, login: str) -> None:
        """Remove an account and its tokens. Prefer :meth:`set_disabled`: the audit trail names users."""
        with self._connect() as connection:
            deleted = connection.execute("DELETE FROM users WHERE login = ?", (_normal_login(login),)).rowcount
        if not deleted:
            raise _unknown_user(login)

    # -- browser sessions -------------------------------------------------------------------------

    def session_stamp(self, login: str) -> str | None:
        """A random value to keep in a signed-in session, or ``None`` for an unknown or disabled user.

        It changes when the password changes or the account is disabled, which ends every session holding
        the old value: a signed cookie cannot be recalled, but it can stop matching.
        """
        with self._connect() as connection:
            row = connection.execute(
                "SELECT session_stamp FROM users WHERE login = ? AND NOT disabled", (_normal_login(login),)
            ).fetchone()
        return None if row is None else row["session_stamp"]

    def user_for_session(self, login: str, stamp: str) -> User | None:
        """The user a session signed in as, while the account is enabled and ``stamp`` still current."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT * FROM users WHERE login = ? AND NOT disabled", (_normal_login(login),)
            ).fetchone()
        if row is None or not hmac.compare_digest(row["session_stamp"], stamp):
            return None
        return _user(row)

    # -- API tokens -------------------------------------------------------------------------------

    def create_token(
        self,
        login: str,
        *,
        role: Role | str | None = None,
        expires_in_days: int = 90,
        now: datetime | None = None,
    ) -> tuple[str, TokenInfo]:
        """A new API token for ``login`` and what is kept about it; the plaintext is not kept anywhere.

        ``role`` defaults to the owner's and may not be above it (403). The token lives ``expires_in_days``
        days, from 1 to :data:`MAX_TOKEN_DAYS` (422).
        """
        owner = self._require_user(login)
        if owner.disabled:
            raise AccountError(403, f"用户 {owner.login} 已停用", f"user {owner.login} is disabled")
        scope = owner.role if role is None else _valid_role(role)
        if scope.rank > owner.role.rank:
            raise AccountError(
                403,
                f"令牌角色（{scope.label_zh}）不能高于用户 {owner.login} 的角色（{owner.role.label_zh}）",
                f"a token's role ({scope.label_en}) cannot be above its owner's ({owner.role.label_en})",
            )
        if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int):
            raise AccountError(422, "有效天数须为整数", "the lifetime must be a whole number of days")
        if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
            raise AccountError(
                422,
                f"有效天数须在 1 到 {MAX_TOKEN_DAYS} 之间",
                f"the lifetime must be between 1 and {MAX_TOKEN_DAYS} days",
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = _now(now)
        expires = created + timedelta(days=expires_in_days)
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO tokens (prefix, digest, owner, role, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                (_prefix(token), _digest(token), owner.login, scope.value, created.isoformat(), expires.isoformat()),
            )
            token_id = cursor.lastrowid
        info = TokenInfo(token_id, _prefix(token), owner.login, scope, created, expires, None)
        return token, info

    def list_tokens(self, login: str | None = None) -> list[TokenInfo]:
        """The tokens of ``login`` (of everyone if ``None``), revoked and expired ones included, newest first."""
        with self._connect() as connection:
            if login is None:
                rows = connection.execute("SELECT * FROM tokens ORDER BY id DESC")
            else:
                rows = connection.execute(
                    "SELECT * FROM tokens WHERE owner = ? ORDER BY id DESC", (_normal_login(login),)
                )
            return [_token(row) for row in rows]

    def revoke_token(
        self, prefix_or_id: str | int, *, owner: str | None = None, now: datetime | None = None
    ) -> TokenInfo:
        """Revoke a token named by its id or its visible prefix; revoking it again changes nothing.

        With ``owner``, another user's token counts as unknown (404), so nobody learns which ids exist.
        A prefix shared by two tokens is refused (409): name the token by its id.
        """
        key = str(prefix_or_id).strip()
        column = "id" if key.isdigit() else "prefix"
        with self._connect() as connection:
            rows = connection.execute(f"SELECT * FROM tokens WHERE {column} = ?", (key,)).fetchall()
            if owner is not None:
                rows = [row for row in rows if row["owner"] == _normal_login(owner)]
            if not rows:
                raise AccountError(404, f"没有令牌 {key}", f"no token {key}")
            if len(rows) > 1:
                raise AccountError(
                    409, f"前缀 {key} 对应多个令牌，请用编号", f"prefix {key} names several tokens: use the id"
                )
            connection.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (_now(now).isoformat(), rows[0]["id"]),
            )
            return _token(connection.execute("SELECT * FROM tokens WHERE id = ?", (rows[0]["id"],)).fetchone())

    def token_for(self, plaintext: str, now: datetime | None = None) -> TokenInfo | None:
        """The active token whose plaintext this is (not revoked, not expired, owner enabled), or ``None``."""
        if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
            return None
        digest = _digest(plaintext)
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT tokens.* FROM tokens JOIN users ON users.login = tokens.owner"
                " WHERE prefix = ? AND revoked IS NULL AND NOT users.disabled",
                (_prefix(plaintext),),
            ).fetchall()
        found = next((row for row in rows if hmac.compare_digest(row["digest"], digest)), None)
        if found is None:
            return None
        token = _token(found)
        return token if token.status(_now(now)) == "active" else None

    def token_exists(self, plaintext: str) -> bool:
        """Whether this token was ever issued here (active, expired or revoked alike)."""
        if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
            return False
        with self._connect() as connection:
            row = connection.execute("SELECT 1 FROM tokens WHERE digest = ?", (_digest(plaintext),)).fetchone()
        return row is not None

    def user_for_token(self, plaintext: str, now: datetime | None = None) -> User | None:
        """The user an API token acts for, with the token's role, or ``None`` if the token is not active."""
        token = self.token_for(plaintext, now)
        if token is None:
            return None
        owner = self.get_user(token.owner)
        if owner is None or owner.disabled:
            return None
        return replace(owner, role=token.role)

    # -- failed attempts (see catalog_service.accounts.throttle) -----------------------------------

    def note_failure(self, keys: Iterable[str], at: datetime, *, forget_before: datetime) -> None:
        """Record a failed attempt under each key, and forget every failure older than ``forget_before``.

        Kept here rather than in memory so that every process serving the node counts the same failures.
        """
        stamp = _utc(at)
        with self._connect() as connection:
            connection.execute("DELETE FROM failed_attempts WHERE at < ?", (_utc(forget_before),))
            connection.executemany("INSERT INTO failed_attempts (key, at) VALUES (?, ?)", [(k, stamp) for k in keys])

    def failures_since(self, key: str, since: datetime) -> list[datetime]:
        """The times of the failures recorded under ``key`` after ``since``, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT at FROM failed_attempts WHERE key = ? AND at > ? ORDER BY at", (key, _utc(since))
            ).fetchall()
        return [datetime.fromisoformat(row["at"]) for row in rows]

    def forget_failures(self, key: str) -> None:
        """Forget the failures recorded under ``key`` (a successful sign-in to that account)."""
        with self._connect() as connection:
            connection.execute("DELETE FROM failed_attempts WHERE key = ?", (key,))

    # -- internals --------------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: committed when the block ends, rolled back if it raises."""
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            with connection:
                yield connection
        finally:
            connection.close()

    @cached_property
    def _unknown_user_hash(self) -> str:
        """A hash no password matches, verified in place of a missing user's so both take as long."""
        return self.hasher.hash(secrets.token_urlsafe(32))

    def _require_user(self, login: str) -> User:
        user = self.get_user(login)
        if user is None:
            raise _unknown_user(login)
        return user

    def _update_user(self, login: str, **columns: object) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._connect() as connection:
            updated = connection.execute(
                f"UPDATE users SET {assignments} WHERE login = ?", (*columns.values(), _normal_login(login))
            ).rowcount
        if not updated:
            raise _unknown_user(login)


def _normal_login(login: str) -> str:
    return login.strip().lower()


def _valid_login(login: str) -> str:
    normal = _normal_login(login)
    if not LOGIN_PATTERN.match(normal):
        raise AccountError(
            422,
            f"登录名 {login!r} 无效：2–64 个小写字母、数字或 . _ -，以字母或数字开头",
            f"invalid login {login!r}: 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter "
            "or digit",
        )
    return normal


def _valid_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(422, f"未知角色 {role!r}（可选：{choices}）", f"unknown role {role!r} ({choices})") from None


def _valid_division(level: str, region: str) -> tuple[str, str]:
    """The level's Chinese label and the region code, checked against the code lists and each other."""
    lists = CodeLists.default()
    level_iri = lists.concept("level", level)
    if level_iri is None:
        raise AccountError(
            422, f"未知层级 {level!r}（国家、省、市、县）", f"unknown level {level!r} (国家, 省, 市, 县)"
        )
    code = region.strip()
    if lists.region(code) is None:
        raise AccountError(422, f"未知行政区划代码 {region!r}", f"unknown division code {region!r} (GB/T 2260)")
    region_level = lists.region_level(code)
    if region_level != level_iri:
        actual = lists.label(region_level or "", "zh") or "?"
        raise AccountError(
            422,
            f"行政区划 {code} 属于{actual}级，与层级 {lists.label(level_iri, 'zh')} 不符",
            f"division {code} is at level {actual}, not {lists.label(level_iri, 'zh')}",
        )
    return lists.label(level_iri, "zh") or level, code


def _unknown_user(login: str) -> AccountError:
    return AccountError(404, f"没有用户 {login}", f"no user {login}")


def _new_stamp() -> str:
    return secrets.token_urlsafe(16)


def _prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + VISIBLE_CHARACTERS]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def _utc(moment: datetime) -> str:
    """A time as text that sorts as it should: UTC, to the microsecond, always the same width."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _user(row: sqlite3.Row) -> User:
    return User(
        login=row["login"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        department_code=row["department_code"],
        department_name=row["department_name"],
        level=row["level"],
        region=row["region"],
        disabled=bool(row["disabled"]),
        created=datetime.fromisoformat(row["created"]),
    )


def _token(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(
        id=row["id"],
        prefix=row["prefix"],
        owner=row["owner"],
        role=Role(row["role"]),
        created=datetime.fromisoformat(row["created"]),
        expires=datetime.fromisoformat(row["expires"]),
        revoked=None if row["revoked"] is None else datetime.fromisoformat(row["revoked"]),
    )
