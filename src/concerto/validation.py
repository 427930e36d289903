"""Small input checks shared by the services (each rule is written once)."""

from __future__ import annotations

from typing import Any

from concerto.errors import N_, Invalid


class FieldErrors:
    """Collects per-field messages, then raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, tuple[str, dict[str, Any]]] = {}

    def add(self, field: str, message: str, **params: Any) -> None:
        self.errors.setdefault(field, (message, params))

    def text(self, field: str, value: Any, *, max_length: int, required: bool = True) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(field, N_("This field must be text."))
            return ""
        value = value.replace("\r\n", "\n").strip()
        if "\x00" in value:
            self.add(field, N_("This field contains a character that is not allowed."))
        elif required and not value:
            self.add(field, N_("This field is required."))
        elif len(value) > max_length:
            self.add(field, N_("This field is too long (at most %(max)s characters)."), max=max_length)
        return value

    def integer(self, field: str, value: Any, *, minimum: int, maximum: int, default: int | None = None) -> int:
        if value in (None, "") and default is not None:
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.add(field, N_("Enter a whole number."))
            return default or 0
        if isinstance(value, bool) or not minimum <= number <= maximum:
            self.add(field, N_("Enter a number between %(min)s and %(max)s."), min=minimum, max=maximum)
        return number

    def choice(self, field: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
        if value not in choices:
            self.add(field, N_("Choose one of the options offered."))
            return ""
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(fields=dict(self.errors))


def matchable(value: Any) -> bool:
    """Whether client text can be looked up in the database (PostgreSQL refuses NUL characters)."""
    return isinstance(value, str) and "\x00" not in value


def moderation_status(action: Any) -> str:
    """The status a facilitator's hide/restore action leads to (refusing anything else)."""
    errors = FieldErrors()
    action = errors.choice("action", action, ("hide", "restore"))
    errors.raise_if_any()
    return "hidden" if action == "hide" else "published"


MAX_ID = 2_147_483_647


def to_id(value: Any) -> int | None:
    """A database id from user input, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID and not isinstance(value, bool) else None
