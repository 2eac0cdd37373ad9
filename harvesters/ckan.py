"""The ``ckan`` harvester: a CKAN portal's packages through the Action API (``/api/3/action/package_search``).

Each package becomes one row of template columns, mapped by :func:`harvesters.spreadsheet.map_entry` like a
department template row, plus its resources as ``dcat:Distribution`` nodes:

=============================  ======================================================================
CKAN                           template column / profile
=============================  ======================================================================
``title``                      信息资源名称
``notes``                      信息资源摘要
``organization.title``         信息资源提供方
``tags`` (display names)       关键词
``metadata_created``           发布日期 (a UTC timestamp, dated in China time)
extras (and top-level keys)    the column the key names: a template column name such as ``共享类型``,
                               or an alias from :data:`DEFAULT_EXTRAS` or the ``extras`` option
``resources``                  ``dcat:distribution`` → ``{dataset}/distribution/{n}`` with ``dct:title``
                               (name), ``dcat:accessURL`` (url) and ``dct:format``: the IANA media type
                               of ``mimetype`` or of a well-known ``format`` (CSV, XLSX, JSON, …),
                               else the format string as written
=============================  ======================================================================

A mapped extra wins over the core field of the same column (a portal that states 信息资源提供方 in an
extra means it). Top-level keys count because ckanext-scheming puts custom fields there instead of in
``extras``. The record key is the package id; a package that cannot be mapped (no 信息资源代码, a value
missing from a code list, …) is a :class:`RecordFailure` naming the package.

Source options::

    [[sources]]
    name = "zj-open-data"
    type = "ckan"
    url = "https://data.zjzwfw.gov.cn"   # the site root (a URL ending in /api/3/action/… is cut back to it)
    rows = 100                           # packages per request (default 100; CKAN may cap it lower)
    fq = "+organization:zjrs"            # extra Solr filter, passed as written (use +field:value clauses)
    extras = { res_code = "信息资源代码", gongxiang = "共享类型" }   # more aliases, over the defaults

Paging uses ``rows``/``start`` sorted by ``id asc``: unlike ``metadata_modified``, the order does not change
when a package is edited during the run; a package seen twice because others were added meanwhile is
mapped once.

Incremental runs (``since`` set; a naive ``since`` is local time) first list the ids of every package the
source has (``fl=id``, same filter), then fetch in full only those with ``metadata_modified:[since TO *]``,
and yield a :class:`KeepRecord` for every other id. The id listing uses ``package_search`` rather than
``package_list`` because ``package_list`` returns names, which change when a package is renamed, while
records are keyed by id; and because only ``package_search`` honours the ``fq`` option, so both steps see
the same set of packages. Listing before fetching means a package created in between is fetched, never
"kept" unseen; one edited in between is fetched in full. (A portal that ignores ``fl`` sends whole
packages: slower, still correct.)

Errors: a response with ``success: false`` or that is not a CKAN response, a non-JSON body (an HTML error
page) → :class:`HarvestError` with CKAN's message or the start of the body. CKAN answers most errors with
HTTP 4xx, which :class:`harvesters.http.Fetcher` reports as a :class:`~harvesters.http.FetchError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote, urljoin

from pyoxigraph import Literal, NamedNode, Triple

from catalog_service import namespaces as ns
from harvesters.base import Harvester, HarvestItem, KeepRecord, RecordFailure
from harvesters.json_api import (
    CHINA_TIME,
    RELEASE_DATE,
    EntryError,
    EntryMapper,
    Paging,
    date_text,
    fetch_pages,
    harvest_error,
    page_prefix,
    resolve,
    scalar_text,
)
from harvesters.registry import register
from harvesters.spreadsheet import COLUMNS

DEFAULT_EXTRAS: dict[str, str] = {
    "identifier": "信息资源代码",
    "resource_code": "信息资源代码",
    "category": "信息资源分类",
    "resource_category": "信息资源分类",
    "provider": "信息资源提供方",
    "credit_code": "信息资源提供方代码",
    "provider_code": "信息资源提供方代码",
    "resource_format": "信息资源格式",
    "data_elements": "信息项",
    "sharing_type": "共享类型",
    "sharing_condition": "共享条件",
    "sharing_method": "共享方式",
    "non_sharing_basis": "不予共享依据",
    "open_to_public": "是否向社会开放",
    "openness": "是否向社会开放",
    "open_condition": "开放条件",
    "update_frequency": "更新周期",
    "frequency": "更新周期",
    "issued": "发布日期",
    "release_date": "发布日期",
    "related_resources": "关联资源代码",
    "region_code": "行政区划代码",
    "division_code": "行政区划代码",
    "purpose": "用途",
    "use_requirement": "使用要求",
    "level": "层级",
    "classified": "涉密属性",
}
"""English extra keys portals commonly use → template column; the ``extras`` option adds to and overrides it."""

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

FORMAT_MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "json": "application/json",
    "geojson": "application/geo+json",
    "jsonld": "application/ld+json",
    "xml": "application/xml",
    "rdf": "application/rdf+xml",
    "ttl": "text/turtle",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "txt": "text/plain",
    "html": "text/html",
}
"""CKAN ``format`` strings (case-insensitive) with a registered media type; others stay literal text."""

_MEDIA_TYPE = re.compile(r"^[a-z]+/[0-9a-z.+-]+$")
_IRI_SAFE = ":/?#[]@!$&'()*+,;=~"
_RDF_TYPE = NamedNode(ns.RDF + "type")
_DISTRIBUTION = NamedNode(ns.DCAT + "Distribution")
_HAS_DISTRIBUTION = NamedNode(ns.DCAT + "distribution")
_TITLE = NamedNode(ns.DCT + "title")
_ACCESS_URL = NamedNode(ns.DCAT + "accessURL")
_FORMAT = NamedNode(ns.DCT + "format")


@dataclass(frozen=True)
class _Settings:
    search_url: str
    paging: Paging
    fq: str
    aliases: dict[str, str]
    """Extra key → template column: :data:`DEFAULT_EXTRAS` and the ``extras`` option."""


@register
class CkanHarvester(Harvester):
    """A CKAN portal read with ``package_search``; options ``rows``, ``fq`` and ``extras``."""

    type = "ckan"

    def harvest(self) -> Iterator[HarvestItem]:
        fq = self._settings.fq
        mapper = EntryMapper()
        if self.since is None:
            for package in self._search(fq):
                yield from self._items(package, mapper)
            return
        existing = dict.fromkeys(str(package["id"]) for package in self._search(fq, fl="id"))
        since = self.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed = set()
        for package in self._search(" ".join(filter(None, (fq, f"+metadata_modified:[{since} TO *]")))):
            changed.add(str(package["id"]))
            yield from self._items(package, mapper)
        for key in existing:
            if key not in changed:
                yield KeepRecord(key)

    @cached_property
    def _settings(self) -> _Settings:
        """The source's options, checked once, on the first use in :meth:`harvest` (before any request)."""
        rows, fq, extras = self.option("rows", 100), self.option("fq", ""), self.option("extras", {})
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
            raise harvest_error("rows 应为正整数", "rows must be a positive integer")
        if not isinstance(fq, str):
            raise harvest_error("fq 应为字符串", "fq must be a string")
        if not isinstance(extras, Mapping) or any(column not in COLUMNS for column in extras.values()):
            raise harvest_error(
                f"extras 应为“扩展字段名 = 模板列名”的表，模板列为：{'、'.join(COLUMNS)}",
                f"extras must be a table of extra key = template column, the columns being: {', '.join(COLUMNS)}",
            )
        site = self.source.url.split("/api/3")[0].rstrip("/")
        return _Settings(
            search_url=f"{site}/api/3/action/package_search",
            paging=Paging(mode="offset", offset_param="start", size_param="rows", size=rows, total_path="result.count"),
            fq=fq,
            aliases={**DEFAULT_EXTRAS, **{str(key): column for key, column in extras.items()}},
        )

    def _search(self, fq: str, fl: str | None = None) -> Iterator[dict[str, Any]]:
        """The packages ``package_search`` finds with the filter, page after page; only ids when ``fl="id"``."""
        params = {"q": "*:*", "sort": "id asc", **({"fq": fq} if fq else {}), **({"fl": fl} if fl else {})}
        pages = fetch_pages(
            self.fetcher,
            self._settings.search_url,
            list_path="result.results",
            paging=self._settings.paging,
            params=params,
            check=_check_response,
        )
        for number, packages in pages:
            for package in packages:
                if not isinstance(package, dict) or not package.get("id"):
                    raise harvest_error(
                        f"第 {number} 页中有不带 id 的结果，不是 CKAN 数据集：{str(package)[:120]}",
                        f"page {number} holds a result without an id, not a CKAN package: {str(package)[:120]}",
                    )
                yield package

    def _items(self, package: dict[str, Any], mapper: EntryMapper) -> Iterator[HarvestItem]:
        key, name = str(package["id"]), str(package.get("name") or package["id"])
        try:
            values = self._values(package)
        except EntryError as error:
            yield RecordFailure(
                key, f"“{name}”：[{error.column}] {error.message_zh}", f"{name!r}: [{error.column}] {error.message_en}"
            )
            return
        yield from mapper.items(values, key=key, name=name, owned=lambda dataset: self._distributions(package, dataset))

    def _values(self, package: dict[str, Any]) -> dict[str, str]:
        """The package as template cells; raises :class:`EntryError` for an extra that is not a text."""
        tags = package.get("tags") or []
        values = {
            "信息资源名称": _text(package.get("title")),
            "信息资源摘要": _text(package.get("notes")),
            "信息资源提供方": _text(resolve(package, "organization.title")),
            "关键词": ";".join(_text(t.get("display_name") or t.get("name")) for t in tags if isinstance(t, dict)),
            RELEASE_DATE: _created_date(package.get("metadata_created")),
        }
        extras = [(k, v) for k, v in package.items() if k != "extras"]
        extras += [(e.get("key"), e.get("value")) for e in package.get("extras") or [] if isinstance(e, dict)]
        for key, value in extras:
            column = key if key in COLUMNS else self._settings.aliases.get(str(key))
            if column is None:
                continue
            items = value if isinstance(value, list) else [value]
            if any(isinstance(item, dict | list) for item in items):
                raise EntryError(column, f"“{key}”不是文本：{value!r:.80}", f"{key!r} is not a text: {value!r:.80}")
            text = date_text if column == RELEASE_DATE else scalar_text
            values[column] = ";".join(filter(None, map(text, items)))
        return values

    def _distributions(self, package: dict[str, Any], dataset: NamedNode) -> list[Triple]:
        """The package's resources as ``{dataset}/distribution/{n}``, n counting from 1 in CKAN's order."""
        resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
        triples = []
        for position, resource in enumerate(resources, start=1):
            node = NamedNode(f"{dataset.value}/distribution/{position}")
            triples += [Triple(dataset, _HAS_DISTRIBUTION, node), Triple(node, _RDF_TYPE, _DISTRIBUTION)]
            name, url = _text(resource.get("name")), _text(resource.get("url"))
            if name:
                triples.append(Triple(node, _TITLE, Literal(name, language="zh")))
            if url:
                triples.append(Triple(node, _ACCESS_URL, self._iri(url)))
            media = _media_type(resource)
            if media is not None:
                triples.append(Triple(node, _FORMAT, media))
        return triples

    def _iri(self, url: str) -> NamedNode:
        """A resource URL as an IRI: relative ones resolved against the portal, stray characters escaped."""
        absolute = urljoin(self._settings.search_url, url)
        try:
            return NamedNode(absolute)
        except ValueError:
            return NamedNode(quote(absolute, safe=_IRI_SAFE))  # every "%" escaped too, so always a valid IRI


