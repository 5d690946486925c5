"""Unit tests for the accounts' role definitions; tests/integration/test_roles.py runs them for real."""

from __future__ import annotations

import dataclasses

from index.security import ANALYST_ROLE, WORKER_ROLE, accounts, analyst_role, worker_role
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


def test_the_analyst_reads_and_never_writes() -> None:
    role = analyst_role(dataclasses.replace(Settings(), index_prefix="archive"))

    (indices,) = role["indices"]
    assert indices["names"] == ["archive-*"]
    assert set(indices["privileges"]) == {"read", "view_index_metadata"}
    assert role["cluster"] == []
    (kibana,) = role["applications"]
    assert all(privilege.endswith(".read") for privilege in kibana["privileges"])


def test_only_accounts_given_a_password_are_created() -> None:
    settings = dataclasses.replace(Settings(), worker_es_password="w", analyst_es_password="a")
    assert [(a.username, a.role) for a in accounts(settings)] == [
        ("newsdesk_worker", WORKER_ROLE),
        ("newsdesk_analyst", ANALYST_ROLE),
    ]
    assert accounts(Settings()) == []
