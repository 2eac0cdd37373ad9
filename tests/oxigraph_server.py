"""A real Oxigraph SPARQL server for tests: ``oxigraph serve`` on a free port of 127.0.0.1, in a temporary folder.

Tests that talk to a remote store (the SPARQL harvester, remote-store backends) need a real endpoint, with its
real protocol quirks, error answers and content negotiation, not a mock. The ``oxigraph`` package of PyPI ships
the ``oxigraph`` command; :func:`oxigraph_server` runs it for the length of a ``with`` block, and the
session-scoped :func:`oxigraph_servers` fixture hands out such servers and stops them all when the session ends,
so a module can share one loaded server across its tests.

Data is either loaded before the server starts (``files``: fast bulk loading with ``oxigraph load``; TriG and
N-Quads files carry their own named graphs) or sent to a running server through the SPARQL 1.1 Graph Store
protocol (:meth:`OxigraphServer.add`) and SPARQL Update (:meth:`OxigraphServer.update`).

To use the fixture from a test module, import it (``from tests.oxigraph_server import oxigraph_servers``) and
name it as an argument.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

STARTUP_SECONDS = 15.0
"""How long a server may take to answer its first query before the start counts as failed."""

STOP_SECONDS = 5.0
"""How long a server may take to exit after SIGTERM before it is killed."""


class OxigraphUnavailable(RuntimeError):
    """The ``oxigraph`` command is missing or the server would not start."""


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve``; its endpoints follow Oxigraph's layout."""

    base_url: str
    location: Path
    """The folder holding the server's RocksDB store."""

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint."""
        return self.base_url + "/query"

    @property
    def update_url(self) -> str:
        """The SPARQL 1.1 Protocol update endpoint."""
        return self.base_url + "/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store protocol endpoint."""
        return self.base_url + "/store"

    def add(self, data: bytes, content_type: str, graph: str | None = None) -> None:
        """Add RDF to a named graph, or to the default graph when ``graph`` is ``None`` (Graph Store POST).

        A quads format (TriG, N-Quads) without ``graph`` is added to the whole dataset, each quad to its graph.
        """
        if graph is not None:
            params = {"graph": graph}
        elif content_type in ("application/trig", "application/n-quads"):
            params = {}
        else:
            params = {"default": ""}
        response = requests.post(
            self.store_url, params=params, data=data, headers={"Content-Type": content_type}, timeout=10
        )
        response.raise_for_status()

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL Update, to change the store while a test runs."""
        response = requests.post(self.update_url, data={"update": sparql_update}, timeout=10)
        response.raise_for_status()


def oxigraph_command() -> str:
    """The ``oxigraph`` executable: the one installed beside this Python first, so a venv need not be activated."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        raise OxigraphUnavailable(
            "the `oxigraph` command is missing: install the test extra (pip install -e '.[test]'), "
            "which brings the `oxigraph` package of PyPI"
        )
    return found


@contextmanager
def oxigraph_server(files: Iterable[Path] = (), *, location: Path | None = None) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` on a free port of 127.0.0.1 until the block ends, with ``files`` loaded first.

    The store lives in ``location`` (a fresh temporary folder, removed afterwards, unless given). The server
    is stopped with SIGTERM, then killed if it lingers, whatever happens in the block.
    """
    command = oxigraph_command()
    with ExitStack() as stack:
        if location is None:
            location = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oxigraph-")))
        location.mkdir(parents=True, exist_ok=True)
        store = location / "store"
        paths = [str(f) for f in files]
        if paths:
            _run_load(command, store, paths)
        process, base_url = _start(command, store, location / "server.log")
        stack.callback(_stop, process)
        yield OxigraphServer(base_url, store)


@pytest.fixture(scope="session")
def oxigraph_servers() -> Iterator[Callable[..., OxigraphServer]]:
    """A factory of servers, ``start(files=(...))``, each running until the test session ends.

    Session scope spares every test module the startup; a module that changes data should start its own
    server rather than change a shared one.
    """
    with ExitStack() as stack:

        def start(files: Iterable[Path] = ()) -> OxigraphServer:
            return stack.enter_context(oxigraph_server(files))

        yield start


def _run_load(command: str, store: Path, files: list[str]) -> None:
    result = subprocess.run(
        [command, "load", "--location", str(store), "--file", *files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise OxigraphUnavailable(f"oxigraph load failed ({result.returncode}): {result.stderr.strip()}")


def _start(command: str, store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Start the server, retrying on another port if the one picked was taken in the meantime."""
    for _attempt in range(3):
        port = _free_port()
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [command, "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        base_url = f"http://127.0.0.1:{port}"
        if _wait_until_ready(process, base_url):
            return process, base_url
        _stop(process)
        output = log.read_text(errors="replace")
        if "in use" not in output.lower():
            raise OxigraphUnavailable(f"oxigraph serve did not start: {output.strip()}")
    raise OxigraphUnavailable("oxigraph serve found no free port")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(process: subprocess.Popen, base_url: str) -> bool:
    """Whether the server answers a query before the startup time runs out or the process exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            response = requests.get(base_url + "/query", params={"query": "ASK {}"}, timeout=1)
            if response.status_code == 200:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
