"""The projection wall (a group's, or the whole consultation's), the printable poster and the short join link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from concerto.accounts.services import Actor
from concerto.consultations import services as consultations
from concerto.errors import N_, NotFound
from concerto.groups import services as groups
from concerto.live import services as live
from concerto.live.qr import qr_svg
from concerto.live.state import read_state
from concerto.tables import Contribution
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor, CurrentConsultation
from concerto.web.pages import redirect, render
from concerto.web.params import Id, Query, Token

# A projector shows this many of the newest contributions of each kind.
WALL_LIMIT = 40
_WALL_SQL = """
SELECT c.id, c.title, c.kind, c.working_group AS "group", p.display_name AS author_name,
       CASE WHEN s.show_organisations THEN p.organisation ELSE '' END AS author_organisation,
       (SELECT COUNT(*) FROM vote v WHERE v.contribution = c.id) AS votes
FROM contribution c JOIN participant p ON p.id = c.author JOIN consultation s ON s.id = c.consultation
WHERE c.consultation = {} AND c.status = 'published' AND c.duplicate_of IS NULL %(group)s
ORDER BY %(order)s
"""


def base_url(request: Request) -> str:
    return request.app.state.settings.base_url or str(request.base_url).rstrip("/")


async def join_links(request: Request, consultation: dict, actor: Actor) -> dict[str, Any]:
    """The invitation: its full link, its short form (/j/CODE) and the short form's QR code."""
    invitation = await consultations.invitation(consultation["id"], actor)
    base = base_url(request)
    short = f"{base}/j/{invitation['code']}"
    from concerto.i18n import gettext

    return {
        "invite_url": f"{base}/c/{consultation['slug']}/join/{invitation['token']}",
        "short_url": short,
        "short_display": short.split("://", 1)[-1],
        "join_code": invitation["code"],
        "join_qr": qr_svg(short, gettext("QR code to join the consultation: %(url)s", url=short)),
    }


async def wall_columns(consultation_id: int, group_id: int | None, *, by_votes: bool) -> list[dict[str, Any]]:
    """The kinds with their newest published contributions (grouped duplicates stay under their root)."""
    kinds = await consultations.kinds(consultation_id)
    sql = _WALL_SQL % {
        "group": "AND c.working_group = {}" if group_id else "",
        "order": "votes DESC, c.id DESC" if by_votes else "c.id DESC",
    }
    rows = await Contribution.raw(sql, consultation_id, *([group_id] if group_id else []))
    return [
        {"kind": kind, "items": [row for row in rows if row["kind"] == kind["id"]][:WALL_LIMIT], "total": sum(row["kind"] == kind["id"] for row in rows)}
        for kind in kinds
    ]


async def _live(consultation_id: int, group: dict | None) -> dict[str, Any]:
    """A group's wall shows its phases and countdown; the consultation's wall, the countdown of the
    groups' step (the one ending soonest when they differ), kept live from every group's events."""
    if group is not None:
        return {"live": await read_state(group["id"]), "live_groups": None}
    _steps, every_group = await live.overview(consultation_id)  # every group's state in one query
    states = [{key: value for key, value in state.items() if key != "title"} for state in every_group]
    return {"live": representative(states), "live_groups": states}


def representative(states: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The state a consultation-wide wall shows: the running countdown that ends soonest, else a
    group in a step, else the first group. (concerto-live.js makes the same choice live.)"""
    if not states:
        return None
    timed = [state for state in states if state["timer_ends_at"]]
    if timed:
        return min(timed, key=lambda state: state["timer_ends_at"])
    return next((state for state in states if state["step"]), states[0])


class WallPages(Controller):
    path = "/c/{slug:str}"
    include_in_schema = False
    dependencies = CONSULTATION_DEPENDENCIES

    async def _wall(self, request: Request, consultation: dict, actor: Actor, group: dict | None, votes: str, authors: str) -> Template:
        actor.require_facilitator()
        by_votes = votes == "1"
        all_groups = await groups.list_for(consultation["id"])
        context = {
            "consultation": consultation,
            "actor": actor,
            "group": group,
            "columns": await wall_columns(consultation["id"], group["id"] if group else None, by_votes=by_votes),
            "show_votes": by_votes,
            "show_authors": authors != "0",
            "group_titles": {str(g["id"]): g["title"] for g in all_groups},
            **(await _live(consultation["id"], group)),
            **await join_links(request, consultation, actor),
        }
        return render(request, "live/wall.html", **context)

    @get("/g/{group_id:int}/wall", name="group-wall")
    async def group_wall(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, group_id: Id, votes: Query = "", authors: Query = ""
    ) -> Template:
        """A group's contributions arriving live in the two kinds' columns, for a projector."""
        group = await groups.get(consultation["id"], group_id)
        return await self._wall(request, consultation, actor, group, votes, authors)

    @get("/wall", name="consultation-wall")
    async def consultation_wall(
        self, request: Request, consultation: CurrentConsultation, actor: CurrentActor, votes: Query = "", authors: Query = ""
    ) -> Template:
        """Every group's contributions on one wall, each card naming its group."""
        return await self._wall(request, consultation, actor, None, votes, authors)

    @get("/facilitation/poster", name="join-poster")
    async def poster(self, request: Request, consultation: CurrentConsultation, actor: CurrentActor) -> Template:
        """An A4 page to print and pin on the workshop's door: the QR code and the short link."""
        actor.require_facilitator()
        return render(request, "live/poster.html", consultation=consultation, actor=actor, **await join_links(request, consultation, actor))


class JoinShortcut(Controller):
    path = "/j"
    include_in_schema = False

    @get("/{code:str}", name="join-short")
    async def follow(self, code: Token) -> Redirect:
        """The short invitation typed from a projector or a poster (any letter case)."""
        found = await consultations.by_join_code(code)
        if found is None:
            raise NotFound(N_("This invitation code is not valid (it may have been replaced). Ask the facilitators for the current one."))
        return redirect(f"/c/{found['slug']}/join/{found['invite_token']}")
