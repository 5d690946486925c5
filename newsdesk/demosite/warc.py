"""The demo site's pages as a WARC file, as another crawler would have archived them (tests, benchmarks)."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.demosite.site import DemoSite

CAPTURED_AT = "2026-01-15T10:00:00Z"


def page_paths(site: DemoSite) -> list[str]:
    """The home page, every article (copies included) and the pages that only look like one."""
    return ["/", *(article.path for article in site.articles), *site.rejected_paths]


def write_demo_warc(
    site: DemoSite, base_url: str, path: Path, paths: list[str] | None = None, with_requests: bool = False
) -> int:
    """A gzip-per-record WARC of `paths` (default: `page_paths`) rendered by the site under `base_url`,
    after a warcinfo record; with `with_requests` each response follows its request record, as wget and
    Heritrix write them. Returns the number of records written."""
    base = base_url.rstrip("/")
    written = 0
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsdesk demo site"}))
        written += 1
        for page in paths if paths is not None else page_paths(site):
            url = base + page
            if with_requests:
                request = StatusAndHeaders(
                    f"GET {page} HTTP/1.1", [("Host", base.split("//")[1])], is_http_request=True
                )
                writer.write_record(
                    writer.create_warc_record(
                        url,
                        "request",
                        payload=io.BytesIO(b""),
                        length=0,
                        http_headers=request,
                        warc_headers_dict={"WARC-Date": CAPTURED_AT},
                    )
                )
                written += 1
            status, content_type, body = site.render(page)
            reason = "OK" if status == 200 else "Not Found"
            http = StatusAndHeaders(
                f"{status} {reason}",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": CAPTURED_AT},
            )
            writer.write_record(record)
            written += 1
    return written
