"""Creates, rolls over and migrates the versioned indices behind each alias; every step is idempotent."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch, helpers

from index.client import indices_behind, translated_errors
from index.templates import MAPPING_VERSION, Capabilities, ilm_policy, index_templates
from newsdesk.kernel.errors import NewsdeskError, Rejected
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)
FIRST_GENERATION = 1
GENERATION = re.compile(r"-(\d{6})$")


def index_name(alias: str, generation: int) -> str:
    return f"{alias}-{generation:06d}"


def detect_capabilities(es: Elasticsearch) -> Capabilities:
    """Ask the engine what it has instead of assuming: language analysers and ILM are not core."""
    try:
        with translated_errors("probe analysers"):
            es.indices.analyze(analyzer="english", text="capability probe")
        analyzers = True
    except Rejected:  # the engine refused the analyser: it has none by that name
        analyzers = False
    try:
        with translated_errors("probe lifecycle policies"):
            es.ilm.get_lifecycle()
        ilm = True
    except Rejected:  # no lifecycle API on this engine
        ilm = False
    return Capabilities(language_analyzers=analyzers, ilm=ilm)


def _generation(index: str) -> int:
    match = GENERATION.search(index)
    return int(match.group(1)) if match else 0


def ensure_setup(
    es: Elasticsearch, settings: Settings, capabilities: Capabilities | None = None
) -> list[str]:
    """Install every template (and ILM policy where there is ILM) and, where missing, the first index
    behind each alias. Returns what changed; a second run returns nothing."""
    capabilities = capabilities or detect_capabilities(es)
    changes: list[str] = []
    for alias, template in index_templates(settings, capabilities).items():
        # The hash makes any change to the template content count, not only a bumped version.
        digest = hashlib.sha1(json.dumps(template, sort_keys=True).encode()).hexdigest()[:16]
        template["_meta"] = {**template["_meta"], "template_hash": digest}
        if capabilities.ilm:
            policy = ilm_policy(settings.rollover_max_size, settings.rollover_max_age)
            with translated_errors(f"put lifecycle policy for {alias}"):
                es.ilm.put_lifecycle(
                    name=template["template"]["settings"]["index.lifecycle.name"], policy=policy
                )
        with translated_errors(f"read template {alias}"):
            current = es.options(ignore_status=404).indices.get_index_template(name=alias)
        installed = current.body.get("index_templates", []) if current.meta.status == 200 else []
        if not installed or installed[0]["index_template"].get("_meta") != template["_meta"]:
            with translated_errors(f"put template {alias}"):
                es.indices.put_index_template(name=alias, **template)
            changes.append(f"installed template {alias} (mapping version {MAPPING_VERSION})")
        existing = indices_behind(es, alias)
        if existing:
            versions = _mapping_versions(es, list(existing))
            stale = sorted(index for index, version in versions.items() if version < MAPPING_VERSION)
            if stale:
                changes.append(f"{alias}: {', '.join(stale)} on an older mapping; run `newsdesk migrate`")
            continue
        index = index_name(alias, FIRST_GENERATION)
        with translated_errors(f"create index {index}"):
            created = es.options(ignore_status=400).indices.create(
                index=index, aliases={alias: {"is_write_index": True}}
            )
        if created.meta.status == 200:
            changes.append(f"created {index} behind alias {alias}")
    return changes


def _mapping_versions(es: Elasticsearch, indices: list[str]) -> dict[str, int]:
    with translated_errors("read mappings"):
        mappings = es.indices.get_mapping(index=indices)
    return {
        index: int(body["mappings"].get("_meta", {}).get("mapping_version", 0))
        for index, body in mappings.body.items()
    }


def migrate_stale(
    es: Elasticsearch,
    settings: Settings,
    capabilities: Capabilities,
    on_progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Migrate every store whose indices are on an older mapping than this code writes (after an upgrade);
    the others are left alone. One result per migrated alias."""
    results = []
    for alias, template in index_templates(settings, capabilities).items():
        behind = indices_behind(es, alias)
        if behind and min(_mapping_versions(es, list(behind)).values()) < MAPPING_VERSION:
            results.append({"alias": alias, **migrate(es, alias, template, on_progress=on_progress)})
    return results


def rollover(es: Elasticsearch, alias: str, conditions: dict[str, Any] | None, dry_run: bool = False) -> dict:
    """Start a new generation behind `alias` when a condition holds (core rollover API, no ILM needed)."""
    with translated_errors(f"rollover {alias}"):
        response = es.indices.rollover(alias=alias, conditions=conditions or None, dry_run=dry_run)
    return {
        "alias": alias,
        "old_index": response["old_index"],
        "new_index": response["new_index"],
        "rolled_over": response["rolled_over"],
        "conditions": response.get("conditions", {}),
    }


def migrate(
    es: Elasticsearch,
    alias: str,
    template: dict[str, Any],
    batch_size: int = 500,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Move every document behind `alias` to a new index built from `template`, with zero search downtime.

    The old indices are made read-only first, so a write during the copy fails as retryable (the
    workers back off and retry) instead of landing where the copy has already passed. Searches read
    the old indices until one atomic alias swap points them at the complete new index.
    """
    old = indices_behind(es, alias)
    if not old:
        raise NewsdeskError(f"no index behind alias {alias}: run `newsdesk setup` first")
    new_index = index_name(alias, max(_generation(i) for i in old) + 1)
    with translated_errors(f"put template {alias}"):
        es.indices.put_index_template(name=alias, **template)
    with translated_errors(f"create {new_index}"):
        es.indices.create(index=new_index)
    with translated_errors("block writes on the old indices"):
        es.indices.put_settings(index=list(old), settings={"index.blocks.write": True})
    copied = 0
    try:
        with translated_errors(f"copy into {new_index}"):
            es.indices.refresh(index=list(old))
            documents = helpers.scan(
                es, index=list(old), query={"query": {"match_all": {}}}, size=batch_size, preserve_order=False
            )
            actions = (
                {"_op_type": "index", "_index": new_index, "_id": d["_id"], "_source": d["_source"]}
                for d in documents
            )
            for ok, item in helpers.streaming_bulk(
                es, actions, chunk_size=batch_size, raise_on_error=False, max_retries=5, initial_backoff=1
            ):
                if not ok:
                    raise NewsdeskError(f"migration of {alias} stopped: {item}")
                copied += 1
                if on_progress and copied % batch_size == 0:
                    on_progress(copied)
            es.indices.refresh(index=new_index)
        expected = _count(es, list(old))
        if _count(es, [new_index]) != expected:
            raise NewsdeskError(
                f"migration of {alias}: {expected} documents, {copied} copied; alias not moved"
            )
        actions_ = [{"remove": {"index": index, "alias": alias}} for index in old]
        actions_.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
        with translated_errors(f"swap alias {alias}"):
            es.indices.update_aliases(actions=actions_)
    except BaseException:
        # Leave the archive as it was: old indices writable again, the half-built index gone.
        es.indices.put_settings(index=list(old), settings={"index.blocks.write": False})
        es.options(ignore_status=404).indices.delete(index=new_index)
        raise
    with translated_errors("drop the old indices"):
        es.indices.delete(index=list(old))
    return {"alias": alias, "from": sorted(old), "to": new_index, "documents": copied}


def _count(es: Elasticsearch, indices: list[str]) -> int:
    with translated_errors("count"):
        return es.count(index=indices)["count"]
