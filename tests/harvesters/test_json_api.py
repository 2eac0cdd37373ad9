"""The declarative JSON API harvester against local servers shaped like three municipal platforms' APIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from catalog_service import namespaces as ns
from harvesters.base import HarvestedRecord, HarvestError, HarvestItem, RecordFailure, SourceConfig
from harvesters.http import Fetcher
from harvesters.json_api import MISSING, date_text, resolve
from harvesters.registry import harvester_class
from tests.servers import Reply, Request, static
from tests.servers import TestServer as LocalServer  # a name pytest does not take for a test class

DATA = Path(__file__).parent.parent / "data" / "json_api"
XSD_DATE = NamedNode(ns.XSD + "date")
JSON = "application/json;charset=utf-8"


def entries(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


HANGZHOU = {
    "list": "data.records",
    "key": "resourceId",
    "params": {"status": "published", "onlyPublic": True},
    "headers": {"X-Api-Key": "k-3301"},
    "paging": {"mode": "page", "page_param": "pageNo", "size_param": "pageSize", "size": 2, "total_path": "data.total"},
    "fields": {
        "信息资源名称": "title",
        "信息资源代码": "code",
        "信息资源分类": "category",
        "信息资源提供方": "org.name",
        "信息资源提供方代码": "org.creditCode",
        "信息资源摘要": "summary",
        "信息资源格式": {"path": "formats", "join": "、"},
        "信息项": {"path": "columns", "format": "{name}:{type}", "map": {"varchar": "C", "number": "N", "date": "D"}},
        "共享类型": {"path": "sharetype", "map": {"01": "无条件共享", "02": "有条件共享", "03": "不予共享"}},
        "共享条件": "shareCondition",
        "共享方式": "shareMode",
        "是否向社会开放": "isOpen",
        "更新周期": {"path": "updateCycle", "map": {"D": "每日", "M": "每月", "Y": "每年"}},
        "发布日期": "publishTime",
        "关联资源代码": {"path": "related", "item": "code"},
        "行政区划代码": "regionCode",
        "关键词": "tags",
    },
}
NINGBO = {
    "list": "result.rows",
    "key": "id",
    "paging": {"mode": "offset", "offset_param": "offset", "size_param": "limit", "size": 10},
    "fields": {
        "信息资源名称": "zymc",
        "信息资源代码": "zydm",
        "信息资源分类": "zyfl",
        "信息资源提供方": "zytgf",
        "信息资源提供方代码": "tyshxydm",
        "信息资源摘要": "zyzy",
        "信息资源格式": "zygs",
        "信息项": "xxx",
        "共享类型": {"path": "gxlx", "map": {"1": "无条件共享", "2": "有条件共享", "3": "不予共享"}},
        "共享条件": "gxtj",
        "共享方式": "gxfs",
        "是否向社会开放": "sfkf",
        "更新周期": "gxzq",
        "发布日期": "fbrq",
        "行政区划代码": "xzqh",
    },
}
WENZHOU = {
    "list": "data.items",
    "key": "meta.uuid",
    "paging": {"mode": "cursor", "cursor_param": "cursor", "cursor_path": "data.nextCursor", "size_param": "pageSize"},
    "fields": {
        "信息资源名称": "meta.name",
        "信息资源代码": "catalogCode",
        "信息资源分类": "catalogType",
        "信息资源提供方": "dept.deptName",
        "信息资源提供方代码": "dept.uscc",
        "信息资源摘要": "description",
        "信息资源格式": "format",
        "信息项": {"path": "elements", "format": "{cn}:{dt}"},
        "共享类型": "share.type",
        "共享条件": "share.condition",
        "共享方式": "share.mode",
        "是否向社会开放": {"path": "open", "map": {"0": "否", "1": "是", "2": "是"}},
        "开放条件": "openCondition",
        "更新周期": "cycle",
        "发布日期": "releasedAt",
        "行政区划代码": "division",
    },
}


def harvest(url: str, options: dict[str, Any]) -> list[HarvestItem]:
    source = SourceConfig(name="platform", type="json", url=url, level="市", options=options)
    return list(harvester_class("json")(source, Fetcher(retries=0, deadline=5)).harvest())


def records(items: list[HarvestItem]) -> dict[str, set[Triple]]:
    return {item.key: set(item.triples) for item in items if isinstance(item, HarvestedRecord)}


def failures(items: list[HarvestItem]) -> dict[str, RecordFailure]:
    return {item.key: item for item in items if isinstance(item, RecordFailure)}


def values(triples: set[Triple], subject: str, predicate: str) -> set:
    return {t.object for t in triples if t.subject == NamedNode(subject) and t.predicate == NamedNode(predicate)}


def code(scheme: str, notation: str) -> NamedNode:
    return NamedNode(ns.code(scheme, notation))


def element_titles_and_types(triples: set[Triple], resource: str) -> list[tuple[str, NamedNode]]:
    elements = sorted(values(triples, resource, ns.GC + "dataElement"), key=lambda e: e.value)
    return [
        (
            next(iter(values(triples, e.value, ns.DCT + "title"))).value,
            next(iter(values(triples, e.value, ns.GC + "dataType"))),
        )
        for e in elements
    ]


def hangzhou_api(request: Request) -> Reply:
    assert request.headers.get("X-Api-Key") == "k-3301"
    page, size = int(request.query["pageNo"][0]), int(request.query["pageSize"][0])
    found = entries("hangzhou")
    data = {"records": found[(page - 1) * size : page * size], "total": len(found), "current": page, "size": size}
    return Reply(
        json.dumps({"code": 200, "msg": "操作成功", "data": data}, ensure_ascii=False).encode(), content_type=JSON
    )


def test_page_numbers_value_maps_and_formats(server: LocalServer) -> None:
    server.routes["/api/catalog/list"] = hangzhou_api
    items = harvest(server.url("/api/catalog/list"), HANGZHOU)
    # five entries, two a page: the total on page 3 ends the list without asking for a page 4
    assert [r.query["pageNo"] for r in server.requests] == [["1"], ["2"], ["3"]]
    assert server.requests[0].query["status"] == ["published"] and server.requests[0].query["onlyPublic"] == ["true"]
    mapped = records(items)
    assert list(mapped) == ["HZ-2023-0001", "HZ-2023-0002", "HZ-2023-0004"]

    population = ns.resource("1010001/000123")
    triples = mapped["HZ-2023-0001"]
    assert values(triples, population, ns.DCT + "title") == {Literal("常住人口基本信息", language="zh")}
    assert values(triples, population, ns.DCT + "identifier") == {Literal("1010001/000123")}
    assert values(triples, population, ns.GC + "sharingType") == {code("sharing-type", "2")}  # "02"
    assert values(triples, population, ns.GC + "openness") == {code("openness", "3")}  # false → 否
    assert values(triples, population, ns.DCT + "accrualPeriodicity") == {code("update-frequency", "2")}  # D → 每日
    assert values(triples, population, ns.DCT + "issued") == {Literal("2023-03-16", datatype=XSD_DATE)}  # ms, China
    assert values(triples, population, ns.DCAT + "keyword") == {
        Literal("人口", language="zh"),
        Literal("户籍", language="zh"),
    }
    assert element_titles_and_types(triples, population) == [
        ("姓名", code("data-type", "C")),
        ("公民身份号码", code("data-type", "C")),
        ("出生日期", code("data-type", "D")),
    ]

    bikes = ns.resource("2100001/000018")
    triples = mapped["HZ-2023-0002"]
    assert values(triples, bikes, ns.GC + "sharingType") == {code("sharing-type", "1")}
    assert values(triples, bikes, ns.GC + "resourceFormat") == {
        code("resource-format", "2"),
        code("resource-format", "7"),
    }
    assert values(triples, bikes, ns.DCT + "relation") == {NamedNode(population)}
    assert values(triples, bikes, ns.DCT + "spatial") == {NamedNode(ns.region("330100"))}  # a JSON number
    assert values(triples, bikes, ns.DCT + "issued") == {Literal("2023-07-01", datatype=XSD_DATE)}
    assert element_titles_and_types(triples, bikes)[1] == ("车桩数量", code("data-type", "N"))

    toilets = ns.resource("2010001/000077")
    assert values(mapped["HZ-2023-0004"], toilets, ns.DCT + "description") == set()  # no summary: an empty cell
    assert values(mapped["HZ-2023-0004"], toilets, ns.DCT + "accrualPeriodicity") == {code("update-frequency", "7")}


def test_entries_that_do_not_map_fail_alone_naming_column_and_value(server: LocalServer) -> None:
    server.routes["/api/catalog/list"] = hangzhou_api
    failed = failures(harvest(server.url("/api/catalog/list"), HANGZHOU))
    assert list(failed) == ["HZ-2023-0003", "HZ-2023-0005"]
    assert "[共享类型] '09'" in failed["HZ-2023-0003"].message_en  # not in the map, so kept, then not a sharing type
    assert "城市道路积水点信息" in failed["HZ-2023-0003"].message_zh
    assert failed["HZ-2023-0005"].message_en.startswith("[信息项] 'columns.type' holds an object")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=GBK", "application/json; charset=utf-8"]
)
def test_offsets_advance_by_what_arrived_and_gbk_bodies_decode(server: LocalServer, content_type: str) -> None:
    def ningbo_api(request: Request) -> Reply:
        offset, limit = int(request.query["offset"][0]), min(int(request.query["limit"][0]), 2)  # a capped page size
        rows = entries("ningbo")[offset : offset + limit]
        body = json.dumps({"success": True, "result": {"rows": rows}}, ensure_ascii=False).encode("gbk")
        return Reply(body, content_type=content_type)  # GBK, declared, undeclared or declared wrongly

    server.routes["/open/api/catalog"] = ningbo_api
    items = harvest(server.url("/open/api/catalog"), NINGBO)
    assert [r.query["offset"] for r in server.requests] == [["0"], ["2"], ["3"]]
    mapped = records(items)
    assert list(mapped) == ["101", "102", "103"]
    care = ns.resource("2030001/000301")
    assert values(mapped["101"], care, ns.DCT + "title") == {Literal("宁波市养老服务机构信息", language="zh")}
    assert values(mapped["101"], care, ns.GC + "sharingType") == {code("sharing-type", "1")}  # the number 1
    assert values(mapped["101"], care, ns.DCT + "issued") == {Literal("2023-05-20", datatype=XSD_DATE)}
    assert element_titles_and_types(mapped["101"], care) == [
        ("机构名称", code("data-type", "C")),
        ("床位数", code("data-type", "I")),
    ]
    estate = ns.resource("1030001/000088")
    assert values(mapped["102"], estate, ns.GC + "sharingType") == {code("sharing-type", "2")}
    assert values(mapped["102"], estate, ns.GC + "sharingCondition") == {
        Literal("仅限不动产登记相关业务使用", language="zh")
    }


def test_a_cursor_is_followed_until_it_runs_out(server: LocalServer) -> None:
    pages = {None: (0, "eyJvIjoyfQ"), "eyJvIjoyfQ": (2, None)}

    def wenzhou_api(request: Request) -> Reply:
        start, following = pages[request.query.get("cursor", [None])[0]]
        items = entries("wenzhou")[start : start + int(request.query["pageSize"][0])]
        return static(json.dumps({"data": {"items": items, "nextCursor": following}}), JSON)(request)

    server.routes["/gateway/catalog/items"] = wenzhou_api
    items = harvest(server.url("/gateway/catalog/items"), {**WENZHOU, "paging": {**WENZHOU["paging"], "size": 2}})
    assert [r.query.get("cursor") for r in server.requests] == [None, ["eyJvIjoyfQ"]]
    mapped = records(items)
    assert list(mapped) == ["wz-7a1f", "wz-7a20", "wz-7a21"]
    schools, clinics = ns.resource("2010001/000101"), ns.resource("2020001/000055")
    assert values(mapped["wz-7a1f"], schools, ns.GC + "sharingType") == {code("sharing-type", "1")}
    assert values(mapped["wz-7a1f"], schools, ns.GC + "openness") == {code("openness", "1")}
    assert values(mapped["wz-7a1f"], schools, ns.DCT + "issued") == {Literal("2023-09-01", datatype=XSD_DATE)}
    assert element_titles_and_types(mapped["wz-7a1f"], schools)[1] == ("在校生人数", code("data-type", "I"))
    assert values(mapped["wz-7a20"], clinics, ns.GC + "openness") == {code("openness", "2")}  # with 开放条件
    assert values(mapped["wz-7a20"], clinics, ns.GC + "sharingMethodType") == {code("sharing-method-type", "2")}


def test_a_missing_list_path_names_the_path_and_the_page(server: LocalServer) -> None:
    def failing_on_page_2(request: Request) -> Reply:
        if request.query["pageNo"] == ["2"]:
            return static(json.dumps({"code": 500, "msg": "系统繁忙，请稍后再试"}, ensure_ascii=False), JSON)(request)
        return hangzhou_api(request)

    server.routes["/api/catalog/list"] = failing_on_page_2
    with pytest.raises(HarvestError) as caught:
        harvest(server.url("/api/catalog/list"), HANGZHOU)
    assert "page 2: the list path 'data.records' is missing" in str(caught.value)
    assert "系统繁忙" in str(caught.value)


def test_a_null_list_is_an_empty_page(server: LocalServer) -> None:
    server.routes["/api/catalog/list"] = static('{"code": 200, "data": null}', JSON)
    assert harvest(server.url("/api/catalog/list"), HANGZHOU) == []


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<html><head><title>登录 - 数据开放平台</title></head></html>", "text/html", "is not JSON (text/html"),
        (b'{"title": "\xff\xfe"}', "application/json", "cannot decode the response as utf-8, gb18030"),
        ('{"data": {"records": [{"title": "same"}], "total": 9}}', JSON, "page 2 repeats the page before"),
        ('{"data": {"records": {"title": "one"}}}', JSON, "'data.records' holds a dict, not an array"),
    ],
)
def test_bodies_that_do_not_fit_are_harvest_errors(
    server: LocalServer, body: str | bytes, content_type: str, message: str
) -> None:
    server.routes["/api/catalog/list"] = static(body, content_type)
    with pytest.raises(HarvestError) as caught:
        harvest(server.url("/api/catalog/list"), HANGZHOU)
    assert message in str(caught.value)


def test_an_entry_that_is_not_an_object_fails_alone(server: LocalServer) -> None:
    document = {"data": {"records": ["HZ-2023-0001", entries("hangzhou")[0]], "total": 2}}
    server.routes["/api/catalog/list"] = static(json.dumps(document), JSON)
    items = harvest(server.url("/api/catalog/list"), HANGZHOU)
    assert list(failures(items)) == ["第 1 页第 1 条 / page 1, entry 1"]
    assert list(records(items)) == ["HZ-2023-0001"]


def test_repeated_entries_and_identifiers(server: LocalServer) -> None:
    first = entries("hangzhou")[0]
    same_code = {**first, "resourceId": "HZ-2023-0099"}
    changed = {**first, "title": "常住人口信息（新）"}
    document = {"data": {"records": [first, same_code, first, changed], "total": 4}}
    server.routes["/api/catalog/list"] = static(json.dumps(document), JSON)
    items = harvest(server.url("/api/catalog/list"), HANGZHOU)
    assert list(records(items)) == ["HZ-2023-0001"]  # the identical repetition (pages shifting) is dropped quietly
    failed = failures(items)
    assert list(failed) == ["HZ-2023-0099", "HZ-2023-0001"]
    assert "same identifier (信息资源代码) as entry HZ-2023-0001" in failed["HZ-2023-0099"].message_en
    assert "two different entries called HZ-2023-0001" in failed["HZ-2023-0001"].message_en


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fields": {"资源名称": "title"}}, "'资源名称', which is not a template column"),
        ({"fields": {"信息资源名称": {"path": "title", "sep": ";"}}}, "fields.信息资源名称 must be a path or a table"),
        ({"fields": {"信息项": {"path": "columns", "format": "{}:{type}"}}}, "placeholders must name a path"),
        ({"paging": {"mode": "pages"}}, "paging.mode must be one of page, offset, cursor, none"),
        ({"paging": {"mode": "page", "page_parm": "p"}}, "unknown paging option 'page_parm'"),
        ({"paging": {"mode": "page", "size": "20"}}, "paging.size must be a int"),
        ({"paging": {"mode": "cursor"}}, "cursor paging needs cursor_path"),
        ({"headers": {"X-Api-Key": ["a", "b"]}}, "headers must be a table"),
    ],
)
def test_bad_options_fail_before_any_request(server: LocalServer, change: dict[str, Any], message: str) -> None:
    server.routes["/api/catalog/list"] = hangzhou_api
    with pytest.raises(HarvestError) as caught:
        harvest(server.url("/api/catalog/list"), {**HANGZHOU, **change})
    assert message in str(caught.value)
    assert server.requests == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1678896000000, "2023-03-16"),  # 2023-03-15T16:00Z in milliseconds: midnight in China
        (1678895999, "2023-03-15"),
        ("2023-07-01 10:20:30", "2023-07-01"),
        ("2023-09-01T23:00:00-05:00", "2023-09-01"),  # the date as written
        ("2023年7月1日", "2023年7月1日"),  # left to the template reader
        (20230701, "20230701"),  # not a timestamp: left to the template reader, which refuses it
    ],
)
def test_release_dates_in_the_forms_platforms_use(value: str | int, expected: str) -> None:
    assert date_text(value) == expected


def test_dotted_paths_tell_null_from_missing() -> None:
    document = {"data": {"items": [{"name": "a"}], "next": None}}
    assert resolve(document, "data.items.0.name") == "a"
    assert resolve(document, "data.next") is None
    assert resolve(document, "data.next.token") is None
    assert resolve(document, "data.cursor") is MISSING and resolve(document, "data.items.3") is MISSING
    assert resolve(document, "") is document
