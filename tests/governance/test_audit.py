"""The audit trail: generic events, read back exactly and queryable field by field over SPARQL."""

from datetime import UTC, datetime

import pytest

from catalog_service.governance import AUDIT_GRAPH, audit
from catalog_service.store import CatalogStore

TARGET = "https://w3id.org/gov-catalog/resource/1010007/000211"


def test_an_event_reads_back_as_recorded(store: CatalogStore) -> None:
    at = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    before = {"title": "人口信息", "formats": ["csv"], "open": False}
    after = {"title": "人口基础信息", "formats": ["csv", "xlsx"], "open": False, "cycle": None, "count": 3}
    written = audit.record(store, actor="zhang san", action="edit", target=TARGET, before=before, after=after, at=at)
    [read] = audit.events(store, target=TARGET)
    assert read == written
    assert (read.actor, read.action, read.before, read.after, read.at) == ("zhang san", "edit", before, after, at)


def test_creation_has_no_before_and_events_filter_by_actor_and_target(store: CatalogStore) -> None:
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    audit.record(store, actor="a", action="create", target=TARGET, before=None, after={"x": "1"}, at=first)
    audit.record(
        store, actor="b", action="edit", target=TARGET, before={"x": "1"}, after={"x": "2"}, at=first.replace(hour=9)
    )
    audit.record(store, actor="a", action="create", target=TARGET + "x", before=None, after={"x": "1"}, at=first)
    assert [e.actor for e in audit.events(store, target=TARGET)] == ["a", "b"]
    assert audit.events(store, target=TARGET)[0].before is None
    assert [e.target for e in audit.events(store, actor="a")] == [TARGET, TARGET + "x"]  # same time: recording order
    assert [e.action for e in audit.events(store, target=TARGET, actor="b")] == ["edit"]
    assert len(audit.events(store)) == 3


def test_fields_are_queryable_over_sparql(store: CatalogStore) -> None:
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    before, after = {"status": "submitted"}, {"status": "refused"}
    audit.record(store, actor="c", action="refuse", target=TARGET, before=before, after=after, at=at)
    rows = list(
        store.raw.query(f"""
        PREFIX gc: <https://w3id.org/gov-catalog/ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?who ?when WHERE {{ GRAPH <{AUDIT_GRAPH}> {{
            ?event a gc:AuditEvent, prov:Activity ; prov:wasAssociatedWith ?who ; prov:startedAtTime ?when ;
                gc:auditChange [ gc:changedField "status" ; gc:valueBefore "submitted" ; gc:valueAfter "refused" ]
        }} }}""")
    )
    assert [(r["who"].value, datetime.fromisoformat(r["when"].value)) for r in rows] == [(audit.user_iri("c"), at)]


def test_a_time_without_zone_is_refused(store: CatalogStore) -> None:
    with pytest.raises(ValueError):
        audit.record(store, actor="a", action="x", target=TARGET, before=None, after=None, at=datetime(2026, 3, 2))
    assert audit.events(store) == []
