"""The web pages through Flask's test client: content in Chinese and English, links, escaping, bad input."""

from __future__ import annotations

import re
from html import unescape
from itertools import pairwise
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient

from catalog_service.i18n import LANGUAGES, MESSAGES, in_language, translate
from catalog_service.web import clock, run_chart
from tests.web.conftest import HARVESTED_TWICE

DATASET = "1040002/000184"
"""A Jiangning (county) entry that Nanjing (city) republishes: its page has two catalog records."""


def page(client: FlaskClient, url: str, status: int = 200, **query: str) -> str:
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def api_search(client: FlaskClient, **query: str) -> dict:
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 200
    return response.get_json()


def facet_count(result: dict, facet: str, value: str) -> int:
    return next((entry["count"] for entry in result["facets"][facet] if entry["value"] == value), 0)


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a [^>]*href="([^"]*)"', html)]


# -- every page -----------------------------------------------------------------------------------

PAGES = ["/", "/search", "/search?q=人口", f"/datasets/{DATASET}", "/catalogs", "/sources"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_accessible_documents_in_chinese_by_default(client: FlaskClient, url: str) -> None:
    html = page(client, url)
    assert '<html lang="zh-CN">' in html
    assert '<a class="skip-link" href="#main">跳到正文</a>' in html
    assert html.count("<main ") == 1 and 'id="main"' in html
    assert html.count("<h1") == 1
    assert '<nav class="site-nav" aria-label="主导航">' in html
    assert 'aria-current="page"' in html or url.startswith("/datasets/")
    assert 'hreflang="en"' in html and ">English</a>" in html
    assert "/assets/web.css" in html
    assert "<script" not in html, "the pages work without JavaScript"
    assert re.search(r"<th(?=[ >])(?![^>]*scope=)[^>]*>", html) is None, "every table header has a scope"
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
    assert all(b - a <= 1 for a, b in pairwise(levels)), f"heading levels skip: {levels}"


@pytest.mark.parametrize("url", PAGES)
def test_pages_switch_to_english_and_remember_it(client: FlaskClient, url: str) -> None:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Skip to main content" in html and ">中文</a>" in html
    assert "lang=en" in response.headers["Set-Cookie"]
    again = page(client, url)
    assert '<html lang="en">' in again, "the cookie keeps the language"
    assert '<html lang="zh-CN">' in page(client, url, lang="zh")


def test_the_language_switch_keeps_the_page_and_its_parameters(client: FlaskClient) -> None:
    html = page(client, "/search", q="人口", level="4")
    switch = next(href for href in links(html) if "lang=en" in href)
    parts = urlsplit(switch)
    assert parts.path == "/search"
    assert parse_qs(parts.query) == {"q": ["人口"], "level": ["4"], "lang": ["en"]}


def test_messages_exist_in_both_languages() -> None:
    assert all(set(texts) == set(LANGUAGES) for texts in MESSAGES.values())
    assert translate("search.total", "en", total=3) == "3 results"
    assert in_language({"zh": "江苏省"}, "en") == "江苏省"


# -- home -----------------------------------------------------------------------------------------


def test_home_counts_entries_per_level_and_sharing_type(client: FlaskClient) -> None:
    html = page(client, "/")
    everything = api_search(client)
    assert f"目录共收录 {everything['total']} 条信息资源" in html
    for facet, labels in (("level", ("国家", "省", "市", "县")), ("sharing", ("无条件共享", "有条件共享", "不予共享"))):
        for notation, label in enumerate(labels, start=1):
            count = facet_count(everything, facet, str(notation))
            row = rf'<th scope="row"><a href="/search\?{facet}={notation}">{label}</a></th><td class="num">{count}</td>'
            assert re.search(row, html), f"{label}: {count}"
    for target in ("/search", "/catalogs", "/sources", "/sparql"):
        assert target in links(html)
    assert 'role="search"' in html and '<label for="home-q">检索词</label>' in html


def test_home_in_english(client: FlaskClient) -> None:
    html = page(client, "/", lang="en")
    assert "information resources in the catalog" in html
    for label in ("National", "Provincial", "Prefectural", "County", "Unconditional sharing"):
        assert label in html


# -- search ---------------------------------------------------------------------------------------


def test_search_highlights_two_character_words(client: FlaskClient) -> None:
    html = page(client, "/search", q="人口")
    expected = api_search(client, q="人口")
    assert expected["total"] > 0
    assert f"共 {expected['total']} 条" in html
    assert "<mark>人口</mark>" in html
    for item in expected["items"]:
        assert f'href="/datasets/{item["identifier"]}"' in html
    for heading in ("层级", "行政区划", "提供方", "共享类型", "开放属性", "资源分类", "资源格式", "更新周期"):
        assert f">{heading}</h3>" in html


def test_facet_links_add_and_remove_filters_with_counts(client: FlaskClient) -> None:
    html = page(client, "/search", q="人口")
    county = api_search(client, q="人口")
    count = facet_count(county, "level", "4")
    link = re.search(
        r'<a href="([^"]*level=4[^"]*)">\s*<span class="facet-label">县</span>\s*<span class="count">(\d+)', html
    )
    assert link is not None and int(link.group(2)) == count
    filtered = page(client, unescape(link.group(1)))
    assert f"共 {count} 条" in filtered
    assert filtered.count('<span class="tag">县</span>') == min(count, 20)
    selected = re.search(
        r'<a href="([^"]*)" class="selected" aria-current="true">\s*<span class="facet-label">县', filtered
    )
    assert selected is not None
    assert parse_qs(urlsplit(unescape(selected.group(1))).query) == {"q": ["人口"]}


def test_search_filters_accept_labels_and_codes(client: FlaskClient) -> None:
    by_label = page(client, "/search", level="县", sharing="有条件共享")
    by_code = page(client, "/search", level="4", sharing="2")
    total = api_search(client, level="4", sharing="2")["total"]
    assert f"共 {total} 条" in by_label and f"共 {total} 条" in by_code
    assert "层级: 县" in by_code and "共享类型: 有条件共享" in by_code, "active filters are listed"


def test_search_sorts_and_pages(client: FlaskClient) -> None:
    newest = api_search(client, sort="modified", size="5", page="2")
    html = page(client, "/search", sort="modified", size="5", page="2")
    assert "第 6–10 条" in html
    assert '<ol class="result-list" start="6">' in html
    positions = [html.index(f'href="/datasets/{item["identifier"]}"') for item in newest["items"]]
    assert positions == sorted(positions)
    assert 'aria-current="page" aria-label="第 2 页">2</a>' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert re.search(r'<a href="[^"]*sort=modified[^"]*" aria-current="true">最近更新</a>', html)
    assert "sort=modified" in next(href for href in links(html) if "page=3" in href)


def test_search_escapes_what_users_type(client: FlaskClient) -> None:
    html = page(client, "/search", q='<script>alert("x")</script>')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"level": "乡"}, 400, "level 的取值"),
        ({"region": "999999"}, 400, "未知的行政区划代码"),
        ({"page": "0"}, 400, "page 须为"),
        ({"page": "abc"}, 400, "page 须为"),
        ({"size": "100000"}, 400, "size 须为"),
        ({"sort": "random"}, 400, "sort 只能取"),
        ({"q": "人" * 500}, 400, "查询词不能超过"),
        ({"nonsense": "1"}, 400, "未知参数"),
        ({"lang": "fr"}, 400, "不支持的语言"),
        ({"page": "9999"}, 404, "页码超出范围"),
    ],
)
def test_bad_search_parameters_get_an_error_page(client: FlaskClient, query: dict, status: int, message: str) -> None:
    html = page(client, "/search", status, **query)
    assert message in html
    assert f"{status} · " in html


