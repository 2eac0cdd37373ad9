"""The ``sparql`` harvester: the datasets of a SPARQL endpoint, read page by page.

A source's ``url`` is the endpoint's query URL. Two queries do the work, both plain SPARQL text so that an
operator can fit them to how an endpoint models its catalog:

* a SELECT lists one page of dataset IRIs (its first variable), ordered by IRI;
* a CONSTRUCT describes the datasets of that page. The default keeps a dataset's own triples, those of its data
  elements, distributions and publisher, and those of the blank nodes one step below any of these.

Each page's description is cut into records with :func:`harvesters.base.split_records`; a publisher described
on several pages comes back as shared triples each time, which the pipeline merges. The endpoint is asked
through SPARQLWrapper (the SPARQL 1.1 Protocol, by POST) for SPARQL JSON or XML results and for N-Triples or
Turtle, and every answer is parsed with pyoxigraph.

Options (the source's ``options`` table):

``paging``
    ``"offset"`` (default): ``LIMIT``/``OFFSET`` pages, which any endpoint supports. When the endpoint changes
    between two pages, a dataset can be seen twice (it is yielded once) or slip past unseen until the next run.
    ``"subject-range"``: each page asks for IRIs after the last one of the previous page
    (``FILTER(STR(?dataset) > "…")``), so changes between pages never shift the pages, and no endpoint has to
    skip ``OFFSET`` rows. It needs an endpoint that orders IRIs by code point, as SPARQL says; pages out of
    that order stop the harvest with an error rather than lose datasets.
``page_size``
    Datasets per page, 500 by default.
``graph``
    IRI of a named graph to harvest instead of the endpoint's default graph, sent as the protocol's
    ``default-graph-uri`` (it overrides a query's ``FROM``). Without it the endpoint's default graph is read,
    which some stores make the union of all their graphs.
``select_query``, ``construct_query``
    The queries as text, instead of the defaults ``harvesters/queries/datasets.rq`` and
    ``describe-datasets.rq``.
``query_file``
    A table ``{ select = "path.rq", construct = "path.rq" }`` (either key may be left out) naming files that
    hold the queries; a relative path is taken from the working directory.

Queries carry ``{{name}}`` placeholders, which the harvester fills in before each request:

``{{limit}}``
    the page size (SELECT; required);
``{{offset}}``
    how many datasets earlier pages held (SELECT; required for ``offset`` paging, 0 under ``subject-range``);
``{{after}}``
    the last IRI of the previous page as a string literal, ``""`` before the first page (SELECT; required for
    ``subject-range`` paging, ``""`` under ``offset``);
``{{datasets}}``
    the page's dataset IRIs, each written ``<…>`` (CONSTRUCT; required), as in ``VALUES ?dataset { … }``.

Nothing but these values is ever put into a query: the IRIs are those pyoxigraph accepted while parsing the
endpoint's results, and its IRI check rejects every character that could end an IRI or a string literal
early. Substitutions never span lines, so the line numbers in an endpoint's syntax error are those of the
configured query.

Failures of the endpoint (HTTP errors, a syntax error it reports, timeouts, oversized or malformed answers) end
the harvest with :class:`HarvestError`. The run's :class:`~harvesters.http.Fetcher` sets the limits, as for
every other harvester: its read timeout, overall deadline, size cap, headers and retries of transient failures.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import urlopen

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper

from catalog_service.rdfio import InputError, parse_bytes
from harvesters.base import HarvestedRecord, Harvester, HarvestError, HarvestItem, RecordFailure, split_records
from harvesters.http import TRANSIENT_STATUS, USER_AGENT, Fetcher
from harvesters.registry import register

QUERY_FOLDER = Path(__file__).with_name("queries")
PAGING_MODES = ("offset", "subject-range")
DEFAULT_PAGE_SIZE = 500

_SELECT_PLACEHOLDERS = frozenset({"limit", "offset", "after"})
_REQUIRED_SELECT_PLACEHOLDERS = {"offset": ("limit", "offset"), "subject-range": ("limit", "after")}
_CONSTRUCT_PLACEHOLDERS = frozenset({"datasets"})
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9"
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
}
_ERROR_TEXT_BYTES = 4096
"""How much of an error answer is read for the message: enough for a syntax error, never a whole page."""


@dataclass(frozen=True)
class QueryTemplate:
    """A query with ``{{name}}`` placeholders; ``origin`` says where it came from, for error messages."""

    text: str
    origin: str

    def check(self, allowed: frozenset[str], required: tuple[str, ...]) -> None:
        """Refuse a query lacking a placeholder the paging needs, or carrying one nobody fills in (a typo)."""
        present = set(_PLACEHOLDER.findall(self.text))
        unknown = sorted(present - allowed)
        if unknown:
            names = ", ".join("{{" + n + "}}" for n in unknown)
            raise HarvestError(f"查询含未知占位符 / the {self.origin} has unknown placeholders: {names}")
        missing = [n for n in required if n not in present]
        if missing:
            names = ", ".join("{{" + n + "}}" for n in missing)
            raise HarvestError(f"查询缺少占位符 / the {self.origin} lacks the placeholders {names}")

    def fill(self, **values: str) -> str:
        """The query to send, each placeholder replaced by its value (all values are given, used or not)."""
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.text)


@register
class SparqlHarvester(Harvester):
    """Pages through an endpoint's dataset IRIs and describes each page with one CONSTRUCT."""

    type = "sparql"

    def harvest(self) -> Iterator[HarvestItem]:
        paging = self.option("paging", "offset")
        if paging not in PAGING_MODES:
            raise HarvestError(f"未知分页方式 / unknown paging {paging!r} (known: {', '.join(PAGING_MODES)})")
        page_size = self.option("page_size", DEFAULT_PAGE_SIZE)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise HarvestError(f"page_size 须为正整数 / page_size must be a positive integer, not {page_size!r}")
        select = self._query("select", "datasets.rq", _SELECT_PLACEHOLDERS, _REQUIRED_SELECT_PLACEHOLDERS[paging])
        construct = self._query("construct", "describe-datasets.rq", _CONSTRUCT_PLACEHOLDERS, ("datasets",))
        endpoint = _Endpoint(self.source.url, self.fetcher, self._graph())
        pages = _offset_pages if paging == "offset" else _subject_range_pages
        seen: set[ox.NamedNode] = set()
        for page in pages(endpoint, select, page_size):
            fresh = [dataset for dataset in page if dataset not in seen]  # offset pages shift when data changes
            seen.update(fresh)
            if fresh:
                yield from _describe(endpoint, construct, fresh)

    def _query(self, kind: str, default_file: str, allowed: frozenset[str], required: tuple[str, ...]) -> QueryTemplate:
        """The ``select`` or ``construct`` query: from its text option, from ``query_file``, or the default."""
        text_option = f"{kind}_query"
        text = self.option(text_option)
        files = self.option("query_file", {})
        if (
            not isinstance(files, dict)
            or not set(files) <= {"select", "construct"}
            or not all(isinstance(f, str) for f in files.values())
        ):
            raise HarvestError(
                "query_file 须为含 select/construct 路径的表 / query_file must be a table of "
                f"select and construct paths, not {files!r}"
            )
        path = files.get(kind)
        if text is not None and path is not None:
            raise HarvestError(f"{text_option} 与 query_file.{kind} 只能选一 / give {text_option} or query_file.{kind}")
        if text is not None:
            if not isinstance(text, str):
                raise HarvestError(f"{text_option} 须为文本 / {text_option} must be a string")
            template = QueryTemplate(text, f"{kind} query (option {text_option})")
        elif path is not None:
            template = QueryTemplate(_read_query_file(Path(path)), f"{kind} query ({path})")
        else:
            default = QUERY_FOLDER / default_file
            template = QueryTemplate(
                default.read_text(encoding="utf-8"), f"{kind} query (harvesters/queries/{default_file})"
            )
        template.check(allowed, required)
        return template

    def _graph(self) -> str | None:
        graph = self.option("graph")
        if graph is None:
            return None
        try:
            return ox.NamedNode(graph).value
        except (TypeError, ValueError) as error:
            raise HarvestError(f"graph 须为绝对 IRI / graph must be an absolute IRI, not {graph!r}: {error}") from None


