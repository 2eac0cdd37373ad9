"""SPARQL endpoint latency: catalog queries through ``/sparql`` over HTTP next to the same queries on pyoxigraph.

Builds (once, then reuses) an on-disk store of N generated entries — the entries of ``bench/validate.py``, about
50 triples each, streamed into one source in batches — then starts ``gov-catalog serve`` on it in its own process
and times each query both ways in the same run, alternating: through the endpoint with a plain ``http.client``
GET (the full path: HTTP, a worker process, the row cap, JSON), and directly with ``CatalogStore.query`` on a
read-only pyoxigraph handle of the same store, serialised to the same SPARQL JSON. Prints the medians, the 95th
percentiles, the endpoint's overhead, the service's RSS (server and its query workers) and the command that
reproduces the run.

    python bench/sparql.py                          # 100,000 entries
    python bench/sparql.py -n 1000000 --budget 30   # a million (building the store takes a while, once)
    python bench/sparql.py --update-doc docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import compare_query, http_get, seconds, start_node, tree_rss, update_subsection  # noqa: E402
from common import duration as _ms  # noqa: E402

from bench.validate import Generator  # noqa: E402
from catalog_service import namespaces as ns  # noqa: E402
from catalog_service.store import CatalogStore  # noqa: E402

PREFIXES = ns.sparql_prefixes()
QUERIES: dict[str, str] = {
    "counts per sharing type": PREFIXES
    + "SELECT ?sharingType (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ; gc:sharingType ?sharingType }\n"
    "GROUP BY ?sharingType",
    "counts per level": PREFIXES
    + "SELECT ?level (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ; gc:level ?level } GROUP BY ?level",
    "titles CONTAINS 人口, first 20": PREFIXES
    + 'SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dct:title ?title FILTER(CONTAINS(?title, "人口")) } LIMIT 20',
    "lookup by identifier": PREFIXES
    + 'SELECT ?d ?title ?publisher WHERE { ?d dct:identifier "{identifier}" ; dct:title ?title ;\n'
    "dct:publisher ?publisher }",
    "under 江苏省 (skos:broader*), count": PREFIXES
    + 'SELECT (COUNT(?d) AS ?n) WHERE { ?province skos:notation "320000" . ?region skos:broader* ?province .\n'
    "?d a dcat:Dataset ; dct:spatial ?region }",
    "under 江苏省 (skos:broader*), 1,000 titles": PREFIXES
    + 'SELECT ?d ?title WHERE { ?province skos:notation "320000" . ?region skos:broader* ?province .\n'
    "?d a dcat:Dataset ; dct:spatial ?region ; dct:title ?title } LIMIT 1000",
}
BATCH = 10_000
"""Entries per write while building the store: about half a million triples, bulk-loaded."""
SERVER_TIMEOUT = 600.0
"""The served endpoint's ``sparql_timeout``: at a million entries a count over every entry takes longer than the
default 30 s."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store-dir", type=Path, help="where the generated store is kept between runs")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds to spend per query and way (roughly)")
    parser.add_argument("--min-runs", type=int, default=5)
    parser.add_argument("--max-runs", type=int, default=200)
    parser.add_argument("--build-only", action="store_true", help="build the store for a later run, measure nothing")
    parser.add_argument("--update-doc", type=Path, help="write the figures into this file's '## SPARQL endpoint'")
    args = parser.parse_args(argv)
    folder = args.store_dir or Path(tempfile.gettempdir()) / f"gov-catalog-bench-sparql-{args.entries}-{args.seed}"

    built = _build_store(folder, args.entries, args.seed)
    if args.build_only:
        print(f"{folder}: {built}")
        return 0
    load_before = os.getloadavg()[0]
    direct_store = CatalogStore(ox.Store.read_only(str(folder / "store")), folder / "store")
    identifier = next(iter(direct_store.query(_middle_identifier(args.entries))))["id"].value
    if not re.fullmatch(r"[0-9/]+", identifier):  # it goes into the query text
        raise ValueError(f"unexpected identifier {identifier!r}")
    queries = {name: query.replace("{identifier}", identifier) for name, query in QUERIES.items()}

    config = folder / "bench.toml"  # a time limit long enough for aggregates over a million entries
    config.write_text(f"[catalog]\nsparql_timeout = {SERVER_TIMEOUT:.1f}\n", encoding="utf-8")
    print("starting the server (its first start on a new store also builds the search index) …", file=sys.stderr)
    server, port = start_node(folder, config)
    rows = []
    try:
        baseline = _http_baseline(port)
        print(f"HTTP round trip without a query (the service description): {_ms(baseline)}")
        limits = {"budget": args.budget, "min_runs": args.min_runs, "max_runs": args.max_runs}
        for name, query in queries.items():
            rows.append(compare_query(name, query, port, direct_store, **limits))
            print(_row_text(rows[-1]), flush=True)
        rss = tree_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    load = (load_before, os.getloadavg()[0])
    print(f"service RSS (server and its query workers): {rss / 2**20:,.0f} MiB")
    print(f"load average (1 min) before and after: {load[0]:.1f}, {load[1]:.1f} on {os.cpu_count()} CPUs")
    command = "python bench/sparql.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    print(f"reproduce: {command.strip()}")
    if args.update_doc:
        subsection = _subsection(command.strip(), args.entries, built, rows, rss, load, baseline)
        update_subsection(args.update_doc, "## SPARQL endpoint", _INTRO, subsection, _size)
    return 0


