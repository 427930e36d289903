"""JSON API for consultations: settings, joining, kinds, invitation, people and calendar."""

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody

from concerto.accounts.schemas import ActorRead
from concerto.accounts.services import Actor, resolve_actor
from concerto.consultations import personal_data
from concerto.consultations import services as consultations
from concerto.consultations.schemas import (
    ConsultationCreate,
    ConsultationDetail,
    ConsultationRead,
    ConsultationUpdate,
    ErasureCreate,
    ErasureRead,
    InvitationRead,
    JoinCreate,
    KindRead,
    KindsUpdate,
    MeetingCreate,
    MeetingRead,
    MeetingUpdate,
    ParticipantRead,
    PersonalData,
    RoleUpdate,
)
from concerto.groups import services as groups
from concerto.labels import meeting_kind_label
from concerto.live.wall import join_links
from concerto.web import session
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id
from concerto.web.schemas import given, read


def _participant(row: dict) -> ParticipantRead:
    return ParticipantRead(
        id=row["id"],
        display_name=row["display_name"],
        organisation=row["organisation"],
        role=row["role"],
        created_at=row["created_at"],
        account_id=row["account"],
        anonymised_at=row["anonymised_at"],
    )


def _with_kind_label(row: dict) -> dict:
    return {**row, "kind_label": meeting_kind_label(row["kind"])}


def _meeting(row: dict) -> MeetingRead:
    return read(_with_kind_label(row), MeetingRead)


def _actor(actor: Actor) -> ActorRead:
    return ActorRead(role=actor.role, participant_id=actor.participant_id, display_name=actor.display_name)


async def _invitation(request: Request, consultation: dict, actor: Actor) -> InvitationRead:
    links = await join_links(request, consultation, actor)
    token = links["invite_url"].rsplit("/", 1)[-1]
    return InvitationRead(token=token, url=links["invite_url"], code=links["join_code"], short_url=links["short_url"])


class ConsultationApi(Controller):
    path = "/consultations"
    tags = ["consultations"]

    @get("/", summary="List the consultations you may see")
    async def list_consultations(self, request: Request) -> list[ConsultationRead]:
        """Open and closed consultations, plus the drafts you facilitate."""
        rows = await consultations.list_visible(session.account_id(request))
        return [read(row, ConsultationRead) for row in rows]

    @post("/", summary="Create a consultation")
    async def create_consultation(self, request: Request, data: JSONBody[ConsultationCreate]) -> ConsultationRead:
        """For signed-in facilitators; the creator facilitates it, with the two default kinds."""
        row = await consultations.create(session.account_id(request) or 0, given(data))
        return read(row, ConsultationRead)

    @get("/{slug:str}", summary="Read a consultation", dependencies=CONSULTATION_DEPENDENCIES)
    async def read_consultation(self, consultation: CurrentConsultation, actor: CurrentActor) -> ConsultationDetail:
        """With its kinds of contribution, working groups (with counts) and meetings."""
        return read(
            {
                **consultation,
                "kinds": await consultations.kinds(consultation["id"]),
                "groups": await groups.overview(consultation["id"]),
                "meetings": [_with_kind_label(row) for row in await consultations.meetings(consultation["id"])],
            },
            ConsultationDetail,
        )

    @patch("/{slug:str}", summary="Change a consultation's settings", dependencies=CONSULTATION_DEPENDENCIES)
    async def update_consultation(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[ConsultationUpdate]
    ) -> ConsultationRead:
        """Facilitators only; send just the fields to change."""
        return read(await consultations.update(consultation, actor, given(data)), ConsultationRead)


