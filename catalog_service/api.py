"""The read-only REST API (``/api/…``): datasets, the catalog tree, harvest sources, and its OpenAPI document.

JSON for programs and for the web pages alike. A dataset is answered from the same description its IRI
dereferences to (:func:`catalog_service.export.describe`), laid out along the profile: the elements of the
compilation guide come in the order and with the zh/en labels ``ontology/gov-catalog.ttl`` gives them
(``gc:ProfileElement``), so a new element there appears here without code. Code-list values carry their
notation and labels; provenance lists the catalog record of every source the resource came through.

Errors are JSON too: ``{"error": {"status": 404, "zh": "…", "en": "…"}}``.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from catalog_service import namespaces as ns
from catalog_service.app import current_store
from catalog_service.export import (
    CATALOG_RECORD,
    DATA_ELEMENT,
    DATA_SERVICE,
    DATASET,
    DISTRIBUTION,
    FOAF_NAME,
    PRIMARY_TOPIC,
    PUBLISHER,
    RDF_TYPE,
    TITLE,
    CurrentView,
    RequestError,
    check_parameters,
    concept_labels,
    dataset_iri,
    describe,
    html_page,
    int_parameter,
)
from catalog_service.governance.editing import version_of
from catalog_service.harvest.runs import COUNTS, SUCCEEDED
from catalog_service.queries import select
from catalog_service.rdfio import parse_file
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore, source_iri
from catalog_service.vocabulary import CodeLists
from harvesters.dcat import RESOURCE_CODE

blueprint = Blueprint("api", __name__, url_prefix="/api")

DEFAULT_RUNS = 10
MAX_RUNS = 100
COUNTRY = ns.region("100000")

_Term = ox.NamedNode | ox.BlankNode | ox.Literal


_ORGANIZATION = ox.NamedNode(ns.FOAF + "Organization")
_DATA_ELEMENT_CLASS = ox.NamedNode(ns.GC + "DataElement")
_CREDIT_CODE = ox.NamedNode(ns.GC + "creditCode")
_POSITION = ox.NamedNode(ns.GC + "position")
_HARVEST_SOURCE = ox.NamedNode(ns.GC + "harvestSource")
_AUTHORITATIVE = ox.NamedNode(ns.GC + "authoritative")
_ISSUED = ox.NamedNode(ns.DCT + "issued")
_MODIFIED = ox.NamedNode(ns.DCT + "modified")
_GENERATED_BY = ox.NamedNode(ns.PROV + "wasGeneratedBy")
_KEYWORD = ox.NamedNode(ns.DCAT + "keyword")
_RUN_FIELDS = {
    ns.GC + "runStatus": "status",
    ns.PROV + "startedAtTime": "started",
    ns.PROV + "endedAtTime": "ended",
}
_RUN_COUNTS = {f"{ns.GC}{name}Count": name for name in COUNTS}
_RUN_ERROR = ns.GC + "runError"

_DISTRIBUTION_FIELDS = {
    "title": TITLE,
    "description": ox.NamedNode(ns.DCT + "description"),
    "accessURL": ox.NamedNode(ns.DCAT + "accessURL"),
    "downloadURL": ox.NamedNode(ns.DCAT + "downloadURL"),
    "format": ox.NamedNode(ns.DCT + "format"),
    "mediaType": ox.NamedNode(ns.DCAT + "mediaType"),
    "accessService": ox.NamedNode(ns.DCAT + "accessService"),
}
_SERVICE_FIELDS = {
    "title": TITLE,
    "description": ox.NamedNode(ns.DCT + "description"),
    "endpointURL": ox.NamedNode(ns.DCAT + "endpointURL"),
    "endpointDescription": ox.NamedNode(ns.DCAT + "endpointDescription"),
    "servesDataset": ox.NamedNode(ns.DCAT + "servesDataset"),
}


@blueprint.errorhandler(RequestError)
def _request_error(error: RequestError) -> tuple[Response, int]:
    return jsonify(error={"status": error.status, "zh": error.zh, "en": error.en}), error.status


# -- the profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileElement:
    """One element of the compilation guide (``gc:ProfileElement``): its label and the properties carrying it."""

    key: str
    """The element's IRI after ``gc:element-``, e.g. ``sharing-type``."""
    label: dict[str, str]
    element_class: str
    properties: tuple[str, ...]


@functools.cache
def profile_elements() -> tuple[ProfileElement, ...]:
    """The profile's elements in the order ``ontology/gov-catalog.ttl`` lists them (the guide's order)."""
    found: dict[str, dict[str, Any]] = {}
    for t in parse_file(resource_dir("ontology") / "gov-catalog.ttl"):
        subject = t.subject.value
        if t.predicate.value == ns.RDF + "type" and t.object.value == ns.GC + "ProfileElement":
            found.setdefault(subject, {"label": {}, "class": "", "properties": []})
        elif subject in found:
            entry = found[subject]
            if t.predicate.value == ns.RDFS + "label":
                entry["label"][t.object.language or ""] = t.object.value
            elif t.predicate.value == ns.GC + "elementClass":
                entry["class"] = t.object.value
            elif t.predicate.value == ns.GC + "elementProperty":
                entry["properties"].append(t.object.value)
    return tuple(
        ProfileElement(iri.removeprefix(ns.GC + "element-"), e["label"], e["class"], tuple(e["properties"]))
        for iri, e in found.items()
    )


