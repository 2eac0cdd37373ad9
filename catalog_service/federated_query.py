"""``SERVICE`` to allow-listed peer nodes: each call made here, its answer put into the query as ``VALUES``.

pyoxigraph would make the HTTP request for a ``SERVICE`` pattern itself, to any address, with no time limit we
control. So the endpoint never lets a query with ``SERVICE`` reach it: :func:`inline_services` finds every
``SERVICE [SILENT] <endpoint> { pattern }`` of a query, refuses the query unless each endpoint is one the
administrator allow-listed (``sparql_service_peers``) — before any request is made — then asks each peer for
``SELECT * WHERE { pattern }`` (with the query's ``PREFIX``/``BASE`` declarations) by the SPARQL 1.1 Protocol and
replaces the block with an inline-data block ``VALUES (?vars) { … }`` holding the peer's solutions, unbound
values as ``UNDEF``. Joining with those solutions is what ``SERVICE`` means (SPARQL 1.1 Federated Query, §3),
wherever the block stands: in a group, ``OPTIONAL``, ``UNION``, ``MINUS``, a subquery or ``EXISTS``. The peer is
asked for the whole pattern, without the bindings of the rest of the query.

Calls go through the project's one HTTP client (:class:`harvesters.http.Fetcher`): anonymous (no credentials, not
even from ``~/.netrc``), no redirects followed (a redirect could lead anywhere), no retries, a size cap, and a time
limit of ``sparql_service_timeout`` seconds or what is left of the query's own time limit, whichever is less. At
most ``max_rows`` solutions are taken from a peer; more is an error, as a cut answer would make the join wrong.
``SILENT`` turns a failed call into the single empty solution (``{}``); otherwise the query fails naming the peer.

Blank nodes in a peer's answer cannot be written in ``VALUES``; each becomes a fresh IRI under
``{node}/.well-known/genid/`` (RDF 1.1 skolemisation), the same one wherever the same blank node recurs in that
answer, so they join with each other as blank nodes would and with nothing local.

Finding the blocks. Keywords in pyoxigraph's grammar need no delimiter (``SERVICESILENT<…>{…}`` and
``SERVICE:x {…}`` both call a service), so the query is cut into the tokens that can hide the word — strings,
IRIs, comments, variables, language tags, blank node labels, local parts of prefixed names, each matched by the
grammar's own rules — and every other occurrence of the letters ``SERVICE`` is a candidate. A candidate followed,
as the grammar allows, by ``SILENT``, an endpoint and ``{`` starts a block, which ends at the matching ``}``;
``SERVICE`` nested inside a block goes to the peer, and is the peer's business.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from harvesters.http import Fetcher, FetchError

_RESULTS_JSON = "application/sparql-results+json"
_MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""A peer's answer larger than this is refused whatever its row count: the row cap bounds the useful size."""
_DEFAULT_PORTS = {"http": 80, "https": 443}

# The grammar's terminals (SPARQL 1.1 Query, §19.8), as far as finding SERVICE needs them.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_IRIREF = r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
_VAR = f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_SKIP = r"(?:\s|#[^\n\r]*)*"
"""Whitespace and comments, which may stand between any two tokens."""

_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    rf"|{_IRIREF}"
    r"|#[^\n\r]*"
    rf"|{_VAR}"
    r"|@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"
    rf"|_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
    rf"|(?P<prefix>(?:{_PN_PREFIX})?:)(?:{_PN_LOCAL})?"
    rf"|(?P<word>[{_PN_CHARS}]+)"
    r"|(?P<brace>[{}])"
    r"|\S",
)
"""One token of a query. Only a prefixed name's ``prefix`` or a bare ``word`` can hold the keyword; braces count
nesting; everything else is skipped whole, so that its text cannot look like either."""

