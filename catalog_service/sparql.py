"""The SPARQL 1.1 Protocol endpoint (``/sparql``): read-only queries over the catalog's current graphs.

Queries arrive as ``GET ?query=``, as a POSTed form or as a POSTed ``application/sparql-query`` body; the result
format follows ``Accept`` (or a ``format`` parameter, for browsers). Updates are refused: the catalog changes
only through harvesting and the admin API, which validate and audit every write. ``SERVICE`` reaches only the peer
endpoints the administrator allow-lists (``sparql_service_peers``); :mod:`catalog_service.federated_query` makes
those calls here and hands the query on with their answers inlined, and refuses any other target, so that no one
can make this server fetch an address of their choosing.

Queries are evaluated by :mod:`catalog_service.query_worker` — for an on-disk store in worker processes that are
killed at the time limit (``sparql_timeout``, which the ``SERVICE`` calls count against), so a runaway query
stops using CPU and other clients keep being answered. Answers are cut after ``sparql_max_rows`` rows (or
triples), which ``X-Result-Truncated: true`` reports.
Without a query the endpoint describes itself (SPARQL service description), or shows the query page to browsers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from catalog_service import namespaces as ns
from catalog_service import sparql_page
from catalog_service.accounts.access import csrf_exempt
from catalog_service.app import STORE_KEY, current_audience
from catalog_service.federated_query import ServiceError, ServicePeers, inline_services
from catalog_service.query_worker import (
    BOOLEAN,
    BUSY,
    GRAPH,
    NOT_ACCEPTABLE,
    SOLUTIONS,
    SYNTAX,
    TIMEOUT,
    InProcess,
    QueryAnswer,
    QueryError,
    QueryRequest,
    WorkerPool,
)
from catalog_service.sparql_examples import BY_SLUG, LEVELS_BY_SHARING, Example

blueprint = Blueprint("sparql", __name__)


@dataclass(frozen=True)
class _Format:
    name: str
    media_type: str
    w3c_format: str
    """The format's IRI in http://www.w3.org/ns/formats/, for the service description."""


_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = (
    _Format("json", "application/sparql-results+json", _FORMATS + "SPARQL_Results_JSON"),
    _Format("xml", "application/sparql-results+xml", _FORMATS + "SPARQL_Results_XML"),
    _Format("csv", "text/csv", _FORMATS + "SPARQL_Results_CSV"),
    _Format("tsv", "text/tab-separated-values", _FORMATS + "SPARQL_Results_TSV"),
)
_GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", _FORMATS + "Turtle"),
    _Format("ntriples", "application/n-triples", _FORMATS + "N-Triples"),
    _Format("jsonld", "application/ld+json", _FORMATS + "JSON-LD"),
    _Format("rdfxml", "application/rdf+xml", _FORMATS + "RDF_XML"),
)
_PAGE = _Format("html", "text/html", "")
"""The query page with the answer as a table: offered for either kind of answer, to browsers."""
_ALIASES = {"application/json": "json", "application/xml": "xml", "text/plain": "ntriples"}
_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"

RUNNER_KEY = "gov_catalog.sparql_runner"
"""Where an application keeps its query runner (``app.extensions``); ``close()`` it to stop its workers."""
_runner_lock = threading.Lock()
_GENID = ".well-known/genid/"
"""Under the node's root: where the IRIs given to blank nodes of peers' answers start (RFC 8615, RDF 1.1 §3.5)."""


class _ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@blueprint.route("/sparql", methods=["GET", "POST"])
@csrf_exempt
def endpoint() -> Response:
    """Answer one SPARQL query (SPARQL 1.1 Protocol, query operation).

    Exempt from the CSRF check of signed-in sessions: it only reads, and updates are refused.
    """
    try:
        query = _query_text()
        if query is None:
            return _describe_service()
        return _answer(query)
    except _ProtocolError as error:
        return _text(error.status, error.message)


@blueprint.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Authorization"
    response.headers["Access-Control-Expose-Headers"] = "X-Result-Truncated"
    return response


