"""``gov-catalog user`` and ``gov-catalog token``: the first administrator, listing, tokens, refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from catalog_service.accounts import Accounts, Role
from catalog_service.cli import main

ADMIN = [
    "user",
    "add",
    "first-admin",
    "--role",
    "admin",
    "--department-code",
    "11320000170094070U",
    "--department-name",
    "江苏省政务服务管理办公室",
    "--level",
    "省",
    "--region",
    "320000",
    "--password-stdin",
]


def run(args: list[str], data: Path, stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*args, "--data-dir", str(data)])


def test_user_add_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert run(ADMIN, tmp_path, "long password\n", monkeypatch) == 0
    assert "first-admin" in capsys.readouterr().out
    user = Accounts.open(tmp_path).authenticate("first-admin", "long password")
    assert user is not None and user.role is Role.ADMIN and user.level == "省"
    assert run(["user", "list"], tmp_path) == 0
    assert "first-admin\tadmin\t省 320000\t江苏省政务服务管理办公室" in capsys.readouterr().out
    assert run(["user", "list", "--format", "json"], tmp_path) == 0
    assert json.loads(capsys.readouterr().out)[0]["department"]["creditCode"] == "11320000170094070U"


@pytest.mark.parametrize(
    ("change", "stdin", "words"),
    [
        ({"--department-code": "11320000170094070X"}, "long password\n", "credit code"),
        ({"--region": "320100"}, "long password\n", "division 320100"),
        ({}, "short\n", "at least 8"),
    ],
)
def test_user_add_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, change, stdin, words) -> None:
    args = list(ADMIN)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    assert run(args, tmp_path, stdin, monkeypatch) == 1
    assert words in capsys.readouterr().err
    assert Accounts.open(tmp_path).list_users() == []


def test_user_add_without_terminal_needs_password_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    assert run(ADMIN[:-1], tmp_path, "long password\n", monkeypatch) == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_user_add_prompts_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["long password", "long password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    assert main([*ADMIN[:-1], "--data-dir", str(tmp_path)]) == 0
    assert Accounts.open(tmp_path).authenticate("first-admin", "long password") is not None


def test_duplicate_user_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert run(ADMIN, tmp_path, "long password\n", monkeypatch) == 0
    assert run(ADMIN, tmp_path, "another password\n", monkeypatch) == 1
    assert "exists already" in capsys.readouterr().err
    assert Accounts.open(tmp_path).authenticate("first-admin", "long password") is not None


def test_token_create_list_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    run(ADMIN, tmp_path, "long password\n", monkeypatch)
    capsys.readouterr()
    assert run(["token", "create", "first-admin", "--role", "requester", "--days", "7"], tmp_path) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert "shown only this once" in captured.err
    accounts = Accounts.open(tmp_path)
    assert accounts.user_for_token(token).role is Role.REQUESTER
    info = accounts.list_tokens()[0]
    assert run(["token", "list"], tmp_path) == 0
    listing = capsys.readouterr().out
    assert info.prefix in listing and "active" in listing and token not in listing
    assert run(["token", "revoke", str(info.id)], tmp_path) == 0
    assert accounts.user_for_token(token) is None
    assert run(["token", "revoke", "12345"], tmp_path) == 1
    assert "no token" in capsys.readouterr().err


def test_token_create_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert run(["token", "create", "nobody"], tmp_path) == 1
    assert "no user nobody" in capsys.readouterr().err
    run(ADMIN, tmp_path, "long password\n", monkeypatch)
    assert run(["token", "create", "first-admin", "--days", "400"], tmp_path) == 1
    assert Accounts.open(tmp_path).list_tokens() == []


def test_user_disable_and_enable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    run(ADMIN, tmp_path, "long password\n", monkeypatch)
    assert run(["user", "disable", "first-admin"], tmp_path) == 0
    assert Accounts.open(tmp_path).authenticate("first-admin", "long password") is None
    assert run(["user", "enable", "first-admin"], tmp_path) == 0
    assert Accounts.open(tmp_path).authenticate("first-admin", "long password") is not None
    assert run(["user", "disable", "nobody"], tmp_path) == 1
