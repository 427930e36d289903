"""The live workshop in real browsers: two phones and a wall, a phase closing under someone's
fingers, a submission sent offline, and the control panel driven with the keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as_facilitator

GROUP = "/c/ess-2027/g/1"
CONTROL = "/c/ess-2027/facilitation/live"


def phone(chromium, server, link, name):
    """A participant's phone that joined and opened the first group's page, its stream connected."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    context.set_default_timeout(10000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(link)
    page.get_by_label("Votre nom").fill(name)
    page.get_by_role("button", name="Rejoindre").click()
    expect(page.get_by_text(f"Vous participez sous le nom {name}")).to_be_visible()
    page.goto(server.base + GROUP)
    connected(page)
    return page


def connected(page):
    expect(page.locator("[data-live-status].is-live")).to_be_visible()
    page.evaluate("window.__sameDocument = true")


def facilitator(chromium, server, path):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(10000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    sign_in_as_facilitator(page, server)
    page.goto(server.base + path)
    return page


def api(page, method, path, body=None):
    """A JSON API call from the page's own session (CSRF header included)."""
    return page.evaluate(
        """([method, path, body]) => fetch("/api/v1" + path, {method, credentials: "same-origin",
             headers: {"content-type": "application/json", "x-csrftoken": document.querySelector('meta[name="csrf-token"]').content},
             body: body === null ? undefined : JSON.stringify(body)}).then(r => r.json().then(json => ({status: r.status, json})))""",
        [method, path, body],
    )


def stored_titles(page, title):
    """How many contributions of the first group carry ``title`` (as the API lists them)."""
    listing = api(page, "GET", "/consultations/ess-2027/groups/1/contributions?sort=newest&per_page=200")["json"]
    items = [item for column in listing.get("columns", []) for item in column["items"]]
    items += [item for section in listing.get("sections", []) for column in section["columns"] for item in column["items"]]
    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("duplicates", []))
    return sum(item["title"] == title for item in walk(items))


def propose(page, title, kind="Nouveaux enjeux", body=""):
    page.get_by_text("Proposer une contribution").click()
    page.get_by_role("radio", name=kind).check()
    page.get_by_label("Titre").fill(title)
    if body:
        page.get_by_label("Détails (facultatif)").fill(body)


def test_a_contribution_reaches_the_other_phone_and_the_wall_without_a_reload(demo_server, chromium):
    server, link = demo_server
    wall = facilitator(chromium, server, GROUP + "/wall")
    connected(wall)
    alice = phone(chromium, server, link, "Alice B.")
    bob = phone(chromium, server, link, "Bob C.")

    title = "Un repair café dans chaque tiers-lieu"
    propose(alice, title, body="Avec les **bénévoles** du quartier.")
    alice.get_by_role("button", name="Publier").click()
    expect(alice.get_by_role("status").filter(has_text="publiée")).to_be_visible()

    expect(bob.get_by_role("link", name=title)).to_be_visible()
    card = bob.locator("li.contribution", has=bob.get_by_role("link", name=title))
    expect(card.locator(".prose strong")).to_have_text("bénévoles")
    expect(card).to_contain_text("Alice B.")
    expect(wall.locator(".wall-card", has_text=title)).to_be_visible()
    expect(wall.locator("section.wall-column", has_text="Nouveaux enjeux").locator(".wall-card").first).to_contain_text(title)

    # Bob supports it: Alice's page and the wall count it, Bob's budget goes down.
    card.get_by_role("button", name="Soutenir").click()
    expect(card.locator("[data-votes]")).to_have_text("1")
    alice_card = alice.locator("li.contribution", has=alice.get_by_role("link", name=title))
    expect(alice_card.locator("[data-votes]")).to_have_text("1")
    expect(wall.locator(".wall-card", has_text=title).locator("[data-votes]")).to_have_text("1")
    expect(bob.locator("#budget")).to_contain_text("Il vous reste 4 votes sur 5")

    # Hidden by a facilitator: it leaves every page at once, its text with it.
    item = int(card.get_attribute("id").split("-")[1])
    assert api(wall, "POST", f"/consultations/ess-2027/contributions/{item}/moderation", {"action": "hide"})["status"] == 200
    expect(bob.get_by_role("link", name=title)).to_have_count(0)
    expect(wall.locator(".wall-card", has_text=title)).to_have_count(0)
    expect(bob.locator("#budget")).to_contain_text("Il vous reste 5 votes sur 5")  # his vote came back

    for page in (alice, bob, wall):
        assert page.evaluate("window.__sameDocument") is True  # nothing was reloaded
        assert page.errors == []
        page.context.close()


