"""Loading catalog files: read (RDF or the spreadsheet template), validate, keep the valid records, store.

This is what ``gov-catalog load`` and ``validate`` run; harvesting feeds the same stages from remote sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from catalog_service.rdfio import InputError, parse_file, rdf_format_for
from catalog_service.records import datasets_in, without_records
from catalog_service.store import CatalogStore, SourceVersion
from catalog_service.validation import ValidationReport, validate
from harvesters.spreadsheet import RowError, TemplateError, read_template

SPREADSHEET_EXTENSIONS = (".csv", ".xlsx")


@dataclass
class CatalogDocument:
    """The triples read from one file, and the spreadsheet rows that could not be mapped."""

    path: Path
    triples: list[ox.Triple]
    row_errors: list[RowError] = field(default_factory=list)


@dataclass
class LoadResult:
    """What a load did: the validation report, the records kept, and the stored version."""

    document: CatalogDocument
    report: ValidationReport
    stored_records: list[str]
    version: SourceVersion | None


def read_catalog_file(path: str | Path) -> CatalogDocument:
    """Read an RDF file or a filled-in spreadsheet template; raises :class:`InputError` if unreadable."""
    path = Path(path)
    if path.suffix.lower() in SPREADSHEET_EXTENSIONS:
        try:
            result = read_template(path)
        except TemplateError as error:
            raise InputError(str(path), str(error)) from None
        except OSError as error:
            raise InputError(str(path), error.strerror or str(error)) from None
        return CatalogDocument(path, result.triples, list(result.row_errors))
    if rdf_format_for(path) is None:
        raise InputError(str(path), f"不支持的文件类型 / unsupported file type {path.suffix!r}")
    return CatalogDocument(path, parse_file(path))


def check_document(document: CatalogDocument) -> ValidationReport:
    """Validate a document's records against the SHACL profile (fast engine)."""
    return validate(document.triples)


def load_file(store: CatalogStore, path: str | Path, source: str) -> LoadResult:
    """Make the valid records of ``path`` the new content of ``source``; invalid records are reported, not stored.

    Reading errors raise before anything is written, so a bad file leaves the source's previous version.
    """
    document = read_catalog_file(path)
    report = check_document(document)
    kept = without_records(document.triples, report.invalid_records())
    version = store.replace_source(source, kept)
    return LoadResult(document, report, datasets_in(kept), version)
