"""Unit tests for the dedupe stage: canonical URLs, document ids, identity and claims."""

from __future__ import annotations

import pytest

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import Article
from tasks.dedupe.identity import (
    assign_identity,
    canonical_url,
    copy_record,
    document_id,
    is_copy,
    judge_claim,
)

CANONICAL = "https://news.example.org/mfa/article/12-talks.html?id=7&page=2"
# Every address a crawler meets for the one article above.
VARIANTS = [
    CANONICAL,
    "HTTPS://News.Example.ORG/mfa/article/12-talks.html?id=7&page=2",
    "https://news.example.org:443/mfa/article/12-talks.html?id=7&page=2",
    "https://news.example.org/mfa/article/12-talks.html?page=2&id=7",
    "https://news.example.org/mfa/article/12-talks.html?id=7&page=2#comments",
    "https://news.example.org/mfa/article/12-talks.html/?id=7&page=2",
    "https://news.example.org/mfa/./article/../article/12-talks.html?id=7&page=2",
    "https://news.example.org/mfa/article/12%2Dtalks%2Ehtml?id=7&page=2",
    "https://news.example.org//mfa//article/12-talks.html?id=7&page=2",
    "https://news.example.org./mfa/article/12-talks.html?id=7&page=2",
    "  https://news.example.org/mfa/article/12-talks.html?id=7&page=2\n",
    "https://news.example.org/mfa/article/12-talks.html?utm_source=featured&utm_medium=web&utm_campaign=demo"
    "&id=7&page=2",
    "https://news.example.org/mfa/article/12-talks.html?id=7&fbclid=IwAR0abc&gclid=Cj0KCQ&page=2",
    "https://news.example.org/mfa/article/12-talks.html?PHPSESSID=deadbeef&id=7&jsessionid=1&sid=2&page=2",
    "https://news.example.org/mfa/article/12-talks.html?id=7&UTM_Source=x&sessionid=9&page=2&ref=home",
]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/A/B", "http://example.com/A/B"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://example.com/a#section-2", "http://example.com/a"),
        ("http://example.com/#top", "http://example.com/"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com/", "http://example.com/"),
        ("http://example.com/news/", "http://example.com/news"),
        ("http://example.com/a/./b/../c/", "http://example.com/a/c"),
        ("http://example.com/../../a", "http://example.com/a"),
        ("http://example.com/%7Euser/caf%c3%a9", "http://example.com/~user/caf%C3%A9"),
        ("http://example.com/~user/café", "http://example.com/~user/caf%C3%A9"),
        ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
        ("http://example.com/a b", "http://example.com/a%20b"),
        ("http://example.com/a%2541", "http://example.com/a%2541"),
        ("http://example.com/%C7%D1%B1%B9.html", "http://example.com/%C7%D1%B1%B9.html"),
        ("http://example.com/s?q=%c7%d1", "http://example.com/s?q=%C7%D1"),
        ("http://example.com/s?q=%ED%95%9C", "http://example.com/s?q=%ED%95%9C"),
        ("http://example.com/s?q=한", "http://example.com/s?q=%ED%95%9C"),
        ("http://example.com/s?q=a%20b", "http://example.com/s?q=a+b"),
        ("http://example.com/s?b=2&a=1&c=", "http://example.com/s?a=1&b=2&c="),
        ("http://example.com/s?", "http://example.com/s"),
        ("http://example.com/s?utm_source=x&utm_medium=y", "http://example.com/s"),
        ("http://example.com/s?fbclid=1&gclid=2&msclkid=3&page=4", "http://example.com/s?page=4"),
        (
            "http://example.com/s?PHPSESSID=1&JSESSIONID=2&sid=3&session_id=4&id=5",
            "http://example.com/s?id=5",
        ),
        ("http://example.com/s?aspsessionidqadb=1&q=x", "http://example.com/s?q=x"),
        ("http://example.com/s?utmost=1&session=2&side=3", "http://example.com/s?session=2&side=3&utmost=1"),
        ("http://user:secret@example.com/a", "http://example.com/a"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


@pytest.mark.parametrize("url", VARIANTS)
def test_every_variant_has_one_canonical_url_and_document_id(url: str) -> None:
    assert canonical_url(url) == CANONICAL
    assert document_id(canonical_url(url)) == document_id(CANONICAL)


def test_legacy_encoded_addresses_stay_distinct() -> None:
    # "한" and "대" in EUC-KR: decoded as UTF-8, both would become the same two U+FFFD characters.
    first = canonical_url("http://news.example.kr/view?title=%C7%D1")
    second = canonical_url("http://news.example.kr/view?title=%B4%EB")

    assert (first, second) == (
        "http://news.example.kr/view?title=%C7%D1",
        "http://news.example.kr/view?title=%B4%EB",
    )
    assert document_id(first) != document_id(second)
    assert canonical_url("http://e.kr/%C7%D1.html") != canonical_url("http://e.kr/%B4%EB.html")


def test_document_id_is_pinned() -> None:
    # Stored documents are addressed by this id: changing the scheme would duplicate the whole archive.
    assert document_id(CANONICAL) == "96948b92ab8fb73dccdad34e50362b7ef754b207"
    assert document_id(CANONICAL) == document_id(CANONICAL)
    assert document_id("http://example.com/a") != document_id("http://example.com/b")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "mailto:desk@example.com",
        "javascript:void(0)",
        "/relative/path.html",
        "example.com/no-scheme",
        "",
        "http:///no-host",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://[::1/unclosed",
    ],
)
def test_what_is_not_an_http_url_is_rejected(url: str) -> None:
    with pytest.raises(Rejected) as caught:
        canonical_url(url)

    assert caught.value.reason == "bad_url"
    assert repr(url) in caught.value.detail


