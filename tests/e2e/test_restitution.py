"""The restitution editor in a real browser: live preview of the texts, and a download."""

from __future__ import annotations

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

    with page.expect_download() as download:
        page.get_by_role("link", name="OpenDocument (LibreOffice)").click()
    assert download.value.suggested_filename.endswith(".odt")
    with open(download.value.path(), "rb") as odt:
        assert odt.read(2) == b"PK"  # a zip package, as ODF is
    assert errors == []
    context.close()
