"""The contract between the revisions stage and the index writer: one write's plan, and the rules making it.

The rules are the stage's (`tasks.dedupe.versions.REVISION_RULES`); the index writer applies them to the
version it reads, inside its optimistic-concurrency loop, without importing a stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# A revisions-index record: (its id, derived so a retry writes the same one; the record).
Record = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class RevisionPlan:
    """What a write must do besides the content update: the fields to set and the records to keep."""

    article_changes: dict[str, Any] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class RevisionRules:
    """How versions are told apart and recorded.

    fingerprint(title, body): what a reader sees change.
    plan(stored or None, document, at, fingerprint): the plan of writing `document` over `stored`.
    removal_record / restoration_record(stored, evidence, at): the record of an article gone or back.
    """

    fingerprint: Callable[[str | None, str | None], str]
    plan: Callable[[dict[str, Any] | None, dict[str, Any], str, str | None], RevisionPlan]
    removal_record: Callable[[dict[str, Any], dict[str, Any], str], Record]
    restoration_record: Callable[[dict[str, Any], dict[str, Any], str], Record]
