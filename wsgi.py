"""WSGI entry point for production servers, e.g. ``gunicorn -w 4 wsgi:app``.

Reads the configuration file named by ``GOV_CATALOG_CONFIG`` (default ``./gov-catalog.toml``) and the
``GOV_CATALOG_*`` environment, like the command line does. The embedded store admits one process at a time, so
on it run a single worker (threads are fine: ``-w 1 --threads 8``); several workers, or several machines, need
``[store] type = "remote"`` (docs/deployment.md).
"""

import os

from catalog_service.app import create_app
from catalog_service.config import Config

CONFIG_ENV = "GOV_CATALOG_CONFIG"

app = create_app(Config.load(os.environ.get(CONFIG_ENV)))
