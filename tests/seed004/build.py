"""Build seed 004 through Concerto's HTTP API, as a facilitator would with a script.

    python -m tests.seed004.build http://127.0.0.1:8000 --email anna@example.org --password '…' [--slug ess-mel-2015] [--publish]

``build_seed004(client)`` takes an httpx-style async client (an in-process test client or a real one)
whose base URL is Concerto's; with ``email`` and ``password`` it signs in first, otherwise the client
must already be signed in as a facilitator. It reads the app's OpenAPI document (``/schema/openapi.json``)
to send only what the running version accepts: where a part is not there yet (meetings without a date,
meeting end dates, custom meeting kinds, contributions in a draft, the restitution API) it falls back
to what exists and says so in the answer's ``notes``. The seed has no votes: none are cast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from tests.seed004 import data

API = "/api/v1"
log = logging.getLogger("seed004")

# Field names the meeting API may give an end date and an undated step's text (the first one found is used).
END_FIELDS = ("end_date", "date_end", "end", "until")
WHEN_FIELDS = ("when", "date_text", "date_label", "period", "when_text")


class SeedError(RuntimeError):
    """The API refused something the seed needs."""


class _Api:
    """Calls with the CSRF header, answers checked, and what the running app's schema accepts."""

    def __init__(self, client) -> None:
        self.client = client
        self.schema: dict = {}
        self.notes: list[str] = []

    def note(self, message: str) -> None:
        log.info(message)
        self.notes.append(message)

    async def csrf(self) -> str:
        token = self.client.cookies.get("csrftoken")
        if not token:
            await self.client.get("/")
            token = self.client.cookies.get("csrftoken")
        return token or ""

    async def request(self, method: str, path: str, json: Any = None):
        headers = {"x-csrftoken": await self.csrf()}
        return await self.client.request(method, API + path, json=json, headers=headers)

    async def call(self, method: str, path: str, json: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        response = await self.request(method, path, json)
        if response.status_code not in expect:
            raise SeedError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    async def form(self, path: str, fields: dict[str, str]):
        """A page's form, as a browser posts it (the fallback where no API exists yet)."""
        return await self.client.post(path, data={"_csrf_token": await self.csrf(), **fields}, follow_redirects=False)

    # -- the running app's OpenAPI document --------------------------------------------

    async def load_schema(self) -> None:
        response = await self.client.get("/schema/openapi.json")
        self.schema = response.json() if response.status_code == 200 else {}
        if not self.schema:
            self.note("no OpenAPI document at /schema/openapi.json: sending every field")

    def operation(self, path: str, method: str) -> dict | None:
        return (self.schema.get("paths", {}).get(API + path) or {}).get(method.lower())

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        for option in schema.get("oneOf", []) + schema.get("anyOf", []):  # X | None, X | Unset
            if "$ref" in option or option.get("type") == "object":
                return self._resolve(option)
        return schema

    def body_schema(self, path: str, method: str) -> dict | None:
        """The JSON body an operation takes (properties, required), None if unknown."""
        operation = self.operation(path, method)
        if not operation:
            return None
        content = operation.get("requestBody", {}).get("content", {})
        schema = next(iter(content.values()), {}).get("schema")
        return self._resolve(schema) if schema else None

    def property_schema(self, body: dict, name: str) -> dict:
        return self._resolve(body.get("properties", {}).get(name, {}))


def _accepted(body: dict | None, fields: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The fields a body schema lists (all of them when the schema is unknown), and the others."""
    if body is None:
        return dict(fields), []
    known = body.get("properties", {})
    return {k: v for k, v in fields.items() if k in known}, [k for k in fields if k not in known]


def _first(body: dict | None, names: tuple[str, ...]) -> str | None:
    if body is None:
        return None
    return next((name for name in names if name in body.get("properties", {})), None)


async def build_seed004(
    client, *, email: str | None = None, password: str | None = None, slug: str = data.SLUG, publish: bool = False
) -> dict:
    """Create seed 004's consultation, group, 56 contributions, six themes, calendar and restitution texts.

    Returns the ids made (``contributions`` in the seed's order), ``notes`` on every fallback taken and
    ``skipped`` calendar steps the running app could not store.
    """
    api = _Api(client)
    await api.load_schema()
    if email:
        await api.call("POST", "/session", {"email": email, "password": password or ""}, expect=(201,))
    made: dict[str, Any] = {"slug": slug, "skipped": [], "shortened": [], "notes": api.notes}

    consultation = await api.call(
        "POST", "/consultations", {"title": data.TITLE, "summary": data.SUBTITLE, "slug": slug, "status": "draft"}, expect=(201,)
    )
    made["consultation_id"] = consultation["id"]
    scope = f"/consultations/{slug}"

    group = await api.call(
        "POST",
        f"{scope}/groups",
        {"title": data.GROUP_TITLE, "description": data.GROUP_DESCRIPTION, "contributions_open": True, "voting_open": False},
        expect=(201,),
    )
    made["group_id"] = group["id"]

    made["contributions"] = await _contributions(api, scope, group["id"], made)
    made["themes"] = await _themes(api, scope, group["id"], made["contributions"])
    made["meetings"] = await _calendar(api, scope, made)
    made["restitution"] = await _restitution(api, slug)

    await api.call("PATCH", f"{scope}/groups/{group['id']}", {"contributions_open": False})
    # The consultation took place: it ends closed (it may have been opened to take the contributions).
    await api.call("PATCH", scope, {"status": "closed"})
    made["version"] = await _publish(api, slug) if publish else None
    return made


async def _contributions(api: _Api, scope: str, group_id: int, made: dict) -> list[int]:
    ids: list[int] = []
    opened = False
    for item in data.ITEMS:
        body = {"kind": item.kind, "title": item.title}
        response = await api.request("POST", f"{scope}/groups/{group_id}/contributions", body)
        if response.status_code == 409 and not opened:
            # Facilitators cannot add contributions to a draft yet: open it while they are typed in.
            api.note(f"contributions refused in a draft ({response.json().get('detail')}): consultation opened to type them in")
            await api.call("PATCH", scope, {"status": "open"})
            opened = True
            response = await api.request("POST", f"{scope}/groups/{group_id}/contributions", body)
        if response.status_code == 422 and "title" in (response.json().get("errors") or {}):
            # Titles longer than the running app allows: the whole text goes in the body.
            limit = _title_limit(response.json()["errors"]["title"])
            short = item.title[: limit - 1].rsplit(" ", 1)[0] + "…"
            api.note(f"title of {len(item.title)} characters refused ({response.json()['errors']['title']}): shortened, whole in the body")
            made["shortened"].append(item.title)
            response = await api.request(
                "POST", f"{scope}/groups/{group_id}/contributions", {"kind": item.kind, "title": short, "body": item.title}
            )
        if response.status_code != 201:
            raise SeedError(f"contribution {item.title!r} answered {response.status_code}: {response.text[:500]}")
        ids.append(response.json()["id"])
    return ids


def _title_limit(message: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in message).split()
    return int(digits[0]) if digits else 140


async def _themes(api: _Api, scope: str, group_id: int, contribution_ids: list[int]) -> list[int]:
    """One theme per axis, in the seed's order, holding the axis's items."""
    themes = []
    start = 0
    for axis in data.AXES:
        members = contribution_ids[start : start + len(axis.items)]
        start += len(axis.items)
        created = await api.call("POST", f"{scope}/groups/{group_id}/themes", {"title": axis.title, "contributions": members}, expect=(201,))
        themes.append(created["theme_id"])
    return themes


async def _calendar(api: _Api, scope: str, made: dict) -> list[int]:
    body = api.body_schema("/consultations/{slug}/meetings", "post")
    end_field, when_field = _first(body, END_FIELDS), _first(body, WHEN_FIELDS)
    undated_ok = body is not None and "date" not in body.get("required", []) and when_field is not None
    if not end_field:
        api.note("meetings have no end date here: « 26 et 30 Janvier 2015 » is stored as 26 January")
    if not undated_ok:
        api.note("meetings need a date here: the undated steps of the calendar are left out")
    ids = []
    for step in data.CALENDAR:
        fields: dict[str, Any] = {"title": step.title, "kind": step.kind}
        if step.date is not None:
            fields["date"] = step.date.isoformat()
            if step.end is not None and end_field:
                fields[end_field] = step.end.isoformat()
            if step.shown and when_field:
                fields[when_field] = step.shown
        elif undated_ok:
            fields[when_field] = step.when
        else:
            made["skipped"].append(step.when)
            continue
        response = await api.request("POST", f"{scope}/meetings", fields)
        if response.status_code == 422 and "kind" in (response.json().get("errors") or {}):
            standard = data.STANDARD_KIND[step.kind]
            api.note(f"meeting kind {step.kind!r} refused: stored as {standard!r}")
            fields["kind"] = standard
            response = await api.request("POST", f"{scope}/meetings", fields)
        if response.status_code != 201:
            raise SeedError(f"meeting {step.when!r} answered {response.status_code}: {response.text[:500]}")
        ids.append(response.json()["id"])
    return ids


def _restitution_fields() -> dict[str, Any]:
    return {
        "introduction": data.INTRODUCTION,
        "context": data.CONTEXT,
        "next_steps": data.NEXT_STEPS,
    }


def _restitution_options() -> dict[str, Any]:
    return {
        "subtitle": data.SUBTITLE,
        "date": data.DATE.isoformat(),
        "organiser": data.ORGANISER,
        "declared_participants": data.DECLARED_PARTICIPANTS,
        "titles": data.SECTION_TITLES,
        # The seed gives one figure (and 56 items); there were no votes, comments or contributors to count.
        "figures": ["participants", "contributions"],
        "show_support": False,  # nobody voted
        "show_chart": False,  # one working group: a chart of one bar says nothing
        "show_authors": False,
    }


async def _restitution(api: _Api, slug: str) -> str:
    """The texts and options through ``PUT …/restitution``; the editor's form where that API is not there yet."""
    path = f"/consultations/{slug}/restitution"
    current = await api.request("GET", path)
    if current.status_code in (404, 405):
        fields = _restitution_fields()
        response = await api.form(f"/c/{slug}/facilitation/restitution", fields)
        if response.status_code != 303:
            raise SeedError(f"restitution form answered {response.status_code}: {response.text[:500]}")
        api.note("no restitution API (GET answered %d): texts saved through the editor's form, options not set" % current.status_code)
        return "form"
    body_schema = api.body_schema("/consultations/{slug}/restitution", "put")
    fields = _restitution_fields()
    options = _restitution_options()
    if body_schema is not None and "options" in body_schema.get("properties", {}):
        accepted, dropped = _accepted(api.property_schema(body_schema, "options"), options)
        fields["options"] = accepted
    elif body_schema is not None:
        accepted, dropped = _accepted(body_schema, options)
        fields.update(accepted)
    else:  # no schema: the shape we expect
        fields["options"], dropped = options, []
    if dropped:
        api.note(f"restitution options not known to this version: {', '.join(dropped)}")
    response = await api.request("PUT", path, fields)
    if response.status_code == 422 and "options" in fields:
        # Some option refused (a name or a value): say which, keep the texts.
        api.note(f"restitution options refused: {response.text[:300]}")
        fields.pop("options")
        response = await api.request("PUT", path, fields)
    if response.status_code not in (200, 201):
        raise SeedError(f"PUT {path} answered {response.status_code}: {response.text[:500]}")
    return "api"


async def _publish(api: _Api, slug: str) -> int | None:
    response = await api.request("POST", f"/consultations/{slug}/restitution/versions")
    if response.status_code in (200, 201):
        return response.json().get("number")
    if response.status_code not in (404, 405):
        raise SeedError(f"publishing answered {response.status_code}: {response.text[:500]}")
    page = await api.form(f"/c/{slug}/facilitation/restitution/publish", {})
    if page.status_code != 303:
        raise SeedError(f"publish form answered {page.status_code}: {page.text[:500]}")
    api.note("no API to publish: published through the editor's form")
    return None


async def _main(argv: list[str]) -> int:
    import httpx

    parser = argparse.ArgumentParser(description="Build seed 004 into a running Concerto.")
    parser.add_argument("url", help="Concerto's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--email", required=True, help="a facilitator account")
    parser.add_argument("--password", required=True)
    parser.add_argument("--slug", default=data.SLUG)
    parser.add_argument("--publish", action="store_true", help="publish version 1 of the restitution")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[seed004] %(message)s")
    async with httpx.AsyncClient(base_url=args.url, timeout=120) as client:
        made = await build_seed004(client, email=args.email, password=args.password, slug=args.slug, publish=args.publish)
    print(f"{args.url.rstrip('/')}/c/{made['slug']}/facilitation/restitution")
    print(f"{len(made['contributions'])} contributions, {len(made['themes'])} themes, {len(made['meetings'])} meetings"
          + (f", steps left out: {', '.join(made['skipped'])}" if made["skipped"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))
