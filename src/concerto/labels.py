"""Words for stored codes (roles, statuses, meeting kinds), translated when shown."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from babel.dates import format_date, format_skeleton

from concerto.errors import N_
from concerto.i18n import LOCALES, get_locale, gettext, translations

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
        "restitution": N_("restitution"),
        "webinaire": N_("webinar"),
        "seminaire": N_("seminar"),
        "reunion-publique": N_("public meeting"),
    },
}


def label(family: str, code: str) -> str:
    words = _LABELS[family].get(code)
    # Not a known code (e.g. a meeting kind the facilitators typed): their words, untranslated.
    return gettext(words) if words is not None else code


def role_label(code: str) -> str:
    return label("role", code)


def status_label(code: str) -> str:
    return label("status", code)


def comment_status_label(code: str) -> str:
    return label("comment_status", code)


def meeting_kind_label(code: str) -> str:
    return label("meeting", code)


def _kind_key(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def meeting_kind_code(text: str) -> str | None:
    """The built-in meeting kind some words name, in any language and case (« Comité », committee, comite), or None."""
    key = _kind_key(text)
    for code, words in _LABELS["meeting"].items():
        names = {code, words, *(translations(locale).gettext(words) for locale in LOCALES)}
        if key in {_kind_key(name) for name in names}:
            return code
    return None


FROM_TO = N_("from %(start)s to %(end)s")


def date_span(start: dt.date, end: dt.date | None, language: str, from_to: str) -> str:
    """« 10 décembre 2014 », or with an end date « du 26 au 30 janvier 2015 » (``from_to`` already translated).

    Babel's format_interval abbreviates months (« 26–30 janv. 2015 »); a
    restitution writes them out, as organisers do.
    """
    if end is None or end == start:
        return format_date(start, format="long", locale=language)
    first = format_skeleton("MMMMd", start, locale=language)
    if start.year != end.year:
        first = format_date(start, format="long", locale=language)
    elif start.month == end.month and first[:1].isdigit():
        # Day before month (« 26 janvier »): the month is said once, with the end.
        first = format_skeleton("d", start, locale=language)
    return from_to % {"start": first, "end": format_date(end, format="long", locale=language)}


def meeting_when(row: dict) -> str:
    """When a calendar entry takes place, for pages in the current language: its words, else its dates."""
    if row.get("when"):
        return row["when"]
    if row.get("date") is None:
        return ""
    return date_span(row["date"], row.get("end_date"), get_locale(), gettext(FROM_TO))


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
    "end_date": N_("End date"),
    "when": N_("When, in words"),
    "role": N_("Role"),
    "parent_id": N_("Reply"),
    "label_acquis": N_("Label for achievements"),
    "label_enjeu": N_("Label for new challenges"),
    "contributions": N_("Your contributions and comments"),
    "show_organisations": N_("Show organisations"),
}


def field_label(name: str) -> str:
    return gettext(_FIELDS[name]) if name in _FIELDS else name
