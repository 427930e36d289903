"""Delivery latency: from a write's answer at the writer to its event on every open stream.

A write is delivered to a stream by the first message that shows it: the new
contribution's id, or the contribution with at least the vote count the vote's
answer gave (a batch sends each contribution's latest count once, so a vote
may be shown by a later count). Streams of one server process receive the
same messages in the same order, so the matching is done once per distinct
sequence of messages, then applied to every stream's arrival times.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass

import numpy as np


def _shown(events: list[dict]) -> dict[tuple, int]:
    """What a page shows once it has applied one message: per contribution, the count read last.

    Counts come from several server processes, so one message (a stream joins what queued up)
    may hold an older count after a newer one; pages keep the one read last (``at``), whatever
    the order of arrival (concerto-live.js), and so does this matching.
    """
    shown: dict[tuple, int] = {}
    read_at: dict[tuple, float] = {}
    for event in events:
        if event.get("type") not in ("contribution", "votes"):
            continue
        key = (event["type"], event["id"])
        at = event.get("at")
        if at is not None and key in read_at and read_at[key] > at:
            continue  # an older count arriving after a newer one: the page keeps the newer
        shown[key] = event.get("votes", 0)
        if at is not None:
            read_at[key] = at
    return shown


@dataclass
class Write:
    kind: str  # "contribution" or "votes", the event type that shows it
    target: int  # the contribution
    count: int  # for a vote: the supporters its answer gave
    answered: float  # time.monotonic() when its answer arrived


@dataclass
class Delivery:
    writes: int
    streams: int
    delivered: int  # (write, stream) pairs seen
    missed: int  # (write, stream) pairs never seen by the end of the collection
    messages: int  # live messages the streams received meanwhile (every channel: group, consultation, participant)
    all_ms: np.ndarray  # every delivery's latency
    last_ms: np.ndarray  # per write seen by every stream: the slowest stream's latency
    first_ms: np.ndarray  # per write: the fastest stream's
    read_lag_ms: np.ndarray  # per read of the streams' process: kernel receive -> read (not counted above)

    def line(self) -> str:
        if not self.writes:
            return "no writes"
        if not len(self.all_ms):
            return f"{self.writes} writes, none delivered"
        return (
            f"all deliveries p50 {pct(self.all_ms, 50):.0f} ms, p99 {pct(self.all_ms, 99):.0f} ms, max {self.all_ms.max():.0f} ms; "
            f"last subscriber p50 {pct(self.last_ms, 50):.0f} ms, p99 {pct(self.last_ms, 99):.0f} ms, max {maximum(self.last_ms):.0f} ms"
        )


def pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def maximum(values) -> float:
    return float(np.max(values)) if len(values) else float("nan")


class Collected:
    """What the streams received, gathered over one or more ``collect`` answers."""

    def __init__(self) -> None:
        self.messages: list[list[dict]] = []
        self.numbers: list[array] = []
        self.times: list[array] = []
        self.open: list[bool] = []
        self.workers: list[str | None] = []
        self.other: dict = {}
        self.pings = 0
        self.read_lags = array("d")  # the streams' process: kernel receive -> read, seconds

    def add(self, answer: dict) -> None:
        assert answer["first"] == len(self.messages)
        self.messages.extend(json.loads(data).get("events", []) for data in answer["messages"])
        for index, (numbers, times) in enumerate(answer["records"]):
            if index == len(self.numbers):
                self.numbers.append(array("i"))
                self.times.append(array("d"))
            self.numbers[index].frombytes(numbers)
            self.times[index].frombytes(times)
        self.open, self.workers, self.other, self.pings = answer["open"], answer["workers"], answer["other"], answer["pings"]
        self.read_lags.frombytes(answer.get("read_lags", b""))

    def reset(self) -> None:
        """Forget the records (the messages stay numbered)."""
        self.numbers = [array("i") for _ in self.numbers]
        self.times = [array("d") for _ in self.times]
        self.read_lags = array("d")

    def deliveries(self, writes: list[Write]) -> Delivery:
        relevant = [_shown(events) for events in self.messages]
        answered = np.array([write.answered for write in writes], dtype=np.float64)
        positions_of: dict[tuple, np.ndarray] = {}
        all_parts, slowest, fastest = [], np.full(len(writes), -np.inf), np.full(len(writes), np.inf)
        everywhere = np.ones(len(writes), dtype=bool)
        streams = delivered = missed = 0
        for numbers, times, is_open in zip(self.numbers, self.times, self.open):
            kept = [position for position, number in enumerate(numbers) if relevant[number]]
            sequence = tuple(numbers[position] for position in kept)
            if not is_open and not sequence:
                continue  # a stream that never opened
            streams += 1
            positions = positions_of.get(sequence)
            if positions is None:
                positions = positions_of[sequence] = _first_showing(writes, [relevant[number] for number in sequence])
            arrived = np.array([times[position] for position in kept], dtype=np.float64)
            seen = positions >= 0
            latency = np.full(len(writes), np.nan)
            latency[seen] = (arrived[positions[seen]] - answered[seen]) * 1000
            delivered += int(seen.sum())
            missed += int((~seen).sum())
            everywhere &= seen
            all_parts.append(latency[seen].astype(np.float32))
            slowest = np.where(seen, np.maximum(slowest, latency), slowest)
            fastest = np.where(seen, np.minimum(fastest, latency), fastest)
        return Delivery(
            writes=len(writes),
            streams=streams,
            delivered=delivered,
            missed=missed,
            messages=sum(len(numbers) for numbers in self.numbers),
            all_ms=np.concatenate(all_parts) if all_parts else np.array([], dtype=np.float32),
            last_ms=slowest[everywhere] if streams else np.array([]),
            first_ms=fastest[np.isfinite(fastest)],
            read_lag_ms=np.frombuffer(self.read_lags, dtype=np.float64) * 1000,
        )


def _first_showing(writes: list[Write], sequence: list[dict]) -> np.ndarray:
    """For each write, the position in ``sequence`` of the first message that shows it (-1: none)."""
    positions = np.full(len(writes), -1, dtype=np.int64)
    waiting: dict[tuple, list[tuple[int, int]]] = {}
    for index, write in enumerate(writes):
        waiting.setdefault((write.kind, write.target), []).append((write.count, index))
    for entries in waiting.values():
        entries.sort(reverse=True)  # smallest count last: popped first
    for position, shown in enumerate(sequence):
        for key, count in shown.items():
            entries = waiting.get(key)
            while entries and (key[0] == "contribution" or entries[-1][0] <= count):
                positions[entries.pop()[1]] = position
    return positions
