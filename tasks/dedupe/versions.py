"""Revisions: whether a re-fetched article changed, the readable diff, and the record of the old version."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from typing import Any
from urllib.parse import urlsplit

from newsdesk.kernel.messages import Article
from newsdesk.kernel.versioning import RevisionPlan, RevisionRules
from tasks.dedupe.identity import UrlVerdict, canonical_url
from tasks.dedupe.similarity import strip_boilerplate

# A changed paragraph is one whose words still mostly match; below this it is a removal plus an addition.
CHANGED_PARAGRAPH_SIMILARITY = 0.5
# What the revisions index keeps of the previous version, besides the diff.
KEPT_FIELDS = ("url", "crawl_source", "source", "title", "body", "published_at", "content_fingerprint")
# The evidence kind of a removal found by the listings, not by the article's own address.
UNLISTED = "unlisted"


def version_paragraphs(body: str) -> list[str]:
    """The body's paragraphs as a revision compares them: no boilerplate, whitespace collapsed."""
    return [" ".join(p.split()) for p in strip_boilerplate((body or "").split("\n"))]


def version_fingerprint(title: str | None, body: str | None) -> str:
    """Fingerprint of what a reader sees change: the title and the paragraphs, whitespace ignored."""
    text = " ".join((title or "").split()) + "\x1e" + "\x1f".join(version_paragraphs(body or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def paragraph_diff(
    old_title: str | None, old_body: str | None, new_title: str | None, new_body: str | None
) -> list[dict[str, Any]]:
    """The changes from the old version to the new, in reading order.

    Each change is {"kind": "title" | "added" | "removed" | "changed", "before": ..., "after": ...,
    "position": paragraph number in the new version (1-based; for a removal, in the old one)}.
    """
    changes: list[dict[str, Any]] = []
    before_title, after_title = " ".join((old_title or "").split()), " ".join((new_title or "").split())
    if before_title != after_title:
        changes.append({"kind": "title", "before": before_title, "after": after_title, "position": 0})
    old, new = version_paragraphs(old_body or ""), version_paragraphs(new_body or "")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = list(range(a1, a2)), list(range(b1, b2))
        # As many paragraphs in as out, in place: each was rewritten. Otherwise a pair counts as one
        # changed paragraph only while their words still mostly match.
        one_for_one = len(removed) == len(added)
        while removed and added:
            before, after = old[removed[0]], new[added[0]]
            similarity = difflib.SequenceMatcher(a=before.split(), b=after.split(), autojunk=False).ratio()
            if not one_for_one and similarity < CHANGED_PARAGRAPH_SIMILARITY:
                break
            changes.append({"kind": "changed", "before": before, "after": after, "position": added[0] + 1})
            removed.pop(0)
            added.pop(0)
        for index in removed:
            changes.append({"kind": "removed", "before": old[index], "after": None, "position": index + 1})
        for index in added:
            changes.append({"kind": "added", "before": None, "after": new[index], "position": index + 1})
    return changes


def render_diff(changes: list[dict[str, Any]]) -> str:
    """The changes as lines a person reads: `~` changed, `-` removed, `+` added."""
    lines = []
    for change in changes:
        kind = change["kind"]
        if kind == "title":
            lines += [f"~ title: {change['before']}", f"       → {change['after']}"]
        elif kind == "changed":
            lines += [
                f"~ paragraph {change['position']}:",
                f"    - {change['before']}",
                f"    + {change['after']}",
            ]
        elif kind == "removed":
            lines.append(f"- paragraph {change['position']} removed: {change['before']}")
        else:
            lines.append(f"+ paragraph {change['position']} added: {change['after']}")
    return "\n".join(lines)


def revision_id(doc_id: str, number: int, fingerprint: str) -> str:
    """One record per article, version number and old text: a retry writes the same record again."""
    return hashlib.sha1(f"{doc_id}\x1f{number}\x1f{fingerprint}".encode()).hexdigest()


def stored_fingerprint(current: dict[str, Any]) -> str:
    """The stored version's fingerprint: kept on the article, computed for one written before it was."""
    return current.get("version_fingerprint") or version_fingerprint(
        current.get("title"), current.get("body")
    )


def plan_revision(
    current: dict[str, Any] | None, document: dict[str, Any], at: str, new_print: str | None = None
) -> RevisionPlan:
    """Compare the stored article (`current`, None if new) with the freshly built `document`.

    A new article starts at revision 1. A changed title or body keeps the stored version as a record,
    with the diff to the new one, and counts a revision (`current` must then hold the stored title and
    body; when the fingerprints agree, its revision fields are enough). A removed article that answers
    again is restored. An unchanged re-fetch plans nothing, so the write stays a no-op.
    """
    new_print = new_print or version_fingerprint(document.get("title"), document.get("body"))
    if current is None:
        return RevisionPlan(article_changes={"revision_count": 1, "version_fingerprint": new_print})
    doc_id = document["doc_id"]
    changes: dict[str, Any] = {}
    records: list[tuple[str, dict[str, Any]]] = []
    number = int(current.get("revision_count") or 1)
    old_print = stored_fingerprint(current)
    if current.get("version_fingerprint") != new_print:
        changes["version_fingerprint"] = new_print
    if old_print != new_print:
        diff = paragraph_diff(current.get("title"), current.get("body"), document["title"], document["body"])
        record = {name: current.get(name) for name in KEPT_FIELDS}
        record.update(
            doc_id=doc_id,
            event="edited",
            revision=number,
            version_fingerprint=old_print,
            valid_from=current.get("last_changed_at") or current.get("first_fetched_at"),
            recorded_at=at,
            changes=diff,
            diff=render_diff(diff),
        )
        records.append((revision_id(doc_id, number, old_print), record))
        changes.update(revision_count=number + 1, last_changed_at=at)
    removed_as = (current.get("removal_evidence") or {}).get("kind")
    # Removed because it left every listing: answering is no news, only being listed again restores it.
    if current.get("removed_at") and not current.get("restored_at") and removed_as != UNLISTED:
        changes["restored_at"] = at
        evidence = {"kind": "answers_again", "url": document.get("final_url"), "checked_at": at}
        records.append(restoration_record(current, evidence, at))
    return RevisionPlan(article_changes=changes, records=records)


def removal_record(current: dict[str, Any], evidence: dict[str, Any], at: str) -> tuple[str, dict[str, Any]]:
    """The revisions-index record of a removal, with its evidence; one per article and removal.

    Its id comes from when the article was first seen gone (or last seen listed), so a retry of the same
    finding writes the same record.
    """
    doc_id = current["doc_id"]
    number = int(current.get("revision_count") or 1)
    since = evidence.get("first_gone_at") or evidence.get("last_listed_at") or at
    return revision_id(doc_id, number, f"removed {since}"), _event_record(current, "removed", evidence, at)


def restoration_record(
    current: dict[str, Any], evidence: dict[str, Any], at: str
) -> tuple[str, dict[str, Any]]:
    """The record of a removed article coming back; one per removal, whatever the retries."""
    number = int(current.get("revision_count") or 1)
    record_id = revision_id(current["doc_id"], number, f"restored {current.get('removed_at')}")
    return record_id, _event_record(current, "restored", evidence, at)


def _event_record(current: dict[str, Any], event: str, evidence: dict[str, Any], at: str) -> dict[str, Any]:
    return {
        "doc_id": current["doc_id"],
        "url": current.get("url"),
        "crawl_source": current.get("crawl_source"),
        "event": event,
        "revision": int(current.get("revision_count") or 1),
        "recorded_at": at,
        "evidence": evidence,
    }


GONE_STATUSES = (404, 410)
FRONT_PAGE_PATHS = ("", "/", "/index.html", "/index.htm", "/index.php")


def removal_evidence(url: str, final_url: str, status: int, at: str) -> dict[str, Any] | None:
    """Why a fetch of a known article says it is gone (404/410, a redirect to the front page), or None."""
    if status in GONE_STATUSES:
        return {
            "kind": f"http_{status}",
            "status": status,
            "url": url,
            "final_url": final_url,
            "checked_at": at,
        }
    if status == 200 and final_url and final_url != url:
        before, after = urlsplit(url), urlsplit(final_url)
        if after.path in FRONT_PAGE_PATHS and before.path not in FRONT_PAGE_PATHS:
            return {
                "kind": "redirect_to_front_page",
                "status": status,
                "url": url,
                "final_url": final_url,
                "checked_at": at,
            }
    return None


def judge_recheck(article: Article, verdict: UrlVerdict) -> UrlVerdict:
    """A re-check fetches the address the crawl state keeps (tracking parameters dropped), which may not
    be the variant that first claimed the article: that is the same page, not a copy. An address that
    only shares the document through its canonical link (a print view) stays a copy, or the two
    versions would take turns as revisions."""
    if not article.recheck or verdict.duplicate_of is None:
        return verdict
    if canonical_url(verdict.duplicate_of) != canonical_url(article.final_url or article.url):
        return verdict
    return dataclasses.replace(verdict, duplicate_of=None)


# The rules the index writer applies when it writes, marks removed or restores an article.
REVISION_RULES = RevisionRules(
    fingerprint=version_fingerprint,
    plan=plan_revision,
    removal_record=removal_record,
    restoration_record=restoration_record,
)
