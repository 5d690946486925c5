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
