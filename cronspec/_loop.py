"""``Scheduler.run_forever``: the scheduler's verbs arranged in time, and nothing else.

- Each minute (by the scheduler's clock: the database's, when it has none) it ticks: plans
  and takes as many runs as there are free threads.
- Whenever a thread frees up it takes again, so a backlog drains at the handlers' speed;
  an idle loop also takes every few seconds, for retries that come due between minutes.
- ``warmup`` before each minute it calls ``on_warmup`` with what fires in that minute.
- A handler's exception is a failed attempt; a tick that fails (database down) is logged
  and retried with a doubling backoff; the watermark did not move, so nothing is lost.
- Running runs are heartbeated every third of the lease.
- ``stop`` / SIGTERM / SIGINT: take nothing more, let running exports finish, return. A
  second signal returns at once (the abandoned runs are retaken when their leases expire).
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING

from ._runs import Run

if TYPE_CHECKING:
    from ._scheduler import Scheduler

logger = logging.getLogger("cronspec._scheduler")

_POLL = 0.5  # seconds: how often a wait looks at a stop event set from elsewhere
_AFTER_MINUTE = 0.05  # seconds past the minute to tick: never before it
_MAX_BACKOFF = 60.0
# Between ticks a free thread also takes every few seconds: retries and expired leases come
# due between minutes, and nothing else would wake the loop for them.
_IDLE_TAKE = 5.0


class Loop:
    def __init__(
        self,
        scheduler: Scheduler,
        handler: Callable[[Run], object],
        concurrency: int,
        stop: object,
    ) -> None:
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an int of at least 1, not {concurrency!r}")
        if stop is not None and not isinstance(stop, threading.Event):
            raise TypeError(f"stop must be a threading.Event, not {type(stop).__name__}")
        self.scheduler = scheduler
        self.handler = handler
        self.concurrency = concurrency
        self.stop = stop or threading.Event()
        self.abandon = threading.Event()
        self.wake = threading.Event()  # a thread is free, or a stop was asked
        self.lock = threading.Lock()
        self.running: dict[tuple[str, datetime], Run] = {}
        self.work: queue.SimpleQueue[Run | None] = queue.SimpleQueue()

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        threads = [
            threading.Thread(target=self._work, name=f"cronspec-run-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        beat_stop = threading.Event()
        beat = threading.Thread(
            target=self._beat, args=(beat_stop,), name="cronspec-heartbeat", daemon=True
        )
        with self._signals():
            for thread in [*threads, beat]:
                thread.start()
            try:
                self._loop()
            finally:
                for _ in threads:
                    self.work.put(None)
                self._drain()
                beat_stop.set()

    def _loop(self) -> None:
        scheduler = self.scheduler
        next_tick = 0.0  # monotonic time of the next tick
        next_take = 0.0  # ... and of the next take between ticks, when nothing wakes it
        warm_at: float | None = None
        next_minute: datetime | None = None
        failures = 0
        while not self.stop.is_set():
            try:
                if time.monotonic() >= next_tick:
                    started = time.monotonic()
                    now = scheduler.plan()
                    self._start(scheduler._take(now, self._free()))
                    next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
                    wait = (next_minute - now).total_seconds() + _AFTER_MINUTE
                    next_tick = started + wait
                    warm_at = next_tick - scheduler.warmup.total_seconds()
                    if scheduler.on_warmup is None or warm_at <= time.monotonic():
                        warm_at = None
                    next_take = time.monotonic() + _IDLE_TAKE
                elif self.wake.is_set() or time.monotonic() >= next_take:
                    self.wake.clear()
                    if self._free():
                        self._start(scheduler.take(limit=self._free()))
                    next_take = time.monotonic() + _IDLE_TAKE
                failures = 0
            except Exception:
                failures += 1
                delay = min(_MAX_BACKOFF, 2.0 ** (failures - 1))
                logger.exception("tick failed; retrying in %.0f s (nothing is lost)", delay)
                self.stop.wait(delay)
                next_tick = 0.0
                continue
            if warm_at is not None and next_minute is not None and time.monotonic() >= warm_at:
                warm_at = None
                self._warm(next_minute)
            until = min(next_tick, next_take, warm_at or next_tick) - time.monotonic()
            self.wake.wait(max(0.0, min(until, _POLL)))

    def _free(self) -> int:
        with self.lock:
            return self.concurrency - len(self.running)

    def _start(self, runs: list[Run]) -> None:
        with self.lock:
            for run in runs:
                self.running[run.integration_id, run.scheduled_at] = run
        for run in runs:
            self.work.put(run)

    def _warm(self, minute: datetime) -> None:
        callback = self.scheduler.on_warmup
        assert callback is not None
        try:
            callback(self.scheduler.schedule.due_at(minute))
        except Exception:
            logger.exception("on_warmup failed for %s", minute.isoformat())

    # -- the worker threads ---------------------------------------------------------------------

    def _work(self) -> None:
        while (run := self.work.get()) is not None:
            try:
                self.handler(run)
            except BaseException as error:  # a failed attempt, whatever it raised
                self._record(run, error)
            else:
                self._record(run, None)
            with self.lock:
                del self.running[run.integration_id, run.scheduled_at]
            self.wake.set()

    def _record(self, run: Run, error: BaseException | None) -> None:
        """succeeded/failed, retried while the database is away (up to half the lease:
        after that the run is retaken anyway, with the same key and period)."""
        deadline = time.monotonic() + self.scheduler.lease.total_seconds() / 2
        delay = 0.5
        while True:
            try:
                if error is None:
                    self.scheduler.succeeded(run)
                else:
                    self.scheduler.failed(run, error)
                return
            except Exception:
                if self.abandon.is_set() or time.monotonic() + delay > deadline:
                    logger.exception(
                        "could not record the outcome of run %s: it will be retaken when its"
                        " lease expires",
                        run.idempotency_key,
                    )
                    return
                logger.warning(
                    "could not record the outcome of run %s; retrying in %.1f s",
                    run.idempotency_key,
                    delay,
                    exc_info=True,
                )
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _beat(self, done: threading.Event) -> None:
        interval = max(1.0, self.scheduler.lease.total_seconds() / 3)
        while not done.wait(interval):
            with self.lock:
                runs = list(self.running.values())
            if not runs:
                continue
            try:
                self.scheduler._heartbeat(runs)
            except Exception:
                logger.warning("heartbeat of %d runs failed", len(runs), exc_info=True)

    # -- stopping -----------------------------------------------------------------------------

    def _drain(self) -> None:
        with self.lock:
            left = len(self.running)
        if left:
            logger.info("stopping: waiting for %d running export(s) to finish", left)
        while not self.abandon.is_set():
            with self.lock:
                if not self.running:
                    return
            self.abandon.wait(_POLL)

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """SIGTERM and SIGINT stop the loop (a second one abandons the running exports);
        only the main thread can install signal handlers, so elsewhere use ``stop``."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_signal(number: int, frame: FrameType | None) -> None:
            if self.stop.is_set():
                self.abandon.set()
            else:
                logger.info("%s: stopping after the running exports", signal.Signals(number).name)
                self.stop.set()
            self.wake.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
