"""Settings read once from ``CONCERTO_*`` environment variables."""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from None


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'concerto.sqlite3'}"


def _secret_key() -> str:
    """The configured key, or one generated once and kept under ``var/``.

    Sessions must survive a restart and be shared by every worker, so a random
    per-process key would not do.
    """
    configured = os.environ.get("CONCERTO_SECRET_KEY")
    if configured:
        return configured
    key_file = PROJECT_ROOT / "var" / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: when several workers start at once, the first one wins.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = field(default_factory=_secret_key)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    debug: bool = False
    # Cookies marked Secure only reach the server over HTTPS; turn on behind TLS.
    secure_cookies: bool = False
    # Writes (POST/PUT/PATCH/DELETE) allowed per client and per minute; 0 disables.
    write_rate_limit: int = 120
    default_locale: str = "fr"
    timezone: str = "Europe/Paris"
    base_url: str = ""
    # Live updates between server processes: "" picks PostgreSQL's LISTEN/NOTIFY
    # on PostgreSQL and memory (one process) on SQLite; or "redis://host:6379/0".
    channels_url: str = ""
    # Extra routes that give the benchmark its ceilings; never on in production.
    bench_routes: bool = False
    # Requests (live streams included: one per open page) each server process serves at once.
    max_connections: int = 4096
    # Engine behind the board's suggestions: "meaning" (sentence encoder + words), "tfidf" (words only)
    # or "package.module:Factory" (a plug-in).
    text_engine: str = "meaning"
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            database_url=env("CONCERTO_DATABASE_URL") or _default_database_url(),
            secret_key=_secret_key(),
            host=env("CONCERTO_HOST") or "127.0.0.1",
            port=_env_int("CONCERTO_PORT", 8000),
            workers=_env_int("CONCERTO_WORKERS", 1),
            debug=_env_bool("CONCERTO_DEBUG", False),
            secure_cookies=_env_bool("CONCERTO_SECURE_COOKIES", False),
            write_rate_limit=_env_int("CONCERTO_WRITE_RATE_LIMIT", 120),
            default_locale=env("CONCERTO_LOCALE") or "fr",
            timezone=env("CONCERTO_TIMEZONE") or "Europe/Paris",
            base_url=(env("CONCERTO_BASE_URL") or "").rstrip("/"),
            bench_routes=_env_bool("CONCERTO_BENCH_ROUTES", False),
            text_engine=env("CONCERTO_TEXT_ENGINE") or "meaning",
            channels_url=env("CONCERTO_CHANNELS_URL") or "",
            max_connections=_env_int("CONCERTO_MAX_CONNECTIONS", 4096),
        )


@functools.cache
def get_settings() -> Settings:
    return Settings.from_env()
