"""The ``json`` harvester: a platform's own JSON API, described in the source table instead of in Python.

Municipal data platforms each publish their catalog through a home-grown JSON API: the entries sit somewhere
in the response (``data.records``, ``result.rows``), pages are numbered or offset or chained by a cursor, and
fields carry codes of their own (``"sharetype": "01"``). A source table says where everything is; each entry
becomes one row of template columns (信息资源名称, 共享类型, …, see :mod:`harvesters.spreadsheet`) and is
mapped by :func:`harvesters.spreadsheet.map_entry`, so a JSON entry is read exactly as the same values typed
into the department template would be, with the same code-list lookup and the same errors.

The options are the keys of the source table besides ``name``, ``type``, ``url``, ``level``, ``region`` and
``schedule`` (:attr:`SourceConfig.options <harvesters.base.SourceConfig.options>`). A full source table::

    [[sources]]
    name = "hangzhou-open-data"
    type = "json"
    url = "https://data.hangzhou.gov.cn/api/catalog/list"
    level = "市"
    region = "330100"
    list = "data.records"        # dotted path to the array of entries; "" or absent: the response itself
    key = "resourceId"           # dotted path to an entry's id (record key, reports); absent: "page 2, entry 7"
    params = { status = "published" }            # sent with every request
    headers = { X-Api-Key = "…" }

    [sources.paging]
    mode = "page"                # "page" | "offset" | "cursor" | "none" (default)
    page_param = "pageNo"        # page mode: the page number's parameter (default "page")
    start = 1                    # first page number (page mode, default 1) or first offset (offset mode, default 0)
    size_param = "pageSize"      # parameter of the page size; absent: no size is sent
    size = 50                    # page size sent with size_param (default 100)
    total_path = "data.total"    # optional: where the total number of entries is; stop once that many were read
    max_pages = 500              # optional: read at most this many pages (the rest is then NOT harvested)
    # offset mode: offset_param = "offset" (default); the offset advances by the entries actually received
    # cursor mode: cursor_param = "cursor" (default) and cursor_path = "data.next" (required): the first
    #              request has no cursor, each next one sends the cursor found at cursor_path; null, "" or a
    #              missing cursor ends the list

    [sources.fields]             # template column = dotted path, or a table
    "信息资源名称" = "title"
    "信息资源代码" = "code"
    "信息资源提供方" = "org.name"
    "信息资源提供方代码" = "org.creditCode"
    "信息资源分类" = "category"
    "信息资源摘要" = "summary"
    "信息资源格式" = { path = "formats", join = ";" }           # an array of scalars, joined
    "信息项" = { path = "columns", format = "{name}:{type}", map = { varchar = "C", number = "N", date = "D" } }
    "共享类型" = { path = "sharetype", map = { "01" = "无条件共享", "02" = "有条件共享", "03" = "不予共享" } }
    "共享条件" = "shareCondition"
    "共享方式" = "shareMode"
    "是否向社会开放" = "isOpen"
    "更新周期" = { path = "updateCycle", map = { D = "每日", M = "每月", Y = "每年" } }
    "发布日期" = "publishTime"
    "关联资源代码" = { path = "related", item = "code" }         # an array of objects: one sub-path each
    "行政区划代码" = "regionCode"

A field table takes ``path`` (required) and optionally:

* ``map`` — source value → what to put in the cell (a code or label of the column's code list). It applies to
  every single value the field yields: the value itself, each element of an array, each ``item`` and each
  ``format`` placeholder. A value missing from ``map`` is kept as it is (platforms mix codes and labels), so
  an unknown code ends up as the template reader's "not in the code list" error for that entry.
* ``join`` — separator between the values of an array (default ``;``, which every multi-valued column reads).
* ``item`` — for an array of objects, the sub-path of each object's value.
* ``format`` — for an array of objects (or one object), a text with ``{sub.path}`` placeholders per object,
  e.g. ``"{name}:{type}"`` for 信息项.

With ``item`` or ``format``, scalars in the array are still taken as they are (``["姓名:C"]`` works too).
JSON ``true``/``false`` become 是/否, whole numbers lose any ``.0``, so ``330100`` and ``"330100"`` read alike.

What happens when the JSON does not fit the mapping:

* The list path missing from a response: :class:`HarvestError` naming the path and the page (a platform
  answering ``{"code": 500, "msg": …}`` with HTTP 200 lands here); ``null`` there is an empty page.
* A mapped path missing from an entry, or ``null``: an **empty cell**, as in a template. The template reader
  then decides: an empty 信息资源代码 or 信息资源提供方代码 fails the entry, other empty cells yield no triple
  and the SHACL profile reports missing required elements later, with every other problem of the catalog.
* A path that holds the wrong shape (an object or nested array where a value is expected, an object without
  ``item`` or ``format``), an entry that is not an object, or any row error of the template reader: that
  entry's :class:`RecordFailure`; the other entries still map.
* 发布日期: ``2023-03-15 10:20:30`` and ``2023-03-15T10:20:30Z`` keep their date part as written; a number is
  taken as a Unix timestamp in seconds or, from 10¹¹ on, milliseconds (Java back ends), dated in China time;
  other numbers (``20230315``) are left as they are, for the template reader to refuse as a date.
* A body that is not JSON (an HTML error or login page): :class:`HarvestError` with the URL, the content
  type and the start of the body. The body is decoded with the charset the response declares, else UTF-8,
  else GB18030 (a superset of GBK: some platforms send GBK and declare nothing, or declare UTF-8 wrongly);
  when none decodes it, :class:`HarvestError` names the charsets tried.
* A page identical to the one before (an API ignoring the paging parameter, a cursor that does not move):
  :class:`HarvestError`, instead of looping forever.
* Options that are misspelt, of the wrong type, or name a column the template lacks: :class:`HarvestError`
  before any request, since guessing would quietly harvest the wrong thing.

The helpers here (JSON fetching and decoding, dotted paths, paging, entry → harvest items) are public because
the CKAN harvester, a JSON API with fixed paths, uses them too.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from pyoxigraph import NamedNode, Triple

from catalog_service import namespaces as ns
from harvesters.base import (
    HarvestedRecord,
    Harvester,
    HarvestError,
    HarvestItem,
    RecordFailure,
    SharedTriples,
    split_records,
)
from harvesters.http import Fetcher
from harvesters.registry import register
from harvesters.spreadsheet import COLUMNS, map_entry

RELEASE_DATE = "发布日期"
CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""Dates of Chinese platforms are dates in China; timestamps are turned into dates there."""

