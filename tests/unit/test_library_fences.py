"""Fences around the third-party internals newsdesk overrides or reads.

Each test names the module of ours that relies on a library name, so an upgrade that removes or reshapes
that name fails here, in a unit test, and not in a worker that silently falls back to lossy behaviour.
The installed versions must also sit inside the pins of pyproject.toml: a silent upgrade fails a test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import inspect
import io
import tomllib
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BROKER = "newsdesk/state/reliable/broker.py"
LANGUAGE = "tasks/enrich/language.py"
POLITENESS = "crawler/politeness.py"
BEAT = "tasks/worker/beat.py"
WARC_READER = "webarchive/reader.py"

# Distribution -> the module of ours that relies on its internals (the pin's comment says which names).
FENCED = {
    "kombu": BROKER,
    "redis": BROKER,
    "py3langid": LANGUAGE,
    "scrapy": POLITENESS,
    "celery-redbeat": BEAT,
    "warcio": WARC_READER,
}


def _pins() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    return {req.name.lower(): req for req in requirements}


def _params(func) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter: what a caller or an override has to match."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]


def _expect_params(owner: str, func, expected: list[tuple[str, object, object]]) -> None:
    assert func is not None, f"{owner} is gone"
    found = _params(func)
    assert found == expected, f"{owner} changed shape: {found} != {expected}"


def _expect_source(who: str, obj, needle: str, why: str) -> None:
    source = inspect.getsource(obj)
    assert needle in source, f"{who} no longer contains {needle!r}: {why}"


POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
KW = inspect.Parameter.KEYWORD_ONLY
VAR_KW = inspect.Parameter.VAR_KEYWORD
EMPTY = inspect.Parameter.empty


# --- pins


@pytest.mark.parametrize("dist", sorted(FENCED))
def test_installed_version_is_inside_the_tested_pin(dist: str) -> None:
    pin = _pins().get(dist)
    assert pin is not None, (
        f"{dist} is not pinned in pyproject.toml, yet {FENCED[dist]} relies on its internals"
    )
    upper = [spec for spec in pin.specifier if spec.operator in ("<", "<=", "==", "~=")]
    assert upper, f"{dist}'s pin {pin} has no upper bound, yet {FENCED[dist]} relies on its internals"
    installed = importlib.metadata.version(dist)
    assert pin.specifier.contains(installed, prereleases=True), (
        f"{dist} {installed} is outside the tested pin {pin.specifier}: re-check the names "
        f"{FENCED[dist]} relies on (this file) before widening the pin"
    )


# --- kombu's Redis transport (newsdesk/state/reliable/broker.py)


def test_kombu_redis_channel_methods_broker_overrides_keep_their_shape() -> None:
    from kombu.transport import redis as kombu_redis

    channel = kombu_redis.Channel
    where = f"{BROKER}: kombu.transport.redis.Channel"
    _expect_params(
        f"{where}._brpop_start",
        getattr(channel, "_brpop_start", None),
        [("self", POS, EMPTY), ("timeout", POS, None)],
    )
    _expect_params(
        f"{where}._brpop_read",
        getattr(channel, "_brpop_read", None),
        [("self", POS, EMPTY), ("options", VAR_KW, EMPTY)],
    )
    conn_or_acquire = getattr(channel, "conn_or_acquire", None)
    _expect_params(
        f"{where}.conn_or_acquire",
        inspect.unwrap(conn_or_acquire) if conn_or_acquire else None,
        [("self", POS, EMPTY), ("client", POS, None)],
    )
    create_client = getattr(channel, "_create_client", None)
    assert create_client is not None, f"{where}._create_client is gone"
    assert list(inspect.signature(create_client).parameters)[:1] == ["self"], f"{where}._create_client"
    assert all(
        p.default is not EMPTY for p in list(inspect.signature(create_client).parameters.values())[1:]
    ), f"{where}._create_client now needs arguments: {inspect.signature(create_client)}"
    _expect_params(
        f"{where}._flush_brpop_reauth", getattr(channel, "_flush_brpop_reauth", None), [("self", POS, EMPTY)]
    )
    assert isinstance(inspect.getattr_static(channel, "pool", None), property), f"{where}.pool is no property"
    client = inspect.getattr_static(channel, "client", None)
    assert client is not None and hasattr(client, "__get__"), f"{where}.client is gone"
    assert channel.QoS is kombu_redis.QoS, f"{where}.QoS no longer names kombu.transport.redis.QoS"
    assert kombu_redis.Transport.Channel is channel, f"{BROKER}: kombu.transport.redis.Transport.Channel"


def test_kombu_redis_channel_attributes_broker_reads_still_exist() -> None:
    from kombu.transport import redis as kombu_redis

    channel = kombu_redis.Channel
    where = f"{BROKER}: kombu.transport.redis.Channel"
    # Class attributes, read (or set) by Channel._brpop_start/_brpop_read and by kombu's poller.
    for name in ("_in_poll", "_brpop_sent_at", "priority_steps", "global_keyprefix"):
        assert hasattr(channel, name), f"{where}.{name} is gone"
    assert len(channel.priority_steps) >= 1, f"{where}.priority_steps is empty"
    # Instance attributes kombu sets in __init__ (a Channel cannot be built without a live Redis).
    for assignment in (
        "self._queue_cycle =",
        "self.brpop_timeout =",
        "self.connection_errors =",
        "'BRPOP': self._brpop_read",
    ):
        _expect_source(f"{where}.__init__", channel.__init__, assignment, "broker.py reads that attribute")
    active = inspect.getattr_static(channel, "active_queues", None)
    assert active is not None, f"{where}.active_queues is gone"
    # The queue cycle: broker.py consumes one queue from it and rotates it after a delivery.
    from kombu.utils.scheduling import cycle_by_name

    for strategy in ("round_robin", "priority", "sorted"):
        cycle = cycle_by_name(strategy)
        for method in ("consume", "rotate"):
            assert callable(getattr(cycle, method, None)), (
                f"{BROKER}: kombu cycle {strategy}.{method} is gone"
            )


def test_kombu_sentinel_channel_still_builds_the_pool_our_channel_takes_from() -> None:
    """Through Sentinel the broker's channel is ours first and kombu's Sentinel channel second: kombu's
    must still build the connection pool (`_get_pool`), and must not take messages itself."""
    from kombu.transport import redis as kombu_redis

    from newsdesk.state.reliable import broker

    where = f"{BROKER}: kombu.transport.redis.SentinelChannel"
    sentinel = kombu_redis.SentinelChannel
    assert "_get_pool" in vars(sentinel) and "_sentinel_managed_pool" in vars(sentinel), where
    assert "_brpop_start" not in vars(sentinel) and "_brpop_read" not in vars(sentinel), where
    assert "master_name" in sentinel.from_transport_options, f"{where}.from_transport_options"
    assert kombu_redis.SentinelTransport.Channel is sentinel, f"{BROKER}: kombu's SentinelTransport.Channel"
    order = broker.SentinelChannel.__mro__
    assert order.index(broker.Channel) < order.index(sentinel) < order.index(kombu_redis.Channel)


def test_kombu_still_calls_the_methods_broker_overrides() -> None:
    """An override kombu no longer calls is dead code: workers would quietly lose the delivering list."""
    from kombu.transport import redis as kombu_redis
    from kombu.transport import virtual

    poller = kombu_redis.MultiChannelPoller
    _expect_source(
        f"{BROKER}: kombu's MultiChannelPoller",
        poller,
        "channel._brpop_start()",
        "broker.Channel._brpop_start (BLMOVE) would never be sent",
    )
    _expect_source(
        f"{BROKER}: kombu's MultiChannelPoller",
        poller,
        "channel._brpop_sent_at",
        "broker.Channel._brpop_start sets it for kombu's half-open socket check",
    )
    _expect_source(
        f"{BROKER}: kombu's MultiChannelPoller",
        poller,
        "channel._in_poll",
        "broker.Channel._brpop_start sets it to the polled connection",
    )
    _expect_source(
        f"{BROKER}: kombu.transport.redis.QoS.append",
        kombu_redis.QoS.append,
        "self.pipe_or_acquire()",
        "broker.QoS removes the message from the delivering list there",
    )
    _expect_params(
        f"{BROKER}: kombu virtual Transport._deliver",
        getattr(virtual.Transport, "_deliver", None),
        [("self", POS, EMPTY), ("message", POS, EMPTY), ("queue", POS, EMPTY)],
    )


def test_kombu_qos_methods_broker_overrides_keep_their_shape() -> None:
    from kombu.transport import redis as kombu_redis

    where = f"{BROKER}: kombu.transport.redis.QoS"
    _expect_params(
        f"{where}.append",
        getattr(kombu_redis.QoS, "append", None),
        [("self", POS, EMPTY), ("message", POS, EMPTY), ("delivery_tag", POS, EMPTY)],
    )
    pipe_or_acquire = getattr(kombu_redis.QoS, "pipe_or_acquire", None)
    _expect_params(
        f"{where}.pipe_or_acquire",
        inspect.unwrap(pipe_or_acquire) if pipe_or_acquire else None,
        [("self", POS, EMPTY), ("pipe", POS, None), ("client", POS, None)],
    )


class _RecordingPipeline:
    def __init__(self, log: list) -> None:
        self.log = log
        self.commands: list[tuple] = []

    def __getattr__(self, name):
        def command(*args, **kwargs):
            self.commands.append((name, *args))
            return self

        return command

    def execute(self):
        self.log.append(self.commands)
        return []


def test_kombu_records_a_message_in_one_pipeline_that_also_leaves_the_delivering_list() -> None:
    """broker.QoS relies on kombu's QoS.append writing `unacked` through pipe_or_acquire() in one pipeline."""
    from newsdesk.state.reliable.broker import QoS

    executed: list[list[tuple]] = []

    class FakeClient:
        def pipeline(self):
            return _RecordingPipeline(executed)

    @contextmanager
    def conn_or_acquire(client=None):
        yield client or FakeClient()

    channel = SimpleNamespace(
        taken=("jobs:delivering", b"raw message"),
        conn_or_acquire=conn_or_acquire,
        unacked_key="unacked",
        unacked_index_key="unacked_index",
        do_restore=False,
    )
    qos = QoS(channel)
    message = SimpleNamespace(delivery_info={"exchange": "", "routing_key": "jobs"}, _raw={"body": "x"})

    qos.append(message, "tag-1")

    assert channel.taken is None
    assert len(executed) == 1, f"{BROKER}: kombu's QoS.append wrote in {len(executed)} pipelines"
    names = [command[0] for command in executed[0]]
    assert names[0] == "lrem" and executed[0][0][1:] == ("jobs:delivering", 1, b"raw message"), names
    assert {"zadd", "hset"} <= set(names), f"{BROKER}: kombu's QoS.append no longer writes unacked: {names}"
    assert qos.get("tag-1") is message


