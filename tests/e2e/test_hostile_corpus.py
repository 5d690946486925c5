"""A hostile corpus of 200+ pages: no worker crash, every page indexed or dead-lettered with a reason."""

from __future__ import annotations

import dataclasses
import gzip
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdesk.cli.crawl import run_crawl
from tasks.dedupe.identity import canonical_url, document_id

pytestmark = pytest.mark.services
CRAWL_MAX_BYTES = 1_000_000
PER_KIND = 20


WORDS = [
    "harvest",
    "railway",
    "ministry",
    "cabinet",
    "factory",
    "rainfall",
    "export",
    "treaty",
    "festival",
    "museum",
    "shipyard",
    "orchard",
    "reservoir",
    "bridge",
    "vaccine",
    "satellite",
    "tractor",
    "library",
    "delegation",
    "parliament",
    "steel",
    "coal",
    "fishery",
    "textile",
]


def _article(n: int, extra: str = "") -> str:
    # Each page its own story: pages that differ only in a number would be near-duplicates of one another.
    words = random.Random(n).sample(WORDS, 12)
    story = " ".join(
        f"The {a} and the {b} were discussed." for a, b in zip(words[::2], words[1::2], strict=True)
    )
    return (
        f"<html><head><title>Hostile {n}</title></head><body><h1>Delegation number {n} arrives</h1>"
        f"<div>Date: 14/08/2024 | Source: Central News Agency {n}</div>"
        f"<p>Delegation {n} arrived in the capital on Tuesday for talks. {story}</p>"
        f"<p>It was met by officials at the airport, reports said.</p>{extra}</body></html>"
    )


def _nested(n: int, depth: int = 5000) -> str:
    return "<html><body>" + "<div>" * depth + _article(n) + "</div>" * depth + "</body></html>"


def hostile_pages(rng: random.Random) -> dict[str, tuple[int, dict[str, str], bytes]]:
    """path -> (status, headers, body); each kind of trouble a real archive meets, PER_KIND times."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
    for n in range(PER_KIND):
        pages[f"/page/valid-{n}"] = (200, html, _article(n).encode())
        malformed = _article(100 + n).replace("</h1>", "<b><i>").replace("</p>", "<p <<>> &bogus; <a href='x")
        pages[f"/page/malformed-{n}"] = (200, html, malformed.encode()[: -rng.randint(1, 40)])
        pages[f"/page/binary-{n}"] = (200, {"Content-Type": "application/octet-stream"}, rng.randbytes(4096))
        pages[f"/page/binary-as-html-{n}"] = (200, html, b"\x89PNG\r\n\x1a\n\x00\x00" + rng.randbytes(2048))
        cyrillic = _article(200 + n, "<p>Делегация прибыла в столицу во вторник.</p>")
        pages[f"/page/wrong-charset-{n}"] = (200, html, cyrillic.encode("cp1251"))
        pages[f"/page/utf16-as-latin1-{n}"] = (
            200,
            {"Content-Type": "text/html; charset=iso-8859-1"},
            _article(300 + n).encode("utf-16"),
        )
        pages[f"/page/nested-{n}"] = (200, html, _nested(400 + n).encode())
        script = "<html><head><script>" + "var x = 1;" * 2000 + "</script></head><body><script>run()</script>"
        pages[f"/page/script-only-{n}"] = (200, html, script.encode())
        pages[f"/page/empty-{n}"] = (200, html, b"")
        pages[f"/page/server-error-{n}"] = (503 if n % 2 else 500, html, b"<html>busy</html>")
        pages[f"/page/bogus-charset-{n}"] = (
            200,
            {"Content-Type": "text/html; charset=no-such-charset"},
            _article(500 + n).encode(),
        )
    for n in range(5):
        pages[f"/page/huge-{n}"] = (
            200,
            html,
            _article(600 + n, "<p>" + "x" * CRAWL_MAX_BYTES + "</p>").encode(),
        )
        bomb = gzip.compress(b"<p>" + b"0" * (40 * CRAWL_MAX_BYTES), compresslevel=9)
        pages[f"/page/gzip-bomb-{n}"] = (200, {**html, "Content-Encoding": "gzip"}, bomb)
    for n in range(3):
        paragraphs = "".join(f"<p>Paragraph {i} of a long report on talks.</p>" for i in range(15_000))
        pages[f"/page/big-{n}"] = (200, html, _article(700 + n, paragraphs).encode())
    return pages


class HostileServer:
    """A loopback HTTP server for the corpus, with an index page linking every page."""

    def __init__(self, pages: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        links = "".join(f'<a href="{path}">{path}</a> ' for path in pages)
        self.pages = {
            "/": (200, {"Content-Type": "text/html"}, f"<html><body>{links}</body></html>".encode())
        }
        self.pages.update(pages)
        pages_ref = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = pages_ref.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hostile_site() -> Iterator[HostileServer]:
    with HostileServer(hostile_pages(random.Random(8))) as server:
        yield server


def test_hostile_corpus_every_page_indexed_or_dead_lettered_and_no_worker_crash(
    hostile_site, clean_stores, worker, es_client, services_dir: Path, tmp_path: Path
):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: hostile\n"
        f'    start_urls: ["{hostile_site.url}/"]\n'
        '    article_pattern: "^/page/"\n'
        "    allow_private: true\n"
    )
    settings = dataclasses.replace(clean_stores, sources_file=sources, max_page_bytes=CRAWL_MAX_BYTES)
    worker_log = services_dir / "worker.log"
    log_offset = worker_log.stat().st_size
    page_paths = [path for path in hostile_site.pages if path.startswith("/page/")]
    assert len(page_paths) >= 200

    run = run_crawl(settings, "hostile", wait=True, timeout=420)

    assert run["complete"]
    assert run["sent"] == len(page_paths), "every page gets handed to the pipeline exactly once"
    assert run["done"] == run["sent"]
    assert run["failed"] == 0, "a hostile page is rejected with a reason, never an internal error"
    es_client.indices.refresh(index=f"{settings.index_prefix}-*")
    dead = es_client.search(index=settings.deadletter_index, size=1000)["hits"]["hits"]
    reasons = {hit["_source"]["url"]: hit["_source"]["reason"] for hit in dead}
    indexed = {
        hit["_id"] for hit in es_client.search(index=settings.articles_alias, size=1000)["hits"]["hits"]
    }
    copies = {
        hit["_source"]["url"]
        for hit in es_client.search(index=settings.duplicates_index, size=1000)["hits"]["hits"]
    }
    fates = {}
    for path in page_paths:
        url = hostile_site.url + path
        fates[path] = (
            "indexed"
            if document_id(canonical_url(url)) in indexed
            else reasons.get(url) or ("duplicate" if url in copies else None)
        )
    assert [path for path, fate in fates.items() if not fate] == []
    assert all(reason for reason in reasons.values())
    assert {path: fates[path] for path in fates if path.startswith("/page/valid-")} == {
        f"/page/valid-{n}": "indexed" for n in range(PER_KIND)
    }
    assert {fates[f"/page/empty-{n}"] for n in range(PER_KIND)} == {"empty_page"}
    assert {fates[f"/page/binary-{n}"] for n in range(PER_KIND)} == {"not_html"}
    assert {fates[f"/page/huge-{n}"] for n in range(5)} == {"fetch_failed"}
    assert worker.proc.poll() is None
    worker_output = worker_log.read_bytes()[log_offset:].decode(errors="replace")
    assert "WorkerLostError" not in worker_output
    assert "exited with 'signal" not in worker_output
