"""The peer: news-please, in its own virtual environment, crawling the same demo site into the same node."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.stack import BenchStack
from newsdesk.demosite.site import DemoServer, DemoSite, LoopbackServer
from newsdesk.kernel.settings import Settings

NEWS_PLEASE = "news-please==1.6.16"
# news-please's Elasticsearch pipeline calls the client with arguments the 8.x and 9.x clients removed
# (`Elasticsearch(port=…, use_ssl=…)`: TypeError, so with the client pip picks by default it stores nothing).
# Clients 7.14-7.17 first check the product with `GET /`, which the core-only node does not serve (405).
# 7.13 does neither and speaks to Elasticsearch 9 through its current REST paths (`/{index}/_doc`).
PEER_CLIENT = "elasticsearch>=7.10,<7.14"
PEER_INDEX = "ndbench-newsplease"
# news-please keeps the port in the domain it allows ("127.0.0.1:37379"), so Scrapy drops every link as
# offsite unless the site is on the default port: the peer reads the same site from a second server there.
PEER_SITE_HOST = "127.0.0.2"


def peer_home() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "newsdesk-bench" / "peer-news-please"


def _run(command: list[str], log: Callable[[str], None], timeout: float = 900) -> str | None:
    """Run one install step; the error (command and the tail of its output) or None."""
    log("peer: " + " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{' '.join(command)}` failed: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"`{' '.join(command)}` exited {done.returncode}: {' | '.join(tail)}"
    return None


def ensure_peer(log: Callable[[str], None]) -> tuple[Path | None, str | None]:
    """The news-please executable in its own venv (created once, outside the repo), or the failure."""
    home = peer_home()
    executable = home / "bin" / "news-please"
    marker = home / ".newsdesk-installed"
    if executable.exists() and marker.exists() and marker.read_text() == f"{NEWS_PLEASE} {PEER_CLIENT}":
        return executable, None
    steps = [
        [sys.executable, "-m", "venv", str(home)],
        [str(home / "bin" / "pip"), "install", "-q", NEWS_PLEASE, PEER_CLIENT],
    ]
    for step in steps:
        error = _run(step, log)
        if error:
            return None, error
    marker.write_text(f"{NEWS_PLEASE} {PEER_CLIENT}")
    return executable, None


def _set(config: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*?(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
    if not pattern.search(config):
        raise ValueError(f"news-please config has no {key!r}")
    return pattern.sub(lambda _m: f"{key} = {value}\n\n", config, count=1)


def _elasticsearch_section(config: str, settings: Settings, port: int) -> str:
    start = config.index("[Elasticsearch]")
    end = config.index("\n[", start + 1)
    section = config[start:end]
    for key, value in {
        "host": "127.0.0.1",
        "port": str(port),
        "index_current": f"'{PEER_INDEX}'",
        "index_archive": f"'{PEER_INDEX}-archive'",
        "username": f"'{settings.es_username}'",
        "secret": f"'{settings.es_password}'",
    }.items():
        section = _set(section, key, value)
    return config[:start] + section + config[end:]


def write_config(executable: Path, directory: Path, settings: Settings, site_url: str) -> Path:
    """news-please's own config.cfg, changed only where it must be: the site, the node, the pipelines."""
    where = "import newsplease, os; print(os.path.dirname(newsplease.__file__))"
    found = subprocess.run(
        [str(executable.parent / "python"), "-c", where], capture_output=True, text=True, check=True
    ).stdout.strip()
    config = (Path(found) / "config" / "config.cfg").read_text()
    port = int(settings.es_url.rsplit(":", 1)[1].split("/")[0])
    config = _elasticsearch_section(config, settings, port)
    values = {
        "default": "RecursiveCrawler",
        "number_of_parallel_crawlers": "1",
        "working_path": str(directory / "repo") + "/",
        "LOG_LEVEL": "INFO",
        # The same politeness as newsdesk's demo source: robots.txt obeyed, 4 requests at a time.
        "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
        "ITEM_PIPELINES": "{'newsplease.pipeline.pipelines.ArticleMasterExtractor':100, "
        "'newsplease.pipeline.pipelines.ElasticsearchStorage':350}",
    }
    for key, value in values.items():
        config = _set(config, key, value)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.cfg").write_text(config)
    # The demo pages carry no og:type, which news-please's default heuristics require: every page of the
    # host passes instead, and only article pages are counted.
    sites = {
        "base_urls": [
            {
                "url": site_url + "/",
                "crawler": "RecursiveCrawler",
                "pass_heuristics_condition": "og_type or not og_type",
            }
        ]
    }
    (directory / "sitelist.hjson").write_text(json.dumps(sites, indent=2))
    return directory


@dataclass(frozen=True)
class PeerSite:
    """What news-please crawls: a second server of the site (`serve(host, port)`), how the articles it
    stored are counted, and how many article pages the site has."""

    serve: Callable[[str, int], LoopbackServer]
    count_articles: Callable[[Any], int | None]
    article_pages: int
    remark: str = ""


