"""The wire contract between the crawler, the workers and the operators' tools: queue, task names, schemas.

Both sides import these names; neither spells them out again. The crawler sends a named task with a plain
JSON payload and never imports worker code; a replayed dead letter re-enters its stage by the same name.
"""

from __future__ import annotations

# The page queue: the crawler sends to it, workers take from it, `newsdesk metrics` reads its depth.
QUEUE = "newsdesk"
# Crawls (up to an hour each) have their own queue and workers (`-Q newsdesk-crawl`): they never hold the
# slots page tasks need, so a spider waiting on backpressure is never waiting on itself.
CRAWL_QUEUE = "newsdesk-crawl"

TASK_PREFIX = "newsdesk."
PARSE_TASK = "newsdesk.parse"
DEDUPE_TASK = "newsdesk.dedupe"
ENRICH_TASK = "newsdesk.enrich"
INDEX_TASK = "newsdesk.index"
FLUSH_INDEX_TASK = "newsdesk.flush_index"
LISTING_CHANGES_TASK = "newsdesk.listing_changes"
CRAWL_TASK = "newsdesk.crawl"
DRAIN_DEAD_LETTERS_TASK = "newsdesk.drain_dead_letters"
ARCHIVE_RUN_TASK = "newsdesk.archive_run"

# Payload versions: a worker refuses (records, never guesses at) a payload of a version it does not know.
PAGE_SCHEMA = 1
ARTICLE_SCHEMA = 1
LISTING_CHANGES_SCHEMA = 1


def stage_task(stage: str) -> str:
    """The task that (re-)enters the pipeline at `stage`: "parse", "dedupe", "enrich" or "index"."""
    return f"{TASK_PREFIX}{stage}"
