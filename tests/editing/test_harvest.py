"""Edits and harvesting: an edit stays while the source's record is unchanged; a changed record replaces it,
and the run reports that it did."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from flask.testing import FlaskClient

from catalog_service import namespaces as ns
from catalog_service.harvest.pipeline import harvest
from catalog_service.resources import resource_dir
from catalog_service.search.api import INDEX_KEY
from harvesters.base import SourceConfig
from tests.editing.conftest import POLICE_HIDDEN, POLICE_PUBLIC, Node, dataset, edits_of, element, patch

EDITED = "南京市出入境证件签发信息（本节点修订）"
UPSTREAM_DESCRIPTION = "南京市出入境管理部门签发的普通护照、往来港澳台通行证等出入境证件信息"


def nanjing(path: Path, **options: object) -> SourceConfig:
    """The sample federation's 南京市 source, read from ``path``."""
    return SourceConfig("nanjing", "dcat", str(path), "市", "320100", None, dict(options))


def upstream_copy(tmp_path: Path) -> Path:
    path = tmp_path / "nanjing.ttl"
    shutil.copy(resource_dir("examples") / "federation" / "nanjing.ttl", path)
    return path


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def replaced_edits(run) -> list[str | None]:
    return [issue.record for issue in run.issues if issue.kind == "edit-replaced"]


def test_edit_kept_until_the_source_changes_the_record(node: Node, client: FlaskClient, tmp_path: Path) -> None:
    upstream, index = upstream_copy(tmp_path), node.app.extensions[INDEX_KEY]
    police = node.token("nanjing-police")
    assert patch(client, POLICE_HIDDEN, {"title": {"zh": EDITED}}, police, "*").status_code == 200

    run = harvest(node.store, nanjing(upstream), index=index)
    assert run.status == "succeeded" and run.counts["updated"] == 0 and replaced_edits(run) == []
    assert client.get(f"/api/datasets/{POLICE_HIDDEN}", headers=police).get_json()["title"]["zh"] == EDITED
    found = client.get("/api/search", query_string={"q": "本节点修订"}, headers=police).get_json()["items"]
    assert [item["identifier"] for item in found] == [POLICE_HIDDEN]

    rewrite(upstream, UPSTREAM_DESCRIPTION, UPSTREAM_DESCRIPTION + "（2025 年版）")
    run = harvest(node.store, nanjing(upstream), index=index)
    assert run.status == "succeeded" and run.counts["updated"] == 1
    assert replaced_edits(run) == [dataset(POLICE_HIDDEN)]
    entry = client.get(f"/api/datasets/{POLICE_HIDDEN}", headers=police).get_json()
    assert entry["title"]["zh"] == "南京市出入境证件签发信息"
    assert "2025 年版" in element(entry, "description")[0]["value"]
    assert client.get("/api/search", query_string={"q": "本节点修订"}, headers=police).get_json()["items"] == []
    kind = ox.NamedNode(ns.GC + "issueKind")
    reported = node.store.raw.quads_for_pattern(None, kind, ox.Literal("edit-replaced"), None)
    assert [q.subject.value.startswith(run.iri) for q in reported] == [True]  # the run's report, queryable
    assert len(edits_of(node.store, POLICE_HIDDEN)) == 1  # the audit trail keeps the edit

    again = harvest(node.store, nanjing(upstream), index=index)
    assert again.counts["unchanged"] == run.counts["unchanged"] + 1 and replaced_edits(again) == []


def test_edit_carried_into_a_new_version_of_the_source(node: Node, client: FlaskClient, tmp_path: Path) -> None:
    upstream = upstream_copy(tmp_path)
    police = node.token("nanjing-police")
    change = {"openness": "2", "open-condition": ["实名注册后可查询"]}
    assert patch(client, POLICE_HIDDEN, change, police, "*").status_code == 200
    assert client.get(f"/api/datasets/{POLICE_HIDDEN}").status_code == 200
    version = node.store.source("nanjing").version

    # another record changed upstream, written as a new version of the whole source (no change in place)
    rewrite(upstream, '南京市道路交通事故统计信息"@zh ;', '南京市道路交通事故统计信息（年报）"@zh ;')
    run = harvest(node.store, nanjing(upstream, in_place_limit=0), index=node.app.extensions[INDEX_KEY])
    assert run.status == "succeeded" and run.counts["updated"] == 1 and replaced_edits(run) == []
    assert node.store.source("nanjing").version == version + 1

    entry = client.get(f"/api/datasets/{POLICE_HIDDEN}").get_json()  # still public
    assert [v["notation"] for v in element(entry, "openness")] == ["2"]
    assert [v["value"] for v in element(entry, "open-condition")] == ["实名注册后可查询"]
    catalog = f"ASK {{ <https://w3id.org/gov-catalog/catalog/nanjing/gaj> ?p <{dataset(POLICE_HIDDEN)}> }}"
    answer = client.post("/sparql", data={"query": catalog}, headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is True
    assert (
        client.get(f"/api/datasets/{POLICE_PUBLIC}").get_json()["title"]["zh"] == "南京市道路交通事故统计信息（年报）"
    )
