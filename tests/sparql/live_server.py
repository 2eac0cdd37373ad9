"""A real HTTP server around the app, and a look at its query workers through ``/proc``."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from catalog_service.sparql import RUNNER_KEY


@dataclass(frozen=True)
class Served:
    url: str
    app: Flask


@contextmanager
def serve(app: Flask) -> Iterator[Served]:
    """Serve ``app`` on a free port of 127.0.0.1 with a thread per request, as ``gov-catalog serve`` does."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}/sparql", app)
    finally:
        server.shutdown()
        server.server_close()
        runner = app.extensions.get(RUNNER_KEY)
        if runner is not None:
            runner.close()


def query_workers() -> dict[int, int]:
    """This process's query workers: pid → CPU time used so far (clock ticks)."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parent, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        if parent == os.getpid() and b"catalog_service.query_worker" in command:
            workers[int(entry.name)] = utime + stime
    return workers
