"""Restitution export speed: a large consultation, every format, time and peak memory.

    python bench/restitution.py            # 10,000 contributions, 200,000 votes, 50,000 comments, 8 groups
    python bench/restitution.py --small    # a quick look (1,000 / 20,000 / 5,000)

The consultation is generated straight into a fresh SQLite file (executemany, not
the services: seeding through them would take longer than what is measured).
Each format is then produced in its own process — build the document from the
database, render it, write it — so that each peak memory figure (VmHWM) is its own.
Figures are printed, never asserted. Targets from the issue: Markdown/HTML < 2 s,
ODT/DOCX < 5 s, PDF < 30 s, peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import resource
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("md", "html", "csv", "json", "odt", "docx", "pdf")
TARGETS = {"md": 2, "html": 2, "csv": 2, "json": 2, "odt": 5, "docx": 5, "pdf": 30}
WORDS = (
    "accompagner structures locaux coopération financement territoire quartiers emploi insertion "
    "mutualiser réseau formation élus habitants commande publique achats responsables alimentation "
    "mobilité solidaire logement énergie culture tiers-lieu jeunes associations coopératives SCIC "
    "monnaie locale réemploi recyclage santé numérique évaluation visibilité sensibiliser"
).split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:]


async def migrate(url: str) -> None:
    from concerto import db
    from concerto.db.migrate import migrate as run

    async with db.connected(url):
        await run(quiet=True)


def seed(path: Path, contributions: int, votes: int, comments: int, groups: int) -> None:
    from concerto.markdown import render_markdown

    rng = random.Random(20270101)
    con = sqlite3.connect(path)
    now = "2026-11-20 10:00:00.000000+00:00"
    con.execute(
        "INSERT INTO consultation (id, slug, title, summary, status, invite_token, join_code, created_at) VALUES (1, 'grande', ?, '', 'open', 'x', 'BENCH1', ?)",
        ("Grande consultation métropolitaine sur l’économie sociale et solidaire", now),
    )
    con.executemany(
        "INSERT INTO contribution_kind (id, consultation, code, label, position) VALUES (?, 1, ?, ?, ?)",
        [(1, "acquis", "Acquis à développer", 0), (2, "enjeu", "Nouveaux enjeux", 1)],
    )
    con.executemany(
        "INSERT INTO meeting (consultation, title, kind, date, place, attendance, notes) VALUES (1, ?, ?, ?, ?, ?, '')",
        [(f"Rencontre {n}", "rencontre", f"2026-{9 + n}-15", "Hôtel de la Métropole", 40 + n) for n in range(1, 4)],
    )
    con.executemany(
        "INSERT INTO working_group (id, consultation, title, description, position, contributions_open, voting_open, vote_budget) VALUES (?, 1, ?, '', ?, 1, 1, 0)",
        [(g, f"Groupe de travail {g} : {sentence(rng, 3)}", g) for g in range(1, groups + 1)],
    )
    people = max(2_000, votes // 40)
    con.executemany(
        "INSERT INTO participant (id, consultation, display_name, organisation, role, created_at) VALUES (?, 1, ?, '', 'participant', ?)",
        [(p, f"Participant {p}", now) for p in range(1, people + 1)],
    )
    themes = []
    for g in range(1, groups + 1):
        for t in range(10):
            themes.append((len(themes) + 1, g, sentence(rng, 3), f"Synthèse : {sentence(rng, 12)}.", t))
    con.executemany(
        "INSERT INTO theme (id, working_group, title, summary, summary_html, position, created_at) VALUES (?, ?, ?, ?, '', ?, '" + now + "')",
        themes,
    )
    rows = []
    for c in range(1, contributions + 1):
        group = rng.randint(1, groups)
        theme = None if rng.random() < 0.2 else (group - 1) * 10 + rng.randint(1, 10)
        body = f"{sentence(rng, 25)}.\n\n- {sentence(rng, 6)}\n- {sentence(rng, 6)}"
        # Stored rendered, as the services do when a contribution is written.
        rows.append(
            (c, group, rng.randint(1, 2), rng.randint(1, people), sentence(rng, 8)[:140], body, render_markdown(body), theme, None)
        )
    con.executemany(
        "INSERT INTO contribution (id, consultation, working_group, kind, author, title, body, body_html, status, created_at, updated_at, theme, duplicate_of) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'published', '" + now + "', '" + now + "', ?, ?)",
        rows,
    )
    # Duplicates: a few contributions grouped with an earlier one of the same group.
    by_group: dict[int, list[int]] = {}
    for row in rows:
        by_group.setdefault(row[1], []).append(row[0])
    pairs = []
    for ids in by_group.values():
        for index in range(10, len(ids), 20):
            pairs.append((ids[index - 5], ids[index]))
    con.executemany("UPDATE contribution SET duplicate_of = ? WHERE id = ?", pairs)
    seen = set()
    vote_rows = []
    group_of = {row[0]: row[1] for row in rows}
    while len(vote_rows) < votes:
        key = (rng.randint(1, people), rng.randint(1, contributions))
        if key not in seen:
            seen.add(key)
            vote_rows.append((key[1], key[0], group_of[key[1]]))
    con.executemany(
        "INSERT INTO vote (contribution, participant, working_group, created_at) VALUES (?, ?, ?, '" + now + "')", vote_rows
    )
    comment_rows = []
    for m in range(1, comments + 1):
        parent = rng.randint(1, m - 1) if m > 1 and rng.random() < 0.3 else None
        target = comment_rows[parent - 1][1] if parent else rng.randint(1, contributions)
        depth = comment_rows[parent - 1][3] + 1 if parent else 1
        if depth > 3:
            parent, depth = None, 1
        comment_rows.append((m, target, parent, depth, rng.randint(1, people), sentence(rng, 15), 1 if rng.random() < 0.002 else 0))
    con.executemany(
        "INSERT INTO comment (id, contribution, parent, depth, author, body, body_html, status, created_at, updated_at, highlighted) "
        "VALUES (?, ?, ?, ?, ?, ?, '', 'published', '" + now + "', '" + now + "', ?)",
        comment_rows,
    )
    con.execute(
        "INSERT INTO restitution (consultation, introduction, context, next_steps, options, updated_at) VALUES (1, ?, ?, ?, '{}', ?)",
        ("Soixante structures réunies en quatre rencontres.", "Les principes du plan.", "Quatre groupes de travail.", now),
    )
    con.commit()
    con.close()


def produce(url: str, format_name: str, output: Path) -> None:
    """In a child process: build the document from the database and render one format."""
    from concerto import db
    from concerto.consultations.services import get_by_slug
    from concerto.restitution import exporters
    from concerto.restitution.services import _document

    async def build():
        async with db.connected(url):
            return await _document(await get_by_slug("grande"))

    started = time.perf_counter()
    document = asyncio.run(build())
    built = time.perf_counter()
    content = exporters.get(format_name).render(document)
    output.write_bytes(content)
    done = time.perf_counter()
    peak = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    # An exporter may lay out in a child process of its own (the PDF does): the larger peak counts.
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
    print(json.dumps({"build": built - started, "render": done - built, "total": done - started, "peak_mb": peak, "bytes": len(content)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        produce(args.child[0], args.child[1], Path(args.child[2]))
        return
    sizes = (1_000, 20_000, 5_000) if args.small else (10_000, 200_000, 50_000)
    with tempfile.TemporaryDirectory(prefix="concerto-restitution-") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        os.environ["CONCERTO_SECRET_KEY"] = "bench"
        asyncio.run(migrate(url))
        started = time.perf_counter()
        seed(path, *sizes, groups=8)
        print(
            f"Generated {sizes[0]:,} contributions, {sizes[1]:,} votes, {sizes[2]:,} comments in 8 groups "
            f"({time.perf_counter() - started:.1f} s), database {path.stat().st_size / 1e6:.0f} MB"
        )
        print(f"{'format':6} {'build s':>8} {'render s':>9} {'total s':>8} {'target':>7} {'peak MB':>8} {'size':>10}")
        for format_name in args.formats.split(","):
            output = Path(tmp) / f"restitution.{format_name}"
            done = subprocess.run(
                [sys.executable, __file__, "--child", url, format_name, str(output)],
                capture_output=True,
                text=True,
                env={**os.environ, "CONCERTO_DATABASE_URL": url},
            )
            if done.returncode != 0:
                print(f"{format_name:6} failed: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
                continue
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            verdict = "met" if figures["total"] < TARGETS[format_name] and figures["peak_mb"] < 500 else "MISSED"
            print(
                f"{format_name:6} {figures['build']:8.2f} {figures['render']:9.2f} {figures['total']:8.2f} "
                f"{'<' + str(TARGETS[format_name]) + ' s':>7} {figures['peak_mb']:8d} {figures['bytes'] / 1e6:8.1f} MB  {verdict}"
            )


if __name__ == "__main__":
    main()
