"""JSON API for votes: the endpoint concerto.js calls from every vote button."""

from litestar import Controller, delete, put

from concerto.errors import N_
from concerto.i18n import gettext, ngettext
from concerto.votes import services as votes
from concerto.votes.schemas import VoteRead
from concerto.votes.services import VoteState
from concerto.web.dependencies import CONSULTATION_DEPENDENCIES, CurrentActor
from concerto.web.params import Id, IdempotencyKey


def _vote_read(state: VoteState, message: str) -> VoteRead:
    """The new state with the words the page shows next to it (as templates/groups/page.html does)."""
    remaining = state.remaining
    return VoteRead(
        contribution_id=state.contribution_id,
        votes=state.votes,
        voted=state.voted,
        budget=state.budget,
        used=state.used,
        remaining=remaining,
        votes_label=ngettext("supporter", "supporters", state.votes),
        remaining_label=None
        if remaining is None
        else ngettext(
            "You have %(num)s vote left out of %(budget)s in this group.",
            "You have %(num)s votes left out of %(budget)s in this group.",
            remaining,
            budget=state.budget,
        ),
        message=gettext(message),
    )


class VoteApi(Controller):
    path = "/consultations/{slug:str}/contributions/{contribution_id:int}/vote"
    tags = ["votes"]
    dependencies = CONSULTATION_DEPENDENCIES

    @put("/", summary="Support a contribution")
    async def cast_vote(self, actor: CurrentActor, contribution_id: Id, idempotency_key: IdempotencyKey = None) -> VoteRead:
        """Idempotent; refused once your budget in the group is spent or voting is closed."""
        return _vote_read(await votes.cast(actor, contribution_id, key=idempotency_key), N_("Your vote is counted."))

    @delete("/", status_code=200, summary="Withdraw your vote")
    async def withdraw_vote(self, actor: CurrentActor, contribution_id: Id, idempotency_key: IdempotencyKey = None) -> VoteRead:
        """Idempotent; only while voting is open."""
        return _vote_read(await votes.withdraw(actor, contribution_id, key=idempotency_key), N_("Your vote is withdrawn."))
