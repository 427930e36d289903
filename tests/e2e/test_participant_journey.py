"""The participant journey in a real browser: join, propose, vote, reply."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_participant_joins_proposes_votes_and_replies(demo_server, chromium):
    server, link = demo_server
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone
    context.set_default_timeout(8000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Open the invitation link and choose a name.
    page.goto(link)
    expect(page.get_by_role("heading", name="Rejoindre la consultation")).to_be_visible()
    page.get_by_label("Votre nom").fill("Inès R.")
    page.get_by_label("Votre structure (facultatif)").fill("Épicerie solidaire du Port")
    page.get_by_role("button", name="Rejoindre").click()
    expect(page.get_by_text("Vous participez sous le nom Inès R.")).to_be_visible()

    # Go to the first working group.
    page.get_by_role("link", name="Entreprendre et coopérer").click()
    expect(page.get_by_role("heading", level=1, name="Entreprendre et coopérer")).to_be_visible()

    # Propose one acquis and one nouvel enjeu.
    for kind, title in (
        ("Acquis à développer", "Garder les permanences juridiques gratuites pour les associations"),
        ("Nouveaux enjeux", "Un guichet unique pour les coopératives naissantes"),
    ):
        page.get_by_text("Proposer une contribution").click()
        page.get_by_role("radio", name=kind).check()
        page.get_by_label("Titre").fill(title)
        if "guichet unique" in title:
            # Before publishing, similar contributions are offered to support instead.
            expect(page.locator("#similar")).to_be_visible()
            expect(page.locator("#similar")).to_contain_text("Un guichet unique pour les porteurs de projets")
        page.get_by_label("Détails (facultatif)").fill("Proposé en atelier, **à creuser**.")
        page.get_by_role("button", name="Publier").click()
        expect(page.get_by_role("link", name=title)).to_be_visible()
        expect(page.get_by_role("status").first).to_contain_text("publiée")
    acquis_column = page.locator("section.column").filter(has=page.get_by_role("heading", name=re.compile("Acquis")))
    enjeu_column = page.locator("section.column").filter(has=page.get_by_role("heading", name=re.compile("Nouveaux enjeux")))
    expect(acquis_column.get_by_role("link", name="Garder les permanences juridiques gratuites pour les associations")).to_be_visible()
    expect(enjeu_column.get_by_role("link", name="Un guichet unique pour les coopératives naissantes")).to_be_visible()

    # Vote in place (JavaScript): the count, the button and the budget change without a reload.
    budget = page.locator("#budget")
    expect(budget).to_contain_text("Il vous reste 5 votes sur 5")
    candidate = page.locator("li.contribution").filter(has=page.get_by_role("button", name="Soutenir")).first
    item = page.locator("#" + candidate.get_attribute("id"))
    before = int(item.locator("[data-votes]").inner_text())
    page.evaluate("window.__sameDocument = true")
    item.get_by_role("button", name="Soutenir").click()
    expect(item.locator("[data-votes]")).to_have_text(str(before + 1))
    expect(item.get_by_role("button", name="Soutenu — retirer")).to_have_attribute("aria-pressed", "true")
    expect(budget).to_contain_text("Il vous reste 4 votes sur 5")
    assert page.evaluate("window.__sameDocument") is True  # no navigation happened

    # Reply to a comment on a contribution that has some.
    with_comments = page.locator("li.contribution .meta a").filter(has_text=re.compile(r"^[1-9]\d* commentaires?$")).first
    with_comments.click()
    expect(page.locator("#comments")).to_be_visible()
    first_comment = page.locator("li.comment").first
    first_comment.locator("summary", has_text="Répondre").first.click()
    first_comment.get_by_label(re.compile("Votre réponse à")).first.fill("Tout à fait d’accord, on peut s’en occuper au prochain atelier.")
    first_comment.get_by_role("button", name="Publier la réponse").first.click()
    reply = page.locator("li.comment > article", has_text="on peut s’en occuper au prochain atelier")
    expect(reply).to_be_visible()
    expect(reply.locator(".meta")).to_contain_text("Inès R.")

    # Everything is stored: reload and find it again.
    page.reload()
    stored = page.locator("li.comment.depth-2 > article", has_text="on peut s’en occuper au prochain atelier")
    expect(stored).to_be_visible()
    assert errors == []
    context.close()


def test_voting_works_without_javascript(demo_server, chromium):
    server, link = demo_server
    context = chromium.new_context(java_script_enabled=False)
    context.set_default_timeout(8000)
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Votre nom").fill("Sans JS")
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_role("link", name="Sensibiliser, former, évaluer").click()
    item = page.locator("li.contribution").filter(has=page.get_by_role("button", name="Soutenir")).first
    item_id = item.get_attribute("id")
    before = int(item.locator("[data-votes]").inner_text())
    item.get_by_role("button", name="Soutenir").click()
    expect(page).to_have_url(re.compile(f"#{item_id}$"))
    voted = page.locator(f"#{item_id}")
    expect(voted.locator("[data-votes]")).to_have_text(str(before + 1))
    expect(voted.get_by_role("button", name="Soutenu — retirer")).to_be_visible()
    expect(page.locator("#budget")).to_contain_text("Il vous reste 2 votes sur 3")
    context.close()