def _element_json(element: ProfileElement) -> dict[str, Any]:
    return {"key": element.key, "label": element.label, "properties": list(element.properties)}


# -- rendering terms ------------------------------------------------------------------------------


class _Graph:
    """A description indexed by subject and predicate, for laying it out as JSON."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._values: dict[_Term, dict[str, list[_Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self._values[t.subject][t.predicate.value].append(t.object)

    def values(self, subject: _Term, predicate: ox.NamedNode | str) -> list[_Term]:
        key = predicate if isinstance(predicate, str) else predicate.value
        return list(self._values.get(subject, {}).get(key, ()))

    def first(self, subject: _Term, predicate: ox.NamedNode) -> _Term | None:
        return next(iter(self.values(subject, predicate)), None)

    def typed(self, cls: ox.NamedNode) -> list[_Term]:
        return [s for s in self._values if cls in self.values(s, RDF_TYPE)]

    def term(self, term: _Term) -> dict[str, Any]:
        """A value as JSON: literals with their language; IRIs with what this description or the code lists
        say of them (notation and labels of a concept, name and credit code of a provider, 信息资源代码)."""
        if isinstance(term, ox.Literal):
            out: dict[str, Any] = {"value": _literal_value(term)}
            if term.language:
                out["lang"] = term.language
            return out
        out = {"id": term.value}
        codes = CodeLists.default()
        notation = codes.notation(term.value)
        if notation is not None:
            out["notation"] = notation
            out["label"] = concept_labels(term.value)
        names = self.values(term, FOAF_NAME)
        if names:
            out["name"] = _lang_map(names)
            out["creditCode"] = next((c.value for c in self.values(term, _CREDIT_CODE)), None)
        code = unquote(term.value.removeprefix(ns.RESOURCE))
        if term.value.startswith(ns.RESOURCE) and RESOURCE_CODE.fullmatch(code):
            out["identifier"] = code
        return out

    def terms(self, subject: _Term, predicate: ox.NamedNode | str) -> list[dict[str, Any]]:
        return [self.term(v) for v in self.values(subject, predicate)]

    def summary(self, subject: _Term, fields: dict[str, ox.NamedNode]) -> dict[str, Any]:
        """A node with the given fields, each a list of values; fields without a value are left out."""
        out: dict[str, Any] = {"id": subject.value}
        for key, predicate in fields.items():
            values = self.terms(subject, predicate)
            if values:
                out[key] = values
        return out


def _literal_value(literal: ox.Literal) -> str | bool | int:
    datatype = literal.datatype.value
    if datatype == ns.XSD + "boolean":
        return literal.value in ("true", "1")
    if datatype == ns.XSD + "integer" and re.fullmatch(r"[+-]?\d+", literal.value):
        return int(literal.value)
    return literal.value


def _lang_map(literals: list[_Term]) -> dict[str, str]:
    """``{"zh": …, "en": …}`` from language-tagged literals (an untagged one under ``""``); first one wins."""
    out: dict[str, str] = {}
    for literal in literals:
        if isinstance(literal, ox.Literal):
            out.setdefault(literal.language or "", literal.value)
    return out


def _concept(iri: str | None) -> dict[str, Any] | None:
    """A code-list concept or division as JSON (id, notation, labels), ``None`` for none."""
    if iri is None:
        return None
    return {"id": iri, "notation": CodeLists.default().notation(iri), "label": concept_labels(iri)}


# -- sources --------------------------------------------------------------------------------------


@dataclass
class SourceInfo:
    """What is known of a harvest source: from the configuration, else from what it holds."""

    name: str
    type: str | None = None
    schedule: str | None = None
    level: str | None = None
    region: str | None = None


def source_infos(store: CatalogStore) -> dict[str, SourceInfo]:
    """Every source the configuration names or the store holds, by name.

    A source's level and division are the configured ones; for a source the configuration does not list
    (the demo, a file loaded by hand) they are the one level and division of the resources it is the
    authoritative copy of, when there is one (see ``queries/source-levels.rq``).
    """
    codes = CodeLists.default()
    names = {source_iri(v.name): v.name for v in store.sources()}
    infos = {name: SourceInfo(name) for name in names.values()}
    derived: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in select(store, "source-levels"):
        name = names.get(row["source"].value)
        if name is not None:
            derived[name].add((row["level"].value, row["spatial"].value))
    for name, pairs in derived.items():
        if len(pairs) == 1:
            infos[name].level, infos[name].region = next(iter(pairs))
    for table in current_app.config["GOV_CATALOG"].sources:
        info = infos.setdefault(str(table.get("name")), SourceInfo(str(table.get("name"))))
        info.type, info.schedule = table.get("type"), table.get("schedule")
        if table.get("level") is not None:
            info.level = codes.concept("level", str(table["level"]))
        if table.get("region") is not None:
            info.region = codes.region(str(table["region"]))
    return infos


def runs_by_source(store: CatalogStore) -> dict[str, list[dict[str, Any]]]:
    """Every harvest run as JSON, by source name, newest first."""
    runs: dict[str, dict[str, Any]] = {}
    for row in select(store, "source-runs"):
        run = runs.setdefault(
            row["run"].value,
            {
                "id": row["run"].value,
                "source": row["source"].value.removeprefix(source_iri("")),
                "status": None,
                "started": None,
                "ended": None,
                "counts": {},
                "errors": [],
            },
        )
        prop, value = row["property"].value, row["value"].value
        if prop in _RUN_FIELDS:
            run[_RUN_FIELDS[prop]] = value
        elif prop in _RUN_COUNTS:
            run["counts"][_RUN_COUNTS[prop]] = int(value)
        elif prop == _RUN_ERROR:
            run["errors"].append(value)
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in sorted(runs.values(), key=lambda r: r["started"] or "", reverse=True):
        by_source[run.pop("source")].append(run)
    return by_source


@blueprint.route("/sources")
def sources() -> Response:
    """Every harvest source: its current version, its last runs (status, counts, errors) and run history.

    ``runs`` (default 10, at most 100) is how many recent runs each source lists.
    """
    check_parameters(("runs",))
    out = sources_json(current_store(), int_parameter("runs", DEFAULT_RUNS, MAX_RUNS))
    return jsonify(total=len(out), sources=out)


def sources_json(store: CatalogStore, listed: int = DEFAULT_RUNS) -> list[dict[str, Any]]:
    """Every harvest source as ``/api/sources`` lists it, with its ``listed`` most recent runs."""
    versions = {v.name: v for v in store.sources()}
    history = runs_by_source(store)
    infos = source_infos(store)
    out = []
    for name in sorted(set(infos) | set(history)):
        info, runs, version = infos.get(name, SourceInfo(name)), history.get(name, []), versions.get(name)
        out.append(
            {
                "name": name,
                "id": source_iri(name),
                "type": info.type,
                "schedule": info.schedule,
                "level": _concept(info.level),
                "region": _concept(info.region),
                "version": version.version if version else None,
                "triples": version.triples if version else None,
                "modified": version.modified.isoformat() if version else None,
                "lastRun": runs[0] if runs else None,
                "lastSuccess": next((r for r in runs if r["status"] == SUCCEEDED), None),
                "runs": runs[:listed],
                "totalRuns": len(runs),
            }
        )
    return out


# -- datasets -------------------------------------------------------------------------------------


@blueprint.route("/datasets/<path:identifier>")
def dataset(identifier: str) -> Response:
    """One resource by its 信息资源代码: every profile element, data elements, distributions, provenance."""
    check_parameters(())
    store = current_store()
    view = CurrentView(store)
    iri = dataset_iri(identifier)
    if not view.is_dataset(iri):
        raise RequestError(404, f"未找到信息资源 {identifier}", f"no resource with identifier {identifier}")
    triples = describe(view, [iri])
    response = jsonify(dataset_json(store, iri, triples))
    response.set_etag(version_of(triples))  # what an edit sends back in If-Match (docs/editing.md)
    return response.make_conditional(request)


def dataset_json(store: CatalogStore, iri: ox.NamedNode, triples: list[ox.Triple]) -> dict[str, Any]:
    """The JSON of a dataset from its description (see :func:`catalog_service.export.describe`)."""
    graph = _Graph(triples)
    elements, columns = [], []
    for element in profile_elements():
        if element.element_class == _DATA_ELEMENT_CLASS.value:
            columns.append(_element_json(element))
            continue
        subjects = graph.values(iri, PUBLISHER) if element.element_class == _ORGANIZATION.value else [iri]
        values = [v for s in subjects for p in element.properties for v in graph.terms(s, p)]
        elements.append({**_element_json(element), "values": values})
    identifier = unquote(iri.value.removeprefix(ns.RESOURCE))
    return {
        "id": iri.value,
        "identifier": identifier,
        "title": _lang_map(graph.values(iri, TITLE)),
        "elements": elements,
        "dataElements": {"columns": columns, "rows": _data_elements(graph, iri, columns)},
        "keywords": graph.terms(iri, _KEYWORD),
        "modified": next((v["value"] for v in graph.terms(iri, _MODIFIED)), None),
        "distributions": [graph.summary(d, _DISTRIBUTION_FIELDS) for d in graph.values(iri, DISTRIBUTION)],
        "services": [graph.summary(s, _SERVICE_FIELDS) for s in graph.typed(DATA_SERVICE)],
        "provenance": _provenance(store, graph, iri),
        "visibility": _visibility(graph, iri),
        "links": {
            "self": url_for("api.dataset", identifier=identifier),
            "rdf": url_for("export.resource", identifier=identifier),
            "html": html_page(identifier),
        },
    }


def _visibility(graph: _Graph, iri: ox.NamedNode) -> dict[str, bool]:
    """Whether the entry is open to society (the public sees it) and shared among departments (not 不予共享)."""
    openness = {v.value for v in graph.values(iri, ns.GC + "openness")}
    sharing = {v.value for v in graph.values(iri, ns.GC + "sharingType")}
    return {
        "public": bool(openness & {ns.BASE + "code/openness/1", ns.BASE + "code/openness/2"}),
        "shared": ns.BASE + "code/sharing-type/3" not in sharing,
    }


def _data_elements(graph: _Graph, iri: ox.NamedNode, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data elements (信息项) in their stated order, each with the values of the table's columns."""
    rows = []
    for element in graph.values(iri, DATA_ELEMENT):
        position = graph.first(element, _POSITION)
        rows.append(
            {
                "id": element.value,
                "position": int(position.value) if position is not None else None,
                "values": {c["key"]: [v for p in c["properties"] for v in graph.terms(element, p)] for c in columns},
            }
        )
    rows.sort(key=lambda r: (r["position"] is None, r["position"] or 0, r["id"]))
    return rows


