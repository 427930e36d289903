"""Security headers on every answer (pages, API, static files, errors): Litestar's before_send hook.

The pages load their scripts and styles from /static only (no inline script,
no inline style), so the policy can be strict. The API's documentation page
(Swagger UI, /schema) loads its viewer from a CDN and is the one exception.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    # Invitation links carry their token in the path: never sent to other sites.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    path = scope.get("path", "")
    policy = _DOCS_POLICY if path == "/schema" or path.startswith("/schema/") else CONTENT_SECURITY_POLICY
    if "content-security-policy" not in headers:
        headers["content-security-policy"] = policy
    for name, value in HEADERS.items():
        if name not in headers:
            headers[name] = value
    # Pages and API answers depend on who asks and change at once (a hidden contribution, a
    # sign-out): no browser or proxy keeps them, and a shared workshop computer shows nothing old.
    if "cache-control" not in headers and not path.startswith("/static/"):
        headers["cache-control"] = "no-store"
