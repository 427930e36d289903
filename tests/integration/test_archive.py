"""Consultation archives: export, import, export again (identical), pseudonymised, and bad archives refused."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from concerto.accounts.services import Actor, resolve_actor
from concerto.archive import ArchiveError
from concerto.archive import importer as importer_module
from concerto.archive.export import export_consultation
from concerto.archive.importer import import_consultation
from concerto.archive.schema import dumps, parse
from concerto.archive.translate import HISTORY_COLUMNS
from concerto.board import changes as board_changes
from concerto.board import services as board
from concerto.comments import services as comments
from concerto.consultations import services as consultations
from concerto.contributions import services as contributions
from concerto.groups import services as groups
from concerto.restitution import services as restitution
from concerto.tables import (
    ALL_TABLES,
    BoardAction,
    Consultation,
    Contribution,
    DuplicateDismissal,
    Participant,
    Theme,
)
from concerto.votes import services as votes
from tests.factories import World, make_contribution, make_world, visitor

# Names that a pseudonymised archive must not contain anywhere.
REAL_NAMES = ("Alice Martin", "Alice", "Martin", "Bruno Petit", "Bruno", "Petit", "Animatrice", "Alizé", "Mairie de Lunel")


@dataclass
class Rich:
    world: World
    second_group: dict
    alice: Actor
    bruno: Actor
    items: dict[str, int]


async def join(world: World, name: str, organisation: str) -> Actor:
    participant_id = await consultations.join(world.consultation, visitor(world), world.token, name, organisation)
    return await resolve_actor(world.consultation["id"], account_id=None, participant_id=participant_id)


async def rich_consultation() -> Rich:
    """Every kind of record an archive holds, board history with undos and removed rows included."""
    world = await make_world(budget=0)
    facilitator = world.facilitator
    second = await groups.create(world.consultation, facilitator, {"title": "Financer", "description": "Les *fonds*", "vote_budget": 3, "voting_open": True})
    for meeting in (
        {"title": "Atelier de Lunel", "kind": "atelier", "date": "2026-10-14", "place": "Salle des fêtes", "attendance": 40, "notes": "Très **riche**"},
        {"title": "Comité", "kind": "comite", "date": "2026-11-02"},
    ):
        await consultations.add_meeting(world.consultation, facilitator, meeting)
    alice = await join(world, "Alice Martin", "Coopérative Alizé")
    bruno = await join(world, "Bruno Petit", "Mairie de Lunel")
    observer = await join(world, "Claude", "")
    await consultations.set_role(world.consultation, facilitator, observer.participant_id, "observer")

    items = {
        "local": await make_contribution(world, alice, "Un tiers-lieu", body="Avec un *atelier*"),
        "bail": await make_contribution(world, bruno, "Des baux solidaires", kind="enjeu"),
        "fonds": await make_contribution(world, alice, "Un fonds d'amorçage"),
        "doublon": await make_contribution(world, bruno, "Un lieu partagé"),
        "pret": await make_contribution(world, alice, "Des prêts d'honneur", kind="enjeu"),
        "masque": await make_contribution(world, bruno, "Une idée masquée"),
        "retire": await make_contribution(world, bruno, "Une idée retirée"),
    }
    items["banque"] = await contributions.create(alice, second, {"title": "Une banque locale", "kind": "acquis", "body": ""})
    await contributions.moderate(facilitator, items["masque"], "hide")
    await contributions.withdraw(bruno, items["retire"])
    for voter, voted in ((alice, ("local", "bail", "pret")), (bruno, ("local", "doublon", "pret")), (bruno, ("banque",))):
        for key in voted:
            await votes.cast(voter, items[key])

    top = await comments.add(alice, items["local"], {"body": "Oui, **vite**"})
    reply = await comments.add(bruno, items["local"], {"body": "D'accord", "parent_id": top})
    await comments.add(alice, items["local"], {"body": "Merci", "parent_id": reply})
    hidden = await comments.add(bruno, items["bail"], {"body": "Hors sujet"})
    await comments.moderate(facilitator, hidden, "hide")
    await restitution.highlight(facilitator, top, True)

    group_id = world.group["id"]
    await board.create_theme(facilitator, group_id, {"title": "Locaux", "summary": "Des **murs**"}, [items["local"], items["bail"]])
    await board.create_theme(facilitator, group_id, {"title": "Argent"}, [items["fonds"]])
    theme_ids = [row["id"] for row in await Theme.select(Theme.id).order_by(Theme.id)]
    await board.update_theme(facilitator, theme_ids[1], {"title": "Financement", "summary": "Les *sous*"})
    merged = await board.merge_themes(facilitator, theme_ids[0], theme_ids[1])
    await board.undo(facilitator, merged)  # the merged theme comes back with its id
    await board.mark_duplicate(facilitator, items["doublon"], items["local"])
    await board.dismiss_pair(facilitator, items["bail"], items["pret"])
    dismissed = await board.dismiss_pair(facilitator, items["bail"], items["fonds"])
    # The dismissal row is gone: a removed id. (Nothing is inserted in its table
    # afterwards: SQLite would give the next row the same id.)
    await board.undo(facilitator, dismissed)
    await board.create_theme(facilitator, group_id, {"title": "Éphémère"}, [items["masque"]])
    ephemere = (await Theme.select(Theme.id).where(Theme.title == "Éphémère").first())["id"]
    await board.dissolve_theme(facilitator, ephemere)  # a removed theme
    await board.move_to_group(facilitator, items["pret"], second["id"])
    await votes.withdraw(alice, items["pret"])  # a vote the move's history names, now removed

    await restitution.update(
        world.consultation,
        facilitator,
        {"introduction": "Bonjour", "context": "Le *cadre*", "next_steps": "La suite", "show_authors": True,
         "group_order": [second["id"], group_id]},
    )
    await restitution.publish(world.consultation, facilitator)
    await restitution.update(world.consultation, facilitator, {"show_authors": False, "min_support": 1})
    await restitution.publish(world.consultation, facilitator)
    return Rich(world, second, alice, bruno, items)


async def row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in ALL_TABLES}


async def exported(slug: str, **options) -> bytes:
    return dumps(await export_consultation(slug, **options))


async def test_export_delete_import_export_is_identical(database):
    rich = await rich_consultation()
    slug = rich.world.consultation["slug"]
    before = await row_counts()
    first = await exported(slug)
    archive = json.loads(first)
    assert archive["format"] == "concerto-archive" and archive["version"] == 3
    assert [len(archive[key]) for key in ("groups", "participants", "contributions", "votes", "comments", "meetings")] == [2, 4, 8, 6, 4, 2]
    assert archive["removed"] == {"groups": [], "themes": [3], "contributions": [], "votes": [7], "duplicate_dismissals": [2]}
    assert "invite" not in first.decode() and rich.world.email not in first.decode()
    assert "<strong>" not in first.decode()  # rendered HTML is not archived
    old_token = rich.world.token

    await Consultation.delete().where(Consultation.slug == slug)
    imported = await import_consultation(parse(first))
    assert (imported["slug"], imported["title"]) == (slug, rich.world.consultation["title"])
    second = await exported(slug)
    assert second == first
    after = await row_counts()
    # Everything is back except the facilitator's account link (accounts are never archived).
    assert after == before
    assert await Participant.count().where(Participant.account.is_not_null() & (Participant.consultation == imported["id"])) == 0
    token = await Consultation.select(Consultation.invite_token).where(Consultation.id == imported["id"]).first()
    assert token["invite_token"] != old_token

    # The copy works like the original: pages render HTML again, history ids point at the new rows.
    admin_actor = Actor(imported["id"], (await Participant.select(Participant.id).where(
        (Participant.consultation == imported["id"]) & (Participant.role == "facilitator")).first())["id"], "facilitator")
    themes = {row["title"]: row for row in await Theme.select().where(Theme.working_group.consultation == imported["id"])}
    assert themes["Locaux"]["summary_html"].strip() == "<p>Des <strong>murs</strong></p>"
    created = await BoardAction.select(BoardAction.id).where(
        (BoardAction.kind == "create_theme") & (BoardAction.working_group.consultation == imported["id"])
    ).order_by(BoardAction.id).first()
    assert (await board.action(admin_actor, created["id"]))["details"]["theme_id"] == themes["Locaux"]["id"]
    # Redo the undone dismissal and undo the dissolution: rows come back under their reserved ids.
    undos = await BoardAction.select(BoardAction.id, BoardAction.details).where(
        (BoardAction.kind == "undo") & BoardAction.undone_by.is_null() & (BoardAction.working_group.consultation == imported["id"])
    )
    redo = next(row for row in undos if json.loads(row["details"])["undone_kind"] == "dismiss_pair")
    await board.undo(admin_actor, redo["id"])
    pairs = await DuplicateDismissal.select(DuplicateDismissal.first.title, DuplicateDismissal.second.title).where(
        DuplicateDismissal.working_group.consultation == imported["id"]
    )
    assert sorted((p["first.title"], p["second.title"]) for p in pairs) == [
        ("Des baux solidaires", "Des prêts d'honneur"),
        ("Des baux solidaires", "Un fonds d'amorçage"),
    ]
    dissolved = await BoardAction.select(BoardAction.id).where(
        (BoardAction.kind == "dissolve_theme") & (BoardAction.working_group.consultation == imported["id"])
    ).first()
    await board.undo(admin_actor, dissolved["id"])
    back = await Theme.select(Theme.id).where(Theme.title == "Éphémère").first()
    masked = await Contribution.select(Contribution.theme).where(
        (Contribution.title == "Une idée masquée") & (Contribution.consultation == imported["id"])
    ).first()
    assert masked["theme"] == back["id"]

    # Published versions keep their document; its contribution ids are those of the copy.
    version = await restitution.version(imported["id"], 1)
    titles = {row["id"]: row["title"] for row in await Contribution.select(Contribution.id, Contribution.title).where(
        Contribution.consultation == imported["id"])}
    items = [item for group in version.groups for theme in group.themes for item in theme.acquis + theme.enjeux]
    assert items and all(titles[item.id] == item.title for item in items)
    assert {item.author for item in items} >= {"Alice Martin"}


async def test_import_next_to_the_original_with_another_slug(database):
    rich = await rich_consultation()
    slug = rich.world.consultation["slug"]
    first = await exported(slug)
    before = await row_counts()

    with pytest.raises(ArchiveError, match="already exists.*--slug"):
        await import_consultation(parse(first))
    assert await row_counts() == before

    copy_ = await import_consultation(parse(first), slug="copie-2027")
    assert copy_["slug"] == "copie-2027" and copy_["id"] != rich.world.consultation["id"]
    again = json.loads(await exported("copie-2027"))
    original = json.loads(first)
    assert again["consultation"].pop("slug") == "copie-2027"
    original["consultation"].pop("slug")
    assert again == original
    after = await row_counts()
    assert after["consultation"] == before["consultation"] + 1
    assert after["contribution"] == 2 * before["contribution"] and after["board_action"] == 2 * before["board_action"]
    # The original is untouched.
    assert await exported(slug) == first

    with pytest.raises(ArchiveError, match="not a valid address"):
        await import_consultation(parse(first), slug="Pas Valide")


async def test_pseudonymised_export_has_no_real_names(database):
    rich = await rich_consultation()
    slug = rich.world.consultation["slug"]
    text = (await exported(slug, pseudonymise=True)).decode()
    for name in REAL_NAMES:
        assert name not in text, name
    archive = json.loads(text)
    assert archive["pseudonymised"] is True
    assert [(p["display_name"], p["organisation"], p["role"]) for p in archive["participants"]] == [
        ("Participant 1", "", "facilitator"),
        ("Participant 2", "", "participant"),
        ("Participant 3", "", "participant"),
        ("Participant 4", "", "observer"),
    ]
    shown = archive["restitution_versions"][0]["document"]  # published with authors shown
    authors = {item["author"] for group in shown["groups"] for theme in group["themes"] for item in theme["acquis"] + theme["enjeux"]}
    assert authors == {"Participant 2", "Participant 3"}
    comment_authors = {c["author"] for group in shown["groups"] for theme in group["themes"] for c in theme["comments"]}
    assert comment_authors == {"Participant 2"}
    # A pseudonymised archive imports and exports again unchanged (names are now the pseudonyms).
    await import_consultation(parse(text.encode()), slug="anonyme")
    again = json.loads(await exported("anonyme"))
    assert again["participants"] == archive["participants"]
    assert again["restitution_versions"] == archive["restitution_versions"]


def _set(path: str, value):
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


DELETE = object()
BAD_ARCHIVES = [
    # A published version is immutable: changing what it says (here one contribution's title) is refused.
    (
        "published version changed",
        _set("restitution_versions.0.document.groups.0.themes.0.acquis.0.title", "Un titre réécrit"),
        "this published version was changed after it was published",
    ),
    ("wrong format", _set("format", "zip"), "this is not a Concerto archive"),
    ("future version", _set("version", 4), "format version 4, newer than this Concerto understands"),
    ("missing field", _set("contributions.0.title", DELETE), "contributions[0]: object missing required field `title`"),
    ("missing table", _set("votes", DELETE), "object missing required field `votes`"),
    ("unknown field", _set("groups.0.colour", "rouge"), "groups[0]: object contains unknown field `colour`"),
    ("wrong type", _set("votes.0.participant", "2"), "votes[0].participant: expected `int`, got `str`"),
    ("wrong status", _set("contributions.0.status", "deleted"), "contributions[0].status: invalid enum value 'deleted'"),
    ("naive time", _set("participants.0.created_at", "2026-10-14T10:00:00"), "participants[0].created_at: expected `datetime` with a timezone"),
    ("too long", _set("themes.0.title", "x" * 141), "themes[0].title: expected `str` of length <= 140"),
    ("unknown group", _set("contributions.1.group", 7), "contributions[1].group: unknown group 7"),
    ("unknown author", _set("comments.0.author", 99), "comments[0].author: unknown participant 99"),
    ("duplicate id", _set("themes.1.id", 1), "themes[1].id: duplicate id 1"),
    ("later parent", _set("comments.0.parent", 3), "comments[0].parent: must be an earlier comment"),
    ("history reference", _set("board_actions.0.changes.0.id", 42), "board_actions[0].changes[0].id: unknown theme 42"),
    ("history column", _set("board_actions.0.changes.1.field", "author"), "unknown column contribution.author"),
    ("details reference", _set("board_actions.0.details.theme_id", 42), "board_actions[0].details.theme_id: unknown theme 42"),
    ("removed and live", _set("removed.themes.0", 1), "removed.themes[0]: 1 is also the id of a theme"),
    ("bad document", _set("restitution_versions.0.document", {"title": "?"}), "restitution_versions[0].document: not a restitution document"),
    ("document reference", _set("restitution_versions.0.document.groups.0.themes.0.acquis.0.id", 77), "unknown contribution 77"),
    ("group order", _set("restitution.options.group_order", [1, 1]), "a group is listed twice"),
    ("double vote", _set("votes.1.contribution", 1), "votes[1]: participant 2 already supports contribution 1"),
]


async def test_bad_archives_are_refused_and_store_nothing(database):
    rich = await rich_consultation()
    raw = await exported(rich.world.consultation["slug"])
    before = await row_counts()
    good = json.loads(raw)

    for name, raw_bad, expected in [
        ("truncated", raw[: len(raw) // 2], "the file is truncated or not JSON"),
        ("empty", b"", "the file is truncated or not JSON"),
        ("not json", b"<html>", "the file is truncated or not JSON"),
        ("a list", b"[1, 2]", "this is not a Concerto archive"),
    ]:
        with pytest.raises(ArchiveError) as refused:
            await import_consultation(parse(raw_bad), slug="ailleurs")
        assert expected in str(refused.value), (name, str(refused.value))
    for name, change, expected in BAD_ARCHIVES:
        data = copy.deepcopy(good)
        change(data)
        with pytest.raises(ArchiveError) as refused:
            await import_consultation(data, slug="ailleurs")
        assert expected in str(refused.value), (name, str(refused.value))
    assert await row_counts() == before


async def test_a_failure_in_the_middle_of_the_import_rolls_everything_back(database, monkeypatch):
    """A fault injected after most rows are written (comments come late): nothing stays."""
    rich = await rich_consultation()
    raw = await exported(rich.world.consultation["slug"])
    before = await row_counts()
    original = importer_module.render_markdown

    def failing(text: str) -> str:
        if text == "Merci":  # the third comment
            raise RuntimeError("disk full")
        return original(text)

    monkeypatch.setattr(importer_module, "render_markdown", failing)
    with pytest.raises(ArchiveError, match=r"the import failed and was rolled back \(disk full\)"):
        await import_consultation(parse(raw), slug="ailleurs")
    assert await row_counts() == before


async def test_unknown_slug_is_refused(database):
    with pytest.raises(ArchiveError, match="no consultation has the address"):
        await export_consultation("nulle-part")


def test_history_columns_cover_every_table_the_board_writes():
    assert set(HISTORY_COLUMNS) == set(board_changes.TABLES)


# -- the command line -------------------------------------------------------------------


def _cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONCERTO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "CONCERTO_LOCALE": "fr"}
    return subprocess.run([sys.executable, "-m", "concerto", *args], env=env, capture_output=True, text=True, timeout=120)


def test_archive_commands_round_trip_and_refuse_bad_files(tmp_path):
    assert _cli(tmp_path, "demo", "--no-serve").returncode == 0
    first, second = tmp_path / "ess.json", tmp_path / "copie.json"
    done = _cli(tmp_path, "archive", "export", "ess-2027", "--output", str(first))
    assert done.returncode == 0, done.stderr
    assert "ess-2027" in done.stdout
    done = _cli(tmp_path, "archive", "import", str(first), "--slug", "copie")
    assert done.returncode == 0, done.stderr
    assert "/c/copie" in done.stdout
    assert _cli(tmp_path, "archive", "export", "copie", "-o", str(second)).returncode == 0
    original, copied = json.loads(first.read_bytes()), json.loads(second.read_bytes())
    assert copied["consultation"].pop("slug") == "copie" and original["consultation"].pop("slug") == "ess-2027"
    assert copied == original

    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(first.read_bytes()[:1000])
    for args, message in [
        (("archive", "import", str(first)), "already exists"),
        (("archive", "import", str(truncated)), "truncated or not JSON"),
        (("archive", "import", str(tmp_path / "missing.json")), "cannot read"),
        (("archive", "export", "nulle-part", "-o", str(tmp_path / "x.json")), "no consultation has the address"),
    ]:
        failed = _cli(tmp_path, *args)
        assert failed.returncode == 2, (args, failed.stderr)
        assert failed.stderr.startswith("error: ") and message in failed.stderr, failed.stderr
        assert "Traceback" not in failed.stderr
    assert not (tmp_path / "x.json").exists()


async def test_the_live_workshop_steps_and_planned_phases_travel_with_the_archive(database):
    import datetime as dt

    from concerto.live import services as live

    world = await make_world()
    slug = world.consultation["slug"]
    await live.save_steps(world.consultation, world.facilitator, [{"kind": "contribute", "minutes": 25}, {"kind": "vote", "minutes": 5}])
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(microsecond=0)
    await live.add_schedule(world.consultation, world.facilitator, {"phase": "voting", "open": True, "at": soon.isoformat(), "group": world.group["id"]})
    await live.add_schedule(world.consultation, world.facilitator, {"phase": "contributions", "open": False, "at": soon.isoformat()})
    first = await exported(slug)
    archive = json.loads(first)
    assert archive["consultation"]["steps"] == [{"kind": "contribute", "minutes": 25}, {"kind": "vote", "minutes": 5}]
    assert [(s["group"], s["phase"], s["open"]) for s in archive["schedules"]] == [(1, "voting", True), (None, "contributions", False)]

    await Consultation.delete().where(Consultation.slug == slug)
    imported = await import_consultation(parse(first))
    assert await exported(slug) == first
    assert await live.steps_of(imported["id"]) == [{"kind": "contribute", "minutes": 25}, {"kind": "vote", "minutes": 5}]
    planned = await live.schedules(imported["id"])
    assert [(row["phase"], row["open"], row["group_title"]) for row in planned] == [
        ("voting", True, world.group["title"]), ("contributions", False, None)
    ]

    # An archive naming a group it does not hold, or a step of an unknown kind, is refused.
    for change, expected in (
        (_set("schedules.0.group", 99), "schedules[0].group: unknown group 99"),
        (_set("consultation.steps.0.kind", "danser"), "consultation.steps[0].kind"),
    ):
        data = copy.deepcopy(archive)
        change(data)
        with pytest.raises(ArchiveError) as refused:
            await import_consultation(data, slug="ailleurs")
        assert expected in str(refused.value)
