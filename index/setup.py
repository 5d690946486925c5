"""Creates, rolls over and migrates the versioned indices behind each alias; every step is idempotent."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from elasticsearch import Elasticsearch, helpers

from index.bulk import RETRY_WAITS, run_bulk, with_retries
from index.client import indices_behind, translated_errors
from index.documents import upgraded_article
from index.templates import MAPPING_VERSION, Capabilities, ilm_policy, index_templates
from newsdesk.kernel.errors import NewsdeskError, Rejected, StoreNotReady
from newsdesk.kernel.settings import Settings

log = logging.getLogger(__name__)
FIRST_GENERATION = 1
GENERATION = re.compile(r"-(\d{6})$")
# How many missing or outdated things a readiness problem names before it counts the rest.
NAMED_IN_PROBLEM = 3


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


@dataclass(frozen=True)
class StoreReadiness:
    """Whether Elasticsearch can take this newsdesk's writes, and if not, what to run.

    missing: aliases (with no index behind them) and index templates that `newsdesk setup` creates;
    old_templates: templates from an older newsdesk (`setup` replaces them); outdated: indices on an
    older mapping than this code writes (`newsdesk migrate` moves them).
    """

    missing: tuple[str, ...] = ()
    old_templates: tuple[str, ...] = ()
    outdated: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not (self.missing or self.old_templates or self.outdated)

    @property
    def commands(self) -> tuple[str, ...]:
        """What to run, in order (`migrate` replaces the templates too; an old template alone needs setup)."""
        setup = bool(self.missing or (self.old_templates and not self.outdated))
        return tuple(
            command
            for command, needed in (("newsdesk setup", setup), ("newsdesk migrate", bool(self.outdated)))
            if needed
        )

    @property
    def problem(self) -> str | None:
        """One line naming what is wrong and what to run; None when ready."""
        if self.ready:
            return None
        found = []
        if self.missing:
            found.append(f"missing {_some(self.missing)}")
        if self.old_templates:
            found.append(f"older templates {_some(self.old_templates)}")
        if self.outdated:
            found.append(f"on an older mapping than version {MAPPING_VERSION}: {_some(self.outdated)}")
        what = "not set up" if self.missing else "not up to date"
        run = ", then ".join(f"`{command}`" for command in self.commands)
        return f"the Elasticsearch store is {what} ({'; '.join(found)}): run {run}"


def _some(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:NAMED_IN_PROBLEM])
    rest = len(names) - NAMED_IN_PROBLEM
    return f"{shown} and {rest} more" if rest > 0 else shown


def judge_store(
    aliases: Iterable[str],
    template_versions: Mapping[str, int] | None,
    index_versions: Mapping[str, Mapping[str, int]],
) -> StoreReadiness:
    """The readiness of a store from what Elasticsearch holds: the mapping version of each installed
    template by name (None when the account may not read templates), and of each index behind each alias."""
    missing_aliases, missing_templates, old_templates, outdated = [], [], [], []
    for alias in aliases:
        behind = index_versions.get(alias) or {}
        if not behind:
            missing_aliases.append(f"alias {alias}")
        outdated += [index for index, version in sorted(behind.items()) if version < MAPPING_VERSION]
        if template_versions is None:
            continue
        if alias not in template_versions:
            missing_templates.append(f"template {alias}")
        elif template_versions[alias] < MAPPING_VERSION:
            old_templates.append(f"template {alias}")
    return StoreReadiness(tuple(missing_aliases + missing_templates), tuple(old_templates), tuple(outdated))


def store_readiness(es: Elasticsearch, settings: Settings) -> StoreReadiness:
    """Read-only: is every store `newsdesk setup` creates there, on the mapping this code writes?

    Templates are read with the `monitor` cluster privilege the workers' role has; an account without it
    gets the answer from the aliases and mappings alone. Raises TransientError when Elasticsearch is
    unreachable.
    """
    aliases = list(index_templates(settings))
    with translated_errors("read index templates"):
        response = es.options(ignore_status=(403, 404)).indices.get_index_template(
            name=f"{settings.index_prefix}-*"
        )
    template_versions = None
    if response.meta.status != 403:
        installed = response.body.get("index_templates", []) if response.meta.status == 200 else []
        template_versions = {
            item["name"]: int(item["index_template"].get("_meta", {}).get("mapping_version", 0))
            for item in installed
        }
    behind = {alias: list(indices_behind(es, alias)) for alias in aliases}
    found = [index for indices in behind.values() for index in indices]
    versions = _mapping_versions(es, found) if found else {}
    index_versions = {
        alias: {index: versions[index] for index in indices} for alias, indices in behind.items()
    }
    return judge_store(aliases, template_versions, index_versions)


def require_ready_store(es: Elasticsearch, settings: Settings) -> None:
    """Raise StoreNotReady, naming what to run, unless the store can take this newsdesk's writes."""
    readiness = store_readiness(es, settings)
    if not readiness.ready:
        raise StoreNotReady(readiness.problem)


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
            upgrade = upgraded_article if alias == settings.articles_alias else (lambda source: source)
            results.append(
                {"alias": alias, **migrate(es, alias, template, on_progress=on_progress, upgrade=upgrade)}
            )
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
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] = lambda source: source,
) -> dict[str, Any]:
    """Move every document behind `alias` to a new index built from `template`, with zero search downtime;
    `upgrade` fills in what the new mapping adds to each document.

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
            while batch := list(islice(documents, batch_size)):
                copied += copy_documents(es, batch, new_index, upgrade)
                if on_progress:
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


def copy_documents(
    es: Elasticsearch,
    hits: list[dict[str, Any]],
    into: str,
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] = lambda source: source,
    waits: tuple[float, ...] = RETRY_WAITS,
    sleep: Callable[[float], object] = time.sleep,
) -> int:
    """Write `hits` (search hits) into index `into` under their own ids; how many were written.

    A copy refused for now (a shard whose node was lost, a 429) is sent again after each of `waits`;
    one refused for good, or still refused after them, stops the migration, which leaves the archive as
    it was.
    """
    pairs = [({"index": {"_index": into, "_id": hit["_id"]}}, upgrade(hit["_source"])) for hit in hits]
    results = with_retries(
        lambda batch: run_bulk(es, [line for pair in batch for line in pair], f"copy into {into}"),
        pairs,
        waits,
        sleep,
    )
    refused = [result for result in results if result.outcome in ("retry", "rejected")]
    if refused:
        raise NewsdeskError(
            f"copy into {into} stopped: {len(refused)} of {len(hits)} documents refused, "
            f"first {refused[0].doc_id}: {refused[0].error}"
        )
    return len(results)


def _count(es: Elasticsearch, indices: list[str]) -> int:
    with translated_errors("count"):
        return es.count(index=indices)["count"]
