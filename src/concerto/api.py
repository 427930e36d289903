"""The JSON API (``/api/v1``): each domain contributes its handlers here."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from concerto.accounts.api import AccountsApi, SessionApi
from concerto.board.api import BoardApi, SuggestionApi
from concerto.comments.api import CommentApi
from concerto.consultations.api import ConsultationApi, ConsultationMembersApi, MeetingApi
from concerto.contributions.api import ContributionApi
from concerto.contributions.import_api import ImportApi
from concerto.groups.api import GroupApi
from concerto.live.api import LiveApi
from concerto.restitution.api import RestitutionApi
from concerto.votes.api import VoteApi
from concerto.web.schemas import PROBLEM_STATUSES, Problem

API_HANDLERS: list = [
    SessionApi,
    AccountsApi,
    ConsultationApi,
    ConsultationMembersApi,
    MeetingApi,
    GroupApi,
    LiveApi,
    ContributionApi,
    ImportApi,
    VoteApi,
    CommentApi,
    BoardApi,
    SuggestionApi,
    RestitutionApi,
]


def _document_problems(controllers: list) -> None:
    """Every operation's error answers in the schema: problem details, not Litestar's default body."""
    problems = {
        status: ResponseSpec(data_container=Problem, description=text, media_type="application/problem+json", generate_examples=False)
        for status, text in PROBLEM_STATUSES.items()
    }
    for controller in controllers:
        for handler in vars(controller).values():
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**problems, **(handler.responses or {})}


_document_problems(API_HANDLERS)
