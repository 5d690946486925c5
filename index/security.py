"""The worker's Elasticsearch account: a role with only what the pipeline needs, and a user holding it."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from newsdesk.kernel.settings import Settings

WORKER_ROLE = "newsdesk_worker"


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


def ensure_worker_user(es: Elasticsearch, settings: Settings) -> list[str]:
    """Create or update the role and the worker's user (idempotent); what changed, for the setup log."""
    if not settings.worker_es_password:
        return []
    with translated_errors("put worker role"):
        es.security.put_role(name=WORKER_ROLE, **worker_role(settings))
    with translated_errors("put worker user"):
        es.security.put_user(
            username=settings.worker_es_username, password=settings.worker_es_password, roles=[WORKER_ROLE]
        )
    user = settings.worker_es_username
    return [f"user {user} has role {WORKER_ROLE} (read/write {settings.index_prefix}-*)"]
