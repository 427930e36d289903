"""Server-side sessions: the signed cookie names a row, and a cookie whose row is gone carries no one.

The cookie (signed and encrypted by Litestar's cookie backend) still holds the
session's data, so reading it costs no query; what it cannot do alone is end:
a copy taken before signing out would stay valid. So every session that says
who someone is (a signed-in account, joined consultations) carries a random id
whose SHA-256 is a ``web_session`` row, checked on every request. Signing out,
a password change and « sign out everywhere » delete rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from concerto import db
from concerto.tables import WebSession

# As long as the cookie lives (Litestar's default max_age: 14 days, counted from the
# last answer); a row in use is renewed once a day, so a week-long workshop never ends it.
MAX_AGE = dt.timedelta(days=14)
RENEW_AFTER = dt.timedelta(days=1)

_FIND_SQL = "SELECT account, renewed_at FROM web_session WHERE token_hash = {} AND renewed_at > {}"


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Found:
    account: int | None
    due_renewal: bool


async def find(sid: object) -> Found | None:
    """The live session with this id, or None."""
    if not isinstance(sid, str) or not sid:
        return None
    now = db.now()
    rows = await WebSession.raw(_FIND_SQL, _hash(sid), now - MAX_AGE)
    if not rows:
        return None
    return Found(rows[0]["account"], now - rows[0]["renewed_at"] > RENEW_AFTER)


async def renew(sid: str) -> None:
    async with db.write_transaction():
        await WebSession.update({WebSession.renewed_at: db.now()}).where(WebSession.token_hash == _hash(sid))


async def start(account: int | None) -> str:
    """A new session id, stored (hashed)."""
    sid = secrets.token_urlsafe(32)
    async with db.write_transaction():
        await WebSession.insert(WebSession(token_hash=_hash(sid), account=account, renewed_at=db.now()))
    return sid


async def set_account(sid: str, account: int | None) -> None:
    async with db.write_transaction():
        await WebSession.update({WebSession.account: account}).where(WebSession.token_hash == _hash(sid))


async def end(sid: object) -> None:
    if isinstance(sid, str) and sid:
        async with db.write_transaction():
            await WebSession.delete().where(WebSession.token_hash == _hash(sid))


async def end_all(account_id: int, *, keep: str | None = None) -> int:
    """End every session of an account (but ``keep``); how many were ended."""
    query = WebSession.delete().where(WebSession.account == account_id)
    if keep:
        query = query.where(WebSession.token_hash != _hash(keep))
    async with db.write_transaction():
        return len(await query.returning(WebSession.id))


_COUNTS_SQL = "SELECT account, COUNT(*) AS n FROM web_session WHERE renewed_at > {} AND account IS NOT NULL GROUP BY account"


async def counts() -> dict[int, int]:
    """Account id -> its live sessions (one query for the administrators' list)."""
    return {row["account"]: row["n"] for row in await WebSession.raw(_COUNTS_SQL, db.now() - MAX_AGE)}


async def count(account_id: int) -> int:
    return (await counts()).get(account_id, 0)


async def forget_old() -> None:
    """Drop rows of sessions whose cookie has expired (called now and then by the scheduler)."""
    async with db.write_transaction():
        await WebSession.delete().where(WebSession.renewed_at < db.now() - MAX_AGE)
