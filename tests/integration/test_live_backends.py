"""Live events travel through each channels backend Concerto can use."""

from __future__ import annotations

import dataclasses
import os

import pytest

from concerto.live import events
from tests.live_support import listening

REDIS_URL = os.environ.get("CONCERTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


async def _round_trip(settings) -> list[dict]:
    async with listening(settings, [events.group_channel(4242)]) as listener:
        assert listener.hello["worker"] == events.WORKER and listener.hello["now"]
        await events.board_changed(4242, 7)
        return await listener.events()


async def test_default_backend_for_the_database(settings):
    """In memory on SQLite (one process); LISTEN/NOTIFY on PostgreSQL, so workers share events."""
    assert await _round_trip(settings) == [{"type": "board", "action": 7, "group": 4242}]


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_backend(settings):
    assert await _round_trip(dataclasses.replace(settings, channels_url=REDIS_URL)) == [{"type": "board", "action": 7, "group": 4242}]
