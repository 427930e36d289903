"""The group page: both kinds side by side, votes, and the contribution form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.live.state import read_state
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import render
from concerto.web.params import Id, Query


async def group_page_context(
    consultation: CurrentConsultation, actor: CurrentActor, group_id: int, *, sort: Any = "votes", page: Any = 1, per_page: Any = 50
) -> dict[str, Any]:
    """Everything the group template needs (also used by the benchmark's ceiling route)."""
    group = await groups.get(consultation["id"], group_id)
    kinds = await consultations.kinds(consultation["id"])
    listing = await contributions.list_group(actor, group, kinds, sort=sort, page=page, per_page=per_page)
    return {
        "consultation": consultation,
        "actor": actor,
        "group": group,
        "kinds": kinds,
        "listing": listing,
        "live": await read_state(group_id),
    }


class GroupPages(Controller):
    path = "/c/{slug:str}/g"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    @get("/{group_id:int}", name="group")
    async def group_page(
        self,
        request: Request,
        consultation: CurrentConsultation,
        actor: CurrentActor,
        group_id: Id,
        sort: Query = "votes",
        page: Query = "1",
        per_page: Query = "50",
    ) -> Template:
        context = await group_page_context(consultation, actor, group_id, sort=sort, page=page, per_page=per_page)
        return render(request, "groups/page.html", form={}, **context)
