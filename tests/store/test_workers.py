"""Several gunicorn workers serve one catalog on a remote store while a harvest writes into it.

Every answer during the harvest is complete: each count is the old or the new one, never a mix, and no
request fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from catalog_service.cli import harvest_all
from catalog_service.config import Config
from catalog_service.harvest.sources import parse_sources
from catalog_service.search import open_index
from catalog_service.store import CatalogStore
from tests.harvest.catalogs import entry, write
from tests.oxigraph_server import OxigraphServer, oxigraph_server

REPOSITORY = Path(__file__).resolve().parents[2]
OLD, NEW = 120, 150
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
BOOT_SECONDS = 60.0


def entries(count: int) -> list[dict[str, str]]:
    """Entries open to society, so that the anonymous requests below count them all."""
    return [entry(n, **{"是否向社会开放": "是"}) for n in range(1, count + 1)]


def configuration(folder: Path, server: OxigraphServer) -> Path:
    """A ``gov-catalog.toml`` with the remote store and one spreadsheet source, written in a new version on
    every harvest (``in_place_limit = 1``) so that readers are switched from one whole version to the next."""
    path = folder / "gov-catalog.toml"
    path.write_text(
        f'[catalog]\ndata_dir = "{folder / "var"}"\n\n'
        f'[store]\ntype = "remote"\nquery = "{server.query_url}"\nupdate = "{server.update_url}"\n'
        f'graph_store = "{server.store_url}"\n\n'
        f'[[sources]]\nname = "xuanwu"\ntype = "spreadsheet"\nurl = "{folder / "xuanwu.csv"}"\n'
        'level = "县"\nregion = "320102"\nin_place_limit = 1\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def catalog(tmp_path: Path, vocabulary_file: Path) -> Iterator[Path]:
    """A remote store with the first version of the source harvested; yields the configuration file."""
    with oxigraph_server([vocabulary_file], location=tmp_path / "db") as server:
        path = configuration(tmp_path, server)
        write(tmp_path / "xuanwu.csv", entries(OLD))
        config = Config.load(path)
        store = CatalogStore.from_config(config)
        store.init_vocabulary()
        index = open_index(config.data_dir, store)
        runs = harvest_all(store, parse_sources(config.sources), index=index)
        assert [r.status for r in runs] == ["succeeded"]
        index.close()
        store.close()
        yield path


@pytest.fixture
def gunicorn(catalog: Path) -> Iterator[str]:
    """``gunicorn -w 2 wsgi:app`` on the catalog; yields its base URL."""
    command = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    assert command, "gunicorn is a dependency of gov-catalog (pip install -e .)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (catalog.parent / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [command, "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPOSITORY,
        env={**os.environ, "GOV_CATALOG_CONFIG": str(catalog), "PYTHONPATH": str(REPOSITORY)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while len(_workers(process.pid)) < 2 or not _answers(base_url):
            assert process.poll() is None, (catalog.parent / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _answers(base_url: str) -> bool:
    try:
        return requests.get(base_url + "/api/sources", timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or the workers still starting
        return False


def _workers(pid: int) -> list[str]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return children.read_text().split() if children.exists() else []


def test_workers_answer_with_whole_versions_during_a_harvest(catalog: Path, gunicorn: str) -> None:
    """The harvest runs here, in the test's process, as the scheduler's threads would in its own."""
    write(catalog.parent / "xuanwu.csv", entries(NEW))
    config = Config.load(catalog)
    store = CatalogStore.from_config(config)
    index = open_index(config.data_dir, store)
    counts: list[list[int]] = []  # per reader, in the order answered
    failures: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        seen: list[int] = []
        counts.append(seen)
        with requests.Session() as session:
            while not stop.is_set():
                for path, params in (
                    ("/sparql", {"query": COUNT}),
                    ("/api/sources", None),
                    ("/api/datasets/1010001/000001", None),
                    ("/api/search", {"q": "户籍"}),
                ):
                    response = session.get(gunicorn + path, params=params, headers={"Accept": "text/csv"}, timeout=30)
                    if response.status_code != 200:
                        failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                    elif path == "/sparql":
                        seen.append(int(response.text.split()[1]))

    readers = [threading.Thread(target=hammer) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        time.sleep(0.5)
        runs = harvest_all(store, parse_sources(config.sources), index=index)
        patience = time.monotonic() + 10
        while not all(seen[-1:] == [NEW] for seen in counts) and time.monotonic() < patience:
            time.sleep(0.1)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        index.close()
        store.close()
    assert [r.status for r in runs] == ["succeeded"]
    assert not failures, failures[:5]
    for seen in counts:
        assert set(seen) == {OLD, NEW}, "every answer counts one whole version: the old, then the new"
        assert seen == sorted(seen), "once a reader saw the new version, it never sees the old one again"
