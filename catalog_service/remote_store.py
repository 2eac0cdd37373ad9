"""A remote SPARQL 1.1 store as the catalog's engine: what :class:`~catalog_service.store.CatalogStore` calls of
``pyoxigraph.Store``, done over HTTP.

Why: the embedded store belongs to one process, so one machine serves and harvests. Any SPARQL 1.1 server
(Oxigraph server, Apache Jena Fuseki, Virtuoso, GraphDB) can be shared by several web workers, the scheduler
and several machines; ``[store] type = "remote"`` in ``gov-catalog.toml`` selects it (docs/deployment.md).

How each call maps to the standards:

* ``query`` — SPARQL 1.1 Protocol, the query and its dataset (``default-graph-uri``, ``named-graph-uri``) in a
  POSTed form body, since the list of current graphs can be long. The answer is parsed by pyoxigraph as it
  streams in, so callers get pyoxigraph's own ``QuerySolutions``/``QueryBoolean`` (``CONSTRUCT``/``DESCRIBE``
  give a :class:`RemoteTriples`), and a caller that stops reading (the endpoint's row cap) stops the download.
  An empty list of graphs is sent as one graph that never exists: leaving the parameter out would hand the
  dataset to the query's ``FROM`` clauses, which must never widen what a reader sees.
* ``quads_for_pattern`` — a ``SELECT`` of the pattern in ``GRAPH ?g`` (or the graph given), streamed as TSV.
  Named graphs only: the catalog never writes the default graph, and some servers (GraphDB) make their default
  graph the union of all graphs, which would list every quad twice.
* ``update`` — SPARQL 1.1 Update. One request is one transaction on the server (Oxigraph and Fuseki run each
  update request atomically; a store that does not cannot serve here), which the registry switch relies on.
* ``extend``/``bulk_extend`` — Graph Store Protocol ``POST`` of N-Triples, one request per graph. Not atomic
  across graphs, and needn't be: :class:`~catalog_service.store.SourceWriter` uploads into a version no
  reader's dataset names, and a failed upload leaves that version unswitched.
* ``add_graph``/``remove_graph``/``named_graphs`` — ``CREATE``/``DROP SILENT GRAPH``, ``SELECT DISTINCT ?g``.
* ``flush`` — nothing to do: a write is durable on the server once answered.

Errors: a server that cannot be reached, resets the connection, answers 5xx or refuses the credentials raises
:class:`StoreUnavailable` (:class:`StoreTimeout` when it does not answer in time), a ``StoreError`` whose message
says which URL and why in Chinese and English. Nothing is retried or cached, so the next call after the server
comes back simply works. A query or update the server rejects as malformed (HTTP 400) raises ``SyntaxError``,
as pyoxigraph does.

Limits, compared with the embedded store: only named graphs are read and written; blank nodes are the
server's (a pattern cannot name one, and an upload's blank nodes are fresh per request; the harvest pipeline
skolemises them, so catalog data has none); ``substitutions`` rewrite the query text (see :func:`substitute`);
when only ``default_graph`` is given the named graphs are whatever the server then offers (none on Oxigraph),
not all of them.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox
import requests
import urllib3
from requests.adapters import HTTPAdapter

from catalog_service import namespaces as ns
from catalog_service.config import StoreConfig
from catalog_service.store import StoreError, StoreTimeout, StoreUnavailable

_NO_GRAPH = ns.GRAPH + "none"
"""A graph IRI that names nothing: stands for an empty list of graphs in a protocol request."""

_CONNECT_SECONDS = 10.0
"""A connection that takes longer than this (or ``[store] timeout``, if shorter) counts as unreachable."""

_POOL_SIZE = 16
"""Connections kept open to the server: one per concurrent request (web threads, harvest workers)."""

_QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
"""SELECT/ASK answers as JSON (every SPARQL server has it), graphs as N-Triples, else Turtle."""

_PATTERN_ACCEPT = "text/tab-separated-values, application/sparql-results+json;q=0.5"
"""For pattern lookups, always SELECTs: TSV is the most compact and the fastest to parse."""

_ERROR_DETAIL = 500
"""Characters of a server's error message repeated in ours."""


