"""The real-pages section: saved news pages crawled end to end, judged against the site's ground truth."""

from __future__ import annotations

import dataclasses
import html
import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from benchmarks.report import Target
from benchmarks.service_cost import metered, service_cost
from benchmarks.stack import REPO_ROOT, BenchStack
from benchmarks.throughput import (
    PEER_RATIO,
    RECRAWL,
    Options,
    Run,
    es_stores,
    log,
    redis_state_bytes,
    reset_stores,
    wait_searchable,
)
from newsdesk.demosite.realsite import (
    RealPage,
    RealSite,
    RealSiteServer,
    generate_real_site,
    load_real_pages,
    normalised_path,
    sample_pages,
    sniff_charset,
)
from newsdesk.kernel.settings import Settings
from tasks.dedupe.identity import canonical_url, document_id

# Benchmarks may read the shared corpus beside the repository; tests keep to their golden sample.
REAL_PAGES = REPO_ROOT.parent / "shared" / "corpus" / "real-pages"
QUICK_PAGES = 200
CRAWL_TIMEOUT = 3600
COVERAGE = Target("ge", 0.995, ">= 99.5%")
NONE_LEFT = Target("le", 0, "0")
EXAMPLES = 10
# Crawls of the site, the first included, before the section stops waiting for one that finds nothing new.
MAX_CRAWLS = 10


def section_name(pages: int) -> str:
    return f"8. real pages: a site of {pages} saved news pages"


# --- ground truth ---------------------------------------------------------------------------------


def same_story(one: RealPage, other: RealPage) -> bool:
    """Two saved pages of one story (the corpus holds a few pages saved twice): the same bytes, or every
    body snippet expected of one found in the other."""
    if one.read_bytes() == other.read_bytes():
        return True
    return _snippets_in(one, other) or _snippets_in(other, one)


def _snippets_in(page: RealPage, other: RealPage) -> bool:
    body = other.read_bytes()
    text = " ".join(html.unescape(body.decode(sniff_charset(body) or "utf-8", "replace")).split())
    return bool(page.with_snippets) and all(" ".join(s.split()) in text for s in page.with_snippets)


def _by_canonical_url(copies: Mapping[str, str]) -> dict[str, str]:
    """Duplicate records keyed by the canonical URL of the copy. A record of a URL variant of an article
    against that same article (a link to it with a query, say) is no merge and is left out."""
    keyed: dict[str, str] = {}
    for url, doc_id in copies.items():
        key = canonical_url(url)
        if doc_id != document_id(key):
            keyed.setdefault(key, doc_id)
    return keyed


def judge_crawl(
    site: RealSite,
    base: str,
    fates: Mapping[str, tuple[str, str]],
    requested: Iterable[str],
    indexed: Iterable[str],
    copies: Mapping[str, str],
) -> dict[str, Any]:
    """A crawl of the site against its ground truth.

    `fates`: URL -> (fate, detail) of the run; `requested`: the raw paths the server was asked for;
    `indexed`: the URLs of the articles index; `copies`: copy URL (as fetched) -> the doc_id it was
    recorded against.
    """
    indexed = set(indexed)
    copies = _by_canonical_url(copies)
    path_of_doc = {document_id(canonical_url(base + path)): path for path in site.articles}
    # A copy that reached the index before its original: the original is then its duplicate.
    copy_of_doc = {
        document_id(canonical_url(base + path)): (path, original)
        for path, original in {**site.mirrors, **site.republications, **site.tracking_variants}.items()
    }
    requested = set(requested)

    def fate_of(path: str) -> list[str]:
        unknown = ("no fate", "") if path in requested else ("never fetched", "")
        return [base + path, *fates.get(base + path, unknown)]

    covered, missing, right_merges, false_merges, inverted = 0, [], [], [], []
    for path, page in site.articles.items():
        url = canonical_url(base + path)
        right = False
        if url in copies and copies[url] in copy_of_doc:
            copy, original = copy_of_doc[copies[url]]
            right = original == path
            (inverted if right else false_merges).append([base + path, base + copy])
        elif url in copies:
            target = path_of_doc.get(copies[url])
            merged = [base + path, base + target if target else copies[url]]
            right = target is not None and target != path and same_story(page, site.articles[target])
            (right_merges if right else false_merges).append(merged)
        if url in indexed or right:
            covered += 1
        else:
            missing.append(fate_of(path))
    never_requested = [item for item in missing if item[0].removeprefix(base) not in requested]

    originals = {**site.mirrors, **site.republications}
    copied_right, copied_wrong = 0, []
    for path, original in sorted(originals.items()):
        url = canonical_url(base + path)
        if copies.get(url) == document_id(canonical_url(base + original)):
            copied_right += 1
        elif url in copies:
            target = path_of_doc.get(copies[url])
            copied_wrong.append([base + path, f"recorded as a copy of {target or copies[url]}"])
        elif url in indexed:
            known = "indexed" if canonical_url(base + original) in indexed else fate_of(original)[1]
            copied_wrong.append([base + path, f"indexed as a story of its own (its original: {known})"])
        else:
            copied_wrong.append(fate_of(path))

    requested_urls = {base + path for path in requested}
    unfated = sorted(requested_urls - set(fates))
    refused_fates = Counter(fates.get(base + path, ("no fate",))[0] for path in site.robots_refused)
    not_article_fates = Counter(fates[base + p][0] for p in site.not_articles if base + p in fates)
    return {
        "articles": len(site.articles),
        "covered": covered,
        "coverage": covered / len(site.articles) if site.articles else None,
        "missing": missing,
        "never_requested": len(never_requested),
        "right_merges": right_merges,
        "copy_indexed_first": inverted,
        "false_merges": false_merges,
        "copies": len(originals),
        "copies_recorded_right": copied_right,
        "copies_wrong": copied_wrong,
        "requested_urls": len(requested_urls),
        "unfated": unfated,
        "unrequested_fated": len(set(fates) - requested_urls),
        "robots_refused_fates": dict(refused_fates),
        "not_article_fates": dict(not_article_fates),
        "not_articles_reached": sum(not_article_fates.values()),
        "fates_by_kind": fates_by_kind(site, base, fates),
    }


