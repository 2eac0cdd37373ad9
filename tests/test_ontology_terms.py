"""Every ``gc:`` term the code writes into graphs that readers can query is defined in ``ontology/gov-catalog.ttl``.

The terms are found in the Python and SPARQL sources of ``catalog_service/`` and ``harvesters/``: written as
``ns.GC + "name"``, ``_iri(ns.GC, "name")``, ``f"<{ns.GC}name>"``, compliance's ``_gc("name")`` or ``gc:name``
(SPARQL text, docstrings). Terms the code builds from parts (the run counts, the request statuses, the
escalation targets) are listed from the code itself. Any other use of ``GC`` fails the test until it is
recognised here, so that a new way of writing a term cannot slip past the scan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

import catalog_service
import harvesters
from catalog_service.governance.requests import EscalationTarget, Status
from catalog_service.harvest.runs import COUNTS
from catalog_service.namespaces import GC, RDF
from catalog_service.resources import resource_dir

SOURCES = (Path(catalog_service.__file__).parent, Path(harvesters.__file__).parent)

INTERNAL = {
    # The harvest state of each source (catalog_service/harvest/records.py, RecordState.triples and
    # shared_state_triples): kept in the source's state graph, which no audience reads (CatalogStore.state_graphs,
    # docs/visibility.md). gc:checksum, gc:sourceKey and gc:authoritative are written there too, but also where
    # readers see them (catalog records, run details), so they are defined.
    "owns",
    "bodyStored",
    "public",
    # Page memory (catalog_service/harvest/pages.py, Memory.triples): also in the state graph.
    "pageUrl",
    "pageChecksum",
    "pageFingerprint",
    "pageItems",
    "pageShared",
    "nextPage",
}
"""Local names of terms written only into graphs no reader can query, hence not required in the ontology."""

# A name followed by ``+`` (``ns.GC + "Request" + …``) or ending in ``-`` (``gc:element-``) is only the start
# of terms: see PREFIXES.
_LITERAL = re.compile(r"""\bGC[ \t]*(?:\+|,)[ \t]*(["'])([^"'\n]*)\1([ \t]*\+)?""")  # ns.GC + "x", _iri(ns.GC, "x")
_FSTRING = re.compile(r"\{(?:ns\.)?GC\}([A-Za-z][\w-]*)")  # f"<{ns.GC}checksum>"
_HELPER = re.compile(r"""\b_gc\([ \t]*(["'])([^"'\n]*)\1[ \t]*\)""")  # compliance._gc("CatalogChangeNotice")
_CURIE = re.compile(r"(?<![\w/#:.-])gc:([A-Za-z][\w-]*)")  # gc:runStatus in SPARQL text and docstrings
_GC = re.compile(r"\bGC\b")

_OTHER_USES = [
    re.compile(pattern)
    for pattern in (
        # the namespace itself, its prefix, its import and its mention in a docstring
        r'^GC = BASE \+ "ns#"$',
        r'^"gc": GC,$',
        r"^from \S+ import .*\bGC\b",
        r"^GC,$",  # in a multi-line import
        r"``GC``",
        # the prefix declared in SPARQL text, and a test whether an N-Triples term is in the namespace
        r"PREFIX gc: <\{ns\.GC\}>",
        r'= "<" \+ ns\.GC$',
        # built from parts; computed_terms lists them from the code
        r"\{ns\.GC\}\{name\}Count",
        r'ns\.GC \+ \("LevelAdministrator" if self is EscalationTarget\.LEVEL_ADMINISTRATOR else "LeadingGroup"\)',
        # compliance's _gc(name): _HELPER finds the names its callers pass
        r"return ox\.NamedNode\(ns\.GC \+ name\)",
    )
]
"""Lines using ``GC`` without naming a term the patterns above find."""

PREFIXES = {"Request", "element-"}
"""Starts of terms: Status.iri appends the status (computed_terms lists them); api.py strips ``element-`` off
the profile elements' IRIs (gc:element-title …, defined in the ontology's profile section)."""


def source_files() -> list[Path]:
    return sorted(p for root in SOURCES for p in root.rglob("*") if p.suffix in {".py", ".rq"})


def _where(path: Path, text: str, offset: int) -> str:
    return f"{path.relative_to(SOURCES[0].parent)}:{text.count(chr(10), 0, offset) + 1}"


def scanned_terms() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Local names of the terms named in the sources, and the starts of terms, each with where it occurs."""
    names: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        for pattern, group in ((_LITERAL, 2), (_FSTRING, 1), (_HELPER, 2), (_CURIE, 1)):
            for match in pattern.finditer(text):
                name = match.group(group)
                partial = name.endswith("-") or (pattern is _LITERAL and match.group(3))
                (prefixes if partial else names)[name].add(_where(path, text, match.start()))
    return names, prefixes


def computed_terms() -> set[str]:
    """The terms the code builds from parts, as it builds them."""
    return {f"{GC}{name}Count" for name in COUNTS} | {s.iri for s in Status} | {t.iri for t in EscalationTarget}


@pytest.fixture(scope="module")
def defined() -> set[str]:
    """The gc: terms the ontology gives a type to."""
    quads = ox.parse(path=resource_dir("ontology") / "gov-catalog.ttl", format=ox.RdfFormat.TURTLE)
    rdf_type = ox.NamedNode(RDF + "type")
    return {q.subject.value for q in quads if q.predicate == rdf_type and q.subject.value.startswith(GC)}


def test_the_scan_finds_terms_in_every_form() -> None:
    names, prefixes = scanned_terms()
    assert {"runStatus", "harvestSource", "HarvestRun"} <= names.keys()  # ns.GC + "…"
    assert {"dataElement", "creditCode"} <= names.keys()  # _iri(ns.GC, "…")
    assert "bodyStored" in names  # f"<{ns.GC}bodyStored>"
    assert "CatalogChangeNotice" in names  # _gc("…")
    assert "conflictsCount" in names  # gc:… in SPARQL text
    assert set(prefixes) == PREFIXES


def test_every_use_of_the_namespace_is_recognised() -> None:
    """A term written in a form the scan does not know would escape it: extend the patterns instead."""
    unrecognised = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        found = [m.span() for p in (_LITERAL, _FSTRING) for m in p.finditer(text)]
        for match in _GC.finditer(text):
            if any(start <= match.start() < end for start, end in found):
                continue
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.start())].strip()
            if not any(p.search(line) for p in _OTHER_USES):
                unrecognised.append(f"{_where(path, text, match.start())}: {line}")
    assert unrecognised == []


def test_every_term_readers_can_query_is_defined(defined: set[str]) -> None:
    names, prefixes = scanned_terms()
    used = {GC + name: sorted(where) for name, where in names.items() if name not in INTERNAL}
    used |= {term: ["(built by the code)"] for term in computed_terms()}
    missing = {term.removeprefix(GC): where for term, where in used.items() if term not in defined}
    assert missing == {}, "define these terms in ontology/gov-catalog.ttl (or, if no reader sees them, in INTERNAL)"
    for prefix in prefixes:
        assert any(term.startswith(GC + prefix) for term in defined), prefix


def test_internal_terms_are_used_and_not_defined(defined: set[str]) -> None:
    """The allow-list stays current: a term defined since, or no longer used, comes off it."""
    names, _ = scanned_terms()
    assert INTERNAL - names.keys() == set(), "no longer used"
    assert {GC + name for name in INTERNAL} & defined == set(), "defined: take it off INTERNAL"
