"""The facilitation board in a real browser: the keyboard path, and live updates for participants."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as_facilitator

BOARD_GROUP = 3  # « L’ESS dans les communes et les quartiers » in the demo


def test_keyboard_move_into_a_theme_shows_up_live_for_participants(demo_server, chromium):
    server, _link = demo_server
    group_url = f"{server.base}/c/ess-2027/g/{BOARD_GROUP}"

    reader = chromium.new_context()
    reader.set_default_timeout(8000)
    participant_page = reader.new_page()
    participant_page.goto(group_url)
    expect(participant_page.get_by_text("Thème : Quartiers prioritaires")).to_have_count(0)

    facilitator = chromium.new_context()
    facilitator.set_default_timeout(8000)
    page = facilitator.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_as_facilitator(page, server)
    page.goto(f"{group_url}/board")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tableau")

    # Create a theme with the keyboard only.
    page.get_by_label("Titre d’un nouveau thème").focus()
    page.keyboard.type("Quartiers prioritaires")
    page.keyboard.press("Enter")
    theme = page.locator("section.board-column", has=page.get_by_role("heading", name=re.compile("Quartiers prioritaires")))
    expect(theme).to_be_visible()
    expect(theme.locator(".board-card")).to_have_count(0)

    # Its short summary shows a live preview while it is typed (Markdown, no HTML), then saves in place.
    theme.locator(".theme-actions summary").focus()
    page.keyboard.press("Enter")
    summary = theme.get_by_label("Courte synthèse (Markdown)")
    summary.focus()
    page.keyboard.type("Priorité aux **QPV** <script>window.__injected = 1</script>")
    preview = theme.locator(".preview")
    expect(preview.locator("strong")).to_have_text("QPV")
    expect(preview).to_contain_text("<script>")  # shown as text, never run
    assert page.evaluate("window.__injected") is None
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # Saved: the summary now shows under the theme's heading (not only in the preview).
    expect(theme.locator(":scope > .prose strong")).to_have_text("QPV")

    # Move the first unthemed contribution into it through its "Actions" menu, keyboard only.
    unthemed = page.locator("section.board-column", has=page.get_by_role("heading", name=re.compile("Pas encore dans un thème")))
    card = unthemed.locator(".board-card").first
    title = card.locator(".card-title").inner_text()
    card_id = card.get_attribute("id")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    menu = page.locator(f"#{card_id}").get_by_label("Déplacer vers", exact=True)
    menu.focus()
    # The new theme is the last option: arrow down to it, as a keyboard user does.
    for _ in range(menu.locator("option").count() - 1):
        page.keyboard.press("ArrowDown")
    expect(menu.locator("option:checked")).to_have_text("Quartiers prioritaires")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(theme.locator(".board-card .card-title")).to_have_text([title])
    expect(page.locator("#history")).to_contain_text("a déplacé 1 contribution vers « Quartiers prioritaires »")
    # The moved card keeps the keyboard focus, so work can go on from there.
    expect(page.locator(f"#{card_id}")).to_be_focused()

    # The participant's group page follows without a reload.
    participant_page.evaluate("window.__sameDocument = true")
    expect(participant_page.get_by_text("Thème : Quartiers prioritaires")).to_be_visible()
    section = participant_page.locator("section.theme", has=participant_page.get_by_text("Thème : Quartiers prioritaires"))
    expect(section).to_contain_text(title)
    assert participant_page.evaluate("window.__sameDocument") is True

    # Undo from the history, still with the keyboard. Meanwhile another change redraws the
    # board live: the focus stays on the same « Annuler » (it used to be lost with the old button).
    page.locator("#history").get_by_role("button", name="Annuler").first.focus()
    undo_form = page.evaluate("document.activeElement.form.getAttribute('action')")
    csrf = next(cookie["value"] for cookie in facilitator.cookies() if cookie["name"] == "csrftoken")
    response = page.request.post(
        f"{server.base}/api/v1/consultations/ess-2027/groups/{BOARD_GROUP}/themes",
        data={"title": "Créé ailleurs"}, headers={"x-csrftoken": csrf},
    )
    assert response.status == 201
    expect(page.locator("section.board-column", has=page.get_by_role("heading", name=re.compile("Créé ailleurs")))).to_be_visible()
    assert page.evaluate("document.activeElement.form && document.activeElement.form.getAttribute('action')") == undo_form
    page.keyboard.press("Enter")
    expect(theme.locator(".board-card")).to_have_count(0)
    assert errors == []
    facilitator.close()
    reader.close()
