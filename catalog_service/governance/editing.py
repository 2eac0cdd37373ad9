"""Editing a catalog entry on this node: who may, where the edit is written, and what is recorded.

Departments keep their catalogs on their own platforms, which this node harvests; but a catalog manager must
also be able to correct an entry here — a wrong sharing condition, an entry that must stop being open to
society — without waiting for the platform. An edit (:meth:`EditService.edit`):

1. finds the entry's description where it is stored: 一数一源 keeps one copy, in the source authoritative for
   it (or in the source standing in for it until that one is harvested);
2. is authorised: a catalog manager (``manager``) edits the entries whose provider's unified social credit
   code is its department's; an administrator (``admin``), the coordinating office of a division, edits
   the entries of its own division (the entry's 行政区划 is the administrator's region), whatever the
   department, but not those of the divisions above or below it, which have their own office; a requester
   and the public never edit (:func:`edit_refusal`);
3. is refused if the entry changed since the version the editor started from (:func:`entry_version`);
4. applies the new values (:mod:`.entry_fields`), stamps ``dct:modified`` and validates the entry with the
   profile's SHACL shapes: a violation refuses the edit with the shapes' messages;
5. is written in place, in one transaction, to the public graph or to the restricted one as the entry's
   开放属性 now says, moving with it the links that point to it (docs/visibility.md); the source's catalog
   record gets ``dct:modified`` and ``gc:editedAt``, its harvest state the entry's new subjects and openness;
6. is recorded in the audit trail: who, when, the changed fields before and after, the entry's version and
   its triples (N-Triples) before and after;
7. brings the entry's search document up to date.

A refused edit writes nothing, not even to the audit trail.

Edits and harvesting: the source's harvest state keeps the checksum of the record as the source last sent
it, and an edit leaves it alone. A harvest that finds the record unchanged upstream therefore keeps the
edited entry (in place, or carried into a new version of the source's graph). When the record changed
upstream, the harvested version replaces the edit and the run reports an ``edit-replaced`` issue for it (the
pipeline asks :func:`edited_here`). A record gone from the source takes the entry, edit and all, with it.

Usage::

    service = EditService(store, index)
    entry = service.entry("3010004/000319")
    result = service.edit(user, "3010004/000319", {"openness": "1"}, version=entry.version)
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.accounts.models import Role, User
from catalog_service.export import CurrentView, describe
from catalog_service.governance import audit
from catalog_service.governance.entry_fields import InvalidEdit, apply_changes, snapshot
from catalog_service.governance.requests import Forbidden, GovernanceError, NotFound
from catalog_service.harvest.records import RecordState, SourceState, is_public, record_iri
from catalog_service.records import OWNED_LINKS
from catalog_service.search import SearchIndex
from catalog_service.store import CatalogStore, SourceVersion, source_iri
from catalog_service.validation import ValidationResult, validate

EDIT = "edit"
"""The audit trail's action for an edit of a catalog entry."""
EDITED_AT = ox.NamedNode(ns.GC + "editedAt")
"""On a source's catalog record: when the entry was last edited on this node (since the source changed it)."""

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_DATASET = ox.NamedNode(ns.DCAT + "Dataset")
_PUBLISHER = ox.NamedNode(ns.DCT + "publisher")
_SPATIAL = ox.NamedNode(ns.DCT + "spatial")
_MODIFIED = ox.NamedNode(ns.DCT + "modified")
_CREDIT_CODE = ox.NamedNode(ns.GC + "creditCode")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")

_WRITE_LOCK = threading.Lock()
"""One edit at a time in this process: the version check and the write must not interleave."""


class EditConflict(GovernanceError):
    """The entry changed since the version the edit started from (409)."""

    status = 409


@dataclass(frozen=True)
class StoredEntry:
    """An entry as this node stores it: in which source, its triples, its provider and division, its version."""

    iri: str
    source: SourceVersion
    """The source holding the description (一数一源)."""
    state: RecordState | None
    """The source's harvest state of the record (``None`` for a source loaded by hand)."""
    body: list[ox.Triple]
    """The entry and the nodes it owns: data elements, distributions."""
    record: list[ox.Triple]
    """The source's ``dcat:CatalogRecord`` of the entry."""
    companions: list[ox.Triple]
    """Other nodes named under the entry's IRI (its data service): they go where the entry goes."""
    provider: str | None
    """The provider's unified social credit code."""
    region: str | None
    """The six-digit code of the entry's division."""
    version: str

    @property
    def public(self) -> bool:
        return is_public(self.iri, self.body)

    def subjects(self) -> set[str]:
        return {t.subject.value for t in self.body + self.record + self.companions}


