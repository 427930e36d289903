"""A participant's personal data: the download, the two kinds of erasure, facilitators anonymising, figures after."""

from __future__ import annotations

import json

import pytest

from concerto import i18n
from concerto.accounts.services import Actor, resolve_actor
from concerto.board import services as board
from concerto.comments import services as comments
from concerto.consultations import personal_data
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from concerto.groups import services as groups
from concerto.labels import ANONYMOUS
from concerto.restitution import services as restitution
from concerto.restitution.build import Options, build_document
from concerto.tables import Comment, Contribution, DuplicateDismissal, Participant, RequestKey, Vote
from concerto.votes import services as votes
from tests.factories import World, make_account, make_contribution, make_participant, make_world, visitor
from tests.integration.api_support import stored


async def join(world: World, name: str, organisation: str = "") -> Actor:
    participant_id = await consultations.join(world.consultation, visitor(world), world.token, name, organisation)
    return await resolve_actor(world.consultation["id"], account_id=None, participant_id=participant_id)


def anonymous() -> str:
    return i18n.gettext(ANONYMOUS)


async def figures(world: World) -> dict:
    """What the restitution, the group pages' counts and the board say, next to what is stored."""
    consultation = await consultations.get_by_id(world.consultation["id"])
    document = await build_document(consultation, options=Options(show_authors=True))
    [overview] = await groups.overview(world.consultation["id"])
    state = await board.board(world.facilitator, world.group)
    cards = [card for item in state.items for card in (item, *item.duplicates)]
    published = Contribution.status == "published"
    in_consultation = Contribution.consultation == world.consultation["id"]
    return {
        "restitution": {
            "participants": document.figures.participants,
            "contributors": document.figures.contributors,
            "contributions": document.figures.acquis + document.figures.enjeux,
            "votes": document.figures.votes,
            "supporters": document.figures.supporters,
            "comments": document.figures.comments,
        },
        "group page": {"contributions": overview["contributions"], "votes": overview["votes"]},
        "board": {"cards": len(cards), "votes": sum(card.votes for card in cards if card.status == "published")},
        "stored": {
            "participants": await Participant.count().where(
                # Facilitators and observers are not participants.
                (Participant.consultation == world.consultation["id"]) & (Participant.role == "participant")
            ),
            "contributions": await Contribution.count().where(in_consultation & published),
            "votes": await Vote.count().where((Vote.contribution.consultation == world.consultation["id"]) & (Vote.contribution.status == "published")),
            "supporters": len(
                {
                    row["participant"]
                    for row in await Vote.select(Vote.participant).where(
                        (Vote.contribution.status == "published") & (Vote.contribution.consultation == world.consultation["id"])
                    )
                }
            ),
            "comments": await Comment.count().where(
                (Comment.contribution.consultation == world.consultation["id"]) & (Comment.status == "published")
                & (Comment.contribution.status == "published")
            ),
            "unwithdrawn": await Contribution.count().where(in_consultation & (Contribution.status != "withdrawn")),
        },
        "authors": {item.title: item.author for section in document.groups for theme in section.themes for item in theme.acquis + theme.enjeux},
    }


def consistent(found: dict) -> None:
    """Every count shown agrees with what is stored."""
    shown, kept = found["restitution"], found["stored"]
    assert shown["participants"] == kept["participants"]
    assert shown["contributions"] == kept["contributions"] == found["group page"]["contributions"]
    assert shown["votes"] == kept["votes"] == found["group page"]["votes"]
    assert shown["supporters"] == kept["supporters"]
    assert shown["comments"] == kept["comments"]
    assert found["board"] == {"cards": kept["unwithdrawn"], "votes": kept["votes"]}


