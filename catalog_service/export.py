"""The catalog as Linked Data: dataset IRIs that dereference, and the whole catalog as paged DCAT-AP.

``/resource/<identifier>`` answers for the IRI ``https://w3id.org/gov-catalog/resource/<identifier>`` (w3id
redirects there): the dataset's description in Turtle, JSON-LD, RDF/XML or N-Triples by ``Accept``, and for
browsers a 303 to the dataset's page ``/datasets/<identifier>``.

``/catalog`` (by ``Accept``), ``/catalog.ttl``, ``/catalog.jsonld`` and ``/catalog.rdf`` give every dataset
whose description this node stores, ``page_size`` (default 100, at most 1000) to a page, with Hydra paging
(a ``hydra:PartialCollectionView`` with first/previous/next/last; ``hydra:totalItems`` on the collection)
and ``modified_since`` for incremental harvesting: only datasets whose ``dct:modified``, or a catalog record's
``dct:modified``, is on or after it. Another gov-catalog node harvests this with its ``node`` harvester.

A harvesting node asks only for what it needs, so that only those pages travel: ``category`` (资源分类, a
category and its sub-categories), ``provider_level`` (层级), ``authored_in`` (the entry's division or one inside
it) and ``exclude_source`` (leave out entries that came through the named sources: a node harvesting an upper
level names its own sources, so that what it sent up does not come back). Each may be repeated; values are
checked against the code lists, and a value that names nothing is a 400 rather than an empty answer.

Each page keeps everything stored about its datasets (the ``gc:`` terms included, so a harvesting node loses
nothing) and adds what DCAT-AP 3.0.0 (``shapes.ttl`` + ``range.ttl``) requires of a catalog:

* a ``dcat:Catalog`` for this node — title, description, a ``foaf:Agent`` publisher, ``dcat:dataset``,
  ``dcat:record`` and ``dcat:catalog`` links, the resource categories as its ``dcat:themeTaxonomy``;
* the harvested catalogs that list the page's datasets, with their parents (the structure national →
  department), each with a ``dct:description`` (their title when they have none: DCAT-AP requires one);
* ``dcat:theme`` from ``gc:resourceCategory`` (its super-property), the categories as ``skos:Concept`` with
  their labels;
* the classes DCAT-AP's range shapes expect of what properties point to (``dct:publisher`` → ``foaf:Agent``,
  ``dct:spatial`` → ``dct:Location``, ``dct:accrualPeriodicity`` → ``dct:Frequency`` with the matching EU
  frequency as ``skos:exactMatch``, ``dct:format`` → ``dct:MediaTypeOrExtent`` …), with the labels of our
  code-list concepts and divisions;
* links whose range is ``dcat:Dataset`` (``dcat:dataset``, ``dcat:servesDataset``) only to datasets on the
  same page, so each page is valid on its own and the pages together link everything.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for

from catalog_service import namespaces as ns
from catalog_service.app import current_store
from catalog_service.harvest.records import GENID
from catalog_service.queries import select
from catalog_service.rdfio import serialize
from catalog_service.store import CatalogStore, StoreError, check_source_name, source_iri
from catalog_service.vocabulary import CodeLists
from harvesters.dcat import eu_frequency_concepts

blueprint = Blueprint("export", __name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
HTML_TYPES = ("text/html", "application/xhtml+xml")

NODE_TITLE = {"zh": "政务信息资源目录", "en": "Government information resource catalog"}
NODE_DESCRIPTION = {
    "zh": "本节点从国家、省、市、县各级目录采集汇总的政务信息资源，按 DCAT-AP 3.0.0 导出。",
    "en": "The government information resources this gov-catalog node harvested from national, provincial, "
    "city and county catalogs, exported as DCAT-AP 3.0.0.",
}
NODE_PUBLISHER = {"zh": "gov-catalog 节点", "en": "gov-catalog node"}


def _iri(base: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(base + name)


RDF_TYPE = _iri(ns.RDF, "type")
DATASET = _iri(ns.DCAT, "Dataset")
CATALOG = _iri(ns.DCAT, "Catalog")
CATALOG_RECORD = _iri(ns.DCAT, "CatalogRecord")
DATA_SERVICE = _iri(ns.DCAT, "DataService")
HAS_DATASET = _iri(ns.DCAT, "dataset")
HAS_CATALOG = _iri(ns.DCAT, "catalog")
HAS_RECORD = _iri(ns.DCAT, "record")
SERVES_DATASET = _iri(ns.DCAT, "servesDataset")
DISTRIBUTION = _iri(ns.DCAT, "distribution")
ACCESS_SERVICE = _iri(ns.DCAT, "accessService")
THEME = _iri(ns.DCAT, "theme")
THEME_TAXONOMY = _iri(ns.DCAT, "themeTaxonomy")
TITLE = _iri(ns.DCT, "title")
DESCRIPTION = _iri(ns.DCT, "description")
PUBLISHER = _iri(ns.DCT, "publisher")
ACCRUAL = _iri(ns.DCT, "accrualPeriodicity")
PRIMARY_TOPIC = _iri(ns.FOAF, "primaryTopic")
FOAF_NAME = _iri(ns.FOAF, "name")
AGENT = _iri(ns.FOAF, "Agent")
CONCEPT = _iri(ns.SKOS, "Concept")
CONCEPT_SCHEME = _iri(ns.SKOS, "ConceptScheme")
PREF_LABEL = _iri(ns.SKOS, "prefLabel")
IN_SCHEME = _iri(ns.SKOS, "inScheme")
EXACT_MATCH = _iri(ns.SKOS, "exactMatch")
DATA_ELEMENT = _iri(ns.GC, "dataElement")
RESOURCE_CATEGORY = _iri(ns.GC, "resourceCategory")
LEVEL = _iri(ns.GC, "level")
SPATIAL = _iri(ns.DCT, "spatial")
HARVEST_SOURCE = _iri(ns.GC, "harvestSource")
BROADER = _iri(ns.SKOS, "broader")
CATEGORY_SCHEME = ox.NamedNode(ns.code_scheme("resource-category"))
XSD_DATE = _iri(ns.XSD, "date")
XSD_DATETIME = _iri(ns.XSD, "dateTime")
XSD_BOOLEAN = _iri(ns.XSD, "boolean")
XSD_INTEGER = _iri(ns.XSD, "integer")

FOLLOWED = frozenset({DATA_ELEMENT, DISTRIBUTION, ACCESS_SERVICE, PUBLISHER})
"""Links a description follows to the nodes it includes: what a dataset owns, and who publishes it."""

RANGE_CLASSES: dict[ox.NamedNode, ox.NamedNode] = {
    PUBLISHER: AGENT,
    _iri(ns.DCT, "creator"): AGENT,
    _iri(ns.DCT, "spatial"): _iri(ns.DCT, "Location"),
    ACCRUAL: _iri(ns.DCT, "Frequency"),
    _iri(ns.DCT, "format"): _iri(ns.DCT, "MediaTypeOrExtent"),
    _iri(ns.DCAT, "mediaType"): _iri(ns.DCT, "MediaType"),
    _iri(ns.DCAT, "compressFormat"): _iri(ns.DCT, "MediaType"),
    _iri(ns.DCAT, "packageFormat"): _iri(ns.DCT, "MediaType"),
    _iri(ns.DCT, "license"): _iri(ns.DCT, "LicenseDocument"),
    _iri(ns.DCT, "accessRights"): _iri(ns.DCT, "RightsStatement"),
    _iri(ns.DCT, "rights"): _iri(ns.DCT, "RightsStatement"),
    _iri(ns.DCT, "conformsTo"): _iri(ns.DCT, "Standard"),
    _iri(ns.DCT, "language"): _iri(ns.DCT, "LinguisticSystem"),
    _iri(ns.DCAT, "landingPage"): _iri(ns.FOAF, "Document"),
    _iri(ns.FOAF, "page"): _iri(ns.FOAF, "Document"),
    _iri(ns.FOAF, "homepage"): _iri(ns.FOAF, "Document"),
}
"""What DCAT-AP's range shapes require the object of each property to be typed as."""

