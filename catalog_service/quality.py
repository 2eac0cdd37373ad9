"""Metadata quality score per entry and per catalog, in the spirit of data.europa.eu's MQA.

Five dimensions (findability, accessibility, interoperability, reusability, contextuality), each a set of
checks worth documented points (:data:`CHECKS`, the table in ``docs/quality.md``). An entry's score is the sum
of the points of the checks it passes; its rating follows the share of the maximum (:func:`rating`). Each
check says what to do when it fails, in Chinese and English, for the dataset page.

Each entry's description (the entry, the nodes it links to and theirs, its catalog records) is read from the
readable source graphs by index lookups and judged in Python; SHACL runs once per batch of entries
(:data:`BATCH`) with the fast validator, its violations and warnings counting in the interoperability
dimension. The cost grows with the number of entries scored, never with the size of the store: a SPARQL
``EXISTS`` per entry and check, as this module first had, pyoxigraph evaluates without the entry bound.

Scores follow the store they are given: an audience view (``CatalogStore.for_audience``) scores, counts and
groups only the entries that audience may read, so a summary for the public says nothing of the others.
:class:`QualityCache` keeps catalog summaries until the store changes (docs/quality.md says what that costs).

Usage::

    scores = score_entries(store)                 # {dataset IRI: EntryScore}
    summary = catalog_summary(store)              # per department and per catalog: mean, histogram
    quality_of_catalog(store, catalog_iri)        # one catalog with its sub-catalogs: histogram, dimensions
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.store import CatalogStore
from catalog_service.uscc import is_valid
from catalog_service.validation import validate


@dataclass(frozen=True)
class Check:
    """One check: its key, dimension, points, what it asks and what to do when it fails (Chinese, English)."""

    key: str
    dimension: str
    points: int
    zh: str
    en: str
    advice_zh: str
    advice_en: str


DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
CHECKS: tuple[Check, ...] = (
    Check(
        "keyword", "findability", 30, "有关键词 dcat:keyword", "keywords (dcat:keyword)",
        "填写关键词，便于检索。", "Add keywords, so that searches find the entry.",
    ),
    Check(
        "category", "findability", 30, "有资源分类或主题", "classification or theme (gc:resourceCategory/dcat:theme)",
        "按编制指南填写信息资源分类。", "State the resource category of the compilation guide.",
    ),
    Check(
        "spatial", "findability", 20, "有行政区划 dct:spatial", "division (dct:spatial)",
        "填写行政区划代码（GB/T 2260）。", "State the administrative division (GB/T 2260 code).",
    ),
    Check(
        "temporal", "findability", 20, "有时间范围或发布日期", "temporal coverage or release date",
        "填写时间范围或发布日期。", "State the period covered or the release date.",
    ),
    Check(
        "access", "accessibility", 50, "有分发或服务", "a distribution or data service",
        "提供分发（如下载文件）或数据服务（接口）。", "Offer a distribution (a file) or a data service (an API).",
    ),
    Check(
        "access_url", "accessibility", 50, "有访问地址", "an access or endpoint URL",
        "为分发或服务填写访问地址、下载地址或接口地址。",
        "Give the distribution's access or download URL, or the service's endpoint URL.",
    ),
    Check(
        "format", "interoperability", 20, "资源格式取自代码表", "format from the resource-format code list",
        "从资源格式代码表中选择信息资源格式。", "Choose the resource format from the resource-format code list.",
    ),
    Check(
        "media_type", "interoperability", 10, "分发注明媒体类型", "distribution media type or format",
        "为分发注明媒体类型或文件格式。", "State the distribution's media type or file format.",
    ),
    Check(
        "shacl_violations", "interoperability", 30, "无 SHACL 违规", "no SHACL violation",
        "按校验报告修正不符合目录规范的项。", "Correct what the validation report says breaks the profile.",
    ),
    Check(
        "shacl_warnings", "interoperability", 10, "无 SHACL 警告", "no SHACL warning",
        "按校验报告补充建议项（如摘要不少于 20 字）。",
        "Add what the validation report recommends (such as a description of at least 20 characters).",
    ),
    Check(
        "sharing", "reusability", 20, "注明共享类型和开放属性", "sharing type and openness stated",
        "填写共享类型和是否向社会开放。", "State the sharing type and whether the entry is open to society.",
    ),
    Check(
        "conditions", "reusability", 10, "注明共享条件或使用要求", "sharing conditions or use requirements",
        "填写共享条件、开放条件或使用要求。", "State the sharing or opening conditions, or the use requirements.",
    ),
    Check(
        "credit_code", "reusability", 20, "提供方统一社会信用代码有效", "provider credit code valid",
        "核对提供方的统一社会信用代码（含校验位）。",
        "Check the provider's unified social credit code (and its check digit).",
    ),
    Check(
        "contact", "reusability", 10, "有联系方式 dcat:contactPoint", "contact point (dcat:contactPoint)",
        "填写联系方式。", "Give a contact point.",
    ),
    Check(
        "issued", "contextuality", 5, "有发布日期 dct:issued", "release date (dct:issued)",
        "填写发布日期。", "State the release date.",
    ),
    Check(
        "modified", "contextuality", 5, "有更新时间", "last change (dct:modified)",
        "注明最近更新时间。", "State when the entry last changed.",
    ),
    Check(
        "frequency", "contextuality", 10, "有更新周期", "update cycle (dct:accrualPeriodicity)",
        "填写更新周期。", "State the update cycle.",
    ),
    Check(
        "elements", "contextuality", 10, "有信息项", "data elements (gc:dataElement)",
        "列出信息项（名称和数据类型）。", "List the data elements (name and data type).",
    ),
)  # fmt: skip
MAX_POINTS = sum(check.points for check in CHECKS)
RATINGS = (("excellent", 0.85), ("good", 0.55), ("sufficient", 0.30), ("bad", 0.0))
"""A rating is the first whose share of :data:`MAX_POINTS` the score reaches."""
HISTOGRAM_BINS = 10
"""The distribution histogram counts scores in ten equal bins of the maximum."""
BATCH = 500
"""Entries validated in one call of the SHACL validator: large enough to amortise a call, small in memory."""


def rating(points: float) -> str:
    share = points / MAX_POINTS
    return next(name for name, least in RATINGS if share >= least)


def check_json(check: Check) -> dict[str, Any]:
    """A check as the API and the pages give it: what it asks and what to do, in both languages."""
    return {
        "key": check.key,
        "dimension": check.dimension,
        "points": check.points,
        "label": {"zh": check.zh, "en": check.en},
        "advice": {"zh": check.advice_zh, "en": check.advice_en},
    }


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
                    **check_json(c),
                    "points": c.points if self.passed[c.key] else 0,
                    "max": c.points,
                    "passed": self.passed[c.key],
                }
                for c in CHECKS
            ],
            "shacl": {"violations": self.violations, "warnings": self.warnings},
            "dataElements": self.element_count,
        }


def _iri(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


_TYPE = _iri(ns.RDF, "type")
_DATASET = _iri(ns.DCAT, "Dataset")
_IDENTIFIER, _PUBLISHER, _CREDIT_CODE = _iri(ns.DCT, "identifier"), _iri(ns.DCT, "publisher"), _iri(ns.GC, "creditCode")
_DISTRIBUTION, _SERVICE = _iri(ns.DCAT, "distribution"), _iri(ns.DCAT, "accessService")
_PRIMARY_TOPIC, _IN_CATALOG = _iri(ns.FOAF, "primaryTopic"), _iri(ns.DCAT, "dataset")
_MODIFIED, _RESOURCE_FORMAT = _iri(ns.DCT, "modified"), _iri(ns.GC, "resourceFormat")
_DATA_ELEMENT = _iri(ns.GC, "dataElement")
_STATED: dict[str, tuple[ox.NamedNode, ...]] = {
    "keyword": (_iri(ns.DCAT, "keyword"),),
    "category": (_iri(ns.GC, "resourceCategory"), _iri(ns.DCAT, "theme")),
    "spatial": (_iri(ns.DCT, "spatial"),),
    "temporal": (_iri(ns.DCT, "temporal"), _iri(ns.DCT, "issued")),
    "access": (_DISTRIBUTION, _SERVICE),
    "conditions": (_iri(ns.GC, "sharingCondition"), _iri(ns.GC, "useRequirement"), _iri(ns.GC, "openCondition")),
    "contact": (_iri(ns.DCAT, "contactPoint"),),
    "issued": (_iri(ns.DCT, "issued"),),
    "frequency": (_iri(ns.DCT, "accrualPeriodicity"),),
}
"""Checks that pass when the entry states one of these properties."""
_ACCESS_URLS = (_iri(ns.DCAT, "accessURL"), _iri(ns.DCAT, "downloadURL"))
_MEDIA_TYPES = (_iri(ns.DCAT, "mediaType"), _iri(ns.DCT, "format"))
_ENDPOINT_URL = _iri(ns.DCAT, "endpointURL")
_SHARING = (_iri(ns.GC, "sharingType"), _iri(ns.GC, "openness"))
_FORMATS_QUERY = "SELECT ?f WHERE { ?f a <https://w3id.org/gov-catalog/ns#ResourceFormat> }"
_ALL_ENTRIES_QUERY = "SELECT DISTINCT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
def iri_list(iris: Iterable[str]) -> str:
    """IRIs written for a ``VALUES`` block; each is checked by pyoxigraph, so none can close the block."""
    return " ".join(str(ox.NamedNode(iri)) for iri in iris)


class _Description:
    """What the readable source graphs say of one entry: its triples, those of the nodes it links to and of
    theirs (publisher, data elements, distributions and their services), and its catalog records.

    Read with one index lookup per node and graph: pyoxigraph answers that an order of magnitude faster than a
    SPARQL query.
    """

    def __init__(self, store: CatalogStore, dataset: ox.NamedNode, graphs: frozenset[ox.NamedNode]) -> None:
        self._store, self._graphs = store, graphs
        self.triples: set[ox.Triple] = set()
        self._values: dict[ox.Term, dict[ox.NamedNode, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        frontier, done = {dataset}, set()
        for _ in range(3):  # the entry, its direct nodes, and theirs (a distribution's service)
            following = set()
            for node in frontier - done:
                done.add(node)
                for triple in self._quads(node, None, None):
                    if triple not in self.triples:
                        self.triples.add(triple)
                        self._values[triple.subject][triple.predicate].append(triple.object)
                    if _described_in_sources(triple):
                        following.add(triple.object)
            frontier = following
        self.records = [t.subject for t in self._quads(None, _PRIMARY_TOPIC, dataset)]
        self.catalogs = sorted({t.subject.value for t in self._quads(None, _IN_CATALOG, dataset)})

    def _quads(self, subject, predicate, obj) -> Iterator[ox.Triple]:
        for graph in self._graphs:
            for quad in self._store.raw.quads_for_pattern(subject, predicate, obj, graph):
                yield quad.triple

    def values(self, subject: ox.Term, *predicates: ox.NamedNode) -> list[ox.Term]:
        return [v for p in predicates for v in self._values.get(subject, {}).get(p, ())]

    def record_modified(self) -> bool:
        return any(next(self._quads(record, _MODIFIED, None), None) for record in self.records)


_NOT_FOLLOWED = (_TYPE, _iri(ns.DCT, "relation"))
"""Links to classes and to other entries: nothing of the entry's own description is behind them."""
_VOCABULARY_PREFIXES = (ns.CODE, ns.REGION, ns.EU_FREQUENCY)