async def test_the_download_holds_everything_about_the_person_and_nothing_about_anyone_else(database):
    world = await make_world(budget=0)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit", "Mairie de Lunel")
    kept = await make_contribution(world, alice, "Un tiers-lieu", body="Avec un *atelier*")
    withdrawn = await make_contribution(world, alice, "Une idée retirée", kind="enjeu")
    hidden = await make_contribution(world, alice, "Une idée masquée")
    theirs = await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu")
    secret = await make_contribution(world, bruno, "Une idée de Bruno bientôt masquée")
    await contributions.withdraw(alice, withdrawn)
    await contributions.moderate(world.facilitator, hidden, "hide")
    await board.create_theme(world.facilitator, world.group["id"], {"title": "Locaux"}, [kept])
    await votes.cast(alice, theirs, key="alice-vote-0001")
    await votes.cast(alice, secret)
    await contributions.moderate(world.facilitator, secret, "hide")
    await votes.cast(bruno, kept)
    mine = await comments.add(alice, theirs, {"body": "Oui, **vite**"})
    await comments.add(bruno, kept, {"body": "Commentaire de Bruno"}, key="bruno-comment-01")
    reply = await comments.add(alice, theirs, {"body": "Et ensuite ?", "parent_id": mine})
    before = await stored()

    data = await personal_data.my_data(world.consultation, alice)

    assert await stored() == before  # reading stores nothing
    assert data["participant"] | {"joined_at": None} == {
        "display_name": "Alice Martin",
        "organisation": "Coopérative Alizé",
        "organisation_shown": False,
        "role": "participant",
        "joined_at": None,
        "personal_link": False,
        "facilitator_account": False,
    }
    assert [(c["id"], c["title"], c["status"], c["theme"]) for c in data["contributions"]] == [
        (kept, "Un tiers-lieu", "published", "Locaux"),
        (withdrawn, "Une idée retirée", "withdrawn", None),
        (hidden, "Une idée masquée", "hidden", None),
    ]
    assert data["contributions"][0]["body"] == "Avec un *atelier*"
    assert data["contributions"][0]["group"] == {"id": world.group["id"], "title": "Entreprendre autrement"}
    assert [(c["id"], c["reply_to"], c["body"]) for c in data["comments"]] == [(mine, None, "Oui, **vite**"), (reply, mine, "Et ensuite ?")]
    assert data["comments"][0]["contribution"] == {"id": theirs, "title": "Des baux solidaires"}
    # Someone else's contribution hidden since: named by its number only.
    assert [v["contribution"] for v in data["votes"]] == [{"id": theirs, "title": "Des baux solidaires"}, {"id": secret, "title": None}]
    assert data["request_keys"]["count"] == 1 and await RequestKey.count() == 2
    assert data["board_actions"] == [] and data["phase_changes"] == [] and data["restitution_versions"] == []
    text = json.dumps(data, default=str, ensure_ascii=False)
    for other in ("Bruno", "Mairie de Lunel", "Commentaire de Bruno", "Une idée de Bruno", "bruno-comment-01", "alice-vote-0001"):
        assert other not in text

    # A facilitator's data names what they did on the boards, and nothing about the participants.
    facilitation = await personal_data.my_data(world.consultation, world.facilitator)
    assert [action["kind"] for action in facilitation["board_actions"]] == ["create_theme"]
    assert facilitation["participant"]["facilitator_account"] is True
    assert "Alice" not in json.dumps(facilitation, default=str, ensure_ascii=False)

    with pytest.raises(NotAuthenticated):
        await personal_data.my_data(world.consultation, visitor(world))