MISSING: Any = object()
"""What :func:`resolve` gives for a path that leads nowhere (unlike a JSON ``null`` found there)."""

_DATETIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[T ]\d")
_TIMESTAMPS_FROM, _TIMESTAMPS_UNTIL = 10**9, 10**14
"""Unix timestamps from 2001 on, in seconds or (from :data:`_MILLISECONDS_FROM`) milliseconds."""
_MILLISECONDS_FROM = 10**11
_RDF_TYPE = NamedNode(ns.RDF + "type")
_DATASET = NamedNode(ns.DCAT + "Dataset")


def harvest_error(message_zh: str, message_en: str) -> HarvestError:
    """A :class:`HarvestError` in both languages, the way the project words its messages."""
    return HarvestError(f"{message_zh} / {message_en}")


# Dotted paths and cell texts --------------------------------------------------------------------------------


def resolve(document: Any, path: str) -> Any:
    """The value at a dotted path (``data.records``, ``items.0.name``); ``""`` is the document itself.

    A ``null`` on the way is ``None`` (an absent list is an empty page, an absent value an empty cell);
    a key that is not there, or a step into a scalar, is :data:`MISSING`.
    """
    value = document
    for step in path.split(".") if path else ():
        if value is None:
            return None
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return MISSING
    return value


def scalar_text(value: str | int | float | bool | None) -> str:
    """A JSON scalar as a template cell: booleans as 是/否, whole floats without ``.0``, ``null`` as empty."""
    match value:
        case None:
            return ""
        case bool():
            return "是" if value else "否"
        case float() if value.is_integer():
            return str(int(value))
        case _:
            return str(value).strip()


