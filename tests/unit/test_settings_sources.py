"""Unit tests for the settings object built from NEWSDESK_* variables and for the source registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.settings import ENV_VARIABLES, STACK_FILE, Settings
from newsdesk.kernel.sources import Source, get_source, load_sources

REPO_ROOT = Path(__file__).resolve().parents[2]


# --- Settings


def test_defaults_with_only_a_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"NEWSDESK_HOME": str(tmp_path)})

    assert settings == Settings(home=tmp_path)
    assert settings.es_url == "http://127.0.0.1:9200"
    assert settings.max_retries == 6
    assert settings.sources_file == REPO_ROOT / "sources.yaml"
    assert settings.articles_alias == "newsdesk-articles"


def test_newsdesk_variables_override_the_defaults(tmp_path: Path) -> None:
    environ = {
        "NEWSDESK_HOME": str(tmp_path),
        "NEWSDESK_ES_URL": "https://es.internal:9243",
        "NEWSDESK_ES_USERNAME": "writer",
        "NEWSDESK_ES_PASSWORD": "s3cret",
        "NEWSDESK_ES_CA_CERTS": "/etc/ssl/es.pem",
        "NEWSDESK_REDIS_URL": "redis://redis.internal:6380/2",
        "NEWSDESK_INDEX_PREFIX": "staging",
        "NEWSDESK_SOURCES_FILE": str(tmp_path / "sources.yaml"),
        "NEWSDESK_DEMO_URL": "http://127.0.0.1:9999",
        "NEWSDESK_USER_AGENT": "newsdesk-test/1.0",
        "NEWSDESK_MAX_RETRIES": "2",
        "NEWSDESK_RETRY_BACKOFF_MAX": "30",
        "NEWSDESK_MAX_PAGE_BYTES": "1000",
        "NEWSDESK_UNRELATED": "ignored",
        "PATH": "/usr/bin",
    }

    settings = Settings.from_env(environ)

    assert settings == Settings(
        es_url="https://es.internal:9243",
        es_username="writer",
        es_password="s3cret",
        es_ca_certs="/etc/ssl/es.pem",
        redis_url="redis://redis.internal:6380/2",
        index_prefix="staging",
        home=tmp_path,
        sources_file=tmp_path / "sources.yaml",
        demo_url="http://127.0.0.1:9999",
        user_agent="newsdesk-test/1.0",
        max_retries=2,
        retry_backoff_max=30,
        max_page_bytes=1000,
    )
    assert isinstance(settings.sources_file, Path)
    assert (settings.articles_alias, settings.duplicates_index, settings.deadletter_index) == (
        "staging-articles",
        "staging-duplicates",
        "staging-deadletter",
    )


def test_empty_variables_keep_the_default(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_MAX_RETRIES": "", "NEWSDESK_ES_URL": ""}
    )

    assert settings.max_retries == 6
    assert settings.es_url == "http://127.0.0.1:9200"


@pytest.mark.parametrize(
    "variable", ["NEWSDESK_MAX_RETRIES", "NEWSDESK_RETRY_BACKOFF_MAX", "NEWSDESK_MAX_PAGE_BYTES"]
)
@pytest.mark.parametrize("raw", ["three", "2.5", "5MB"])
def test_a_bad_integer_names_the_variable(tmp_path: Path, variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NEWSDESK_HOME": str(tmp_path), variable: raw})

    assert str(caught.value).startswith(f"{variable}={raw!r}: ")


@pytest.mark.parametrize(("shards", "replicas"), [("1", "0-1"), ("3", "2"), ("2", " 0-all "), ("1", "1-3")])
def test_shards_and_replicas_from_the_environment(tmp_path: Path, shards: str, replicas: str) -> None:
    settings = Settings.from_env(
        {"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_INDEX_SHARDS": shards, "NEWSDESK_INDEX_REPLICAS": replicas}
    )

    assert (settings.index_shards, settings.index_replicas) == (int(shards), replicas.strip())


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("NEWSDESK_INDEX_SHARDS", "0"),
        ("NEWSDESK_INDEX_SHARDS", "two"),
        ("NEWSDESK_INDEX_REPLICAS", "one"),
        ("NEWSDESK_INDEX_REPLICAS", "0-"),
        ("NEWSDESK_INDEX_REPLICAS", "-1"),
        ("NEWSDESK_INDEX_REPLICAS", "0-many"),
    ],
)
def test_bad_shards_or_replicas_name_the_variable(tmp_path: Path, variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NEWSDESK_HOME": str(tmp_path), variable: raw})

    assert str(caught.value).startswith(f"{variable}={raw!r}: ")


def test_the_running_stack_file_is_read(tmp_path: Path) -> None:
    stack = {
        "es_url": "https://127.0.0.1:19200",
        "es_password": "from-stack",
        "redis_url": "redis://127.0.0.1:16379/0",
        "demo_url": "http://127.0.0.1:18765",
        "pids": {"redis": 123},
    }
    (tmp_path / STACK_FILE).write_text(json.dumps(stack))

    settings = Settings.from_env({"NEWSDESK_HOME": str(tmp_path)})

    assert (settings.es_url, settings.es_password, settings.redis_url, settings.demo_url) == (
        "https://127.0.0.1:19200",
        "from-stack",
        "redis://127.0.0.1:16379/0",
        "http://127.0.0.1:18765",
    )
    assert settings.home == tmp_path


def test_variables_win_over_the_stack_file(tmp_path: Path) -> None:
    (tmp_path / STACK_FILE).write_text(json.dumps({"es_url": "https://127.0.0.1:19200", "es_password": "x"}))

    settings = Settings.from_env({"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_ES_URL": "https://es:9200"})

    assert settings.es_url == "https://es:9200"
    assert settings.es_password == "x"


def test_a_partial_stack_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    (tmp_path / STACK_FILE).write_text(json.dumps({"redis_url": "redis://127.0.0.1:16379/0"}))

    settings = Settings.from_env({"NEWSDESK_HOME": str(tmp_path)})

    assert settings == Settings(home=tmp_path, redis_url="redis://127.0.0.1:16379/0")


def test_a_corrupt_stack_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / STACK_FILE).write_text("{not json")

    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NEWSDESK_HOME": str(tmp_path)})

    assert str(tmp_path / STACK_FILE) in str(caught.value)
    assert "not valid JSON" in str(caught.value)


def test_to_env_round_trips(tmp_path: Path) -> None:
    settings = Settings(
        es_url="https://es.internal:9243",
        es_password="s3cret",
        es_ca_certs="/etc/ssl/es.pem",
        index_prefix="staging",
        home=tmp_path,
        sources_file=tmp_path / "sources.yaml",
        max_retries=2,
        max_page_bytes=1000,
    )

    env = settings.to_env()

    assert env["NEWSDESK_HOME"] == str(tmp_path)
    assert env["NEWSDESK_MAX_RETRIES"] == "2"
    assert set(env) <= set(ENV_VARIABLES)
    assert all(isinstance(value, str) for value in env.values())
    assert Settings.from_env(env) == settings


def test_to_env_leaves_out_unset_values(tmp_path: Path) -> None:
    env = Settings(home=tmp_path).to_env()

    assert "NEWSDESK_ES_PASSWORD" not in env
    assert "NEWSDESK_ES_CA_CERTS" not in env
    assert Settings.from_env(env) == Settings(home=tmp_path)


def test_public_dict_masks_the_password(tmp_path: Path) -> None:
    shown = Settings(home=tmp_path, es_password="s3cret").public_dict()

    assert shown["es_password"] == "***"
    assert "s3cret" not in json.dumps(shown)
    assert shown["home"] == str(tmp_path)


# --- Sources


def test_the_repository_registry_has_the_demo_source() -> None:
    sources = load_sources(REPO_ROOT / "sources.yaml")

    demo = sources["demo"]
    assert demo.start_urls == ["{demo_url}/"]
    assert demo.article_pattern == "/article/"
    assert demo.language == "en"
    assert demo.max_pages == 20000
    assert get_source(REPO_ROOT / "sources.yaml", "demo") == demo


def test_resolved_fills_the_demo_url_and_allowed_domains() -> None:
    demo = load_sources(REPO_ROOT / "sources.yaml")["demo"]

    resolved = demo.resolved("http://127.0.0.1:8765/")

    assert resolved.start_urls == ["http://127.0.0.1:8765/"]
    assert resolved.allowed_domains == ["127.0.0.1"]
    assert demo.start_urls == ["{demo_url}/"]
    assert resolved.name == "demo"


def test_resolved_keeps_explicit_allowed_domains() -> None:
    source = Source(
        name="kcna",
        start_urls=["https://www.Example.org/en/", "https://news.example.org/", "{demo_url}/x"],
        article_pattern=r"/article/\d+",
        allowed_domains=["example.org"],
    )

    assert source.resolved("http://demo:1").allowed_domains == ["example.org"]
    derived = source.model_copy(update={"allowed_domains": []}).resolved("http://demo:1")
    assert derived.start_urls == [
        "https://www.Example.org/en/",
        "https://news.example.org/",
        "http://demo:1/x",
    ]
    assert derived.allowed_domains == ["demo", "news.example.org", "www.example.org"]


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ENTRY = """\
  - name: {name}
    start_urls: ["https://a.example/"]
    article_pattern: "/news/"
