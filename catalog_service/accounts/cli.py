"""``gov-catalog user …`` and ``gov-catalog token …``: accounts from the command line.

This is how a node gets its first administrator, and how an operator disables an account or makes a token
for a harvesting machine without a browser. Refused operations print their reason and exit 1.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime

from catalog_service.accounts.models import AccountError, Role
from catalog_service.accounts.passwords import check_new_password
from catalog_service.accounts.store import MAX_TOKEN_DAYS, Accounts
from catalog_service.config import Config

EXIT_OK, EXIT_REFUSED = 0, 1
ROLES = [role.value for role in Role]


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``user`` and ``token`` command groups to the ``gov-catalog`` parser."""
    user = commands.add_parser("user", help="manage user accounts").add_subparsers(required=True, metavar="ACTION")
    add = user.add_parser("add", parents=[common], help="create a user (asks for the password)")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--department-code", required=True, help="unified social credit code of the department")
    add.add_argument("--department-name", required=True)
    add.add_argument("--level", required=True, help="国家, 省, 市 or 县")
    add.add_argument("--region", required=True, help="GB/T 2260 division code, e.g. 320000")
    add.add_argument("--display-name", default=None, help="name shown on pages (default: the login)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(run=_user_add)
    listing = user.add_parser("list", parents=[common], help="list users")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(run=_user_list)
    for name, disabled, text in (("disable", True, "disable a user"), ("enable", False, "re-enable a user")):
        command = user.add_parser(name, parents=[common], help=text)
        command.add_argument("login")
        command.set_defaults(run=_user_disable, disabled=disabled)

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(required=True, metavar="ACTION")
    create = token.add_parser("create", parents=[common], help="create an API token (printed once)")
    create.add_argument("login")
    create.add_argument("--role", choices=ROLES, default=None, help="role of the token (default: the user's)")
    create.add_argument(
        "--days", type=int, default=90, help=f"days until it expires (default 90, at most {MAX_TOKEN_DAYS})"
    )
    create.set_defaults(run=_token_create)
    tokens = token.add_parser("list", parents=[common], help="list tokens (never their value)")
    tokens.add_argument("login", nargs="?", default=None)
    tokens.set_defaults(run=_token_list)
    revoke = token.add_parser("revoke", parents=[common], help="revoke a token by id or prefix")
    revoke.add_argument("id")
    revoke.set_defaults(run=_token_revoke)


def _refused(run):
    """Report an :class:`AccountError` as a refusal (exit 1) rather than a crash."""

    def guarded(args: argparse.Namespace, config: Config) -> int:
        try:
            return run(args, config)
        except AccountError as error:
            print(f"拒绝 / refused: {error}", file=sys.stderr)
            return EXIT_REFUSED

    return guarded


@_refused
def _user_add(args: argparse.Namespace, config: Config) -> int:
    password = _read_password(args.password_stdin)
    check_new_password(password)
    user = Accounts.open(config.data_dir).add_user(
        args.login,
        password,
        role=args.role,
        department_code=args.department_code,
        department_name=args.department_name,
        level=args.level,
        region=args.region,
        display_name=args.display_name,
    )
    print(
        f"已创建用户 {user.login}（{user.role.label_zh}，{user.department_name}）/ "
        f"created user {user.login} ({user.role.label_en}, {user.department_name})"
    )
    return EXIT_OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise AccountError(422, "不是终端：请使用 --password-stdin", "not a terminal: use --password-stdin")
    password = getpass.getpass("密码 / password: ")
    if getpass.getpass("再次输入 / again: ") != password:
        raise AccountError(422, "两次输入的密码不一致", "the passwords differ")
    return password


@_refused
def _user_list(args: argparse.Namespace, config: Config) -> int:
    users = Accounts.open(config.data_dir).list_users()
    if args.format == "json":
        print(json.dumps([u.to_json() for u in users], ensure_ascii=False, indent=2))
        return EXIT_OK
    for u in users:
        state = "  [停用 / disabled]" if u.disabled else ""
        print(f"{u.login}\t{u.role.value}\t{u.level} {u.region}\t{u.department_name} {u.department_code}{state}")
    return EXIT_OK


@_refused
def _user_disable(args: argparse.Namespace, config: Config) -> int:
    user = Accounts.open(config.data_dir).set_disabled(args.login, args.disabled)
    print(f"{user.login}: {'已停用 / disabled' if user.disabled else '已启用 / enabled'}")
    return EXIT_OK


@_refused
def _token_create(args: argparse.Namespace, config: Config) -> int:
    token, info = Accounts.open(config.data_dir).create_token(args.login, role=args.role, expires_in_days=args.days)
    print(token)
    print(
        f"令牌 {info.prefix}…（编号 {info.id}，角色 {info.role.value}，有效期至 {info.expires:%Y-%m-%d}）"
        "只显示这一次 / "
        f"token {info.prefix}… (id {info.id}, role {info.role.value}, expires {info.expires:%Y-%m-%d}) is shown "
        "only this once",
        file=sys.stderr,
    )
    return EXIT_OK


@_refused
def _token_list(args: argparse.Namespace, config: Config) -> int:
    now = datetime.now(UTC)
    for t in Accounts.open(config.data_dir).list_tokens(args.login):
        print(f"{t.id}\t{t.prefix}…\t{t.owner}\t{t.role.value}\t{t.expires:%Y-%m-%d}\t{t.status(now)}")
    return EXIT_OK


@_refused
def _token_revoke(args: argparse.Namespace, config: Config) -> int:
    info = Accounts.open(config.data_dir).revoke_token(args.id)
    print(f"已撤销令牌 {info.prefix}…（编号 {info.id}）/ revoked token {info.prefix}… (id {info.id})")
    return EXIT_OK
