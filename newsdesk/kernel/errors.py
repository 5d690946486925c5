"""The two kinds of failure every stage speaks: retry it, or record it and move on."""

from __future__ import annotations


class NewsdeskError(Exception):
    """Raised for any failure that newsdesk itself names (base class, never raised bare)."""


class TransientError(NewsdeskError):
    """Raised when a dependency is briefly unavailable (timeouts, 429, a node down): retry with backoff."""


class Rejected(NewsdeskError):
    """Raised when an input can never succeed (not an article, unparseable, bad bytes): record it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


class ConfigError(NewsdeskError):
    """Raised when settings or the source registry are invalid; the message names what to fix."""


class StoreNotReady(NewsdeskError):
    """Raised when Elasticsearch is not set up for this newsdesk, or on an older mapping than it writes;
    the message names the command that fixes it (`newsdesk setup`, `newsdesk migrate`)."""


class ServiceError(NewsdeskError):
    """Raised when a local service (Redis, Elasticsearch, worker) cannot be installed or started."""
