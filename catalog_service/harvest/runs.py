"""Harvest runs as PROV activities, queryable over SPARQL while and after they run.

A run is a ``prov:Activity`` (and ``gc:HarvestRun``) that ``prov:used`` its source, with start and end times,
a status and counts, errors, and one ``gc:RecordIssue`` per record that was invalid, could not be mapped or
conflicts with another copy. A run still marked *running* whose process is gone died with it:
:func:`fail_interrupted_runs` marks it failed.

A run is written in two graphs, because its record-level details would otherwise reach the public (who read
the runs graph over SPARQL, ``/api/sources`` and the sources page): an issue names a record's key and IRI and
quotes its SHACL messages, and an error may quote a source's text — of entries that may not be open to society.

* ``RUNS_GRAPH`` (every audience): the run-level facts — types, source, times, status and the counts, which are
  totals over the source and name no record;
* ``RUN_DETAILS_GRAPH`` (government users only, see ``CatalogStore.current_graphs``): the record issues, the
  errors and the process that runs it.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.store import RUN_DETAILS_GRAPH, RUNS_GRAPH, CatalogStore, source_iri

RUN = ns.BASE + "run/"
COUNTS = ("added", "updated", "unchanged", "removed", "invalid", "failed", "conflicts")
"""Counts every run reports; ``failed`` are records the harvester could not map."""

RUNNING, SUCCEEDED, FAILED, REVIEW, ABORTED = "running", "succeeded", "failed", "review", "aborted"

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
_STATUS = ox.NamedNode(ns.GC + "runStatus")
_STARTED = ox.NamedNode(ns.PROV + "startedAtTime")
_ENDED = ox.NamedNode(ns.PROV + "endedAtTime")
_ERROR = ox.NamedNode(ns.GC + "runError")
_ISSUE = ox.NamedNode(ns.GC + "recordIssue")
_PROCESS = ox.NamedNode(ns.GC + "processId")
_PARTIAL = ox.NamedNode(ns.GC + "partialRun")
_XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")

MAX_ISSUES_STORED = 1000
"""Issues kept per run in the store; the count stays exact beyond it."""


@dataclass
class RecordIssue:
    """A record of a run that did not make it into the catalog, or that conflicts with another copy."""

    kind: str
    """``invalid`` (SHACL violations), ``failed`` (could not be mapped) or ``conflict``."""
    key: str
    messages_zh: list[str]
    messages_en: list[str]
    record: str | None = None


@dataclass
class Run:
    """One harvest of one source, recorded as it goes."""

    source: str
    iri: str = field(default_factory=lambda: f"{RUN}{uuid.uuid4()}")
    started: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    ended: datetime | None = None
    status: str = RUNNING
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    errors: list[str] = field(default_factory=list)
    issues: list[RecordIssue] = field(default_factory=list)
    partial: bool = False
    """Whether the source listed only what changed since an earlier run (so removals went unseen)."""

    def start(self, store: CatalogStore) -> None:
        """Record the run as running, with this process's identity for crash detection."""
        store.append(RUN_DETAILS_GRAPH.value, self._details())
        store.append(RUNS_GRAPH.value, self._facts())

    def finish(self, store: CatalogStore, status: str) -> None:
        """Record the outcome, replacing the running entry: the details first, so that a reader who sees the
        final status finds them (a crash in between leaves the run *running*, for :func:`fail_interrupted_runs`)."""
        self.status = status
        self.ended = datetime.now(UTC).replace(microsecond=0)
        store.append(RUN_DETAILS_GRAPH.value, self._details(), remove_subjects=[self.iri])
        store.append(RUNS_GRAPH.value, self._facts(), remove_subjects=[self.iri])

    def issue(self, issue: RecordIssue) -> None:
        self.issues.append(issue)

    def _facts(self) -> list[ox.Triple]:
        """What anyone may read: the run's source, times, status and counts."""
        run = ox.NamedNode(self.iri)
        out = [
            ox.Triple(run, _RDF_TYPE, ox.NamedNode(ns.PROV + "Activity")),
            ox.Triple(run, _RDF_TYPE, ox.NamedNode(ns.GC + "HarvestRun")),
            ox.Triple(run, ox.NamedNode(ns.PROV + "used"), ox.NamedNode(source_iri(self.source))),
            ox.Triple(run, _STARTED, ox.Literal(self.started.isoformat(), datatype=_XSD_DATETIME)),
            ox.Triple(run, _STATUS, ox.Literal(self.status)),
        ]
        if self.partial:
            out.append(ox.Triple(run, _PARTIAL, ox.Literal("true", datatype=_XSD_BOOLEAN)))
        if self.ended:
            out.append(ox.Triple(run, _ENDED, ox.Literal(self.ended.isoformat(), datatype=_XSD_DATETIME)))
        for name, value in self.counts.items():
            out.append(
                ox.Triple(run, ox.NamedNode(f"{ns.GC}{name}Count"), ox.Literal(str(value), datatype=_XSD_INTEGER))
            )
        return out

    def _details(self) -> list[ox.Triple]:
        """What government users only may read: the process, the errors and the record issues."""
        run = ox.NamedNode(self.iri)
        out = []
        if self.status == RUNNING:
            out.append(ox.Triple(run, _PROCESS, ox.Literal(f"{socket.gethostname()}:{os.getpid()}")))
        out += [ox.Triple(run, _ERROR, ox.Literal(e)) for e in self.errors]
        for n, issue in enumerate(self.issues[:MAX_ISSUES_STORED]):
            node = ox.NamedNode(f"{self.iri}/issue/{n}")
            out += [
                ox.Triple(run, _ISSUE, node),
                ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.GC + "RecordIssue")),
                ox.Triple(node, ox.NamedNode(ns.GC + "issueKind"), ox.Literal(issue.kind)),
                ox.Triple(node, ox.NamedNode(ns.GC + "sourceKey"), ox.Literal(issue.key)),
            ]
            if issue.record:
                out.append(ox.Triple(node, ox.NamedNode(ns.FOAF + "primaryTopic"), ox.NamedNode(issue.record)))
            out += [
                ox.Triple(node, ox.NamedNode(ns.RDFS + "comment"), ox.Literal(m, language="zh"))
                for m in issue.messages_zh
            ]
            out += [
                ox.Triple(node, ox.NamedNode(ns.RDFS + "comment"), ox.Literal(m, language="en"))
                for m in issue.messages_en
            ]
        return out


