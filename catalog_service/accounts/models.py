"""Roles, users and API tokens as the rest of the service sees them: plain values, no credentials.

Roles follow the sharing rules (政务信息资源共享管理办法): the coordinating office of a level administers its
catalog (管理员), a provider department's catalog manager keeps that department's entries and answers requests
for them (目录管理员), a user department's staff apply for conditional sharing (申请人). Anyone not signed in
is the public and is represented by ``None``, never by a user object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """A signed-in user's role; ordered by :attr:`rank` so that a token can be limited to a lower one."""

    ADMIN = "admin"
    MANAGER = "manager"
    REQUESTER = "requester"

    @property
    def rank(self) -> int:
        """Admin 3, manager 2, requester 1: a token may carry its owner's role or a lower one."""
        return {Role.ADMIN: 3, Role.MANAGER: 2, Role.REQUESTER: 1}[self]

    @property
    def label_zh(self) -> str:
        return {Role.ADMIN: "管理员", Role.MANAGER: "目录管理员", Role.REQUESTER: "申请人"}[self]

    @property
    def label_en(self) -> str:
        return {Role.ADMIN: "administrator", Role.MANAGER: "catalog manager", Role.REQUESTER: "requester"}[self]


class AccountError(ValueError):
    """A refused account operation, with its message in Chinese and English and the HTTP status it maps to.

    404 unknown user or token, 409 a login that exists already, 403 a role above the owner's, 422 a value of
    the wrong form (login, credit code, level, region, role, lifetime).
    """

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


@dataclass(frozen=True)
class User:
    """A person with an account, as returned by :class:`~catalog_service.accounts.Accounts`.

    ``level`` is the Chinese label of the level code list (国家, 省, 市 or 县) and ``region`` a GB/T 2260
    code consistent with it. A user obtained through an API token carries the token's role, which may be
    lower than the account's (see :meth:`Accounts.user_for_token`).
    """

    login: str
    display_name: str
    role: Role
    department_code: str
    """The unified social credit code (统一社会信用代码) of the user's department."""
    department_name: str
    level: str
    region: str
    disabled: bool
    created: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "displayName": self.display_name,
            "role": self.role.value,
            "department": {"creditCode": self.department_code, "name": self.department_name},
            "level": self.level,
            "region": self.region,
            "disabled": self.disabled,
            "created": _iso(self.created),
        }


@dataclass(frozen=True)
class TokenInfo:
    """What is kept about an API token: never the token itself, which its owner sees once at creation.

    ``prefix`` is the token's first characters, enough for a person to tell their tokens apart.
    """

    id: int
    prefix: str
    owner: str
    role: Role
    created: datetime
    expires: datetime
    revoked: datetime | None

    def status(self, now: datetime) -> str:
        """``revoked``, ``expired`` or ``active`` at ``now``."""
        if self.revoked is not None:
            return "revoked"
        return "expired" if now >= self.expires else "active"

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "prefix": self.prefix,
            "owner": self.owner,
            "role": self.role.value,
            "created": _iso(self.created),
            "expires": _iso(self.expires),
            "revoked": None if self.revoked is None else _iso(self.revoked),
            "status": self.status(now),
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
