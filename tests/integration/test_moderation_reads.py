"""What moderators hide (and what authors withdraw) disappears from every read path at once.

Each reader first sees the contribution (filling whatever each path keeps:
the group page's listing, the similar-contributions index), then the
contribution is hidden or withdrawn, and the same readers ask again.
"""

from __future__ import annotations

import pytest

from concerto.contributions import services as contributions
from tests.factories import make_contribution, make_participant, make_world
from tests.integration.api_support import joined, signed_in

TITLE = "Ateliers de réparation de vélos solidaires"
TYPED = "réparation de vélos solidaires dans les quartiers"


def _paths(world, contribution_id: int) -> dict[str, str]:
    slug, group = world.consultation["slug"], world.group["id"]
    return {
        "group page": f"/c/{slug}/g/{group}",
        "group page sorted by date": f"/c/{slug}/g/{group}?sort=recent",
        "API listing": f"/api/v1/consultations/{slug}/groups/{group}/contributions",
        "API similar": f"/api/v1/consultations/{slug}/similar?text={TYPED}",
        "API similar in the group": f"/api/v1/consultations/{slug}/similar?text={TYPED}&group={group}",
    }


def _walls(world) -> dict[str, str]:
    """The projection walls (facilitators open them)."""
    slug, group = world.consultation["slug"], world.group["id"]
    return {"group wall": f"/c/{slug}/g/{group}/wall", "consultation wall": f"/c/{slug}/wall"}


async def _readers(new_browser, world):
    anonymous = await new_browser()
    other = await joined(new_browser, world, "Dominique")
    return {"anonymous": anonymous, "other participant": other, "facilitator": await signed_in(new_browser, world.email)}


async def _shown(readers: dict, paths: dict[str, str], walls: dict[str, str]) -> dict[str, bool]:
    shown = {}
    for reader, browser in readers.items():
        for label, path in (walls if reader == "facilitator" else paths).items():
            response = await browser.get(path)
            assert response.status_code == 200, (reader, label, response.text)
            shown[f"{reader}: {label}"] = TITLE in response.text
    return shown


@pytest.mark.parametrize("how", ["hidden by a facilitator", "withdrawn by its author"])
async def test_a_contribution_taken_off_leaves_every_read_path_at_once(new_browser, database, how):
    world = await make_world()
    author = await make_participant(world, "Camille")
    contribution_id = await make_contribution(world, author, TITLE, body="Un local, des outils, des bénévoles.")
    readers = await _readers(new_browser, world)
    paths = _paths(world, contribution_id)

    before = await _shown(readers, paths, _walls(world))
    assert all(before.values()), before  # every path showed it (and keeps what it keeps)

    if how == "hidden by a facilitator":
        await contributions.moderate(world.facilitator, contribution_id, "hide")
    else:
        await contributions.withdraw(author, contribution_id)

    after = await _shown(readers, paths, _walls(world))
    assert not any(after.values()), {label: shown for label, shown in after.items() if shown}
    slug = world.consultation["slug"]
    for reader in ("anonymous", "other participant"):
        browser = readers[reader]
        page = await browser.get(f"/c/{slug}/contributions/{contribution_id}")
        assert page.status_code == 404 and TITLE not in page.text, reader
        api = await browser.get(f"/api/v1/consultations/{slug}/contributions/{contribution_id}")
        assert api.status_code == 404 and TITLE not in api.text, reader


async def test_a_restored_contribution_comes_back_everywhere(new_browser, database):
    world = await make_world()
    author = await make_participant(world, "Camille")
    contribution_id = await make_contribution(world, author, TITLE)
    readers = await _readers(new_browser, world)
    paths = _paths(world, contribution_id)
    assert all((await _shown(readers, paths, _walls(world))).values())
    await contributions.moderate(world.facilitator, contribution_id, "hide")
    assert not any((await _shown(readers, paths, _walls(world))).values())
    await contributions.moderate(world.facilitator, contribution_id, "restore")
    after = await _shown(readers, paths, _walls(world))
    assert all(after.values()), after
