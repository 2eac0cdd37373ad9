"""Demo accounts for the sample federation (``examples/federation``), one per role, all with password ``demo``.

The departments are real providers of the sample catalogs, so a walk-through can follow a request from a
玄武区 department to 南京市公安局 and, when it is overdue, up to the 南京市 coordinating office. Listed in
``docs/accounts.md``. Never run this on a node holding real data: anyone can read the password here.
"""

from __future__ import annotations

from typing import Any

from catalog_service.accounts.models import Role, User
from catalog_service.accounts.store import Accounts

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS: tuple[dict[str, Any], ...] = (
    {
        "login": "jiangsu-admin",
        "display_name": "江苏省政务服务管理办公室（演示）",
        "role": Role.ADMIN,
        "department_code": "11320000170094070U",
        "department_name": "江苏省政务服务管理办公室",
        "level": "省",
        "region": "320000",
    },
    {
        "login": "nanjing-admin",
        "display_name": "南京市大数据管理局（演示）",
        "role": Role.ADMIN,
        "department_code": "1132010029268735X3",
        "department_name": "南京市大数据管理局",
        "level": "市",
        "region": "320100",
    },
    {
        "login": "nanjing-police",
        "display_name": "南京市公安局目录管理员（演示）",
        "role": Role.MANAGER,
        "department_code": "11320100155006351N",
        "department_name": "南京市公安局",
        "level": "市",
        "region": "320100",
    },
    {
        "login": "xuanwu-requester",
        "display_name": "玄武区民政局申请人（演示）",
        "role": Role.REQUESTER,
        "department_code": "113201021733417942",
        "department_name": "南京市玄武区民政局",
        "level": "县",
        "region": "320102",
    },
)
"""Keyword arguments of :meth:`Accounts.add_user` for each demo account (the credit codes are the examples')."""


def ensure_demo_accounts(accounts: Accounts) -> list[User]:
    """Create the demo accounts that do not exist yet and return all of them; existing ones are left as they are."""
    users = []
    for fields in DEMO_ACCOUNTS:
        user = accounts.get_user(fields["login"]) or accounts.add_user(password=DEMO_PASSWORD, **fields)
        users.append(user)
    return users
