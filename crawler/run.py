"""Runs one crawl of one source in its own process (Scrapy's reactor cannot restart inside a worker)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import settings as crawler_defaults
from crawler.access import install_log_redaction, slot_name
from crawler.listing_watch import reads_every_listing_page, settle_pages_handed_on, unlisted_grace_seconds
from crawler.rendering import find_chromium, render_settings
from crawler.socks import bridged
from crawler.spiders.news import NewsSpider
from newsdesk.kernel.access import Access, crawl_user_agent, resolve_access, user_agent_refusal
from newsdesk.kernel.crawl_request import CrawlRequest
from newsdesk.kernel.errors import ConfigError, NewsdeskError
from newsdesk.kernel.logs import use_json_logs
from newsdesk.kernel.redaction import Redactor
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import Source, resolve_source
from newsdesk.state.client import build_redis
from newsdesk.state.crawl_state import CrawlState
from newsdesk.state.dead_links import DeadLinks
from newsdesk.state.revisits import RecheckSchedule
from newsdesk.state.runs import RunStore


def scrapy_settings(
    settings: Settings, max_pages: int, source: Source | None = None, access: Access | None = None
) -> ScrapySettings:
    scrapy_settings = ScrapySettings()
    scrapy_settings.setmodule(crawler_defaults, priority="project")
    values = {
        "USER_AGENT": crawl_user_agent(settings.user_agent, settings.contact),
        "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "CLOSESPIDER_PAGECOUNT": max_pages,
        "CLOSESPIDER_TIMEOUT": settings.crawl_time_limit,
        "NEWSDESK_SETTINGS": settings,
    }
    if source is not None:
        polite = source.politeness
        values.update(
            {
                "USER_AGENT": crawl_user_agent(settings.user_agent, settings.contact, polite.user_agent),
                "ROBOTSTXT_OBEY": polite.obey_robots,
                "DOWNLOAD_DELAY": polite.download_delay,
                "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
                "AUTOTHROTTLE_ENABLED": polite.autothrottle,
                "AUTOTHROTTLE_START_DELAY": polite.download_delay,
                "AUTOTHROTTLE_TARGET_CONCURRENCY": float(polite.concurrency),
                "DOWNLOAD_TIMEOUT": polite.timeout,
                "RETRY_TIMES": polite.retry_times,
                "NEWSDESK_MAX_RETRY_AFTER": polite.max_retry_after,
                # Every request of the crawl goes through the source's one slot (crawler.access).
                "DOWNLOAD_SLOTS": {
                    slot_name(source.name): {
                        "concurrency": polite.concurrency,
                        "delay": polite.download_delay,
                    }
                },
                # A cookie jar only for a source that asks for one (request.cookies).
                "COOKIES_ENABLED": bool(access and access.cookie_jar),
            }
        )
        if source.render is not None:
            # Only a rendering source gets the browser's download handler (and its start-up cost).
            rendering = render_settings(source.render, find_chromium())
            rendering["DOWNLOADER_MIDDLEWARES"] = {
                **crawler_defaults.DOWNLOADER_MIDDLEWARES,
                **rendering["DOWNLOADER_MIDDLEWARES"],
            }
            values.update(rendering)
    scrapy_settings.setdict(values, priority="cmdline")
    return scrapy_settings


def crawl_access(settings: Settings, source: Source, environ) -> Access:
    """The source's request settings with their secrets, read once at start; ConfigError when a variable
    is missing or, in production, when the User-Agent names no real contact."""
    if settings.production:
        agent = crawl_user_agent(settings.user_agent, settings.contact, source.politeness.user_agent)
        refusal = user_agent_refusal(agent)
        if refusal:
            raise ConfigError(f"NEWSDESK_PRODUCTION is on: {refusal}")
    return resolve_access(source.request, source.start_urls, environ, source.name)


def lost_after(settings: Settings, now: float | None = None) -> float:
    """Runs whose crawl finished before this moment have had every chance to give each page a fate: a task
    redelivered after the broker's visibility timeout, then retried up to `max_retries` times."""
    longest_retries = settings.max_retries * settings.retry_backoff_max
    return (time.time() if now is None else now) - settings.broker_visibility_timeout - longest_retries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    CrawlRequest.add_arguments(parser)
    parser.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    request = CrawlRequest.from_arguments(args)
    settings = Settings.from_env()
    try:
        source = resolve_source(
            settings.sources_file, settings.demo_url, request.source, request.url, request.allow_private
        )
        state = CrawlState(build_redis(settings), settings.index_prefix, settings.crawl_state_max_urls)
        # Read once, before the reactor starts: the spider then never blocks on Redis to skip a URL.
        known = set() if request.refetch_known else state.known_digests(source.name)
        validators = {} if request.refetch_known else state.page_validators(source.name)
        runs = RunStore(state.client, settings.index_prefix)
        validators = settle_pages_handed_on(state, runs, source.name, validators)
        dead = (
            {} if request.refetch_known else DeadLinks(state.client, settings.index_prefix).load(source.name)
        )
        reads = state.listing_reads(source.name)
        every_page = request.refetch_known or reads_every_listing_page(
            source, reads, time.time(), unlisted_grace_seconds(source, settings)
        )
        schedule = RecheckSchedule(state.client, settings.index_prefix)
        if request.recheck_all:
            schedule.make_due(source.name)
        due = {} if request.refetch_known else schedule.due(source.name, limit=source.recheck.max_per_crawl)
        # Pages earlier runs handed on that never got a fate: asked for again, so none is lost for good.
        lost = {} if args.run_id is None else runs.lost_handoffs(source.name, lost_after(settings))
        access = bridged(crawl_access(settings, source, os.environ))
        crawl_settings = scrapy_settings(settings, source.max_pages, source, access)
    except NewsdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(crawl_settings, install_root_handler=True)
    if settings.log_format == "json":
        use_json_logs(logging.getLogger(), default_stage="crawl")
    install_log_redaction(Redactor(access.secrets))
    crawler = process.create_crawler(NewsSpider)
    process.crawl(
        crawler,
        source=source,
        run_id=args.run_id,
        known=known,
        validators=validators,
        due=due,
        read_every_listing_page=every_page,
        dead=dead,
        trust_validators=reads.complete,
        access=access,
        redo=sorted({url for urls in lost.values() for url in urls}),
    )
    process.start()
    try:
        for lost_in, urls in lost.items():
            runs.mark_redone(lost_in, urls, in_run=args.run_id)
    except NewsdeskError as exc:
        # Not marked: the next crawl asks for those pages once more, which is harmless.
        print(f"warning: lost hand-offs not marked as redone: {exc}", file=sys.stderr)
    stats = crawler.stats.get_stats()
    print(json.dumps({k: v for k, v in stats.items() if isinstance(v, int | float | str)}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
