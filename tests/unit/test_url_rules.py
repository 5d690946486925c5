"""Unit tests for a source's `urls:` block: allow/deny patterns, the age window, the registry round trip."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.sources import Source, describe_problems, load_sources
from newsdesk.kernel.url_rules import UrlPattern, UrlRules, read_date

REPO_ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)


def rules(**urls) -> UrlRules:
    source = Source(
        name="site", start_urls=["https://news.example/", "https://news.example/video/"], urls=urls
    )
    return UrlRules.from_source(source)


# --- allow and deny


def test_without_rules_every_url_is_allowed_and_nothing_is_too_old() -> None:
    empty = rules()

    assert empty.verdict("https://news.example/anything/at/all?x=1") is None
    assert not empty.too_old("1999-01-01", NOW)
    assert not empty.active
    assert empty.describe() == "every URL, any age"


def test_a_path_prefix_matches_the_path_and_query_only() -> None:
    denied = rules(deny=["/video/", "/search?q="])

    assert denied.verdict("https://news.example/video/123") == "deny /video/"
    assert denied.verdict("https://news.example/search?q=talks") == "deny /search?q="
    assert denied.verdict("https://news.example/news/video/123") is None, "a prefix, not a substring"
    assert denied.verdict("https://video.example/news/1") is None, "the host is not the path"
    assert denied.verdict("https://news.example/search") is None


def test_an_allow_list_keeps_only_matching_urls() -> None:
    allowed = rules(allow=["/news/", "/world/"])

    assert allowed.verdict("https://news.example/news/2026/talks") is None
    assert allowed.verdict("https://news.example/world/asia-1") is None
    assert allowed.verdict("https://news.example/sport/match") == "not in allow list"
    assert allowed.verdict("https://news.example/") is None, "a start URL"


def test_a_regex_is_searched_in_the_whole_url() -> None:
    by_regex = rules(allow=[r"re:/20\d\d/\d\d/"], deny=[r"re:^https://news\.example/.*[?&]amp=1"])

    assert by_regex.verdict("https://news.example/2026/05/talks") is None
    assert by_regex.verdict("https://news.example/about") == "not in allow list"
    assert (
        by_regex.verdict("https://news.example/2026/05/talks?amp=1")
        == r"deny re:^https://news\.example/.*[?&]amp=1"
    )
    assert by_regex.verdict("https://news.example/2026/05/talks?camp=1") is None


def test_deny_beats_allow() -> None:
    both = rules(allow=["/news/"], deny=["/news/av/", "re:/live/"])

    assert both.verdict("https://news.example/news/world-1") is None
    assert both.verdict("https://news.example/news/av/world-1") == "deny /news/av/"
    assert both.verdict("https://news.example/news/live/world-1") == "deny re:/live/"


def test_start_urls_are_never_refused() -> None:
    strict = rules(allow=["/news/"], deny=["/video/"])

    assert strict.verdict("https://news.example/") is None
    assert strict.verdict("https://news.example/video/") is None, "named in start_urls, so fetched"
    assert strict.verdict("https://news.example/video/clip-1") == "deny /video/"
    assert strict.discovery_verdict("https://news.example/video/") is None


def test_discovery_pages_answer_to_deny_only() -> None:
    strict = rules(allow=["/news/"], deny=["/tag/"])

    assert strict.discovery_verdict("https://news.example/section/world?page=2") is None
    assert strict.discovery_verdict("https://news.example/tag/sport") == "deny /tag/"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("re:(unclosed", "'re:(unclosed' is not a valid regular expression (missing ), unterminated"),
        ("re:", "'re:': an empty regular expression would match every URL"),
        ("video/", "'video/' is neither a path prefix (starting with /) nor a regular expression (re:...)"),
        ("https://news.example/video/", "is neither a path prefix"),
    ],
)
def test_a_bad_pattern_is_refused_naming_it(pattern: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        UrlPattern.parse(pattern)


# --- the age window


def test_max_age_days_is_a_window_back_from_now() -> None:
    week = rules(max_age_days=7)

    assert not week.too_old(NOW - dt.timedelta(days=6, hours=23), NOW)
    assert week.too_old(NOW - dt.timedelta(days=7, seconds=1), NOW)
    assert not week.too_old(NOW + dt.timedelta(days=1), NOW), "a future date is not old"
    assert week.describe() == "published within 7 days"


def test_a_missing_or_unreadable_date_is_never_too_old() -> None:
    week = rules(max_age_days=7)

    assert not week.too_old(None, NOW)
    assert not week.too_old("", NOW)
    assert not week.too_old("last Tuesday", NOW)
    assert not week.too_old("2026-02-30", NOW)


def test_timezone_aware_and_naive_inputs_compare_in_utc() -> None:
    week = rules(max_age_days=7)
    # 2026-05-03 12:00 UTC is the edge of the window.
    tokyo = dt.timezone(dt.timedelta(hours=9))

    assert week.too_old(dt.datetime(2026, 5, 3, 20, 59, tzinfo=tokyo), NOW), "11:59 UTC"
    assert not week.too_old(dt.datetime(2026, 5, 3, 21, 1, tzinfo=tokyo), NOW), "12:01 UTC"
    assert week.too_old(dt.datetime(2026, 5, 3, 11, 59), NOW), "naive: read as UTC"
    assert not week.too_old(dt.datetime(2026, 5, 3, 12, 1), NOW)
    naive_now = NOW.replace(tzinfo=None)
    assert week.too_old(dt.datetime(2026, 5, 3, 11, 59, tzinfo=dt.UTC), naive_now)
    assert not week.too_old("2026-05-03T21:01:00+09:00", naive_now)


def test_a_day_without_a_time_is_too_old_only_once_the_whole_day_is() -> None:
    week = rules(max_age_days=7)

    assert not week.too_old(dt.date(2026, 5, 3), NOW), "the window's first day, partly inside"
    assert week.too_old(dt.date(2026, 5, 2), NOW)
    assert not week.too_old("2026-05-03", NOW)
    assert week.too_old("2026-05-02", NOW)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2026-05-03T10:00:00Z", dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)),  # sitemap lastmod, Atom
        ("2026-05-03T12:00:00+02:00", dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)),
        ("2026-05-03 10:00", dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)),
        ("Sun, 03 May 2026 10:00:00 GMT", dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)),  # RSS pubDate
        ("Sun, 03 May 2026 12:00:00 +0200", dt.datetime(2026, 5, 3, 10, tzinfo=dt.UTC)),
        ("2026-05-03", dt.date(2026, 5, 3)),
        ("2026-02", dt.date(2026, 2, 28)),  # W3C datetime shortenings stand for their last day
        ("2025", dt.date(2025, 12, 31)),
    ],
)
def test_dates_as_sitemaps_feeds_and_the_parse_stage_write_them(written: str, read: dt.date) -> None:
    assert read_date(written) == read


def test_a_window_without_max_age_days_is_off() -> None:
    assert not rules(allow=["/news/"]).too_old("1990-01-01", NOW)


# --- the registry


ENTRY = """\
sources:
  - name: alpha
    start_urls: ["https://a.example/"]
