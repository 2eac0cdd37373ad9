"""The ``dcat`` and ``node`` harvesters against real local servers: syntaxes, Hydra paging, failures, mapping."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from harvesters.base import HarvestedRecord, HarvestError, HarvestItem, SharedTriples, SourceConfig
from harvesters.dcat import SKOLEM, DcatHarvester, NodeHarvester, eu_frequency_concepts, map_page, rdf_format_of
from harvesters.http import Fetcher, FetchError, Response
from harvesters.registry import harvester_class
from tests.servers import Reply, Request, serve, static
from tests.servers import TestServer as LocalServer

DATA = Path(__file__).parents[1] / "data" / "dcat"
EXAMPLES = Path(__file__).parents[2] / ".." / "shared" / "conformance" / "dcat-ap-3.0.0" / "examples"
SOURCE = "nanjing-open"

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
IDENTIFIER = ox.NamedNode(ns.DCT + "identifier")
ACCRUAL = ox.NamedNode(ns.DCT + "accrualPeriodicity")
SAME_AS = ox.NamedNode(ns.OWL + "sameAs")
FOAF_NAME = ox.NamedNode(ns.FOAF + "name")
NJ = "https://data.nj.example.gov.cn/"

EU_TO_PROFILE = {
    "UPDATE_CONT": "1",
    "DAILY": "2",
    "WEEKLY": "3",
    "MONTHLY": "4",
    "QUARTERLY": "5",
    "BIANNUAL": "6",
    "ANNUAL": "7",
    "OTHER": "8",
}
"""The update-frequency table of docs/profile.md, written out independently of codelists.ttl."""


def fetcher() -> Fetcher:
    return Fetcher(connect_timeout=2, read_timeout=2, deadline=5, retries=0)


def harvest(url: str, source_type: str = "dcat", since: datetime | None = None, **options) -> list[HarvestItem]:
    config = SourceConfig(name=SOURCE, type=source_type, url=url, options=options)
    return list(harvester_class(source_type)(config, fetcher(), since).harvest())


def triples_of(items: Iterable[HarvestItem]) -> set[ox.Triple]:
    return {t for item in items if isinstance(item, HarvestedRecord | SharedTriples) for t in item.triples}


def records_of(items: Iterable[HarvestItem]) -> dict[str, HarvestedRecord]:
    return {item.iri: item for item in items if isinstance(item, HarvestedRecord)}


def shared_of(items: Iterable[HarvestItem]) -> set[ox.Triple]:
    return {t for item in items if isinstance(item, SharedTriples) for t in item.triples}


def read(path: Path, base: str, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> list[ox.Triple]:
    """A test file's triples without the Hydra paging ones, as the source meant the catalog."""
    return read_bytes(path.read_bytes().replace(b"{base}", base.encode()), base, rdf_format)


def read_bytes(data: bytes, base: str, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> list[ox.Triple]:
    quads = ox.parse(data, format=rdf_format, base_iri=base, rename_blank_nodes=True)
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if not (
            q.predicate.value.startswith(ns.HYDRA) or (q.predicate == RDF_TYPE and q.object.value.startswith(ns.HYDRA))
        )
    ]


