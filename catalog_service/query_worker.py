"""Evaluating SPARQL queries under a time limit and a row cap, in worker processes that can be killed.

pyoxigraph evaluates a query inside calls that Python cannot interrupt: a ``COUNT`` over every triple holds its
thread until it is done, and a thread cannot be killed. So for an on-disk store the endpoint does not evaluate
queries itself. A :class:`WorkerPool` keeps up to ``sparql_workers`` processes (``python -m
catalog_service.query_worker STORE``), started when first needed; each opens the store with
``pyoxigraph.Store.read_only`` (16 ms for a small store, 50 ms for 100,000 entries; allowed while the serving
process holds the store for writing), evaluates one query at a time and sends back the serialised answer. A query
still running at its deadline has its worker killed (SIGKILL: the store is open read-only, so nothing can be left
half-written), which stops its CPU use at once; a fresh worker takes the dead one's place. Waiting for a free worker
counts against the query's time: when all are busy, a query waits at most its time limit and then gets a 503. As a
second guard a worker arms ``SIGALRM`` with its default action (terminate) for the query's time plus a second: it
dies on its own even if the serving process was killed and can no longer kill it; an idle worker exits when the
serving process closes its pipe (or dies).

Freshness. A read-only handle sees the store as it was when opened. Before each query a worker compares a
fingerprint of the store's folder with the one taken when it opened its handle, and reopens on any difference.
The fingerprint is the name, size and modification time of RocksDB's write-ahead logs (``*.log``) and manifest
(``MANIFEST-*``): every committed write is appended to the write-ahead log before the write returns, and every
flush, compaction or bulk load (``bulk_extend``) records itself in the manifest, so any change by any process
changes the fingerprint. Checking costs one directory scan (tens of µs); a compaction reopens a handle needlessly,
which only costs the reopen. A handle keeps the table files it opened, so a query running on an older snapshot is
unaffected when the writer compacts them away; opening exactly while files are being replaced can fail, and is
retried. Opening replays whatever the write-ahead log holds that is not yet flushed to table files (a 20 MB log,
such as the vocabularies just loaded, takes 0.4 s), so the pool flushes the store when it starts, and again in the
background whenever a worker reports a slow reopen; a flush with nothing to write costs microseconds.

The dataset is chosen by :meth:`CatalogStore.query` on the worker's snapshot, so a worker sees exactly the current
graphs (and ``default-graph-uri``/``named-graph-uri`` narrowing) that the serving process would.

Row cap. Results are serialised by pyoxigraph as TSV (SELECT) or N-Triples (CONSTRUCT/DESCRIBE), one row or
triple per line, into a sink that keeps ``max_rows`` lines and then raises: raising from ``write`` is the only way
to stop pyoxigraph's serialiser, and because evaluation is lazy it stops the query too. The kept lines are then
converted, still by pyoxigraph, to the format asked for, so a cut answer is always a well-formed document.

In memory (``CatalogStore.open(None)``, in tests and tools) there is nothing another process could open, so
:class:`InProcess` evaluates in the calling thread and checks the deadline each time the serialiser hands over
output (every few kilobytes). Limitation: a query that computes for long before producing output — an aggregate
over everything, a large ``ORDER BY`` — cannot be stopped there and runs to its end.

On a remote store (``[store] type = "remote"``) :class:`InProcess` is used too, and is the right choice there:
the server evaluates, the serving thread only waits on a socket (other threads run meanwhile), so a worker
process would add a hop and nothing it could kill. The wait is bounded by the query's time limit (as the HTTP
read timeout: the time to the first byte of the answer, and between bytes), after which the query gets a 503
and the connection is closed; the row cap stops reading the streamed answer, which closes the connection too.
Whether the server then stops computing is the server's business: give it its own limit (``oxigraph serve
--timeout-s``, Fuseki's ``arq:queryTimeout``, Virtuoso's ``MaxQueryExecutionTime``), see docs/deployment.md.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from catalog_service.store import CatalogStore, StoreError, StoreTimeout, StoreUnavailable

SOLUTIONS, BOOLEAN, GRAPH = "solutions", "boolean", "graph"
"""The forms of answer: SELECT, ASK, CONSTRUCT/DESCRIBE."""

SYNTAX, NOT_ACCEPTABLE, TIMEOUT, BUSY, FAILED = "syntax", "not-acceptable", "timeout", "busy", "failed"
"""Why a query got no answer; the endpoint turns each into its status code and message."""

_TSV = "text/tab-separated-values"
_N_TRIPLES = "application/n-triples"
_FRAME = struct.Struct("!Q")
_ALARM_GRACE = 1.0
"""Seconds a worker outlives its query's deadline before killing itself (the pool kills it first)."""
_OPEN_ATTEMPTS = 5
_SLOW_REOPEN = 0.1
"""A worker's reopen taking longer than this many seconds makes the pool flush the store."""