def article(final_url: str, canonical_hint: str | None = None, url: str | None = None) -> Article:
    return Article(
        url=url or final_url,
        final_url=final_url,
        crawl_source="demo",
        fetched_at="2025-08-01T00:00:00+00:00",
        title="A title",
        body="A body.",
        canonical_hint=canonical_hint,
    )


def test_assign_identity_uses_the_fetched_url() -> None:
    identified = assign_identity(article("https://News.example.org/a/?utm_source=x#top"))

    assert identified.canonical_url == "https://news.example.org/a"
    assert identified.doc_id == document_id("https://news.example.org/a")
    assert identified.title == "A title"


def test_assign_identity_falls_back_to_url_without_final_url() -> None:
    identified = assign_identity(article("", url="https://news.example.org/b?fbclid=1"))

    assert identified.canonical_url == "https://news.example.org/b"


def test_assign_identity_honours_a_same_host_canonical_hint() -> None:
    fetched = "https://news.example.org/print/12?utm_source=rss"
    hint = "HTTPS://news.example.org:443/mfa/article/12-talks.html#x"

    identified = assign_identity(article(fetched, canonical_hint=hint))

    assert identified.canonical_url == "https://news.example.org/mfa/article/12-talks.html"
    assert identified.doc_id == document_id("https://news.example.org/mfa/article/12-talks.html")


@pytest.mark.parametrize(
    "hint",
    [
        "https://syndicator.example.com/mfa/article/12-talks.html",
        "https://www.news.example.org/mfa/article/12-talks.html",
        "ftp://news.example.org/12",
        "https://news.example.org:99999/12",
        "not a url at all",
        "https://news.example.org/",
        "https://news.example.org",
    ],
)
def test_assign_identity_ignores_a_cross_host_or_broken_hint(hint: str) -> None:
    identified = assign_identity(article("https://news.example.org/print/12", canonical_hint=hint))

    assert identified.canonical_url == "https://news.example.org/print/12"
    assert identified.doc_id == document_id("https://news.example.org/print/12")


def test_assign_identity_rejects_an_article_with_a_bad_url() -> None:
    with pytest.raises(Rejected) as caught:
        assign_identity(article("file:///etc/passwd"))

    assert caught.value.reason == "bad_url"


def test_judge_claim_owner_and_duplicate() -> None:
    mine = article("https://news.example.org/a")

    owned = judge_claim(mine, "https://news.example.org/a")
    assert owned.article is mine
    assert owned.duplicate_of is None

    copy = judge_claim(mine, "https://news.example.org/b")
    assert copy.article is mine
    assert copy.duplicate_of == "https://news.example.org/b"


