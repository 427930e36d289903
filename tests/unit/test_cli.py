"""The `concerto` command, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import sqlite3


def run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONCERTO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "CONCERTO_LOCALE": "fr"}
    return subprocess.run([sys.executable, "-m", "concerto", *args], env=env, capture_output=True, text=True, timeout=60)


def test_migrate_then_create_facilitator(tmp_path):
    assert run(tmp_path, "migrate").returncode == 0
    created = run(tmp_path, "create-facilitator", "--email", "Anne@Example.org", "--name", "Anne", "--password", "un mot de passe long")
    assert created.returncode == 0, created.stderr
    rows = sqlite3.connect(tmp_path / "cli.sqlite3").execute("SELECT email, is_admin FROM account").fetchall()
    assert rows == [("anne@example.org", 0)]
    again = run(tmp_path, "create-facilitator", "--email", "anne@example.org", "--name", "Anne", "--password", "un mot de passe long")
    assert again.returncode == 2 and "existe déjà" in again.stderr
    short = run(tmp_path, "create-facilitator", "--email", "b@example.org", "--name", "B", "--password", "court")
    assert short.returncode == 2 and "10" in short.stderr
    assert len(sqlite3.connect(tmp_path / "cli.sqlite3").execute("SELECT * FROM account").fetchall()) == 1
