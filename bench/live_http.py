"""A small, cheap HTTP/1.1 client for bench/live.py: keep-alive requests and Server-Sent Event streams.

httpx costs about a millisecond of CPU per request; on a two-core machine that
shares its cores with the server, the load generator must cost as little as
possible. These protocols parse only what the bench reads: the status, the
body (Content-Length or chunked), and SSE messages. Every time is on
``time.monotonic()``'s clock (CLOCK_MONOTONIC: the same in every process of the
machine), and an arrival is the moment the bytes reached this process's socket
(the kernel's receive time, SO_TIMESTAMPNS), not the later moment this busy
process got round to reading them: on a machine whose cores the server, the
load and a thousand streams share, that reading lag is the bench's, not
Concerto's. Each read's lag is kept (``READ_LAGS``) and printed.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from array import array
from collections.abc import Callable

# Seconds between a read's bytes reaching the socket and this process reading them, one per read.
READ_LAGS = array("d")
_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; SCM_TIMESTAMPNS has the same value


class _StampedTransport:
    """A connected socket read with ``recvmsg``: the protocol's ``arrived`` is each read's kernel receive time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket, protocol) -> None:
        self.loop, self.sock, self.protocol = loop, sock, protocol
        self.outgoing = bytearray()
        self.closed = False
        sock.setsockopt(socket.SOL_SOCKET, _TIMESTAMPNS, 1)
        protocol.connection_made(self)
        loop.add_reader(sock.fileno(), self._read)

    def _read(self) -> None:
        try:
            data, ancillary, _flags, _address = self.sock.recvmsg(262_144, socket.CMSG_SPACE(16))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, ancillary = b"", []
        if not data:
            self.close()
            return
        now = time.monotonic()
        arrived = now
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == _TIMESTAMPNS and len(payload) >= 16:
                seconds, nanoseconds = struct.unpack("qq", payload[:16])
                arrived = min(now, seconds + nanoseconds / 1e9 - (time.time() - now))  # realtime -> monotonic
        READ_LAGS.append(now - arrived)
        self.protocol.arrived = arrived
        self.protocol.data_received(data)

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if not self.outgoing:
            try:
                data = data[self.sock.send(data) :]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.close()
                return
            if data:
                self.loop.add_writer(self.sock.fileno(), self._write)
        self.outgoing += data

    def _write(self) -> None:
        try:
            del self.outgoing[: self.sock.send(self.outgoing)]
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        if not self.outgoing:
            self.loop.remove_writer(self.sock.fileno())

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.loop.remove_reader(self.sock.fileno())
        self.loop.remove_writer(self.sock.fileno())
        self.sock.close()
        self.loop.call_soon(self.protocol.connection_lost, None)


async def open_stamped(protocol, host: str, port: int):
    """Connect ``protocol`` to host:port through a kernel-stamped socket; returns the protocol."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    _StampedTransport(loop, sock, protocol)
    return protocol


def request_bytes(method: str, path: str, host: str, *, cookie: str = "", csrf: str = "", body: bytes = b"", content_type: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: */*"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if csrf:
        lines.append(f"x-csrftoken: {csrf}")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if body or method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Chunked:
    """Undoes chunked transfer encoding, bytes as they come."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.finished = False

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        out = bytearray()
        while not self.finished:
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            size = int(bytes(self.buffer[:end]).split(b";")[0], 16)
            if len(self.buffer) < end + 2 + size + 2:
                break
            out += self.buffer[end + 2 : end + 2 + size]
            del self.buffer[: end + 2 + size + 2]
            self.finished = size == 0
        return bytes(out)


def _head(buffer: bytearray) -> tuple[int, dict[str, str], int] | None:
    """Status, headers and the body's offset once the head is complete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, end + 4


class Response:
    __slots__ = ("status", "headers", "body", "arrived")

    def __init__(self, status: int, headers: dict[str, str], body: bytes, arrived: float) -> None:
        self.status, self.headers, self.body, self.arrived = status, headers, body, arrived


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request at a time."""

    arrived: float | None = None  # set by the stamped transport before each read

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.head: tuple[int, dict[str, str], int] | None = None
        self.chunked: _Chunked | None = None
        self.body = bytearray()  # a chunked body so far
        self.lost = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.lost = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.head is None:
            self.head = _head(self.buffer)
            if self.head is None:
                return
            del self.buffer[: self.head[2]]
            if self.head[1].get("transfer-encoding", "").lower() == "chunked":
                self.chunked = _Chunked()
        status, headers, _ = self.head
        if self.chunked is not None:
            self.body += self.chunked.feed(bytes(self.buffer))
            self.buffer.clear()
            if not self.chunked.finished:
                return
            body = bytes(self.body)
            self.body.clear()
        else:
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < length:
                return
            body = bytes(self.buffer[:length])
            del self.buffer[:length]
        self.head = self.chunked = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(Response(status, headers, body, self.arrived or time.monotonic()))

    async def send(self, raw: bytes, timeout: float) -> Response:
        if self.lost:
            raise ConnectionError("connection closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await asyncio.wait_for(self.waiter, timeout)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def connect(host: str, port: int) -> Connection:
    return await open_stamped(Connection(), host, port)


class Stream(asyncio.Protocol):
    """One Server-Sent Events stream: calls ``on_message(stream, event, data, arrived)`` for each message.

    Comments (``: ping``) are counted, not passed on.
    """

    def __init__(self, index: int, on_message: Callable[[Stream, str, bytes, float], None]) -> None:
        self.index = index
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.status: int | None = None
        self.chunked: _Chunked | None = None
        self.text = bytearray()
        self.pings = 0
        self.lost = False
        self.abandoned = False  # closed by us (no hello in time, refused), not by the server
        self.on_lost: Callable[[Stream], None] | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.lost = True
        if self.on_lost is not None:
            self.on_lost(self)

    arrived: float | None = None  # set by the stamped transport before each read

    def data_received(self, data: bytes) -> None:
        arrived = self.arrived or time.monotonic()
        if self.status is None:
            self.buffer += data
            head = _head(self.buffer)
            if head is None:
                return
            self.status = head[0]
            data = bytes(self.buffer[head[2] :])
            self.buffer.clear()
            if head[1].get("transfer-encoding", "").lower() == "chunked":
                self.chunked = _Chunked()
            if self.status != 200:
                self.on_message(self, "status", str(self.status).encode(), arrived)
                return
        self.text += self.chunked.feed(data) if self.chunked else data
        while True:
            end = self.text.find(b"\r\n\r\n")
            if end < 0:
                break
            message = bytes(self.text[:end])
            del self.text[: end + 4]
            event, data_lines = "message", []
            for line in message.split(b"\r\n"):
                if line.startswith(b"data:"):
                    data_lines.append(line[5:].lstrip(b" "))
                elif line.startswith(b"event:"):
                    event = line[6:].strip().decode()
                elif line.startswith(b":"):
                    self.pings += 1
            if data_lines or event != "message":
                self.on_message(self, event, b"\n".join(data_lines), arrived)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
