"""One crawl asked for: which source (or an ad-hoc site) and how, from the command line to the crawler."""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class CrawlRequest:
    """What a crawl is asked to do; the same value from `newsdesk crawl` to the crawler's own process.

    source: a registry name, or None for an ad-hoc crawl of `url`. url: the site for an ad-hoc crawl or a
    generic source. allow_private: permit loopback and private addresses. refetch_known: fetch article
    URLs already handed on. recheck_all: re-check every scheduled known article now, conditionally.
    """

    source: str | None = None
    url: str | None = None
    allow_private: bool = False
    refetch_known: bool = False
    recheck_all: bool = False

    @classmethod
    def of(cls, request: CrawlRequest | str | None) -> CrawlRequest:
        """A request as given, or the plain crawl of a source named by itself."""
        return request if isinstance(request, CrawlRequest) else cls(source=request)

    def to_argv(self) -> list[str]:
        """The crawler process's command-line arguments (`python -m crawler.run ...`)."""
        argv = [self.source] if self.source else []
        argv += ["--url", self.url] if self.url else []
        argv += ["--allow-private"] if self.allow_private else []
        argv += ["--refetch-known"] if self.refetch_known else []
        argv += ["--recheck-all"] if self.recheck_all else []
        return argv

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """The arguments `to_argv` writes, for the crawler's parser."""
        parser.add_argument("source", nargs="?")
        parser.add_argument("--url", default=None, help="the site for an ad-hoc crawl or a generic source")
        parser.add_argument(
            "--allow-private", action="store_true", help="permit loopback and private addresses"
        )
        parser.add_argument(
            "--refetch-known", action="store_true", help="fetch article URLs already handed on"
        )
        parser.add_argument(
            "--recheck-all",
            action="store_true",
            help="re-check every scheduled known article now, conditionally",
        )

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> CrawlRequest:
        return cls(
            source=args.source,
            url=args.url,
            allow_private=args.allow_private,
            refetch_known=args.refetch_known,
            recheck_all=args.recheck_all,
        )
