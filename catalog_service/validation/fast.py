"""The fast engine: the shapes compiled once into SPARQL queries that pyoxigraph runs over batches of records.

Each constraint becomes one SELECT query whose rows are the focus nodes (and value nodes) that violate it,
with the shape's targets as a sub-select or a filter. pyshacl (:mod:`.reference`) instead walks focus node by
focus node in Python; the queries give the same findings about a hundred times faster (docs/benchmarks.md),
the more so as pyoxigraph runs them on several threads.

Same findings, exactly: the compiler knows precisely the SHACL features our shapes use — ``sh:targetClass``
and ``sh:targetObjectsOf`` targets, predicate paths, ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``,
``sh:nodeKind``, ``sh:class``, ``sh:pattern``, ``sh:in``, ``sh:hasValue``, ``sh:uniqueLang``,
``sh:minLength``, ``sh:severity`` and SPARQL-based constraints on node shapes — and raises
:class:`UnsupportedShapeError` for anything else, so a new feature in the shapes cannot be silently ignored.
Where pyshacl's verdict depends on Python rather than SPARQL semantics it is reproduced in Python: whether a
literal is ill-typed is asked of rdflib (``"2020-13-45"^^xsd:date``), and ``sh:pattern`` runs Python's ``re``.

Batches: each batch is loaded, with the vocabulary, into the default graph of a fresh in-memory store.
An input of up to ``batch_triples`` triples is one batch. A bigger one is split into batches of whole
records, each record with every node reachable from it that is not itself a record (provider, data elements,
distributions), plus in every batch the triples reachable from no record (a catalog node, say). The shapes
read only forwards from focus nodes and from the vocabulary, so a record is judged alike in any batch; a
provider shared by records in two batches is found twice and reported once.

Each query returns each violation once: the batch store is a set of triples and the target sub-select is
DISTINCT, so counts need no DISTINCT; findings are de-duplicated by :func:`.report.assemble` anyway.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from catalog_service import namespaces as ns
from catalog_service.validation.reference import to_rdflib
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

BATCH_TRIPLES = 500_000
"""Most triples in one batch (about 10,000 entries); bigger inputs are split into batches of whole records.

Batches are as large as memory comfortably allows, because small ones cost time: the vocabulary is loaded
again for each and splitting is Python work (docs/benchmarks.md compares batches of about 1,000 entries).
"""

WORKERS = min(4, os.cpu_count() or 1)
"""Threads running a batch's queries (about twice as fast on two cores)."""

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_SUBCLASS_OF = ox.NamedNode(ns.RDFS + "subClassOf")
_DATASET = ox.NamedNode(ns.DCAT + "Dataset")
_NODE = ox.Variable("node")
_SUBCLASSES_OF_DATASET = f"SELECT DISTINCT ?class WHERE {{ ?class <{ns.RDFS}subClassOf>* <{ns.DCAT}Dataset> }}"

_NODE_SHAPE_PARAMETERS = {SH.targetClass, SH.targetObjectsOf, SH.property, SH.sparql, SH.severity, SH.message}
_PROPERTY_SHAPE_PARAMETERS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH["class"],
    SH.pattern,
    SH["in"],
    SH.hasValue,
    SH.uniqueLang,
    SH.minLength,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
}
_SPARQL_CONSTRAINT_PARAMETERS = {SH.select, SH.prefixes, SH.message}
_TARGET_PREDICATES = (SH.targetClass, SH.targetObjectsOf, SH.targetNode, SH.targetSubjectsOf, SH.target)
"""Every way to give a shape targets, so that a shape with an unsupported one is found and refused."""
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint}

_NODE_KIND_TESTS = {
    SH.IRI: "isIRI(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.BlankNodeOrIRI: "!isLiteral(?value)",
    SH.BlankNodeOrLiteral: "!isIRI(?value)",
    SH.IRIOrLiteral: "!isBlank(?value)",
}

_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.string): (str, bytes),
    str(RDF.langString): (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}
"""What pyshacl requires of rdflib's value for a literal of these datatypes; for others, not being ill-typed."""

_ALWAYS_WELL_TYPED = {str(XSD.string), str(RDF.langString)}
"""Datatypes whose literals rdflib never finds ill-typed, so the datatype alone decides."""