def kind_of(site: RealSite, path: str) -> str:
    """What the ground truth says a path (with its query) is."""
    if path in site.tracking_variants:
        return "tracking variant"
    path, _, query = path.partition("?")
    # The server answers any query with the page of its path: such a URL is another copy of that page.
    with_query = " with another query" if query else ""
    kinds = (
        (site.articles, "article"),
        (site.mirrors, "mirror"),
        (site.republications, "republication"),
        (site.not_articles, "hub, tag or video"),
        (site.robots_refused, "robots-refused"),
    )
    for paths, kind in kinds:
        if path in paths:
            return kind + with_query
    if path in site.served_paths:
        return "listing, feed, sitemap or home" + with_query
    return "not served (link rot)"


def fates_by_kind(site: RealSite, base: str, fates: Mapping[str, tuple[str, str]]) -> dict[str, dict]:
    """How many URLs of each kind got each fate: where the crawl's effort and its misses went."""
    table: dict[str, Counter[str]] = {}
    for url, (fate, _) in fates.items():
        kind = kind_of(site, url.removeprefix(base)) if url.startswith(base) else "off site"
        table.setdefault(kind, Counter())[fate] += 1
    return {kind: dict(counts) for kind, counts in sorted(table.items())}


def stored_path(url: str) -> str | None:
    """The site path of a URL another crawler stored; None for a URL with a query (a tracking copy)."""
    parts = urlsplit(url)
    if parts.query:
        return None
    return normalised_path(parts.path or "/")


def classify_stored(site: RealSite, urls: Iterable[str]) -> dict[str, int]:
    """What the peer stored, by what the ground truth says each URL is."""
    kinds: Counter[str] = Counter()
    for url in urls:
        path = stored_path(url)
        if path is None:
            kinds["tracking copies"] += 1
        elif path in site.articles:
            kinds["articles"] += 1
        elif path in site.mirrors or path in site.republications:
            kinds["mirrors and republications"] += 1
        elif path in site.not_articles:
            kinds["hubs, tags, video"] += 1
        elif path in site.robots_refused:
            kinds["robots-refused"] += 1
        else:
            kinds["listings, feed and other pages"] += 1
    return dict(kinds)


# --- the crawls -------------------------------------------------------------------------------------


def _documents(es, index: str, fields: list[str]) -> list[dict]:
    es.indices.refresh(index=index)
    response = es.search(index=index, size=10_000, source=fields, query={"match_all": {}})
    return [hit["_source"] for hit in response["hits"]["hits"]]


