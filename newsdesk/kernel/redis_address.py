"""Where Redis is: one server (`redis://`, `rediss://`, `unix://`) or a master the Sentinels watch.

A Sentinel address is kombu's form, one `sentinel://` URL per Sentinel joined by `;`:
`sentinel://:PASSWORD@host1:26379/0;sentinel://host2:26379;sentinel://host3:26379`. The password and the
database number of the first URL are the data nodes' (the master's and its replicas'); the master's name
comes from the settings (`NEWSDESK_REDIS_MASTER`), the Sentinels' own password, if they have one, from
`NEWSDESK_REDIS_SENTINEL_PASSWORD`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.redaction import scrub

SENTINEL_SCHEME = "sentinel"
SENTINEL_PORT = 26379


@dataclass(frozen=True)
class RedisAddress:
    url: str
    # (host, port) of every Sentinel; empty for a single server.
    sentinels: tuple[tuple[str, int], ...] = ()
    username: str | None = None
    password: str | None = None
    db: int = 0

    @property
    def through_sentinel(self) -> bool:
        return bool(self.sentinels)


def parse_redis_url(url: str) -> RedisAddress:
    """The address `url` names; a malformed Sentinel list is a ConfigError, not a guess."""
    parts = [part.strip() for part in url.split(";") if part.strip()]
    if not parts or not parts[0].lower().startswith(f"{SENTINEL_SCHEME}://"):
        return RedisAddress(url=url)
    sentinels = []
    for part in parts:
        split = urlsplit(part)
        if split.scheme.lower() != SENTINEL_SCHEME or not split.hostname:
            raise ConfigError(f"Redis address {scrub(url)}: every part must be sentinel://host:port")
        try:
            port = split.port or SENTINEL_PORT
        except ValueError as exc:
            raise ConfigError(f"Redis address {scrub(url)}: {exc}") from exc
        sentinels.append((split.hostname, port))
    first = urlsplit(parts[0])
    path = first.path.strip("/")
    if path and not path.isdigit():
        raise ConfigError(f"Redis address {scrub(url)}: the database must be a number, not {path!r}")
    return RedisAddress(
        url=url,
        sentinels=tuple(sentinels),
        username=unquote(first.username) if first.username else None,
        password=unquote(first.password) if first.password else None,
        db=int(path or 0),
    )
