"""The crawl-state growth benchmark's table: what each new article added, against the first crawl."""

from __future__ import annotations

from benchmarks.crawl_state_growth import print_tables


def test_each_row_shows_what_a_new_article_added_since_the_first_crawl(capsys):
    rows = [
        (100, 103, {"recheck:meta": 30_000, "crawl:known": 3_000}),
        (200, 100, {"recheck:meta": 60_000, "crawl:known": 5_000, "listed:at": 10_000}),
    ]

    print_tables(rows)

    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["100", "103", "32.2", "330", "baseline"]
    # (75,000 - 33,000) bytes over 100 more articles.
    assert lines[2].split() == ["200", "100", "73.2", "375", "420"]
    by_kind = {line.split()[0]: line.split()[1] for line in lines[5:]}
    assert by_kind == {"recheck:meta": "300", "listed:at": "100", "crawl:known": "20"}
