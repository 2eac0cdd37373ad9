"""The CKAN harvester against a local server that answers package_search the way CKAN does."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from catalog_service import namespaces as ns
from harvesters.base import (
    HarvestedRecord,
    HarvestError,
    HarvestItem,
    KeepRecord,
    RecordFailure,
    SharedTriples,
    SourceConfig,
)
from harvesters.http import Fetcher, FetchError
from harvesters.registry import harvester_class
from tests.servers import Reply, Request, Route, static
from tests.servers import TestServer as LocalServer  # a name pytest does not take for a test class

DATA = Path(__file__).parent.parent / "data" / "ckan"
PACKAGES: list[dict[str, Any]] = json.loads((DATA / "packages.json").read_text(encoding="utf-8"))
POPULATION, PENSION, HERITAGE, VENDORS, FLOATING = (p["id"] for p in PACKAGES)
SEARCH = "/api/3/action/package_search"
IANA = "https://www.iana.org/assignments/media-types/"
XSD_DATE = NamedNode(ns.XSD + "date")


def package_search(packages: list[dict[str, Any]]) -> Route:
    """package_search over ``packages``: the fq clauses the harvester sends, rows/start paging, fl, sorting by id."""

    def route(request: Request) -> Reply:
        query = {name: values[0] for name, values in request.query.items()}
        assert query["sort"] == "id asc"
        found = sorted(packages, key=lambda p: p["id"])
        fq = query.get("fq", "")
        if since := re.search(r"\+metadata_modified:\[(\S+) TO \*\]", fq):
            found = [p for p in found if p["metadata_modified"] >= since[1].rstrip("Z")]
        if organization := re.search(r"\+organization:(\S+)", fq):
            found = [p for p in found if p["organization"]["name"] == organization[1]]
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        page = found[start : start + rows]
        if "fl" in query:
            page = [{field: p[field] for field in query["fl"].split(",")} for p in page]
        body = {
            "help": "http://ckan.example/api/3/action/help_show?name=package_search",
            "success": True,
            "result": {"count": len(found), "sort": query["sort"], "facets": {}, "results": page, "search_facets": {}},
        }
        return Reply(json.dumps(body, ensure_ascii=False).encode(), content_type="application/json;charset=utf-8")

    return route


def harvest(url: str, since: datetime | None = None, **options: Any) -> list[HarvestItem]:
    source = SourceConfig(name="zj-open-data", type="ckan", url=url, options=options)
    return list(harvester_class("ckan")(source, Fetcher(retries=0, deadline=5), since=since).harvest())


def records(items: list[HarvestItem]) -> dict[str, set[Triple]]:
    return {item.key: set(item.triples) for item in items if isinstance(item, HarvestedRecord)}


def values(triples: set[Triple], subject: str, predicate: str) -> set:
    return {t.object for t in triples if t.subject == NamedNode(subject) and t.predicate == NamedNode(predicate)}


def code(scheme: str, notation: str) -> NamedNode:
    return NamedNode(ns.code(scheme, notation))


def test_a_full_harvest_pages_through_package_search_and_maps_every_package(server: LocalServer) -> None:
    server.routes[SEARCH] = package_search(PACKAGES)
    items = harvest(server.url(SEARCH), rows=2, extras={"gongxiang": "共享类型"})
    assert [r.query["start"] for r in server.requests] == [["0"], ["2"], ["4"]]
    assert {r.query["rows"][0] for r in server.requests} == {"2"}
    mapped = records(items)
    assert list(mapped) == [POPULATION, PENSION, HERITAGE, FLOATING]

    population = ns.resource("1010001/000123")
    triples = mapped[POPULATION]
    assert values(triples, population, ns.DCT + "title") == {Literal("常住人口基本信息", language="zh")}
    assert values(triples, population, ns.DCT + "identifier") == {Literal("1010001/000123")}
    assert values(triples, population, ns.GC + "sharingType") == {code("sharing-type", "2")}
    assert values(triples, population, ns.GC + "resourceCategory") == {code("resource-category", "101")}
    assert values(triples, population, ns.DCAT + "keyword") == {
        Literal("人口", language="zh"),
        Literal("户籍", language="zh"),
    }
    assert values(triples, population, ns.DCT + "publisher") == {NamedNode(ns.organization("113301000024891704"))}
    # metadata_created 2023-03-15T17:30Z is already the 16th in China
    assert values(triples, population, ns.DCT + "issued") == {Literal("2023-03-16", datatype=XSD_DATE)}
    elements = [f"{population}/element/{n}" for n in (1, 2, 3)]
    assert values(triples, population, ns.GC + "dataElement") == {NamedNode(e) for e in elements}
    assert values(triples, elements[2], ns.DCT + "title") == {Literal("出生日期", language="zh")}
    assert values(triples, elements[2], ns.GC + "dataType") == {code("data-type", "D")}

    api, sample = f"{population}/distribution/1", f"{population}/distribution/2"
    assert values(triples, population, ns.DCAT + "distribution") == {NamedNode(api), NamedNode(sample)}
    assert values(triples, api, ns.RDF + "type") == {NamedNode(ns.DCAT + "Distribution")}
    assert values(triples, api, ns.DCT + "title") == {Literal("常住人口基本信息查询接口", language="zh")}
    assert values(triples, api, ns.DCAT + "accessURL") == {
        NamedNode("https://data.hangzhou.gov.cn/api/v1/population/basic")
    }
    assert values(triples, api, ns.DCT + "format") == {Literal("API")}
    download = "/dataset/hz-population-basic/resource/r-0102/download/%E6%A0%B7%E4%BE%8B%20%E6%95%B0%E6%8D%AE.csv"
    assert values(triples, sample, ns.DCAT + "accessURL") == {NamedNode(server.base_url + download)}
    assert values(triples, sample, ns.DCT + "format") == {NamedNode(IANA + "text/csv")}

    pension = ns.resource("2030001/000045")
    triples = mapped[PENSION]
    assert values(triples, pension, ns.GC + "sharingType") == {code("sharing-type", "1")}
    assert values(triples, pension, ns.GC + "resourceFormat") == {
        code("resource-format", "2"),
        code("resource-format", "7"),
    }
    assert values(triples, pension, ns.GC + "openness") == {code("openness", "2")}
    assert values(triples, pension, ns.DCT + "issued") == {Literal("2024-01-08", datatype=XSD_DATE)}  # the extra wins
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert values(triples, f"{pension}/distribution/1", ns.DCT + "format") == {NamedNode(IANA + xlsx)}

    heritage = ns.resource("3330106/000007")
    triples = mapped[HERITAGE]
    assert values(triples, heritage, ns.GC + "sharingType") == {code("sharing-type", "3")}  # configured alias
    assert values(triples, heritage, ns.DCT + "spatial") == {NamedNode(ns.region("330106"))}  # a top-level field
    assert values(triples, heritage, ns.DCAT + "distribution") == set()

    floating = ns.resource("1010001/000124")
    assert values(mapped[FLOATING], f"{floating}/distribution/1", ns.DCT + "format") == {
        NamedNode(IANA + "application/json")
    }


def test_a_package_that_cannot_be_mapped_fails_alone_and_shared_providers_come_once(server: LocalServer) -> None:
    server.routes[SEARCH] = package_search(PACKAGES)
    items = harvest(server.base_url + "/")
    failures = [item for item in items if isinstance(item, RecordFailure)]
    assert [f.key for f in failures] == [VENDORS]
    assert "hz-street-vendors" in failures[0].message_en and "部分共享" in failures[0].message_zh
    police = NamedNode(ns.organization("113301000024891704"))
    shared = [t for item in items if isinstance(item, SharedTriples) for t in item.triples]
    assert [t.object for t in shared if t.subject == police and t.predicate == NamedNode(ns.FOAF + "name")] == [
        Literal("杭州市公安局", language="zh")
    ]


def test_an_incremental_run_fetches_only_changed_packages_and_keeps_the_others(server: LocalServer) -> None:
    since = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))  # 2024-01-01T00:00Z
    server.routes[SEARCH] = package_search(PACKAGES)
    items = harvest(server.url(SEARCH), since=since, rows=2)
    listing = [r for r in server.requests if r.query.get("fl") == ["id"]]
    full = [r for r in server.requests if "fl" not in r.query]
    assert len(listing) == 3 and server.requests[:3] == listing  # the ids first
    assert [r.query["fq"] for r in full] == [["+metadata_modified:[2024-01-01T00:00:00Z TO *]"]]
    assert list(records(items)) == [PENSION, HERITAGE]
    assert [item.key for item in items if isinstance(item, KeepRecord)] == [POPULATION, VENDORS, FLOATING]
    assert not any(isinstance(item, RecordFailure) for item in items)


def test_the_fq_option_filters_both_steps_of_an_incremental_run(server: LocalServer) -> None:
    server.routes[SEARCH] = package_search(PACKAGES)
    items = harvest(server.base_url, since=datetime(2023, 1, 1, tzinfo=UTC), fq="+organization:hangzhou-police")
    assert {r.query["fq"][0] for r in server.requests} == {
        "+organization:hangzhou-police",
        "+organization:hangzhou-police +metadata_modified:[2023-01-01T00:00:00Z TO *]",
    }
    assert list(records(items)) == [POPULATION, FLOATING]
    assert [f.key for f in items if isinstance(f, RecordFailure)] == [VENDORS]
    assert not any(isinstance(item, KeepRecord) for item in items)


def test_success_false_is_a_harvest_error_with_ckans_message(server: LocalServer) -> None:
    body = (DATA / "search_error.json").read_bytes()
    server.routes[SEARCH] = static(body, "application/json;charset=utf-8")
    with pytest.raises(HarvestError, match=r"Search Query Error.*Invalid Date String"):
        harvest(server.base_url)


def test_an_html_page_instead_of_json_is_a_harvest_error(server: LocalServer) -> None:
    body = (DATA / "error.html").read_bytes()
    server.routes[SEARCH] = static(body, "text/html; charset=utf-8")
    with pytest.raises(HarvestError) as caught:
        harvest(server.base_url)
    assert "not JSON (text/html" in str(caught.value) and "502 Bad Gateway" in str(caught.value)


def test_http_errors_fail_the_source_and_bad_options_fail_before_any_request(server: LocalServer) -> None:
    server.routes[SEARCH] = static(b'{"success": false}', "application/json", status=409)
    with pytest.raises(FetchError) as caught:
        harvest(server.base_url)
    assert caught.value.status == 409
    with pytest.raises(HarvestError, match="extras"):
        harvest(server.base_url, extras={"gongxiang": "共享种类"})
    with pytest.raises(HarvestError, match="rows"):
        harvest(server.base_url, rows="100")
    assert len(server.requests) == 1
