"""What the signed session cookie holds: the account and joined consultations.

A session that holds either also holds the id of its server-side row (``sid``),
kept by ``concerto.web.session_guard``: these functions only change the data,
and the guard starts, moves or ends the row when the answer goes out.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from concerto.i18n import gettext

SID_KEY = "sid"
CSRF_KEY = "csrf"


def has_identity(session: dict) -> bool:
    """Whether the session says who someone is (it then needs a live server-side row)."""
    return session.get("account") is not None or bool(session.get("joined"))


def current_sid(connection: ASGIConnection) -> str | None:
    return connection.session.get(SID_KEY)


def account_id(connection: ASGIConnection) -> int | None:
    return connection.session.get("account")


def participant_id(connection: ASGIConnection, consultation_id: int) -> int | None:
    return connection.session.get("joined", {}).get(str(consultation_id))


def remember_participant(connection: ASGIConnection, consultation_id: int, participant: int) -> None:
    session = dict(connection.session)
    session["joined"] = {**session.get("joined", {}), str(consultation_id): participant}
    connection.set_session(session)


def sign_in(connection: ASGIConnection, account: int) -> None:
    # A fresh session on sign-in (a new id, the old row ended): nothing from before carries over.
    connection.set_session({"account": account, "joined": dict(connection.session.get("joined", {}))})


def sign_out(connection: ASGIConnection) -> None:
    """The account leaves; the browser keeps its joined consultations under a new session id."""
    session = dict(connection.session)
    session.pop("account", None)
    session.pop(SID_KEY, None)
    connection.set_session(session)


def renew(connection: ASGIConnection) -> None:
    """A new session id for the same data (after a password change ends every other one)."""
    session = dict(connection.session)
    session.pop(SID_KEY, None)
    connection.set_session(session)


def forget_participant(connection: ASGIConnection, consultation_id: int) -> None:
    """This browser is no longer anyone in the consultation (after the participant's data was erased).

    The session also gets a new id, so a copy of the cookie from before stops working.
    """
    session = dict(connection.session)
    session["joined"] = {key: value for key, value in session.get("joined", {}).items() if key != str(consultation_id)}
    session.pop(SID_KEY, None)
    connection.set_session(session)


def flash(connection: ASGIConnection, message: str, level: str = "success", **params: Any) -> None:
    """Queue a message (translated now, in the reader's language) for the next page."""
    session = dict(connection.session)
    session["flash"] = [*session.get("flash", []), [level, gettext(message, **params)]]
    connection.set_session(session)


def pop_flashes(connection: ASGIConnection) -> list[list[str]]:
    if "flash" not in connection.session:
        return []
    session = dict(connection.session)
    messages = session.pop("flash")
    connection.set_session(session)
    return messages
