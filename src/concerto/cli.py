"""The ``concerto`` command: serve, demo, migrate, create-facilitator, cluster, import-contributions, archive, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from concerto.settings import get_settings


def _run(coro):
    return asyncio.run(coro)


async def _migrate() -> None:
    from concerto import db
    from concerto.db.migrate import migrate

    async with db.connected(get_settings().database_url):
        await migrate(quiet=True)


def serve(args: argparse.Namespace) -> None:
    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    _run(_migrate())
    from granian import Granian
    from granian.constants import Interfaces

    print(f"Concerto is running on http://{host}:{port}/ ({workers} worker{'s' if workers > 1 else ''}); Ctrl+C stops it.")
    Granian(
        "concerto.app:create_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        log_access=args.access_log,
        reload=args.reload,
        # Every open page holds a live stream: a workshop room is a thousand long requests,
        # beyond granian's default of 1,024 per server.
        backlog=max(1024, settings.max_connections),
        backpressure=settings.max_connections,
        # Open streams never end by themselves: a stop waits this long for them.
        workers_kill_timeout=3,
    ).serve()


def migrate(_args: argparse.Namespace) -> None:
    _run(_migrate())
    print("Database schema is up to date.")


def demo(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_exists, demo_token, ensure_demo_account, load_demo, remove_demo

    settings = get_settings()

    async def prepare() -> tuple[str, str]:
        from concerto.db.migrate import migrate as run_migrations

        async with db.connected(settings.database_url):
            await run_migrations(quiet=True)
            if args.reset and await demo_exists():
                await remove_demo()
            if await demo_exists():
                await ensure_demo_account()
                return "ess-2027", await demo_token()
            loaded = await load_demo()
            return loaded["slug"], loaded["token"]

    slug, token = _run(prepare())
    host = args.host or settings.host
    port = args.port or settings.port
    base = f"http://{host}:{port}"
    print(
        "\n".join(
            [
                "",
                "Concerto demo — a French consultation on a metropolitan social and solidarity economy plan.",
                f"  Consultation:        {base}/c/{slug}",
                f"  Participant link:    {base}/c/{slug}/join/{token}",
                f"  Facilitator sign-in: {base}/login  ({DEMO_EMAIL} / {DEMO_PASSWORD})",
                f"  API schema:          {base}/schema",
                f"  Database:            {settings.database_url}",
                "",
            ]
        )
    )
    if not args.no_serve:
        args.workers = args.workers or settings.workers
        serve(args)


def create_facilitator(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.accounts.services import create_account
    from concerto.errors import ConcertoError
    from concerto.web.errors import describe

    password = args.password or os.environ.get("CONCERTO_FACILITATOR_PASSWORD")
    if not password:
        password = getpass.getpass("Password (10 characters or more): ")

    async def create() -> int:
        from concerto.db.migrate import migrate as run_migrations

        async with db.connected(get_settings().database_url):
            await run_migrations(quiet=True)
            return await create_account(args.email, args.name, password, is_admin=args.admin)

    try:
        account_id = _run(create())
    except ConcertoError as error:
        _status, _code, message, fields = describe(error)
        print(f"error: {message}", *[f"  {name}: {text}" for name, text in fields.items()], sep="\n", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Facilitator account {account_id} created for {args.email}.")


def cluster(args: argparse.Namespace) -> None:
    from concerto.clustering import get_engine
    from concerto.clustering.files import InputError, read_documents

    try:
        documents = read_documents(Path(args.file), args.format)
        engine = get_engine()
    except (InputError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    result = {
        "clusters": [{"label": found.label, "ids": list(found.ids)} for found in engine.suggest(documents)],
        "duplicates": [{"a": pair.a, "b": pair.b, "score": pair.score} for pair in engine.duplicates(documents)],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


def _fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def archive_export(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.archive.export import export_consultation
    from concerto.archive.schema import ArchiveError, dumps
    from concerto.db.migrate import migrate as run_migrations

    async def export() -> dict:
        async with db.connected(get_settings().database_url):
            await run_migrations(quiet=True)
            return await export_consultation(args.slug, pseudonymise=args.pseudonymise)

    try:
        archive = _run(export())
    except ArchiveError as error:
        _fail(str(error))
    output = Path(args.output)
    # Written beside the target then renamed: a failed export leaves no half file.
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_bytes(dumps(archive))
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        _fail(f"cannot write {output}: {error.strerror or error}")
    counts = f"{len(archive['contributions'])} contributions, {len(archive['participants'])} participants"
    print(f"Exported “{args.slug}” to {output} ({counts}{', pseudonymised' if args.pseudonymise else ''}).")


def archive_import(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.archive.importer import import_consultation
    from concerto.archive.schema import ArchiveError, parse
    from concerto.db.migrate import migrate as run_migrations

    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        _fail(f"cannot read {args.file}: {error.strerror or error}")

    async def load() -> dict:
        data = parse(raw)  # a file that is not JSON is refused before connecting
        async with db.connected(get_settings().database_url):
            await run_migrations(quiet=True)
            return await import_consultation(data, slug=args.slug)

    try:
        consultation = _run(load())
    except ArchiveError as error:
        _fail(f"{error}. Nothing was imported.")
    print(
        f"Imported “{consultation['title']}” at /c/{consultation['slug']} (status: {consultation['status']}). "
        "It has a new invitation link; administrators facilitate it and can add facilitators."
    )


def restitution(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.consultations.services import get_by_slug
    from concerto.db.migrate import migrate as run_migrations
    from concerto.errors import ConcertoError
    from concerto.restitution import exporters
    from concerto.restitution import services as restitution_services

    exporter = exporters.get(args.format)

    async def build():
        async with db.connected(get_settings().database_url):
            await run_migrations(quiet=True)
            consultation = await get_by_slug(args.slug)
            if args.version:
                return await restitution_services.version(consultation["id"], args.version)
            # The command line is trusted like a facilitator: it builds the current draft.
            return await restitution_services._document(consultation)

    try:
        document = _run(build())
        content = exporter.render(document)
    except ConcertoError as error:
        from concerto.web.errors import describe

        _fail(describe(error)[2])
    except RuntimeError as error:  # an exporter that cannot run here says why
        _fail(str(error))
    output = Path(args.output)
    try:
        output.write_bytes(content)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    what = f"version {args.version}" if args.version else "draft"
    print(f"Restitution of “{document.title}” ({what}) written to {output} ({exporter.label}, {len(content):,} bytes).")


def import_contributions(args: argparse.Namespace) -> None:
    from concerto import db
    from concerto.accounts.services import Actor
    from concerto.consultations.services import get_by_slug
    from concerto.contributions import imports
    from concerto.db.migrate import migrate as run_migrations
    from concerto.errors import ConcertoError
    from concerto.web.errors import describe

    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as error:
        _fail(f"cannot read {args.file}: {error.strerror or error}")

    async def load() -> tuple[imports.Preview, list[int]]:
        rows = imports.parse(raw, path.name)  # a file that cannot be read is refused before connecting
        async with db.connected(get_settings().database_url):
            await run_migrations(quiet=True)
            consultation = await get_by_slug(args.slug)
            group = await imports.find_group(consultation["id"], args.group) if args.group else None
            preview = await imports.validate(consultation["id"], rows, group)
            if preview.errors or args.dry_run:
                return preview, []
            # No session here: whoever can run this command on the server imports with a facilitator's rights.
            actor = Actor(consultation["id"], None, "facilitator")
            return preview, await imports.store(actor, consultation, preview)

    try:
        preview, created = _run(load())
    except ConcertoError as error:
        _status, _code, message, fields = describe(error)
        details = [f"  {text}" for text in fields.values() if text != message]
        print(f"error: {message}", *details, "Nothing was imported.", sep="\n", file=sys.stderr)
        raise SystemExit(2) from None
    if preview.errors:
        print(*[imports.explain(error) for error in preview.errors], sep="\n", file=sys.stderr)
        count = len({error.line for error in preview.errors})
        _fail(f"{count} line{'s' if count > 1 else ''} to correct in {path.name}. Nothing was imported.")
    for item in preview.items:
        author = f" ({item.author})" if item.author else ""
        print(f"line {item.line}: [{item.group_title}] {item.kind_label} — {item.title}{author}")
    count = len(preview.items)
    if args.dry_run:
        print(f"Dry run: {count} contribution{'s' if count > 1 else ''} would be imported; nothing was stored.")
    else:
        print(f"{len(created)} contribution{'s' if len(created) > 1 else ''} imported")


def backup(args: argparse.Namespace) -> None:
    from concerto.db.backup import BackupError, create_backup

    try:
        summary = _run(create_backup(get_settings().database_url, Path(args.file)))
    except BackupError as error:
        _fail(str(error))
    print(
        f"Backed up {summary.database} to {summary.file}: {summary.size:,} bytes, "
        f"{summary.tables} tables, {summary.rows:,} rows."
    )


def restore(args: argparse.Namespace) -> None:
    from concerto.db.backup import BackupError, restore_backup

    try:
        summary = _run(restore_backup(get_settings().database_url, Path(args.file), force=args.force))
    except BackupError as error:
        _fail(str(error))
    print(
        f"Restored {summary.file} into {summary.database}: {summary.tables} tables, {summary.rows:,} rows, "
        "schema up to date. Restart the server if it is running."
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="concerto", description="Public consultations and working groups.")
    commands = parser.add_subparsers(dest="command", required=True)

    def server_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--host", help="address to listen on (CONCERTO_HOST, default 127.0.0.1)")
        command.add_argument("--port", type=int, help="port (CONCERTO_PORT, default 8000)")
        command.add_argument("--workers", type=int, help="worker processes (CONCERTO_WORKERS, default 1)")
        command.add_argument("--reload", action="store_true", help="restart on code changes (development)")
        command.add_argument("--access-log", action="store_true", help="log every request")

    command = commands.add_parser("serve", help="run the web server (migrates first)")
    server_options(command)
    command.set_defaults(func=serve)

    command = commands.add_parser("demo", help="load the French demo consultation and serve it")
    server_options(command)
    command.add_argument("--reset", action="store_true", help="delete and reload the demo consultation")
    command.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    command.set_defaults(func=demo)

    command = commands.add_parser("migrate", help="bring the database schema up to date")
    command.set_defaults(func=migrate)

    command = commands.add_parser("create-facilitator", help="create a facilitator (or administrator) account")
    command.add_argument("--email", required=True)
    command.add_argument("--name", required=True, help="name shown to participants")
    command.add_argument("--password", help="or CONCERTO_FACILITATOR_PASSWORD, or asked interactively")
    command.add_argument("--admin", action="store_true", help="administrator: facilitates every consultation")
    command.set_defaults(func=create_facilitator)

    command = commands.add_parser(
        "cluster",
        help="suggest groups and likely duplicates among post-its typed into a spreadsheet",
        description="Read post-its from FILE (CSV with columns id,text and optionally kind, comma or "
        'semicolon separated; or JSON: a list of {"id", "text"}) and print suggested clusters and '
        "likely duplicate pairs as JSON. Uses the engine of CONCERTO_TEXT_ENGINE (default meaning: the sentence encoder; tfidf for words only).",
    )
    command.add_argument("file", metavar="FILE", help="a .csv or .json file")
    command.add_argument("--format", choices=["csv", "json"], help="override the format given by the extension")
    command.set_defaults(func=cluster)

    command = commands.add_parser(
        "restitution",
        help="write a consultation's restitution (the current draft, or a published version) to a file",
    )
    command.add_argument("slug", metavar="SLUG", help="the consultation's address, as in /c/SLUG")
    command.add_argument("--format", "-f", required=True, choices=["odt", "docx", "pdf", "html", "md", "csv", "json"])
    command.add_argument("--output", "-o", required=True, metavar="FILE")
    command.add_argument("--version", type=int, metavar="N", help="a published version instead of the current draft")
    command.set_defaults(func=restitution)

    command = commands.add_parser(
        "import-contributions",
        help="import typed-up post-its (CSV or XLSX) into a consultation as contributions, all or nothing",
        description="Read post-its from FILE (.csv separated by ; or , in UTF-8 or Windows-1252, or .xlsx: "
        "first line naming the columns titre/title, texte/body, type/kind, groupe/group, auteur/author) and "
        "create one contribution per line. Every line is checked first: if any has an error, they are all "
        "printed and nothing is stored (exit code 2). Runs with a facilitator's rights without signing in: "
        "anyone who can run this command against the database can import. Lines without an author are "
        "attributed to a participant called « Post-it ».",
    )
    command.add_argument("slug", metavar="SLUG", help="the consultation's address, as in /c/SLUG")
    command.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    command.add_argument("--group", metavar="ID_OR_TITLE", help="working group (number or title) of the lines without one")
    command.add_argument("--dry-run", action="store_true", help="check and print what would be imported, store nothing")
    command.set_defaults(func=import_contributions)

    command = commands.add_parser(
        "archive",
        help="export a whole consultation to a JSON archive, or import one",
        description="Archives hold a whole consultation (see docs/archive-format.md); never accounts or invitation links.",
    )
    archive_commands = command.add_subparsers(dest="archive_command", required=True)
    sub = archive_commands.add_parser("export", help="write a consultation to a JSON archive")
    sub.add_argument("slug", metavar="SLUG", help="the consultation's address, as in /c/SLUG")
    sub.add_argument("--output", "-o", required=True, metavar="FILE", help="the archive to write (.json)")
    sub.add_argument(
        "--pseudonymise", action="store_true", help="replace participants' names by « Participant N » and drop organisations"
    )
    sub.set_defaults(func=archive_export)
    sub = archive_commands.add_parser("import", help="create a consultation from a JSON archive (all or nothing)")
    sub.add_argument("file", metavar="FILE", help="an archive written by concerto archive export")
    sub.add_argument("--slug", metavar="NEW", help="import under this address instead of the archive's")
    sub.set_defaults(func=archive_import)

    command = commands.add_parser(
        "backup",
        help="write a consistent backup of the whole database to a file (the server may keep running)",
        description="SQLite: a copy made with SQLite's online backup API. PostgreSQL: pg_dump --format=custom of "
        "Concerto's schema (needs the PostgreSQL client tools). The file holds personal data: keep it safe.",
    )
    command.add_argument("file", metavar="FILE", help="the backup to write (replaced if it exists)")
    command.set_defaults(func=backup)

    command = commands.add_parser(
        "restore",
        help="replace the whole database by a backup made with concerto backup, then migrate it",
        description="Checks FILE first: a file that is not a whole backup for this kind of database is refused and "
        "nothing changes. A database that already holds data is only replaced with --force.",
    )
    command.add_argument("file", metavar="FILE", help="a backup written by concerto backup")
    command.add_argument("--force", action="store_true", help="replace a database that already holds data")
    command.set_defaults(func=restore)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