def _check_response(document: Any, page: int) -> None:
    """Raise :class:`HarvestError` unless the document is a successful CKAN Action API response."""
    prefix, prefix_en = page_prefix(page)
    if not isinstance(document, dict) or "success" not in document:
        start = str(document)[:160]
        raise harvest_error(f"{prefix}不是 CKAN API 的响应：{start}", f"{prefix_en}not a CKAN API response: {start}")
    if document["success"] is not True:
        error = document.get("error")
        if isinstance(error, dict):
            kind = error.get("__type", "Error")
            details = error.get("message") or "; ".join(f"{k}: {v}" for k, v in error.items() if k != "__type")
            message = f"{kind}: {details}"
        else:
            message = str(error)
        raise harvest_error(f"{prefix}CKAN 报错：{message}", f"{prefix_en}CKAN reports an error: {message}")


def _text(value: Any) -> str:
    return "" if isinstance(value, dict | list) else scalar_text(value)


def _created_date(value: Any) -> str:
    """CKAN's ``metadata_created`` (UTC, without a zone) as the date in China."""
    try:
        created = datetime.fromisoformat(str(value))
    except ValueError:
        return _text(value)  # not a timestamp: the template reader reports it as a date error
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return created.astimezone(CHINA_TIME).date().isoformat()


def _media_type(resource: dict[str, Any]) -> NamedNode | Literal | None:
    """``dct:format`` of a resource: an IANA media type IRI when one is known, else CKAN's format text."""
    written = _text(resource.get("format"))
    for candidate in (_text(resource.get("mimetype")).lower(), written.lower()):
        if _MEDIA_TYPE.match(candidate):
            return NamedNode(IANA_MEDIA_TYPES + candidate)
    known = FORMAT_MEDIA_TYPES.get(written.lower().lstrip("."))
    if known:
        return NamedNode(IANA_MEDIA_TYPES + known)
    return Literal(written) if written else None
