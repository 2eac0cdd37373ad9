"""Search index at national scale: build rate, size, search and facet latency, memory.

Generates N catalog entries straight into an on-disk index (no RDF store: this measures the index), spread
over the real GB/T 2260 divisions the way a national catalog is (most entries at county level), with titles,
descriptions, keywords and data elements drawn from a few hundred government subjects, so that a keyword such
as 人口 matches a few percent of the entries, as it would in a real catalog. Then, in a fresh process (so that
its memory is the serving process's, not the builder's), it times searches:

* a Chinese keyword plus two facet filters, with every facet's counts and a highlighted page of 20 (the goal:
  p95 < 50 ms at 1M entries);
* two facet filters without a keyword: facet counts over a large part of the catalog (each pair once, as such
  counts are cached until the index changes);
* a keyword alone (ranking every match);
* a generic word (登记, 信息, 许可: in a third or more of the entries) plus two filters: the worst case.

    python bench/search.py                      # 100,000 entries
    python bench/search.py --entries 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import random
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import own_memory, percentile

from catalog_service import namespaces as ns
from catalog_service.resources import resource_dir
from catalog_service.search import SearchIndex, SearchQuery
from catalog_service.search.documents import Document
from catalog_service.vocabulary import CodeLists

DEPARTMENTS = """
    公安局 民政局 司法局 财政局 人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 水利局
    农业农村局 商务局 文化和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局
    医疗保障局 林业局 税务局 教育局 科学技术局 工业和信息化局 发展和改革委员会 体育局 信访局 机关事务管理局
    大数据管理局 残疾人联合会 住房公积金管理中心 气象局 消防救援支队 城市管理局 数据资源管理局
""".split()  # noqa: SIM905 (a block of words reads better than a list)
SUBJECTS = """
    户籍人口 流动人口 常住人口 人口普查 出生登记 死亡登记 婚姻登记 收养登记 居民身份证 居住证 社会保险参保
    养老保险 失业保险 工伤保险 医疗保险 生育保险 社会保障卡 住房公积金 最低生活保障 特困人员供养 临时救助
    残疾人 养老机构 殡葬服务 社会组织 志愿服务 慈善组织 企业登记 个体工商户 营业执照 农民专业合作社 企业年报
    经营异常名录 严重违法失信 行政许可 行政处罚 信用评价 纳税信用 税务登记 发票 不动产登记 土地供应 建设用地
    国土空间规划 耕地保护 矿业权 测绘成果 地理国情 房屋交易 商品房预售 建筑工程施工许可 建筑业企业资质 物业服务
    城镇燃气 供水 排水 道路运输 机动车 驾驶人 交通违法 公交线路 出租汽车 网络预约出租汽车 港口 航道 水文监测
    水资源 河湖长制 防汛抗旱 农业补贴 种植业 畜牧 兽药 农产品质量 动物防疫 林地 森林防火 野生动物 自然保护地
    空气质量 水环境质量 排污许可 固体废物 环境影响评价 噪声监测 医疗机构 执业医师 护士执业 药品经营 医疗器械
    疫苗接种 传染病报告 出生医学证明 食品生产许可 食品经营许可 特种设备 计量器具 标准化 产品质量抽检 学校 学籍
    教师资格 学位 职业技能等级 职业培训 就业登记 失业登记 劳动合同 劳动保障监察 人才引进 退役军人 优抚对象
    安全生产许可 危险化学品 地质灾害 应急物资 消防 气象观测 天气预报 文物保护 旅游景区 体育场馆 图书馆 政府采购
    财政预算 国有资产 审计结果 统计调查 价格监测 项目审批 招标投标 信访事项 法律援助 人民调解 公证 律师执业
    社区矫正 网格化管理 城市部件 公共资源交易 数据共享
""".split()  # noqa: SIM905 (a block of words reads better than a list)
KINDS = """
    信息 基本信息 登记信息 统计信息 变更信息 许可信息 审批信息 监测数据 名录 台账 年报 证照信息 办理记录
    评价信息 检查记录 目录 汇总数据 明细数据 核验接口 专题数据
""".split()  # noqa: SIM905 (a block of words reads better than a list)
ELEMENTS = """
    姓名 性别 民族 出生日期 公民身份号码 户籍地址 现居住地址 联系电话 统一社会信用代码 单位名称 法定代表人
    成立日期 登记机关 登记日期 核准日期 证照编号 证照名称 发证机关 有效期起 有效期止 状态 备注 行政区划代码
    经度 纬度 更新时间 业务流水号 办理结果 办理时间 金额 数量 计量单位 数据来源
