"""The re-check schedule and the gone watch on a real Redis."""

from __future__ import annotations

import pytest

from newsdesk.kernel.recheck import Recheck
from newsdesk.state.revisits import GoneWatch, RecheckSchedule

pytestmark = pytest.mark.services
HOUR, DAY = 3600.0, 86400.0
URL = "http://example.test/a/article/1.html"


def test_schedule_decays_keeps_validators_and_drops_past_the_horizon(clean_stores, redis_client):
    schedule = RecheckSchedule(redis_client, clean_stores.index_prefix)
    recheck = Recheck()
    t0 = 1_000_000.0
    counts = schedule.record_checks(
        "s",
        [
            {"url": URL, "status": 200, "at": t0, "etag": '"v1"', "last_modified": "Mon, 01 Jan 2026"},
            {"url": URL + "?utm_source=x", "status": 200, "at": t0, "etag": '"v1"'},
        ],
        recheck,
    )
    assert counts == {"scheduled": 1, "dropped": 0}  # the tracking copy is the same article
    assert schedule.due("s", now=t0 + HOUR - 1) == {}
    due = schedule.due("s", now=t0 + HOUR)
    assert list(due) == [URL] and due[URL]["etag"] == '"v1"' and due[URL]["first_seen"] == t0

    # A 304 keeps the validators; two days on, the next check is a day later.
    schedule.record_checks("s", [{"url": URL, "status": 304, "at": t0 + 2 * DAY}], recheck)
    assert schedule.due("s", now=t0 + 3 * DAY - 1) == {}
    assert schedule.due("s", now=t0 + 3 * DAY)[URL]["etag"] == '"v1"'

    # Gone: the next check fetches in full (no validators), so a restored page is seen.
    schedule.record_checks("s", [{"url": URL, "status": 404, "at": t0 + 3 * DAY}], recheck)
    assert "etag" not in schedule.due("s", now=t0 + 4 * DAY)[URL]

    # Past the horizon the article leaves the schedule.
    counts = schedule.record_checks("s", [{"url": URL, "status": 304, "at": t0 + 91 * DAY}], recheck)
    assert counts == {"scheduled": 0, "dropped": 1}
    assert schedule.count("s") == 0


def test_make_due_and_gone_watch(clean_stores, redis_client):
    schedule = RecheckSchedule(redis_client, clean_stores.index_prefix)
    schedule.record_checks("s", [{"url": URL, "status": 200, "at": 5_000_000.0}], Recheck())
    assert schedule.due("s", now=5_000_001.0) == {}
    assert schedule.make_due("s") == 1
    assert list(schedule.due("s", now=5_000_001.0)) == [URL]

    watch = GoneWatch(redis_client, clean_stores.index_prefix)
    assert watch.observe("d1", "2026-01-01T00:00:00+00:00") == "2026-01-01T00:00:00+00:00"
    assert watch.observe("d1", "2026-01-02T00:00:00+00:00") == "2026-01-01T00:00:00+00:00"
    watch.clear(["d1"])
    assert watch.observe("d1", "2026-01-03T00:00:00+00:00") == "2026-01-03T00:00:00+00:00"


def test_restore_schedules_archived_articles_without_touching_scheduled_ones(clean_stores, redis_client):
    schedule = RecheckSchedule(redis_client, clean_stores.index_prefix)
    now = 9_000_000.0
    schedule.record_checks("s", [{"url": URL, "status": 200, "at": now, "etag": '"e"'}], Recheck())
    other = "http://example.test/a/article/2.html"
    old = "http://example.test/a/article/3.html"
    restored = schedule.restore(
        "s", [(URL, now - DAY), (other, now - 2 * DAY), (old, now - 100 * DAY)], Recheck(), now
    )
    assert restored == 2  # past the horizon: not scheduled
    assert schedule.due("s", now=now + HOUR)[URL]["etag"] == '"e"'  # left alone
    assert list(schedule.due("s", now=now + DAY)) == [URL, other]


def test_listing_presence_reports_unlisted_once_and_relisted(clean_stores, redis_client):
    from newsdesk.state.revisits import ListingPresence

    presence = ListingPresence(redis_client, clean_stores.index_prefix)
    a, b, c = (f"http://example.test/a/article/{n}.html" for n in (1, 2, 3))
    listing, sitemap = "http://example.test/a/", "http://example.test/sitemap.xml"
    t0 = 1_000_000.0
    first = presence.record_crawl("s", {listing: [a, b + "?utm_source=rss"], sitemap: [c]}, [], t0, 60)
    assert (first.listed, first.unlisted, first.relisted) == (3, [], [])
    # The sitemap answers 304: its articles are still listed. b left the listing; within the grace period.
    soon = presence.record_crawl("s", {listing: [a]}, [sitemap], t0 + 30, 60)
    assert (soon.listed, soon.unlisted) == (2, [])
    # A partial crawl (no grace given) judges nothing, however long b has been missing.
    assert presence.record_crawl("s", {listing: [a]}, [sitemap], t0 + 500, None).unlisted == []
    # A complete crawl that reaches neither page reports b and c once; a, whose own address answered
    # "gone" in that crawl, is left to that answer until a crawl where it did not.
    later = presence.record_crawl("s", {listing: []}, [], t0 + 600, 60, decided_elsewhere={a})
    assert later.unlisted == [(b, t0), (c, t0 + 500)] and later.listed == 0
    assert presence.record_crawl("s", {listing: []}, [], t0 + 700, 60, decided_elsewhere={a}).unlisted == []
    assert presence.record_crawl("s", {listing: []}, [], t0 + 800, 60).unlisted == [(a, t0 + 500)]
    back = presence.record_crawl("s", {listing: [b]}, [], t0 + 900, 60)
    assert back.relisted == [b] and back.unlisted == []
    presence.unreport("s", back)
    assert presence.record_crawl("s", {listing: [b]}, [], t0 + 950, 60).relisted == [b]
