"""Write rate limiting and request size limits."""

from __future__ import annotations

import dataclasses

from concerto.app import create_app
from concerto.tables import Contribution
from tests.browser import Browser, http_client, text_of
from tests.factories import make_world


async def test_writes_are_rate_limited_per_browser(settings, database):
    app = create_app(dataclasses.replace(settings, write_rate_limit=3))
    world = await make_world()
    slug = world.consultation["slug"]
    url = f"/c/{slug}/g/{world.group['id']}/contributions"
    async with http_client(app) as client:
        browser = Browser(client)
        await browser.join(slug, world.token)  # counted for the visitor's address, not the participant
        statuses = [
            (await browser.post(url, {"kind": "acquis", "title": f"Idée {n}"})).status_code for n in range(4)
        ]
        assert statuses == [303, 303, 303, 429]
        refused = await browser.post(url, {"kind": "acquis", "title": "Encore"})
        assert refused.status_code == 429 and "Trop d" in text_of(refused.text)
        # Reading is never limited.
        assert (await browser.get(f"/c/{slug}")).status_code == 200
    assert await Contribution.count() == 3


async def test_oversized_requests_are_refused(browser):
    world = await make_world()
    slug = world.consultation["slug"]
    await browser.join(slug, world.token)
    response = await browser.post(
        f"/c/{slug}/g/{world.group['id']}/contributions", {"kind": "acquis", "title": "x", "body": "a" * 2_000_000}
    )
    assert response.status_code == 413
    assert await Contribution.count() == 0
