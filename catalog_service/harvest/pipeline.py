"""The shared harvest pipeline: fetch → map → validate → 一数一源 → store → search index → report.

Harvesters only fetch and map (``harvesters/``); every stage after that is here and knows nothing of any
source kind. A run of one source:

1. records the run as a ``prov:Activity`` (status *running*);
2. takes the harvester's items; each record gets stable skolem IRIs and a content checksum, and a record
   whose checksum matches the last run is *unchanged*: neither validated nor written again;
3. validates new and changed records in batches with the fast SHACL engine; invalid records never enter the
   catalog graph — they go to the source's quarantine graph with their report, and into the run report;
4. resolves 一数一源 against the copies other sources hold;
5. writes the result atomically: small changes as one in-place transaction, large ones as a new version of
   the source's graph (streamed, bulk-loaded) that readers are switched to at the end;
6. brings the search index in step for every resource the run added, changed, removed or demoted;
7. finishes the run with its counts, errors and issues.

Guards keep a broken or empty source from wiping a catalog: if more than ``max_invalid_share`` of the
records are invalid, or the source returns fewer than ``min_count_ratio`` of last run's records, the
previous version stays and the run is marked for *review*. A source-level failure (unreachable, unparseable,
over its time limit, aborted) keeps the previous version too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.harvest import authority
from catalog_service.harvest.records import (
    RecordState,
    SourceState,
    is_public,
    record_iri,
    shared_checksum,
    stable_record,
)
from catalog_service.harvest.runs import ABORTED, FAILED, REVIEW, SUCCEEDED, RecordIssue, Run, last_success
from catalog_service.rdfio import InputError
from catalog_service.search import SearchIndex
from catalog_service.store import CatalogStore, SourceWriter, source_iri
from catalog_service.validation import validate
from harvesters.base import (
    HarvestedRecord,
    HarvestError,
    KeepRecord,
    RecordFailure,
    SharedTriples,
    SourceConfig,
)
from harvesters.http import Fetcher, FetchError
from harvesters.registry import UnknownHarvesterType, harvester_class

QUARANTINE = ns.GRAPH + "quarantine/"

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")
_HAS_DATASET = ox.NamedNode(ns.DCAT + "dataset")


@dataclass
class Limits:
    """The knobs of a run; each may be set per source in its ``[[sources]]`` table."""

    max_invalid_share: float = 0.5
    min_count_ratio: float = 0.5
    time_limit: float = 3600.0
    batch_size: int = 5000
    in_place_limit: int = 50_000
    """Changes of up to this many triples are applied in place, in one transaction; more make a new version."""

    @classmethod
    def for_source(cls, source: SourceConfig) -> Limits:
        names = cls.__dataclass_fields__
        return cls(**{k: type(getattr(cls, k))(v) for k, v in source.options.items() if k in names})


class _Stop(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Pending:
    """A mapped record waiting for validation."""

    record: HarvestedRecord
    triples: list[ox.Triple]
    checksum: str


@dataclass
class _Outcome:
    """What this run decided, record by record."""

    seen: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)
    new_states: dict[str, RecordState] = field(default_factory=dict)
    adds: list[ox.Triple] = field(default_factory=list)
    adds_restricted: list[ox.Triple] = field(default_factory=list)
    quarantine: list[ox.Triple] = field(default_factory=list)
    shared: list[ox.Triple] = field(default_factory=list)
    demotions: dict[str, list[str]] = field(default_factory=dict)


def harvest(
    store: CatalogStore,
    source: SourceConfig,
    *,
    fetcher: Fetcher | None = None,
    abort: threading.Event | None = None,
    progress: Callable[[int], None] | None = None,
    index: SearchIndex | None = None,
) -> Run:
    """Run one source through the pipeline and return the finished run; ``index`` is kept in step with it."""
    return _Harvest(store, source, fetcher or Fetcher(), abort or threading.Event(), progress, index).run()


class _Harvest:
    def __init__(self, store, source, fetcher, abort, progress, index) -> None:
        self.index: SearchIndex | None = index
        self.store: CatalogStore = store
        self.source: SourceConfig = source
        self.fetcher: Fetcher = fetcher
        self.abort: threading.Event = abort
        self.progress = progress
        self.limits = Limits.for_source(source)
        self.run_ = Run(source.name)
        current = store.source(source.name)
        self.previous = SourceState.from_triples(
            source_iri(source.name), store.triples(source.name, state=True) if current else []
        )
        self.by_key = {r.key: r for r in self.previous.records.values()}
        self.writer: SourceWriter | None = None
        self.outcome = _Outcome()
        self.pending: list[_Pending] = []
        self.taken: set[str] = set()
        self.incremental = False
        """Whether this run named only part of the source (changes, or unchanged entries by key)."""
        self.now = self.run_.started

    # -- the run ----------------------------------------------------------------------------------

    def run(self) -> Run:
        self.run_.start(self.store)
        deadline = time.monotonic() + self.limits.time_limit
        try:
            harvester = harvester_class(self.source.type)(
                self.source, self.fetcher, since=last_success(self.store, self.source.name)
            )
            self.harvester = harvester
            for n, item in enumerate(harvester.harvest(), 1):
                if self.abort.is_set():
                    raise _Stop(ABORTED, "采集被中止 / the run was aborted")
                if time.monotonic() > deadline:
                    raise _Stop(FAILED, f"超过时限 / exceeded the time limit of {self.limits.time_limit:g} s")
                self._take(item)
                if self.progress:
                    self.progress(n)
            self._validate_pending()
            if harvester.partial:
                self._keep_unseen()
            self._check_guards()
            touched = self._write()
            if self.index is not None:
                self.index.refresh(self.store, touched)
            status = SUCCEEDED
        except _Stop as stop:
            status = stop.status
            self.run_.errors.append(str(stop))
        except (FetchError, HarvestError, InputError, UnknownHarvesterType) as error:
            status = FAILED
            self.run_.errors.append(str(error))
        except Exception as error:  # a bug must not leave the run "running" forever
            status = FAILED
            self.run_.errors.append(f"内部错误 / internal error: {type(error).__name__}: {error}")
            self._abandon()
            self.run_.finish(self.store, status)
            raise
        if status != SUCCEEDED:
            self._abandon()
        self.run_.finish(self.store, status)
        return self.run_

    def _abandon(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None

    # -- stage: take what the harvester yields ----------------------------------------------------

    def _take(self, item) -> None:
        if isinstance(item, SharedTriples):
            self.outcome.shared.extend(item.triples)
        elif isinstance(item, RecordFailure):
            self.run_.counts["failed"] += 1
            self.run_.issue(RecordIssue("failed", item.key, [item.message_zh], [item.message_en]))
        elif isinstance(item, KeepRecord):
            self.incremental = True
            previous = self.by_key.get(item.key)
            if previous is None:
                self.run_.counts["failed"] += 1
                self.run_.issue(
                    RecordIssue(
                        "failed",
                        item.key,
                        ["来源称未变化，但本节点没有该条目"],
                        ["the source says unchanged, but this node never had it"],
                    )
                )
            else:
                self._unchanged(previous)
        elif isinstance(item, HarvestedRecord):
            self._take_record(item)

    def _take_record(self, record: HarvestedRecord) -> None:
        key = record.key or record.iri
        if not record.iri:
            self.run_.counts["failed"] += 1
            self.run_.issue(RecordIssue("failed", key, ["条目没有 IRI"], ["the record has no IRI"]))
            return
        if record.iri in self.taken:
            self.run_.counts["failed"] += 1
            self.run_.issue(
                RecordIssue(
                    "failed",
                    key,
                    ["同一数据源内信息资源代码重复"],
                    ["the same resource appears twice in this source"],
                    record.iri,
                )
            )
            return
        self.taken.add(record.iri)
        triples, checksum = stable_record(record.iri, record.triples)
        previous = self.previous.records.get(record.iri)
        if previous is not None and previous.checksum == checksum:
            self._unchanged(previous)
            return
        self.pending.append(_Pending(record, triples, checksum))
        if len(self.pending) >= self.limits.batch_size:
            self._validate_pending()

    def _unchanged(self, previous: RecordState) -> None:
        self.taken.add(previous.iri)
        self.outcome.seen.add(previous.iri)
        self.outcome.new_states[previous.iri] = previous
        self.run_.counts["unchanged"] += 1

    def _keep_unseen(self) -> None:
        """In a partial run, the entries the source did not list are unchanged, not gone."""
        self.incremental = True
        for iri, previous in self.previous.records.items():
            if iri not in self.taken:
                self._unchanged(previous)

    # -- stage: validate --------------------------------------------------------------------------

    def _validate_pending(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        report = validate([t for p in batch for t in p.triples] + self.outcome.shared)
        invalid = report.invalid_records()
        problems: dict[str, list] = {}
        for result in report.results:
            if result.severity == "Violation" and result.record in invalid:
                problems.setdefault(result.record, []).append(result)
        valid = [p for p in batch if p.record.iri not in invalid]
        for p in batch:
            self.outcome.seen.add(p.record.iri)
            if p.record.iri in invalid:
                self.run_.counts["invalid"] += 1
                results = problems.get(p.record.iri, [])
                self.run_.issue(
                    RecordIssue(
                        "invalid",
                        p.record.key or p.record.iri,
                        [r.message("zh") for r in results],
                        [r.message("en") for r in results],
                        p.record.iri,
                    )
                )
                self.outcome.quarantine.extend(p.triples)
        self._resolve_and_stage(valid)

    # -- stage: 一数一源 ---------------------------------------------------------------------------

    def _resolve_and_stage(self, valid: list[_Pending]) -> None:
        copies = authority.copies_elsewhere(self.store, self.source.name, [p.record.iri for p in valid])
        for p in valid:
            iri = p.record.iri
            others = copies.get(iri, [])
            mine = authority.is_authoritative(self.source, iri, p.triples)
            body_elsewhere = [c for c in others if c.body_stored]
            if mine:
                for c in body_elsewhere:
                    if not c.authoritative:
                        self.outcome.demotions.setdefault(c.source, []).append(iri)
                store_body = not any(c.authoritative for c in body_elsewhere)
            else:
                store_body = not body_elsewhere
            for c in others:
                if c.checksum != p.checksum and (c.authoritative or mine or c.body_stored):
                    self.run_.counts["conflicts"] += 1
                    self.run_.issue(
                        RecordIssue(
                            "conflict",
                            p.record.key or iri,
                            [f"与数据源 {c.source} 中的副本内容不一致"],
                            [f"differs from the copy in source {c.source}"],
                            iri,
                        )
                    )
            self._stage(p, store_body, mine)

    def _stage(self, pending: _Pending, store_body: bool, authoritative: bool) -> None:
        iri = pending.record.iri
        previous = self.previous.records.get(iri)
        self.run_.counts["updated" if previous else "added"] += 1
        catalog_record = record_iri(self.source.name, iri)
        triples = (pending.triples if store_body else []) + self._catalog_record(
            catalog_record, iri, pending, previous, authoritative
        )
        owns = {t.subject.value for t in triples}
        public = is_public(iri, pending.triples)
        self.outcome.new_states[iri] = RecordState(
            iri=iri,
            checksum=pending.checksum,
            key=pending.record.key or iri,
            first_seen=previous.first_seen if previous else self.now,
            owns=owns,
            body_stored=store_body,
            authoritative=authoritative,
            public=public,
        )
        self._emit(triples, restricted=not public)

    def _catalog_record(
        self, record: str, dataset: str, pending: _Pending, previous: RecordState | None, authoritative: bool
    ) -> list[ox.Triple]:
        node = ox.NamedNode(record)
        first = (previous.first_seen if previous else self.now).isoformat()
        return [
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.DCAT + "CatalogRecord")),
            ox.Triple(node, ox.NamedNode(ns.FOAF + "primaryTopic"), ox.NamedNode(dataset)),
            ox.Triple(node, ox.NamedNode(ns.DCT + "issued"), ox.Literal(first, datatype=_XSD_DATETIME)),
            ox.Triple(
                node, ox.NamedNode(ns.DCT + "modified"), ox.Literal(self.now.isoformat(), datatype=_XSD_DATETIME)
            ),
            ox.Triple(node, ox.NamedNode(ns.GC + "checksum"), ox.Literal(pending.checksum)),
            ox.Triple(node, ox.NamedNode(ns.GC + "harvestSource"), ox.NamedNode(source_iri(self.source.name))),
            ox.Triple(
                node,
                ox.NamedNode(ns.GC + "authoritative"),
                ox.Literal(str(authoritative).lower(), datatype=_XSD_BOOLEAN),
            ),
            ox.Triple(node, ox.NamedNode(ns.PROV + "wasGeneratedBy"), ox.NamedNode(self.run_.iri)),
        ]

    # -- stage: store -----------------------------------------------------------------------------

    def _emit(self, triples: list[ox.Triple], *, restricted: bool = False) -> None:
        """Hold changes for one in-place transaction until they grow too large, then stream a new version.

        ``restricted`` triples (of an entry not open to society) go to the version's restricted graph.
        """
        held = len(self.outcome.adds) + len(self.outcome.adds_restricted)
        if self.writer is None and (
            self.store.source(self.source.name) is None or held + len(triples) > self.limits.in_place_limit
        ):
            self.writer = self.store.new_version(self.source.name)
            self.writer.add(self.outcome.adds)
            self.writer.add(self.outcome.adds_restricted, restricted=True)
            self.outcome.adds, self.outcome.adds_restricted = [], []
        if self.writer is not None:
            self.writer.add(triples, restricted=restricted)
        elif restricted:
            self.outcome.adds_restricted.extend(triples)
        else:
            self.outcome.adds.extend(triples)

    def _check_guards(self) -> None:
        counts = self.run_.counts
        judged = counts["invalid"] + len(self.outcome.new_states)
        if judged and counts["invalid"] / judged > self.limits.max_invalid_share:
            self._stop_for_review(
                f"不合规条目占比 {counts['invalid'] / judged:.0%}，超过 {self.limits.max_invalid_share:.0%} / "
                f"{counts['invalid']} of {judged} records are invalid, more than the allowed share"
            )
        before = len(self.previous.records)
        after = len(self.outcome.new_states)
        if before and after < before * self.limits.min_count_ratio:
            self._stop_for_review(
                f"条目数由 {before} 骤降至 {after} / the source returned {after} records, "
                f"down from {before}; the previous version is kept"
            )

    def _stop_for_review(self, message: str) -> None:
        raise _Stop(REVIEW, message)

    def _write(self) -> list[str]:
        """Store the run's outcome; return the resources whose description may have changed."""
        previous, outcome = self.previous, self.outcome
        vanished = [s for iri, s in previous.records.items() if iri not in outcome.seen]
        self.run_.counts["removed"] = len(vanished)
        changed = [
            previous.records[i]
            for i in outcome.new_states
            if i in previous.records and outcome.new_states[i] is not previous.records[i]
        ]
        if self.incremental:
            outcome.shared = self._with_unsent_shared(outcome.shared)
        shared_sum = shared_checksum(outcome.shared)
        hidden = {iri for iri, s in outcome.new_states.items() if not s.public}
        hidden_before = {iri for iri, s in previous.records.items() if not s.public}
        # links to a non-public entry (a catalog's ``dcat:dataset``) and nodes named under its IRI (its data service)
        # live in the restricted graph with the entry
        shared_public, shared_restricted = [], []
        for t in outcome.shared:
            secret = t.object.value in hidden or _owner(t.subject.value, hidden)
            (shared_restricted if secret else shared_public).append(t)
        shared_changed = shared_sum != previous.shared_checksum or hidden != hidden_before
        state = SourceState(outcome.new_states, {t.subject.value for t in outcome.shared}, shared_sum)
        drop = {s for r in vanished + changed for s in r.owns}
        if shared_changed:
            drop |= previous.shared_subjects
        source_node = source_iri(self.source.name)
        if self.writer is None and self.store.source(self.source.name) is None:
            self.writer = self.store.new_version(self.source.name)
        if self.writer is not None:
            self.writer.add(shared_public if shared_changed else [])
            self.writer.add(shared_restricted if shared_changed else [], restricted=True)
            self.writer.copy_previous(except_subjects=drop)
            state_triples = state.source_triples(source_node)
            state_triples += [t for r in outcome.new_states.values() for t in r.triples()]
            self.writer.commit(state_triples)
            self.writer = None
        else:
            touched = [r.iri for r in vanished + changed] + [i for i in outcome.new_states if i not in previous.records]
            self.store.update_source(
                self.source.name,
                remove_subjects=drop,
                add=outcome.adds + (shared_public if shared_changed else []),
                add_restricted=outcome.adds_restricted + (shared_restricted if shared_changed else []),
                state_remove_subjects=touched + ([source_node] if shared_changed else []),
                state_add=[t for i in touched if i in outcome.new_states for t in outcome.new_states[i].triples()]
                + (state.source_triples(source_node) if shared_changed else []),
            )
        self.store.write_graph(QUARANTINE + self.source.name, outcome.quarantine)
        self._demote()
        unchanged = {iri for iri, state in outcome.new_states.items() if state is previous.records.get(iri)}
        return [iri for iri in outcome.new_states if iri not in unchanged] + [r.iri for r in vanished]

    def _with_unsent_shared(self, shared: list[ox.Triple]) -> list[ox.Triple]:
        """Shared descriptions (providers) the kept records still need, though this run did not send them."""
        sent = {t.subject for t in shared}
        graphs = [ox.NamedNode(g) for g in self.store.source(self.source.name).graphs()]
        kept = [
            q.triple
            for subject in sorted(self.previous.shared_subjects)
            if ox.NamedNode(subject) not in sent
            for graph in graphs
            for q in self.store.raw.quads_for_pattern(ox.NamedNode(subject), None, None, graph)
        ]
        return shared + kept

    def _demote(self) -> None:
        """Remove the stand-in bodies other sources hold of resources this source now provides authoritatively."""
        for other, datasets in self.outcome.demotions.items():
            entry = self.store.source(other)
            if entry is None:
                continue
            state = SourceState.from_triples(source_iri(other), self.store.triples(other, state=True))
            remove, state_add, demoted = set(), [], []
            for iri in datasets:
                record = state.records.get(iri)
                if record is None or not record.body_stored:
                    continue
                keep = record_iri(other, iri)
                remove |= {s for s in record.owns if s != keep}
                record.owns = {keep}
                record.body_stored = False
                state_add += record.triples()
                demoted.append(iri)
            if remove:
                self.store.update_source(
                    other, remove_subjects=remove, state_remove_subjects=demoted, state_add=state_add
                )


def _owner(subject: str, hidden: set[str]) -> bool:
    """Whether ``subject`` is, or is named under (``…/service``), the IRI of an entry in ``hidden``."""
    cut = len(subject)
    while cut > 0:
        if subject[:cut] in hidden:
            return True
        cut = subject.rfind("/", 0, cut)
    return False
