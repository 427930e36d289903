"""Calendar entries as restitutions list them; contribution titles up to 200 characters.

Plain DDL, as in migrations 0008 to 0010.

* ``meeting.date`` may be empty: a future step known only as « mars-avril 2015 »
  carries its words in the new ``meeting.when`` (one of the two is required, a
  rule of the service); ``meeting.end_date`` closes an entry of several days.
* ``meeting.kind`` holds a built-in code (translated when shown) or the
  facilitators' own words, so it grows from 20 to 60 characters.
* ``contribution.title`` grows from 140 to 200 characters.

SQLite cannot drop a NOT NULL constraint: the small ``meeting`` table is rebuilt
(nothing references it; its one index is made again). SQLite does not enforce
VARCHAR lengths, so ``contribution`` stays as it is there.
"""

from concerto.db.migrate import ddl_forwards

ID = "2026-12-02T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar: kinds of one's own, several days, undated future steps; contribution titles of 200 characters"

_SQLITE_MEETING = (
    'CREATE TABLE "meeting_rebuilt" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"consultation" INTEGER REFERENCES "consultation" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, '
    '"title" VARCHAR(200) NOT NULL DEFAULT \'\', "kind" VARCHAR(60) NOT NULL DEFAULT \'rencontre\', '
    '"date" DATE DEFAULT null, "end_date" DATE DEFAULT null, "when" VARCHAR(60) NOT NULL DEFAULT \'\', '
    '"place" VARCHAR(200) NOT NULL DEFAULT \'\', "attendance" INTEGER DEFAULT null, "notes" TEXT NOT NULL DEFAULT \'\')'
)
_KEPT = '"id", "consultation", "title", "kind", "date", "place", "attendance", "notes"'


def statements(postgres: bool) -> list[str]:
    if postgres:
        return [
            'ALTER TABLE "meeting" ALTER COLUMN "date" DROP NOT NULL',
            'ALTER TABLE "meeting" ALTER COLUMN "date" SET DEFAULT null',
            'ALTER TABLE "meeting" ALTER COLUMN "kind" TYPE VARCHAR(60)',
            'ALTER TABLE "meeting" ADD COLUMN "end_date" DATE DEFAULT null',
            'ALTER TABLE "meeting" ADD COLUMN "when" VARCHAR(60) NOT NULL DEFAULT \'\'',
            'ALTER TABLE "contribution" ALTER COLUMN "title" TYPE VARCHAR(200)',
        ]
    return [
        _SQLITE_MEETING,
        f'INSERT INTO "meeting_rebuilt" ({_KEPT}) SELECT {_KEPT} FROM "meeting"',
        'DROP TABLE "meeting"',
        'ALTER TABLE "meeting_rebuilt" RENAME TO "meeting"',
        'CREATE INDEX meeting_consultation ON "meeting" ("consultation")',
    ]


forwards = ddl_forwards(ID, DESCRIPTION, statements)