DATASET_LINKS = frozenset({HAS_DATASET, SERVES_DATASET})
"""Properties whose DCAT-AP range is ``dcat:Dataset``: on a page they point only to the page's datasets."""

PREFIXES = {
    **{p: ns.PREFIXES[p] for p in ("rdf", "xsd", "dcat", "dct", "foaf", "skos", "prov", "hydra", "gc")},
    "org": ns.ORG,
    "region": ns.REGION,
}
"""Prefixes of the Turtle we write; resource and code IRIs stay whole, as their '/' would need escaping."""


@dataclass(frozen=True)
class RdfSyntax:
    """An RDF syntax this node serves, by media type."""

    media_type: str
    rdf_format: ox.RdfFormat


TURTLE = RdfSyntax("text/turtle", ox.RdfFormat.TURTLE)
JSON_LD = RdfSyntax("application/ld+json", ox.RdfFormat.JSON_LD)
RDF_XML = RdfSyntax("application/rdf+xml", ox.RdfFormat.RDF_XML)
N_TRIPLES = RdfSyntax("application/n-triples", ox.RdfFormat.N_TRIPLES)
SYNTAXES = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
"""In order of preference when a client accepts several equally (Turtle for ``*/*``)."""
_ALIASES = {"application/json": JSON_LD}
_EXTENSIONS = {"ttl": TURTLE, "jsonld": JSON_LD, "rdf": RDF_XML}


