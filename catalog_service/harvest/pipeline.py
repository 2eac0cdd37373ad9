"""The shared harvest pipeline: fetch → map → validate → 一数一源 → store → search index → report.

Harvesters only fetch and map (``harvesters/``); every stage after that is here and knows nothing of any
source kind. A run of one source:

1. records the run as a ``prov:Activity`` (status *running*);
2. takes the harvester's items; each record gets stable skolem IRIs and a content checksum, and a record
   whose checksum matches the last run is *unchanged*: neither validated nor written again. A page fetched
   byte for byte as the last run saw it is not even parsed: its items are replayed from the page memory
   (:mod:`.pages`), invalid records with their verdicts;
3. validates new and changed records in batches with the fast SHACL engine; invalid records never enter the
   catalog graph — they go to the source's quarantine graph with their report, and into the run report;
4. resolves 一数一源 against the copies other sources hold;
5. writes the result atomically: small changes as one in-place transaction, large ones as a new version of
   the source's graph (streamed, bulk-loaded) that readers are switched to at the end;
6. brings the search index in step for every resource the run added, changed, removed or demoted;
7. finishes the run with its counts, errors and issues.

Records travel as N-Triples lines (:mod:`catalog_service.ntriples`) from the parsed page to the store:
pyoxigraph parses them into the validation store and into the quads it writes, and Python never makes an
object per triple on the way.

Guards keep a broken or empty source from wiping a catalog: if more than ``max_invalid_share`` of the
records are invalid, or the source returns fewer than ``min_count_ratio`` of last run's records, the
previous version stays and the run is marked for *review*. A source-level failure (unreachable, unparseable,
over its time limit, aborted) keeps the previous version too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service import ntriples
from catalog_service.governance.editing import edited_here
from catalog_service.harvest import authority, pages
from catalog_service.harvest.records import (
    RecordState,
    StateIndex,
    is_public_lines,
    read_keys,
    read_records,
    record_iri,
    shared_checksum,
    shared_state_triples,
    stable_record,
)
from catalog_service.harvest.runs import (
    ABORTED,
    FAILED,
    REVIEW,
    SUCCEEDED,
    RecordIssue,
    Run,
    last_complete_success,
    last_success,
)
from catalog_service.rdfio import InputError
from catalog_service.search import SearchIndex
from catalog_service.store import CatalogStore, SourceChanged, SourceWriter, source_iri
from catalog_service.validation.fast import default_validator
from harvesters.base import (
    HarvestedRecord,
    HarvestError,
    KeepPage,
    KeepRecord,
    Page,
    RecordFailure,
    SharedTriples,
    SourceConfig,
)
from harvesters.http import Fetcher, FetchError
from harvesters.registry import UnknownHarvesterType, harvester_class

QUARANTINE = ns.GRAPH + "quarantine/"
_BULK_QUADS = 10_000
"""Above this many quads ``bulk_extend`` is faster than ``extend`` despite its fixed cost (about 0.15 s a call)."""
_NQUADS = ox.RdfFormat.N_QUADS

# terms as N-Triples text
_RDF_TYPE = ntriples.iri(ns.RDF + "type")
_CATALOG_RECORD = ntriples.iri(ns.DCAT + "CatalogRecord")
_PRIMARY_TOPIC = ntriples.iri(ns.FOAF + "primaryTopic")
_ISSUED = ntriples.iri(ns.DCT + "issued")
_MODIFIED = ntriples.iri(ns.DCT + "modified")
_CHECKSUM = ntriples.iri(ns.GC + "checksum")
_HARVEST_SOURCE = ntriples.iri(ns.GC + "harvestSource")
_AUTHORITATIVE = ntriples.iri(ns.GC + "authoritative")
_GENERATED_BY = ntriples.iri(ns.PROV + "wasGeneratedBy")
_XSD_DATETIME = ntriples.iri(ns.XSD + "dateTime")
_XSD_BOOLEAN = ntriples.iri(ns.XSD + "boolean")
_AUTHORITY_TERMS = (ntriples.iri(ns.GC + "level"), ntriples.iri(ns.DCT + "spatial"))
"""The predicates :func:`authority.is_authoritative` reads."""


@dataclass
class Limits:
    """The knobs of a run; each may be set per source in its ``[[sources]]`` table."""

    max_invalid_share: float = 0.5
    min_count_ratio: float = 0.5
    time_limit: float = 3600.0
    batch_size: int = 5000
    in_place_limit: int = 50_000
    """Changes of up to this many triples are applied in place, in one transaction; more make a new version."""
    full_every: float = 7.0
    """Days between complete runs of a source harvested incrementally: only a run that lists every entry learns
    which ones the source removed, so the one after a week without such a run asks for everything."""

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
    """A mapped record waiting for validation: its lines with skolem IRIs, and its checksum."""

    record: HarvestedRecord
    lines: list[str]
    checksum: str


@dataclass
class _Verdict:
    """An invalid record as the run reports it and the page memory keeps it."""

    iri: str
    key: str
    checksum: str
    issue: RecordIssue
    subjects: list[str]
    """The record's subjects, which its triples have in the quarantine graph."""
    replayed: bool = False
    """From the page memory, not from validation: it holds while the shared triples are as they were."""


