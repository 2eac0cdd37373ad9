"""IRIs of the gov-catalog profile and the standard vocabularies it reuses.

Every IRI the project mints is built here, so that no module assembles graph, code-list or resource IRIs
by hand. The profile's own terms live in one namespace, ``GC``; code lists, regions, organisations and
resources have their own IRI spaces under the same base.
"""

from urllib.parse import quote

BASE = "https://w3id.org/gov-catalog/"

GC = BASE + "ns#"
SHAPES = BASE + "shapes#"
CODE = BASE + "code/"
REGION = BASE + "region/"
ORG = BASE + "org/"
RESOURCE = BASE + "resource/"
CATALOG = BASE + "catalog/"
GRAPH = BASE + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

PREFIXES: dict[str, str] = {
    "gc": GC,
    "gcsh": SHAPES,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "skos": SKOS,
    "prov": PROV,
    "sh": SH,
    "hydra": HYDRA,
    "vcard": VCARD,
    "adms": ADMS,
}


def sparql_prefixes() -> str:
    """The ``PREFIX`` lines for every prefix above, for queries kept as text constants."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def code_scheme(scheme: str) -> str:
    """IRI of the SKOS concept scheme of a code list, e.g. ``code_scheme("sharing-type")``."""
    return CODE + scheme


def code(scheme: str, notation: str) -> str:
    """IRI of one concept of a code list, e.g. ``code("sharing-type", "2")`` for 有条件共享."""
    return f"{CODE}{scheme}/{notation}"


def region(division_code: str) -> str:
    """IRI of a GB/T 2260 administrative division (six digits; ``100000`` is the whole country)."""
    return REGION + division_code


def organization(credit_code: str) -> str:
    """IRI of a provider department, keyed by its unified social credit code (GB 32100)."""
    return ORG + credit_code


def resource(identifier: str) -> str:
    """IRI of an information resource, keyed by its 信息资源代码 such as ``1010001/000123``.

    The code is the key of 一数一源: the same code reaching us through several catalogs is one resource.
    """
    return RESOURCE + quote(identifier, safe="/")


def catalog(slug: str) -> str:
    """IRI of a catalog (a department's, or a level's merged catalog)."""
    return CATALOG + quote(slug, safe="/-")
