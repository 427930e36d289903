"""What the signed session cookie holds: the account and joined consultations."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from concerto.i18n import gettext


def account_id(connection: ASGIConnection) -> int | None:
    return connection.session.get("account")


def participant_id(connection: ASGIConnection, consultation_id: int) -> int | None:
    return connection.session.get("joined", {}).get(str(consultation_id))


def remember_participant(connection: ASGIConnection, consultation_id: int, participant: int) -> None:
    session = dict(connection.session)
    session["joined"] = {**session.get("joined", {}), str(consultation_id): participant}
    connection.set_session(session)


def forget_participant(connection: ASGIConnection, consultation_id: int) -> None:
    """This browser is no longer anyone in the consultation (after the participant's data was erased)."""
    joined = dict(connection.session.get("joined", {}))
    if joined.pop(str(consultation_id), None) is None:
        return
    connection.set_session({**connection.session, "joined": joined})


def sign_in(connection: ASGIConnection, account: int) -> None:
    # A fresh session on sign-in: nothing from before carries over.
    connection.set_session({"account": account, "joined": dict(connection.session.get("joined", {}))})


def sign_out(connection: ASGIConnection) -> None:
    session = dict(connection.session)
    session.pop("account", None)
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