def _query_text() -> str | None:
    limit = current_app.config["GOV_CATALOG"].sparql_max_query_bytes
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update":
            raise _ProtocolError(403, "只读端点，不接受 SPARQL Update / read-only endpoint: SPARQL Update is refused")
        if mimetype == "application/sparql-query":
            body = request.stream.read(limit + 1)  # read no more than needed to know it is too long
            if len(body) > limit:
                raise _ProtocolError(413, _too_long(limit))
            return body.decode("utf-8", errors="replace")
        if mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise _ProtocolError(415, f"不支持的请求类型 / unsupported content type {mimetype!r}")
        # Percent-encoding triples a byte at most; the other parameters are small.
        request.max_content_length = body_limit = 3 * limit + 65_536
        try:
            values = request.form
        except RequestEntityTooLarge:
            raise _ProtocolError(413, f"请求过大 / request body larger than {body_limit} bytes") from None
    else:
        values = request.args
    if "update" in values:
        raise _ProtocolError(403, "只读端点，不接受 SPARQL Update / read-only endpoint: SPARQL Update is refused")
    queries = values.getlist("query")
    if len(queries) > 1:
        raise _ProtocolError(400, "只能提交一个查询 / exactly one query parameter is allowed")
    if not queries:
        return None
    if len(queries[0].encode()) > limit:
        raise _ProtocolError(413, _too_long(limit))
    return queries[0]


def _too_long(limit: int) -> str:
    return f"查询过长 / query longer than {limit} bytes"


def _dataset_parameters() -> tuple[list[str] | None, list[str] | None]:
    values = request.form if request.method == "POST" and request.form else request.args
    default = values.getlist("default-graph-uri") or None
    named = values.getlist("named-graph-uri") or None
    return default, named


def _answer(query: str) -> Response:
    results, graph = _choose(_RESULT_FORMATS), _choose(_GRAPH_FORMATS)
    if results is None and graph is None:
        raise _ProtocolError(406, _not_acceptable())
    as_page = {SOLUTIONS: results is _PAGE, BOOLEAN: results is _PAGE, GRAPH: graph is _PAGE}
    browser = any(as_page.values())  # errors, too, go on the page then
    max_rows = current_app.config["GOV_CATALOG"].sparql_max_rows
    default, named = _dataset_parameters()
    try:
        answer = _evaluate(
            query,
            default,
            named,
            results_format=_RESULTS_JSON if results is _PAGE else results and results.media_type,
            graph_format=_N_TRIPLES if graph is _PAGE else graph and graph.media_type,
            max_rows=min(max_rows, sparql_page.PAGE_ROWS) if browser else max_rows,
        )
    except _ProtocolError as error:
        if browser:
            return _page_response(error.status, query=query, error=error.message)
        raise
    if as_page[answer.form]:
        return _page_response(200, query=query, result=sparql_page.table(answer))
    headers = {"Vary": "Accept"}
    if answer.form != BOOLEAN:
        headers["X-Result-Truncated"] = "true" if answer.truncated else "false"
    return Response(answer.body, mimetype=answer.media_type, headers=headers)


def _evaluate(
    query: str,
    default: list[str] | None,
    named: list[str] | None,
    *,
    results_format: str | None,
    graph_format: str | None,
    max_rows: int,
) -> QueryAnswer:
    """Answer ``query`` for the requester: its ``SERVICE`` calls here, the rest by the query runner, both within the
    query's one time limit. Raises :class:`_ProtocolError` with what to tell the client."""
    config = current_app.config["GOV_CATALOG"]
    deadline = time.monotonic() + config.sparql_timeout
    peers = ServicePeers(tuple(config.sparql_service_peers), config.sparql_service_timeout, config.sparql_max_rows)
    try:
        local_query = inline_services(query, peers, deadline, request.host_url + _GENID)
    except ServiceError as error:
        raise _ProtocolError(error.status, error.message) from None
    # the public's queries run over the public graphs (docs/visibility.md)
    job = QueryRequest(local_query, default, named, results_format, graph_format, max_rows, current_audience())
    try:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryError(TIMEOUT)
        return _runner().run(job, remaining)
    except QueryError as error:
        raise _ProtocolError(*_failure(error)) from None


