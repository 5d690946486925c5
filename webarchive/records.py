"""What one WARC record becomes in a backfill: the page the parse task takes, or the fate it ends with."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.fates import DEAD_STATUSES
from newsdesk.kernel.messages import KEPT_HEADERS, FetchedPage
from newsdesk.kernel.url_rules import UrlRules

HTML_TYPES = ("text/html", "application/xhtml+xml")
# What a page starts with when its Content-Type is missing and it is HTML all the same.
HTML_STARTS = (b"<!doctype html", b"<html")
RESPONSE, REVISIT = "response", "revisit"
# Why a record was not imported -> the run's fate for it (the crawl's own fates: no new ones to map).
FATE_OF_REASON = {
    "not_a_response": "skipped",
    "repeated_capture": "skipped",
    "url_rules": "skipped",
    "redirect": "skipped",
    "not_source_host": "refused",
    "revisit": "not_modified",
    "not_modified": "not_modified",
    "dead_link": "dead_link",
    "http_error": "fetch_error",
    "not_html": "rejected",
    "empty_body": "rejected",
    "too_large": "rejected",
    "truncated": "rejected",
    "corrupt_record": "rejected",
}


@dataclass(frozen=True)
class CapturedRecord:
    """One WARC record as plain data: its WARC fields, and for a response its HTTP status, headers and
    payload (chunking and Content-Encoding undone), read from `file` at `offset`."""

    file: str
    offset: int
    record_type: str
    record_id: str | None = None
    target_uri: str | None = None
    warc_date: str | None = None
    status: int | None = None
    # Lower-cased names; a repeated header keeps its first value.
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    # WARC-Truncated ("length", "time", ...), or our own reason when the file ended inside the record.
    truncated: str | None = None
    payload_digest: str | None = None
    identified_type: str | None = None
    # A revisit's original: WARC-Refers-To (a record id) and WARC-Refers-To-Target-URI.
    refers_to: str | None = None
    refers_to_uri: str | None = None

    @property
    def key(self) -> str:
        """What a re-run recognises the record by: its WARC-Record-ID, else where it lies in its file."""
        return self.record_id or f"{self.file}#{self.offset}"

    @property
    def locator(self) -> str:
        """How the run names a record that is not an imported page: its URL (or type) and place."""
        return f"{self.target_uri or self.record_type} [{self.file}#{self.offset}]"


@dataclass(frozen=True)
class Unreadable:
    """A part of a WARC file that is not a readable record (a broken gzip member, a record cut short)."""

    file: str
    offset: int
    rejection: Rejected

    @property
    def key(self) -> str:
        return f"{self.file}#{self.offset}"

    @property
    def locator(self) -> str:
        return f"unreadable [{self.file}#{self.offset}]"


@dataclass(frozen=True)
class RecordFate:
    """A record that is not handed to the pipeline: its fate in the run and why."""

    fate: str
    reason: str
    detail: str = ""

    @property
    def why(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


@dataclass(frozen=True)
class ImportScope:
    """What a backfill of one source keeps: the source's hosts and its URL rules."""

    source: str
    hosts: tuple[str, ...]
    rules: UrlRules
    max_bytes: int = 10_000_000

    def host_verdict(self, url: str) -> str | None:
        """None when `url` is on one of the source's hosts (or a subdomain of one); else its host."""
        host = (urlsplit(url).hostname or "").lower()
        if any(host == h or host.endswith("." + h) for h in self.hosts):
            return None
        return host or "no host"


def fate_of(rejection: Rejected) -> RecordFate:
    """The fate of a record refused with `rejection` (a reason of FATE_OF_REASON, else `rejected`)."""
    return RecordFate(FATE_OF_REASON.get(rejection.reason, "rejected"), rejection.reason, rejection.detail)


