"""A remote store that is down at start, or dies during a write: clear errors, the previous version intact,
and everything works again, with the same store object, once the server is back."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from catalog_service import cli
from catalog_service import store as store_module
from catalog_service.app import create_app
from catalog_service.config import Config, StoreConfig
from catalog_service.remote_store import RemoteStore
from catalog_service.store import CatalogStore, StoreUnavailable
from tests.oxigraph_server import oxigraph_server
from tests.test_store import count_datasets, entries

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def remote_config(base_url: str, **settings) -> StoreConfig:
    urls = {"query": f"{base_url}/query", "update": f"{base_url}/update", "graph_store": f"{base_url}/store"}
    return StoreConfig(type="remote", **urls, **settings)


def test_a_store_down_at_start_is_a_clear_error_until_it_comes_up(
    tmp_path: Path, vocabulary_file: Path, capsys
) -> None:
    port = unused_port()
    base_url = f"http://127.0.0.1:{port}"
    (tmp_path / "gov-catalog.toml").write_text(
        f'[store]\ntype = "remote"\nquery = "{base_url}/query"\nupdate = "{base_url}/update"\n'
        f'graph_store = "{base_url}/store"\n',
        encoding="utf-8",
    )
    arguments = ["init", "--config", str(tmp_path / "gov-catalog.toml"), "--data-dir", str(tmp_path / "var")]
    assert cli.main(arguments) == cli.EXIT_UNREADABLE
    error = capsys.readouterr().err
    assert f"无法连接远程存储 {base_url}/query" in error
    assert f"cannot reach the remote store at {base_url}/query" in error
    config = Config(data_dir=tmp_path / "var", store=remote_config(base_url))
    with pytest.raises(StoreUnavailable, match="cannot reach the remote store"):
        create_app(config)
    store = CatalogStore.from_config(config)
    with pytest.raises(StoreUnavailable):
        store.sources()
    with oxigraph_server([vocabulary_file], location=tmp_path / "db", port=port):
        assert cli.main(arguments) == cli.EXIT_OK
        assert store.init_vocabulary() is False, "the same store object works once the server is up"
        store.replace_source("xuanwu", entries("甲", 3))
        assert count_datasets(store) == 3


def test_a_server_killed_during_a_write_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_CHUNK", 200)  # each add below is one upload, as in a harvest
    with oxigraph_server(location=tmp_path / "db") as server:
        store = CatalogStore(RemoteStore(server.store_config(timeout=5)))
        store.replace_source("suzhou", entries("旧", 300))
        writer = store.new_version("suzhou")
        for part in range(3):
            writer.add(entries(f"新{part}-", 100))
        server.process.kill()
        server.process.wait()
        with pytest.raises(StoreUnavailable, match="cannot reach the remote store"):
            writer.add(entries("新3-", 100))
        with pytest.raises(StoreUnavailable):
            writer.abort()
        with pytest.raises(StoreUnavailable):
            count_datasets(store)
    with oxigraph_server(location=tmp_path / "db", port=server.port):
        assert count_datasets(store) == 300, "the previous version is whole and current"
        assert store.source("suzhou").version == 1
        half_written = [g for g in store.raw.named_graphs() if g.value.endswith("/suzhou/2")]
        assert half_written, "the killed upload left its graph behind, unseen"
        version = store.replace_source("suzhou", entries("新", 500))
        assert (version.version, count_datasets(store)) == (2, 500), "the next load replaces the half-written one"


def test_the_web_app_answers_503_while_the_store_is_down_and_recovers(tmp_path: Path, vocabulary_file: Path) -> None:
    with oxigraph_server([vocabulary_file], location=tmp_path / "db") as server:
        config = Config(data_dir=tmp_path / "var", store=server.store_config(timeout=5))
        app = create_app(config)
        client = app.test_client()
        CatalogStore.from_config(config).replace_source("xuanwu", entries("甲", 2))
        assert client.get("/api/sources").status_code == 200
        server.process.kill()
        server.process.wait()
        down = client.get("/api/sources")
        assert down.status_code == 503 and down.headers["Retry-After"]
        assert "the catalog store is unavailable" in down.get_data(as_text=True)
        assert server.base_url not in down.get_data(as_text=True), "the store's address stays in the log"
        query = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
        assert query.status_code == 500 and "the catalog store is unavailable" in query.get_data(as_text=True)
    with oxigraph_server(location=tmp_path / "db", port=server.port):
        assert client.get("/api/sources").status_code == 200
        answer = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
        assert answer.status_code == 200 and answer.get_data(as_text=True).split() == ["n", "2"]


class _Guarded(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint stand-in that demands the credentials under test and says what it was sent."""

    expected = ""
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.end_headers()
            return
        body = b'{"head": {}, "boolean": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def guarded() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Guarded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("settings", "header"),
    [({"username": "catalog", "password": "秘密"}, "Basic Y2F0YWxvZzrnp5jlr4Y="), ({"token": "t0ken"}, "Bearer t0ken")],
)
def test_credentials_are_sent_and_a_refusal_is_explained(guarded: str, settings: dict, header: str) -> None:
    _Guarded.expected, _Guarded.seen = header, []
    assert bool(RemoteStore(remote_config(guarded, **settings)).query("ASK {}"))
    assert _Guarded.seen == [header]
    with pytest.raises(StoreUnavailable, match=r"refused access \(HTTP 401\): check the \[store\] credentials"):
        RemoteStore(remote_config(guarded)).query("ASK {}")
