"""Reading RDF documents into triples with pyoxigraph, and saying exactly where a bad one breaks.

rdflib is about 35 times slower at parsing, so the catalog reads and writes RDF with pyoxigraph only.
A parse error becomes an :class:`InputError` carrying the line and column the parser reported.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

_EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
T = TypeVar("T")
_POSITION = re.compile(r"line (\d+),? (?:between columns|column) (\d+)")


@dataclass
class InputError(Exception):
    """A document that cannot be read; ``line``/``column`` are 1-based where the parser knows them."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f":{self.line}:{self.column}" if self.line else ""
        return f"{self.source}{where}: {self.message}"


def rdf_format_for(path: str | Path) -> ox.RdfFormat | None:
    """The RDF syntax a file name suggests, or ``None`` when the extension is not an RDF one."""
    return _EXTENSIONS.get(Path(path).suffix.lower())


def parse_bytes(
    data: bytes, rdf_format: ox.RdfFormat, *, source: str = "<input>", base_iri: str | None = None
) -> list[ox.Triple]:
    """Parse a whole document; quads formats keep only their triples' content (graph names are ours to set).

    RDF/XML with a document type declaration is refused outright: entity definitions are how XML bombs
    (exponential entity expansion) and external-entity reads get in, and RDF/XML has no need of them.
    """
    return _read(data, rdf_format, source, lambda quads: [q.triple for q in quads], base_iri=base_iri)


def parse_to_ntriples(
    data: bytes, rdf_format: ox.RdfFormat, *, source: str = "<input>", base_iri: str | None = None
) -> bytes:
    """Like :func:`parse_bytes`, but the triples as an N-Triples document (blank nodes with fresh labels, as
    labels are local to a document): pyoxigraph converts it without a Python object per triple, for harvesting
    (:mod:`catalog_service.ntriples`)."""

    def to_ntriples(quads: Iterable[ox.Quad]) -> bytes:
        content = (q.triple for q in quads) if rdf_format.supports_datasets else quads
        return ox.serialize(content, format=ox.RdfFormat.N_TRIPLES)

    return _read(data, rdf_format, source, to_ntriples, base_iri=base_iri, rename_blank_nodes=True)


def _read(
    data: bytes, rdf_format: ox.RdfFormat, source: str, consume: Callable[[Iterable[ox.Quad]], T], **options: Any
) -> T:
    """Parse with ``options`` and hand the quads to ``consume``; the parser's errors become :class:`InputError`."""
    if rdf_format == ox.RdfFormat.RDF_XML and _DOCTYPE.search(data):
        raise InputError(
            source, "拒绝含 DOCTYPE/ENTITY 声明的 XML / XML with a DOCTYPE or ENTITY declaration is refused"
        )
    try:
        return consume(ox.parse(data, format=rdf_format, **options))
    except SyntaxError as error:
        raise _input_error(source, error) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(source, str(error)) from None


def parse_file(path: str | Path, rdf_format: ox.RdfFormat | None = None) -> list[ox.Triple]:
    """Parse an RDF file, choosing the syntax from its extension unless ``rdf_format`` is given."""
    path = Path(path)
    rdf_format = rdf_format or rdf_format_for(path)
    if rdf_format is None:
        raise InputError(str(path), f"不支持的文件类型 / unsupported file type {path.suffix!r}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), error.strerror or str(error)) from None
    return parse_bytes(data, rdf_format, source=str(path), base_iri=path.resolve().as_uri())


def serialize(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialize triples, with prefixes for the syntaxes that use them."""
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3):
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes or {})
    return ox.serialize(triples, format=rdf_format)


def _input_error(source: str, error: SyntaxError) -> InputError:
    text = str(error)
    match = _POSITION.search(text)
    if match:
        return InputError(source, text, int(match.group(1)), int(match.group(2)))
    return InputError(source, text, error.lineno, error.offset)
