"""Validation throughput: the fast engine against pyshacl on generated catalog entries.

Generates N entries (about 45 triples each: the entry, its data elements and distribution, and its provider,
shared among the entries of one department), mostly valid with some typical mistakes, then validates them
with pyshacl (the reference engine) in batches of 1,000 entries and with the fast engine in one call. Prints
entries per second for each, whether the two engines found exactly the same results, and the command line
that reproduces the run.

    python bench/validate.py                        # 10,000 entries, all of them through pyshacl too
    python bench/validate.py --pyshacl-sample 1000  # time pyshacl on the first 1,000 entries only
    python bench/validate.py --update-doc docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import update_doc

from catalog_service import namespaces as ns
from catalog_service import uscc
from catalog_service.validation import ValidationReport, validate
from catalog_service.validation.fast import WORKERS, FastValidator, default_validator
from catalog_service.validation.shapes import shapes_graph, vocabulary_triples

T = TypeVar("T")

SMALL_BATCH = 1_000
"""Entries per pyshacl batch, and per batch in the fast engine's small-batch run."""

# Divisions with their level (2 省, 3 市, 4 县), and the departments each has.
DIVISIONS = [
    ("100000", "1", "国家"),
    ("320000", "2", "江苏省"),
    ("320100", "3", "南京市"),
    ("320102", "4", "南京市玄武区"),
    ("330000", "2", "浙江省"),
    ("330100", "3", "杭州市"),
    ("330106", "4", "杭州市西湖区"),
    ("440300", "3", "深圳市"),
    ("510000", "2", "四川省"),
    ("510100", "3", "成都市"),
]
DEPARTMENTS = ["公安局", "市场监督管理局", "人力资源和社会保障局", "自然资源局", "卫生健康委员会", "教育局",
               "民政局", "住房和城乡建设局", "交通运输局", "生态环境局", "应急管理局", "税务局"]  # fmt: skip
SUBJECTS = ["户籍人口", "企业登记", "社会保险参保", "不动产登记", "医疗机构", "学校基本", "养老服务机构",
            "建筑工程许可", "公交线路", "空气质量监测", "安全生产检查", "纳税信用", "婚姻登记", "行政处罚"]  # fmt: skip
KINDS = ["基本信息", "统计信息", "办理记录", "许可信息", "监测数据", "名录"]
ELEMENTS = [("名称", "C"), ("统一社会信用代码", "C"), ("登记日期", "D"), ("数量", "N"), ("金额", "Y"), ("状态", "C"),
            ("更新时间", "T"), ("是否有效", "L"), ("备注", "M"), ("经度", "F"), ("纬度", "F")]  # fmt: skip
CATEGORIES = ["101", "102", "103", "104", "105", *(str(n) for n in range(201, 213)), "3"]

MISTAKES = [
    "no title",
    "bad identifier",
    "bad date",
    "conditional without condition",
    "not shared but open",
    "classified",
    "element without type",
    "unknown division",
    "short description",
]
"""Typical mistakes; about one entry in ten gets one (the last is only a warning)."""


Division = tuple[str, str, str]
"""A GB/T 2260 code, its level's notation (1 国家, 2 省, 3 市, 4 县) and the place name entries there use."""


