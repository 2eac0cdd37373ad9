"""Slowing down password and token guessing: too many failures in a window, and the next try waits (429).

Failures are counted under keys in the accounts database (:meth:`Accounts.note_failure`), so every process of
the node sees the same counts:

* ``account:<login>`` — failed sign-ins as one login, known or not (counting only known logins would tell an
  attacker which exist). A successful sign-in clears it: the owner who mistyped is not punished afterwards.
* ``sign-in:<address>`` — failed sign-ins from one client address, whatever the login, so that one address
  cannot try a password against many accounts. A success does not clear it, or an attacker holding one account
  could reset the count between guesses at others.
* ``token:<address>`` — bearer tokens that were never issued, from one client address. Expired and revoked
  tokens do not count: they are a forgotten script, not a guess.

A blocked sign-in is refused before the password is checked. A bearer token is looked up first, and a valid
one always works: a token carries 256 random bits, so guessing one is hopeless anyway, and refusing valid
tokens would let anyone sharing an office's address lock out its scripts. The limit stops scanners from
hammering the node and keeps the log readable.

Times come from :attr:`Throttle.clock`, which tests replace instead of sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from catalog_service.accounts.access import AccessDenied
from catalog_service.accounts.store import Accounts


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failures within ``window``; the next attempt waits until one of them is older."""

    failures: int
    window: timedelta


ACCOUNT_LIMIT = Limit(5, timedelta(minutes=15))
ADDRESS_LIMIT = Limit(20, timedelta(minutes=15))
"""Higher than an account's: a department's staff often share one address (NAT, proxy)."""
TOKEN_LIMIT = Limit(20, timedelta(minutes=15))
KEPT = max(limit.window for limit in (ACCOUNT_LIMIT, ADDRESS_LIMIT, TOKEN_LIMIT))
"""Failures older than this no longer count anywhere and are deleted when the next failure is recorded."""


class TooManyFailures(AccessDenied):
    """429: wait ``retry_after`` seconds (sent as ``Retry-After``)."""

    def __init__(self, retry_after: int, zh: str, en: str) -> None:
        super().__init__(429, zh, en)
        self.retry_after = retry_after


def utc_now() -> datetime:
    return datetime.now(UTC)


class Throttle:
    """The limits of one node's sign-ins and tokens, counted in its accounts database."""

    def __init__(self, accounts: Accounts, clock: Callable[[], datetime] = utc_now) -> None:
        self.accounts = accounts
        self.clock = clock

    # -- sign-in ----------------------------------------------------------------------------------

    def check_sign_in(self, login: str, address: str | None) -> None:
        """Raise :class:`TooManyFailures` if this login or this address must wait before trying again."""
        wait = max(
            self._wait(_account_key(login), ACCOUNT_LIMIT),
            self._wait(f"sign-in:{address}", ADDRESS_LIMIT),
        )
        if wait:
            minutes = math.ceil(wait / 60)
            raise TooManyFailures(
                wait,
                f"登录失败次数过多，请 {minutes} 分钟后再试",
                f"too many failed sign-ins: try again in {minutes} minute{'s' if minutes > 1 else ''}",
            )

    def sign_in_failed(self, login: str, address: str | None) -> None:
        self._fail(_account_key(login), f"sign-in:{address}")

    def signed_in(self, login: str) -> None:
        """A successful sign-in: the account's failures are forgotten (the address's are not)."""
        self.accounts.forget_failures(_account_key(login))

    # -- bearer tokens ----------------------------------------------------------------------------

    def check_token(self, address: str | None) -> None:
        """Raise :class:`TooManyFailures` if this address sent too many unknown tokens lately."""
        wait = self._wait(f"token:{address}", TOKEN_LIMIT)
        if wait:
            minutes = math.ceil(wait / 60)
            raise TooManyFailures(
                wait,
                f"无效令牌过多，请 {minutes} 分钟后再试",
                f"too many unknown tokens: try again in {minutes} minute{'s' if minutes > 1 else ''}",
            )

    def unknown_token(self, address: str | None) -> None:
        self._fail(f"token:{address}")

    # -- counting ---------------------------------------------------------------------------------

    def _fail(self, *keys: str) -> None:
        now = self.clock()
        self.accounts.note_failure(keys, now, forget_before=now - KEPT)

    def _wait(self, key: str, limit: Limit) -> int:
        """Seconds until ``key`` is below its limit again (0: it is now).

        With ``n`` failures in the window, the attempt may go ahead once ``n - failures + 1`` of them have
        left it, i.e. when the ``(n - failures)``-th oldest (counting from 0) is ``window`` old.
        """
        now = self.clock()
        times = self.accounts.failures_since(key, now - limit.window)
        if len(times) < limit.failures:
            return 0
        free = times[len(times) - limit.failures] + limit.window
        return max(1, math.ceil((free - now).total_seconds()))


def _account_key(login: str) -> str:
    return f"account:{login.strip().lower()[:100]}"
