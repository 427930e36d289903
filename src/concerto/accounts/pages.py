"""Facilitator sign-in and sign-out, their account page, and administrators' account list."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from concerto.accounts import services as accounts
from concerto.accounts import sessions, throttle
from concerto.errors import N_, ConcertoError, Invalid, NotAuthenticated
from concerto.web import session
from concerto.web.params import Id, Query
from concerto.web.pages import read_form, redirect, render, render_form_error


def _safe_next(value: object) -> str:
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/facilitation"


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def trusted_browser_cookie(request: Request, email: str) -> Cookie:
    """Set after a successful sign-in: on this browser, others' failed attempts never delay the owner."""
    settings = request.app.state.settings
    return Cookie(
        key=throttle.DEVICE_COOKIE,
        value=throttle.device_cookie(settings.secret_key, email),
        max_age=throttle.DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


async def sign_in(request: Request, email: object, password: object) -> dict:
    """Shared by the page and the API: throttled, and a fresh session on success."""
    account = await accounts.sign_in(
        email,
        password,
        address=_address(request),
        device=request.cookies.get(throttle.DEVICE_COOKIE),
        secret=request.app.state.settings.secret_key,
    )
    session.sign_in(request, account["id"])
    return account


async def change_password(request: Request, current: object, new: object) -> int:
    """Shared by the page and the API: the new password, every other session ended, this one renewed."""
    account_id = signed_in(request)
    await accounts.change_password(account_id, current, new)
    ended = await sessions.end_all(account_id, keep=session.current_sid(request))
    session.renew(request)
    return ended


async def end_other_sessions(request: Request) -> int:
    return await sessions.end_all(signed_in(request), keep=session.current_sid(request))


def signed_in(request: Request) -> int:
    """The signed-in account's id, or a clear refusal."""
    account_id = session.account_id(request)
    if account_id is None:
        raise NotAuthenticated(N_("Sign in as a facilitator to do this."))
    return account_id


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_form(self, request: Request, next: Query = "/facilitation") -> Template:
        return render(request, "accounts/login.html", form={"next": _safe_next(next)})

    @post("/login", name="login-submit")
    async def login(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        try:
            account = await sign_in(request, form.get("email"), form.get("password"))
        except NotAuthenticated:
            error = Invalid(N_("E-mail address or password incorrect."))
            return render_form_error(request, "accounts/login.html", error, {"email": form.get("email"), "next": form.get("next")})
        except ConcertoError as error:  # too many attempts
            page = render_form_error(request, "accounts/login.html", error, {"email": form.get("email"), "next": form.get("next")})
            page.headers.update(error.headers)
            return page
        session.flash(request, N_("Welcome, %(name)s."), name=account["display_name"])
        response = redirect(_safe_next(form.get("next")))
        response.cookies.append(trusted_browser_cookie(request, account["email"]))
        return response

    @post("/logout", name="logout")
    async def logout(self, request: Request) -> Redirect:
        session.sign_out(request)
        session.flash(request, N_("You are signed out."), "info")
        return redirect("/")

    @get("/account", name="account")
    async def account_page(self, request: Request) -> Template | Redirect:
        account_id = session.account_id(request)
        if account_id is None:
            return redirect("/login?next=/account")
        return render(request, "accounts/account.html", **await self._context(account_id))

    async def _context(self, account_id: int) -> dict:
        account = await accounts.get_account(account_id)
        return {"account": account, "other_sessions": max(0, await sessions.count(account_id) - 1)}

    @post("/account/password", name="account-password")
    async def change_password(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        try:
            ended = await change_password(request, form.get("current_password"), form.get("new_password"))
        except ConcertoError as error:
            return render_form_error(request, "accounts/account.html", error, {}, **await self._context(signed_in(request)))
        session.flash(request, N_("Your password is changed; your other sessions (%(count)s) are signed out."), count=ended)
        return redirect("/account")

    @post("/account/sessions/end", name="account-sessions-end")
    async def end_other_sessions(self, request: Request) -> Redirect:
        ended = await end_other_sessions(request)
        session.flash(request, N_("Your other sessions (%(count)s) are signed out."), count=ended)
        return redirect("/account")

    @get("/admin/accounts", name="admin-accounts")
    async def admin_accounts(self, request: Request) -> Template:
        return render(request, "accounts/admin.html", accounts=await accounts.accounts_with_sessions(signed_in(request)))

    @post("/admin/accounts/{account_id:int}/sessions/end", name="admin-sessions-end")
    async def admin_end_sessions(self, request: Request, account_id: Id) -> Redirect:
        target, ended = await accounts.sign_out_everywhere(
            signed_in(request), account_id, current_sid=session.current_sid(request)
        )
        session.flash(request, N_("%(name)s is signed out everywhere (%(count)s sessions)."), name=target["display_name"], count=ended)
        return redirect("/admin/accounts")
