"""Unit tests for the worker's Elasticsearch role: the pipeline's work on newsdesk's indices, nothing more.

(The minimal test distribution cannot store native users: its security index needs analysis-common.)
"""

from __future__ import annotations

import dataclasses

from index.security import worker_role
from newsdesk.kernel.settings import Settings


def test_the_role_reads_and_writes_only_the_prefixed_indices() -> None:
    role = worker_role(dataclasses.replace(Settings(), index_prefix="archive"))

    assert role["cluster"] == ["monitor"]
    (indices,) = role["indices"]
    assert indices["names"] == ["archive-*"]
    assert set(indices["privileges"]) == {"read", "write", "view_index_metadata"}


def test_the_role_grants_no_administration() -> None:
    role = worker_role(Settings())

    granted = set(role["cluster"]) | {p for entry in role["indices"] for p in entry["privileges"]}
    assert not granted & {
        "all",
        "manage",
        "manage_security",
        "create_index",
        "delete_index",
        "manage_index_templates",
    }
