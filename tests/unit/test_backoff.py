"""Unit tests for the retry delays: exponential, capped, jittered, with a floor on the total window."""

from __future__ import annotations

import random

import pytest

from tasks.worker.backoff import backoff_delay, retry_window


def test_delays_grow_exponentially_until_the_cap() -> None:
    lowest = [backoff_delay(n, cap=30, uniform=lambda a, b: a) for n in range(7)]
    highest = [backoff_delay(n, cap=30, uniform=lambda a, b: b) for n in range(7)]

    assert lowest == [1, 2, 4, 8, 15, 15, 15]
    assert highest == [2, 4, 8, 16, 30, 30, 30]


def test_jitter_spreads_workers_that_retry_together() -> None:
    rng = random.Random(3)

    delays = {round(backoff_delay(4, cap=300, uniform=rng.uniform), 3) for _ in range(50)}

    assert len(delays) > 40
    assert all(16 <= d <= 32 for d in delays)


def test_a_huge_retry_count_stays_at_the_cap() -> None:
    assert backoff_delay(10_000, cap=60, uniform=lambda a, b: b) == 60


@pytest.mark.parametrize(("retries", "cap", "window"), [(3, 4, (5.0, 10.0)), (6, 300, (63.0, 126.0))])
def test_retry_window_bounds_the_total_wait(retries: int, cap: float, window: tuple) -> None:
    assert retry_window(retries, cap) == window
    rng = random.Random(retries)
    total = sum(backoff_delay(n, cap, uniform=rng.uniform) for n in range(retries))
    assert window[0] <= total <= window[1]
