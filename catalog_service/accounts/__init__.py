"""Identity and access control: users of government departments, their roles, sessions and API tokens.

Accounts live in ``{data_dir}/accounts.sqlite`` (:class:`Accounts`), never in the queryable RDF store. The
web side (sign-in, CSRF, ``current_user``, ``require_role``) is in :mod:`catalog_service.accounts.web` and
:mod:`catalog_service.accounts.access`; it is kept out of this module so the command line need not load Flask
views. See ``docs/accounts.md``.
"""

from catalog_service.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from catalog_service.accounts.models import AccountError, Role, TokenInfo, User
from catalog_service.accounts.passwords import PasswordHasher, check_new_password
from catalog_service.accounts.store import Accounts

__all__ = [
    "DEMO_PASSWORD",
    "AccountError",
    "Accounts",
    "PasswordHasher",
    "Role",
    "TokenInfo",
    "User",
    "check_new_password",
    "ensure_demo_accounts",
]