def canonical(triples: Iterable[ox.Triple]) -> set[ox.Quad]:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def assert_lossless(original: list[ox.Triple], items: list[HarvestItem]) -> None:
    """Every original triple comes out, and nothing else but what the mapping promises to add.

    Allowed differences: a foreign dataset IRI with a 信息资源代码 becomes that resource's IRI, with
    ``owl:sameAs`` the original; a blank-node dataset gets a skolem IRI of this source, or its resource IRI;
    a plain (no gc: terms) dataset gains the profile's update frequency beside an EU one.
    """
    out = triples_of(items)
    by_subject: dict = {}
    for t in original:
        by_subject.setdefault(t.subject, []).append(t)
    datasets = {s for s, ts in by_subject.items() if ox.Triple(s, RDF_TYPE, DATASET) in ts}

    def code(dataset) -> str | None:
        codes = {
            t.object.value
            for t in by_subject[dataset]
            if t.predicate == IDENTIFIER and re.fullmatch(r"[1-3]\d{6}/\d{6}", t.object.value)
        }
        return codes.pop() if len(codes) == 1 else None

    foreign = {
        d: ox.NamedNode(ns.resource(code(d)))
        for d in datasets
        if isinstance(d, ox.NamedNode) and code(d) and not d.value.startswith(ns.RESOURCE)
    }
    same_as = {t for t in out if t.predicate == SAME_AS}
    assert same_as == {ox.Triple(new, SAME_AS, old) for old, new in foreign.items()}

    known = {term for t in original for term in (t.subject, t.object)} | set(foreign.values())
    minted = {t.subject for t in out if isinstance(t.subject, ox.NamedNode) and t.subject not in known}
    blank_datasets = [d for d in datasets if isinstance(d, ox.BlankNode)]
    assert len(minted) == len(blank_datasets)
    for iri in minted:
        assert iri.value.startswith(f"{SKOLEM}{quote(SOURCE, safe='')}/") or iri.value in {
            ns.resource(c) for d in blank_datasets if (c := code(d))
        }

    def renamed(term):
        return foreign.get(term, term)

    expected = [ox.Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in original]
    expected += [
        ox.Triple(renamed(t.subject), ACCRUAL, ox.NamedNode(ns.code("update-frequency", EU_TO_PROFILE[name])))
        for t in original
        if t.subject in datasets
        and t.predicate == ACCRUAL
        and not any(u.predicate.value.startswith(ns.GC) for u in by_subject[t.subject])
        and (name := t.object.value.removeprefix(ns.EU_FREQUENCY)) in EU_TO_PROFILE
    ]
    blank_for = {iri: ox.BlankNode() for iri in minted}
    back = [
        ox.Triple(blank_for.get(t.subject, t.subject), t.predicate, blank_for.get(t.object, t.object))
        for t in out - same_as
    ]
    assert canonical(back) == canonical(expected)


# --- Hydra paging -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running() -> Iterator[LocalServer]:
    with serve() as server:
        yield server


@pytest.fixture
def server(running: LocalServer) -> LocalServer:
    """The module's server (one per module: stopping a server takes half a second), emptied for this test."""
    running.routes.clear()
    running.requests.clear()
    return running


def serve_pages(
    server: LocalServer, files: list[str], path: str = "/catalog.ttl", content_type: str = "text/turtle; charset=utf-8"
) -> str:
    """Answer ``path?page=n`` (no page: 1) with the n-th file, ``{base}`` replaced by the server's URL; its URL."""

    def route(request: Request) -> Reply:
        number = int(request.query.get("page", ["1"])[0])
        if number > len(files):
            return Reply(b"no such page", 404)
        body = (DATA / files[number - 1]).read_bytes().replace(b"{base}", server.base_url.encode())
        return Reply(body, content_type=content_type)

    server.routes[path] = route
    return server.url(path)


def serve_body(server: LocalServer, body: bytes, content_type: str) -> str:
    """Answer ``/c`` with ``body``; its URL."""
    server.routes["/c"] = static(body, content_type)
    return server.url("/c")


# --- Hydra paging -------------------------------------------------------------------------------------------------

PAGED = ["paged-1.ttl", "paged-2.ttl", "paged-3.ttl"]


def test_turtle_pages_are_followed_along_hydra_next(server: LocalServer) -> None:
    url = serve_pages(server, PAGED)
    items = harvest(url)
    assert [r.query.get("page") for r in server.requests] == [None, ["2"], ["3"]]
    assert all("text/turtle" in r.headers["Accept"] for r in server.requests)
    assert not any(ns.HYDRA in t.predicate.value + t.object.value for t in triples_of(items))
    records = records_of(items)
    skolem = [iri for iri in records if iri.startswith(f"{SKOLEM}{SOURCE}/")]
    assert len(skolem) == 1 and re.fullmatch(r"[0-9a-f]{32}", skolem[0].rsplit("/", 1)[1])
    assert set(records) == {
        ns.resource("1010001/000123"),  # hk-001, renamed for its 信息资源代码
        NJ + "dataset/kq-017",  # identifier is not a 信息资源代码: kept
        skolem[0],  # blank node without a code
        ns.resource("2030001/000045"),  # already in the profile
        ns.resource("2040001/000417"),  # blank node with a code
        NJ + "dataset/gj-009",
    }
    assert_lossless([t for name in PAGED for t in read(DATA / name, url)], items)