@dataclass(frozen=True)
class QueryRequest:
    """One query with everything needed to answer it; sent to a worker process as is."""

    query: str
    default_graph: list[str] | None
    named_graphs: list[str] | None
    results_format: str | None
    """Media type for SELECT and ASK answers; ``None`` when the client accepts none we can produce."""
    graph_format: str | None
    """Media type for CONSTRUCT and DESCRIBE answers; ``None`` likewise."""
    max_rows: int
    audience: str = "public"
    """Whose dataset the query runs over: ``"public"`` (public graphs only) or ``"government"`` (all)."""


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer."""

    body: bytes
    media_type: str
    form: str
    """:data:`SOLUTIONS`, :data:`BOOLEAN` or :data:`GRAPH`."""
    truncated: bool
    """Whether rows (or triples) beyond ``max_rows`` were cut off."""


class QueryError(Exception):
    """A query that got no answer: ``kind`` says why (:data:`SYNTAX`, :data:`TIMEOUT` …), ``detail`` adds to it."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


def evaluate(store: CatalogStore, request: QueryRequest, deadline: float | None = None) -> QueryAnswer:
    """Answer ``request`` over the current graphs of ``store``, cut at ``max_rows``.

    ``deadline`` (a ``time.monotonic()`` value) is checked whenever the serialiser hands over output; workers
    pass none, since the pool kills them instead.
    """
    try:
        result = store.query(
            request.query,
            default_graph=request.default_graph,
            named_graphs=request.named_graphs,
            audience=request.audience,
        )
    except StoreUnavailable:
        raise
    except (SyntaxError, StoreError) as error:  # StoreError: FROM naming a graph the audience cannot read
        raise QueryError(SYNTAX, str(error)) from None
    if isinstance(result, ox.QueryBoolean):
        media_type = _required(request.results_format, BOOLEAN)
        body = result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
        return QueryAnswer(body, media_type, BOOLEAN, False)
    if isinstance(result, ox.QuerySolutions):
        media_type = _required(request.results_format, SOLUTIONS)
        sink = _LineSink(request.max_rows + 1, deadline)  # the TSV header, then one line per row
        _drain(sink, lambda: result.serialize(sink, format=ox.QueryResultsFormat.TSV))
        body = sink.getvalue()
        if media_type != _TSV:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
            body = parsed.serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
        return QueryAnswer(body, media_type, SOLUTIONS, sink.truncated)
    media_type = _required(request.graph_format, GRAPH)
    sink = _LineSink(request.max_rows, deadline)
    _drain(sink, lambda: result.serialize(sink, format=ox.RdfFormat.N_TRIPLES))
    body = sink.getvalue()
    if media_type != _N_TRIPLES:
        triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type))
    return QueryAnswer(body, media_type, GRAPH, sink.truncated)


def _required(media_type: str | None, form: str) -> str:
    if media_type is None:
        raise QueryError(NOT_ACCEPTABLE, form)
    return media_type


class _Full(Exception):
    """Raised through pyoxigraph's serialiser to stop it (and the lazily evaluated query behind it)."""


class _LineSink(io.RawIOBase):
    """Keeps the first ``max_lines`` lines of a one-row-per-line serialisation, then stops the serialiser."""

    def __init__(self, max_lines: int, deadline: float | None) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._room = max_lines
        self._deadline = deadline
        self.truncated = False
        self.expired = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.expired = True
            raise _Full
        chunk = bytes(data)
        lines = chunk.count(b"\n")
        if lines < self._room or (lines == self._room and chunk.endswith(b"\n")):
            self._chunks.append(chunk)
            self._room -= lines
            return len(chunk)
        end = -1
        for _ in range(self._room):
            end = chunk.index(b"\n", end + 1)
        self._chunks.append(chunk[: end + 1])
        self._room = 0
        self.truncated = True
        raise _Full

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


def _drain(sink: _LineSink, serialize: Callable[[], object]) -> None:
    """Run ``serialize`` into ``sink``; a full sink is a cut answer, an expired one a timeout."""
    try:
        serialize()
    except _Full:
        pass
    except OSError:  # pyoxigraph may wrap what ``write`` raised
        if not (sink.truncated or sink.expired):
            raise
    if sink.expired:
        raise QueryError(TIMEOUT)


