"""WSGI entry point for production servers, e.g. ``gunicorn -w 1 wsgi:app``.

Reads ``gov-catalog.toml`` and the ``GOV_CATALOG_*`` environment like the command line does. The embedded
store admits one process at a time, so run a single worker (threads are fine) on it.
"""

from catalog_service.app import create_app

app = create_app()