def test_foreign_iri_with_a_resource_code_is_renamed_with_same_as(server: LocalServer) -> None:
    records = records_of(harvest(serve_pages(server, PAGED)))
    ours, theirs = ox.NamedNode(ns.resource("1010001/000123")), ox.NamedNode(NJ + "dataset/hk-001")
    record = records[ours.value]
    assert record.key == theirs.value
    assert ox.Triple(ours, SAME_AS, theirs) in record.triples
    assert not any(theirs in (t.subject, t.object) for t in record.triples if t.predicate != SAME_AS)
    kept = records[NJ + "dataset/kq-017"]
    assert kept.key == "" and not any(t.predicate == SAME_AS for t in kept.triples)
    assert ox.Triple(ox.NamedNode(NJ + "dataset/kq-017"), ox.NamedNode(ns.DCAT + "prev"), ours) in kept.triples


def test_record_in_the_profile_passes_through_unchanged(server: LocalServer) -> None:
    url = serve_pages(server, PAGED)
    records = records_of(harvest(url))
    iri = ns.resource("2030001/000045")
    own = {t for t in read(DATA / "paged-2.ttl", url) if t.subject.value in (iri, iri + "/element/1")}
    assert set(records[iri].triples) == own


def test_catalogs_and_publishers_are_shared(server: LocalServer) -> None:
    items = harvest(serve_pages(server, PAGED))
    shared, records = shared_of(items), records_of(items)
    catalog, agency = ox.NamedNode(NJ + "catalog"), ox.NamedNode(NJ + "org/dsj")
    assert ox.Triple(catalog, RDF_TYPE, ox.NamedNode(ns.DCAT + "Catalog")) in shared
    assert ox.Triple(catalog, ox.NamedNode(ns.DCAT + "dataset"), ox.NamedNode(ns.resource("2040001/000417"))) in shared
    assert ox.Triple(agency, FOAF_NAME, ox.Literal("南京市大数据管理局", language="zh")) in shared
    # A blank-node publisher two datasets name is shared, with the blank nodes it has; one that a single
    # dataset names travels with that dataset.
    market = ox.Literal("南京市市场监督管理局", language="zh")
    (org,) = [t.subject for t in shared if t.object == market]
    assert isinstance(org, ox.BlankNode)
    (contact,) = [t.object for t in shared if t.subject == org and t.predicate.value == ns.DCAT + "contactPoint"]
    assert any(t.subject == contact for t in shared)
    for iri in (ns.resource("2040001/000417"), NJ + "dataset/gj-009"):
        assert ox.Triple(ox.NamedNode(iri), ox.NamedNode(ns.DCT + "publisher"), org) in records[iri].triples
        assert not any(t.subject in (org, contact) for t in records[iri].triples)
    transport = ox.Literal("南京市交通运输局", language="zh")
    assert transport not in {t.object for t in shared}
    assert any(t.object == transport for r in records.values() if r.iri.startswith(SKOLEM) for t in r.triples)


def test_skolem_iris_stay_the_same_from_one_harvest_to_the_next(server: LocalServer) -> None:
    url = serve_pages(server, PAGED)
    assert set(records_of(harvest(url))) == set(records_of(harvest(url)))


def test_old_paged_collection_with_literal_next_page_in_rdf_xml(server: LocalServer) -> None:
    files = ["paged-old-1.rdf", "paged-old-2.rdf"]
    items = harvest(serve_pages(server, files, "/catalog.rdf", "application/rdf+xml"))
    assert [r.query.get("page") for r in server.requests] == [None, ["2"]]
    assert set(records_of(items)) == {ns.resource("3120001/000008"), "https://data.sz.example.gov.cn/dataset/jt-044"}
    assert not any(ns.HYDRA in t.predicate.value + t.object.value for t in triples_of(items))
    assert_lossless([t for name in files for t in read(DATA / name, server.base_url, ox.RdfFormat.RDF_XML)], items)