# -- in the serving process -----------------------------------------------------------------------


class InProcess:
    """Evaluates in the calling thread: for in-memory and remote stores (see the module docstring)."""

    def __init__(self, store: CatalogStore, timeout: float) -> None:
        self._store = store
        self._timeout = timeout

    def run(self, request: QueryRequest, timeout: float | None = None) -> QueryAnswer:
        """Answer ``request`` within the time limit, or within ``timeout`` seconds if that is shorter."""
        seconds = self._timeout if timeout is None else min(timeout, self._timeout)
        from catalog_service.remote_store import RemoteStore  # not at import: requests slows a worker's start

        store = self._store
        if isinstance(store.raw, RemoteStore):
            store = CatalogStore(store.raw.with_timeout(seconds))
        try:
            return evaluate(store, request, time.monotonic() + seconds)
        except StoreTimeout:
            raise QueryError(TIMEOUT) from None
        except StoreUnavailable as error:  # the detail names the store's URL: for the log, not the client
            logging.getLogger(__name__).error("%s", error)
            raise QueryError(FAILED, "目录存储暂不可用 / the catalog store is unavailable") from None
        except (OSError, RuntimeError) as error:
            raise QueryError(FAILED, str(error)) from None

    def close(self) -> None:
        """Nothing to release; here so that both runners can be closed alike."""


