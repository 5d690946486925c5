"""The real-pages benchmark's judge: a crawl's fates, index and copies against the ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.realsite import (
    capped,
    classify_stored,
    judge_crawl,
    kind_of,
    merged_crawls,
    settled,
    stored_path,
)
from newsdesk.demosite.realsite import generate_real_site, load_real_pages
from tasks.dedupe.identity import canonical_url, document_id

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site():
    return generate_real_site(load_real_pages(GOLDEN), seed=1)


def _perfect_crawl(site):
    """What a crawl that did everything right leaves: every article indexed, every copy recorded."""
    indexed = [canonical_url(BASE + path) for path in site.articles]
    copies = {
        canonical_url(BASE + path): document_id(canonical_url(BASE + original))
        for path, original in {**site.mirrors, **site.republications}.items()
    }
    fates = {BASE + path: ("new", "") for path in site.articles}
    fates |= {BASE + path: ("duplicate", "") for path in {**site.mirrors, **site.republications}}
    fates |= {BASE + path: ("refused", "robots.txt") for path in site.robots_refused}
    requested = [*site.articles, *site.mirrors, *site.republications, "/robots.txt"]
    fates[BASE + "/robots.txt"] = ("discovery", "")
    return fates, requested, indexed, copies


def test_a_perfect_crawl_is_judged_whole(site):
    fates, requested, indexed, copies = _perfect_crawl(site)

    judged = judge_crawl(site, BASE, fates, requested, indexed, copies)

    assert judged["coverage"] == 1.0 and judged["covered"] == len(site.articles)
    assert judged["missing"] == judged["false_merges"] == judged["unfated"] == judged["copies_wrong"] == []
    assert judged["copies_recorded_right"] == judged["copies"] == len(site.mirrors) + len(site.republications)
    assert judged["robots_refused_fates"] == {"refused": len(site.robots_refused)}
    assert judged["unrequested_fated"] == len(site.robots_refused)
    assert judged["fates_by_kind"]["article"] == {"new": len(site.articles)}
    assert judged["fates_by_kind"]["listing, feed, sitemap or home"] == {"discovery": 1}


def test_missing_articles_false_merges_and_unfated_urls_are_named(site):
    fates, requested, indexed, copies = _perfect_crawl(site)
    lost, merged, other = sorted(site.articles)[:3]
    indexed = [
        url for url in indexed if url not in (canonical_url(BASE + lost), canonical_url(BASE + merged))
    ]
    copies[canonical_url(BASE + merged)] = document_id(canonical_url(BASE + other))
    fates[BASE + lost] = ("not_article", "120 characters of text")
    mirror = sorted(site.mirrors)[0]
    del copies[canonical_url(BASE + mirror)]
    indexed.append(canonical_url(BASE + mirror))
    requested.append("/nowhere")

    judged = judge_crawl(site, BASE, fates, requested, indexed, copies)

    assert judged["covered"] == len(site.articles) - 2
    assert [BASE + lost, "not_article", "120 characters of text"] in judged["missing"]
    assert judged["false_merges"] == [[BASE + merged, BASE + other]]
    assert judged["copies_wrong"] == [
        [BASE + mirror, "indexed as a story of its own (its original: indexed)"]
    ]
    assert judged["unfated"] == [BASE + "/nowhere"]
    assert judged["never_requested"] == 0


def test_an_original_recorded_as_a_copy_of_its_own_mirror_is_the_right_story_the_wrong_way_round(site):
    fates, requested, indexed, copies = _perfect_crawl(site)
    mirror, original = sorted(site.mirrors.items())[0]
    unfetched = next(path for path in sorted(site.articles) if path != original)
    indexed.remove(canonical_url(BASE + original))
    indexed.append(canonical_url(BASE + mirror))
    del copies[canonical_url(BASE + mirror)]
    copies[canonical_url(BASE + original)] = document_id(canonical_url(BASE + mirror))
    indexed.remove(canonical_url(BASE + unfetched))
    requested.remove(unfetched)
    del fates[BASE + unfetched]

    judged = judge_crawl(site, BASE, fates, requested, indexed, copies)

    assert judged["copy_indexed_first"] == [[BASE + original, BASE + mirror]]
    assert judged["false_merges"] == []
    assert judged["covered"] == len(site.articles) - 1
    assert judged["missing"] == [[BASE + unfetched, "never fetched", ""]]
    assert judged["never_requested"] == 1


def test_urls_are_sorted_by_what_the_ground_truth_says_they_are(site):
    article, tracking = sorted(site.articles)[0], sorted(site.tracking_variants)[0]
    assert kind_of(site, article) == "article"
    assert kind_of(site, tracking) == "tracking variant"
    assert kind_of(site, article + "?replytocom=12") == "article with another query"
    assert kind_of(site, "/latest/") == "listing, feed, sitemap or home"
    assert kind_of(site, "/no/such/page") == "not served (link rot)"


def test_what_the_peer_stored_is_sorted_by_the_ground_truth(site):
    article, mirror = sorted(site.articles)[0], sorted(site.mirrors)[0]
    urls = [
        f"http://127.0.0.2{article}",
        f"http://127.0.0.2{article}?utm_source=x",
        f"http://127.0.0.2{mirror}",
    ]

    assert stored_path(urls[1]) is None
    assert classify_stored(site, [*urls, "http://127.0.0.2/latest/"]) == {
        "articles": 1,
        "tracking copies": 1,
        "mirrors and republications": 1,
        "listings, feed and other pages": 1,
    }


def test_crawls_are_merged_with_each_urls_latest_fate_and_settle_on_a_whole_crawl_with_nothing_new():
    first = {"url_fates": {"a": ("new", ""), "b": ("dead_link", "answered 404")}, "requested_paths": ["/a"]}
    second = {"url_fates": {"a": ("not_modified", "")}, "requested_paths": ["/a", "/c"]}

    merged = merged_crawls([first, second])

    assert merged == {
        "url_fates": {"a": ("not_modified", ""), "b": ("dead_link", "answered 404")},
        "requested_paths": ["/a", "/c"],
    }
    assert settled({"run": {"crawl_finish_reason": "finished", "new": 0}})
    assert not settled({"run": {"crawl_finish_reason": "finished", "new": 3}})
    assert not settled({"run": {"crawl_finish_reason": "closespider_pagecount", "new": 0}})


def test_a_record_of_an_articles_own_url_variant_is_no_merge(site):
    fates, requested, indexed, copies = _perfect_crawl(site)
    article = sorted(site.articles)[0]
    own = document_id(canonical_url(BASE + article))
    copies[BASE + article + "?utm_source=newsletter"] = own

    judged = judge_crawl(site, BASE, fates, requested, indexed, copies)

    assert judged["false_merges"] == [] and judged["coverage"] == 1.0


def test_long_lists_are_cut_for_the_result_file_with_their_length_kept():
    assert capped({"missing": list(range(7)), "covered": 3}, keep=5) == {
        "missing": [0, 1, 2, 3, 4],
        "missing_count": 7,
        "covered": 3,
    }
