"""Searching the sample federation: matching, ranking, highlighting, filters, facet counts, paging and sorting,
each checked against the same question asked of the store in SPARQL."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from catalog_service import namespaces as ns
from catalog_service.search import SearchIndex
from catalog_service.search.documents import modified_key
from catalog_service.search.facets import FACETS, parent_region
from catalog_service.store import CatalogStore
from catalog_service.vocabulary import CodeLists
from tests.search.conftest import expected, facet_table, found, search

ITEM_KEYS = {"id", "identifier", "title", "description", "publisher", "region", "level", "sharingType", "modified"}


def test_result_shape(index: SearchIndex) -> None:
    result = search(index, q="人口", size=3)
    assert set(result) == {"total", "items", "facets"}
    assert set(result["facets"]) == {
        "level",
        "region",
        "publisher",
        "sharing",
        "openness",
        "theme",
        "format",
        "frequency",
    }
    item = result["items"][0]
    assert ITEM_KEYS | {"url", "highlight"} == set(item)
    assert item["url"] == "/resource/" + item["identifier"]
    assert item["id"] == ns.resource(item["identifier"])
    assert set(item["level"]) == {"value", "label"} and item["sharingType"]["label"]
    for entries in result["facets"].values():
        assert all(set(entry) == {"value", "label", "count"} for entry in entries)


@pytest.mark.parametrize(("q", "texts"), [("人口", ["人口"]), ("社保", ["社保", "社会保险", "社会保障"])])
def test_two_character_queries_match_exactly_the_entries_containing_them(
    index: SearchIndex, federation: CatalogStore, q: str, texts: list[str]
) -> None:
    hits = found(index, q=q)
    assert len(hits) == len(set(hits))
    assert set(hits) == expected(federation, texts)
    assert len(hits) > 10


def test_abbreviation_finds_the_spelled_out_form(index: SearchIndex) -> None:
    titles = [item["title"] for item in search(index, q="社保", size=100)["items"]]
    assert any("社会保险" in t for t in titles) and any("社会保障" in t for t in titles)


def test_words_that_only_touch_do_not_match_across_punctuation(index: SearchIndex, federation: CatalogStore) -> None:
    # "户数、人口" contains 数 and 人 either side of a comma: no bigram spans it
    assert search(index, q="数人")["total"] == len(expected(federation, ["数人"])) == 0


@pytest.mark.parametrize("q", ["户籍", "医疗", "法人"])
def test_title_matches_rank_above_description_only_matches(
    index: SearchIndex, federation: CatalogStore, q: str
) -> None:
    hits = found(index, q=q)
    in_title = expected(federation, [q]) - expected_without_title(federation, q)
    description_only = expected(federation, [q]) - matched_outside_description(federation, q)
    assert in_title and description_only
    assert max(hits.index(i) for i in in_title) < min(hits.index(i) for i in description_only)


def expected_without_title(store: CatalogStore, text: str) -> set[str]:
    query = f"""SELECT DISTINCT ?d WHERE {{ ?d a dcat:Dataset
        FILTER NOT EXISTS {{ ?d dct:title ?t FILTER CONTAINS(?t, "{text}") }} }}"""
    return {row["d"].value for row in store.query(ns.sparql_prefixes() + query)}


def matched_outside_description(store: CatalogStore, text: str) -> set[str]:
    fields = "dct:title|dcat:keyword|gc:dataElement/dct:title|dct:publisher/foaf:name"
    query = f'SELECT DISTINCT ?d WHERE {{ ?d {fields} ?t FILTER CONTAINS(?t, "{text}") }}'
    return {row["d"].value for row in store.query(ns.sparql_prefixes() + query)}


def test_highlighting_marks_matches_in_title_and_description(index: SearchIndex) -> None:
    items = search(index, q="人口", size=100)["items"]
    marked = [item for item in items if "<mark>人口</mark>" in item["highlight"]["title"]]
    assert marked and all("人口" in item["title"] for item in marked)
    assert all(re.sub(r"</?mark>", "", i["highlight"]["title"]) == i["title"] for i in items if "<" not in i["title"])
    assert any("<mark>人口</mark>" in item["highlight"]["description"] for item in items)
    assert all(not re.search(r"<(?!/?mark>)", item["highlight"]["description"]) for item in items)


def test_abbreviation_highlights_both_forms(index: SearchIndex) -> None:
    descriptions = [item["highlight"]["description"] for item in search(index, q="社保", size=100)["items"]]
    assert any("<mark>社会保障</mark>" in d and "<mark>社保</mark>" in d for d in descriptions)


SCENARIOS = [
    ({"q": "人口"}, ["人口"]),
    ({"q": "社保", "level": "4"}, ["社保", "社会保险", "社会保障"]),
    ({"level": "3", "sharing": "1"}, []),
    ({"q": "信息", "region": "320000", "theme": "1"}, ["信息"]),
    ({"format": "3", "frequency": "4", "openness": "3"}, []),
    ({"region": "320500"}, []),
    ({}, []),
]


@pytest.mark.parametrize(("args", "texts"), SCENARIOS)
def test_total_and_facet_counts_agree_with_sparql(
    index: SearchIndex, federation: CatalogStore, args: dict[str, str], texts: list[str]
) -> None:
    filters = {name: value for name, value in args.items() if name != "q"}
    result = search(index, **args)
    assert result["total"] == len(expected(federation, texts, **filters)) > 0
    table = facet_table(federation)
    for facet in FACETS:
        others = {name: value for name, value in filters.items() if name != facet.name}
        counts = Counter(v for d in expected(federation, texts, **others) for v in table[d][facet.name])
        shown = {entry["value"]: entry["count"] for entry in result["facets"][facet.name]}
        assert shown == {v: counts[v] for v in shown}, facet.name
        assert all(counts[v] > 0 or v == filters.get(facet.name) for v in shown), facet.name
        if facet.name == "region":
            root = filters.get("region", "100000")
            children = {v for v in counts if parent_region(v) == root}
            assert set(shown) == children | ({root} if counts[root] or "region" in filters else set())
        elif facet.name == "publisher":  # the 50 most frequent
            assert len(shown) == min(50, len(counts))
            assert min(shown.values()) >= max((n for v, n in counts.items() if v not in shown), default=0)
        else:
            assert set(shown) == set(counts) | ({filters[facet.name]} if facet.name in filters else set())


def test_facet_labels_in_both_languages(index: SearchIndex) -> None:
    zh = search(index, lang="zh")["facets"]
    en = search(index, lang="en")["facets"]
    assert [e["label"] for e in zh["level"]] == ["国家", "省", "市", "县"]
    assert [e["label"] for e in en["level"]] == [
        CodeLists.default().label(ns.code("level", e["value"]), "en") for e in en["level"]
    ]
    assert en["sharing"][0]["label"] != zh["sharing"][0]["label"]
    assert all(e["label"] != e["value"] for e in zh["publisher"])
    assert {e["value"]: e["label"] for e in zh["region"]}["320000"] == "江苏省"


def test_province_includes_its_cities_and_counties(index: SearchIndex) -> None:
    regions = {item["region"]["value"] for item in search(index, region="320000", size=100)["items"]}
    regions |= {item["region"]["value"] for item in search(index, region="320000", size=100, page=2)["items"]}
    assert {"320000", "320100", "320102", "320500", "320583"} <= regions
    assert search(index, region="320102")["total"] > 0
    assert all(r.startswith("32") for r in regions)


def test_top_category_includes_its_subcategories(index: SearchIndex, federation: CatalogStore) -> None:
    basic = set(found(index, theme="1"))
    subcategories = [search(index, theme=code)["total"] for code in ("101", "102", "103", "104", "105")]
    assert len(basic) == sum(subcategories) == len(expected(federation, theme="1"))
    assert all(count > 0 for count in subcategories)
    theme = {e["value"]: e["count"] for e in search(index, theme="1")["facets"]["theme"]}
    assert theme["1"] == sum(theme[code] for code in ("101", "102", "103", "104", "105"))


def test_filters_accept_labels_and_notations(index: SearchIndex) -> None:
    assert search(index, level="市")["total"] == search(index, level="3")["total"]
    assert search(index, sharing="有条件共享")["total"] == search(index, sharing="2")["total"]


def test_publisher_filter(index: SearchIndex, federation: CatalogStore) -> None:
    publisher = search(index, q="人口")["facets"]["publisher"][0]
    result = search(index, q="人口", publisher=publisher["value"], size=100)
    assert result["total"] == publisher["count"] == len(expected(federation, ["人口"], publisher=publisher["value"]))
    assert {item["publisher"]["value"] for item in result["items"]} == {publisher["value"]}
    assert search(index, publisher="https://example.org/nobody")["total"] == 0


def test_paging_walks_through_the_results_once(index: SearchIndex) -> None:
    ten = [item["id"] for item in search(index, q="信息", size=10)["items"]]
    pages = [item["id"] for page in (1, 2) for item in search(index, q="信息", size=5, page=page)["items"]]
    assert pages == ten and len(set(ten)) == 10
    total = search(index, q="人口")["total"]
    assert search(index, q="人口", size=10, page=total // 10 + 2)["items"] == []


@pytest.mark.parametrize("args", [{"q": "信息"}, {"level": "4"}, {}])
def test_sort_by_last_modified(index: SearchIndex, args: dict[str, str]) -> None:
    total = search(index, **args)["total"]
    items = [
        i
        for page in range(1, total // 100 + 2)
        for i in search(index, **args, sort="modified", size=100, page=page)["items"]
    ]
    keys = [modified_key(item["modified"]) for item in items]
    assert len(items) == total and keys == sorted(keys, reverse=True) and len(set(keys)) > 1


def test_modified_falls_back_to_the_catalog_record(index: SearchIndex, federation: CatalogStore) -> None:
    query = """SELECT ?d ?m WHERE { ?d a dcat:Dataset . ?r foaf:primaryTopic ?d ; dct:modified ?m
        FILTER NOT EXISTS { ?d dct:modified ?own } }"""
    records: dict[str, str] = {}
    for row in federation.query(ns.sparql_prefixes() + query):
        records[row["d"].value] = max(records.get(row["d"].value, ""), row["m"].value)  # the newest record's
    assert records
    items = {item["id"]: item for page in range(1, 6) for item in search(index, size=100, page=page)["items"]}
    assert len(items) == search(index)["total"]
    assert all(items[iri]["modified"] == modified for iri, modified in records.items())
