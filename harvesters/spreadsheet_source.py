"""The ``spreadsheet`` harvester: a department catalog template (CSV or XLSX) at a URL or a local path."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

from harvesters.base import (
    Harvester,
    HarvestError,
    HarvestItem,
    KeepPage,
    Page,
    RecordFailure,
    page_checksum,
    split_records,
)
from harvesters.registry import register
from harvesters.spreadsheet import TemplateError, read_template


@register
class SpreadsheetHarvester(Harvester):
    """Reads the template with :func:`harvesters.spreadsheet.read_template`; bad rows become record failures.

    The file is one page: unchanged since the last run, it is not read again (:class:`KeepPage`)."""

    type = "spreadsheet"

    def harvest(self) -> Iterator[HarvestItem]:
        response = self.fetcher.get(self.source.url)
        checksum = page_checksum(response)
        known = self.known_pages.get(self.source.url)
        if known is not None and known.checksum == checksum:
            kept = KeepPage(self.source.url)
            yield kept
            if not kept.declined:
                return
        try:
            result = read_template(response.body, filename=urlparse(response.url).path)
        except TemplateError as error:
            raise HarvestError(str(error)) from None
        yield Page(self.source.url, checksum)
        for e in result.row_errors:
            yield RecordFailure(
                f"第 {e.row} 行 / row {e.row}",
                f"[{e.column}] {e.value!r}: {e.message_zh}",
                f"[{e.column}] {e.value!r}: {e.message_en}",
            )
        yield from split_records(result.triples)
