"""Creates templates, versioned indices and their aliases; safe to run any number of times."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from index.client import translated_errors
from index.templates import index_templates
from newsdesk.settings import Settings

FIRST_GENERATION = "000001"


def ensure_setup(es: Elasticsearch, settings: Settings) -> list[str]:
    """Install every template and, where missing, the first index behind each alias. Returns what changed."""
    changes: list[str] = []
    for alias, template in index_templates(settings).items():
        with translated_errors(f"put template {alias}"):
            es.indices.put_index_template(name=alias, **template)
        with translated_errors(f"check alias {alias}"):
            exists = es.indices.exists_alias(name=alias).body
        if exists:
            continue
        index = f"{alias}-{FIRST_GENERATION}"
        with translated_errors(f"create index {index}"):
            es.options(ignore_status=400).indices.create(
                index=index, aliases={alias: {"is_write_index": True}}
            )
        changes.append(f"created {index} behind alias {alias}")
    return changes
