"""The accounts file: users and their validation, sign-in, tokens (hashed, expiring, revocable, scoped)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from catalog_service.accounts import AccountError, Accounts, Role, ensure_demo_accounts
from catalog_service.accounts import store as store_module
from catalog_service.accounts.demo import DEMO_ACCOUNTS

POLICE = {
    "role": "manager",
    "department_code": "11320100155006351N",
    "department_name": "南京市公安局",
    "level": "市",
    "region": "320100",
}


def test_add_and_get_user(accounts: Accounts) -> None:
    user = accounts.add_user("Police-1", "password1", display_name="张三", **{**POLICE, "level": "市级"})
    assert user.login == "police-1"  # logins are lower case
    assert (user.role, user.level, user.region, user.disabled) == (Role.MANAGER, "市", "320100", False)
    assert accounts.get_user("POLICE-1") == user
    assert accounts.list_users() == [user]
    assert user.to_json()["department"] == {"creditCode": "11320100155006351N", "name": "南京市公安局"}


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"login": "x"}, 422, "invalid login"),
        ({"login": "名字"}, 422, "invalid login"),
        ({"login": "-leading"}, 422, "invalid login"),
        ({"password": ""}, 422, "empty"),
        ({"role": "root"}, 422, "unknown role"),
        ({"department_code": "11320100155006351X"}, 422, "credit code"),
        ({"department_name": "  "}, 422, "department name"),
        ({"level": "乡"}, 422, "unknown level"),
        ({"region": "999999"}, 422, "unknown division"),
        ({"level": "省"}, 422, "division 320100 is at level 市"),
        ({"login": "taken"}, 409, "exists already"),
    ],
)
def test_bad_user_is_refused_and_nothing_stored(
    accounts: Accounts, change: dict[str, Any], status: int, words: str
) -> None:
    accounts.add_user("taken", "password1", **POLICE)
    before = accounts.list_users()
    values = {"login": "new-user", "password": "password1", **POLICE, **change}
    with pytest.raises(AccountError) as refused:
        accounts.add_user(values.pop("login"), values.pop("password"), **values)
    assert refused.value.status == status
    assert words in refused.value.en and refused.value.zh
    assert accounts.list_users() == before


def test_authenticate(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    assert accounts.authenticate("police", "password1").login == "police"
    assert accounts.authenticate(" Police ", "password1").login == "police"
    assert accounts.authenticate("police", "password2") is None
    assert accounts.authenticate("nobody", "password1") is None
    accounts.set_disabled("police", True)
    assert accounts.authenticate("police", "password1") is None


def test_unknown_user_costs_a_hash_too(accounts: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same work for unknown logins, so timing does not tell which logins exist."""
    accounts.add_user("police", "password1", **POLICE)
    checked: list[str] = []
    real = store_module.verify_password
    monkeypatch.setattr(store_module, "verify_password", lambda p, s: checked.append(s) or real(p, s))
    accounts.authenticate("nobody", "password1")
    accounts.authenticate("not a valid login!", "password1")
    accounts.authenticate("police", "wrong")
    assert len(checked) == 3
    assert all(stored.startswith("scrypt$n=256,") for stored in checked)


