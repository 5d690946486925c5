"""Sentinel addresses read as kombu writes them, and every Redis client built from the same settings."""

from __future__ import annotations

import dataclasses

import pytest

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.redis_address import parse_redis_url
from newsdesk.kernel.settings import Settings
from newsdesk.state.reliable.broker import broker_config
from tasks.worker.beat import redbeat_redis_config

SENTINELS = "sentinel://:s3cret@10.0.0.1:26379/2;sentinel://10.0.0.2;sentinel://10.0.0.3:26380"


def test_a_single_server_is_not_behind_sentinel() -> None:
    address = parse_redis_url("redis://:pw@127.0.0.1:6379/0")

    assert not address.through_sentinel
    assert address.url == "redis://:pw@127.0.0.1:6379/0"


def test_every_sentinel_is_read_with_the_servers_password_and_database() -> None:
    address = parse_redis_url(SENTINELS)

    assert address.through_sentinel
    assert address.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26379), ("10.0.0.3", 26380))
    assert (address.password, address.username, address.db) == ("s3cret", None, 2)


@pytest.mark.parametrize(
    "url",
    [
        "sentinel://10.0.0.1:26379;redis://10.0.0.2:6379",
        "sentinel://10.0.0.1:26379/zero",
        "sentinel://10.0.0.1:notaport",
    ],
)
def test_a_malformed_sentinel_list_is_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_redis_url(url.replace("sentinel://", "sentinel://:hunter22@", 1))

    assert "hunter22" not in str(raised.value)


def test_the_broker_goes_through_sentinel_with_the_delivering_list() -> None:
    settings = dataclasses.replace(
        Settings(), redis_url=SENTINELS, redis_master="prod", redis_sentinel_password="sp"
    )

    config = broker_config(settings)

    assert config["broker_transport"] == "newsdesk.state.reliable.broker:SentinelTransport"
    assert config["broker_transport_options"]["master_name"] == "prod"
    assert config["broker_transport_options"]["sentinel_kwargs"]["password"] == "sp"
    assert config["broker_transport_options"]["priority_steps"] == [0]
    assert broker_config(Settings())["broker_transport"] == "newsdesk.state.reliable.broker:Transport"
    assert "master_name" not in broker_config(Settings())["broker_transport_options"]


def test_beat_keeps_its_schedule_on_the_master_the_sentinels_name() -> None:
    settings = dataclasses.replace(Settings(), redis_url=SENTINELS, redis_master="prod")

    config = redbeat_redis_config(settings)

    assert config["redbeat_redis_url"].startswith("redis-sentinel")
    options = config["redbeat_redis_options"]
    assert options["sentinels"] == [("10.0.0.1", 26379), ("10.0.0.2", 26379), ("10.0.0.3", 26380)]
    assert (options["service_name"], options["password"], options["db"]) == ("prod", "s3cret", 2)
    assert redbeat_redis_config(Settings()) == {
        "redbeat_redis_url": Settings().redis_url,
        "redbeat_redis_options": {},
    }


def test_the_settings_shown_to_people_hide_every_redis_password() -> None:
    settings = dataclasses.replace(Settings(), redis_url=SENTINELS, redis_sentinel_password="sp-secret")

    shown = settings.public_dict()

    assert "s3cret" not in str(shown) and "sp-secret" not in str(shown)
    assert shown["redis_url"].startswith("sentinel://:***@10.0.0.1")
