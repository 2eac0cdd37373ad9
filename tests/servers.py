"""Small real HTTP servers on 127.0.0.1 for tests: routes map a path to a handler returning a response."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """What a route answers; ``delay`` sleeps before answering, ``drip`` sends the body a byte at a time."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0


Route = Callable[[Request], Reply]


@dataclass
class TestServer:
    """A running server; ``routes`` may change while it runs, ``requests`` records what came in."""

    base_url: str
    routes: dict[str, Route]
    requests: list[Request]

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def serve(routes: dict[str, Route] | None = None) -> Iterator[TestServer]:
    """Run a threaded HTTP server on a free port of 127.0.0.1 until the block ends."""
    import time

    state = TestServer("", dict(routes or {}), [])

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                parts.path,
                parse_qs(parts.query),
                dict(self.headers),
                self.rfile.read(length) if length else b"",
            )
            state.requests.append(request)
            route = state.routes.get(parts.path)
            reply = route(request) if route else Reply(b"not found", 404)
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if not reply.drip:
                self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                if reply.drip:
                    for i in range(len(reply.body)):
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def static(body: bytes | str, content_type: str = "text/plain; charset=utf-8", status: int = 200) -> Route:
    """A route that always answers the same."""
    data = body.encode() if isinstance(body, str) else body
    return lambda request: Reply(data, status, content_type)
