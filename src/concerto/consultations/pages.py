"""Public pages of a consultation: list, home, joining, language switch."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from concerto import i18n
from concerto.consultations import services as consultations
from concerto.errors import N_, ConcertoError
from concerto.groups import services as groups
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.middleware import LANGUAGE_COOKIE
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Token


class PublicPages(Controller):
    include_in_schema = False

    @get("/", name="index")
    async def index(self, request: Request) -> Template:
        rows = await consultations.list_visible(session.account_id(request))
        return render(request, "consultations/index.html", consultations=rows)

    @post("/language", name="language")
    async def language(self, request: Request) -> Redirect:
        form = await read_form(request)
        locale = i18n.normalise_locale(form.get("lang")) or i18n.DEFAULT_LOCALE
        target = form.get("next") or "/"
        if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = redirect(target)
        response.cookies.append(
            Cookie(key=LANGUAGE_COOKIE, value=locale, max_age=365 * 86400, samesite="lax", httponly=True)
        )
        return response


class ConsultationPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/", name="consultation")
    async def home(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        return render(
            request,
            "consultations/home.html",
            consultation=consultation,
            actor=actor,
            groups=await groups.overview(consultation["id"]),
            meetings=await consultations.meetings(consultation["id"]),
            kinds=await consultations.kinds(consultation["id"]),
        )

    @get("/join/{token:str}", name="join")
    async def join_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, token: Token) -> Template:
        if actor.participant_id is None:
            # Say at once when the link is wrong, before anyone types a name.
            await consultations.check_invitation(consultation, token)
        return render(
            request, "consultations/join.html", consultation=consultation, actor=actor, token=token, form={}
        )

    @post("/join/{token:str}", name="join-submit")
    async def join(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, token: Token) -> Template | Redirect:
        form = await read_form(request)
        try:
            participant = await consultations.join(
                consultation, actor, token, form.get("display_name"), form.get("organisation")
            )
        except ConcertoError as error:
            return render_form_error(
                request, "consultations/join.html", error, form, consultation=consultation, actor=actor, token=token
            )
        session.remember_participant(request, consultation["id"], participant)
        session.flash(request, N_("Welcome! You can now propose, support and comment."))
        return redirect(f"/c/{consultation['slug']}")