def test_redis_py_calls_broker_makes_on_kombus_polling_connection() -> None:
    import redis
    from redis.connection import Connection

    where = f"{BROKER}: redis"
    _expect_params(
        f"{where}.Redis.parse_response",
        getattr(redis.Redis, "parse_response", None),
        [
            ("self", POS, EMPTY),
            ("connection", POS, EMPTY),
            ("command_name", POS, EMPTY),
            ("options", VAR_KW, EMPTY),
        ],
    )
    assert callable(getattr(Connection, "send_command", None)), f"{where}.connection.Connection.send_command"
    assert callable(getattr(Connection, "disconnect", None)), f"{where}.connection.Connection.disconnect"
    client = redis.Redis(single_connection_client=False)
    assert hasattr(client, "connection"), f"{where}.Redis.connection (the BLMOVE connection) is gone"
    client.close()


# --- py3langid (tasks/enrich/language.py)


@pytest.fixture(scope="module")
def identifier():
    from tasks.enrich.language import load_identifier

    return load_identifier()


def test_py3langid_methods_language_overrides_keep_their_shape() -> None:
    from py3langid import langid

    where = f"{LANGUAGE}: py3langid.langid.LanguageIdentifier"
    cls = langid.LanguageIdentifier
    _expect_params(
        f"{where}._raw_score", getattr(cls, "_raw_score", None), [("self", POS, EMPTY), ("text", POS, EMPTY)]
    )
    _expect_params(
        f"{where}._sparse_score",
        getattr(cls, "_sparse_score", None),
        [("self", POS, EMPTY), ("visits", POS, EMPTY), ("table", POS, EMPTY)],
    )
    _expect_source(
        f"{where}._decide",
        cls._decide,
        "self._raw_score(",
        "the numpy walk in SuffixLanguageIdentifier._raw_score would never run",
    )
    assert isinstance(inspect.getattr_static(cls, "from_model_file"), classmethod), f"{where}.from_model_file"
    assert "norm_probs" in inspect.signature(cls.__init__).parameters, f"{where}.__init__ lost norm_probs"
    assert isinstance(getattr(langid, "MODEL_FILE", None), str | Path), f"{LANGUAGE}: py3langid MODEL_FILE"