def crawl_real_site(settings: Settings, server: RealSiteServer, pids: list[int], before: int) -> dict:
    """One `crawl --url` of the site root, to every page's fate and every new article searchable."""
    from benchmarks.throughput import worker_cpu
    from newsdesk.cli.crawl import run_crawl
    from newsdesk.kernel.crawl_request import CrawlRequest
    from newsdesk.state.client import build_redis
    from newsdesk.state.runs import RunStore

    server.log.clear()
    server.requests.clear()
    cpu_before = worker_cpu(pids)
    start = time.monotonic()
    request = CrawlRequest(url=server.url + "/", allow_private=True)
    run = run_crawl(settings, request, wait=True, timeout=CRAWL_TIMEOUT)
    done = time.monotonic() - start
    wait_searchable(settings, before + int(run.get("new", 0)))
    total = time.monotonic() - start
    fates = RunStore(build_redis(settings), settings.index_prefix).url_fates(run["run_id"])
    log_entries = list(server.log)
    # The crawler's list of problems is one long JSON string: its length is enough here.
    problems = len(json.loads(run.get("crawl_problems") or "[]"))
    scalars = {k: v for k, v in run.items() if isinstance(v, int | float | str) and k != "crawl_problems"}
    return {
        "run": scalars | {"fates": run["fates"], "crawl_problems": problems},
        "url_fates": fates,
        "requested_paths": sorted(server.requests),
        "seconds_to_complete": done,
        "seconds_to_searchable": total,
        "requests": len(log_entries),
        "conditional_requests": sum(entry.conditional for entry in log_entries),
        "not_modified_answers": sum(entry.status == 304 for entry in log_entries),
        "statuses": dict(Counter(str(entry.status) for entry in log_entries)),
        # What a re-crawl of an unchanged site should not ask for: anything but a conditional GET.
        "unconditional": [[entry.path, entry.status] for entry in log_entries if not entry.conditional][
            :EXAMPLES
        ],
        "worker_cpu_seconds": worker_cpu(pids) - cpu_before,
    }


def skipped(run: Run, options: Options) -> bool:
    """Without the corpus the section is a row saying why, and nothing else runs for it."""
    directory = options.real_pages or REAL_PAGES
    if (directory / "evaldata.json").is_file() or (directory / "expected.jsonl").is_file():
        return False
    why = f"skipped: no corpus at {directory} (evaldata.json and pages/; --real-pages DIR)"
    log(f"real pages: {why}")
    run.add("8. real pages", "real-pages site", None, note=why)
    run.details["realsite"] = {"skipped": why}
    return True


def run_realsite(run: Run, stack: BenchStack, settings: Settings, options: Options) -> None:
    """The section: newsdesk's crawl and re-crawl of the real-pages site, then news-please's crawl."""
    directory = options.real_pages or REAL_PAGES
    if skipped(run, options):
        return
    every_page = load_real_pages(directory)
    pages = every_page
    if options.real_pages_sample is not None:
        pages = sample_pages(every_page, options.real_pages_sample, options.seed)
    site = generate_real_site(pages, options.seed)
    section = section_name(len(pages))
    log(
        f"real pages: {len(pages)} of {len(every_page)} pages from {directory}: "
        f"{len(site.articles)} articles, "
        f"{len(site.mirrors)} mirrors, {len(site.republications)} republications, "
        f"{len(site.not_articles)} hubs, {len(site.robots_refused)} refused by robots.txt"
    )
    reset_stores(settings)
    peer = None
    with RealSiteServer(site) as server:
        base = server.url
        settings = dataclasses.replace(settings, demo_url=base)
        redis_before = redis_state_bytes(settings)
        pids = stack.start_workers(1, options.concurrency, settings)
        try:
            full, spent = metered(
                stack, settings, pids, lambda: crawl_real_site(settings, server, pids, before=0)
            )
            run.details.setdefault("service_cost", {})["real pages"] = service_cost(
                spent,
                full,
                f"1 worker process of concurrency {options.concurrency}",
                redis_before,
                redis_state_bytes(settings),
                es_stores(settings, f"{settings.index_prefix}-*"),
            )
            log(
                f"real pages: {full['run'].get('new')} new in {full['seconds_to_searchable']:.1f}s, "
                f"{full['requests']} requests, fates {full['run']['fates']}"
            )
            judged = judge_site(settings, site, base, full)
            log(
                f"real pages: coverage {judged['covered']}/{judged['articles']}, {len(judged['unfated'])} "
                f"URLs without a fate, {len(judged['false_merges'])} false merges"
            )
            recrawl = crawl_real_site(settings, server, pids, before=int(full["run"].get("new", 0)))
            log(
                f"real pages: re-crawl {recrawl['seconds_to_searchable']:.1f}s, "
                f"{recrawl['requests']} requests"
            )
            crawls = crawl_until_settled(settings, server, pids, [full, recrawl])
            settled = judge_site(settings, site, base, merged_crawls(crawls))
            log(f"real pages: {len(crawls)} crawls, coverage {settled['covered']}/{settled['articles']}")
        finally:
            stack.stop_workers()
    if not options.skip_peer:
        peer = run_real_peer(settings, stack, site, options.peer_timeout)
        log(f"real pages, peer: {peer}")
    report_realsite(run, section, full, judged, recrawl, peer)
    report_settled(run, section, crawls, settled)
    run.details["realsite"] = {
        "corpus": str(directory),
        "pages": len(pages),
        "corpus_pages": len(every_page),
        "site": {
            "articles": len(site.articles),
            "mirrors": len(site.mirrors),
            "republications": len(site.republications),
            "not_articles": len(site.not_articles),
            "robots_refused": len(site.robots_refused),
            "tracking_variants": len(site.tracking_variants),
        },
        "full_crawl": _without_bulk(full),
        "judged": capped(judged),
        "recrawl": _without_bulk(recrawl),
        "crawls_until_settled": [_round(crawl) for crawl in crawls],
        "judged_after_them": capped(settled),
        "peer": peer,
    }


