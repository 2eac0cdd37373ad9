"""The validation test corpus (tests/data/shapes): valid entries, single-rule cases and random mutations."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from catalog_service import namespaces as ns

CORPUS = Path(__file__).resolve().parent.parent / "data" / "shapes"
VALID = CORPUS / "valid"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode(ns.RDF + "type")
DATASET = ox.NamedNode(ns.DCAT + "Dataset")
XSD = ns.XSD


@dataclass(frozen=True)
class Expected:
    """One expected result of a case, as full IRIs."""

    shape: str
    component: str
    constraint: str | None
    severity: str
    focus: str | None
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Case:
    id: str
    base: str
    update: str
    expected: tuple[Expected, ...]


def valid_names() -> list[str]:
    return sorted(p.stem for p in VALID.glob("*.ttl"))


@cache
def _valid_triples(name: str) -> tuple[ox.Triple, ...]:
    return tuple(ox.parse(path=VALID / f"{name}.ttl", format=ox.RdfFormat.TURTLE))


def valid_entry(name: str) -> list[ox.Triple]:
    """The triples of ``valid/<name>.ttl``."""
    return list(_valid_triples(name))


@cache
def _manifest() -> dict:
    return tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))


def cases() -> list[Case]:
    manifest = _manifest()
    result = []
    for case in manifest["case"]:
        expected = []
        for e in case["expect"]:
            zh, en = manifest["messages"][e.get("constraint", e["shape"])]
            expected.append(
                Expected(
                    shape=ns.SHAPES + e["shape"],
                    component=SH + e["component"],
                    constraint=ns.SHAPES + e["constraint"] if "constraint" in e else None,
                    severity=e.get("severity", "Violation"),
                    focus=e.get("focus"),
                    message_zh=zh,
                    message_en=en,
                )
            )
        result.append(Case(case["id"], case["base"], case["update"], tuple(expected)))
    return result


def case_entry(case: Case) -> list[ox.Triple]:
    """The base entry of ``case`` with its update applied."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in valid_entry(case.base))
    store.update(_manifest()["prefixes"] + case.update)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store]


def dataset_of(triples: list[ox.Triple]) -> str:
    (dataset,) = {t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object == DATASET}
    return dataset


# Random mutations: terms that are likely to break (or just about satisfy) some constraint.
def _pool() -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
    def lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype) if datatype else None, language=language)

    codes = [ns.code(scheme, n) for scheme, notations in _SCHEMES.items() for n in notations]
    return [
        *(ox.NamedNode(c) for c in codes),
        ox.NamedNode(ns.region("100000")),
        ox.NamedNode(ns.region("110105")),
        ox.NamedNode(ns.region("999999")),
        ox.NamedNode(ns.resource("1010001/000001")),
        ox.NamedNode("https://example.org/thing"),
        ox.NamedNode(ns.organization("91350100M000100Y43")),
        ox.BlankNode(),
        lit("true", "boolean"),
        lit("false", "boolean"),
        lit("1", "boolean"),
        lit("0", "boolean"),
        lit("TRUE", "boolean"),
        lit("yes", "boolean"),
        lit("2021-05-05", "date"),
        lit("2021-05-05Z", "date"),
        lit("2021-05-05T08:00:00", "date"),
        lit("2020-13-45", "date"),
        lit("2023-02-29", "date"),
        lit("2021-05-05", "dateTime"),
        lit("12", "integer"),
        lit("012", "integer"),
        lit("2090001/000015"),
        lit("2090001/000015\n"),
        lit("2090001/000015", language="zh"),
        lit("1010001/000001"),
        lit("3000001/000001"),
        lit("91350100M000100Y43"),
        lit("91350100M000100Y44"),
        lit("911100001000080343"),
        lit("911100001000080343\n"),
        lit("9135010OM000100Y43"),
        lit("91350100M000100Y43", language="zh"),
        lit("短摘要", language="zh"),
        lit("这是一段足够长的信息资源摘要，说明资源的内容和用途。", language="zh"),
        lit("A long enough English description of the resource.", language="en"),
        lit("Title", language="EN"),
        lit("名称", language="zh-CN"),
        lit("名称", language="zh"),
        lit(""),
    ]


_SCHEMES = {
    "sharing-type": "123",
    "openness": "123",
    "resource-category": ["1", "101", "2", "201", "3", "299"],
    "level": "12345",
    "data-type": "CDZ",
    "sharing-method-category": "13",
    "sharing-method-type": "2",
    "use-purpose": "19",
    "update-frequency": "29",
    "resource-format": "3",
    "provision-method": "1",
}


def mutations(count: int, seed: int) -> list[list[ox.Triple]]:
    """``count`` entries, each a valid entry with one to three random edits and IRIs of its own.

    Edits drop a triple, replace an object or add a value for an existing predicate. The IRIs of every node
    described in the entry get a suffix per mutation, so that all mutations can be validated together; blank
    nodes are deliberately left shared (data elements of shared2-open1, the pool's blank node), which makes
    mutations overlap the way careless input does.
    """
    rng = random.Random(seed)
    pool = _pool()
    names = valid_names()
    result = []
    for i in range(count):
        triples = valid_entry(rng.choice(names))
        for _ in range(rng.randint(1, 3)):
            index = rng.randrange(len(triples))
            t = triples[index]
            edit = rng.choice(("drop", "replace", "replace", "add"))
            if edit == "drop":
                del triples[index]
            elif edit == "replace":
                triples[index] = ox.Triple(t.subject, t.predicate, rng.choice(pool))
            else:
                triples.append(ox.Triple(t.subject, t.predicate, rng.choice(pool)))
        result.append(renamed(triples, f"m{seed}-{i}"))
    return result


def renamed(triples: list[ox.Triple], suffix: str) -> list[ox.Triple]:
    """The triples with a suffix on the IRI of every node they describe (objects elsewhere keep theirs)."""
    subjects = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}

    def rename(term):
        return ox.NamedNode(f"{term.value}-{suffix}") if term in subjects else term

    return [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in triples]
