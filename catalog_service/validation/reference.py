"""The reference engine: pyshacl, run on the records together with the vocabulary.

This is the engine whose verdicts define what the shapes mean; the fast engine is tested against it. It is
slow (a few dozen records a second, docs/benchmarks.md), so it serves to explain single records and to check
the fast engine, not to validate harvests.

Two choices make it judge exactly the graph the fast engine judges:

* the vocabulary is *added to the data graph* rather than passed as pyshacl's ``ont_graph``: pyshacl copies
  only RDFS/OWL axioms out of an ``ont_graph``, not the code-list concepts, so ``sh:class gc:SharingType``
  would fail for every value;
* the records are first put through a pyoxigraph store, which keeps valid numeric, boolean and date literals in
  canonical form (``"01"^^xsd:integer`` becomes ``"1"``), and are then handed to rdflib *without* rdflib's own
  normalisation, so both engines see the same lexical forms — the forms the catalog store will hold.

pyshacl hands rdflib the text of a SPARQL constraint once per focus node, and rdflib parses it every time:
with our shapes that made pyshacl about 18 times slower (measured on 50 bench entries). This module therefore
registers, as rdflib's ``sparql`` query processor, one that parses each distinct query text once and then
reuses the prepared query — the use rdflib's ``prepareQuery`` exists for, so results are unchanged. It
applies to every rdflib query in the process.
"""

from __future__ import annotations

import functools
import logging
import threading
import warnings
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.processor import SPARQLProcessor, prepareQuery
from rdflib.query import Processor

from catalog_service.validation.report import (
    OWNERS,
    RECORDS,
    Finding,
    Term,
    ValidationReport,
    assemble,
    severity_name,
)
from catalog_service.validation.shapes import shapes_graph, vocabulary_triples

_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_VOCABULARY_LOCK = threading.Lock()


class _IllTypedLiteralFilter(logging.Filter):
    """Drops rdflib's log line for every ill-typed literal: in validation they are expected, and reported."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralFilter())
# rdflib also warns about some ill-typed literals ("Parsing weird boolean"); a filter rather than
# warnings.catch_warnings(), which is not thread-safe and the fast engine reads literals on several threads.
warnings.filterwarnings("ignore", category=UserWarning, module=r"rdflib\.term")


class _PreparingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each distinct query text once (see the module docstring)."""

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            strOrQuery = _prepared(strOrQuery, tuple(sorted((initNs or {}).items())), base)
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@functools.lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple, base: str | None) -> rdflib.plugins.sparql.sparql.Query:
    return prepareQuery(text, dict(namespaces), base)


rdflib.plugin.register("sparql", Processor, __name__, "_PreparingSPARQLProcessor")


def validate(triples: Sequence[ox.Triple], shapes: rdflib.Graph | None = None) -> ValidationReport:
    """Validate ``triples`` with pyshacl against ``shapes`` (the profile's by default).

    Raises :class:`RuntimeError` if pyshacl refuses the shapes.

    The records are added to the one in-memory vocabulary graph for the run and removed afterwards (copying
    the vocabulary would take longer than validating), so runs take turns.
    """
    data = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in canonical(triples)]
    with _VOCABULARY_LOCK:
        graph = _vocabulary_graph()
        added = [t for t in data if t not in graph]
        graph.addN((*t, graph) for t in added)
        try:
            _, results, text = pyshacl.validate(
                graph, shacl_graph=shapes if shapes is not None else shapes_graph(), inference="none", inplace=True
            )
            if isinstance(results, Exception):
                raise RuntimeError(text)
            findings = _findings(results)
            records = {from_rdflib(row[0]) for row in graph.query(RECORDS)}
            owners = {
                node: {from_rdflib(row[0]) for row in graph.query(OWNERS, initBindings={"node": to_rdflib(node)})}
                for node in {f.focus_node for f in findings} - records
            }
        finally:
            for t in added:
                graph.remove(t)
    return assemble(findings, records, owners)


def canonical(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples as a pyoxigraph store keeps them: duplicates gone, valid literals in canonical form."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store]


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib twin of a pyoxigraph term; literals keep their lexical form exactly.

    rdflib still works out a literal's value and whether it is ill-typed, which is what ``sh:datatype``
    consults; its complaints about ill-typed literals are silenced (they become validation results).
    """
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == _XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)


def from_rdflib(term: rdflib.term.Identifier) -> Term:
    """The pyoxigraph twin of an rdflib term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


@functools.cache
def _vocabulary_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in vocabulary_triples():
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def _findings(results_graph: rdflib.Graph) -> list[Finding]:
    findings = []
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        get = functools.partial(results_graph.value, result)
        path, constraint, value = get(SH.resultPath), get(SH.sourceConstraint), get(SH.value)
        findings.append(
            Finding(
                focus_node=from_rdflib(get(SH.focusNode)),
                result_path=None if path is None else str(path),
                value=None if value is None else from_rdflib(value),
                severity=severity_name(str(get(SH.resultSeverity))),
                component=str(get(SH.sourceConstraintComponent)),
                source_shape=str(get(SH.sourceShape)),
                source_constraint=None if constraint is None else str(constraint),
            )
        )
    return findings