@dataclass
class Generator:
    """Makes entries deterministically from a seed.

    The divisions, departments and subjects default to the short lists above; bench/scale.py passes every
    GB/T 2260 division and longer lists, and chooses each entry's division and department itself.
    """

    seed: int
    divisions: Sequence[Division] = tuple(DIVISIONS)
    departments: Sequence[str] = tuple(DEPARTMENTS)
    subjects: Sequence[str] = tuple(SUBJECTS)
    kinds: Sequence[str] = tuple(KINDS)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._places = {code: place for code, _, place in self.divisions}
        self._serials = {department: n for n, department in enumerate(self.departments)}

    def entries(self, count: int) -> list[list[ox.Triple]]:
        """Entries, each with its provider's triples (so batches of entries stand alone)."""
        return [self.entry(i) for i in range(count)]

    def entry(self, i: int, division: Division | None = None, department: str | None = None) -> list[ox.Triple]:
        """Entry number ``i`` (its identifier ends in ``i``, so ``i`` < 1,000,000), in ``division`` by
        ``department`` if given, else in the next division in turn by a department drawn at random."""
        rng = self.rng
        division, level, place = division or self.divisions[i % len(self.divisions)]
        department = department or rng.choice(self.departments)
        provider = self.provider(division, department)
        sharing = rng.choice("1112223")
        openness = "3" if sharing == "3" or rng.random() < 0.3 else rng.choice("12")
        category = rng.choice([c for c in CATEGORIES if sharing != "3" or not c.startswith("1")])
        width = 7 - len(category)
        identifier = f"{category}{i % 10**width:0{width}d}/{i:06d}"
        subject = ox.NamedNode(ns.resource(identifier))
        mistake = rng.choice(MISTAKES) if rng.random() < 0.1 else None
        topic = f"{rng.choice(self.subjects)}{rng.choice(self.kinds)}"
        title = f"{place}{topic}"
        description = f"{place}{department}掌握的{topic}，包括名称、代码、时间、状态等，供政务部门共享使用。"

        t: list[ox.Triple] = []

        def add(s, p: str, o) -> None:
            t.append(ox.Triple(s, ox.NamedNode(p), o))

        def code(scheme: str, notation: str) -> ox.NamedNode:
            return ox.NamedNode(ns.code(scheme, notation))

        add(subject, ns.RDF + "type", ox.NamedNode(ns.DCAT + "Dataset"))
        add(subject, ns.GC + "resourceCategory", code("resource-category", category))
        if mistake != "no title":
            add(subject, ns.DCT + "title", ox.Literal(title, language="zh"))
        add(subject, ns.DCT + "identifier", ox.Literal(identifier if mistake != "bad identifier" else identifier[:-1]))
        add(subject, ns.DCT + "publisher", provider[0].subject)
        text = description if mistake != "short description" else topic
        add(subject, ns.DCT + "description", ox.Literal(text, language="zh"))
        for fmt in rng.sample("1234567", rng.randint(1, 2)):
            add(subject, ns.GC + "resourceFormat", code("resource-format", fmt))
        add(subject, ns.GC + "sharingType", code("sharing-type", sharing))
        if sharing == "2":
            if mistake != "conditional without condition":
                add(subject, ns.GC + "sharingCondition", ox.Literal("仅向履行相关职责的部门提供。", language="zh"))
            add(subject, ns.GC + "usePurpose", code("use-purpose", rng.choice("1234")))
        if sharing in "12":
            add(subject, ns.GC + "sharingMethodCategory", code("sharing-method-category", "1"))
            add(subject, ns.GC + "sharingMethodType", code("sharing-method-type", rng.choice("123")))
            add(subject, ns.GC + "provisionMethod", code("provision-method", rng.choice("1234")))
        else:
            add(
                subject,
                ns.GC + "nonSharingBasis",
                ox.Literal("《中华人民共和国个人信息保护法》第三十四条。", language="zh"),
            )
        if mistake == "not shared but open" and sharing == "3":
            openness = "1"
        add(subject, ns.GC + "openness", code("openness", openness))
        if openness == "2":
            add(subject, ns.GC + "openCondition", ox.Literal("实名注册并签署数据使用协议后开放。", language="zh"))
        add(subject, ns.DCT + "accrualPeriodicity", code("update-frequency", rng.choice("2345678")))
        issued = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if mistake == "bad date":
            issued = issued[:5] + "13" + issued[7:]
        add(subject, ns.DCT + "issued", ox.Literal(issued, datatype=ox.NamedNode(ns.XSD + "date")))
        spatial = division if mistake != "unknown division" else "329999"
        add(subject, ns.DCT + "spatial", ox.NamedNode(ns.region(spatial)))
        add(subject, ns.GC + "level", code("level", level))
        classified = "true" if mistake == "classified" else "false"
        add(subject, ns.GC + "classified", ox.Literal(classified, datatype=ox.NamedNode(ns.XSD + "boolean")))
        for keyword in rng.sample(self.subjects, 2):
            add(subject, ns.DCAT + "keyword", ox.Literal(keyword, language="zh"))
        for n, (name, data_type) in enumerate(rng.sample(ELEMENTS, rng.randint(4, 6)), start=1):
            element = ox.NamedNode(f"{subject.value}/element/{n}")
            add(subject, ns.GC + "dataElement", element)
            add(element, ns.RDF + "type", ox.NamedNode(ns.GC + "DataElement"))
            add(element, ns.DCT + "title", ox.Literal(name, language="zh"))
            if not (mistake == "element without type" and n == 1):
                add(element, ns.GC + "dataType", code("data-type", data_type))
            add(element, ns.GC + "position", ox.Literal(str(n), datatype=ox.NamedNode(ns.XSD + "integer")))
        if sharing in "12":
            distribution = ox.NamedNode(f"{subject.value}/distribution/1")
            add(subject, ns.DCAT + "distribution", distribution)
            add(distribution, ns.RDF + "type", ox.NamedNode(ns.DCAT + "Distribution"))
            add(distribution, ns.DCAT + "accessURL", ox.NamedNode(f"https://data.example.gov.cn/{identifier}"))
        return t + provider

    def provider(self, division: str, department: str) -> list[ox.Triple]:
        """The triples of a department; the same department always gets the same valid credit code."""
        serial = f"{self._serials[department]:09d}"
        first17 = f"11{division}{serial}"
        credit = first17 + uscc.check_character(first17)
        subject = ox.NamedNode(ns.organization(credit))
        place = self._places[division]
        return [
            ox.Triple(subject, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.FOAF + "Organization")),
            ox.Triple(subject, ox.NamedNode(ns.FOAF + "name"), ox.Literal(f"{place}{department}", language="zh")),
            ox.Triple(subject, ox.NamedNode(ns.GC + "creditCode"), ox.Literal(credit)),
        ]


