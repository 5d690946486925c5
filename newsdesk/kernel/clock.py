"""The one clock format every record uses: UTC, ISO 8601, milliseconds."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
