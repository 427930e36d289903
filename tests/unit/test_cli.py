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


def test_restitution_command_writes_the_draft(tmp_path):
    assert run(tmp_path, "demo", "--no-serve").returncode == 0
    output = tmp_path / "restitution.md"
    done = run(tmp_path, "restitution", "ess-2027", "--format", "md", "--output", str(output))
    assert done.returncode == 0, done.stderr
    text = output.read_text()
    assert text.startswith("# Plan métropolitain de l’ESS") and "## Suite des travaux" in text or "Suite des travaux" in text
    assert "Les acquis à développer" in text and "De nouveaux enjeux" in text
    missing = run(tmp_path, "restitution", "inconnue", "--format", "md", "--output", str(output))
    assert missing.returncode == 2 and "n’existe pas" in missing.stderr
    bad = run(tmp_path, "restitution", "ess-2027", "--format", "md", "--version", "4", "--output", str(output))
    assert bad.returncode == 2
