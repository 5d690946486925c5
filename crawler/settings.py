"""Scrapy settings for newsdesk crawls; per-run values are layered on by `crawler.run`."""

BOT_NAME = "newsdesk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio tasks for the output of every response, however little it yields (one
# item and a few links here): the default of 100 cost more CPU than parsing the page.
CONCURRENT_ITEMS = 8
# Scrapy re-reads a callback's source to warn about `return value` in generators; a bound method is a new
# object each time, so its cache never hits and every response paid for an `ast.parse`.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.0
AUTOTHROTTLE_MAX_DELAY = 60.0
# Off unless a source asks for a cookie jar (request.cookies; crawler.run turns it on for that crawl).
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
ITEM_PIPELINES = {"crawler.handoff.HandOffPipeline": 500}
# Revisions: the re-check schedule and listing presence, saved once the crawl has closed.
EXTENSIONS = {"crawler.listing_watch.RevisionWatch": 500}
DOWNLOADER_MIDDLEWARES = {
    # Before anything asks for the request's slot, Scrapy's cookie (700) and proxy (750) middlewares.
    "crawler.access.SourceAccessMiddleware": 105,
    "crawler.politeness.CrawlDelayMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.PoliteRetryMiddleware": 550,
    # After redirects are followed (600) on the way out, before them on the way back in.
    "crawler.politeness.SafetyMiddleware": 650,
}
# Scrapy's default since 2.13, named here because rendering (scrapy-playwright) needs it: every crawl runs
# on the same reactor, rendering or not, so a plain crawl is not changed by a rendering one.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
