"""The shared harvest pipeline: incremental runs, invalid records, guards, 一数一源, provenance, failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalog_service import namespaces as ns
from catalog_service.harvest.pipeline import QUARANTINE, harvest
from catalog_service.harvest.runs import fail_interrupted_runs
from catalog_service.store import CatalogStore, SourceWriter
from harvesters.base import SourceConfig
from tests.harvest.catalogs import credit_code, entry, write
from tests.servers import Reply, serve

PREFIXES = ns.sparql_prefixes()


def datasets(store: CatalogStore) -> dict[str, str]:
    query = PREFIXES + "SELECT ?id ?t WHERE { ?d a dcat:Dataset ; dct:identifier ?id ; dct:title ?t }"
    return {row["id"].value: row["t"].value for row in store.query(query)}


def count(store: CatalogStore) -> int:
    query = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?d a dcat:Dataset }"
    return int(next(iter(store.query(query)))["n"].value)


def source(name: str, url: str, **kwargs) -> SourceConfig:
    options = kwargs.pop("options", {})
    return SourceConfig(name, "spreadsheet", url, options=options, **kwargs)


def test_first_harvest_then_unchanged_changed_and_vanished(store: CatalogStore, tmp_path: Path) -> None:
    path = tmp_path / "xuanwu.csv"
    src = source("xuanwu", write(path, [entry(n) for n in range(1, 5)]))
    first = harvest(store, src)
    assert (first.status, first.counts["added"]) == ("succeeded", 4)
    assert count(store) == 4

    again = harvest(store, src)
    assert [again.counts[k] for k in ("unchanged", "added", "updated", "removed")] == [4, 0, 0, 0]
    assert store.source("xuanwu").version == 1, "an unchanged run writes no new version"

    rows = [entry(n) for n in range(1, 4)]
    rows[0]["信息资源名称"] = "户籍人口基本信息（更正）"
    write(path, rows)
    third = harvest(store, src)
    assert (third.counts["updated"], third.counts["unchanged"], third.counts["removed"]) == (1, 2, 1)
    assert datasets(store) == {
        "1010001/000001": "户籍人口基本信息（更正）",
        "1010001/000002": "户籍人口基本信息2",
        "1010001/000003": "户籍人口基本信息3",
    }


def test_large_change_streams_a_new_version(store: CatalogStore, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    src = source("big", write(path, [entry(n) for n in range(1, 31)]), options={"in_place_limit": 50})
    harvest(store, src)
    rows = [entry(n, title=f"新名称{n}") for n in range(1, 31)]
    write(path, rows)
    run = harvest(store, src)
    assert run.counts["updated"] == 30
    assert store.source("big").version == 2
    assert set(datasets(store).values()) == {f"新名称{n}" for n in range(1, 31)}


def test_invalid_records_are_quarantined_and_reported(store: CatalogStore, tmp_path: Path) -> None:
    good_code = credit_code("320102", 1)
    wrong_check = good_code[:-1] + ("1" if good_code[-1] == "0" else "0")
    bad = entry(3, **{"信息资源提供方代码": wrong_check})
    rows = [entry(1), entry(2), bad, entry(4, **{"共享类型": "部分共享"})]
    run = harvest(store, source("xuanwu", write(tmp_path / "x.csv", rows)))
    assert run.status == "succeeded"
    assert (run.counts["added"], run.counts["invalid"], run.counts["failed"]) == (2, 1, 1)
    assert set(datasets(store)) == {"1010001/000001", "1010001/000002"}
    quarantined = {
        t.subject.value for t in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(QUARANTINE + "xuanwu"))
    }
    assert ns.resource("1010001/000003") in quarantined
    query = (
        PREFIXES
        + """
        SELECT ?kind ?key ?message WHERE { ?run gc:recordIssue ?i . ?i gc:issueKind ?kind ; gc:sourceKey ?key ;
        rdfs:comment ?message FILTER(lang(?message) = "en") }"""
    )
    issues = {(r["kind"].value, r["key"].value, r["message"].value) for r in store.query(query)}
    kinds = {kind for kind, _, _ in issues}
    assert kinds == {"invalid", "failed"}
    assert any("check" in message.lower() for kind, _, message in issues if kind == "invalid")


def test_mostly_invalid_run_keeps_previous_version(store: CatalogStore, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [entry(n) for n in range(1, 5)]))
    harvest(store, src)
    write(path, [entry(n, **{"共享类型": "有条件共享"}) for n in range(1, 5)])  # no conditions: invalid
    run = harvest(store, src)
    assert run.status == "review"
    assert run.counts["invalid"] == 4
    assert count(store) == 4 and set(datasets(store).values()) == {f"户籍人口基本信息{n}" for n in range(1, 5)}


@pytest.mark.parametrize("remaining", [0, 1])
def test_mass_disappearance_keeps_previous_version(store: CatalogStore, tmp_path: Path, remaining: int) -> None:
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [entry(n) for n in range(1, 5)]))
    harvest(store, src)
    write(path, [entry(n) for n in range(1, 1 + remaining)])
    run = harvest(store, src)
    assert run.status == "review"
    assert count(store) == 4


def test_broken_source_fails_and_keeps_previous_version(store: CatalogStore, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [entry(1), entry(2)]))
    harvest(store, src)
    path.write_text("信息资源名称,信息资源代码\n人口,1010001/000001\n", encoding="utf-8")
    run = harvest(store, src)
    assert run.status == "failed"
    assert "信息资源分类" in run.errors[0]
    path.unlink()
    assert harvest(store, src).status == "failed"
    assert count(store) == 2


def test_one_datum_one_source_across_levels(store: CatalogStore, tmp_path: Path) -> None:
    county_rows = [entry(1), entry(2)]
    city_rows = [
        entry(1),
        entry(2, title="户籍人口信息（市级转报，标题不同）"),
        entry(3, region="320100", level="市", provider="南京市公安局", credit=credit_code("320100", 7)),
    ]
    city = source("nanjing", write(tmp_path / "nj.csv", city_rows), level="市", region="320100")
    county = source("xuanwu", write(tmp_path / "xw.csv", county_rows), level="县", region="320102")

    harvest(store, city)
    assert count(store) == 3, "before the county is harvested, the city's copies stand in"
    run = harvest(store, county)
    assert run.status == "succeeded"
    assert run.counts["conflicts"] == 1, "the city's copy of 000002 has another title"
    assert count(store) == 3, "one resource, one description"
    assert datasets(store)["1010001/000002"] == "户籍人口基本信息2", "the county's copy is authoritative"

    query = (
        PREFIXES
        + """
        SELECT ?source ?auth WHERE { ?r a dcat:CatalogRecord ; foaf:primaryTopic ?d ; gc:harvestSource ?source ;
        gc:authoritative ?auth . ?d dct:identifier "1010001/000001" }"""
    )
    records = {(r["source"].value.rsplit("/", 1)[-1], r["auth"].value) for r in store.query(query)}
    assert records == {("nanjing", "false"), ("xuanwu", "true")}

    again = harvest(store, city)
    assert again.counts["unchanged"] == 3
    assert count(store) == 3


def test_provenance_is_queryable(store: CatalogStore, tmp_path: Path) -> None:
    run = harvest(store, source("xuanwu", write(tmp_path / "x.csv", [entry(1)])))
    query = (
        PREFIXES
        + """
        SELECT ?first ?modified ?checksum ?run ?status ?added WHERE {
            ?r a dcat:CatalogRecord ; foaf:primaryTopic ?d ; dct:issued ?first ; dct:modified ?modified ;
               gc:checksum ?checksum ; prov:wasGeneratedBy ?run .
            ?run a prov:Activity ; prov:used ?source ; prov:startedAtTime ?s ; prov:endedAtTime ?e ;
                 gc:runStatus ?status ; gc:addedCount ?added . }"""
    )
    (row,) = list(store.query(query))
    assert row["run"].value == run.iri
    assert (row["status"].value, row["added"].value) == ("succeeded", "1")
    assert len(row["checksum"].value) == 64


def test_abort_keeps_previous_version(store: CatalogStore, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [entry(n) for n in range(1, 4)]))
    harvest(store, src)
    write(path, [entry(n, title="不应出现") for n in range(1, 4)])
    stop = threading.Event()
    stop.set()
    run = harvest(store, src, abort=stop)
    assert run.status == "aborted"
    assert "不应出现" not in datasets(store).values()


def test_time_limit(store: CatalogStore, tmp_path: Path) -> None:
    src = source("xuanwu", write(tmp_path / "x.csv", [entry(1)]), options={"time_limit": 0})
    run = harvest(store, src)
    assert run.status == "failed" and "time limit" in run.errors[0]


def test_killed_run_is_marked_failed_and_previous_version_survives(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = CatalogStore.open(data)
    store.init_vocabulary()
    first = harvest(store, source("xuanwu", write(tmp_path / "x.csv", [entry(1), entry(2)])))
    assert first.status == "succeeded"
    store.close()
    del store

    slow_csv = (tmp_path / "x.csv").read_bytes()
    with serve({"/slow.csv": lambda request: Reply(slow_csv, content_type="text/csv", drip=0.01)}) as server:
        script = textwrap.dedent(f"""
            from catalog_service.store import CatalogStore
            from catalog_service.harvest.pipeline import harvest
            from harvesters.base import SourceConfig
            store = CatalogStore.open({str(data)!r})
            harvest(store, SourceConfig("xuanwu", "spreadsheet", {server.url("/slow.csv")!r}))
        """)
        process = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2])
        deadline = time.monotonic() + 20
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        process.kill()
        process.wait()
    reopened = CatalogStore.open(data)
    try:
        dead = fail_interrupted_runs(reopened)
        assert len(dead) == 1
        query = PREFIXES + f"SELECT ?status WHERE {{ <{dead[0]}> gc:runStatus ?status }}"
        assert [r["status"].value for r in reopened.query(query)] == ["failed"]
        assert count(reopened) == 2
    finally:
        reopened.close()


def test_partial_run_keeps_what_the_source_did_not_list(store: CatalogStore, tmp_path: Path) -> None:
    """A source asked for changes since the last run answers only those; the rest stays, providers included."""
    from catalog_service.loading import read_catalog_file
    from catalog_service.rdfio import serialize

    def turtle(rows: list[dict[str, str]]) -> bytes:
        triples = read_catalog_file(write(tmp_path / "t.csv", rows)).triples
        return serialize(triples, ox.RdfFormat.TURTLE, ns.PREFIXES)

    full, changed = turtle([entry(n) for n in range(1, 5)]), turtle([entry(2, title="改名")])

    def answer(request) -> Reply:
        return Reply(changed if "since" in request.query else full, content_type="text/turtle")

    with serve({"/catalog.ttl": answer}) as server:
        src = SourceConfig("xuanwu", "dcat", server.url("/catalog.ttl"), options={"modified_since_param": "since"})
        assert harvest(store, src).counts["added"] == 4
        run = harvest(store, src)
        assert "since" in server.requests[-1].query
    assert run.status == "succeeded"
    assert (run.counts["updated"], run.counts["unchanged"], run.counts["removed"]) == (1, 3, 0)
    assert datasets(store)["1010001/000002"] == "改名"
    assert count(store) == 4
    query = PREFIXES + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset ; dct:publisher/foaf:name ?name }"
    assert next(iter(store.query(query)))["n"].value == "4", "every kept record still has its provider"


def test_an_edit_made_while_a_new_version_is_written_survives_and_fails_the_run(
    store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's new version was built from the version before the edit: it is not switched to, the run fails
    saying why, and the next run keeps the edit (its entry is unchanged upstream)."""
    path = tmp_path / "xuanwu.csv"
    src = source("xuanwu", write(path, [entry(n) for n in range(1, 5)]), options={"in_place_limit": 0})
    assert harvest(store, src).status == "succeeded"
    write(path, [entry(1), entry(2), entry(3), entry(4, title="水利工程信息")])  # one change: a new version

    subject = next(t.subject for t in store.triples("xuanwu") if t.object == ox.Literal("1010001/000001"))
    title = ox.NamedNode(ns.DCT + "title")

    def edit() -> None:
        kept = [t for t in store.triples("xuanwu") if t.subject == subject and t.predicate != title]
        changed = ox.Triple(subject, title, ox.Literal("户籍人口基本信息（已编辑）", language="zh"))
        store.update_source("xuanwu", remove_subjects=[subject.value], add=[*kept, changed])

    commit = SourceWriter.commit

    def commit_after_an_edit(writer: SourceWriter, state=()) -> object:
        monkeypatch.setattr(SourceWriter, "commit", commit)
        edit()
        return commit(writer, state)

    monkeypatch.setattr(SourceWriter, "commit", commit_after_an_edit)
    run = harvest(store, src)
    assert run.status == "failed"
    assert any("changed while its new version was written" in error for error in run.errors)
    assert datasets(store)["1010001/000001"] == "户籍人口基本信息（已编辑）"
    assert datasets(store)["1010001/000004"] == "户籍人口基本信息4", "the run's change waits for the next run"

    again = harvest(store, src)
    assert (again.status, again.counts["updated"]) == ("succeeded", 1)
    assert datasets(store)["1010001/000001"] == "户籍人口基本信息（已编辑）"
    assert datasets(store)["1010001/000004"] == "水利工程信息"


