"""Kill cycles: how many acknowledged writes a SIGKILLed server keeps (all of them, or there is a bug).

    python bench/durability.py [--cycles 10] [--only sqlite|postgres] [--workers 2] [--writers 9] [--seed 2027]

For each database (SQLite, then PostgreSQL), the demo consultation is
served by a real ``concerto serve``; then, ``--cycles`` times: participants join
through the invitation link and write (contributions, votes, withdrawals, votes
beyond the budget), the server's process group gets SIGKILL once a random number
of writes were acknowledged, the server is restarted on the same database, what is
stored is compared with what was acknowledged, and the unanswered writes are sent
again with their idempotency keys (as the page's outbox does) and compared again.

The machinery is tests/durability.py's, the one tests/integration/test_durability.py
runs three cycles of. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


async def cycles(backend: str, args: argparse.Namespace, workdir: Path) -> None:
    from tests.durability import Ledger, compare, join_writers, load_until_killed, send_unanswered_again
    from tests.server import served_demo

    rng = random.Random(args.seed)
    ledger = Ledger()
    totals = {"acknowledged": 0, "lost": 0, "unanswered": 0, "stored anyway": 0, "problems after the retries": 0}
    recoveries = []
    title = f"{backend}, {args.workers} worker{'s' if args.workers > 1 else ''}"
    print(f"\n{title}: {args.cycles} kill cycles, {args.writers} writers")
    print(f"{'cycle':>5} {'acknowledged':>12} {'lost':>5} {'unanswered':>10} {'stored anyway':>13} {'restart s':>9}  problems")
    with served_demo(workdir, backend, killable=True, CONCERTO_WORKERS=str(args.workers)) as (server, link):
        for cycle in range(args.cycles):
            writers = await join_writers(server, link, cycle, args.writers)
            try:
                kill_after = rng.randint(20, 300)
                await load_until_killed(server, writers, ledger, kill_after, seed=rng.randrange(2**32))
                acknowledged = ledger.acknowledged
                started = time.monotonic()
                server.start(killable=True)
                recoveries.append(time.monotonic() - started)
                found = compare(server, ledger)
                lost = found.figures["contributions lost"] + found.figures["vote changes lost"]
                unanswered, applied = found.figures["unanswered at the kill"], found.figures["of which stored anyway"]
                await send_unanswered_again(writers, ledger)
                settled = compare(server, ledger)
            finally:
                for writer in writers:
                    await writer.client.aclose()
            problems = found.problems + settled.problems + ledger.unexpected
            ledger.unexpected = []
            totals["acknowledged"] += acknowledged
            totals["lost"] += lost
            totals["unanswered"] += unanswered
            totals["stored anyway"] += applied
            totals["problems after the retries"] += len(settled.problems)
            print(f"{cycle:>5} {acknowledged:>12} {lost:>5} {unanswered:>10} {applied:>13} {recoveries[-1]:>9.2f}  "
                  + ("; ".join(problems)[:300] or "none"))
    print(f"{'all':>5} {totals['acknowledged']:>12} {totals['lost']:>5} {totals['unanswered']:>10} {totals['stored anyway']:>13} "
          f"{sum(recoveries) / len(recoveries):>9.2f}  ({totals['problems after the retries']} after the retries)")
    print("  acknowledged: writes answered 2xx before the kill; lost: of those, not stored after the restart;")
    print("  unanswered: sent, no answer before the kill; stored anyway: of those, committed before the server died;")
    print("  restart s: from `concerto serve` to the first page answered (migrations, WAL recovery).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--writers", type=int, default=9, help="participants writing at once in each cycle")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--postgres-url", default=os.environ.get("CONCERTO_BENCH_POSTGRES_URL", POSTGRES_URL),
                        help=f"a PostgreSQL database to make a schema of its own in (default {POSTGRES_URL})")
    args = parser.parse_args()
    os.environ["CONCERTO_TEST_POSTGRES_URL"] = args.postgres_url  # read by tests/server.py on import
    backends = [args.only] if args.only else ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory(prefix="concerto-durability-") as tmp:
        for backend in backends:
            workdir = Path(tmp) / backend
            workdir.mkdir()
            asyncio.run(cycles(backend, args, workdir))


if __name__ == "__main__":
    main()