""".split()  # noqa: SIM905 (a block of words reads better than a list)
"""Data-element names common to entries of every subject (subject-specific ones would belong to their subject,
not be drawn at random)."""
PURPOSES = """
    用于业务协同和数据核验 支撑一网通办和跨部门共享 服务监管执法和风险预警 为统计分析和决策提供依据
    用于资格审核和待遇发放 支撑基层治理和网格化管理
""".split()  # noqa: SIM905 (a block of words reads better than a list)
DESCRIPTIONS = [
    "{place}{department}在履行职责中形成的{subject}{kind}，包括{elements}等内容，{purpose}。",
    "记录{place}{subject}的{kind}，由{department}按{frequency}更新，{purpose}。",
    "{department}汇集的{place}{subject}数据，涵盖{elements}，{purpose}。",
]
LEVEL_SHARE = {"1": 0.02, "2": 0.07, "3": 0.21, "4": 0.70}
"""Share of entries per level: most of a national catalog is county catalogs."""
FREQUENCIES = {"2": "每日", "3": "每周", "4": "每月", "5": "每季度", "6": "每半年", "7": "每年", "8": "不定期"}
CATEGORIES = ["101", "102", "103", "104", "105", *(str(n) for n in range(201, 213)), "3"]
KEYWORDS = ["人口", "社保", "医疗", "企业", "不动产", "公积金", "营业执照", "环境", "学校", "交通", "婚姻", "残疾人"]
"""Topical keywords, each found in 0.5–5 % of the entries."""
GENERIC = ["登记", "信息", "许可"]
"""Words in a third or more of all entries: the worst case, ranking almost everything."""


class Catalog:
    """Makes index documents deterministically from a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.divisions = divisions_by_level()

    def documents(self, count: int) -> Iterator[Document]:
        levels, weights = list(LEVEL_SHARE), list(LEVEL_SHARE.values())
        for n in range(count):
            rng = self.rng
            level = rng.choices(levels, weights)[0]
            region, place = rng.choice(self.divisions[level])
            department = rng.choice(DEPARTMENTS)
            subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
            elements = rng.sample(ELEMENTS, rng.randint(4, 10))
            sharing = rng.choice("1112223")
            frequency = rng.choice(list(FREQUENCIES))
            category = rng.choice([c for c in CATEGORIES if sharing != "3" or not c.startswith("1")])
            identifier = f"{category}{n % 10 ** (7 - len(category)):0{7 - len(category)}d}/{n % 10**6:06d}"
            publisher = f"{ns.ORG}11{region}{DEPARTMENTS.index(department):08d}X"
            description = rng.choice(DESCRIPTIONS).format(
                place=place, department=department, subject=subject, kind=kind, elements="、".join(elements[:3]),
                purpose=rng.choice(PURPOSES), frequency=FREQUENCIES[frequency],
            )  # fmt: skip
            yield Document(
                iri=f"{ns.RESOURCE}{identifier}-{n}",
                identifier=identifier,
                titles={"zh": f"{place}{subject}{kind}"},
                descriptions={"zh": description},
                keywords=[subject, rng.choice(SUBJECTS)] if rng.random() < 0.5 else [subject],
                elements=elements,
                publisher=publisher,
                publisher_names={"zh": f"{place}{department}"},
                region=region,
                level=level,
                sharing=sharing,
                openness="3" if sharing == "3" or rng.random() < 0.3 else rng.choice("12"),
                theme=category,
                formats=sorted(rng.sample("1234567", rng.randint(1, 2))),
                frequency=frequency,
                modified=f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            )


def divisions_by_level() -> dict[str, list[tuple[str, str]]]:
    """The GB/T 2260 divisions of each level (notation 1 to 4) as (code, place name), the country as 全国."""
    codes = CodeLists.default()
    divisions: dict[str, list[tuple[str, str]]] = {level: [] for level in LEVEL_SHARE}
    for code in division_codes():
        level = codes.notation(codes.region_level(code) or "") or ""
        name = codes.label(ns.region(code)) or code
        if level in divisions:
            divisions[level].append((code, name if level != "1" else "全国"))
    return divisions


def division_codes() -> list[str]:
    """Every GB/T 2260 code in ``ontology/regions.ttl``."""
    notation = ox.NamedNode(ns.SKOS + "notation")
    path = resource_dir("ontology") / "regions.ttl"
    return sorted(
        t.object.value
        for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        if t.predicate == notation and t.subject.value.startswith(ns.REGION)
    )


