"""Metadata quality score per entry and per catalog, in the spirit of data.europa.eu's MQA.

Five dimensions (findability, accessibility, interoperability, reusability, contextuality), each a set of
checks worth documented points (:data:`CHECKS`, the table in ``docs/quality.md``). An entry's score is the sum
of the points of the checks it passes; its rating follows the share of the maximum (:func:`rating`).

Everything is computed in a few batched queries over the current graphs, never one round trip per entry: one
SELECT gives every entry's facts, and the fast SHACL validator checks the catalog's triples in one call; its
violations and warnings count in the interoperability dimension.

Usage::

    scores = score_entries(store)                 # {dataset IRI: EntryScore}
    summary = catalog_summary(store)              # per department and per catalog: mean, histogram
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from catalog_service.store import REGIONS_GRAPH, REGISTRY_GRAPH, RUNS_GRAPH, VOCABULARY_GRAPH, CatalogStore
from catalog_service.uscc import is_valid
from catalog_service.validation import validate


@dataclass(frozen=True)
class Check:
    """One check: its key, dimension, points and what it asks, in Chinese and English."""

    key: str
    dimension: str
    points: int
    zh: str
    en: str


DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
CHECKS: tuple[Check, ...] = (
    Check("keyword", "findability", 30, "有关键词 dcat:keyword", "keywords (dcat:keyword)"),
    Check(
        "category", "findability", 30, "有资源分类或主题", "classification or theme (gc:resourceCategory/dcat:theme)"
    ),
    Check("spatial", "findability", 20, "有行政区划 dct:spatial", "division (dct:spatial)"),
    Check("temporal", "findability", 20, "有时间范围或发布日期", "temporal coverage or release date"),
    Check("access", "accessibility", 50, "有分发或服务", "a distribution or data service"),
    Check("access_url", "accessibility", 50, "有访问地址", "an access or endpoint URL"),
    Check("format", "interoperability", 20, "资源格式取自代码表", "format from the resource-format code list"),
    Check("media_type", "interoperability", 10, "分发注明媒体类型", "distribution media type or format"),
    Check("shacl_violations", "interoperability", 30, "无 SHACL 违规", "no SHACL violation"),
    Check("shacl_warnings", "interoperability", 10, "无 SHACL 警告", "no SHACL warning"),
    Check("sharing", "reusability", 20, "注明共享类型和开放属性", "sharing type and openness stated"),
    Check("conditions", "reusability", 10, "注明共享条件或使用要求", "sharing conditions or use requirements"),
    Check("credit_code", "reusability", 20, "提供方统一社会信用代码有效", "provider credit code valid"),
    Check("contact", "reusability", 10, "有联系方式 dcat:contactPoint", "contact point (dcat:contactPoint)"),
    Check("issued", "contextuality", 5, "有发布日期 dct:issued", "release date (dct:issued)"),
    Check("modified", "contextuality", 5, "有更新时间", "last change (dct:modified)"),
    Check("frequency", "contextuality", 10, "有更新周期", "update cycle (dct:accrualPeriodicity)"),
    Check("elements", "contextuality", 10, "有信息项", "data elements (gc:dataElement)"),
)
MAX_POINTS = sum(check.points for check in CHECKS)
RATINGS = (("excellent", 0.85), ("good", 0.55), ("sufficient", 0.30), ("bad", 0.0))
"""A rating is the first whose share of :data:`MAX_POINTS` the score reaches."""
HISTOGRAM_BINS = 10
"""The distribution histogram counts scores in ten equal bins of the maximum."""


def rating(points: int) -> str:
    share = points / MAX_POINTS
    return next(name for name, least in RATINGS if share >= least)


@dataclass
class EntryScore:
    """One entry's score: points per check, the totals, and its SHACL counts."""

    dataset: str
    identifier: str | None
    department: str | None
    catalogs: list[str]
    passed: dict[str, bool]
    violations: int = 0
    warnings: int = 0
    element_count: int = 0

    @property
    def points(self) -> int:
        return sum(check.points for check in CHECKS if self.passed[check.key])

    def dimension_points(self) -> dict[str, dict[str, int]]:
        out = {d: {"points": 0, "max": 0} for d in DIMENSIONS}
        for check in CHECKS:
            out[check.dimension]["max"] += check.points
            out[check.dimension]["points"] += check.points if self.passed[check.key] else 0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "identifier": self.identifier,
            "department": self.department,
            "catalogs": self.catalogs,
            "points": self.points,
            "max": MAX_POINTS,
            "rating": rating(self.points),
            "dimensions": self.dimension_points(),
            "checks": [
                {
                    "key": c.key,
                    "dimension": c.dimension,
                    "points": c.points if self.passed[c.key] else 0,
                    "max": c.points,
                    "passed": self.passed[c.key],
                    "label": {"zh": c.zh, "en": c.en},
                }
                for c in CHECKS
            ],
            "shacl": {"violations": self.violations, "warnings": self.warnings},
            "dataElements": self.element_count,
        }