def date_text(value: str | int | float | bool | None) -> str:
    """A release date as the template reads it (``YYYY-MM-DD``), from the forms platforms use.

    Date-times keep their date part as written; numbers in the range of recent Unix timestamps (seconds or
    milliseconds) are dated in China time. Anything else is left for the template reader to judge.
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and _TIMESTAMPS_FROM <= value < _TIMESTAMPS_UNTIL:
        seconds = value / 1000 if value >= _MILLISECONDS_FROM else value
        return datetime.fromtimestamp(seconds, CHINA_TIME).date().isoformat()
    text = scalar_text(value)
    match = _DATETIME.match(text)
    return match.group(1) if match else text


# Fetching JSON ----------------------------------------------------------------------------------------------


def fetch_json(
    fetcher: Fetcher,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    page: int | None = None,
) -> Any:
    """GET a URL and parse its JSON body; ``page`` (the number of a page of a list) goes into the error messages.

    Raises :class:`HarvestError` for a body that cannot be decoded or is not JSON, and lets
    :class:`harvesters.http.FetchError` through for failed requests.
    """
    response = fetcher.get(url, params=dict(params or {}), headers=dict(headers or {}))
    prefix, prefix_en = page_prefix(page)
    tried = []
    for name in (response.charset, "utf-8", "gb18030"):
        try:
            encoding = codecs.lookup(name).name if name else None
        except LookupError:
            continue  # a charset Python does not know: the next candidate decides
        if encoding is None or encoding in tried:
            continue
        tried.append(encoding)
        try:
            text = response.body.decode(encoding).removeprefix("\ufeff")
            break
        except UnicodeDecodeError:
            continue
    else:
        raise harvest_error(
            f"{prefix}无法以 {'、'.join(tried)} 解码响应（{response.url}）",
            f"{prefix_en}cannot decode the response as {', '.join(tried)} ({response.url})",
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        kind = response.content_type or "no content type"
        start = " ".join(text[:160].split())
        raise harvest_error(
            f"{prefix}响应不是 JSON（{kind}，第 {error.lineno} 行第 {error.colno} 列：{error.msg}）："
            f"{start!r}（{response.url}）",
            f"{prefix_en}the response is not JSON ({kind}, line {error.lineno} column {error.colno}: {error.msg}): "
            f"{start!r} ({response.url})",
        ) from None


# Paging -----------------------------------------------------------------------------------------------------

PAGING_MODES = ("page", "offset", "cursor", "none")
_PAGING_NUMBERS = frozenset({"size", "start", "max_pages"})


@dataclass(frozen=True)
class Paging:
    """How an API splits its list over requests (the ``paging`` table; see the module docstring)."""

    mode: str = "none"
    page_param: str = "page"
    offset_param: str = "offset"
    cursor_param: str = "cursor"
    cursor_path: str = ""
    size_param: str = ""
    size: int = 100
    start: int | None = None
    """First page number (default 1) or first offset (default 0)."""
    total_path: str = ""
    max_pages: int = 0
    """0: no limit; pages end when one is empty, the total is reached or the cursor runs out."""

    @classmethod
    def from_options(cls, table: Mapping[str, Any]) -> Paging:
        """Read and check a ``paging`` table; raises :class:`HarvestError` for unknown keys or wrong types."""
        if not isinstance(table, Mapping):
            raise harvest_error("paging 应为表", "paging must be a table")
        known = [f.name for f in fields(cls)]
        for name, value in table.items():
            if name not in known:
                raise harvest_error(
                    f"paging 中没有“{name}”这一项（可用：{'、'.join(known)}）",
                    f"unknown paging option {name!r} (known: {', '.join(known)})",
                )
            wanted = int if name in _PAGING_NUMBERS else str
            if not isinstance(value, wanted) or isinstance(value, bool):
                kind = "整数" if wanted is int else "字符串"
                raise harvest_error(f"paging.{name} 应为{kind}", f"paging.{name} must be a {wanted.__name__}")
        paging = cls(**table)
        if paging.mode not in PAGING_MODES:
            raise harvest_error(
                f"paging.mode 应为 {'、'.join(PAGING_MODES)} 之一，而不是“{paging.mode}”",
                f"paging.mode must be one of {', '.join(PAGING_MODES)}, not {paging.mode!r}",
            )
        if paging.mode == "cursor" and not paging.cursor_path:
            raise harvest_error("cursor 分页须给出 cursor_path", "cursor paging needs cursor_path")
        if paging.size < 1 or paging.max_pages < 0:
            raise harvest_error(
                "paging.size 须为正数，max_pages 不能为负", "paging.size must be positive, max_pages ≥ 0"
            )
        return paging

    def params(self, number: int, seen: int, cursor: str | None) -> dict[str, Any]:
        """The paging parameters of request ``number`` (from 1), after ``seen`` entries, with the last cursor."""
        sent: dict[str, Any] = {self.size_param: self.size} if self.size_param and self.mode != "none" else {}
        if self.mode == "page":
            sent[self.page_param] = (1 if self.start is None else self.start) + number - 1
        elif self.mode == "offset":
            sent[self.offset_param] = (self.start or 0) + seen
        elif self.mode == "cursor" and cursor is not None:
            sent[self.cursor_param] = cursor
        return sent


def fetch_pages(
    fetcher: Fetcher,
    url: str,
    *,
    list_path: str,
    paging: Paging,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    check: Callable[[Any, int], None] | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(page number, entries)`` for each non-empty page of a paged JSON list.

    ``check(document, page)`` may raise :class:`HarvestError` for a response that reports an error of its
    own (CKAN's ``success: false``) before the list is looked for. Offsets advance by the entries actually
    received, because APIs often cap the page size below the one asked for.
    """
    seen, cursor, previous = 0, None, None
    for number in itertools.count(1):
        if paging.max_pages and number > paging.max_pages:
            return
        document = fetch_json(
            fetcher, url, params={**(params or {}), **paging.params(number, seen, cursor)}, headers=headers, page=number
        )
        if check is not None:
            check(document, number)
        entries = resolve(document, list_path)
        if entries is MISSING or not isinstance(entries, list | None):
            found = "不存在" if entries is MISSING else f"是 {type(entries).__name__} 而不是数组"
            found_en = "is missing" if entries is MISSING else f"holds a {type(entries).__name__}, not an array"
            start = json.dumps(document, ensure_ascii=False)[:160]
            raise harvest_error(
                f"第 {number} 页中列表路径“{list_path}”{found}：{start}",
                f"page {number}: the list path {list_path!r} {found_en}: {start}",
            )
        if not entries:
            return
        if entries == previous:
            raise harvest_error(
                f"第 {number} 页与上一页相同：接口忽略了分页参数，或游标没有前进",
                f"page {number} repeats the page before: the API ignores the paging parameter or the cursor is stuck",
            )
        yield number, entries
        seen += len(entries)
        if paging.mode == "none" or seen >= _total(document, paging.total_path, number):
            return
        if paging.mode == "cursor":
            cursor = _cursor(document, paging.cursor_path, number)
            if not cursor:
                return
        previous = entries