class ConsultationMembersApi(Controller):
    path = "/consultations/{slug:str}"
    tags = ["consultations"]
    dependencies = CONSULTATION_DEPENDENCIES

    @post("/join", summary="Join with the invitation token")
    async def join(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[JoinCreate]
    ) -> ActorRead:
        """Creates a participant and remembers it in this browser's session."""
        participant_id = await consultations.join(consultation, actor, data.token, data.display_name, data.organisation)
        session.remember_participant(request, consultation["id"], participant_id)
        return _actor(await resolve_actor(consultation["id"], account_id=None, participant_id=participant_id))

    @get("/me", summary="Who you are in this consultation")
    async def me(self, actor: CurrentActor) -> ActorRead:
        return _actor(actor)

    @get("/me/data", summary="Download your personal data")
    async def my_data(self, consultation: CurrentConsultation, actor: CurrentActor) -> PersonalData:
        """Everything stored about you in this consultation (and nothing about anyone else)."""
        return read(await personal_data.my_data(consultation, actor), PersonalData)

    @post("/me/erase", status_code=200, summary="Erase your personal data")
    async def erase(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[ErasureCreate]
    ) -> ErasureRead:
        """Your name and organisation are wiped and your votes removed; your contributions and comments stay
        anonymously or are removed, as you choose. Afterwards nobody takes part under your place: this session
        and your personal return link no longer work. Not for facilitators."""
        done = await personal_data.erase(consultation, actor, data.contributions)
        session.forget_participant(request, consultation["id"])
        return read(done, ErasureRead)

    @patch("/kinds", summary="Rename the kinds of contribution")
    async def rename_kinds(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[KindsUpdate]
    ) -> list[KindRead]:
        """Facilitators only; the codes (acquis, enjeu) stay."""
        rows = await consultations.rename_kinds(consultation, actor, data.labels)
        return [read(row, KindRead) for row in rows]

    @get("/invitation", summary="Read the invitation link")
    async def invitation(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor
    ) -> InvitationRead:
        """Facilitators only."""
        return await _invitation(request, consultation, actor)

    @post("/invitation/rotate", status_code=200, summary="Replace the invitation link")
    async def rotate_invitation(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor
    ) -> InvitationRead:
        """Facilitators only; the previous link and short code stop working, people who joined stay."""
        await consultations.rotate_invite(consultation, actor)
        return await _invitation(request, consultation, actor)

    @get("/participants", summary="List the participants")
    async def participants(self, consultation: CurrentConsultation, actor: CurrentActor) -> list[ParticipantRead]:
        """Facilitators only."""
        return [_participant(row) for row in await consultations.participants(consultation["id"], actor)]

    @patch("/participants/{participant_id:int}", summary="Change a participant's role")
    async def set_role(
        self, consultation: CurrentConsultation, actor: CurrentActor, participant_id: Id, data: JSONBody[RoleUpdate]
    ) -> ParticipantRead:
        """Facilitators only."""
        await consultations.set_role(consultation, actor, participant_id, data.role)
        return _participant(await consultations.participant(consultation["id"], actor, participant_id))

    @post("/participants/{participant_id:int}/anonymise", status_code=200, summary="Anonymise a participant")
    async def anonymise(self, consultation: CurrentConsultation, actor: CurrentActor, participant_id: Id) -> ParticipantRead:
        """Facilitators only. Name and organisation are wiped; contributions, comments and votes stay, shown as
        anonymous. The anonymous place has a new id (the old one no longer exists, so nobody takes part under it any
        more). Facilitators and places of facilitator accounts cannot be anonymised."""
        anonymous_id = await personal_data.anonymise(consultation, actor, participant_id)
        return _participant(await consultations.participant(consultation["id"], actor, anonymous_id))


class MeetingApi(Controller):
    path = "/consultations/{slug:str}/meetings"
    tags = ["meetings"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/", summary="List the meetings")
    async def list_meetings(self, consultation: CurrentConsultation, actor: CurrentActor) -> list[MeetingRead]:
        return [_meeting(row) for row in await consultations.meetings(consultation["id"])]

    @post("/", summary="Add a meeting to the calendar")
    async def create_meeting(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[MeetingCreate]
    ) -> MeetingRead:
        """Facilitators only."""
        meeting_id = await consultations.add_meeting(consultation, actor, given(data))
        return _meeting(await consultations.meeting(consultation["id"], meeting_id))

    @patch("/{meeting_id:int}", summary="Change a meeting")
    async def update_meeting(
        self, consultation: CurrentConsultation, actor: CurrentActor, meeting_id: Id, data: JSONBody[MeetingUpdate]
    ) -> MeetingRead:
        """Facilitators only; send just the fields to change."""
        await consultations.update_meeting(consultation, actor, meeting_id, given(data))
        return _meeting(await consultations.meeting(consultation["id"], meeting_id))

    @delete("/{meeting_id:int}", summary="Remove a meeting from the calendar")
    async def delete_meeting(self, consultation: CurrentConsultation, actor: CurrentActor, meeting_id: Id) -> None:
        """Facilitators only."""
        await consultations.delete_meeting(consultation, actor, meeting_id)
