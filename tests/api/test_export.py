"""Dataset IRIs that dereference, and the paged DCAT-AP export: Hydra paging, modified_since, conformance to
the DCAT-AP 3.0.0 shapes, and another node harvesting it without loss."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.export import CurrentView, describe
from catalog_service.harvest.pipeline import harvest
from catalog_service.rdfio import parse_bytes
from catalog_service.store import CatalogStore
from harvesters.base import SourceConfig
from harvesters.http import Response
from tests.api.conftest import shared_folder

KNOWN = "1010002/000186"
KNOWN_IRI = ox.NamedNode(ns.resource(KNOWN))
RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
CATALOG_RECORD = ox.NamedNode(ns.DCAT + "CatalogRecord")
PRIMARY_TOPIC = ox.NamedNode(ns.FOAF + "primaryTopic")
MODIFIED = ox.NamedNode(ns.DCT + "modified")
HYDRA = ns.HYDRA
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def stored_datasets(store: CatalogStore) -> set[str]:
    query = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT DISTINCT ?d WHERE { ?d a dcat:Dataset }"
    return {row["d"].value for row in store.query(query)}


@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
        (None, "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_dataset_iri_dereferences_to_its_description(
    client: FlaskClient, federation: CatalogStore, accept: str | None, media_type: str, rdf_format: ox.RdfFormat
) -> None:
    response = client.get(f"/resource/{KNOWN}", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type and "Accept" in response.vary
    served = set(parse_bytes(response.data, rdf_format))
    assert served == set(describe(CurrentView(federation), [KNOWN_IRI]))
    subjects = {t.subject.value for t in served}
    assert {
        f"{KNOWN_IRI.value}/element/1",
        f"{KNOWN_IRI.value}/distribution/1",
        ns.organization("113200002295909933"),
    } <= (subjects)
    records = {t.subject for t in served if t.predicate == PRIMARY_TOPIC and t.object == KNOWN_IRI}
    assert records and all(ox.Triple(r, RDF_TYPE, CATALOG_RECORD) in served for r in records)


def test_browsers_are_sent_to_the_dataset_page(client: FlaskClient) -> None:
    response = client.get(f"/resource/{KNOWN}", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == f"/datasets/{KNOWN}"


def test_dereferencing_refuses_what_it_cannot_serve(client: FlaskClient) -> None:
    assert client.get(f"/resource/{KNOWN}", headers={"Accept": "image/png"}).status_code == 406
    missing = client.get("/resource/9999999/000000", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404 and " / no resource" in missing.get_data(as_text=True)


@dataclass
class Page:
    url: str
    triples: set[ox.Triple]
    body: bytes

    def datasets(self) -> set[str]:
        return {t.subject.value for t in self.triples if t.predicate == RDF_TYPE and t.object == DATASET}

    def link(self, name: str) -> str | None:
        found = [t.object.value for t in self.triples if t.predicate.value == HYDRA + name]
        assert len(found) <= 1
        return found[0] if found else None

    def total(self) -> int:
        (total,) = [int(t.object.value) for t in self.triples if t.predicate.value == HYDRA + "totalItems"]
        return total


def pages(client: FlaskClient, path: str, **params: str | int) -> list[Page]:
    """Every page of an export, following hydra:next from ``path``."""
    found: list[Page] = []
    url: str | None = client.get(path, query_string=params).request.url
    while url is not None:
        parts = urlsplit(url)
        response = client.get(parts.path, query_string=parts.query)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = Page(url, set(parse_bytes(response.data, ox.RdfFormat.TURTLE)), response.data)
        found.append(page)
        url = page.link("next")
        assert len(found) < 100
    return found


def exported(client: FlaskClient, **params: str | int) -> set[str]:
    return set().union(*(p.datasets() for p in pages(client, "/catalog.ttl", page_size=1000, **params)))


def test_export_pages_through_every_dataset_once(client: FlaskClient, federation: CatalogStore) -> None:
    everything = stored_datasets(federation)
    found = pages(client, "/catalog.ttl", page_size=50)
    assert len(found) == -(-len(everything) // 50)
    assert [len(p.datasets()) for p in found[:-1]] == [50] * (len(found) - 1)
    assert sum(len(p.datasets()) for p in found) == len(everything)
    assert set().union(*(p.datasets() for p in found)) == everything
    views = [p.link("view") for p in found]
    assert [p.url for p in found[1:]] == views[1:]
    for number, page in enumerate(found, 1):
        assert page.total() == len(everything)
        assert (page.link("first"), page.link("last")) == (views[0], views[-1])
        assert page.link("previous") == (views[number - 2] if number > 1 else None)
        assert page.link("next") == (views[number] if number < len(found) else None)
        assert urlsplit(views[number - 1]).query == f"page={number}&page_size=50"


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/catalog", None, "text/turtle"),
        ("/catalog", "application/ld+json", "application/ld+json"),
        ("/catalog", "application/rdf+xml", "application/rdf+xml"),
        ("/catalog", "application/n-triples", "application/n-triples"),
        ("/catalog.ttl", "application/ld+json", "text/turtle"),
        ("/catalog.jsonld", None, "application/ld+json"),
        ("/catalog.rdf", "text/turtle", "application/rdf+xml"),
    ],
)
def test_catalog_syntax_follows_accept_or_extension(
    client: FlaskClient, path: str, accept: str | None, media_type: str
) -> None:
    response = client.get(path, query_string={"page_size": 5}, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type
    triples = parse_bytes(response.data, ox.RdfFormat.from_media_type(media_type))
    assert sum(1 for t in triples if t.predicate == RDF_TYPE and t.object == DATASET) == 5
    assert ("Accept" in response.vary) == (path == "/catalog")


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "two"},
        {"page_size": "0"},
        {"page_size": "1001"},
        {"modified_since": "yesterday"},
        {"modified_since": "2024-13-01"},
        {"modified_since": "2024-05-01T25:00:00"},
        {"since": "2024-05-01"},
    ],
)
def test_bad_export_parameters_are_400(client: FlaskClient, query: dict[str, str]) -> None:
    response = client.get("/catalog.ttl", query_string=query)
    assert response.status_code == 400
    assert " / " in response.get_data(as_text=True)


def test_a_page_past_the_last_is_404(client: FlaskClient) -> None:
    assert client.get("/catalog.ttl", query_string={"page": 2, "page_size": 1000}).status_code == 404
    assert client.get("/catalog.ttl", query_string={"page": 10**30}).status_code == 404


def replace_value(store: CatalogStore, subject: ox.NamedNode, predicate: ox.NamedNode, value: ox.Literal) -> None:
    """Change one value of a stored subject in place, in the source graph that holds it."""
    for source in store.sources():
        triples = [t for t in store.triples(source.name) if t.subject == subject]
        if triples:
            kept = [t for t in triples if t.predicate != predicate]
            store.update_source(
                source.name, remove_subjects=[subject.value], add=[*kept, ox.Triple(subject, predicate, value)]
            )
            return
    raise AssertionError(f"{subject} is not stored")


def test_modified_since_selects_what_changed(client: FlaskClient, federation: CatalogStore) -> None:
    everything = stored_datasets(federation)
    records = list(federation.query("PREFIX dct: <http://purl.org/dc/terms/> SELECT ?m WHERE { ?r dct:modified ?m }"))
    after = max(datetime.fromisoformat(row["m"].value) for row in records if "T" in row["m"].value) + timedelta(
        seconds=1
    )
    assert exported(client, modified_since="2000-01-01") == everything
    assert exported(client, modified_since=after.isoformat()) == set()

    # one resource says it changed (a date), and another's catalog record changed (an instant)
    by_date, by_record = sorted(everything)[:2]
    day = (after + timedelta(hours=3)).date() + timedelta(days=1)  # after the record's change, even near midnight
    replace_value(
        federation, ox.NamedNode(by_date), MODIFIED, ox.Literal(day.isoformat(), datatype=ox.NamedNode(ns.XSD + "date"))
    )
    record = next(
        t.subject
        for t in CurrentView(federation).triples(None, PRIMARY_TOPIC, ox.NamedNode(by_record))
        if t.subject.value.startswith(ns.BASE + "record/")
    )
    changed = (after + timedelta(hours=1)).isoformat()
    replace_value(federation, record, MODIFIED, ox.Literal(changed, datatype=ox.NamedNode(ns.XSD + "dateTime")))

    assert exported(client, modified_since=after.isoformat()) == {by_date, by_record}
    beijing = after.astimezone(timezone(timedelta(hours=8))).isoformat()
    assert exported(client, modified_since=beijing) == {by_date, by_record}
    assert exported(client, modified_since=(after + timedelta(hours=2)).isoformat()) == {by_date}
    assert exported(client, modified_since=day.isoformat()) == {by_date}
    assert exported(client, modified_since=(day + timedelta(days=1)).isoformat()) == set()

    page = pages(client, "/catalog.ttl", page_size=1, modified_since=after.isoformat())[0]
    assert page.total() == 2 and "modified_since=" in page.link("next")


def test_export_conforms_to_dcat_ap_3(client: FlaskClient, federation: CatalogStore) -> None:
    """The whole export, all pages merged, against DCAT-AP 3.0.0 shapes.ttl + range.ttl: no violation."""
    conformance = shared_folder() / "conformance" / "dcat-ap-3.0.0"
    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(conformance / name, format="turtle")
    data = rdflib.Graph()
    for page in pages(client, "/catalog.ttl", page_size=100):
        data.parse(data=page.body, format="turtle")
    dcat = rdflib.Namespace(ns.DCAT)
    assert {str(d) for d in data.subjects(rdflib.RDF.type, dcat.Dataset)} == stored_datasets(federation)

    _, results, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    violations = list(results.subjects(rdflib.SH.resultSeverity, rdflib.SH.Violation))
    assert violations == [], text


class ClientFetcher:
    """The harvesters' fetcher, answered by this node's app instead of the network."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.urls: list[str] = []

    def get(self, url: str, *, params: dict | None = None, headers: dict[str, str] | None = None) -> Response:
        self.urls.append(url)
        parts = urlsplit(url)
        response = self.client.get(parts.path, query_string=parts.query, headers=headers or {})
        assert response.status_code == 200, url
        return Response(
            url, response.status_code, response.data, response.mimetype, response.mimetype_params.get("charset")
        )


def test_another_node_harvests_the_export_without_loss(client: FlaskClient, federation: CatalogStore, tmp_path) -> None:
    peer = CatalogStore.open(tmp_path / "peer")
    peer.init_vocabulary()
    fetcher = ClientFetcher(client)
    source = SourceConfig(
        name="upstream", type="node", url="http://localhost", options={"path": "/catalog.ttl?page_size=200"}
    )
    run = harvest(peer, source, fetcher=fetcher)
    assert run.status == "succeeded" and run.counts["invalid"] == run.counts["failed"] == 0, run.issues
    assert len(fetcher.urls) == 3
    assert stored_datasets(peer) == stored_datasets(federation)
    ours, theirs = CurrentView(federation), CurrentView(peer)
    for dataset in sorted(stored_datasets(federation)):
        node = ox.NamedNode(dataset)
        assert set(describe(ours, [node])) <= set(describe(theirs, [node])), dataset
    peer.close()
