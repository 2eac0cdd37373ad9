"""Four real gov-catalog node processes, county → city → province → national, serving while they harvest:
up the chain, down from the national node, again after a change, and with a peer down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog_service import namespaces as ns
from catalog_service.config import Config
from catalog_service.federation import CHAIN, Federation, node_configs_dir, start_federation
from catalog_service.harvest import records as harvest_records
from catalog_service.harvest.sources import parse_sources
from catalog_service.loading import check_document, read_catalog_file
from catalog_service.records import datasets_in
from catalog_service.store import source_iri
from catalog_service.vocabulary import CodeLists
from tests.federation.nodes import free_ports, get_json, sparql_count, sparql_rows

CODES = CodeLists.default()
BASIC = CODES.concept("resource-category", "基础")
NATIONAL_LEVEL = CODES.concept("level", "国家")


def through(source: str) -> str:
    """A pattern: ``?d`` has a catalog record from ``source``."""
    return f"?d a dcat:Dataset . ?r foaf:primaryTopic ?d ; gc:harvestSource <{source_iri(source)}> ."


def file_resources() -> dict[str, set[str]]:
    """Node key → the valid resources of its own file that an anonymous reader sees, judged file by file.

    Entries not open to society (不予开放) are kept from anonymous readers, so a node's public export does not
    carry them up the chain.
    """
    found: dict[str, set[str]] = {}
    for spec in CHAIN:
        path = node_configs_dir() / spec.key / "gov-catalog.toml"
        config = Config.load(path)
        (source,) = (s for s in parse_sources(config.sources, base_dir=path.parent) if s.name == spec.own_source)
        document = read_catalog_file(source.url)
        valid = set(datasets_in(document.triples)) - check_document(document).invalid_records()
        found[spec.key] = {d for d in valid if harvest_records.is_public(d, document.triples)}
    return found


def source_json(base: str, name: str) -> dict:
    return next(s for s in get_json(base + "/api/sources")["sources"] if s["name"] == name)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    """The four nodes, started and filled once for the module; the tests run in file order, the peer-down one last."""
    ports = dict(zip((s.key for s in CHAIN), free_ports(len(CHAIN)), strict=True))
    federation = start_federation(tmp_path_factory.mktemp("federation"), ports=ports)
    try:
        yield federation
    finally:
        federation.stop()
    assert all(node.process is None for node in federation.nodes.values())


def test_one_resource_across_the_chain_with_its_provenance(nodes: Federation) -> None:
    national, county = nodes.nodes["national"].url, nodes.nodes["county"].url

    # 一数一源 across the chain: one dataset per distinct resource of the four files.
    files = file_resources()
    assert sparql_count(national, "?d a dcat:Dataset") == len(set().union(*files.values()))

    # A county (玄武区) entry, listed by 南京市's own catalog as well, reaches the national node once.
    iri = min(files["county"] & files["city"])
    assert sparql_count(national, f"BIND(<{iri}> AS ?d) ?d a dcat:Dataset") == 1
    in_xuanwu = f"?d a dcat:Dataset ; gc:level <{CODES.concept('level', '县')}> ; dct:spatial <{ns.region('320102')}>"
    assert sparql_count(national, in_xuanwu) == sparql_count(county, in_xuanwu) == len(files["county"]) > 0

    # Its provenance shows the chain: authored at the county, through the city, province and national nodes.
    provenance = get_json(f"{national}/api/datasets/{iri.removeprefix(ns.RESOURCE)}")["provenance"]
    records = {r["source"]: r for r in provenance["records"]}
    assert {"xuanwu", "node-xuanwu", "node-nanjing", "node-jiangsu"} <= set(records)
    assert records["xuanwu"]["authoritative"] is True  # the county's own catalog
    assert records["node-xuanwu"]["authoritative"] is True  # the city took it from the county at its level
    assert records["nanjing"]["authoritative"] is False  # the city's own copy is not the authoritative one
    assert records["node-nanjing"]["authoritative"] is False
    assert records["node-jiangsu"]["authoritative"] is False
    assert provenance["authoritative"]["authoritative"] is True
    assert provenance["descriptionFrom"] == "node-jiangsu"


def test_lower_nodes_take_entries_of_upper_levels(nodes: Federation) -> None:
    county, province, national = (nodes.nodes[k].url for k in ("county", "province", "national"))
    basic = f"?d gc:resourceCategory/skos:broader <{BASIC}> ."
    national_basic = sparql_count(national, f"?d a dcat:Dataset ; gc:level <{NATIONAL_LEVEL}> . {basic}")
    assert national_basic > 0

    # The county takes the national level's basic information resources, and nothing else.
    assert sparql_count(county, through("national-to-xuanwu")) == national_basic
    assert sparql_count(county, through("national-to-xuanwu") + basic + f"?d gc:level <{NATIONAL_LEVEL}>") == (
        national_basic
    )
    entry = get_json(f"{county}/api/datasets/{next(iter(_datasets(county, 'national-to-xuanwu')))}")
    sources = {r["source"] for r in entry["provenance"]["records"]}
    assert sources == {"national", "national-to-xuanwu"}  # authored at the national node, taken down here

    # The national node also holds the province's basic entries, which the province sent up; its export
    # leaves out what came through the sources the province names, so those do not come back down.
    sent_up = sparql_count(national, f"{through('node-jiangsu')} {basic}")
    assert sent_up > 0
    assert sparql_count(province, through("national-to-jiangsu")) == national_basic
    for own in ("jiangsu", "node-nanjing"):
        both = f"{through('national-to-jiangsu')} ?own foaf:primaryTopic ?d ; gc:harvestSource <{source_iri(own)}> ."
        assert sparql_count(province, both) == 0

    # Nor do entries taken down go back up: the national node got only what was authored in 江苏省.
    assert sparql_count(national, f"{through('node-jiangsu')} ?d gc:level <{NATIONAL_LEVEL}>") == 0


def _datasets(base: str, source: str) -> list[str]:
    """The identifiers of the datasets with a catalog record from ``source``."""
    rows = sparql_rows(base, f"SELECT DISTINCT ?d WHERE {{ {through(source)} }} ORDER BY ?d")
    return [row["d"]["value"].removeprefix(ns.RESOURCE) for row in rows]


def test_serving_nodes_reharvest_a_change_up_the_chain(nodes: Federation) -> None:
    county, city = nodes.nodes["county"], nodes.nodes["city"]
    pids = (county.process.pid, city.process.pid)
    code = _datasets(city.url, "node-xuanwu")[0]
    title = get_json(f"{county.url}/api/datasets/{code}")["title"]["zh"]
    changed = title + "（修订）"

    # The county's file changes; the running county re-harvests it, then the running city re-harvests the county.
    csv = nodes.base_dir / "files" / "xuanwu-gbk.csv"
    text = csv.read_bytes().decode("gbk")
    assert text.count(title) == 1
    csv.write_bytes(text.replace(title, changed).encode("gbk"))
    run = nodes.reharvest({"county": ["xuanwu"]})["county"]["xuanwu"]
    assert (run["status"], run["counts"]["updated"]) == ("succeeded", 1)
    run = nodes.reharvest({"city": ["node-xuanwu"]})["city"]["node-xuanwu"]
    assert (run["status"], run["counts"]["updated"]) == ("succeeded", 1)

    assert get_json(f"{city.url}/api/datasets/{code}")["title"]["zh"] == changed
    assert (county.process.pid, city.process.pid) == pids  # neither stopped to harvest


def test_a_peer_down_fails_its_source_only(nodes: Federation) -> None:
    city, national = nodes.nodes["city"].url, nodes.nodes["national"].url
    before = sparql_count(city, "?d a dcat:Dataset")
    previous_version = source_json(city, "node-xuanwu")["version"]
    national_count = sparql_count(national, "?d a dcat:Dataset")

    nodes.stop_node("county")
    runs = nodes.reharvest({"city": ["node-xuanwu", "nanjing"]})["city"]
    assert runs["node-xuanwu"]["status"] == "failed"
    report = nodes.nodes["city"].log.read_text(encoding="utf-8").split(runs["node-xuanwu"]["id"])[1]
    assert "无法连接 / cannot connect" in report.splitlines()[1]  # the run's error (government users see it in the API)
    assert runs["nanjing"]["status"] == "succeeded"  # the city's other source goes on
    assert source_json(city, "node-xuanwu")["version"] == previous_version
    assert sparql_count(city, "?d a dcat:Dataset") == before
    assert sparql_count(national, "?d a dcat:Dataset") == national_count  # the others go on serving