_SERVICE = re.compile("service", re.IGNORECASE)
_SERVICE_REST = re.compile(
    rf"{_SKIP}(?P<silent>(?i:SILENT))?+{_SKIP}"
    rf"(?:(?P<iri>{_IRIREF})|(?P<var>{_VAR})|(?P<prefix>{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?)"
    rf"{_SKIP}\{{"
)
"""What follows the keyword in a ``SERVICE`` block, up to its opening brace."""
_DECLARATION = re.compile(
    rf"{_SKIP}(?:(?i:BASE){_SKIP}(?P<base>{_IRIREF})"
    rf"|(?i:PREFIX){_SKIP}(?P<prefix>{_PN_PREFIX})?:{_SKIP}(?P<iri>{_IRIREF}))"
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class ServiceError(Exception):
    """A query whose ``SERVICE`` calls cannot be made or failed: ``status`` and a zh/en ``message`` for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ServicePeers:
    """The allow-list and the limits of ``SERVICE`` calls, from the node's configuration."""

    endpoints: tuple[str, ...]
    """The peers' SPARQL endpoint URLs, as configured (``sparql_service_peers``)."""
    timeout: float
    """Seconds one call may take (``sparql_service_timeout``)."""
    max_rows: int
    """Solutions taken from one peer at most (``sparql_max_rows``)."""

    def endpoint_for(self, iri: str) -> str | None:
        """The configured URL that ``iri`` names (compared after :func:`normalise_endpoint`), or ``None``."""
        wanted = normalise_endpoint(iri)
        if wanted is None:
            return None
        return next((url for url in self.endpoints if normalise_endpoint(url) == wanted), None)


def normalise_endpoint(url: str) -> str | None:
    """``url`` as the allow-list compares it: scheme and host in lower case, no default port, ``/`` for no path.

    ``None`` for anything but an http(s) URL without credentials.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


@dataclass(frozen=True)
class _Call:
    """One ``SERVICE`` block of a query."""

    start: int
    end: int
    endpoint: str
    """The allow-listed URL to call."""
    silent: bool
    pattern: str
    """The block's group graph pattern, braces included."""


def inline_services(query: str, peers: ServicePeers, deadline: float, genid_base: str) -> str:
    """``query`` with each ``SERVICE`` block replaced by the peer's solutions; unchanged if it has none.

    ``deadline`` (``time.monotonic()``) is the query's own; ``genid_base`` starts the IRIs given to blank nodes.
    Raises :class:`ServiceError`: 400 for a query refused before any request, 502 or 504 for a failed call.
    """
    prologue_end, base, prefixes = _prologue(query)
    calls = [_call(query, block, base, prefixes, peers) for block in _blocks(query)]
    if not calls:
        return query
    prologue = query[:prologue_end]
    parts, done = [], 0
    for call in calls:
        inline = _answer(call, prologue, peers, deadline, genid_base)  # one line: the rest keeps its line numbers
        parts += [query[done : call.start], " ", inline, " ", "\n" * query.count("\n", call.start, call.end)]
        done = call.end
    parts.append(query[done:])
    return "".join(parts)


@dataclass(frozen=True)
class _Block:
    start: int
    header: re.Match[str]
    end: int


def _blocks(query: str) -> Iterator[_Block]:
    """The outermost ``SERVICE`` blocks, in order."""
    resume = 0
    for token in _TOKENS.finditer(query):
        name = token["prefix"] or token["word"]
        if name is None or token.start() < resume:
            continue
        for keyword in _SERVICE.finditer(name):
            start = token.start() + keyword.start()
            header = _SERVICE_REST.match(query, start + len("service"))
            if header is not None:
                resume = _closing_brace(query, header.end() - 1)
                yield _Block(start, header, resume)
                break


def _closing_brace(query: str, opening: int) -> int:
    """Where the group opened at ``opening`` ends (just after its ``}``)."""
    depth = 0
    for token in _TOKENS.finditer(query, opening):
        brace = token["brace"]
        if brace is not None:
            depth += 1 if brace == "{" else -1
            if depth == 0:
                return token.end()
    raise ServiceError(400, "SERVICE 的图模式缺少右花括号 / the SERVICE pattern has no closing brace")


def _prologue(query: str) -> tuple[int, str | None, dict[str, str]]:
    """Where the ``BASE``/``PREFIX`` declarations end, the base IRI and the prefixes they declare."""
    end, base, prefixes = 0, None, {}
    while (declaration := _DECLARATION.match(query, end)) is not None:
        if declaration["base"] is not None:
            base = _resolve(_iri_text(declaration["base"]), base)
        else:
            prefixes[declaration["prefix"] or ""] = _resolve(_iri_text(declaration["iri"]), base)
        end = declaration.end()
    return end, base, prefixes


def _call(query: str, block: _Block, base: str | None, prefixes: dict[str, str], peers: ServicePeers) -> _Call:
    """Check one block's endpoint against the allow-list (refusing the query if it is not on it)."""
    header = block.header
    variable = header["var"]
    if variable is not None:
        raise ServiceError(400, f"SERVICE 的地址不能是变量 / SERVICE needs an endpoint IRI, not a variable: {variable}")
    if header["iri"] is not None:
        iri = _resolve(_iri_text(header["iri"]), base)
    else:
        prefix = header["prefix"] or ""
        if prefix not in prefixes:
            raise ServiceError(400, f"SERVICE 使用了未声明的前缀 / SERVICE uses an undeclared prefix: {prefix}:")
        iri = prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", header["local"] or "")
    endpoint = peers.endpoint_for(iri)
    if endpoint is None:
        allowed = ", ".join(f"<{url}>" for url in peers.endpoints) or "无 / none"
        raise ServiceError(
            400,
            f"SERVICE <{iri}> 不是本节点允许的对等节点，未发出请求 / SERVICE <{iri}> is not an allow-listed peer of "
            f"this node; no request was made. 允许的对等节点 / allow-listed peers: {allowed}",
        )
    pattern = query[header.end() - 1 : block.end]
    return _Call(block.start, block.end, endpoint, header["silent"] is not None, pattern)


def _iri_text(iriref: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m[1] or m[2], 16)), iriref[1:-1])


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _answer(call: _Call, prologue: str, peers: ServicePeers, deadline: float, genid_base: str) -> str:
    """The peer's solutions for ``call`` as an inline-data block (``{}`` when a ``SILENT`` call failed)."""
    try:
        return _inline_data(_ask(call, prologue, peers, deadline), call.endpoint, peers.max_rows, genid_base)
    except ServiceError:
        if call.silent:
            return "{}"
        raise


