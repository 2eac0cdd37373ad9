"""Named SPARQL queries of the read API and the DCAT export, run over the catalog's current graphs.

Each query is a ``.rq`` file in this folder, complete with its prefixes, so it can be read and tried in any
SPARQL tool. What a request supplies reaches a query only as a bound value (pyoxigraph's substitutions,
SPARQL-dev SEP-0007), never as query text; pyoxigraph binds only variables the query projects, so every
bindable variable is in its ``SELECT``.

Usage::

    for row in select(store, "tree-datasets"):
        row["spatial"], row["publisher"], row["datasets"]
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox

from catalog_service.store import CatalogStore

QUERY_FOLDER = Path(__file__).resolve().parent


@functools.cache
def query_text(name: str) -> str:
    """The text of the named query (``export-page`` is ``export-page.rq``), read once."""
    return (QUERY_FOLDER / f"{name}.rq").read_text(encoding="utf-8")


def select(
    store: CatalogStore, name: str, *, limit: int | None = None, offset: int = 0, **bindings: ox.NamedNode | ox.Literal
) -> ox.QuerySolutions:
    """Run the named ``SELECT`` query over the current graphs with ``bindings`` as bound values.

    ``limit`` and ``offset`` page an ordered query; they are integers, formatted as such.
    """
    text = query_text(name)
    if limit is not None:
        text += f"\nLIMIT {int(limit)} OFFSET {int(offset)}"
    substitutions = {ox.Variable(variable): value for variable, value in bindings.items()}
    return store.query(text, substitutions=substitutions)