@dataclass(frozen=True)
class EditResult:
    """What an edit did: the fields it changed (none: nothing to do), the new version, the shapes' warnings."""

    iri: str
    version: str
    changed: list[str]
    warnings: list[ValidationResult]
    event: audit.AuditEvent | None


def version_of(description: Iterable[ox.Triple]) -> str:
    """A tag that changes whenever an entry's description (:func:`catalog_service.export.describe`) does."""
    lines = sorted({str(t) for t in description})
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def entry_version(store: CatalogStore, iri: str) -> str:
    """The current version of an entry as the store's audience reads it: its ETag in the API, the form's
    hidden ``version``. An edit names the version it started from and is refused if it is no longer current."""
    return version_of(describe(CurrentView(store), [ox.NamedNode(iri)]))


def edit_refusal(user: User, entry: StoredEntry) -> Forbidden | None:
    """Why ``user`` may not edit ``entry``, or ``None`` if they may (the rules are in the module docstring)."""
    if user.role == Role.MANAGER:
        if entry.provider is not None and entry.provider == user.department_code:
            return None
        return Forbidden(
            "目录管理员只能编辑本部门提供的信息资源", "a catalog manager edits only its own department's entries"
        )
    if user.role == Role.ADMIN:
        if entry.region is not None and entry.region == user.region:
            return None
        return Forbidden(
            "管理员只能编辑本级行政区划的信息资源", "an administrator edits only the entries of its own division"
        )
    return Forbidden(
        f"只有目录管理员和管理员可以编辑目录条目；您的角色是{user.role.label_zh}",
        f"only catalog managers and administrators edit entries; your role is {user.role.label_en}",
    )


def may_edit(user: User | None, entry: StoredEntry) -> bool:
    """Whether ``user`` (``None``: the public) may edit ``entry``."""
    return user is not None and edit_refusal(user, entry) is None


def edit_history(store: CatalogStore, iri: str) -> list[audit.AuditEvent]:
    """The edits of an entry, oldest first, from the audit trail."""
    return [event for event in audit.events(store, target=iri) if event.action == EDIT]


def edited_here(store: CatalogStore, source: str, record: str) -> bool:
    """Whether the entry of a source's catalog record was edited on this node since the source last changed
    it: the harvest reports when the source's new version of the record replaces such an edit."""
    version = store.source(source)
    node = ox.NamedNode(record)
    return version is not None and any(
        next(store.raw.quads_for_pattern(node, EDITED_AT, None, ox.NamedNode(graph)), None) is not None
        for graph in version.graphs()
    )