def _provenance(store: CatalogStore, graph: _Graph, iri: ox.NamedNode) -> dict[str, Any]:
    """The catalog records of every source the resource came through, the authoritative one, and which
    source's copy of the description is the one stored (the authoritative one, or a stand-in until it comes)."""
    infos = source_infos(store)
    records = []
    for record in graph.typed(CATALOG_RECORD):
        if iri not in graph.values(record, PRIMARY_TOPIC):
            continue
        source = graph.first(record, _HARVEST_SOURCE)
        name = source.value.removeprefix(source_iri("")) if source is not None else None
        info = infos.get(name) if name else None
        authoritative = graph.first(record, _AUTHORITATIVE)
        records.append(
            {
                "id": record.value,
                "source": name,
                "level": _concept(info.level if info else None),
                "region": _concept(info.region if info else None),
                "firstSeen": _value(graph.first(record, _ISSUED)),
                "lastChanged": _value(graph.first(record, _MODIFIED)),
                "authoritative": authoritative is not None and _literal_value(authoritative) is True,
                "run": _value(graph.first(record, _GENERATED_BY)),
            }
        )
    records.sort(key=lambda r: (not r["authoritative"], r["source"] or ""))
    visible = set(store.current_graphs())
    by_graph = {ox.NamedNode(g): v.name for v in store.sources() for g in v.graphs() if ox.NamedNode(g) in visible}
    holders = (q.graph_name for q in store.raw.quads_for_pattern(iri, RDF_TYPE, DATASET, None))
    return {
        "records": records,
        "authoritative": next((r for r in records if r["authoritative"]), None),
        "descriptionFrom": next((by_graph[g] for g in holders if g in by_graph), None),
    }