def _described_in_sources(triple: ox.Triple) -> bool:
    """Whether the triple's object may be a node of the entry's description, worth a lookup (code-list
    concepts and divisions live in the vocabulary graphs, never in a source's)."""
    target = triple.object
    if isinstance(target, ox.Literal) or triple.predicate in _NOT_FOLLOWED:
        return False
    return not (isinstance(target, ox.NamedNode) and target.value.startswith(_VOCABULARY_PREFIXES))


def _judge(description: _Description, dataset: ox.NamedNode, formats: set[ox.Term]) -> EntryScore:
    """Every check but SHACL on one entry's description."""
    d, values = dataset, description.values
    distributions = values(d, _DISTRIBUTION)
    services = values(d, _SERVICE) + [s for dist in distributions for s in values(dist, _SERVICE)]
    passed = {key: bool(values(d, *predicates)) for key, predicates in _STATED.items()}
    passed["access_url"] = any(values(x, *_ACCESS_URLS) for x in distributions) or any(
        values(s, _ENDPOINT_URL) for s in services
    )
    passed["format"] = any(f in formats for f in values(d, _RESOURCE_FORMAT))
    passed["media_type"] = any(values(x, *_MEDIA_TYPES) for x in distributions)
    passed["sharing"] = all(values(d, p) for p in _SHARING)
    passed["modified"] = bool(values(d, _MODIFIED)) or description.record_modified()
    credits = sorted({c.value for p in values(d, _PUBLISHER) for c in values(p, _CREDIT_CODE)})
    passed["credit_code"] = any(is_valid(code) for code in credits)
    elements = len(set(values(d, _DATA_ELEMENT)))
    passed["elements"] = elements > 0
    identifiers = sorted(v.value for v in values(d, _IDENTIFIER))
    return EntryScore(
        dataset=d.value,
        identifier=identifiers[0] if identifiers else None,
        department=next((c for c in credits if is_valid(c)), credits[0] if credits else None),
        catalogs=description.catalogs,
        passed=passed,
        element_count=elements,
    )


