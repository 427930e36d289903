"""Live events: what each change tells the open pages, and what it never tells."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import pytest

from concerto.comments import services as comments
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.live import events
from concerto.live.events import Hub, LiveSubscriber, _chunks, _marked, _message, _unmarked, joined
from concerto.votes import services as votes
from tests.conftest import POSTGRES_URL
from tests.factories import make_contribution, make_participant, make_world
from tests.live_support import listening


class FakePlugin:
    """What a hub shares with the other server processes."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict, str]] = []

    def publish(self, data: bytes, channel) -> None:
        sender, message = _unmarked(data)
        assert sender == events.WORKER
        self.sent.append((json.loads(message), channel))


async def test_a_batch_keeps_the_latest_vote_count_of_each_contribution_in_order():
    plugin = FakePlugin()
    hub = Hub(plugin, shared=True, window=10)
    hub.publish("group_1", {"type": "votes", "id": 5, "votes": 1}, key=("votes", 5))
    hub.publish("group_1", {"type": "contribution", "id": 6}, key=("contribution", 6))
    hub.publish("group_1", {"type": "votes", "id": 5, "votes": 2}, key=("votes", 5))
    hub.publish("group_2", {"type": "board", "action": 1})
    hub.publish("group_2", {"type": "board", "action": 2})
    assert plugin.sent == []  # waits for the window
    hub.flush()
    assert plugin.sent == [
        ({"events": [{"type": "contribution", "id": 6}, {"type": "votes", "id": 5, "votes": 2}]}, "group_1"),
        ({"events": [{"type": "board", "action": 1}, {"type": "board", "action": 2}]}, "group_2"),
    ]


async def test_the_window_sends_by_itself():
    plugin = FakePlugin()
    hub = Hub(plugin, shared=True, window=0.01)
    hub.publish("group_1", {"type": "board", "action": 1})
    await asyncio.sleep(0.05)
    assert plugin.sent == [({"events": [{"type": "board", "action": 1}]}, "group_1")]


async def test_a_busy_channel_sends_at_most_one_message_per_interval():
    plugin = FakePlugin()
    hub = Hub(plugin, shared=True, window=0.01, interval=0.2)
    hub.publish("group_1", {"type": "votes", "id": 1, "votes": 1})
    await asyncio.sleep(0.05)
    assert len(plugin.sent) == 1
    for votes in range(2, 6):  # a burst right after: it waits for the interval, as one message
        hub.publish("group_1", {"type": "votes", "id": 1, "votes": votes}, key=("votes", 1))
        await asyncio.sleep(0.02)
    assert len(plugin.sent) == 1
    await asyncio.sleep(0.2)
    assert plugin.sent[1] == ({"events": [{"type": "votes", "id": 1, "votes": 5}]}, "group_1")


def test_a_stream_joins_the_messages_waiting_for_it():
    first, second = _message([{"type": "board", "action": 1}]), _message([{"type": "votes", "id": 2, "votes": 3}, {"type": "board", "action": 4}])
    assert json.loads(joined([first, second])) == {"events": [{"type": "board", "action": 1}, {"type": "votes", "id": 2, "votes": 3}, {"type": "board", "action": 4}]}
    assert joined([first]) is first


async def test_a_count_read_later_is_not_replaced_by_one_read_earlier():
    plugin = FakePlugin()
    hub = Hub(plugin, shared=True, window=10)
    hub.publish("group_1", {"type": "votes", "id": 5, "votes": 3, "at": 2.0}, key=("votes", 5))
    hub.publish("group_1", {"type": "votes", "id": 5, "votes": 2, "at": 1.0}, key=("votes", 5))  # it arrived late
    hub.flush()
    assert plugin.sent == [({"events": [{"type": "votes", "id": 5, "votes": 3, "at": 2.0}]}, "group_1")]