def test_closing_contributions_while_someone_types_keeps_their_text(demo_server, chromium):
    server, link = demo_server
    control = facilitator(chromium, server, CONTROL)
    writer = phone(chromium, server, link, "Chloé R.")
    title = "Une conciergerie solidaire pour les salariés des zones d’activité"
    body = "Idée longue, tapée pendant l’atelier, qu’il serait dommage de perdre."
    propose(writer, title, body=body)

    control.get_by_role("button", name="Fermer les contributions partout").click()
    expect(control.get_by_role("status").filter(has_text="Phases mises à jour")).to_be_visible()
    message = writer.locator("[data-form-message]")
    expect(message).to_contain_text("vient de fermer les contributions")
    expect(writer.get_by_label("Titre")).to_have_value(title)
    expect(writer.get_by_label("Détails (facultatif)")).to_have_value(body)
    expect(writer.get_by_role("button", name="Publier")).to_be_disabled()
    expect(writer.get_by_role("button", name="Copier mon texte")).to_be_visible()
    expect(writer.locator("[data-phase=contributions]")).to_have_text("Contributions closes")

    # A reload (or a lost connection) keeps it too: the draft is in the browser.
    writer.reload()
    expect(writer.get_by_label("Titre")).to_have_value(title)
    expect(writer.get_by_label("Détails (facultatif)")).to_have_value(body)
    writer.evaluate("window.__sameDocument = true")
    connected(writer)

    control.get_by_role("button", name="Ouvrir les contributions partout").click()
    expect(writer.get_by_role("button", name="Publier")).to_be_enabled()
    expect(message).to_contain_text("de nouveau ouvertes")
    writer.get_by_role("button", name="Publier").click()
    expect(writer.get_by_role("link", name=title)).to_be_visible()
    assert stored_titles(writer, title) == 1
    writer.reload()  # sent: the draft is gone
    writer.get_by_text("Proposer une contribution").click()
    expect(writer.get_by_label("Titre")).to_have_value("")
    assert writer.errors == [] and control.errors == []
    writer.context.close()
    control.context.close()


def test_a_submission_sent_offline_is_stored_once_when_the_network_is_back(demo_server, chromium):
    server, link = demo_server
    page = phone(chromium, server, link, "Hugo P.")
    other = phone(chromium, server, link, "Léa M.")
    title = "Des bancs et de l’ombre sur la place du marché"
    page.context.set_offline(True)
    expect(page.locator("[data-live-status]")).to_contain_text("reconnexion")
    # Meanwhile the room goes on: this one arrives while the phone hears nothing.
    missed = "Une fresque participative sur le mur de l’école"
    created = api(other, "POST", "/consultations/ess-2027/groups/1/contributions", {"kind": "acquis", "title": missed})
    assert created["status"] == 201
    propose(page, title)
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status").filter(has_text="Pas de connexion")).to_be_visible()
    pending = page.locator("[data-pending-list]")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text(title)
    page.context.set_offline(False)
    expect(pending).to_be_hidden(timeout=15000)
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert stored_titles(page, title) == 1
    # Back on the network, the page read itself again: what it missed is there, without a reload.
    expect(page.get_by_role("link", name=missed)).to_be_visible(timeout=15000)
    assert page.evaluate("window.__sameDocument") is True
    other.context.close()

    # The answer is lost after the server stored it: the same request, sent again with its key, is stored once.
    lost = {"done": False}

    def lose_the_answer(route):
        if lost["done"]:
            route.continue_()
            return
        lost["done"] = True
        route.fetch()  # the server receives and stores it...
        route.abort("connectionreset")  # ...but the phone never hears back

    page.route("**/api/v1/consultations/ess-2027/groups/1/contributions", lose_the_answer)
    second = "Un composteur partagé au pied des immeubles"
    propose(page, second)
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status").filter(has_text="Pas de connexion")).to_be_visible()
    page.evaluate("window.ConcertoLive.flush()")  # what the 'online' event or the retry timer does
    expect(pending).to_be_hidden(timeout=15000)
    assert stored_titles(page, second) == 1
    assert page.errors == []
    page.context.close()


