"""Running wrk with replay.lua and reading what it prints."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from server import cpu_seconds, machine_busy_seconds

REPLAY_SCRIPT = Path(__file__).resolve().parent / "replay.lua"


@dataclass
class Result:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    expected: int
    statuses: dict[int, int]
    issued: int
    consumed: list[int]
    server_cpu: float  # share of one core
    client_cpu: float
    other_cpu: float  # the rest of the machine
    cpu_ms: float  # server CPU time per answered request
    raw: dict


def write_requests(path: Path, lines: list[tuple[str, str, str, str, str]]) -> None:
    with path.open("w") as handle:
        for line in lines:
            assert not any("\t" in field or "\n" in field for field in line), line
            handle.write("\t".join(line) + "\n")


def run_wrk(label: str, base: str, requests_file: Path, *, expected: int, mode: str, duration: int, args, server_pids) -> Result:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(REPLAY_SCRIPT),
        base,
        "--",
        str(expected),
        str(requests_file),
        mode,
        str(args.threads),
    ]
    server_before = cpu_seconds(server_pids)
    machine_before = machine_busy_seconds()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = (cpu_seconds(server_pids) - server_before) / wall
    client_cpu = (
        client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
    ) / wall
    other_cpu = max(0.0, (machine_busy_seconds() - machine_before) / wall - server_cpu - client_cpu)
    line = next((line for line in finished.stdout.splitlines() if line.startswith("BENCH ")), None)
    if finished.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    (requests_file.parent / f"wrk-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.txt").write_text(finished.stdout)
    raw = json.loads(line.removeprefix("BENCH "))
    statuses = {int(code): count for code, count in raw["statuses"].items()}
    unexpected = sum(count for code, count in statuses.items() if code != expected)
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return Result(
        label=label,
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        # An exhausted request is also answered 404, so it is already among the unexpected.
        errors=unexpected + socket_errors,
        expected=expected,
        statuses=statuses,
        issued=raw["issued"],
        consumed=raw["consumed"],
        server_cpu=server_cpu,
        client_cpu=client_cpu,
        other_cpu=other_cpu,
        cpu_ms=server_cpu * wall * 1000 / max(1, raw["requests"]),
        raw=raw,
    )


def remaining_lines(lines: list, consumed: list[int], threads: int) -> list:
    """The lines replay.lua did not send (thread t sends lines t, t+threads, ...)."""
    return [line for index, line in enumerate(lines) if index // threads >= consumed[index % threads]]
