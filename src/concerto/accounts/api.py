"""JSON API for facilitators' sign-in (the same cookie session as the pages)."""

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody

from concerto.accounts import services as accounts
from concerto.accounts.schemas import AccountRead, SessionCreate
from concerto.errors import N_, NotAuthenticated
from concerto.web import session


def _account(row: dict) -> AccountRead:
    return AccountRead(id=row["id"], email=row["email"], display_name=row["display_name"], is_admin=row["is_admin"])


class SessionApi(Controller):
    path = "/session"
    tags = ["session"]

    @post("/", summary="Sign in")
    async def sign_in(self, request: Request, data: JSONBody[SessionCreate]) -> AccountRead:
        """Facilitators and administrators; the session cookie then carries the account."""
        account = await accounts.authenticate(data.email, data.password)
        if account is None:
            raise NotAuthenticated(N_("E-mail address or password incorrect."))
        session.sign_in(request, account["id"])
        return _account(account)

    @get("/", summary="Who is signed in")
    async def current(self, request: Request) -> AccountRead:
        account_id = session.account_id(request)
        account = await accounts.get_account(account_id) if account_id else None
        if account is None:
            raise NotAuthenticated()
        return _account(account)

    @delete("/", summary="Sign out")
    async def sign_out(self, request: Request) -> None:
        """Joined consultations stay remembered in this browser."""
        session.sign_out(request)
