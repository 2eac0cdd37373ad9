"""Full-text search with facets over the catalog (``/api/search``): SQLite FTS5 with jieba segmentation.

See docs/search.md for why this engine and how Chinese text is indexed.
"""

from catalog_service.search.api import current_index
from catalog_service.search.index import IndexUnavailable, SearchIndex, index_path, open_index
from catalog_service.search.query import SearchParameterError, SearchQuery

__all__ = [
    "IndexUnavailable",
    "SearchIndex",
    "SearchParameterError",
    "SearchQuery",
    "current_index",
    "index_path",
    "open_index",
]
