"""`newsdesk setup --kibana URL` on a real Elasticsearch, importing into a stand-in Kibana on loopback.

Kibana cannot run on this project's machines: a stdlib HTTP server plays its saved-objects import endpoint,
recording what the command sends (the objects themselves are checked in tests/unit/test_kibana_objects.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from index.kibana import IMPORT_PATH, load_saved_objects
from newsdesk.cli import app

pytestmark = pytest.mark.services


@pytest.fixture
def kibana_imports() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            data = json.dumps({"success": True, "successCount": len(load_saved_objects())}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def ndjson_part(body: bytes) -> bytes:
    """The uploaded file, without the multipart boundary lines (the boundary differs per request)."""
    return body.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n--", 1)[0]


def test_setup_with_kibana_installs_the_indices_then_imports_the_dashboards(
    clean_stores, es_client, monkeypatch, kibana_imports
):
    url, received = kibana_imports
    for name, value in clean_stores.to_env().items():
        monkeypatch.setenv(name, value)

    first = CliRunner().invoke(app, ["setup", "--kibana", url])
    second = CliRunner().invoke(app, ["setup", "--kibana", url])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    total = len(load_saved_objects())
    assert f"kibana: {total} of {total} saved objects imported into {url}" in second.output
    assert "nothing to do" in second.output
    assert [path for path, _ in received] == [IMPORT_PATH, IMPORT_PATH]
    # The test stores use their own prefix: the data views sent point at its aliases.
    assert f'"title": "{clean_stores.articles_alias}"'.encode() in received[0][1]
    assert ndjson_part(received[0][1]) == ndjson_part(received[1][1])
    assert es_client.indices.exists_alias(name=clean_stores.articles_alias)


def test_setup_reports_a_kibana_it_cannot_reach(clean_stores, monkeypatch):
    for name, value in clean_stores.to_env().items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(app, ["setup", "--kibana", "http://127.0.0.1:9", "--kibana-wait", "0"])

    assert result.exit_code == 1
    assert "Kibana at http://127.0.0.1:9 is unreachable" in result.output
    assert "Traceback" not in result.output
