"""The scale-out and per-service cost helpers: the machine's busy share, differences and the table rows."""

from __future__ import annotations

import pytest

from benchmarks.procstat import busy_share, parse_machine_ticks
from benchmarks.scale_out import row_note
from benchmarks.service_cost import difference, report_service_cost
from benchmarks.throughput import Options, Run

PROC_STAT = """cpu  100 5 50 800 20 3 2 0 7 0
cpu0 50 2 25 400 10 1 1 0 3 0
intr 12345
"""


def test_the_machine_line_of_proc_stat_is_busy_and_total_ticks():
    # Idle and iowait are not busy; guest time is inside user already, so it is not added again.
    assert parse_machine_ticks(PROC_STAT) == (160, 980)


def test_busy_share_is_the_busy_ticks_over_all_ticks_between_two_readings():
    assert busy_share((100, 1000), (250, 1200)) == pytest.approx(0.75)
    assert busy_share((100, 1000), (100, 1000)) is None


def reading(
    seconds: float, ticks: tuple[int, int], workers: float, redis: float, es: float, jit: float
) -> dict:
    return {
        "seconds": seconds,
        "machine_ticks": ticks,
        "cpu": {
            "workers": workers,
            "crawler": 1.0,
            "benchmark process": 0.5,
            "redis-server": redis,
            "elasticsearch": es,
            "elasticsearch JIT": jit,
        },
        "redis": {"used_memory": 1000, "total_commands_processed": 10},
        "redis commands": {"evalsha calls": 4, "evalsha usec": 900} if workers > 1 else {},
        "elasticsearch": {"shard searches": 3},
    }


def test_a_difference_keeps_each_counter_and_the_run_s_own_share_of_the_cores(monkeypatch):
    monkeypatch.setattr("benchmarks.service_cost.os.cpu_count", lambda: 2)
    spent = difference(reading(10, (0, 0), 1, 1, 1, 0.5), reading(20, (15, 20), 7, 2, 5, 1.5))
    assert spent["seconds"] == 10 and spent["cores"] == 2
    assert spent["busy_share"] == pytest.approx(0.75)
    assert spent["cpu"]["workers"] == 6 and spent["cpu"]["elasticsearch JIT"] == 1
    # Workers 6 + Redis 1 + Elasticsearch 4 (its JIT inside it, not again) over 10 s of 2 cores.
    assert spent["own_share"] == pytest.approx(11 / 20)
    assert spent["redis"]["used_memory"] == 0
    # A command first called between the readings counts from nothing.
    assert spent["redis commands"] == {"evalsha calls": 4, "evalsha usec": 900}


def cost(articles: int = 100) -> dict:
    spent = {
        "seconds": 20.0,
        "cores": 2,
        "busy_share": 0.9,
        "own_share": 0.8,
        "cpu": {
            "workers": 3.0,
            "crawler": 1.0,
            "benchmark process": 0.1,
            "redis-server": 0.2,
            "elasticsearch": 1.5,
            "elasticsearch JIT": 0.5,
        },
        "redis": {
            "used_memory": 50_000,
            "total_net_input_bytes": 10**7,
            "total_net_output_bytes": 10**6,
            "total_commands_processed": 2500,
        },
        "redis commands": {
            "evalsha calls": 300,
            "evalsha usec": 50_000,
            "lpush calls": 150,
            "lpush usec": 9_000,
        },
        "elasticsearch": {"shard searches": 100, "shard index operations": 700},
    }
    growth = {"dedupe": 8000, "crawl": 2000, "dedupe in flight": 500, "run records": 17000, "used_memory": 1}
    return {
        "articles": articles,
        "pages": 150,
        "fetches": 400,
        "workers": "1 worker process of concurrency 2",
        "spent": spent,
        "redis_state_growth": growth,
        "es_stores": {"ndbench-raw-000001": {"bytes": 5_000_000, "documents": 100}},
    }


def test_the_cost_table_shows_the_real_pages_crawl_per_article():
    run = Run(Options())
    run.details["service_cost"] = {"demo": cost(10), "real pages": cost()}
    report_service_cost(run)
    rows = {row.measure: row for row in run.rows}
    assert "the real pages crawl: 100 new articles" in run.rows[0].section
    assert rows["workers CPU"].value == pytest.approx(30)
    assert rows["redis-server CPU"].note.endswith("evalsha 0.50 ms (3.0 calls), lpush 0.09 ms (1.5 calls)")
    assert rows["Elasticsearch node CPU"].value == pytest.approx(15)
    assert "the rest 10.0 ms" in rows["Elasticsearch node CPU"].note
    assert rows["workers + crawler + Redis + Elasticsearch"].value == pytest.approx(57)
    assert rows["Redis state kept for good"].value == pytest.approx(100)
    assert rows["Redis run records"].value == pytest.approx(170)
    assert rows["Elasticsearch store, primaries, every index"].value == pytest.approx(50_000)
    assert "raw-000001 50,000 B" in rows["Elasticsearch store, primaries, every index"].note


def test_without_a_measured_crawl_the_table_says_so():
    run = Run(Options())
    report_service_cost(run)
    assert run.rows[0].value is None and run.rows[0].note


def test_a_scale_out_row_names_its_load_beside_its_rate():
    row = {"seconds": 12.5, "speed_up": 1.6, "spent": cost()["spent"]}
    note = row_note(row, 100)
    assert note.startswith(
        "12.5 s; worker CPU 30.0 ms/page; speed-up 1.60x; 2 cores 90% busy, 80% by this run"
    )
    assert note.endswith("Redis 2.0 and Elasticsearch 15.0 ms CPU/page")


def test_sections_are_printed_in_their_numbers_order():
    from benchmarks.__main__ import section_order

    sections = ["10. per-article cost", "2. per stage", "9. rendering", "1. end to end"]
    assert sorted(sections, key=section_order) == [
        "1. end to end",
        "2. per stage",
        "9. rendering",
        "10. per-article cost",
    ]
