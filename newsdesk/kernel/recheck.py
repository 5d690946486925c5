"""Per-source re-check cadence: how often a known article is fetched again, decaying with its age."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^(\d+)(s|m|h|d|w)$")
DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration_seconds(value: str | int | float) -> float:
    """Seconds in `30m`, `1h`, `7d`, `2w` (or a plain number of seconds); ValueError names the problem."""
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value}")
        return float(value)
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration like 30m, 1h, 7d or 2w")
    return float(int(match[1]) * DURATION_SECONDS[match[2]])


class RecheckStep(BaseModel):
    """While an article is younger than `until`, fetch it again every `every`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    until: str | int
    every: str | int

    @field_validator("until", "every")
    @classmethod
    def _duration(cls, value: str | int) -> str | int:
        duration_seconds(value)
        return value


class Recheck(BaseModel):
    """How often known articles are fetched again (conditionally), decaying with the time since first seen.

    By default hourly in the first day, daily in the first week, then weekly up to `horizon`; after it,
    never again (the archive keeps the last version).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    steps: list[RecheckStep] = Field(
        default_factory=lambda: [RecheckStep(until="1d", every="1h"), RecheckStep(until="7d", every="1d")]
    )
    then_every: str | int = "7d"
    horizon: str | int = "90d"
    max_per_crawl: int = Field(default=5000, ge=0)
    # An article missing from every listing, feed and sitemap of complete crawls for longer than
    # `unlisted_grace` (default NEWSDESK_REMOVAL_GRACE_SECONDS) is marked removed. Off by default: a site
    # whose listings only show the latest articles would lose every older one this way.
    unlisted_removal: bool = False
    unlisted_grace: str | int | None = None

    @field_validator("then_every", "horizon")
    @classmethod
    def _duration(cls, value: str | int) -> str | int:
        duration_seconds(value)
        return value

    @field_validator("unlisted_grace")
    @classmethod
    def _optional_duration(cls, value: str | int | None) -> str | int | None:
        if value is not None:
            duration_seconds(value)
        return value

    def interval(self, age_seconds: float) -> float | None:
        """Seconds until the next check of an article first seen `age_seconds` ago; None past the horizon."""
        if not self.enabled or age_seconds >= duration_seconds(self.horizon):
            return None
        for step in self.steps:
            if age_seconds < duration_seconds(step.until):
                return duration_seconds(step.every)
        return duration_seconds(self.then_every)

    def next_due(self, first_seen: float, now: float) -> float | None:
        """When to check again after a check at `now` (epoch seconds); None to stop checking."""
        interval = self.interval(max(0.0, now - first_seen))
        return None if interval is None else now + interval