def test_the_control_panel_with_the_keyboard_only_and_the_countdown_on_a_phone(demo_server, chromium):
    server, link = demo_server
    control = facilitator(chromium, server, CONTROL)
    watcher = phone(chromium, server, link, "Nora K.")

    def tab_to(name, limit=120):
        for _ in range(limit):
            control.keyboard.press("Tab")
            focused = control.evaluate("(() => { const el = document.activeElement; return (el.getAttribute('aria-label') || el.textContent || el.id || '').trim(); })()")
            if re.fullmatch(name, focused):
                return
        raise AssertionError(f"{name!r} cannot be reached with Tab")

    control.locator("h1").click()  # start from the top of the page
    tab_to("Fermer le vote partout")
    control.keyboard.press("Enter")
    expect(control.get_by_role("status").filter(has_text="Phases mises à jour")).to_be_visible()
    expect(control.locator("#control-groups .badge", has_text="Fermés")).to_have_count(4)
    expect(watcher.locator("[data-phase=voting]")).to_have_text("Votes clos")
    expect(watcher.get_by_role("button", name="Soutenir").first).to_be_hidden()

    # Start step 1 (contribute, 15 minutes) for every group, with the arrow keys and Enter.
    control.get_by_label("Étape", exact=True).focus()
    control.keyboard.press("ArrowDown")  # « 1. Contribuer »
    expect(control.get_by_label("Étape", exact=True)).to_have_value("0")
    control.keyboard.press("Tab")  # groups: all
    control.keyboard.press("Tab")  # the automatic closing checkbox
    control.keyboard.press("Space")
    control.keyboard.press("Tab")
    control.keyboard.press("Enter")  # « Lancer l'étape »
    expect(control.get_by_role("status").filter(has_text="L’étape est lancée")).to_be_visible()
    expect(control.locator("#control-groups")).to_contain_text("Étape 1 sur 3")
    expect(control.locator("[data-countdown-to]").first).to_contain_text(re.compile(r"encore 1[45]:\d\d"))
    expect(control.locator("#control-schedules")).to_contain_text("fin du compte à rebours")

    # The participant's phone shows the step and its countdown, live.
    expect(watcher.locator("[data-step-label]")).to_contain_text("Étape 1 sur 3")
    expect(watcher.locator("[data-step-label]")).to_contain_text("Contribuer")
    expect(watcher.locator("[data-countdown]")).to_contain_text(re.compile(r"encore 1[45]:\d\d"))
    # Five more minutes, from the keyboard.
    control.get_by_role("button", name="+5 min").focus()
    control.keyboard.press("Enter")
    expect(watcher.locator("[data-countdown]")).to_contain_text(re.compile(r"encore (19|20):\d\d"))
    assert watcher.evaluate("window.__sameDocument") is True

    # Put the room back as it was for the other tests.
    control.get_by_role("button", name="Arrêter le compte à rebours").click()
    control.get_by_role("button", name="Ouvrir le vote partout").click()
    expect(watcher.locator("[data-step]")).to_be_visible()
    expect(watcher.get_by_role("button", name="Soutenir").first).to_be_visible()
    assert watcher.errors == [] and control.errors == []
    watcher.context.close()
    control.context.close()


def test_an_edit_being_typed_survives_a_reload_until_it_is_saved(demo_server, chromium):
    server, link = demo_server
    writer = phone(chromium, server, link, "Dominique V.")
    made = api(writer, "POST", "/consultations/ess-2027/groups/1/contributions",
               {"kind": "enjeu", "title": "Un guichet unique pour les porteurs de projets", "body": ""})
    assert made["status"] == 201, made
    edit = f"{server.base}/c/ess-2027/contributions/{made['json']['id']}/edit"
    writer.goto(edit)
    title = writer.get_by_label("Titre")
    title.fill("Un guichet unique pour les porteurs de projets, dans chaque commune")
    writer.wait_for_timeout(400)  # drafts are kept a quarter of a second after the last key
    writer.reload()  # a reload, or a lost connection: the text typed is back, and says so
    expect(title).to_have_value("Un guichet unique pour les porteurs de projets, dans chaque commune")
    expect(writer.locator("[data-form-message]")).to_contain_text("restauré")
    writer.get_by_role("button", name="Enregistrer").click()
    expect(writer.get_by_role("heading", name="Un guichet unique pour les porteurs de projets, dans chaque commune")).to_be_visible()
    writer.goto(edit)  # saved: nothing to restore
    expect(title).to_have_value("Un guichet unique pour les porteurs de projets, dans chaque commune")
    expect(writer.locator("[data-form-message]")).to_be_hidden()
    assert writer.errors == []
    writer.context.close()


def test_the_wall_of_every_group_counts_down_the_step_ending_soonest(demo_server, chromium):
    server, _link = demo_server
    wall = facilitator(chromium, server, "/c/ess-2027/wall")
    connected(wall)
    countdown = wall.locator("[data-countdown]")
    expect(wall.locator("#live-state [data-phase]")).to_have_count(2)
    for badge in wall.locator("#live-state [data-phase]").all():
        expect(badge).to_be_hidden()  # each group has its own phases
    # Two groups' step events, as the stream brings them: the wall follows the one that ends first.
    wall.evaluate("""() => {
      const soon = minutes => new Date(Date.now() + ConcertoLive.offset + minutes * 60000).toISOString();
      const state = (id, minutes) => ({id, contributions_open: true, voting_open: false, vote_budget: 5,
        step: {index: 0, kind: "contribute", number: 1, of: 3}, timer_started_at: soon(0), timer_ends_at: soon(minutes)});
      ConcertoLive.handlers.phase(state(1, 9));
      ConcertoLive.handlers.phase(state(2, 3));
    }""")
    expect(countdown).to_be_visible()
    expect(countdown).to_have_text(re.compile(r"^encore (2:5\d|3:00)$"))
    expect(wall.locator("[data-step-label]")).to_contain_text("Étape 1 sur 3")
    assert wall.errors == []
    wall.context.close()
