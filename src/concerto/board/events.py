"""Live updates: one channel per working group, sent to browsers as Server-Sent Events.

Board actions announce themselves here once committed; board pages and group
pages listen and refresh the part that changed. With one server process the
in-memory backend is enough; several workers need a shared one: PostgreSQL's
LISTEN/NOTIFY when the database is PostgreSQL, or Redis (``CONCERTO_CHANNELS_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

from concerto.settings import Settings

PING_SECONDS = 15.0
_plugin: ChannelsPlugin | None = None


def channel(group_id: int) -> str:
    return f"board_{group_id}"


def backend_for(settings: Settings) -> ChannelsBackend:
    url = settings.channels_url
    if url.startswith(("redis://", "rediss://")):
        try:
            from litestar.channels.backends.redis import RedisChannelsPubSubBackend
            from redis.asyncio import Redis
        except ImportError:
            raise SystemExit("CONCERTO_CHANNELS_URL is a Redis URL but the redis package is not installed (pip install redis)") from None

        class ClosingRedisBackend(RedisChannelsPubSubBackend):
            """Litestar's backend leaves the client it was given open at shutdown."""

            async def on_shutdown(self) -> None:
                await super().on_shutdown()
                await self._redis.aclose()

        return ClosingRedisBackend(redis=Redis.from_url(url))
    if url in ("", "auto") and settings.is_postgres:
        from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

        return AsyncPgChannelsBackend(dsn=settings.database_url.split("?")[0])
    return MemoryChannelsBackend()


def plugin_for(settings: Settings) -> ChannelsPlugin:
    global _plugin
    _plugin = ChannelsPlugin(backend=backend_for(settings), arbitrary_channels_allowed=True)
    return _plugin


async def board_changed(group_id: int, action_id: int) -> None:
    """Tell the group's open pages that its board changed (after the commit)."""
    if _plugin is None:
        return
    with contextlib.suppress(RuntimeError):  # the plugin is not started (e.g. a CLI run)
        _plugin.publish({"action": action_id, "group": group_id}, channel(group_id))


async def stream(group_id: int) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Events of one group, with a comment every 15 s so proxies keep the line open.

    The subscription is released in ``finally``: Litestar does not stop the
    generator when the browser goes away, the next ping's failed write does.
    """
    if _plugin is None:
        return
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    async with _plugin.start_subscription([channel(group_id)]) as subscriber:

        async def pump() -> None:
            async for event in subscriber.iter_events():
                queue.put_nowait(event)

        pumping = asyncio.create_task(pump())
        try:
            yield ServerSentEventMessage(comment="ready")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except asyncio.TimeoutError:
                    yield ServerSentEventMessage(comment="ping")
                    continue
                yield ServerSentEventMessage(event="board", data=event.decode())
        finally:
            pumping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pumping
