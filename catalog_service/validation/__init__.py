"""Validation of catalog records against the profile's SHACL shapes (``shapes/gov-catalog-shapes.ttl``).

Two engines give the same findings: ``fast`` (the default) compiles the shapes into SPARQL run by pyoxigraph
and is what loading and harvesting use; ``reference`` is pyshacl, slow, the definition of what the shapes mean
and the way to double-check one record. Literals are judged as the catalog store keeps them: pyoxigraph
writes valid numbers, booleans and dates in canonical form (``"01"^^xsd:integer`` is stored as ``"1"``).

Usage::

    report = validate(parse_file("catalog.ttl"))
    if not report.conforms:
        print(report.to_text("zh"))
    keep = without_records(triples, report.invalid_records())
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from catalog_service.validation import reference
from catalog_service.validation.fast import UnsupportedShapeError, default_validator
from catalog_service.validation.report import Finding, ValidationReport, ValidationResult

__all__ = ["Finding", "UnsupportedShapeError", "ValidationReport", "ValidationResult", "validate"]

ENGINES = ("fast", "reference")


def validate(triples: Iterable[ox.Triple | ox.Quad] | ox.Store, *, engine: str = "fast") -> ValidationReport:
    """Validate the records among ``triples`` (or in every graph of a store) with the chosen engine."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}")
    data = [t if isinstance(t, ox.Triple) else ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    if engine == "reference":
        return reference.validate(data)
    return default_validator().validate(data)
