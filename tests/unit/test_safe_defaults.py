"""A fresh deployment crawls nothing nobody asked for: the shipped registry schedules no crawl."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.kernel.schedules import beat_schedule, entry_name
from newsdesk.kernel.sources import load_sources, resolve_source

SHIPPED = Path(__file__).resolve().parents[2] / "sources.yaml"
DRAIN_ONLY = ["drain-dead-letters"]


def _registry(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    edit({source["name"]: source for source in raw["sources"]})
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_the_shipped_registry_schedules_no_crawl() -> None:
    sources = load_sources(SHIPPED)
    assert any(source.example and source.schedule for source in sources.values()), "examples show the format"
    assert sorted(beat_schedule(sources.values())) == DRAIN_ONLY


def test_enabling_one_example_schedules_exactly_it(tmp_path: Path) -> None:
    path = _registry(tmp_path, lambda by_name: by_name["example-npr-news"].update(enabled=True))
    entries = beat_schedule(load_sources(path).values())
    assert sorted(entries) == sorted([*DRAIN_ONLY, entry_name("example-npr-news")])
    assert entries[entry_name("example-npr-news")]["args"] == ("example-npr-news", "schedule")


def test_a_generic_source_is_scheduled_only_with_its_site(tmp_path: Path) -> None:
    path = _registry(tmp_path, lambda by_name: by_name["any-rss"].update(schedule="every 1h"))
    sources = load_sources(path)
    assert sorted(beat_schedule(sources.values())) == DRAIN_ONLY
    assert "give it `url:`" in sources["any-rss"].unscheduled_because

    feed = "https://news.example/feed.xml"
    path = _registry(tmp_path, lambda by_name: by_name["any-rss"].update(schedule="every 1h", url=feed))
    assert entry_name("any-rss") in beat_schedule(load_sources(path).values())
    # What beat's crawl task resolves, with no --url: the site the registry gives.
    assert resolve_source(path, "http://demo:1", "any-rss").start_urls == [feed]


def test_sources_check_says_why_a_schedule_is_not_run(tmp_path: Path, monkeypatch) -> None:
    path = _registry(tmp_path, lambda by_name: by_name["any-sitemap"].update(schedule="every 6h"))
    monkeypatch.setenv("NEWSDESK_SOURCES_FILE", str(path))
    runner = CliRunner()
    generic = runner.invoke(
        app, ["sources", "check", "any-sitemap", "--url", "https://news.example/sitemap.xml"]
    )
    assert "not run: generic: give it `url:`" in generic.output
    example = runner.invoke(app, ["sources", "check", "example-bbc-world"])
    assert "not run: an example, off until `enabled: true`" in example.output
