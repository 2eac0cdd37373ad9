"""The one typed configuration object, read from ``gov-catalog.toml`` and the environment.

Precedence: command-line options > environment (``GOV_CATALOG_DATA_DIR``, ``GOV_CATALOG_HOST``,
``GOV_CATALOG_PORT``; for ``[store]`` ``GOV_CATALOG_STORE_PASSWORD`` and ``GOV_CATALOG_STORE_TOKEN``) > the TOML
file > defaults. A missing file means defaults; a malformed one is an error.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """The configuration file cannot be read or holds a value of the wrong kind."""


EMBEDDED, REMOTE = "embedded", "remote"
"""The kinds of store ``[store] type`` names (docs/deployment.md)."""

_STORE_URLS = ("query", "update", "graph_store")
_STORE_SECRETS = {"password": "GOV_CATALOG_STORE_PASSWORD", "token": "GOV_CATALOG_STORE_TOKEN"}
"""Credentials the environment overrides, so that they need not be written into the file."""


@dataclass(frozen=True)
class StoreConfig:
    """The ``[store]`` table: where the catalog's RDF lives.

    ``embedded`` (the default) is pyoxigraph in ``{data_dir}/store``, owned by one process at a time;
    ``remote`` is any SPARQL 1.1 server (Query, Update and Graph Store Protocol), which any number of
    processes and machines can share.
    """

    type: str = EMBEDDED
    query: str = ""
    """SPARQL 1.1 Query endpoint, e.g. ``http://host:7878/query`` (Oxigraph server)."""
    update: str = ""
    """SPARQL 1.1 Update endpoint, e.g. ``http://host:7878/update``."""
    graph_store: str = ""
    """SPARQL 1.1 Graph Store Protocol endpoint, e.g. ``http://host:7878/store``: bulk uploads go there."""
    username: str = ""
    password: str = ""
    """With ``username``: HTTP basic authentication (environment: ``GOV_CATALOG_STORE_PASSWORD``)."""
    token: str = ""
    """Instead of a user name and password: sent as ``Authorization: Bearer`` (``GOV_CATALOG_STORE_TOKEN``)."""
    timeout: float = 60.0
    """Seconds to wait for the remote store to connect or send more of an answer; the SPARQL endpoint waits
    ``sparql_timeout`` instead."""

    @classmethod
    def from_table(cls, table: Any, origin: Path) -> StoreConfig:
        """Check the ``[store]`` table of ``origin`` and apply the environment's credentials."""
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: [store] 必须是表 / [store] must be a table")
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"{origin}: [store] 未知设置 / unknown setting(s) {', '.join(sorted(unknown))}")
        values = dict(table)
        for name, variable in _STORE_SECRETS.items():
            if os.environ.get(variable):
                values[name] = os.environ[variable]
        for name, value in values.items():
            if name != "timeout" and not isinstance(value, str):
                raise ConfigError(f"{origin}: [store] {name} 必须是字符串 / must be a string, not {value!r}")
        config = cls(**values)
        config._check(origin)
        return config

    def _check(self, origin: Path) -> None:
        if self.type not in (EMBEDDED, REMOTE):
            raise ConfigError(
                f'{origin}: [store] type 只能是 "embedded" 或 "remote" / must be "embedded" or "remote", '
                f"not {self.type!r}"
            )
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, int | float) or self.timeout <= 0:
            raise ConfigError(f"{origin}: [store] timeout 必须是正数 / must be a positive number of seconds")
        if self.type == EMBEDDED:
            return
        for name in _STORE_URLS:
            url = getattr(self, name)
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ConfigError(
                    f'{origin}: [store] type = "remote" 需要 {name} 的 http(s) 地址 / '
                    f"needs an http(s) URL for {name}, not {url!r}"
                )
        if bool(self.username) != bool(self.password):
            raise ConfigError(
                f"{origin}: [store] username 与 password 须同时给出 / username and password go together"
            )
        if self.token and self.username:
            raise ConfigError(f"{origin}: [store] token 与 username 只能选一 / give a token or a username, not both")


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
    sparql_service_peers: list[str] = field(default_factory=list)
    """Peer SPARQL endpoints that ``SERVICE`` may call (docs/federation.md); empty: ``SERVICE`` is refused."""
    sparql_service_timeout: float = 10.0
    """Seconds one ``SERVICE`` call to a peer may take; peer time also counts against ``sparql_timeout``."""
    secret_key_file: Path | None = None
    """File holding the key that signs session cookies (default ``{data_dir}/secret_key``, made on first start
    with permissions 0600); the environment variable ``GOV_CATALOG_SECRET_KEY`` takes precedence."""
    session_hours: float = 12.0
    """A signed-in browser session ends after this many hours without a request."""
    session_cookie_secure: bool = False
    """Send the session cookie over HTTPS only: set to true when the node is served over HTTPS."""
    store: StoreConfig = field(default_factory=StoreConfig)
    """The ``[store]`` table: the embedded store in ``data_dir`` or a remote SPARQL 1.1 store."""
    sources: list[dict[str, Any]] = field(default_factory=list)
    """``[[sources]]`` tables, read by the harvesting pipeline."""
    path: Path | None = None
    """The file this configuration was read from; relative source paths start from its folder."""

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Config:
        """Read ``path`` (default ``./gov-catalog.toml``) and apply environment and explicit overrides."""
        path = Path(path or "gov-catalog.toml")
        values: dict[str, Any] = {}
        store_table: Any = {}
        if path.is_file():
            try:
                document = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise ConfigError(f"{path}: {error}") from None
            values.update(document.get("catalog", {}))
            values["sources"] = document.get("sources", [])
            store_table = document.get("store", {})
            values["path"] = path.resolve()
        for name in ("data_dir", "host", "port"):
            env = os.environ.get(f"GOV_CATALOG_{name.upper()}")
            if env:
                values[name] = env
        values["store"] = StoreConfig.from_table(store_table, path)
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
        _check_service_settings(config, path)
        return config


def _check_service_settings(config: Config, origin: Path) -> None:
    """Peers are called anonymously over HTTP(S): a list of such URLs, none carrying credentials."""
    timeout = config.sparql_service_timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{origin}: sparql_service_timeout 必须是正数 / must be a positive number of seconds")
    peers = config.sparql_service_peers
    if not isinstance(peers, list) or not all(isinstance(peer, str) for peer in peers):
        raise ConfigError(f"{origin}: sparql_service_peers 必须是地址列表 / must be a list of URLs, not {peers!r}")
    for peer in peers:
        parts = urlsplit(peer)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            raise ConfigError(
                f"{origin}: sparql_service_peers 须为不含用户名密码的 http(s) 地址 / "
                f"must be http(s) URLs without credentials, not {peer!r}"
            )
