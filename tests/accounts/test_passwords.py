"""Password hashes: salted scrypt with their parameters, never the password, upgraded on sign-in."""

from __future__ import annotations

import pytest

from catalog_service.accounts import AccountError, Accounts, PasswordHasher, check_new_password
from catalog_service.accounts.passwords import DEFAULT_HASHER, verify_password
from tests.accounts.conftest import FAST


def test_hash_is_salted_and_verifies() -> None:
    first, second = FAST.hash("correct horse"), FAST.hash("correct horse")
    assert "correct horse" not in first
    assert first != second  # a salt of its own per hash
    assert first.startswith("scrypt$n=256,r=8,p=1$")
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct horsf", first)


@pytest.mark.parametrize("stored", ["", "plain", "md5$n=1,r=1,p=1$AAAA$AAAA", "scrypt$n=x$AAAA$AAAA", "scrypt$n=2$!$!"])
def test_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_password("", stored)


def test_default_cost_is_owasp_strength() -> None:
    """Equivalent to N=2**17, r=8, p=1 per OWASP's table for scrypt."""
    assert (DEFAULT_HASHER.n, DEFAULT_HASHER.r, DEFAULT_HASHER.p) == (2**15, 8, 3)


def test_password_is_not_in_the_file(accounts: Accounts) -> None:
    accounts.add_user(
        "someone",
        "s3cret-passphrase",
        role="requester",
        department_code="113201021733417942",
        department_name="南京市玄武区民政局",
        level="县",
        region="320102",
    )
    assert b"s3cret-passphrase" not in accounts.path.read_bytes()
    assert accounts.path.stat().st_mode & 0o777 == 0o600


def test_older_parameters_are_upgraded_at_sign_in(accounts: Accounts) -> None:
    accounts.add_user(
        "someone",
        "s3cret-passphrase",
        role="requester",
        department_code="113201021733417942",
        department_name="南京市玄武区民政局",
        level="县",
        region="320102",
    )
    stronger = PasswordHasher(n=2**9, r=8, p=1)
    reopened = Accounts.open(accounts.path.parent, hasher=stronger)
    assert reopened.authenticate("someone", "s3cret-passphrase") is not None
    assert b"scrypt$n=512,r=8,p=1$" in accounts.path.read_bytes()
    assert reopened.authenticate("someone", "s3cret-passphrase") is not None


def test_new_passwords_need_eight_characters() -> None:
    with pytest.raises(AccountError) as refused:
        check_new_password("short")
    assert refused.value.status == 422
    check_new_password("long enough")