def test_a_next_page_seen_before_is_a_loop(server: LocalServer) -> None:
    url = serve_pages(server, ["loop.ttl", "loop.ttl"], "/loop.ttl")
    with pytest.raises(HarvestError, match=r"paging loops: page 2 .*loop\.ttl\?page=2"):
        harvest(url)
    assert len(server.requests) == 2


def test_paging_stops_at_max_pages(server: LocalServer) -> None:
    url = serve_pages(server, PAGED)
    with pytest.raises(HarvestError, match="max_pages = 2"):
        harvest(url, max_pages=2)
    assert len(server.requests) == 2
    with pytest.raises(HarvestError, match="positive integer"):
        harvest(url, max_pages=0)


def test_a_page_that_does_not_parse_fails_the_source_naming_page_and_line(server: LocalServer) -> None:
    url = serve_pages(server, ["paged-1.ttl", "malformed.ttl", "paged-3.ttl"])
    with pytest.raises(HarvestError) as caught:
        harvest(url)
    message = str(caught.value)
    assert "page 2" in message and f"{url}?page=2:8:" in message
    assert len(server.requests) == 2


def test_a_later_page_that_cannot_be_fetched_fails_the_source(server: LocalServer) -> None:
    with pytest.raises(FetchError) as caught:
        harvest(serve_pages(server, PAGED[:2]))
    assert caught.value.status == 404 and caught.value.url.endswith("/catalog.ttl?page=3")


# --- syntaxes ----------------------------------------------------------------------------------------------------

FORMATS = DATA / "formats"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("catalog.ttl", "text/turtle"),
        ("catalog.rdf", "application/rdf+xml"),
        ("catalog.jsonld", "application/ld+json"),
        ("catalog.nt", "application/n-triples"),
        # missing, generic or lying types: the first bytes decide
        ("catalog.ttl", "text/plain; charset=utf-8"),
        ("catalog.ttl", "application/rdf+xml"),
        ("catalog.rdf", "application/octet-stream"),
        ("catalog.rdf", "text/turtle"),
        ("catalog.jsonld", ""),
        ("catalog.jsonld", "application/rdf+xml"),
        ("catalog.nt", "application/octet-stream"),
        ("catalog.nt", "application/ld+json"),
    ],
)
def test_every_syntax_gives_the_same_catalog(server: LocalServer, name: str, content_type: str) -> None:
    url = serve_body(server, (FORMATS / name).read_bytes(), content_type)
    items = harvest(url)
    assert_lossless(read(FORMATS / "catalog.ttl", url), items)
    assert ns.resource("1020001/000031") in records_of(items)


