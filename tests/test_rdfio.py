"""Reading RDF: errors say where, hostile XML is refused before parsing."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalog_service.rdfio import InputError, parse_bytes, parse_file

RDF_XML_HEAD = b'<?xml version="1.0"?>\n'
RDF_XML_BODY = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/">'
    b'<rdf:Description rdf:about="http://ex/a"><ex:p>&e;</ex:p></rdf:Description></rdf:RDF>'
)


def test_turtle_error_has_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_bytes(b'@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', ox.RdfFormat.TURTLE)
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert ":3:" in str(caught.value)


def test_json_ld_error_has_position() -> None:
    with pytest.raises(InputError) as caught:
        parse_bytes(b'{"@id": ', ox.RdfFormat.JSON_LD)
    assert caught.value.line == 1


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY e "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_entity_declarations_are_refused(doctype: bytes) -> None:
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_bytes(RDF_XML_HEAD + doctype + RDF_XML_BODY, ox.RdfFormat.RDF_XML)


def test_unknown_extension_and_missing_file(tmp_path) -> None:
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported"):
        parse_file(tmp_path / "a.docx")
    with pytest.raises(InputError):
        parse_file(tmp_path / "missing.ttl")


def test_formats_by_extension(tmp_path) -> None:
    (tmp_path / "a.nt").write_text('<http://ex/a> <http://ex/p> "一" .\n', encoding="utf-8")
    (tmp_path / "a.jsonld").write_text('{"@id": "http://ex/a", "http://ex/p": "一"}', encoding="utf-8")
    for name in ("a.nt", "a.jsonld"):
        (triple,) = parse_file(tmp_path / name)
        assert triple.object.value == "一"
