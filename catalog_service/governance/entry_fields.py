"""The elements of a catalog entry that an edit may change, how their new values are written, and their RDF.

Field names are those of the entry's JSON (``GET /api/datasets/<code>``): ``title``, ``keywords``,
``dataElements`` and the keys of the profile's elements (``sharing-type``, ``open-condition`` …). The
identifier, provider, division, level, classification, release date and 涉密属性 are not editable: they say
which resource this is, who provides it and which catalog is authoritative for it (一数一源).

Values, as in a JSON merge patch (RFC 7396, ``null`` removes every value of a field):

* **text** (``title``, ``description``, ``keywords``, ``sharing-condition``, ``non-sharing-basis``,
  ``open-condition``, ``use-requirement``): a string (taken as Chinese), a list of strings, the API's values
  ``[{"value", "lang"}]``, or an object by language ``{"zh": …, "en": …}`` whose languages replace only their
  own values (``"en": null`` removes the English ones, languages not named are kept; a text without a
  language counts as Chinese, the catalog's language);
* **code-list values** (``format``, ``sharing-type``, ``provision-method``, ``openness``, ``use-purpose``,
  ``update-cycle``): a notation, a Chinese or English label or the concept's IRI, or the API's
  ``{"id": …}``/``{"notation": …}``; a list where the element takes several;
* ``sharing-method``: ``{"category": …, "type": …}`` (a part left out is kept, ``null`` removes it), or the
  list of the two concepts as the API gives them;
* ``related-resources``: 信息资源代码 such as ``1010001/000123`` or resource IRIs (the API's values too);
* ``dataElements``: the rows in order, each ``{"data-element-name": text, "data-type": code}`` (the API's
  rows, ``{"values": {…}}``, too); they replace the data elements, numbered ``{entry}/element/{n}``.

Whether the result is a valid entry (a title, 有条件共享 with its conditions, …) is for the SHACL shapes to say;
this module refuses only what cannot be read: an unknown field, a value of the wrong form, an unknown code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.governance.requests import GovernanceError
from catalog_service.vocabulary import CodeLists
from harvesters.dcat import RESOURCE_CODE

TEXT, CONCEPT, RESOURCE = "text", "concept", "resource"
DATA_ELEMENTS = "dataElements"
SHARING_METHOD = "sharing-method"
ELEMENT_NAME, ELEMENT_TYPE = "data-element-name", "data-type"
"""The columns of a data-element row, as ``dataElements.columns`` of the API names them."""

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_TITLE = ox.NamedNode(ns.DCT + "title")
_DATA_ELEMENT = ox.NamedNode(ns.GC + "dataElement")
_DATA_ELEMENT_CLASS = ox.NamedNode(ns.GC + "DataElement")
_DATA_TYPE = ox.NamedNode(ns.GC + "dataType")
_POSITION = ox.NamedNode(ns.GC + "position")
_XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class InvalidEdit(GovernanceError):
    """An edit that cannot be made as sent: a value that cannot be read, or an entry the shapes reject (422).

    ``violations`` are the SHACL results (:class:`~catalog_service.validation.ValidationResult`) when the
    shapes refused the edited entry, empty when the request itself was malformed.
    """

    status = 422

    def __init__(self, zh: str, en: str, violations: Iterable[Any] = ()) -> None:
        super().__init__(zh, en)
        self.violations = list(violations)


@dataclass(frozen=True)
class Field:
    """One editable element: the property carrying it, and what its values are."""

    key: str
    kind: str
    predicate: ox.NamedNode
    scheme: str | None = None
    """The code list of a :data:`CONCEPT` field."""
    single: bool = False


def _field(key: str, kind: str, iri: str, scheme: str | None = None, single: bool = False) -> Field:
    return Field(key, kind, ox.NamedNode(iri), scheme, single)


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        _field("title", TEXT, ns.DCT + "title"),
        _field("description", TEXT, ns.DCT + "description"),
        _field("keywords", TEXT, ns.DCAT + "keyword"),
        _field("format", CONCEPT, ns.GC + "resourceFormat", "resource-format"),
        _field("sharing-type", CONCEPT, ns.GC + "sharingType", "sharing-type", single=True),
        _field("sharing-condition", TEXT, ns.GC + "sharingCondition"),
        _field("provision-method", CONCEPT, ns.GC + "provisionMethod", "provision-method"),
        _field("non-sharing-basis", TEXT, ns.GC + "nonSharingBasis"),
        _field("openness", CONCEPT, ns.GC + "openness", "openness", single=True),
        _field("open-condition", TEXT, ns.GC + "openCondition"),
        _field("use-purpose", CONCEPT, ns.GC + "usePurpose", "use-purpose"),
        _field("use-requirement", TEXT, ns.GC + "useRequirement"),
        _field("update-cycle", CONCEPT, ns.DCT + "accrualPeriodicity", "update-frequency", single=True),
        _field("related-resources", RESOURCE, ns.DCT + "relation"),
    )
}
"""The editable elements carried by one property of the entry, in the order of the profile."""

METHOD_PARTS: dict[str, Field] = {
    "category": _field(
        "sharing-method", CONCEPT, ns.GC + "sharingMethodCategory", "sharing-method-category", single=True
    ),
    "type": _field("sharing-method", CONCEPT, ns.GC + "sharingMethodType", "sharing-method-type", single=True),
}
"""共享方式 is two properties: its category (共享平台/邮件/介质) and its type (数据库/接口/文件)."""

_ELEMENT_TYPE = _field(DATA_ELEMENTS, CONCEPT, ns.GC + "dataType", "data-type", single=True)

EDITABLE = (*FIELDS, SHARING_METHOD, DATA_ELEMENTS)
"""Every field an edit may name, in the order the profile lists the elements."""


# -- applying an edit -------------------------------------------------------------------------------


def apply_changes(iri: str, body: list[ox.Triple], changes: Mapping[str, Any]) -> list[ox.Triple]:
    """The entry's triples (``body``: it and the nodes it owns) with ``changes`` applied.

    Raises :class:`InvalidEdit` for an unknown field or a value that cannot be read.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        names = ", ".join(unknown)
        raise InvalidEdit(
            f"不能编辑的字段：{names}（可编辑：{', '.join(EDITABLE)}）",
            f"fields that cannot be edited: {names} (editable: {', '.join(EDITABLE)})",
        )
    node = ox.NamedNode(iri)
    current: dict[ox.NamedNode, list[Term]] = {}
    for t in body:
        if t.subject == node:
            current.setdefault(t.predicate, []).append(t.object)
    replaced: dict[ox.NamedNode, list[Term]] = {}
    for key, value in changes.items():
        if key == SHARING_METHOD:
            replaced.update(_sharing_method(value, current))
        elif key != DATA_ELEMENTS:
            field = FIELDS[key]
            replaced[field.predicate] = _values(field, value, current.get(field.predicate, []))
    dropped: set[Term] = set()
    added: list[ox.Triple] = []
    if DATA_ELEMENTS in changes:
        replaced[_DATA_ELEMENT] = []
        dropped = set(current.get(_DATA_ELEMENT, []))
        added = data_element_triples(iri, changes[DATA_ELEMENTS])
    kept = [t for t in body if t.subject not in dropped and not (t.subject == node and t.predicate in replaced)]
    new = [ox.Triple(node, p, o) for p, values in replaced.items() for o in dict.fromkeys(values)]
    return kept + new + added


