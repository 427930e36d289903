"""Personal data: participants anonymised (or erased) and whether organisations are shown.

Plain DDL, as in migrations 0008 and 0009; two additive columns.

* ``participant.anonymised_at``: set when a participant's name and organisation
  were wiped (by their own erasure or by a facilitator); such a row never
  carries a name again and nobody can act as it.
* ``consultation.show_organisations``: whether participants' organisations are
  shown next to their names. Off for every consultation, existing ones
  included: an organisation next to a first name often identifies a person,
  so showing it is a choice facilitators make knowingly (data minimisation).
"""

from concerto.db.migrate import ddl_forwards

ID = "2026-12-02T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "personal data: anonymised participants, organisations shown or not"


def statements(postgres: bool) -> list[str]:
    return [
        'ALTER TABLE "participant" ADD COLUMN "anonymised_at" TIMESTAMPTZ DEFAULT null',
        'ALTER TABLE "consultation" ADD COLUMN "show_organisations" BOOLEAN NOT NULL DEFAULT false',
    ]


forwards = ddl_forwards(ID, DESCRIPTION, statements)
