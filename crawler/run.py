"""Runs one crawl of one source in its own process (Scrapy's reactor cannot restart inside a worker)."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import settings as crawler_defaults
from crawler.spiders.news import NewsSpider
from newsdesk.errors import ConfigError
from newsdesk.logs import use_json_logs
from newsdesk.settings import Settings
from newsdesk.sources import get_source


def scrapy_settings(settings: Settings, max_pages: int) -> ScrapySettings:
    scrapy_settings = ScrapySettings()
    scrapy_settings.setmodule(crawler_defaults, priority="project")
    scrapy_settings.setdict(
        {
            "USER_AGENT": settings.user_agent,
            "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
            "DOWNLOAD_WARNSIZE": 0,
            "CLOSESPIDER_PAGECOUNT": max_pages,
            "CLOSESPIDER_TIMEOUT": settings.crawl_time_limit,
            "NEWSDESK_SETTINGS": settings,
        },
        priority="cmdline",
    )
    return scrapy_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source")
    parser.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        source = get_source(settings.sources_file, args.source).resolved(settings.demo_url)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    process = CrawlerProcess(scrapy_settings(settings, source.max_pages), install_root_handler=True)
    if settings.log_format == "json":
        use_json_logs(logging.getLogger(), default_stage="crawl")
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, source=source, run_id=args.run_id)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({k: v for k, v in stats.items() if isinstance(v, int | float | str)}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