"""


def test_a_valid_file_with_several_sources(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n" + GOOD_ENTRY.format(name="alpha") + GOOD_ENTRY.format(name="beta"))

    sources = load_sources(path)

    assert list(sources) == ["alpha", "beta"]
    assert sources["beta"].max_pages == 10_000
    assert sources["beta"].allowed_domains == []


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (
            "sources:\n  - name: alpha\n    start_urls: ['https://a.example/']\n    article_pattern: /n/\n"
            "    colour: red\n",
            "colour",
            "Extra inputs are not permitted",
        ),
        (
            "sources:\n  - name: alpha\n    start_urls: ['https://a.example/']\n"
            "    article_pattern: '/news/(['\n",
            "article_pattern",
            "not a valid regular expression",
        ),
        (
            "sources:\n  - name: alpha\n    start_urls: []\n    article_pattern: /news/\n",
            "start_urls",
            "at least 1 item",
        ),
        (
            "sources:\n  - name: alpha\n    article_pattern: /news/\n",
            "start_urls",
            "Field required",
        ),
        (
            "sources:\n  - name: alpha\n    start_urls: ['https://a.example/']\n    article_pattern: /n/\n"
            "    max_pages: 0\n",
            "max_pages",
            "greater than 0",
        ),
    ],
    ids=["unknown-field", "bad-regex", "empty-start-urls", "missing-start-urls", "zero-max-pages"],
)
def test_a_bad_entry_names_file_source_and_field(tmp_path: Path, text: str, field: str, problem: str) -> None:
    path = write(tmp_path, "sources:\n" + GOOD_ENTRY.format(name="first") + text.removeprefix("sources:\n"))

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert f"source 'alpha', field {field}: " in message
    assert problem in message
    assert "'first'" not in message


def test_a_bad_name_is_reported_with_the_name(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n" + GOOD_ENTRY.format(name="Bad Name"))

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    assert str(caught.value).startswith(f"{path}: source 'Bad Name', field name: ")


def test_a_duplicate_name_is_a_config_error_naming_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources:\n" + GOOD_ENTRY.format(name="alpha") + GOOD_ENTRY.format(name="beta")
        + GOOD_ENTRY.format(name="alpha"),
    )  # fmt: skip

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    assert str(caught.value) == f"{path}: source names must be unique, repeated: alpha"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources: [\n", "not valid YAML"),
        ("", "valid dictionary"),
        ("- name: alpha\n", "valid dictionary"),
        ("sources:\n  - just a string\n", "source '#0', field (entry)"),
    ],
    ids=["unclosed-yaml", "empty-file", "top-level-list", "entry-not-a-mapping"],
)
def test_a_malformed_file_is_a_config_error_naming_it(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_sources(path)

    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the source registry"):
        load_sources(tmp_path / "absent.yaml")


def test_get_source_names_the_known_sources(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n" + GOOD_ENTRY.format(name="alpha") + GOOD_ENTRY.format(name="beta"))

    with pytest.raises(ConfigError) as caught:
        get_source(path, "gamma")

    assert str(caught.value) == f"{path}: no source named 'gamma' (known: alpha, beta)"
