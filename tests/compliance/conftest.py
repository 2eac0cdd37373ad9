"""A hand-built scenario for the compliance report: two provider departments harvested at controlled times.

Department A (玄武区, 320102) publishes three entries from a CSV template, harvested on 2025-03-01; department B
(建邺区, 320105) one rich Turtle entry with a distribution and a data service, harvested on 2025-12-20. B's entry
has the same data elements as A's first one, released later: data collected again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog_service.governance.calendar import CHINA_TIME
from catalog_service.harvest import runs
from catalog_service.harvest.pipeline import harvest
from catalog_service.store import CatalogStore
from harvesters.base import SourceConfig
from tests.harvest.catalogs import credit_code, entry, write

DEPT_A = credit_code("320102", 11)
DEPT_B = credit_code("320105", 12)
DEPT_C = credit_code("320102", 13)  # a department with a recorded change but no catalog
REQ_1 = credit_code("320102", 21)
REQ_2 = credit_code("320102", 22)
REQ_3 = credit_code("320102", 23)

A1, A2, A3 = "1010001/000001", "1010001/000002", "1010001/000003"
B1 = "1010001/000101"

HARVEST_A = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
HARVEST_B = datetime(2025, 12, 20, 2, 0, tzinfo=UTC)


def beijing(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA_TIME)


def a_rows() -> list[dict[str, str]]:
    common = {"信息资源提供方": "南京市玄武区甲局", "credit": DEPT_A}
    return [
        entry(1, **common, **{"更新周期": "每日"}),
        entry(
            2,
            **common,
            **{
                "更新周期": "每年",
                "共享类型": "有条件共享",
                "共享条件": "仅用于核验",
                "用途": "业务协同",
                "信息项": "姓名:C;婚姻状况:C",
            },
        ),
        entry(3, **common, **{"更新周期": "每月", "信息项": "地址:C;门牌号:C"}),
    ]


RICH_TTL = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix gc: <https://w3id.org/gov-catalog/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix code: <https://w3id.org/gov-catalog/code/> .
@prefix r: <https://w3id.org/gov-catalog/resource/1010001/000101/> .

<https://w3id.org/gov-catalog/resource/1010001/000101> a dcat:Dataset ;
  dct:identifier "1010001/000101" ;
  gc:resourceCategory <https://w3id.org/gov-catalog/code/resource-category/101> ;
  dct:title "建邺区户籍人口信息"@zh ;
  dct:publisher <https://w3id.org/gov-catalog/org/{DEPT_B}> ;
  dct:description "建邺区户籍人口的姓名、公民身份号码和出生日期，供各部门核验使用。"@zh ;
  gc:resourceFormat <https://w3id.org/gov-catalog/code/resource-format/3> ;
  dcat:keyword "人口"@zh ;
  gc:dataElement r:element\\/1 , r:element\\/2 , r:element\\/3 ;
  gc:sharingType <https://w3id.org/gov-catalog/code/sharing-type/1> ;
  gc:sharingMethodCategory <https://w3id.org/gov-catalog/code/sharing-method-category/1> ;
  gc:sharingMethodType <https://w3id.org/gov-catalog/code/sharing-method-type/2> ;
  gc:openness <https://w3id.org/gov-catalog/code/openness/1> ;
  gc:useRequirement "注明数据来源"@zh ;
  dct:accrualPeriodicity <https://w3id.org/gov-catalog/code/update-frequency/7> ;
  dct:issued "2025-02-01"^^xsd:date ;
  dct:spatial <https://w3id.org/gov-catalog/region/320105> ;
  gc:level <https://w3id.org/gov-catalog/code/level/4> ;
  gc:classified false ;
  dcat:contactPoint r:contact ;
  dcat:distribution r:distribution\\/1 .
<https://w3id.org/gov-catalog/org/{DEPT_B}> a foaf:Organization ;
  foaf:name "南京市建邺区乙局"@zh ; gc:creditCode "{DEPT_B}" .
r:contact a vcard:Organization ; vcard:fn "乙局数据科"@zh ; vcard:hasEmail <mailto:data@example.gov.cn> .
r:element\\/1 a gc:DataElement ; dct:title "姓名"@zh ;
  gc:dataType <https://w3id.org/gov-catalog/code/data-type/C> ; gc:position 1 .
r:element\\/2 a gc:DataElement ; dct:title "公民身份号码"@zh ;
  gc:dataType <https://w3id.org/gov-catalog/code/data-type/C> ; gc:position 2 .
r:element\\/3 a gc:DataElement ; dct:title "出生日期"@zh ;
  gc:dataType <https://w3id.org/gov-catalog/code/data-type/D> ; gc:position 3 .
r:distribution\\/1 a dcat:Distribution ;
  dct:title "建邺区户籍人口信息（接口）"@zh ;
  dcat:accessURL <https://sjgx.example.gov.cn/resource/1010001/000101> ;
  dcat:mediaType <https://www.iana.org/assignments/media-types/application/json> ;
  dcat:accessService r:service .
r:service a dcat:DataService ;
  dct:title "建邺区户籍人口信息接口"@zh ;
  dcat:endpointURL <https://sjgx.example.gov.cn/api/1010001/000101> ;
  dcat:servesDataset <https://w3id.org/gov-catalog/resource/1010001/000101> .
"""


def at_time(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make harvest runs start at ``moment`` (catalog records take their dct:modified from it)."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment if tz is None else moment.astimezone(tz)

    monkeypatch.setattr(runs, "datetime", Clock)


def harvest_scenario(store: CatalogStore, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at_time(monkeypatch, HARVEST_A)
    run_a = harvest(store, SourceConfig("dept-a", "spreadsheet", write(folder / "a.csv", a_rows())))
    assert (run_a.status, run_a.counts["added"]) == ("succeeded", 3), run_a.issues
    ttl = folder / "b.ttl"
    ttl.write_text(RICH_TTL.replace("{DEPT_B}", DEPT_B), encoding="utf-8")
    at_time(monkeypatch, HARVEST_B)
    run_b = harvest(store, SourceConfig("dept-b", "dcat", str(ttl)))
    assert (run_b.status, run_b.counts["added"]) == ("succeeded", 1), (run_b.errors, run_b.issues)
    monkeypatch.undo()


@pytest.fixture
def scenario(store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CatalogStore:
    harvest_scenario(store, tmp_path, monkeypatch)
    return store