_ENTRY_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?d ?id ?credit
  (EXISTS { ?d dcat:keyword ?k } AS ?keyword)
  (EXISTS { ?d gc:resourceCategory|dcat:theme ?c } AS ?category)
  (EXISTS { ?d dct:spatial ?s } AS ?spatial)
  (EXISTS { ?d dct:temporal|dct:issued ?t } AS ?temporal)
  (EXISTS { ?d dcat:distribution|dcat:accessService ?a } AS ?access)
  (EXISTS { { ?d dcat:distribution/(dcat:accessURL|dcat:downloadURL) ?u }
            UNION { ?d (dcat:accessService|dcat:distribution/dcat:accessService)/dcat:endpointURL ?u } } AS ?access_url)
  (EXISTS { ?d gc:resourceFormat ?f . ?f a gc:ResourceFormat } AS ?format)
  (EXISTS { ?d dcat:distribution/(dcat:mediaType|dct:format) ?m } AS ?media_type)
  (EXISTS { ?d gc:sharingType ?st ; gc:openness ?op } AS ?sharing)
  (EXISTS { ?d gc:sharingCondition|gc:useRequirement|gc:openCondition ?r } AS ?conditions)
  (EXISTS { ?d dcat:contactPoint ?cp } AS ?contact)
  (EXISTS { ?d dct:issued ?i } AS ?issued)
  (EXISTS { { ?d dct:modified ?mo } UNION { ?rec foaf:primaryTopic ?d ; dct:modified ?mo } } AS ?modified)
  (EXISTS { ?d dct:accrualPeriodicity ?fr } AS ?frequency)
WHERE {
  ?d a dcat:Dataset .
  OPTIONAL { ?d dct:identifier ?id }
  OPTIONAL { ?d dct:publisher/gc:creditCode ?credit }
}
"""

_ELEMENTS_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX gc: <https://w3id.org/gov-catalog/ns#>
SELECT ?d (COUNT(DISTINCT ?e) AS ?n) WHERE { ?d a dcat:Dataset ; gc:dataElement ?e } GROUP BY ?d
"""

