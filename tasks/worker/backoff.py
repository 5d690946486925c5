"""Retry delays: exponential backoff with jitter, capped, so a transient outage is ridden out and bounded."""

from __future__ import annotations

import random
from collections.abc import Callable

BACKOFF_BASE_SECONDS = 2


def backoff_delay(
    retries: int, cap: float, base: float = BACKOFF_BASE_SECONDS, uniform: Callable = random.uniform
) -> float:
    """Seconds before retry number `retries + 1`: half of `base * 2**retries` (capped) plus a random half.

    "Equal jitter": workers retrying together spread out, yet every wait is at least half the
    exponential step, so the total retry window has a floor (see `retry_window`) a test can rely on.
    """
    step = min(cap, base * 2 ** min(retries, 32))
    return step / 2 + uniform(0, step / 2)


def retry_window(max_retries: int, cap: float, base: float = BACKOFF_BASE_SECONDS) -> tuple[float, float]:
    """Shortest and longest total wait before the last retry: an outage shorter than the first is survived."""
    steps = [min(cap, base * 2 ** min(n, 32)) for n in range(max_retries)]
    return sum(steps) / 2, float(sum(steps))
