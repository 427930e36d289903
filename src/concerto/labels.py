"""Words for stored codes (roles, statuses, meeting kinds), translated when shown."""

from __future__ import annotations

from concerto.errors import N_
from concerto.i18n import gettext

_LABELS = {
    "role": {
        "participant": N_("participant"),
        "facilitator": N_("facilitator"),
        "observer": N_("observer"),
        "visitor": N_("visitor"),
    },
    "status": {
        "draft": N_("draft"),
        "open": N_("open"),
        "closed": N_("closed"),
        "published": N_("published"),
        "hidden": N_("hidden by the facilitators"),
        "withdrawn": N_("withdrawn by its author"),
    },
    # Comments are masculine in French, contributions feminine: separate words.
    "comment_status": {
        "published": N_("published"),
        "hidden": N_("comment hidden by the facilitators"),
    },
    "meeting": {
        "rencontre": N_("meeting"),
        "atelier": N_("workshop"),
        "comite": N_("committee"),
    },
}


def label(family: str, code: str) -> str:
    return gettext(_LABELS[family].get(code, code))


def role_label(code: str) -> str:
    return label("role", code)


def status_label(code: str) -> str:
    return label("status", code)


def comment_status_label(code: str) -> str:
    return label("comment_status", code)


def meeting_kind_label(code: str) -> str:
    return label("meeting", code)


# An anonymised participant keeps no name (see consultations.personal_data): readers see this instead.
ANONYMOUS = N_("Anonymous participant")


def author_label(name: str | None, organisation: str | None = None) -> str:
    """How an author is shown: their name (with their organisation when the consultation shows them), or « anonymous »."""
    if not name:
        return gettext(ANONYMOUS)
    return f"{name} ({organisation})" if organisation else name


def meeting_kind_options() -> list[tuple[str, str]]:
    """(code, label) pairs for a select of meeting kinds."""
    from concerto.consultations.services import MEETING_KINDS

    return [(code, meeting_kind_label(code)) for code in MEETING_KINDS]


def consultation_status_options() -> list[tuple[str, str]]:
    from concerto.consultations.services import STATUSES

    return [(code, status_label(code)) for code in STATUSES]


# Form fields named in error summaries ("Title: this field is required").
_FIELDS = {
    "title": N_("Title"),
    "body": N_("Text"),
    "kind": N_("Kind of contribution"),
    "display_name": N_("Your name"),
    "organisation": N_("Organisation"),
    "email": N_("E-mail address"),
    "password": N_("Password"),
    "current_password": N_("Current password"),
    "new_password": N_("New password"),
    "slug": N_("Address"),
    "summary": N_("Presentation"),
    "status": N_("Status"),
    "description": N_("Description"),
    "vote_budget": N_("Votes per participant"),
    "position": N_("Position"),
    "date": N_("Date"),
    "place": N_("Place"),
    "attendance": N_("Attendance"),
    "notes": N_("Notes"),
    "role": N_("Role"),
    "parent_id": N_("Reply"),
    "label_acquis": N_("Label for achievements"),
    "label_enjeu": N_("Label for new challenges"),
    "contributions": N_("Your contributions and comments"),
    "show_organisations": N_("Show organisations"),
}


def field_label(name: str) -> str:
    return gettext(_FIELDS[name]) if name in _FIELDS else name