class RequestError(Exception):
    """A request this endpoint cannot answer, with its HTTP status and a message in Chinese and English."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status = status
        self.zh = zh
        self.en = en


# -- reading descriptions --------------------------------------------------------------------------


class CurrentView:
    """Triple lookups over what the store's audience reads (its views): no old, state or hidden graphs."""

    def __init__(self, store: CatalogStore) -> None:
        self._raw = store.raw
        self._graphs = store.default_graphs()

    def triples(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.Literal | None = None,
    ) -> Iterator[ox.Triple]:
        """The triples matching the pattern in any graph read (a triple in two of them comes twice)."""
        for graph in self._graphs:
            for quad in self._raw.quads_for_pattern(subject, predicate, obj, graph):
                yield quad.triple

    def has(self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode) -> bool:
        return next(self.triples(subject, predicate, obj), None) is not None

    def is_dataset(self, node: ox.NamedNode) -> bool:
        """Whether the node's description is stored here: a reader sees it typed ``dcat:Dataset``."""
        return self.has(node, RDF_TYPE, DATASET)

    def closure(self, subjects: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        """The triples of ``subjects`` and of the nodes reached from them through :data:`FOLLOWED` links or
        skolem IRIs (blank nodes the pipeline named), once each, subject by subject."""
        queue = deque(subjects)
        seen: set[ox.NamedNode] = set()
        found: dict[ox.Triple, None] = {}
        while queue:
            subject = queue.popleft()
            if subject in seen:
                continue
            seen.add(subject)
            for t in self.triples(subject):
                found[t] = None
                if isinstance(t.object, ox.NamedNode) and (t.predicate in FOLLOWED or t.object.value.startswith(GENID)):
                    queue.append(t.object)
        return list(found)


def describe(view: CurrentView, datasets: Iterable[ox.NamedNode]) -> list[ox.Triple]:
    """The description of each dataset as this node serves it.

    Its own triples; its data elements and distributions with the data services those are reached through;
    the data services serving it; its provider's name and credit code; and the catalog records of every
    source it came through (``dcat:CatalogRecord``: first seen, last changed, source, authoritative or not).
    """
    start: list[ox.NamedNode] = []
    for dataset in datasets:
        start.append(dataset)
        start += [t.subject for t in view.triples(None, SERVES_DATASET, dataset)]
        start += [
            t.subject
            for t in view.triples(None, PRIMARY_TOPIC, dataset)
            if view.has(t.subject, RDF_TYPE, CATALOG_RECORD)
        ]
    return view.closure(start)


def html_page(identifier: str) -> str:
    """The path of a resource's web page (served by the web pages' blueprint)."""
    return f"{request.script_root}/datasets/{quote(identifier, safe='/')}"


def dataset_iri(identifier: str) -> ox.NamedNode:
    """The IRI of the resource with this 信息资源代码 (anything else is percent-encoded into a valid IRI)."""
    return ox.NamedNode(ns.resource(identifier))


# -- content negotiation ---------------------------------------------------------------------------


def negotiate(extra: tuple[str, ...] = ()) -> RdfSyntax | str:
    """The RDF syntax ``Accept`` asks for, or one of the ``extra`` media types if it prefers that.

    No ``Accept`` means Turtle; an ``Accept`` that nothing offered satisfies raises a 406.
    """
    offered = [s.media_type for s in SYNTAXES] + list(_ALIASES) + list(extra)
    accept = request.accept_mimetypes
    if not accept:
        return SYNTAXES[0]
    best = accept.best_match(offered)
    if best is None:
        wanted = ", ".join(accept.values())
        raise RequestError(406, f"无法满足 Accept：{wanted}", f"cannot satisfy Accept: {wanted}")
    if best in extra:
        return best
    return _ALIASES.get(best) or next(s for s in SYNTAXES if s.media_type == best)


def rdf_response(triples: list[ox.Triple], syntax: RdfSyntax, *, negotiated: bool) -> Response:
    """Serialize ``triples`` in ``syntax``, each subject's together, with prefixes where the syntax has them."""
    headers = {"Vary": "Accept"} if negotiated else {}
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    body = serialize((t for group in by_subject.values() for t in group), syntax.rdf_format, PREFIXES)
    return Response(body, mimetype=syntax.media_type, headers=headers)


@blueprint.errorhandler(RequestError)
def _request_error(error: RequestError) -> Response:
    return Response(f"{error.zh} / {error.en}\n", status=error.status, mimetype="text/plain")


# -- /resource/<identifier> ------------------------------------------------------------------------


@blueprint.route("/resource/<path:identifier>")
def resource(identifier: str) -> Response:
    """Dereference a dataset IRI: its description as RDF, or a 303 to its HTML page for browsers."""
    view = CurrentView(current_store())
    iri = dataset_iri(identifier)
    if not view.is_dataset(iri):
        raise RequestError(404, f"未找到信息资源 {identifier}", f"no resource with identifier {identifier}")
    chosen = negotiate(HTML_TYPES)
    if isinstance(chosen, str):
        response = redirect(html_page(identifier), code=303)
        response.headers["Vary"] = "Accept"
        return response
    return rdf_response(describe(view, [iri]), chosen, negotiated=True)


# -- /catalog --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Since:
    """``modified_since`` as the date and the instant it names (a value without an offset is UTC)."""

    day: date
    instant: datetime

    @classmethod
    def parse(cls, text: str) -> Since:
        """Read an ISO 8601 date or date-time; raises ``ValueError`` for anything else."""
        value = re.sub(r" (\d\d:?\d\d)$", r"+\1", text.strip())  # an unescaped '+' in a URL arrives as ' '
        if "T" in value.upper():
            instant = datetime.fromisoformat(value)
            day = instant.date()
        else:
            day = date.fromisoformat(value)
            instant = datetime.combine(day, time())
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return cls(day, instant)

    def bindings(self) -> dict[str, ox.Literal]:
        return {
            "filtered": ox.Literal("true", datatype=XSD_BOOLEAN),
            "sinceDate": ox.Literal(self.day.isoformat(), datatype=XSD_DATE),
            "sinceDateTime": ox.Literal(self.instant.isoformat(), datatype=XSD_DATETIME),
        }


_UNFILTERED = {"filtered": ox.Literal("false", datatype=XSD_BOOLEAN)}

SELECTION_PARAMETERS = ("category", "provider_level", "authored_in", "exclude_source")
"""The export's filters besides ``modified_since``; each may be given several times (any value matches)."""


@dataclass(frozen=True)
class Selection:
    """Which datasets the export lists: changed since, and of the categories, levels and divisions asked for,
    without those that came through the excluded sources. Each filter holds IRIs; an empty one keeps all."""

    since: Since | None = None
    categories: tuple[ox.NamedNode, ...] = ()
    """Resource-category concepts; a dataset matches through its category or any broader one."""
    levels: tuple[ox.NamedNode, ...] = ()
    """``level`` concepts (国家, 省, 市, 县) of the dataset itself."""
    regions: tuple[ox.NamedNode, ...] = ()
    """Divisions; a dataset matches when its ``dct:spatial`` is one of them or lies inside one."""
    excluded_sources: tuple[ox.NamedNode, ...] = ()
    """Sources; a dataset with a catalog record from any of them is left out."""

    @classmethod
    def parse(cls, args: Mapping[str, list[str]]) -> Selection:
        """Read the filters from query parameters (name → values); raises :class:`RequestError` (400)."""
        codes = CodeLists.default()
        since_text = next(iter(args.get("modified_since", [])), None)
        try:
            since = Since.parse(since_text) if since_text is not None else None
        except ValueError:
            raise RequestError(
                400,
                f"modified_since 须为 ISO 8601 日期或日期时间，而非 {since_text!r}",
                f"modified_since must be an ISO 8601 date or date-time, not {since_text!r}",
            ) from None
        category = functools.partial(codes.concept, "resource-category")
        level = functools.partial(codes.concept, "level")
        return cls(
            since,
            _resolved(args, "category", "资源分类", "a resource category", category),
            _resolved(args, "provider_level", "层级", "a level", level),
            _resolved(args, "authored_in", "行政区划代码", "a GB/T 2260 division code", codes.region),
            _resolved(args, "exclude_source", "数据源名称", "a source name", _source_iri_of),
        )

    @property
    def narrows(self) -> bool:
        """Whether any filter besides ``modified_since`` is set."""
        return bool(self.categories or self.levels or self.regions or self.excluded_sources)

    def admitted(self, view: CurrentView) -> Callable[[ox.NamedNode], bool]:
        """A test of whether a dataset passes the filters, from index lookups over the current graphs.

        Categories and divisions take in everything narrower (``skos:broader`` in the vocabulary and region
        graphs), so that a dataset is matched by its own category and division alone. These lookups stay as
        cheap as the number of matching triples; the same tests written in SPARQL made pyoxigraph join each
        dataset with every other.
        """
        wanted = [
            _subjects(view, predicate, _with_narrower(view, iris))
            for predicate, iris in ((RESOURCE_CATEGORY, self.categories), (LEVEL, self.levels), (SPATIAL, self.regions))
            if iris
        ]
        excluded = {
            topic.object
            for source in self.excluded_sources
            for record in view.triples(None, HARVEST_SOURCE, source)
            for topic in view.triples(record.subject, PRIMARY_TOPIC)
        }
        return lambda dataset: dataset not in excluded and all(dataset in found for found in wanted)


def _with_narrower(view: CurrentView, concepts: Iterable[ox.NamedNode]) -> set[ox.NamedNode]:
    """The concepts and every concept or division below them."""
    found: set[ox.NamedNode] = set()
    queue = deque(concepts)
    while queue:
        concept = queue.popleft()
        if concept not in found:
            found.add(concept)
            queue.extend(t.subject for t in view.triples(None, BROADER, concept))
    return found


def _subjects(view: CurrentView, predicate: ox.NamedNode, objects: Iterable[ox.NamedNode]) -> set[ox.NamedNode]:
    return {t.subject for o in objects for t in view.triples(None, predicate, o)}


def _resolved(
    args: Mapping[str, list[str]], name: str, zh: str, en: str, resolve: Callable[[str], str | None]
) -> tuple[ox.NamedNode, ...]:
    """The IRIs the values of parameter ``name`` stand for, in order and once each; 400 for any unknown one."""
    iris: dict[str, None] = {}
    for value in args.get(name, []):
        iri = resolve(value)
        if iri is None:
            raise RequestError(400, f"{name} 不是有效的{zh}：{value!r}", f"{name} is not {en}: {value!r}")
        iris[iri] = None
    return tuple(map(ox.NamedNode, iris))


def _source_iri_of(name: str) -> str | None:
    """The IRI of a source by its name, or ``None`` for a name no source can have."""
    try:
        check_source_name(name)
    except StoreError:
        return None
    return source_iri(name)


@dataclass(frozen=True)
class ExportPage:
    """One page of the export: which datasets, out of how many."""

    number: int
    size: int
    total: int
    datasets: list[ox.NamedNode]

    @property
    def last(self) -> int:
        return _page_count(self.total, self.size)


def _page_count(total: int, size: int) -> int:
    """How many pages ``total`` datasets fill; an empty export is one empty page."""
    return max(1, -(-total // size))


def export_page(store: CatalogStore, number: int, size: int, selection: Selection) -> ExportPage:
    """Select the datasets of page ``number`` (1-based) in IRI order; raises 404 past the last page.

    With filters besides ``modified_since`` every dataset changed since is listed and tested (one pass over the
    changed datasets, as the unfiltered count is); without, the count and the page are two queries.
    """
    bindings = selection.since.bindings() if selection.since else _UNFILTERED
    chosen: list[ox.NamedNode] | None = None
    if selection.narrows:
        admitted = selection.admitted(CurrentView(store))
        chosen = [row["dataset"] for row in select(store, "export-page", **bindings) if admitted(row["dataset"])]
        total = len(chosen)
    else:
        row = next(iter(select(store, "export-count", **bindings)), None)
        total = int(row["total"].value) if row is not None else 0
    last = _page_count(total, size)
    if number > last:
        raise RequestError(404, f"页码超出范围：共 {last} 页", f"page {number} is past the last page, {last}")
    if chosen is not None:
        return ExportPage(number, size, total, chosen[(number - 1) * size : number * size])
    rows = select(store, "export-page", limit=size, offset=(number - 1) * size, **bindings)
    return ExportPage(number, size, total, [row["dataset"] for row in rows])


def page_triples(view: CurrentView, page: ExportPage, node: ox.NamedNode) -> list[ox.Triple]:
    """The DCAT-AP description of one page: this node's catalog, the harvested catalogs, the datasets."""
    on_page = set(page.datasets)
    body = [t for t in describe(view, page.datasets) if not (t.predicate in DATASET_LINKS and t.object not in on_page)]
    catalogs, top = _harvested_catalogs(view, page.datasets)
    records = [t.subject for t in body if t.predicate == RDF_TYPE and t.object == CATALOG_RECORD]
    triples = _node_catalog(node, page.datasets, records, top) + catalogs + body
    triples += dcat_ap_additions(triples)
    return list(dict.fromkeys(triples))


def _node_catalog(
    node: ox.NamedNode, datasets: list[ox.NamedNode], records: list[ox.NamedNode], catalogs: list[ox.NamedNode]
) -> list[ox.Triple]:
    """This node's ``dcat:Catalog``: what DCAT-AP requires of it, and its links to the page's resources."""
    publisher = ox.NamedNode(node.value + "#publisher")
    triples = [
        ox.Triple(node, RDF_TYPE, CATALOG),
        ox.Triple(node, PUBLISHER, publisher),
        ox.Triple(node, THEME_TAXONOMY, CATEGORY_SCHEME),
        ox.Triple(publisher, RDF_TYPE, AGENT),
        ox.Triple(CATEGORY_SCHEME, RDF_TYPE, CONCEPT_SCHEME),
    ]
    triples += _literals(node, TITLE, NODE_TITLE) + _literals(node, DESCRIPTION, NODE_DESCRIPTION)
    triples += _literals(publisher, FOAF_NAME, NODE_PUBLISHER)
    triples += _literals(CATEGORY_SCHEME, TITLE, concept_labels(CATEGORY_SCHEME.value))
    triples += [ox.Triple(node, HAS_DATASET, d) for d in datasets]
    triples += [ox.Triple(node, HAS_RECORD, r) for r in records]
    triples += [ox.Triple(node, HAS_CATALOG, c) for c in catalogs]
    return triples


def _harvested_catalogs(view: CurrentView, datasets: list[ox.NamedNode]) -> tuple[list[ox.Triple], list[ox.NamedNode]]:
    """The harvested catalogs listing the page's datasets and all their parents, and those without a parent.

    Their ``dcat:dataset`` links are cut to the page's datasets and their ``dcat:catalog`` links to the
    catalogs included, so the pages together hold the whole nesting and no link points nowhere.
    """
    members: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for dataset in datasets:
        for t in view.triples(None, HAS_DATASET, dataset):
            if view.has(t.subject, RDF_TYPE, CATALOG):
                members.setdefault(t.subject, []).append(dataset)
    children: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    queue = deque(members)
    included = set(members)
    while queue:
        child = queue.popleft()
        for t in view.triples(None, HAS_CATALOG, child):
            if view.has(t.subject, RDF_TYPE, CATALOG):
                children.setdefault(t.subject, set()).add(child)
                if t.subject not in included:
                    included.add(t.subject)
                    queue.append(t.subject)
    nested = set().union(*children.values())
    triples: list[ox.Triple] = []
    publishers: list[ox.NamedNode] = []
    for catalog in sorted(included, key=lambda c: c.value):
        own = [t for t in view.triples(catalog) if t.predicate not in (HAS_DATASET, HAS_CATALOG)]
        if not any(t.predicate == DESCRIPTION for t in own):
            own += [ox.Triple(catalog, DESCRIPTION, t.object) for t in own if t.predicate == TITLE]
        own += [ox.Triple(catalog, HAS_DATASET, d) for d in members.get(catalog, [])]
        own += [ox.Triple(catalog, HAS_CATALOG, c) for c in sorted(children.get(catalog, ()), key=lambda c: c.value)]
        publishers += [t.object for t in own if t.predicate == PUBLISHER and isinstance(t.object, ox.NamedNode)]
        triples += own
    triples += view.closure(publishers)
    top = sorted((c for c in included if c not in nested), key=lambda c: c.value)
    return triples, top


def dcat_ap_additions(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """What DCAT-AP needs beyond the stored triples: themes, range classes, labels of our concepts."""
    codes = CodeLists.default()
    frequencies = _eu_frequencies()
    added: list[ox.Triple] = []
    for t in triples:
        target = t.object
        if not isinstance(target, ox.NamedNode):
            continue
        if t.predicate == RESOURCE_CATEGORY:
            added += [
                ox.Triple(t.subject, THEME, target),
                ox.Triple(target, RDF_TYPE, CONCEPT),
                ox.Triple(target, IN_SCHEME, CATEGORY_SCHEME),
            ]
            added += _literals(target, PREF_LABEL, concept_labels(target.value))
        range_class = RANGE_CLASSES.get(t.predicate)
        if range_class is not None:
            added.append(ox.Triple(target, RDF_TYPE, range_class))
            if codes.notation(target.value) is not None:
                added += _literals(target, PREF_LABEL, concept_labels(target.value))
        if t.predicate == ACCRUAL and target.value in frequencies:
            added.append(ox.Triple(target, EXACT_MATCH, ox.NamedNode(frequencies[target.value])))
    return added


@functools.cache
def _eu_frequencies() -> dict[str, str]:
    """Our update-frequency concept → the EU frequency it matches."""
    return {ours: eu for eu, ours in eu_frequency_concepts().items()}


def concept_labels(iri: str) -> dict[str, str]:
    """The zh/en preferred labels of a code-list concept, scheme or division (divisions: zh only)."""
    codes = CodeLists.default()
    return {lang: label for lang in ("zh", "en") if (label := codes.label(iri, lang)) is not None}


def _literals(subject: ox.NamedNode, predicate: ox.NamedNode, texts: dict[str, str]) -> list[ox.Triple]:
    return [ox.Triple(subject, predicate, ox.Literal(text, language=lang)) for lang, text in texts.items()]


def hydra_triples(collection: str, page_url: Callable[[int], str], page: ExportPage) -> list[ox.Triple]:
    """The Hydra paging of ``page``: the collection with its size, and the view with its neighbours."""
    hydra = functools.partial(_iri, ns.HYDRA)
    view = ox.NamedNode(page_url(page.number))
    whole = ox.NamedNode(collection)
    triples = [
        ox.Triple(whole, RDF_TYPE, hydra("Collection")),
        ox.Triple(whole, hydra("totalItems"), ox.Literal(str(page.total), datatype=XSD_INTEGER)),
        ox.Triple(whole, hydra("view"), view),
        ox.Triple(view, RDF_TYPE, hydra("PartialCollectionView")),
        ox.Triple(view, hydra("first"), ox.NamedNode(page_url(1))),
        ox.Triple(view, hydra("last"), ox.NamedNode(page_url(page.last))),
    ]
    if page.number > 1:
        triples.append(ox.Triple(view, hydra("previous"), ox.NamedNode(page_url(page.number - 1))))
    if page.number < page.last:
        triples.append(ox.Triple(view, hydra("next"), ox.NamedNode(page_url(page.number + 1))))
    return triples


def int_parameter(name: str, default: int, maximum: int | None = None) -> int:
    """The integer query parameter ``name`` (from 1 to ``maximum``), ``default`` when absent; 400 otherwise."""
    text = request.args.get(name)
    if text is None:
        return default
    value = int(text) if text.isdigit() else 0
    if value < 1 or (maximum is not None and value > maximum):
        zh = f"须为 1 到 {maximum} 之间的整数" if maximum else "须为正整数"
        en = f"an integer from 1 to {maximum}" if maximum else "a positive integer"
        raise RequestError(400, f"{name} {zh}，而非 {text!r}", f"{name} must be {en}, not {text!r}")
    return value


def check_parameters(allowed: Iterable[str]) -> None:
    """Refuse query parameters this endpoint does not know, rather than silently ignoring a misspelling."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        names = ", ".join(unknown)
        raise RequestError(400, f"未知参数：{names}", f"unknown parameter(s): {names}")


@blueprint.route("/catalog")
def catalog() -> Response:
    """The whole catalog as DCAT-AP in the syntax ``Accept`` asks for, one page at a time.

    Parameters ``page`` (from 1), ``page_size`` (default 100, at most 1000), ``modified_since`` and the filters
    of :data:`SELECTION_PARAMETERS`.
    """
    return _catalog(negotiate(), negotiated=True)


@blueprint.route("/catalog.ttl", defaults={"extension": "ttl"})
@blueprint.route("/catalog.jsonld", defaults={"extension": "jsonld"})
@blueprint.route("/catalog.rdf", defaults={"extension": "rdf"})
def catalog_file(extension: str) -> Response:
    """The whole catalog as DCAT-AP in Turtle, JSON-LD or RDF/XML, one page at a time (as ``/catalog``)."""
    return _catalog(_EXTENSIONS[extension], negotiated=False)


def _catalog(syntax: RdfSyntax, *, negotiated: bool) -> Response:
    filters = ("modified_since", *SELECTION_PARAMETERS)
    check_parameters(("page", "page_size", *filters))
    number = int_parameter("page", 1)
    size = int_parameter("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    asked = {name: request.args.getlist(name) for name in filters if name in request.args}
    store = current_store()
    page = export_page(store, number, size, Selection.parse(asked))

    def link(**paging: int) -> str:
        return url_for(request.endpoint, **request.view_args, **paging, **asked, _external=True)

    node = ox.NamedNode(url_for("export.catalog", _external=True))
    triples = hydra_triples(link(), lambda n: link(page=n, page_size=size), page)
    triples += page_triples(CurrentView(store), page, node)
    return rdf_response(triples, syntax, negotiated=negotiated)