def test_py3langid_model_has_the_attributes_language_reads(identifier) -> None:
    where = f"{LANGUAGE}: py3langid's LanguageIdentifier"
    for name in ("tk_nextmove", "tk_row", "tk_output", "nb_ptc", "nb_pc", "nb_classes"):
        assert hasattr(identifier, name), f"{where}.{name} is gone"
    assert isinstance(getattr(identifier.tk_nextmove, "typecode", None), str), f"{where}.tk_nextmove.typecode"
    assert len(identifier.tk_row) > 1 and len(identifier.tk_output) == len(identifier.tk_row), (
        f"{where}: tk_row/tk_output no longer one entry per automaton state"
    )
    rows = len(identifier.tk_nextmove)
    assert rows % 256 == 0 and max(identifier.tk_row) * 256 < rows, (
        f"{where}: tk_nextmove is no longer 256 next states per row that tk_row indexes"
    )
    assert identifier.nb_ptc.ndim == 2 and identifier.nb_ptc.shape[1] == len(identifier.nb_classes), (
        f"{where}.nb_ptc is no longer features x classes"
    )


# --- Scrapy (crawler/politeness.py)


def test_scrapy_retry_names_politeness_uses() -> None:
    from scrapy.downloadermiddlewares import retry
    from scrapy.settings import Settings

    where = f"{POLITENESS}: scrapy.downloadermiddlewares.retry"
    params = inspect.signature(retry.get_retry_request).parameters
    assert list(params)[0] == "request", (
        f"{where}.get_retry_request: {inspect.signature(retry.get_retry_request)}"
    )
    for name in ("spider", "reason", "max_retry_times", "priority_adjust", "give_up_log_level"):
        assert name in params and params[name].kind == KW, f"{where}.get_retry_request lost keyword {name!r}"
    middleware = retry.RetryMiddleware(Settings())
    for name in (
        "max_retry_times",
        "retry_http_codes",
        "priority_adjust",
        "give_up_log_level",
        "exceptions_to_retry",
    ):
        assert hasattr(middleware, name), f"{where}.RetryMiddleware.{name} is gone"
    assert isinstance(middleware.exceptions_to_retry, tuple), f"{where}.exceptions_to_retry is no tuple"
    _expect_source(
        f"{where}.RetryMiddleware.from_crawler",
        retry.RetryMiddleware.from_crawler,
        "o.crawler = crawler",
        "PoliteRetryMiddleware reads self.crawler",
    )


