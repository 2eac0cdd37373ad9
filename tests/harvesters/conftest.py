"""One local HTTP server per harvester test module, emptied before each test: stopping a server is slow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import TestServer as LocalServer  # a name pytest does not take for a test class
from tests.servers import serve


@pytest.fixture(scope="module")
def running() -> Iterator[LocalServer]:
    with serve() as server:
        yield server


@pytest.fixture
def server(running: LocalServer) -> LocalServer:
    running.routes.clear()
    running.requests.clear()
    return running