@dataclass
class _Visit:
    """A page of this run: parsed, with its items noted as they come, or kept and replayed from memory."""

    page: Page
    kept: bool = False
    entries: list[list] = field(default_factory=list)
    """Of a parsed page: ``[RECORD, iri, key, checksum]`` and ``[FAILED, key, zh, en]``, in order."""
    shared: list[str] = field(default_factory=list)
    memorable: bool = True
    """False once the page holds an item the memory cannot replay (a duplicate, a kept record)."""


@dataclass
class _Outcome:
    """What this run decided, record by record."""

    seen: set[str] = field(default_factory=set)
    unchanged: set[str] = field(default_factory=set)
    """Records carried over as the last run left them."""
    new_states: dict[str, RecordState] = field(default_factory=dict)
    """Records added or updated."""
    invalid: dict[str, _Verdict] = field(default_factory=dict)
    adds: list[str] = field(default_factory=list)
    adds_restricted: list[str] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    """Lines of the records found invalid by this run's validation (replayed ones are already quarantined)."""
    shared: list[str] = field(default_factory=list)
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
        self.existed = store.source(source.name) is not None
        self.previous = StateIndex.read(store, source.name)
        self.old_states: dict[str, RecordState] = {}
        """Full states of the records this run changes, read as their batches are staged."""
        self.keys: dict[str, str] | None = None
        """The last run's records by the source's key, read at the first :class:`KeepRecord`."""
        self.remembered = pages.remembered(store, source.name)
        self.visits: list[_Visit] = []
        self.writer: SourceWriter | None = None
        self.outcome = _Outcome()
        self.pending: list[_Pending] = []
        self.taken: set[str] = set()
        self.quarantined: set[str] | None = None
        self.shared_to_validate: dict[str, None] = {}
        """The shared lines seen so far, once each: every validation batch includes them."""
        self.items = 0
        self.incremental = False
        """Whether this run named only part of the source (changes, or unchanged entries by key)."""
        self.now = self.run_.started

    # -- the run ----------------------------------------------------------------------------------

    def run(self) -> Run:
        self.run_.start(self.store)
        deadline = time.monotonic() + self.limits.time_limit
        try:
            harvester = harvester_class(self.source.type)(self.source, self.fetcher, since=self._since())
            harvester.known_pages = {url: page for url, page in self.remembered.items() if page is not None}
            self.harvester = harvester
            for item in harvester.harvest():
                if self.abort.is_set():
                    raise _Stop(ABORTED, "采集被中止 / the run was aborted")
                if time.monotonic() > deadline:
                    raise _Stop(FAILED, f"超过时限 / exceeded the time limit of {self.limits.time_limit:g} s")
                self._take(item)
            self._validate_pending()
            self._check_replayed_verdicts()
            if harvester.partial:
                self.run_.partial = True
                self._keep_unseen()
            self._check_guards()
            touched = self._write()
            if self.index is not None:
                self.index.refresh(self.store, touched)
            status = SUCCEEDED
        except _Stop as stop:
            status = stop.status
            self.run_.errors.append(str(stop))
        except (FetchError, HarvestError, InputError, UnknownHarvesterType, SourceChanged) as error:
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

    def _since(self) -> datetime | None:
        """What to ask the source for changes since: the last successful run, unless no complete run
        succeeded within ``full_every`` days (then everything, to learn of removals)."""
        complete = last_complete_success(self.store, self.source.name)
        if complete is None or self.now - complete > timedelta(days=self.limits.full_every):
            return None
        return last_success(self.store, self.source.name)

    def _abandon(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None

    def _progressed(self) -> None:
        self.items += 1
        if self.progress:
            self.progress(self.items)

    # -- stage: take what the harvester yields ----------------------------------------------------

    def _take(self, item) -> None:
        if isinstance(item, Page):
            self.visits.append(_Visit(item))
            return
        if isinstance(item, KeepPage):
            self._replay(item)
            return
        self._progressed()
        if isinstance(item, SharedTriples):
            self._share(item.lines)
        elif isinstance(item, RecordFailure):
            self._fail(item.key, [item.message_zh], [item.message_en])
        elif isinstance(item, KeepRecord):
            self._keep_record(item.key)
        elif isinstance(item, HarvestedRecord):
            self._take_record(item)

    def _parsed_page(self) -> _Visit | None:
        """The page whose items are coming in, if the harvester reads pages."""
        visit = self.visits[-1] if self.visits else None
        return visit if visit is not None and not visit.kept else None

    def _share(self, lines: list[str]) -> None:
        self.outcome.shared.extend(lines)
        self.shared_to_validate.update(dict.fromkeys(lines))
        if visit := self._parsed_page():
            visit.shared.extend(lines)

    def _fail(self, key: str, messages_zh: list[str], messages_en: list[str]) -> None:
        self.run_.counts["failed"] += 1
        self.run_.issue(RecordIssue("failed", key, messages_zh, messages_en))
        if visit := self._parsed_page():
            visit.entries.append([pages.FAILED, key, messages_zh, messages_en])

    def _duplicate(self, key: str, iri: str) -> None:
        self.run_.counts["failed"] += 1
        self.run_.issue(
            RecordIssue(
                "failed", key, ["同一数据源内信息资源代码重复"], ["the same resource appears twice in this source"], iri
            )
        )

    def _keep_record(self, key: str) -> None:
        self.incremental = True
        if visit := self._parsed_page():
            visit.memorable = False
        if self.keys is None:
            self.keys = read_keys(self.store, self.source.name)
        iri = self.keys.get(key)
        if iri is None or iri not in self.previous.checksums:
            self.run_.counts["failed"] += 1
            self.run_.issue(
                RecordIssue(
                    "failed",
                    key,
                    ["来源称未变化，但本节点没有该条目"],
                    ["the source says unchanged, but this node never had it"],
                )
            )
        else:
            self._unchanged(iri)

    def _take_record(self, record: HarvestedRecord) -> None:
        key = record.key or record.iri
        if not record.iri:
            self._fail(key, ["条目没有 IRI"], ["the record has no IRI"])
            return
        if record.iri in self.taken:
            self._duplicate(key, record.iri)
            if visit := self._parsed_page():
                visit.memorable = False
            return
        self.taken.add(record.iri)
        lines, checksum = stable_record(record.iri, record.lines)
        if visit := self._parsed_page():
            visit.entries.append([pages.RECORD, record.iri, record.key, checksum])
        if self.previous.checksums.get(record.iri) == checksum:
            self._unchanged(record.iri)
            return
        self.pending.append(_Pending(record, lines, checksum))
        if len(self.pending) >= self.limits.batch_size:
            self._validate_pending()

    def _unchanged(self, iri: str) -> None:
        self.taken.add(iri)
        self.outcome.seen.add(iri)
        self.outcome.unchanged.add(iri)
        self.run_.counts["unchanged"] += 1

    def _keep_unseen(self) -> None:
        """In a partial run, the entries the source did not list are unchanged, not gone."""
        self.incremental = True
        for iri in self.previous.checksums:
            if iri not in self.taken:
                self._unchanged(iri)

    def _replay(self, kept: KeepPage) -> None:
        """Take a page the harvester did not parse, as its memory says; decline it if the memory is out of date."""
        page = self.harvester.known_pages[kept.url]
        memory = pages.read_memory(self.store, self.source.name, page)
        if memory is None or not self._replayable(memory):
            kept.decline()
            return
        self.visits.append(_Visit(page, kept=True))
        self._share(memory.shared)
        for entry in memory.items:
            self._progressed()
            if entry[0] == pages.FAILED:
                self._fail(*entry[1:])
                continue
            iri, key, checksum = entry[1:4]
            if iri in self.taken:
                self._duplicate(key or iri, iri)
            elif entry[0] == pages.RECORD:
                self._unchanged(iri)
            else:
                self.taken.add(iri)
                messages_zh, messages_en, subjects = entry[4:]
                issue = RecordIssue("invalid", key or iri, messages_zh, messages_en, iri)
                self._invalid(_Verdict(iri, key, checksum, issue, subjects, replayed=True), [])

    def _replayable(self, memory: pages.Memory) -> bool:
        """Whether every record of the page is still as the state says the memory left it (an entry edited on
        this node, or changed by a partial run since, makes the page be parsed again), and its invalid records
        are in the quarantine graph."""
        checksums = self.previous.checksums
        for entry in memory.items:
            if entry[0] == pages.RECORD and checksums.get(entry[1]) != entry[3]:
                return False
            if entry[0] == pages.INVALID and (entry[1] in checksums or not self._quarantined().issuperset(entry[6])):
                return False
        return True

    def _quarantined(self) -> set[str]:
        """The subjects in the source's quarantine graph as the last run left it."""
        if self.quarantined is None:
            query = f"SELECT DISTINCT ?s WHERE {{ GRAPH <{QUARANTINE}{self.source.name}> {{ ?s ?p ?o }} }}"
            self.quarantined = {row[0].value for row in self.store.raw.query(query)}
        return self.quarantined

    # -- stage: validate --------------------------------------------------------------------------

    def _validate_pending(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[: self.limits.batch_size], self.pending[self.limits.batch_size :]
            self._validate(batch)

    def _validate(self, batch: list[_Pending]) -> None:
        lines = chain((line for p in batch for line in p.lines), self.shared_to_validate)
        report = default_validator().validate_ntriples(ntriples.document(lines))
        invalid = report.invalid_records()
        problems: dict[str, list] = {}
        for result in report.results:
            if result.severity == "Violation" and result.record in invalid:
                problems.setdefault(result.record, []).append(result)
        valid = []
        for p in batch:
            iri = p.record.iri
            if iri not in invalid:
                self.outcome.seen.add(iri)
                valid.append(p)
                continue
            results = problems.get(iri, [])
            messages_zh, messages_en = [r.message("zh") for r in results], [r.message("en") for r in results]
            issue = RecordIssue("invalid", p.record.key or iri, messages_zh, messages_en, iri)
            subjects = sorted(ntriples.subjects(p.lines))
            self._invalid(_Verdict(iri, p.record.key, p.checksum, issue, subjects), p.lines)
        changed = [p.record.iri for p in valid if p.record.iri in self.previous.checksums]
        if changed:
            self.old_states.update(read_records(self.store, self.source.name, changed))
        self._resolve_and_stage(valid)

    def _invalid(self, verdict: _Verdict, lines: list[str]) -> None:
        self.run_.counts["invalid"] += 1
        self.run_.issue(verdict.issue)
        self.outcome.seen.add(verdict.iri)
        self.outcome.invalid[verdict.iri] = verdict
        self.outcome.quarantine.extend(lines)

    def _check_replayed_verdicts(self) -> None:
        """Judge the replayed invalid records again if the shared triples changed since their verdicts (a
        provider described on another page, say): validation sees those too. Their triples are read back from
        the quarantine graph."""
        replayed = [v for v in self.outcome.invalid.values() if v.replayed]
        if not replayed or shared_checksum(self.outcome.shared) == self.previous.shared_checksum:
            return
        quarantine = ox.NamedNode(QUARANTINE + self.source.name)
        for verdict in replayed:
            del self.outcome.invalid[verdict.iri]
            self.run_.counts["invalid"] -= 1
            lines = [
                f"{q.triple} ."
                for subject in verdict.subjects
                for q in self.store.raw.quads_for_pattern(ox.NamedNode(subject), None, None, quarantine)
            ]
            record = HarvestedRecord(verdict.iri, key=verdict.key, lines=lines)
            self.pending.append(_Pending(record, lines, verdict.checksum))
        dropped = {id(verdict.issue) for verdict in replayed}
        self.run_.issues = [issue for issue in self.run_.issues if id(issue) not in dropped]
        self._validate_pending()

    # -- stage: 一数一源 ---------------------------------------------------------------------------

    def _resolve_and_stage(self, valid: list[_Pending]) -> None:
        copies = authority.copies_elsewhere(self.store, self.source.name, [p.record.iri for p in valid])
        for p in valid:
            iri = p.record.iri
            others = copies.get(iri, [])
            # a source without a level is authoritative whatever the record says
            facts = _authority_facts(iri, p.lines) if self.source.level else []
            mine = authority.is_authoritative(self.source, iri, facts)
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
        previous = self.old_states.get(iri)
        self.run_.counts["updated" if iri in self.previous.checksums else "added"] += 1
        catalog_record = record_iri(self.source.name, iri)
        if previous is not None and edited_here(self.store, self.source.name, catalog_record):
            self.run_.issue(
                RecordIssue(
                    "edit-replaced",
                    pending.record.key or iri,
                    ["来源中的条目已变化，取代了在本节点所做的编辑"],
                    ["the record changed at the source: its new version replaces the edit made on this node"],
                    iri,
                )
            )
        first_seen = previous.first_seen if previous else self.now
        lines = (pending.lines if store_body else []) + self._catalog_record(
            catalog_record, iri, pending.checksum, first_seen, authoritative
        )
        public = is_public_lines(iri, pending.lines)
        self.outcome.new_states[iri] = RecordState(
            iri=iri,
            checksum=pending.checksum,
            key=pending.record.key or iri,
            first_seen=first_seen,
            owns=ntriples.subjects(lines),
            body_stored=store_body,
            authoritative=authoritative,
            public=public,
        )
        self._emit(lines, restricted=not public)

    def _catalog_record(
        self, record: str, dataset: str, checksum: str, first_seen: datetime, authoritative: bool
    ) -> list[str]:
        node = ntriples.iri(record)
        return [
            f"{node} {_RDF_TYPE} {_CATALOG_RECORD} .",
            f"{node} {_PRIMARY_TOPIC} {ntriples.iri(dataset)} .",
            f'{node} {_ISSUED} "{first_seen.isoformat()}"^^{_XSD_DATETIME} .',
            f'{node} {_MODIFIED} "{self.now.isoformat()}"^^{_XSD_DATETIME} .',
            f'{node} {_CHECKSUM} "{checksum}" .',
            f"{node} {_HARVEST_SOURCE} {ntriples.iri(source_iri(self.source.name))} .",
            f'{node} {_AUTHORITATIVE} "{str(authoritative).lower()}"^^{_XSD_BOOLEAN} .',
            f"{node} {_GENERATED_BY} {ntriples.iri(self.run_.iri)} .",
        ]

    # -- stage: store -----------------------------------------------------------------------------

    def _emit(self, lines: list[str], *, restricted: bool = False) -> None:
        """Hold changes for one in-place transaction until they grow too large, then stream a new version.

        ``restricted`` lines (of an entry not open to society) go to the version's restricted graph.
        """
        outcome = self.outcome
        held = len(outcome.adds) + len(outcome.adds_restricted)
        if self.writer is None and (not self.existed or held + len(lines) > self.limits.in_place_limit):
            self.writer = self.store.new_version(self.source.name)
            self.writer.add_ntriples(outcome.adds)
            self.writer.add_ntriples(outcome.adds_restricted, restricted=True)
            outcome.adds, outcome.adds_restricted = [], []
        if self.writer is not None:
            self.writer.add_ntriples(lines, restricted=restricted)
        elif restricted:
            outcome.adds_restricted.extend(lines)
        else:
            outcome.adds.extend(lines)

    def _check_guards(self) -> None:
        counts = self.run_.counts
        after = len(self.outcome.unchanged) + len(self.outcome.new_states)
        judged = counts["invalid"] + after
        if judged and counts["invalid"] / judged > self.limits.max_invalid_share:
            self._stop_for_review(
                f"不合规条目占比 {counts['invalid'] / judged:.0%}，超过 {self.limits.max_invalid_share:.0%} / "
                f"{counts['invalid']} of {judged} records are invalid, more than the allowed share"
            )
        before = len(self.previous.checksums)
        if before and after < before * self.limits.min_count_ratio:
            self._stop_for_review(
                f"条目数由 {before} 骤降至 {after} / the source returned {after} records, "
                f"down from {before}; the previous version is kept"
            )

    def _stop_for_review(self, message: str) -> None:
        raise _Stop(REVIEW, message)

    def _write(self) -> list[str]:
        """Store the run's outcome; return the resources whose description may have changed."""
        previous, outcome, name = self.previous, self.outcome, self.source.name
        vanished = [iri for iri in previous.checksums if iri not in outcome.seen]
        self.run_.counts["removed"] = len(vanished)
        changed = [iri for iri in outcome.new_states if iri in previous.checksums]
        old_states = {**self.old_states, **(read_records(self.store, name, vanished) if vanished else {})}
        if self.incremental:
            outcome.shared = self._with_unsent_shared(outcome.shared)
        shared_sum = shared_checksum(outcome.shared)
        hidden = {iri for iri in outcome.unchanged if iri in previous.hidden}
        hidden |= {iri for iri, s in outcome.new_states.items() if not s.public}
        # links to a non-public entry (a catalog's ``dcat:dataset``) and nodes named under its IRI (its data service)
        # live in the restricted graph with the entry
        shared_public, shared_restricted = [], []
        for line in outcome.shared:
            subject, _, obj = ntriples.terms(line)
            secret = ntriples.value(obj) in hidden or _owner(ntriples.value(subject), hidden)
            (shared_restricted if secret else shared_public).append(line)
        shared_changed = shared_sum != previous.shared_checksum or hidden != previous.hidden
        shared_subjects = ntriples.subjects(outcome.shared)
        drop = {s for iri in vanished + changed if iri in old_states for s in old_states[iri].owns}
        if shared_changed:
            drop |= previous.shared_subjects
        source_node = source_iri(name)
        memories, kept_pages, stale_pages = self._page_memories()
        memory_triples = [t for memory in memories for t in memory.triples(name)]
        if self.writer is None and not self.existed:
            self.writer = self.store.new_version(name)
        if self.writer is not None:
            self.writer.add_ntriples(shared_public if shared_changed else [])
            self.writer.add_ntriples(shared_restricted if shared_changed else [], restricted=True)
            self.writer.copy_previous(except_subjects=drop)
            state = shared_state_triples(source_node, shared_subjects, shared_sum)
            state += [t for r in outcome.new_states.values() for t in r.triples()] + memory_triples
            state += self._previous_state(outcome.unchanged | kept_pages)
            self.writer.commit(state)
            self.writer = None
        else:
            touched = vanished + changed + [i for i in outcome.new_states if i not in previous.checksums]
            if not shared_changed:
                shared_public, shared_restricted = [], []
            self.store.update_source(
                name,
                remove_subjects=drop,
                add=ntriples.triples(outcome.adds + shared_public),
                add_restricted=ntriples.triples(outcome.adds_restricted + shared_restricted),
                state_remove_subjects=touched + ([source_node] if shared_changed else []) + stale_pages,
                state_add=[t for i in touched if i in outcome.new_states for t in outcome.new_states[i].triples()]
                + (shared_state_triples(source_node, shared_subjects, shared_sum) if shared_changed else [])
                + memory_triples,
            )
        self._write_quarantine()
        self._demote()
        return list(outcome.new_states) + vanished

    def _page_memories(self) -> tuple[list[pages.Memory], set[str], list[str]]:
        """The memories of the pages this run parsed that it can replay next time, and the state subjects of the
        remembered pages to keep and of those to forget (a partial run, which fetched only changes, keeps all)."""
        remembered = {pages.page_node(self.source.name, url) for url in self.remembered}
        if self.harvester.partial:
            return [], remembered, []
        memories = [m for visit in self.visits if not visit.kept and (m := self._memory(visit)) is not None]
        kept = {pages.page_node(self.source.name, visit.page.url) for visit in self.visits if visit.kept}
        return memories, kept, sorted(remembered - kept)

    def _memory(self, visit: _Visit) -> pages.Memory | None:
        """A parsed page's memory, with each record's verdict; ``None`` if one of its items cannot be replayed."""
        if not visit.memorable:
            return None
        outcome, items = self.outcome, []
        for entry in visit.entries:
            if entry[0] == pages.RECORD:
                _, iri, key, checksum = entry
                verdict = outcome.invalid.get(iri)
                state = outcome.new_states.get(iri)
                if verdict is not None and verdict.checksum == checksum:
                    issue = verdict.issue
                    entry = [pages.INVALID, iri, key, checksum, issue.messages_zh, issue.messages_en, verdict.subjects]
                elif not (
                    (state is not None and state.checksum == checksum)
                    or (iri in outcome.unchanged and self.previous.checksums.get(iri) == checksum)
                ):
                    return None
            items.append(entry)
        return pages.Memory(visit.page, items, visit.shared)

    def _previous_state(self, subjects: set[str]) -> list[ox.Triple]:
        """The last run's state triples of the given subjects (records kept unchanged, pages remembered)."""
        entry = self.store.source(self.source.name)
        if entry is None or not subjects:
            return []
        quads = self.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(entry.state_graph))
        return [q.triple for q in quads if q.subject.value in subjects]

    def _write_quarantine(self) -> None:
        """Make the quarantine graph hold this run's invalid records: replayed ones stay as they are, the others
        are written in bulk. Not in one transaction: a page is replayed only while its invalid records are all in
        the graph (:meth:`_replayable`), so one that a failure left out is parsed and written again next run."""
        graph = QUARANTINE + self.source.name
        keep = {s for v in self.outcome.invalid.values() if v.replayed for s in v.subjects}
        if not keep:
            self.store.write_graph(graph, [])
        elif gone := self._quarantined() - keep:
            self.store.append(graph, [], remove_subjects=gone)
        node = ntriples.iri(graph)
        quads = list(ox.parse("".join(f"{line[:-1]}{node} .\n" for line in self.outcome.quarantine), format=_NQUADS))
        if len(quads) > _BULK_QUADS:
            self.store.raw.bulk_extend(quads)
        elif quads:
            self.store.raw.extend(quads)

    def _with_unsent_shared(self, shared: list[str]) -> list[str]:
        """Shared descriptions (providers) the kept records still need, though this run did not send them."""
        sent = {ntriples.subject_of(line) for line in shared}
        graphs = [ox.NamedNode(g) for g in self.store.source(self.source.name).graphs()]
        kept = [
            f"{q.triple} ."
            for subject in sorted(self.previous.shared_subjects)
            if ntriples.iri(subject) not in sent
            for graph in graphs
            for q in self.store.raw.quads_for_pattern(ox.NamedNode(subject), None, None, graph)
        ]
        return shared + kept

    def _demote(self) -> None:
        """Remove the stand-in bodies other sources hold of resources this source now provides authoritatively."""
        for other, datasets in self.outcome.demotions.items():
            if self.store.source(other) is None:
                continue
            remove, state_add, demoted = set(), [], []
            for iri, record in read_records(self.store, other, datasets).items():
                if not record.body_stored:
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


def _authority_facts(iri: str, lines: Iterable[str]) -> list[ox.Triple]:
    """The record's own triples that decide whether a source is authoritative for it (level and division)."""
    start = ntriples.iri(iri) + " "
    return ntriples.triples(
        line for line in lines if line.startswith(start) and any(term in line for term in _AUTHORITY_TERMS)
    )


def _owner(subject: str, hidden: set[str]) -> bool:
    """Whether ``subject`` is, or is named under (``…/service``), the IRI of an entry in ``hidden``."""
    cut = len(subject)
    while cut > 0:
        if subject[:cut] in hidden:
            return True
        cut = subject.rfind("/", 0, cut)
    return False