def crawl_until_settled(
    settings: Settings, server: RealSiteServer, pids: list[int], crawls: list[dict]
) -> list[dict]:
    """Crawl again until a crawl is neither cut short by the page budget nor finds a new article (at most
    `MAX_CRAWLS` in all): how many runs it takes to cover the site, and what a settled re-crawl costs."""
    crawls = list(crawls)
    while len(crawls) < MAX_CRAWLS and not settled(crawls[-1]):
        indexed = sum(int(crawl["run"].get("new", 0)) for crawl in crawls)
        crawls.append(crawl_real_site(settings, server, pids, before=indexed))
        last = crawls[-1]
        log(
            f"real pages: crawl {len(crawls)}: {last['run'].get('new')} new, {last['requests']} requests, "
            f"{last['seconds_to_searchable']:.1f}s, ended by {last['run'].get('crawl_finish_reason')}"
        )
    return crawls


def settled(crawl: dict) -> bool:
    return crawl["run"].get("crawl_finish_reason") == "finished" and not int(crawl["run"].get("new", 0))


def merged_crawls(crawls: list[dict]) -> dict:
    """Several crawls as one for the judge: every URL's latest fate, every path any of them asked for."""
    fates: dict[str, tuple[str, str]] = {}
    for crawl in crawls:
        fates.update(crawl["url_fates"])
    return {"url_fates": fates, "requested_paths": sorted({p for c in crawls for p in c["requested_paths"]})}


def _round(crawl: dict) -> dict:
    first = crawl["run"]
    keys = ("new", "duplicate", "not_article", "sent", "crawl_finish_reason", "crawl_pages_fetched")
    return {key: first.get(key) for key in keys} | {
        "fates": first["fates"],
        "requests": crawl["requests"],
        "seconds_to_searchable": crawl["seconds_to_searchable"],
    }


def capped(judged: dict[str, Any], keep: int = 5 * EXAMPLES) -> dict[str, Any]:
    """The judge's lists cut to their first `keep` entries for the result file, with their full length."""
    out: dict[str, Any] = {}
    for key, value in judged.items():
        if isinstance(value, list) and len(value) > keep:
            out[key], out[f"{key}_count"] = value[:keep], len(value)
        else:
            out[key] = value
    return out


def _without_bulk(crawl: dict) -> dict:
    """A crawl's figures for the result file: the per-URL fates only where something is wrong."""
    kept = {k: v for k, v in crawl.items() if k not in ("url_fates", "requested_paths")}
    kept["distinct_paths_requested"] = len(crawl["requested_paths"])
    return kept


def judge_site(settings: Settings, site: RealSite, base: str, full: dict) -> dict[str, Any]:
    from index.client import build_client

    es = build_client(settings)
    try:
        indexed = [d["url"] for d in _documents(es, settings.articles_alias, ["url"])]
        copies = {d["url"]: d["doc_id"] for d in _documents(es, settings.duplicates_index, ["url", "doc_id"])}
    finally:
        es.close()
    judged = judge_crawl(site, base, full["url_fates"], full["requested_paths"], indexed, copies)
    judged["indexed_documents"] = len(indexed)
    judged["duplicate_records"] = len(copies)
    return judged


