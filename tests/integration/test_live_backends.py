"""Live board events travel through each channels backend Concerto can use."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os

import pytest

from concerto.board import events

REDIS_URL = os.environ.get("CONCERTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


async def _round_trip(settings) -> dict:
    previous = events._plugin
    plugin = events.plugin_for(settings)
    try:
        async with plugin:
            stream = events.stream(4242)
            assert (await anext(stream)).comment == "ready"
            await asyncio.sleep(0.2)  # let a network backend register the subscription
            await events.board_changed(4242, 7)
            message = await asyncio.wait_for(anext(stream), 5)
            await stream.aclose()
            return json.loads(message.data)
    finally:
        events._plugin = previous


async def test_default_backend_for_the_database(settings):
    """In memory on SQLite (one process); LISTEN/NOTIFY on PostgreSQL, so workers share events."""
    assert await _round_trip(settings) == {"action": 7, "group": 4242}


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_backend(settings):
    assert await _round_trip(dataclasses.replace(settings, channels_url=REDIS_URL)) == {"action": 7, "group": 4242}