_SPARQL_FORBIDDEN = re.compile(r"[?$](?:PATH|shapesGraph|currentShape)\b|(?i:\bGRAPH\b)")
_NESTED_SELECT = re.compile(r"\{[^}]*\bSELECT\b", re.I | re.S)
_PROJECTS_THIS = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?[^{]*[?$]this\b", re.I)

# Query templates. {targets} is a sub-select of the shape's focus nodes, {is_target} a filter keeping focus
# nodes only; {path} is the predicate. Constraints that fail on a missing value (minCount, hasValue) and
# uniqueLang start from the focus nodes; the others find the offending values in a sub-select first and only
# then test for a focus node — the sub-select makes oxigraph keep that order, measured up to ten times faster.
_TARGETS = "{{ SELECT DISTINCT ?this WHERE {{ {alternatives} }} }}"
_IS_TARGET = "FILTER EXISTS {{ {alternatives} }}"
_INSTANCE_OF = f"<{ns.RDF}type>/<{ns.RDFS}subClassOf>*"
_TARGET_CLASS = "{{ ?this " + _INSTANCE_OF + " {cls} }}"
_TARGET_OBJECTS_OF = "{{ ?targetSubject {predicate} ?this }}"
_NO_VALUE = "SELECT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
_NO_VALUES = (
    "SELECT ?this ?check WHERE {{ {targets} VALUES (?check ?path) {{ {rows} }} "
    "FILTER NOT EXISTS {{ ?this ?path ?value }} }}"
)
"""The ``_NO_VALUE`` checks of one node shape in one query (``?check`` numbers them): four times faster than
one query each, as the focus nodes are found once."""
_MIN_COUNT = (
    "SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {path} ?value }} }} "
    "GROUP BY ?this HAVING (COUNT(?value) < {count})"
)
_MAX_COUNT = (
    "SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {path} ?value }} "
    "GROUP BY ?this HAVING (COUNT(?value) > {count}) }} {is_target} }}"
)
_VALUES_WHERE = (
    "SELECT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ ?this {path} ?value FILTER ({test}) }} }} "
    "{is_target} }}"
)
_NOT_INSTANCE = (
    "SELECT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ {{ ?this {path} ?value }} "
    "MINUS {{ ?value " + _INSTANCE_OF + " {cls} }} }} }} {is_target} }}"
)
_HAS_VALUE = (
    "SELECT ?this WHERE {{ {targets} FILTER NOT EXISTS {{ ?this {path} ?value FILTER (sameTerm(?value, {term})) }} }}"
)
_UNIQUE_LANG = (
    'SELECT ?this ?lang WHERE {{ {targets} ?this {path} ?value FILTER (isLiteral(?value) && LANG(?value) != "") '
    "BIND (LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(?value) > 1)"
)


class UnsupportedShapeError(ValueError):
    """The shapes use a SHACL feature the fast engine does not compile; extend the compiler and its tests."""


Interpreter = Callable[["_Check", ox.QuerySolutions], Iterator[Finding]]


@dataclass(frozen=True)
class _Check:
    """One compiled constraint: the query that finds its violations and how a row becomes a finding."""

    source_shape: str
    component: str
    severity: str
    path: str | None
    source_constraint: str | None
    query: str
    interpret: Interpreter
    required_of: str | None = None
    """For a ``sh:minCount 1``: the shape's focus nodes (a sub-select), which must each have a value."""

    def finding(self, focus: Term, value: Term | None, path: str | None = None) -> Finding:
        return Finding(
            focus, path or self.path, value, self.severity, self.component, self.source_shape, self.source_constraint
        )


@dataclass(frozen=True)
class _Query:
    """A query run on every batch, and how its rows become findings."""

    text: str
    findings: Callable[[ox.QuerySolutions], Iterator[Finding]]


def _queries(checks: list[_Check]) -> list[_Query]:
    """The queries that run ``checks``: one each, but one for all the ``sh:minCount 1`` of a node shape."""
    queries, required = [], defaultdict(list)
    for check in checks:
        if check.required_of is not None:
            required[check.required_of].append(check)
        else:
            queries.append(_Query(check.query, functools.partial(check.interpret, check)))
    for targets, group in required.items():
        rows = " ".join(f"({n} <{check.path}>)" for n, check in enumerate(group))
        queries.append(_Query(_NO_VALUES.format(targets=targets, rows=rows), functools.partial(_missing, group)))
    return queries


def _missing(checks: list[_Check], solutions: ox.QuerySolutions) -> Iterator[Finding]:
    for solution in solutions:
        yield checks[int(solution["check"].value)].finding(solution["this"], None)


class FastValidator:
    """The compiled shapes plus the vocabulary, ready to validate; reusable, and safe to share between threads."""

    def __init__(
        self,
        shapes: rdflib.Graph,
        vocabulary: Iterable[ox.Triple],
        batch_triples: int = BATCH_TRIPLES,
        workers: int = WORKERS,
    ) -> None:
        """Compile ``shapes`` (raises :class:`UnsupportedShapeError`) and keep ``vocabulary`` ready to load."""
        self.checks = _Compiler(shapes).compile()
        self._queries = _queries(self.checks)
        self.batch_triples = batch_triples
        self.workers = workers
        self._vocabulary = [ox.Quad(*t) for t in vocabulary]
        vocabulary_store = ox.Store()
        vocabulary_store.bulk_extend(self._vocabulary)
        self._dataset_classes = {s[0] for s in vocabulary_store.query(_SUBCLASSES_OF_DATASET)} | {_DATASET}

    def validate(self, triples: Sequence[ox.Triple]) -> ValidationReport:
        """Validate the records in ``triples``, in batches of at most about ``batch_triples`` triples.

        Each batch gets a fresh store with the vocabulary and the batch in its default graph: loading the
        vocabulary again is cheaper than querying a union of two graphs, and no state is shared between calls.
        The queries of a batch run on ``workers`` threads; pyoxigraph evaluates them without holding the GIL.
        """
        judged = _Judged()
        for batch in self._batches(triples):
            store = self._store()
            store.bulk_extend(ox.Quad(*t) for t in batch)
            self._judge(store, judged)
        return judged.report()

    def validate_ntriples(self, document: bytes) -> ValidationReport:
        """Validate the records of an N-Triples document as one batch (the caller keeps it to about
        ``batch_triples`` triples): pyoxigraph parses it straight into the batch's store, without a Python object
        per triple, which is how the harvesting pipeline validates."""
        store = self._store()
        store.bulk_load(document, format=ox.RdfFormat.N_TRIPLES)
        judged = _Judged()
        self._judge(store, judged)
        return judged.report()

    def _store(self) -> ox.Store:
        store = ox.Store()
        store.bulk_extend(self._vocabulary)
        return store

    def _judge(self, store: ox.Store, judged: _Judged) -> None:
        """Run every check on a batch's store and note its findings, records and the owners of other nodes."""
        with ThreadPoolExecutor(self.workers) as pool:
            found = [f for fs in pool.map(functools.partial(_run, store), self._queries) for f in fs]
        batch_records = {s[0] for s in store.query(RECORDS)}
        for node in {f.focus_node for f in found} - batch_records:
            judged.owners[node].update(s[0] for s in store.query(OWNERS, substitutions={_NODE: node}))
        judged.findings += found
        judged.records |= batch_records

    def _batches(self, triples: Sequence[ox.Triple]) -> list[Sequence[ox.Triple]]:
        """Split ``triples`` into batches of whole records (see the module docstring).

        The *context* — nodes reachable from no record, and what they reach — goes into every batch: a node
        that is not a record (say, an untyped copy of one) may still point at a provider or a data element,
        which then needs its triples wherever it is a focus node.
        """
        if len(triples) <= self.batch_triples:
            return [triples]
        by_subject: dict[Term, list[ox.Triple]] = defaultdict(list)
        links: dict[Term, list[Term]] = defaultdict(list)
        types: list[tuple[Term, Term]] = []
        subclasses: list[tuple[Term, Term]] = []
        for t in triples:
            subject, obj = t.subject, t.object
            by_subject[subject].append(t)
            if not isinstance(obj, ox.Literal):
                links[subject].append(obj)
                if t.predicate == _RDF_TYPE:
                    types.append((subject, obj))
                elif t.predicate == _SUBCLASS_OF:
                    subclasses.append((subject, obj))
        classes = _closure_under(self._dataset_classes, subclasses)
        records = dict.fromkeys(subject for subject, cls in types if cls in classes)

        def reachable(starts: Iterable[Term]) -> set[Term]:
            nodes, stack = set(starts), list(starts)
            while stack:
                for node in links.get(stack.pop(), ()):
                    if node not in nodes and node in by_subject and node not in records:
                        nodes.add(node)
                        stack.append(node)
            return nodes

        closures = [reachable([record]) for record in records]
        reached = set().union(*closures)
        context_nodes = reachable([s for s in by_subject if s not in reached])
        context = [t for node in context_nodes for t in by_subject[node]]
        batches: list[Sequence[ox.Triple]] = []
        nodes: set[Term] = set()
        size = len(context)
        for closure in closures:
            closure_size = sum(len(by_subject[node]) for node in closure - nodes - context_nodes)
            if nodes and size + closure_size > self.batch_triples:
                batches.append([t for node in nodes - context_nodes for t in by_subject[node]] + context)
                nodes, size = set(), len(context)
                closure_size = sum(len(by_subject[node]) for node in closure - context_nodes)
            nodes |= closure
            size += closure_size
        batches.append([t for node in nodes - context_nodes for t in by_subject[node]] + context)
        return batches


@dataclass
class _Judged:
    """What the batches of one validation found, until it is assembled into a report."""

    findings: list[Finding] = field(default_factory=list)
    records: set[Term] = field(default_factory=set)
    owners: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))

    def report(self) -> ValidationReport:
        return assemble(self.findings, self.records, self.owners)


