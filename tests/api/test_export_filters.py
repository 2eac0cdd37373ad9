"""The DCAT export's filters for harvesting nodes — category, provider_level, authored_in, exclude_source — and
the ``node`` source options that ask for them."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.store import CatalogStore, source_iri
from catalog_service.vocabulary import CodeLists
from harvesters.base import HarvestError, SourceConfig
from harvesters.dcat import NodeHarvester, peer_fetcher
from harvesters.http import Fetcher
from tests.api.test_export import exported, pages

CODES = CodeLists.default()
PREFIXES = f"PREFIX dcat: <{ns.DCAT}> PREFIX dct: <{ns.DCT}> PREFIX foaf: <{ns.FOAF}> PREFIX gc: <{ns.GC}> "


def datasets_where(store: CatalogStore, pattern: str) -> set[str]:
    """The stored datasets matching a SPARQL pattern about ``?d``: what a filter should give, asked another way."""
    rows = store.query(PREFIXES + f"SELECT DISTINCT ?d WHERE {{ ?d a dcat:Dataset . {pattern} }}")
    return {row["d"].value for row in rows}


def category(value: str) -> str:
    return CODES.concept("resource-category", value)


def test_category_takes_in_its_sub_categories(client: FlaskClient, federation: CatalogStore) -> None:
    population, legal = category("101"), category("102")
    basic = datasets_where(federation, f"?d gc:resourceCategory ?c . ?c <{ns.SKOS}broader> <{category('1')}>")
    assert basic and exported(client, category="基础") == basic == exported(client, category="basic")
    assert exported(client, category="101") == datasets_where(federation, f"?d gc:resourceCategory <{population}>")
    either = datasets_where(federation, f"VALUES ?c {{ <{population}> <{legal}> }} ?d gc:resourceCategory ?c")
    assert exported(client, category=["101", "基础/法人"]) == either


def test_level_and_division_narrow_together(client: FlaskClient, federation: CatalogStore) -> None:
    city, county = CODES.concept("level", "市"), CODES.concept("level", "县")
    in_nanjing = f"VALUES ?r {{ <{ns.region('320100')}> <{ns.region('320102')}> <{ns.region('320115')}> }}"
    assert exported(client, authored_in="320100") == datasets_where(federation, f"{in_nanjing} ?d dct:spatial ?r")
    whole_province = exported(client, authored_in="320000")
    assert exported(client, authored_in="320100") < whole_province  # a division takes in those inside it
    assert exported(client, provider_level="市", authored_in="320100") == datasets_where(
        federation, f"{in_nanjing} ?d dct:spatial ?r ; gc:level <{city}>"
    )
    assert exported(client, provider_level=["县", "市"], authored_in="320100") == datasets_where(
        federation, f"{in_nanjing} VALUES ?l {{ <{city}> <{county}> }} ?d dct:spatial ?r ; gc:level ?l"
    )


def test_exclude_source_leaves_out_what_came_through_it(client: FlaskClient, federation: CatalogStore) -> None:
    everything = exported(client)
    through = datasets_where(federation, f"?r foaf:primaryTopic ?d ; gc:harvestSource <{source_iri('jiangsu')}>")
    assert through and exported(client, exclude_source="jiangsu") == everything - through
    assert exported(client, exclude_source="no-such-source") == everything


def test_filters_stay_on_the_paging_links(client: FlaskClient) -> None:
    found = pages(client, "/catalog.ttl", page_size=5, category="基础", exclude_source="jiangsu")
    assert len(found) > 1 and found[0].total() == len(set().union(*(p.datasets() for p in found)))
    query = parse_qs(urlsplit(found[0].link("next")).query)
    assert query["category"] == ["基础"] and query["exclude_source"] == ["jiangsu"]


@pytest.mark.parametrize(
    "query",
    [
        {"category": "no-such-category"},
        {"provider_level": "乡"},
        {"authored_in": "999999"},
        {"exclude_source": "not a name"},
    ],
)
def test_bad_filter_values_are_400(client: FlaskClient, query: dict[str, str]) -> None:
    response = client.get("/catalog.ttl", query_string=query)
    assert response.status_code == 400
    assert next(iter(query)) in response.get_data(as_text=True)


def test_node_source_options_become_export_parameters() -> None:
    options = {
        "category": ["基础", "主题/社会保障"],
        "provider_level": "国家",
        "authored_in": ["320100"],
        "exclude_source": ["jiangsu", "node-nanjing"],
        "since_overlap": 60,
    }
    config = SourceConfig("down", "node", "http://peer.example/", options=options)
    since = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    harvester = NodeHarvester(config, Fetcher(), since)
    url = urlsplit(harvester.first_page_url())
    assert url.path == "/catalog.ttl" and harvester.partial
    assert parse_qs(url.query) == {
        "category": ["1", "203"],
        "provider_level": ["1"],
        "authored_in": ["320100"],
        "exclude_source": ["jiangsu", "node-nanjing"],
        "modified_since": ["2026-03-02T07:59:00+00:00"],  # a minute's overlap with the last run
    }
    unknown = SourceConfig("down", "node", "http://peer.example/", options={"category": "无此分类"})
    with pytest.raises(HarvestError, match="category"):
        NodeHarvester(unknown, Fetcher()).first_page_url()


def test_node_source_options_bound_its_fetches() -> None:
    fetcher = Fetcher()
    assert peer_fetcher(fetcher, {}) is fetcher
    bounded = peer_fetcher(fetcher, {"read_timeout": 2, "max_bytes": 1000, "retries": 1, "time_limit": 1.5})
    assert (bounded.read_timeout, bounded.deadline, bounded.max_bytes, bounded.retries) == (1.5, 1.5, 1000, 1)
    assert bounded.session is fetcher.session and fetcher.read_timeout == Fetcher.read_timeout
    with pytest.raises(HarvestError, match="max_bytes"):
        peer_fetcher(fetcher, {"max_bytes": "lots"})
