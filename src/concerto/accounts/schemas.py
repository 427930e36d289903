"""API schemas for signing in and for who is acting in a consultation."""

from __future__ import annotations

from typing import Annotated

from msgspec import Struct

from concerto.web.schemas import Input, described


class SessionCreate(Input):
    email: Annotated[str, described("The facilitator's e-mail address.", "animatrice@example.org")]
    password: str


class PasswordChange(Input):
    current_password: str
    new_password: Annotated[str, described("At least 10 characters.")]


class SessionsEnded(Struct):
    ended: Annotated[int, described("How many sessions were signed out.")]


class AccountRead(Struct):
    id: int
    email: str
    display_name: str
    is_admin: bool


class ActorRead(Struct):
    """Who the session holder is in one consultation."""

    role: Annotated[str, described("visitor, participant, observer or facilitator.")]
    participant_id: int | None
    display_name: str


class AccountSessionsRead(Struct):
    id: int
    email: str
    display_name: str
    is_admin: bool
    sessions: Annotated[int, described("Open sessions (browsers signed in).")]
