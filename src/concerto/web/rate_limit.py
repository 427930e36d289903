"""Writes per minute and per person: a fixed-window counter kept in each server process.

Litestar's RateLimitMiddleware keeps every timestamp of the window as JSON in a
store and takes one lock for all requests: on a workshop's busiest write (a vote)
it cost a third of the throughput, and under a mixed load votes queued on its lock
for seconds (bench/live.py). Counting per window needs one dict lookup.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Receive, Scope, Send

WINDOW_SECONDS = 60
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteRateLimit:
    """Refuses a person's writes (429) beyond ``limit`` per minute; reads and static files are never counted."""

    def __init__(self, app: ASGIApp, limit: int, identify: Callable[[Scope], str]) -> None:
        self.app = app
        self.limit = limit
        self.identify = identify
        self._window = 0
        self._counts: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _READS and not scope["path"].startswith("/static/"):
            window = int(time.monotonic() // WINDOW_SECONDS)
            if window != self._window:  # a new minute: every count starts again
                self._window, self._counts = window, {}
            who = self.identify(scope)
            count = self._counts.get(who, 0) + 1
            self._counts[who] = count
            if count > self.limit:
                retry = WINDOW_SECONDS - int(time.monotonic() % WINDOW_SECONDS)
                raise TooManyRequestsException(headers={"retry-after": str(retry)})
        await self.app(scope, receive, send)
