"""Reads WARC files (gzip per record, or plain) into CapturedRecords; warcio's errors end at this edge."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsdesk.kernel.errors import Rejected
from webarchive.records import RESPONSE, REVISIT, CapturedRecord, Unreadable

WITH_PAYLOAD = (RESPONSE, REVISIT)


def read_records(
    path: Path, max_bytes: int, wanted: Callable[[str], bool] | None = None
) -> Iterator[CapturedRecord | Unreadable]:
    """Every record of the file in order; a record `wanted(key)` refuses is yielded without its payload.

    A part of the file that cannot be read (a broken gzip member, a record cut short, a header that does
    not parse) is yielded as Unreadable, its Rejected reason "corrupt_record" or "truncated"; reading stops
    there, since nothing after it can be found reliably.
    """
    name = path.name
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        records = ArchiveIterator(stream, arc2warc=True)
        end = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            # warcio reports broken input as whatever its parsers raise on it (ArchiveLoadFailed, zlib and
            # gzip errors, EOFError, and AttributeError on a header cut in half): all of them are this file's
            # fault, never ours, and each becomes the record's recorded reason.
            except Exception as exc:
                yield Unreadable(name, end, Rejected("corrupt_record", f"{type(exc).__name__}: {exc}"[:300]))
                return
            try:
                captured = _captured(record, name, end, max_bytes, wanted)
                # Asked only now: warcio reads the rest of the record to answer.
                offset, length = records.get_record_offset(), records.get_record_length()
            except Exception as exc:  # a payload that does not decode (see above)
                yield Unreadable(name, end, Rejected("corrupt_record", f"{type(exc).__name__}: {exc}"[:300]))
                return
            missing = getattr(record.raw_stream, "limit", 0)
            if missing > 0 and not captured.truncated:
                captured = dataclasses.replace(
                    captured, truncated=f"file ends {missing} bytes before the record does"
                )
            yield dataclasses.replace(captured, offset=offset) if offset != end else captured
            if captured.truncated and captured.truncated.startswith("file ends"):
                return
            end = offset + length
        stream.seek(end)
        if size > end and stream.read(64).strip():
            # warcio stops quietly when the last member's header is cut: the bytes left say a record was.
            yield Unreadable(
                name, end, Rejected("truncated", f"the last {size - end} bytes are not a whole record")
            )


def read_record_at(path: Path, offset: int, max_bytes: int) -> CapturedRecord:
    """The record at `offset` of the file (a revisit's original); Rejected when it cannot be read."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            records = ArchiveIterator(stream, arc2warc=True)
            record = next(records)
            return _captured(record, path.name, offset, max_bytes, None)
        except Rejected:
            raise
        except Exception as exc:  # as in read_records: broken input, reported as such
            raise Rejected("corrupt_record", f"{path.name}#{offset}: {type(exc).__name__}: {exc}") from exc


def _captured(
    record, name: str, offset: int, max_bytes: int, wanted: Callable[[str], bool] | None
) -> CapturedRecord:
    warc = record.rec_headers
    record_type = record.rec_type or "unknown"
    fields = {
        "file": name,
        "offset": offset,
        "record_type": record_type,
        "record_id": warc.get_header("WARC-Record-ID"),
        "target_uri": warc.get_header("WARC-Target-URI"),
        "warc_date": warc.get_header("WARC-Date"),
        "truncated": warc.get_header("WARC-Truncated"),
        "payload_digest": warc.get_header("WARC-Payload-Digest"),
        "identified_type": warc.get_header("WARC-Identified-Payload-Type"),
        "refers_to": warc.get_header("WARC-Refers-To"),
        "refers_to_uri": warc.get_header("WARC-Refers-To-Target-URI"),
    }
    key = fields["record_id"] or f"{name}#{offset}"
    # Asked of every record, so the caller learns which ones it already had.
    unwanted = wanted is not None and not wanted(key)
    if record_type not in WITH_PAYLOAD or unwanted:
        return CapturedRecord(**fields)
    http = record.http_headers
    if http is not None:
        fields["status"] = int(http.get_statuscode()) if http.get_statuscode().isdigit() else None
        headers: dict[str, str] = {}
        for header, value in http.headers:
            headers.setdefault(header.lower(), value)
        fields["headers"] = headers
    if record_type == RESPONSE:
        # content_stream undoes chunking and Content-Encoding: the bytes as a browser would see them.
        body = record.content_stream().read(max_bytes + 1)
        fields["body"] = body
    return CapturedRecord(**fields)
