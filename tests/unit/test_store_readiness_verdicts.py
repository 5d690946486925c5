"""Unit tests for judging whether Elasticsearch can take a crawl's pages, from what it holds."""

from __future__ import annotations

import pickle

from index.setup import StoreReadiness, judge_store
from index.templates import MAPPING_VERSION
from newsdesk.kernel.errors import StoreNotReady

ALIASES = ["nd-articles", "nd-duplicates", "nd-deadletter", "nd-crawl-runs", "nd-raw"]
CURRENT = MAPPING_VERSION
OLDER = MAPPING_VERSION - 1


def set_up(version: int = CURRENT) -> dict[str, dict[str, int]]:
    return {alias: {f"{alias}-000001": version} for alias in ALIASES}


def templates(version: int = CURRENT) -> dict[str, int]:
    return dict.fromkeys(ALIASES, version)


def test_a_store_set_up_by_this_code_is_ready() -> None:
    readiness = judge_store(ALIASES, templates(), set_up())

    assert readiness == StoreReadiness()
    assert readiness.ready and readiness.problem is None and readiness.commands == ()


def test_a_fresh_store_asks_for_setup_and_names_what_is_missing() -> None:
    readiness = judge_store(ALIASES, {}, {})

    assert not readiness.ready
    assert readiness.commands == ("newsdesk setup",)
    assert len(readiness.missing) == 2 * len(ALIASES)
    assert readiness.problem == (
        "the Elasticsearch store is not set up (missing alias nd-articles, alias nd-duplicates, "
        "alias nd-deadletter and 7 more): run `newsdesk setup`"
    )


def test_one_missing_alias_is_named() -> None:
    indices = set_up()
    del indices["nd-raw"]

    readiness = judge_store(ALIASES, templates(), indices)

    assert readiness.missing == ("alias nd-raw",)
    assert (
        readiness.problem
        == "the Elasticsearch store is not set up (missing alias nd-raw): run `newsdesk setup`"
    )


def test_an_older_mapping_asks_for_migrate() -> None:
    indices = set_up()
    indices["nd-articles"] = {"nd-articles-000001": OLDER, "nd-articles-000002": CURRENT}

    readiness = judge_store(ALIASES, templates(), indices)

    assert readiness.outdated == ("nd-articles-000001",)
    assert readiness.commands == ("newsdesk migrate",)
    assert readiness.problem == (
        f"the Elasticsearch store is not up to date (on an older mapping than version {CURRENT}: "
        "nd-articles-000001): run `newsdesk migrate`"
    )


def test_after_an_upgrade_migrate_alone_is_enough() -> None:
    # Older templates and indices: `migrate` puts the new template as it moves each store.
    readiness = judge_store(ALIASES, templates(OLDER), set_up(OLDER))

    assert readiness.commands == ("newsdesk migrate",)
    assert len(readiness.old_templates) == len(readiness.outdated) == len(ALIASES)


def test_an_older_template_alone_asks_for_setup() -> None:
    readiness = judge_store(ALIASES, {**templates(), "nd-raw": OLDER}, set_up())

    assert readiness.old_templates == ("template nd-raw",)
    assert readiness.commands == ("newsdesk setup",)


def test_missing_and_outdated_ask_for_setup_then_migrate() -> None:
    indices = set_up(OLDER)
    del indices["nd-raw"]

    readiness = judge_store(ALIASES, templates(), indices)

    assert readiness.commands == ("newsdesk setup", "newsdesk migrate")
    assert readiness.problem.endswith("run `newsdesk setup`, then `newsdesk migrate`")


def test_templates_the_account_may_not_read_are_judged_by_the_aliases_alone() -> None:
    # An account without the `monitor` cluster privilege must not refuse a store that is set up.
    assert judge_store(ALIASES, None, set_up()).ready
    assert judge_store(ALIASES, None, {}).missing == tuple(f"alias {alias}" for alias in ALIASES)


def test_a_newer_mapping_than_this_code_is_not_outdated() -> None:
    assert judge_store(ALIASES, templates(CURRENT + 1), set_up(CURRENT + 1)).ready


def test_the_refusal_pickles_for_celery() -> None:
    error = StoreNotReady("the Elasticsearch store is not set up (missing alias a): run `newsdesk setup`")

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is StoreNotReady and str(copy) == str(error)
