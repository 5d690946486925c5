"""A bulk item refused because its shard is unavailable (a node down) is retried, never rejected."""

from __future__ import annotations

import pytest

from index.bulk import RETRY_WAITS, run_bulk, with_retries
from index.client import build_client
from index.crawl_log import write_crawl_log
from index.minhash import write_minhashes
from index.raw import write_raw_pages
from index.setup import copy_documents
from index.writer import update_documents, write_articles, write_dead_letter, write_duplicates
from newsdesk.kernel.errors import NewsdeskError, TransientError
from newsdesk.kernel.settings import Settings
from tasks.dedupe.versions import REVISION_RULES

SETTINGS = Settings(index_prefix="nd")
# What Elasticsearch answers for an item whose primary shard stayed unassigned for the bulk's timeout.
UNAVAILABLE = {
    "type": "unavailable_shards_exception",
    "reason": "[nd-articles-000001][0] primary shard is not active Timeout: [1m], request: [BulkShardRequest "
    "[[nd-articles-000001][0]] containing [2] requests]",
}


def _cluster_losing(doc_ids: set[str] | None):
    """A node's answers: one index behind each alias, and bulk items for `doc_ids` (None: all) refused
    with 503."""

    def answer(method: str, path: str, body):
        if path.startswith("/_alias/"):
            alias = path.split("/")[2].split("?")[0]
            return 200, {f"{alias}-000001": {"aliases": {alias: {"is_write_index": True}}}}
        if path.startswith("/_bulk"):
            actions = body if isinstance(body, list) else [body]
            items = []
            for action in actions[::2]:
                ((op, meta),) = action.items()
                if doc_ids is None or meta["_id"] in doc_ids:
                    item = {"status": 503, "error": UNAVAILABLE}
                else:
                    item = {"status": 201, "result": "created"}
                items.append({op: {"_index": meta["_index"], "_id": meta["_id"], **item}})
            return 200, {"took": 1, "errors": doc_ids != set(), "items": items}
        return 404, {"error": {"type": "resource_not_found_exception", "reason": path}, "status": 404}

    return answer


@pytest.fixture
def es(stub_node):
    node = stub_node(_cluster_losing({"doc-2"}))
    client = build_client(Settings(es_url=node.url))
    yield client
    client.close()


def _article(n: int) -> dict:
    return {"doc_id": f"doc-{n}", "url": f"http://site.test/{n}", "title": f"Article {n}", "body": "Text."}


def test_the_item_is_a_retry_with_its_reason(es) -> None:
    operations = [{"index": {"_index": "nd-raw", "_id": f"doc-{n}"}} for n in (1, 2)]
    results = run_bulk(es, [part for op in operations for part in (op, {"n": 1})], "write")
    assert [r.outcome for r in results] == ["created", "retry"]
    assert results[1].error.startswith("unavailable_shards_exception: ")


def test_an_article_on_an_unavailable_shard_goes_round_again(es) -> None:
    results = write_articles(es, SETTINGS, [_article(1), _article(2), _article(3)], REVISION_RULES)
    # "retry" is what the index stage requeues and raises TransientError for, with backoff.
    assert [r.outcome for r in results] == ["created", "retry", "created"]
    assert "unavailable_shards_exception" in results[1].error


def test_every_other_store_retries_it_too(stub_node) -> None:
    es = build_client(Settings(es_url=stub_node(_cluster_losing(None)).url))
    duplicate = {"url": "http://copy.test/2", "doc_id": "doc-1", "seen_at": "2026-01-01T00:00:00Z"}
    assert [r.outcome for r in write_duplicates(es, SETTINGS, [duplicate])] == ["retry"]
    assert write_dead_letter(es, SETTINGS, {"url": "u", "stage": "parse"}).outcome == "retry"
    raw = [{"doc_id": "doc-1", "url": "u1"}]
    assert [r.outcome for r in write_raw_pages(es, SETTINGS, raw)] == ["retry"]
    with pytest.raises(TransientError, match="unavailable_shards_exception"):
        write_minhashes(es, SETTINGS, [{"doc_id": "doc-1", "bands": [], "signature": "", "day": 1}])
    es.close()