def test_scrapy_downloader_slot_names_politeness_uses() -> None:
    from scrapy import signals
    from scrapy.core.downloader import Downloader, Slot

    where = f"{POLITENESS}: scrapy.core.downloader"
    get_slot = getattr(Downloader, "_get_slot", None)
    assert get_slot is not None, f"{where}.Downloader._get_slot is gone"
    assert list(inspect.signature(inspect.unwrap(get_slot)).parameters)[:2] == ["self", "request"], (
        f"{where}.Downloader._get_slot changed shape: {inspect.signature(get_slot)}"
    )
    _expect_source(
        f"{where}.Downloader._get_slot",
        get_slot,
        "return key, self.slots[key]",
        "CrawlDelayMiddleware unpacks (key, slot)",
    )
    fields = {field.name for field in dataclasses.fields(Slot)}
    assert {"delay", "jitter"} <= fields, f"{where}.Slot lost delay or jitter: {sorted(fields)}"
    slot = Slot(concurrency=1, delay=2.0, jitter=0.5)
    slot.jitter = 0
    assert slot.download_delay() == 2.0, f"{where}.Slot: jitter 0 no longer means exactly `delay`"
    assert hasattr(signals, "robots_parsed"), f"{POLITENESS}: scrapy.signals.robots_parsed is gone"