_CATALOG_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?cat ?d WHERE { ?cat dcat:dataset ?d . ?d a dcat:Dataset }
"""

_FIXED_GRAPHS = {VOCABULARY_GRAPH, REGIONS_GRAPH, REGISTRY_GRAPH, RUNS_GRAPH}


def source_graphs(store: CatalogStore) -> list[ox.NamedNode]:
    """The current graphs that hold catalog content (not the vocabulary, regions, registry or runs)."""
    return [g for g in store.current_graphs() if g not in _FIXED_GRAPHS]


def _restrict(query: str, datasets: list[str] | None) -> str:
    if datasets is None:
        return query
    values = " ".join(f"<{d}>" for d in datasets)
    return query.replace("WHERE {", f"WHERE {{ VALUES ?d {{ {values} }}", 1)


def _catalog_triples(store: CatalogStore, datasets: list[str] | None) -> list[ox.Triple]:
    """The triples to validate: all of the source graphs, or those describing the given entries."""
    graphs = source_graphs(store)
    if not graphs:
        return []
    if datasets is None:
        seen: set[ox.Triple] = set()
        for graph in graphs:
            for quad in store.raw.quads_for_pattern(None, None, None, graph):
                seen.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        return list(seen)
    out: set[ox.Triple] = set()
    frontier = {ox.NamedNode(d) for d in datasets}
    done: set = set()
    for _ in range(3):  # the entry, its direct nodes (publisher, elements, distributions), and theirs (services)
        following = set()
        for node in frontier - done:
            done.add(node)
            for graph in graphs:
                for quad in store.raw.quads_for_pattern(node, None, None, graph):
                    out.add(ox.Triple(quad.subject, quad.predicate, quad.object))
                    if not isinstance(quad.object, ox.Literal):
                        following.add(quad.object)
        frontier = following
    return list(out)


def score_entries(store: CatalogStore, datasets: Iterable[str] | None = None) -> dict[str, EntryScore]:
    """The score of every entry in the catalog (or of the given dataset IRIs), by dataset IRI."""
    chosen = None if datasets is None else list(datasets)
    if chosen == []:
        return {}
    scores: dict[str, EntryScore] = {}
    for row in store.query(_restrict(_ENTRY_QUERY, chosen)):
        dataset = row["d"].value
        if dataset in scores:
            continue
        passed = {}
        for check in CHECKS:
            if check.key in ("credit_code", "shacl_violations", "shacl_warnings", "elements"):
                continue
            term = row[check.key]
            passed[check.key] = term is not None and term.value == "true"
        credit = row["credit"].value if row["credit"] is not None else None
        passed["credit_code"] = credit is not None and is_valid(credit)
        scores[dataset] = EntryScore(
            dataset=dataset,
            identifier=row["id"].value if row["id"] is not None else None,
            department=credit,
            catalogs=[],
            passed=passed,
        )
    for row in store.query(_restrict(_ELEMENTS_QUERY, chosen)):
        if row["d"].value in scores:
            scores[row["d"].value].element_count = int(row["n"].value)
    for row in store.query(_restrict(_CATALOG_QUERY, chosen)):
        if row["d"].value in scores:
            scores[row["d"].value].catalogs.append(row["cat"].value)
    report = validate(_catalog_triples(store, chosen))
    for result in report.results:
        entry = scores.get(result.record or "")
        if entry is None:
            continue
        if result.severity == "Violation":
            entry.violations += 1
        elif result.severity == "Warning":
            entry.warnings += 1
    for entry in scores.values():
        entry.catalogs.sort()
        entry.passed["shacl_violations"] = entry.violations == 0
        entry.passed["shacl_warnings"] = entry.warnings == 0
        entry.passed["elements"] = entry.element_count > 0
    return scores


@dataclass
class GroupSummary:
    """Scores of a group of entries (a department or a catalog): mean, ratings and histogram."""

    key: str
    scores: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "entries": len(self.scores),
            "mean": round(sum(self.scores) / len(self.scores), 1) if self.scores else None,
            "max": MAX_POINTS,
            "histogram": histogram(self.scores),
            "ratings": {name: sum(rating(s) == name for s in self.scores) for name, _ in RATINGS},
        }


def histogram(scores: Iterable[int]) -> list[dict[str, int]]:
    """Counts of scores in :data:`HISTOGRAM_BINS` equal bins ``[low, high)`` (the last includes the maximum)."""
    width = MAX_POINTS / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for score in scores:
        counts[min(int(score // width), HISTOGRAM_BINS - 1)] += 1
    return [{"from": round(k * width), "to": round((k + 1) * width), "count": counts[k]} for k in range(HISTOGRAM_BINS)]


def catalog_summary(store: CatalogStore, scores: dict[str, EntryScore] | None = None) -> dict[str, Any]:
    """Per department (credit code) and per catalog: number of entries, mean score, ratings, histogram."""
    scores = score_entries(store) if scores is None else scores
    departments: dict[str, GroupSummary] = defaultdict(lambda: GroupSummary(""))
    catalogs: dict[str, GroupSummary] = defaultdict(lambda: GroupSummary(""))
    every = GroupSummary("all")
    for entry in scores.values():
        every.scores.append(entry.points)
        department = departments[entry.department or ""]
        department.key = entry.department or ""
        department.scores.append(entry.points)
        for iri in entry.catalogs:
            catalogs[iri].key = iri
            catalogs[iri].scores.append(entry.points)
    return {
        "max": MAX_POINTS,
        "checks": [
            {"key": c.key, "dimension": c.dimension, "points": c.points, "label": {"zh": c.zh, "en": c.en}}
            for c in CHECKS
        ],
        "overall": every.to_dict(),
        "departments": [departments[k].to_dict() for k in sorted(departments)],
        "catalogs": [catalogs[k].to_dict() for k in sorted(catalogs)],
    }
