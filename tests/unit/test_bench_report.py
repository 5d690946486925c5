"""The benchmark report helpers: targets, the table, RSS growth and the result document's shape."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from benchmarks.procstat import parse_stat
from benchmarks.report import (
    Row,
    Target,
    build_result,
    check_result,
    format_table,
    format_value,
    machine_description,
    rss_growth,
    write_result,
)


def test_targets_are_judged_in_their_direction_and_unmeasured_is_neither():
    at_least = Target("ge", 5.0, ">= 5x")
    at_most = Target("le", 0.3, "<= 30%")
    assert at_least.met(5.0) and not at_least.met(4.99)
    assert at_most.met(0.3) and not at_most.met(0.31)
    assert at_least.met(None) is None
    with pytest.raises(ValueError):
        Target("eq", 1, "?").met(1)


def test_values_are_shown_with_sensible_precision():
    assert format_value(None) == "n/a"
    assert format_value(0) == "0"
    assert format_value(12345.6) == "12,346"
    assert format_value(123.4) == "123"
    assert format_value(12.34) == "12.3"
    assert format_value(1.234) == "1.23"
    assert format_value(0.01234) == "0.0123"


def test_table_groups_by_section_and_prints_each_target_beside_its_figure():
    rows = [
        Row("1. end to end", "throughput", 42.0, "articles/s"),
        Row("4. peer", "newsdesk / news-please", 3.0, "x", Target("ge", 5, ">= 5x news-please")),
        Row("4. peer", "news-please", None, "articles/s", note="pip install failed: no wheel"),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["measure", "value", "unit", "target", "note"]
    assert "[1. end to end]" in lines and "[4. peer]" in lines
    ratio = next(line for line in lines if line.startswith("newsdesk / news-please"))
    assert "3.00" in ratio and ">= 5x news-please (NOT met)" in ratio
    missing = next(line for line in lines if line.startswith("news-please "))
    assert "n/a" in missing and "pip install failed: no wheel" in missing


def test_rss_growth_compares_the_last_fifth_with_the_one_after_warm_up():
    assert rss_growth([100] * 10) == 0
    # Warm-up (the first fifth) does not count; steady growth afterwards does.
    assert rss_growth([50, 50, 100, 100, 120, 140, 160, 180, 200, 200]) == pytest.approx(1.0)
    assert rss_growth([50, 50, 100, 100, 100, 100, 100, 100, 100, 100]) == 0
    assert rss_growth([100, 100]) is None


def test_result_document_round_trips_and_its_shape_is_checked(tmp_path):
    rows = [Row("1. end to end", "throughput", 10.0, "articles/s", Target("ge", 1, ">= 1"))]
    started = dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)
    result = build_result(started, machine_description(), {"size": 10}, rows, {"x": 1})
    assert check_result(result) == []
    path = write_result(result, tmp_path)
    loaded = json.loads(path.read_text())
    assert path.name == "20261127T220000.json"
    assert loaded["rows"][0]["met"] is True and loaded["rows"][0]["target"]["op"] == "ge"
    assert loaded["machine"]["cores"] >= 1

    broken = {**loaded, "rows": [{**loaded["rows"][0], "value": None, "note": ""}]}
    del broken["machine"]["cpu_model"]
    problems = check_result(broken)
    assert "row 0: no value and no note saying why" in problems
    assert "machine: missing 'cpu_model'" in problems


def test_proc_stat_lines_with_spaces_in_the_command_name_are_read():
    fields = ["S", "41"] + ["0"] * 9 + ["250", "150"] + ["0"] * 30
    parent, cpu = parse_stat("123 (celery worker) " + " ".join(fields))
    assert parent == 41
    assert cpu == pytest.approx(400 / __import__("os").sysconf("SC_CLK_TCK"))