def _run(store: ox.Store, query: _Query) -> list[Finding]:
    return list(query.findings(store.query(query.text)))


def _closure_under(classes: set[Term], subclass_edges: list[tuple[Term, Term]]) -> set[Term]:
    """``classes`` plus every class that ``subclass_edges`` (data-defined rdfs:subClassOf) puts below them."""
    found = set(classes)
    while more := {sub for sub, sup in subclass_edges if sup in found} - found:
        found |= more
    return found


class _Compiler:
    """Turns a shapes graph into :class:`_Check` objects, refusing what it cannot translate faithfully."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph

    def compile(self) -> list[_Check]:
        targeted = {s for p in _TARGET_PREDICATES for s in self.graph.subjects(p, None)}
        node_shapes = set(self.graph.subjects(RDF.type, SH.NodeShape)) | targeted
        self._refuse_unknown_shapes(node_shapes)
        checks: list[_Check] = []
        for shape in sorted(node_shapes):
            self._refuse(shape, _NODE_SHAPE_PARAMETERS, "node shape")
            if (shape, RDF.type, RDFS.Class) in self.graph or (shape, RDF.type, OWL.Class) in self.graph:
                raise UnsupportedShapeError(f"{shape}: implicit class targets are not supported")
            targets = self._targets(shape)
            if targets is None:
                continue
            for property_shape in sorted(self.graph.objects(shape, SH.property)):
                checks.extend(self._property_checks(property_shape, targets))
            for constraint in sorted(self.graph.objects(shape, SH.sparql)):
                checks.append(self._sparql_check(shape, constraint, targets))
        return checks

    def _refuse_unknown_shapes(self, node_shapes: set) -> None:
        """Shapes must be reachable from a node shape with targets: anything else pyshacl might still run."""
        known = set(node_shapes)
        for shape in node_shapes:
            known.update(self.graph.objects(shape, SH.property))
            known.update(self.graph.objects(shape, SH.sparql))
        for shape_type in _SHAPE_TYPES:
            for shape in self.graph.subjects(RDF.type, shape_type):
                if shape not in known:
                    raise UnsupportedShapeError(f"{shape}: a shape not reached from any targeted node shape")
        for shape in known:
            if isinstance(shape, rdflib.BNode):
                raise UnsupportedShapeError("every shape and constraint needs an IRI (results name them)")

    def _refuse(self, node: rdflib.term.Node, allowed: set, role: str) -> None:
        for predicate in set(self.graph.predicates(node, None)):
            if str(predicate).startswith(str(SH)) and predicate not in allowed:
                raise UnsupportedShapeError(f"{node}: {predicate} on a {role} is not supported")

    def _one(self, node: rdflib.term.Node, predicate: rdflib.URIRef) -> rdflib.term.Node | None:
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            raise UnsupportedShapeError(f"{node}: more than one {predicate}")
        return values[0] if values else None

    def _severity(self, shape: rdflib.term.Node) -> str:
        return severity_name(str(self._one(shape, SH.severity) or SH.Violation))

    def _integer(self, shape: rdflib.term.Node, predicate: rdflib.URIRef) -> int | None:
        value = self._one(shape, predicate)
        if value is None:
            return None
        if not (isinstance(value, rdflib.Literal) and isinstance(value.value, int)) or value.value < 0:
            raise UnsupportedShapeError(f"{shape}: {predicate} must be a non-negative integer")
        return value.value

    def _targets(self, shape: rdflib.term.Node) -> dict[str, str] | None:
        """The shape's focus nodes as a sub-select (``targets``) and as a filter (``is_target``)."""
        alternatives = [_TARGET_CLASS.format(cls=c.n3()) for c in sorted(self.graph.objects(shape, SH.targetClass))]
        alternatives += [
            _TARGET_OBJECTS_OF.format(predicate=p.n3()) for p in sorted(self.graph.objects(shape, SH.targetObjectsOf))
        ]
        if not alternatives:
            return None
        union = " UNION ".join(alternatives)
        return {"targets": _TARGETS.format(alternatives=union), "is_target": _IS_TARGET.format(alternatives=union)}

    def _property_checks(self, shape: rdflib.term.Node, targets: dict[str, str]) -> Iterator[_Check]:
        self._refuse(shape, _PROPERTY_SHAPE_PARAMETERS, "property shape")
        path = self._one(shape, SH.path)
        if not isinstance(path, rdflib.URIRef):
            raise UnsupportedShapeError(f"{shape}: only predicate paths are supported")
        severity = self._severity(shape)

        def check(component: str, query: str, interpret: Interpreter, required_of: str | None = None) -> _Check:
            return _Check(str(shape), str(SH) + component, severity, str(path), None, query, interpret, required_of)

        fill = {**targets, "path": path.n3()}
        if (count := self._integer(shape, SH.minCount)) is not None and count > 0:
            query = (_NO_VALUE if count == 1 else _MIN_COUNT).format(count=count, **fill)
            required_of = targets["targets"] if count == 1 else None
            yield check("MinCountConstraintComponent", query, _focus_rows, required_of)
        if (count := self._integer(shape, SH.maxCount)) is not None:
            yield check("MaxCountConstraintComponent", _MAX_COUNT.format(count=count, **fill), _focus_rows)
        if (datatype := self._one(shape, SH.datatype)) is not None:
            if datatype in (RDFS.Literal, RDFS.Datatype):
                raise UnsupportedShapeError(f"{shape}: sh:datatype {datatype} is not supported")
            lexical_check = "false" if str(datatype) in _ALWAYS_WELL_TYPED else "true"
            test = f"!isLiteral(?value) || DATATYPE(?value) != {datatype.n3()} || {lexical_check}"
            query = _VALUES_WHERE.format(test=test, **fill)
            yield check("DatatypeConstraintComponent", query, _datatype_rows(str(datatype)))
        if (kind := self._one(shape, SH.nodeKind)) is not None:
            if kind not in _NODE_KIND_TESTS:
                raise UnsupportedShapeError(f"{shape}: unknown sh:nodeKind {kind}")
            query = _VALUES_WHERE.format(test=f"!({_NODE_KIND_TESTS[kind]})", **fill)
            yield check("NodeKindConstraintComponent", query, _value_rows)
        for cls in sorted(self.graph.objects(shape, SH["class"])):
            yield check("ClassConstraintComponent", _NOT_INSTANCE.format(cls=cls.n3(), **fill), _value_rows)
        if (pattern := self._one(shape, SH.pattern)) is not None:
            query = _VALUES_WHERE.format(test="true", **fill)
            yield check("PatternConstraintComponent", query, _pattern_rows(re.compile(str(pattern))))
        if (members := self._one(shape, SH["in"])) is not None:
            same = " || ".join(f"sameTerm(?value, {m.n3()})" for m in rdflib.collection.Collection(self.graph, members))
            query = _VALUES_WHERE.format(test=f"!({same or 'false'})", **fill)
            yield check("InConstraintComponent", query, _value_rows)
        for term in sorted(self.graph.objects(shape, SH.hasValue)):
            yield check("HasValueConstraintComponent", _HAS_VALUE.format(term=term.n3(), **fill), _focus_rows)
        unique = self._one(shape, SH.uniqueLang)
        if unique is not None and unique.toPython() is True:
            yield check("UniqueLangConstraintComponent", _UNIQUE_LANG.format(**fill), _focus_rows)
        if (length := self._integer(shape, SH.minLength)) is not None and length > 0:
            query = _VALUES_WHERE.format(test=f"isBlank(?value) || STRLEN(STR(?value)) < {length}", **fill)
            yield check("MinLengthConstraintComponent", query, _value_rows)

    def _sparql_check(self, shape: rdflib.term.Node, constraint: rdflib.term.Node, targets: dict[str, str]) -> _Check:
        self._refuse(constraint, _SPARQL_CONSTRAINT_PARAMETERS, "SPARQL constraint")
        select = str(self._one(constraint, SH.select) or "")
        if not _PROJECTS_THIS.search(select):
            raise UnsupportedShapeError(f"{constraint}: the query must be SELECT … $this …")
        if _SPARQL_FORBIDDEN.search(select) or _NESTED_SELECT.search(select):
            raise UnsupportedShapeError(
                f"{constraint}: $PATH, pre-bound variables, GRAPH and sub-selects are not supported"
            )
        opening = select.find("{")
        query = (
            self._prefixes(constraint) + select[: opening + 1] + " " + targets["targets"] + " " + select[opening + 1 :]
        )
        return _Check(
            str(shape),
            str(SH.SPARQLConstraintComponent),
            self._severity(shape),
            None,
            str(constraint),
            query,
            _sparql_rows,
        )

    def _prefixes(self, constraint: rdflib.term.Node) -> str:
        lines = []
        for declarations in self.graph.objects(constraint, SH.prefixes):
            if (declarations, RDF.type, OWL.Ontology) not in self.graph:
                raise UnsupportedShapeError(f"{constraint}: sh:prefixes must name an owl:Ontology")
            for declaration in self.graph.objects(declarations, SH.declare):
                prefix = self._one(declaration, SH.prefix)
                namespace = self._one(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(sorted(lines))


def _focus_rows(check: _Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
    for solution in solutions:
        yield check.finding(solution["this"], None)


def _value_rows(check: _Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
    for solution in solutions:
        yield check.finding(solution["this"], solution["value"])


def _datatype_rows(datatype: str) -> Interpreter:
    """Rows are values that are not literals of ``datatype``, or are but may still be ill-typed."""

    def interpret(check: _Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
        for solution in solutions:
            value = solution["value"]
            if not (isinstance(value, ox.Literal) and value.datatype.value == datatype and _well_typed(value)):
                yield check.finding(solution["this"], value)

    return interpret


@functools.lru_cache(maxsize=4096)
def _well_typed(literal: ox.Literal) -> bool:
    """pyshacl's test, on rdflib's reading of the literal: not ill-typed, and a value of the expected kind."""
    parsed = to_rdflib(literal)
    if getattr(parsed, "ill_typed", False):
        return False
    expected = _VALUE_TYPES.get(literal.datatype.value)
    return expected is None or isinstance(parsed.value, expected)


def _pattern_rows(pattern: re.Pattern[str]) -> Interpreter:
    """Rows are all values; Python's ``re`` decides, as in pyshacl (so ``$`` also matches before a final newline)."""

    def interpret(check: _Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
        for solution in solutions:
            value = solution["value"]
            if isinstance(value, ox.BlankNode) or not pattern.search(value.value):
                yield check.finding(solution["this"], value)

    return interpret


def _sparql_rows(check: _Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
    """One finding per distinct row, as pyshacl; ``?value`` defaults to the focus node, ``?path`` to none."""
    names = [v.value for v in solutions.variables]
    rows = dict.fromkeys(tuple(solution[name] for name in names) for solution in solutions)
    for row in rows:
        bound = dict(zip(names, row, strict=True))
        path = bound.get("path")
        focus = bound["this"]
        value = bound.get("value")
        yield check.finding(focus, focus if value is None else value, None if path is None else path.value)


@functools.cache
def default_validator() -> FastValidator:
    """The validator for the profile's shapes and vocabulary, built on first use and then shared."""
    return FastValidator(shapes_graph(), vocabulary_triples())
