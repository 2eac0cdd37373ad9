"""Password hashing with scrypt from the standard library, parameters stored with each hash.

A hash is kept as ``scrypt$n=32768,r=8,p=3$<salt>$<key>`` (salt and key in unpadded base64), so the cost can
be raised later without invalidating existing passwords: :meth:`Accounts.authenticate` re-hashes a password
stored with older parameters the next time its owner signs in.

The default cost follows OWASP's scrypt guidance (a memory cost equivalent to N=2**17, r=8, p=1, spent as
N=2**15 with p=3 so that a sign-in holds 32 MiB rather than 128 MiB), about a third of a second on a server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from catalog_service.accounts.models import AccountError

ALGORITHM = "scrypt"
MIN_PASSWORD_LENGTH = 8
"""For passwords people choose (command line, forms); :meth:`Accounts.add_user` itself only refuses empty ones."""
SALT_BYTES = 16
KEY_BYTES = 32


@dataclass(frozen=True)
class PasswordHasher:
    """scrypt parameters: ``n`` CPU/memory cost (a power of two), ``r`` block size, ``p`` parallelism."""

    n: int = 2**15
    r: int = 8
    p: int = 3

    def hash(self, password: str) -> str:
        """A new salted hash of ``password`` in the stored form."""
        salt = secrets.token_bytes(SALT_BYTES)
        key = _derive(password, salt, self.n, self.r, self.p)
        return f"{ALGORITHM}$n={self.n},r={self.r},p={self.p}${_b64(salt)}${_b64(key)}"

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` was made with these parameters (otherwise it should be re-hashed)."""
        try:
            return _parse(stored)[:3] == (self.n, self.r, self.p)
        except ValueError:
            return False


DEFAULT_HASHER = PasswordHasher()


def check_new_password(password: str) -> None:
    """Refuse (422) a password too short to resist guessing, before it is set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            422,
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``, compared in constant time; a malformed hash matches nothing."""
    try:
        n, r, p, salt, key = _parse(stored)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(password, salt, n, r, p), key)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # scrypt needs 128 * r * n bytes per lane; allow twice that so valid parameters never hit the default cap.
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20, dklen=KEY_BYTES)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    try:
        algorithm, parameters, salt, key = stored.split("$")
        values = dict(item.split("=", 1) for item in parameters.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        decoded = _unb64(salt), _unb64(key)
    except (KeyError, ValueError, TypeError) as error:
        raise ValueError("not a stored password hash") from error
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown password hash algorithm {algorithm!r}")
    return n, r, p, *decoded


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
