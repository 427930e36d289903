"""The facilitators' control panel: phases of every group at once, steps with a countdown, schedules.

Every action is a plain form (keyboard, no JavaScript needed); the page follows
the groups live through the consultation's event stream.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.accounts.services import Actor
from concerto.errors import N_, ConcertoError
from concerto.i18n import gettext
from concerto.live import services as live
from concerto.live.steps import MAX_STEPS, STEP_KINDS, TIMER_ADJUSTMENTS
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Id


def control_url(consultation: dict, anchor: str = "") -> str:
    return f"/c/{consultation['slug']}/facilitation/live" + (f"#{anchor}" if anchor else "")


async def control_context(consultation: dict, actor: Actor) -> dict[str, Any]:
    actor.require_facilitator()
    steps, groups = await live.overview(consultation["id"])
    step_options = [("next", gettext("The next step of each group"))] + [
        (str(index), f"{index + 1}. {gettext(STEP_KINDS[step['kind']].label)}") for index, step in enumerate(steps)
    ]
    return {
        "consultation": consultation,
        "actor": actor,
        "steps": steps,
        "groups": groups,
        "schedules": await live.schedules(consultation["id"]),
        "step_kinds": list(STEP_KINDS),
        "adjustments": TIMER_ADJUSTMENTS,
        "step_options": step_options,
        "group_options": [("all", gettext("All groups"))] + [(str(group["id"]), group["title"]) for group in groups],
        "form": {},
    }


class ControlPages(Controller):
    path = "/c/{slug:str}/facilitation/live"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    async def _done(self, request: Request, consultation: dict, actor: Actor, work, message: str, section: str) -> Template | Redirect:
        """Run ``work(form)``; back to the panel with ``message``, or the panel with the reasons and what was typed."""
        form = await read_form(request)
        try:
            await work(form)
        except ConcertoError as error:
            context = await control_context(consultation, actor)
            context.pop("form")
            return render_form_error(request, "live/control.html", error, form, section=section, **context)
        session.flash(request, message)
        return redirect(control_url(consultation, section))

    @get("/", name="live-control")
    async def panel(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        return render(request, "live/control.html", **await control_context(consultation, actor))

    @post("/phases", name="live-phases")
    async def phases(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        """Open or close contributions and/or voting in one group or all (``group``: an id or "all")."""

        async def work(form: dict) -> None:
            changes = {key: form[key] for key in ("contributions_open", "voting_open") if key in form}
            await live.set_phases(consultation, actor, form.get("group"), changes)

        return await self._done(request, consultation, actor, work, N_("Phases updated."), "groups")

    @post("/steps", name="live-steps")
    async def save_steps(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        """The sequence of steps: rows kind_N / minutes_N; a row with no kind is left out."""

        async def work(form: dict) -> None:
            rows = []
            for index in range(MAX_STEPS):
                kind = form.get(f"kind_{index}")
                if kind not in (None, ""):
                    rows.append({"kind": kind, "minutes": form.get(f"minutes_{index}")})
            await live.save_steps(consultation, actor, rows)

        return await self._done(request, consultation, actor, work, N_("The sequence of steps is saved."), "steps")

    @post("/steps/start", name="live-step-start")
    async def start_step(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        """``step``: its number from 0, or "next"; ``group``: an id or "all"; ``close_on_time``: a checkbox."""

        async def work(form: dict) -> None:
            await live.start_step(
                consultation, actor, form.get("step"), form.get("group"), close_on_time=form.get("close_on_time") == "1"
            )

        return await self._done(request, consultation, actor, work, N_("The step has started."), "steps")

    @post("/timer", name="live-timer")
    async def timer(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        """``minutes`` to add (negative: take off), or ``stop``."""

        async def work(form: dict) -> None:
            if form.get("stop"):
                await live.stop_timer(consultation, actor, form.get("group"))
            else:
                await live.adjust_timer(consultation, actor, form.get("group"), form.get("minutes"))

        return await self._done(request, consultation, actor, work, N_("Countdown updated."), "steps")

    @post("/schedules", name="live-schedule")
    async def schedule(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        async def work(form: dict) -> None:
            await live.add_schedule(consultation, actor, form)

        return await self._done(request, consultation, actor, work, N_("The change is scheduled."), "schedules")

    @post("/schedules/{schedule_id:int}/cancel", name="live-schedule-cancel")
    async def cancel(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, schedule_id: Id) -> Template | Redirect:
        async def work(_form: dict) -> None:
            await live.cancel_schedule(consultation, actor, schedule_id)

        return await self._done(request, consultation, actor, work, N_("The scheduled change is cancelled."), "schedules")
