"""The Flask application factory: one store per process, features as blueprints."""

from __future__ import annotations

import logging

from flask import Flask, Response

from catalog_service.accounts.sessions import load_secret_key
from catalog_service.config import Config
from catalog_service.store import CatalogStore, StoreUnavailable

STORE_KEY = "gov_catalog.store"


def create_app(config: Config | None = None, store: CatalogStore | None = None) -> Flask:
    """Build the web application for ``config``, opening its store unless one is given."""
    config = config or Config.load()
    app = Flask(__name__)
    app.config["GOV_CATALOG"] = config
    app.json.ensure_ascii = False
    app.secret_key = load_secret_key(config)
    if store is None:
        store = CatalogStore.from_config(config)
        store.init_vocabulary()
    app.extensions[STORE_KEY] = store

    from catalog_service import (
        api,
        compliance_pages,
        compliance_web,
        editing_web,
        export,
        harvest_web,
        requests_api,
        sparql,
        web,
    )
    from catalog_service.accounts import web as accounts
    from catalog_service.search import api as search_api
    from catalog_service.search.index import open_index

    app.extensions[search_api.INDEX_KEY] = open_index(config.data_dir, store)
    for feature in (
        sparql,
        api,
        export,
        search_api,
        web,
        accounts,
        requests_api,
        compliance_web,
        compliance_pages,
        editing_web,
        harvest_web,
    ):
        app.register_blueprint(feature.blueprint)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    return app


def _store_unavailable(error: StoreUnavailable) -> Response:
    """A remote store that is down or failing answers 503 on every page; requests succeed again as soon as it is
    back. The detail (the store's URL, the cause) goes to the log, not to the reader."""
    logging.getLogger(__name__).error("%s", error)
    message = "目录存储暂不可用，请稍后再试 / the catalog store is unavailable, try again later\n"
    return Response(message, status=503, mimetype="text/plain", headers={"Retry-After": "30"})


def current_store() -> CatalogStore:
    """The store of the application handling the current request, as the requester may see it.

    The anonymous public gets a view of the public graphs only (entries open to society); signed-in
    government users, and code outside a request, the whole store. See docs/visibility.md.
    """
    from flask import current_app, has_request_context

    store = current_app.extensions[STORE_KEY]
    return store.for_audience(current_audience()) if has_request_context() else store


def current_audience() -> str:
    """``"government"`` for a signed-in user (session or API token), ``"public"`` otherwise."""
    from catalog_service.accounts.access import current_user
    from catalog_service.store import GOVERNMENT, PUBLIC

    return GOVERNMENT if current_user() is not None else PUBLIC