def run_real_peer(settings: Settings, stack: BenchStack, site: RealSite, timeout: float) -> dict[str, Any]:
    """news-please on a second server of the same site, into the same node; its article pages counted."""
    from benchmarks.peer import PeerSite, run_peer, stored_urls
    from index.client import build_client

    articles = frozenset(site.articles)

    def count_articles(es) -> int | None:
        urls = stored_urls(es)
        return None if urls is None else len({stored_path(url) for url in urls} & articles)

    peer_site = PeerSite(
        serve=lambda host, port: RealSiteServer(site, host=host, port=port),
        count_articles=count_articles,
        article_pages=len(site.articles),
        remark="pages stored at an article's own path; what else it stored is in the result file",
    )
    peer = run_peer(settings, stack, peer_site, timeout, log)
    if "error" not in peer:
        es = build_client(settings)
        try:
            peer["stored"] = classify_stored(site, stored_urls(es) or [])
        finally:
            es.close()
    return peer


# --- the table --------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fate_counts(fates: Mapping[str, int]) -> str:
    return ", ".join(f"{fate} {count}" for fate, count in fates.items() if count)


def _examples(items: list[list[str]], count: int = 3) -> str:
    return "; ".join(" ".join(str(part) for part in item if part) for item in items[:count])


def report_realsite(
    run: Run, section: str, full: dict, judged: dict, recrawl: dict, peer: dict | None
) -> None:
    first = full["run"]
    new = int(first.get("new", 0))
    seconds = full["seconds_to_searchable"]
    rate = new / seconds if seconds else None
    run.add(
        section,
        "articles indexed (newsdesk crawl --url)",
        new,
        "articles",
        note=f"{first.get('sent')} pages handed on, {first.get('duplicate')} duplicates, "
        f"{first.get('not_article')} not articles, {first.get('rejected')} rejected, "
        f"{first.get('failed')} failed; crawl ended by {first.get('crawl_finish_reason')} after "
        f"{first.get('crawl_pages_fetched')} fetches",
    )
    run.add(section, "throughput", rate, "articles/s", note="new articles, searchable")
    run.add(
        section,
        "time until the last is searchable",
        seconds,
        "s",
        note=f"every URL its fate at {full['seconds_to_complete']:.1f}s; {full['requests']} requests; "
        f"worker CPU {full['worker_cpu_seconds']:.0f} s",
    )
    run.add(
        section,
        "articles indexed / articles on the site",
        judged["coverage"],
        "share",
        COVERAGE,
        note=f"{judged['covered']} of {judged['articles']} by canonical URL"
        + (f" ({len(judged['right_merges'])} as a copy of the same story)" if judged["right_merges"] else "")
        + (
            f" ({len(judged['copy_indexed_first'])} as a copy of their own mirror or republication)"
            if judged["copy_indexed_first"]
            else ""
        )
        + (f"; {judged['never_requested']} never fetched" if judged["never_requested"] else "")
        + (f"; not: {_examples(judged['missing'])}" if judged["missing"] else ""),
    )
    run.add(
        section,
        "URLs fetched without a fate",
        len(judged["unfated"]),
        "URLs",
        NONE_LEFT,
        note=f"of {judged['requested_urls']} distinct URLs the server was asked for"
        + (f"; e.g. {', '.join(judged['unfated'][:3])}" if judged["unfated"] else ""),
    )
    run.add(
        section,
        "false merges",
        len(judged["false_merges"]),
        "articles",
        NONE_LEFT,
        note="article recorded as a copy of another story"
        + (f"; e.g. {_examples(judged['false_merges'])}" if judged["false_merges"] else ""),
    )
    run.add(
        section,
        "mirrors and republications recorded as copies",
        _ratio(judged["copies_recorded_right"], judged["copies"]),
        "share",
        note=f"{judged['copies_recorded_right']} of {judged['copies']} against their original"
        + (f"; not: {_examples(judged['copies_wrong'])}" if judged["copies_wrong"] else ""),
    )
    fates = {fate: count for fate, count in first["fates"].items() if count}
    run.add(
        section,
        "URLs by fate",
        sum(fates.values()),
        "URLs",
        note=", ".join(f"{fate} {count}" for fate, count in fates.items()),
    )
    by_kind = judged["fates_by_kind"]
    rot = by_kind.get("not served (link rot)", {})
    run.add(
        section,
        "URLs the site does not serve (the pages' own links)",
        sum(rot.values()),
        "URLs",
        note=f"fates {_fate_counts(rot)}; articles: {_fate_counts(by_kind.get('article', {}))}",
    )
    sums = (int(first.get("urls", 0)), int(first.get("crawl_urls") or 0), sum(first["fates"].values()))
    run.add(
        section,
        "run urls == crawl_urls == sum(fates)",
        float(len(set(sums)) == 1),
        "1 = yes",
        Target("ge", 1, "equal"),
        note=f"urls {sums[0]}, crawl_urls {sums[1]}, sum(fates) {sums[2]}, "
        f"{len(full['url_fates'])} URLs with a recorded fate",
    )

    again = recrawl["run"]
    due = int(again.get("crawl_rechecks") or 0) + int(again.get("crawl_dead_link_rechecks") or 0)
    run.add(
        section,
        "re-crawl: time",
        _ratio(recrawl["seconds_to_searchable"], seconds),
        "of full",
        RECRAWL,
        note=f"{recrawl['seconds_to_searchable']:.1f}s vs {seconds:.1f}s",
    )
    run.add(
        section,
        "re-crawl: requests, due re-checks apart",
        _ratio(recrawl["requests"] - due, full["requests"]),
        "of full",
        RECRAWL,
        note=f"{recrawl['requests'] - due} vs {full['requests']} server-log entries; "
        f"{recrawl['not_modified_answers']} answered 304; statuses {recrawl['statuses']}",
    )
    run.add(
        section,
        "re-crawl: due re-checks",
        due,
        "requests",
        note=f"{again.get('crawl_rechecks', 0)} articles, {again.get('crawl_dead_link_rechecks', 0)} dead "
        f"links; {again.get('new', 0)} new; fates {_fate_counts(again['fates'])}",
    )

    if peer is None:
        run.add(section, "news-please", None, "articles/s", note="skipped (--skip-peer)")
        return
    if peer.get("error"):
        run.add(section, "news-please", None, "articles/s", note=peer["error"])
        run.add(section, "newsdesk / news-please", None, "x", PEER_RATIO, note="peer did not run")
        return
    stored = ", ".join(f"{kind} {count}" for kind, count in sorted(peer.get("stored", {}).items()))
    run.add(
        section,
        "news-please",
        peer["articles_per_second"],
        "articles/s",
        note=f"{peer['articles']} article pages in {peer['seconds']:.1f}s; {peer['note']}; stored: {stored}",
    )
    run.add(
        section,
        "newsdesk / news-please",
        _ratio(rate, peer["articles_per_second"]),
        "x",
        PEER_RATIO,
        note="distinct articles into the index per second on each side",
    )