@pytest.mark.parametrize(
    ("head", "content_type", "expected"),
    [
        (b'<?xml version="1.0"?><rdf:RDF/>', "", ox.RdfFormat.RDF_XML),
        (b"\xef\xbb\xbf\n  <rdf:RDF\n xmlns:rdf='x'>", "text/turtle", ox.RdfFormat.RDF_XML),
        (b"<!-- dump --><rdf:RDF/>", "", ox.RdfFormat.RDF_XML),
        (b"<http://a/> <http://b/> <http://c/> .", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        (b"<http://a/> <http://b/> <http://c/> .", "application/rdf+xml", ox.RdfFormat.TURTLE),
        (b"_:a <http://b/> _:c .", "", ox.RdfFormat.TURTLE),
        (b"# dump\n<http://a/> <http://b/> <http://c/> .", "", ox.RdfFormat.TURTLE),
        (b"PREFIX dcat: <http://www.w3.org/ns/dcat#>", "application/n-triples", ox.RdfFormat.TURTLE),
        (b"[ a <http://www.w3.org/ns/dcat#Dataset> ] .", "application/ld+json", ox.RdfFormat.TURTLE),
        (b'[ {"@id": "http://a/"} ]', "text/turtle", ox.RdfFormat.JSON_LD),
        (b'{"@context": {}}', "application/octet-stream", ox.RdfFormat.JSON_LD),
        (b"\x00\x01 binary", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_syntax_from_content_type_and_first_bytes(head: bytes, content_type: str, expected: ox.RdfFormat) -> None:
    assert rdf_format_of(Response("http://x/catalog", 200, head, content_type)) == expected


def test_syntax_from_the_extension_when_nothing_else_tells() -> None:
    assert rdf_format_of(Response("http://x/catalog.nt", 200, b"\x00", "")) == ox.RdfFormat.N_TRIPLES
    with pytest.raises(HarvestError, match="cannot tell the RDF syntax"):
        rdf_format_of(Response("http://x/catalog", 200, b"\x00", "application/octet-stream"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html>\n<html><body>login</body></html>", "HTML page"),
        (b"<html lang='zh'>", "HTML page"),
        (b" \n\t", "empty document"),
    ],
)
def test_html_and_empty_pages_are_not_catalogs(server: LocalServer, body: bytes, message: str) -> None:
    with pytest.raises(HarvestError, match=message):
        harvest(serve_body(server, body, "text/turtle"))


def test_a_slash_in_a_prefixed_name_is_read_as_meant(server: LocalServer) -> None:
    body = """@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ds: <https://data.example.gov.cn/dataset/> .
ds:gj/9 a dcat:Dataset ; dct:title "个体工商户" ; dcat:distribution ds:gj/9/csv, ds:gj/9/api .
""".encode()
    records = records_of(harvest(serve_body(server, body, "text/turtle")))
    dataset = "https://data.example.gov.cn/dataset/gj/9"
    assert set(records) == {dataset}
    distributions = {t.object.value for t in records[dataset].triples if t.predicate.value == ns.DCAT + "distribution"}
    assert distributions == {dataset + "/csv", dataset + "/api"}


@pytest.mark.parametrize("body", [b"_:a/b <http://p> <http://o> .", b"<http://s> <http://p> /o ."])
def test_a_slash_elsewhere_is_still_an_error(server: LocalServer, body: bytes) -> None:
    with pytest.raises(HarvestError, match=":1:"):
        harvest(serve_body(server, body, "text/turtle"))


def test_a_document_not_in_utf8_is_refused_with_its_position(server: LocalServer) -> None:
    text = (FORMATS / "catalog.ttl").read_text(encoding="utf-8")
    line = text[: text.index("无锡市政务数据目录")].count("\n") + 1
    url = serve_body(server, text.encode("gbk"), "text/turtle; charset=gbk")
    with pytest.raises(HarvestError) as caught:
        harvest(url)
    message = str(caught.value)
    assert "not valid UTF-8" in message and "charset=gbk" in message
    assert f"{url}:{line}:" in message


def test_an_rdf_xml_bomb_is_refused(server: LocalServer) -> None:
    with pytest.raises(HarvestError, match="DOCTYPE"):
        harvest(serve_body(server, (DATA / "bomb.rdf").read_bytes(), "application/rdf+xml"))


# --- DCAT-AP 3.0.0 examples -------------------------------------------------------------------------------------


def test_the_dcat_ap_examples_are_there() -> None:
    assert len(list(EXAMPLES.glob("*.ttl"))) >= 15


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ttl")), ids=lambda p: p.name)
def test_dcat_ap_examples_harvest_without_loss(server: LocalServer, path: Path) -> None:
    url = serve_body(server, path.read_bytes(), "text/turtle")
    items = harvest(url)
    # Two examples write ``example-dist:BeePopulation2023/csv`` as a subject, which Turtle spells with ``\/``.
    original = read_bytes(re.sub(rb"(?m)^([A-Za-z][\w-]*:\w+)/", rb"\1\\/", path.read_bytes()), url)
    assert_lossless(original, items)
    datasets = {t.subject.value for t in original if t.predicate == RDF_TYPE and t.object == DATASET}
    assert set(records_of(items)) == datasets


# --- mapping -----------------------------------------------------------------------------------------------------


def test_eu_frequencies_map_to_the_profile_through_exact_match() -> None:
    assert eu_frequency_concepts() == {
        ns.EU_FREQUENCY + eu: ns.code("update-frequency", notation) for eu, notation in EU_TO_PROFILE.items()
    }


def test_eu_frequency_is_mapped_beside_the_original_in_plain_records_only() -> None:
    annual, never = (ox.NamedNode(ns.EU_FREQUENCY + name) for name in ("ANNUAL", "NEVER"))
    plain, profiled, unmapped = (ox.NamedNode(f"https://data.example.org/dataset/{n}") for n in ("p", "g", "u"))
    triples = [
        ox.Triple(plain, RDF_TYPE, DATASET),
        ox.Triple(plain, ACCRUAL, annual),
        ox.Triple(profiled, RDF_TYPE, DATASET),
        ox.Triple(profiled, ox.NamedNode(ns.GC + "classified"), ox.Literal(False)),
        ox.Triple(profiled, ACCRUAL, annual),
        ox.Triple(unmapped, RDF_TYPE, DATASET),
        ox.Triple(unmapped, ACCRUAL, never),
    ]
    records = records_of(map_page(triples, SOURCE))
    frequencies = {iri: {t.object for t in r.triples if t.predicate == ACCRUAL} for iri, r in records.items()}
    assert frequencies == {
        plain.value: {annual, ox.NamedNode(ns.code("update-frequency", "7"))},
        profiled.value: {annual},
        unmapped.value: {never},
    }


def test_a_dataset_with_two_resource_codes_is_named_by_neither() -> None:
    dataset = ox.BlankNode()
    triples = [
        ox.Triple(dataset, RDF_TYPE, DATASET),
        ox.Triple(dataset, IDENTIFIER, ox.Literal("1010001/000001")),
        ox.Triple(dataset, IDENTIFIER, ox.Literal("1010001/000002")),
    ]
    (record,) = records_of(map_page(triples, "省 平台")).values()
    assert record.iri.startswith(SKOLEM + quote("省 平台", safe="") + "/")


# --- incremental harvesting and the node type --------------------------------------------------------------------

SINCE = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def test_dcat_asks_for_changes_since_the_last_run_when_configured(server: LocalServer) -> None:
    url = serve_pages(server, PAGED)
    harvest(url + "?lang=zh", since=SINCE, modified_since_param="modifiedSince")
    first, second, _ = server.requests
    assert first.query == {"lang": ["zh"], "modifiedSince": ["2024-05-01T08:30:00+00:00"]}
    assert second.query == {"page": ["2"]}
    server.requests.clear()
    harvest(url, since=SINCE)
    harvest(url, modified_since_param="modifiedSince")
    assert [r.query for r in server.requests if "page" not in r.query] == [{}, {}]


def test_types_are_registered() -> None:
    assert harvester_class("dcat") is DcatHarvester
    assert harvester_class("node") is NodeHarvester


def test_node_reads_catalog_ttl_modified_since_the_last_run(server: LocalServer) -> None:
    serve_pages(server, PAGED)
    items = harvest(server.base_url + "/", "node", since=SINCE)
    assert [(r.path, r.query) for r in server.requests] == [
        ("/catalog.ttl", {"modified_since": ["2024-05-01T08:20:00+00:00"]}),  # since_overlap: 10 minutes before
        ("/catalog.ttl", {"page": ["2"]}),
        ("/catalog.ttl", {"page": ["3"]}),
    ]
    assert ns.resource("2030001/000045") in records_of(items)


def test_node_without_since_reads_everything_at_its_path(server: LocalServer) -> None:
    serve_pages(server, ["formats/catalog.ttl"], "/gov-catalog/export.ttl")
    items = harvest(server.base_url, "node", path="gov-catalog/export.ttl")
    assert [(r.path, r.query) for r in server.requests] == [("/gov-catalog/export.ttl", {})]
    assert ns.resource("1020001/000031") in records_of(items)
