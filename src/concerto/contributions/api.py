"""JSON API for contributions: a group's listing, proposing, editing, withdrawing, moderating."""

from typing import Annotated

import msgspec

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from concerto.consultations import services as consultations
from concerto.consultations.schemas import KindRead
from concerto.contributions import services as contributions
from concerto.contributions.schemas import (
    ContributionColumn,
    ContributionCreate,
    ContributionDetail,
    ContributionItem,
    ContributionListing,
    ContributionModeration,
    ContributionRead,
    ContributionSection,
    ContributionUpdate,
    ThemeSummary,
)
from concerto.groups import services as groups
from concerto.labels import author_label
from concerto.votes import services as votes
from concerto.votes.schemas import VoteSummary
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.params import Id, IdempotencyKey
from concerto.web.schemas import given, read

Sort = Annotated[str, QueryParameter(description="votes (most supported first) or newest.", max_length=20)]
Page = Annotated[int, QueryParameter(description="Page of each column, from 1.")]
PerPage = Annotated[int, QueryParameter(description="50, 100 or 200 contributions per column.")]


def _fields(row: dict) -> dict:
    """A contribution from ``contributions.get`` under the API's field names."""
    return {
        "id": row["id"],
        "group_id": row["working_group"],
        "kind": row["kind"],
        "kind_label": row["kind_label"],
        "author_id": row["author"],
        "author_name": author_label(row["author_name"]),
        "author_organisation": row["author_organisation"],
        "title": row["title"],
        "body": row["body"],
        "body_html": row["body_html"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _contribution(row: dict) -> ContributionRead:
    return ContributionRead(**_fields(row))


def _item(row: dict, organisations: bool) -> ContributionItem:
    """A listed contribution, with the ones grouped with it (duplicates) nested.

    ``organisations``: whether the consultation shows them (the listing always reads them).
    """
    return read(
        {
            **row,
            "author_id": row["author"],
            "author_name": author_label(row["author_name"]),
            "author_organisation": row["author_organisation"] if organisations else "",
            "support": row.get("support", row["votes"]),
            "duplicates": [msgspec.to_builtins(_item(duplicate, organisations)) for duplicate in row.get("duplicates", [])],
        },
        ContributionItem,
    )


def _columns(columns: list, organisations: bool) -> list[ContributionColumn]:
    return [
        ContributionColumn(kind=read(column.kind, KindRead), total=column.total, items=[_item(row, organisations) for row in column.items])
        for column in columns
    ]


class ContributionApi(Controller):
    path = "/consultations/{slug:str}"
    tags = ["contributions"]
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/groups/{group_id:int}/contributions", summary="List a group's contributions, one column per kind")
    async def list_contributions(
        self,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        group_id: Id,
        sort: Sort = "votes",
        page: Page = 1,
        per_page: PerPage = contributions.DEFAULT_PER_PAGE,
    ) -> ContributionListing:
        """One page of each column, with the reader's votes in the group."""
        group = await groups.get(consultation["id"], group_id)
        kinds = await consultations.kinds(consultation["id"])
        listing = await contributions.list_group(
            actor, group, kinds, sort=sort, page=page, per_page=per_page, detailed=True
        )
        return ContributionListing(
            sort=listing.sort,
            page=listing.page,
            per_page=listing.per_page,
            pages=listing.pages,
            columns=_columns(listing.columns, consultation["show_organisations"]),
            my_votes=sorted(listing.my_votes),
            votes_used=listing.votes_used,
            sections=[
                ContributionSection(
                    theme=read(section.theme, ThemeSummary) if section.theme else None,
                    columns=_columns(section.columns, consultation["show_organisations"]),
                )
                for section in listing.sections
            ],
        )

    @post("/groups/{group_id:int}/contributions", summary="Propose a contribution")
    async def create_contribution(
        self,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        group_id: Id,
        data: JSONBody[ContributionCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> ContributionRead:
        """Participants and facilitators, while contributions are open in the group.

        Send an ``Idempotency-Key`` header to retry safely: the same key gives the same contribution.
        """
        group = await groups.get(consultation["id"], group_id)
        contribution_id = await contributions.create(actor, group, given(data), key=idempotency_key)
        return _contribution(await contributions.get(consultation["id"], contribution_id, actor))

    @get("/contributions/{contribution_id:int}", summary="Read a contribution")
    async def read_contribution(
        self, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id
    ) -> ContributionDetail:
        """With its votes as the reader sees them."""
        row = await contributions.get(consultation["id"], contribution_id, actor)
        group = await groups.get(consultation["id"], row["working_group"])
        state = await votes.state(actor, contribution_id, group)
        summary = VoteSummary(state.votes, state.voted, state.budget, state.used, state.remaining)
        return ContributionDetail(**_fields(row), vote=summary)

    @patch("/contributions/{contribution_id:int}", summary="Edit your contribution")
    async def update_contribution(
        self,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        contribution_id: Id,
        data: JSONBody[ContributionUpdate],
    ) -> ContributionRead:
        """Its author only, while contributions are open; send just the fields to change."""
        await contributions.update(actor, contribution_id, given(data))
        return _contribution(await contributions.get(consultation["id"], contribution_id, actor))

    @post("/contributions/{contribution_id:int}/withdraw", status_code=200, summary="Withdraw your contribution")
    async def withdraw_contribution(
        self, consultation: CurrentConsultation, actor: CurrentActor, contribution_id: Id
    ) -> ContributionRead:
        """Its author only; its votes stop counting."""
        await contributions.withdraw(actor, contribution_id)
        return _contribution(await contributions.get(consultation["id"], contribution_id, actor))

    @post("/contributions/{contribution_id:int}/moderation", status_code=200, summary="Hide or restore a contribution")
    async def moderate_contribution(
        self,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        contribution_id: Id,
        data: JSONBody[ContributionModeration],
    ) -> ContributionRead:
        """Facilitators only."""
        await contributions.moderate(actor, contribution_id, data.action)
        return _contribution(await contributions.get(consultation["id"], contribution_id, actor))