"""


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(ENTRY + extra, encoding="utf-8")
    return path


def test_the_urls_block_round_trips_through_the_registry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '    max_pages: 250\n    urls:\n      allow: ["/news/", "re:/20\\\\d\\\\d/"]\n'
        '      deny: ["/news/av/"]\n      max_age_days: 3\n',
    )

    source = load_sources(path)["alpha"]

    assert source.max_pages == 250
    assert source.urls.allow == ["/news/", r"re:/20\d\d/"]
    assert source.urls.deny == ["/news/av/"]
    assert source.urls.max_age_days == 3
    compiled = UrlRules.from_source(source.resolved("http://demo:1"))
    assert compiled.verdict("https://a.example/news/av/1") == "deny /news/av/"
    assert compiled.verdict("https://a.example/2026/talks") is None
    assert compiled.verdict("https://a.example/sport/1") == "not in allow list"
    assert Source.model_validate(source.model_dump()) == source


def test_a_source_without_the_block_has_empty_rules() -> None:
    source = load_sources(REPO_ROOT / "sources.yaml")["demo"]

    assert source.urls.allow == [] and source.urls.deny == [] and source.urls.max_age_days is None
    assert not UrlRules.from_source(source).active


@pytest.mark.parametrize(
    ("extra", "field", "problem"),
    [
        ("    urls: {deny: ['/ok/', 're:(']}\n", "urls.deny.1", "'re:(' is not a valid regular expression"),
        ("    urls: {allow: [news]}\n", "urls.allow.0", "'news' is neither a path prefix"),
        ("    urls: {max_age_days: -3}\n", "urls.max_age_days", "greater than or equal to 1"),
        ("    urls: {max_age_days: 0}\n", "urls.max_age_days", "greater than or equal to 1"),
        ("    urls: {max_age_days: '7'}\n", "urls.max_age_days", "Input should be a valid integer"),
        ("    urls: {max_age: 7}\n", "urls.max_age", "Extra inputs are not permitted"),
        ("    urls: {allow: /news/}\n", "urls.allow", "Input should be a valid list"),
        ("    max_pages: 0\n", "max_pages", "greater than 0"),
        ("    max_pages: -10\n", "max_pages", "greater than 0"),
        ("    max_pages: yes\n", "max_pages", "Input should be a valid integer"),
        ("    max_pages: '500'\n", "max_pages", "Input should be a valid integer"),
        ("    max_pages: 2.5\n", "max_pages", "Input should be a valid integer"),
    ],
)
def test_a_bad_rule_is_an_error_naming_source_and_field(
    tmp_path: Path, extra: str, field: str, problem: str
) -> None:
    path = write(tmp_path, extra)

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: source 'alpha', field {field}: "), message
    assert problem in message


def test_the_commented_example_in_sources_yaml_is_valid(tmp_path: Path) -> None:
    lines = (REPO_ROOT / "sources.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("    # urls:")
    block = [line.replace("# ", "", 1) for line in lines[start : start + 4]]
    path = write(tmp_path, "\n".join(block) + "\n")

    source = load_sources(path)["alpha"]

    assert source.urls.deny == ["/news/av/", "re:/live/"] and source.urls.max_age_days == 7


def test_a_start_url_a_deny_pattern_matches_is_a_warning() -> None:
    source = Source(name="site", start_urls=["https://news.example/video/"], urls={"deny": ["/video/"]})

    assert any("matches urls.deny /video/" in problem for problem in describe_problems(source))


# --- the commands


def _invoke(tmp_path: Path, sources: Path, *args: str):
    env = {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_SOURCES_FILE": str(sources)}
    return CliRunner().invoke(app, list(args), env=env)


def test_sources_check_and_list_show_the_rules_and_the_page_budget(tmp_path: Path) -> None:
    path = write(
        tmp_path, '    max_pages: 250\n    urls: {allow: ["/news/"], deny: ["/news/av/"], max_age_days: 3}\n'
    )

    check = _invoke(tmp_path, path, "sources", "check", "alpha")
    listed = _invoke(tmp_path, path, "sources", "list")

    assert check.exit_code == 0, check.output
    assert "  max_pages        250\n" in check.output
    assert "  urls             allow /news/; deny /news/av/; published within 3 days\n" in check.output
    assert listed.exit_code == 0, listed.output
    assert "[urls: allow /news/; deny /news/av/; published within 3 days]" in listed.output


def test_sources_check_refuses_a_bad_regex_naming_source_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "    urls: {deny: ['re:[a-']}\n")

    check = _invoke(tmp_path, path, "sources", "check", "alpha")

    assert check.exit_code == 2
    assert f"{path}: source 'alpha', field urls.deny.0: Value error, 're:[a-' is not a valid regular" in (
        check.output
    )
