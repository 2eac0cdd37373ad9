"""The ``dcat`` and ``node`` harvesters: DCAT catalogs in any common RDF syntax, followed page by page.

A ``dcat`` source is any DCAT endpoint (a CKAN site with ckanext-dcat, piveau, another platform's dump);
a ``node`` source is another gov-catalog installation, read through its ``/catalog.ttl``. Both read the
same way:

* the syntax is taken from the Content-Type, unless the first bytes of the body say otherwise — servers
  send Turtle as ``text/plain``, RDF/XML as ``application/octet-stream`` or with no type at all;
* pages are followed along Hydra links (``hydra:next`` on a ``hydra:PartialCollectionView``, or the older
  ``hydra:nextPage`` on a ``hydra:PagedCollection``), up to ``max_pages`` and never to a page seen before;
  the Hydra triples describe the paging, not the catalog, and are dropped;
* any page that cannot be read fails the whole source, so a half-read catalog never replaces a whole one.

Mapping keeps everything the source said. Records already in the profile (their dataset uses ``gc:``
terms) pass through as they are. Plain DCAT(-AP) datasets gain what can be derived without guessing: the
profile's update-frequency concept beside an EU frequency, and a stable IRI — from the 信息资源代码 in
``dct:identifier`` when there is one, so that 一数一源 finds copies of a resource across platforms
(``owl:sameAs`` keeps the source's own IRI), else a skolem IRI from the source name and the dataset's
content for a blank-node dataset.

With ``since`` a source that can filter answers only what changed; as it does not say which unchanged
entries still exist, the run is *partial*: the pipeline keeps the entries it did not see.

Options: ``max_pages`` (default 10,000); for ``dcat``, ``modified_since_param`` (the query parameter that
asks the source for what changed since the last run); for ``node``, ``path`` (default ``/catalog.ttl``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import quote, urldefrag, urlencode, urljoin, urlsplit

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.rdfio import InputError, parse_bytes, parse_file, rdf_format_for
from catalog_service.resources import resource_dir
from catalog_service.vocabulary import CodeLists
from harvesters.base import (
    HarvestedRecord,
    Harvester,
    HarvestError,
    HarvestItem,
    SharedTriples,
    split_records,
)
from harvesters.http import Response
from harvesters.registry import register

ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, application/n-triples;q=0.8, */*;q=0.1"
DEFAULT_MAX_PAGES = 10_000
DEFAULT_NODE_PATH = "/catalog.ttl"
NODE_SINCE_PARAM = "modified_since"
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

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_DATASET = ox.NamedNode(ns.DCAT + "Dataset")
_IDENTIFIER = ox.NamedNode(ns.DCT + "identifier")
_ACCRUAL = ox.NamedNode(ns.DCT + "accrualPeriodicity")
_SAME_AS = ox.NamedNode(ns.OWL + "sameAs")
_EXACT_MATCH = ox.NamedNode(ns.SKOS + "exactMatch")
_NEXT = frozenset(ox.NamedNode(ns.HYDRA + name) for name in ("next", "nextPage"))

_Subject = ox.NamedNode | ox.BlankNode


@register
class DcatHarvester(Harvester):
    """A DCAT catalog at ``url``, in Turtle, RDF/XML, JSON-LD or N-Triples, paged with Hydra or not."""

    type = "dcat"

    def harvest(self) -> Iterator[HarvestItem]:
        for triples in self._pages():
            yield from map_page(triples, self.source.name)

    def first_page_url(self) -> str:
        """The URL paging starts from: ``url``, asking for changes since the last run when the source can."""
        return self._since_url(self.source.url, self.option("modified_since_param"))

    def _since_url(self, url: str, param: str | None) -> str:
        """``url`` asking for changes since the last run; such a run is partial (unchanged entries are not listed)."""
        self.partial = bool(param and self.since)
        return _with_since(url, param, self.since)

    def _pages(self) -> Iterator[list[ox.Triple]]:
        """The triples of each page without the Hydra paging, checked for loops and the page cap first."""
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
            triples, url = _without_paging(read_page(response, number), response.url)
            if url in seen:
                raise HarvestError(f"分页循环 / paging loops: page {number} ({response.url}) links back to {url}")
            if url is not None and number >= max_pages:
                raise HarvestError(f"超过页数上限 / more than max_pages = {max_pages} pages; next would be {url}")
            yield triples


@register
class NodeHarvester(DcatHarvester):
    """Another gov-catalog node at base URL ``url``: its ``/catalog.ttl``, only what changed since the last run."""

    type = "node"

    def first_page_url(self) -> str:
        path = self.option("path", DEFAULT_NODE_PATH)
        return self._since_url(self.source.url.rstrip("/") + "/" + path.lstrip("/"), NODE_SINCE_PARAM)


def _with_since(url: str, param: str | None, since: datetime | None) -> str:
    """``url`` with ``param=<since, ISO 8601>`` added to its query, or unchanged when either is missing."""
    if not param or since is None:
        return url
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode({param: since.isoformat(timespec="seconds")})


def read_page(response: Response, number: int) -> list[ox.Triple]:
    """Parse one fetched page, with blank nodes of its own (blank node labels are local to a document).

    Raises :class:`HarvestError` naming the page, and the line and column where reading stopped.
    """
    rdf_format = rdf_format_of(response)
    body = response.body.removeprefix(_BOM)
    _require_utf8(body, response, number)
    for _ in range(MAX_SLASH_REPAIRS + 1):
        try:
            triples = parse_bytes(body, rdf_format, source=response.url, base_iri=response.url)
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
    return _with_fresh_blank_nodes(triples)


def _with_fresh_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with new blank nodes: labels are local to a document, so ``_:b0`` on two pages is two nodes."""
    if not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return triples
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def own(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return fresh.setdefault(term, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(own(t.subject), t.predicate, own(t.object)) for t in triples]


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


def _without_paging(triples: list[ox.Triple], page_url: str) -> tuple[list[ox.Triple], str | None]:
    """The page's triples minus the Hydra ones, and the absolute URL of the next page if there is one.

    ckanext-dcat's older serializer gives the next page as a literal, newer ones and piveau as an IRI;
    a relative reference is resolved against the page.
    """
    data: list[ox.Triple] = []
    following: set[str] = set()
    for t in triples:
        if t.predicate in _NEXT and not isinstance(t.object, ox.BlankNode):
            following.add(urldefrag(urljoin(page_url, t.object.value)).url)
        hydra_type = t.predicate == _RDF_TYPE and t.object.value.startswith(ns.HYDRA)
        if not (t.predicate.value.startswith(ns.HYDRA) or hydra_type):
            data.append(t)
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
    """Map one page's triples to records and shared triples (see the module docstring for what changes).

    Renamed datasets are renamed wherever the page mentions them; mentions on other pages reach the new
    IRI through ``owl:sameAs``. A renamed record's ``key`` is the source's own IRI for it.
    """
    triples = list(dict.fromkeys(triples))
    by_subject: dict[_Subject, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    datasets = [s for s, ts in by_subject.items() if any(t.predicate == _RDF_TYPE and t.object == _DATASET for t in ts)]

    names: dict[_Subject, ox.NamedNode] = {}
    for dataset in datasets:
        code = _resource_code(by_subject[dataset])
        if code and not dataset.value.startswith(ns.RESOURCE):
            names[dataset] = ox.NamedNode(ns.resource(code))
        elif isinstance(dataset, ox.BlankNode):
            names[dataset] = ox.NamedNode(f"{SKOLEM}{quote(source_name, safe='')}/{_content_hash(dataset, by_subject)}")
    mapped = (
        [ox.Triple(names.get(t.subject, t.subject), t.predicate, names.get(t.object, t.object)) for t in triples]
        if names
        else list(triples)
    )
    mapped += [ox.Triple(new, _SAME_AS, old) for old, new in names.items() if isinstance(old, ox.NamedNode)]

    frequencies = eu_frequency_concepts()
    plain = {names.get(d, d) for d in datasets if not any(t.predicate.value.startswith(ns.GC) for t in by_subject[d])}
    mapped += [
        ox.Triple(t.subject, _ACCRUAL, ox.NamedNode(frequencies[t.object.value]))
        for t in mapped
        if t.subject in plain
        and t.predicate == _ACCRUAL
        and isinstance(t.object, ox.NamedNode)
        and t.object.value in frequencies
    ]

    items = list(split_records(list(dict.fromkeys(mapped))))
    source_iris = {new.value: old.value for old, new in names.items() if isinstance(old, ox.NamedNode)}
    for item in items:
        if isinstance(item, HarvestedRecord) and item.iri in source_iris:
            item.key = source_iris[item.iri]
    yield from _share_common_blank_nodes(items)


def _resource_code(triples: list[ox.Triple]) -> str | None:
    """The dataset's 信息资源代码, if exactly one of its ``dct:identifier`` values is one."""
    codes = {
        t.object.value
        for t in triples
        if t.predicate == _IDENTIFIER and isinstance(t.object, ox.Literal) and RESOURCE_CODE.fullmatch(t.object.value)
    }
    return codes.pop() if len(codes) == 1 else None


def _content_hash(node: _Subject, by_subject: dict[_Subject, list[ox.Triple]]) -> str:
    """A hash of what is said about ``node``, blank nodes it points to included, independent of their labels.

    Blank node labels change every time a source regenerates its document; the hash must not, or a
    blank-node dataset would get a new IRI on every harvest.
    """
    done: dict[_Subject, str] = {}

    def digest(current: _Subject, path: frozenset[_Subject]) -> str:
        if current not in done:
            lines = sorted(f"{t.predicate} {value(t.object, path)}" for t in by_subject.get(current, ()))
            done[current] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        return done[current]

    def value(term: ox.NamedNode | ox.BlankNode | ox.Literal, path: frozenset[_Subject]) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        return "_:cycle" if term in path else f"[{digest(term, path | {term})}]"

    return digest(node, frozenset({node}))[:32]


def _share_common_blank_nodes(
    items: list[HarvestedRecord | SharedTriples],
) -> list[HarvestedRecord | SharedTriples]:
    """Move blank nodes that one record holds but other items point to (a publisher two datasets name as
    ``_:org``) into the shared triples.

    :func:`split_records` gives such a node to the first record that reaches it; were that record later
    rejected by validation, the others would lose the node's description with it.
    """
    records = [item for item in items if isinstance(item, HarvestedRecord)]
    holder = {t.subject: r for r in records for t in r.triples if isinstance(t.subject, ox.BlankNode)}
    moving = [
        t.object
        for item in items
        for t in item.triples
        if isinstance(t.object, ox.BlankNode) and holder.get(t.object, item) is not item
    ]
    if not moving:
        return items
    by_subject: dict[_Subject, list[ox.Triple]] = {}
    for r in records:
        for t in r.triples:
            by_subject.setdefault(t.subject, []).append(t)
    moved: set[ox.BlankNode] = set()
    while moving:
        node = moving.pop()
        if node not in moved:
            moved.add(node)
            moving += [t.object for t in by_subject.get(node, ()) if isinstance(t.object, ox.BlankNode)]
    shared = [t for item in items if isinstance(item, SharedTriples) for t in item.triples]
    shared += [t for r in records for t in r.triples if t.subject in moved]
    for r in records:
        r.triples = [t for t in r.triples if t.subject not in moved]
    return [SharedTriples(shared), *records]
