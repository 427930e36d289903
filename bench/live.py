"""Concerto's live workshop benchmark: a thousand open pages listening to one group while people write.

    python bench/live.py [--subscribers 1000] [--duration 20] [--probes 100] [--quick] [--only sqlite|postgres] [--keep]

For each database (SQLite with one worker, then PostgreSQL with four workers
sharing events through LISTEN/NOTIFY), it seeds world.py's consultation,
starts ``concerto serve`` as bench/run.py does, lets participants join through
the invitation form, then:

* measures the votes a second with no stream open (and sizes the pool of
  never-repeated votes from it);
* opens the streams (``GET /c/{slug}/g/{id}/events``: half with participants'
  cookies, half anonymous) and waits for every ``hello``; server memory before
  and after;
* delivery latency at rest: one write at a time (a contribution, then a vote),
  each waited for on every stream before the next;
* a vote load, then a mixed workshop load (reads of the group page, votes,
  contributions), with every write's delivery measured at the same time;
* checks what was stored.

Figures are printed, never asserted. See bench/README.md ("Live workshop").
Helpers: live_world.py (seeding, database, server), live_subscribers.py (the
streams, in a child process), live_load.py (the load), live_delivery.py
(matching writes with events), live_http.py (a small HTTP/1.1 client).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from live_delivery import Collected, Delivery, Write, maximum, pct
from live_load import LoadResult, Sources, one_write, run_load
from live_subscribers import Subscribers
from live_world import Answered, postgres_database, rss_mib, seed_with_voting_open, start_server, stored, worker_pids
from profiling import finish_profiler, print_profile, start_profiler
from run import _interrupt, _lines_for_votes, cpu_model, load_average, versions
from server import cpu_seconds, free_port, machine_busy_seconds, stop_server, wait_until_up
from world import Participant, join_participants, title_variant

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
HOST = "127.0.0.1"
MIX = {"read": 70, "vote": 25, "post": 5}
TARGET_MS = 500
# Participants joined before the calibration (their budgets, 100 votes each, are its pool:
# 5 s at up to 2,400 votes a second); more join once its rate is known.
FIRST_VOTERS = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000, help="open streams on the group (default 1000)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of the vote load and of the mixed load, each (default 20)")
    parser.add_argument("--vote-rate", type=int, default=200,
                        help="votes a second of the paced load (default 200: a thousand people voting twelve times a minute)")
    parser.add_argument("--probes", type=int, default=100, help="single writes at rest for the delivery latency (default 100)")
    parser.add_argument("--connections", type=int, default=50, help="load connections (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="server processes on PostgreSQL (default 4)")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="one database only")
    parser.add_argument("--postgres-url", default=os.environ.get("CONCERTO_BENCH_POSTGRES_URL", POSTGRES_URL),
                        help=f"a PostgreSQL database to create the bench's own database from (default {POSTGRES_URL})")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable for the server, e.g. CONCERTO_CHANNELS_URL=redis://127.0.0.1:6379/0 (repeatable)")
    parser.add_argument("--profile", action="store_true", help="sample the first worker with py-spy during each load and say where its time goes (slows the server)")
    parser.add_argument("--quick", action="store_true", help="small numbers (100 streams, 5 s loads, 10 probes): about a minute")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, server logs) and the PostgreSQL database")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.duration, args.probes = min(args.subscribers, 100), min(args.duration, 5), min(args.probes, 10)
    args.calibration = 2 if args.quick else 5
    args.extra_env = dict(item.split("=", 1) for item in args.server_env)

    signal.signal(signal.SIGTERM, _interrupt)  # a polite stop: the servers are stopped, the databases dropped
    print(f"Concerto live workshop benchmark — {cpu_model()}, {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable); Python {sys.version.split()[0]}; {versions()}")
    print(f"Load average before: {load_average()} (the server, the streams' process and the load generator share these cores)")
    try:
        with _workdir(args.keep) as workdir:
            reports = []
            if args.only != "postgres":
                sqlite_url = f"sqlite:///{workdir / 'live.sqlite3'}"
                reports.append(asyncio.run(_scenario(args, workdir / "sqlite", "SQLite, 1 worker", sqlite_url, 1)))
            if args.only != "sqlite":
                reports.append(asyncio.run(_on_postgres(args, workdir)))
            _print_summary(args, reports)
    except KeyboardInterrupt:
        raise SystemExit("\ninterrupted") from None
    print(f"Load average after: {load_average()}")


@contextlib.contextmanager
def _workdir(keep: bool):
    """A temporary directory for the databases and server logs, removed afterwards unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix="concerto-live-"))
    try:
        yield path
    finally:
        if keep:
            print(f"\nKept {path} (databases, server logs).")
        else:
            shutil.rmtree(path, ignore_errors=True)