def queries(seed: int, count: int) -> dict[str, list[SearchQuery]]:
    """The kinds of search timed, ``count`` of each, with filters a user would combine."""
    rng = random.Random(seed)
    provinces = [c for c in division_codes() if c.endswith("0000") and c != "100000"]
    cities = [c for c in division_codes() if c.endswith("00") and not c.endswith("0000")]
    kinds = [
        [{"level": level, "sharing": sharing} for level in "1234" for sharing in "123"],
        [{"region": region, "theme": theme} for region in provinces for theme in "123"],
        [{"region": region, "openness": openness} for region in cities for openness in "123"],
        [{"theme": theme, "frequency": frequency} for theme in CATEGORIES for frequency in FREQUENCIES],
    ]

    def two_filters() -> dict[str, str]:
        return rng.choice(rng.choice(kinds))

    # without text, each pair once (such counts are cached until the index changes), as many of each kind
    distinct = [pair for kind in kinds for pair in rng.sample(kind, min(len(kind), count // len(kinds)))]
    return {
        "keyword + 2 filters": [SearchQuery(q=rng.choice(KEYWORDS), **two_filters()) for _ in range(count)],
        "2 filters, no keyword": [SearchQuery(**pair) for pair in distinct],
        "keyword only": [SearchQuery(q=rng.choice(KEYWORDS)) for _ in range(count)],
        "generic word + 2 filters": [SearchQuery(q=rng.choice(GENERIC), **two_filters()) for _ in range(count)],
    }


def measure(path: str, seed: int, count: int, results: multiprocessing.Queue) -> None:
    """Time the searches in this (fresh) process and report latencies and memory."""
    index = SearchIndex.open(Path(path))
    started = time.perf_counter()
    index.search(SearchQuery(q="人口"))
    cold = time.perf_counter() - started
    report: dict = {"cold": cold, "latency": {}, "cpu": {}, "matches": {}}
    for name, batch in queries(seed, count).items():
        times, cpu_times, totals = [], [], []
        for query in batch:
            started, cpu_started = time.perf_counter(), time.process_time()
            totals.append(index.search(query)["total"])
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)
        report["latency"][name] = times
        report["cpu"][name] = cpu_times
        report["matches"][name] = statistics.median(totals)
    report["keyword matches"] = {k: index.search(SearchQuery(q=k, size=1))["total"] for k in KEYWORDS + GENERIC}
    report["rss"], report["peak"] = own_memory()
    index.close()
    results.put(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind (default 200)")
    parser.add_argument("--keep", type=Path, default=None, help="build the index in this folder and keep it")
    parser.add_argument("--reuse", action="store_true", help="time the searches on the index kept in --keep")
    args = parser.parse_args(argv)
    command = "python bench/search.py " + shlex.join(argv if argv is not None else sys.argv[1:])

    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        path = folder / "index.sqlite"
        if not args.reuse:
            folder.mkdir(parents=True, exist_ok=True)
            index = SearchIndex.open(path)
            started = time.perf_counter()
            index.replace(Catalog(args.seed).documents(args.entries))
            build = time.perf_counter() - started
            index.close()
            _, build_peak = own_memory()
            print(f"{args.entries:,} entries: built in {build:.1f} s ({args.entries / build:,.0f} entries/s), "
                  f"builder peak RSS {build_peak / 2**20:,.0f} MiB")  # fmt: skip
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"index {size / 2**20:,.0f} MiB ({path})")

        load = os.getloadavg()[0]
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        worker = context.Process(target=measure, args=(str(path), args.seed, args.queries, results))
        worker.start()
        report = results.get()
        worker.join()

    print(f"searching process: RSS {report['rss'] / 2**20:,.0f} MiB (peak {report['peak'] / 2**20:,.0f} MiB), "
          f"first search {report['cold'] * 1000:,.0f} ms (loads the facet columns)")  # fmt: skip
    print(f"{'':24} {'wall p50':>9} {'p95':>7} {'max':>7} {'CPU p50':>9} {'p95':>7}  median matches")
    for name, times in report["latency"].items():
        cpu = report["cpu"][name]
        figures = [
            percentile(times, 50),
            percentile(times, 95),
            max(times),
            percentile(cpu, 50),
            percentile(cpu, 95),
        ]
        print(f"{name:24} " + " ".join(f"{t * 1000:7.1f}ms" for t in figures)
              + f"  {report['matches'][name]:,.0f} ({len(times)} searches)")  # fmt: skip
    print("matches per word: " + ", ".join(f"{k} {n:,}" for k, n in report["keyword matches"].items()))
    busy = " (other jobs competed: CPU time is the steadier figure)" if load > (os.cpu_count() or 1) else ""
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; load average {load:.1f} when the searches started{busy}")  # fmt: skip
    print(f"reproduce: {command.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
