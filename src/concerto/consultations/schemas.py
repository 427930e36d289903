"""API schemas for consultations: settings, kinds, invitation, people and calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import UNSET, Struct, UnsetType

from concerto.groups.schemas import GroupSummary
from concerto.web.schemas import Input, described

Status = Annotated[str, described("draft (facilitators only), open or closed.", "open")]
Slug = Annotated[str, described("The consultation's address: lowercase letters, digits and hyphens.", "ess-2026")]
MeetingKind = Annotated[
    str,
    described(
        "A built-in kind: rencontre, atelier, comite, restitution, webinaire, seminaire or reunion-publique "
        "(its label in French or English is understood too), or your own words, up to 60 characters.",
        "atelier",
        "comité métropolitain",
    ),
]
MeetingDate = Annotated[str | None, described("ISO date; may be empty for a future step described by when.", "2026-10-14")]
MeetingEndDate = Annotated[str | None, described("ISO date, for an entry of several days; on or after date.", "2026-10-16")]
MeetingWhen = Annotated[
    str,
    described(
        "When, in words (up to 60 characters), for a future step without a precise date; shown instead of the date. "
        "A date or when is required.",
        "mars-avril 2027",
    ),
]
ShowOrganisations = Annotated[
    bool,
    described(
        "Whether participants' organisations are shown next to their names (pages, API, live updates, wall, "
        "restitution); off by default: then only facilitators see them, in the participants' list."
    ),
]


class ConsultationCreate(Input):
    title: str
    summary: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    show_organisations: ShowOrganisations | UnsetType = UNSET


class ConsultationUpdate(Input):
    title: str | UnsetType = UNSET
    summary: Annotated[str, described("Markdown.")] | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    show_organisations: ShowOrganisations | UnsetType = UNSET


class ConsultationRead(Struct):
    id: int
    slug: str
    title: str
    summary: str
    status: str
    created_at: dt.datetime
    show_organisations: ShowOrganisations


class KindRead(Struct):
    code: Annotated[str, described("acquis (achievements) or enjeu (new challenges).")]
    label: str


class MeetingCreate(Input):
    title: str
    date: MeetingDate | UnsetType = UNSET
    end_date: MeetingEndDate | UnsetType = UNSET
    when: MeetingWhen | UnsetType = UNSET
    kind: MeetingKind | UnsetType = UNSET
    place: str | UnsetType = UNSET
    attendance: int | None | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class MeetingUpdate(Input):
    title: str | UnsetType = UNSET
    date: MeetingDate | UnsetType = UNSET
    end_date: MeetingEndDate | UnsetType = UNSET
    when: MeetingWhen | UnsetType = UNSET
    kind: MeetingKind | UnsetType = UNSET
    place: str | UnsetType = UNSET
    attendance: int | None | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class MeetingRead(Struct):
    id: int
    title: str
    kind: Annotated[str, described("A built-in code, or the facilitators' own words.")]
    kind_label: Annotated[str, described("The kind in the reader's language (the facilitators' words as they typed them).")]
    date: dt.date | None
    end_date: dt.date | None
    when: str
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
    display_name: Annotated[str, described("Empty for an anonymised participant.")]
    organisation: str
    role: str
    created_at: dt.datetime
    account_id: Annotated[int | None, described("Set for facilitators who sign in with an account.")]
    anonymised_at: Annotated[
        dt.datetime | None, described("When the name and organisation were wiped (nobody takes part under this place any more).")
    ] = None


class RoleUpdate(Input):
    role: Annotated[str, described("participant, facilitator or observer.", "observer")]


# -- a participant's personal data (see consultations.personal_data) --------------------------


class GroupRef(Struct):
    id: int
    title: str


class ContributionRef(Struct):
    id: int
    title: Annotated[str | None, described("None for someone else's contribution that is hidden or withdrawn.")]


class ConsultationRef(Struct):
    slug: str
    title: str


class PersonalParticipant(Struct):
    display_name: str
    organisation: str
    organisation_shown: Annotated[bool, described("Whether the consultation shows organisations next to names.")]
    role: str
    joined_at: dt.datetime
    personal_link: Annotated[bool, described("Whether a personal return link exists (its secret is not repeated here).")]
    facilitator_account: Annotated[bool, described("Whether this place belongs to a facilitator account (its e-mail is not repeated here).")]


class PersonalContribution(Struct):
    id: int
    group: GroupRef
    kind: str
    title: str
    body: str
    status: Annotated[str, described("published, hidden (by facilitators) or withdrawn (by you).")]
    theme: Annotated[str | None, described("The board's theme it is in, if any.")]
    grouped_with: Annotated[int | None, described("The contribution it was grouped with as a duplicate, if any.")]
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonalComment(Struct):
    id: int
    contribution: ContributionRef
    reply_to: int | None
    body: str
    status: str
    highlighted: Annotated[bool, described("Chosen by facilitators for the restitution.")]
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonalVote(Struct):
    contribution: ContributionRef
    group: GroupRef
    created_at: dt.datetime


class PersonalBoardAction(Struct):
    id: int
    group: GroupRef
    kind: str
    undone: bool
    created_at: dt.datetime


class PersonalPhaseChange(Struct):
    group: Annotated[GroupRef | None, described("None for a change of every group.")]
    phase: str
    open: bool
    at: dt.datetime
    done_at: dt.datetime | None


class PersonalVersion(Struct):
    number: int
    published_at: dt.datetime


class RequestKeys(Struct):
    count: int
    about: str


class PersonalData(Struct):
    format: Annotated[str, described("Always concerto-personal-data.")]
    version: int
    generated_at: dt.datetime
    about: str
    consultation: ConsultationRef
    participant: PersonalParticipant
    contributions: Annotated[list[PersonalContribution], described("Everything you wrote, withdrawn and hidden ones included.")]
    comments: list[PersonalComment]
    votes: list[PersonalVote]
    board_actions: Annotated[list[PersonalBoardAction], described("What you did on the boards, as a facilitator.")]
    phase_changes: Annotated[list[PersonalPhaseChange], described("Phase changes you scheduled, as a facilitator.")]
    restitution_versions: Annotated[list[PersonalVersion], described("Restitution versions you published.")]
    request_keys: Annotated[RequestKeys, described("Idempotency keys of your writes: how many, not their values.")]


class ErasureCreate(Input):
    contributions: Annotated[
        str,
        described(
            "anonymise: your contributions and comments stay, shown as « Participant·e anonyme »; "
            "remove: they are deleted, with the comments others wrote under your contributions. "
            "Your votes are removed either way.",
            "anonymise",
        ),
    ]


class ErasureRead(Struct):
    contributions: Annotated[str, described("anonymised or removed.")]
    removed_contributions: int
    removed_comments: int
    anonymous_contributions: int
    anonymous_comments: Annotated[int, described("With remove: your comments others replied to, kept empty and hidden so the replies keep their place.")]
    removed_votes: int