async def _on_postgres(args, workdir: Path) -> dict:
    async with postgres_database(args.postgres_url, keep=args.keep) as url:
        if args.keep:
            print(f"(PostgreSQL database kept: {url})")
        return await _scenario(args, workdir / "postgres", f"PostgreSQL, {args.workers} worker{'s' if args.workers > 1 else ''} (LISTEN/NOTIFY)", url, args.workers)


# -- one database -----------------------------------------------------------------------


class Cpu:
    """Shares of one core over a window: the server's processes, the streams' process, this process, the rest."""

    def __init__(self, server_pids: list[int], streams_pid: int | None) -> None:
        self.groups = {"server": server_pids, "streams": [streams_pid] if streams_pid else [], "loader": [os.getpid()]}
        self.started = time.monotonic()
        self.before = {name: cpu_seconds(pids) for name, pids in self.groups.items()}
        self.machine = machine_busy_seconds()

    def shares(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        shares = {name: (cpu_seconds(pids) - self.before[name]) / wall for name, pids in self.groups.items()}
        shares["other"] = max(0.0, (machine_busy_seconds() - self.machine) / wall - sum(shares.values()))
        return shares


def _posts(people: list[Participant]) -> list[tuple[str, str, str, dict]]:
    from concerto.demo import content

    posts = []
    for index in range(500):
        person = people[index % len(people)]
        text = content.CONTRIBUTIONS[index % len(content.CONTRIBUTIONS)]
        data = {"kind": ("acquis", "enjeu")[index % 2], "title": title_variant(text["title"], 20 + index), "body": text.get("body", "")}
        posts.append((person.name, person.cookie, person.csrf, data))
    return posts


async def _scenario(args, workdir: Path, title: str, database_url: str, workers: int) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict = {"title": title, "rows": [], "deliveries": [], "notes": [], "profiles": []}
    print(f"\n== {title} ==", flush=True)
    started = time.monotonic()
    seeded = await seed_with_voting_open(database_url)
    print(f"Seeded in {time.monotonic() - started:.1f} s: write group {seeded.write_group} "
          f"({len(seeded.write_contributions)} contributions, vote budget {seeded.write_budget}) — the group the streams listen to.")
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(workdir, database_url, port, workers=workers, extra_env=args.extra_env)
    subscribers: Subscribers | None = None
    try:
        wait_until_up(base, server, workdir, timeout=120)
        if workers > 1:
            await _wait_for_workers(server, workers)
        pids = [server.pid, *worker_pids(server)]
        extra = " ".join(f"{name}={value}" for name, value in args.extra_env.items())
        print(f"Server: `concerto serve` pid {server.pid}, workers {worker_pids(server)}, on {base}"
              + (f"; extra environment: {extra}" if extra else ""), flush=True)

        host = f"{HOST}:{port}"
        people = await join_participants(base, seeded, FIRST_VOTERS)
        sources = Sources(host, seeded.slug, seeded.write_group)
        sources.add_votes(_lines_for_votes(seeded, people, "api"), {person.cookie: person.name for person in people})
        sources.add_readers([(person.name, person.cookie) for person in people])
        sources.add_posts(_posts(people))
        answered = Answered()

        # Votes a second with no stream open: the reference, and the size of the pool.
        cpu = Cpu(pids, None)
        profiler = start_profiler(args, workdir, "votes, no stream open", pids[1], args.calibration)
        calibration = await run_load(HOST, port, sources, {"vote": 1}, connections=args.connections, seconds=args.calibration, answered=answered)
        report["rows"].append(("votes, no stream open", calibration, "vote", cpu.shares()))
        if profiler:
            report["profiles"].append(("votes, no stream open", finish_profiler(*profiler)))
        vote_seconds = args.duration + args.duration * MIX["vote"] / sum(MIX.values())
        needed = math.ceil(calibration.rate("vote") * vote_seconds * 1.5 + args.vote_rate * args.duration) + 2 * args.probes - len(sources.votes)
        # Also enough for half the streams to be participants' pages (they hear their own budget too).
        count = max(math.ceil(max(0, needed) / seeded.write_budget), args.subscribers // 2 - len(people))
        if count > 0:
            joined_at = time.monotonic()
            more = await join_participants(base, seeded, count, first=len(people))
            print(f"Joined {len(people)} + {count} participants through the invitation form ({time.monotonic() - joined_at:.1f} s) "
                  f"for {len(sources.votes) + count * seeded.write_budget:,} distinct votes.", flush=True)
            # After what is left of the first pool: no vote is ever sent twice.
            sources.add_votes(_lines_for_votes(seeded, more, "api"), {person.cookie: person.name for person in more})
            sources.add_readers([(person.name, person.cookie) for person in more])
            people += more

        # -- the streams ----------------------------------------------------------------
        await asyncio.sleep(1)
        rss_before = {pid: rss_mib(pid) for pid in pids}
        subscribers = Subscribers(HOST, port)
        with_cookie = min(len(people), args.subscribers // 2)
        cookies = [person.cookie for person in people[:with_cookie]] + [""] * (args.subscribers - with_cookie)
        opened = await subscribers.ask("open", cookies, f"/c/{seeded.slug}/g/{seeded.write_group}/events", 50, 30.0)
        report["opened"] = opened
        by_worker = ", ".join(f"{worker}: {count}" for worker, count in sorted(opened["workers"].items()))
        print(f"Streams: {opened['open']}/{opened['asked']} open ({with_cookie} with a participant's cookie) in "
              f"{opened['seconds']:.1f} s; hello p50 {opened['hello_p50_ms'] or 0:.0f} ms, max {opened['hello_max_ms'] or 0:.0f} ms; "
              f"by worker: {by_worker}; failures: {opened['failures'] or 'none'}", flush=True)
        await asyncio.sleep(2)
        rss_after = {pid: rss_mib(pid) for pid in pids}
        report["memory"] = (rss_before, rss_after, server.pid, opened["open"])
        report["fresh"] = await _fresh_connections(port)
        print(f"With the streams open, {report['fresh']}", flush=True)

        collected = Collected()
        collected.add(await subscribers.ask("collect"))
        collected.reset()

        # -- delivery at rest -------------------------------------------------------------
        probes: list[Write] = []
        refused = 0
        for index in range(args.probes):
            kind = "post" if index % 2 == 0 else "vote"
            prepared = sources.next(kind)
            try:
                write, status, sent = await one_write(HOST, port, prepared, kind, answered)
            except (OSError, asyncio.TimeoutError):
                write = None
                if kind == "vote":
                    answered.unknown_votes += 1
                else:
                    answered.unknown_posts += 1
            if write is None:
                refused += 1
                if refused >= 3 and not probes:
                    report["notes"].append("the single writes at rest stopped after 3 failures in a row: the server does not answer")
                    break
                continue
            probes.append(write)
            await subscribers.ask("wait_for", write.kind, write.target, write.count, sent, 5.0)
            await asyncio.sleep(0.25)  # the next write starts a batch of its own
        collected.add(await subscribers.ask("collect"))
        for label, kind in (("at rest, contribution posts", "contribution"), ("at rest, votes", "votes")):
            report["deliveries"].append((label, collected.deliveries([w for w in probes if w.kind == kind])))
        collected.reset()
        if refused:
            report["notes"].append(f"{refused} of the {args.probes} single writes at rest failed (refused, timed out or unanswered)")
        print(f"Delivery at rest ({len(probes)} single writes): {report['deliveries'][-2][1].line()} (posts); "
              f"{report['deliveries'][-1][1].line()} (votes)", flush=True)

        # -- under load -------------------------------------------------------------------
        loads = (
            (f"votes {args.vote_rate}/s, {opened['open']} streams open", {"vote": 1}, args.vote_rate),
            (f"votes, {opened['open']} streams open", {"vote": 1}, None),
            (f"mixed, {opened['open']} streams open", MIX, None),
        )
        for label, mix, rate in loads:
            cpu = Cpu(pids, subscribers.process.pid)
            profiler = start_profiler(args, workdir, label, pids[1], args.duration)
            result = await run_load(HOST, port, sources, mix, connections=args.connections, seconds=args.duration, answered=answered, rate=rate)
            shares = cpu.shares()
            if profiler:
                report["profiles"].append((label, await asyncio.to_thread(finish_profiler, *profiler)))
            # The last batches reach the streams: until none came for a second (at most 30 s).
            drained = await subscribers.ask("quiet", 1.0, 30.0) - 1.0
            report["notes"].append(f"after the {label.split(',')[0]} load, messages kept arriving for {drained:.1f} s")
            collected.add(await subscribers.ask("collect"))
            delivery = collected.deliveries(result.writes)
            collected.reset()
            for kind in mix:
                report["rows"].append((label if len(mix) == 1 else f"{label}: {kind}", result, kind, shares))
            report["deliveries"].append((f"during the {label.split(',')[0]} load", delivery))
            print(f"  {label}: " + "; ".join(
                f"{kind} {result.rate(kind):,.0f}/s p99 {result.percentile(kind, 99):.0f} ms errors {result.kinds[kind].errors}" for kind in mix
            ) + f"; delivery: {delivery.line()}", flush=True)

        report["streams"] = {"open": sum(collected.open), "other": collected.other, "pings": collected.pings}
        await subscribers.ask("close")
        await asyncio.sleep(2)
        report["rss_closed"] = {pid: rss_mib(pid) for pid in pids}
    finally:
        if subscribers is not None:
            subscribers.stop()
        stop_server(server)
    log = (workdir / "server.log").read_text(errors="replace")
    report["log"] = {
        "database is locked": log.count("database is locked"),
        "unhandled errors (500)": log.count("unhandled error on"),
        "tracebacks": log.count("Traceback"),
    }
    report["answered"] = answered
    report["stored"] = await stored(database_url, seeded, answered)
    _print_report(args, report)
    return report


async def _wait_for_workers(server, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(worker_pids(server)) < workers and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # every worker has imported the app and listens


async def _fresh_connections(port: int, count: int = 50) -> str:
    """Do new visitors still get an answer? ``count`` new connections, each one request to the empty handler."""
    from live_http import connect, request_bytes

    async def one() -> float | None:
        started = time.monotonic()
        try:
            connection = await asyncio.wait_for(connect(HOST, port), 5)
            try:
                response = await connection.send(request_bytes("GET", "/_bench/empty", f"{HOST}:{port}"), 5)
            finally:
                connection.close()
        except (OSError, asyncio.TimeoutError):
            return None
        return (time.monotonic() - started) * 1000 if response.status == 200 else None

    times = [t for t in await asyncio.gather(*(one() for _ in range(count))) if t is not None]
    return (f"{len(times)}/{count} new connections were answered (GET /_bench/empty) within 5 s"
            + (f", max {max(times):.0f} ms" if times else ""))


# -- printing ---------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _print_report(args, report: dict) -> None:
    print(f"\nResults — {report['title']}, {args.connections} load connections")
    print(f"  {'load':<38} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}   {'server':>6} {'streams':>7} {'loader':>6} {'other':>6}  CPU (share of one core)")
    for label, result, kind, shares in report["rows"]:
        record: LoadResult = result
        failures = dict(record.kinds[kind].failures)
        statuses = {code: n for code, n in record.kinds[kind].statuses.items() if code != record.kinds[kind].expected}
        detail = "" if not failures and not statuses else f"  ({', '.join(f'{k}: {v}' for k, v in {**statuses, **failures}.items())})"
        print(f"  {label:<38} {record.rate(kind):>7,.0f} {record.percentile(kind, 50):>7.1f} {record.percentile(kind, 99):>7.1f} "
              f"{record.kinds[kind].errors:>7}   {shares['server']:>6.0%} {shares['streams']:>7.0%} {shares['loader']:>6.0%} {shares['other']:>6.0%}{detail}")
    print(f"\n  {'delivery: write answered → event on each stream':<46} {'writes':>6} {'seen':>9} {'missed':>6} "
          f"{'first p50':>9} {'all p50':>7} {'all p99':>7} {'last p50':>8} {'last p99':>8} {'last max':>8} {'messages':>9}  target p99 < {TARGET_MS} ms")
    for label, delivery in report["deliveries"]:
        d: Delivery = delivery
        ok = len(d.all_ms) and pct(d.all_ms, 99) < TARGET_MS and pct(d.last_ms, 99) < TARGET_MS and not d.missed
        print(f"  {label:<46} {d.writes:>6} {d.delivered:>9,} {d.missed:>6,} {pct(d.first_ms, 50):>9.0f} {pct(d.all_ms, 50):>7.0f} {pct(d.all_ms, 99):>7.0f} "
              f"{pct(d.last_ms, 50):>8.0f} {pct(d.last_ms, 99):>8.0f} {maximum(d.last_ms):>8.0f} {d.messages:>9,}  {_verdict(bool(ok))}")
    print("  the streams' own reading lag (kernel receive -> read by the bench's one process for 1,000 pages; not in the figures above): "
          + "; ".join(f"{label.split(',')[0]} p50 {pct(d.read_lag_ms, 50):.0f} / p99 {pct(d.read_lag_ms, 99):.0f} / max {maximum(d.read_lag_ms):.0f} ms"
                      for label, d in report["deliveries"] if len(d.read_lag_ms)))
    print("  (ms; \"first\": per write, the fastest stream; \"all\": every (write, stream) delivery; \"last\": per write, when the slowest stream had it; "
          "\"missed\": deliveries never seen (the streams are read until quiet for 1 s, 30 s at most); "
          "\"messages\": live messages all the streams received meanwhile, every channel)")

    before, after, main_pid, streams = report["memory"]
    closed = report["rss_closed"]
    workers = [pid for pid in after if pid != main_pid]
    grown = sum(after[pid] - before[pid] for pid in workers)
    print(f"\n  Memory (VmRSS): workers {sum(before[p] for p in workers):.1f} MiB before the streams, {sum(after[p] for p in workers):.1f} MiB "
          f"with {streams} open: {grown * 1024 / max(1, streams):.1f} KiB per stream; {sum(closed[p] for p in workers):.1f} MiB "
          f"after the loads, 2 s after the streams closed; granian's main process {after[main_pid]:.1f} MiB.")
    if len(workers) > 1:
        print("    per worker (before → open → closed): " + "; ".join(f"{before[p]:.0f} → {after[p]:.0f} → {closed[p]:.0f}" for p in workers))
    streams_report = report["streams"]
    print(f"  Streams at the end: {streams_report['open']} still open; other events and failures: {streams_report['other'] or 'none'}; "
          f"{streams_report['pings']} pings.")
    print(f"  {report['fresh']} (with the streams open).")
    answered: Answered = report["answered"]
    s = report["stored"]
    unknown = answered.unknown_votes
    consistent = "consistent" if len(answered.votes) <= s.vote_rows <= len(answered.votes) + unknown else "INCONSISTENT"
    print(f"  Stored: {s.vote_rows:,} vote rows for {len(answered.votes):,} answered 200 (+{unknown} without an answer; {consistent}), "
          f"{s.votes_missing} answered but not stored, {s.over_budget} participants over the budget, {s.duplicates} duplicate votes; "
          f"{s.new_contributions:,} new contributions for {len(answered.posts):,} answered 201 (+{answered.unknown_posts} without an answer), "
          f"{s.posts_missing} answered but not stored.")
    print("  Server log: " + ", ".join(f"{name}: {count}" for name, count in report["log"].items()))
    for note in report["notes"]:
        print(f"  Note: {note}")
    for label, profile in report["profiles"]:
        print_profile(f"{label} (worker {1 if len(workers) == 1 else '1 of ' + str(len(workers))})", profile)
        if profile is not None:
            print(f"  {_stream_share(profile):.1%} of the samples are the streams' own work (channels fan-out, each stream's "
                  "generator and its wait_for task, SSE encoding), counted by stack")


# A sample is the streams' work when its stack passes through the channels plugin, the
# SSE response or the stream generator, or is the queue read that wait_for runs as a task.
STREAM_FRAMES = re.compile(r"\((concerto/live/events\.py|litestar/response/sse\.py|litestar/channels/)|^Queue\.get \(asyncio/queues\.py")


def _stream_share(profile: Path) -> float:
    total = streams = 0
    for line in profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        if any(STREAM_FRAMES.search(frame) for frame in frames):
            streams += int(count)
    return streams / max(1, total)


def _print_summary(args, reports: list[dict]) -> None:
    print("\nSummary")
    for report in reports:
        rows = {label: (result, kind) for label, result, kind, _shares in report["rows"]}
        mixed_errors = sum(result.kinds[kind].errors for label, (result, kind) in rows.items() if label.startswith("mixed"))
        worst = max((pct(d.last_ms, 99) for _label, d in report["deliveries"] if len(d.last_ms)), default=float("nan"))
        missed = sum(d.missed for _label, d in report["deliveries"])
        opened = report["opened"]
        votes = next(result.rate(kind) for label, (result, kind) in rows.items() if label.startswith("votes, ") and "no stream" not in label)
        alone = next(result.rate(kind) for label, (result, kind) in rows.items() if "no stream" in label)
        print(f"  {report['title']}: {opened['open']}/{opened['asked']} streams; votes/s {votes:,.0f} with them "
              f"({alone:,.0f} without); worst last-subscriber p99 {worst:.0f} ms ({_verdict(worst < TARGET_MS)}, target < {TARGET_MS}); "
              f"{missed} deliveries missed; mixed-load errors {mixed_errors} ({_verdict(mixed_errors == 0)}, target 0)")


if __name__ == "__main__":
    main()