def test_polite_retry_middleware_retries_as_scrapys_own_retry_did() -> None:
    """The retry request comes from get_retry_request, with RetryMiddleware's per-request meta overrides."""
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.politeness import PoliteRetryMiddleware

    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2, "NEWSDESK_RETRY_BACKOFF_BASE": 0})
    crawler.spider = Spider.from_crawler(crawler, name="fence")
    middleware = PoliteRetryMiddleware.from_crawler(crawler)
    request = Request("https://example.org/a", priority=5)

    first = asyncio.run(middleware.process_exception(request, TimeoutError("slow")))
    second = asyncio.run(middleware.process_exception(first, TimeoutError("slow")))
    gave_up = asyncio.run(middleware.process_exception(second, TimeoutError("slow")))

    assert (first.meta["retry_times"], first.dont_filter, first.priority) == (1, True, 4)
    assert (second.meta["retry_times"], second.priority) == (2, 3)
    assert gave_up is None
    stats = crawler.stats.get_stats()
    assert stats["retry/count"] == 2
    assert stats["retry/reason_count/builtins.TimeoutError"] == 2
    assert stats["retry/max_reached"] == 1
    overridden = Request("https://example.org/b", meta={"max_retry_times": 0})
    assert asyncio.run(middleware.process_exception(overridden, TimeoutError("slow"))) is None
    adjusted = Request("https://example.org/c", meta={"priority_adjust": 3})
    assert asyncio.run(middleware.process_exception(adjusted, TimeoutError("slow"))).priority == 3


# --- celery-redbeat (tasks/worker/beat.py)


def test_redbeat_keys_beat_reads_directly() -> None:
    from celery import Celery
    from redbeat.schedulers import RedBeatConfig, RedBeatScheduler, RedBeatSchedulerEntry, ensure_conf

    app = Celery("fence", broker="redis://localhost:1/0")
    app.conf.update(redbeat_key_prefix="nd:redbeat:", redbeat_redis_url="redis://localhost:1/0")
    conf = RedBeatConfig(app)
    where = f"{BEAT}: redbeat"
    assert conf.schedule_key == "nd:redbeat:" + ":schedule", (
        f"{where} schedule key is now {conf.schedule_key}"
    )
    ensure_conf(app)
    key = RedBeatSchedulerEntry.generate_key(app=app, name="crawl:demo")
    assert key == "nd:redbeat:crawl:demo", f"{where} entry key is now {key}"
    for name in ("setup_schedule", "tick"):
        assert callable(getattr(RedBeatScheduler, name, None)), f"{where}.RedBeatScheduler.{name} is gone"


def test_warcio_names_the_warc_reader_uses() -> None:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.limitreader import LimitReader

    where = f"{WARC_READER}: warcio"
    for name in ("get_record_offset", "get_record_length"):
        _expect_params(
            f"{where}.ArchiveIterator.{name}", getattr(ArchiveIterator, name, None), [("self", POS, EMPTY)]
        )
    # A record cut short by the end of its file leaves its LimitReader with bytes still owed.
    reader = LimitReader(io.BytesIO(b"abc"), 10)
    reader.read()
    assert getattr(reader, "limit", None) == 7, f"{where}.LimitReader.limit no longer counts what is owed"
