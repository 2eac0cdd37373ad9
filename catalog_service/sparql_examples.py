"""Example queries of the SPARQL query page: what officials and integrators ask the catalog most.

Each is a named constant the page offers as a preset (``/sparql?example=levels-sharing``) and the tests run on the
sample federation; :data:`ACROSS_NODES` also asks another node, through ``SERVICE``. They use the profile's terms
(``docs/profile.md``) and the provenance the harvest pipeline records: a ``dcat:CatalogRecord`` per resource and
source (``foaf:primaryTopic``, ``gc:harvestSource``, ``gc:authoritative``, ``prov:wasGeneratedBy``) and a
``prov:Activity`` per harvest run (``gc:runStatus``, ``gc:addedCount`` …).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """A preset of the query page."""

    slug: str
    title_zh: str
    title_en: str
    query: str
    note_zh: str = ""
    note_en: str = ""
    """What to know before running it, shown with the preset."""


_PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "gc": "https://w3id.org/gov-catalog/ns#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sharing": "https://w3id.org/gov-catalog/code/sharing-type/",
    "category": "https://w3id.org/gov-catalog/code/resource-category/",
    "level": "https://w3id.org/gov-catalog/code/level/",
}


def _with_prefixes(body: str) -> str:
    """Declare exactly the prefixes ``body`` uses, so that each preset reads (and runs) on its own."""
    used = [p for p in _PREFIXES if f"{p}:" in body]
    return "".join(f"PREFIX {p}: <{_PREFIXES[p]}>\n" for p in used) + body


LEVELS_BY_SHARING = Example(
    "levels-sharing",
    "各层级、各共享类型的资源数",
    "Entries per level and sharing type",
    _with_prefixes("""
# 层级 × 共享类型 / level × sharing type
SELECT ?level ?sharingType (COUNT(?resource) AS ?entries) WHERE {
  ?resource a dcat:Dataset ;
            gc:level ?levelCode ;
            gc:sharingType ?sharingCode .
  ?levelCode skos:prefLabel ?level . FILTER(LANG(?level) = "zh")
  ?sharingCode skos:prefLabel ?sharingType . FILTER(LANG(?sharingType) = "zh")
}
GROUP BY ?levelCode ?level ?sharingCode ?sharingType
ORDER BY ?levelCode ?sharingCode
"""),
)

UNDER_PROVINCE = Example(
    "province",
    "江苏省及其下辖市县的全部资源",
    "Everything under Jiangsu province, through the division hierarchy",
    _with_prefixes("""
# 行政区划逐级归属（skos:broader*）：省 ← 市 ← 县 / divisions roll up through skos:broader*
SELECT ?identifier ?title ?division ?level WHERE {
  ?province skos:notation "320000" .                # 江苏省; 换成其他省的区划代码 / another province's code
  ?region skos:broader* ?province ;
          skos:prefLabel ?division .
  ?resource a dcat:Dataset ;
            dct:spatial ?region ;
            dct:identifier ?identifier ;
            dct:title ?title ;
            gc:level/skos:prefLabel ?level .
  FILTER(LANG(?division) = "zh" && LANG(?level) = "zh")
}
ORDER BY ?identifier
"""),
)

TITLE_CONTAINS = Example(
    "keyword",
    "名称含“人口”的资源",
    "Entries whose title contains 人口 (population)",
    _with_prefixes("""
SELECT ?identifier ?title ?provider ?division WHERE {
  ?resource a dcat:Dataset ;
            dct:title ?title ;
            dct:identifier ?identifier ;
            dct:publisher/foaf:name ?provider ;
            dct:spatial/skos:prefLabel ?division .
  FILTER(CONTAINS(?title, "人口"))
  FILTER(LANG(?division) = "zh")
}
ORDER BY ?identifier
LIMIT 20
"""),
)

PROVENANCE = Example(
    "provenance",
    "一条资源的来源链：目录记录、采集源、采集批次",
    "One resource's provenance: catalog records, harvest sources, runs",
    _with_prefixes("""
