"""A search request, checked: what ``/api/search`` accepts and the messages for what it refuses.

Every parameter is validated here, before anything reaches the index: unknown parameters, values that are
not in their code list, out-of-range pages are the client's mistakes and get a bilingual message (HTTP 400),
never a server error. Code-list filters accept whatever :class:`~catalog_service.vocabulary.CodeLists`
understands (``3``, ``市``, ``Prefectural``) and are reduced to the notation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

import pyoxigraph as ox

from catalog_service.search.facets import FACET_BY_NAME, FACETS
from catalog_service.vocabulary import CodeLists

MAX_QUERY_LENGTH = 200
MAX_PAGE = 10_000
MAX_SIZE = 100
MAX_VALUE_LENGTH = 2_000
"""No parameter value may be longer (a publisher IRI is the longest legitimate one)."""
SORTS = ("relevance", "modified")
LANGUAGES = ("zh", "en")
_NUMBER = re.compile(r"[0-9]{1,9}")


class SearchParameterError(ValueError):
    """A search parameter the API refuses, with a message in Chinese and English."""

    def __init__(self, parameter: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.parameter = parameter
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class SearchQuery:
    """One search: text, filters (one value per facet, as notations, division codes or publisher IRIs), order
    and page. Build it with :meth:`from_args` from request parameters, or directly in code."""

    q: str = ""
    level: str | None = None
    region: str | None = None
    publisher: str | None = None
    sharing: str | None = None
    openness: str | None = None
    theme: str | None = None
    format: str | None = None
    frequency: str | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    lang: str = "zh"
    public_only: bool = False
    """Search only the entries open to society (the anonymous public); never taken from request parameters."""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchQuery:
        """Check request parameters; raise :class:`SearchParameterError` for the first one that is wrong.

        An empty value counts as absent, as a search form submits empty fields.
        """
        known = [f.name for f in fields(cls) if f.name != "public_only"]
        for name, value in args.items():
            if name not in known:
                raise SearchParameterError(
                    name,
                    f"未知参数 {name!r}（可用：{', '.join(known)}）",
                    f"unknown parameter {name!r} ({', '.join(known)})",
                )
            if len(value) > MAX_VALUE_LENGTH:
                raise SearchParameterError(name, f"参数 {name} 过长", f"parameter {name} is too long")
        values = {name: value.strip() for name, value in args.items() if value.strip()}
        q = values.get("q", "")
        if len(q) > MAX_QUERY_LENGTH:
            raise SearchParameterError(
                "q", f"查询词不能超过 {MAX_QUERY_LENGTH} 个字符", f"q must be at most {MAX_QUERY_LENGTH} characters"
            )
        filters = {f.name: _filter_value(f.name, values[f.name]) for f in FACETS if f.name in values}
        return cls(
            q=q,
            **filters,
            sort=_choice(values, "sort", SORTS),
            page=_number(values, "page", 1, MAX_PAGE, 1),
            size=_number(values, "size", 1, MAX_SIZE, 20),
            lang=_choice(values, "lang", LANGUAGES),
        )

    def filters(self) -> dict[str, str]:
        """The chosen facet values, by facet name."""
        return {f.name: getattr(self, f.name) for f in FACETS if getattr(self, f.name) is not None}


def _filter_value(name: str, value: str) -> str:
    codes = CodeLists.default()
    scheme = FACET_BY_NAME[name].scheme
    if scheme is not None:
        concept = codes.concept(scheme, value)
        if concept is not None:
            return codes.notation(concept) or value
        raise SearchParameterError(name, f"{name} 的取值 {value!r} 不在代码表中", f"{name}: unknown value {value!r}")
    if name == "region":
        division = codes.region(value)
        if division is not None:
            return codes.notation(division) or value
        raise SearchParameterError(name, f"未知的行政区划代码 {value!r}", f"unknown division code {value!r}")
    try:
        return ox.NamedNode(value).value
    except ValueError:
        raise SearchParameterError(name, f"{name} 须为 IRI", f"{name} must be an IRI") from None


def _choice(values: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = values.get(name, allowed[0])
    if value not in allowed:
        raise SearchParameterError(
            name, f"{name} 只能取 {'、'.join(allowed)}", f"{name} must be one of {', '.join(allowed)}"
        )
    return value


def _number(values: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    value = values.get(name)
    if value is None:
        return default
    if not _NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise SearchParameterError(
            name, f"{name} 须为 {low} 到 {high} 之间的整数", f"{name} must be a whole number from {low} to {high}"
        )
    return int(value)