def _build_store(folder: Path, entries: int, seed: int) -> str:
    """Generate and load the entries unless a complete store of them is already there; say what was done."""
    marker = folder / "complete.json"
    if marker.exists():
        return json.loads(marker.read_text())["built"]
    started = time.perf_counter()
    store = CatalogStore.open(folder)
    store.init_vocabulary()
    writer = store.new_version("bench")
    generator = Generator(seed)
    batch: list[ox.Triple] = []
    for i in range(entries):
        batch += generator.entry(i)
        if (i + 1) % BATCH == 0:
            writer.add(batch)
            batch = []
            print(f"\rbuilding the store: {i + 1:,} entries", end="", file=sys.stderr, flush=True)
    writer.add(batch)
    version = writer.commit()
    store.raw.optimize()
    store.close()
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in (folder / "store").iterdir())
    built = f"{version.triples:,} triples, {size / 2**30:.1f} GiB on disk, built in {seconds / 60:.1f} min"
    marker.write_text(json.dumps({"built": built}))
    print(f"\n{built}", file=sys.stderr)
    return built


def _middle_identifier(entries: int) -> str:
    return PREFIXES + f"SELECT ?id WHERE {{ ?d a dcat:Dataset ; dct:identifier ?id }} OFFSET {entries // 2} LIMIT 1"


def _http_baseline(port: int, runs: int = 200) -> float:
    """Median time of a GET that runs no query: what HTTP alone costs here."""

    def describe() -> None:
        http_get(port, "/sparql", {"Accept": "text/turtle"})

    describe()
    return statistics.median(seconds(describe) for _ in range(runs))


def _overhead(row: dict) -> tuple[float, float, bool]:
    """Added milliseconds, added share, and whether that meets the goal (≤ 20 % or ≤ 2 ms)."""
    added = row["endpoint"] - row["direct"]
    share = added / row["direct"] if row["direct"] else 0.0
    return added * 1000, share, added <= 0.002 or share <= 0.20


def _row_text(row: dict) -> str:
    added, share, ok = _overhead(row)
    return (
        f"{row['name']}: {row['rows']} rows, {row['runs']} runs; pyoxigraph {_ms(row['direct'])} "
        f"(p95 {_ms(row['direct95'])}), endpoint {_ms(row['endpoint'])} (p95 {_ms(row['endpoint95'])}), "
        f"{added:+.2f} ms / {share:+.0%} {'ok' if ok else 'OVER GOAL'}{'' if row['same'] else ', ANSWERS DIFFER'}"
    )


_INTRO = """Catalog queries through `/sparql` over HTTP next to the same queries run directly on pyoxigraph, in the
same run (`bench/sparql.py`; one subsection per store size, below).

- *pyoxigraph* is `CatalogStore.query` on a read-only handle of the store, serialised to SPARQL JSON in the
  benchmark's own process. *endpoint* is an HTTP GET (`http.client`, a connection per request, as the server
  closes them) to `gov-catalog serve` (threaded werkzeug), which hands the query to a worker process; the worker
  evaluates it on its read-only handle, serialises TSV through the row cap, converts it to JSON, and the answer
  comes back through a pipe. The server runs with `sparql_timeout = 600`: at a million entries a count over
  every entry takes 20 s here, close to the default limit of 30 s (on a loaded machine it went over, and the
  endpoint stopped it with a 503, as designed).
- What the endpoint adds is fixed, not proportional: aggregates over the whole catalog cost the same both ways
  (within the noise), while a lookup gets 2–3 ms slower and a query of a few milliseconds 3.5–4 ms. Of that,
  about 1 ms is the HTTP server itself (a GET of the service description, no query: werkzeug opens a thread per
  connection and does no keep-alive), about 0.5 ms Flask and the endpoint's own work, and 0.3–0.5 ms the pipe
  to the worker and back (two process wake-ups; several milliseconds when the CPUs are oversubscribed). So the
  goal (≤ 20 % or ≤ 2 ms) is met for everything that takes more than about 20 ms and missed by up to 2 ms for
  lookups and queries of a few milliseconds; a production WSGI server with keep-alive would take most of the
  HTTP part away.
- Medians of alternating runs (at least `--min-runs`, about `--budget` seconds per query and way). The machine is
  shared; the load average is given with each run, and figures taken under load exaggerate the added time.
"""


def _subsection(
    command: str, entries: int, built: str, rows: list[dict], rss: int, load: tuple[float, float], baseline: float
) -> str:
    machine = f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    same = all(row["same"] for row in rows)
    lines = [
        f"### {entries:,} entries",
        "",
        f"{built}. Measured with",
        f"`{command}`",
        f"on {machine}, load average {load[0]:.1f} before and {load[1]:.1f} after. HTTP alone (no query):",
        f"{_ms(baseline)}. Same answers both ways: {'yes' if same else '**no**'}. Service RSS after the run (the",
        f"server, its search index and its query workers): {rss / 2**20:,.0f} MiB.",
        "",
        "| query | rows | pyoxigraph p50 (p95) | endpoint p50 (p95) | added | goal ≤ 20 % or ≤ 2 ms |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        added, share, ok = _overhead(row)
        lines.append(
            f"| {row['name']} | {row['rows']:,} | {_ms(row['direct'])} ({_ms(row['direct95'])}) | "
            f"{_ms(row['endpoint'])} ({_ms(row['endpoint95'])}) | {added:+.2f} ms ({share:+.0%}) | "
            f"{'yes' if ok else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def _size(heading: str) -> int:
    """Subsections by store size: ``### 100,000 entries`` sorts by 100000."""
    return int(re.sub(r"\D", "", heading))


if __name__ == "__main__":
    sys.exit(main())
