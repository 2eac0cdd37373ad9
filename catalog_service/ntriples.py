"""Triples as N-Triples statements in Python strings: the harvesting pipeline's cheap form of RDF.

A harvest moves hundreds of thousands of triples from a page to the store. As pyoxigraph objects every triple
costs a few microseconds each time Python touches it (creating it, reading a term, hashing it), several times
over on the way; as one line of N-Triples (``<s> <p> "o"@zh .``) it is a string, which Python splits, hashes,
sorts and compares at C speed, and which pyoxigraph parses straight into a store. The pipeline keeps records
in this form from parsing to writing; a term is then its N-Triples text (``<iri>``, ``_:id``, ``"v"@zh``).

``str()`` of a pyoxigraph triple is the same text as its N-Triples line without the final `` .``, so checksums
computed from either form agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def statements(triples: Iterable[ox.Triple]) -> list[str]:
    """The N-Triples line (without newline) of each triple."""
    return [f"{t} ." for t in triples]


def triples(lines: Iterable[str]) -> list[ox.Triple]:
    """The pyoxigraph triples of N-Triples lines; blank node labels are kept, so lines of one document agree."""
    return [q.triple for q in ox.parse(document(lines), format=ox.RdfFormat.N_TRIPLES)]


def document(lines: Iterable[str]) -> bytes:
    """An N-Triples document of the lines."""
    return "".join(line + "\n" for line in lines).encode()


def lines_of(data: bytes) -> list[str]:
    """The statements of an N-Triples document as pyoxigraph writes it: one per line."""
    return data.decode().splitlines()


def terms(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object of a line (neither subject nor predicate holds a space)."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[:-2]


def subject_of(line: str) -> str:
    return line[: line.index(" ")]


def subjects(lines: Iterable[str]) -> set[str]:
    """The values (IRIs, blank node ids) of the lines' subjects."""
    return {value(term) for term in {line[: line.index(" ")] for line in lines}}


def iri(value: str) -> str:
    """The N-Triples term of an IRI."""
    return f"<{value}>"


def value(term: str) -> str:
    """What pyoxigraph's ``.value`` gives for the term: the IRI, the blank node's id or the literal's lexical form."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == "_":
        return term[2:]
    lexical = term[1 : term.rindex('"')]
    return _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical


def is_blank(term: str) -> bool:
    return term[0] == "_"


def is_literal(term: str) -> bool:
    return term[0] == '"'


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ESCAPED.get(match.group(3), match.group(0))
