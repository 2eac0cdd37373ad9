"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Eighteen characters: registration authority (1), organisation type (1), GB/T 2260 division (6), organisation
code (9) and a check character computed mod 31 over the first seventeen. The SHACL profile checks the same
rule in SPARQL (``shapes/``); this module serves code that needs it in Python, such as the sample generator.
"""

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use (I, O, S, V and Z are excluded); a character's value is its index."""

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""3**i mod 31 for positions 1..17."""

PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    """The check character for the first seventeen characters of a code."""
    if len(first17) != 17 or any(c not in ALPHABET for c in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Whether ``code`` has the GB 32100 form and a correct check character."""
    return bool(PATTERN.match(code)) and check_character(code[:17]) == code[17]
