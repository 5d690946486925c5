"""The worker's sweeps: bootsteps that each do a round of upkeep every few seconds while the worker runs."""

from __future__ import annotations

import logging

from celery import bootsteps

from newsdesk.kernel.errors import TransientError
from newsdesk.state.client import build_redis
from newsdesk.state.reliable.broker import StrandedDeliveries, stranded_delivery_grace
from tasks.worker.app import app
from tasks.worker.flush import queue_flush

log = logging.getLogger(__name__)
resources = app.newsdesk_resources

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


class StrandedDeliverySweep(PeriodicSweep):
    """Every few seconds, a worker puts back what a dead worker left in the delivering list of each queue
    it takes from (the page queue, or the crawl queue for a crawl worker)."""

    stranded: list[StrandedDeliveries]

    def prepare(self, worker) -> None:
        settings = worker.app.newsdesk_settings
        grace = stranded_delivery_grace(settings.broker_visibility_timeout)
        client = build_redis(settings)
        queues = sorted(worker.app.amqp.queues.consume_from or [worker.app.conf.task_default_queue])
        self.stranded = [StrandedDeliveries(client, queue, grace) for queue in queues]

    def sweep(self) -> None:
        for stranded in self.stranded:
            try:
                stranded.sweep()
            except TransientError as exc:
                log.warning("delivery sweep of %s skipped: %s", stranded.queue, exc)


class IndexBufferSweep(PeriodicSweep):
    """Every few seconds, a worker queues a flush if articles wait in the index buffer.

    Flushes are queued by the index task and by the flush itself, but such a message can be lost with the
    broker (a Redis restart before it was saved) or refused while it is away; the buffer would then wait
    for the next article, which may never come.
    """

    def sweep(self) -> None:
        try:
            if resources.index_buffer.needs_flush():
                queue_flush()
        except TransientError as exc:
            log.warning("index buffer sweep skipped: %s", exc, extra={"stage": "index"})


class SettledClaimsSweep(PeriodicSweep):
    """Every few seconds, a worker lets Redis forget the articles settled in the near-duplicate archive."""

    def sweep(self) -> None:
        try:
            resources.content.forget_settled()
        except TransientError as exc:
            log.warning("settled claims sweep skipped: %s", exc, extra={"stage": "dedupe"})


for sweep in (StrandedDeliverySweep, IndexBufferSweep, SettledClaimsSweep):
    app.steps["worker"].add(sweep)