def _ask(call: _Call, prologue: str, peers: ServicePeers, deadline: float) -> ox.QuerySolutions:
    seconds = min(peers.timeout, deadline - time.monotonic())
    if seconds <= 0:
        raise ServiceError(
            504,
            f"查询时限已用尽，未能询问对等节点 {call.endpoint} / the query's time limit ran out before the peer "
            f"{call.endpoint} could be asked",
        )
    query = f"{prologue}\nSELECT * WHERE {call.pattern}\nLIMIT {peers.max_rows + 1}"
    with requests.Session() as session:
        session.auth = _no_credentials
        fetcher = Fetcher(
            connect_timeout=seconds,
            read_timeout=seconds,
            deadline=seconds,
            max_bytes=_MAX_ANSWER_BYTES,
            max_redirects=0,
            retries=0,
            session=session,
        )
        try:
            response = fetcher.post(call.endpoint, data={"query": query}, headers={"Accept": _RESULTS_JSON})
        except FetchError as error:
            if error.kind == "timeout":
                raise _timed_out(call.endpoint, seconds) from None
            raise ServiceError(
                502, f"对等节点 {call.endpoint} 查询失败 / the peer {call.endpoint} failed: {error.message}"
            ) from None
    truncated = {name.lower(): value for name, value in response.headers.items()}.get("x-result-truncated")
    if truncated == "true":
        raise _too_many(call.endpoint, peers.max_rows)
    try:
        results = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as error:
        results = error
    if not isinstance(results, ox.QuerySolutions):
        raise _not_results(call.endpoint, "ASK" if isinstance(results, ox.QueryBoolean) else results)
    return results


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Set as a session's ``auth``, so that ``requests`` adds none of its own (from ``~/.netrc`` or the URL)."""
    return request


def _inline_data(results: ox.QuerySolutions, endpoint: str, max_rows: int, genid_base: str) -> str:
    """``VALUES (?a ?b) { (… …) … }`` on one line: each term as pyoxigraph accepted it while parsing the answer, so
    no value can end its term early; strings are written with their line breaks escaped."""
    skolem: dict[str, str] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
        if value is None:
            return "UNDEF"
        if isinstance(value, ox.BlankNode):
            return skolem.setdefault(value.value, f"<{genid_base}{uuid.uuid4().hex}>")
        if isinstance(value, ox.Triple):
            return f"<<( {term(value.subject)} {term(value.predicate)} {term(value.object)} )>>"
        return str(value)

    try:
        rows = []
        for solution in results:
            if len(rows) == max_rows:
                raise _too_many(endpoint, max_rows)
            rows.append("(" + " ".join(term(value) for value in solution) + ")")
    except (SyntaxError, ValueError, OSError) as error:  # the answer is parsed while it is read
        raise _not_results(endpoint, error) from None
    variables = " ".join(str(variable) for variable in results.variables)
    return f"VALUES ({variables}) {{ {' '.join(rows)} }}"


def _not_results(endpoint: str, detail: object) -> ServiceError:
    first_line = str(detail).splitlines()[0][:200] if str(detail) else ""
    return ServiceError(
        502,
        f"对等节点 {endpoint} 的应答不是有效的 SPARQL 查询结果 / the peer {endpoint} did not answer with valid "
        f"SPARQL results: {first_line}",
    )


def _timed_out(endpoint: str, seconds: float) -> ServiceError:
    limit = f"{seconds:.3g}"
    return ServiceError(
        504, f"对等节点 {endpoint} 未在 {limit} 秒内应答 / the peer {endpoint} did not answer within {limit} s"
    )


def _too_many(endpoint: str, max_rows: int) -> ServiceError:
    return ServiceError(
        502,
        f"对等节点 {endpoint} 的结果超过 {max_rows} 行，请缩小 SERVICE 内的查询 / the peer {endpoint} matched more "
        f"than {max_rows} rows; narrow the SERVICE pattern",
    )
