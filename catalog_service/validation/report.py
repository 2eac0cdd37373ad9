"""What validation says about a batch of records, in a form people and programs can both use.

Engines produce :class:`Finding` tuples — exactly the fields of a SHACL validation result that decide a verdict,
so that two engines can be compared with ``==``. :func:`assemble` adds what a reader needs: the messages from
the shapes and the *record* (目录条目, the ``dcat:Dataset``) that each result belongs to, since a catalog keeps
or rejects whole records. A provider shared by several records is reported once for each of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.validation.shapes import messages

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_RECORD_PREFIXES = f"""
PREFIX rdf: <{ns.RDF}>
PREFIX rdfs: <{ns.RDFS}>
PREFIX dcat: <{ns.DCAT}>
PREFIX dct: <{ns.DCT}>
PREFIX gc: <{ns.GC}>
"""
RECORDS = _RECORD_PREFIXES + "SELECT DISTINCT ?record WHERE { ?record rdf:type/rdfs:subClassOf* dcat:Dataset }"
"""Every record: a SHACL instance of ``dcat:Dataset``, as ``gcsh:Dataset`` targets them."""

OWNERS = (
    _RECORD_PREFIXES
    + """SELECT DISTINCT ?record ?node WHERE {
    ?record dct:publisher|gc:dataElement ?node .
    FILTER EXISTS { ?record rdf:type/rdfs:subClassOf* dcat:Dataset }
}"""
)
"""The records whose provider or data element ``?node`` is (engines bind ``?node`` before running it;
oxigraph wants the bound variable projected, and evaluates the type test as a filter much faster).

Both engines run these two queries on the graph they validated, so they attribute results alike."""

SEVERITIES = ("Violation", "Warning", "Info")
_LABELS = {
    "zh": {
        "Violation": "违规",
        "Warning": "警告",
        "Info": "提示",
        "none": "（不属于任何目录条目）",
        "focus": "对象",
        "value": "值",
        "summary": "共检查 {checked} 条目录条目，{invalid} 条不合规；违规 {violations} 项，警告 {warnings} 项。",
    },
    "en": {
        "Violation": "violation",
        "Warning": "warning",
        "Info": "info",
        "none": "(not part of any record)",
        "focus": "node",
        "value": "value",
        "summary": "{checked} records checked, {invalid} invalid; {violations} violation(s), {warnings} warning(s).",
    },
}


class Finding(NamedTuple):
    """One SHACL validation result as an engine finds it; equal findings mean equal verdicts.

    Paths, components, shapes and constraints are IRIs; ``severity`` is ``Violation``, ``Warning`` or ``Info``.
    """

    focus_node: Term
    result_path: str | None
    value: Term | None
    severity: str
    component: str
    source_shape: str
    source_constraint: str | None


@dataclass(frozen=True)
class ValidationResult:
    """One result, with its messages and the record it counts against (``None`` if it belongs to none)."""

    focus_node: Term
    result_path: str | None
    value: Term | None
    severity: str
    component: str
    source_shape: str
    source_constraint: str | None
    message_zh: str
    message_en: str
    record: str | None

    @property
    def finding(self) -> Finding:
        """The engine-independent part of the result, for comparing engines."""
        return Finding(
            self.focus_node,
            self.result_path,
            self.value,
            self.severity,
            self.component,
            self.source_shape,
            self.source_constraint,
        )

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; terms are written as in N-Triples, other IRIs bare."""
        return {
            "record": self.record,
            "focusNode": _text(self.focus_node),
            "resultPath": self.result_path,
            "value": None if self.value is None else _text(self.value),
            "severity": self.severity,
            "sourceConstraintComponent": self.component,
            "sourceShape": self.source_shape,
            "sourceConstraint": self.source_constraint,
            "message": {"zh": self.message_zh, "en": self.message_en},
        }


@dataclass
class ValidationReport:
    """The results of validating some records; ``records_checked`` counts the ``dcat:Dataset`` nodes seen."""

    results: list[ValidationResult] = field(default_factory=list)
    records_checked: int = 0

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not make a record invalid)."""
        return not any(r.severity == "Violation" for r in self.results)

    def invalid_records(self) -> set[str]:
        """The records with at least one violation, as their IRIs (blank-node records by their id)."""
        return {r.record for r in self.results if r.severity == "Violation" and r.record is not None}

    def findings(self) -> set[Finding]:
        """The distinct findings, whatever records they count against (what two engines must agree on)."""
        return {r.finding for r in self.results}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form of the whole report."""
        return {
            "conforms": self.conforms,
            "recordsChecked": self.records_checked,
            "invalidRecords": sorted(self.invalid_records()),
            "results": [r.to_dict() for r in self.results],
        }

    def to_text(self, lang: str = "zh") -> str:
        """A readable report in ``lang`` (``zh`` or ``en``): per record, each result's path, value and message."""
        labels = _LABELS["en" if lang == "en" else "zh"]
        lines = [
            labels["summary"].format(
                checked=self.records_checked,
                invalid=len(self.invalid_records()),
                violations=sum(r.severity == "Violation" for r in self.results),
                warnings=sum(r.severity == "Warning" for r in self.results),
            )
        ]
        by_record: dict[str | None, list[ValidationResult]] = defaultdict(list)
        for result in self.results:
            by_record[result.record].append(result)
        for record, results in by_record.items():
            lines.append("")
            lines.append(labels["none"] if record is None else record)
            for r in results:
                subject = _compact(r.result_path) if r.result_path else ""
                if r.value is not None:
                    subject += f" {labels['value']} {_text(r.value)}"
                lines.append(f"  [{labels[r.severity]}] {subject.strip()}")
                lines.append(f"      {r.message(lang)}")
                if record is None or _text(r.focus_node) != record:
                    lines.append(f"      {labels['focus']}: {_text(r.focus_node)}")
        return "\n".join(lines)


def assemble(
    findings: Iterable[Finding], records: Collection[Term], owners: Mapping[Term, Collection[Term]]
) -> ValidationReport:
    """Build a report from an engine's findings, the records (:data:`RECORDS`) and their :data:`OWNERS`.

    Each finding becomes one result per record its focus node belongs to: the record itself, or else the
    records in ``owners`` of the focus node; a finding on a node no record points to becomes one result
    without a record. Repeated findings (from overlapping batches) count once.
    """
    results = []
    for finding in dict.fromkeys(findings):
        zh, en = messages(finding.source_shape, finding.source_constraint)
        node = finding.focus_node
        belongs_to = [node] if node in records else owners.get(node, ())
        for record in sorted({r.value for r in belongs_to}) or [None]:
            results.append(ValidationResult(*finding, message_zh=zh, message_en=en, record=record))
    results.sort(key=_order)
    return ValidationReport(results, records_checked=len(records))


def _order(result: ValidationResult) -> tuple:
    return (
        result.record is None,
        result.record or "",
        SEVERITIES.index(result.severity),
        result.source_shape,
        str(result.focus_node),
        result.result_path or "",
        str(result.value),
    )


def _text(term: Term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _compact(iri: str) -> str:
    for prefix, namespace in ns.PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def severity_name(iri: str) -> str:
    """``Violation``, ``Warning`` or ``Info`` for a SHACL severity IRI; other severities are refused."""
    name = iri.removeprefix(ns.SH)
    if name not in SEVERITIES:
        raise ValueError(f"unknown SHACL severity {iri}")
    return name
