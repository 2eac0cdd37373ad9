"""The ``dcat`` and ``node`` harvesters: DCAT catalogs in any common RDF syntax, followed page by page.

A ``dcat`` source is any DCAT endpoint (a CKAN site with ckanext-dcat, piveau, another platform's dump);
a ``node`` source is another gov-catalog installation, read through its ``/catalog.ttl``. Both read the
same way:

* the syntax is taken from the Content-Type, unless the first bytes of the body say otherwise — servers
  send Turtle as ``text/plain``, RDF/XML as ``application/octet-stream`` or with no type at all;
* pages are followed along Hydra links (``hydra:next`` on a ``hydra:PartialCollectionView``, or the older
  ``hydra:nextPage`` on a ``hydra:PagedCollection``), up to ``max_pages`` and never to a page seen before;
  the Hydra triples describe the paging, not the catalog, and are dropped;
* any page that cannot be read fails the whole source, so a half-read catalog never replaces a whole one;
* a page whose bytes the pipeline remembers from the last run (:attr:`Harvester.known_pages`) is not parsed
  again: the harvester says :class:`~harvesters.base.KeepPage` and follows the link it had then.

Pages are read into N-Triples lines (:mod:`catalog_service.ntriples`), never into a Python object per triple:
mapping and cutting into records work on the text.

Mapping keeps everything the source said. Records already in the profile (their dataset uses ``gc:``
terms) pass through as they are. Plain DCAT(-AP) datasets gain what can be derived without guessing: the
profile's update-frequency concept beside an EU frequency, and a stable IRI — from the 信息资源代码 in
``dct:identifier`` when there is one, so that 一数一源 finds copies of a resource across platforms
(``owl:sameAs`` keeps the source's own IRI), else a skolem IRI from the source name and the dataset's
content for a blank-node dataset.

With ``since`` a source that can filter answers only what changed; as it does not say which unchanged
entries still exist, the run is *partial*: the pipeline keeps the entries it did not see.

Options: ``max_pages`` (default 10,000); for ``dcat``, ``modified_since_param`` (the query parameter that
asks the source for what changed since the last run); for ``node``, ``path`` (default ``/catalog.ttl``), the
filters ``category``, ``provider_level``, ``authored_in`` and ``exclude_source`` (sent to the peer's export,
docs/api.md), ``since_overlap`` (seconds, default 600) and the HTTP limits ``connect_timeout``,
``read_timeout``, ``fetch_deadline``, ``max_bytes`` and ``retries`` (docs/harvesting.md).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urldefrag, urlencode, urljoin, urlsplit

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import ntriples
from catalog_service.rdfio import InputError, parse_file, parse_to_ntriples, rdf_format_for
from catalog_service.resources import resource_dir
from catalog_service.vocabulary import CodeLists
from harvesters.base import (
    Description,
    HarvestedRecord,
    Harvester,
    HarvestError,
    HarvestItem,
    KeepPage,
    Page,
    SharedTriples,
    page_checksum,
    split_lines,
)
from harvesters.http import Fetcher, Response
from harvesters.registry import register

ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, application/n-triples;q=0.8, */*;q=0.1"
DEFAULT_MAX_PAGES = 10_000
DEFAULT_NODE_PATH = "/catalog.ttl"
NODE_SINCE_PARAM = "modified_since"
DEFAULT_SINCE_OVERLAP = 600
"""Seconds a ``node`` source asks for before its last run's start: a change the peer committed while that run
was reading (its records are dated when the peer's run started) or a clock running behind is not missed."""
NODE_FILTERS: dict[str, str | None] = {
    "category": "resource-category",
    "provider_level": "level",
    "authored_in": "region",
    "exclude_source": None,
}
"""Options of a ``node`` source that become the export's filter parameters of the same name, and the code list
their values come from (``region``: GB/T 2260; ``None``: source names, checked by the peer)."""
NODE_FETCH_LIMITS = {
    "connect_timeout": "connect_timeout",
    "read_timeout": "read_timeout",
    "fetch_deadline": "deadline",
    "max_bytes": "max_bytes",
    "retries": "retries",
}
"""Options of a ``node`` source that replace a limit of the harvesters' HTTP client for it (option → setting)."""
SKOLEM = ns.BASE + ".well-known/genid/"
"""Where skolem IRIs of blank-node datasets live (RDF 1.1 §3.5): ``{SKOLEM}{source}/{content hash}``."""
MAX_SLASH_REPAIRS = 1_000
"""How many ``/`` in prefixed names one Turtle page may have repaired; each repair parses the page again."""
RESOURCE_CODE = re.compile(r"[1-3][0-9]{6}/[0-9]{6}")
"""A 信息资源代码, as the profile's ``dct:identifier`` of a resource."""

_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
}
"""Content types that name an RDF syntax; generic ones (``text/plain``, ``application/octet-stream``) do not."""

