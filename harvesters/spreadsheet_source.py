"""The ``spreadsheet`` harvester: a department catalog template (CSV or XLSX) at a URL or a local path."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

from harvesters.base import Harvester, HarvestError, HarvestItem, RecordFailure, split_records
from harvesters.registry import register
from harvesters.spreadsheet import TemplateError, read_template


@register
class SpreadsheetHarvester(Harvester):
    """Reads the template with :func:`harvesters.spreadsheet.read_template`; bad rows become record failures."""

    type = "spreadsheet"

    def harvest(self) -> Iterator[HarvestItem]:
        response = self.fetcher.get(self.source.url)
        try:
            result = read_template(response.body, filename=urlparse(response.url).path)
        except TemplateError as error:
            raise HarvestError(str(error)) from None
        for e in result.row_errors:
            yield RecordFailure(
                f"第 {e.row} 行 / row {e.row}",
                f"[{e.column}] {e.value!r}: {e.message_zh}",
                f"[{e.column}] {e.value!r}: {e.message_en}",
            )
        yield from split_records(result.triples)
