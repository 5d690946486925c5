"""The one place that talks to Elasticsearch's client and turns its errors into ours."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import elastic_transport
import elasticsearch
from elasticsearch import Elasticsearch

from newsdesk.kernel.errors import ConfigError, Rejected, TransientError
from newsdesk.kernel.settings import Settings

TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504}


def node_urls(es_url: str) -> list[str]:
    """The node URLs in NEWSDESK_ES_URL: one, or several separated by commas (blanks and empties ignored)."""
    urls = [url.strip() for url in es_url.split(",") if url.strip()]
    if not urls:
        raise ConfigError(f"NEWSDESK_ES_URL={es_url!r} names no Elasticsearch node")
    return urls


def build_client(settings: Settings) -> Elasticsearch:
    """A client for the configured cluster; built in start-up hooks, never at import time."""
    auth = (settings.es_username, settings.es_password) if settings.es_password else None
    urls = node_urls(settings.es_url)
    if len(urls) == 1:
        # Retries are ours: Celery backs off, the client must not hide failures.
        retries: dict = {"max_retries": 0}
    else:
        # A node that cannot be reached is not the cluster being down: the request moves on to the next
        # node, each at most once. Statuses and timeouts are still ours (a timed-out write may have landed).
        retries = {"max_retries": len(urls) - 1, "retry_on_status": ()}
    return Elasticsearch(
        urls,
        basic_auth=auth,
        ca_certs=settings.es_ca_certs,
        request_timeout=30,
        retry_on_timeout=False,
        **retries,
    )


def is_transient_status(status: int) -> bool:
    return status in TRANSIENT_STATUSES


def is_write_block(error_type: str | None) -> bool:
    """A write-blocked index (during `newsdesk migrate`) lifts soon: retry rather than reject."""
    return error_type == "cluster_block_exception"


def _is_write_block(exc: elasticsearch.ApiError) -> bool:
    try:
        return is_write_block(exc.body["error"]["type"])
    except (KeyError, TypeError):
        return False


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    """Re-raise Elasticsearch failures as TransientError (retry) or Rejected (record)."""
    try:
        yield
    except elastic_transport.TlsError as exc:
        # The transport says only "TLS error"; the reason (an untrusted certificate, mostly) is underneath.
        cause = "; ".join(str(error) for error in exc.errors) or str(exc.__cause__ or exc)
        raise TransientError(
            f"{action}: TLS with Elasticsearch failed ({cause}); "
            "does NEWSDESK_ES_CA_CERTS name the CA that signed its certificate?"
        ) from exc
    except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
        raise TransientError(f"{action}: Elasticsearch unreachable ({exc})") from exc
    except elasticsearch.AuthenticationException as exc:
        # A node refuses every password until its security index is available again: for a while after
        # it (or the cluster) restarts. A wrong password looks the same, so it is retried too, and what
        # exhausts its retries is dead-lettered with this message.
        raise TransientError(
            f"{action}: Elasticsearch refused the credentials (401); after a restart that lasts until its "
            "security index is back, otherwise check NEWSDESK_ES_USERNAME and NEWSDESK_ES_PASSWORD"
        ) from exc
    except elasticsearch.ApiError as exc:
        if is_transient_status(exc.meta.status) or _is_write_block(exc):
            raise TransientError(f"{action}: Elasticsearch answered {exc.meta.status}") from exc
        raise Rejected("elasticsearch_rejected", f"{action}: {exc.meta.status} {exc.message}") from exc
    except elastic_transport.TransportError as exc:
        raise TransientError(f"{action}: transport error ({exc})") from exc


def wait_for_health(es: Elasticsearch, timeout: str = "30s") -> str:
    """Cluster health status; the core distribution has no `GET /`, so never use ping() or info()."""
    with translated_errors("cluster health"):
        health = es.cluster.health(wait_for_status="yellow", timeout=timeout)
    return health["status"]


def indices_behind(es: Elasticsearch, alias: str) -> dict[str, bool]:
    """Concrete index → is it the write index, for every index the alias covers."""
    with translated_errors(f"read alias {alias}"):
        response = es.options(ignore_status=404).indices.get_alias(name=alias)
    if response.meta.status == 404:
        return {}
    return {
        index: bool(body["aliases"][alias].get("is_write_index", len(response.body) == 1))
        for index, body in response.body.items()
    }
