"""The Celery app: settings built once at process start, clients created per worker process."""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_process_init

from newsdesk.settings import Settings
from tasks.resources import Resources

QUEUE = "newsdesk"


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
        broker_transport_options={"visibility_timeout": 3600},
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
