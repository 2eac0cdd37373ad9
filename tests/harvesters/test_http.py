"""The harvesters' HTTP client against real local servers: limits, retries and failures."""

from __future__ import annotations

import pytest

from harvesters.http import Fetcher, FetchError
from tests.servers import Reply, serve, static


def quick(**kwargs) -> Fetcher:
    settings = {"connect_timeout": 2, "read_timeout": 2, "deadline": 5, "retries": 2, "backoff": 0.01}
    settings.update(kwargs)
    return Fetcher(**settings)


def test_plain_get_and_content_type() -> None:
    with serve({"/c.ttl": static("<a> <b> <c> .", "text/turtle; charset=utf-8")}) as server:
        response = quick().get(server.url("/c.ttl"), params={"page": 2})
    assert response.body == b"<a> <b> <c> ."
    assert response.content_type == "text/turtle"
    assert server.requests[0].query == {"page": ["2"]}


def test_transient_errors_are_retried_then_succeed() -> None:
    answers = iter([Reply(b"", 503), Reply(b"", 502), Reply(b"ok")])
    with serve({"/flaky": lambda request: next(answers)}) as server:
        assert quick().get(server.url("/flaky")).body == b"ok"
        assert len(server.requests) == 3


def test_transient_errors_give_up_after_retries() -> None:
    with serve({"/down": static(b"", status=503)}) as server:
        with pytest.raises(FetchError) as caught:
            quick(retries=1).get(server.url("/down"))
        assert caught.value.status == 503
        assert len(server.requests) == 2


def test_client_errors_are_not_retried() -> None:
    with serve() as server:
        with pytest.raises(FetchError) as caught:
            quick().get(server.url("/missing"))
        assert (caught.value.kind, caught.value.status) == ("http-status", 404)
        assert len(server.requests) == 1


def test_size_cap_by_header_and_by_stream() -> None:
    big = b"x" * 5000
    with serve({"/big": static(big), "/drip": lambda r: Reply(big[:50], drip=0.001)}) as server:
        with pytest.raises(FetchError, match="too-large"):
            quick(max_bytes=1000).get(server.url("/big"))
        with pytest.raises(FetchError, match="too-large"):
            quick(max_bytes=20).get(server.url("/drip"))


def test_slow_server_times_out() -> None:
    with serve({"/slow": lambda r: Reply(b"late", delay=1.5)}) as server, pytest.raises(FetchError) as caught:
        quick(read_timeout=0.3, retries=0).get(server.url("/slow"))
    assert caught.value.kind == "timeout"


def test_dripping_server_hits_the_deadline() -> None:
    drip = {"/drip": lambda r: Reply(b"y" * 400, drip=0.01)}
    with serve(drip) as server, pytest.raises(FetchError, match="deadline"):
        quick(deadline=0.5).get(server.url("/drip"))


def test_redirect_loop_is_cut() -> None:
    loop = {
        "/a": lambda r: Reply(status=302, headers={"Location": "/b"}),
        "/b": lambda r: Reply(status=302, headers={"Location": "/a"}),
    }
    with serve(loop) as server, pytest.raises(FetchError) as caught:
        quick().get(server.url("/a"))
    assert caught.value.kind == "redirects"


def test_dead_server_is_a_connection_error() -> None:
    with serve() as server:
        url = server.url("/gone")
    with pytest.raises(FetchError) as caught:
        quick(retries=0).get(url)
    assert caught.value.kind == "connection"


def test_local_files(tmp_path) -> None:
    path = tmp_path / "目录.ttl"
    path.write_bytes(b"data")
    assert quick().get(str(path)).body == b"data"
    assert quick().get(path.as_uri()).body == b"data"
    with pytest.raises(FetchError, match="too-large"):
        quick(max_bytes=2).get(str(path))
    with pytest.raises(FetchError):
        quick().get(str(tmp_path / "none.ttl"))
