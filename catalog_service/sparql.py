"""The SPARQL 1.1 Protocol endpoint (``/sparql``): read-only queries over the catalog's current graphs.

Queries arrive as ``GET ?query=``, as a POSTed form or as a POSTed ``application/sparql-query`` body; the result
format follows ``Accept`` (or a ``format`` parameter, for browsers). Updates are refused: the catalog changes
only through harvesting and the admin API, which validate and audit every write.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template_string, request

from catalog_service import namespaces as ns
from catalog_service.app import current_store

blueprint = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class _Format:
    name: str
    media_type: str
    w3c_format: str
    """The format's IRI in http://www.w3.org/ns/formats/, for the service description."""
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None


_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = (
    _Format(
        "json", "application/sparql-results+json", _FORMATS + "SPARQL_Results_JSON", results=ox.QueryResultsFormat.JSON
    ),
    _Format(
        "xml", "application/sparql-results+xml", _FORMATS + "SPARQL_Results_XML", results=ox.QueryResultsFormat.XML
    ),
    _Format("csv", "text/csv", _FORMATS + "SPARQL_Results_CSV", results=ox.QueryResultsFormat.CSV),
    _Format("tsv", "text/tab-separated-values", _FORMATS + "SPARQL_Results_TSV", results=ox.QueryResultsFormat.TSV),
)
_GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", _FORMATS + "Turtle", rdf=ox.RdfFormat.TURTLE),
    _Format("ntriples", "application/n-triples", _FORMATS + "N-Triples", rdf=ox.RdfFormat.N_TRIPLES),
    _Format("jsonld", "application/ld+json", _FORMATS + "JSON-LD", rdf=ox.RdfFormat.JSON_LD),
    _Format("rdfxml", "application/rdf+xml", _FORMATS + "RDF_XML", rdf=ox.RdfFormat.RDF_XML),
)
_ALIASES = {"application/json": "json", "application/xml": "xml", "text/plain": "ntriples"}

_FORM = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>SPARQL 查询 / SPARQL query</title></head>
<body><main>
<h1>SPARQL 查询 <small lang="en">SPARQL query</small></h1>
<form method="post" action="{{ url_for('sparql.endpoint') }}">
<label for="query">查询 / Query</label><br>
<textarea id="query" name="query" rows="14" cols="100">{{ example }}</textarea><br>
<label for="format">结果格式 / Result format</label>
<select id="format" name="format">
{% for f in formats %}<option value="{{ f }}">{{ f }}</option>{% endfor %}
</select>
<button type="submit">执行 / Run</button>
</form></main></body></html>
"""
_EXAMPLE = ns.sparql_prefixes() + "\nSELECT (COUNT(*) AS ?n) WHERE { ?d a dcat:Dataset }\n"


class _ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one SPARQL query (SPARQL 1.1 Protocol, query operation)."""
    try:
        query = _query_text()
        if query is None:
            return _describe_service()
        return _run(query)
    except _ProtocolError as error:
        return _text(error.status, error.message)


@blueprint.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    return response


def _query_text() -> str | None:
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update" or "update" in request.form:
            raise _ProtocolError(403, "只读端点，不接受 SPARQL Update / read-only endpoint: SPARQL Update is refused")
        if mimetype == "application/sparql-query":
            limit = current_app.config["GOV_CATALOG"].sparql_max_query_bytes
            if (request.content_length or 0) > limit:
                raise _ProtocolError(413, f"查询过长 / query longer than {limit} bytes")
            return request.get_data(as_text=True)
        if mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise _ProtocolError(415, f"不支持的请求类型 / unsupported content type {mimetype!r}")
        query = request.form.get("query")
    else:
        if "update" in request.args:
            raise _ProtocolError(403, "只读端点，不接受 SPARQL Update / read-only endpoint: SPARQL Update is refused")
        query = request.args.get("query")
    if query is None:
        return None
    limit = current_app.config["GOV_CATALOG"].sparql_max_query_bytes
    if len(query.encode()) > limit:
        raise _ProtocolError(413, f"查询过长 / query longer than {limit} bytes")
    return query


def _dataset_parameters() -> tuple[list[str] | None, list[str] | None]:
    values = request.form if request.method == "POST" and request.form else request.args
    default = values.getlist("default-graph-uri") or None
    named = values.getlist("named-graph-uri") or None
    return default, named


def _run(query: str) -> Response:
    default, named = _dataset_parameters()
    try:
        result = current_store().query(query, default_graph=default, named_graphs=named)
    except SyntaxError as error:
        raise _ProtocolError(400, f"SPARQL 语法错误 / SPARQL syntax error: {error}") from None
    except OSError as error:
        raise _ProtocolError(500, f"查询失败 / query failed: {error}") from None
    if isinstance(result, ox.QueryTriples):
        chosen = _negotiate(_GRAPH_FORMATS)
        body = result.serialize(format=chosen.rdf)
    else:
        chosen = _negotiate(_RESULT_FORMATS)
        body = result.serialize(format=chosen.results)
    return Response(body, mimetype=chosen.media_type, headers={"Vary": "Accept"})


def _negotiate(formats: tuple[_Format, ...]) -> _Format:
    """Pick the response format: the ``format`` parameter, else the best match for ``Accept``."""
    by_name = {f.name: f for f in formats}
    asked = request.values.get("format")
    if asked:
        asked = _ALIASES.get(asked, asked)
        chosen = by_name.get(asked) or next((f for f in formats if f.media_type == asked), None)
        if chosen is None:
            raise _ProtocolError(406, f"无法提供格式 / cannot produce format {asked!r} for this query")
        return chosen
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return formats[0]
    offered = [f.media_type for f in formats] + [m for m, n in _ALIASES.items() if n in by_name]
    best = accept.best_match(offered)
    if best is None:
        wanted = ", ".join(accept.values())
        raise _ProtocolError(406, f"无法满足 Accept / cannot satisfy Accept: {wanted}")
    return by_name.get(_ALIASES.get(best, "")) or next(f for f in formats if f.media_type == best)


def _describe_service() -> Response:
    """With no query: a form for browsers, else a SPARQL service description."""
    accept = request.accept_mimetypes
    if accept.best_match(["text/html", "text/turtle"]) == "text/html" and accept.best != "*/*":
        formats = [f.name for f in _RESULT_FORMATS + _GRAPH_FORMATS]
        return Response(render_template_string(_FORM, example=_EXAMPLE, formats=formats), mimetype="text/html")
    description = _service_description(request.base_url)
    chosen = _negotiate(_GRAPH_FORMATS)
    body = ox.serialize(description, format=chosen.rdf)
    return Response(body, mimetype=chosen.media_type, headers={"Vary": "Accept"})


def _service_description(url: str) -> list[ox.Triple]:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = ox.NamedNode(url)
    rdf_type = ox.NamedNode(ns.RDF + "type")
    triples = [
        ox.Triple(service, rdf_type, ox.NamedNode(sd + "Service")),
        ox.Triple(service, ox.NamedNode(sd + "endpoint"), service),
        ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
    ]
    for f in _RESULT_FORMATS + _GRAPH_FORMATS:
        triples.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(f.w3c_format)))
    return triples


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")
