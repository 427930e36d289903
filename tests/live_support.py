"""Listening to live events in a test: a started channels plugin and a stream of its messages."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from concerto.live import events


class Listener:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.hello: dict = {}

    async def events(self, timeout: float = 5.0) -> list[dict]:
        """The events of the next message (sent at once: the batching window is not waited for)."""
        hub = events.hub()
        if hub is not None:
            hub.flush()
        message = await asyncio.wait_for(anext(self.stream), timeout)
        assert message.event == "live", message
        return json.loads(message.data)["events"]

    async def at_least(self, count: int, timeout: float = 5.0) -> list[dict]:
        """Events of as many messages as it takes to have ``count`` (a page's stream joins messages that arrive together)."""
        found: list[dict] = []
        while len(found) < count:
            found += await self.events(timeout)
        return found

    async def quiet(self, seconds: float = 0.3) -> bool:
        """True if nothing at all arrives for ``seconds`` (after flushing what is pending)."""
        hub = events.hub()
        if hub is not None:
            hub.flush()
        try:
            message = await asyncio.wait_for(anext(self.stream), seconds)
        except asyncio.TimeoutError:
            return True
        return message.comment == "ping"


@contextlib.asynccontextmanager
async def listening(settings, channels: list[str]) -> AsyncIterator[Listener]:
    """A started plugin for ``settings`` (memory on SQLite, LISTEN/NOTIFY on PostgreSQL) and a stream of ``channels``."""
    previous = events._plugin, events._hub
    plugin = events.plugin_for(settings)
    try:
        async with plugin:
            stream = events.stream(channels)
            listener = Listener(stream)
            hello = await anext(stream)
            assert hello.event == "hello"
            listener.hello = json.loads(hello.data)
            await asyncio.sleep(0.2)  # let a network backend register the subscription
            try:
                yield listener
            finally:
                await stream.aclose()
    finally:
        events._plugin, events._hub = previous