def test_repeated_search_parameters_are_refused(client: FlaskClient) -> None:
    assert "只能出现一次" in page(client, "/search?level=3&level=4", 400)


def test_error_pages_speak_english(client: FlaskClient) -> None:
    html = page(client, "/search", 400, level="乡", lang="en")
    assert '<html lang="en">' in html and "unknown value" in html and "Bad request" in html


# -- dataset --------------------------------------------------------------------------------------


def test_dataset_page_shows_every_element_and_the_data_elements(client: FlaskClient) -> None:
    entry = client.get(f"/api/datasets/{DATASET}").get_json()
    html = page(client, f"/datasets/{DATASET}")
    assert f"<h1>{entry['title']['zh']}</h1>" in html
    for element in entry["elements"]:
        if element["key"] != "data-element":
            assert f'<th scope="row">{element["label"]["zh"]}</th>' in html
    for heading in ("信息项名称", "数据类型"):
        assert f'<th scope="col">{heading}</th>' in html
    for row in entry["dataElements"]["rows"]:
        assert row["values"]["data-element-name"][0]["value"] in html
    assert "字符型 <span" in html and "日期型" in html
    assert '江宁区 <span class="code">320115</span>' in html
    assert 'href="/search?publisher=https' in html, "the provider links to its entries"
    assert 'href="/datasets/2010006/000233"' in html, "related resources link to their pages"