def _total(document: Any, path: str, number: int) -> float:
    """The total number of entries the response announces; infinite when it announces none."""
    total = resolve(document, path) if path else None
    if total is None or total is MISSING:
        return float("inf")
    try:
        return int(total)
    except (TypeError, ValueError):
        raise harvest_error(
            f"第 {number} 页中总数“{path}”不是整数：{total!r}",
            f"page {number}: the total {path!r} is not a number: {total!r}",
        ) from None


def _cursor(document: Any, path: str, number: int) -> str:
    """The next page's cursor; empty when there is none, so the list ends."""
    value = resolve(document, path)
    if value is MISSING:
        return ""
    if isinstance(value, dict | list):
        raise harvest_error(
            f"第 {number} 页中游标“{path}”不是单个值", f"page {number}: the cursor {path!r} is not a single value"
        )
    return scalar_text(value)


def page_prefix(page: int | None) -> tuple[str, str]:
    """What error messages about a page start with, in Chinese and English (nothing without a page)."""
    return (f"第 {page} 页：", f"page {page}: ") if page is not None else ("", "")


# Entries to harvest items -----------------------------------------------------------------------------------


class EntryMapper:
    """Turns entries (template column → cell text) into harvest items, for one run of one source.

    It remembers what the run has yielded: an entry seen twice under the same key (pages shifting while
    they are read) is yielded once, and a different one under a key already seen fails; a second entry with
    the same 信息资源代码 fails as in the template reader; a provider shared by many entries is sent once.
    """

    def __init__(self) -> None:
        self._values_of_key: dict[str, Mapping[str, str]] = {}
        self._key_of_iri: dict[str, str] = {}
        self._shared: set[Triple] = set()

    def items(
        self,
        values: Mapping[str, str],
        *,
        key: str,
        name: str,
        owned: Callable[[NamedNode], list[Triple]] | None = None,
    ) -> Iterator[HarvestItem]:
        """Map one entry; ``key`` is its id in the source, ``name`` what reports call it.

        ``owned(dataset)`` adds triples of nodes the record owns beyond the template's columns (CKAN's
        distributions).
        """
        known = self._values_of_key.setdefault(key, values)
        if known is not values:
            if known != values:
                yield RecordFailure(
                    key,
                    f"数据源中有两个不同的条目都叫 {key}，后一个（“{name}”）未采集",
                    f"the source has two different entries called {key}; the later one ({name!r}) was skipped",
                )
            return
        triples, errors = map_entry(values, row=key)
        if errors:
            yield RecordFailure(
                key,
                f"“{name}”：" + "；".join(f"[{e.column}] {e.value!r}: {e.message_zh}" for e in errors),
                f"{name!r}: " + "; ".join(f"[{e.column}] {e.value!r}: {e.message_en}" for e in errors),
            )
            return
        dataset = next(t.subject for t in triples if t.predicate == _RDF_TYPE and t.object == _DATASET)
        first = self._key_of_iri.setdefault(dataset.value, key)
        if first != key:
            yield RecordFailure(
                key,
                f"“{name}”的信息资源代码与条目 {first} 重复",
                f"{name!r} has the same identifier (信息资源代码) as entry {first}",
            )
            return
        if owned is not None:
            triples = triples + owned(dataset)
        for item in split_records(triples):
            if isinstance(item, SharedTriples):
                fresh = [t for t in item.triples if t not in self._shared]
                self._shared.update(fresh)
                if fresh:
                    yield SharedTriples(fresh)
            else:
                yield HarvestedRecord(item.iri, item.triples, key)


