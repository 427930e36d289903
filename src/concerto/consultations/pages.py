"""Public pages of a consultation: list, home, joining, language switch."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response, Template

from concerto import i18n
from concerto.consultations import personal_data
from concerto.consultations import services as consultations
from concerto.consultations.schemas import PersonalData
from concerto.errors import N_, ConcertoError, NotAuthenticated
from concerto.groups import services as groups
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.middleware import LANGUAGE_COOKIE
from concerto.web.pages import read_form, redirect, render, render_form_error
from concerto.web.params import Token
from concerto.web.schemas import read


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
            meetings=await consultations.calendar(consultation["id"]),
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

    @get("/me/data", name="personal-data")
    async def download_my_data(self, consultation: CurrentConsultation, actor: CurrentActor) -> Response:
        """Everything stored about the participant in this consultation, as a JSON file (the API's document)."""
        document = read(await personal_data.my_data(consultation, actor), PersonalData)
        return Response(
            msgspec.json.format(msgspec.json.encode(document), indent=2),
            media_type="application/json",
            headers={
                "content-disposition": f'attachment; filename="concerto-{consultation["slug"]}-personal-data.json"',
                "cache-control": "no-store",
            },
        )

    @get("/me/erase", name="personal-data-erase-form")
    async def erase_form(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        """The confirmation step: what erasing means, and the choice about contributions and comments."""
        return await _erase_page(request, consultation, actor)

    @post("/me/erase", name="personal-data-erase")
    async def erase(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template | Redirect:
        form = await read_form(request)
        try:
            await personal_data.erase(consultation, actor, form.get("contributions"))
        except ConcertoError as error:
            return await _erase_page(request, consultation, actor, error=error, form=form)
        session.forget_participant(request, consultation["id"])
        session.flash(request, N_("Your personal data is erased. You no longer take part under that name, on any browser."), "info")
        return redirect(f"/c/{consultation['slug']}")

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


async def _erase_page(
    request: Request, consultation: dict, actor, *, error: ConcertoError | None = None, form: dict | None = None
) -> Template:
    if actor.participant_id is None:
        # A visitor (or someone whose data was just erased) has nothing to erase here.
        raise NotAuthenticated(N_("Join the consultation with your invitation link to take part."))
    context = {
        "consultation": consultation,
        "actor": actor,
        "counts": await personal_data.counts(actor.participant_id),
        "refusal": await personal_data.own_refusal(consultation, actor),
        "published": await personal_data.published_versions(consultation["id"]),
    }
    if error is not None:
        return render_form_error(request, "consultations/erase.html", error, form or {}, **context)
    return render(request, "consultations/erase.html", **context)


def _return_link(request: Request, consultation: dict, token: str) -> dict:
    from concerto.i18n import gettext
    from concerto.live.qr import qr_svg
    from concerto.live.wall import base_url

    url = f"{base_url(request)}/c/{consultation['slug']}/return/{token}"
    return {"return_url": url, "return_qr": qr_svg(url, gettext("QR code of your personal link"))}