# 经由最多采集源汇聚的那条资源，每个来源一行；gc:authoritative 标出权威副本（一数一源）
# the resource that reached us through most sources, one row per source; gc:authoritative marks its authoritative copy
SELECT ?identifier ?title ?source ?authoritative ?recordModified ?run ?runStatus ?runStarted WHERE {
  {
    SELECT ?resource WHERE { ?anyRecord foaf:primaryTopic ?resource }
    GROUP BY ?resource
    ORDER BY DESC(COUNT(?anyRecord)) ?resource
    LIMIT 1
  }
  ?resource dct:identifier ?identifier ;
            dct:title ?title .
  ?record a dcat:CatalogRecord ;
          foaf:primaryTopic ?resource ;
          gc:harvestSource/dct:title ?source ;
          gc:authoritative ?authoritative ;
          dct:modified ?recordModified ;
          prov:wasGeneratedBy ?run .
  OPTIONAL { ?run gc:runStatus ?runStatus ; prov:startedAtTime ?runStarted }
}
ORDER BY DESC(?authoritative) ?source
"""),
)

ACROSS_LEVELS = Example(
    "one-source",
    "多级目录重复编目的资源及其权威来源",
    "Resources catalogued at several levels, with their authoritative source",
    _with_prefixes("""
# 一数一源：同一信息资源代码经多个目录汇聚，只认一个权威来源
# one datum, one source: one resource code reaching us through several catalogs has one authoritative source
SELECT ?identifier (SAMPLE(?name) AS ?title) (COUNT(DISTINCT ?record) AS ?records)
       (GROUP_CONCAT(DISTINCT ?source; separator=", ") AS ?sources)
WHERE {
  ?record foaf:primaryTopic ?resource ;
          gc:harvestSource/dct:title ?sourceName ;
          gc:authoritative ?authoritative .
  ?resource dct:identifier ?identifier ;
            dct:title ?name .
  BIND(IF(?authoritative, CONCAT(?sourceName, "（权威 authoritative）"), ?sourceName) AS ?source)
}
GROUP BY ?identifier
HAVING (COUNT(DISTINCT ?record) > 1)
ORDER BY ?identifier
"""),
)

NOT_SHARED = Example(
    "not-shared",
    "不予共享的资源及其依据",
    "Entries not shared (不予共享) and the basis for it",
    _with_prefixes("""
SELECT ?identifier ?title ?provider ?basis WHERE {
  ?resource a dcat:Dataset ;
            gc:sharingType sharing:3 ;                 # 3 = 不予共享 / not shared
            dct:identifier ?identifier ;
            dct:title ?title ;
            dct:publisher/foaf:name ?provider .
  OPTIONAL { ?resource gc:nonSharingBasis ?basis }
}
ORDER BY ?identifier
"""),
)

TOP_PROVIDERS = Example(
    "providers",
    "编目资源最多的提供方",
    "Providers with most entries",
    _with_prefixes("""
SELECT ?provider (SAMPLE(?providerName) AS ?name) ?creditCode (COUNT(DISTINCT ?resource) AS ?entries) WHERE {
  ?resource a dcat:Dataset ;
            dct:publisher ?provider .
  ?provider foaf:name ?providerName ;
            gc:creditCode ?creditCode .
}
GROUP BY ?provider ?creditCode
ORDER BY DESC(?entries) ?provider
LIMIT 20
"""),
)

RECENT_RUNS = Example(
    "runs",
    "最近的采集批次及其计数",
    "Recent harvest runs with their counts",
    _with_prefixes("""
