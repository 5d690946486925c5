"""A crawl request survives its trip from the command line to the crawler's own process unchanged."""

from __future__ import annotations

import argparse

import pytest

from newsdesk.kernel.crawl_request import CrawlRequest


def _parsed(request: CrawlRequest) -> CrawlRequest:
    parser = argparse.ArgumentParser()
    CrawlRequest.add_arguments(parser)
    return CrawlRequest.from_arguments(parser.parse_args(request.to_argv()))


@pytest.mark.parametrize(
    "request_",
    [
        CrawlRequest("demo"),
        CrawlRequest("demo", refetch_known=True),
        CrawlRequest("demo", recheck_all=True),
        CrawlRequest(None, url="http://127.0.0.1:8000/", allow_private=True),
        CrawlRequest("generic-news", url="https://example.org/", refetch_known=True, recheck_all=True),
    ],
)
def test_every_option_reaches_the_crawler(request_: CrawlRequest) -> None:
    assert _parsed(request_) == request_


def test_a_source_name_alone_is_the_plain_crawl_of_that_source() -> None:
    assert CrawlRequest.of("demo") == CrawlRequest(source="demo")
    given = CrawlRequest("demo", refetch_known=True)
    assert CrawlRequest.of(given) is given
