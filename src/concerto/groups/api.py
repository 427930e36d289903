"""JSON API for working groups: settings, phases and vote budget."""

from litestar import Controller, get, patch, post
from litestar.params import JSONBody

from concerto.groups import services as groups
from concerto.groups.schemas import GroupCreate, GroupRead, GroupSummary, GroupUpdate
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id
from concerto.web.schemas import given, read


class GroupApi(Controller):
    path = "/consultations/{slug:str}/groups"
    tags = ["groups"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/", summary="List the working groups")
    async def list_groups(self, consultation: CurrentConsultation, actor: CurrentActor) -> list[GroupSummary]:
        """With their published contributions per kind and their votes."""
        return [read(row, GroupSummary) for row in await groups.overview(consultation["id"])]

    @post("/", summary="Add a working group")
    async def create_group(
        self, consultation: CurrentConsultation, actor: CurrentActor, data: JSONBody[GroupCreate]
    ) -> GroupRead:
        """Facilitators only."""
        return read(await groups.create(consultation, actor, given(data)), GroupRead)

    @get("/{group_id:int}", summary="Read a working group")
    async def read_group(self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id) -> GroupRead:
        return read(await groups.get(consultation["id"], group_id), GroupRead)

    @patch("/{group_id:int}", summary="Change a working group, its phases or its vote budget")
    async def update_group(
        self, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, data: JSONBody[GroupUpdate]
    ) -> GroupRead:
        """Facilitators only; send just the fields to change (e.g. {"voting_open": false})."""
        return read(await groups.update(consultation, actor, group_id, given(data)), GroupRead)
