"""Fates: what became of each URL a crawl fetched. Exactly one per URL and run, and the counts add up.

The pipeline records the fate of every page the crawler handed on; the crawler records the fate of every
URL it fetched and kept (a listing, a "not modified", a dead link, a refusal, a fetch that failed).
"""

from __future__ import annotations

# An article: indexed (new or changed), confirmed unchanged, or recorded as a copy of another story.
ARTICLE_FATES = ("new", "updated", "unchanged", "duplicate")
# What the pipeline records for a page the crawler handed on; a run is done when each page has one.
PIPELINE_FATES = (*ARTICLE_FATES, "not_article", "dead_link", "fetch_error", "rejected", "failed")
# What the crawler records itself, for URLs it never hands on.
CRAWLER_FATES = ("discovery", "not_modified", "dead_link", "refused", "fetch_error", "rejected", "skipped")
FATES = tuple(dict.fromkeys((*PIPELINE_FATES, *CRAWLER_FATES)))
DEAD_STATUSES = (404, 410)

FATE_MEANINGS = {
    "new": "indexed, first seen",
    "updated": "indexed, changed since the last crawl",
    "unchanged": "already indexed, no change",
    "duplicate": "recorded as a copy of another article",
    "not_article": "not an article (the evidence is recorded)",
    "dead_link": "answered 404 or 410",
    "fetch_error": "could not be fetched (timeout, refused connection, server error)",
    "rejected": "refused by a stage, with its reason",
    "failed": "gave up after retries (dead-lettered)",
    "discovery": "a listing, feed, sitemap or robots.txt read for links",
    "not_modified": "answered 304 to a conditional request",
    "refused": "never fetched: robots.txt, an off-site redirect or a private address",
    "skipped": "left unread: older than the source's window, or asked for as the crawl ended at its limit",
}


def fate_of_rejection(reason: str) -> str:
    """The fate a stage's rejection reason stands for: most reasons are `rejected`, a few say more."""
    if reason == "not_an_article":
        return "not_article"
    if reason in {f"http_{status}" for status in DEAD_STATUSES}:
        return "dead_link"
    if reason == "fetch_failed" or reason.startswith("http_"):
        return "fetch_error"
    if reason == "too_old":
        return "skipped"
    return "rejected"
