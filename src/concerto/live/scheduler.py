"""The background task of each server process: scheduled phase changes, and old idempotency keys."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from concerto import idempotency
from concerto.accounts import sessions, throttle
from concerto.live import services

logger = logging.getLogger("concerto.scheduler")
# Often enough that a countdown's automatic closing happens on time, to the second or two.
INTERVAL_SECONDS = 1.0
CLEANUP_SECONDS = 3600.0


async def run_forever() -> None:
    last_cleanup = 0.0
    while True:
        try:
            await services.run_due()
            if time.monotonic() - last_cleanup > CLEANUP_SECONDS:
                last_cleanup = time.monotonic()
                await idempotency.forget_old()
                await sessions.forget_old()
                await throttle.forget_old()
        except asyncio.CancelledError:
            raise
        except Exception:  # a failing round must not stop the next ones
            logger.exception("scheduled changes could not be applied; trying again")
        await asyncio.sleep(INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def running():
    task = asyncio.create_task(run_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
