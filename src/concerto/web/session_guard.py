"""Sessions that can end, and CSRF tokens that belong to one session.

Runs inside Litestar's cookie-session middleware (the session is read) and
outside its CSRF middleware (which checks that the form's token matches the
``csrftoken`` cookie). On the way in:

- a session that says who someone is must name a live ``web_session`` row
  (``concerto.accounts.sessions``), else it is emptied: a cookie copied before
  signing out, or from before a password change, carries no one;
- a write's ``csrftoken`` cookie must be the one this session was given, so a
  token (and cookie) taken from another browser is refused.

On the way out (when the answer starts), the session gets a row once it says
who someone is, loses it when it no longer does (signing out ends the old row,
signing in starts a new one), and remembers its CSRF token.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from concerto.accounts import sessions
from concerto.web.middleware import cookie as request_cookie
from concerto.web.session import CSRF_KEY, SID_KEY, has_identity

_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# Litestar's token: 64 hex characters of secret, then their HMAC (litestar.middleware.csrf).
_CSRF_SECRET_LENGTH = 64
_INCOMING = "concerto.session"


def _session(scope: Scope) -> dict[str, Any]:
    session = scope.get("session")
    return session if isinstance(session, dict) else {}


class SessionGuard:
    def __init__(self, app: ASGIApp, csrf_cookie: str = "csrftoken") -> None:
        self.app = app
        self.csrf_cookie = csrf_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        session = _session(scope)
        sid, account = session.get(SID_KEY), None
        if has_identity(session) or sid:
            found = await sessions.find(sid)
            if found is None:
                session, sid = {}, None  # ended, expired, or from before sessions were kept
            else:
                account = found.account
                if session.get("account") is not None and session["account"] != account:
                    session = {key: value for key, value in session.items() if key != "account"}
                if found.due_renewal:
                    await sessions.renew(sid)
            scope["session"] = session
        scope[_INCOMING] = (sid, account)
        if scope["method"] not in _SAFE:
            bound = session.get(CSRF_KEY)
            cookie = request_cookie(scope, self.csrf_cookie) or ""
            if (bound or has_identity(session)) and cookie[:_CSRF_SECRET_LENGTH] != bound:
                raise PermissionDeniedException("CSRF token verification failed: not this session's token")
        await self.app(scope, receive, self._wrap(scope, send))

    def _wrap(self, scope: Scope, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._store(scope)
            await send(message)

        return wrapped

    async def _store(self, scope: Scope) -> None:
        incoming, incoming_account = scope.get(_INCOMING, (None, None))
        session = dict(_session(scope))
        sid = session.get(SID_KEY)
        if incoming and sid != incoming:
            await sessions.end(incoming)  # signed out, or signed in afresh
        if has_identity(session):
            account = session.get("account")
            if not sid or sid != incoming:
                session[SID_KEY] = await sessions.start(account)
            elif account != incoming_account:
                await sessions.set_account(sid, account)
        else:
            session.pop(SID_KEY, None)
        token = ScopeState.from_scope(scope).csrf_token
        if isinstance(token, str) and len(token) > _CSRF_SECRET_LENGTH:
            session[CSRF_KEY] = token[:_CSRF_SECRET_LENGTH]
        if session != _session(scope):
            scope["session"] = session
