"""A small hand-built catalog for the governance tests: one entry of each sharing type, county and provincial."""

from __future__ import annotations

from datetime import datetime

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.governance import Actor, RequestService, Role
from catalog_service.governance.calendar import CHINA_TIME
from catalog_service.store import CatalogStore

COUNTY_PROVIDER = "113205832084387067"  # a Kunshan department (county level, 320583)
PROVINCIAL_PROVIDER = "113200002295909933"  # a Jiangsu department (provincial level, 320000)
OTHER_PROVIDER = "11320583935650180Q"
REQUESTER_DEPARTMENT = "11320583382890124N"

CONDITIONAL = ns.resource("1010007/000211")
UNCONDITIONAL = ns.resource("1020005/000443")
NOT_SHARED = ns.resource("3080002/000380")
PROVINCIAL = ns.resource("1010002/000186")
UNKNOWN = ns.resource("1010001/999999")

REQUESTER = Actor("li.si", REQUESTER_DEPARTMENT, Role.REQUESTER)
PROVIDER = Actor("wang.wu", COUNTY_PROVIDER, Role.CATALOG_MANAGER)
PROVINCIAL_MANAGER = Actor("sun.qi", PROVINCIAL_PROVIDER, Role.CATALOG_MANAGER)
OTHER_MANAGER = Actor("zhao.liu", OTHER_PROVIDER, Role.CATALOG_MANAGER)
COUNTY_ADMIN = Actor("admin.kunshan", "11320583MB1234567X", Role.ADMINISTRATOR, region="320583")
PROVINCE_ADMIN = Actor("admin.jiangsu", "11320000MB7654321Y", Role.ADMINISTRATOR, region="320000")

ENTRIES = [
    (CONDITIONAL, "2", COUNTY_PROVIDER, "4", "320583"),
    (UNCONDITIONAL, "1", COUNTY_PROVIDER, "4", "320583"),
    (NOT_SHARED, "3", COUNTY_PROVIDER, "4", "320583"),
    (PROVINCIAL, "2", PROVINCIAL_PROVIDER, "2", "320000"),
]


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TIME)


def entry_triples() -> list[ox.Triple]:
    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    out = []
    for dataset, sharing_type, provider, level, division in ENTRIES:
        node, org = iri(dataset), iri(ns.organization(provider))
        out += [
            ox.Triple(node, iri(ns.RDF + "type"), iri(ns.DCAT + "Dataset")),
            ox.Triple(node, iri(ns.GC + "sharingType"), iri(ns.code("sharing-type", sharing_type))),
            ox.Triple(node, iri(ns.DCT + "publisher"), org),
            ox.Triple(node, iri(ns.GC + "level"), iri(ns.code("level", level))),
            ox.Triple(node, iri(ns.DCT + "spatial"), iri(ns.region(division))),
            ox.Triple(org, iri(ns.RDF + "type"), iri(ns.FOAF + "Organization")),
            ox.Triple(org, iri(ns.GC + "creditCode"), ox.Literal(provider)),
        ]
    return out


@pytest.fixture
def catalog(store: CatalogStore) -> CatalogStore:
    store.replace_source("entries", entry_triples())
    return store


@pytest.fixture
def service(catalog: CatalogStore) -> RequestService:
    return RequestService(catalog)
