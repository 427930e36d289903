#!/usr/bin/env python3
"""Set up and run Concerto with nothing but Python 3.11+.

    python3 dev.py demo     # install into .venv, load the French demo, serve it
    python3 dev.py test     # install into .venv (with test tools), run the whole suite
    python3 dev.py serve    # run Concerto on the configured database
    python3 dev.py bench    # run the benchmarks in bench/
    python3 dev.py messages # extract the English msgids and update the French catalog

Extra arguments go to the underlying command (e.g. ``python3 dev.py test -k votes``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[concerto] {message}", flush=True)


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):
        raise SystemExit("Concerto needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        say(f"creating a virtual environment in {VENV}")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    say(f"installing Concerto and its dependencies ({target})")
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def ensure_debian_package(present, package: str, purpose: str, absent: str) -> None:
    """Install a Debian package the tests use when we can (as root, with apt-get), else say what skips."""
    if present():
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing {purpose} (apt-get install -y {package})")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run([apt, "install", "-y", "-q", package], env=env).returncode != 0:
            subprocess.run([apt, "update", "-q"], env=env)
            subprocess.run([apt, "install", "-y", "-q", package], env=env)
    if not present():
        say(f"{absent} Install it with: sudo apt-get install -y {package}")


def ensure_chromium() -> None:
    """Browser tests use Debian's Chromium."""
    ensure_debian_package(CHROMIUM.exists, "chromium", "Chromium for the browser tests",
                          "Chromium is not installed (/usr/bin/chromium): the browser tests will be skipped.")


def ensure_libreoffice() -> None:
    """The seed 004 test converts ODT and DOCX to PDF with LibreOffice."""
    ensure_debian_package(lambda: shutil.which("soffice") is not None, "libreoffice-writer-nogui",
                          "LibreOffice Writer for the office conversion test",
                          "LibreOffice is not installed (soffice): the ODT/DOCX conversion test will be skipped.")


def run(command: list[str]) -> None:
    raise SystemExit(subprocess.run(command, cwd=ROOT).returncode)


# tests/unit/test_i18n.py imports these to extract exactly as this command does.
KEYWORDS = ("_", "gettext", "ngettext:1,2", "pgettext:1c,2", "npgettext:1c,2,3", "N_")
CATALOG = ROOT / "src" / "concerto" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"


def update_messages() -> None:
    """Extract the English msgids from code and templates and merge them into the French catalog."""
    import tempfile

    pybabel = str(BIN / "pybabel")
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    locale_dir = str(CATALOG.parents[2])
    with tempfile.TemporaryDirectory() as tmp:
        # The template is a by-product: only the .po file is kept in the repository.
        pot = str(Path(tmp) / "messages.pot")
        subprocess.run(
            [pybabel, "--quiet", "extract", "--mapping-file", "babel.cfg", "--no-default-keywords", *keywords,
             "--no-location", "--sort-output", "--no-wrap", "--project", "Concerto", "--output-file", pot, "."],
            cwd=ROOT,
            check=True,
        )
        if CATALOG.exists():
            # No fuzzy matching: a changed msgid comes back untranslated rather than wrongly guessed.
            command = ["update", "--no-fuzzy-matching", "--ignore-obsolete", "--ignore-pot-creation-date"]
        else:
            command = ["init"]
        subprocess.run(
            [pybabel, "--quiet", *command, "--input-file", pot, "--output-dir", locale_dir, "--locale", "fr",
             "--no-wrap"],
            cwd=ROOT,
            check=True,
        )
    # Count with Babel's own reader, in the virtual environment (dev.py itself stays stdlib-only).
    subprocess.run([str(BIN / "python"), "-c", REPORT_UNTRANSLATED, str(CATALOG.relative_to(ROOT))], cwd=ROOT, check=True)


REPORT_UNTRANSLATED = """
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as handle:
    catalog = read_po(handle)
missing = [m for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]
print(f"[concerto] {len(catalog)} messages, {len(missing)} untranslated in {sys.argv[1]}")
for message in missing:
    print("  " + (message.id[0] if isinstance(message.id, tuple) else message.id))
"""


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "serve", "bench", "messages"}:
        print(__doc__)
        raise SystemExit(2)
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "test":
        ensure_environment("test")
        ensure_chromium()
        ensure_libreoffice()
        run([str(BIN / "python"), "-m", "pytest", *extra])
    elif command == "bench":
        ensure_environment("test")
        run([str(BIN / "python"), "bench/run.py", *extra])
    elif command == "messages":
        ensure_environment("")  # Babel is a runtime dependency
        update_messages()
    else:
        ensure_environment("")
        run([str(BIN / "concerto"), command, *extra])


if __name__ == "__main__":
    main()
