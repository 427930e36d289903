"""The event streams open pages listen to (Server-Sent Events)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Stream

from concerto.accounts.services import Actor
from concerto.groups import services as groups
from concerto.live import events
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id


def _channels(consultation: dict, actor: Actor, group_ids: list[int]) -> list[str]:
    channels = [events.group_channel(group_id) for group_id in group_ids]
    channels.append(events.consultation_channel(consultation["id"]))
    if actor.participant_id is not None:
        channels.append(events.participant_channel(actor.participant_id))
    return channels


def _sse(channels: list[str]) -> Stream:
    # No proxy buffering (nginx) and no caching: every message goes out as it is written.
    # A plain Stream of bytes framed by events.frames (Litestar's ServerSentEvent re-encodes each message).
    return Stream(
        events.frames(channels),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no", "connection": "keep-alive"},
    )


class StreamPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/g/{group_id:int}/events", name="group-events")
    async def group_events(self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Stream:
        """Everything a group's pages show that changes: contributions, votes, comments, phases, board.

        Anyone who can read the group may listen: payloads only carry what
        every reader may see. A participant also hears their own votes.
        """
        await groups.get(consultation["id"], group_id)
        return _sse(_channels(consultation, actor, [group_id]))

    @get("/events", name="consultation-events")
    async def consultation_events(self, consultation: CurrentConsultation, actor: CurrentActor) -> Stream:
        """The same for every group of the consultation (the consultation's wall, the control panel)."""
        group_ids = [group["id"] for group in await groups.list_for(consultation["id"])]
        return _sse(_channels(consultation, actor, group_ids))