class Timing(NamedTuple):
    """Wall-clock and CPU seconds of one run; CPU time counts every thread and ignores other jobs' load."""

    wall: float
    cpu: float

    def rates(self, entries: int) -> str:
        return f"{self.wall:.2f} s | {self.cpu:.2f} s | {entries / self.wall:,.0f} | {entries / self.cpu:,.0f}"


@dataclass
class Figures:
    """What one run measured."""

    command: str
    entries: int
    triples: int
    startup: float
    fast: Timing
    small_batches: Timing
    peak_mb: float
    sample: int
    pyshacl: Timing
    agree: bool
    report: ValidationReport


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pyshacl-sample", type=int, help="validate only the first N entries with pyshacl")
    parser.add_argument("--repeat", type=int, default=3, help="fast-engine runs; the fastest is reported")
    parser.add_argument("--update-doc", type=Path, help="write the figures into this file's '## Validation' section")
    args = parser.parse_args(argv)
    command = " ".join(["python bench/validate.py", *(argv if argv is not None else sys.argv[1:])])

    entries = Generator(args.seed).entries(args.entries)
    triples = _distinct(t for entry in entries for t in entry)
    print(f"{len(entries):,} entries, {len(triples):,} triples ({len(triples) / len(entries):.1f} per entry)")

    started = time.perf_counter()
    default_validator()
    startup = time.perf_counter() - started
    fast, report = _fastest(args.repeat, lambda: validate(triples))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fast engine: {fast.wall:.2f} s ({fast.cpu:.2f} s CPU), {len(entries) / fast.wall:,.0f} entries/s")
    invalid = len(report.invalid_records())
    print(f"  {report.records_checked:,} records, {invalid:,} invalid, {len(report.results):,} results")
    per_entry = len(triples) // len(entries)
    small = FastValidator(shapes_graph(), vocabulary_triples(), batch_triples=SMALL_BATCH * per_entry)
    small_batches, _ = _fastest(args.repeat, lambda: small.validate(triples))
    print(f"  in batches of about {SMALL_BATCH:,} entries: {len(entries) / small_batches.wall:,.0f} entries/s")

    sample = entries[: args.pyshacl_sample] if args.pyshacl_sample else entries
    reference_findings: set = set()

    def run_pyshacl() -> None:
        for start in range(0, len(sample), SMALL_BATCH):
            batch = _distinct(t for entry in sample[start : start + SMALL_BATCH] for t in entry)
            reference_findings.update(validate(batch, engine="reference").findings())

    pyshacl, _ = _fastest(1, run_pyshacl)
    agree = validate(_distinct(t for entry in sample for t in entry)).findings() == reference_findings
    print(f"pyshacl: {len(sample):,} entries in {pyshacl.wall:.1f} s, {len(sample) / pyshacl.wall:,.1f} entries/s")
    print(f"same findings on those {len(sample):,} entries: {'yes' if agree else 'NO'} ({len(reference_findings)})")
    print(f"reproduce: {command}")

    if args.update_doc:
        figures = Figures(
            command, len(entries), len(triples), startup, fast, small_batches, peak_mb, len(sample), pyshacl, agree,
            report,
        )  # fmt: skip
        update_doc(args.update_doc, "## Validation", _section(figures))
    return 0 if agree else 1


