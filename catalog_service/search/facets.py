"""Facets: which values each entry has, and counting them over a result set fast enough for a national catalog.

Every facet is a list of values per entry, coarse before fine where there is a hierarchy: the region chain
``320000, 320100, 320102`` (so that choosing 江苏省 includes its cities and counties), the category pair
``1, 101`` (so that 基础 includes 人口 … 电子证照), or simply ``3`` for a level. The same lists become filter
tokens in the full-text index and facet columns in memory.

Counting is done in memory because SQL cannot do it quickly: a ``GROUP BY`` per facet over tens of thousands
of hits costs tens of milliseconds each in SQLite, while counting a column held as a ``bytearray`` indexed by
document id costs well under a microsecond per hit. :class:`FacetColumns` holds, per facet, one such column
per position in the value list ("slot"); a value is stored as a small integer id. Filtering uses the other
direction: per value, the set of documents having it (at any level), so that choosing a value among all the
documents or a text search's hits is one set intersection in C rather than a test per document in Python.
"""

from __future__ import annotations

import functools
import heapq
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from catalog_service import namespaces as ns
from catalog_service.search.documents import Document
from catalog_service.vocabulary import CodeLists

COUNTRY = "100000"
"""The division code of the whole country: the level above the provinces, and the division of national entries."""


@dataclass(frozen=True)
class Facet:
    """One facet: its name (also its query parameter) and where its values and labels come from."""

    name: str
    scheme: str | None = None
    """The code list of the values (their notations), or ``None`` for divisions and publishers."""
    wide: bool = False
    """Whether there may be more than 255 values (divisions, publishers): 32-bit columns instead of bytes."""
    limit: int | None = None
    """Show only this many values, the most frequent first."""


FACETS = (
    Facet("level", "level"),
    Facet("region", wide=True),
    Facet("publisher", wide=True, limit=50),
    Facet("sharing", "sharing-type"),
    Facet("openness", "openness"),
    Facet("theme", "resource-category"),
    Facet("format", "resource-format"),
    Facet("frequency", "update-frequency"),
)
FACET_BY_NAME = {f.name: f for f in FACETS}


def facet_values(document: Document) -> dict[str, list[str]]:
    """The values of each facet for one entry, coarse before fine."""
    return {
        "level": _present(document.level),
        "region": region_chain(document.region) if document.region else [],
        "publisher": _present(document.publisher),
        "sharing": _present(document.sharing),
        "openness": _present(document.openness),
        "theme": category_chain(document.theme) if document.theme else [],
        "format": list(document.formats),
        "frequency": _present(document.frequency),
    }


_FACET_SEPARATOR, _VALUE_SEPARATOR = "\x1e", "\x1f"


def encode_values(values: Mapping[str, Sequence[str]]) -> str:
    """Facet values as stored with a document: in :data:`FACETS` order, with separators no IRI or code holds.

    Several times faster to read back than JSON, which matters when a process loads a million documents.
    """
    return _FACET_SEPARATOR.join(_VALUE_SEPARATOR.join(values.get(f.name, ())) for f in FACETS)


def decode_values(text: str) -> dict[str, list[str]]:
    """The facet values :func:`encode_values` stored."""
    parts = text.split(_FACET_SEPARATOR)
    return {f.name: part.split(_VALUE_SEPARATOR) if part else [] for f, part in zip(FACETS, parts, strict=True)}


def _present(value: str | None) -> list[str]:
    return [value] if value else []


@functools.lru_cache(maxsize=8192)
def region_chain(code: str) -> list[str]:
    """The division and those containing it, from the province down (``100000`` only for the country itself)."""
    codes = CodeLists.default()
    ancestors = [codes.notation(iri) for iri in reversed(codes.region_ancestors(code))]
    return [a for a in ancestors if a and a != COUNTRY] + [code]


@functools.lru_cache(maxsize=8192)
def parent_region(code: str) -> str | None:
    """The division directly containing ``code`` (``100000`` for a province), or ``None``."""
    codes = CodeLists.default()
    ancestors = codes.region_ancestors(code)
    return codes.notation(ancestors[0]) if ancestors else None


def category_chain(notation: str) -> list[str]:
    """The category and its top category: ``101`` → ``1, 101``.

    The guide's category codes are hierarchical by prefix (基础 ``1`` holds ``101`` … ``105``); the top
    category is used only if the code list has it.
    """
    top = notation[:1]
    if top != notation and CodeLists.default().concept("resource-category", top):
        return [top, notation]
    return [notation]


def shown_levels(facet: Facet, selected: str | None) -> slice:
    """The levels of a facet's hierarchy that :func:`listed_values` shows: for divisions, the selected one's
    and the next (counting the 3,000 counties for a province would be wasted)."""
    if facet.name != "region":
        return slice(None)
    depth = 0 if selected is None or selected == COUNTRY else len(region_chain(selected)) - 1
    return slice(depth, depth + (1 if selected is None or selected == COUNTRY else 2))


def value_label(facet: str, value: str, lang: str) -> str:
    """The label of a code-list value or division in ``lang``, falling back to Chinese, then to the code."""
    codes = CodeLists.default()
    scheme = FACET_BY_NAME[facet].scheme
    iri = ns.code(scheme, value) if scheme else ns.region(value)
    return codes.label(iri, lang) or codes.label(iri, "zh") or value


