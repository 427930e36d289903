"""Live events through a real server: over HTTP, and across several worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket

import httpx
import pytest

from tests.server import POSTGRES_URL, served_demo

REDIS_UP = False
with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
    REDIS_UP = True


class Stream:
    """One SSE connection of its own (a page open in one browser)."""

    def __init__(self, base: str, path: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=30))
        self.path = path
        self.hello: dict = {}
        self.events: list[dict] = []
        self._context = None
        self._lines = None

    async def open(self) -> Stream:
        self._context = self.client.stream("GET", self.path, headers={"accept": "text/event-stream"})
        response = await self._context.__aenter__()
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        self._lines = response.aiter_lines()
        name, data = await self._message()
        assert name == "hello"
        self.hello = data
        return self

    async def _message(self) -> tuple[str, dict]:
        name, data = "message", []
        async for line in self._lines:
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line.split(":", 1)[1].strip())
            elif line == "" and data:
                return name, json.loads("\n".join(data))
        raise AssertionError("the stream ended")

    async def until(self, predicate, timeout: float = 10.0) -> dict:
        """The first event matching ``predicate`` (waiting at most ``timeout`` seconds)."""
        async def wait() -> dict:
            for event in self.events:
                if predicate(event):
                    return event
            while True:
                name, data = await self._message()
                if name == "live":
                    self.events.extend(data["events"])
                    for event in data["events"]:
                        if predicate(event):
                            return event

        return await asyncio.wait_for(wait(), timeout)

    async def close(self) -> None:
        if self._context is not None:
            with contextlib.suppress(Exception):
                await self._context.__aexit__(None, None, None)
        await self.client.aclose()


async def participant(base: str, link: str, name: str) -> httpx.AsyncClient:
    """A browser that joined through the invitation link."""
    client = httpx.AsyncClient(base_url=base, timeout=10, follow_redirects=True)
    path = link.removeprefix(base)
    await client.get(path)
    response = await client.post(path, data={"display_name": name, "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 200 and name in response.text
    return client


async def post(client: httpx.AsyncClient, group: int, title: str) -> dict:
    response = await client.post(
        f"/api/v1/consultations/ess-2027/groups/{group}/contributions",
        json={"kind": "enjeu", "title": title},
        headers={"x-csrftoken": client.cookies["csrftoken"]},
    )
    assert response.status_code == 201, response.text
    return response.json()


BACKENDS = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_group_stream_carries_contributions_votes_and_moderation(tmp_path, backend):
    with served_demo(tmp_path, backend) as (server, link):
        reader = await Stream(server.base, "/c/ess-2027/g/1/events").open()  # an anonymous reader
        author = await participant(server.base, link, "Inès R.")
        try:
            assert reader.hello["worker"] and reader.hello["now"]
            created = await post(author, 1, "Un atelier vélo dans chaque quartier")
            event = await reader.until(lambda e: e["type"] == "contribution" and e["id"] == created["id"])
            assert (event["title"], event["status"], event["author_name"], event["group"]) == ("Un atelier vélo dans chaque quartier", "published", "Inès R.", 1)
            vote = await author.put(
                f"/api/v1/consultations/ess-2027/contributions/{created['id']}/vote", headers={"x-csrftoken": author.cookies["csrftoken"]}
            )
            assert vote.status_code == 200
            await reader.until(lambda e: e["type"] == "votes" and e["id"] == created["id"] and e["votes"] == 1)
            # Another group's stream hears nothing of it.
            other = await Stream(server.base, "/c/ess-2027/g/2/events").open()
            await post(author, 1, "Une deuxième idée")
            with pytest.raises(asyncio.TimeoutError):
                await other.until(lambda e: e["type"] == "contribution", timeout=1.5)
            await other.close()
        finally:
            await reader.close()
            await author.aclose()


def _multi_worker_cases():
    cases = []
    if POSTGRES_URL:
        cases.append(pytest.param("postgres", {}, id="postgres-listen-notify"))
    if REDIS_UP:
        cases.append(pytest.param("sqlite", {"CONCERTO_CHANNELS_URL": os.environ.get("CONCERTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")}, id="sqlite-redis"))
    return cases or [pytest.param("postgres", {}, marks=pytest.mark.skip(reason="needs CONCERTO_TEST_POSTGRES_URL or Redis"))]


@pytest.mark.parametrize("backend, env", _multi_worker_cases())
async def test_an_event_written_on_one_worker_reaches_subscribers_on_all(tmp_path, backend, env):
    with served_demo(tmp_path, backend, CONCERTO_WORKERS="4", **env) as (server, link):
        streams: list[Stream] = []
        try:
            # Connections land on the workers as the kernel hands them out: open enough to reach several.
            for _ in range(40):
                streams.append(await Stream(server.base, "/c/ess-2027/g/1/events").open())
                if len({stream.hello["worker"] for stream in streams}) == 4 and len(streams) >= 12:
                    break
            workers = {stream.hello["worker"] for stream in streams}
            assert len(workers) >= 2, f"every stream landed on one worker: {workers}"
            author = await participant(server.base, link, "Camille T.")
            titles = [f"Idée partagée {n}" for n in range(3)]  # three writes: likely on different workers
            created = [await post(author, 1, title) for title in titles]
            for stream in streams:
                for item in created:
                    event = await stream.until(lambda e, item=item: e["type"] == "contribution" and e["id"] == item["id"])
                    assert event["title"] == item["title"]
            await author.aclose()
        finally:
            for stream in streams:
                await stream.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_pages_that_leave_and_come_back_keep_hearing(tmp_path, backend):
    """Closing a page releases its subscription completely (on PostgreSQL, a half-done UNLISTEN once left the channel deaf)."""
    with served_demo(tmp_path, backend) as (server, link):
        author = await participant(server.base, link, "Sami K.")
        try:
            for round_ in range(6):
                leaving = [await Stream(server.base, "/c/ess-2027/g/2/events").open() for _ in range(3)]
                for stream in leaving:
                    await stream.close()
                staying = await Stream(server.base, "/c/ess-2027/g/2/events").open()
                created = await post(author, 2, f"Retour {round_}")
                await staying.until(lambda e, created=created: e["type"] == "contribution" and e["id"] == created["id"], timeout=5)
                await staying.close()
        finally:
            await author.aclose()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CONCERTO_TEST_POSTGRES_URL")
async def test_with_four_workers_pages_end_on_the_true_vote_counts(tmp_path):
    """Counts of one contribution leave from several workers, each after its own pause: the page keeps the one counted last."""
    with served_demo(tmp_path, "postgres", CONCERTO_WORKERS="4") as (server, link):
        stream = await Stream(server.base, "/c/ess-2027/g/1/events").open()
        people = [await participant(server.base, link, f"Votant {n}") for n in range(24)]
        try:
            page = (await people[0].get("/c/ess-2027/g/1")).text
            targets = [int(found) for found in re.findall(r'data-vote="(\d+)"', page)][:3]
            answered: dict[int, list[int]] = {}

            async def vote(client: httpx.AsyncClient, target: int) -> None:
                response = await client.put(
                    f"/api/v1/consultations/ess-2027/contributions/{target}/vote", headers={"x-csrftoken": client.cookies["csrftoken"]}
                )
                assert response.status_code == 200, response.text
                answered.setdefault(target, []).append(response.json()["votes"])

            await asyncio.gather(*(vote(client, target) for client in people for target in targets))
            for target in targets:
                final = max(answered[target])
                await stream.until(lambda e, target=target, final=final: e["type"] == "votes" and e["id"] == target and e["votes"] == final)
            await asyncio.sleep(1.0)  # what is still on its way
            with contextlib.suppress(asyncio.TimeoutError):
                await stream.until(lambda e: False, timeout=1.0)
            for target in targets:
                shown = [e for e in stream.events if e["type"] == "votes" and e["id"] == target]
                latest = max(shown, key=lambda e: e["at"])  # what the page keeps
                assert latest["votes"] == max(answered[target])
        finally:
            await stream.close()
            for client in people:
                await client.aclose()