async def test_erasing_while_keeping_the_texts_leaves_them_anonymous_and_removes_the_votes(database):
    world = await make_world(budget=0)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit")
    chloe = await join(world, "Chloé")
    local = await make_contribution(world, alice, "Un tiers-lieu")
    fund = await make_contribution(world, alice, "Un fonds d'amorçage", kind="enjeu")
    lease = await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu")
    for voter, items in ((alice, (local, lease)), (bruno, (local, fund)), (chloe, (lease,))):
        for item in items:
            await votes.cast(voter, item, key=f"vote-{voter.participant_id}-{item}-key")
    note = await comments.add(alice, lease, {"body": "Oui"})
    await comments.add(bruno, local, {"body": "D'accord"})
    token = await consultations.return_token(world.consultation["id"], alice)
    await restitution.highlight(world.facilitator, note, True)
    before = await figures(world)
    consistent(before)
    assert before["authors"]["Un tiers-lieu"] == "Alice Martin"

    done = await personal_data.erase(world.consultation, alice, "anonymise")

    assert done == {
        "contributions": "anonymised", "removed_contributions": 0, "removed_comments": 0,
        "anonymous_contributions": 2, "anonymous_comments": 1, "removed_votes": 2,
    }
    after = await figures(world)
    consistent(after)
    assert after["restitution"] == {**before["restitution"], "votes": before["restitution"]["votes"] - 2, "supporters": 2}
    assert after["authors"] == {"Un tiers-lieu": anonymous(), "Un fonds d'amorçage": anonymous(), "Des baux solidaires": "Bruno Petit"}
    # Nothing left of her name, her organisation, her place, her votes or her request keys.
    assert not await Participant.exists().where(Participant.id == alice.participant_id)
    assert not await Participant.exists().where(
        (Participant.display_name == "Alice Martin") | (Participant.organisation == "Coopérative Alizé")
    )
    [stand_in] = await Participant.select().where(Participant.anonymised_at.is_not_null())
    assert (stand_in["display_name"], stand_in["organisation"], stand_in["return_token"], stand_in["role"]) == ("", "", None, "participant")
    assert stand_in["id"] > max(row["id"] for row in await Participant.select(Participant.id).where(Participant.id != stand_in["id"]))
    assert await Contribution.count().where(Contribution.author == stand_in["id"]) == 2
    assert await Comment.count().where(Comment.author == stand_in["id"]) == 1
    assert await Vote.count().where(Vote.participant == stand_in["id"]) == 0
    assert await RequestKey.count().where(RequestKey.participant == alice.participant_id) == 0
    assert await RequestKey.count() == 3  # Bruno's and Chloé's keys stay
    # Nobody can be her any more: her session's id resolves to a visitor, her personal link is refused.
    again = await resolve_actor(world.consultation["id"], account_id=None, participant_id=alice.participant_id)
    assert (again.role, again.participant_id) == ("visitor", None)
    with pytest.raises(Forbidden):
        await consultations.participant_by_return_token(world.consultation, token)
    with pytest.raises(NotAuthenticated):
        await personal_data.erase(world.consultation, again, "anonymise")
    # The anonymous place cannot be given a role, and a highlighted comment is still highlighted, without a name.
    with pytest.raises(Conflict):
        await consultations.set_role(world.consultation, world.facilitator, stand_in["id"], "facilitator")
    document = await build_document(await consultations.get_by_id(world.consultation["id"]), options=Options(show_authors=True))
    [quoted] = [c for g in document.groups for t in g.themes for c in t.comments]
    assert (quoted.author, quoted.body) == (anonymous(), "Oui")


async def test_erasing_and_removing_the_texts_deletes_them_with_what_hangs_on_them(database):
    world = await make_world(budget=2)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit")
    local = await make_contribution(world, alice, "Un tiers-lieu")
    fund = await make_contribution(world, alice, "Un fonds d'amorçage", kind="enjeu")
    lease = await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu")
    same = await make_contribution(world, bruno, "Un lieu partagé")
    await board.mark_duplicate(world.facilitator, same, local)  # Bruno's is grouped with Alice's
    await board.dismiss_pair(world.facilitator, fund, lease)
    await votes.cast(alice, lease)
    await votes.cast(bruno, local)
    await votes.cast(bruno, fund)  # Bruno's budget (2) is spent
    answered = await comments.add(alice, lease, {"body": "Mon avis"})
    await comments.add(bruno, lease, {"body": "Réponse de Bruno", "parent_id": answered})
    alone = await comments.add(alice, lease, {"body": "Seul"})
    await comments.add(alice, lease, {"body": "Moi encore", "parent_id": alone})
    await comments.add(bruno, local, {"body": "Sous la contribution d'Alice"})
    await comments.add(alice, local, {"body": "Alice chez elle"})
    before = await figures(world)
    consistent(before)
    with pytest.raises(Conflict):
        await votes.cast(bruno, same)

    done = await personal_data.erase(world.consultation, alice, "remove")

    assert done == {
        "contributions": "removed", "removed_contributions": 2, "removed_comments": 3,
        "anonymous_contributions": 0, "anonymous_comments": 1, "removed_votes": 1,
    }
    after = await figures(world)
    consistent(after)
    assert after["restitution"]["contributions"] == before["restitution"]["contributions"] - 2
    assert after["restitution"]["votes"] == before["restitution"]["votes"] - 3
    assert after["restitution"]["contributors"] == before["restitution"]["contributors"] - 1
    assert after["authors"] == {"Des baux solidaires": "Bruno Petit", "Un lieu partagé": "Bruno Petit"}
    assert not await Contribution.exists().where(Contribution.id.is_in([local, fund]))
    assert (await Contribution.select(Contribution.duplicate_of).where(Contribution.id == same).first())["duplicate_of"] is None
    assert await DuplicateDismissal.count() == 0
    # Her answered comment stays, empty and hidden, for Bruno's reply; the rest of hers is gone.
    bodies = {row["body"]: row for row in await Comment.select(Comment.body, Comment.status, Comment.author.display_name.as_alias("author"))}
    assert set(bodies) == {"", "Réponse de Bruno"}
    assert (bodies[""]["status"], bodies[""]["author"]) == ("hidden", "")
    page = await comments.thread_page(bruno, lease)
    [thread] = page.threads
    assert (thread.comment["author"], thread.comment["body"], [r.comment["body"] for r in thread.replies]) == (None, "", ["Réponse de Bruno"])
    # Bruno's votes on her contributions went with them: his budget is free again.
    await votes.cast(bruno, same)
    assert "Alice" not in json.dumps(await personal_data.my_data(world.consultation, bruno), default=str)


