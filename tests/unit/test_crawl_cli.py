"""Unit tests for the crawling commands that need no services: sources list/check and a bad registry."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app

REPO_ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _env(tmp_path: Path, sources: Path) -> dict[str, str]:
    return {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_SOURCES_FILE": str(sources)}


def test_sources_list_marks_examples_and_generic_sources(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sources", "list"], env=_env(tmp_path, REPO_ROOT / "sources.yaml"))

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "[example]" in lines["example-bbc-world"]
    assert "[needs --url]" in lines["any-rss"]
    assert "[example]" not in lines["demo"]


def test_sources_check_shows_one_source(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["sources", "check", "demo-feeds"], env=_env(tmp_path, REPO_ROOT / "sources.yaml")
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("demo-feeds: ok")
    assert "discovery        ['feed']" in result.output


def test_a_typo_is_one_clear_error_and_no_crawl(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        'sources:\n  - name: typo\n    start_urls: ["https://a.example/"]\n    dicovery: [feed]\n'
    )

    check = runner.invoke(app, ["sources", "check", "typo"], env=_env(tmp_path, sources))
    crawl = runner.invoke(app, ["crawl", "typo"], env=_env(tmp_path, sources))

    for result in (check, crawl):
        assert result.exit_code != 0
        assert f"{sources}: source 'typo', field dicovery: Extra inputs are not permitted" in result.output
    assert not (tmp_path / "logs").exists(), "no crawl was started"


RUN = {
    "run_id": "20261127T220000-abcd1234",
    "crawl_source": "demo",
    "started_at": "2026-11-27T22:00:00.000+00:00",
    "crawl_finished_at": "2026-11-27T22:00:09.000+00:00",
    "crawl_finish_reason": "finished",
    "sent": 14,
    "new": 12,
    "duplicate": 2,
    "complete": True,
    "crawl_pages_fetched": "40",
    "crawl_bytes": "204800",
    "crawl_discovery_pages": "20",
    "crawl_not_modified": "5",
    "crawl_discovered": "15",
    "crawl_skipped_known": "1",
    "crawl_robots_refused": "1",
    "crawl_retries": "2",
    "crawl_crawl_delay": "1.0",
    "crawl_errors": "3",
    "crawl_errors_by_kind": '{"http_404": 2, "robots_disallowed": 1}',
    "crawl_problems": '[{"url": "http://x/private/a", "kind": "robots_disallowed", "detail": ""}]',
}


def test_the_crawl_run_document_from_a_redis_record() -> None:
    from index.crawl_runs import crawl_run_document

    document = crawl_run_document(RUN)

    assert document["pages_fetched"] == 40 and document["bytes"] == 204800
    assert document["errors_by_kind"] == [
        {"kind": "http_404", "count": 2},
        {"kind": "robots_disallowed", "count": 1},
    ]
    assert document["outcomes"] == {
        "new": 12,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 2,
        "rejected": 0,
        "failed": 0,
    }
    assert document["problems"][0]["kind"] == "robots_disallowed"
    assert (document["crawl_delay"], document["complete"], document["finished_at"]) == (
        1.0,
        True,
        "2026-11-27T22:00:09.000+00:00",
    )
    assert crawl_run_document({"run_id": "r", "crawl_errors_by_kind": "not json"})["errors_by_kind"] == []


def test_the_summary_and_live_table_show_the_crawl_side() -> None:
    from rich.console import Console

    from newsdesk.cli.crawl import format_run
    from newsdesk.cli.crawl_report import _progress_table

    summary = format_run(RUN)

    assert "40 pages fetched, 200 KiB" in summary
    assert "articles discovered 15, skipped as known 1, sent 14" in summary
    assert "errors 3: http_404 2, robots_disallowed 1" in summary
    console = Console(record=True, width=100)
    console.print(_progress_table(RUN))
    assert "skipped as known" in console.export_text()