async def test_this_process_pages_hear_it_at_once_and_the_others_through_the_backend():
    plugin = FakePlugin()
    plugin._backend = None
    page, elsewhere = LiveSubscriber(plugin), LiveSubscriber(plugin)
    for shared in (False, True):
        hub = Hub(plugin, shared=shared, window=10)
        hub.attach(page, ["group_1", "participant_3"])
        hub.attach(elsewhere, ["group_2"])
        hub.publish("group_1", {"type": "board", "action": 1})
        hub.flush()
        # In the same turn of the event loop, to this channel's pages only.
        assert [json.loads(item) for item in page.drain()] == [{"events": [{"type": "board", "action": 1}]}]
        assert elsewhere.drain() == []
        # Only several processes share it: each message marked with its sender.
        assert plugin.sent == ([({"events": [{"type": "board", "action": 1}]}, "group_1")] if shared else [])
        hub.detach(page, ["group_1", "participant_3"])
        hub.publish("group_1", {"type": "board", "action": 2})
        hub.flush()
        assert page.drain() == []
    # What the backend brings back: this process's own message came already; another's is heard, unmarked.
    message = _message([{"type": "board", "action": 3}])
    assert page.put_nowait(_marked(message)) and page.drain() == []
    other = b"@0badcafe " + message
    assert _unmarked(other) == ("0badcafe", message)
    assert page.put_nowait(other) and page.drain() == [message]
    assert page.put_nowait(None) and page.drain() == [None]  # the plugin stopping


async def test_the_hub_pings_only_the_pages_told_nothing_for_a_while(monkeypatch):
    monkeypatch.setattr(events, "PING_SECONDS", 0.3)
    plugin = FakePlugin()
    plugin._backend = None
    hub = Hub(plugin, shared=False, window=0.01, interval=0.01)
    quiet, busy = LiveSubscriber(plugin), LiveSubscriber(plugin)
    hub.attach(quiet, ["group_1"])
    hub.attach(busy, ["group_2"])
    for _ in range(8):  # group 2 hears something every 50 ms, group 1 nothing
        hub.publish("group_2", {"type": "board", "action": 1})
        await asyncio.sleep(0.05)
    assert await asyncio.wait_for(quiet.next(), 0.5) is events.QUIET
    waiting = [busy._queue.get_nowait() for _ in range(busy._queue.qsize())]
    assert waiting and events.QUIET not in waiting  # messages, and never a ping among them
    # A ping waiting behind a message is dropped with the drain.
    quiet.ping(0.0)
    hub.publish("group_1", {"type": "board", "action": 2})
    hub.flush()
    assert [json.loads(item) for item in quiet.drain()] == [{"events": [{"type": "board", "action": 2}]}]
    hub.detach(quiet, ["group_1"])
    hub.detach(busy, ["group_2"])
    assert hub._pinger is None  # nobody listens: no sweep left behind


def test_messages_stay_under_the_notify_limit_and_an_oversized_body_is_dropped():
    small = [{"type": "votes", "id": n, "votes": n} for n in range(400)]
    chunks = _chunks(small)
    assert len(chunks) > 1 and sum(len(chunk) for chunk in chunks) == 400
    huge = {"type": "contribution", "id": 1, "title": "Titre", "body_html": "<p>" + "é" * 9000 + "</p>"}
    [[event]] = _chunks([huge])
    assert event == {**huge, "body_html": None, "partial": True}


