"""Routes that give the benchmark its ceilings (only with ``CONCERTO_BENCH_ROUTES=1``).

* ``GET /_bench/empty``: the cheapest answer the application can give through
  its whole middleware stack (locale, session, rate limit, CSRF): the
  framework's ceiling.
* ``GET /_bench/group-template``: the real group page's template and context,
  loaded from the database once and then rendered from memory on every call:
  what the group page would cost if its queries were free.

``bench/run.py`` compares the real pages with these; they are never mounted in
production.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get
from litestar.response import Template

from concerto.accounts.services import resolve_actor
from concerto.consultations import services as consultations
from concerto.groups.pages import group_page_context
from concerto.web import session
from concerto.web.pages import render

# (slug, group, per page, account, participant) -> the group page's context.
_contexts: dict[tuple, dict[str, Any]] = {}


@get("/_bench/empty", media_type=MediaType.TEXT, include_in_schema=False)
async def empty() -> str:
    return "ok"


@get("/_bench/group-template", include_in_schema=False)
async def group_template(request: Request, slug: str, group_id: int, per_page: str = "50") -> Template:
    """The group page rendered from a context cached in memory after the first call."""
    account_id = session.account_id(request)
    # Looking the participant up needs the consultation id, so the cache key
    # uses the session's raw "joined" map instead.
    key = (slug, group_id, per_page, account_id, tuple(sorted(request.session.get("joined", {}).items())))
    context = _contexts.get(key)
    if context is None:
        # The same reads the real page's dependencies and handler make.
        consultation = await consultations.get_by_slug(slug)
        actor = await resolve_actor(
            consultation["id"],
            account_id=account_id,
            participant_id=session.participant_id(request, consultation["id"]),
        )
        consultations.require_visible(consultation, actor)
        context = await group_page_context(consultation, actor, group_id, per_page=per_page)
        _contexts[key] = context
    # Keyword unpacking hands render() a fresh dict; the cached one stays as loaded.
    return render(request, "groups/page.html", form={}, **context)


BENCH_HANDLERS = [empty, group_template]
