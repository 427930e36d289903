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

    @get("/me", name="personal-link")
    async def personal_link(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        """The participant's own return link (and its QR code), to find their place on another browser."""
        token = await consultations.return_token(consultation["id"], actor)
        return render(request, "consultations/me.html", consultation=consultation, actor=actor, **_return_link(request, consultation, token))

    @post("/me/replace", name="personal-link-replace")
    async def replace_personal_link(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Redirect:
        await consultations.return_token(consultation["id"], actor, replace=True)
        session.flash(request, N_("Your personal link is replaced; the previous one no longer works."), "info")
        return redirect(f"/c/{consultation['slug']}/me")

    @get("/return/{token:str}", name="return")
    async def come_back(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, token: Token) -> Redirect:
        """Opening one's personal link on another browser gives back one's place (name, votes, contributions)."""
        participant = await consultations.participant_by_return_token(consultation, token)
        session.remember_participant(request, consultation["id"], participant["id"])
        session.flash(request, N_("Welcome back, %(name)s: you take part under your name again."), name=participant["display_name"])
        return redirect(f"/c/{consultation['slug']}")


def _return_link(request: Request, consultation: dict, token: str) -> dict:
    from concerto.i18n import gettext
    from concerto.live.qr import qr_svg
    from concerto.live.wall import base_url

    url = f"{base_url(request)}/c/{consultation['slug']}/return/{token}"
    return {"return_url": url, "return_qr": qr_svg(url, gettext("QR code of your personal link"))}
