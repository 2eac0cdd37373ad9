"""The sample federation of ``examples/federation``, loaded source by source for ``gov-catalog demo``."""

from __future__ import annotations

import json
from collections.abc import Iterator

from catalog_service.loading import load_file
from catalog_service.resources import resource_dir
from catalog_service.store import CatalogStore


def load_sample_federation(store: CatalogStore) -> Iterator[str]:
    """Load every file of the sample federation as its own source; yield one summary line per source."""
    folder = resource_dir("examples") / "federation"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        result = load_file(store, folder / entry["file"], entry["source"])
        invalid = len(result.report.invalid_records())
        rows = len(result.document.row_errors)
        yield (
            f"{entry['source']:<10} {entry['file']:<18} 入库 {len(result.stored_records):>4} / stored, "
            f"不合规 {invalid} / invalid, 行错误 {rows} / row errors"
        )
