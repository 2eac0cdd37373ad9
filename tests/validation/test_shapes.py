"""The SHACL shapes: valid entries conform, and every constraint fires on its own with its messages.

Each case runs through both engines, so a shape that pyshacl and the fast engine read differently fails here
as well as in the equivalence tests.
"""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH
from shape_corpus import case_entry, cases, dataset_of, renamed, valid_entry, valid_names

from catalog_service import namespaces as ns
from catalog_service import uscc
from catalog_service.validation import validate
from catalog_service.validation.fast import default_validator
from catalog_service.validation.shapes import shapes_graph, vocabulary_triples

# rdflib warns about ill-typed booleans; the reference engine silences that, but pytest restores warning filters.
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
ENGINES = ("fast", "reference")
CASES = cases()
CREDIT_CODE = ox.NamedNode(ns.GC + "creditCode")
COMPONENT_PARAMETERS = {
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["class"]: "ClassConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
}


def test_corpus_has_one_valid_entry_per_sharing_and_openness_combination() -> None:
    # 不予共享 forces 不予开放, which leaves seven combinations.
    expected = {f"shared{s}-open{o}" for s in "12" for o in "123"} | {"shared3-open3"}
    assert set(valid_names()) == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", valid_names())
def test_valid_entries_conform_without_warnings(name: str, engine: str) -> None:
    report = validate(valid_entry(name), engine=engine)
    assert report.results == []
    assert report.conforms
    assert report.records_checked == 1


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_gives_exactly_the_expected_results(case, engine: str) -> None:
    triples = case_entry(case)
    dataset = dataset_of(triples)
    report = validate(triples, engine=engine)

    got = sorted(
        (r.source_shape, r.component, r.source_constraint, r.severity, r.focus_node.value, r.message_zh, r.message_en)
        for r in report.results
    )
    expected = sorted(
        (e.shape, e.component, e.constraint, e.severity, e.focus or dataset, e.message_zh, e.message_en)
        for e in case.expected
    )
    assert got == expected
    assert all(r.record == dataset for r in report.results)
    violated = any(e.severity == "Violation" for e in case.expected)
    assert report.invalid_records() == ({dataset} if violated else set())
    assert report.conforms is not violated


def test_every_constraint_of_the_shapes_has_a_case() -> None:
    graph = shapes_graph()
    constraints = set()
    for node_shape in graph.subjects(RDF.type, SH.NodeShape):
        for prop in graph.objects(node_shape, SH.property):
            for parameter, component in COMPONENT_PARAMETERS.items():
                if (prop, parameter, None) in graph:
                    constraints.add((str(prop), str(SH) + component, None))
        for sparql in graph.objects(node_shape, SH.sparql):
            constraints.add((str(node_shape), str(SH.SPARQLConstraintComponent), str(sparql)))
    covered = {(e.shape, e.component, e.constraint) for case in CASES for e in case.expected}
    assert constraints - covered == set()
    compiled = {(c.source_shape, c.component, c.source_constraint) for c in default_validator().checks}
    assert compiled == constraints


def test_every_shape_and_constraint_has_a_gcsh_iri_and_both_messages() -> None:
    graph = shapes_graph()
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    constraints = set(graph.subjects(RDF.type, SH.SPARQLConstraint))
    assert set(graph.objects(None, SH.property)) <= shapes
    assert set(graph.objects(None, SH.sparql)) <= constraints
    for node in shapes | constraints:
        assert isinstance(node, rdflib.URIRef) and str(node).startswith(ns.SHAPES), node
    for node in set(graph.objects(None, SH.property)) | constraints:
        languages = sorted(m.language for m in graph.objects(node, SH.message))
        assert languages == ["en", "zh"], node


def test_leaf_rule_can_rely_on_skos_narrower() -> None:
    """gcsh:Dataset-categoryIsLeaf reads skos:narrower only, so the code lists must state it for every broader."""
    broader = ox.NamedNode(ns.SKOS + "broader")
    narrower = ox.NamedNode(ns.SKOS + "narrower")
    vocabulary = vocabulary_triples()
    categories = ns.code_scheme("resource-category")
    down = {
        (t.object, t.subject) for t in vocabulary if t.predicate == broader and t.object.value.startswith(categories)
    }
    stated = {(t.subject, t.object) for t in vocabulary if t.predicate == narrower}
    assert down and down <= stated


# Unified social credit codes (GB 32100) -----------------------------------------------------------------------

KNOWN_VALID = ["91350100M000100Y43", "911100001000080343"]


def _with_credit_codes(codes: list[str]) -> list[ox.Triple]:
    """Copies of a valid entry, one per code, each with that code as its provider's credit code."""
    base = valid_entry("shared1-open1")
    triples = []
    for i, code in enumerate(codes):
        entry = [ox.Triple(t.subject, t.predicate, ox.Literal(code)) if t.predicate == CREDIT_CODE else t for t in base]
        triples += renamed(entry, f"c{i}")
    return triples


@pytest.mark.parametrize("engine", ENGINES)
def test_known_valid_credit_codes_pass(engine: str) -> None:
    assert all(uscc.is_valid(code) for code in KNOWN_VALID)
    assert validate(_with_credit_codes(KNOWN_VALID), engine=engine).results == []


def _random_codes(count: int, seed: int) -> list[str]:
    """In turn: a valid code, a wrong check character, a character outside the alphabet, one character short."""
    rng = random.Random(seed)
    codes = []
    for i in range(count):
        first17 = "".join(rng.choice("0123456789" if 2 <= position < 8 else uscc.ALPHABET) for position in range(17))
        check = uscc.check_character(first17)
        code = [
            first17 + check,
            first17 + rng.choice(uscc.ALPHABET.replace(check, "")),
            first17[:-1] + rng.choice("IOSVZ") + check,
            first17,
        ][i % 4]
        codes.append(code)
    return codes


@pytest.mark.parametrize("engine", ENGINES)
def test_credit_code_rules_agree_with_the_python_reference(engine: str) -> None:
    codes = _random_codes(120, seed=7)
    report = validate(_with_credit_codes(codes), engine=engine)
    fired: dict[str, set[str]] = {}
    for r in report.results:
        fired.setdefault(r.focus_node.value, set()).add((r.source_constraint or r.source_shape).split("#")[1])
    for i, code in enumerate(codes):
        provider = f"{ns.organization('11320100MB1234567A')}-c{i}"
        if not uscc.PATTERN.match(code):
            expected = {"Provider-creditCode"}
        elif not uscc.is_valid(code):
            expected = {"Provider-creditCodeCheck"}
        else:
            expected = set()
        assert fired.get(provider, set()) == expected, code
    assert {"Provider-creditCode", "Provider-creditCodeCheck"} <= set().union(*fired.values())
