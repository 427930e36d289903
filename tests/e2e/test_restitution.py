"""The restitution editor in a real browser: live preview of the texts, and a download."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as_facilitator


def test_editor_previews_texts_live_and_downloads_an_odt(demo_server, chromium):
    server, _link = demo_server
    context = chromium.new_context(accept_downloads=True)
    context.set_default_timeout(8000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_as_facilitator(page, server)
    page.goto(f"{server.base}/c/ess-2027/facilitation/restitution")

    # The demo's introduction is already written: its preview is shown on arrival.
    preview = page.locator('[data-preview-for="field-introduction"]')
    expect(preview).to_be_visible()
    introduction = page.get_by_label("Introduction", exact=True)
    introduction.fill("")
    introduction.focus()
    page.keyboard.type("Un texte **relu** en atelier.\n\n- premier point\n- second point")
    expect(preview.locator(".prose")).to_contain_text("Un texte relu en atelier")
    expect(preview.locator("strong")).to_have_text("relu")
    expect(preview.locator("li")).to_have_count(2)
    introduction.fill("")
    introduction.dispatch_event("input")
    expect(preview).to_be_hidden()

    # A download saves what was typed first: the file has the new text, and so has the page after a reload.
    introduction.fill("Un texte tapé juste avant de télécharger.")
    with page.expect_download() as download:
        page.get_by_role("link", name="OpenDocument (LibreOffice)").click()
    assert download.value.suggested_filename.endswith(".odt")
    with zipfile.ZipFile(download.value.path()) as odt:  # a zip package, as ODF is
        assert "Un texte tapé juste avant de télécharger." in odt.read("content.xml").decode()
    page.reload()
    expect(introduction).to_have_value("Un texte tapé juste avant de télécharger.")

    # Leaving with unsaved changes asks first; staying keeps the text.
    introduction.fill("Pas encore enregistré")
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name="Tableau de bord de l’animation").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(introduction).to_have_value("Pas encore enregistré")
    assert errors == []
    context.close()
