"""Substitutions on a remote store: the rewritten query answers as pyoxigraph's own substitution does.

Both run on the same in-memory pyoxigraph store, the one with ``substitutions=``, the other with the text
:func:`substitute` makes, so any difference is the rewriting's.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalog_service.remote_store import substitute
from catalog_service.store import StoreError

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATA = f"""
@prefix ex: <{EX}> . @prefix xsd: <{XSD}> .
ex:a a ex:Dataset ; ex:level "1" ; ex:modified "2024-03-01"^^xsd:date ; ex:title "甲 {{?level}}" .
ex:b a ex:Dataset ; ex:level "2" ; ex:modified "2023-01-01"^^xsd:date .
ex:c a ex:Dataset ; ex:level "2" ; ex:modified "2024-06-01"^^xsd:date ; ex:part ex:a .
ex:r ex:about ex:c ; ex:modified "2025-01-01"^^xsd:date .
"""
PREFIXES = f"PREFIX ex: <{EX}>\nPREFIX xsd: <{XSD}>\n"
QUERIES = {
    "filter in a nested group": """SELECT (COUNT(DISTINCT ?d) AS ?n) ?filtered ?since WHERE {
        ?d a ex:Dataset .
        { FILTER (!?filtered) }
        UNION { ?d ex:modified ?m FILTER (?m >= ?since) }
        UNION { ?r ex:about ?d ; ex:modified ?m FILTER (?m >= ?since) }
    } GROUP BY ?filtered ?since""",
    "exists and optional": """SELECT ?d ?level ?title WHERE {
        ?d a ex:Dataset .
        OPTIONAL { ?d ex:title ?title }
        FILTER (?level = "" || EXISTS { ?d ex:level ?l FILTER (?l = ?level) })
    } ORDER BY ?d""",
    "bound subject": """SELECT ?d ?level ?m WHERE {
        ?d ex:level ?level . OPTIONAL { ?d ex:modified ?m } OPTIONAL { ?x ex:part ?d }
    }""",
    "strings, IRIs, comments and data blocks are left alone": """SELECT $d ?t ?level WHERE {
        # a comment with ?level and { braces }
        ?d ex:title ?t FILTER (CONTAINS(?t, "{?level}") || ?t = '''?level''' || ?d = <http://example.org/?level>)
        VALUES ?t { "甲 {?level}" "x" }
        FILTER (?level != "")
    }""",
    "subquery": """SELECT ?d ?level WHERE {
        { SELECT ?d ?level WHERE { ?d ex:level ?level } }
    }""",
}
BOOLEAN, DATE = ox.NamedNode(XSD + "boolean"), ox.NamedNode(XSD + "date")
CASES = [
    ("filter in a nested group", {"filtered": ox.Literal("false", datatype=BOOLEAN)}),
    (
        "filter in a nested group",
        {"filtered": ox.Literal("true", datatype=BOOLEAN), "since": ox.Literal("2024-01-01", datatype=DATE)},
    ),
    ("exists and optional", {"level": ox.Literal("2")}),
    ("exists and optional", {"level": ox.Literal("")}),
    ("exists and optional", {"d": ox.NamedNode(EX + "c"), "level": ox.Literal("2")}),
    ("bound subject", {"d": ox.NamedNode(EX + "c")}),
    ("bound subject", {"d": ox.NamedNode(EX + "b"), "level": ox.Literal("2")}),
    ("strings, IRIs, comments and data blocks are left alone", {"level": ox.Literal("1")}),
    ("subquery", {"level": ox.Literal("2")}),
]


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def answers(result: ox.QuerySolutions) -> tuple[list[str], list[tuple]]:
    variables = [v.value for v in result.variables]
    return variables, [tuple(row[v] for v in variables) for row in result]


@pytest.mark.parametrize(("name", "bindings"), CASES, ids=[f"{n}: {'+'.join(b)}" for n, b in CASES])
def test_rewritten_query_answers_like_pyoxigraph(engine: ox.Store, name: str, bindings: dict) -> None:
    query = PREFIXES + QUERIES[name]
    substitutions = {ox.Variable(k): v for k, v in bindings.items()}
    expected = answers(engine.query(query, substitutions=substitutions))
    assert expected[1], "a case that matches nothing would prove little"
    rewritten = substitute(query, substitutions)
    assert answers(engine.query(rewritten)) == expected, rewritten


def test_the_query_text_outside_groups_is_unchanged() -> None:
    query = PREFIXES + QUERIES["strings, IRIs, comments and data blocks are left alone"]
    rewritten = substitute(query, {ox.Variable("level"): ox.Literal("x")})
    assert rewritten.replace(' VALUES (?level) { ("x") }', "", 1) == query
    assert rewritten.count("VALUES (?level)") == 1, "only the WHERE clause mentions ?level outside strings"


def test_blank_nodes_cannot_be_substituted() -> None:
    with pytest.raises(StoreError, match="IRIs and literals only"):
        substitute("SELECT ?d WHERE { ?d ?p ?o }", {ox.Variable("d"): ox.BlankNode()})
