"""``[[sources]]`` tables of ``gov-catalog.toml`` turned into checked :class:`SourceConfig` objects.

A mistake in the configuration (an unknown type, a bad level or region, a schedule that does not parse)
is reported when the configuration is read, naming the source, not in the middle of the night's harvest.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from croniter import croniter

from catalog_service.store import check_source_name
from catalog_service.vocabulary import CodeLists
from harvesters.base import SourceConfig
from harvesters.registry import known_types

_COMMON = {"name", "type", "url", "level", "region", "schedule"}
_INTERVAL = re.compile(r"^(\d+)\s*(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class SourceConfigError(ValueError):
    """A ``[[sources]]`` table that cannot be used."""


def parse_sources(tables: list[dict[str, Any]], *, base_dir: Path | None = None) -> list[SourceConfig]:
    """Check and convert the source tables; relative local paths are taken from ``base_dir``."""
    sources, names = [], set()
    for n, table in enumerate(tables, 1):
        source = parse_source(table, base_dir=base_dir, position=n)
        if source.name in names:
            raise SourceConfigError(f"数据源名称重复 / duplicate source name {source.name!r}")
        names.add(source.name)
        sources.append(source)
    return sources


def parse_source(table: dict[str, Any], *, base_dir: Path | None = None, position: int = 1) -> SourceConfig:
    """One source table as a :class:`SourceConfig`."""
    label = table.get("name") or f"#{position}"
    for required in ("name", "type", "url"):
        if not table.get(required):
            raise SourceConfigError(f"数据源 {label} 缺少 {required} / source {label} lacks {required!r}")
    name, type_, url = str(table["name"]), str(table["type"]), str(table["url"])
    try:
        check_source_name(name)
    except ValueError as error:
        raise SourceConfigError(str(error)) from None
    if type_ not in known_types():
        raise SourceConfigError(f"数据源 {name}: 未知类型 / unknown type {type_!r} (known: {', '.join(known_types())})")
    codes = CodeLists.default()
    level = table.get("level")
    if level is not None and codes.concept("level", str(level)) is None:
        raise SourceConfigError(
            f"数据源 {name}: 层级应为 国家/省/市/县 / level must be 国家, 省, 市 or 县, not {level!r}"
        )
    region = table.get("region")
    if region is not None and codes.region(str(region)) is None:
        raise SourceConfigError(f"数据源 {name}: 未知行政区划代码 / unknown GB/T 2260 code {region!r}")
    schedule = table.get("schedule")
    if schedule is not None:
        next_run(str(schedule), datetime.now())  # raises on a bad schedule
    if base_dir is not None and "://" not in url and not Path(url).is_absolute():
        url = str((base_dir / url).resolve())
    options = {k: v for k, v in table.items() if k not in _COMMON}
    return SourceConfig(
        name, type_, url, level and str(level), region and str(region), schedule and str(schedule), options
    )


def next_run(schedule: str, after: datetime) -> datetime:
    """When a schedule fires next: an interval such as ``30m``/``6h``/``1d``, or a five-field cron expression."""
    match = _INTERVAL.match(schedule.strip())
    if match:
        return after + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if not croniter.is_valid(schedule):
        raise SourceConfigError(f"无法解析的计划 / schedule {schedule!r} is neither an interval (30m, 6h, 1d) nor cron")
    return croniter(schedule, after).get_next(datetime)
