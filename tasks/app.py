"""The Celery app: settings built once at process start, clients created per worker process."""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_process_init

from newsdesk.settings import Settings
from tasks.resources import Resources

QUEUE = "newsdesk"


def broker_transport_options(settings: Settings) -> dict:
    """Redelivery on Redis: a task unacknowledged longer than the visibility timeout goes back to the queue.

    Kombu sweeps for such tasks every interval x throttle seconds (100 s by default); the sweep follows
    the visibility timeout so a short one (tests, small deployments) also redelivers promptly.
    """
    visibility = settings.broker_visibility_timeout
    return {
        "visibility_timeout": visibility,
        "unacked_restore_interval": max(1, min(10, visibility // 4)),
        "unacked_restore_throttle": 1,
    }


def create_app(settings: Settings) -> Celery:
    app = Celery("newsdesk", broker=settings.redis_url, include=["tasks.pipeline"])
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # At-least-once: a task is acknowledged only after it ran, and redelivered if its worker dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options=broker_transport_options(settings),
        worker_hijack_root_logger=False,
    )
    app.newsdesk_settings = settings
    app.newsdesk_resources = Resources(settings)
    return app


app = create_app(Settings.from_env())


@worker_process_init.connect
def _open_clients(**_kwargs) -> None:
    # Each prefork child opens its own connections; sockets must not be shared across fork.
    app.newsdesk_resources.open()
