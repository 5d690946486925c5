"""Elasticsearch accounts by what their holder does: the workers write, analysts read, operators manage.

Nobody but the one-shot setup job needs the `elastic` superuser. Each role reaches only newsdesk's indices
(`<prefix>-*`); the analyst's and operator's also carry Kibana's feature privileges, so an analyst can use
Discover and the dashboards and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from newsdesk.kernel.settings import Settings

WORKER_ROLE = "newsdesk_worker"
ANALYST_ROLE = "newsdesk_analyst"
OPERATOR_ROLE = "newsdesk_operator"
KIBANA_APPLICATION = "kibana-.kibana"
# Kibana features an analyst reads with: searching in Discover, the dashboards and their visualisations.
ANALYST_KIBANA = ("feature_discover.read", "feature_dashboard.read", "feature_visualize.read")
OPERATOR_KIBANA = (
    "feature_discover.all",
    "feature_dashboard.all",
    "feature_visualize.all",
    "feature_indexPatterns.all",
    "feature_savedObjectsManagement.all",
)


def worker_role(settings: Settings) -> dict[str, Any]:
    """Read and write documents in newsdesk's indices, see their mappings, read cluster health. Nothing else:
    no index creation or deletion, no templates, no other index, no security or cluster settings.
    """
    return {
        "cluster": ["monitor"],
        "indices": [
            {
                "names": [f"{settings.index_prefix}-*"],
                "privileges": ["read", "write", "view_index_metadata"],
            }
        ],
    }


def analyst_role(settings: Settings) -> dict[str, Any]:
    """Search and read newsdesk's indices, in Kibana too; no write, no delete, no other index."""
    return {
        "cluster": [],
        "indices": [{"names": [f"{settings.index_prefix}-*"], "privileges": ["read", "view_index_metadata"]}],
        "applications": [
            {"application": KIBANA_APPLICATION, "privileges": list(ANALYST_KIBANA), "resources": ["*"]}
        ],
    }


def operator_role(settings: Settings) -> dict[str, Any]:
    """What `newsdesk setup`, `migrate`, `rollover` and `dlq purge` need: manage newsdesk's indices, their
    templates and lifecycle policies, and Kibana's saved objects; no users, no other index."""
    return {
        "cluster": ["monitor", "manage_index_templates", "manage_ilm"],
        "indices": [
            {
                "names": [f"{settings.index_prefix}-*"],
                "privileges": ["all"],
                "allow_restricted_indices": False,
            }
        ],
        "applications": [
            {"application": KIBANA_APPLICATION, "privileges": list(OPERATOR_KIBANA), "resources": ["*"]}
        ],
    }


@dataclass(frozen=True)
class Account:
    """A user `newsdesk setup` keeps: its name, password (from the environment) and role."""

    username: str
    password: str
    role: str
    what: str


def roles(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        WORKER_ROLE: worker_role(settings),
        ANALYST_ROLE: analyst_role(settings),
        OPERATOR_ROLE: operator_role(settings),
    }


def accounts(settings: Settings) -> list[Account]:
    """The users to create: only those whose password the environment gives."""
    wanted = [
        Account(settings.worker_es_username, settings.worker_es_password, WORKER_ROLE, "read/write"),
        Account(settings.analyst_es_username, settings.analyst_es_password, ANALYST_ROLE, "read only"),
        Account(settings.operator_es_username, settings.operator_es_password, OPERATOR_ROLE, "manage"),
    ]
    return [account for account in wanted if account.password]


def ensure_users(es: Elasticsearch, settings: Settings) -> list[str]:
    """Create or update each role and the users holding them (idempotent); what changed, for the setup log."""
    changes = []
    definitions = roles(settings)
    for account in accounts(settings):
        with translated_errors(f"put role {account.role}"):
            es.security.put_role(name=account.role, **definitions[account.role])
        with translated_errors(f"put user {account.username}"):
            es.security.put_user(username=account.username, password=account.password, roles=[account.role])
        changes.append(
            f"user {account.username} has role {account.role} ({account.what} {settings.index_prefix}-*)"
        )
    return changes