def capture_time(warc_date: str | None) -> str:
    """WARC-Date (W3C ISO 8601, UTC, sometimes with fractions of a second) as the crawler writes
    `fetched_at`: seconds, with an offset. Rejected when missing or unreadable."""
    if not warc_date:
        raise Rejected("corrupt_record", "no WARC-Date")
    try:
        moment = dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Rejected("corrupt_record", f"WARC-Date {warc_date!r} unreadable") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def content_type_of(record: CapturedRecord) -> str:
    """The page's content type: the HTTP header, else what the archiving crawler identified, else
    "text/html" when the payload starts like HTML; "" when none of them says."""
    declared = record.headers.get("content-type") or record.identified_type
    if declared:
        return declared
    head = (record.body or b"")[:200].lstrip().lower()
    return "text/html" if head.startswith(HTML_STARTS) else ""


def check_record(record: CapturedRecord, scope: ImportScope) -> None:
    """Raise Rejected (its reason a key of FATE_OF_REASON) unless the record is an HTML page of the
    source that the parse stage should see. A resolved revisit comes here as a response."""
    if record.record_type not in (RESPONSE, REVISIT):
        raise Rejected("not_a_response", f"{record.record_type} record")
    url = record.target_uri or ""
    if not url.startswith(("http://", "https://")):
        raise Rejected("not_a_response", f"target {url!r} is not an http(s) URL")
    if (host := scope.host_verdict(url)) is not None:
        raise Rejected("not_source_host", host)
    if (verdict := scope.rules.verdict(url)) is not None:
        raise Rejected("url_rules", verdict)
    if record.record_type == REVISIT:
        digest = f" (payload {record.payload_digest})" if record.payload_digest else ""
        original = record.refers_to or record.refers_to_uri or "a capture"
        raise Rejected("revisit", f"no payload: same as {original}, not in this file{digest}")
    if record.truncated:
        raise Rejected("truncated", record.truncated)
    _check_status(record)
    content_type = content_type_of(record)
    if not content_type.lower().startswith(HTML_TYPES):
        raise Rejected("not_html", f"content type {content_type!r}")
    if not record.body or not record.body.strip():
        raise Rejected("empty_body", "no payload")
    if len(record.body) > scope.max_bytes:
        raise Rejected("too_large", f"{len(record.body)} bytes > limit {scope.max_bytes}")


def _check_status(record: CapturedRecord) -> None:
    status = record.status
    if status is None:
        raise Rejected("corrupt_record", "no HTTP status line")
    if status == 304:
        raise Rejected("not_modified", "304")
    if 300 <= status < 400:
        raise Rejected("redirect", f"{status} to {record.headers.get('location', '?')}")
    if status in DEAD_STATUSES:
        raise Rejected("dead_link", f"http_{status}")
    if status >= 400:
        raise Rejected("http_error", f"http_{status}")
    if status not in (200, 203):
        # 206 is a part of the page; 204 has none: neither is the article as served.
        raise Rejected("http_error", f"http_{status}: not a whole page")


def page_of(record: CapturedRecord, scope: ImportScope, run_id: str | None) -> FetchedPage | RecordFate:
    """The parse task's payload for a record of the source, or the fate of one that is not."""
    try:
        check_record(record, scope)
        fetched_at = capture_time(record.warc_date)
    except Rejected as rejection:
        return fate_of(rejection)
    headers = {name: record.headers[name] for name in KEPT_HEADERS if name in record.headers}
    # A type read from the WARC or the payload goes with the page, so the parse stage agrees it is HTML.
    headers.setdefault("content-type", content_type_of(record))
    url = record.target_uri or ""
    return FetchedPage(
        url=url,
        final_url=url,
        crawl_source=scope.source,
        fetched_at=fetched_at,
        status=record.status or 0,
        headers=headers,
        html="",
        run_id=run_id,
        body_base64=base64.b64encode(record.body or b"").decode("ascii"),
    )


def resolved_revisit(revisit: CapturedRecord, original: CapturedRecord) -> CapturedRecord:
    """A revisit given its original's payload: the revisit's URL and time, the original's response."""
    return dataclasses.replace(
        original,
        file=revisit.file,
        offset=revisit.offset,
        record_type=RESPONSE,
        record_id=revisit.record_id,
        target_uri=revisit.target_uri,
        warc_date=revisit.warc_date,
    )
