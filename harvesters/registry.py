"""Harvester types found by name: ``type = "ckan"`` in a source table finds the CKAN harvester.

Built-in types are imported on first use; another package adds a type with :func:`register`.
"""

from __future__ import annotations

import importlib

from harvesters.base import Harvester

_BUILTIN_MODULES = {
    "dcat": "harvesters.dcat",
    "node": "harvesters.dcat",
    "sparql": "harvesters.sparql",
    "ckan": "harvesters.ckan",
    "spreadsheet": "harvesters.spreadsheet_source",
    "json": "harvesters.json_api",
}
_REGISTRY: dict[str, type[Harvester]] = {}


class UnknownHarvesterType(KeyError):
    """No harvester is registered under the name a source gives."""


def register(cls: type[Harvester]) -> type[Harvester]:
    """Class decorator: make a harvester available under its ``type`` name."""
    _REGISTRY[cls.type] = cls
    return cls


def harvester_class(type_name: str) -> type[Harvester]:
    """The harvester class for a source type, importing the built-in module that defines it if needed."""
    if type_name not in _REGISTRY and type_name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[type_name])
    try:
        return _REGISTRY[type_name]
    except KeyError:
        known = ", ".join(sorted(set(_BUILTIN_MODULES) | set(_REGISTRY)))
        raise UnknownHarvesterType(f"未知采集器类型 / unknown harvester type {type_name!r} (known: {known})") from None


def known_types() -> list[str]:
    """Names a source's ``type`` may take."""
    return sorted(set(_BUILTIN_MODULES) | set(_REGISTRY))