class EditService:
    """Reads and edits catalog entries in ``store`` (the whole store, not an audience's view), keeping
    ``index`` in step."""

    def __init__(self, store: CatalogStore, index: SearchIndex | None = None) -> None:
        self._store = store
        self._index = index

    def entry(self, identifier: str) -> StoredEntry:
        """The entry with this 信息资源代码 as stored, or :class:`NotFound`."""
        node = ox.NamedNode(ns.resource(identifier))
        source = self._holder(node)
        if source is None:
            raise NotFound(f"未找到信息资源 {identifier}", f"no resource with identifier {identifier}")
        state = self._state(source, node)
        record = record_iri(source.name, node.value)
        owned = state.owns - {record} if state is not None and state.body_stored else self._owned(source, node)
        body = self._triples(source, owned)
        linked = {t.object.value for t in body if isinstance(t.object, ox.NamedNode)}
        companions = _companions(self._store, source, node, linked) - owned - {record}
        publisher = next((t.object for t in body if t.subject == node and t.predicate == _PUBLISHER), None)
        spatial = next((t.object.value for t in body if t.subject == node and t.predicate == _SPATIAL), None)
        credit = None
        if isinstance(publisher, ox.NamedNode):
            credit = next((t.object.value for t in CurrentView(self._store).triples(publisher, _CREDIT_CODE)), None)
        return StoredEntry(
            iri=node.value,
            source=source,
            state=state,
            body=body,
            record=self._triples(source, {record}),
            companions=self._triples(source, companions),
            provider=credit,
            region=spatial.removeprefix(ns.REGION) if spatial and spatial.startswith(ns.REGION) else None,
            version=entry_version(self._store, node.value),
        )

    def edit(
        self,
        user: User,
        identifier: str,
        changes: Mapping[str, Any],
        *,
        version: str | None,
        at: datetime | None = None,
    ) -> EditResult:
        """Apply ``changes`` (see :mod:`.entry_fields`) to the entry, as ``user``, if it is still at ``version``
        (``None``: whatever its version). Raises :class:`NotFound`, :class:`Forbidden`, :class:`InvalidEdit`
        (with the violations) or :class:`EditConflict`, having written nothing."""
        at = at or datetime.now(UTC).replace(microsecond=0)
        if at.tzinfo is None:
            raise ValueError("编辑时间须带时区 / an edit time needs a time zone")
        with _WRITE_LOCK:
            entry = self.entry(identifier)
            refusal = edit_refusal(user, entry)
            if refusal is not None:
                raise refusal
            if not isinstance(changes, Mapping):
                raise InvalidEdit("修改内容须为 JSON 对象", "the changes must be a JSON object")
            body = apply_changes(entry.iri, entry.body, changes)
            if version is not None and version != entry.version:
                raise EditConflict(
                    "该条目在您编辑期间已被修改，请重新打开后再编辑",
                    "the entry changed since you opened it: reload it and edit again",
                )
            before, after = snapshot(entry.iri, entry.body), snapshot(entry.iri, body)
            changed = [key for key in before if before[key] != after[key]]
            if not changed:
                return EditResult(entry.iri, entry.version, [], [], None)
            # a field sent with the values it has keeps its triples as they are (a form sends every field)
            body = _stamped(entry.iri, apply_changes(entry.iri, entry.body, {k: changes[k] for k in changed}), at)
            report = validate(body + self._provider(body, entry.iri))
            violations = [r for r in report.results if r.severity == "Violation"]
            if violations:
                raise InvalidEdit(
                    f"修改后的条目有 {len(violations)} 处不符合目录规范",
                    f"the edited entry breaks {len(violations)} rule(s) of the profile",
                    violations,
                )
            self._write(entry, body, at)
            new_version = entry_version(self._store, entry.iri)
            event = audit.record(
                self._store,
                actor=user.login,
                action=EDIT,
                target=entry.iri,
                before={**{k: before[k] for k in changed}, "version": entry.version, "triples": _ntriples(entry.body)},
                after={**{k: after[k] for k in changed}, "version": new_version, "triples": _ntriples(body)},
                at=at,
            )
        if self._index is not None:
            self._index.refresh(self._store, [entry.iri])
        warnings = [r for r in report.results if r.severity != "Violation"]
        return EditResult(entry.iri, new_version, changed, warnings, event)

    # -- reading ----------------------------------------------------------------------------------

    def _holder(self, node: ox.NamedNode) -> SourceVersion | None:
        for source in self._store.sources():
            for graph in source.graphs():
                if next(self._store.raw.quads_for_pattern(node, _RDF_TYPE, _DATASET, _g(graph)), None) is not None:
                    return source
        return None

    def _state(self, source: SourceVersion, node: ox.NamedNode) -> RecordState | None:
        triples = [q.triple for q in self._store.raw.quads_for_pattern(node, None, None, _g(source.state_graph))]
        return SourceState.from_triples(source_iri(source.name), triples).records.get(node.value) if triples else None

    def _owned(self, source: SourceVersion, node: ox.NamedNode) -> set[str]:
        """For a source without harvest state: the entry, its data elements and distributions."""
        linked = {t.object.value for t in self._triples(source, {node.value}) if t.predicate in OWNED_LINKS}
        return {node.value} | linked

    def _triples(self, source: SourceVersion, subjects: Iterable[str]) -> list[ox.Triple]:
        raw, found = self._store.raw, {}
        for subject in sorted(subjects):
            for graph in source.graphs():
                for quad in raw.quads_for_pattern(ox.NamedNode(subject), None, None, _g(graph)):
                    found.setdefault(quad.triple, None)
        return list(found)

    def _provider(self, body: list[ox.Triple], iri: str) -> list[ox.Triple]:
        """The provider's description, which the shapes check with the entry."""
        node = ox.NamedNode(iri)
        view = CurrentView(self._store)
        providers = {t.object for t in body if t.subject == node and t.predicate == _PUBLISHER}
        return list(dict.fromkeys(t for p in providers if isinstance(p, ox.NamedNode) for t in view.triples(p)))

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, entry: StoredEntry, body: list[ox.Triple], at: datetime) -> None:
        """Replace the entry in its source in one transaction, in the graph its openness asks for; when its
        openness changed, bring the links to it in every source to the same side."""
        public = is_public(entry.iri, body)
        node = ox.NamedNode(entry.iri)
        record = [t for t in entry.record if t.predicate not in (_MODIFIED, EDITED_AT)]
        if record:
            stamp = ox.Literal(at.isoformat(), datatype=_XSD_DATETIME)
            record += [ox.Triple(record[0].subject, _MODIFIED, stamp), ox.Triple(record[0].subject, EDITED_AT, stamp)]
        placed = list(dict.fromkeys(body + record + entry.companions))
        links = _sealed_links(self._store, entry.source, node, entry.subjects()) if public and not entry.public else {}
        state: dict[str, Any] = {}
        if entry.state is not None:
            kept = replace(entry.state, owns={t.subject.value for t in body + record}, public=public)
            state = {"state_remove_subjects": [entry.iri], "state_add": kept.triples()}
        self._store.update_source(
            entry.source.name,
            remove_subjects=entry.subjects() | set(links),
            add=(placed if public else []) + [t for triples in links.values() for t in triples],
            add_restricted=[] if public else placed,
            **state,
        )
        if public != entry.public:
            for other in self._store.sources():
                if other.name != entry.source.name:
                    self._follow(other, node, public)

    def _follow(self, source: SourceVersion, node: ox.NamedNode, public: bool) -> None:
        """Bring another source's nodes named under an entry whose openness changed (the data service it
        describes too) and its links to the entry to the entry's side: shown with it, or hidden with it."""
        named = self._triples(source, _companions(self._store, source, node))
        subjects = {t.subject.value for t in named}
        if public:
            links = _sealed_links(self._store, source, node, subjects)
            if named or links:
                moved = named + [t for triples in links.values() for t in triples]
                self._store.update_source(source.name, remove_subjects=subjects | set(links), add=moved)
        elif named or next(self._store.raw.quads_for_pattern(None, None, node, _g(source.graph)), None) is not None:
            # the seal of the update moves the links to the entry out of sight
            self._store.update_source(source.name, remove_subjects=subjects, add_restricted=named)


