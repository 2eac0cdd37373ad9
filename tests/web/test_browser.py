"""The web pages in a real headless Chromium (Debian's ``chromium``, driven by Playwright) over a live server.

These tests fail, not skip, when the browser is missing: CI installs it (``.ci/run``), and a browser test
that quietly does nothing proves nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 by a real HTTP server in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test: its own cookies, so the language starts as Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def result_total(page: Page) -> int:
    summary = page.locator(".summary strong").inner_text()
    return int(re.search(r"\d+", summary).group())


def test_search_filter_by_facet_and_open_a_dataset(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("检索词").fill("人口")
    page.get_by_label("检索词").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=%E4%BA%BA%E5%8F%A3"))
    expect(page.locator("mark").first).to_have_text("人口")
    everything = result_total(page)
    assert everything > 0

    county = page.locator("#facet-level + ul a", has_text="县")
    county_count = int(county.locator(".count").inner_text())
    assert 0 < county_count < everything
    county.click()
    expect(page).to_have_url(re.compile(r"level=4"))
    assert result_total(page) == county_count
    expect(page.locator("#facet-level + ul a.selected")).to_contain_text("县")
    expect(page.locator(".result-list .tag", has_text="县")).to_have_count(min(county_count, 20))

    page.locator("#facet-level + ul a.selected").click()
    assert result_total(page) == everything

    first = page.locator(".result-list h3 a").first
    title = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    data_elements = page.locator("#data-elements")
    expect(data_elements.locator("thead th")).to_have_text(["序号", "信息项名称", "数据类型"])
    assert data_elements.locator("tbody tr").count() > 0
    provenance = page.locator("#provenance")
    expect(provenance.locator("caption")).to_contain_text("本条目经过的数据源及层级")
    assert provenance.locator("tbody tr").count() >= 1
    expect(page.locator(".callout")).to_contain_text("权威")


def test_filter_by_sharing_type_from_the_home_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    row = page.locator("#sharing-heading + table tbody tr", has_text="有条件共享")
    expected = int(row.locator("td").inner_text())
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sharing=2"))
    assert result_total(page) == expected
    expect(page.locator(".active-filters")).to_contain_text("共享类型: 有条件共享")


def test_run_a_sparql_query_from_the_query_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="SPARQL 查询").click()
    expect(page).to_have_url(re.compile(r"/sparql$"))
    page.locator("textarea#query").fill(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#>\nSELECT (COUNT(?d) AS ?entries) WHERE { ?d a dcat:Dataset }"
    )
    page.locator("form button[type=submit]").first.click()
    table = page.locator("table").first
    expect(table.locator("thead th")).to_have_text(["entries"])
    count = int(table.locator("tbody td").first.inner_text())
    page.goto(base_url + "/")
    assert f"目录共收录 {count} 条信息资源" in page.locator(".total").inner_text()


def test_switch_to_english_and_keep_it(page: Page, base_url: str) -> None:
    page.goto(base_url + "/catalogs")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h1")).to_have_text("Catalog tree")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Harvest sources").click()
    expect(page.locator("h1")).to_have_text("Harvest sources")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("svg[role=img]").first).to_be_visible()
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("采集数据源")


def test_keyboard_users_can_skip_to_the_content_and_expand_the_tree(page: Page, base_url: str) -> None:
    page.goto(base_url + "/catalogs")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    city = page.locator("details.depth-2", has_text="南京市").first
    assert city.get_attribute("open") is None
    city.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(city).to_have_attribute("open", "")
    expect(city.locator("details.depth-3", has_text="玄武区")).to_be_visible()


def test_from_the_tree_to_a_catalog_s_quality_chart_and_an_entry_s_score(page: Page, base_url: str) -> None:
    page.goto(base_url + "/catalogs")
    page.get_by_role("link", name="生态环境部政务信息资源目录").click()
    expect(page).to_have_url(re.compile(r"/catalogs/national/mee$"))
    chart = page.get_by_role("img", name="生态环境部政务信息资源目录：元数据质量得分分布")
    expect(chart).to_be_visible()
    bars = chart.locator("rect")
    expect(bars).to_have_count(10)
    assert max(float(bars.nth(n).get_attribute("width")) for n in range(10)) > 100, "the fullest band is drawn"
    page.get_by_role("link", name="全国政务信息资源目录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("全国政务信息资源目录")
    page.goto(base_url + "/datasets/1040002/000184")
    page.locator(".dataset-side a[href='#quality']").click()
    expect(page).to_have_url(re.compile(r"#quality$"))
    expect(page.get_by_role("heading", name="元数据质量")).to_be_in_viewport()
