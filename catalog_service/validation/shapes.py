"""The profile's SHACL shapes and the vocabulary they are checked against, each read once per process.

Both engines start from these two loaders, so they can never judge against different files. The shapes are
an rdflib graph because pyshacl (the reference engine) needs one and the fast engine only reads it while
compiling. The vocabulary is every Turtle file of ``ontology/`` (the ``gc:`` terms with their subclass axioms,
the code lists and the divisions): ``sh:class`` on a code-list value and the rules that follow
``skos:broader`` or ``gc:divisionLevel`` look there.
"""

import functools

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from catalog_service.resources import resource_dir

SHAPES_FILE = "gov-catalog-shapes.ttl"


@functools.cache
def shapes_graph() -> rdflib.Graph:
    """The shapes graph of ``shapes/gov-catalog-shapes.ttl``; shared, so callers must not modify it."""
    return rdflib.Graph().parse(resource_dir("shapes") / SHAPES_FILE, format="turtle")


@functools.cache
def vocabulary_triples() -> tuple[ox.Triple, ...]:
    """Every triple of ``ontology/*.ttl``, in file-name order."""
    triples: list[ox.Triple] = []
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        triples.extend(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    return tuple(triples)


def messages(source_shape: str, source_constraint: str | None = None) -> tuple[str, str]:
    """The Chinese and English ``sh:message`` of a result: its SPARQL constraint's, else its shape's."""
    index = _message_index()
    return index.get(source_constraint or "") or index.get(source_shape) or ("", "")


@functools.cache
def _message_index() -> dict[str, tuple[str, str]]:
    graph = shapes_graph()
    by_node: dict[str, dict[str, str]] = {}
    for node, message in graph.subject_objects(SH.message):
        if isinstance(message, rdflib.Literal) and message.language in ("zh", "en"):
            by_node.setdefault(str(node), {})[message.language] = str(message)
    return {node: (texts.get("zh", ""), texts.get("en", "")) for node, texts in by_node.items()}