def score_entries(store: CatalogStore, datasets: Iterable[str] | None = None) -> dict[str, EntryScore]:
    """The score of every entry the store shows (or of those of the given dataset IRIs), by dataset IRI.

    IRIs that are not entries the store shows are left out of the answer.
    """
    if datasets is None:
        chosen = [row["d"].value for row in store.query(_ALL_ENTRIES_QUERY)]
    else:
        chosen = list(dict.fromkeys(datasets))
    graphs = frozenset(store.content_graphs())
    formats = {row["f"] for row in store.query(_FORMATS_QUERY)}
    scores: dict[str, EntryScore] = {}
    for start in range(0, len(chosen), BATCH):
        scores.update(_score_batch(store, chosen[start : start + BATCH], graphs, formats))
    return scores


def _score_batch(
    store: CatalogStore, batch: Sequence[str], graphs: frozenset[ox.NamedNode], formats: set[ox.Term]
) -> dict[str, EntryScore]:
    """A batch of entries: the profile checks one by one, SHACL for the batch in one call of the validator."""
    scores, triples = {}, set()
    for iri in batch:
        dataset = ox.NamedNode(iri)
        description = _Description(store, dataset, graphs)
        if _DATASET not in description.values(dataset, _TYPE):
            continue
        scores[iri] = _judge(description, dataset, formats)
        triples |= description.triples
    for result in validate(list(triples)).results:
        entry = scores.get(result.record or "")
        if entry is None:
            continue
        if result.severity == "Violation":
            entry.violations += 1
        elif result.severity == "Warning":
            entry.warnings += 1
    for entry in scores.values():
        entry.passed["shacl_violations"] = entry.violations == 0
        entry.passed["shacl_warnings"] = entry.warnings == 0
    return scores


