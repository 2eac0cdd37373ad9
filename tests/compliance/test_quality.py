"""Quality points of a minimal and a rich entry, worked out check by check from docs/quality.md."""

from __future__ import annotations

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import quality
from catalog_service.store import CatalogStore
from tests.compliance.conftest import A1, A2, B1, DEPT_A, DEPT_B


def test_points_of_minimal_and_rich_entries(scenario: CatalogStore) -> None:
    scores = quality.score_entries(scenario)
    rich, minimal, conditional = scores[ns.resource(B1)], scores[ns.resource(A1)], scores[ns.resource(A2)]
    assert quality.MAX_POINTS == 360
    # B1 has everything: keywords, category, division, release date, a distribution with access URL and media
    # type and a data service, a coded format, no SHACL finding, sharing type and openness, use requirements,
    # a valid credit code, a contact point, issued, modified (catalog record), update cycle, data elements.
    assert (rich.points, rich.violations, rich.warnings) == (360, 0, 0)
    assert quality.rating(rich.points) == "excellent"
    # A1 (CSV template): no distribution or service (-50 -50), no media type (-10), one SHACL warning for the
    # missing distribution (-10), no conditions or use requirements for 无条件共享 (-10), no contact (-10)
    assert minimal.warnings == 1 and minimal.violations == 0
    assert minimal.points == 360 - 50 - 50 - 10 - 10 - 10 - 10 == 220
    failed = {key for key, ok in minimal.passed.items() if not ok}
    assert failed == {"access", "access_url", "media_type", "shacl_warnings", "conditions", "contact"}
    assert minimal.to_dict()["dimensions"]["accessibility"] == {"points": 0, "max": 100}
    # A2 is 有条件共享 and states its conditions: 10 points more
    assert conditional.points == 230
    assert quality.rating(minimal.points) == "good"


def test_one_entry_scores_as_in_the_whole_catalog(scenario: CatalogStore) -> None:
    every = quality.score_entries(scenario)
    for dataset in (ns.resource(A1), ns.resource(B1)):
        alone = quality.score_entries(scenario, [dataset])
        assert alone[dataset].to_dict() == every[dataset].to_dict()


def test_summary_per_department(scenario: CatalogStore) -> None:
    summary = quality.catalog_summary(scenario)
    departments = {d["key"]: d for d in summary["departments"]}
    assert departments[DEPT_A]["entries"] == 3
    assert departments[DEPT_A]["mean"] == round((220 + 230 + 220) / 3, 1)
    assert departments[DEPT_B]["mean"] == 360
    histogram = summary["overall"]["histogram"]
    assert sum(b["count"] for b in histogram) == 4
    assert histogram[-1]["count"] == 1 and histogram[6]["count"] == 3  # 216–252 holds 220, 230, 220
    assert summary["overall"]["ratings"] == {"excellent": 1, "good": 3, "sufficient": 0, "bad": 0}


def catalog_triples(parent: str, child: str, entries: list[str]) -> list[ox.Triple]:
    dcat = "http://www.w3.org/ns/dcat#"
    a, catalog = ox.NamedNode(ns.RDF + "type"), ox.NamedNode(dcat + "Catalog")
    out = [
        ox.Triple(ox.NamedNode(parent), a, catalog),
        ox.Triple(ox.NamedNode(child), a, catalog),
        ox.Triple(ox.NamedNode(parent), ox.NamedNode(dcat + "catalog"), ox.NamedNode(child)),
    ]
    return out + [
        ox.Triple(ox.NamedNode(child), ox.NamedNode(dcat + "dataset"), ox.NamedNode(ns.resource(e))) for e in entries
    ]


def test_catalog_quality_covers_the_catalogs_within(scenario: CatalogStore) -> None:
    parent, child = ns.catalog("district"), ns.catalog("district/a")
    scenario.replace_source("catalogs", catalog_triples(parent, child, [A1, A2, B1]))
    assert quality.catalog_entries(scenario, parent) == sorted(ns.resource(e) for e in (A1, A2, B1))
    summary = quality.quality_of_catalog(scenario, parent)
    assert (summary["entries"], summary["mean"], summary["rating"]) == (3, round((220 + 230 + 360) / 3, 1), "good")
    assert sum(band["count"] for band in summary["histogram"]) == 3
    dimensions = {d["key"]: d for d in summary["dimensions"]}
    assert dimensions["accessibility"] == {"key": "accessibility", "points": round(100 / 3, 1), "max": 100}
    passing = {c["key"]: c["passing"] for c in summary["checks"]}
    assert passing["access"] == 1 and passing["keyword"] == 3 and passing["contact"] == 1
    assert quality.quality_of_catalog(scenario, ns.catalog("nowhere"))["entries"] == 0


def test_cache_keeps_figures_until_the_store_changes(scenario: CatalogStore) -> None:
    parent, child = ns.catalog("district"), ns.catalog("district/a")
    scenario.replace_source("catalogs", catalog_triples(parent, child, [A1, A2, B1]))
    cache = quality.QualityCache()
    first = cache.catalog(scenario, parent)
    assert cache.catalog(scenario, parent) is first, "unchanged store: the same figures, not computed again"
    scenario.replace_source("catalogs", catalog_triples(parent, child, [B1]))
    again = cache.catalog(scenario, parent)
    assert (again["entries"], again["mean"]) == (1, 360)
    public = cache.catalog(scenario.for_audience("public"), parent)
    assert public is not again, "each audience has figures of its own"
