"""The one typed configuration object, read from ``gov-catalog.toml`` and the environment.

Precedence: command-line options > environment (``GOV_CATALOG_DATA_DIR``, ``GOV_CATALOG_HOST``,
``GOV_CATALOG_PORT``) > the TOML file > defaults. A missing file means defaults; a malformed one is an error.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration file cannot be read or holds a value of the wrong kind."""


@dataclass
class Config:
    """Settings of a gov-catalog node."""

    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8080
    sparql_max_query_bytes: int = 100_000
    """Queries longer than this are refused before parsing."""
    sparql_timeout: float = 30.0
    """Seconds a SPARQL query may run; past it the query is stopped (its worker process killed) with a 503."""
    sparql_max_rows: int = 10_000
    """SELECT results are cut after this many rows, graph results after this many triples (``X-Result-Truncated``)."""
    sparql_workers: int = 4
    """Worker processes evaluating SPARQL queries at once; more queries wait for a free one within their time limit."""
    secret_key_file: Path | None = None
    """File holding the key that signs session cookies (default ``{data_dir}/secret_key``, made on first start
    with permissions 0600); the environment variable ``GOV_CATALOG_SECRET_KEY`` takes precedence."""
    session_hours: float = 12.0
    """A signed-in browser session ends after this many hours without a request."""
    session_cookie_secure: bool = False
    """Send the session cookie over HTTPS only: set to true when the node is served over HTTPS."""
    sources: list[dict[str, Any]] = field(default_factory=list)
    """``[[sources]]`` tables, read by the harvesting pipeline."""
    path: Path | None = None
    """The file this configuration was read from; relative source paths start from its folder."""

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Config:
        """Read ``path`` (default ``./gov-catalog.toml``) and apply environment and explicit overrides."""
        path = Path(path or "gov-catalog.toml")
        values: dict[str, Any] = {}
        if path.is_file():
            try:
                document = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise ConfigError(f"{path}: {error}") from None
            values.update(document.get("catalog", {}))
            values["sources"] = document.get("sources", [])
            values["path"] = path.resolve()
        for name in ("data_dir", "host", "port"):
            env = os.environ.get(f"GOV_CATALOG_{name.upper()}")
            if env:
                values[name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
        config = cls(**values)
        config.data_dir = Path(config.data_dir)
        try:
            config.port = int(config.port)
        except ValueError:
            raise ConfigError(f"port must be a number, not {config.port!r}") from None
        return config