def _fastest(repeat: int, run: Callable[[], T]) -> tuple[Timing, T]:
    """The timing of the fastest of ``repeat`` runs, and the result of the last."""
    best = Timing(float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, Timing(time.perf_counter() - wall, time.process_time() - cpu))
    return best, result


def _distinct(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples once each, as a file would hold them (a provider is described once, not per entry)."""
    return list(dict.fromkeys(triples))


def _section(f: Figures) -> str:
    load = os.getloadavg()[0]
    machine = (
        f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs (load average {load:.1f})"
    )
    report = f.report
    return f"""The fast engine (shapes compiled to SPARQL, run by pyoxigraph) against pyshacl (the reference engine), on
{f.entries:,} generated entries ({f.triples:,} triples; about one in ten has a typical mistake). Measured with
`{f.command}` on {machine}.

| engine | entries | time | CPU time | entries/s | entries per CPU-second |
|---|---|---|---|---|---|
| fast, `validate(triples)` (one batch) | {f.entries:,} | {f.fast.rates(f.entries)} |
| fast, batches of about {SMALL_BATCH:,} entries | {f.entries:,} | {f.small_batches.rates(f.entries)} |
| pyshacl, `validate(triples, engine="reference")`, batches of {SMALL_BATCH:,} | {f.sample:,} | \
{f.pyshacl.rates(f.sample)} |

- Both engines found the same results on the {f.sample:,} entries pyshacl saw: {"yes" if f.agree else "**no**"}.
  Over all entries: {report.records_checked:,} records, {len(report.invalid_records()):,} invalid, \
{len(report.results):,} results.
- Fast engine: best of the runs; start-up (compiling the shapes, reading the vocabulary) {f.startup:.2f} s once
  per process, not included. Its queries run on {WORKERS} threads. Peak memory of the process: {f.peak_mb:,.0f} MB.
- The machine is shared: a load average above the number of CPUs means other jobs competed for them, and
  wall-clock figures are then lower; CPU time (all threads of this process) is the steadier measure.
- pyshacl runs with the query-parse cache of `catalog_service/validation/reference.py`; without it rdflib parses
  each SPARQL constraint again for every focus node, which made pyshacl about 18 times slower still.

"""


if __name__ == "__main__":
    sys.exit(main())
