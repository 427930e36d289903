"""Optional py-spy sampling of the worker (``--profile``): where a request's time goes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# Where a request's time goes. A sample belongs to the first whole-stack part
# that matches, else to the frame nearest the leaf that matches a frame part;
# the middleware that wraps everything counts only for its own time (as leaf).
STACK_PARTS = [
    # Litestar runs a sync check_throttle_handler in a worker thread, every request.
    ("rate limiter's throttle check (thread-pool hop)", re.compile(r"should_check_request|Thread\._bootstrap")),
]
FRAME_PARTS = [
    ("sending the response to granian", re.compile(r"^ExceptionHandlerMiddleware\.__call__\.<locals>\.capture_response_started ")),
    ("template rendering (Jinja2, markupsafe)", re.compile(r"\((jinja2/|markupsafe/|[^)]*\.html\))")),
    ("database (concerto.db engine, Piccolo, sqlite3)", re.compile(r"\((concerto/db/|piccolo/|sqlite3/)")),
    ("session cookie (load, decrypt, encrypt, dump)", re.compile(r"\((litestar/middleware/session/|cryptography/)")),
    ("CSRF", re.compile(r"\(litestar/middleware/csrf\.py\)")),
    ("JSON encoding (msgspec)", re.compile(r"\((msgspec/|litestar/serialization/)")),
    ("markdown", re.compile(r"\(markdown_it/")),
    ("Concerto's own code (services, handlers, middleware)", re.compile(r"\(concerto/(?!cli\.py)")),
]
WRAPPERS = re.compile(
    r"^(SessionMiddleware|CSRFMiddleware|RateLimitMiddleware)\.__call__ |^locale_middleware\.<locals>\.middleware "
)
OTHER_PART = "everything else (Litestar routing, DI, granian, event loop)"


def _profile_part(frames: list[str]) -> str:
    stack = ";".join(frames)
    for name, pattern in STACK_PARTS:
        if pattern.search(stack):
            return name
    for depth, frame in enumerate(reversed(frames)):
        if depth and WRAPPERS.search(frame):
            continue
        for name, pattern in FRAME_PARTS:
            if pattern.search(frame):
                return name
    return OTHER_PART


def start_profiler(args, workdir: Path, label: str, pid: int, duration: int):
    if not args.profile:
        return None
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        spy = shutil.which("py-spy")
    if not spy:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    output = workdir / f"profile-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.txt"
    # --gil: only samples where Python runs, i.e. where the worker's one core goes.
    process = subprocess.Popen(
        [str(spy), "record", "--gil", "--nonblocking", "-r", "100", "-d", str(duration), "-f", "raw", "-o", str(output), "-p", str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, output


def finish_profiler(process: subprocess.Popen, output: Path) -> Path | None:
    process.wait(60)
    return output if output.exists() else None


def print_profile(label: str, profile: Path | None) -> None:
    if profile is None:
        print(f"\nProfile of {label}: py-spy recorded nothing (ptrace not allowed?)")
        return
    parts: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():  # a frame name py-spy wrapped onto its own line
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        samples = int(count)
        total += samples
        part = _profile_part(frames)
        parts[part] = parts.get(part, 0) + samples
        own[frames[-1]] = own.get(frames[-1], 0) + samples
    print(f"\nProfile of {label} ({total} samples with the GIL held; {profile.name}):")
    for name, samples in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {samples / total:6.1%}  {name}")
    print("  hottest functions (own time):")
    for frame, samples in sorted(own.items(), key=lambda item: -item[1])[:8]:
        print(f"  {samples / total:6.1%}  {frame[:110]}")
