"""The fast engine finds exactly what pyshacl finds: on the corpus, on random mutations, in any batching.

"Exactly" is the set of (focus node, path, value, severity, component, source shape, source constraint)
tuples, and the records each result is attributed to.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from shape_corpus import case_entry, cases, mutations, renamed, valid_entry, valid_names

from catalog_service import namespaces as ns
from catalog_service.validation import UnsupportedShapeError, ValidationReport, reference, validate
from catalog_service.validation.fast import FastValidator
from catalog_service.validation.shapes import shapes_graph, vocabulary_triples

# rdflib warns about ill-typed booleans; the reference engine silences that, but pytest restores warning filters.
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
XSD = ns.XSD


def attributed(report: ValidationReport) -> list[str]:
    """The results as comparable text: the finding and the record it counts against."""
    return sorted(str((r.finding, r.record)) for r in report.results)


def assert_same(expected: ValidationReport, actual: ValidationReport) -> None:
    assert actual.findings() == expected.findings()
    assert attributed(actual) == attributed(expected)
    assert actual.records_checked == expected.records_checked
    assert actual.invalid_records() == expected.invalid_records()


@pytest.fixture(scope="module")
def small_batches() -> FastValidator:
    """A validator that splits anything over 400 triples (about eight entries) into batches."""
    return FastValidator(shapes_graph(), vocabulary_triples(), batch_triples=400)


def corpus() -> list[ox.Triple]:
    entries = [valid_entry(name) for name in valid_names()] + [case_entry(case) for case in cases()]
    return [t for i, entry in enumerate(entries) for t in renamed(entry, f"c{i}")]


def test_engines_agree_on_the_corpus(small_batches: FastValidator) -> None:
    triples = corpus()
    expected = validate(triples, engine="reference")
    assert len(expected.results) > 80
    assert_same(expected, validate(triples))
    assert_same(expected, small_batches.validate(triples))


@pytest.mark.parametrize("seed", [1, 2])
def test_engines_agree_on_random_mutations(seed: int, small_batches: FastValidator) -> None:
    triples = [t for entry in mutations(150, seed) for t in entry]
    expected = validate(triples, engine="reference")
    assert {r.component for r in expected.results} >= {
        f"http://www.w3.org/ns/shacl#{c}ConstraintComponent"
        for c in ("MinCount", "MaxCount", "Datatype", "NodeKind", "Class", "Pattern", "SPARQL")
    }
    assert_same(expected, validate(triples))
    assert_same(expected, small_batches.validate(triples))


def literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype) if datatype else None, language=language)


TRICKY = {
    ns.DCT + "issued": [
        literal("2023-02-29", "date"),
        literal("2024-02-29", "date"),
        literal("2024-1-5", "date"),
        literal(" 2024-01-05", "date"),
        literal("2024-01-05Z", "date"),
        literal("2024-01-05+08:00", "date"),
        literal("2024-01-05T00:00:00", "date"),
        literal("20240105", "date"),
        literal("-0044-03-15", "date"),
        literal("2024-01-05", "dateTime"),
        literal("2024-01-05", language="zh"),
    ],
    ns.GC + "classified": [
        literal("0", "boolean"),
        literal("1", "boolean"),
        literal("TRUE", "boolean"),
        literal("False", "boolean"),
        literal(" false", "boolean"),
        literal("false"),
        literal("0", "integer"),
    ],
    ns.DCT + "identifier": [
        literal("2090001/000015\n"),
        literal("2090001/000015 "),
        literal("２０９0001/000015"),
        literal("2090001/000015", "normalizedString"),
        literal("2090001000015", "integer"),
    ],
    ns.DCT + "title": [literal("站点", language="ZH"), literal("站点", language="zh-Hans"), literal("")],
}


def test_engines_agree_on_tricky_literals() -> None:
    """Lexical forms where rdflib, Python's re and oxigraph could each have their own opinion."""
    base = valid_entry("shared1-open1")
    dataset = next(t.subject for t in base if t.predicate.value == ns.DCT + "identifier")
    triples = []
    for predicate, values in TRICKY.items():
        replace = predicate != ns.DCT + "title"  # titles are added to, to exercise sh:uniqueLang
        entry = [t for t in base if not (replace and t.subject == dataset and t.predicate.value == predicate)]
        for value in values:
            triples += renamed([*entry, ox.Triple(dataset, ox.NamedNode(predicate), value)], f"t{len(triples)}")
    expected = validate(triples, engine="reference")
    assert expected.results
    assert_same(expected, validate(triples))


def test_a_provider_shared_across_batches_is_reported_once_per_record(small_batches: FastValidator) -> None:
    """Twenty entries of one provider whose check character is wrong: twenty results, twenty invalid records."""
    base = valid_entry("shared1-open1")
    provider = next(t.object for t in base if t.predicate.value == ns.DCT + "publisher")
    code = ox.NamedNode(ns.GC + "creditCode")
    entry = [t for t in base if t.subject != provider]
    triples = [t for i in range(20) for t in renamed(entry, f"s{i}")]
    triples += [t for t in base if t.subject == provider and t.predicate != code]
    triples.append(ox.Triple(provider, code, ox.Literal("11320100MB1234567B")))
    assert len(small_batches._batches(triples)) > 2
    for report in (validate(triples, engine="reference"), validate(triples), small_batches.validate(triples)):
        assert len(report.results) == 20
        assert {r.focus_node for r in report.results} == {provider}
        assert len(report.invalid_records()) == 20


OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Thing a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property ex:Thing-colour, ex:Thing-kind, ex:Thing-size, ex:Thing-code, ex:Thing-note, ex:Thing-count .
ex:Thing-colour a sh:PropertyShape ; sh:path ex:colour ; sh:in ( "red" "green" ex:blue 3 ) .
ex:Thing-kind a sh:PropertyShape ; sh:path ex:kind ; sh:hasValue ex:Widget ; sh:severity sh:Info .
ex:Thing-size a sh:PropertyShape ; sh:path ex:size ; sh:datatype xsd:integer ; sh:minCount 2 .
ex:Thing-code a sh:PropertyShape ; sh:path ex:code ; sh:nodeKind sh:BlankNodeOrLiteral ; sh:minLength 3 .
ex:Thing-note a sh:PropertyShape ; sh:path ex:note ; sh:datatype xsd:string ; sh:uniqueLang true .
ex:Thing-count a sh:PropertyShape ; sh:path ex:count ; sh:datatype xsd:decimal ; sh:maxCount 2 .
"""

OTHER_DATA = """
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:colour "red", ex:blue, 3 ; ex:kind ex:Widget ; ex:size 1, 2 ; ex:code "abc" ; ex:count 1.5 .
ex:b a ex:Thing ; ex:colour "blue", "3", ex:red, "red"@en ; ex:kind ex:Gadget ; ex:size 1, "2"^^xsd:decimal ;
    ex:code ex:iri, "ab", [ ex:x 1 ] ; ex:note "n"@en, "m"@EN, "o" ; ex:count 1, 2.0, "x"^^xsd:decimal .
ex:c a ex:Thing ; ex:size "01"^^xsd:integer, "abc"^^xsd:integer ; ex:note "a"@zh, "b"@zh-CN .
ex:d a ex:Thing ; ex:size 5 ; ex:code "" .
"""


def test_components_our_shapes_do_not_use_yet_match_pyshacl() -> None:
    """sh:in, sh:hasValue, Info severity, minCount above 1 and other datatypes, against pyshacl directly."""
    shapes = rdflib.Graph().parse(data=OTHER_SHAPES, format="turtle")
    triples = list(ox.parse(OTHER_DATA.encode(), format=ox.RdfFormat.TURTLE))
    expected = reference.validate(triples, shapes)
    assert {r.component.rsplit("#", 1)[1] for r in expected.results} >= {
        "InConstraintComponent",
        "HasValueConstraintComponent",
        "UniqueLangConstraintComponent",
        "MinLengthConstraintComponent",
        "MaxCountConstraintComponent",
        "MinCountConstraintComponent",
    }
    actual = FastValidator(shapes, vocabulary_triples()).validate(triples)
    assert actual.findings() == expected.findings()


NODE_SHAPE = "ex:S a sh:NodeShape ; sh:targetClass ex:C"
UNSUPPORTED = {
    "target node": "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property ex:P . ex:P sh:path ex:p ; sh:minCount 1 .",
    "subjects-of target": "ex:S sh:targetSubjectsOf ex:p ; sh:property ex:P . ex:P sh:path ex:p ; sh:minCount 1 .",
    "logical constraint": f"{NODE_SHAPE} ; sh:or ( ex:P ex:Q ) .",
    "node-shape constraint": f"{NODE_SHAPE} ; sh:class ex:D .",
    "sequence path": f"{NODE_SHAPE} ; sh:property ex:P . ex:P sh:path ( ex:p ex:q ) ; sh:minCount 1 .",
    "maxLength": f"{NODE_SHAPE} ; sh:property ex:P . ex:P sh:path ex:p ; sh:maxLength 3 .",
    "pattern flags": f'{NODE_SHAPE} ; sh:property ex:P . ex:P sh:path ex:p ; sh:pattern "a" ; sh:flags "i" .',
    "blank-node property shape": f"{NODE_SHAPE} ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    "implicit class target": "ex:S a sh:NodeShape, rdfs:Class ; sh:property ex:P . ex:P sh:path ex:p ; sh:minCount 1 .",
    "unreachable shape": "ex:P a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 .",
    "deactivated": f"{NODE_SHAPE} ; sh:deactivated true .",
    "SPARQL on a property shape": f"{NODE_SHAPE} ; sh:property ex:P . "
    'ex:P sh:path ex:p ; sh:sparql ex:Q . ex:Q sh:select "SELECT $this WHERE { $this ex:p ?v }" .',
    "SPARQL with $PATH": f'{NODE_SHAPE} ; sh:sparql ex:Q . ex:Q sh:select "SELECT $this WHERE {{ $this $PATH ?v }}" .',
    "SPARQL without $this": f"{NODE_SHAPE} ; sh:sparql ex:Q . "
    'ex:Q sh:select "SELECT ?v WHERE { ?x <https://example.org/p> ?v }" .',
    "SPARQL sub-select": f"{NODE_SHAPE} ; sh:sparql ex:Q . "
    'ex:Q sh:select "SELECT $this WHERE { { SELECT $this WHERE { $this ?p ?v } } }" .',
}


@pytest.mark.parametrize("snippet", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_features_the_compiler_does_not_know_are_refused(snippet: str) -> None:
    prefixes = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
    )
    shapes = rdflib.Graph().parse(data=prefixes + snippet, format="turtle")
    with pytest.raises(UnsupportedShapeError):
        FastValidator(shapes, [])