def test_session_stamp_changes_with_password_and_disabling(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    stamp = accounts.session_stamp("police")
    assert accounts.user_for_session("police", stamp).login == "police"
    assert accounts.user_for_session("police", "forged") is None
    accounts.set_password("police", "password2")
    assert accounts.user_for_session("police", stamp) is None
    stamp = accounts.session_stamp("police")
    accounts.set_disabled("police", True)
    assert accounts.session_stamp("police") is None
    accounts.set_disabled("police", False)
    assert accounts.user_for_session("police", stamp) is None  # re-enabling does not revive old sessions


def test_token_plaintext_is_never_stored(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    token, info = accounts.create_token("police")
    assert token.startswith("gct_") and len(token) > 40
    assert info.prefix == token[:12] and info.role is Role.MANAGER
    stored = b"".join(p.read_bytes() for p in accounts.path.parent.glob("accounts.sqlite*"))
    assert token.encode() not in stored
    assert token[12:].encode() not in stored
    assert hashlib.sha256(token.encode()).hexdigest().encode() in stored
    assert info.prefix.encode() in stored
    assert accounts.user_for_token(token).login == "police"


def test_token_expires(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    token, info = accounts.create_token("police", expires_in_days=30, now=created)
    assert info.expires == created + timedelta(days=30)
    assert accounts.user_for_token(token, now=created + timedelta(days=29, hours=23)) is not None
    assert accounts.user_for_token(token, now=created + timedelta(days=30)) is None
    assert accounts.list_tokens("police")[0].status(created + timedelta(days=31)) == "expired"


@pytest.mark.parametrize("days", [0, -1, 366, 1.5])
def test_token_lifetime_is_bounded(accounts: Accounts, days: Any) -> None:
    accounts.add_user("police", "password1", **POLICE)
    with pytest.raises(AccountError) as refused:
        accounts.create_token("police", expires_in_days=days)
    assert refused.value.status == 422
    assert accounts.list_tokens() == []


def test_revoke_by_id_and_by_prefix(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    first, first_info = accounts.create_token("police")
    second, second_info = accounts.create_token("police")
    assert accounts.revoke_token(first_info.id).revoked is not None
    assert accounts.user_for_token(first) is None
    assert accounts.user_for_token(second) is not None
    assert accounts.revoke_token(second_info.prefix).status(datetime.now(UTC)) == "revoked"
    assert accounts.user_for_token(second) is None
    again = accounts.revoke_token(str(first_info.id))  # revoking twice changes nothing
    assert again.revoked == accounts.list_tokens("police")[1].revoked


def test_revoke_unknown_or_foreign_token_is_404(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    accounts.add_user("other", "password1", **POLICE)
    token, info = accounts.create_token("police")
    for key, owner in ((999, None), ("gct_nothere", None), (info.id, "other")):
        with pytest.raises(AccountError) as refused:
            accounts.revoke_token(key, owner=owner)
        assert refused.value.status == 404
    assert accounts.user_for_token(token) is not None


def test_unknown_tokens(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    token, _ = accounts.create_token("police")
    for wrong in ("", "gct_", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" + token, token + "x" * 200):
        assert accounts.user_for_token(wrong) is None


def test_token_role_at_most_the_owners(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    token, info = accounts.create_token("police", role="requester")
    assert info.role is Role.REQUESTER
    user = accounts.user_for_token(token)
    assert (user.login, user.role) == ("police", Role.REQUESTER)
    with pytest.raises(AccountError) as refused:
        accounts.create_token("police", role="admin")
    assert refused.value.status == 403
    with pytest.raises(AccountError):
        accounts.create_token("police", role="superuser")
    assert len(accounts.list_tokens()) == 1


def test_tokens_of_disabled_or_deleted_users_stop_working(accounts: Accounts) -> None:
    accounts.add_user("police", "password1", **POLICE)
    token, _ = accounts.create_token("police")
    accounts.set_disabled("police", True)
    assert accounts.user_for_token(token) is None
    with pytest.raises(AccountError) as refused:
        accounts.create_token("police")
    assert refused.value.status == 403
    accounts.set_disabled("police", False)
    assert accounts.user_for_token(token) is not None
    accounts.delete_user("police")
    assert accounts.user_for_token(token) is None
    assert accounts.list_tokens() == []
    with pytest.raises(AccountError):
        accounts.delete_user("police")


def test_unknown_user_operations_are_404(accounts: Accounts) -> None:
    for operation in (
        lambda: accounts.create_token("nobody"),
        lambda: accounts.set_disabled("nobody", True),
        lambda: accounts.set_password("nobody", "password1"),
    ):
        with pytest.raises(AccountError) as refused:
            operation()
        assert refused.value.status == 404


def test_demo_accounts(accounts: Accounts) -> None:
    users = ensure_demo_accounts(accounts)
    assert [u.login for u in users] == ["jiangsu-admin", "nanjing-admin", "nanjing-police", "xuanwu-requester"]
    assert [u.role for u in users] == [Role.ADMIN, Role.ADMIN, Role.MANAGER, Role.REQUESTER]
    assert all(accounts.authenticate(u.login, "demo") for u in users)
    accounts.set_password("jiangsu-admin", "changed-it")
    assert ensure_demo_accounts(accounts) == users  # idempotent: existing accounts are left alone
    assert accounts.authenticate("jiangsu-admin", "demo") is None


def test_demo_departments_are_the_examples() -> None:
    """The demo credit codes are providers of the sample federation, so walk-throughs find their entries."""
    from catalog_service.resources import resource_dir

    folder = resource_dir("examples") / "federation"
    text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.ttl"))
    text += (folder / "xuanwu-gbk.csv").read_text(encoding="gbk")
    for account in DEMO_ACCOUNTS:
        assert account["department_code"] in text
        assert account["department_name"] in text
