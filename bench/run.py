"""Concerto's core benchmark: one real server over loopback, loaded by wrk.

    python bench/run.py [--duration 10] [--warmup 2] [--rounds 3] [--connections 50] [--profile] [--keep]

Seeds a fresh SQLite database through the services, starts ``concerto serve``
as a user would (one worker, production settings, plus the two ceiling routes
of ``concerto.bench_routes``), lets participants join through the invitation
form, then measures with wrk, in this order:

* the framework's ceilings: an empty handler, and the group template rendered
  from a context held in memory;
* the group page listing 200 contributions;
* a vote as a participant casts it (session, CSRF, budget check, insert);
* posting a contribution through the page form.

The five scenarios run in rounds (interleaved, so a ceiling and the page it
bounds are measured a few seconds apart) and the table gives each figure's
median over the rounds.

Figures are printed, never asserted. See bench/README.md for how to read them.
The helpers live next to this file: world.py (seeding, participants),
server.py (the server process), wrk.py and replay.lua (the load),
profiling.py (``--profile``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

from profiling import finish_profiler, print_profile, start_profiler
from server import WRITE_RATE_LIMIT, descendants, free_port, start_server, status_field, stop_server, wait_until_up
from world import (
    PAGE_CONTRIBUTIONS,
    WRITE_GROUP_CONTRIBUTIONS,
    Participant,
    Seeded,
    join_participants,
    seed,
    title_variant,
    vote_with_form,
)
from wrk import Result, remaining_lines, run_wrk, write_requests

LISTED = re.compile(r'<li id="contribution-\d+"')


# -- the run ------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("litestar", "piccolo", "granian", "jinja2"))


def vote_route(base: str, slug: str) -> str | None:
    """The JSON API's vote route if this build has it (``PUT .../contributions/{id}/vote``)."""
    try:
        schema = httpx.get(base + "/schema/openapi.json", timeout=10).json()
    except (httpx.HTTPError, ValueError):
        return None
    for path, operations in schema.get("paths", {}).items():
        if re.fullmatch(r"/api/v1/consultations/\{[^}]+\}/contributions/\{[^}]+\}/vote", path) and "put" in operations:
            return path
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of measurement per scenario (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each scenario (default 2)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all scenarios, interleaved; the table gives medians (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--vote-via", choices=("auto", "api", "form"), default="auto", help="vote through the JSON API (auto: when it exists) or the no-JavaScript form")
    parser.add_argument("--profile", action="store_true", help="sample the worker with py-spy during each measurement and say where the time goes (slows the server: use for attribution, not figures)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log, wrk output)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    # A polite stop on SIGTERM too: the finally blocks below stop the server.
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="concerto-bench-"))
    try:
        _bench(args, workdir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        if args.keep:
            print(f"\nKept {workdir} (database, server.log, requests and wrk output).")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _bench(args, workdir: Path) -> None:
    database = workdir / "bench.sqlite3"
    database_url = f"sqlite:///{database}"
    print(f"Concerto benchmark — {cpu_model()}, {os.cpu_count()} cores; Python {sys.version.split()[0]}; {versions()}")
    print(f"Load average before: {load_average()} (other work on this machine skews the figures)")
    print(f"Seeding {database} through the services…", flush=True)
    started = time.monotonic()
    seeded = asyncio.run(seed(database_url))
    print(f"  done in {time.monotonic() - started:.1f} s: group {seeded.page_group} with {PAGE_CONTRIBUTIONS} contributions, "
          f"write group {seeded.write_group} (budget {seeded.write_budget}, {WRITE_GROUP_CONTRIBUTIONS} contributions)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(workdir, database_url, port)
    try:
        wait_until_up(base, server, workdir)
        _measure(args, workdir, base, seeded, server, database)
    finally:
        stop_server(server)


def _lines_for_votes(seeded: Seeded, voters: list[Participant], api_path: str | None) -> list[tuple]:
    """Every (voter, contribution) pair once, within the budget: each one a real insert."""
    lines = []
    write_ids = seeded.write_contributions
    # Round after round, so each participant's votes are spread over the run.
    for round_ in range(seeded.write_budget):
        for index, voter in enumerate(voters):
            contribution_id = write_ids[(round_ + index * 7) % len(write_ids)]
            if api_path:
                path = f"/api/v1/consultations/{seeded.slug}/contributions/{contribution_id}/vote"
                lines.append(("PUT", path, voter.cookie, voter.csrf, ""))
            else:
                body = urllib.parse.urlencode(
                    {"_csrf_token": voter.csrf, "action": "cast", "next": f"/c/{seeded.slug}/g/{seeded.write_group}"}
                )
                lines.append(("POST", f"/c/{seeded.slug}/contributions/{contribution_id}/vote", voter.cookie, "", body))
    return lines


def _lines_for_posts(seeded: Seeded, voters: list[Participant]) -> list[tuple]:
    from concerto.demo import content

    lines = []
    for index in range(2_000):
        voter = voters[index % len(voters)]
        text = content.CONTRIBUTIONS[index % len(content.CONTRIBUTIONS)]
        body = urllib.parse.urlencode(
            {
                "_csrf_token": voter.csrf,
                "kind": ("acquis", "enjeu")[index % 2],
                "title": title_variant(text["title"], 10 + index),
                "body": text.get("body", ""),
            }
        )
        lines.append(("POST", f"/c/{seeded.slug}/g/{seeded.write_group}/contributions", voter.cookie, "", body))
    return lines


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _count(database: Path, sql: str, *params) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchone()[0]


def _print_table(title: str, rows: list[tuple]) -> None:
    print(title)
    print(f"  {'scenario':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'CPU ms/req':>11} {'server CPU':>11} {'wrk CPU':>8} {'other CPU':>10}")
    for label, rps, p50, p99, errors, cpu_ms, server_cpu, client_cpu, other_cpu in rows:
        print(
            f"  {label:<40} {rps:>8,.0f} {p50:>8.1f} {p99:>8.1f} {errors:>7} "
            f"{cpu_ms:>11.2f} {server_cpu:>10.0%} {client_cpu:>8.0%} {other_cpu:>10.0%}"
        )


def _measure(args, workdir: Path, base: str, seeded: Seeded, server: subprocess.Popen, database: Path) -> None:
    pids = descendants(server.pid)
    worker_pid = max(pids)  # granian's worker, spawned after the main process
    print(f"Server: `concerto serve` (pid {server.pid}, worker pid {worker_pid}) on {base}: 1 worker, SQLite, "
          f"production settings, CONCERTO_BENCH_ROUTES=1 for the ceilings; CONCERTO_WRITE_RATE_LIMIT={WRITE_RATE_LIMIT:,} "
          "so that one load generator on one address is not throttled (the rate-limit middleware still runs).")

    reader, = asyncio.run(join_participants(base, seeded, 1))
    reader = asyncio.run(vote_with_form(base, seeded, reader, seeded.page_contributions[:3]))
    page_path = f"/c/{seeded.slug}/g/{seeded.page_group}?per_page={PAGE_CONTRIBUTIONS}"
    ceiling_path = f"/_bench/group-template?slug={seeded.slug}&group_id={seeded.page_group}&per_page={PAGE_CONTRIBUTIONS}"
    page = httpx.get(base + page_path, headers={"cookie": reader.cookie}, timeout=30)
    ceiling = httpx.get(base + ceiling_path, headers={"cookie": reader.cookie}, timeout=30)
    budget = "yes" if 'id="budget"' in page.text else "NO"
    print(f"Check: group page {page.status_code}, {len(page.content):,} bytes, {len(LISTED.findall(page.text))} contributions "
          f"listed, budget shown: {budget}; in-memory template {ceiling.status_code}, {len(ceiling.content):,} bytes, "
          f"{len(LISTED.findall(ceiling.text))} contributions listed.")

    api_path = vote_route(base, seeded.slug) if args.vote_via != "form" else None
    if args.vote_via == "api" and api_path is None:
        raise SystemExit("--vote-via api: this build has no PUT …/contributions/{id}/vote route in /schema/openapi.json")
    vote_label = "vote (JSON API, PUT)" if api_path else "vote (no-JS page form, POST)"
    vote_expected = 200 if api_path else 303
    post_label = "post a contribution (page form)"
    labels = [
        "empty handler (ceiling)",
        "group template from memory (ceiling)",
        f"group page, {PAGE_CONTRIBUTIONS} contributions",
        vote_label,
        post_label,
    ]
    read_lines = {
        labels[0]: [("GET", "/_bench/empty", reader.cookie, "", "")],
        labels[1]: [("GET", ceiling_path, reader.cookie, "", "")],
        labels[2]: [("GET", page_path, reader.cookie, "", "")],
    }
    vote_lines: list[tuple] = []
    vote_prepared = 0
    post_lines: list[tuple] = []
    results: dict[str, list[Result]] = {label: [] for label in labels}
    warmups: dict[str, list[Result]] = {label: [] for label in labels}
    profiles: list[tuple[str, Path | None]] = []
    contributions_before = _count(database, "SELECT COUNT(*) FROM contribution WHERE working_group = ?", seeded.write_group)

    def scenario(label: str, lines: list[tuple], *, expected: int, mode: str) -> list[tuple]:
        """Warm up, then measure; returns the lines not sent yet (for "once")."""
        path = workdir / f"requests-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.tsv"
        for phase in ("warm-up", "measure"):
            write_requests(path, lines)
            duration = args.warmup if phase == "warm-up" else args.duration
            # Profile the first round only: one profile per scenario is enough.
            profiling = phase == "measure" and not results[label]
            profiler = start_profiler(args, workdir, label, worker_pid, duration) if profiling else None
            result = run_wrk(label, base, path, expected=expected, mode=mode, duration=duration, args=args, server_pids=pids)
            if profiler:
                profiles.append((label, finish_profiler(*profiler)))
            (warmups if phase == "warm-up" else results)[label].append(result)
            if mode == "once":
                lines = remaining_lines(lines, result.consumed, args.threads)
        print(f"    {label}: {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms, errors {result.errors}", flush=True)
        return lines

    print(f"Measuring: wrk -t{args.threads} -c{args.connections}; each scenario {args.warmup} s warm-up then "
          f"{args.duration} s measured; {args.rounds} round(s), scenarios interleaved.", flush=True)
    for round_ in range(1, args.rounds + 1):
        print(f"  round {round_}:", flush=True)
        for label in labels[:3]:
            scenario(label, read_lines[label], expected=200, mode="cycle")
        if not vote_lines and not post_lines:
            # Enough distinct votes for every round at the empty handler's
            # rate, which no vote can beat, plus a margin.
            needed = math.ceil(results[labels[0]][0].rps * (args.warmup + args.duration) * args.rounds * 1.3)
            count = math.ceil(needed / seeded.write_budget)
            print(f"    (joining {count} participants through the invitation form: "
                  f"{count * seeded.write_budget:,} distinct votes available…", end="", flush=True)
            started = time.monotonic()
            voters = asyncio.run(join_participants(base, seeded, count, first=1))
            print(f" {time.monotonic() - started:.1f} s)", flush=True)
            vote_lines = _lines_for_votes(seeded, voters, api_path)
            vote_prepared = len(vote_lines)
            post_lines = _lines_for_posts(seeded, voters)
        vote_lines = scenario(vote_label, vote_lines, expected=vote_expected, mode="once")
        scenario(post_label, post_lines, expected=303, mode="cycle")

    # -- what the database and the server say -----------------------------------
    group = seeded.write_group
    vote_rows = _count(database, "SELECT COUNT(*) FROM vote WHERE working_group = ?", group)
    over_budget = _count(
        database,
        "SELECT COUNT(*) FROM (SELECT participant FROM vote WHERE working_group = ? GROUP BY participant HAVING COUNT(*) > ?)",
        group,
        seeded.write_budget,
    )
    duplicates = _count(
        database,
        "SELECT COUNT(*) FROM (SELECT 1 FROM vote WHERE working_group = ? GROUP BY participant, contribution HAVING COUNT(*) > 1)",
        group,
    )
    new_contributions = _count(database, "SELECT COUNT(*) FROM contribution WHERE working_group = ?", group) - contributions_before
    log = (workdir / "server.log").read_text(errors="replace")
    memory = [(pid, status_field(pid, "VmHWM"), status_field(pid, "VmRSS")) for pid in descendants(server.pid)]

    def row(label: str, runs: list[Result]) -> tuple:
        return (
            label,
            _median([r.rps for r in runs]),
            _median([r.p50_ms for r in runs]),
            _median([r.p99_ms for r in runs]),
            sum(r.errors for r in runs),
            _median([r.cpu_ms for r in runs]),
            _median([r.server_cpu for r in runs]),
            _median([r.client_cpu for r in runs]),
            _median([r.other_cpu for r in runs]),
        )

    print()
    if args.rounds > 1:
        for round_ in range(args.rounds):
            _print_table(f"Round {round_ + 1}:", [row(label, [results[label][round_]]) for label in labels])
        print()
    summary = [row(label, results[label]) for label in labels]
    heading = f"Median of {args.rounds} rounds (errors: sum)" if args.rounds > 1 else "Results"
    _print_table(f"{heading}, wrk -t{args.threads} -c{args.connections} -d{args.duration}s:", summary)
    print(f"  (CPU ms/req: the server's CPU time per answer. Server, wrk and other CPU: shares of one core, "
          f"{os.cpu_count()} cores in all; server counts every `concerto serve` process, other is the rest of the "
          "machine, kernel network work included.)")
    print()
    empty, template, group_page, vote = (results[label] for label in labels[:4])
    page_ratios = [page.rps / ceiling.rps for page, ceiling in zip(group_page, template)]
    vote_ratios = [v.rps / e.rps for v, e in zip(vote, empty)]
    vote_p99 = _median([r.p99_ms for r in vote])
    errors = sum(r.errors for runs in (*results.values(), *warmups.values()) for r in runs)
    locked = log.count("database is locked")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def per_round(values: list[float]) -> str:
        return "" if len(values) == 1 else "  rounds: " + ", ".join(f"{value:.0%}" for value in values)

    print(f"group page / in-memory template:   {_median(page_ratios):6.1%}  target ≥ 75%     {verdict(_median(page_ratios) >= 0.75)}{per_round(page_ratios)}")
    print(f"vote / empty handler:              {_median(vote_ratios):6.1%}  target ≥ 20%     {verdict(_median(vote_ratios) >= 0.20)}{per_round(vote_ratios)}")
    # The same ratios from CPU time per request: steadier when the server did not get a whole core.
    page_cost = _median([ceiling.cpu_ms / page.cpu_ms for page, ceiling in zip(group_page, template)])
    vote_cost = _median([e.cpu_ms / v.cpu_ms for v, e in zip(vote, empty)])
    print(f"  the same from CPU ms per request: group page {page_cost:.1%} of the template's rate, vote {vote_cost:.1%} of the empty handler's.")
    print(f"vote p99 at {args.connections} connections:        {vote_p99:6.1f} ms  target < 100 ms  {verdict(vote_p99 < 100)}"
          + ("" if len(vote) == 1 else "  rounds: " + ", ".join(f"{r.p99_ms:.0f} ms" for r in vote)))
    print(f"errors (all runs, warm-ups too):   {errors:6d}  target 0         {verdict(errors == 0)}")
    print(f"'database is locked' in server log:{locked:6d}  target 0         {verdict(locked == 0)}")
    print(f"  server log: {log.count('unhandled error on')} unhandled errors (500) logged, {log.count('Traceback')} tracebacks.")
    print()
    vote_runs = warmups[vote_label] + results[vote_label]
    answered = sum(r.statuses.get(vote_expected, 0) for r in vote_runs)
    sent = sum(sum(r.consumed) for r in vote_runs)
    exhausted = sum(r.raw["exhausted"] for r in vote_runs)
    consistent = "consistent" if answered <= vote_rows <= sent else "INCONSISTENT"
    print(f"Votes: {vote_prepared:,} distinct requests prepared, {sent:,} sent (warm-ups included), {answered:,} answered "
          f"{vote_expected}, {exhausted} sent after the prepared ones ran out.")
    print(f"  {vote_rows:,} vote rows in the database ({consistent}: at least the {vote_expected} answers, at most the "
          f"requests sent; wrk drops the answers in flight when it stops); {over_budget} participants over the budget "
          f"of {seeded.write_budget}; {duplicates} duplicate votes.")
    post_runs = warmups[post_label] + results[post_label]
    posted = sum(r.statuses.get(303, 0) for r in post_runs)
    in_flight = len(post_runs) * args.connections
    consistent = "consistent" if posted <= new_contributions <= posted + in_flight else "INCONSISTENT"
    print(f"Contributions: {posted:,} answered 303, {new_contributions:,} new rows ({consistent}).")
    print("Status counts (measured runs): " + "; ".join(
        f"{label}: {dict(sorted(_sum_statuses(results[label]).items()))}" for label in labels
    ))
    print()
    print("Server memory, peak (VmHWM) / now (VmRSS): " + "; ".join(
        f"{'granian main process' if pid == server.pid else 'worker'} {peak} / {current}" for pid, peak, current in memory
    ))
    print(f"Load average after: {load_average()}")
    for label, profile in profiles:
        print_profile(label, profile)


def _sum_statuses(runs: list[Result]) -> dict[int, int]:
    total: dict[int, int] = {}
    for run in runs:
        for code, count in run.statuses.items():
            total[code] = total.get(code, 0) + count
    return total


if __name__ == "__main__":
    main()
