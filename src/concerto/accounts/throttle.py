"""Sign-in throttling: per account and per address, with a growing delay, never for good.

Failures are rows (``login_failure``), so every worker counts the same ones.
After a few free failures each new attempt must wait twice as long as the last
(at most ``MAX_DELAY``); failures older than ``WINDOW`` stop counting. Per
account it stops someone trying passwords from many browsers; per address it
stops one machine trying many accounts.

A workshop shares one address, and an attacker may target the real owner's
account: so a browser where the account has signed in before carries a
signed "trusted browser" cookie, and there only that browser's own failures
count. The owner is never locked out by someone else's attempts; a new browser
waits at most ``MAX_DELAY``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets

from concerto import db
from concerto.errors import RateLimited
from concerto.i18n import ngettext
from concerto.tables import LoginFailure

log = logging.getLogger("concerto.security")

WINDOW = dt.timedelta(minutes=15)
MAX_DELAY = dt.timedelta(minutes=15)
FIRST_DELAY = dt.timedelta(seconds=5)
# Failures allowed before the delays start, per kind of subject.
FREE = {"account": 5, "address": 50, "device": 5}
DEVICE_COOKIE = "concerto_device"
DEVICE_MAX_AGE = 365 * 24 * 3600

_RECENT_SQL = "SELECT COUNT(*) AS n, MAX(failed_at) AS last FROM login_failure WHERE subject = {} AND failed_at > {}"


def device_cookie(secret: str, email: str) -> str:
    """A new trusted-browser token for this account (after a successful sign-in)."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_signature(secret, email, nonce)}"


def _signature(secret: str, email: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"device:{email}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _device(secret: str, email: str, cookie: object) -> str | None:
    """The trusted-browser subject if ``cookie`` was given to this account's browser, else None."""
    if not isinstance(cookie, str) or cookie.count(".") != 1:
        return None
    nonce, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _signature(secret, email, nonce)):
        return None
    return "device:" + hashlib.sha256(cookie.encode()).hexdigest()[:32]


def subjects(secret: str, email: str, address: str | None, cookie: object) -> list[tuple[str, str]]:
    """(kind, subject) pairs this attempt counts against."""
    device = _device(secret, email, cookie)
    if device is not None:
        return [("device", device)]
    return [("account", f"account:{email}"), ("address", f"address:{address or 'unknown'}")]


def _delay(kind: str, failures: int) -> dt.timedelta:
    extra = failures - FREE[kind]
    if extra < 0:
        return dt.timedelta(0)
    return min(FIRST_DELAY * 2**extra, MAX_DELAY) if extra < 20 else MAX_DELAY


def _as_datetime(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


async def check(pairs: list[tuple[str, str]], email: str, address: str | None) -> None:
    """Refuse (429, with when to try again) an attempt that comes too soon."""
    now = db.now()
    wait = dt.timedelta(0)
    for kind, subject in pairs:
        row = (await LoginFailure.raw(_RECENT_SQL, subject, now - WINDOW))[0]
        last = _as_datetime(row["last"])
        if last is not None:
            wait = max(wait, last + _delay(kind, row["n"]) - now)
    if wait > dt.timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        log.warning("sign-in throttled: account %s from %s, next attempt in %s s", email, address, seconds)
        # Translated here, in the reader's language, for the plural.
        if seconds < 120:
            text = ngettext(
                "Too many failed sign-in attempts. Try again in %(num)s second.",
                "Too many failed sign-in attempts. Try again in %(num)s seconds.",
                seconds,
            )
        else:
            minutes = math.ceil(seconds / 60)
            text = ngettext(
                "Too many failed sign-in attempts. Try again in %(num)s minute.",
                "Too many failed sign-in attempts. Try again in %(num)s minutes.",
                minutes,
            )
        error = RateLimited(text)
        error.headers = {"retry-after": str(seconds)}
        raise error


async def failed(pairs: list[tuple[str, str]], email: str, address: str | None) -> None:
    log.warning("sign-in failed: account %s from %s", email, address)
    now = db.now()
    async with db.write_transaction():
        await LoginFailure.insert(*(LoginFailure(subject=subject, failed_at=now) for _kind, subject in pairs))


async def succeeded(pairs: list[tuple[str, str]]) -> None:
    """The owner is in: their account's (or browser's) failures stop counting; the address's stay."""
    kept = [subject for kind, subject in pairs if kind != "address"]
    if kept:
        async with db.write_transaction():
            await LoginFailure.delete().where(LoginFailure.subject.is_in(kept))


async def forget_old() -> None:
    async with db.write_transaction():
        await LoginFailure.delete().where(LoginFailure.failed_at < db.now() - WINDOW)
