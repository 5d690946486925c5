"""Unit tests for revision detection, paragraph diffs and removal evidence."""

from __future__ import annotations

from tasks.dedupe.versions import (
    paragraph_diff,
    plan_revision,
    removal_evidence,
    removal_record,
    render_diff,
    revision_id,
    version_fingerprint,
)

BODY = "First paragraph about the talks.\n\nSecond paragraph on the agreement signed.\n\nThird one, closing."
AT = "2026-11-27T23:00:00+00:00"


def stored(**overrides):
    return {
        "doc_id": "d1",
        "url": "http://x/a",
        "crawl_source": "demo",
        "title": "Talks held",
        "body": BODY,
        "first_fetched_at": "2026-11-01T00:00:00+00:00",
        "revision_count": 1,
        "version_fingerprint": version_fingerprint("Talks held", BODY),
        **overrides,
    }


def fresh(title="Talks held", body=BODY):
    return {"doc_id": "d1", "title": title, "body": body, "final_url": "http://x/a"}


def test_fingerprint_ignores_whitespace_and_boilerplate():
    spaced = (
        "First  paragraph about the talks.\n\n\n  Second paragraph on the agreement signed."
        "\n\nThird one, closing."
    )
    assert version_fingerprint("Talks held", BODY) == version_fingerprint(" Talks  held ", spaced)
    assert version_fingerprint("Talks held", BODY) == version_fingerprint(
        "Talks held", BODY + "\n\nFollow us on social media"
    )
    assert version_fingerprint("Talks held", BODY) != version_fingerprint("Talks postponed", BODY)
    edited = BODY.replace("Third", "3rd")
    assert version_fingerprint("Talks held", BODY) != version_fingerprint("Talks held", edited)


def test_diff_reports_changed_added_removed_and_title():
    new_body = (
        "First paragraph about the talks.\n\nSecond paragraph on the new agreement signed today.\n\nAdded."
    )
    changes = paragraph_diff("Talks held", BODY, "Talks end", new_body)
    kinds = [c["kind"] for c in changes]
    assert kinds[0] == "title" and changes[0]["before"] == "Talks held" and changes[0]["after"] == "Talks end"
    assert changes[1:] == [
        {
            "kind": "changed",
            "before": "Second paragraph on the agreement signed.",
            "after": "Second paragraph on the new agreement signed today.",
            "position": 2,
        },
        # Rewritten in place, one for one: a change, however different the words.
        {"kind": "changed", "before": "Third one, closing.", "after": "Added.", "position": 3},
    ]


def test_diff_pairs_only_similar_paragraphs_when_the_count_changes():
    old = "Alpha beta gamma delta.\n\nKeep this one."
    new = "Alpha beta gamma delta epsilon.\n\nSomething else entirely here.\n\nKeep this one."
    assert paragraph_diff("T", old, "T", new) == [
        {
            "kind": "changed",
            "before": "Alpha beta gamma delta.",
            "after": "Alpha beta gamma delta epsilon.",
            "position": 1,
        },
        {"kind": "added", "before": None, "after": "Something else entirely here.", "position": 2},
    ]
    assert paragraph_diff("T", "One two.\n\nUnrelated words here.\n\nEnd.", "T", "One two.\n\nEnd.") == [
        {"kind": "removed", "before": "Unrelated words here.", "after": None, "position": 2}
    ]
    assert paragraph_diff("T", "A b c.\n\nX y z.", "T", "A b c.\n\nP q r.\n\nS t u.") == [
        {"kind": "removed", "before": "X y z.", "after": None, "position": 2},
        {"kind": "added", "before": None, "after": "P q r.", "position": 2},
        {"kind": "added", "before": None, "after": "S t u.", "position": 3},
    ]


def test_diff_of_identical_versions_is_empty():
    assert paragraph_diff("T", BODY, "T", BODY.replace("\n\n", "\n")) == []


def test_render_diff_is_readable():
    text = render_diff(paragraph_diff("A", "one two three\n\nkeep", "B", "one two three four\n\nkeep\n\nnew"))
    assert "~ title: A" in text and "→ B" in text
    assert "- one two three" in text and "+ one two three four" in text
    assert "+ paragraph 3 added: new" in text


def test_new_article_starts_at_revision_one():
    assert plan_revision(None, fresh(), AT).article_changes == {
        "revision_count": 1,
        "version_fingerprint": version_fingerprint("Talks held", BODY),
    }


