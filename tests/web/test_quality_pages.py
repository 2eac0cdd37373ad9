"""Quality scores on the dataset and catalog pages: the same figures as the API, in Chinese and English."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service import quality
from tests.web.test_pages import DATASET, links, page

CATALOG = "national/mee"
"""生态环境部 (national level): a department catalog of the sample federation."""
NESTING = "national"
"""The national catalog, which lists no entry itself but nests the department catalogs."""


def numbers(html: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body rows (header cell first), as text."""
    table = html[html.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_dataset_page_shows_the_score_its_dimensions_and_what_to_do(client: FlaskClient) -> None:
    api = client.get(f"/api/quality/datasets/{DATASET}").get_json()
    html = page(client, f"/datasets/{DATASET}")
    section = html[html.index('id="quality"') :]
    assert f"<strong>{api['points']} / 360 分</strong>" in section
    assert f'<a href="#quality">{api["points"]} / 360 分</a>' in html, "the side column links to the section"
    rows = {row[0]: row[1:] for row in numbers(section, "quality-dimensions")}
    for name, zh in (("findability", "可发现性"), ("accessibility", "可访问性"), ("contextuality", "情境信息")):
        assert rows[zh][:2] == [str(api["dimensions"][name]["points"]), str(api["dimensions"][name]["max"])]
    failed = [c for c in api["checks"] if not c["passed"]]
    assert failed, "the sample entry misses something (a contact point at least)"
    for check in failed:
        assert f'id="quality-check-{check["key"]}"' in section
        assert check["advice"]["zh"] in section
    assert all(f'id="quality-check-{c["key"]}"' not in section for c in api["checks"] if c["passed"])
    assert "SHACL 校验" in section


def test_dataset_page_speaks_english_and_links_its_catalogs(client: FlaskClient) -> None:
    html = page(client, f"/datasets/{DATASET}", lang="en")
    section = html[html.index('id="quality"') :]
    assert "Metadata quality" in section and "Checks not passed, and what to do" in section
    assert "Give a contact point." in section
    catalogs = [href for href in links(section) if href.startswith("/catalogs/")]
    assert catalogs
    for href in catalogs:
        page(client, href)


def test_catalog_tree_links_every_catalog_to_its_page(client: FlaskClient) -> None:
    html = page(client, "/catalogs")
    pages = sorted({href for href in links(html) if href.startswith("/catalogs/")})
    tree = client.get("/api/catalogs").get_json()["tree"]

    def catalogs(node: dict) -> set[str]:
        return {c["id"] for c in node["catalogs"]} | {i for child in node["children"] for i in catalogs(child)}

    assert pages == sorted("/catalogs/" + iri.removeprefix(ns.CATALOG) for iri in catalogs(tree))
    assert f"/catalogs/{CATALOG}" in pages and f"/catalogs/{NESTING}" in pages
    for href in pages[::8]:  # a sample opens: each page computes its catalog's scores
        assert "<h1" in page(client, href)


def test_catalog_page_shows_mean_histogram_and_checks_as_the_api_computes_them(client: FlaskClient) -> None:
    iri = ns.catalog(CATALOG)
    summary = next(c for c in client.get("/api/quality").get_json()["catalogs"] if c["key"] == iri)
    html = page(client, f"/catalogs/{CATALOG}")
    assert "生态环境部政务信息资源目录" in html
    assert f"<strong>{summary['mean']} / 360 分</strong>" in html
    assert f"向社会开放的 {summary['entries']} 条信息资源" in html
    bands = numbers(html, "quality-histogram")
    assert [int(count) for _, count in bands] == [b["count"] for b in summary["histogram"]]
    assert [label for label, _ in bands][:2] == ["0–36", "36–72"]
    # the chart draws the same numbers, and says what it is
    chart = html[html.index('<svg role="img" aria-labelledby="quality-chart-title quality-chart-desc"') :]
    chart = chart[: chart.index("</svg>")]
    assert '<title id="quality-chart-title">生态环境部政务信息资源目录：元数据质量得分分布</title>' in chart
    assert f"{summary['entries']} 条信息资源按得分分为 10 档" in chart
    drawn = [int(v) for v in re.findall(r"<title>[^<]*: (\d+)</title>", chart)]
    assert drawn == [b["count"] for b in summary["histogram"]]
    ratings = numbers(html, "quality-ratings")[0]
    assert [int(n) for n in ratings] == [summary["ratings"][name] for name, _ in quality.RATINGS]
    checks = numbers(html, "quality-checks")
    assert len(checks) == len(quality.CHECKS)
    assert all(0 <= int(row[3]) <= summary["entries"] for row in checks)


def test_nesting_catalog_counts_the_entries_of_the_catalogs_within(client: FlaskClient) -> None:
    by_key = {c["key"]: c for c in client.get("/api/quality").get_json()["catalogs"]}
    within = [k for k in by_key if k.startswith(ns.catalog(NESTING) + "/")]
    html = page(client, f"/catalogs/{NESTING}")
    expected = sum(by_key[k]["entries"] for k in within)
    assert f"向社会开放的 {expected} 条信息资源" in html
    assert sum(int(count) for _, count in numbers(html, "quality-histogram")) == expected
    assert f'href="/catalogs/{CATALOG}"' in html, "the catalogs within are listed and linked"
    child = page(client, f"/catalogs/{CATALOG}")
    assert f'href="/catalogs/{NESTING}"' in child, "and the catalog above"


def test_catalog_page_in_english_and_by_iri(client: FlaskClient) -> None:
    html = page(client, f"/catalogs/by-iri?iri={ns.catalog(CATALOG)}&lang=en")
    assert "Mean score" in html and "Score distribution" in html and "Metadata quality scores: " in html
    assert "that are open to society" in html


@pytest.mark.parametrize(
    "url, status",
    [
        ("/catalogs/no/such/catalog", 404),
        ("/catalogs/by-iri?iri=not%20an%20iri", 404),
        ("/catalogs/by-iri", 404),
        (f"/catalogs/by-iri?iri={ns.resource(DATASET)}", 404),  # an entry, not a catalog
        (f"/catalogs/{CATALOG}?iri=x", 400),
        (f"/catalogs/{CATALOG}?lang=fr", 400),
    ],
)
def test_bad_catalog_addresses_get_error_pages(client: FlaskClient, url: str, status: int) -> None:
    html = page(client, url, status)
    assert "<h1" in html