def _value(term: _Term | None) -> str | None:
    return term.value if term is not None else None


# -- the catalog tree -----------------------------------------------------------------------------


@dataclass
class _Node:
    """A node of the catalog tree: a division, or a department (a provider within a division)."""

    kind: str
    id: str | None
    count: int = 0
    catalogs: dict[str, dict[str, str]] = field(default_factory=dict)
    children: dict[str, _Node] = field(default_factory=dict)

    def child(self, key: str, kind: str, iri: str | None) -> _Node:
        return self.children.setdefault(key, _Node(kind, iri))


@blueprint.route("/catalogs")
def catalogs() -> Response:
    """The catalog tree — national → province → city → county → department — with dataset counts.

    Divisions nest as in GB/T 2260; a department is a provider (提供方) within the division of its
    resources. Harvested ``dcat:Catalog`` nodes name the nodes they describe: a catalog nesting others is
    its division's catalog, a catalog listing resources its department's. Resources from spreadsheets,
    which come without catalogs, are placed by their own division and provider all the same, so every
    stored resource is counted exactly once and the root's count is the catalog's total.
    """
    check_parameters(())
    tree = catalog_tree(current_store())
    return jsonify(total=tree["count"], tree=tree)


def catalog_tree(store: CatalogStore) -> dict[str, Any]:
    """The catalog tree as ``/api/catalogs`` gives it: nested nodes with dataset counts."""
    codes = CodeLists.default()
    root = _Node("region", COUNTRY)
    regions: dict[str, _Node] = {COUNTRY: root}

    def region_node(iri: str | None) -> _Node:
        code = codes.notation(iri) if iri else None
        if iri is None or code is None or iri == COUNTRY:
            return root
        if iri not in regions:
            parents = codes.region_ancestors(code)
            parent = region_node(parents[0]) if parents else root
            regions[iri] = parent.child(iri, "region", iri)
        return regions[iri]

    for row in select(store, "tree-datasets"):
        spatial, publisher = _value(row["spatial"]), _value(row["publisher"])
        department = region_node(spatial).child(f"org:{publisher}", "department", publisher)
        department.count += int(row["datasets"].value)
    titles: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select(store, "tree-catalogs"):
        catalog, title = row["catalog"].value, row["title"]
        if title is not None:
            titles[catalog].setdefault(title.language or "", title.value)
        node = region_node(row["spatial"].value)
        if row["publisher"] is not None:
            node = node.child(f"org:{row['publisher'].value}", "department", row["publisher"].value)
        node.catalogs[catalog] = titles[catalog]
    publishers = _Graph(
        [
            ox.Triple(row["publisher"], predicate, row[variable])
            for row in select(store, "tree-publishers")
            for predicate, variable in ((FOAF_NAME, "name"), (_CREDIT_CODE, "creditCode"))
            if row[variable] is not None
        ]
    )
    return _node_json(root, publishers)