# -- groups of entries ----------------------------------------------------------------------------


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
        "checks": [check_json(c) for c in CHECKS],
        "overall": every.to_dict(),
        "departments": [departments[k].to_dict() for k in sorted(departments)],
        "catalogs": [catalogs[k].to_dict() for k in sorted(catalogs)],
    }


def group_quality(key: str, entries: Iterable[EntryScore]) -> dict[str, Any]:
    """A group's summary with what the catalog page shows besides: the mean per dimension and, per check,
    how many entries pass it."""
    entries = list(entries)
    out = GroupSummary(key, [e.points for e in entries]).to_dict()
    out["rating"] = rating(out["mean"]) if entries else None
    dimensions = {d: {"key": d, "points": 0.0, "max": 0} for d in DIMENSIONS}
    checks = []
    for check in CHECKS:
        passing = sum(e.passed[check.key] for e in entries)
        dimensions[check.dimension]["max"] += check.points
        dimensions[check.dimension]["points"] += check.points * passing / len(entries) if entries else 0
        checks.append({**check_json(check), "passing": passing})
    out["dimensions"] = [{**d, "points": round(d["points"], 1)} for d in dimensions.values()]
    out["checks"] = checks
    return out


# -- one catalog ----------------------------------------------------------------------------------

_SUBCATALOGS_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?c WHERE { {catalog} dcat:catalog* ?c . ?c a dcat:Catalog }
"""
_MEMBERS_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?d WHERE { VALUES ?c { {catalogs} } ?c dcat:dataset ?d . ?d a dcat:Dataset }
"""


def catalog_entries(store: CatalogStore, catalog: str) -> list[str]:
    """The entries of a catalog and of the catalogs it nests (``dcat:catalog``), as the store shows them.

    Two queries: the nested catalogs first, then their entries by ``VALUES``; pyoxigraph plans the single
    query ``catalog dcat:catalog*/dcat:dataset ?d`` an order of magnitude slower.
    """
    nested = [row["c"].value for row in store.query(_SUBCATALOGS_QUERY.replace("{catalog}", iri_list([catalog])))]
    if not nested:
        return []
    return sorted(row["d"].value for row in store.query(_MEMBERS_QUERY.replace("{catalogs}", iri_list(nested))))


def quality_of_catalog(store: CatalogStore, catalog: str) -> dict[str, Any]:
    """The quality of one catalog (with the catalogs it nests) over the entries the store shows."""
    return group_quality(catalog, score_entries(store, catalog_entries(store, catalog)).values())


def store_state(store: CatalogStore) -> tuple:
    """What changes whenever the figures may: the graphs the store's audience reads (they carry each source's
    version) and each source's triple count and last change (in-place updates keep the graphs)."""
    return (
        tuple(g.value for g in store.current_graphs()),
        tuple((v.name, v.triples, v.modified) for v in store.sources()),
    )


class QualityCache:
    """Catalog summaries of one store, kept until the store changes (:func:`store_state`), per audience.

    A summary is small (a few hundred numbers), so every catalog of a large node fits; the entries' own
    scores are not kept. One computation runs at a time: a second request for the same figures waits for
    the first instead of repeating it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple | None = None
        self._catalogs: dict[tuple, dict[str, Any]] = {}

    def catalog(self, store: CatalogStore, catalog: str) -> dict[str, Any]:
        state = store_state(store)
        with self._lock:
            if self._state is None or self._state[1] != state[1]:
                self._state, self._catalogs = state, {}
            key = (state[0], catalog)
            if key not in self._catalogs:
                self._catalogs[key] = quality_of_catalog(store, catalog)
            return self._catalogs[key]
