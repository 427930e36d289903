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


def meeting_kind_label(code: str) -> str:
    return label("meeting", code)
