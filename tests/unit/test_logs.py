"""Unit tests for structured logs: every line is JSON with stage and URL fields."""

from __future__ import annotations

import io
import json
import logging

from newsdesk.kernel.logs import current_stage, use_json_logs


def _logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(name)
    logger.handlers = [logging.StreamHandler(stream)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    use_json_logs(logger, default_stage="worker")
    return logger, stream


def test_every_line_is_json_with_stage_and_url() -> None:
    logger, stream = _logger("newsdesk.test.json")

    logger.info("indexed %s", "x", extra={"stage": "index", "url": "http://a.test/1", "run_id": "r1"})
    logger.warning("outside any task")

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "indexed x"
    assert (first["stage"], first["url"], first["run_id"], first["level"]) == (
        "index",
        "http://a.test/1",
        "r1",
        "INFO",
    )
    assert second["stage"] == "worker"
    assert second["url"] is None
    assert set(first) == set(second)


def test_exceptions_stay_on_one_line() -> None:
    logger, stream = _logger("newsdesk.test.json.exc")

    try:
        raise ValueError("bad\npage")
    except ValueError:
        logger.exception("stage failed", extra={"stage": "parse", "url": "http://a.test/2"})

    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert "ValueError: bad" in entry["exception"]
    assert entry["url"] == "http://a.test/2"


def test_a_line_logged_while_a_stage_runs_names_that_stage() -> None:
    logger, stream = _logger("newsdesk.test.json.stage")

    token = current_stage.set("dedupe")
    try:
        logger.info("claimed")
    finally:
        current_stage.reset(token)
    logger.info("after")

    during, after = (json.loads(line)["stage"] for line in stream.getvalue().splitlines())
    assert (during, after) == ("dedupe", "worker")
