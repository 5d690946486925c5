"""Structured logs: one JSON object per line, carrying the stage and the article URL being worked on."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

CONTEXT_FIELDS = ("stage", "url", "run_id", "crawl_source", "task_id")
# The stage running now, where one task runs several stages in turn (tasks/pipeline.py).
current_stage: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_stage", default=None)


class TaskContext(logging.Filter):
    """Fills a record's stage, URL and run from the Celery task running in this process, if any."""

    def __init__(self, default_stage: str) -> None:
        super().__init__()
        self.default_stage = default_stage

    def filter(self, record: logging.LogRecord) -> bool:
        from celery import current_task

        task = current_task if current_task and getattr(current_task, "request", None) else None
        payload: dict[str, Any] = {}
        if task is not None and task.request.id:
            args = task.request.args or []
            payload = args[0] if args and isinstance(args[0], dict) else {}
            if not getattr(record, "task_id", None):
                record.task_id = task.request.id
        if not getattr(record, "stage", None):
            record.stage = current_stage.get() or (task and (getattr(task, "stage", None) or task.name))
        if not getattr(record, "stage", None):
            record.stage = self.default_stage
        for field in ("url", "run_id", "crawl_source"):
            if not getattr(record, field, None):
                setattr(record, field, payload.get(field))
        return True


class JsonFormatter(logging.Formatter):
    """A line of JSON: time, level, logger, message, the context fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({field: getattr(record, field, None) for field in CONTEXT_FIELDS})
        entry["process"] = record.processName
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def use_json_logs(logger: logging.Logger, default_stage: str) -> None:
    """Switch every handler of `logger` to JSON lines with task context."""
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, TaskContext) for f in handler.filters):
            handler.addFilter(TaskContext(default_stage))