def _node_json(node: _Node, publishers: _Graph) -> dict[str, Any]:
    """A node with its children (divisions by code, then departments by size); its count includes theirs."""
    out: dict[str, Any] = {"kind": node.kind, "id": node.id}
    if node.kind == "region":
        codes = CodeLists.default()
        out["code"] = codes.notation(node.id)
        out["label"] = concept_labels(node.id)
        out["level"] = _concept(codes.region_level(out["code"]))
    elif node.id is not None:
        described = publishers.term(ox.NamedNode(node.id))
        out["name"] = described.get("name", {})
        out["creditCode"] = described.get("creditCode")
    out["catalogs"] = [{"id": iri, "title": title} for iri, title in sorted(node.catalogs.items())]
    regions = sorted((c for c in node.children.values() if c.kind == "region"), key=lambda c: c.id)
    departments = sorted(
        (c for c in node.children.values() if c.kind == "department"), key=lambda c: (-c.count, c.id or "")
    )
    out["children"] = [_node_json(c, publishers) for c in regions + departments]
    out["count"] = node.count + sum(c["count"] for c in out["children"])
    return out


# -- the OpenAPI document -------------------------------------------------------------------------


@blueprint.route("/openapi.json")
def openapi() -> Response:
    """This API (and the SPARQL endpoint, the DCAT export and dataset IRIs) as an OpenAPI 3.1 document.

    Routes registered under the documented prefixes but not described below (a feature added later) are
    listed from the application's URL map with their docstrings, so the document never omits a route.
    """
    check_parameters(())
    document = openapi_document()
    document["paths"].update(_undocumented_routes(document["paths"]))
    return jsonify(document)


_DOCUMENTED_PREFIXES = ("/api/", "/sparql", "/catalog", "/resource/")
_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path: ``/api/datasets/<path:identifier>`` → ``/api/datasets/{identifier}``."""
    return _RULE_PARAMETER.sub(r"{\1}", rule)


def _undocumented_routes(paths: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if not rule.rule.startswith(_DOCUMENTED_PREFIXES) or path in paths:
            continue
        view = current_app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in rule.arguments - set(rule.defaults or ())
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.setdefault(path, {})[method.lower()] = {
                "summary": summary,
                "parameters": parameters,
                "responses": {"200": {"description": "OK"}},
            }
    return found


_EDIT_REASONS = {
    401: "Not signed in, or a token that is unknown, expired or revoked",
    403: "Not allowed to edit this resource",
    412: "If-Match is not the current version",
    415: "Not a JSON body",
    422: "Values that cannot be read, or a resource the profile's shapes reject",
    428: "No If-Match",
}


def _error_responses(*statuses: int) -> dict[str, Any]:
    reasons = {400: "Bad request", 404: "Not found", 406: "Not acceptable"} | _EDIT_REASONS
    return {str(s): {"description": reasons[s], "content": {"application/json": _ref("Error")}} for s in statuses}


def _ref(name: str) -> dict[str, Any]:
    return {"schema": {"$ref": f"#/components/schemas/{name}"}}


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


_RDF_CONTENT = {
    m: {"schema": {"type": "string"}} for m in ("text/turtle", "application/ld+json", "application/rdf+xml")
}
_TEXT_ERROR = {"content": {"text/plain": {"schema": {"type": "string"}}}}


def _rdf_error(description: str) -> dict[str, Any]:
    return {"description": description, **_TEXT_ERROR}


_EXPORT_FILTERS = (
    ("category", "资源分类: only datasets of these resource categories or below (notation or label).", ["1"]),
    ("provider_level", "层级: only datasets of these levels (国家, 省, 市, 县 or 1–4).", ["国家"]),
    ("authored_in", "Only datasets whose division (GB/T 2260 code) is one of these or lies inside one.", ["320100"]),
    ("exclude_source", "Leave out datasets with a catalog record from any of these sources (by name).", ["jiangsu"]),
)
"""The DCAT export's filters for harvesting nodes (catalog_service/export.py); each may be repeated."""


def _catalog_operation(summary: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["DCAT"],
            "parameters": [
                _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
                _query(
                    "page_size",
                    "Datasets per page.",
                    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                ),
                _query(
                    "modified_since",
                    "ISO 8601 date or date-time (UTC when it has no offset): only datasets whose dct:modified, "
                    "or a catalog record's dct:modified, is on or after it.",
                    {"type": "string"},
                    example="2024-05-01T00:00:00+08:00",
                ),
                *(
                    _query(name, description, {"type": "array", "items": {"type": "string"}}, example=example)
                    for name, description, example in _EXPORT_FILTERS
                ),
            ],
            "responses": {
                "200": {
                    "description": "One page of the catalog as DCAT-AP 3.0.0, with Hydra paging "
                    "(hydra:PartialCollectionView first/previous/next/last; hydra:totalItems on the collection).",
                    "content": content,
                },
                "400": _rdf_error("Bad parameter"),
                "404": _rdf_error("Page past the last one"),
                "406": _rdf_error("No syntax fits Accept"),
            },
        }
    }


