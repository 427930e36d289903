"""API schemas of the live workshop: phases of several groups, steps, countdowns, schedules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import UNSET, Struct, UnsetType

from concerto.web.schemas import Input, described

Target = Annotated[int | Literal["all"], described('A working group\'s id, or "all" for every group of the consultation.', "all", 3)]
StepKindCode = Annotated[Literal["contribute", "vote", "discuss"], described("contribute: contributions open; vote: voting open; discuss: both closed.")]


class StepRead(Struct):
    kind: StepKindCode
    minutes: Annotated[int, described("Length of its countdown; 0: none.")]


class StepWrite(Input):
    kind: StepKindCode
    minutes: int = 0


class CurrentStep(Struct):
    index: Annotated[int, described("Its position in the sequence, from 0.")]
    kind: StepKindCode
    number: Annotated[int, described("Its position from 1, as pages show it.")]
    of: Annotated[int, described("How many steps the sequence has.")]


class GroupLiveRead(Struct):
    id: int
    contributions_open: bool
    voting_open: bool
    vote_budget: int
    step: CurrentStep | None
    timer_started_at: dt.datetime | None
    timer_ends_at: Annotated[dt.datetime | None, described("When the group's countdown ends (UTC).")]
    title: str | None = None


class ScheduleRead(Struct):
    id: int
    group_id: Annotated[int | None, described("None: every group of the consultation.")]
    phase: Literal["contributions", "voting"]
    open: bool
    at: dt.datetime
    source: Annotated[Literal["plan", "timer"], described("plan: set by hand; timer: the end of a step's countdown.")]


class LiveRead(Struct):
    steps: list[StepRead]
    groups: list[GroupLiveRead]
    schedules: list[ScheduleRead]


class PhasesChange(Input):
    group: Target = "all"
    contributions_open: bool | UnsetType = UNSET
    voting_open: bool | UnsetType = UNSET


class StepStart(Input):
    step: Annotated[int | Literal["next"], described('The step\'s index from 0, or "next": each group\'s next step.', 0, "next")]
    group: Target = "all"
    close_on_time: Annotated[bool, described("Close the step's phases by themselves when its countdown ends.")] = False


class TimerChange(Input):
    minutes: Annotated[int, described("Minutes to add; negative to take off (-60 to 60).", 5)]
    group: Target = "all"


class ScheduleCreate(Input):
    phase: Literal["contributions", "voting"]
    open: bool
    at: Annotated[str, described("ISO 8601 time; without an offset, the consultation's local time.", "2026-03-14T10:45")]
    group: Target = "all"