def data_element_triples(iri: str, rows: Any) -> list[ox.Triple]:
    """The data elements of the entry from the rows given, in their order (``null``: none)."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise InvalidEdit("信息项（dataElements）须为列表", "dataElements must be a list of rows")
    node = ox.NamedNode(iri)
    out = []
    for n, row in enumerate(rows, 1):
        if isinstance(row, dict) and isinstance(row.get("values"), dict):
            row = row["values"]
        if not isinstance(row, dict):
            raise InvalidEdit(f"第 {n} 个信息项须为对象", f"data element {n} must be an object")
        element = ox.NamedNode(f"{iri}/element/{n}")
        out += [
            ox.Triple(node, _DATA_ELEMENT, element),
            ox.Triple(element, _RDF_TYPE, _DATA_ELEMENT_CLASS),
            ox.Triple(element, _POSITION, ox.Literal(str(n), datatype=_XSD_INTEGER)),
        ]
        out += [ox.Triple(element, _TITLE, name) for name in _texts(DATA_ELEMENTS, row.get(ELEMENT_NAME), [])]
        out += [ox.Triple(element, _DATA_TYPE, kind) for kind in _concepts(_ELEMENT_TYPE, row.get(ELEMENT_TYPE))]
    return out


def _values(field: Field, value: Any, current: list[Term]) -> list[Term]:
    if field.kind == TEXT:
        return _texts(field.key, value, current)
    if field.kind == CONCEPT:
        return _concepts(field, value)
    return _resources(value)


def _sharing_method(value: Any, current: dict[ox.NamedNode, list[Term]]) -> dict[ox.NamedNode, list[Term]]:
    parts = METHOD_PARTS.values()
    if value is None:
        return {part.predicate: [] for part in parts}
    if isinstance(value, dict) and not {"id", "notation"} & set(value):
        unknown = sorted(set(value) - set(METHOD_PARTS))
        if unknown:
            raise InvalidEdit(
                f"共享方式只有 category 和 type 两部分，没有 {', '.join(unknown)}",
                f"sharing-method has two parts, category and type, not {', '.join(unknown)}",
            )
        return {METHOD_PARTS[name].predicate: _concepts(METHOD_PARTS[name], v) for name, v in value.items()}
    out: dict[ox.NamedNode, list[Term]] = {part.predicate: [] for part in parts}
    codes = CodeLists.default()
    for item in value if isinstance(value, list) else [value]:
        iri = item.get("id") if isinstance(item, dict) else item
        part = next((p for p in parts if isinstance(iri, str) and iri in codes.members(p.scheme or "")), None)
        if part is None:
            raise InvalidEdit(
                f'共享方式的值 {item!r} 须为共享方式分类或类型的 IRI，或写成 {{"category": …, "type": …}}',
                f"a sharing-method value {item!r} must be the IRI of a sharing method category or type, "
                'or write {"category": …, "type": …}',
            )
        out[part.predicate].append(ox.NamedNode(iri))
    for part in parts:
        if len(out[part.predicate]) > 1:
            raise InvalidEdit("共享方式的分类和类型各只能有一个", "sharing-method takes one category and one type")
    return out


def _texts(key: str, value: Any, current: list[Term]) -> list[Term]:
    if value is None:
        return []
    if isinstance(value, dict) and "value" not in value:
        named = {_language(key, lang) for lang in value}
        out: list[Term] = [t for t in current if isinstance(t, ox.Literal) and (t.language or "zh") not in named]
        for lang, texts in value.items():
            if texts is not None:
                out += [ox.Literal(text, language=_language(key, lang)) for text in _strings(key, texts)]
        return out
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            text, lang = item["value"], item.get("lang") or "zh"
        elif isinstance(item, str):
            text, lang = item, "zh"
        else:
            raise _wrong_form(key, item, "文字", "text")
        if text.strip():
            out.append(ox.Literal(text.strip(), language=_language(key, lang)))
    return out


def _strings(key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise _wrong_form(key, value, "文字或文字列表", "a text or a list of texts")
    return [item.strip() for item in items if item.strip()]


def _language(key: str, lang: Any) -> str:
    if not isinstance(lang, str) or not _LANGUAGE.match(lang):
        raise InvalidEdit(
            f"字段 {key}：语言标签 {lang!r} 无效（如 zh、en）",
            f"{key}: {lang!r} is not a language tag (such as zh or en)",
        )
    return lang.lower()


def _concepts(field: Field, value: Any) -> list[Term]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if field.single and len(items) > 1:
        raise InvalidEdit(f"字段 {field.key} 只能有一个值", f"{field.key} takes one value")
    return [ox.NamedNode(_concept(field, item)) for item in items]


def _concept(field: Field, item: Any) -> str:
    codes, scheme = CodeLists.default(), field.scheme or ""
    written = item.get("id") or item.get("notation") if isinstance(item, dict) else item
    if not isinstance(written, str) or not written.strip():
        raise _wrong_form(field.key, item, "代码、名称或 IRI", "a code, a label or an IRI")
    if written in codes.members(scheme):
        return written
    found = codes.concept(scheme, written)
    if found is None:
        raise InvalidEdit(
            f"字段 {field.key}：{written!r} 不在代码表 {scheme} 中",
            f"{field.key}: {written!r} is not in the {scheme} code list",
        )
    return found


def _resources(value: Any) -> list[Term]:
    if value is None:
        return []
    out: list[Term] = []
    for item in value if isinstance(value, list) else [value]:
        written = item.get("identifier") or item.get("id") if isinstance(item, dict) else item
        if not isinstance(written, str):
            raise _wrong_form("related-resources", item, "信息资源代码或 IRI", "a resource code or IRI")
        written = written.strip()
        if written.startswith(("http://", "https://")):
            out.append(_iri("related-resources", written))
        elif RESOURCE_CODE.fullmatch(written):
            out.append(ox.NamedNode(ns.resource(written)))
        elif written:
            raise InvalidEdit(
                f"关联资源 {written!r} 不是信息资源代码（如 1010001/000123）",
                f"related resource {written!r} is not a resource code (such as 1010001/000123)",
            )
    return out


def _iri(key: str, text: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(text)
    except ValueError:
        raise InvalidEdit(f"字段 {key}：{text!r} 不是有效的 IRI", f"{key}: {text!r} is not a valid IRI") from None


def _wrong_form(key: str, value: Any, zh: str, en: str) -> InvalidEdit:
    shown = json.dumps(value, ensure_ascii=False)[:80]
    return InvalidEdit(f"字段 {key} 的值 {shown} 应为{zh}", f"{key}: {shown} should be {en}")


# -- reading an entry's values ------------------------------------------------------------------------


def snapshot(iri: str, body: Iterable[ox.Triple]) -> dict[str, Any]:
    """Every editable field's values, as JSON: texts ``{"value", "lang"}``, IRIs ``{"id"}``, data elements
    as rows in order. Two snapshots differ exactly where an edit changed something (the audit trail keeps
    the fields that did)."""
    node = ox.NamedNode(iri)
    triples = list(body)
    by_subject: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate, []).append(t.object)
    own = by_subject.get(node, {})
    out: dict[str, Any] = {key: _sorted_json(own.get(f.predicate, [])) for key, f in FIELDS.items()}
    out[SHARING_METHOD] = _sorted_json([v for part in METHOD_PARTS.values() for v in own.get(part.predicate, [])])
    rows = []
    for element in own.get(_DATA_ELEMENT, []):
        values = by_subject.get(element, {})
        position = next((int(p.value) for p in values.get(_POSITION, []) if p.value.isdigit()), None)
        row = {
            ELEMENT_NAME: _sorted_json(values.get(_TITLE, [])),
            ELEMENT_TYPE: _sorted_json(values.get(_DATA_TYPE, [])),
        }
        rows.append((position is None, position or 0, element.value, row))
    out[DATA_ELEMENTS] = [row for *_, row in sorted(rows, key=lambda r: r[:3])]
    return out


def _sorted_json(terms: Iterable[Term]) -> list[dict[str, str]]:
    values = {json.dumps(_term_json(t), ensure_ascii=False, sort_keys=True) for t in terms}
    return [json.loads(v) for v in sorted(values)]


def _term_json(term: Term) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        return {"value": term.value, "lang": term.language} if term.language else {"value": term.value}
    return {"id": term.value}