async def test_refused_erasures_and_anonymisations_change_nothing(database):
    world = await make_world()
    other = await make_world()
    alice = await join(world, "Alice Martin")
    helper = await join(world, "Hélène", "Réseau ESS")
    await consultations.set_role(world.consultation, world.facilitator, helper.participant_id, "facilitator")
    helper = await resolve_actor(world.consultation["id"], account_id=None, participant_id=helper.participant_id)
    stranger = await join(other, "Ailleurs")
    # A facilitator account's place, made a participant: still an account's.
    account_id, _email = await make_account()
    colleague = await resolve_actor(world.consultation["id"], account_id=account_id, participant_id=None)
    assert colleague.role == "visitor"
    row = await Participant.insert(
        Participant(consultation=world.consultation["id"], display_name="Collègue", role="participant", account=account_id)
    ).returning(Participant.id)
    colleague = await resolve_actor(world.consultation["id"], account_id=account_id, participant_id=None)
    assert colleague.participant_id == row[0]["id"]
    await make_contribution(world, alice)
    before = await stored()

    with pytest.raises(NotAuthenticated):
        await personal_data.erase(world.consultation, visitor(world), "anonymise")
    with pytest.raises(Invalid) as bad:
        await personal_data.erase(world.consultation, alice, "everything")
    assert set(bad.value.fields) == {"contributions"}
    with pytest.raises(Invalid):
        await personal_data.erase(world.consultation, alice, None)
    with pytest.raises(Conflict):
        await personal_data.erase(world.consultation, helper, "anonymise")  # facilitators change role first
    with pytest.raises(Conflict):
        await personal_data.erase(world.consultation, world.facilitator, "remove")
    with pytest.raises(Conflict):
        await personal_data.erase(world.consultation, colleague, "remove")  # an account's place
    with pytest.raises(Forbidden):
        await personal_data.anonymise(world.consultation, alice, helper.participant_id)
    with pytest.raises(NotAuthenticated):
        await personal_data.anonymise(world.consultation, visitor(world), alice.participant_id)
    with pytest.raises(Conflict):
        await personal_data.anonymise(world.consultation, world.facilitator, world.facilitator.participant_id)
    with pytest.raises(Conflict):
        await personal_data.anonymise(world.consultation, world.facilitator, helper.participant_id)
    with pytest.raises(Conflict):
        await personal_data.anonymise(world.consultation, helper, world.facilitator.participant_id)
    with pytest.raises(Conflict):
        await personal_data.anonymise(world.consultation, world.facilitator, colleague.participant_id)
    with pytest.raises(NotFound):
        await personal_data.anonymise(world.consultation, world.facilitator, stranger.participant_id)
    with pytest.raises(NotFound):
        await personal_data.anonymise(world.consultation, world.facilitator, 10**9)

    assert await stored() == before
    assert await Participant.exists().where(Participant.display_name == "Alice Martin")


