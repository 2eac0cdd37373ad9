"""The sample federation harvested once per test module, an index built from it, and the same searches done
independently in SPARQL, so that what the index answers can be checked against the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.search import SearchIndex, SearchQuery
from catalog_service.store import CatalogStore

TEXT_FIELDS = "dct:title|dct:description|dcat:keyword|gc:dataElement/dct:title|dct:publisher/foaf:name"
FILTER_PATTERNS = {
    "level": "?d gc:level <{code}level/{value}> .",
    "sharing": "?d gc:sharingType <{code}sharing-type/{value}> .",
    "openness": "?d gc:openness <{code}openness/{value}> .",
    "frequency": "?d dct:accrualPeriodicity <{code}update-frequency/{value}> .",
    "format": "?d gc:resourceFormat <{code}resource-format/{value}> .",
    "theme": "?d gc:resourceCategory/skos:broader* <{code}resource-category/{value}> .",
    "region": "?d dct:spatial/skos:broader* <{region}{value}> .",
    "publisher": "?d dct:publisher <{value}> .",
}
FACET_VALUES = """SELECT ?d ?facet ?value WHERE {
  ?d a dcat:Dataset .
  { ?d gc:level/skos:notation ?value BIND("level" AS ?facet) }
  UNION { ?d gc:sharingType/skos:notation ?value BIND("sharing" AS ?facet) }
  UNION { ?d gc:openness/skos:notation ?value BIND("openness" AS ?facet) }
  UNION { ?d dct:accrualPeriodicity/skos:notation ?value BIND("frequency" AS ?facet) }
  UNION { ?d gc:resourceFormat/skos:notation ?value BIND("format" AS ?facet) }
  UNION { ?d gc:resourceCategory/skos:broader*/skos:notation ?value BIND("theme" AS ?facet) }
  UNION { ?d dct:spatial/skos:broader*/skos:notation ?value BIND("region" AS ?facet) }
  UNION { ?d dct:spatial/skos:notation ?value BIND("spatial" AS ?facet) }
  UNION { ?d dct:publisher ?publisher BIND(STR(?publisher) AS ?value) BIND("publisher" AS ?facet) }
}"""


@pytest.fixture(scope="module")
def index(federation: CatalogStore) -> Iterator[SearchIndex]:
    search_index = SearchIndex.open(None)
    search_index.rebuild(federation)
    yield search_index
    search_index.close()


def copy_store(store: CatalogStore) -> CatalogStore:
    """An in-memory copy of a store, for tests that change it."""
    copy = ox.Store()
    copy.load(store.raw.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    return CatalogStore(copy)


def search(index: SearchIndex, **args: object) -> dict:
    return index.search(SearchQuery.from_args({name: str(value) for name, value in args.items()}))


def found(index: SearchIndex, **args: object) -> list[str]:
    """The IRIs of every result of a search, page by page, in order."""
    iris: list[str] = []
    page = 1
    while True:
        result = search(index, **args, size=100, page=page)
        iris += [item["id"] for item in result["items"]]
        if len(iris) >= result["total"] or not result["items"]:
            return iris
        page += 1


def expected(store: CatalogStore, texts: Iterable[str] = (), **filters: str) -> set[str]:
    """The datasets whose title, description, keywords, data elements or provider contain one of ``texts``
    and that have every filter value (divisions and categories including those below them), by SPARQL."""
    patterns = ["?d a dcat:Dataset ."]
    texts = list(texts)
    if texts:
        contains = " || ".join(f'CONTAINS(STR(?text), "{t}")' for t in texts)
        patterns.append(f"FILTER EXISTS {{ ?d {TEXT_FIELDS} ?text FILTER ({contains}) }}")
    for facet, value in filters.items():
        patterns.append(FILTER_PATTERNS[facet].format(code=ns.CODE, region=ns.REGION, value=value))
    query = ns.sparql_prefixes() + "SELECT DISTINCT ?d WHERE { " + " ".join(patterns) + " }"
    return {row["d"].value for row in store.query(query)}


def facet_table(store: CatalogStore) -> dict[str, dict[str, set[str]]]:
    """Every dataset's values per facet, by SPARQL; divisions and categories with those above them.

    The country (``100000``) counts only for national entries, as in the index: every division is in it.
    """
    table: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(ns.sparql_prefixes() + FACET_VALUES):
        table[row["d"].value][row["facet"].value].add(row["value"].value)
    for values in table.values():
        if "100000" not in values["spatial"]:
            values["region"].discard("100000")
    return table
