"""Idempotency keys: a write that a browser sends again (flaky workshop Wi-Fi) is stored once.

The browser makes a key per submission and sends it with every attempt
(``Idempotency-Key`` header on the API, a hidden ``request_key`` field on the
plain forms). The services look the key up and record it inside the write's own
transaction, with the participant's row locked, so two attempts that arrive
together still store one row.
"""

from __future__ import annotations

import re
from typing import Any

from concerto.errors import N_, Conflict, field_error
from concerto.tables import RequestKey

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SEEN_SQL = "SELECT kind, target FROM request_key WHERE participant = {} AND key = {}"
_REMEMBER_SQL = "INSERT INTO request_key (participant, key, kind, target, created_at) VALUES ({}, {}, {}, {}, {})"
# Keys only need to outlive a lost connection; older ones are forgotten.
KEEP_DAYS = 7


def checked(value: Any) -> str | None:
    """The key as sent (None when there is none); refuses anything that is not 8 to 64 letters, digits, - or _."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _KEY.match(value):
        raise field_error("request_key", N_("The request key must be 8 to 64 letters, digits, hyphens or underscores."))
    return value


async def seen(participant_id: int, key: str | None, kind: str) -> int | None:
    """What the first request with this key wrote (its target id), or None if it is new."""
    if key is None:
        return None
    rows = await RequestKey.raw(_SEEN_SQL, participant_id, key)
    if not rows:
        return None
    if rows[0]["kind"] != kind:
        raise Conflict(N_("This request key was already used for another request."))
    return rows[0]["target"]


async def remember(participant_id: int, key: str | None, kind: str, target: int) -> None:
    if key is not None:
        from concerto import db

        await RequestKey.raw(_REMEMBER_SQL, participant_id, key, kind, target, db.now())


async def forget_old() -> None:
    """Drop keys older than ``KEEP_DAYS`` (called now and then by the scheduler)."""
    import datetime as dt

    from concerto import db

    async with db.write_transaction():
        await RequestKey.delete().where(RequestKey.created_at < db.now() - dt.timedelta(days=KEEP_DAYS))
