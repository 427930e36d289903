"""API schemas for consultations: settings, kinds, invitation, people and calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import UNSET, Struct, UnsetType

from concerto.groups.schemas import GroupSummary
from concerto.web.schemas import Input, described

Status = Annotated[str, described("draft (facilitators only), open or closed.", "open")]
Slug = Annotated[str, described("The consultation's address: lowercase letters, digits and hyphens.", "ess-2026")]
MeetingKind = Annotated[str, described("rencontre, atelier or comite.", "atelier")]
MeetingDate = Annotated[str, described("ISO date.", "2026-10-14")]


class ConsultationCreate(Input):
    title: str
    summary: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class ConsultationUpdate(Input):
    title: str | UnsetType = UNSET
    summary: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class ConsultationRead(Struct):
    id: int
    slug: str
    title: str
    summary: str
    status: str
    created_at: dt.datetime


class KindRead(Struct):
    code: Annotated[str, described("acquis (achievements) or enjeu (new challenges).")]
    label: str


class MeetingCreate(Input):
    title: str
    date: MeetingDate
    kind: MeetingKind | UnsetType = UNSET
    place: str | UnsetType = UNSET
    attendance: int | None | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class MeetingUpdate(Input):
    title: str | UnsetType = UNSET
    date: MeetingDate | UnsetType = UNSET
    kind: MeetingKind | UnsetType = UNSET
    place: str | UnsetType = UNSET
    attendance: int | None | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class MeetingRead(Struct):
    id: int
    title: str
    kind: str
    date: dt.date
    place: str
    attendance: int | None
    notes: str


class ConsultationDetail(ConsultationRead):
    kinds: list[KindRead]
    groups: list[GroupSummary]
    meetings: list[MeetingRead]


class JoinCreate(Input):
    token: Annotated[str, described("The secret part of the invitation link.")]
    display_name: Annotated[str, described("The name other participants will see.", "Camille")]
    organisation: str = ""


class KindsUpdate(Input):
    labels: Annotated[dict[str, str], described("New label per kind code.", {"acquis": "Acquis à développer"})]


class InvitationRead(Struct):
    token: str
    url: Annotated[str, described("The link to share; it works until the invitation is rotated.")]
    code: Annotated[str, described("The short code of the invitation (any letter case), rotated with it.")]
    short_url: Annotated[str, described("The short link /j/CODE, for a projector or a poster.")]


class ParticipantRead(Struct):
    id: int
    display_name: str
    organisation: str
    role: str
    created_at: dt.datetime
    account_id: Annotated[int | None, described("Set for facilitators who sign in with an account.")]


class RoleUpdate(Input):
    role: Annotated[str, described("participant, facilitator or observer.", "observer")]
