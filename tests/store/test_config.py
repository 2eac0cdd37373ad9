"""The ``[store]`` table: the embedded store by default, a remote one with its URLs and credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_service.config import EMBEDDED, REMOTE, Config, ConfigError

URLS = 'query = "http://db:7878/query"\nupdate = "http://db:7878/update"\ngraph_store = "http://db:7878/store"\n'


def load(tmp_path: Path, table: str) -> Config:
    path = tmp_path / "gov-catalog.toml"
    path.write_text(f"[store]\n{table}", encoding="utf-8")
    return Config.load(path)


@pytest.fixture(autouse=True)
def no_credentials_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOV_CATALOG_STORE_PASSWORD", raising=False)
    monkeypatch.delenv("GOV_CATALOG_STORE_TOKEN", raising=False)


def test_the_embedded_store_is_the_default(tmp_path: Path) -> None:
    assert Config.load(tmp_path / "missing.toml").store.type == EMBEDDED
    assert load(tmp_path, "").store.type == EMBEDDED


def test_a_remote_store_with_basic_credentials(tmp_path: Path) -> None:
    store = load(tmp_path, f'type = "remote"\n{URLS}username = "catalog"\npassword = "secret"\ntimeout = 5\n').store
    assert (store.type, store.query, store.update, store.graph_store) == (
        REMOTE,
        "http://db:7878/query",
        "http://db:7878/update",
        "http://db:7878/store",
    )
    assert (store.username, store.password, store.timeout) == ("catalog", "secret", 5)


def test_credentials_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOV_CATALOG_STORE_PASSWORD", "from-env")
    store = load(tmp_path, f'type = "remote"\n{URLS}username = "catalog"\n').store
    assert store.password == "from-env"
    monkeypatch.delenv("GOV_CATALOG_STORE_PASSWORD")
    monkeypatch.setenv("GOV_CATALOG_STORE_TOKEN", "t0ken")
    assert load(tmp_path, f'type = "remote"\n{URLS}').store.token == "t0ken"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('type = "fuseki"\n', 'must be "embedded" or "remote"'),
        ('type = "remote"\n', "needs an http(s) URL for query"),
        (f'type = "remote"\n{URLS.replace("http://db:7878/update", "db:7878/update")}', "URL for update"),
        ('type = "remote"\nquery = "http://db/q"\nupdate = "http://db/u"\n', "URL for graph_store"),
        (f'type = "remote"\n{URLS}username = "catalog"\n', "username and password go together"),
        (f'type = "remote"\n{URLS}username = "u"\npassword = "p"\ntoken = "t"\n', "a token or a username"),
        (f'type = "remote"\n{URLS}timeout = 0\n', "positive number"),
        (f'type = "remote"\n{URLS}timeout = "soon"\n', "positive number"),
        ("port = 7878\n", "unknown setting(s) port"),
        ("query = 7878\n", "must be a string"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(tmp_path, table)


def test_store_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "gov-catalog.toml"
    path.write_text('store = "remote"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        Config.load(path)
