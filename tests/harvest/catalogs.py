"""Small catalogs for harvesting tests, written as the department template (CSV) that real sources use."""

from __future__ import annotations

from pathlib import Path

from catalog_service.uscc import check_character
from harvesters.spreadsheet import write_template


def credit_code(region: str, serial: int) -> str:
    first17 = f"11{region}{serial:08d}A"
    return first17 + check_character(first17)


def entry(
    seq: int,
    *,
    region: str = "320102",
    level: str = "县",
    title: str | None = None,
    provider: str = "南京市玄武区公安分局",
    credit: str | None = None,
    **changes: str,
) -> dict[str, str]:
    """One valid entry of category 基础/人口; keyword arguments override cells (by template column)."""
    row = {
        "信息资源分类": "基础/人口",
        "信息资源名称": title or f"户籍人口基本信息{seq}",
        "信息资源代码": f"1010001/{seq:06d}",
        "信息资源提供方": provider,
        "信息资源提供方代码": credit or credit_code(region, 1),
        "信息资源摘要": "辖区户籍人口的姓名、公民身份号码、性别、出生日期和户籍地址等基本信息，按日更新。",
        "信息资源格式": "数据库",
        "信息项": "姓名:C;公民身份号码:C;出生日期:D",
        "共享类型": "无条件共享",
        "共享条件": "",
        "共享方式": "共享平台方式/接口",
        "不予共享依据": "",
        "是否向社会开放": "否",
        "开放条件": "",
        "更新周期": "每日",
        "发布日期": "2024-05-01",
        "关联资源代码": "",
        "行政区划代码": region,
        "层级": level,
        "涉密属性": "否",
        "关键词": "人口;户籍",
    }
    row.update({k: v for k, v in changes.items()})
    return row


def write(path: Path, rows: list[dict[str, str]]) -> str:
    write_template(rows, path)
    return str(path)
