"""Settings, read from the environment (and an optional instance/config.py).

Every setting is documented in the README. Nothing secret is hard-coded: SECRET_KEY is read
from the environment or generated once into instance/secret_key.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

# argon2id's cost in production: RFC 9106's low-memory profile (3 passes over 64 MiB, 4 lanes),
# above every one of OWASP's recommended argon2id configurations (the least: 19 MiB, 2 passes).
ARGON2_DEFAULTS = {"ARGON2_TIME_COST": 3, "ARGON2_MEMORY_COST": 64 * 1024, "ARGON2_PARALLELISM": 4}


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def instance_path() -> Path:
    return Path(os.environ.get("KORERO_INSTANCE_PATH", DEFAULT_INSTANCE))


def load_secret_key(instance: Path) -> str:
    """The SECRET_KEY from the environment, or one generated on first run into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with owner-only permissions before writing the secret into it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Production-leaning defaults; each can be overridden from the environment."""

    def __init__(self) -> None:
        instance = instance_path()
        self.INSTANCE_PATH = str(instance)
        self.KORERO_ENV = os.environ.get("KORERO_ENV", "development")
        self.SECRET_KEY = load_secret_key(instance)
        # Whether SECRET_KEY was generated into instance/secret_key (each host its own, so
        # sessions and links made on one host fail on another): warned about in production.
        self.SECRET_KEY_GENERATED = not os.environ.get("SECRET_KEY")
        # The key TOTP secrets are encrypted with (app/encryption.py); SECRET_KEY when unset.
        self.TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY", "")
        self.DATABASE_URL = os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'korero.sqlite3'}"
        )
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        # Background jobs (app/jobs): a SQLite queue file unless REDIS_URL is set.
        self.JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH",
                                               str(instance / "jobs.sqlite3"))
        self.JOBS_WORKERS = _int("JOBS_WORKERS", 2)
        # The worker's OS niceness (app/jobs/priority.py): web requests first, jobs after.
        self.JOBS_WORKER_NICE = _int("JOBS_WORKER_NICE", 10)
        # A running job whose heartbeat is older than this lost its worker: it is resumed.
        self.JOBS_STALE_SECONDS = _float("JOBS_STALE_SECONDS", 60.0)
        self.JOBS_HEARTBEAT_SECONDS = _float("JOBS_HEARTBEAT_SECONDS", 10.0)
        self.JOBS_PROGRESS_SECONDS = _float("JOBS_PROGRESS_SECONDS", 1.0)
        self.JOBS_MAX_ATTEMPTS = _int("JOBS_MAX_ATTEMPTS", 3)
        # A job that lost a race for the database waits this long times its attempt number.
        self.JOBS_RETRY_SECONDS = _float("JOBS_RETRY_SECONDS", 2.0)
        # The public address of the site. Links in emails are built from this, never from the
        # Host header of whoever asked for the email.
        # `make run` exports BASE_URL for the port it serves on; without it, the port in PORT.
        self.BASE_URL = os.environ.get(
            "BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or 5000}").rstrip("/")
        self.PREFERRED_URL_SCHEME = "https" if self.BASE_URL.startswith("https") else "http"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PREFERRED_URL_SCHEME == "https"
        # Under HTTPS the __Host- prefix makes browsers refuse the cookie unless it is Secure,
        # for this host only (no Domain) and for the whole site (Path=/): a sibling subdomain
        # cannot plant or overwrite it.
        self.SESSION_COOKIE_NAME = "__Host-session" if self.SESSION_COOKIE_SECURE else "session"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.IDLE_TIMEOUT = timedelta(minutes=_int("IDLE_TIMEOUT_MINUTES", 30))
        # The longest a session lasts from sign-in, however active: enforced by
        # app.auth.sessions (each request re-signs the cookie, so its expiry alone never trips).
        self.SESSION_LIFETIME = timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12))
        self.PERMANENT_SESSION_LIFETIME = self.SESSION_LIFETIME
        # The cookie is sent again only when the session changes (sign-in, the last-active
        # time once a minute, a flashed message), not re-signed on every response; its expiry
        # does not need refreshing, as SESSION_LIFETIME counts from sign-in anyway.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session, which already expires
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Kōrero <no-reply@korero.localhost>")
        self.MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(instance / "outbox"))
        self.INVITATION_DAYS = _int("INVITATION_DAYS", 14)
        self.PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
        # How long the sign-in link emailed to the owner of an attacked account works.
        self.SIGN_IN_LINK_MINUTES = _int("SIGN_IN_LINK_MINUTES", 15)
        # How long the emailed link that completes self-registration works.
        self.REGISTRATION_LINK_HOURS = _int("REGISTRATION_LINK_HOURS", 24)
        # argon2id password hashing cost (memory in KiB); hashes made with other values are
        # upgraded at the next sign-in.
        for name, default in ARGON2_DEFAULTS.items():
            setattr(self, name, _int(name, default))
        self.DEMO_PASSWORD = os.environ.get("KORERO_DEMO_PASSWORD", "korero-demo-2026")
        # Who runs the site: the footer, the error pages, the privacy and accessibility
        # statements name them. The defaults are a fictional agency for the demo.
        self.SITE_OWNER = os.environ.get("SITE_OWNER", "Office for Social Data Standards (demo)")
        self.SITE_OWNER_URL = os.environ.get("SITE_OWNER_URL", "")
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "consultation@demo.korero.nz")
        self.CONTACT_PHONE = os.environ.get("CONTACT_PHONE", "04 555 0199")
        self.PRIVACY_OFFICER_EMAIL = os.environ.get("PRIVACY_OFFICER_EMAIL",
                                                    "privacy@demo.korero.nz")
        # When the accessibility statement was last reviewed (ISO date, shown as a date).
        self.ACCESSIBILITY_REVIEWED_ON = os.environ.get("ACCESSIBILITY_REVIEWED_ON",
                                                        "2026-11-20")
        self.LANGUAGES = {"en": "English"}
        # The language tag pages declare for each interface language: New Zealand English.
        self.LANGUAGE_TAGS = {"en": "en-NZ", "mi": "mi"}
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = os.environ.get("KORERO_TIMEZONE", "Pacific/Auckland")
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
        # How many reverse proxies in front of the app may set X-Forwarded-*; 0 trusts none, so
        # nobody can spoof their address past the per-address rate limits.
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        # The largest request body accepted, uploads included; anything bigger is answered
        # with the "That upload is too large" page (413) before a byte of it is parsed.
        self.MAX_UPLOAD_MB = _int("MAX_UPLOAD_MB", 20)
        if self.MAX_UPLOAD_MB < 1:
            raise ValueError("MAX_UPLOAD_MB must be at least 1 (megabytes)")
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_MB * 1024 * 1024
        # The audit log (app/privacy/seal.py): rows are sealed with AUDIT_KEY (or a key file in
        # the instance folder, read there, never from here); after each commit that sealed
        # events, a signed checkpoint of the newest is appended to this file.
        self.AUDIT_CHECKPOINT_FILE = os.environ.get(
            "AUDIT_CHECKPOINT_FILE", str(instance / "audit_checkpoints.jsonl"))
        self.AUDIT_CHECKPOINT_ON_COMMIT = _bool("AUDIT_CHECKPOINT_ON_COMMIT", True)


class TestConfig(Config):
    """Settings for the test suite: a throw-away database and no outside mail."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, database_url: str | None = None) -> None:
        os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_hex(16))
        super().__init__()
        self.TESTING = True
        self.KORERO_ENV = "test"
        self.DATABASE_URL = database_url or os.environ.get(
            "TEST_DATABASE_URL", f"sqlite:///{instance_path() / 'test.sqlite3'}"
        )
        self.RATELIMIT_STORAGE_URI = "memory://"
        # app.mail.run_in_background waits for its thread: the tests share one connection.
        self.BACKGROUND_WORK_JOINED = True
        self.MAIL_SERVER = ""
        self.BASE_URL = "http://korero.test"
        self.SERVER_NAME = None
        # The cheapest argon2id there is (1 pass, 8 KiB, 1 lane): hashing stays real but costs
        # microseconds, not the 50-100 ms per hash production spends on purpose.
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 8
        self.ARGON2_PARALLELISM = 1
        # Each test's events are rolled back: checkpoints of them would name missing rows.
        # Tests of checkpointing turn it on for themselves.
        self.AUDIT_CHECKPOINT_ON_COMMIT = False