async def test_contributions_arrive_live_and_hidden_ones_leave_without_their_text(database, settings):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    async with listening(settings, [events.group_channel(world.group["id"])]) as listener:
        item = await contributions.create(author, world.group, {"title": "Une épicerie solidaire", "kind": "enjeu", "body": "Au **marché**"})
        [created] = await listener.events()
        assert created["type"] == "contribution" and created["id"] == item and created["new"] is True
        assert (created["title"], created["kind_code"], created["author_name"], created["votes"]) == ("Une épicerie solidaire", "enjeu", "Autrice", 0)
        assert "<strong>marché</strong>" in created["body_html"]

        await contributions.update(author, item, {"title": "Une épicerie solidaire de quartier"})
        [edited] = await listener.events()
        assert edited["title"] == "Une épicerie solidaire de quartier" and edited["new"] is False

        await contributions.moderate(world.facilitator, item, "hide")
        [hidden] = await listener.events()
        assert hidden == {"type": "contribution", "id": item, "status": "hidden", "group": world.group["id"]}

        await contributions.moderate(world.facilitator, item, "restore")
        [restored] = await listener.events()
        assert restored["status"] == "published" and restored["title"] == "Une épicerie solidaire de quartier"

        await contributions.withdraw(author, item)
        [withdrawn] = await listener.events()
        assert withdrawn == {"type": "contribution", "id": item, "status": "withdrawn", "group": world.group["id"]}


async def test_votes_tell_the_group_the_count_and_only_the_voter_their_budget(database, settings):
    world = await make_world(budget=3)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    item = await make_contribution(world, author)
    group = events.group_channel(world.group["id"])
    async with listening(settings, [group, events.participant_channel(voter.participant_id)]) as listener:
        await votes.cast(voter, item)
        counted, budget = await listener.at_least(2)
        first_at = counted.pop("at")
        assert time.time() - 5 < first_at <= time.time()  # when the count was read: the latest read wins on the pages
        assert [counted, budget] == [
            {"type": "votes", "id": item, "votes": 1, "group": world.group["id"]},
            {"type": "budget", "group": world.group["id"], "budget": 3, "used": 1, "remaining": 2, "id": item, "voted": True},
        ]
    async with listening(settings, [group]) as room:
        await votes.withdraw(voter, item)
        [withdrawn] = await room.events()
        assert (withdrawn["type"], withdrawn["votes"], withdrawn["at"] > first_at) == ("votes", 0, True)
        await votes.withdraw(voter, item)  # nothing changed: nothing to tell
        assert await room.quiet()


async def test_grouped_duplicates_send_their_roots_combined_support(database, settings):
    from concerto.board import services as board

    world = await make_world()
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    root = await make_contribution(world, author, "Monnaie locale")
    twin = await make_contribution(world, author, "Une monnaie du territoire")
    await board.mark_duplicate(world.facilitator, twin, root)
    await votes.cast(voter, root)
    async with listening(settings, [events.group_channel(world.group["id"])]) as listener:
        await votes.cast(voter, twin)
        [event] = await listener.events()
        assert (event["id"], event["votes"], event["root"], event["support"]) == (twin, 1, root, 1)


async def test_hiding_a_contribution_gives_its_supporters_their_vote_back_live(database, settings):
    world = await make_world(budget=2)
    author = await make_participant(world, "Autrice")
    voter = await make_participant(world, "Votant")
    item = await make_contribution(world, author)
    await votes.cast(voter, item)
    async with listening(settings, [events.participant_channel(voter.participant_id)]) as own:
        await contributions.moderate(world.facilitator, item, "hide")
        assert await own.events() == [{"type": "budget", "group": world.group["id"], "budget": 2, "used": 0, "remaining": 2}]


async def test_comments_and_phases_are_announced(database, settings):
    world = await make_world()
    author = await make_participant(world, "Autrice")
    item = await make_contribution(world, author)
    async with listening(settings, [events.group_channel(world.group["id"])]) as listener:
        comment = await comments.add(author, item, {"body": "D'accord"})
        assert await listener.events() == [{"type": "comments", "contribution": item, "count": 1, "group": world.group["id"]}]
        await comments.moderate(world.facilitator, comment, "hide")
        assert (await listener.events())[0]["count"] == 0
        await groups.update(world.consultation, world.facilitator, world.group["id"], {"contributions_open": False})
        [phase] = await listener.events()
        assert phase["type"] == "phase" and phase["contributions_open"] is False and phase["voting_open"] is True
        await groups.update(world.consultation, world.facilitator, world.group["id"], {"title": "Nouveau titre"})
        assert await listener.quiet()  # a title is not a phase