class RemoteTriples:
    """A ``CONSTRUCT`` or ``DESCRIBE`` answer of the remote store, used like ``pyoxigraph.QueryTriples``."""

    def __init__(self, triples: Iterator[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples

    def serialize(self, output: IO[bytes] | None = None, format: ox.RdfFormat | None = None) -> bytes | None:
        """Write the (remaining) triples in ``format`` (default N-Triples) to ``output``, or return them."""
        return ox.serialize(self._triples, output, format or ox.RdfFormat.N_TRIPLES)


class RemoteStore:
    """A SPARQL 1.1 server behind the subset of the ``pyoxigraph.Store`` API the catalog uses; thread-safe."""

    def __init__(self, config: StoreConfig) -> None:
        self._query_url = config.query
        self._update_url = config.update
        self._graph_store_url = config.graph_store
        self._timeout = config.timeout
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=_POOL_SIZE)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        if config.username:  # as UTF-8 (RFC 7617): requests would encode str as Latin-1, failing on 中文
            self._session.auth = (config.username.encode(), config.password.encode())
        elif config.token:
            self._session.headers["Authorization"] = f"Bearer {config.token}"

    def with_timeout(self, seconds: float) -> RemoteStore:
        """This store, waiting at most ``seconds`` for each answer (the SPARQL endpoint's time limit)."""
        bounded = copy.copy(self)
        bounded._timeout = seconds
        return bounded

    # -- reading ----------------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        default_graph: Iterable[ox.NamedNode] | None = None,
        named_graphs: Iterable[ox.NamedNode] | None = None,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | RemoteTriples:
        """Evaluate ``query`` on the server over the given dataset (the server's default dataset if none)."""
        if substitutions:
            query = substitute(query, substitutions)
        form = [("query", query)]
        if default_graph is not None:
            form += [("default-graph-uri", iri) for iri in _graph_iris(default_graph)]
        if named_graphs is not None:
            form += [("named-graph-uri", iri) for iri in _graph_iris(named_graphs)]
        response = self._send(self._query_url, data=form, headers={"Accept": _QUERY_ACCEPT}, stream=True)
        media_type = _media_type(response)
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format is not None:
            return ox.parse_query_results(_Body(response, self._query_url), format=results_format)
        graph_format = ox.RdfFormat.from_media_type(media_type)
        if graph_format is None:
            response.close()
            raise StoreUnavailable(
                f"远程存储返回了无法识别的格式 {media_type!r} / the remote store at {self._query_url} "
                f"answered in an unknown format {media_type!r}"
            )
        quads = ox.parse(_Body(response, self._query_url), format=graph_format)
        return RemoteTriples(quad.triple for quad in quads)

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.Literal | None,
        graph_name: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching the pattern (``None`` matches anything) in the named graphs, read as they arrive."""
        s, p, o = (_pattern_term(t, name) for t, name in ((subject, "?s"), (predicate, "?p"), (obj, "?o")))
        g = "?g" if graph_name is None else str(_named(graph_name))
        text = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"
        response = self._send(self._query_url, data={"query": text}, headers={"Accept": _PATTERN_ACCEPT}, stream=True)
        results_format = ox.QueryResultsFormat.from_media_type(_media_type(response))
        if results_format is None:
            response.close()
            raise StoreUnavailable(
                f"远程存储没有返回查询结果 / the remote store at {self._query_url} did not answer with query results"
            )
        fixed = {"s": subject, "p": predicate, "o": obj, "g": graph_name}
        for row in ox.parse_query_results(_Body(response, self._query_url), format=results_format):
            yield ox.Quad(*(row[name] if term is None else term for name, term in fixed.items()))

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Every named graph the server holds (on Oxigraph also the empty ones made by ``add_graph``)."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return iter([row["g"] for row in rows])

    # -- writing ----------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 Update request: all its operations in one transaction on the server."""
        self._send(self._update_url, data={"update": update}).close()

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, one Graph Store Protocol upload per graph (see the module docstring on atomicity)."""
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
        for quad in quads:
            by_graph.setdefault(quad.graph_name, []).append(quad.triple)
        for graph, triples in by_graph.items():
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            headers = {"Content-Type": "application/n-triples"}
            params = {"graph": _named(graph).value}
            self._send(self._graph_store_url, params=params, data=body, headers=headers).close()

    bulk_extend = extend
    """The server chooses how to load; uploads are already as large as the caller's chunks."""

    def add_graph(self, graph: ox.NamedNode) -> None:
        """Declare an (empty) named graph, for stores that keep empty graphs."""
        self.update(f"CREATE SILENT GRAPH {graph}")

    def remove_graph(self, graph: ox.NamedNode) -> None:
        """Drop a named graph and its triples."""
        self.update(f"DROP SILENT GRAPH {graph}")

    def flush(self) -> None:
        """Nothing to do: the server made each write durable before answering it."""

    # -- HTTP -------------------------------------------------------------------------------------

    def _send(self, url: str, *, stream: bool = False, **kwargs) -> requests.Response:
        """POST to ``url``; failures become the errors the module docstring lists."""
        timeout = (min(_CONNECT_SECONDS, self._timeout), self._timeout)
        try:
            response = self._session.post(url, timeout=timeout, stream=stream, **kwargs)
        except requests.Timeout:
            raise StoreTimeout(
                f"远程存储 {url} 在 {self._timeout:g} 秒内没有应答 / "
                f"the remote store at {url} did not answer within {self._timeout:g} s"
            ) from None
        except requests.RequestException as error:
            raise StoreUnavailable(
                f"无法连接远程存储 {url} / cannot reach the remote store at {url}: {_reason(error)}"
            ) from None
        if response.status_code < 400:
            return response
        detail = response.text[:_ERROR_DETAIL].strip()
        response.close()
        if response.status_code == 400 and url in (self._query_url, self._update_url):
            raise SyntaxError(detail)
        if response.status_code in (401, 403):
            raise StoreUnavailable(
                f"远程存储 {url} 拒绝访问（HTTP {response.status_code}），请检查 [store] 的凭据 / the remote store "
                f"at {url} refused access (HTTP {response.status_code}): check the [store] credentials"
            )
        raise StoreUnavailable(
            f"远程存储 {url} 出错（HTTP {response.status_code}）/ the remote store at {url} failed "
            f"(HTTP {response.status_code}): {detail}"
        )


class _Body(io.RawIOBase):
    """A streamed answer for pyoxigraph's parsers, which read it lazily.

    Network failures while reading become :class:`StoreUnavailable` (pyoxigraph passes them through), so a
    server dying mid-answer is never a silently short result. Closing releases the connection; that also
    happens when the parser holding this body is dropped, e.g. after the endpoint's row cap stopped reading.
    """

    def __init__(self, response: requests.Response, url: str) -> None:
        super().__init__()
        self._response = response
        self._url = url

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self._response.raw.read(len(buffer), decode_content=True)
        except urllib3.exceptions.ReadTimeoutError:
            self.close()
            raise StoreTimeout(
                f"远程存储 {self._url} 停止了应答 / the remote store at {self._url} stopped answering"
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as error:
            self.close()
            raise StoreUnavailable(
                f"远程存储 {self._url} 的应答中断 / the answer of the remote store at {self._url} broke off: "
                f"{_reason(error)}"
            ) from None
        buffer[: len(data)] = data
        if not data:
            self.close()
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _reason(error: Exception) -> str:
    """What went wrong, without the wrappers: urllib3's retry error keeps the cause in ``reason``."""
    cause = getattr(error.args[0], "reason", None) if error.args else None
    return str(cause or error)


def _graph_iris(graphs: Iterable[ox.NamedNode]) -> list[str]:
    return [_named(graph).value for graph in graphs] or [_NO_GRAPH]


def _named(graph: ox.NamedNode) -> ox.NamedNode:
    """The graph, checked: the catalog keeps everything in named graphs, and the remote engine only those."""
    if not isinstance(graph, ox.NamedNode):
        raise StoreError(f"远程存储只使用命名图 / a remote store uses named graphs only, not {graph}")
    return graph


def _pattern_term(term: ox.NamedNode | ox.Literal | None, variable: str) -> str:
    """The SPARQL text for one position of a pattern: the variable when open, else the term itself."""
    if term is None:
        return variable
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)  # N-Triples syntax, which is SPARQL syntax; pyoxigraph has validated the IRI
    raise StoreError(f"远程存储不能按空白节点查找 / a remote store cannot look up a blank node: {term}")


# -- substitutions ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<variable>[?$][\w\u00B7]+)
  | (?P<word>[A-Za-z_][\w.:%-]*|:[\w.:%-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""SPARQL's lexical units as far as :func:`substitute` needs them: strings, IRIs and comments are skipped whole,
so that a ``{`` or ``?v`` inside them is left alone."""

_NOT_A_GROUP = {"VALUES", "CONSTRUCT"}
"""Keywords whose next ``{`` opens a data block or a template, not a group pattern."""


def substitute(query: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query with the substituted variables bound to their values (SEP-0007, as pyoxigraph applies it).

    A SPARQL server takes no such parameter, so the text is rewritten: the ``WHERE`` clause, and every group
    pattern inside it that mentions a substituted variable, starts with a ``VALUES`` block binding it. Binding
    it in each such group, not only at the top, matters: SPARQL evaluates groups bottom-up, so a nested
    ``{ FILTER (!?filtered) }`` or ``EXISTS { … }`` would otherwise not see the value, while pyoxigraph's
    substitution reaches everywhere. (Writing the value itself in place of the variable reaches everywhere
    too, but a constant inside a nested ``FILTER`` made Oxigraph choose a plan a hundred times slower.)
    Values are written in N-Triples syntax, never as text a caller chose; strings, IRIs and comments of the
    query are left alone. A subquery's own group gets nothing (its ``SELECT`` must come first), its
    ``WHERE`` clause does.
    """
    values = {}
    for variable, term in substitutions.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise StoreError(
                f"远程存储只能代入 IRI 或字面量 / a remote store substitutes IRIs and literals only: {term}"
            )
        values[variable.value] = str(term)
    tokens = [(match.lastgroup, match.group()) for match in _TOKEN.finditer(query)]
    significant = [i for i, (kind, _) in enumerate(tokens) if kind not in ("space", "comment")]
    following = dict(zip(significant, [*significant[1:], None], strict=True))
    groups: dict[int, set[str]] = {}  # opening brace → substituted variables mentioned inside
    open_groups: list[int | None] = []  # None: a data block, a template, or a subquery's own group
    not_a_group = False
    for i, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() in _NOT_A_GROUP:
            not_a_group = True
        elif text == "{":
            after = following.get(i)
            subquery = after is not None and tokens[after][1].upper() == "SELECT"
            open_groups.append(None if not_a_group or subquery else i)
            if open_groups[-1] is not None:
                groups[i] = set(values) if len(groups) == 0 else set()
            not_a_group = False
        elif text == "}" and open_groups:
            open_groups.pop()
        elif kind == "variable" and text[1:] in values:
            for group in open_groups:
                if group is not None:
                    groups[group].add(text[1:])
    out = []
    for i, (_, text) in enumerate(tokens):
        out.append(text)
        if groups.get(i):
            names = sorted(groups[i])
            row = " ".join(values[name] for name in names)
            out.append(f" VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}")
    return "".join(out)