def test_a_complete_run_every_full_every_days_learns_what_the_source_removed(
    store: CatalogStore, tmp_path: Path
) -> None:
    """Partial runs cannot see removals; once no complete run succeeded for ``full_every`` days, the next run
    asks for everything and removes what the source no longer has."""
    from catalog_service.loading import read_catalog_file
    from catalog_service.rdfio import serialize

    def turtle(rows: list[dict[str, str]]) -> bytes:
        triples = read_catalog_file(write(tmp_path / "t.csv", rows)).triples
        return serialize(triples, ox.RdfFormat.TURTLE, ns.PREFIXES)

    listing = {"full": turtle([entry(n) for n in range(1, 5)])}
    changed = turtle([entry(2, title="改名")])

    def answer(request) -> Reply:
        return Reply(changed if "since" in request.query else listing["full"], content_type="text/turtle")

    def src(full_every: float) -> SourceConfig:
        options = {"modified_since_param": "since", "full_every": full_every}
        return SourceConfig("xuanwu", "dcat", server.url("/catalog.ttl"), options=options)

    with serve({"/catalog.ttl": answer}) as server:
        assert harvest(store, src(7)).counts["added"] == 4
        listing["full"] = turtle([entry(n) for n in range(1, 4)])  # the source removes entry 4
        partial = harvest(store, src(7))
        assert "since" in server.requests[-1].query
        assert (partial.status, partial.counts["removed"], count(store)) == ("succeeded", 0, 4)
        time.sleep(1.1)  # runs are timed to the second: the first one started a second ago at least
        complete = harvest(store, src(0.5 / 86_400))  # half a second
        assert "since" not in server.requests[-1].query
    assert (complete.status, complete.counts["removed"], complete.counts["updated"]) == ("succeeded", 1, 1)
    assert count(store) == 3
    flagged = PREFIXES + "SELECT ?run WHERE { ?run gc:partialRun true }"
    assert [row["run"].value for row in store.query(flagged)] == [partial.iri]


def test_each_run_keeps_the_search_index_in_step(store: CatalogStore, tmp_path: Path) -> None:
    from catalog_service.search import SearchIndex, SearchQuery

    index = SearchIndex.open(None)
    path = tmp_path / "x.csv"
    src = source("xuanwu", write(path, [entry(1), entry(2, title="婚姻登记信息")]))

    def titles(q: str) -> set[str]:
        return {item["title"] for item in index.search(SearchQuery.from_args({"q": q}))["items"]}

    harvest(store, src, index=index)
    assert titles("婚姻") == {"婚姻登记信息"}
    write(path, [entry(1, title="婚姻状况信息"), entry(3)])
    harvest(store, src, index=index)
    assert titles("婚姻") == {"婚姻状况信息"}, "the changed title is found"
    assert titles("登记") == set(), "the removed entry is gone"
    assert "户籍人口基本信息3" in titles("户籍"), "the added entry is found"
