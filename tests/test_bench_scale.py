"""The national-scale benchmark, run small: every phase runs and the catalog holds exactly what was generated.

``bench/scale.py`` is not a timed test; this checks that it works end to end (a federation of 32 real
platforms served over HTTP, harvested, re-harvested, one source edited, the node served and queried) and that
its figures say what happened, so that the long runs recorded in docs/benchmarks.md can be trusted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = 1_000


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """One small run of the benchmark: its figures (``--json``) and what it printed."""
    folder = tmp_path_factory.mktemp("scale")
    figures = folder / "figures.json"
    command = [sys.executable, str(ROOT / "bench" / "scale.py"), "--entries", str(ENTRIES), "--work", str(folder)]
    command += ["--searches", "8", "--budget", "0", "--min-runs", "1", "--max-runs", "1", "--json", str(figures)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(figures.read_text(encoding="utf-8")), done.stdout


def test_every_phase_ran_and_the_report_says_how_to_reproduce_it(run: tuple[dict, str]) -> None:
    figures, printed = run
    for name in ("raw", "first", "again", "one", "reindex"):
        assert figures["phases"][name]["seconds"] > 0
        assert figures["phases"][name]["max_rss_mib"] > 0
    assert f"### {ENTRIES:,} entries, embedded store" in printed
    assert f"reproduce: python bench/scale.py --entries {ENTRIES}" in printed
    assert "CHECK FAILED" not in printed
    assert figures["service_rss"] > 0
    assert figures["disk"]["store"] > 0 and figures["disk"]["search"] > 0 and figures["disk"]["raw"] > 0


def test_the_federation_is_national_with_every_level(run: tuple[dict, str]) -> None:
    federation = run[0]["federation"]
    assert federation["sources"] == 32  # the national platform and 31 provinces
    assert set(federation["per_level"]) == {"1", "2", "3", "4"}
    assert sum(federation["per_level"].values()) == ENTRIES
    assert federation["per_level"]["4"] > federation["per_level"]["3"] > federation["per_level"]["1"]
    assert sum(federation["entries_of"].values()) == ENTRIES
    assert federation["departments"] > 200


def test_the_catalog_holds_every_valid_entry_per_level(run: tuple[dict, str]) -> None:
    figures = run[0]
    catalog, generated = figures["catalog"], figures["federation"]["per_level"]
    withdrawn = Counter(figures["changed"]["withdrawn"].values())
    held = Counter(catalog["per_level"]) + Counter(catalog["quarantined"])
    assert {level: held[level] + withdrawn[level] for level in generated} == generated
    assert sum(catalog["quarantined"].values()) == figures["phases"]["again"]["counts"]["invalid"]
    assert catalog["search_total"] == sum(catalog["per_level"].values())


def test_re_harvests_change_only_what_changed(run: tuple[dict, str]) -> None:
    phases = run[0]["phases"]
    first, again, one = (phases[name]["counts"] for name in ("first", "again", "one"))
    assert first["added"] + first["invalid"] == ENTRIES
    assert first["invalid"] > 0  # one entry in ten has a typical mistake
    assert (again["added"], again["updated"], again["removed"], again["unchanged"]) == (0, 0, 0, first["added"])
    assert list(phases["one"]["sources"]) == ["province-320000"]
    assert (one["added"], one["updated"], one["removed"]) == (0, 10, 2)
    before = phases["again"]["sources"]["province-320000"]["counts"]
    assert one["unchanged"] == before["unchanged"] - 12
    assert one["invalid"] == before["invalid"]


def test_searches_and_queries_answer_alike_both_ways(run: tuple[dict, str]) -> None:
    figures = run[0]
    assert set(figures["searches"]) == {
        "keyword + 2 filters", "2 filters, no keyword", "keyword only", "generic word + 2 filters",
    }  # fmt: skip
    for kind in figures["searches"].values():
        assert 0 < kind["endpoint50"] <= kind["endpoint95"]
        assert 0 < kind["direct50"] <= kind["direct95"]
    rows = {row["name"]: row for row in figures["sparql"]}
    assert all(row["same"] for row in rows.values())
    counts = rows["counts per level and sharing type"]
    assert 4 < counts["rows"] <= 12 and counts["raw_rows"] >= counts["rows"]  # levels × sharing types
    assert rows["one entry with its provenance chain"]["rows"] == 1  # one record, from its province's platform
    assert rows["under 江苏省: counts per level"]["rows"] >= 2  # its cities and counties at least