@functools.cache
def openapi_document_template() -> dict[str, Any]:
    """The hand-written part of the OpenAPI document (paths of this node's documented features)."""
    string, integer = {"type": "string"}, {"type": "integer"}
    concept = _ref("Concept")["schema"]
    lang_map = {"type": "object", "additionalProperties": string, "description": "Text by language tag (zh, en)."}
    identifier = {
        "name": "identifier",
        "in": "path",
        "required": True,
        "description": "信息资源代码, e.g. 1010002/000186 (its '/' is sent as is).",
        "schema": string,
        "example": "1010002/000186",
    }
    facet_filters = [
        _query(name, f"{description} One value; the facet of the same name counts the others.", string)
        for name, description in (
            ("level", "层级 (notation or label: 1/国家, 2/省, 3/市, 4/县)."),
            ("region", "行政区划, a GB/T 2260 code; includes the divisions below it (320000 includes 南京市)."),
            ("publisher", "提供方, the provider's IRI (https://w3id.org/gov-catalog/org/{credit code})."),
            ("sharing", "共享类型 (notation or label)."),
            ("openness", "开放属性 (notation or label)."),
            ("theme", "资源分类 (notation or label, e.g. 101 or 人口)."),
            ("format", "资源格式 (notation or label)."),
            ("frequency", "更新周期 (notation or label)."),
        )
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gov-catalog API",
            "version": "0.1.0",
            "description": "政务信息资源目录节点的接口：检索、信息资源（及其编辑）、目录树、采集数据源、"
            "SPARQL 与 DCAT 导出。 "
            "API of a gov-catalog node: search, resources (and their editing), the catalog tree, harvest sources, "
            'SPARQL and the DCAT export. Errors of /api/* are JSON ({"error": {"status", "zh", "en"}}).',
        },
        "tags": [{"name": n} for n in ("API", "SPARQL", "DCAT")],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Chinese full-text search with facets",
                    "tags": ["API"],
                    "parameters": [
                        _query(
                            "q",
                            "Words to find (at most 200 characters) in titles, descriptions, keywords, data "
                            "elements and providers; Chinese is segmented into words.",
                            string,
                        ),
                        *facet_filters,
                        _query(
                            "sort",
                            "By relevance (default) or last modified.",
                            {"type": "string", "enum": ["relevance", "modified"], "default": "relevance"},
                        ),
                        _query(
                            "page", "Page number.", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1}
                        ),
                        _query(
                            "size",
                            "Results per page.",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                        ),
                        _query(
                            "lang", "Language of labels.", {"type": "string", "enum": ["zh", "en"], "default": "zh"}
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Matching resources and facet counts",
                            "content": {"application/json": _ref("SearchResult")},
                        },
                        "400": {
                            "description": "Bad parameter (unknown, repeated, out of range, not in the code list)",
                            "content": {"application/json": _ref("SearchError")},
                        },
                        "503": {
                            "description": "The search index is unusable (gov-catalog reindex rebuilds it)",
                            "content": {"application/json": _ref("SearchError")},
                        },
                    },
                }
            },
            "/api/datasets/{identifier}": {
                "get": {
                    "summary": "One resource: every profile element, data elements, distributions, provenance",
                    "tags": ["API"],
                    "parameters": [identifier],
                    "responses": {
                        "200": {
                            "description": "The resource; its ETag is the version an edit names in If-Match",
                            "headers": {"ETag": {"schema": string}},
                            "content": {"application/json": _ref("Dataset")},
                        },
                        **_error_responses(400, 404),
                    },
                },
                "patch": {
                    "summary": "Edit a resource: catalog managers of its provider, administrators of its division",
                    "description": "The fields to change as a JSON merge patch (docs/editing.md): title, description, "
                    "keywords, format, sharing-type, sharing-condition, sharing-method, provision-method, "
                    "non-sharing-basis, openness, open-condition, use-purpose, use-requirement, update-cycle, "
                    "related-resources, dataElements. A bearer token, or a signed-in session sending X-CSRF-Token. "
                    "422 lists the SHACL violations in error.violations.",
                    "tags": ["API"],
                    "parameters": [
                        identifier,
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": True,
                            "description": "The ETag of the version edited (GET /api/datasets/{identifier}), or *.",
                            "schema": string,
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            media_type: {"schema": {"type": "object"}}
                            for media_type in ("application/merge-patch+json", "application/json")
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The edited resource (with an edit member: changed fields, warnings, "
                            "audit event) and its new ETag",
                            "headers": {"ETag": {"schema": string}},
                            "content": {"application/json": _ref("Dataset")},
                        },
                        **_error_responses(400, 401, 403, 404, 412, 415, 422, 428),
                    },
                },
            },
            "/api/datasets/{identifier}/history": {
                "get": {
                    "summary": "The edits of a resource, from the audit trail (government users)",
                    "tags": ["API"],
                    "parameters": [identifier],
                    "responses": {
                        "200": {
                            "description": "Each edit: who, when, the changed fields before and after",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_error_responses(401, 404),
                    },
                }
            },
            "/api/catalogs": {
                "get": {
                    "summary": "The catalog tree national → province → city → county → department, with counts",
                    "tags": ["API"],
                    "responses": {
                        "200": {
                            "description": "The tree; the root's count is the number of resources",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": integer,
                                            "tree": {"$ref": "#/components/schemas/CatalogNode"},
                                        },
                                    }
                                }
                            },
                        },
                        **_error_responses(400),
                    },
                }
            },
            "/api/sources": {
                "get": {
                    "summary": "Harvest sources: current version, last runs with status, counts and errors",
                    "tags": ["API"],
                    "parameters": [
                        _query(
                            "runs",
                            "Recent runs listed per source.",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "The sources, by name",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": integer,
                                            "sources": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Source"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        **_error_responses(400),
                    },
                }
            },
            **{
                f"/api/sources/{{name}}/{action}": {
                    "post": {
                        "summary": summary,
                        "description": "Administrators only, on a node serving with --schedule (docs/api.md).",
                        "tags": ["API"],
                        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                        "responses": {
                            "202": {"description": "Accepted: the run shows in /api/sources"},
                            "401": {"description": "Not signed in", "content": {"application/json": _ref("Error")}},
                            "403": {
                                "description": "Not an administrator",
                                "content": {"application/json": _ref("Error")},
                            },
                            "404": {
                                "description": "No such scheduled source",
                                "content": {"application/json": _ref("Error")},
                            },
                            "409": {"description": conflict, "content": {"application/json": _ref("Error")}},
                        },
                    }
                }
                for action, summary, conflict in (
                    ("harvest", "Harvest one scheduled source now", "The node does not harvest while serving"),
                    ("abort", "Stop the source's run under way", "No run under way, or no harvesting while serving"),
                )
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "tags": ["API"],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/sparql": {
                "get": {
                    "summary": "SPARQL 1.1 query (read-only); without a query, a service description or a query form",
                    "tags": ["SPARQL"],
                    "parameters": [
                        _query("query", "The SPARQL query.", string),
                        _query(
                            "default-graph-uri",
                            "Graphs to merge as the default graph.",
                            {"type": "array", "items": string},
                        ),
                        _query("named-graph-uri", "Graphs GRAPH may reach.", {"type": "array", "items": string}),
                        _query(
                            "format",
                            "Result format for browsers (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml).",
                            string,
                        ),
                    ],
                    "responses": {
                        "200": {"description": "Results in the format Accept asks for"},
                        "400": _rdf_error("SPARQL syntax error"),
                        "403": _rdf_error("SPARQL Update refused"),
                        "406": _rdf_error("No format fits Accept"),
                    },
                },
                "post": {
                    "summary": "SPARQL 1.1 query as a form (query=…) or an application/sparql-query body",
                    "tags": ["SPARQL"],
                    "requestBody": {
                        "content": {
                            "application/sparql-query": {"schema": string},
                            "application/x-www-form-urlencoded": {
                                "schema": {"type": "object", "properties": {"query": string}, "required": ["query"]}
                            },
                        }
                    },
                    "responses": {
                        "200": {"description": "Results in the format Accept asks for"},
                        "400": _rdf_error("SPARQL syntax error"),
                        "403": _rdf_error("SPARQL Update refused"),
                        "413": _rdf_error("Query too long"),
                        "415": _rdf_error("Unsupported request type"),
                    },
                },
            },
            "/catalog": _catalog_operation(
                "The whole catalog as DCAT-AP, paged, in the syntax Accept asks for",
                {**_RDF_CONTENT, "application/n-triples": {"schema": string}},
            ),
            "/catalog.ttl": _catalog_operation(
                "The whole catalog as DCAT-AP in Turtle, paged", {"text/turtle": {"schema": string}}
            ),
            "/catalog.jsonld": _catalog_operation(
                "The whole catalog as DCAT-AP in JSON-LD (expanded), paged", {"application/ld+json": {"schema": string}}
            ),
            "/catalog.rdf": _catalog_operation(
                "The whole catalog as DCAT-AP in RDF/XML, paged", {"application/rdf+xml": {"schema": string}}
            ),
            "/resource/{identifier}": {
                "get": {
                    "summary": "Dereference a resource IRI (https://w3id.org/gov-catalog/resource/{identifier})",
                    "description": "Its description (the dataset, data elements, distributions, services, provider, "
                    "catalog records) as RDF by Accept; browsers (text/html) get a 303 to /datasets/{identifier}.",
                    "tags": ["DCAT"],
                    "parameters": [identifier],
                    "responses": {
                        "200": {
                            "description": "The description",
                            "content": {**_RDF_CONTENT, "application/n-triples": {"schema": string}},
                        },
                        "303": {"description": "See the HTML page", "headers": {"Location": {"schema": string}}},
                        "404": _rdf_error("No such resource here"),
                        "406": _rdf_error("No syntax fits Accept"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {"status": integer, "zh": string, "en": string},
                            "required": ["status", "zh", "en"],
                        }
                    },
                },
                "LangMap": lang_map,
                "Concept": {
                    "type": "object",
                    "description": "A code-list concept or division.",
                    "properties": {"id": string, "notation": string, "label": lang_map},
                },
                "Value": {
                    "type": "object",
                    "description": "A literal ({value, lang}) or an IRI ({id} with notation and label for a concept, "
                    "name and creditCode for a provider, identifier for a resource).",
                    "properties": {
                        "value": {},
                        "lang": string,
                        "id": string,
                        "notation": string,
                        "label": lang_map,
                        "name": lang_map,
                        "creditCode": string,
                        "identifier": string,
                    },
                },
                "Element": {
                    "type": "object",
                    "properties": {
                        "key": string,
                        "label": lang_map,
                        "properties": {"type": "array", "items": string},
                        "values": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
                    },
                },
                "Record": {
                    "type": "object",
                    "description": "A dcat:CatalogRecord: how the resource came through one source.",
                    "properties": {
                        "id": string,
                        "source": string,
                        "level": {"oneOf": [concept, {"type": "null"}]},
                        "region": {"oneOf": [concept, {"type": "null"}]},
                        "firstSeen": string,
                        "lastChanged": string,
                        "authoritative": {"type": "boolean"},
                        "run": string,
                    },
                },
                "Dataset": {
                    "type": "object",
                    "properties": {
                        "id": string,
                        "identifier": string,
                        "title": lang_map,
                        "elements": {"type": "array", "items": {"$ref": "#/components/schemas/Element"}},
                        "dataElements": {
                            "type": "object",
                            "properties": {
                                "columns": {"type": "array", "items": {"$ref": "#/components/schemas/Element"}},
                                "rows": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                        "keywords": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
                        "modified": {"type": ["string", "null"]},
                        "distributions": {"type": "array", "items": {"type": "object"}},
                        "services": {"type": "array", "items": {"type": "object"}},
                        "provenance": {
                            "type": "object",
                            "properties": {
                                "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
                                "authoritative": {"oneOf": [{"$ref": "#/components/schemas/Record"}, {"type": "null"}]},
                                "descriptionFrom": {"type": ["string", "null"]},
                            },
                        },
                        "links": {"type": "object", "additionalProperties": string},
                    },
                },
                "CatalogNode": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["region", "department"]},
                        "id": {"type": ["string", "null"]},
                        "count": integer,
                        "code": string,
                        "label": lang_map,
                        "level": concept,
                        "name": lang_map,
                        "creditCode": {"type": ["string", "null"]},
                        "catalogs": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"id": string, "title": lang_map}},
                        },
                        "children": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogNode"}},
                    },
                },
                "Run": {
                    "type": "object",
                    "properties": {
                        "id": string,
                        "status": {"type": "string", "enum": ["running", "succeeded", "failed", "review", "aborted"]},
                        "started": string,
                        "ended": {"type": ["string", "null"]},
                        "counts": {"type": "object", "additionalProperties": integer},
                        "errors": {"type": "array", "items": string},
                    },
                },
                "Source": {
                    "type": "object",
                    "properties": {
                        "name": string,
                        "id": string,
                        "type": {"type": ["string", "null"]},
                        "schedule": {"type": ["string", "null"]},
                        "level": {"oneOf": [concept, {"type": "null"}]},
                        "region": {"oneOf": [concept, {"type": "null"}]},
                        "version": {"type": ["integer", "null"]},
                        "triples": {"type": ["integer", "null"]},
                        "modified": {"type": ["string", "null"]},
                        "lastRun": {"oneOf": [{"$ref": "#/components/schemas/Run"}, {"type": "null"}]},
                        "lastSuccess": {"oneOf": [{"$ref": "#/components/schemas/Run"}, {"type": "null"}]},
                        "runs": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}},
                        "totalRuns": integer,
                    },
                },
                "SearchError": {
                    "type": "object",
                    "properties": {
                        "error": string,
                        "message": {"type": "object", "properties": {"zh": string, "en": string}},
                        "parameter": string,
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "total": integer,
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchItem"}},
                        "facets": {
                            "type": "object",
                            "description": "By facet (level, region, publisher, sharing, openness, theme, format, "
                            "frequency): each value with its label and how many results have it.",
                            "additionalProperties": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {"value": string, "label": string, "count": integer},
                                },
                            },
                        },
                    },
                },
                "SearchItem": {
                    "type": "object",
                    "properties": {
                        "id": string,
                        "identifier": string,
                        "title": string,
                        "description": string,
                        "highlight": {
                            "type": "object",
                            "description": "Title and description with the matches in <mark>.",
                            "additionalProperties": string,
                        },
                        **{
                            name: {"$ref": "#/components/schemas/FacetValue"}
                            for name in ("publisher", "region", "level", "sharingType")
                        },
                        "modified": {"type": ["string", "null"]},
                        "url": string,
                    },
                },
                "FacetValue": {"type": "object", "properties": {"value": string, "label": string}},
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the hand-written document, safe to extend per request."""
    template = openapi_document_template()
    return {**template, "paths": dict(template["paths"])}