def _failure(error: QueryError) -> tuple[int, str]:
    """The status and message for a query that got no answer."""
    timeout = current_app.config["GOV_CATALOG"].sparql_timeout
    if error.kind == SYNTAX:
        return 400, f"SPARQL 语法错误 / SPARQL syntax error: {error.detail}"
    if error.kind == NOT_ACCEPTABLE:
        return 406, _not_acceptable()
    if error.kind == TIMEOUT:
        return 503, (
            f"查询超过时限 {timeout:g} 秒，已终止 / the query exceeded the time limit of {timeout:g} s and was stopped"
        )
    if error.kind == BUSY:
        return 503, (
            f"查询繁忙，{timeout:g} 秒内未能开始 / all query workers stayed busy for {timeout:g} s; try again later"
        )
    return 500, f"查询失败 / query failed: {error.detail}"


def _runner() -> WorkerPool | InProcess:
    """The application's query runner, made on first use: worker processes for an on-disk store."""
    extensions = current_app.extensions
    runner = extensions.get(RUNNER_KEY)
    if runner is None:
        with _runner_lock:
            runner = extensions.get(RUNNER_KEY)
            if runner is None:
                # the whole store: each query carries its audience (QueryRequest.audience)
                config, store = current_app.config["GOV_CATALOG"], current_app.extensions[STORE_KEY]
                if store.path is None:
                    runner = InProcess(store, config.sparql_timeout)
                else:
                    runner = WorkerPool(store, config.sparql_workers, config.sparql_timeout)
                extensions[RUNNER_KEY] = runner
    return runner


def _choose(formats: tuple[_Format, ...]) -> _Format | None:
    """The response format: the ``format`` parameter, else the best match for ``Accept``; ``None`` if none fits."""
    candidates = (*formats, _PAGE)  # the page last: ``text/*`` should mean a data format
    by_name = {f.name: f for f in candidates}
    asked = request.values.get("format")
    if asked:
        asked = _ALIASES.get(asked, asked)
        return by_name.get(asked) or next((f for f in candidates if f.media_type == asked), None)
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return formats[0]
    offered = [f.media_type for f in candidates] + [m for m, n in _ALIASES.items() if n in by_name]
    best = accept.best_match(offered)
    if best is None:
        return None
    return by_name.get(_ALIASES.get(best, "")) or next(f for f in candidates if f.media_type == best)


def _not_acceptable() -> str:
    asked = request.values.get("format")
    if asked:
        return f"无法提供格式 / cannot produce format {asked!r} for this query"
    return f"无法满足 Accept / cannot satisfy Accept: {', '.join(request.accept_mimetypes.values())}"


def _describe_service() -> Response:
    """With no query: the query page for browsers (or ``?example=``), else a SPARQL service description."""
    slug = request.args.get("example")
    if slug is not None:
        example = BY_SLUG.get(slug)
        if example is None:
            return _page_response(404, query=LEVELS_BY_SHARING.query, error=f"没有这个示例 / no example {slug!r}")
        return _answer_example(example)
    accept = request.accept_mimetypes
    wants_page = accept.best_match(["text/turtle", "text/html"]) == "text/html" and accept.best != "*/*"
    if wants_page or request.values.get("format") == "html":
        return _page_response(200, query=LEVELS_BY_SHARING.query)
    chosen = _choose(_GRAPH_FORMATS)
    if chosen is None or chosen is _PAGE:
        raise _ProtocolError(406, _not_acceptable())
    body = ox.serialize(_service_description(request.base_url), format=ox.RdfFormat.from_media_type(chosen.media_type))
    return Response(body, mimetype=chosen.media_type, headers={"Vary": "Accept"})


def _answer_example(example: Example) -> Response:
    """A preset: the page with the example in the form and its answer below."""
    try:
        answer = _evaluate(
            example.query,
            None,
            None,
            results_format=_RESULTS_JSON,
            graph_format=_N_TRIPLES,
            max_rows=sparql_page.PAGE_ROWS,
        )
    except _ProtocolError as error:
        return _page_response(error.status, query=example.query, chosen=example, error=error.message)
    return _page_response(200, query=example.query, chosen=example, result=sparql_page.table(answer))


def _page_response(
    status: int,
    *,
    query: str,
    chosen: Example | None = None,
    result: sparql_page.Table | None = None,
    error: str | None = None,
) -> Response:
    body = sparql_page.render(query=query, chosen=chosen, result=result, error=error)
    return Response(body, status=status, mimetype="text/html", headers={"Vary": "Accept"})


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