def test_judge_claim_uses_url_when_there_is_no_final_url() -> None:
    mine = article("", url="https://news.example.org/a")

    assert judge_claim(mine, "https://news.example.org/a").duplicate_of is None
    assert judge_claim(mine, "https://news.example.org/z").duplicate_of == "https://news.example.org/z"


def test_the_closest_archived_article_is_the_most_similar_one_published_close_enough():
    from newsdesk.state.claims import BAND_BYTES, BANDS
    from tasks.dedupe.identity import closest_archived
    from tasks.dedupe.similarity import BANDS as SIMILARITY_BANDS
    from tasks.dedupe.similarity import ROWS, SIGNATURE_BITS, content_key

    # The claim script reads bands out of stored signatures with this width, and the sweep that forgets
    # them is handed the shards of this many bands.
    assert BAND_BYTES == ROWS * SIGNATURE_BITS // 8
    assert BANDS == SIMILARITY_BANDS
    text = " ".join(f"word{n}" for n in range(200))
    key = content_key(text, "2024-06-19")
    close = content_key(text + " and a few more words at the end", "2024-06-20")
    other = content_key(" ".join(f"other{n}" for n in range(200)), "2024-06-19")
    far = content_key(text, "2024-09-19")
    undated = content_key(text + " with one more line", None)
    candidates = [("other", other.signature, other.day), ("close", close.signature, close.day)]
    best = closest_archived(key, candidates, max_days_apart=3)
    assert best is not None and best[0] == "close" and best[1] > 0.8
    assert closest_archived(key, [("far", far.signature, far.day)], max_days_apart=3) is None
    # An unknown day is close to any day, either way round.
    assert closest_archived(key, [("undated", undated.signature, undated.day)], 3)[0] == "undated"
    assert closest_archived(undated, [("far", far.signature, far.day)], 3)[0] == "far"
    assert closest_archived(key, [], 3) is None


def test_the_forget_sweep_finds_each_band_where_the_claim_wrote_it() -> None:
    from newsdesk.state.claims import BAND_BYTES, ContentClaims
    from tasks.dedupe.similarity import content_key

    claims = ContentClaims(client=_NoScripts(), prefix="nd", window_seconds=3600)
    key = content_key(" ".join(f"word{n}" for n in range(200)), "2024-06-19")
    shards = claims.band_shard_keys(7)
    # The index the sweep script computes (0-based here) from the stored signature's raw bytes.
    for number, band in enumerate(key.bands):
        minima = key.signature[number * BAND_BYTES : (number + 1) * BAND_BYTES]
        assert shards[number * 16 + minima[0] // 16] == claims._shard(7, band)
    assert len(set(shards)) == len(shards)


class _NoScripts:
    """A client for the stores' pure parts: scripts are registered, never run."""

    def register_script(self, script: str) -> None:
        return None


@pytest.mark.parametrize("kind", ["url", "exact", "near"])
def test_a_copy_waits_for_the_flush_with_its_record_and_its_listing(kind: str) -> None:
    fetched = assign_identity(
        article("https://b.example.org/12?utm_source=rss", url="https://b.example.org/12")
    )
    fetched = fetched.replace(run_id="run-1", source="B News", fetched_at="2026-11-27T10:00:00+00:00")

    copy = copy_record(fetched, kind, "canonical-id", "2026-11-27T10:00:01+00:00")

    assert is_copy(copy) and not is_copy(fetched.to_dict())
    # The run counts the URL the spider handed on; the record and the listing name the address served.
    assert (copy["url"], copy["run_id"], copy["copy_of"]) == (
        "https://b.example.org/12",
        "run-1",
        "canonical-id",
    )
    assert copy["record"] == {
        "url": "https://b.example.org/12?utm_source=rss",
        "canonical_url": "https://b.example.org/12" if kind == "url" else None,
        "doc_id": "canonical-id",
        "crawl_source": fetched.crawl_source,
        "kind": kind,
        "seen_at": "2026-11-27T10:00:01+00:00",
        "run_id": "run-1",
    }
    assert copy["entry"] == {
        "url": "https://b.example.org/12?utm_source=rss",
        "source": "B News",
        "seen_at": "2026-11-27T10:00:00+00:00",
        "kind": kind,
    }