_BOM = b"\xef\xbb\xbf"
_HTML = re.compile(rb"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
# An element name followed by a space can only be XML: an IRI in Turtle has no spaces before its ``>``.
_XML = re.compile(rb"<(?:\?xml|!--|!doctype|[A-Za-z_][\w.:-]*(?:\s|/>))", re.IGNORECASE)
_JSON = re.compile(rb"\{|\[\s*[{\]]")
_TURTLE = re.compile(rb"@prefix|@base|(?:prefix|base)\s|\[|\(", re.IGNORECASE)
_TURTLE_OR_NTRIPLES = re.compile(rb"<|_:|#")
_WORD_BEFORE = re.compile(r"""[^\s<>"'(),;\[\]{}]*$""")
"""The name a parse error follows directly, such as ``ex:dist`` in ``ex:dist/1``."""

_EXACT_MATCH = ox.NamedNode(ns.SKOS + "exactMatch")
# terms as N-Triples text
_RDF_TYPE = ntriples.iri(ns.RDF + "type")
_IDENTIFIER = ntriples.iri(ns.DCT + "identifier")
_ACCRUAL = ntriples.iri(ns.DCT + "accrualPeriodicity")
_SAME_AS = ntriples.iri(ns.OWL + "sameAs")
_NEXT = frozenset(ntriples.iri(ns.HYDRA + name) for name in ("next", "nextPage"))
_GC_TERM = "<" + ns.GC
_HYDRA_TERM = "<" + ns.HYDRA


@register
class DcatHarvester(Harvester):
    """A DCAT catalog at ``url``, in Turtle, RDF/XML, JSON-LD or N-Triples, paged with Hydra or not."""

    type = "dcat"

    def harvest(self) -> Iterator[HarvestItem]:
        """Each page along the Hydra links, checked for loops and the page cap before its items: a page the
        pipeline remembers (and does not decline) as :class:`KeepPage`, any other as :class:`Page` and its
        records and shared triples, without the Hydra paging."""
        max_pages = self.option("max_pages", DEFAULT_MAX_PAGES)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise HarvestError(f"max_pages 须为正整数 / max_pages must be a positive integer, not {max_pages!r}")
        url: str | None = self.first_page_url()
        seen: set[str] = set()
        number = 0
        while url is not None:
            number += 1
            response = self.fetcher.get(url, headers={"Accept": ACCEPT})
            seen |= {urldefrag(url).url, urldefrag(response.url).url}
            checksum = page_checksum(response)
            known = self.known_pages.get(url)
            if known is not None and known.checksum == checksum:
                _check_paging(known.next_url, seen, number, max_pages, response.url)
                kept = KeepPage(url)
                yield kept
                if not kept.declined:
                    url = known.next_url
                    continue
            lines, following = _without_paging(read_page(response, number), response.url)
            _check_paging(following, seen, number, max_pages, response.url)
            yield Page(url, checksum, following)
            yield from map_lines(lines, self.source.name)
            url = following

    def first_page_url(self) -> str:
        """The URL paging starts from: ``url``, asking for changes since the last run when the source can."""
        return self._since_url(self.source.url, self.option("modified_since_param"))

    def _since_url(self, url: str, param: str | None) -> str:
        """``url`` asking for changes since the last run; such a run is partial (unchanged entries are not listed)."""
        self.partial = bool(param and self.since)
        return _with_since(url, param, self.since)


@register
class NodeHarvester(DcatHarvester):
    """Another gov-catalog node at base URL ``url``: its ``/catalog.ttl``, only what changed since the last run
    (less :data:`DEFAULT_SINCE_OVERLAP`), only the entries the source's filters select (:data:`NODE_FILTERS`),
    fetched within the source's own HTTP limits (:data:`NODE_FETCH_LIMITS`)."""

    type = "node"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetcher = peer_fetcher(self.fetcher, self.source.options)

    def first_page_url(self) -> str:
        path = self.option("path", DEFAULT_NODE_PATH)
        url = self.source.url.rstrip("/") + "/" + path.lstrip("/")
        selection = node_selection(self.source.options)
        if selection:
            url += ("&" if urlsplit(url).query else "?") + urlencode(selection, doseq=True)
        self.partial = self.since is not None
        overlap = _number_option(self.source.options, "since_overlap", DEFAULT_SINCE_OVERLAP)
        since = self.since - timedelta(seconds=overlap) if self.since is not None else None
        return _with_since(url, NODE_SINCE_PARAM, since)


def node_selection(options: dict[str, Any]) -> dict[str, list[str]]:
    """The export's filter parameters a ``node`` source's options ask for, codes in their notation.

    Each option is a string or a list of strings. Categories and levels may be written as the code lists
    allow (``基础``, ``basic``, ``1``; ``国家``, ``1``) and are sent as notations; a value that names nothing
    is a :class:`HarvestError` before any request.
    """
    codes = CodeLists.default()
    selection: dict[str, list[str]] = {}
    for name, scheme in NODE_FILTERS.items():
        values = options.get(name, [])
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise HarvestError(f"{name} 须为字符串或字符串列表 / {name} must be a string or a list of strings")
        for value in values:
            if scheme is None:
                code: str | None = value
            else:
                concept = codes.region(value) if scheme == "region" else codes.concept(scheme, value)
                code = codes.notation(concept) if concept else None
            if code is None:
                raise HarvestError(f"{name}: 未知的代码 / names no code: {value!r}")
            selection.setdefault(name, []).append(code)
    return selection


def peer_fetcher(fetcher: Fetcher, options: dict[str, Any]) -> Fetcher:
    """``fetcher`` with the source's own HTTP limits (:data:`NODE_FETCH_LIMITS`), none beyond its ``time_limit``.

    A peer that stalls or drips must fail its run within the limits set for it, not the harvester defaults.
    """
    limits = {field: _number_option(options, option) for option, field in NODE_FETCH_LIMITS.items()}
    limits = {field: value for field, value in limits.items() if value is not None}
    time_limit = _number_option(options, "time_limit")
    if time_limit is not None:
        for field in ("read_timeout", "deadline"):
            limits[field] = min(limits.get(field, getattr(fetcher, field)), time_limit)
    if "retries" in limits:
        limits["retries"] = int(limits["retries"])
    return dataclasses.replace(fetcher, **limits) if limits else fetcher


def _number_option(options: dict[str, Any], name: str, default: float | None = None) -> float | None:
    value = options.get(name, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
        raise HarvestError(f"{name} 须为非负数 / {name} must be a number of at least 0, not {value!r}")
    return value


def _check_paging(following: str | None, seen: set[str], number: int, max_pages: int, page_url: str) -> None:
    """Refuse a next page seen before (a loop) and one beyond ``max_pages``."""
    if following in seen:
        raise HarvestError(f"分页循环 / paging loops: page {number} ({page_url}) links back to {following}")
    if following is not None and number >= max_pages:
        raise HarvestError(f"超过页数上限 / more than max_pages = {max_pages} pages; next would be {following}")


def _with_since(url: str, param: str | None, since: datetime | None) -> str:
    """``url`` with ``param=<since, ISO 8601>`` added to its query, or unchanged when either is missing."""
    if not param or since is None:
        return url
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode({param: since.isoformat(timespec="seconds")})


def read_page(response: Response, number: int) -> list[str]:
    """Parse one fetched page into N-Triples lines, with blank nodes of its own (labels are local to a document).

    Raises :class:`HarvestError` naming the page, and the line and column where reading stopped.
    """
    rdf_format = rdf_format_of(response)
    body = response.body.removeprefix(_BOM)
    _require_utf8(body, response, number)
    for _ in range(MAX_SLASH_REPAIRS + 1):
        try:
            document = parse_to_ntriples(body, rdf_format, source=response.url, base_iri=response.url)
            break
        except InputError as error:
            slash = _slash_in_prefixed_name(body, error) if rdf_format == ox.RdfFormat.TURTLE else None
            if slash is None:
                raise HarvestError(
                    f"第 {number} 页无法解析 / page {number} cannot be read as {rdf_format.name}: {error}"
                ) from None
            body = body[:slash] + b"\\" + body[slash:]
    else:
        raise HarvestError(f"第 {number} 页错误过多 / page {number} has too many '/' in prefixed names: {response.url}")
    return ntriples.lines_of(document)


def _require_utf8(body: bytes, response: Response, number: int) -> None:
    """Refuse a page in another encoding, saying where: the parsers read UTF-8 only, as the RDF syntaxes say.

    Chinese servers often send GBK; the charset they declare is named to make the cause plain.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        column = len(body[body.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8")) + 1
        declared = f" (the server declared charset={response.charset})" if response.charset else ""
        raise HarvestError(
            f"第 {number} 页不是 UTF-8 编码 / page {number} is not valid UTF-8, which RDF documents must be"
            f"{declared}: {response.url}:{line}:{column}"
        ) from None


def _slash_in_prefixed_name(body: bytes, error: InputError) -> int | None:
    """The byte offset of the ``/`` the Turtle parser stopped at inside a prefixed name, else ``None``.

    ``ex:dist/1`` is not Turtle (the local part needs ``ex:dist\\/1``), yet publishers write it — the
    DCAT-AP 3.0.0 examples themselves do — and what they mean by it is plain. Escaping that one
    slash is the only repair made; any other error fails the page (its column, on a repaired line,
    counts the backslashes added).
    """
    if not error.line or not error.column:
        return None
    lines = body.split(b"\n", error.line)
    if len(lines) < error.line:
        return None
    line = lines[error.line - 1].decode("utf-8")
    before = line[: error.column - 1]
    word = _WORD_BEFORE.search(before)[0]
    if line[error.column - 1 : error.column] != "/" or ":" not in word or word.startswith("_:"):
        return None
    return sum(len(part) + 1 for part in lines[: error.line - 1]) + len(before.encode("utf-8"))


def rdf_format_of(response: Response) -> ox.RdfFormat:
    """The syntax of a page: the declared one when the first bytes agree with it, else what they show.

    Falls back to the URL's extension when there is neither a telling start nor a known Content-Type.
    """
    head = response.body[:4096].removeprefix(_BOM).lstrip()
    if not head:
        raise HarvestError(f"空文档 / empty document: {response.url}")
    if _HTML.match(head):
        raise HarvestError(f"收到 HTML 页面而非 RDF / got an HTML page, not RDF: {response.url}")
    declared = _MEDIA_TYPES.get(response.content_type)
    if _XML.match(head):
        candidates: tuple[ox.RdfFormat, ...] = (ox.RdfFormat.RDF_XML,)
    elif _JSON.match(head):
        candidates = (ox.RdfFormat.JSON_LD,)
    elif _TURTLE.match(head):
        candidates = (ox.RdfFormat.TURTLE,)
    elif _TURTLE_OR_NTRIPLES.match(head):
        candidates = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
    else:
        candidates = ()
    if declared in candidates or (declared is not None and not candidates):
        return declared
    if candidates:
        return candidates[0]
    by_extension = rdf_format_for(urlsplit(response.url).path)
    if by_extension is None:
        raise HarvestError(
            f"无法判断 RDF 语法 / cannot tell the RDF syntax (Content-Type {response.content_type!r}): {response.url}"
        )
    return by_extension


def _without_paging(lines: list[str], page_url: str) -> tuple[list[str], str | None]:
    """The page's lines minus the Hydra ones, and the absolute URL of the next page if there is one.

    ckanext-dcat's older serializer gives the next page as a literal, newer ones and piveau as an IRI;
    a relative reference is resolved against the page.
    """
    data: list[str] = []
    following: set[str] = set()
    for line in lines:
        # only a line naming the Hydra namespace, or with an escape in a literal, can be about paging
        if ns.HYDRA not in line and "\\" not in line:
            data.append(line)
            continue
        _, predicate, obj = ntriples.terms(line)
        if predicate in _NEXT and not ntriples.is_blank(obj):
            following.add(urldefrag(urljoin(page_url, ntriples.value(obj))).url)
        hydra_type = predicate == _RDF_TYPE and ntriples.value(obj).startswith(ns.HYDRA)
        if not (predicate.startswith(_HYDRA_TERM) or hydra_type):
            data.append(line)
    if len(following) > 1:
        raise HarvestError(f"下一页不唯一 / several next pages from {page_url}: {', '.join(sorted(following))}")
    return data, next(iter(following), None)


@functools.cache
def eu_frequency_concepts() -> dict[str, str]:
    """EU frequency IRI → the profile's update-frequency concept, by the ``skos:exactMatch`` in codelists.ttl."""
    ours = set(CodeLists.default().members("update-frequency"))
    return {
        t.object.value: t.subject.value
        for t in parse_file(resource_dir("ontology") / "codelists.ttl")
        if t.predicate == _EXACT_MATCH and t.subject.value in ours and t.object.value.startswith(ns.EU_FREQUENCY)
    }


def map_page(triples: Iterable[ox.Triple], source_name: str) -> Iterator[HarvestedRecord | SharedTriples]:
    """Map one page's triples to records and shared triples (see :func:`map_lines`)."""
    return map_lines(ntriples.statements(triples), source_name)


def map_lines(lines: Iterable[str], source_name: str) -> Iterator[HarvestedRecord | SharedTriples]:
    """Map one page, as N-Triples lines, to records and shared triples (see the module docstring for what changes).

    Renamed datasets are renamed wherever the page mentions them; mentions on other pages reach the new
    IRI through ``owl:sameAs``. A renamed record's ``key`` is the source's own IRI for it.
    """
    lines = list(dict.fromkeys(lines))
    page = Description(lines)
    by_subject, datasets = page.by_subject, page.datasets

    names: dict[str, str] = {}
    for dataset in datasets:
        code = _resource_code(rest[:-2] for p, rest, _ in by_subject[dataset] if p == _IDENTIFIER)
        if code and not ntriples.value(dataset).startswith(ns.RESOURCE):
            names[dataset] = ntriples.iri(ns.resource(code))
        elif ntriples.is_blank(dataset):
            skolem = f"{SKOLEM}{quote(source_name, safe='')}/{_content_hash(dataset, by_subject)}"
            names[dataset] = ntriples.iri(skolem)
    mapped = [_renamed(line, names) for line in lines] if names else lines
    mapped += [f"{new} {_SAME_AS} {old} ." for old, new in names.items() if not ntriples.is_blank(old)]

    frequencies = eu_frequency_concepts()
    profiled = {d for d in datasets if any(p.startswith(_GC_TERM) for p, _, _ in by_subject[d])}
    plain = {names.get(d, d) for d in datasets if d not in profiled}
    added = []
    for line in mapped:
        if _ACCRUAL not in line:
            continue
        subject, predicate, obj = ntriples.terms(line)
        if subject in plain and predicate == _ACCRUAL and obj[0] == "<" and (concept := frequencies.get(obj[1:-1])):
            added.append(f"{subject} {_ACCRUAL} {ntriples.iri(concept)} .")

    items = list(split_lines(dict.fromkeys(mapped + added)) if names or added else page.split())
    source_iris = {ntriples.value(new): ntriples.value(old) for old, new in names.items() if not ntriples.is_blank(old)}
    for item in items:
        if isinstance(item, HarvestedRecord) and item.iri in source_iris:
            item.key = source_iris[item.iri]
    yield from _share_common_blank_nodes(items)


def _renamed(line: str, names: dict[str, str]) -> str:
    subject, predicate, obj = ntriples.terms(line)
    if subject not in names and obj not in names:
        return line
    return f"{names.get(subject, subject)} {predicate} {names.get(obj, obj)} ."


def _resource_code(identifiers: Iterable[str]) -> str | None:
    """The dataset's 信息资源代码, if exactly one of its ``dct:identifier`` values (N-Triples terms) is one."""
    codes = {
        ntriples.value(term)
        for term in identifiers
        if ntriples.is_literal(term) and RESOURCE_CODE.fullmatch(ntriples.value(term))
    }
    return codes.pop() if len(codes) == 1 else None


def _content_hash(node: str, by_subject: dict[str, list[tuple[str, str, str]]]) -> str:
    """A hash of what is said about ``node``, blank nodes it points to included, independent of their labels.

    Blank node labels change every time a source regenerates its document; the hash must not, or a
    blank-node dataset would get a new IRI on every harvest.
    """
    done: dict[str, str] = {}

    def digest(current: str, path: frozenset[str]) -> str:
        if current not in done:
            lines = sorted(f"{p} {value(rest[:-2], path)}" for p, rest, _ in by_subject.get(current, ()))
            done[current] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        return done[current]

    def value(term: str, path: frozenset[str]) -> str:
        if not ntriples.is_blank(term):
            return term
        return "_:cycle" if term in path else f"[{digest(term, path | {term})}]"

    return digest(node, frozenset({node}))[:32]


def _share_common_blank_nodes(
    items: list[HarvestedRecord | SharedTriples],
) -> list[HarvestedRecord | SharedTriples]:
    """Move blank nodes that one record holds but other items point to (a publisher two datasets name as
    ``_:org``) into the shared triples.

    :func:`split_lines` gives such a node to the first record that reaches it; were that record later
    rejected by validation, the others would lose the node's description with it.
    """
    records = [item for item in items if isinstance(item, HarvestedRecord)]
    holder = {ntriples.subject_of(line): r for r in records for line in r.lines if line.startswith("_:")}
    if not holder:
        return items
    moving = [
        obj
        for item in items
        for line in item.lines
        if "_:" in line and ntriples.is_blank(obj := ntriples.terms(line)[2]) and holder.get(obj, item) is not item
    ]
    if not moving:
        return items
    by_subject: dict[str, list[str]] = {}
    for r in records:
        for line in r.lines:
            by_subject.setdefault(ntriples.subject_of(line), []).append(line)
    moved: set[str] = set()
    while moving:
        node = moving.pop()
        if node not in moved:
            moved.add(node)
            moving += [o for line in by_subject.get(node, ()) if ntriples.is_blank(o := ntriples.terms(line)[2])]
    shared = [line for item in items if isinstance(item, SharedTriples) for line in item.lines]
    shared += [line for r in records for line in r.lines if ntriples.subject_of(line) in moved]
    for r in records:
        r.lines = [line for line in r.lines if ntriples.subject_of(line) not in moved]
    return [SharedTriples(lines=shared), *records]
