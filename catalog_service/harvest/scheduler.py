"""Running sources on their schedules until stopped.

Each due source runs in a worker thread of its own, so one slow or broken source never delays the others;
a source is never run twice at once. Runs that died with an earlier process are marked failed at start.

It runs on its own (``gov-catalog scheduler``) or in background threads of the serving process
(``gov-catalog serve --schedule``), where it is the embedded store's one writer while the web threads and the
SPARQL workers read (docs/federation.md). :meth:`Scheduler.run_now` makes sources due at once; ``serve``
calls it on ``SIGUSR1`` (every source) and for an administrator's request (one, :mod:`catalog_service.harvest_web`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from catalog_service.harvest.pipeline import harvest
from catalog_service.harvest.runs import Run, fail_interrupted_runs
from catalog_service.harvest.sources import next_run
from catalog_service.search import SearchIndex
from catalog_service.store import CatalogStore
from harvesters.base import SourceConfig

log = logging.getLogger(__name__)


class Scheduler:
    """Harvests scheduled sources into one store until :meth:`stop` is called."""

    def __init__(
        self,
        store: CatalogStore,
        sources: list[SourceConfig],
        *,
        workers: int = 4,
        clock: Callable[[], datetime] = datetime.now,
        on_finish: Callable[[Run], None] | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.sources = [s for s in sources if s.schedule]
        self.clock = clock
        self.on_finish = on_finish
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")
        self._running: dict[str, Future] = {}
        self._aborts: dict[str, threading.Event] = {}
        self._stopped = threading.Event()
        self._wake = threading.Event()
        now = clock()
        self.due = {s.name: next_run(s.schedule, now) for s in self.sources}

    def run_forever(self, poll: float = 1.0) -> None:
        """Start due sources as time passes; returns after :meth:`stop`."""
        fail_interrupted_runs(self.store)
        while not self._stopped.is_set():
            self.tick()
            self._wake.wait(poll)
            self._wake.clear()
        self._pool.shutdown(wait=True)

    def tick(self) -> list[str]:
        """Start every source that is due and not running; return their names."""
        now = self.clock()
        started = []
        for source in self.sources:
            running = self._running.get(source.name)
            if now < self.due[source.name] or (running and not running.done()):
                continue
            self.due[source.name] = next_run(source.schedule, now)
            abort = self._aborts[source.name] = threading.Event()
            self._running[source.name] = self._pool.submit(self._run, source, abort)
            started.append(source.name)
        return started

    def scheduled(self) -> list[str]:
        """The names of the sources this scheduler runs."""
        return list(self.due)

    def run_now(self, names: Iterable[str] | None = None) -> None:
        """Make the named scheduled sources (all when ``None``) due now; one running at the time runs again once
        it has finished.

        Safe to call from a signal handler: it only sets times and an event.
        """
        now = self.clock()
        for name in self.due if names is None else [n for n in names if n in self.due]:
            self.due[name] = now
        self._wake.set()

    def abort(self, name: str) -> bool:
        """Ask a running harvest to stop at its next record; its source keeps the previous version."""
        event = self._aborts.get(name)
        if event is None or self._running[name].done():
            return False
        event.set()
        return True

    def stop(self) -> None:
        """Stop scheduling and abort the runs under way."""
        self._stopped.set()
        self._wake.set()
        for event in self._aborts.values():
            event.set()

    def wait(self) -> None:
        """Wait for the runs under way (tests use it after :meth:`tick`)."""
        for future in list(self._running.values()):
            future.result()

    def _run(self, source: SourceConfig, abort: threading.Event) -> Run:
        run = harvest(self.store, source, abort=abort, index=self.index)
        log.info("%s: %s %s", source.name, run.status, run.counts)
        if self.on_finish:
            self.on_finish(run)
        return run
