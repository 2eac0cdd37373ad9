"""The report: verdicts per record, JSON and text forms, and the inputs `validate` accepts."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from shape_corpus import case_entry, cases, renamed, valid_entry

from catalog_service import namespaces as ns
from catalog_service.validation import validate

CASES = {case.id: case for case in cases()}


def two_records_sharing_a_provider_without_name() -> list[ox.Triple]:
    base = valid_entry("shared1-open1")
    provider = next(t.object for t in base if t.predicate.value == ns.DCT + "publisher")
    entry = [t for t in base if t.subject != provider]
    name = ox.NamedNode(ns.FOAF + "name")
    provider_triples = [t for t in base if t.subject == provider and t.predicate != name]
    return renamed(entry, "a") + renamed(entry, "b") + provider_triples


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_shared_provider_makes_every_record_it_serves_invalid(engine: str) -> None:
    report = validate(two_records_sharing_a_provider_without_name(), engine=engine)
    dataset = ns.resource("2090001/000015")
    assert report.records_checked == 2
    assert report.invalid_records() == {f"{dataset}-a", f"{dataset}-b"}
    assert len(report.results) == 2
    assert len(report.findings()) == 1
    assert {r.source_shape for r in report.results} == {ns.SHAPES + "Provider-name"}


def test_warnings_do_not_make_a_record_invalid() -> None:
    report = validate(case_entry(CASES["description-short"]))
    assert report.conforms
    assert report.invalid_records() == set()
    assert [r.severity for r in report.results] == ["Warning"]


def test_to_dict_is_json_with_both_messages() -> None:
    report = validate(case_entry(CASES["issued-ill-typed"]))
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["conforms"] is False
    assert data["recordsChecked"] == 1
    assert data["invalidRecords"] == [ns.resource("2090001/000015")]
    (result,) = data["results"]
    assert result["resultPath"] == ns.DCT + "issued"
    assert result["value"] == '"2020-13-45"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert result["sourceShape"] == ns.SHAPES + "Dataset-issued"
    assert result["sourceConstraintComponent"] == "http://www.w3.org/ns/shacl#DatatypeConstraintComponent"
    assert result["message"]["zh"].startswith("发布日期")
    assert result["message"]["en"].startswith("Exactly one release date")


def test_to_text_names_record_focus_node_path_and_message() -> None:
    report = validate(case_entry(CASES["element-type-unknown"]))
    zh, en = report.to_text("zh"), report.to_text("en")
    element = ns.resource("2090001/000015") + "/element/3"
    for text in (zh, en):
        assert ns.resource("2090001/000015") in text
        assert element in text
        assert "gc:dataType" in text
    assert "信息项须有且只有一个数据类型" in zh and "违规" in zh
    assert "A data element needs exactly one data type" in en and "violation" in en


def test_validate_takes_triples_quads_or_a_store() -> None:
    triples = case_entry(CASES["classified"])
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("https://example.org/g")) for t in triples)
    expected = validate(triples).findings()
    assert validate(ox.Quad(t.subject, t.predicate, t.object) for t in triples).findings() == expected
    assert validate(store).findings() == expected
    assert len(expected) == 1


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate([], engine="pyshacl")


def test_nothing_to_validate_conforms() -> None:
    report = validate([])
    assert report.conforms and report.records_checked == 0 and report.results == []