def listed_values(facet: Facet, counts: Mapping[str, int], selected: str | None) -> list[str]:
    """The values a facet shows, in display order; the selected value always among them.

    Code lists show their non-zero values in notation order; publishers the most frequent; divisions drill
    down: the selected division (or the country) first, then its direct sub-divisions.
    """
    if facet.name == "region":
        root = selected or COUNTRY
        children = sorted(v for v in counts if parent_region(v) == root)
        return ([root] if selected or counts.get(root) else []) + children
    if facet.scheme is None:
        top = [value for value, _ in Counter(counts).most_common(facet.limit)]
        return [*top, selected] if selected and selected not in top else top
    notations = [CodeLists.default().notation(iri) for iri in CodeLists.default().members(facet.scheme)]
    return [n for n in notations if n and (counts.get(n) or n == selected)]


class FacetColumns:
    """The facet values of every document, in memory, indexed by document id (the index's row id).

    Narrow facets (code lists) use one ``bytearray`` per slot, so that counting a value over the whole
    catalog is a ``bytearray.count``; wide ones (divisions, publishers) use 32-bit arrays. Id 0 means "no
    value", so a removed document simply has zeros everywhere.
    """

    def __init__(self) -> None:
        self._values: dict[str, list[str]] = {f.name: [""] for f in FACETS}
        self._ids: dict[str, dict[str, int]] = {f.name: {} for f in FACETS}
        self._slots: dict[str, list[bytearray | array]] = {f.name: [] for f in FACETS}
        self._postings: dict[str, list[set[int]]] = {f.name: [set()] for f in FACETS}
        self._live = bytearray()
        self._sort_keys = array("Q")
        self.size = 0

    def put(self, doc_id: int, values: Mapping[str, Sequence[str]] | None, modified_key: int = 0) -> None:
        """Record a document's facet values and modification time, or (``values`` ``None``) its removal."""
        if doc_id >= self.size:
            self._grow(doc_id + 1)
        for facet in FACETS:
            own = values.get(facet.name, ()) if values else ()
            slots = self._slots[facet.name]
            while len(slots) < len(own):
                slots.append(self._new_slot(facet))
            ids, postings = self._ids[facet.name], self._postings[facet.name]
            before = {slot[doc_id] for slot in slots}
            for position, value in enumerate(own):
                slots[position][doc_id] = ids.get(value) or self._intern(facet, value)
            for slot in slots[len(own) :]:
                slot[doc_id] = 0
            after = {slot[doc_id] for slot in slots}
            for value_id in before - after:
                postings[value_id].discard(doc_id)
            for value_id in after - before - {0}:
                postings[value_id].add(doc_id)
        self._live[doc_id] = values is not None
        self._sort_keys[doc_id] = max(modified_key, 0) << 32 | doc_id

    def value_id(self, facet: str, value: str) -> int:
        """The id of a value, 0 if no document has ever had it (so that it matches nothing)."""
        return self._ids[facet].get(value, 0)

    def total(self) -> int:
        """The number of documents in the index."""
        return self._live.count(1)

    def select(self, ids: Iterable[int] | None, facet: str, value_id: int) -> set[int]:
        """The documents among ``ids`` (all documents when ``None``) having the value (at any level of its
        hierarchy); none for value id 0."""
        posting = self._postings[facet][value_id] if value_id else set()
        return set(posting) if ids is None else posting.intersection(ids)

    def counts(self, ids: Collection[int] | None, facet: str, levels: slice = slice(None)) -> Counter[str]:
        """Documents per value among ``ids`` (all documents when ``None``), at some levels of the hierarchy."""
        by_id: Counter[int] = Counter()
        for slot in self._slots[facet][levels]:
            if ids is not None:
                by_id.update(map(slot.__getitem__, ids))
            elif isinstance(slot, bytearray):
                by_id.update({v: slot.count(v) for v in range(1, len(self._values[facet]))})
            else:
                by_id.update(slot)
        by_id.pop(0, None)
        return Counter({self._values[facet][v]: n for v, n in by_id.items() if n})

    def newest_first(self, ids: Iterable[int], count: int) -> list[int]:
        """The ``count`` most recently modified documents among ``ids``, newest first (ties: newest id first)."""
        return [key & 0xFFFFFFFF for key in heapq.nlargest(count, map(self._sort_keys.__getitem__, ids))]

    def _intern(self, facet: Facet, value: str) -> int:
        ids = self._ids[facet.name]
        if value not in ids:
            if not facet.wide and len(self._values[facet.name]) > 255:
                raise ValueError(f"facet {facet.name!r} has more than 255 values")
            ids[value] = len(self._values[facet.name])
            self._values[facet.name].append(value)
            self._postings[facet.name].append(set())
        return ids[value]

    def _new_slot(self, facet: Facet) -> bytearray | array:
        return array("I", bytes(4 * self.size)) if facet.wide else bytearray(self.size)

    def _grow(self, size: int) -> None:
        if size <= self.size:
            return
        size = max(size, self.size * 5 // 4)
        extra = size - self.size
        for slots in self._slots.values():
            for slot in slots:
                slot.extend(bytes(extra) if isinstance(slot, bytearray) else array("I", bytes(4 * extra)))
        self._live.extend(bytes(extra))
        self._sort_keys.extend(array("Q", bytes(8 * extra)))
        self.size = size