def demo_peer_site(site: DemoSite) -> PeerSite:
    return PeerSite(
        serve=lambda host, port: DemoServer(site, host=host, port=port),
        count_articles=_article_count,
        article_pages=len(site.articles),
        remark="it keeps tracking-URL copies as articles",
    )


def _article_count(es) -> int | None:
    """Article pages news-please stored; 0 before it made its index, None while that index's shard is
    still starting (a count then fails with 503, which a slow machine met once)."""
    response = es.options(ignore_status=(404, 503)).count(
        index=PEER_INDEX, query={"wildcard": {"url.keyword": {"value": "*/article/*"}}}
    )
    if response.meta.status == 503:
        return None
    return int(response.get("count", 0)) if response.meta.status == 200 else 0


def stored_urls(es) -> list[str] | None:
    """Every URL news-please stored (it keeps one document per URL); None while its shard is starting."""
    response = es.options(ignore_status=(404, 503)).search(
        index=PEER_INDEX, size=10_000, source=["url"], query={"match_all": {}}
    )
    if response.meta.status == 503:
        return None
    if response.meta.status != 200:
        return []
    return [hit["_source"].get("url", "") for hit in response["hits"]["hits"]]


def _stop_group(child: subprocess.Popen) -> None:
    """Stop news-please and whatever it started (its own session): asked first, then killed, so nothing of
    it runs on into the sections measured after it."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait(10)


def run_peer(
    settings: Settings,
    stack: BenchStack,
    peer_site: PeerSite,
    timeout: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Crawl the site with news-please until it stops or `timeout` passes; articles/s over what it stored."""
    executable, error = ensure_peer(log)
    if error:
        return {"error": f"news-please could not be installed: {error}"}
    try:
        peer_server = peer_site.serve(PEER_SITE_HOST, 80).start()
    except OSError as exc:
        return {"error": f"no port 80 on {PEER_SITE_HOST} for the peer's copy of the site: {exc}"}
    try:
        return _crawl_with_peer(executable, settings, stack, peer_server, peer_site, timeout)
    finally:
        peer_server.stop()


def _crawl_with_peer(
    executable: Path,
    settings: Settings,
    stack: BenchStack,
    server: LoopbackServer,
    peer_site: PeerSite,
    timeout: float,
) -> dict[str, Any]:
    from index.client import build_client

    directory = write_config(executable, stack.base / "news-please", settings, f"http://{PEER_SITE_HOST}")
    es = build_client(settings)
    es.options(ignore_status=404).indices.delete(index=f"{PEER_INDEX}*")
    count = peer_site.count_articles
    log_file = stack.base / "news-please.log"
    requests_before = server.request_count
    start = time.monotonic()
    with open(log_file, "wb") as out:
        child = subprocess.Popen(
            [str(executable), "-c", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=directory,
            start_new_session=True,
        )
        stored, last_stored_at, stopped_by = 0, 0.0, "finished"
        while child.poll() is None:
            now = count(es)
            if now is not None and now > stored:
                stored, last_stored_at = now, time.monotonic() - start
            if time.monotonic() - start > timeout:
                # Counted at the timeout, before it is stopped: its rate is what it stored in that time,
                # not over the seconds it takes to shut down (half a minute, measured).
                es.options(ignore_status=(404, 503)).indices.refresh(index=PEER_INDEX)
                at_timeout = count(es)
                stored, last_stored_at = max(stored, at_timeout or 0), time.monotonic() - start
                stopped_by = f"stopped after {timeout:.0f}s"
                _stop_group(child)
                break
            time.sleep(1)
        seconds = time.monotonic() - start
    if stopped_by == "finished":
        time.sleep(1.5)  # one refresh interval, so the last writes are counted
        final = count(es) or 0
        if final > stored:
            stored, last_stored_at = final, seconds
    es.close()
    tail = log_file.read_text(errors="replace")[-4000:]
    if stored == 0:
        reason = next(
            (line.strip() for line in reversed(tail.splitlines()) if "Error" in line or "error" in line),
            tail.strip().splitlines()[-1] if tail.strip() else "no output",
        )
        return {
            "error": f"news-please stored no article ({stopped_by}, exit {child.returncode}): {reason[:300]}"
        }
    remark = f" ({peer_site.remark})" if peer_site.remark else ""
    return {
        "articles": stored,
        # Like newsdesk's end to end: from the start to the last article stored (news-please may linger).
        "seconds": last_stored_at,
        "process_seconds": seconds,
        "articles_per_second": stored / last_stored_at if last_stored_at else None,
        "requests": server.request_count - requests_before,
        "note": f"{stopped_by}; {stored} article URLs stored{remark}; the site has "
        f"{peer_site.article_pages} article pages; {NEWS_PLEASE}, {PEER_CLIENT}",
    }
