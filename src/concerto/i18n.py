"""Translations: French by default, English available.

Message ids are English; ``locale/fr/LC_MESSAGES/messages.po`` holds the French
text (a test checks it is complete). Catalogs are compiled in memory at first
use, so a checkout needs no build step.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("concerto_locale", default=DEFAULT_LOCALE)


@functools.cache
def translations(locale: str) -> NullTranslations:
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    language = value.strip().lower().replace("_", "-").split("-")[0]
    return language if language in LOCALES else None


def set_locale(locale: str) -> contextvars.Token:
    return _current.set(normalise_locale(locale) or DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def gettext(message: str, **params: Any) -> str:
    text = translations(_current.get()).gettext(message)
    return text % params if params else text


def pgettext(context: str, message: str, **params: Any) -> str:
    """For one English word that needs two French ones depending on where it stands."""
    text = translations(_current.get()).pgettext(context, message)
    return text % params if params else text


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """The form of a word for ``n`` (no placeholder: the caller writes the number itself)."""
    return translations(_current.get()).npgettext(context, singular, plural, n)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def template_gettext(message: str) -> str:
    """For Jinja's newstyle gettext, which does the %-formatting itself."""
    return translations(_current.get()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def template_pgettext(context: str, message: str) -> str:
    """The same English word may need two French ones (« modifiée » / « modifié »)."""
    return translations(_current.get()).pgettext(context, message)


def accept_language_choice(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, if any."""
    if not header:
        return None
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((-weight, position, tag))
    for _weight, _position, tag in sorted(weighted):
        locale = normalise_locale(tag)
        if locale:
            return locale
    return None


def format_day(value: dt.date | None, style: str = "long") -> str:
    return format_date(value, format=style, locale=_current.get()) if value else ""


@functools.cache
def _timezone():
    from concerto.settings import get_settings

    # Times are stored in UTC and shown in the configured zone (CONCERTO_TIMEZONE).
    return get_timezone(get_settings().timezone)


def local_timezone() -> dt.tzinfo:
    """The zone where the consultation takes place (CONCERTO_TIMEZONE)."""
    return _timezone()


def local_input(value: dt.datetime | None) -> str:
    """A stored moment as a ``datetime-local`` field shows it (2026-03-14T10:45), in the local zone."""
    return value.astimezone(_timezone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def format_clock(value: dt.datetime | None) -> str:
    """The local time of day (10:45) of a stored moment."""
    return format_time(value.astimezone(_timezone()), format="short", locale=_current.get()) if value else ""


def local_date(value: dt.datetime) -> dt.date:
    """The calendar day of a stored (UTC) moment where the consultation takes place."""
    return value.astimezone(_timezone()).date()


def format_moment(value: dt.datetime | None) -> str:
    if not value:
        return ""
    locale = _current.get()
    local = value.astimezone(_timezone())
    return f"{format_date(local, format='medium', locale=locale)}, {format_time(local, format='short', locale=locale)}"


def format_number(value: int | float) -> str:
    return format_decimal(value, locale=_current.get())


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(locale).capitalize()