def _companions(store: CatalogStore, source: SourceVersion, node: ox.NamedNode, linked: Iterable[str] = ()) -> set[str]:
    """The nodes of a source named under an entry's IRI (``…/service``) that point to it or that ``linked``
    names: they describe the entry, so they are public or not as it is (as the harvest files them)."""
    near = {q.subject.value for g in source.graphs() for q in store.raw.quads_for_pattern(None, None, node, _g(g))}
    return {iri for iri in near | set(linked) if iri.startswith(node.value + "/")}


def _sealed_links(
    store: CatalogStore, source: SourceVersion, node: ox.NamedNode, skip: set[str]
) -> dict[str, list[ox.Triple]]:
    """The public nodes of a source (catalogs, other entries, catalog records) whose links to ``node`` were
    sealed into its restricted graph, each with all its triples: written to the public graph again, they
    show the entry that has become public, and the store's seal keeps their links to hidden entries hidden."""
    if not source.restricted_graph:
        return {}
    raw = store.raw
    public, restricted = _g(source.graph), _g(source.restricted_graph)
    subjects = {q.subject for q in raw.quads_for_pattern(None, None, node, restricted)}
    return {
        s.value: [q.triple for g in (public, restricted) for q in raw.quads_for_pattern(s, None, None, g)]
        for s in subjects
        if isinstance(s, ox.NamedNode)
        and s.value not in skip
        and next(raw.quads_for_pattern(s, None, None, public), None) is not None
    }


def _stamped(iri: str, body: list[ox.Triple], at: datetime) -> list[ox.Triple]:
    node = ox.NamedNode(iri)
    kept = [t for t in body if not (t.subject == node and t.predicate == _MODIFIED)]
    return [*kept, ox.Triple(node, _MODIFIED, ox.Literal(at.isoformat(), datatype=_XSD_DATETIME))]


def _ntriples(triples: list[ox.Triple]) -> str:
    return "\n".join(sorted(f"{t} ." for t in triples))


def _g(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)