async def test_a_facilitator_anonymises_a_participant_and_the_figures_do_not_change(database):
    world = await make_world(budget=0)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit")
    local = await make_contribution(world, alice, "Un tiers-lieu")
    lease = await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu")
    await votes.cast(alice, lease)
    await votes.cast(alice, local)
    await votes.cast(bruno, local)
    note = await comments.add(alice, lease, {"body": "Oui, vite"})
    await restitution.highlight(world.facilitator, note, True)
    await restitution.update(world.consultation, world.facilitator, {"show_authors": True})
    await restitution.publish(world.consultation, world.facilitator)
    token = await consultations.return_token(world.consultation["id"], alice)
    before = await figures(world)
    consistent(before)
    listing_before = await contributions.list_group(bruno, world.group, await consultations.kinds(world.consultation["id"]))

    stand_in = await personal_data.anonymise(world.consultation, world.facilitator, alice.participant_id)

    after = await figures(world)
    consistent(after)
    assert after["restitution"] == before["restitution"]
    assert after["authors"]["Un tiers-lieu"] == anonymous()
    row = await consultations.participant(world.consultation["id"], world.facilitator, stand_in)
    assert (row["display_name"], row["organisation"], row["anonymised_at"] is not None) == ("", "", True)
    assert await Vote.count().where(Vote.participant == stand_in) == 2
    assert (await resolve_actor(world.consultation["id"], account_id=None, participant_id=alice.participant_id)).role == "visitor"
    with pytest.raises(Forbidden):
        await consultations.participant_by_return_token(world.consultation, token)
    # The group page (its cached listing on SQLite included) shows no name any more.
    listing = await contributions.list_group(bruno, world.group, await consultations.kinds(world.consultation["id"]))
    names = {item["title"]: item["author_name"] for column in listing.columns for item in column.items}
    assert names == {"Un tiers-lieu": "", "Des baux solidaires": "Bruno Petit"}
    assert {item["title"]: item["author_name"] for column in listing_before.columns for item in column.items}["Un tiers-lieu"] == "Alice Martin"
    # The published version keeps its texts, and shows « anonymous » where it showed her name.
    published = await restitution.version(world.consultation["id"], 1)
    items = {item.title: item.author for g in published.groups for t in g.themes for item in t.acquis + t.enjeux}
    assert items == {"Un tiers-lieu": anonymous(), "Des baux solidaires": "Bruno Petit"}
    [quoted] = [c for g in published.groups for t in g.themes for c in t.comments]
    assert (quoted.author, quoted.body) == (anonymous(), "Oui, vite")
    with pytest.raises(Conflict):
        await personal_data.anonymise(world.consultation, world.facilitator, stand_in)


async def test_organisations_reach_readers_only_when_the_consultation_shows_them(database):
    from concerto.live.wall import wall_columns

    world = await make_world()
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    item = await make_contribution(world, alice, "Un tiers-lieu")
    kinds = await consultations.kinds(world.consultation["id"])

    async def seen() -> dict:
        consultation = await consultations.get_by_id(world.consultation["id"])
        document = await build_document(consultation, options=Options(show_authors=True))
        [wall] = [row for column in await wall_columns(world.consultation["id"], None, by_votes=False) for row in column["items"]]
        return {
            "page": (await contributions.get(world.consultation["id"], item, alice))["author_organisation"],
            "restitution": document.groups[0].themes[0].acquis[0].author,
            "wall": wall["author_organisation"],
        }

    assert (await consultations.get_by_slug(world.consultation["slug"]))["show_organisations"] is False
    assert await seen() == {"page": "", "restitution": "Alice Martin", "wall": ""}
    updated = await consultations.update(world.consultation, world.facilitator, {"show_organisations": True})
    assert updated["show_organisations"] is True
    assert (await consultations.get_by_slug(world.consultation["slug"]))["show_organisations"] is True
    assert await seen() == {"page": "Coopérative Alizé", "restitution": "Alice Martin (Coopérative Alizé)", "wall": "Coopérative Alizé"}
    # The listing always reads organisations (it is cached whatever the setting); the page and API decide.
    listing = await contributions.list_group(alice, world.group, kinds)
    assert listing.columns[0].items[0]["author_organisation"] == "Coopérative Alizé"
    await consultations.update(world.consultation, world.facilitator, {"show_organisations": "0"})
    assert await seen() == {"page": "", "restitution": "Alice Martin", "wall": ""}
    before = await stored()
    with pytest.raises(Invalid) as bad:
        await consultations.update(world.consultation, world.facilitator, {"show_organisations": "peut-être"})
    assert set(bad.value.fields) == {"show_organisations"}
    with pytest.raises(Forbidden):
        await consultations.update(world.consultation, alice, {"show_organisations": True})
    assert await stored() == before
    assert (await consultations.get_by_slug(world.consultation["slug"]))["show_organisations"] is False


