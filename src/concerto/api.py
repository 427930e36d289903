"""The JSON API (``/api/v1``): each domain contributes its handlers here."""

from __future__ import annotations

from concerto.accounts.api import SessionApi
from concerto.board.api import BoardApi, SuggestionApi
from concerto.comments.api import CommentApi
from concerto.consultations.api import ConsultationApi, ConsultationMembersApi, MeetingApi
from concerto.contributions.api import ContributionApi
from concerto.groups.api import GroupApi
from concerto.votes.api import VoteApi

API_HANDLERS: list = [
    SessionApi,
    ConsultationApi,
    ConsultationMembersApi,
    MeetingApi,
    GroupApi,
    ContributionApi,
    VoteApi,
    CommentApi,
    BoardApi,
    SuggestionApi,
]
