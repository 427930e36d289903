"""In Chromium: a participant erases their data from their personal page; a facilitator anonymises someone (with axe checks)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from concerto import i18n
from tests.e2e.conftest import sign_in_as_facilitator
from tests.e2e.test_accessibility import violations


def _(message: str, **params) -> str:
    """The page's words: French once translated, the English msgid until then."""
    i18n.set_locale("fr")
    return i18n.gettext(message, **params)


def test_a_participant_erases_their_data_and_a_facilitator_anonymises_someone(demo_server, chromium):
    server, link = demo_server
    context = chromium.new_context()
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Votre nom").fill("Zoé Z.")
    page.get_by_label(_("Your organisation (optional)")).fill("Collectif Z")
    page.get_by_role("button", name="Rejoindre").click()
    page.goto(server.base + "/c/ess-2027/me")
    found = {"/me": violations(page)}
    with page.expect_download() as download:
        page.get_by_role("link", name=_("Download my data (JSON file)")).click()
    assert "Zoé Z." in download.value.path().read_text() and download.value.suggested_filename.endswith("personal-data.json")

    page.get_by_role("link", name=_("Erase my data…")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Erase my data"))
    found["/me/erase"] = violations(page)
    keep = _("Keep them, shown as « %(anonymous)s »: the discussion keeps its content.", anonymous=_("Anonymous participant"))
    page.get_by_role("radio", name=keep).check()
    page.get_by_role("button", name=_("Erase my data")).click()
    expect(page.get_by_text(_("Your personal data is erased. You no longer take part under that name, on any browser."))).to_be_visible()
    expect(page.locator(".whoami")).to_have_count(0)  # a visitor now
    context.close()

    context = chromium.new_context()
    context.set_default_timeout(8000)
    page = context.new_page()
    sign_in_as_facilitator(page, server)
    page.goto(server.base + "/c/ess-2027/facilitation")
    page.locator('#participants a[href$="/anonymise"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(_("Anonymise %(name)s", name="").strip())
    found["anonymise"] = violations(page)
    page.get_by_role("button", name=re.compile(re.escape(_("Anonymise %(name)s", name="").strip()))).click()
    expect(page.get_by_text(_("The participant is anonymous: name and organisation wiped, contributions kept."))).to_be_visible()
    expect(page.locator("#participants").get_by_text(_("Anonymous participant")).first).to_be_visible()
    found["dashboard after"] = violations(page)
    context.close()
    assert {path: problems for path, problems in found.items() if problems} == {}
