"""JSON API of the live workshop (the control panel's actions); facilitators only."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import JSONBody

from concerto.live import services as live
from concerto.live.schemas import (
    GroupLiveRead,
    LiveRead,
    PhasesChange,
    ScheduleCreate,
    ScheduleRead,
    StepRead,
    StepStart,
    StepWrite,
    TimerChange,
)
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id, Query
from concerto.web.schemas import given, read


async def _groups(consultation: dict, group_ids: list[int] | None = None) -> list[GroupLiveRead]:
    _steps, groups = await live.overview(consultation["id"])
    return [read(group, GroupLiveRead) for group in groups if group_ids is None or group["id"] in group_ids]


def _schedule(row: dict) -> ScheduleRead:
    return read({**row, "group_id": row["working_group"]}, ScheduleRead)


class LiveApi(Controller):
    path = "/consultations/{slug:str}/live"
    tags = ["live workshop"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/", summary="Read the groups' phases, steps, countdowns and scheduled changes")
    async def overview(self, consultation: CurrentConsultation, actor: CurrentActor) -> LiveRead:
        actor.require_facilitator()
        steps, groups = await live.overview(consultation["id"])
        return LiveRead(
            steps=[read(step, StepRead) for step in steps],
            groups=[read(group, GroupLiveRead) for group in groups],
            schedules=[_schedule(row) for row in await live.schedules(consultation["id"])],
        )

    @post("/phases", status_code=200, summary="Open or close phases in one group or all")
    async def phases(self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[PhasesChange]) -> list[GroupLiveRead]:
        """The groups changed, as they are now."""
        values = given(data)
        target = values.pop("group", "all")
        return await _groups(consultation, await live.set_phases(consultation, actor, target, values))

    @put("/steps", summary="Replace the sequence of steps")
    async def steps(self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[list[StepWrite]]) -> list[StepRead]:
        saved = await live.save_steps(consultation, actor, [given(step) for step in data])
        return [read(step, StepRead) for step in saved]

    @post("/steps/start", status_code=200, summary="Start a step in one group or all")
    async def start_step(self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[StepStart]) -> list[GroupLiveRead]:
        """Its phases open, the others close, its countdown starts."""
        changed = await live.start_step(consultation, actor, data.step, data.group, close_on_time=data.close_on_time)
        return await _groups(consultation, changed)

    @post("/timer", status_code=200, summary="Add or take off minutes on running countdowns")
    async def adjust_timer(self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[TimerChange]) -> list[GroupLiveRead]:
        return await _groups(consultation, await live.adjust_timer(consultation, actor, data.group, data.minutes))

    @delete("/timer", status_code=200, summary="Stop the countdowns of one group or all")
    async def stop_timer(self, consultation: CurrentConsultation, actor: CurrentActor, group: Query = "all") -> list[GroupLiveRead]:
        """``group``: a group id or \"all\"."""
        return await _groups(consultation, await live.stop_timer(consultation, actor, group))

    @post("/schedules", summary="Schedule a phase to open or close")
    async def schedule(self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[ScheduleCreate]) -> ScheduleRead:
        schedule_id = await live.add_schedule(consultation, actor, {**given(data), "open": data.open})
        return next(_schedule(row) for row in await live.schedules(consultation["id"]) if row["id"] == schedule_id)

    @delete("/schedules/{schedule_id:int}", summary="Cancel a scheduled change")
    async def cancel(self, consultation: CurrentConsultation, actor: CurrentActor, schedule_id: Id) -> None:
        await live.cancel_schedule(consultation, actor, schedule_id)