def test_dataset_page_shows_sharing_and_provenance(client: FlaskClient) -> None:
    html = page(client, f"/datasets/{DATASET}")
    assert '<h2 id="sharing-heading">共享与开放</h2>' in html
    assert "无条件共享" in html and "无条件开放" in html
    assert "本条目的权威副本来自数据源 jiangning（县，江宁区）。" in html
    provenance = html[html.index('id="provenance"') :]
    assert '<a href="/sources#source-jiangning">jiangning</a>' in provenance
    assert '<a href="/sources#source-nanjing">nanjing</a>' in provenance
    assert provenance.index("jiangning") < provenance.index("nanjing"), "the authoritative record comes first"
    assert "首次采集" in html and "最近变更" in html


def test_dataset_page_in_english(client: FlaskClient) -> None:
    html = page(client, f"/datasets/{DATASET}", lang="en")
    assert '<th scope="col">data element name</th>' in html and "Character" in html
    assert "The authoritative copy of this entry comes from source jiangning (County, 江宁区)." in html


def test_dataset_page_links_its_rdf(client: FlaskClient) -> None:
    html = page(client, f"/datasets/{DATASET}")
    for name, media_type in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml")):
        href = f"/datasets/{DATASET}?format={name}"
        assert f'href="{href}"' in html
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype == media_type
    turtle = client.get(f"/datasets/{DATASET}?format=ttl").get_data(as_text=True)
    assert "dcat:Dataset" in turtle
    assert f'href="/api/datasets/{DATASET}"' in html


def test_a_dataset_iri_leads_browsers_to_its_page(client: FlaskClient) -> None:
    response = client.get(f"/resource/{DATASET}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/datasets/{DATASET}"
    page(client, response.headers["Location"])


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/datasets/9999999/999999", 404, "未找到信息资源 9999999/999999"),
        ("/datasets/<b>x</b>", 404, "未找到信息资源 &lt;b&gt;x&lt;/b&gt;"),
        (f"/datasets/{DATASET}?format=xls", 400, "format 只能取"),
        (f"/datasets/{DATASET}?foo=1", 400, "未知参数"),
        (f"/datasets/{DATASET}?identifier=x&_scheme=javascript", 400, "未知参数"),
        ("/catalogs?depth=2", 400, "未知参数"),
        ("/sources?runs=0", 400, "runs 须为"),
        ("/sources?runs=many", 400, "runs 须为"),
        ("/?lang=de", 400, "不支持的语言"),
        ("/no/such/page", 404, "找不到所请求的页面"),
    ],
)
def test_bad_addresses_and_parameters_get_error_pages(client: FlaskClient, url: str, status: int, message: str) -> None:
    html = page(client, url, status)
    assert message in html
    assert "<b>x</b>" not in html