class WorkerPool:
    """Up to ``size`` worker processes over an on-disk store, started when first needed."""

    def __init__(self, store: CatalogStore, size: int, timeout: float) -> None:
        if store.path is None:
            raise ValueError("an in-memory store cannot be opened by worker processes")
        self._store = store
        self._path = store.path
        self._timeout = timeout
        self._flushing = threading.Lock()
        store.raw.flush()  # what the workers open should not need a long write-ahead-log replay
        self._slots = threading.BoundedSemaphore(max(1, size))
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._finalizer = weakref.finalize(self, _stop_all, self._workers)

    def run(self, request: QueryRequest, timeout: float | None = None) -> QueryAnswer:
        """Answer ``request`` within the time limit (or ``timeout`` seconds, if shorter), or raise :class:`QueryError`.

        ``timeout`` is what is left of a query's time after the endpoint's own work for it (``SERVICE`` calls).
        """
        timeout = self._timeout if timeout is None else min(timeout, self._timeout)
        deadline = time.monotonic() + timeout
        if not self._slots.acquire(timeout=timeout):
            raise QueryError(BUSY)
        try:
            if time.monotonic() >= deadline:
                raise QueryError(BUSY)
            worker = self._checkout()
            try:
                answer, reopen_seconds = worker.ask(request, deadline)
            except _Expired:
                self._retire(worker, replace=True)
                raise QueryError(TIMEOUT) from None
            except _Lost as lost:
                self._retire(worker, replace=False)
                raise QueryError(FAILED, str(lost)) from None
            except QueryError:
                self._checkin(worker)
                raise
            except BaseException:  # in an unknown state: not to be trusted with another query
                self._retire(worker, replace=False)
                raise
            self._checkin(worker)
            if reopen_seconds > _SLOW_REOPEN:
                threading.Thread(target=self._flush, name="sparql-flush", daemon=True).start()
            return answer
        finally:
            self._slots.release()

    def _flush(self) -> None:
        """Write the store's buffers to table files, so that the workers' next opens need not replay them."""
        if self._flushing.acquire(blocking=False):
            try:
                self._store.raw.flush()
            finally:
                self._flushing.release()

    def close(self) -> None:
        """Stop every worker."""
        self._finalizer()

    def _checkout(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.stop()  # died while idle, killed from outside
                self._workers.discard(worker)
            worker = _Worker(self._path)
            self._workers.add(worker)
            return worker

    def _checkin(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def _retire(self, worker: _Worker, *, replace: bool) -> None:
        """Kill a worker; with ``replace``, start its successor now so that it is warm for the next query."""
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            if replace:
                successor = _Worker(self._path)
                self._workers.add(successor)
                self._idle.append(successor)


def _stop_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.stop()
    workers.clear()


class _Expired(Exception):
    """The query's deadline passed before its worker answered."""


class _Lost(Exception):
    """The worker process died (or closed its pipe) before answering."""


class _Worker:
    """One worker process and the pipes to it: requests down its stdin, answers up its stdout."""

    def __init__(self, path: Path) -> None:
        package_root = str(Path(__file__).resolve().parent.parent)  # importable even when run from a checkout
        search_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "catalog_service.query_worker", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env={**os.environ, "PYTHONPATH": search_path},
        )

    def ask(self, request: QueryRequest, deadline: float) -> tuple[QueryAnswer, float]:
        """The answer, and how long the worker took to reopen the store for it (0 if it did not)."""
        payload = pickle.dumps((request, deadline - time.monotonic()), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write_frame(self.process.stdin, payload)
        except (BrokenPipeError, ValueError) as error:  # ValueError: the pipe was closed
            raise _Lost(f"查询进程已退出 / the query worker has exited: {error}") from None
        (size,) = _FRAME.unpack(self._read(_FRAME.size, deadline))
        reply, reopen_seconds = pickle.loads(self._read(size, deadline))
        if isinstance(reply, QueryError):
            raise reply
        return reply, reopen_seconds

    def _read(self, size: int, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()
        parts = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _Expired
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                code = self.process.poll()
                raise _Lost(f"查询进程意外退出 / the query worker died (exit status {code})")
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def stop(self) -> None:
        """Kill the process (it holds nothing that needs a clean shutdown) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()


def _write_frame(stream, payload: bytes) -> None:
    stream.write(_FRAME.pack(len(payload)) + payload)
    stream.flush()


def _read_frame(stream) -> bytes | None:
    header = stream.read(_FRAME.size)
    if len(header) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(header)
    return stream.read(size)


# -- in a worker process --------------------------------------------------------------------------


def store_fingerprint(path: Path) -> tuple:
    """What changes on disk with every write to the store: its write-ahead logs and manifest (see above)."""
    for _ in range(_OPEN_ATTEMPTS):
        try:
            with os.scandir(path) as entries:
                return tuple(
                    sorted(
                        (entry.name, stat.st_size, stat.st_mtime_ns)
                        for entry in entries
                        if entry.name.endswith(".log") or entry.name.startswith("MANIFEST-")
                        for stat in (entry.stat(),)
                    )
                )
        except FileNotFoundError:  # a log or manifest replaced between listing and stat
            continue
    return (time.monotonic_ns(),)  # still changing: a value no snapshot has, so the next query reopens


class _Snapshot:
    """The worker's read-only handle on the store, reopened whenever the store changed on disk."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._store: CatalogStore | None = None
        self._fingerprint: tuple = ()
        self.reopen_seconds = 0.0
        """How long the last query waited for the store to be reopened."""

    def answer(self, request: QueryRequest) -> QueryAnswer:
        self.reopen_seconds = 0.0
        try:
            return evaluate(self._current(), request)
        except (OSError, RuntimeError):
            self._store = None  # a damaged or vanished handle: once more on a fresh one
        try:
            return evaluate(self._current(), request)
        except (OSError, RuntimeError) as error:
            raise QueryError(FAILED, str(error)) from None

    def _current(self) -> CatalogStore:
        fingerprint = store_fingerprint(self._path)  # before opening: a write in between means one reopen more
        if self._store is None or fingerprint != self._fingerprint:
            started = time.monotonic()
            self._store = None
            self._store = _open_read_only(self._path)
            self._fingerprint = fingerprint
            self.reopen_seconds += time.monotonic() - started
        return self._store


def _open_read_only(path: Path) -> CatalogStore:
    for attempt in range(1, _OPEN_ATTEMPTS + 1):
        try:
            return CatalogStore(ox.Store.read_only(str(path)), path)
        except (OSError, RuntimeError):  # a compaction replaced files while we were opening them
            if attempt == _OPEN_ATTEMPTS:
                raise
            time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    """Serve queries from stdin until it closes: the loop of one worker process."""
    path = Path((argv if argv is not None else sys.argv[1:])[0])
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray output must not corrupt the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it stops us through our pipe
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    requests = sys.stdin.buffer
    snapshot = _Snapshot(path)
    while (frame := _read_frame(requests)) is not None:
        request, seconds = pickle.loads(frame)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.0) + _ALARM_GRACE)
        try:
            reply: QueryAnswer | QueryError = snapshot.answer(request)
        except QueryError as error:
            reply = error
        except Exception as error:  # a bug, reported as a failed query rather than by a dead worker
            reply = QueryError(FAILED, f"{type(error).__name__}: {error}")
        signal.setitimer(signal.ITIMER_REAL, 0)
        _write_frame(replies, pickle.dumps((reply, snapshot.reopen_seconds), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    # Run the imported module's ``main``, not this ``__main__`` copy's: answers are pickled, and their classes
    # must be ``catalog_service.query_worker.…`` for the serving process to load them.
    from catalog_service.query_worker import main as worker_main

    sys.exit(worker_main())
