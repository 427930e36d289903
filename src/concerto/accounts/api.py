"""JSON API for facilitators' sign-in (the same cookie session as the pages), their sessions, and administrators'."""

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import JSONBody

from concerto.accounts import services as accounts
from concerto.accounts.pages import change_password, end_other_sessions, sign_in, trusted_browser_cookie
from concerto.accounts.pages import signed_in as _signed_in
from concerto.accounts.schemas import AccountRead, AccountSessionsRead, PasswordChange, SessionCreate, SessionsEnded
from concerto.errors import NotAuthenticated
from concerto.web import session
from concerto.web.params import Id


def _account(row: dict) -> AccountRead:
    return AccountRead(id=row["id"], email=row["email"], display_name=row["display_name"], is_admin=row["is_admin"])


class SessionApi(Controller):
    path = "/session"
    tags = ["session"]

    @post("/", summary="Sign in")
    async def sign_in(self, request: Request, data: JSONBody[SessionCreate]) -> Response[AccountRead]:
        """Facilitators and administrators; the session cookie then carries the account.

        Failed attempts are throttled per account and per address (429 with Retry-After);
        a browser where the account signed in before keeps its own count.
        """
        account = await sign_in(request, data.email, data.password)
        return Response(_account(account), status_code=201, cookies=[trusted_browser_cookie(request, account["email"])])

    @get("/", summary="Who is signed in")
    async def current(self, request: Request) -> AccountRead:
        account_id = session.account_id(request)
        account = await accounts.get_account(account_id) if account_id else None
        if account is None:
            raise NotAuthenticated()
        return _account(account)

    @delete("/", summary="Sign out")
    async def sign_out(self, request: Request) -> None:
        """Ends this session on the server (a copy of the cookie no longer works); joined consultations stay remembered in this browser."""
        session.sign_out(request)

    @put("/password", summary="Change my password (signs out my other sessions)")
    async def change_password(self, request: Request, data: JSONBody[PasswordChange]) -> SessionsEnded:
        return SessionsEnded(ended=await change_password(request, data.current_password, data.new_password))

    @delete("/others", status_code=200, summary="Sign out my other sessions")
    async def end_others(self, request: Request) -> SessionsEnded:
        return SessionsEnded(ended=await end_other_sessions(request))


class AccountsApi(Controller):
    path = "/accounts"
    tags = ["accounts"]

    @get("/", summary="Accounts and their open sessions (administrators)")
    async def list_accounts(self, request: Request) -> list[AccountSessionsRead]:
        return [AccountSessionsRead(**row) for row in await accounts.accounts_with_sessions(_signed_in(request))]

    @delete("/{account_id:int}/sessions", status_code=200, summary="Sign an account out everywhere (administrators)")
    async def end_sessions(self, request: Request, account_id: Id) -> SessionsEnded:
        _target, ended = await accounts.sign_out_everywhere(
            _signed_in(request), account_id, current_sid=session.current_sid(request)
        )
        return SessionsEnded(ended=ended)
