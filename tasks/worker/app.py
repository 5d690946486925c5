"""The Celery app: settings built once at process start, clients created per worker process."""

from __future__ import annotations

import contextlib
import time

from celery import Celery
from celery.signals import after_setup_logger, task_postrun, task_prerun, worker_process_init

from newsdesk.kernel.errors import NewsdeskError
from newsdesk.kernel.logs import use_json_logs
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.wire import CRAWL_QUEUE, CRAWL_TASK, QUEUE, TASK_PREFIX
from newsdesk.state.reliable.broker import broker_config
from tasks.worker.beat import redbeat_prefix, redbeat_redis_config
from tasks.worker.resources import Resources

BEAT_LOOP_SECONDS = 5
# What a worker imports at start: its tasks, and the sweeps that keep the reliable queues moving.
WORKER_MODULES = [
    "tasks.worker.pipeline",
    "tasks.worker.flush",
    "tasks.worker.operations",
    "tasks.worker.sweeps",
]
# A standby beat takes over this long after the active one died without releasing its lock.
BEAT_LOCK_TIMEOUT_SECONDS = 30


def create_app(settings: Settings) -> Celery:
    app = Celery("newsdesk", broker=settings.redis_url, include=WORKER_MODULES)
    app.conf.update(
        # The broker, its transport (kombu's, with a delivering list: a worker killed while taking a task
        # does not lose it) and its options, shared with every process that sends tasks.
        **broker_config(settings),
        task_default_queue=QUEUE,
        task_routes={CRAWL_TASK: {"queue": CRAWL_QUEUE}},
        accept_content=["json"],
        task_ignore_result=True,
        # At-least-once: a task is acknowledged only after it ran, and redelivered if its worker dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        # Beat keeps its schedule in Redis (RedBeat) behind a lock: any number of beat processes may run,
        # one schedules, the others wait to take over. Entries come from the source registry (beat.py).
        beat_scheduler="tasks.worker.beat:RegistryScheduler",
        **redbeat_redis_config(settings),
        redbeat_key_prefix=redbeat_prefix(settings),
        redbeat_lock_timeout=BEAT_LOCK_TIMEOUT_SECONDS,
        beat_max_loop_interval=BEAT_LOOP_SECONDS,
    )
    app.newsdesk_settings = settings
    app.newsdesk_resources = Resources(settings)
    return app


app = create_app(Settings.from_env())


@worker_process_init.connect
def _open_clients(**_kwargs) -> None:
    # Each prefork child opens its own connections; sockets must not be shared across fork.
    app.newsdesk_resources.open()


@after_setup_logger.connect
def _structured_logs(logger, **_kwargs) -> None:
    if app.newsdesk_settings.log_format == "json":
        use_json_logs(logger, default_stage="worker")


_task_started: dict[str, float] = {}


@task_prerun.connect
def _start_clock(task_id=None, **_kwargs) -> None:
    _task_started[task_id] = time.monotonic()


@task_postrun.connect
def _count_task(task_id=None, task=None, state=None, **_kwargs) -> None:
    started = _task_started.pop(task_id, None)
    if started is None or task is None:
        return
    outcome = {"SUCCESS": "succeeded", "RETRY": "retried", "REJECTED": "retried"}.get(state, "failed")
    if getattr(task, "records_stage_metrics", False) and outcome != "failed":
        return  # a pipeline task times each stage it runs itself (tasks/worker/pipeline.py)
    stage = getattr(task, "stage", None) or task.name.removeprefix(TASK_PREFIX)
    # Metrics never fail a task; Redis being away shows up everywhere else.
    with contextlib.suppress(NewsdeskError):
        elapsed_us = int((time.monotonic() - started) * 1_000_000)
        app.newsdesk_resources.metrics.record_task(stage, outcome, elapsed_us)
