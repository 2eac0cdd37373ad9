"""A test client signed in as a government user (an API token of a demo account), for any app under test.

Suites written before visibility (docs/visibility.md) read the whole catalog, as government users do; the
public's narrower view is tested in ``tests/visibility``.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from catalog_service.accounts import PasswordHasher, ensure_demo_accounts
from catalog_service.accounts import store as account_store
from catalog_service.accounts.access import ACCOUNTS_KEY

FAST = PasswordHasher(n=2**8, r=8, p=1)


def government_client(app: Flask, login: str = "xuanwu-requester") -> FlaskClient:
    """A client whose every request carries a bearer token of ``login`` (a demo account)."""
    accounts = app.extensions[ACCOUNTS_KEY]
    hasher, account_store.DEFAULT_HASHER = account_store.DEFAULT_HASHER, FAST
    try:
        ensure_demo_accounts(accounts)
        token, _ = accounts.create_token(login, expires_in_days=1)
    finally:
        account_store.DEFAULT_HASHER = hasher
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