async def test_closing_the_consultation_is_announced_to_all_its_groups(database, settings):
    from concerto.consultations import services as consultations

    world = await make_world()
    async with listening(settings, [events.consultation_channel(world.consultation["id"])]) as listener:
        await consultations.update(world.consultation, world.facilitator, {"status": "closed"})
        assert await listener.events() == [{"type": "consultation", "status": "closed"}]


def test_the_wall_of_every_group_shows_the_countdown_ending_soonest():
    from concerto.live.wall import representative

    def state(id_, ends=None, step=None):
        return {"id": id_, "timer_ends_at": ends, "step": step}

    assert representative([]) is None
    assert representative([state(1), state(2)])["id"] == 1
    assert representative([state(1), state(2, step={"index": 1})])["id"] == 2
    timed = [state(1, "2027-03-14T10:30:00+00:00"), state(2, "2027-03-14T10:20:00+00:00"), state(3, step={"index": 0})]
    assert representative(timed)["id"] == 2


def test_live_frames_are_the_bytes_litestar_would_write():
    from litestar.response import ServerSentEventMessage

    from concerto.live.events import encode

    data = _message([{"type": "vote", "id": 3, "title": "Des « vélos » à 5 €"}])
    fast = ServerSentEventMessage(event="live", data=data)
    assert encode(fast) == ServerSentEventMessage(event="live", data=data.decode()).encode()
    # Anything else (hello, pings, a payload with a line break) goes through Litestar's encoder.
    for message in (
        ServerSentEventMessage(event="hello", data='{"now": 1}', retry=2000),
        ServerSentEventMessage(comment="ping"),
        ServerSentEventMessage(event="live", data=b'{"events":["a\nb"]}'),
    ):
        assert encode(message) == message.encode()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CONCERTO_TEST_POSTGRES_URL")
async def test_postgres_shares_messages_in_order_and_reconnects_once():
    import asyncpg

    backend = events._pg_backend(POSTGRES_URL)
    await backend.on_startup()
    channel = f"test_batch_{secrets.token_hex(4)}"
    try:
        await backend.subscribe([channel])
        received = backend.stream_events()

        async def next_messages(count: int) -> list[bytes]:
            return [(await asyncio.wait_for(anext(received), 5))[1] for _ in range(count)]

        for n in range(50):  # what queued up meanwhile leaves in one round trip, in the order published
            await backend.publish(f"message {n}".encode(), [channel])
        assert await next_messages(50) == [f"message {n}".encode() for n in range(50)]

        # The publishing connection dropped (database restarted): opened again for the next message.
        killer = await asyncpg.connect(POSTGRES_URL)
        try:
            pid = backend._publisher.get_server_pid()
            await killer.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await killer.close()
        await backend.publish(b"after the restart", [channel])
        assert await next_messages(1) == [b"after the restart"]
        assert backend._publisher.get_server_pid() != pid
    finally:
        await backend.on_shutdown()


async def test_another_workers_message_reaches_this_workers_pages_and_its_own_echo_does_not(database, settings):
    import asyncpg

    if not settings.is_postgres:
        pytest.skip("one process on SQLite: nothing comes from other workers")
    channel = f"group_{secrets.token_hex(4)}"
    async with listening(settings, [channel]) as listener:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            other = b"@0badcafe " + _message([{"type": "board", "action": 1}])
            own = _marked(_message([{"type": "board", "action": 2}]))
            for payload in (own, other):
                await connection.execute("SELECT pg_notify($1, $2)", channel, payload.decode())
        finally:
            await connection.close()
        assert await listener.events() == [{"type": "board", "action": 1}]
        assert await listener.quiet()
