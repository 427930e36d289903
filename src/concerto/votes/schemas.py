"""API schema for votes (the contract static/concerto.js relies on)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Struct

from concerto.web.schemas import described


class VoteSummary(Struct):
    votes: Annotated[int, described("Supporters of the contribution.")]
    voted: Annotated[bool, described("Whether the reader supports it.")]
    budget: Annotated[int, described("Votes per participant in the group; 0 means no overall limit.")]
    used: Annotated[int, described("The reader's votes that count in the group.")]
    remaining: Annotated[int | None, described("Votes left; null when the budget is unlimited.")]


class VoteRead(VoteSummary):
    contribution_id: int
    votes_label: Annotated[str, described("The word shown after the count, e.g. soutiens.", "soutiens")]
    remaining_label: Annotated[str | None, described("The budget sentence the group page shows; null when unlimited.")]
    message: Annotated[str, described("What to announce to the reader.")]
