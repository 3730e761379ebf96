"""robots.txt rules: parsed with protego (Scrapy's parser), outcomes as RFC 9309 says.

Protego understands what the standard library's parser ignores: wildcards
(`Disallow: /news/*.html`), end anchors (`$`), longest-match precedence between Allow and
Disallow, `Crawl-delay` and `Sitemap` lines. RFC 9309 decides what an answer means: a 4xx (no
robots.txt) allows everything; a 5xx or an unreachable host disallows everything for now (the
site may be down: a later run tries again); a body over the size cap is ignored. The Fetcher
fetches robots.txt once per host (`RobotsCache`) and spaces its requests by the crawl delay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from protego import Protego

__all__ = ["RobotsCache", "RobotsRules", "agent_token", "rules_from_text"]


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: `newsflow` of `newsflow/0.1 (...)`.

    Matching the whole header would let words of the comment (a URL, "crawler") pick a group.
    """
    return user_agent.split("/", 1)[0].split()[0].strip() if user_agent.strip() else "*"


@dataclass(frozen=True)
class RobotsRules:
    """What a host's robots.txt allows, and how it was obtained (for messages)."""

    reason: str
    allow_all: bool = True  # the answer when there are no rules (`parser` None)
    parser: Protego | None = None
    crawl_delay: float | None = None  # seconds the host asks between requests, for our agent
    sitemaps: tuple[str, ...] = ()  # Sitemap lines, noted for whoever wants to crawl them

    def can_fetch(self, url: str, user_agent: str) -> bool:
        """Whether `user_agent` may fetch `url` under these rules."""
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, agent_token(user_agent)))


def rules_from_text(text: str, user_agent: str) -> RobotsRules:
    """Parse a robots.txt body (protego never raises on junk: unknown lines are ignored)."""
    parser = Protego.parse(text)
    delay = parser.crawl_delay(agent_token(user_agent))
    return RobotsRules(
        reason="robots.txt rules",
        parser=parser,
        crawl_delay=float(delay) if delay is not None and delay > 0 else None,
        sitemaps=tuple(parser.sitemaps),
    )


def rules_for_status(status: int) -> RobotsRules:
    """RFC 9309 for an answer without usable rules: 4xx allows all, anything else disallows."""
    if 400 <= status < 500:
        return RobotsRules(f"no robots.txt (HTTP {status})", allow_all=True)
    return RobotsRules(
        f"robots.txt unreachable (HTTP {status}), treated as disallow all", allow_all=False
    )


def unreachable(detail: str) -> RobotsRules:
    """The host did not answer robots.txt (timeout, reset, refused address): disallow for now."""
    return RobotsRules(f"robots.txt unreachable ({detail}), treated as disallow all", False)


@dataclass
class RobotsCache:
    """Rules per origin (`scheme://host:port`), loaded once even when many threads ask at once."""

    _rules: dict[str, RobotsRules] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    fetches: int = 0  # how many times rules were loaded (robots.txt requests, for tests and logs)

    def get(self, origin: str, load: Callable[[str], RobotsRules]) -> RobotsRules:
        """The cached rules of `origin`, calling `load(origin)` the first time."""
        with self._lock:
            cached = self._rules.get(origin)
            if cached is not None:
                return cached
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._rules.get(origin)
            if cached is None:
                self.fetches += 1
                cached = load(origin)
                with self._lock:
                    self._rules[origin] = cached
            return cached
