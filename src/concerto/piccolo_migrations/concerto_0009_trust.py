"""Trust: server-side sessions (so that signing out ends them) and sign-in failures (throttling).

Plain DDL, as in migration 0008.
"""

from concerto.db.migrate import ddl_forwards

ID = "2026-12-02T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trust: server-side sessions, sign-in failures"


def statements(postgres: bool) -> list[str]:
    pk = '"id" SERIAL PRIMARY KEY' if postgres else '"id" INTEGER PRIMARY KEY NOT NULL'
    account = 'INTEGER REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'
    return [
        f'CREATE TABLE "web_session" ({pk}, "token_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "account" {account}, '
        '"renewed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE UNIQUE INDEX "web_session_token_hash" ON "web_session" ("token_hash")',
        'CREATE INDEX "web_session_account" ON "web_session" ("account")',
        'CREATE INDEX "web_session_renewed_at" ON "web_session" ("renewed_at")',
        f'CREATE TABLE "login_failure" ({pk}, "subject" VARCHAR(300) NOT NULL DEFAULT \'\', '
        '"failed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE INDEX "login_failure_subject" ON "login_failure" ("subject", "failed_at")',
        'CREATE INDEX "login_failure_failed_at" ON "login_failure" ("failed_at")',
    ]


forwards = ddl_forwards(ID, DESCRIPTION, statements)
