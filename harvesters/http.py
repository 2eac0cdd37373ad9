"""The one HTTP client of the harvesters: timeouts, a size cap, bounded redirects and retries with backoff.

Remote catalogs are slow, dead, huge or hostile often enough that no harvester may call ``requests`` itself.
Every fetch here has a connect and read timeout *and* an overall deadline (a server dripping one byte a
second defeats a read timeout), reads the body in chunks and stops at the size cap, follows a bounded number
of redirects, and retries transient failures (connection errors, 429, 502, 503, 504) with exponential
backoff. Local paths and ``file://`` URLs are read from disk with the same cap, so a source's ``url`` may be
either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

USER_AGENT = "gov-catalog-harvester/0.1 (+https://w3id.org/gov-catalog)"
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})


@dataclass
class FetchError(Exception):
    """A fetch that failed for good (after retries); ``kind`` names the failure for reports."""

    url: str
    kind: str
    message: str
    status: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message} ({self.url})"


@dataclass(frozen=True)
class Response:
    """A fetched document, whole and within the size cap."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    charset: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fetcher:
    """Fetches documents under the limits a harvest run sets."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0
    """Seconds one document may take in all, retries excluded."""
    max_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each further one."""
    headers: dict[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        self.session.max_redirects = self.max_redirects
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(self.headers)

    def get(self, url: str, *, params: dict | None = None, headers: dict[str, str] | None = None) -> Response:
        """GET a URL (or read a local file); raise :class:`FetchError` when it cannot be had."""
        if _is_local(url):
            return self._read_local(url)
        return self._with_retries(lambda: self._request("GET", url, params=params, headers=headers))

    def post(self, url: str, *, data: bytes | dict, headers: dict[str, str] | None = None) -> Response:
        """POST to a URL, with the same limits and retries as :meth:`get`."""
        return self._with_retries(lambda: self._request("POST", url, data=data, headers=headers))

    def _with_retries(self, attempt) -> Response:
        delay = self.backoff
        for remaining in range(self.retries, -1, -1):
            try:
                return attempt()
            except _Transient as transient:
                if remaining == 0:
                    raise transient.error from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _request(self, method: str, url: str, **kwargs) -> Response:
        started = time.monotonic()
        try:
            with self.session.request(
                method, url, stream=True, timeout=(self.connect_timeout, self.read_timeout), **kwargs
            ) as response:
                body = self._read_body(url, response, started)
                status = response.status_code
                if status in TRANSIENT_STATUS:
                    raise _Transient(FetchError(url, "http-status", f"HTTP {status}", status))
                if status >= 400:
                    raise FetchError(url, "http-status", f"HTTP {status} {response.reason}", status)
                return Response(
                    url=response.url,
                    status=status,
                    body=body,
                    content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
                    charset=response.encoding if "charset" in response.headers.get("Content-Type", "") else None,
                    headers=dict(response.headers),
                )
        except requests.TooManyRedirects:
            raise FetchError(url, "redirects", f"重定向过多 / more than {self.max_redirects} redirects") from None
        except requests.Timeout as error:
            raise _Transient(FetchError(url, "timeout", f"超时 / timed out: {error}")) from None
        except requests.ConnectionError as error:
            raise _Transient(FetchError(url, "connection", f"无法连接 / cannot connect: {error}")) from None
        except requests.RequestException as error:
            raise FetchError(url, "request", str(error)) from None

    def _read_body(self, url: str, response: requests.Response, started: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, "too-large", f"响应过大 / response of {declared} bytes exceeds {self.max_bytes}")
        chunks, size = [], 0
        while chunk := response.raw.read1(65536, decode_content=True):  # returns as soon as bytes arrive
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, "too-large", f"响应超过上限 / response cut at the {self.max_bytes}-byte cap")
            if time.monotonic() - started > self.deadline:
                raise FetchError(url, "timeout", f"超过总时限 / exceeded the {self.deadline:g} s deadline")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_local(self, url: str) -> Response:
        path = Path(unquote(urlparse(url).path)) if url.startswith("file:") else Path(url)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(url, "too-large", f"文件过大 / file of {size} bytes exceeds {self.max_bytes}")
            return Response(url=path.resolve().as_uri(), status=200, body=path.read_bytes())
        except OSError as error:
            raise FetchError(url, "file", f"无法读取文件 / cannot read file: {error.strerror or error}") from None


class _Transient(Exception):
    """A failure worth retrying; carries the error to raise when retries run out."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


def _is_local(url: str) -> bool:
    scheme = urlparse(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and Path(url).drive != "")
