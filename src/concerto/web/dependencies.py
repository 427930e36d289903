"""Dependencies every consultation-scoped handler (page or API) receives."""

from __future__ import annotations

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from concerto.accounts.services import Actor, resolve_actor
from concerto.consultations import services as consultations
from concerto.web import session


async def provide_consultation(slug: FromPath[str]) -> dict:
    return await consultations.get_by_slug(slug)


async def provide_actor(request: Request, consultation: NamedDependency[dict]) -> Actor:
    actor = await resolve_actor(
        consultation["id"],
        account_id=session.account_id(request),
        participant_id=session.participant_id(request, consultation["id"]),
    )
    consultations.require_visible(consultation, actor)
    return actor


# Handler annotations: ``consultation: CurrentConsultation, actor: CurrentActor``.
CurrentConsultation = NamedDependency[dict]
CurrentActor = NamedDependency[Actor]

CONSULTATION_DEPENDENCIES = {
    "consultation": Provide(provide_consultation),
    "actor": Provide(provide_actor),
}
