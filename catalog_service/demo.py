"""The sample federation of ``examples/federation``, harvested through its configured sources for ``demo``.

``examples/federation/gov-catalog.toml`` declares one source per level's catalog (Turtle through the ``dcat``
harvester, the GBK CSV and the XLSX through ``spreadsheet``), with their levels and regions, so the demo runs
the same pipeline as a production node: validation, 一数一源, provenance and run reports included.
"""

from __future__ import annotations

from catalog_service.config import Config
from catalog_service.harvest.pipeline import harvest
from catalog_service.harvest.runs import Run
from catalog_service.harvest.sources import parse_sources
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore


def sample_sources() -> list:
    """The sample federation's sources, with paths resolved to the installed examples."""
    path = resource_dir("examples") / "federation" / "gov-catalog.toml"
    return parse_sources(Config.load(path).sources, base_dir=path.parent)


def load_sample_federation(store: CatalogStore) -> list[Run]:
    """Harvest every source of the sample federation once."""
    return [harvest(store, source) for source in sample_sources()]
