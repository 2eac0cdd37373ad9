"""Harvest throughput: N generated entries served over local HTTP, harvested into an empty on-disk store.

The entries (bench/validate.py's generator, ~45 triples each) are served from a local HTTP server as paged
DCAT Turtle (Hydra ``hydra:next`` links, 1,000 entries a page) and as one CSV in the department template.
Each is harvested into an empty on-disk store through the whole pipeline (fetch, parse, map, validate,
一数一源, store, report), then harvested again unchanged. As the reference, raw pyoxigraph bulk-loads the
same Turtle pages into an empty store in the same run. Every phase runs in its own process, so its peak RSS
is its own.

    python bench/harvest.py                  # 100,000 entries
    python bench/harvest.py --entries 10000 --update-doc docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from common import serve_folder, update_doc, write_page  # noqa: E402
from validate import Generator  # noqa: E402

from catalog_service import namespaces as ns  # noqa: E402
from catalog_service.vocabulary import CodeLists  # noqa: E402
from harvesters.spreadsheet import write_template  # noqa: E402

PAGE = 1_000


def write_corpus(folder: Path, entries: int, base_url: str) -> int:
    """Write the Turtle pages and the CSV; return the number of triples."""
    generator = Generator(seed=2026)
    pages = folder / "pages"
    pages.mkdir()
    rows, triples_total = [], 0
    count = (entries + PAGE - 1) // PAGE
    for page in range(count):
        batch = [generator.entry(i) for i in range(page * PAGE, min(entries, (page + 1) * PAGE))]
        triples = [t for entry in batch for t in entry]
        triples_total += len(triples)
        following = f"{base_url}/pages/{page + 1}.ttl" if page + 1 < count else None
        write_page(pages / f"{page}.ttl", triples, f"{base_url}/pages/{page}.ttl", following)
        rows += [template_row(entry) for entry in batch]
    write_template(rows, folder / "catalog.csv")
    return triples_total


def template_row(triples: list[ox.Triple]) -> dict[str, str]:
    """The department-template row of a generated entry (labels for code-list values)."""
    codes = CodeLists.default()
    dataset = triples[0].subject
    by_predicate: dict[str, list] = {}
    elements: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    for t in triples:
        if t.subject == dataset:
            by_predicate.setdefault(t.predicate.value, []).append(t.object)
        elif "/element/" in t.subject.value:
            elements.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
        else:
            names[t.predicate.value] = t.object.value

    def one(p: str) -> str:
        return by_predicate.get(p, [ox.Literal("")])[0].value

    def label(p: str) -> str:
        return ";".join(codes.label(o.value) or "" for o in by_predicate.get(p, []))

    openness = codes.notation(by_predicate[ns.GC + "openness"][0].value)
    return {
        "信息资源分类": codes.notation(by_predicate[ns.GC + "resourceCategory"][0].value),
        "信息资源名称": one(ns.DCT + "title"),
        "信息资源代码": one(ns.DCT + "identifier"),
        "信息资源提供方": names.get(ns.FOAF + "name", ""),
        "信息资源提供方代码": names.get(ns.GC + "creditCode", ""),
        "信息资源摘要": one(ns.DCT + "description"),
        "信息资源格式": label(ns.GC + "resourceFormat"),
        "信息项": ";".join(
            f"{e[ns.DCT + 'title']}:{codes.notation(e.get(ns.GC + 'dataType', '')) or ''}" for e in elements.values()
        ),
        "共享类型": label(ns.GC + "sharingType"),
        "共享条件": one(ns.GC + "sharingCondition"),
        "共享方式": "/".join(
            filter(None, [label(ns.GC + "sharingMethodCategory"), label(ns.GC + "sharingMethodType")])
        ),
        "不予共享依据": one(ns.GC + "nonSharingBasis"),
        "是否向社会开放": "否" if openness == "3" else "是",
        "开放条件": one(ns.GC + "openCondition"),
        "更新周期": label(ns.DCT + "accrualPeriodicity"),
        "发布日期": one(ns.DCT + "issued"),
        "行政区划代码": one(ns.DCT + "spatial").rsplit("/", 1)[-1],
        "用途": label(ns.GC + "usePurpose"),
        "层级": label(ns.GC + "level"),
        "涉密属性": "是" if one(ns.GC + "classified") == "true" else "否",
        "关键词": ";".join(o.value for o in by_predicate.get(ns.DCAT + "keyword", [])),
    }


def phase(name: str, *args: str) -> dict:
    """Run one measured phase in a fresh process and return what it reports."""
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_phase(name: str, args: list[str]) -> None:
    """Inside the child process: do one phase and print its figures as JSON."""
    from catalog_service.harvest.pipeline import harvest
    from catalog_service.store import CatalogStore
    from harvesters.base import SourceConfig

    started = time.perf_counter()
    if name == "raw":
        folder, data = Path(args[0]), args[1]
        store = ox.Store(data)
        for page in sorted((folder / "pages").glob("*.ttl"), key=lambda p: int(p.stem)):
            store.bulk_load(path=str(page), format=ox.RdfFormat.TURTLE)
        store.flush()
        result = {}
    else:
        kind, url, data = args
        store = CatalogStore.open(data)
        store.init_vocabulary()
        setup = time.perf_counter() - started
        started = time.perf_counter()
        run = harvest(store, SourceConfig(f"bench-{kind}", kind, url, options={"time_limit": 86400}))
        store.close()
        result = {"status": run.status, "counts": run.counts, "errors": run.errors[:3], "setup": setup}
    result["seconds"] = time.perf_counter() - started
    result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--update-doc", type=Path, help="write the figures into this Markdown file (## Harvesting)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.phase:
        run_phase(args.phase, rest)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-harvest-") as tmp:
        folder = Path(tmp)
        (folder / "www").mkdir()
        server, base = serve_folder(folder / "www")
        triples = write_corpus(folder / "www", args.entries, base)
        rows = []
        raw = phase("raw", str(folder / "www"), str(folder / "raw"))
        rows.append(("raw pyoxigraph bulk_load (Turtle pages)", raw))
        for kind, url in (("dcat", f"{base}/pages/0.ttl"), ("spreadsheet", f"{base}/catalog.csv")):
            data = str(folder / f"store-{kind}")
            first = phase("first", kind, url, data)
            again = phase("again", kind, url, data)
            rows.append((f"{kind}: first harvest", first))
            rows.append((f"{kind}: unchanged re-harvest", again))
        server.shutdown()
    command = "python bench/harvest.py " + shlex.join(a for a in (argv or sys.argv[1:]) if a)
    lines = [
        f"`{command.strip()}` — {args.entries:,} entries, {triples:,} triples; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}.",
        "",
        "| phase | seconds | entries/s | peak RSS (MiB) | outcome |",
        "|---|---:|---:|---:|---|",
    ]
    for label, figures in rows:
        outcome = (
            f"{figures['status']}: {', '.join(f'{k} {v}' for k, v in figures['counts'].items() if v)}"
            if "status" in figures
            else ""
        )
        lines.append(
            f"| {label} | {figures['seconds']:.1f} | {args.entries / figures['seconds']:,.0f} | "
            f"{figures['max_rss_mib']:,.0f} | {outcome} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.update_doc:
        update_doc(args.update_doc, "## Harvesting", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
