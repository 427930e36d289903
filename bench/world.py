"""The benchmark's world: a seeded consultation, and participants who join it over HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

PAGE_CONTRIBUTIONS = 200
PAGE_GROUP_BUDGET = 5
WRITE_GROUP_CONTRIBUTIONS = 120
SEED_PARTICIPANTS = 40
SEED_COMMENTS = 120
SLUG = "plan-ess-bench"


@dataclass
class Seeded:
    slug: str
    token: str
    page_group: int
    write_group: int
    write_budget: int
    page_contributions: list[int]
    write_contributions: list[int]


def title_variant(base: str, round_: int) -> str:
    suffixes = ["", " (quartiers nord)", " (communes rurales)", " (centre-ville)", " (vallée)"]
    suffix = suffixes[round_ % len(suffixes)] if round_ < len(suffixes) else f" — piste {round_}"
    return (base[: 140 - len(suffix)] + suffix).strip()


async def seed(database_url: str) -> Seeded:
    import random

    from concerto import db, i18n
    from concerto.accounts.services import Actor, create_account, resolve_actor
    from concerto.comments import services as comments
    from concerto.consultations import services as consultations
    from concerto.contributions import services as contributions
    from concerto.db.migrate import migrate
    from concerto.demo import content
    from concerto.groups import services as groups
    from concerto.groups.services import MAX_VOTE_BUDGET
    from concerto.tables import Consultation
    from concerto.votes import services as votes

    rng = random.Random(2027)
    i18n.set_locale("fr")
    async with db.connected(database_url):
        await migrate(quiet=True)
        account_id = await create_account("animation@bench.example", "Équipe d’animation", "bench-password-0123")
        consultation = await consultations.create(
            account_id,
            {
                "title": content.CONSULTATION["title"],
                "summary": content.CONSULTATION["summary"],
                "status": "open",
                "slug": SLUG,
            },
        )
        facilitator = await resolve_actor(consultation["id"], account_id=account_id, participant_id=None)
        page_group = await groups.create(
            consultation,
            facilitator,
            {
                "title": content.GROUPS[0]["title"],
                "description": content.GROUPS[0].get("description", ""),
                "vote_budget": PAGE_GROUP_BUDGET,
            },
        )
        write_group = await groups.create(
            consultation,
            facilitator,
            {"title": content.GROUPS[1]["title"], "description": "Groupe des écritures du banc d’essai.", "vote_budget": MAX_VOTE_BUDGET},
        )
        token = (
            await Consultation.select(Consultation.invite_token).where(Consultation.id == consultation["id"]).first()
        )["invite_token"]

        people = []
        for index in range(SEED_PARTICIPANTS):
            person = content.PARTICIPANTS[index % len(content.PARTICIPANTS)]
            name = person["name"] if index < len(content.PARTICIPANTS) else f"{person['name']} {index}"
            newcomer = Actor(consultation["id"], None, "visitor")
            participant_id = await consultations.join(consultation, newcomer, token, name, person["organisation"])
            people.append(await resolve_actor(consultation["id"], account_id=None, participant_id=participant_id))

        async def fill(group: dict, count: int) -> list[int]:
            ids = []
            for index in range(count):
                text = content.CONTRIBUTIONS[index % len(content.CONTRIBUTIONS)]
                data = {
                    "kind": ("acquis", "enjeu")[index % 2],
                    "title": title_variant(text["title"], index // len(content.CONTRIBUTIONS)),
                    "body": text.get("body", ""),
                }
                ids.append(await contributions.create(rng.choice(people), group, data))
            return ids

        page_ids = await fill(page_group, PAGE_CONTRIBUTIONS)
        write_ids = await fill(write_group, WRITE_GROUP_CONTRIBUTIONS)
        for person in people:
            for contribution_id in rng.sample(page_ids, rng.randint(1, PAGE_GROUP_BUDGET)):
                await votes.cast(person, contribution_id)
        for index in range(SEED_COMMENTS):
            text = content.COMMENTS[index % len(content.COMMENTS)]
            await comments.add(rng.choice(people), rng.choice(page_ids), {"body": text["body"]})
    return Seeded(SLUG, token, page_group["id"], write_group["id"], MAX_VOTE_BUDGET, page_ids, write_ids)


# -- participants, over HTTP as a browser would --------------------------------


@dataclass
class Participant:
    name: str
    cookie: str  # the Cookie header a browser would send
    csrf: str


def cookie_header(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies.jar)


async def join_participants(base: str, seeded: Seeded, count: int, first: int = 0, concurrency: int = 8) -> list[Participant]:
    """Each one opens the invitation link, submits the join form, lands on the consultation."""
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=concurrency))
    gate = asyncio.Semaphore(concurrency)
    join_path = f"/c/{seeded.slug}/join/{seeded.token}"

    async def one(index: int) -> Participant:
        async with gate:
            # One client (one cookie jar) per participant, sharing the connections.
            client = httpx.AsyncClient(base_url=base, transport=transport, timeout=30)
            response = await client.get(join_path)
            response.raise_for_status()
            csrf = client.cookies["csrftoken"]
            name = f"Participant·e {first + index + 1}"
            response = await client.post(
                join_path, data={"_csrf_token": csrf, "display_name": name, "organisation": "Banc d’essai"}
            )
            if response.status_code != 303:
                raise SystemExit(f"joining failed: {response.status_code} {response.text[:500]}")
            # The consultation page shows the welcome message and clears it from the session.
            (await client.get(response.headers["location"])).raise_for_status()
            return Participant(name, cookie_header(client), csrf)

    try:
        return list(await asyncio.gather(*(one(index) for index in range(count))))
    finally:
        await transport.aclose()


async def vote_with_form(base: str, seeded: Seeded, participant: Participant, contribution_ids: list[int]) -> Participant:
    """Some of the page participant's votes, so the page shows pressed buttons and a budget."""
    group_path = f"/c/{seeded.slug}/g/{seeded.page_group}"

    def keep_cookies(response: httpx.Response) -> None:
        cookies = dict(part.split("=", 1) for part in participant.cookie.split("; "))
        participant.cookie = "; ".join(f"{name}={value}" for name, value in {**cookies, **response.cookies}.items())

    # The Cookie header is set by hand on each request (it wins over the client's jar).
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for contribution_id in contribution_ids:
            response = await client.post(
                f"/c/{seeded.slug}/contributions/{contribution_id}/vote",
                data={"_csrf_token": participant.csrf, "action": "cast", "next": group_path},
                headers={"cookie": participant.cookie},
            )
            if response.status_code != 303:
                raise SystemExit(f"voting failed: {response.status_code} {response.text[:500]}")
            keep_cookies(response)
        # Showing the page clears the "vote counted" message from the session.
        keep_cookies(await client.get(group_path, headers={"cookie": participant.cookie}))
    return participant
