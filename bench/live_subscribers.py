"""A thousand open pages: Server-Sent Event streams held by a child process, for bench/live.py.

The streams live in their own process so that the load generator's work does
not delay when a message is seen to arrive (and the other way round). The
child records, for every stream, each ``live`` message and when it arrived
(the kernel's receive time on CLOCK_MONOTONIC, the same clock as the parent's;
see live_http.py). A
message is stored once, however many streams receive it (a batch goes to every
page of the group alike); each stream keeps (message number, arrival) pairs.
The parent asks for them between scenarios (``collect``) and matches them with
its writes (live_delivery.py).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from array import array
from collections import Counter

from live_http import READ_LAGS, Stream, open_stamped, request_bytes


def matches(events: list[dict], kind: str, target: int, count: int) -> bool:
    """Whether a message shows the write: the new contribution, or at least ``count`` votes on it."""
    for event in events:
        if event.get("type") == kind and event.get("id") == target:
            if kind == "contribution" or event.get("votes", 0) >= count:
                return True
    return False


class _Child:
    def __init__(self, connection, host: str, port: int) -> None:
        self.connection = connection
        self.host, self.port = host, port
        self.streams: list[Stream] = []
        self.numbers: dict[bytes, int] = {}
        self.messages: list[bytes] = []
        self.handed = 0  # messages the parent already has
        self.parsed: dict[int, list[dict]] = {}
        self.records: list[tuple[array, array]] = []
        self.workers: list[str | None] = []
        self.hello_at: list[float] = []
        self.hello_waiters: dict[int, asyncio.Future] = {}
        self.other = Counter()  # resync, status codes, other events, streams lost
        self.waiting: list[tuple[str, int, int, set, asyncio.Future]] = []
        self.closing = False
        self.last_message = 0.0  # when the latest live message arrived, on any stream

    # -- messages -------------------------------------------------------------------

    def on_message(self, stream: Stream, event: str, data: bytes, arrived: float) -> None:
        if event == "live":
            number = self.numbers.get(data)
            if number is None:
                number = self.numbers[data] = len(self.messages)
                self.messages.append(data)
            numbers, times = self.records[stream.index]
            numbers.append(number)
            times.append(arrived)
            self.last_message = arrived
            for kind, target, count, seen, done in self.waiting:
                if stream.index not in seen and matches(self._events(number), kind, target, count):
                    seen.add(stream.index)
                    if len(seen) >= self.alive() and not done.done():
                        done.set_result(None)
        elif event == "hello":
            self.workers[stream.index] = json.loads(data).get("worker")
            self.hello_at[stream.index] = arrived
            waiter = self.hello_waiters.pop(stream.index, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif event == "message" and not data:
            pass  # a ping: Litestar sends its comment with an empty data line (counted by the stream)
        else:
            self.other[event if event != "status" else f"answered {data.decode()}"] += 1
            if event == "status":
                stream.abandoned = True
                stream.close()

    def _events(self, number: int) -> list[dict]:
        events = self.parsed.get(number)
        if events is None:
            events = self.parsed[number] = json.loads(self.messages[number]).get("events", [])
        return events

    def on_lost(self, stream: Stream) -> None:
        if not self.closing and not stream.abandoned:
            self.other["streams closed by the server"] += 1
        waiter = self.hello_waiters.pop(stream.index, None)
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionError("closed before hello"))

    def alive(self) -> int:
        return sum(1 for stream in self.streams if not stream.lost and stream.status == 200)

    # -- commands -------------------------------------------------------------------

    async def open(self, cookies: list[str], path: str, concurrency: int, timeout: float) -> dict:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(concurrency)
        failures = Counter()
        started = time.monotonic()
        deadline = started + timeout  # for them all: a server that stops accepting must not hold the run
        waits: list[float] = []

        async def one(cookie: str) -> None:
            async with gate:
                if time.monotonic() >= deadline:
                    failures["not tried (the time was up)"] += 1
                    return
                index = len(self.streams)
                stream = Stream(index, self.on_message)
                stream.on_lost = self.on_lost
                self.streams.append(stream)
                self.records.append((array("i"), array("d")))
                self.workers.append(None)
                self.hello_at.append(0.0)
                waiter = self.hello_waiters[index] = loop.create_future()
                asked = time.monotonic()
                try:
                    await asyncio.wait_for(open_stamped(stream, self.host, self.port), deadline - asked)
                    stream.transport.write(request_bytes("GET", path, f"{self.host}:{self.port}", cookie=cookie))
                    await asyncio.wait_for(waiter, max(0.0, deadline - time.monotonic()))
                    waits.append(time.monotonic() - asked)
                except (OSError, asyncio.TimeoutError) as error:
                    failures["no hello in time" if stream.status in (None, 200) else f"answered {stream.status}"] += 1
                    self.hello_waiters.pop(index, None)
                    stream.abandoned = True
                    stream.close()

        await asyncio.gather(*(one(cookie) for cookie in cookies))
        waits.sort()
        return {
            "asked": len(cookies),
            "open": self.alive(),
            "seconds": time.monotonic() - started,
            "failures": dict(failures),
            "workers": dict(Counter(worker for worker in self.workers if worker)),
            "hello_p50_ms": waits[len(waits) // 2] * 1000 if waits else None,
            "hello_max_ms": waits[-1] * 1000 if waits else None,
        }

    async def wait_for(self, kind: str, target: int, count: int, since: float, timeout: float) -> dict:
        """Until every open stream shows the write (or ``timeout``); counts what arrived since ``since`` too."""
        seen: set[int] = set()
        for stream in self.streams:
            numbers, times = self.records[stream.index]
            for position in range(len(numbers) - 1, -1, -1):
                if times[position] < since:
                    break
                if matches(self._events(numbers[position]), kind, target, count):
                    seen.add(stream.index)
                    break
        done = asyncio.get_running_loop().create_future()
        if len(seen) >= self.alive():
            done.set_result(None)
        entry = (kind, target, count, seen, done)
        self.waiting.append(entry)
        try:
            await asyncio.wait_for(done, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self.waiting.remove(entry)
        return {"seen": len(seen), "open": self.alive()}

    async def quiet(self, seconds: float, timeout: float) -> float:
        """Until no message has arrived for ``seconds`` (at most ``timeout``); how long that took."""
        started = time.monotonic()
        while time.monotonic() - max(self.last_message, started) < seconds and time.monotonic() - started < timeout:
            await asyncio.sleep(0.05)
        return time.monotonic() - started

    def collect(self) -> dict:
        """What arrived since the last collect; the records start again empty."""
        records = [(numbers.tobytes(), times.tobytes()) for numbers, times in self.records]
        self.records = [(array("i"), array("d")) for _ in self.records]
        lags = READ_LAGS.tobytes()
        del READ_LAGS[:]
        fresh = self.messages[self.handed :]
        self.handed = len(self.messages)
        return {
            "first": self.handed - len(fresh),
            "messages": fresh,
            "records": records,
            "open": [not stream.lost and stream.status == 200 for stream in self.streams],
            "workers": list(self.workers),
            "other": dict(self.other),
            "pings": sum(stream.pings for stream in self.streams),
            "read_lags": lags,
        }

    def close(self) -> int:
        self.closing = True
        count = 0
        for stream in self.streams:
            if not stream.lost:
                stream.close()
                count += 1
        return count

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue = asyncio.Queue()
        loop.add_reader(self.connection.fileno(), lambda: commands.put_nowait(self.connection.recv()))
        while True:
            name, *arguments = await commands.get()
            if name == "exit":
                self.close()
                await asyncio.sleep(0.1)
                return
            if name == "open":
                answer = await self.open(*arguments)
            elif name == "wait_for":
                answer = await self.wait_for(*arguments)
            elif name == "quiet":
                answer = await self.quiet(*arguments)
            elif name == "collect":
                answer = self.collect()
            elif name == "close":
                answer = self.close()
                await asyncio.sleep(0.5)
            else:
                answer = ValueError(name)
            self.connection.send(answer)


def _child_main(connection, host: str, port: int) -> None:
    asyncio.run(_Child(connection, host, port).run())


class Subscribers:
    """The parent's handle on the child process; one command at a time."""

    def __init__(self, host: str, port: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_child_main, args=(child_end, host, port), daemon=True)
        self.process.start()
        child_end.close()

    async def ask(self, *command):
        self.connection.send(command)
        answer = await asyncio.to_thread(self.connection.recv)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.connection.send(("exit",))
            except OSError:
                pass
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
