"""Facilitator pages: create and set up a consultation, its groups, calendar and people."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.accounts.services import Actor, get_account
from concerto.consultations import personal_data
from concerto.consultations import services as consultations
from concerto.errors import N_, ConcertoError
from concerto.groups import services as groups
from concerto.labels import meeting_kind_label
from concerto.live.wall import join_links
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Id


def _meeting_form(meeting: dict) -> dict:
    """A stored meeting as its form shows it (kind in words, dates as the date fields want them)."""
    return {
        **meeting,
        "kind": meeting_kind_label(meeting["kind"]),
        "date": meeting["date"].isoformat() if meeting["date"] else "",
        "end_date": meeting["end_date"].isoformat() if meeting["end_date"] else "",
        "attendance": meeting["attendance"] if meeting["attendance"] is not None else "",
    }


def _dashboard_url(consultation: dict, anchor: str = "") -> str:
    return f"/c/{consultation['slug']}/facilitation" + (f"#{anchor}" if anchor else "")


async def dashboard_context(request: Request, consultation: dict, actor: Actor) -> dict:
    actor.require_facilitator()
    people = [
        {**row, "can_anonymise": personal_data.anonymise_refusal(actor, row) is None}
        for row in await consultations.participants(consultation["id"], actor)
    ]
    return {
        "consultation": consultation,
        "actor": actor,
        **await join_links(request, consultation, actor),
        "groups": await groups.overview(consultation["id"]),
        "meetings": await consultations.calendar(consultation["id"]),
        "meeting_kinds": await consultations.meeting_kind_suggestions(consultation["id"]),
        "kinds": await consultations.kinds(consultation["id"]),
        "participants": people,
        "roles": consultations.ROLES,
        "form": {},
    }


class FacilitatorHome(Controller):
    path = "/facilitation"
    include_in_schema = False

    @get("/", name="facilitation")
    async def home(self, request: Request) -> Template | Redirect:
        account_id = session.account_id(request)
        account = await get_account(account_id) if account_id else None
        if account is None:
            return redirect("/login?next=/facilitation")
        rows = await consultations.list_visible(account_id)
        return render(request, "facilitation/home.html", account=account, consultations=rows, form={})

    @post("/consultations", name="consultation-create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        account_id = session.account_id(request)
        try:
            consultation = await consultations.create(account_id or 0, form)
        except ConcertoError as error:
            account = await get_account(account_id) if account_id else None
            rows = await consultations.list_visible(account_id)
            return render_form_error(request, "facilitation/home.html", error, form, account=account, consultations=rows)
        session.flash(request, N_("The consultation is created. Add its working groups and calendar."))
        return redirect(_dashboard_url(consultation))


class FacilitationPages(Controller):
    path = "/c/{slug:str}/facilitation"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    async def _fail(self, request: Request, consultation: dict, actor: Actor, error: ConcertoError, form: dict, section: str) -> Template:
        context = await dashboard_context(request, consultation, actor)
        context.pop("form")
        return render_form_error(request, "facilitation/dashboard.html", error, form, section=section, **context)

    @get("/", name="facilitation-dashboard")
    async def dashboard(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        return render(request, "facilitation/dashboard.html", **await dashboard_context(request, consultation, actor))

    @post("/settings", name="facilitation-settings")
    async def settings(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        form.setdefault("show_organisations", "0")  # an unticked checkbox is absent from the form
        try:
            consultation = await consultations.update(consultation, actor, form)
        except ConcertoError as error:
            return await self._fail(request, consultation, actor, error, form, "settings")
        session.flash(request, N_("Settings saved."))
        return redirect(_dashboard_url(consultation, "settings"))

    @post("/kinds", name="facilitation-kinds")
    async def kinds(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        labels = {key.removeprefix("label_"): value for key, value in form.items() if key.startswith("label_")}
        try:
            await consultations.rename_kinds(consultation, actor, labels)
        except ConcertoError as error:
            return await self._fail(request, consultation, actor, error, form, "kinds")
        session.flash(request, N_("Labels saved."))
        return redirect(_dashboard_url(consultation, "kinds"))

    @post("/invitation", name="facilitation-invitation")
    async def rotate_invitation(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Redirect:
        await consultations.rotate_invite(consultation, actor)
        session.flash(request, N_("A new invitation link is ready; the previous one no longer works."), "info")
        return redirect(_dashboard_url(consultation, "invitation"))

    @post("/groups", name="facilitation-group-create")
    async def create_group(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        try:
            await groups.create(consultation, actor, form)
        except ConcertoError as error:
            return await self._fail(request, consultation, actor, error, form, "groups")
        session.flash(request, N_("Working group added."))
        return redirect(_dashboard_url(consultation, "groups"))

    @get("/groups/{group_id:int}", name="facilitation-group")
    async def group_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template:
        actor.require_facilitator()
        group = await groups.get(consultation["id"], group_id)
        return render(request, "facilitation/group.html", consultation=consultation, actor=actor, group=group, form=group)

    @post("/groups/{group_id:int}", name="facilitation-group-update")
    async def update_group(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Template | Redirect:
        form = await read_form(request)
        # Unticked checkboxes are absent from a form: absent means closed here.
        form.setdefault("contributions_open", "0")
        form.setdefault("voting_open", "0")
        try:
            await groups.update(consultation, actor, group_id, form)
        except ConcertoError as error:
            group = await groups.get(consultation["id"], group_id)
            return render_form_error(request, "facilitation/group.html", error, form, consultation=consultation, actor=actor, group=group)
        session.flash(request, N_("Working group saved."))
        return redirect(_dashboard_url(consultation, "groups"))

    @post("/groups/{group_id:int}/phases", name="facilitation-group-phases")
    async def phases(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> Redirect:
        """One-click open/close buttons on the dashboard."""
        form = await read_form(request)
        changes = {key: form[key] for key in ("contributions_open", "voting_open") if key in form}
        await groups.update(consultation, actor, group_id, changes)
        session.flash(request, N_("Phases updated."))
        return redirect(_dashboard_url(consultation, "groups"))

    @post("/meetings", name="facilitation-meeting-create")
    async def create_meeting(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        try:
            await consultations.add_meeting(consultation, actor, form)
        except ConcertoError as error:
            return await self._fail(request, consultation, actor, error, form, "meetings")
        session.flash(request, N_("Meeting added to the calendar."))
        return redirect(_dashboard_url(consultation, "meetings"))

    @get("/meetings/{meeting_id:int}", name="facilitation-meeting")
    async def meeting_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, meeting_id: Id) -> Template:
        actor.require_facilitator()
        meeting = await consultations.meeting(consultation["id"], meeting_id)
        return render(
            request,
            "facilitation/meeting.html",
            consultation=consultation,
            actor=actor,
            meeting=meeting,
            meeting_kinds=await consultations.meeting_kind_suggestions(consultation["id"]),
            form=_meeting_form(meeting),
        )

    @post("/meetings/{meeting_id:int}", name="facilitation-meeting-update")
    async def update_meeting(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, meeting_id: Id) -> Template | Redirect:
        form = await read_form(request)
        try:
            await consultations.update_meeting(consultation, actor, meeting_id, form)
        except ConcertoError as error:
            meeting = {"id": meeting_id}
            return render_form_error(
                request,
                "facilitation/meeting.html",
                error,
                form,
                consultation=consultation,
                actor=actor,
                meeting=meeting,
                meeting_kinds=await consultations.meeting_kind_suggestions(consultation["id"]),
            )
        session.flash(request, N_("Meeting saved."))
        return redirect(_dashboard_url(consultation, "meetings"))

    @post("/meetings/{meeting_id:int}/delete", name="facilitation-meeting-delete")
    async def delete_meeting(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, meeting_id: Id) -> Redirect:
        await consultations.delete_meeting(consultation, actor, meeting_id)
        session.flash(request, N_("Meeting removed from the calendar."), "info")
        return redirect(_dashboard_url(consultation, "meetings"))

    @get("/participants/{participant_id:int}/anonymise", name="facilitation-anonymise-form")
    async def anonymise_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, participant_id: Id) -> Template:
        """The confirmation step before wiping a participant's name and organisation."""
        return await self._anonymise_page(request, consultation, actor, participant_id)

    async def _anonymise_page(
        self, request: Request, consultation: dict, actor: Actor, participant_id: int, error: ConcertoError | None = None
    ) -> Template:
        person = await consultations.participant(consultation["id"], actor, participant_id)
        context = {
            "consultation": consultation,
            "actor": actor,
            "person": person,
            "counts": await personal_data.counts(participant_id),
            # The rule, said before the button rather than after a refusal.
            "refusal": personal_data.anonymise_refusal(actor, person),
        }
        if error is not None:
            return render_form_error(request, "facilitation/anonymise.html", error, {}, **context)
        return render(request, "facilitation/anonymise.html", **context)

    @post("/participants/{participant_id:int}/anonymise", name="facilitation-anonymise")
    async def anonymise(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, participant_id: Id) -> Template | Redirect:
        try:
            await personal_data.anonymise(consultation, actor, participant_id)
        except ConcertoError as error:
            if error.status_code in (401, 403, 404):
                raise
            return await self._anonymise_page(request, consultation, actor, participant_id, error)
        session.flash(request, N_("The participant is anonymous: name and organisation wiped, contributions kept."))
        return redirect(_dashboard_url(consultation, "participants"))

    @post("/participants/{participant_id:int}/role", name="facilitation-role")
    async def set_role(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, participant_id: Id) -> Redirect:
        form = await read_form(request)
        await consultations.set_role(consultation, actor, participant_id, form.get("role"))
        session.flash(request, N_("Role updated."))
        return redirect(_dashboard_url(consultation, "participants"))
