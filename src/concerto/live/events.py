"""Live updates: what changed, told to every open page as Server-Sent Events.

Three kinds of channel:

* ``group_{id}``: what a working group's pages show (contributions, vote
  counts, comment counts, phases, steps and timers, board changes);
* ``consultation_{id}``: what concerns every group (the consultation's status);
* ``participant_{id}``: what only that person sees (their remaining votes,
  their own contribution hidden by a facilitator).

Services call ``publish()`` once their transaction has committed. Events of a
channel are gathered for ``BATCH_SECONDS`` and sent as one message: a workshop
votes hundreds of times a minute, and a thousand open phones must not each get
one message per vote. Within a batch a contribution's vote count is sent once,
the latest (events with the same ``key`` replace each other).

Payloads only ever carry what every reader of the channel may see: published
contributions. A hidden or withdrawn one is announced by its id alone.

A process hands its messages to its own pages directly. With one server process
that is all (the plugin's in-memory backend carries nothing); several workers also
share them through a backend: PostgreSQL's LISTEN/NOTIFY when the database is
PostgreSQL, or Redis (``CONCERTO_CHANNELS_URL``). A page that lost its connection reconnects
and reads its state again (``hello`` tells it so); nothing is replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import secrets
from collections.abc import AsyncGenerator, Callable, Hashable, Iterable
from typing import Any

import anyio
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.subscriber import Subscriber
from litestar.response import ServerSentEventMessage

from concerto.settings import Settings

logger = logging.getLogger(__name__)

PING_SECONDS = 15.0
# How long events of a channel wait for others before leaving together, and the shortest
# time between two messages of a channel (per server process). A page hearing several channels,
# or several server processes, gets what came within STREAM_INTERVAL of its last message joined
# into one: at most ten messages a second (with 0.2 s, four workers' pages waited up to 200 ms
# more; bench/README.md).
BATCH_SECONDS = 0.08
CHANNEL_INTERVAL = 0.2
STREAM_INTERVAL = 0.1
# Browsers wait this long before reconnecting a lost stream.
RETRY_MILLISECONDS = 2_000
# PostgreSQL's NOTIFY takes at most 8,000 bytes; stay well under it.
MAX_MESSAGE_BYTES = 7_000
# A subscriber this far behind (a phone that stopped reading) is dropped: it
# reconnects and reads its page again rather than get a backlog.
MAX_BACKLOG = 500
# Tells the streams of one process apart (the multi-worker test and bench use it),
# and marks the messages it sends to the others.
WORKER = secrets.token_hex(4)
_MARK = b"@"


def _marked(message: bytes) -> bytes:
    return _MARK + WORKER.encode() + b" " + message


def _unmarked(item: bytes) -> tuple[str | None, bytes]:
    """The process that sent a shared message, and the message."""
    if item[:1] != _MARK:
        return None, item
    sender, _, message = item[1:].partition(b" ")
    return sender.decode(errors="replace"), message


def _from_elsewhere(item: bytes) -> bytes | None:
    """A shared message without its mark; None if this process sent it (its pages had it when it left)."""
    sender, message = _unmarked(item)
    return None if sender == WORKER else message


def group_channel(group_id: int) -> str:
    return f"group_{group_id}"


def consultation_channel(consultation_id: int) -> str:
    return f"consultation_{consultation_id}"


def participant_channel(participant_id: int) -> str:
    return f"participant_{participant_id}"


class LiveSubscriber(Subscriber):
    """A page's queue, pinged by the hub when quiet, knowing when it fell behind and when it last got a message.

    The hub hands this process's messages straight to its pages (``deliver``);
    what other server processes sent comes through the shared backend, each
    message marked with its sender (PostgreSQL's backend hands it to the hub,
    ``Hub.receive``; with Redis the channels plugin brings it, ``put_nowait``):
    this process's own came already and are dropped.
    """

    overflowed = False
    arrived = 0.0  # the event loop's time when the last message came in
    told = 0.0  # when the last message or ping came in

    def deliver(self, item: bytes, at: float) -> None:
        if self._queue.qsize() >= MAX_BACKLOG:
            self.overflowed = True
            return
        self.arrived = self.told = at
        self._queue.put_nowait(item)

    def ping(self, at: float) -> None:
        self.told = at
        self._queue.put_nowait(QUIET)  # type: ignore[arg-type]

    def put_nowait(self, item: bytes | None) -> bool:
        if item is None:  # the plugin stops
            return super().put_nowait(item)
        message = _from_elsewhere(item)
        if message is not None:
            self.deliver(message, asyncio.get_running_loop().time())
        return True

    def drain(self) -> list[bytes | None]:
        """Everything already waiting, without waiting (a ping among messages is moot)."""
        items = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not QUIET:
                items.append(item)
        return items

    async def next(self) -> bytes | None | object:
        """The next message; None once unsubscribed; ``QUIET`` when the hub pings a quiet page.

        No timeout of its own: a timer per page per message cost a thousand pages more
        than the messages themselves (the hub's one sweep sends the pings).
        """
        return await self._queue.get()


QUIET = object()


def _pg_backend(dsn: str) -> ChannelsBackend:
    from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

    class PersistentAsyncPgBackend(AsyncPgChannelsBackend):
        """Litestar's backend opens a new connection for every NOTIFY; this one keeps one open,
        and sends what queued up meanwhile in one round trip.

        A busy room makes many small messages (each voter's own budget is one), and one
        round trip each, in turn, would hold the group's message behind all of them.
        """

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.on_message: Callable[[str, bytes], None] | None = None  # the hub's, once it is made
            self._publisher = None
            self._outbox: list[tuple[str, str]] = []  # (channel, message) not sent yet
            self._sender: asyncio.Task | None = None

        async def publish(self, data: bytes, channels: Iterable[str]) -> None:
            text = data.decode("utf-8")
            self._outbox.extend((name, text) for name in channels)
            if self._sender is None or self._sender.done():
                self._sender = asyncio.create_task(self._send_waiting())

        async def _send_waiting(self) -> None:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                for attempt in (1, 2):
                    try:
                        if self._publisher is None or self._publisher.is_closed():
                            self._publisher = await self._connect()
                        # In order: PostgreSQL delivers a transaction's notifications as they were sent.
                        await self._publisher.execute(
                            "SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(c, p, n) ORDER BY n",
                            [name for name, _ in batch],
                            [text for _, text in batch],
                        )
                        break
                    except Exception as error:
                        # A dropped connection (database restarted: asyncpg may then fail in several
                        # ways) is opened again, once; after that these messages are lost to the
                        # other workers' pages (they show the change at their next reload or reconnection).
                        if self._publisher is not None:
                            self._publisher.terminate()
                        self._publisher = None
                        if attempt == 2:
                            logger.warning("live messages not shared with the other workers: %r", error)

        def _listener(self, /, connection: Any, pid: int, channel: str, payload: object) -> None:
            # Litestar's queues the message for the plugin's task, which queues it for each page:
            # two more turns of a busy loop. The hub hands it to the pages at once.
            if self.on_message is not None and isinstance(payload, str):
                self.on_message(channel, payload.encode("utf-8"))
            else:
                super()._listener(connection, pid, channel, payload)

        async def on_shutdown(self) -> None:
            if self._sender is not None:
                with contextlib.suppress(Exception):
                    await self._sender
            if self._publisher is not None:
                with contextlib.suppress(Exception):
                    await self._publisher.close()
                self._publisher = None
            await super().on_shutdown()

    return PersistentAsyncPgBackend(dsn=dsn)


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
        return _pg_backend(settings.database_url.split("?")[0])
    return MemoryChannelsBackend()


class Hub:
    """Gathers the events of each channel for a moment, then hands them to the channels plugin.

    A channel's events wait ``window`` seconds for others, and a channel sends
    at most one message every ``interval`` seconds: the cost of a live room is
    messages times open pages, so a burst of votes must not become a burst of
    messages.
    """

    def __init__(
        self, plugin: ChannelsPlugin, *, shared: bool, window: float = BATCH_SECONDS, interval: float = CHANNEL_INTERVAL
    ) -> None:
        self.plugin = plugin
        self.shared = shared  # other server processes listen through the plugin's backend
        self._pages: dict[str, set[LiveSubscriber]] = {}
        self._listening: set[LiveSubscriber] = set()
        self._pinger: asyncio.TimerHandle | None = None
        self.window = window
        self.interval = interval
        self._pending: dict[str, dict[Hashable, dict]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._last: dict[str, float] = {}
        self._serial = itertools.count()

    def publish(self, channel: str, event: dict, key: Hashable | None = None) -> None:
        batch = self._pending.setdefault(channel, {})
        key = ("#", next(self._serial)) if key is None else key
        earlier = batch.pop(key, None)
        if earlier is not None and earlier.get("at", 0) > event.get("at", 0):
            event = earlier  # a count read later already waits: it stays
        batch[key] = event  # the latest version goes last, after what it follows
        if channel not in self._timers:
            loop = asyncio.get_running_loop()
            due = max(loop.time() + self.window, self._last.get(channel, 0.0) + self.interval)
            self._timers[channel] = loop.call_at(due, self._send, channel)

    def _send(self, channel: str) -> None:
        self._timers.pop(channel, None)
        batch = self._pending.pop(channel, None)
        if not batch:
            return
        now = asyncio.get_running_loop().time()
        self._last[channel] = now
        if len(self._last) > 10_000:  # forget channels quiet for longer than the interval
            self._last = {name: at for name, at in self._last.items() if now - at < self.interval}
        pages = self._pages.get(channel, ())
        for chunk in _chunks(list(batch.values())):
            message = _message(chunk)
            # This process's pages first, in this turn of the event loop: under load each turn
            # is long, and the plugin's way (its queue, the backend, its queue again) takes three.
            for page in pages:
                page.deliver(message, now)
            if self.shared:
                with contextlib.suppress(RuntimeError):  # the plugin stopped meanwhile
                    self.plugin.publish(_marked(message), channel)

    def receive(self, channel: str, item: bytes) -> None:
        """A message from the shared backend: another process's, for this process's pages."""
        message = _from_elsewhere(item)
        if message is None:
            return
        now = asyncio.get_running_loop().time()
        for page in self._pages.get(channel, ()):
            page.deliver(message, now)

    def attach(self, page: LiveSubscriber, channels: list[str]) -> None:
        for channel in channels:
            self._pages.setdefault(channel, set()).add(page)
        loop = asyncio.get_running_loop()
        page.told = loop.time()
        self._listening.add(page)
        if self._pinger is None:
            self._pinger = loop.call_later(PING_SECONDS / 3, self._ping)

    def detach(self, page: LiveSubscriber, channels: list[str]) -> None:
        for channel in channels:
            pages = self._pages.get(channel)
            if pages is not None:
                pages.discard(page)
                if not pages:
                    del self._pages[channel]
        self._listening.discard(page)
        if not self._listening and self._pinger is not None:
            self._pinger.cancel()
            self._pinger = None

    def _ping(self) -> None:
        """Ping the pages told nothing for PING_SECONDS (so proxies keep their line open); sweeps every third of it."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for page in self._listening:
            if now - page.told >= PING_SECONDS:
                page.ping(now)
        self._pinger = loop.call_later(PING_SECONDS / 3, self._ping) if self._listening else None

    def flush(self) -> None:
        """Send everything pending now (also called by tests instead of waiting)."""
        for channel in list(self._pending):
            timer = self._timers.pop(channel, None)
            if timer is not None:
                timer.cancel()
            self._last.pop(channel, None)
            self._send(channel)


# Messages are JSON written here, the same way each time, so that a stream can join several into one.
_HEAD, _TAIL = b'{"events":[', b"]}"


def _message(events: list[dict]) -> bytes:
    return _HEAD + b",".join(json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() for event in events) + _TAIL


def joined(messages: list[bytes]) -> bytes:
    """Several messages as one (their events in order)."""
    if len(messages) == 1:
        return messages[0]
    return _HEAD + b",".join(message[len(_HEAD) : -len(_TAIL)] for message in messages) + _TAIL


def _chunks(events: list[dict]) -> list[list[dict]]:
    """Events in messages small enough for every backend; an oversized event loses its HTML body."""
    chunks: list[list[dict]] = [[]]
    size = 0
    for event in events:
        length = len(json.dumps(event, ensure_ascii=False).encode())
        if length > MAX_MESSAGE_BYTES:
            event = {**event, "body_html": None, "partial": True}
            length = len(json.dumps(event, ensure_ascii=False).encode())
        if chunks[-1] and size + length > MAX_MESSAGE_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(event)
        size += length + 2
    return [chunk for chunk in chunks if chunk]


_plugin: ChannelsPlugin | None = None
_hub: Hub | None = None


def plugin_for(settings: Settings) -> ChannelsPlugin:
    global _plugin, _hub
    backend = backend_for(settings)
    _plugin = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, subscriber_class=LiveSubscriber)
    _hub = Hub(_plugin, shared=not isinstance(backend, MemoryChannelsBackend))
    if hasattr(backend, "on_message"):  # PostgreSQL's: it hands other processes' messages to the hub
        backend.on_message = _hub.receive
    return _plugin


def hub() -> Hub | None:
    return _hub


def publish(channel: str, event: dict, key: Hashable | None = None) -> None:
    """Announce ``event`` on ``channel`` (after the commit); a no-op where nothing listens (CLI, scripts)."""
    if _hub is None or _plugin is None or getattr(_plugin, "_pub_queue", None) is None:
        return
    try:
        _hub.publish(channel, event, key)
    except RuntimeError:  # no running event loop
        return


def to_group(group_id: int, event: dict, key: Hashable | None = None) -> None:
    publish(group_channel(group_id), {**event, "group": group_id}, key)


def to_participant(participant_id: int, event: dict, key: Hashable | None = None) -> None:
    publish(participant_channel(participant_id), event, key)


def to_consultation(consultation_id: int, event: dict) -> None:
    publish(consultation_channel(consultation_id), event)


async def board_changed(group_id: int, action_id: int) -> None:
    """Tell the group's open pages that its board changed (after the commit)."""
    to_group(group_id, {"type": "board", "action": action_id})


def server_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


async def stream(channels: list[str], hello: dict[str, Any] | None = None) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Events of ``channels`` as Server-Sent Events, with a comment every 15 s so proxies keep the line open.

    The first message, ``hello``, carries the server's clock (for countdowns on
    phones whose clock is off); a page that receives a second one has been
    disconnected and reads its state again. Litestar ends the generator when
    the browser goes away; the subscription is released in ``finally``.
    """
    if _plugin is None or _hub is None:
        return
    hub = _hub
    subscriber = await _plugin.subscribe(channels)
    assert isinstance(subscriber, LiveSubscriber)
    hub.attach(subscriber, channels)
    try:
        yield ServerSentEventMessage(
            event="hello", data=json.dumps({"now": server_now(), "worker": WORKER, **(hello or {})}), retry=RETRY_MILLISECONDS
        )
        loop = asyncio.get_running_loop()
        came = 0.0  # when the last message this page took came in
        while True:
            message = await subscriber.next()
            if subscriber.overflowed:
                # Fell behind: the page reconnects and reads everything again.
                yield ServerSentEventMessage(event="resync", data="{}")
                return
            if message is QUIET:
                yield ServerSentEventMessage(comment="ping")
                continue
            if message is None:
                return  # unsubscribed (shutdown)
            # Several channels (and, with several workers, several processes) feed one page:
            # what comes within STREAM_INTERVAL of the last message taken goes out together.
            # Counted from when that message came in, which is the same moment for every page
            # of the process: a page that a busy fan-out reached late must not wait that
            # lateness again (one channel's messages are CHANNEL_INTERVAL apart: no wait at all).
            wait = came + STREAM_INTERVAL - loop.time()
            if wait > 0.001:
                await asyncio.sleep(wait)
            messages, closing = [message], False
            for item in subscriber.drain():
                if item is None:
                    closing = True
                    break
                messages.append(item)
            came = subscriber.arrived
            # Bytes as they came: encode() below writes them without decoding them again.
            yield ServerSentEventMessage(event="live", data=joined(messages))
            if closing:
                return
    finally:
        # The browser went away and Litestar cancels this generator: the release must not be
        # cancelled half-way, or PostgreSQL's UNLISTEN is sent while Concerto still believes it
        # listens, and the next page on this channel would never hear anything.
        hub.detach(subscriber, channels)
        with anyio.CancelScope(shield=True):
            await _plugin.unsubscribe(subscriber, channels)


def encode(message: ServerSentEventMessage) -> bytes:
    """A message as the bytes of the stream.

    ``live`` messages are one line of JSON, the same bytes for every page of a
    channel: they are framed as they are, where Litestar's encoder would decode,
    split and encode each one again for each of a thousand pages.
    """
    if message.event == "live" and isinstance(message.data, bytes) and not (b"\n" in message.data or b"\r" in message.data):
        return b"event: live\r\ndata: " + message.data + b"\r\n\r\n"  # Litestar's separator, \r\n
    return message.encode()


async def frames(channels: list[str], hello: dict[str, Any] | None = None) -> AsyncGenerator[bytes, None]:
    """``stream()`` as the bytes a page's event stream carries."""
    messages = stream(channels, hello)
    try:
        async for message in messages:
            yield encode(message)
    finally:
        await messages.aclose()