# The harvester ----------------------------------------------------------------------------------------------


class EntryError(Exception):
    """An entry whose JSON does not have the shape its mapping expects: that entry's :class:`RecordFailure`."""

    def __init__(self, column: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.column = column
        self.message_zh = message_zh
        self.message_en = message_en


_FIELD_KEYS = frozenset({"path", "map", "join", "item", "format"})


@dataclass(frozen=True)
class _Field:
    """How one template column is read from an entry (a ``fields`` item)."""

    column: str
    path: str
    map: dict[str, str] = field(default_factory=dict)
    join: str = ";"
    item: str = ""
    format: tuple[tuple[str, str | None], ...] = ()
    """The ``format`` text split into (literal text, placeholder path or ``None``) pieces."""

    @classmethod
    def parse(cls, column: str, spec: Any) -> _Field:
        """Read a ``fields`` item; raises :class:`HarvestError` when it cannot be what the docstring says."""
        if column not in COLUMNS:
            raise harvest_error(
                f"fields 中的“{column}”不是模板列（可用：{'、'.join(COLUMNS)}）",
                f"fields names {column!r}, which is not a template column (known: {', '.join(COLUMNS)})",
            )
        if isinstance(spec, str):
            return cls(column, spec)
        valid = (
            isinstance(spec, Mapping)
            and set(spec) <= _FIELD_KEYS
            and isinstance(spec.get("path"), str)
            and all(isinstance(spec.get(name, ""), str) for name in ("join", "item", "format"))
            and isinstance(spec.get("map", {}), Mapping)
        )
        if not valid:
            raise harvest_error(
                f"fields.{column} 应为路径字符串或含 path（及 map、join、item、format）的表",
                f"fields.{column} must be a path or a table with path (and map, join, item, format)",
            )
        try:
            pieces = tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(spec.get("format", "")))
        except ValueError as error:
            raise harvest_error(f"fields.{column}.format 有误：{error}", f"fields.{column}.format: {error}") from None
        if any(name == "" for _, name in pieces):
            raise harvest_error(
                f"fields.{column}.format 的占位符须写出路径，如 {{name}}",
                f"fields.{column}.format placeholders must name a path, such as {{name}}",
            )
        mapping = {str(k): scalar_text(v) for k, v in spec.get("map", {}).items()}
        return cls(column, spec["path"], mapping, spec.get("join", ";"), spec.get("item", ""), pieces)

    def text(self, entry: Any) -> str:
        """The cell for this column; raises :class:`EntryError` for values of the wrong shape."""
        value = resolve(entry, self.path)
        values = value if isinstance(value, list) else [value]
        return self.join.join(text for text in map(self._one, values) if text)

    def _one(self, value: Any) -> str:
        if isinstance(value, dict):
            if self.format:
                return "".join(literal + (self._value(value, name) if name else "") for literal, name in self.format)
            if self.item:
                return self._value(value, self.item)
        return self._value(value, "")

    def _value(self, value: Any, path: str) -> str:
        value = resolve(value, path)
        if value is MISSING or value is None:
            return ""
        if isinstance(value, dict | list):
            full_path = ".".join(filter(None, (self.path, path)))
            kind_zh, kind = ("对象", "object") if isinstance(value, dict) else ("数组", "array")
            raise EntryError(
                self.column,
                f"“{full_path}”是{kind_zh}，不是单个值（可用 item 或 format 取值）",
                f"{full_path!r} holds an {kind}, not a value (use item or format)",
            )
        text = date_text(value) if self.column == RELEASE_DATE else scalar_text(value)
        return self.map.get(text, text)