def report_settled(run: Run, section: str, crawls: list[dict], judged: dict) -> None:
    """What it takes to cover the site with crawls of a bounded page budget, and a settled re-crawl."""
    last, first = crawls[-1], crawls[0]
    done = settled(last)
    per_crawl = ", ".join(f"{crawl['run'].get('new', 0)} new/{crawl['requests']} req" for crawl in crawls)
    run.add(
        section,
        "crawls until one finds nothing new",
        len(crawls) if done else None,
        "crawls",
        note=(f"per crawl: {per_crawl}" if done else f"not settled after {MAX_CRAWLS}: {per_crawl}"),
    )
    run.add(
        section,
        "articles indexed / articles on the site, after them",
        judged["coverage"],
        "share",
        COVERAGE,
        note=f"{judged['covered']} of {judged['articles']}; {len(judged['false_merges'])} false merges; "
        f"copies against their original {judged['copies_recorded_right']} of {judged['copies']}"
        + (f"; not: {_examples(judged['missing'])}" if judged["missing"] else ""),
    )
    if not done:
        return
    due = int(last["run"].get("crawl_rechecks") or 0) + int(last["run"].get("crawl_dead_link_rechecks") or 0)
    run.add(
        section,
        "settled re-crawl: requests, due re-checks apart",
        _ratio(last["requests"] - due, sum(crawl["requests"] for crawl in crawls[:-1])),
        "of all before",
        RECRAWL,
        note=f"{last['requests'] - due} requests ({due} due re-checks apart) vs "
        f"{sum(crawl['requests'] for crawl in crawls[:-1])} in the crawls that covered the site; statuses "
        f"{last['statuses']}",
    )
    run.add(
        section,
        "settled re-crawl: time",
        _ratio(last["seconds_to_searchable"], first["seconds_to_searchable"]),
        "of the first",
        RECRAWL,
        note=f"{last['seconds_to_searchable']:.1f}s vs {first['seconds_to_searchable']:.1f}s",
    )
