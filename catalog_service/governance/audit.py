"""The audit trail: who did what to which thing, when, and how it looked before and after.

The sharing rules make departments accountable for their catalogs and their answers, so every write and every
decision is recorded here, by whichever part of the service makes it (catalog edits, sharing requests, …).
An event is a ``prov:Activity`` and ``gc:AuditEvent`` in the audit graph, which is not part of the public store:

- ``prov:wasAssociatedWith`` the acting user (a ``prov:Agent`` under ``…/user/{name}``),
- ``prov:startedAtTime`` when it happened, ``gc:action`` what was done, ``gc:auditTarget`` the IRI it was done to,
- one ``gc:AuditChange`` per field of the before/after snapshots, with ``gc:changedField`` and the field's
  ``gc:valueBefore``/``gc:valueAfter``: a string as a plain literal, anything else as JSON (``rdf:JSON``).

Fields are stored one by one, rather than as one JSON document, so that SPARQL can ask "who set ``status`` to
``refused``" directly. A snapshot that is ``None`` (the thing did not exist before, or no longer exists after)
has no values; an empty snapshot reads back as ``None`` too.

Usage::

    record(store, actor="zhang.san", action="approve", target=request_iri,
           before={"status": "submitted"}, after={"status": "approved"}, at=now)
    events(store, target=request_iri)  # oldest first
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox

from catalog_service import namespaces as ns
from catalog_service.store import CatalogStore

AUDIT_GRAPH = ns.GRAPH + "audit"
"""The named graph of the audit trail; never part of what the public can query."""

EVENT = ns.BASE + "audit/"
"""Events are named ``{EVENT}{recording time in ns, hex}-{random}``: their IRIs sort in recording order, which
orders events that carry the same time."""
USER = ns.BASE + "user/"

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_RDF_JSON = ox.NamedNode(ns.RDF + "JSON")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_AUDIT_EVENT = ox.NamedNode(ns.GC + "AuditEvent")
_AUDIT_CHANGE = ox.NamedNode(ns.GC + "AuditChange")
_ASSOCIATED = ox.NamedNode(ns.PROV + "wasAssociatedWith")
_STARTED = ox.NamedNode(ns.PROV + "startedAtTime")
_ACTION = ox.NamedNode(ns.GC + "action")
_TARGET = ox.NamedNode(ns.GC + "auditTarget")
_CHANGE = ox.NamedNode(ns.GC + "auditChange")
_FIELD = ox.NamedNode(ns.GC + "changedField")
_BEFORE = ox.NamedNode(ns.GC + "valueBefore")
_AFTER = ox.NamedNode(ns.GC + "valueAfter")
_GRAPH = ox.NamedNode(AUDIT_GRAPH)


@dataclass(frozen=True)
class AuditEvent:
    """One recorded write or decision."""

    iri: str
    actor: str
    """The acting user's account name (``system`` for what the service does by itself, such as escalation)."""
    action: str
    target: str
    """IRI of the thing acted on."""
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


def user_iri(name: str) -> str:
    """IRI of the ``prov:Agent`` standing for a user account in the audit trail and in decisions."""
    return USER + quote(name, safe="")


def user_name(iri: str) -> str:
    """The account name a :func:`user_iri` stands for."""
    return unquote(iri.removeprefix(USER))


def record(
    store: CatalogStore,
    *,
    actor: str,
    action: str,
    target: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> AuditEvent:
    """Write one event to the audit graph, in one transaction, and return it.

    ``before``/``after`` are JSON-serialisable snapshots; ``at`` must carry a time zone, so that the trail
    is unambiguous whichever server wrote it.
    """
    if at.tzinfo is None:
        raise ValueError("审计时间须带时区 / an audit time needs a time zone")
    event = AuditEvent(
        f"{EVENT}{time.time_ns():016x}-{uuid.uuid4().hex[:12]}", actor, action, target, before, after, at
    )
    store.append(AUDIT_GRAPH, _triples(event))
    return event


def events(store: CatalogStore, target: str | None = None, actor: str | None = None) -> list[AuditEvent]:
    """The recorded events, oldest first (in recording order for equal times), of one target and/or one actor."""
    raw = store.raw
    if target is not None:
        subjects = {q.subject for q in raw.quads_for_pattern(None, _TARGET, ox.NamedNode(target), _GRAPH)}
    elif actor is not None:
        subjects = {q.subject for q in raw.quads_for_pattern(None, _ASSOCIATED, ox.NamedNode(user_iri(actor)), _GRAPH)}
    else:
        subjects = {q.subject for q in raw.quads_for_pattern(None, _RDF_TYPE, _AUDIT_EVENT, _GRAPH)}
    found = [_read(raw, subject) for subject in subjects]
    if actor is not None:
        found = [event for event in found if event.actor == actor]
    return sorted(found, key=lambda event: (event.at, event.iri))


def _triples(event: AuditEvent) -> list[ox.Triple]:
    node = ox.NamedNode(event.iri)
    out = [
        ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.PROV + "Activity")),
        ox.Triple(node, _RDF_TYPE, _AUDIT_EVENT),
        ox.Triple(node, _ASSOCIATED, ox.NamedNode(user_iri(event.actor))),
        ox.Triple(ox.NamedNode(user_iri(event.actor)), _RDF_TYPE, ox.NamedNode(ns.PROV + "Agent")),
        ox.Triple(node, _STARTED, ox.Literal(event.at.isoformat(), datatype=_XSD_DATETIME)),
        ox.Triple(node, _ACTION, ox.Literal(event.action)),
        ox.Triple(node, _TARGET, ox.NamedNode(event.target)),
    ]
    before, after = event.before or {}, event.after or {}
    for n, field in enumerate(sorted(before.keys() | after.keys())):
        change = ox.NamedNode(f"{event.iri}/change/{n}")
        out += [
            ox.Triple(node, _CHANGE, change),
            ox.Triple(change, _RDF_TYPE, _AUDIT_CHANGE),
            ox.Triple(change, _FIELD, ox.Literal(field)),
        ]
        if field in before:
            out.append(ox.Triple(change, _BEFORE, _value_literal(before[field])))
        if field in after:
            out.append(ox.Triple(change, _AFTER, _value_literal(after[field])))
    return out


def _value_literal(value: Any) -> ox.Literal:
    if isinstance(value, str):
        return ox.Literal(value)
    return ox.Literal(json.dumps(value, ensure_ascii=False, sort_keys=True), datatype=_RDF_JSON)


def _literal_value(literal: ox.Literal) -> Any:
    return json.loads(literal.value) if literal.datatype == _RDF_JSON else literal.value


def _read(raw: ox.Store, subject: ox.NamedNode) -> AuditEvent:
    values = {q.predicate: q.object for q in raw.quads_for_pattern(subject, None, None, _GRAPH)}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for quad in raw.quads_for_pattern(subject, _CHANGE, None, _GRAPH):
        change = {q.predicate: q.object for q in raw.quads_for_pattern(quad.object, None, None, _GRAPH)}
        field = change[_FIELD].value
        if _BEFORE in change:
            before[field] = _literal_value(change[_BEFORE])
        if _AFTER in change:
            after[field] = _literal_value(change[_AFTER])
    return AuditEvent(
        iri=subject.value,
        actor=user_name(values[_ASSOCIATED].value),
        action=values[_ACTION].value,
        target=values[_TARGET].value,
        before=before or None,
        after=after or None,
        at=datetime.fromisoformat(values[_STARTED].value),
    )
