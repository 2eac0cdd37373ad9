"""``GET /api/search``: the search index over HTTP, as JSON.

Bad parameters are the client's mistake and get 400 with a message in Chinese and English; an index that
became unreadable gets 503 (``gov-catalog reindex`` rebuilds it).
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, current_app, jsonify, request

from catalog_service.accounts.access import current_user
from catalog_service.search.index import IndexUnavailable, SearchIndex
from catalog_service.search.query import SearchParameterError, SearchQuery

INDEX_KEY = "gov_catalog.search_index"

blueprint = Blueprint("search", __name__)


def current_index() -> SearchIndex:
    """The search index of the application handling the current request."""
    return current_app.extensions[INDEX_KEY]


@blueprint.get("/api/search")
def search() -> tuple[Response, int] | Response:
    """Search the catalog: ``q`` and facet filters in, total, a page of items and facet counts out."""
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    try:
        if repeated:
            raise SearchParameterError(
                repeated[0], f"参数 {repeated[0]} 只能出现一次", f"parameter {repeated[0]} may appear only once"
            )
        query = SearchQuery.from_args(request.args.to_dict())
        query = dataclasses.replace(query, public_only=current_user() is None)
    except SearchParameterError as error:
        return _error(400, error.parameter, error.message_zh, error.message_en)
    try:
        return jsonify(current_index().search(query))
    except IndexUnavailable:
        return _error(
            503,
            None,
            "搜索索引不可用，请运行 gov-catalog reindex",
            "the search index is unusable: run gov-catalog reindex",
        )


def _error(status: int, parameter: str | None, message_zh: str, message_en: str) -> tuple[Response, int]:
    body = {"error": f"{message_zh} / {message_en}", "message": {"zh": message_zh, "en": message_en}}
    if parameter is not None:
        body["parameter"] = parameter
    return jsonify(body), status