def test_unchanged_refetch_plans_nothing():
    plan = plan_revision(stored(), fresh(body=BODY.replace("\n\n", "\n \n")), AT)
    assert plan.article_changes == {} and plan.records == []
    # Enough to know it: the stored fingerprint, without the stored text.
    state_only = {k: v for k, v in stored().items() if k not in ("title", "body")}
    assert plan_revision(state_only, fresh(), AT) == plan


def test_an_article_stored_before_fingerprints_gets_one_without_a_revision():
    plan = plan_revision(stored(version_fingerprint=None), fresh(), AT)
    assert plan.article_changes == {"version_fingerprint": version_fingerprint("Talks held", BODY)}
    assert plan.records == []


def test_edit_keeps_old_version_with_diff_and_counts():
    plan = plan_revision(stored(revision_count=2), fresh(title="Talks postponed"), AT)
    assert plan.article_changes == {
        "revision_count": 3,
        "last_changed_at": AT,
        "version_fingerprint": version_fingerprint("Talks postponed", BODY),
    }
    ((record_id, record),) = plan.records
    assert record["event"] == "edited" and record["revision"] == 2 and record["title"] == "Talks held"
    assert record["changes"][0]["kind"] == "title" and "Talks postponed" in record["diff"]
    # A retry sees the same stored version, so it writes the same record id.
    retried = plan_revision(stored(revision_count=2), fresh(title="Talks postponed"), "later")
    assert retried.records[0][0] == record_id
    assert record_id == revision_id("d1", 2, version_fingerprint("Talks held", BODY))


def test_removed_article_that_answers_again_is_restored():
    plan = plan_revision(stored(removed_at="2026-11-20T00:00:00+00:00"), fresh(), AT)
    assert plan.article_changes == {"restored_at": AT}
    assert [r["event"] for _, r in plan.records] == ["restored"]
    again = plan_revision(stored(removed_at="2026-11-20T00:00:00+00:00", restored_at=AT), fresh(), AT)
    assert again.article_changes == {}
    # Removed because no listing had it: its page answering is no news.
    unlisted = stored(removed_at="2026-11-20T00:00:00+00:00", removal_evidence={"kind": "unlisted"})
    assert plan_revision(unlisted, fresh(), AT).article_changes == {}


def test_removal_evidence():
    assert removal_evidence("http://x/a/1.html", "http://x/a/1.html", 404, AT)["kind"] == "http_404"
    assert removal_evidence("http://x/a/1.html", "http://x/a/1.html", 410, AT)["status"] == 410
    assert removal_evidence("http://x/a/1.html", "http://x/", 200, AT)["kind"] == "redirect_to_front_page"
    assert removal_evidence("http://x/a/1.html", "http://x/a/1-new.html", 200, AT) is None
    assert removal_evidence("http://x/a/1.html", "http://x/a/1.html", 200, AT) is None
    assert removal_evidence("http://x/a/1.html", "http://x/a/1.html", 503, AT) is None


def test_removal_record_id_is_stable_across_retries():
    evidence = {"kind": "http_404", "first_gone_at": "2026-11-26T00:00:00+00:00"}
    first = removal_record(stored(), evidence, AT)
    assert first[0] == removal_record(stored(), evidence, "2026-11-28T00:00:00+00:00")[0]
    assert first[1]["event"] == "removed" and first[1]["evidence"] == evidence


def test_a_recheck_of_the_clean_address_is_the_article_and_a_print_view_stays_a_copy():
    from newsdesk.kernel.messages import Article
    from tasks.dedupe.identity import UrlVerdict
    from tasks.dedupe.versions import judge_recheck

    def article(url: str, recheck: bool = True) -> Article:
        return Article(
            url=url, final_url=url, crawl_source="s", fetched_at=AT, title="T", body="B", recheck=recheck
        )

    claimed_with_tracking = UrlVerdict(article("http://x/a/1.html"), "http://x/a/1.html?utm_source=rss")
    assert judge_recheck(claimed_with_tracking.article, claimed_with_tracking).duplicate_of is None
    print_view = UrlVerdict(article("http://x/print/1.html"), "http://x/a/1.html")
    assert judge_recheck(print_view.article, print_view) == print_view
    discovered = UrlVerdict(article("http://x/a/1.html", recheck=False), "http://x/a/1.html?utm_source=rss")
    assert judge_recheck(discovered.article, discovered) == discovered
