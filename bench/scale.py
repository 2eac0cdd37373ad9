"""National scale: a federation of every mainland GB/T 2260 division, harvested, changed, searched and queried.

The federation is the national platform and the 31 provincial platforms (港澳台 aside), each a ``type = "dcat"``
source with its level and region, serving paged DCAT Turtle (1,000 entries a page, Hydra ``next`` links) from a
local HTTP server. A provincial platform carries the entries of its own departments and of its cities' and
counties': 2 % of all entries are national, 7 % provincial, 21 % city and 70 % county, spread evenly over the
real divisions of each level (31 provinces, 333 cities, 2,843 counties), by 9,796 departments (36 national, 24 per
province, 10 per city, 2 per county) with valid unified social credit codes. The entries are
bench/validate.py's (about 50 triples each, identifiers agreeing with their category, one entry in ten with a
typical mistake), with the subjects and departments of bench/search.py. They are generated page by page into
files, on every core, so a million entries never sit in memory at once.

Every phase runs in its own process (its peak RSS is its own) and is timed:

1. raw pyoxigraph ``bulk_load`` of every page into an empty store: the reference;
2. first harvest of all sources into an empty data folder, the way ``gov-catalog harvest`` does it (fetch, parse,
   map, SHACL, 一数一源, store, search index, run report);
3. the same, unchanged;
4. one province's source edited (a few entries changed, two withdrawn) and harvested alone, in the full store;
5. the search index rebuilt from the store (``gov-catalog reindex``; ``--no-reindex`` leaves it out);
6. the node served (``gov-catalog serve``, queried with an API token, so it sees every entry): searches through
   ``/api/search`` and on the same index in this process; SPARQL queries through ``/sparql``, on the node's store
   directly, and on the raw store of phase 1 (the same pages in one graph); then the service's RSS and the
   size on disk.

``--store remote`` keeps the node's RDF in an Oxigraph server (``oxigraph serve`` of the ``oxigraph`` package,
started here in the work folder) instead of pyoxigraph in the data folder; everything else is the same.

Then the catalog is checked against what was generated: entries per level in the catalog plus those in
quarantine equal the generated ones (less the withdrawn), and the re-harvests changed only what was changed.

    python bench/scale.py --entries 100000 --update-doc docs/benchmarks.md
    python bench/scale.py --entries 1000000 --work /var/tmp/scale --keep
    python bench/scale.py --entries 10000 --store remote
    python bench/scale.py --entries 10000 --profile /tmp/profiles   # cProfile of each harvest phase
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from array import array
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import (  # noqa: E402
    compare_query,
    disk_size,
    duration,
    free_port,
    http_get,
    percentile,
    seconds,
    serve_folder,
    start_node,
    tree_rss,
    update_subsection,
    write_page,
)
from search import DEPARTMENTS, KINDS, LEVEL_SHARE, SUBJECTS, divisions_by_level, queries  # noqa: E402
from validate import Division, Generator  # noqa: E402

from catalog_service import namespaces as ns  # noqa: E402
from catalog_service import uscc  # noqa: E402
from catalog_service.search import SearchIndex, SearchQuery  # noqa: E402
from catalog_service.store import CatalogStore, StoreError  # noqa: E402

PAGE = 1_000
"""Entries per DCAT page."""
MAX_ENTRIES = 1_000_000
"""Identifiers end in a six-digit sequence number (the entry's number)."""
OUTSIDE = ("71", "81", "82")
"""台湾, 香港, 澳门: their divisions are in GB/T 2260 but publish to no platform of this federation."""
DEPARTMENTS_PER_LEVEL = {"1": 36, "2": 24, "3": 10, "4": 2}
"""Departments publishing at each division of a level: about 10,000 in all."""
LEVEL_NAMES = {"1": "国家", "2": "省", "3": "市", "4": "县"}
PROVINCE = "320000"
"""The province whose source is edited and re-harvested alone, and which the province queries ask about (江苏省)."""
CHANGED, WITHDRAWN = 10, 2
"""Entries of that source whose title is edited, and entries it stops listing, before its lone re-harvest."""
TIME_LIMIT = 86_400
"""Per source: a million-entry first harvest must not stop at the default hour."""
SPARQL_TIMEOUT = 3_600
"""The served endpoint's time limit: counts over every entry of a large federation take minutes (see the docs)."""

PREFIXES = ns.sparql_prefixes()
QUERIES: dict[str, str] = {
    "counts per level and sharing type": PREFIXES
    + "SELECT ?level ?sharing (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ; gc:level ?level ; gc:sharingType ?sharing }"
    "\nGROUP BY ?level ?sharing ORDER BY ?level ?sharing",
    "under 江苏省: counts per level": PREFIXES
    + f'SELECT ?level (COUNT(?d) AS ?n) WHERE {{ ?province skos:notation "{PROVINCE}" .\n'
    "?region skos:broader* ?province . ?d a dcat:Dataset ; dct:spatial ?region ; gc:level ?level } GROUP BY ?level",
    "under 江苏省: identifiers and titles, first 1,000": PREFIXES
    + f'SELECT ?id ?title WHERE {{ ?province skos:notation "{PROVINCE}" . ?region skos:broader* ?province .\n'
    "?d a dcat:Dataset ; dct:spatial ?region ; dct:identifier ?id ; dct:title ?title } LIMIT 1000",
    "one entry with its provenance chain": PREFIXES
    + """SELECT ?title ?provider ?record ?authoritative ?firstSeen ?modified ?source ?graph ?run ?status ?ended WHERE {
  ?d dct:identifier "{identifier}" ; dct:title ?title ; dct:publisher/foaf:name ?provider .
  ?record foaf:primaryTopic ?d ; gc:authoritative ?authoritative ; dct:issued ?firstSeen ; dct:modified ?modified ;
    gc:harvestSource ?source ; prov:wasGeneratedBy ?run .
  ?source gc:currentGraph ?graph .
  ?run gc:runStatus ?status ; prov:endedAtTime ?ended .
}""",
    "titles containing 人口: count": PREFIXES
    + 'SELECT (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset ; dct:title ?title FILTER(CONTAINS(?title, "人口")) }',
}
"""The SPARQL timed both ways; the last is what a keyword search would cost without the index."""
QUARANTINED = PREFIXES + f"""SELECT ?level (COUNT(DISTINCT ?d) AS ?n) WHERE {{
  GRAPH ?g {{ ?d a dcat:Dataset ; gc:level ?level }} FILTER(STRSTARTS(STR(?g), "{ns.GRAPH}quarantine/"))
}} GROUP BY ?level"""


# -- the federation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One platform of the federation, as a ``[[sources]]`` table names it."""

    name: str
    level: str
    region: str


class Federation:
    """Who publishes what: every entry's division and department, drawn once from the seed, and the platforms.

    Kept as arrays of small numbers (a few bytes an entry), not as entries.
    """

    def __init__(self, entries: int, seed: int) -> None:
        by_level = mainland_divisions()
        self.divisions: list[Division] = [d for level in LEVEL_SHARE for d in by_level[level]]
        position = {d[0]: n for n, d in enumerate(self.divisions)}
        self.sources = platforms(by_level)
        self.members: dict[str, array] = {source.name: array("I") for source in self.sources}
        self.division_of = array("H")
        self.department_of = array("B")
        self.per_level: Counter[str] = Counter()
        rng = random.Random(seed)
        levels, weights = list(LEVEL_SHARE), list(LEVEL_SHARE.values())
        for i in range(entries):
            level = rng.choices(levels, weights)[0]
            code = rng.choice(by_level[level])[0]
            self.division_of.append(position[code])
            self.department_of.append(rng.choice(departments_of(code, level)))
            self.per_level[level] += 1
            self.members[self.source_of(code)].append(i)

    def source_of(self, code: str) -> str:
        """The platform that carries the entries of a division: the country's, or its province's."""
        return "national" if code == "100000" else f"province-{code[:2]}0000"

    def departments(self) -> int:
        """How many departments publish at least one entry."""
        return len(set(zip(self.division_of, self.department_of, strict=True)))

    def job(self, source: Source, folder: Path, base_url: str, seed: int) -> WriteJob:
        """What a worker needs to write one source's pages (its entries only)."""
        numbers = self.members[source.name]
        return WriteJob(
            source.name,
            folder / source.name,
            f"{base_url}/{source.name}",
            seed * 100 + self.sources.index(source),
            self.divisions,
            numbers,
            array("H", (self.division_of[i] for i in numbers)),
            array("B", (self.department_of[i] for i in numbers)),
        )


def mainland_divisions() -> dict[str, list[Division]]:
    """The divisions of each level (notation 1 to 4) whose platforms belong to the federation."""
    return {
        level: [(code, level, place) for code, place in found if code[:2] not in OUTSIDE]
        for level, found in divisions_by_level().items()
    }


def platforms(divisions: dict[str, list[Division]]) -> list[Source]:
    """The national platform and one per province: the federation's sources."""
    national = Source("national", LEVEL_NAMES["1"], "100000")
    return [national] + [Source(f"province-{code}", LEVEL_NAMES["2"], code) for code, _, _ in divisions["2"]]


def departments_of(code: str, level: str) -> list[int]:
    """The departments (positions in bench/search.py's list) publishing at a division: a few, varying by place."""
    count = DEPARTMENTS_PER_LEVEL[level]
    start = int(code) % len(DEPARTMENTS)
    return [(start + n) % len(DEPARTMENTS) for n in range(count)]


@dataclass
class WriteJob:
    """One source's share of the entries, for the worker process that writes its pages."""

    name: str
    folder: Path
    url: str
    seed: int
    divisions: list[Division]
    numbers: array
    division_of: array
    department_of: array


def write_source(job: WriteJob) -> tuple[str, int, int]:
    """Write one source's DCAT pages (in a worker process); return its name, page count and triple count."""
    generator = Generator(job.seed, divisions=job.divisions, departments=DEPARTMENTS, subjects=SUBJECTS, kinds=KINDS)
    job.folder.mkdir(parents=True, exist_ok=True)
    pages = max(1, -(-len(job.numbers) // PAGE))
    total = 0
    for page in range(pages):
        triples: dict[ox.Triple, None] = {}
        for n in range(page * PAGE, min(len(job.numbers), (page + 1) * PAGE)):
            division = job.divisions[job.division_of[n]]
            entry = generator.entry(job.numbers[n], division, DEPARTMENTS[job.department_of[n]])
            triples.update(dict.fromkeys(entry))
        total += len(triples)
        following = f"{job.url}/{page + 1}.ttl" if page + 1 < pages else None
        write_page(job.folder / f"{page}.ttl", list(triples), f"{job.url}/{page}.ttl", following)
    return job.name, pages, total


def write_config(path: Path, base_url: str, store_url: str | None) -> None:
    """The node's ``gov-catalog.toml``: every platform as a ``dcat`` source, a long SPARQL time limit, and the
    remote store if there is one."""
    lines = ["[catalog]", f"sparql_timeout = {SPARQL_TIMEOUT:.1f}", ""]
    if store_url:  # waiting as long as the endpoint does: a catalog-wide count takes minutes
        lines += ["[store]", 'type = "remote"', f"timeout = {SPARQL_TIMEOUT:.1f}"]
        lines += [f'{name} = "{store_url}/{path}"' for name, path in (("query", "query"), ("update", "update"),
                                                                        ("graph_store", "store"))]  # fmt: skip
        lines.append("")
    for source in platforms(mainland_divisions()):
        lines += [
            "[[sources]]",
            f'name = "{source.name}"',
            'type = "dcat"',
            f'url = "{base_url}/{source.name}/0.ttl"',
            f'level = "{source.level}"',
            f'region = "{source.region}"',
            f"time_limit = {TIME_LIMIT}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


# -- phases, each in a process of its own ---------------------------------------------------------------------


def phase(name: str, *args: str) -> dict:
    """Run one measured phase in a fresh process and return what it reports (its last line, JSON)."""
    done = subprocess.run([sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"phase {name} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_phase(name: str, args: list[str]) -> None:
    """Inside the child process: do one phase and print its figures as JSON."""
    started = time.perf_counter()
    if name == "raw":
        result = _raw_load(Path(args[0]), Path(args[1]))
    elif name == "harvest":
        config, data_dir, profile, *names = args
        result = _harvest(Path(config), Path(data_dir), names, Path(profile) if profile else None)
    elif name == "reindex":
        from catalog_service.cli import main

        config, data_dir = args
        with contextlib.redirect_stdout(sys.stderr):
            main(["reindex", "--config", config, "--data-dir", data_dir])
        result = {}
    else:
        raise ValueError(f"unknown phase {name!r}")
    result["seconds"] = time.perf_counter() - started
    result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _raw_load(pages: Path, folder: Path) -> dict:
    """Every page and the vocabularies (for the region hierarchy) into the default graph of an empty store."""
    from catalog_service.resources import resource_dir

    store = ox.Store(str(folder))
    vocabularies = [resource_dir("ontology") / name for name in ("gov-catalog.ttl", "codelists.ttl", "regions.ttl")]
    for page in [*vocabularies, *sorted(pages.glob("*/*.ttl"))]:
        store.bulk_load(path=str(page), format=ox.RdfFormat.TURTLE)
    store.flush()
    return {"triples": len(store)}


def _harvest(config_path: Path, data_dir: Path, names: list[str], profile: Path | None) -> dict:
    """Harvest the named sources (all when none are named) one at a time, as ``gov-catalog harvest`` does."""
    from catalog_service.cli import harvest_all
    from catalog_service.config import Config
    from catalog_service.harvest.runs import COUNTS
    from catalog_service.harvest.sources import parse_sources
    from catalog_service.search import open_index

    config = Config.load(config_path, data_dir=data_dir)
    sources = [s for s in parse_sources(config.sources, base_dir=config_path.parent) if not names or s.name in names]
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    store = CatalogStore.from_config(config)
    store.init_vocabulary()
    index = open_index(config.data_dir, store)
    figures = {}
    with contextlib.redirect_stdout(sys.stderr):  # the run reports; stdout carries the figures
        for source in sources:
            started = time.perf_counter()
            run = harvest_all(store, [source], index=index)[0]
            figures[source.name] = {
                "status": run.status,
                "counts": run.counts,
                "errors": run.errors[:3],
                "seconds": time.perf_counter() - started,
            }
    index.close()
    store.close()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    counts = {name: sum(f["counts"][name] for f in figures.values()) for name in COUNTS}
    return {"sources": figures, "counts": counts}


# -- the one source that changes ------------------------------------------------------------------------------


def edit_source(folder: Path, store: CatalogStore) -> tuple[list[str], dict[str, str]]:
    """Edit the title of ``CHANGED`` entries on the source's first page and withdraw ``WITHDRAWN`` more, all of
    them entries the catalog holds (valid ones); return the IRIs edited, and those withdrawn with their level."""
    page = folder / "0.ttl"
    triples = list(ox.parse(path=page, format=ox.RdfFormat.TURTLE))
    datasets = [t.subject.value for t in triples if t.predicate.value == ns.RDF + "type"
                and t.object.value == ns.DCAT + "Dataset"]  # fmt: skip
    values = " ".join(f"<{d}>" for d in datasets)
    held = {row["d"].value for row in store.query(f"SELECT ?d WHERE {{ VALUES ?d {{ {values} }} ?d ?p ?o }}")}
    chosen = [d for d in datasets if d in held][: CHANGED + WITHDRAWN]
    if len(chosen) < CHANGED + WITHDRAWN:
        raise RuntimeError(f"{page}: only {len(chosen)} entries of the catalog on the first page; use more entries")
    edited, withdrawn = set(chosen[:CHANGED]), set(chosen[CHANGED:])
    levels = {t.subject.value: t.object.value.rsplit("/", 1)[-1] for t in triples
              if t.subject.value in withdrawn and t.predicate.value == ns.GC + "level"}  # fmt: skip
    kept = []
    for t in triples:
        subject = t.subject.value
        if subject in withdrawn or subject.split("/element/")[0].split("/distribution/")[0] in withdrawn:
            continue
        if subject in edited and t.predicate.value == ns.DCT + "title":
            t = ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + "（2026年修订）", language="zh"))
        kept.append(t)
    page.write_bytes(ox.serialize(kept, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES))
    return sorted(edited), dict(sorted(levels.items()))


# -- the served node ------------------------------------------------------------------------------------------


def make_token(data_dir: Path) -> str:
    """An API token of a national-level user, so that the node answers over every entry, restricted ones too."""
    from catalog_service.accounts import Accounts

    code = f"11100000{999:09d}"
    code += uscc.check_character(code)
    accounts = Accounts.open(data_dir)
    accounts.add_user(
        "bench-reader",
        "bench-reader-password",
        role="requester",
        department_code=code,
        department_name="国家数据局",
        level="国家",
        region="100000",
    )
    return accounts.create_token("bench-reader", expires_in_days=1)[0]


def time_searches(port: int, token: str, index: SearchIndex, seed: int, count: int) -> tuple[dict, dict]:
    """Each kind of search of bench/search.py through ``/api/search`` and on the index in this process, after a
    first search each way, which loads jieba's dictionary and is timed apart. Returns both."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def both(query: SearchQuery) -> tuple[float, float, int]:
        fields = dataclasses.asdict(query)
        defaults = {f.name: f.default for f in dataclasses.fields(query)}
        params = {k: v for k, v in fields.items() if v != defaults[k] and k != "public_only"}
        path = "/api/search?" + urllib.parse.urlencode(params)
        started = time.perf_counter()
        body = http_get(port, path, headers)
        endpoint = time.perf_counter() - started
        started = time.perf_counter()
        total = index.search(query)["total"]
        direct = time.perf_counter() - started
        if json.loads(body)["total"] != total:
            raise RuntimeError(f"{path}: the endpoint and the index disagree")
        return endpoint, direct, total

    endpoint, direct, _ = both(SearchQuery(q="人口"))
    figures = {}
    for kind, batch in queries(seed, count).items():
        endpoint_times, direct_times, totals = zip(*(both(query) for query in batch), strict=True)
        figures[kind] = {
            "searches": len(batch),
            "matches": statistics.median(totals),
            **{f"endpoint{p}": percentile(endpoint_times, p) for p in (50, 95)},
            **{f"direct{p}": percentile(direct_times, p) for p in (50, 95)},
        }
    return {"endpoint": endpoint, "direct": direct}, figures


def serve_and_measure(work: Path, config: Path, args: argparse.Namespace, identifier: str) -> dict:
    """Serve the node and time searches and SPARQL queries through it and directly; then its RSS. The SPARQL
    queries are also timed on the raw store (the pages bulk-loaded into one graph), as often as on the node's."""
    from catalog_service.search import index_path

    data_dir = work / "data"
    token = make_token(data_dir)
    server, port = start_node(data_dir, config)
    store = open_reader(config, data_dir)
    index = SearchIndex.open(index_path(data_dir))
    index.prepare()
    try:
        first_search, searches = time_searches(port, token, index, args.seed, args.searches)
        everything = json.loads(http_get(port, "/api/search?size=1", {"Authorization": f"Bearer {token}"}))
        raw = ox.Store.read_only(str(work / "raw"))
        sparql = [time_query(name, query.replace("{identifier}", identifier), port, token, store, raw, args)
                  for name, query in QUERIES.items()]  # fmt: skip
        rss = tree_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    per_graph = [store.raw.query(QUERIES["counts per level and sharing type"], default_graph=[graph])
                 for graph in store.current_graphs()]  # fmt: skip
    catalog = {
        "per_level": _per_level(row for rows in per_graph for row in rows),
        "quarantined": _per_level(store.raw.query(QUARANTINED)),
        "search_total": everything["total"],
    }
    index.close()
    figures = {"first_search": first_search, "searches": searches, "sparql": sparql, "service_rss": rss}
    return figures | {"catalog": catalog}


def time_query(
    name: str, query: str, port: int, token: str, store: CatalogStore, raw: ox.Store, args: argparse.Namespace
) -> dict:
    """``query`` through ``/sparql`` and on the node's store (alternating), then as often on the raw store (the
    same pages in one graph, no provenance). A query stopped at a time limit (the endpoint's, or the remote
    store's) is reported, not fatal: hours into a run, the other figures are still worth having."""
    limits = {"budget": args.budget, "min_runs": args.min_runs, "max_runs": args.max_runs, "token": token}
    try:
        row = compare_query(name, query, port, store, **limits)
    except (RuntimeError, StoreError) as error:
        row = {"name": name, "error": str(error)[:300], "runs": 1, "same": True}
    answer = raw.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    times = [seconds(lambda: raw.query(query).serialize(format=ox.QueryResultsFormat.JSON)) for _ in range(row["runs"])]
    return row | {"raw": statistics.median(times), "raw_rows": len(json.loads(answer)["results"]["bindings"])}


def _per_level(rows) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row["level"].value.rsplit("/", 1)[-1]] += int(row["n"].value)
    return dict(sorted(counts.items()))


# -- the run --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=MAX_ENTRIES)
    parser.add_argument("--store", choices=("embedded", "remote"), default="embedded",
                        help="where the node keeps its RDF: pyoxigraph in its data folder, or an Oxigraph server")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (pages, stores, index)")
    parser.add_argument("--searches", type=int, default=200, help="searches of each kind (default 200)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per SPARQL query and way (roughly)")
    parser.add_argument("--min-runs", type=int, default=3)
    parser.add_argument("--max-runs", type=int, default=100)
    parser.add_argument("--profile", type=Path, help="write a cProfile of each harvest phase into this folder")
    parser.add_argument(
        "--no-reindex",
        action="store_true",
        help="leave out rebuilding the search index (the harvests keep it; at a million entries the rebuild "
        "alone takes about 20 minutes)",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file as JSON")
    parser.add_argument("--update-doc", type=Path, help="write the figures into this file's '## Scale' section")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.phase:
        run_phase(args.phase, rest)
        return 0
    if not 0 < args.entries <= MAX_ENTRIES:
        parser.error(f"--entries must be between 1 and {MAX_ENTRIES:,} (identifiers end in six digits)")
    command = " ".join(["python bench/scale.py", *(argv if argv is not None else sys.argv[1:])])
    with contextlib.ExitStack() as stack:
        if args.work:
            args.work.mkdir(parents=True, exist_ok=True)
            work = args.work
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-scale-")))
        figures = run(work, args)
        if not args.keep and args.work:
            for child in ("www", "raw", "data"):
                shutil.rmtree(work / child, ignore_errors=True)
    figures["command"] = command
    report = render(figures)
    print(report)
    print(f"reproduce: {command}")
    problems = check(figures)
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.update_doc:
        update_subsection(args.update_doc, "## Scale", INTRO, report, _order)
    return 1 if problems else 0


def run(work: Path, args: argparse.Namespace) -> dict:
    """Generate, serve and harvest the federation, change one source, then serve the node and measure."""
    figures: dict = {"entries": args.entries, "store": args.store, "load": [os.getloadavg()[0]]}
    www, data_dir, config = work / "www", work / "data", work / "gov-catalog.toml"
    for stale in (www, data_dir, work / "raw", work / "oxigraph"):
        shutil.rmtree(stale, ignore_errors=True)
    www.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        store_server, store_url = (
            stack.enter_context(oxigraph_server(work / "oxigraph")) if args.store == "remote" else (None, None)
        )
        pages, base_url = serve_folder(www)
        stack.callback(pages.shutdown)
        figures["federation"] = generate(www, base_url, args)
        write_config(config, base_url, store_url)
        figures["phases"], figures["changed"] = harvest_phases(work, config, args)
        identifier = figures["changed"]["edited"][0].removeprefix(ns.RESOURCE)
        if not re.fullmatch(r"[0-9]{7}/[0-9]{6}", identifier):  # it goes into the query text
            raise ValueError(f"unexpected identifier {identifier!r}")
        figures.update(serve_and_measure(work, config, args, identifier))
        figures["store_server_rss"] = tree_rss(store_server.pid) if store_server else 0
    figures["disk"] = {
        "store": disk_size(work / "oxigraph" if args.store == "remote" else data_dir / "store"),
        "search": disk_size(data_dir / "search"),
        "data_dir": disk_size(data_dir),
        "raw": disk_size(work / "raw"),
        "pages": disk_size(www),
    }
    figures["load"].append(os.getloadavg()[0])
    figures["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, pyoxigraph {ox.__version__}"
    )
    return figures


def generate(www: Path, base_url: str, args: argparse.Namespace) -> dict:
    """Plan the federation and write every source's pages, one source per task on every core."""
    started = time.perf_counter()
    federation = Federation(args.entries, args.seed)
    jobs = [federation.job(source, www, base_url, args.seed) for source in federation.sources]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        written = list(pool.map(write_source, jobs))
    figures = {
        "sources": len(federation.sources),
        "divisions": len(set(federation.division_of)),
        "departments": federation.departments(),
        "per_level": dict(sorted(federation.per_level.items())),
        "pages": sum(pages for _, pages, _ in written),
        "triples": sum(triples for _, _, triples in written),
        "entries_of": {name: len(federation.members[name]) for name, _, _ in written},
        "seconds": time.perf_counter() - started,
    }
    print(f"generated in {figures['seconds']:.1f} s", file=sys.stderr)
    return figures


def harvest_phases(work: Path, config: Path, args: argparse.Namespace) -> tuple[dict, dict]:
    """The raw reference, the first and the unchanged harvest, one source edited and harvested alone, and the
    search index rebuilt; each phase's figures, and what was edited."""
    data_dir, phases = work / "data", {}
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    def run(name: str, kind: str, *arguments: str) -> None:
        profile = [str(args.profile / f"{name}.prof") if args.profile else ""] if kind == "harvest" else []
        phases[name] = phase(kind, str(config), str(data_dir), *profile, *arguments)
        counts = ", ".join(f"{k} {v:,}" for k, v in phases[name].get("counts", {}).items() if v)
        print(
            f"{name}: {phases[name]['seconds']:.1f} s, peak RSS {phases[name]['max_rss_mib']:,.0f} MiB; {counts}",
            file=sys.stderr,
        )

    phases["raw"] = phase("raw", str(work / "www"), str(work / "raw"))
    print(f"raw bulk_load: {phases['raw']['seconds']:.1f} s", file=sys.stderr)
    run("first", "harvest")
    run("again", "harvest")
    source = f"province-{PROVINCE}"
    reader = open_reader(config, data_dir)
    edited, withdrawn = edit_source(work / "www" / source, reader)
    del reader
    run("one", "harvest", source)
    if not args.no_reindex:
        run("reindex", "reindex")
    return phases, {"source": source, "edited": edited, "withdrawn": withdrawn}


def open_reader(config_path: Path, data_dir: Path) -> CatalogStore:
    """The node's store for reading beside a running node: the remote one, or a read-only handle of the embedded
    one (its owner may hold it open)."""
    from catalog_service.config import Config

    config = Config.load(config_path, data_dir=data_dir)
    if config.store.type == "remote":
        return CatalogStore.from_config(config)
    return CatalogStore(ox.Store.read_only(str(data_dir / "store")), data_dir / "store")


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """``oxigraph serve`` (the command of the ``oxigraph`` package) storing in ``folder``, on a free port; yields
    the process and its URL, and stops it afterwards."""
    command = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [command, "serve", "--location", str(folder), "--bind", url.removeprefix("http://")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with status {server.returncode}")
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=60)


# -- checks and report ----------------------------------------------------------------------------------------


def check(figures: dict) -> list[str]:
    """What must hold whatever the speed: every phase succeeded and the catalog holds what was generated."""
    problems = []
    phases = figures["phases"]
    for name in ("first", "again", "one"):
        for source, run in phases[name]["sources"].items():
            if run["status"] != "succeeded":
                problems.append(f"{name}: {source} {run['status']} {run['errors']}")
    first, again, one = (phases[name]["counts"] for name in ("first", "again", "one"))
    if first["added"] + first["invalid"] != figures["entries"]:
        problems.append(f"first harvest: added {first['added']} + invalid {first['invalid']} != generated")
    if again["added"] or again["updated"] or again["removed"] or again["unchanged"] != first["added"]:
        problems.append(f"unchanged re-harvest changed something: {again}")
    edits = figures["changed"]
    if (one["updated"], one["removed"], one["added"]) != (len(edits["edited"]), len(edits["withdrawn"]), 0):
        problems.append(f"one-source re-harvest: {one}, expected {len(edits['edited'])} updated, "
                        f"{len(edits['withdrawn'])} removed")  # fmt: skip
    before = phases["again"]["sources"][edits["source"]]["counts"]["unchanged"]
    if one["unchanged"] != before - len(edits["edited"]) - len(edits["withdrawn"]):
        problems.append(f"one-source re-harvest: {one['unchanged']} unchanged, {before} before the edits")
    catalog = figures["catalog"]
    generated = figures["federation"]["per_level"]
    stored_and_quarantined = Counter(catalog["per_level"]) + Counter(catalog["quarantined"])
    expected = Counter(generated)
    expected.subtract(Counter(edits["withdrawn"].values()))
    if stored_and_quarantined != +expected:
        problems.append(f"per level: stored {catalog['per_level']} + quarantined {catalog['quarantined']} "
                        f"!= generated {generated} less withdrawn")  # fmt: skip
    if catalog["search_total"] != sum(catalog["per_level"].values()):
        problems.append(f"search index holds {catalog['search_total']}, the catalog {catalog['per_level']}")
    problems += [f"SPARQL answers differ: {row['name']}" for row in figures["sparql"] if not row["same"]]
    problems += [f"SPARQL through the endpoint: {row['error']}" for row in figures["sparql"] if "error" in row]
    return problems


_HEADING = re.compile(r"^### ([\d,]+) entries, (\w+) store$")


def _order(heading: str) -> tuple:
    """Generated subsections by store and size, then anything written by hand, in its order."""
    found = _HEADING.match(heading)
    return (0, found.group(2), int(found.group(1).replace(",", ""))) if found else (1, "", 0)


INTRO = """`bench/scale.py` runs a national federation through a node: the national platform and the 31 provincial
platforms as `dcat` sources (paged Turtle over local HTTP, 1,000 entries a page); 2 % of the entries national, 7 %
provincial, 21 % city, 70 % county, over the real GB/T 2260 divisions (31 provinces, 333 cities, 2,843 counties),
from 9,796 departments with valid credit codes; one entry in ten has a typical mistake and goes to quarantine.
Each phase runs in its own process, so its peak RSS is its own. The references, in the same run: raw pyoxigraph
bulk-loading the same pages (and the vocabularies) into one graph, and the SPARQL queries on that raw store.
Searches and queries go through the served node (`gov-catalog serve`, with an API token, so over every entry)
and straight to its search index and its store. Every run checks that the catalog and its quarantine hold
exactly the generated entries per level, and that the re-harvests changed only what changed. The goals
(issue 6): the 1M first harvest in under 20 minutes on this 2-core machine (833 entries/s), search p95 < 50 ms,
RSS < 4 GiB."""


def render(f: dict) -> str:
    """The figures as the Markdown subsection of docs/benchmarks.md (also printed)."""
    entries, phases, fed = f["entries"], f["phases"], f["federation"]
    raw = phases["raw"]
    one_source = f["changed"]["source"]
    lines = [
        f"### {entries:,} entries, {f['store']} store",
        "",
        f"`{f['command']}` on {f['machine']}; load average {f['load'][0]:.1f} at the start, "
        f"{f['load'][1]:.1f} at the end (the machine is shared).",
        f"{fed['sources']} sources, {fed['divisions']:,} divisions, {fed['departments']:,} departments; entries per "
        f"level {_levels(fed['per_level'])}; {fed['pages']:,} pages, {fed['triples']:,} triples, generated in "
        f"{fed['seconds']:.0f} s. {one_source} ({fed['entries_of'][one_source]:,} entries) is the one edited.",
        "",
        "| phase | seconds | entries/s | vs raw | peak RSS (MiB) | outcome |",
        "|---|---:|---:|---:|---:|---|",
        f"| raw pyoxigraph `bulk_load` of the pages | {raw['seconds']:.1f} | {entries / raw['seconds']:,.0f} | 1.0× | "
        f"{raw['max_rss_mib']:,.0f} | {raw['triples']:,} triples |",
    ]
    for key, label, count in (
        ("first", "first harvest, all sources", entries),
        ("again", "unchanged re-harvest, all sources", entries),
        ("one", f"{one_source} edited, harvested alone", fed["entries_of"][one_source]),
        ("reindex", "search index rebuilt (`gov-catalog reindex`)", entries),
    ):
        if key not in phases:
            continue
        p = phases[key]
        outcome = ", ".join(f"{k} {v:,}" for k, v in p.get("counts", {}).items() if v)
        lines.append(
            f"| {label} | {p['seconds']:.1f} | {count / p['seconds']:,.0f} | "
            f"{count / p['seconds'] / (entries / raw['seconds']):.2f}× | "
            f"{p['max_rss_mib']:,.0f} | {outcome} |"
        )
    alone = phases["one"]["sources"][one_source]["seconds"]
    within = phases["again"]["sources"][one_source]["seconds"]
    lines += [
        "",
        f"{one_source} alone: {alone:.1f} s of the phase's {phases['one']['seconds']:.1f} s (the rest is starting "
        f"the process: imports, opening the store and the index); the same source unchanged, within the full "
        f"re-harvest: {within:.1f} s.",
        "",
        "| search (bench/search.py's kinds) | searches | median matches | `/api/search` p50 / p95 | "
        "index in-process p50 / p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, s in f["searches"].items():
        lines.append(
            f"| {kind} | {s['searches']} | {s['matches']:,.0f} | {duration(s['endpoint50'])} / "
            f"{duration(s['endpoint95'])} | {duration(s['direct50'])} / {duration(s['direct95'])} |"
        )
    first = f["first_search"]
    lines += [
        "",
        f"The first search after start loads jieba's dictionary: {duration(first['endpoint'])} through "
        f"`/api/search`, {duration(first['direct'])} in-process; not counted above.",
        "",
        "| SPARQL query | rows | node's store, pyoxigraph p50 (p95) | `/sparql` p50 (p95) | runs | "
        "raw store p50 (rows) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in f["sparql"]:
        if "error" in row:
            lines.append(f"| {row['name']} | | | {row['error']} | | {duration(row['raw'])} ({row['raw_rows']:,}) |")
            continue
        same = "" if row["same"] else " **answers differ**"
        lines.append(
            f"| {row['name']} | {row['rows']:,} | {duration(row['direct'])} ({duration(row['direct95'])}) | "
            f"{duration(row['endpoint'])} ({duration(row['endpoint95'])}){same} | {row['runs']} | "
            f"{duration(row['raw'])} ({row['raw_rows']:,}) |"
        )
    lines += [
        "",
        "The raw store holds the pages as published: the invalid entries too (so more rows under 江苏省), and no "
        "provenance (no chain to find).",
    ]
    disk, catalog, remote = f["disk"], f["catalog"], f["store"] == "remote"
    mib = 2**20
    lines += [
        "",
        f"Service RSS after the searches and queries (server, search index, query workers): "
        f"{f['service_rss'] / mib:,.0f} MiB"
        + (f"; the Oxigraph server holding the store: {f['store_server_rss'] / mib:,.0f} MiB" if remote else "")
        + f". On disk: data folder {disk['data_dir'] / mib:,.0f} MiB, store {disk['store'] / mib:,.0f} MiB"
        + (" (the Oxigraph server's folder)" if remote else "")
        + f", search index "
        f"{disk['search'] / mib:,.0f} MiB; the raw pyoxigraph store of the same pages {disk['raw'] / mib:,.0f} MiB; "
        f"the pages {disk['pages'] / mib:,.0f} MiB.",
        f"Catalog: {_levels(catalog['per_level'])} entries per level, {_levels(catalog['quarantined'])} in "
        f"quarantine; search index {catalog['search_total']:,}.",
    ]
    return "\n".join(lines)


def _levels(counts: dict[str, int]) -> str:
    return " / ".join(f"{LEVEL_NAMES[level]} {counts.get(level, 0):,}" for level in LEVEL_NAMES)


if __name__ == "__main__":
    sys.exit(main())
