"""A worker bootstep that runs `sweep()` every few seconds on the worker's timer, for as long as it runs."""

from __future__ import annotations

from celery import bootsteps

SWEEP_SECONDS = 5.0


class PeriodicSweep(bootsteps.StartStopStep):
    """Subclasses set up what they need in `prepare(worker)` and do one round of work in `sweep()`."""

    requires = {"celery.worker.components:Timer"}
    interval = SWEEP_SECONDS

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def prepare(self, worker) -> None:
        """Called once when the worker starts, before the first sweep."""

    def start(self, worker) -> None:
        self.prepare(worker)
        self.timer_ref = worker.timer.call_repeatedly(self.interval, self.sweep, priority=10)

    def stop(self, worker) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()

    def sweep(self) -> None:
        raise NotImplementedError
