"""The sample federation in examples/federation: reproducible, readable, and wrong exactly where it means to be.

``manifest.json`` records what the generator did on purpose; these tests hold the validator's and the template
reader's verdicts to that intent, so a change in the shapes, the reader or the generator that shifts a verdict
shows up here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.uscc import is_valid
from catalog_service.validation import validate
from catalog_service.validation.reference import validate as reference_validate
from harvesters.spreadsheet import RowError, read_template

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FOLDER = EXAMPLES / "federation"
MANIFEST = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
FILES = {entry["source"]: entry for entry in MANIFEST["files"]}

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
PUBLISHER = ox.NamedNode(ns.DCT + "publisher")
CREDIT_CODE = ox.NamedNode(ns.GC + "creditCode")
SHARING_TYPE = ox.NamedNode(ns.GC + "sharingType")
OPENNESS = ox.NamedNode(ns.GC + "openness")

REFERENCE_SOURCES = ("xuanwu", "kunshan")
"""pyshacl takes seconds per few dozen records, so it checks the two smallest files (one of them carries a
provider-level defect, the other two record-level ones); the fast engine checks everything."""


@dataclass
class Document:
    """One file as the catalog reads it."""

    triples: list[ox.Triple]
    records: list[str]
    row_errors: list[RowError]
    rows_read: int | None


def identifier(record: str) -> str:
    return record.removeprefix(ns.RESOURCE)


def read(path: Path) -> Document:
    if path.suffix == ".ttl":
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
        records = list(
            dict.fromkeys(t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object == DATASET)
        )
        return Document(triples, records, [], None)
    result = read_template(path)
    return Document(result.triples, result.records, result.row_errors, result.rows_read)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script is being executed
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {source: read(FOLDER / entry["file"]) for source, entry in FILES.items()}


def valid_records(source: str, document: Document) -> list[str]:
    invalid = set(FILES[source]["invalid"])
    return [r for r in document.records if identifier(r) not in invalid]


def objects(document: Document, subject: str, predicate: ox.NamedNode) -> list[ox.NamedNode | ox.Literal]:
    return [t.object for t in document.triples if t.subject.value == subject and t.predicate == predicate]


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    # The folder may hold hand-written companions (the demo's gov-catalog.toml); only generated files count.
    load_generator().generate(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert set(written) == {entry["file"] for entry in MANIFEST["files"]} | {"manifest.json"}
    for name in written:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_the_federation_has_the_promised_forms() -> None:
    suffixes = [Path(entry["file"]).suffix for entry in MANIFEST["files"]]
    assert suffixes.count(".xlsx") >= 1
    assert any(entry.get("encoding") == "gbk" for entry in MANIFEST["files"])
    assert {entry["level"] for entry in MANIFEST["files"]} == {"1", "2", "3", "4"}
    assert sum(entry["entries"] for entry in MANIFEST["files"]) >= 400


@pytest.mark.parametrize("source", FILES)
def test_every_entry_is_read(documents: dict[str, Document], source: str) -> None:
    entry, document = FILES[source], documents[source]
    if document.rows_read is None:
        assert len(document.records) == entry["entries"]
    else:
        assert document.rows_read == entry["entries"]
        assert len(document.records) == entry["entries"] - len(entry["bad_rows"])


@pytest.mark.parametrize("source", [s for s, e in FILES.items() if e["format"] != "turtle"])
def test_bad_rows_are_row_errors(documents: dict[str, Document], source: str) -> None:
    document = documents[source]
    expected = {(row["row"], row["column"], row["value"]) for row in FILES[source]["bad_rows"]}
    assert expected
    assert {(e.row, e.column, e.value) for e in document.row_errors} == expected
    rejected = {row["identifier"] for row in FILES[source]["bad_rows"]}
    assert rejected.isdisjoint(identifier(r) for r in document.records)


@pytest.mark.parametrize("source", FILES)
def test_validator_flags_exactly_the_deliberately_invalid_entries(documents: dict[str, Document], source: str) -> None:
    report = validate(documents[source].triples)
    assert {identifier(r) for r in report.invalid_records()} == set(FILES[source]["invalid"])


@pytest.mark.parametrize("source", REFERENCE_SOURCES)
def test_reference_validator_agrees(documents: dict[str, Document], source: str) -> None:
    report = reference_validate(documents[source].triples)
    assert {identifier(r) for r in report.invalid_records()} == set(FILES[source]["invalid"])


def test_about_a_dozen_entries_are_invalid() -> None:
    invalid = [i for entry in MANIFEST["files"] for i in entry["invalid"]]
    assert 8 <= len(invalid) <= 12
    assert len(set(invalid)) == len(invalid)


def test_every_sharing_type_and_openness_occurs_among_valid_entries(documents: dict[str, Document]) -> None:
    sharing, openness = set(), set()
    for source, document in documents.items():
        for record in valid_records(source, document):
            sharing.update(o.value for o in objects(document, record, SHARING_TYPE))
            openness.update(o.value for o in objects(document, record, OPENNESS))
    assert sharing == {ns.code("sharing-type", n) for n in "123"}
    assert openness == {ns.code("openness", n) for n in "123"}


def test_providers_of_valid_entries_have_valid_credit_codes(documents: dict[str, Document]) -> None:
    checked = 0
    for source, document in documents.items():
        for record in valid_records(source, document):
            for provider in objects(document, record, PUBLISHER):
                codes = [c.value for c in objects(document, provider.value, CREDIT_CODE)]
                assert len(codes) == 1 and is_valid(codes[0]), (record, codes)
                checked += 1
    assert checked >= 400


def test_identifiers_recur_across_files_only_where_duplicated(documents: dict[str, Document]) -> None:
    seen: dict[str, str] = {}
    recurring = set()
    for source, document in documents.items():
        for record in document.records:
            if record in seen:
                recurring.add(identifier(record))
            seen[record] = source
    intended = {i for entry in MANIFEST["files"] for i in entry["duplicates"] + entry["conflicts"]}
    assert intended and recurring == intended


def _description(document: Document, record: str) -> set[tuple[str, str, str]]:
    """The triples about a record and its data elements, which a republished copy must repeat."""
    return {
        (t.subject.value, t.predicate.value, str(t.object))
        for t in document.triples
        if t.subject.value == record or t.subject.value.startswith(record + "/element/")
    }


def test_duplicates_repeat_their_source_and_conflicts_differ_in_title(documents: dict[str, Document]) -> None:
    for source, entry in FILES.items():
        for code, origin in entry["duplicate_of"].items():
            record = ns.resource(code)
            copy, original = _description(documents[source], record), _description(documents[origin], record)
            if code in entry["conflicts"]:
                assert {p for _, p, _ in copy ^ original} == {ns.DCT + "title"}
            else:
                assert copy == original
