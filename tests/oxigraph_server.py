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

The catalog's remote store mode runs on such a server too: :func:`remote_store` gives each test a fresh
:class:`CatalogStore` on one session-wide server, emptied but for the vocabularies before each test.
``tests/conftest.py``'s ``store`` fixture hands it out for ``store`` parametrized with ``"remote"``.
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
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from catalog_service import namespaces as ns
from catalog_service.config import REMOTE, StoreConfig
from catalog_service.remote_store import RemoteStore
from catalog_service.store import REGIONS_GRAPH, REGISTRY_GRAPH, VOCABULARY_GRAPH, CatalogStore

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
    process: subprocess.Popen = field(compare=False, repr=False)
    """The ``oxigraph serve`` process, for tests that kill the server."""

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def store_config(self, **settings) -> StoreConfig:
        """The ``[store]`` settings of a catalog whose remote store is this server."""
        return StoreConfig(
            type=REMOTE, query=self.query_url, update=self.update_url, graph_store=self.store_url, **settings
        )

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
def oxigraph_server(
    files: Iterable[Path] = (), *, location: Path | None = None, port: int | None = None
) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` on a free port of 127.0.0.1 until the block ends, with ``files`` loaded first.

    The store lives in ``location`` (a fresh temporary folder, removed afterwards, unless given). ``port``
    restarts a server where it was. The server is stopped with SIGTERM, then killed if it lingers, whatever
    happens in the block.
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
        process, base_url = _start(command, store, location / "server.log", port)
        stack.callback(_stop, process)
        yield OxigraphServer(base_url, store, process)


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


@pytest.fixture(scope="session")
def vocabulary_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The vocabulary and region graphs with their checksums, as N-Quads: a server loaded with it holds what
    ``init_vocabulary`` would upload (which takes seconds over HTTP; ``oxigraph load`` is much faster)."""
    template = CatalogStore.open(None)
    template.init_vocabulary()
    path = tmp_path_factory.mktemp("vocabulary") / "vocabulary.nq"
    template.raw.dump(str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="session")
def remote_catalog_server(oxigraph_servers, vocabulary_file: Path) -> OxigraphServer:
    """One server for every remote-mode store test of the session (each starts from an emptied store)."""
    return oxigraph_servers([vocabulary_file])


@pytest.fixture
def remote_store(remote_catalog_server: OxigraphServer) -> Iterator[CatalogStore]:
    """A catalog store on the session's Oxigraph server, holding only the vocabularies, like a fresh ``init``.

    Everything but the vocabulary and region graphs (and their checksums in the registry) is dropped before
    each test; the vocabularies are loaded once, with the server.
    """
    catalog_store = CatalogStore(RemoteStore(remote_catalog_server.store_config()))
    kept = {VOCABULARY_GRAPH, REGIONS_GRAPH, REGISTRY_GRAPH}
    statements = [f"DROP GRAPH {graph}" for graph in catalog_store.raw.named_graphs() if graph not in kept]
    statements += [
        f"DELETE {{ GRAPH {REGISTRY_GRAPH} {{ ?s ?p ?o }} }} "
        f"WHERE {{ GRAPH {REGISTRY_GRAPH} {{ ?s ?p ?o }} FILTER (?p != <{ns.GC}checksum>) }}",
        "DROP DEFAULT",
    ]
    remote_catalog_server.update(";\n".join(statements))
    catalog_store.init_vocabulary()
    yield catalog_store
    catalog_store.close()


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


def _start(command: str, store: Path, log: Path, fixed_port: int | None) -> tuple[subprocess.Popen, str]:
    """Start the server, retrying on another port if the one picked was taken in the meantime."""
    for _attempt in range(3):
        port = fixed_port or _free_port()
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
