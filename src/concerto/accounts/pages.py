"""Facilitator sign-in and sign-out."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from concerto.accounts import services as accounts
from concerto.errors import N_, Invalid
from concerto.web import session
from concerto.web.params import Query
from concerto.web.pages import read_form, redirect, render, render_form_error


def _safe_next(value: object) -> str:
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/facilitation"


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self, request: Request, next: Query = "/facilitation") -> Template:
        return render(request, "accounts/login.html", form={"next": _safe_next(next)})

    @post("/login", name="login-submit")
    async def login(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        account = await accounts.authenticate(form.get("email"), form.get("password"))
        if account is None:
            error = Invalid(N_("E-mail address or password incorrect."))
            return render_form_error(request, "accounts/login.html", error, {"email": form.get("email"), "next": form.get("next")})
        session.sign_in(request, account["id"])
        session.flash(request, N_("Welcome, %(name)s."), name=account["display_name"])
        return redirect(_safe_next(form.get("next")))

    @post("/logout", name="logout")
    async def logout(self, request: Request) -> Redirect:
        session.sign_out(request)
        session.flash(request, N_("You are signed out."), "info")
        return redirect("/")