SELECT ?source ?status ?started ?ended ?added ?updated ?unchanged ?removed ?invalid ?conflicts WHERE {
  ?run a prov:Activity ;
       prov:used ?harvestSource ;
       gc:runStatus ?status ;
       prov:startedAtTime ?started ;
       gc:addedCount ?added ;
       gc:updatedCount ?updated ;
       gc:unchangedCount ?unchanged ;
       gc:removedCount ?removed ;
       gc:invalidCount ?invalid ;
       gc:conflictsCount ?conflicts .
  OPTIONAL { ?run prov:endedAtTime ?ended }
  OPTIONAL { ?harvestSource dct:title ?source }
}
ORDER BY DESC(?started) ?source
LIMIT 20
"""),
)

RUN_ISSUES = Example(
    "issues",
    "采集中未入库或有冲突的条目",
    "Records that failed validation or conflict, by run",
    _with_prefixes("""
SELECT ?source ?started ?kind ?key ?message WHERE {
  ?run gc:recordIssue ?issue ;
       prov:used/dct:title ?source ;
       prov:startedAtTime ?started .
  ?issue gc:issueKind ?kind ;
         gc:sourceKey ?key ;
         rdfs:comment ?message .
  FILTER(LANG(?message) = "zh")
}
ORDER BY DESC(?started) ?source ?key
LIMIT 50
"""),
)

NATIONAL_NODE = "http://127.0.0.1:8084/sparql"
"""The national node's endpoint in ``gov-catalog demo --federation`` on its default ports (docs/federation.md)."""

ACROSS_NODES = Example(
    "across-nodes",
    "跨层级联邦查询：本节点的基础信息资源对照国家节点",
    "Across levels: this node's basic resources next to the national node's (SERVICE)",
    _with_prefixes(f"""
# 本节点（如省级节点）的基础信息资源，按子类和共享类型计数；经 SERVICE 取国家节点上同一子类的国家级资源数
# this node's (e.g. the province's) basic information resources per sub-category and sharing type, next to the
# national node's national-level entries of the same sub-category, fetched through SERVICE
SELECT ?category ?sharingType ?entries ?nationalEntries WHERE {{
  {{
    SELECT ?categoryCode ?sharingCode (COUNT(?resource) AS ?entries) WHERE {{
      ?resource a dcat:Dataset ;
                gc:resourceCategory ?categoryCode ;
                gc:sharingType ?sharingCode .
      ?categoryCode skos:broader category:1 .        # 基础信息资源 / basic information resources
    }}
    GROUP BY ?categoryCode ?sharingCode
  }}
  SERVICE <{NATIONAL_NODE}> {{   # 国家节点 / the national node
    SELECT ?categoryCode (COUNT(?national) AS ?nationalEntries) WHERE {{
      ?national a dcat:Dataset ;
                gc:level level:1 ;                   # 国家级 / national level
                gc:resourceCategory ?categoryCode .
    }}
    GROUP BY ?categoryCode
  }}
  ?categoryCode skos:prefLabel ?category . FILTER(LANG(?category) = "zh")
  ?sharingCode skos:prefLabel ?sharingType . FILTER(LANG(?sharingType) = "zh")
}}
ORDER BY ?categoryCode ?sharingCode
"""),
    note_zh=(
        f"SERVICE 只能访问管理员在 sparql_service_peers 中列出的对等节点；{NATIONAL_NODE} 是示例联邦"
        "（gov-catalog demo --federation）的国家节点，请换成你的国家节点地址。对等节点只返回其公开数据。"
    ),
    note_en=(
        f"SERVICE reaches only the peer nodes the administrator lists in sparql_service_peers; {NATIONAL_NODE} is the "
        "national node of the sample federation (gov-catalog demo --federation): put your national node's address "
        "instead. Peers answer with their public data only."
    ),
)

EXAMPLES: tuple[Example, ...] = (
    LEVELS_BY_SHARING,
    UNDER_PROVINCE,
    TITLE_CONTAINS,
    PROVENANCE,
    ACROSS_LEVELS,
    NOT_SHARED,
    TOP_PROVIDERS,
    RECENT_RUNS,
    RUN_ISSUES,
    ACROSS_NODES,
)
BY_SLUG = {e.slug: e for e in EXAMPLES}
