"""Writes pages from the raw store as WARC response records (gzip per record), as other crawlers do."""

from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk import __version__


def warc_date(fetched_at: str) -> str:
    """`fetched_at` (ISO 8601 with an offset) as WARC-Date writes it: UTC, seconds, a Z."""
    moment = dt.datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PageWarcWriter:
    """A WARC file of response records, one per stored page, after a warcinfo record naming newsdesk."""

    def __init__(self, stream: BinaryIO, filename: str, description: str) -> None:
        self.writer = WARCWriter(stream, gzip=True)
        info = {
            "software": f"newsdesk {__version__}",
            "format": "WARC File Format 1.1",
            "description": description,
        }
        self.writer.write_record(self.writer.create_warcinfo_record(filename, info))

    def write_page(self, url: str, fetched_at: str, headers: dict[str, str], body: bytes) -> None:
        """One response record: status 200 (the raw store keeps only pages that were), the kept headers
        and the body as served; Content-Length is the body's own, as the body is written whole."""
        fields = [(name, value) for name, value in headers.items() if name.lower() != "content-length"]
        fields.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
        )
        self.writer.write_record(record)