def test_programs_asking_for_json_get_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "找不到所请求的页面" not in response.get_data(as_text=True)


# -- catalog tree and sources ---------------------------------------------------------------------


def test_catalog_tree_nests_levels_with_counts(client: FlaskClient) -> None:
    tree = client.get("/api/catalogs").get_json()["tree"]
    html = page(client, "/catalogs")
    province = next(c for c in tree["children"] if c.get("code") == "320000")
    city = next(c for c in province["children"] if c.get("code") == "320100")
    county = next(c for c in city["children"] if c.get("code") == "320102")
    positions = []
    for node in (tree, province, city, county):
        match = re.search(
            rf'<span class="node-name">{node["label"]["zh"]}</span>.*?<span class="count">{node["count"]} 条</span>',
            html,
            re.S,
        )
        assert match is not None, node["label"]
        positions.append(match.start())
    assert positions == sorted(positions)
    assert html.count("<details") >= 4 and '<details class="region depth-0" open>' in html
    department = county["children"][0]
    assert f'href="/search?publisher={department["id"]}"' in html.replace("%3A", ":").replace("%2F", "/")
    assert 'href="/search?region=320102"' in html


def test_catalog_tree_in_english(client: FlaskClient) -> None:
    html = page(client, "/catalogs", lang="en")
    assert "National" in html and "Search the resources of 江苏省" in html and "resources</span>" in html


def test_sources_dashboard_shows_runs_counts_and_a_chart(client: FlaskClient) -> None:
    listed = client.get("/api/sources").get_json()["sources"]
    html = page(client, "/sources")
    for source in listed:
        assert f'id="source-{source["name"]}"' in html
        last = source["lastRun"]
        assert f'<td class="num">{last["counts"]["added"]}</td>' in html
    assert html.count('<svg role="img"') == len(listed)
    assert "运行历史: national" in html and "<desc" in html
    twice = next(s for s in listed if s["name"] == HARVESTED_TWICE)
    assert twice["totalRuns"] == 2
    section = html[html.index(f'id="source-{HARVESTED_TWICE}"') :]
    section = section[: section.index("</section>")]
    assert section.count('class="bar-added"') == 2
    assert "第 2 次" in section and "第 1 次" in section
    assert section.index("第 2 次") < section.index("第 1 次"), "the table lists the newest run first"
    assert '<span class="status status-succeeded">成功</span>' in html


def test_sources_dashboard_in_english(client: FlaskClient) -> None:
    html = page(client, "/sources", lang="en")
    assert "Run history: national" in html and "Succeeded" in html and "Invalid" in html


def test_run_chart_scales_bars_to_the_largest_count() -> None:
    runs = [
        {"counts": {"added": 0, "updated": 5, "invalid": 0}},
        {"counts": {"added": 10, "updated": 0, "invalid": 2}},
    ]
    chart = run_chart(runs, total=7)
    assert chart.maximum == 10
    assert [label for _, label in chart.labels] == [6, 7], "oldest first, numbered since the first run"
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert (tallest.series, tallest.value, tallest.y) == ("added", 10, chart.baseline - tallest.height)
    assert [bar.value for bar in chart.bars] == [10, 0, 2, 0, 5, 0]
    assert run_chart([{"counts": {}}], total=1).maximum == 0


def test_times_read_as_dates_and_clock_times() -> None:
    assert clock("2026-11-28T17:07:33Z") == "2026-11-28 17:07:33 UTC"
    assert clock("2026-11-28T17:07:33+00:00") == "2026-11-28 17:07:33 UTC"
    assert clock("2024-05-01T08:00:00+08:00") == "2024-05-01 08:00:00 +08:00"
    assert clock("2025-06-30") == "2025-06-30"
