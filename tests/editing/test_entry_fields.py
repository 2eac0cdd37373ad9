"""How an edit's values are read and become the entry's triples (no store needed)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.governance.entry_fields import InvalidEdit, apply_changes, snapshot

IRI = ns.resource("3010004/000319")
NODE = ox.NamedNode(IRI)


def lit(value: str, lang: str = "zh") -> ox.Literal:
    return ox.Literal(value, language=lang)


def triple(predicate: str, obj: ox.NamedNode | ox.Literal, subject: ox.NamedNode = NODE) -> ox.Triple:
    return ox.Triple(subject, ox.NamedNode(predicate), obj)


BODY = [
    triple(ns.DCT + "title", lit("出入境证件签发信息")),
    triple(ns.DCT + "title", lit("Exit-entry documents", "en")),
    triple(ns.GC + "sharingType", ox.NamedNode(ns.code("sharing-type", "2"))),
    triple(ns.GC + "sharingMethodCategory", ox.NamedNode(ns.code("sharing-method-category", "1"))),
    triple(ns.GC + "sharingMethodType", ox.NamedNode(ns.code("sharing-method-type", "2"))),
    triple(ns.GC + "dataElement", ox.NamedNode(IRI + "/element/1")),
    triple(ns.DCT + "title", lit("姓名"), ox.NamedNode(IRI + "/element/1")),
    triple(ns.GC + "dataType", ox.NamedNode(ns.code("data-type", "C")), ox.NamedNode(IRI + "/element/1")),
]


def values(triples: list[ox.Triple], predicate: str, subject: ox.NamedNode = NODE) -> set[str]:
    return {str(t.object) for t in triples if t.subject == subject and t.predicate.value == predicate}


def test_texts_in_every_form() -> None:
    title = ns.DCT + "title"
    assert values(apply_changes(IRI, BODY, {"title": "新名称"}), title) == {'"新名称"@zh'}
    merged = apply_changes(IRI, BODY, {"title": {"zh": "新名称"}})  # English kept
    assert values(merged, title) == {'"新名称"@zh', '"Exit-entry documents"@en'}
    assert values(apply_changes(IRI, BODY, {"title": {"en": None}}), title) == {'"出入境证件签发信息"@zh'}
    api_form = [{"value": "Documents", "lang": "en"}, {"value": " 证件 "}]
    assert values(apply_changes(IRI, BODY, {"title": api_form}), title) == {'"Documents"@en', '"证件"@zh'}
    assert values(apply_changes(IRI, BODY, {"title": None}), title) == set()
    assert values(apply_changes(IRI, BODY, {"keywords": ["护照", "", "护照"]}), ns.DCAT + "keyword") == {'"护照"@zh'}


def test_codes_by_notation_label_or_iri() -> None:
    sharing = ns.GC + "sharingType"
    unconditional = {f"<{ns.code('sharing-type', '1')}>"}
    for written in (
        "1",
        "无条件共享",
        ns.code("sharing-type", "1"),
        {"id": ns.code("sharing-type", "1")},
        {"notation": "1"},
    ):
        assert values(apply_changes(IRI, BODY, {"sharing-type": written}), sharing) == unconditional, written
    formats = apply_changes(IRI, BODY, {"format": ["数据库", "7"]})
    assert values(formats, ns.GC + "resourceFormat") == {f"<{ns.code('resource-format', n)}>" for n in ("3", "7")}


def test_sharing_method_parts() -> None:
    category, kind = ns.GC + "sharingMethodCategory", ns.GC + "sharingMethodType"
    partial = apply_changes(IRI, BODY, {"sharing-method": {"type": "文件"}})
    assert values(partial, category) == {f"<{ns.code('sharing-method-category', '1')}>"}
    assert values(partial, kind) == {f"<{ns.code('sharing-method-type', '3')}>"}
    as_listed = [{"id": ns.code("sharing-method-category", "2")}, ns.code("sharing-method-type", "1")]
    both = apply_changes(IRI, BODY, {"sharing-method": as_listed})
    assert values(both, category) == {f"<{ns.code('sharing-method-category', '2')}>"}
    removed = apply_changes(IRI, BODY, {"sharing-method": None})
    assert values(removed, category) == values(removed, kind) == set()


def test_related_resources_and_data_elements() -> None:
    related = apply_changes(IRI, BODY, {"related-resources": ["1010001/000123", {"identifier": "2010001/000402"}]})
    assert values(related, ns.DCT + "relation") == {
        f"<{ns.resource('1010001/000123')}>",
        f"<{ns.resource('2010001/000402')}>",
    }
    rows = [
        {
            "values": {
                "data-element-name": [{"value": "证件号码", "lang": "zh"}],
                "data-type": [{"id": ns.code("data-type", "C")}],
            }
        }
    ]
    rows.append({"data-element-name": "签发日期", "data-type": "D"})
    changed = apply_changes(IRI, BODY, {"dataElements": rows})
    elements = snapshot(IRI, changed)["dataElements"]
    assert [(r["data-element-name"][0]["value"], r["data-type"][0]["id"][-1]) for r in elements] == [
        ("证件号码", "C"),
        ("签发日期", "D"),
    ]
    assert values(changed, ns.DCT + "title", ox.NamedNode(IRI + "/element/1")) == {'"证件号码"@zh'}


def test_snapshot_sees_only_real_changes() -> None:
    same = apply_changes(IRI, BODY, {"title": {"zh": "出入境证件签发信息"}, "sharing-type": "有条件共享"})
    assert snapshot(IRI, same) == snapshot(IRI, BODY)
    assert snapshot(IRI, apply_changes(IRI, BODY, {"title": "x"})) != snapshot(IRI, BODY)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"identifier": "1010001/000001"}, "identifier"),
        ({"provider": "x"}, "provider"),
        ({"sharing-type": "sometimes"}, "sharing-type"),
        ({"sharing-type": ["1", "2"]}, "sharing-type"),
        ({"format": [3]}, "format"),
        ({"title": {"not a language": "x"}}, "title"),
        ({"title": 42}, "title"),
        ({"sharing-method": {"kind": "1"}}, "sharing-method"),
        ({"sharing-method": ["1", "2"]}, "sharing-method"),
        ({"related-resources": ["not a code"]}, "not a code"),
        ({"dataElements": {"name": "x"}}, "dataElements"),
        ({"dataElements": ["x"]}, "data element 1"),
    ],
)
def test_unreadable_values_are_refused(changes: dict, named: str) -> None:
    with pytest.raises(InvalidEdit) as refused:
        apply_changes(IRI, BODY, changes)
    assert named in refused.value.message_en and refused.value.message_zh and refused.value.status == 422
