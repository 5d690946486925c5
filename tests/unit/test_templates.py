"""Index templates: strict mappings everywhere, language sub-fields and ILM only where detected."""

from __future__ import annotations

import dataclasses

from index.templates import ANALYSED_TEXT_FIELDS, Capabilities, index_templates
from newsdesk.kernel.settings import Settings

SETTINGS = Settings(index_prefix="nd")


def test_core_templates_use_only_core_features():
    templates = index_templates(SETTINGS, Capabilities())
    assert set(templates) == {
        "nd-articles",
        "nd-duplicates",
        "nd-deadletter",
        "nd-crawl-runs",
        "nd-crawl-log",
        "nd-raw",
        "nd-revisions",
        "nd-minhash",
    }
    for alias, template in templates.items():
        assert template["index_patterns"] == [f"{alias}-*"]
        assert template["template"]["mappings"]["dynamic"] == "strict"
        assert "index.lifecycle.name" not in template["template"]["settings"]
    properties = templates["nd-articles"]["template"]["mappings"]["properties"]
    for name in ANALYSED_TEXT_FIELDS:
        assert "analyzer" not in str(properties[name])
    assert properties["geo"] == {"type": "geo_point"}
    assert properties["published_at"]["type"] == "date"
    assert properties["title"]["fields"]["keyword"]["type"] == "keyword"


def test_language_analysers_and_ilm_when_the_engine_has_them():
    templates = index_templates(SETTINGS, Capabilities(language_analyzers=True, ilm=True))
    properties = templates["nd-articles"]["template"]["mappings"]["properties"]
    for name in ANALYSED_TEXT_FIELDS:
        assert properties[name]["fields"]["en"] == {"type": "text", "analyzer": "english"}
        assert properties[name]["fields"]["ru"] == {"type": "text", "analyzer": "russian"}
    settings = templates["nd-articles"]["template"]["settings"]
    assert settings["index.lifecycle.name"] == "nd-articles-policy"
    assert settings["index.lifecycle.rollover_alias"] == "nd-articles"
    # The core variant is not changed by building the richer one.
    core = index_templates(SETTINGS, Capabilities())["nd-articles"]["template"]["mappings"]["properties"]
    assert "en" not in core["title"]["fields"]


def test_an_archived_signature_is_searchable_before_redis_forgets_it():
    from index.templates import MINHASH_REFRESH_SECONDS
    from newsdesk.state.claims import SETTLE_SECONDS
    from tasks.worker.resources import CLAIM_SEARCH_FRESH_SECONDS

    settings = index_templates(SETTINGS, Capabilities())["nd-minhash"]["template"]["settings"]
    assert settings["refresh_interval"] == f"{MINHASH_REFRESH_SECONDS}s"
    # A search that missed an article not yet refreshed is used at most CLAIM_SEARCH_FRESH_SECONDS later,
    # while Redis still holds that article.
    assert MINHASH_REFRESH_SECONDS + CLAIM_SEARCH_FRESH_SECONDS < SETTLE_SECONDS
    assert "refresh_interval" not in index_templates(SETTINGS)["nd-articles"]["template"]["settings"]


def test_every_store_gets_one_shard_and_a_replica_once_there_is_another_node():
    for template in index_templates(SETTINGS).values():
        settings = template["template"]["settings"]
        assert settings["number_of_shards"] == 1
        # "0-1": a single node stays green with no replica; on a cluster each shard has a copy elsewhere.
        assert settings["auto_expand_replicas"] == "0-1"
        assert "number_of_replicas" not in settings


def test_shards_and_replicas_come_from_the_settings():
    counted = dataclasses.replace(SETTINGS, index_shards=3, index_replicas="2")
    for template in index_templates(counted).values():
        settings = template["template"]["settings"]
        assert (settings["number_of_shards"], settings["number_of_replicas"]) == (3, 2)
        assert "auto_expand_replicas" not in settings
    expanding = dataclasses.replace(SETTINGS, index_replicas="0-all")
    articles = index_templates(expanding)["nd-articles"]["template"]["settings"]
    assert articles["auto_expand_replicas"] == "0-all"
