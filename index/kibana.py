"""Imports the shipped Kibana data views, searches and dashboards, fitted to the deployment's index prefix."""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdesk.kernel.errors import ConfigError, Rejected, TransientError
from newsdesk.kernel.settings import Settings

SAVED_OBJECTS_FILE = Path(__file__).resolve().parent / "kibana" / "newsdesk.ndjson"
# The shipped file is written for this prefix, so it also imports by hand (Stack Management → Saved objects).
SHIPPED_PREFIX = "newsdesk"
IMPORT_PATH = "/api/saved_objects/_import?overwrite=true"
TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504}
CONFIG_STATUSES = {401: "refused the credentials", 403: "denied the import", 404: "has no saved-objects API"}


def load_saved_objects(path: Path = SAVED_OBJECTS_FILE) -> list[dict[str, Any]]:
    """The shipped objects, one per ndjson line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _index_names(settings: Settings) -> dict[str, str]:
    shipped = Settings(index_prefix=SHIPPED_PREFIX)
    return {
        shipped.articles_alias: settings.articles_alias,
        shipped.duplicates_index: settings.duplicates_index,
        shipped.deadletter_index: settings.deadletter_index,
        shipped.crawl_runs_index: settings.crawl_runs_index,
        shipped.crawl_log_index: settings.crawl_log_index,
    }


def fit_to_prefix(objects: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Point the data views at this deployment's aliases; under another prefix, give every object its own id.

    Ids (and the references to them) carry the prefix too, so two deployments with different prefixes can
    share one Kibana space without overwriting each other's dashboards; titles say which prefix they show.
    """
    if settings.index_prefix == SHIPPED_PREFIX:
        return [json.loads(json.dumps(item)) for item in objects]
    names = _index_names(settings)

    def fitted_id(object_id: str) -> str:
        if object_id.startswith(f"{SHIPPED_PREFIX}-"):
            return settings.index_prefix + object_id[len(SHIPPED_PREFIX) :]
        return object_id

    fitted = []
    for item in objects:
        item = json.loads(json.dumps(item))
        item["id"] = fitted_id(item["id"])
        for reference in item.get("references", []):
            reference["id"] = fitted_id(reference["id"])
        attributes = item["attributes"]
        if item["type"] == "index-pattern":
            attributes["title"] = names.get(attributes["title"], attributes["title"])
        label = "name" if item["type"] == "index-pattern" else "title"
        if label in attributes:
            attributes[label] = f"{attributes[label]} [{settings.index_prefix}]"
        fitted.append(item)
    return fitted


def multipart_ndjson(objects: list[dict[str, Any]], boundary: str) -> bytes:
    """The form Kibana's import API reads: one `file` part holding ndjson."""
    body = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects).encode("utf-8")
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="newsdesk.ndjson"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    return head + body + f"\r\n--{boundary}--\r\n".encode()


def _request(kibana_url: str, settings: Settings, payload: bytes, boundary: str) -> urllib.request.Request:
    headers = {
        "kbn-xsrf": "newsdesk",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Accept": "application/json",
    }
    if settings.es_password:
        token = base64.b64encode(f"{settings.es_username}:{settings.es_password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(
        kibana_url.rstrip("/") + IMPORT_PATH, data=payload, headers=headers, method="POST"
    )


def _describe_failures(errors: list[dict[str, Any]]) -> str:
    described = []
    for error in errors[:10]:
        kind = error.get("error", {}).get("type", "unknown")
        missing = error.get("error", {}).get("references", [])
        detail = f" (missing {', '.join(ref.get('id', '?') for ref in missing)})" if missing else ""
        described.append(f"{error.get('type')}/{error.get('id')}: {kind}{detail}")
    more = f" and {len(errors) - 10} more" if len(errors) > 10 else ""
    return "; ".join(described) + more


def import_saved_objects(
    kibana_url: str,
    settings: Settings,
    objects: list[dict[str, Any]] | None = None,
    timeout: float = 60,
) -> dict[str, Any]:
    """Import (overwriting) every shipped object; running it again leaves Kibana as it was."""
    if not kibana_url.startswith(("http://", "https://")):
        raise ConfigError(f"Kibana URL {kibana_url!r} must start with http:// or https://")
    fitted = fit_to_prefix(load_saved_objects() if objects is None else objects, settings)
    boundary = f"newsdesk-{uuid.uuid4().hex}"
    request = _request(kibana_url, settings, multipart_ndjson(fitted, boundary), boundary)
    context = (
        ssl.create_default_context(cafile=settings.es_ca_certs) if kibana_url.startswith("https") else None
    )
    where = f"Kibana at {kibana_url}"
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        if exc.code in TRANSIENT_STATUSES:
            raise TransientError(f"{where} is not ready: {exc.code} {detail}") from exc
        if exc.code in CONFIG_STATUSES:
            raise ConfigError(
                f"{where} {CONFIG_STATUSES[exc.code]} ({exc.code}): check the URL and "
                "NEWSDESK_ES_USERNAME / NEWSDESK_ES_PASSWORD (Kibana takes the Elasticsearch login)"
            ) from exc
        raise Rejected("kibana_import_rejected", f"{where} answered {exc.code}: {detail}") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TransientError(f"{where} is unreachable: {reason}") from exc
    try:
        result = json.loads(raw)
    except ValueError as exc:
        raise Rejected("kibana_import_rejected", f"{where} did not answer JSON: {raw[:200]!r}") from exc
    if not result.get("success"):
        raise Rejected("kibana_import_failed", f"{where}: {_describe_failures(result.get('errors', []))}")
    return {"imported": result.get("successCount", 0), "objects": len(fitted)}


def import_when_ready(
    kibana_url: str,
    settings: Settings,
    wait_seconds: float = 120,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Import, retrying while Kibana starts up (it answers 503 until its own migrations are done)."""
    deadline = time.monotonic() + wait_seconds
    delay = 1.0
    while True:
        try:
            return import_saved_objects(kibana_url, settings)
        except TransientError:
            if time.monotonic() + delay > deadline:
                raise
            sleep(delay)
            delay = min(delay * 2, 15)