async def next_event(listener, **wanted) -> dict:
    """The next event with these values (on PostgreSQL, other test runs may publish on the same channel names)."""
    for _attempt in range(20):
        for event in await listener.events():
            if all(event.get(key) == value for key, value in wanted.items()):
                return event
    raise AssertionError(f"no event with {wanted}")


async def no_event(listener, seconds: float = 0.5, **wanted) -> bool:
    """True if no event with these values arrives for ``seconds`` (others, from other test runs, are ignored)."""
    import asyncio

    from concerto.live import events

    hub = events.hub()
    if hub is not None:
        hub.flush()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(anext(listener.stream), remaining)
        except asyncio.TimeoutError:
            return True
        if message.event == "live" and any(
            all(event.get(key) == value for key, value in wanted.items()) for event in json.loads(message.data)["events"]
        ):
            return False
    return True


async def test_live_cards_carry_organisations_only_when_shown_and_erasure_redraws_the_pages(database, settings):
    from concerto.live import events
    from tests.live_support import listening

    world = await make_world()
    group = world.group["id"]
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    async with listening(settings, [events.group_channel(group)]) as listener:
        first = await make_contribution(world, alice, "Sans organisation")
        created = await next_event(listener, type="contribution", id=first, title="Sans organisation")
        assert (created["author_name"], created["author_organisation"]) == ("Alice Martin", "")
        await consultations.update(world.consultation, world.facilitator, {"show_organisations": True})
        assert await next_event(listener, type="redraw") == {"type": "redraw", "group": group}  # names gain their organisation
        second = await make_contribution(world, alice, "Avec organisation")
        created = await next_event(listener, type="contribution", id=second, title="Avec organisation")
        assert created["author_organisation"] == "Coopérative Alizé"
        await contributions.update(alice, first, {"title": "Modifiée"})
        edited = await next_event(listener, type="contribution", id=first, title="Modifiée")
        assert edited["author_organisation"] == "Coopérative Alizé"
        await consultations.update(world.consultation, world.facilitator, {"show_organisations": False})
        await next_event(listener, type="redraw")
        await contributions.update(alice, first, {"title": "Modifiée encore"})
        edited = await next_event(listener, type="contribution", id=first, title="Modifiée encore")
        assert edited["author_organisation"] == "" and "Coopérative" not in json.dumps(edited, ensure_ascii=False)
        await personal_data.erase(world.consultation, alice, "anonymise")
        assert await next_event(listener, type="redraw") == {"type": "redraw", "group": group}
        # Saving settings that leave organisations as they are redraws nothing (last: waiting ends the stream).
        await consultations.update(world.consultation, world.facilitator, {"title": "Un autre titre"})
        assert await no_event(listener, type="redraw")


async def test_a_participant_who_took_part_nowhere_is_erased_too(database):
    world = await make_world()
    observer = await make_participant(world, "Claude", role="observer")
    await personal_data.erase(world.consultation, observer, "remove")
    [row] = await Participant.select(Participant.display_name, Participant.role).where(Participant.anonymised_at.is_not_null())
    assert row == {"display_name": "", "role": "observer"}
    assert not await Participant.exists().where(Participant.display_name == "Claude")