def test_a_crawl_log_entry_on_an_unavailable_shard_is_written_again(stub_node) -> None:
    node = stub_node(_cluster_losing({"run:2"}))
    client = build_client(Settings(es_url=node.url))
    documents = [("run:1", {"url": "u1"}), ("run:2", {"url": "u2"})]
    # Not counted as refused (that is for entries that can never be written): the run is archived again.
    with pytest.raises(TransientError, match="unavailable_shards_exception"):
        write_crawl_log(client, SETTINGS, documents)
    client.close()


def test_reenrich_sends_an_update_refused_for_now_again(stub_node) -> None:
    refusals = {"doc-2": 2}  # refused twice, as while a replica is promoted; then accepted

    def answer(method: str, path: str, body):
        if path.startswith("/_bulk"):
            items = []
            for action in body[::2]:
                meta = action["update"]
                refused = refusals.get(meta["_id"], 0) > 0
                refusals[meta["_id"]] = refusals.get(meta["_id"], 0) - 1
                item = (
                    {"status": 503, "error": UNAVAILABLE} if refused else {"status": 200, "result": "updated"}
                )
                items.append({"update": {"_index": meta["_index"], "_id": meta["_id"], **item}})
            return 200, {"took": 1, "errors": True, "items": items}
        return 200, {}

    es = build_client(Settings(es_url=stub_node(answer).url))
    updates = [("nd-articles-000001", f"doc-{n}", {"keywords": ["k"]}) for n in (1, 2, 3)]
    waited: list[float] = []

    results = with_retries(lambda batch: update_documents(es, batch), updates, sleep=waited.append)

    assert waited == [1, 2]
    assert [(r.doc_id, r.outcome) for r in results] == [
        ("doc-1", "updated"),
        ("doc-2", "updated"),
        ("doc-3", "updated"),
    ]
    es.close()


def test_reenrich_counts_an_update_still_refused_after_its_retries_as_failed(es) -> None:
    updates = [("nd-articles-000001", f"doc-{n}", {"keywords": ["k"]}) for n in (1, 2)]
    waited: list[float] = []

    results = with_retries(lambda batch: update_documents(es, batch), updates, sleep=waited.append)

    assert [r.outcome for r in results] == ["created", "retry"]
    assert waited == list(RETRY_WAITS)


def _hits(*numbers: int) -> list[dict]:
    return [{"_id": f"doc-{n}", "_source": {"title": f"Article {n}"}} for n in numbers]


def test_a_migration_copy_refused_for_now_is_sent_again(stub_node) -> None:
    refusals = {"doc-2": 2}
    copied: list[tuple[str, dict]] = []

    def answer(method: str, path: str, body):
        items = []
        for action, source in zip(body[::2], body[1::2], strict=True):
            meta = action["index"]
            refused = refusals.get(meta["_id"], 0) > 0
            refusals[meta["_id"]] = refusals.get(meta["_id"], 0) - 1
            if not refused:
                copied.append((meta["_id"], source))
            item = {"status": 503, "error": UNAVAILABLE} if refused else {"status": 201, "result": "created"}
            items.append({"index": {"_index": meta["_index"], "_id": meta["_id"], **item}})
        return 200, {"took": 1, "errors": True, "items": items}

    es = build_client(Settings(es_url=stub_node(answer).url))
    waited: list[float] = []

    count = copy_documents(
        es, _hits(1, 2, 3), "nd-articles-000002", lambda s: {**s, "upgraded": True}, sleep=waited.append
    )

    assert count == 3
    assert waited == [1, 2]
    assert sorted(doc_id for doc_id, _ in copied) == ["doc-1", "doc-2", "doc-3"]
    assert all(source["upgraded"] for _, source in copied)
    es.close()


def test_a_migration_copy_still_refused_stops_the_migration_naming_it(es) -> None:
    waited: list[float] = []

    with pytest.raises(NewsdeskError, match="1 of 3 documents refused, first doc-2: unavailable_shards"):
        copy_documents(es, _hits(1, 2, 3), "nd-articles-000002", sleep=waited.append)
    assert waited == list(RETRY_WAITS)