def _offset_pages(endpoint: _Endpoint, select: QueryTemplate, page_size: int) -> Iterator[list[ox.NamedNode]]:
    """``LIMIT``/``OFFSET`` pages, until one comes back empty (a short page may only be the endpoint's own cap)."""
    offset = 0
    previous: list[ox.NamedNode] = []
    while True:
        query = select.fill(limit=str(page_size), offset=str(offset), after=_string_literal(""))
        page = endpoint.select(query, select.origin)
        if not page:
            return
        if page == previous:
            raise HarvestError(
                "端点两次返回同一页，似乎忽略了 OFFSET / the endpoint returned the same page twice: it seems to ignore "
                'OFFSET in the select query; try paging = "subject-range"'
            )
        yield page
        offset += len(page)
        previous = page


def _subject_range_pages(endpoint: _Endpoint, select: QueryTemplate, page_size: int) -> Iterator[list[ox.NamedNode]]:
    """Pages of IRIs after the last one seen, until one comes back empty.

    A page must be in strictly increasing code-point order and start after the previous one: otherwise the
    endpoint orders differently from the ``STR(?dataset) > after`` filter and paging on would skip datasets.
    """
    after = ""
    while True:
        page = endpoint.select(
            select.fill(limit=str(page_size), offset="0", after=_string_literal(after)), select.origin
        )
        if not page:
            return
        iris = [dataset.value for dataset in page]
        if iris[0] <= after or any(a >= b for a, b in itertools.pairwise(iris)):
            raise HarvestError(
                "端点未按 IRI 码位顺序返回 / the select query's results are not in strictly increasing code-point "
                f'order of IRIs after {after!r} (ORDER BY and DISTINCT needed); paging = "subject-range" would '
                'skip datasets on this endpoint, try "offset"'
            )
        yield page
        after = iris[-1]


