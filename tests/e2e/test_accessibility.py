"""axe-core (the accessibility engine browsers' audit tools use) on every kind of page, in Chromium.

Each page is checked against the WCAG 2.1 A and AA rules axe can verify automatically, and
axe's best practices (landmarks, heading order...); what it cannot see (sense, reading order,
keyboard journeys) the other browser tests cover.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as_facilitator

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, "resultTypes": ["violations"]}

PUBLIC_PAGES = [
    "/",
    "/login",
    "/c/ess-2027",
    "/c/ess-2027/g/3",
    "/c/ess-2027/contributions/1",
    "/c/ess-2027/restitution",
    "/c/ess-2027/page-that-does-not-exist",  # the French 404 page
]
FACILITATOR_PAGES = [
    "/facilitation",
    "/c/ess-2027/facilitation",
    "/c/ess-2027/facilitation/meetings/1",
    "/c/ess-2027/facilitation/groups/3",
    "/c/ess-2027/g/3/board",
    "/c/ess-2027/g/3/board?suggest=group",
    "/c/ess-2027/g/3/board?duplicates=1",
    "/c/ess-2027/facilitation/restitution",
    "/c/ess-2027/facilitation/live",  # the live control panel
    "/c/ess-2027/g/3/wall",  # a group's projection wall
    "/c/ess-2027/wall?votes=1&authors=0",  # the consultation's wall, votes revealed
    "/c/ess-2027/facilitation/poster",
    "/c/ess-2027/facilitation/import",
]


def violations(page) -> list[str]:
    results = Axe().run(page, options=RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_public_and_participant_pages_have_no_wcag_violations(demo_server, chromium):
    server, link = demo_server
    context = chromium.new_context()  # a new visitor, whichever database this run serves
    context.set_default_timeout(8000)
    page = context.new_page()
    found = {}
    for path in PUBLIC_PAGES:
        page.goto(server.base + path)
        found[path] = violations(page)
    page.goto(link)  # the invitation page, then the same pages as a participant
    found["invitation"] = violations(page)
    page.get_by_label("Votre nom").fill("Axel A.")
    page.get_by_role("button", name="Rejoindre").click()
    for path in ("/c/ess-2027", "/c/ess-2027/me", "/c/ess-2027/g/3"):
        page.goto(server.base + path)
        found[f"{path} (participant)"] = violations(page)
    # A form sent back by the server with its errors (a title of blanks), as a participant sees it.
    page.get_by_text("Proposer une contribution").click()
    page.get_by_role("radio", name="Acquis à développer").check()
    page.get_by_label("Titre").fill("   ")
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    found["form with errors"] = violations(page)
    page.goto(server.base + "/c/ess-2027/g/3")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    found["/c/ess-2027/g/3 (English)"] = violations(page)
    context.close()
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_facilitator_pages_have_no_wcag_violations(demo_server, chromium):
    server, _link = demo_server
    context = chromium.new_context()
    context.set_default_timeout(8000)
    page = context.new_page()
    sign_in_as_facilitator(page, server)
    found = {}
    for path in FACILITATOR_PAGES:
        page.goto(server.base + path)
        found[path] = violations(page)
    # The restitution as a standalone HTML file, as an administration would put it online.
    response = page.request.get(server.base + "/c/ess-2027/facilitation/restitution/draft/html")
    assert response.ok
    page.set_content(response.text())
    found["restitution.html"] = violations(page)
    context.close()
    assert {path: problems for path, problems in found.items() if problems} == {}