@register
class JsonApiHarvester(Harvester):
    """A JSON API read through the ``list``, ``key``, ``paging``, ``fields``, ``params`` and ``headers`` options."""

    type = "json"

    def harvest(self) -> Iterator[HarvestItem]:
        list_path, key_path = self._path_option("list"), self._path_option("key")
        paging = Paging.from_options(self.option("paging", {}))
        params, headers = self._table_option("params"), self._table_option("headers")
        spec = self.option("fields")
        if not isinstance(spec, Mapping) or not spec:
            raise harvest_error("json 数据源须有 fields 表", "a json source needs a fields table")
        columns = [_Field.parse(column, item) for column, item in spec.items()]
        mapper = EntryMapper()
        pages = fetch_pages(
            self.fetcher, self.source.url, list_path=list_path, paging=paging, params=params, headers=headers
        )
        for number, entries in pages:
            for position, entry in enumerate(entries, start=1):
                key = resolve(entry, key_path) if key_path and isinstance(entry, dict) else None
                key = "" if key is MISSING or isinstance(key, dict | list) else scalar_text(key)
                position_key = f"第 {number} 页第 {position} 条 / page {number}, entry {position}"
                yield from self._entry_items(entry, columns, mapper, key or position_key)

    def _entry_items(self, entry: Any, columns: list[_Field], mapper: EntryMapper, key: str) -> Iterator[HarvestItem]:
        if not isinstance(entry, dict):
            yield RecordFailure(key, f"条目不是对象：{entry!r}", f"the entry is not an object: {entry!r}")
            return
        try:
            values = {column.column: column.text(entry) for column in columns}
        except EntryError as error:
            yield RecordFailure(key, f"[{error.column}] {error.message_zh}", f"[{error.column}] {error.message_en}")
            return
        yield from mapper.items(values, key=key, name=values.get("信息资源名称") or key)

    def _path_option(self, name: str) -> str:
        value = self.option(name, "")
        if not isinstance(value, str):
            raise harvest_error(f"{name} 应为点分路径字符串", f"{name} must be a dotted path string")
        return value

    def _table_option(self, name: str) -> dict[str, str]:
        table = self.option(name, {})
        if not isinstance(table, Mapping) or any(isinstance(v, dict | list) for v in table.values()):
            raise harvest_error(f"{name} 应为“名称 = 值”的表", f"{name} must be a table of name = value")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in table.items()}