def last_success(store: CatalogStore, source: str) -> datetime | None:
    """Start of the source's last successful run: what incremental harvesters ask for changes since."""
    return _last_success(store, source, "")


def last_complete_success(store: CatalogStore, source: str) -> datetime | None:
    """Start of the source's last successful run that was not partial (it saw which entries were removed)."""
    return _last_success(store, source, f"FILTER NOT EXISTS {{ ?run <{_PARTIAL.value}> true }}")


def _last_success(store: CatalogStore, source: str, condition: str) -> datetime | None:
    query = f"""
        SELECT (MAX(?start) AS ?last) WHERE {{ GRAPH <{RUNS_GRAPH.value}> {{
            ?run <{ns.PROV}used> <{source_iri(source)}> ; <{_STATUS.value}> "{SUCCEEDED}" ; <{_STARTED.value}> ?start
            {condition}
        }} }}"""
    row = next(iter(store.raw.query(query)))
    return datetime.fromisoformat(row["last"].value) if row["last"] is not None else None


def fail_interrupted_runs(store: CatalogStore) -> list[str]:
    """Mark failed every run still *running* whose process on this host is gone; return their IRIs.

    First moves the details of runs recorded before they had a graph of their own (see the module's docstring).
    """
    move_details_out_of_runs_graph(store)
    runs, details = RUNS_GRAPH.value, RUN_DETAILS_GRAPH.value
    query = f"""
        SELECT ?run ?process WHERE {{
            GRAPH <{runs}> {{ ?run <{_STATUS.value}> "{RUNNING}" }}
            GRAPH <{details}> {{ ?run <{_PROCESS.value}> ?process }} }}"""
    dead = []
    for row in store.raw.query(query):
        host, _, pid = row["process"].value.rpartition(":")
        if host == socket.gethostname() and not _alive(int(pid)):
            dead.append(row["run"].value)
    for run in dead:
        message = "进程在采集过程中终止 / the process died during the run"
        ended = datetime.now(UTC).replace(microsecond=0).isoformat()
        store.raw.update(
            f"DELETE WHERE {{ GRAPH <{details}> {{ <{run}> <{_PROCESS.value}> ?p }} }};\n"
            f'INSERT DATA {{ GRAPH <{details}> {{ <{run}> <{_ERROR.value}> "{message}" }} }};\n'
            f"DELETE WHERE {{ GRAPH <{runs}> {{ <{run}> <{_STATUS.value}> ?s }} }};\n"
            f'INSERT DATA {{ GRAPH <{runs}> {{ <{run}> <{_STATUS.value}> "{FAILED}" ; '
            f'<{_ENDED.value}> "{ended}"^^<{_XSD_DATETIME.value}> }} }}'
        )
    return dead


def move_details_out_of_runs_graph(store: CatalogStore) -> None:
    """Move the errors, processes and record issues that runs recorded before ``RUN_DETAILS_GRAPH`` existed
    out of the graph every audience reads: one update, idempotent, and cheap when there is nothing to move."""
    runs, details = RUNS_GRAPH.value, RUN_DETAILS_GRAPH.value

    def move(pattern: str) -> str:
        return (
            f"DELETE {{ GRAPH <{runs}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{details}> {{ ?s ?p ?o }} }} "
            f"WHERE {{ GRAPH <{runs}> {{ {pattern} }} }}"
        )

    issue_nodes = move(f"?run <{_ISSUE.value}> ?s . ?s ?p ?o")  # first, while the runs still link them
    run_details = move(f"VALUES ?p {{ <{_ERROR.value}> <{_PROCESS.value}> <{_ISSUE.value}> }} ?s ?p ?o")
    store.raw.update(f"{issue_nodes};\n{run_details}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
