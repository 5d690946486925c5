"""WARC records into pages or fates: what a backfill hands on, what it records, and broken files."""

from __future__ import annotations

import base64
import io
import random
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.url_rules import UrlPattern, UrlRules
from webarchive.reader import read_record_at, read_records
from webarchive.records import CapturedRecord, ImportScope, RecordFate, Unreadable, page_of, resolved_revisit
from webarchive.writer import PageWarcWriter, warc_date

HTML = b"<!doctype html><html><head><title>A story</title></head><body><p>Text.</p></body></html>"
SCOPE = ImportScope("news", ("news.test",), UrlRules(deny=(UrlPattern.parse("/live/"),)), max_bytes=10_000)
DATE = "2024-03-05T06:07:08Z"


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html", status: str = "200 OK"
):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
        warc_headers_dict={"WARC-Date": DATE},
    )  # fmt: skip
    writer.write_record(record)
    return record


def write_sample(path: Path, gzip: bool = True) -> dict[str, str]:
    """A WARC with one of each kind of record; returns the ids of the response and its revisit."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /2024/story HTTP/1.1", [("Host", "news.test")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(
                "https://news.test/2024/story", "request", payload=io.BytesIO(b""), length=0,
                http_headers=request, warc_headers_dict={"WARC-Date": DATE},
            )
        )  # fmt: skip
        original = _response(writer, "https://news.test/2024/story", HTML)
        _response(writer, "https://www.news.test/2024/other", HTML.replace(b"A story", b"Other"))
        _response(writer, "https://elsewhere.test/2024/story", HTML)
        _response(writer, "https://news.test/live/now", HTML)
        _response(writer, "https://news.test/report.pdf", b"%PDF-1.4 ...", "application/pdf")
        _response(writer, "https://news.test/gone", b"<html>gone</html>", status="404 Not Found")
        original_id = original.rec_headers.get_header("WARC-Record-ID")
        digest = original.rec_headers.get_header("WARC-Payload-Digest")
        revisit = writer.create_revisit_record(
            "https://news.test/2024/story?utm_source=x", digest, "https://news.test/2024/story", DATE,
            warc_headers_dict={"WARC-Date": "2024-03-06T00:00:00Z", "WARC-Refers-To": original_id},
        )  # fmt: skip
        writer.write_record(revisit)
        unknown = writer.create_revisit_record(
            "https://news.test/2024/earlier", "sha1:AAAA", "https://news.test/2024/earlier", DATE
        )
        writer.write_record(unknown)
        writer.write_record(
            writer.create_warc_record(
                "https://news.test/2024/story", "metadata", payload=io.BytesIO(b"fetchTimeMs: 12"), length=15
            )
        )
    return {"original": original_id, "revisit": revisit.rec_headers.get_header("WARC-Record-ID")}


def classify(path: Path) -> list[tuple[str, FetchedPage | RecordFate | Unreadable]]:
    records = list(read_records(path, SCOPE.max_bytes))
    by_id = {r.record_id: r for r in records if isinstance(r, CapturedRecord)}
    found = []
    for record in records:
        if isinstance(record, Unreadable):
            found.append((record.locator, record))
            continue
        if record.record_type == "revisit" and record.refers_to in by_id:
            original = read_record_at(path, by_id[record.refers_to].offset, SCOPE.max_bytes)
            record = resolved_revisit(record, original)
        found.append((record.target_uri or record.record_type, page_of(record, SCOPE, "run-1")))
    return found


def test_each_kind_of_record_becomes_a_page_or_a_fate_with_its_reason(tmp_path: Path) -> None:
    for gzip in (True, False):
        path = tmp_path / ("sample.warc.gz" if gzip else "sample.warc")
        write_sample(path, gzip)
        found = classify(path)
        fates = [(what, (o.fate, o.reason)) for what, o in found if isinstance(o, RecordFate)]
        pages = [o for _, o in found if isinstance(o, FetchedPage)]
        assert fates == [
            ("warcinfo", ("skipped", "not_a_response")),
            ("https://news.test/2024/story", ("skipped", "not_a_response")),  # the request
            ("https://elsewhere.test/2024/story", ("refused", "not_source_host")),
            ("https://news.test/live/now", ("skipped", "url_rules")),
            ("https://news.test/report.pdf", ("rejected", "not_html")),
            ("https://news.test/gone", ("dead_link", "dead_link")),
            ("https://news.test/2024/earlier", ("not_modified", "revisit")),
            ("https://news.test/2024/story", ("skipped", "not_a_response")),  # the metadata
        ]
        assert [p.url for p in pages] == [
            "https://news.test/2024/story",
            "https://www.news.test/2024/other",  # a subdomain of the source's host
            "https://news.test/2024/story?utm_source=x",  # the revisit, given its original's payload
        ]
        story, _, revisited = pages
        assert base64.b64decode(story.body_base64 or "") == HTML
        assert story.fetched_at == "2024-03-05T06:07:08+00:00"
        assert story.headers == {"content-type": "text/html"}
        assert (story.status, story.crawl_source, story.run_id, story.html) == (200, "news", "run-1", "")
        assert base64.b64decode(revisited.body_base64 or "") == HTML
        assert revisited.fetched_at == "2024-03-06T00:00:00+00:00"  # when the revisit was captured
        assert FetchedPage.from_dict(story.to_dict()) == story  # what the parse task reads


def test_a_truncated_gzip_member_is_a_recorded_reason_and_the_records_before_it_stand(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_sample(whole)
    data = whole.read_bytes()
    last_member = data.rindex(b"\x1f\x8b\x08")
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[: last_member + 30])  # the last record's header is cut
    records = list(read_records(broken, SCOPE.max_bytes))
    assert len(records) == len(list(read_records(whole, SCOPE.max_bytes)))
    assert all(isinstance(r, CapturedRecord) for r in records[:-1])
    last = records[-1]
    assert isinstance(last, Unreadable)
    assert (last.rejection.reason, last.offset) == ("truncated", last_member)


def test_a_record_cut_inside_its_payload_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        # Incompressible bytes, so that cutting the file cuts the payload.
        _response(writer, "https://news.test/2024/long", HTML + random.Random(1).randbytes(5000))
    path.write_bytes(path.read_bytes()[:-1000])
    (record,) = read_records(path, SCOPE.max_bytes)
    assert isinstance(record, CapturedRecord) and record.truncated
    assert record.truncated.startswith("file ends")
    outcome = page_of(record, SCOPE, None)
    assert isinstance(outcome, RecordFate) and (outcome.fate, outcome.reason) == ("rejected", "truncated")


def test_garbage_in_the_middle_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "sample.warc.gz"
    write_sample(path)
    # Where the second record starts, as the reader finds it: the gzip magic bytes can also occur inside
    # the first member's compressed data, which varies with the record ids.
    second_member = list(read_records(path, SCOPE.max_bytes))[1].offset
    data = bytearray(path.read_bytes())
    assert data[second_member : second_member + 3] == b"\x1f\x8b\x08"
    data[second_member + 12 : second_member + 40] = b"x" * 28
    path.write_bytes(bytes(data))
    records = list(read_records(path, SCOPE.max_bytes))
    assert isinstance(records[0], CapturedRecord) and records[0].record_type == "warcinfo"
    assert isinstance(records[-1], Unreadable)
    assert records[-1].rejection.reason == "corrupt_record"
    assert records[-1].offset == second_member


def test_records_outside_the_scope_need_no_payload_read(tmp_path: Path) -> None:
    path = tmp_path / "sample.warc.gz"
    ids = write_sample(path)
    records = list(read_records(path, SCOPE.max_bytes, wanted=lambda key: key != ids["original"]))
    skipped = next(r for r in records if isinstance(r, CapturedRecord) and r.record_id == ids["original"])
    assert skipped.body is None


def test_truncated_and_odd_statuses_are_fates_not_pages() -> None:
    base = CapturedRecord(
        "f.warc", 0, "response", "id", "https://news.test/a", DATE, 200, {"content-type": "text/html"}, HTML
    )
    cases = {
        "truncated": (dict(truncated="length"), "rejected"),
        "redirect": (dict(status=301, headers={"location": "https://news.test/b"}), "skipped"),
        "not_modified": (dict(status=304), "not_modified"),
        "http_error": (dict(status=503), "fetch_error"),
        "empty_body": (dict(body=b"  "), "rejected"),
        "too_large": (dict(body=b"<html>" + b"x" * 20_000), "rejected"),
    }
    for reason, (changes, fate) in cases.items():
        outcome = page_of(CapturedRecord(**{**base.__dict__, **changes}), SCOPE, None)
        assert isinstance(outcome, RecordFate) and (outcome.reason, outcome.fate) == (reason, fate), reason
    # No Content-Type, but the payload is plainly HTML: the page goes on, typed so parse agrees.
    sniffed = page_of(CapturedRecord(**{**base.__dict__, "headers": {}}), SCOPE, None)
    assert isinstance(sniffed, FetchedPage) and sniffed.headers["content-type"] == "text/html"


def test_an_exported_page_reads_back_as_the_same_page(tmp_path: Path) -> None:
    path = tmp_path / "export.warc.gz"
    headers = {"content-type": "text/html; charset=utf-8", "last-modified": "Tue, 05 Mar 2024 06:00:00 GMT"}
    with open(path, "wb") as stream:
        writer = PageWarcWriter(stream, path.name, "test export")
        writer.write_page("https://news.test/2024/story", "2024-03-05T06:07:08+00:00", headers, HTML)
    pages = [o for _, o in classify(path) if isinstance(o, FetchedPage)]
    assert len(pages) == 1
    assert pages[0].url == "https://news.test/2024/story"
    assert pages[0].fetched_at == "2024-03-05T06:07:08+00:00"
    assert pages[0].headers == headers
    assert base64.b64decode(pages[0].body_base64 or "") == HTML
    assert warc_date("2024-03-05T07:07:08+01:00") == "2024-03-05T06:07:08Z"
