"""Rate limiting of sign-ins and bearer tokens: counted in the accounts database, timed by an injected clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog_service.accounts import Accounts
from catalog_service.accounts.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT, TOKEN_LIMIT, Throttle, TooManyFailures
from catalog_service.accounts.web import THROTTLE_KEY
from tests.accounts.conftest import form_csrf
from tests.accounts.test_web import signed_in_login

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.extensions[THROTTLE_KEY].clock = clock
    return clock


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: FlaskClient, login: str, password: str, path: str = "/login"):
    return client.post(path, data={"login": login, "password": password, "csrf_token": form_csrf(client)})


# -- the policy ------------------------------------------------------------------------------------


def test_account_is_blocked_after_five_failures_until_the_oldest_leaves_the_window(accounts: Accounts) -> None:
    clock = Clock()
    throttle = Throttle(accounts, clock)
    for _ in range(ACCOUNT_LIMIT.failures):
        throttle.check_sign_in("nanjing-police", "10.0.0.1")
        throttle.sign_in_failed("nanjing-police", "10.0.0.1")
        clock.advance(minutes=1)
    with pytest.raises(TooManyFailures) as refused:
        throttle.check_sign_in("Nanjing-Police ", "10.0.0.2")  # another address, the same account
    # five failures at 9:00 … 9:04, now 9:05: the first leaves the 15-minute window at 9:15
    assert refused.value.status == 429 and refused.value.retry_after == 600
    assert "10 分钟后再试" in refused.value.zh and "try again in 10 minutes" in refused.value.en
    throttle.check_sign_in("jiangsu-admin", "10.0.0.2")  # other accounts are not affected
    clock.advance(minutes=10)
    throttle.check_sign_in("nanjing-police", "10.0.0.2")


def test_success_forgets_the_account_s_failures_but_not_the_address_s(accounts: Accounts) -> None:
    throttle = Throttle(accounts, Clock())
    for _ in range(ACCOUNT_LIMIT.failures - 1):
        throttle.sign_in_failed("nanjing-police", "10.0.0.1")
    throttle.signed_in("nanjing-police")
    for _ in range(ACCOUNT_LIMIT.failures - 1):
        throttle.sign_in_failed("nanjing-police", "10.0.0.1")
    throttle.check_sign_in("nanjing-police", "10.0.0.1")
    assert len(accounts.failures_since("sign-in:10.0.0.1", START - timedelta(hours=1))) == 8


def test_one_address_guessing_many_accounts_is_blocked(accounts: Accounts) -> None:
    throttle = Throttle(accounts, Clock())
    for n in range(ADDRESS_LIMIT.failures):
        throttle.sign_in_failed(f"user-{n}", "10.0.0.9")
    with pytest.raises(TooManyFailures):
        throttle.check_sign_in("someone-new", "10.0.0.9")
    throttle.check_sign_in("someone-new", "10.0.0.10")


def test_old_failures_are_deleted_when_the_next_is_recorded(accounts: Accounts) -> None:
    clock = Clock()
    throttle = Throttle(accounts, clock)
    for n in range(30):
        throttle.sign_in_failed(f"user-{n}", f"10.0.1.{n}")
    clock.advance(hours=1)
    throttle.sign_in_failed("late", "10.0.2.1")
    with sqlite3.connect(accounts.path) as connection:
        keys = {row[0] for row in connection.execute("SELECT key FROM failed_attempts")}
    assert keys == {"account:late", "sign-in:10.0.2.1"}


# -- the sign-in form ------------------------------------------------------------------------------


def test_sixth_sign_in_is_refused_with_429_even_with_the_right_password(app: Flask, clock: Clock) -> None:
    client = client_at(app, "192.0.2.7")
    for _ in range(ACCOUNT_LIMIT.failures):
        assert attempt(client, "nanjing-police", "wrong").status_code == 401
    refused = attempt(client, "nanjing-police", "demo")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(15 * 60)
    assert "登录失败次数过多，请 15 分钟后再试" in refused.get_data(as_text=True)
    assert signed_in_login(client) is None, "a refused attempt signs nobody in"
    as_json = client.post(
        "/login",
        data={"login": "nanjing-police", "password": "demo", "csrf_token": form_csrf(client)},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 429 and as_json.headers["Retry-After"] == str(15 * 60)
    assert as_json.get_json()["error"]["en"] == "too many failed sign-ins: try again in 15 minutes"

    clock.advance(minutes=15)
    assert attempt(client, "nanjing-police", "demo").status_code == 302
    assert signed_in_login(client) == "nanjing-police"


def test_english_page_explains_the_wait(app: Flask, clock: Clock) -> None:
    client = client_at(app, "192.0.2.8")
    for _ in range(ACCOUNT_LIMIT.failures):
        attempt(client, "jiangsu-admin", "wrong")
    html = attempt(client, "jiangsu-admin", "demo", "/login?lang=en").get_data(as_text=True)
    assert "Too many attempts" in html and "too many failed sign-ins: try again in 15 minutes" in html


def test_a_successful_sign_in_resets_the_count(app: Flask, clock: Clock) -> None:
    client = client_at(app, "192.0.2.9")
    for _ in range(ACCOUNT_LIMIT.failures - 1):
        attempt(client, "nanjing-police", "wrong")
    assert attempt(client, "nanjing-police", "demo").status_code == 302
    other = client_at(app, "192.0.2.9")
    for _ in range(ACCOUNT_LIMIT.failures - 1):
        assert attempt(other, "nanjing-police", "wrong").status_code == 401
    assert attempt(other, "nanjing-police", "demo").status_code == 302


# -- bearer tokens ---------------------------------------------------------------------------------


def test_unknown_tokens_from_one_address_get_429_but_valid_tokens_still_work(
    app: Flask, app_accounts: Accounts, clock: Clock
) -> None:
    valid, _ = app_accounts.create_token("xuanwu-requester", expires_in_days=1)
    guesser = client_at(app, "198.51.100.4")
    for n in range(TOKEN_LIMIT.failures):
        response = guesser.get("/api/tokens", headers={"Authorization": f"Bearer gct_guess{n:04d}xxxxxxxxxxxx"})
        assert response.status_code == 401
    blocked = guesser.get("/api/tokens", headers={"Authorization": "Bearer gct_guessanotherxxxxxxxx"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) == 15 * 60
    assert blocked.get_json()["error"]["zh"] == "无效令牌过多，请 15 分钟后再试"
    assert guesser.get("/api/tokens", headers={"Authorization": f"Bearer {valid}"}).status_code == 200
    elsewhere = client_at(app, "198.51.100.5")
    assert elsewhere.get("/api/tokens", headers={"Authorization": "Bearer gct_guessagainxxxxxxxxxx"}).status_code == 401
    clock.advance(minutes=15)
    assert guesser.get("/api/tokens", headers={"Authorization": "Bearer gct_guessanotherxxxxxxxx"}).status_code == 401


def test_expired_and_revoked_tokens_are_not_counted_as_guesses(
    app: Flask, app_accounts: Accounts, clock: Clock
) -> None:
    revoked, info = app_accounts.create_token("xuanwu-requester", expires_in_days=1)
    app_accounts.revoke_token(info.id)
    expired, _ = app_accounts.create_token(
        "xuanwu-requester", expires_in_days=1, now=datetime.now(UTC) - timedelta(days=2)
    )
    script = client_at(app, "198.51.100.6")
    for _ in range(TOKEN_LIMIT.failures + 5):
        for token in (revoked, expired):
            assert script.get("/api/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 401