def _describe(endpoint: _Endpoint, construct: QueryTemplate, datasets: list[ox.NamedNode]) -> Iterator[HarvestItem]:
    """Records of one page's datasets; a dataset the CONSTRUCT left out is reported, not silently dropped.

    A record for a dataset outside the page (a custom CONSTRUCT may reach further) is left for its own page.
    """
    triples = endpoint.construct(construct.fill(datasets=" ".join(str(d) for d in datasets)), construct.origin)
    undescribed = {dataset.value for dataset in datasets}
    for item in split_records(triples):
        if isinstance(item, HarvestedRecord):
            if item.iri not in undescribed:
                continue
            undescribed.discard(item.iri)
        yield item
    for dataset in datasets:
        if dataset.value in undescribed:
            yield RecordFailure(
                dataset.value,
                "描述查询未返回该数据集（rdf:type dcat:Dataset），可能已在两次查询间删除",
                "the construct query returned no description of this dataset (with rdf:type dcat:Dataset); "
                "it may have been deleted between the two queries",
            )


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that hands HTTP errors back as they come, with a timeout in fractions of a second.

    SPARQLWrapper's own ``_query`` reads an error answer whole, however big, and folds it into its exception's
    text as a bytes repr, and ``setTimeout`` truncates to whole seconds. The harvester needs the status and the
    server's own message (a query's syntax error) read under a size cap. Building the request (protocol
    parameters, method, headers) stays SPARQLWrapper's.
    """

    def _query(self) -> tuple[HTTPResponse, str]:
        return urlopen(self._createRequest(), timeout=self.timeout), self.returnFormat


class _Transient(Exception):
    """A failure worth retrying (connection, timeout, 429/502/503/504), as :mod:`harvesters.http` retries."""


class _Endpoint:
    """One SPARQL endpoint, asked through SPARQLWrapper under the limits of the run's :class:`Fetcher`."""

    def __init__(self, url: str, fetcher: Fetcher, graph: str | None) -> None:
        if urlparse(url).scheme.lower() not in ("http", "https"):
            raise HarvestError(f"SPARQL 端点须为 http(s) URL / the SPARQL endpoint must be an http(s) URL: {url!r}")
        self.url = url
        self.fetcher = fetcher
        self.wrapper = _Wrapper(url, agent=USER_AGENT)
        self.wrapper.setMethod(POST)
        self.wrapper.setOnlyConneg(True)  # no format=/output= parameters: the Accept header says it all
        self.wrapper.timeout = fetcher.read_timeout
        for name, value in fetcher.headers.items():
            self.wrapper.addCustomHttpHeader(name, value)
        if graph is not None:
            self.wrapper.addParameter("default-graph-uri", graph)

    def select(self, query: str, origin: str) -> list[ox.NamedNode]:
        """The IRIs in the first variable of a SELECT's solutions; anything but an IRI there is an error."""
        body, content_type = self._run(query, _ACCEPT_RESULTS, origin)
        results_format = _RESULTS_FORMATS.get(content_type)
        if results_format is None:
            raise self._malformed(origin, f"expected SPARQL JSON or XML results, got {content_type!r}")
        try:
            solutions = ox.parse_query_results(body, format=results_format)
            if not isinstance(solutions, ox.QuerySolutions) or not solutions.variables:
                raise self._malformed(origin, "expected the solutions of a SELECT with at least one variable")
            variable = solutions.variables[0]
            values = [solution[variable] for solution in solutions]
        except SyntaxError as error:
            raise self._malformed(origin, str(error)) from None
        for value in values:
            if not isinstance(value, ox.NamedNode):
                raise HarvestError(
                    f"查询结果首列须为数据集 IRI / the {origin} must bind dataset IRIs to its first variable "
                    f"?{variable.value}, not {value if value is not None else 'nothing'}"
                )
        return values

    def construct(self, query: str, origin: str) -> list[ox.Triple]:
        """The triples a CONSTRUCT returns, each once.

        A CONSTRUCT's answer is a set, but streaming endpoints such as Oxigraph write a template triple once per
        solution that yields it: the dataset's link to a blank node, once per triple of that blank node.
        """
        body, content_type = self._run(query, _ACCEPT_RDF, origin)
        rdf_format = _RDF_FORMATS.get(content_type)
        if rdf_format is None:
            raise self._malformed(origin, f"expected N-Triples or Turtle, got {content_type!r}")
        try:
            return list(dict.fromkeys(parse_bytes(body, rdf_format, source=self.url)))
        except InputError as error:
            raise self._malformed(origin, str(error)) from None

    def _run(self, query: str, accept: str, origin: str) -> tuple[bytes, str]:
        """Send a query, retrying transient failures with backoff; the answer's body and media type."""
        self.wrapper.setQuery(query)
        if not self.wrapper.isSparqlQueryRequest():
            raise HarvestError(f"只能配置查询，不能配置更新 / the {origin} must be a query, not an update")
        self.wrapper.addCustomHttpHeader("Accept", accept)
        delay = self.fetcher.backoff
        for remaining in range(self.fetcher.retries, -1, -1):
            try:
                return self._attempt(origin)
            except _Transient as transient:
                if remaining == 0:
                    raise HarvestError(str(transient)) from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _attempt(self, origin: str) -> tuple[bytes, str]:
        started = time.monotonic()
        try:
            with self.wrapper.query().response as response:
                return self._read(response, started), response.headers.get_content_type()
        except HTTPError as error:
            with error:
                detail = " ".join(error.read(_ERROR_TEXT_BYTES).decode("utf-8", "replace").split())[:500]
            message = (
                f"SPARQL 端点返回错误 / the SPARQL endpoint {self.url} answered the {origin} with "
                f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")
            )
            if error.code in TRANSIENT_STATUS:
                raise _Transient(message) from None
            raise HarvestError(message) from None
        except URLError as error:
            kind = "超时 / timed out" if isinstance(error.reason, TimeoutError) else "无法连接 / cannot connect"
            raise _Transient(f"{kind}: SPARQL endpoint {self.url}: {error.reason}") from None
        except TimeoutError:
            raise _Transient(
                f"超时 / timed out: SPARQL endpoint {self.url} sent nothing for {self.fetcher.read_timeout:g} s"
            ) from None
        except (OSError, HTTPException) as error:
            raise _Transient(f"连接中断 / connection lost: SPARQL endpoint {self.url}: {error!r}") from None

    def _read(self, response: HTTPResponse, started: float) -> bytes:
        """The body, within the size cap and the overall deadline (a read timeout alone lets a drip through)."""
        cap = self.fetcher.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise HarvestError(f"响应过大 / the SPARQL endpoint's answer of {declared} bytes exceeds {cap}")
        chunks, size = [], 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > cap:
                raise HarvestError(f"响应超过上限 / the SPARQL endpoint's answer was cut at the {cap}-byte cap")
            if time.monotonic() - started > self.fetcher.deadline:
                raise HarvestError(
                    f"超过总时限 / the SPARQL endpoint's answer exceeded the {self.fetcher.deadline:g} s deadline"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _malformed(self, origin: str, detail: str) -> HarvestError:
        return HarvestError(f"端点返回的结果无法解析 / malformed answer of {self.url} to the {origin}: {detail}")


def _read_query_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HarvestError(f"无法读取查询文件 / cannot read the query file {path}: {error}") from None


def _string_literal(value: str) -> str:
    """A SPARQL string literal; the values are IRIs pyoxigraph accepted, free of quotes and backslashes."""
    return str(ox.Literal(value))
