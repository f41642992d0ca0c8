"""Configuration, read from the environment.

`TFF_ENV` picks the class: `development` (the embedded default: SQLite and a filesystem
broker in the instance folder), `production` (PostgreSQL and Redis, required) or `test`.
`DATABASE_URL` and `REDIS_URL` switch any of them to the production parts.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("TFF_INSTANCE_PATH", ROOT / "instance"))


def _database_url(default: str | None) -> str | None:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants psycopg named.
    if url and url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _embedded_secret_key() -> str:
    """A key generated once and kept in the instance folder, so sessions survive restarts."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _trusted_proxies() -> int:
    """How many proxies stand in front of the app (TFF_TRUSTED_PROXIES, default 0): the last
    that many X-Forwarded-For addresses are believed. 0 believes none, so a client cannot
    choose its own address by sending the header."""
    value = os.environ.get("TFF_TRUSTED_PROXIES", "0").strip() or "0"
    if not value.isdigit() or int(value) > 10:
        raise RuntimeError(
            f"TFF_TRUSTED_PROXIES must be the number of proxies in front of the app (0 to 10), not {value!r}"
        )
    return int(value)


class Config:
    SERVICE_NAME = os.environ.get("TFF_SERVICE_NAME", "Families for Change")
    ORGANISATION_NAME = os.environ.get("TFF_ORGANISATION_NAME", "Metropolitan Borough Council")

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions: HttpOnly and SameSite=Lax always; Secure where served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Failed sign-ins allowed before throttling: from one address to one account, and from
    # one address to any account. An account is never locked for its owner elsewhere.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("TFF_LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("TFF_LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    RATELIMIT_HEADERS_ENABLED = False

    # A running job whose worker has not been heard of for this long is shown as failed.
    JOB_STALE_AFTER = timedelta(seconds=int(os.environ.get("TFF_JOB_STALE_AFTER", "120")))
    JOB_HEARTBEAT_EVERY = int(os.environ.get("TFF_JOB_HEARTBEAT_EVERY", "10"))
    #: the end date of each programme an administrator has not given one (Evidence settings,
    #: Programme end dates): the funding dashboard's line claims everything by it. Phase one's
    #: funding ran to 30 April 2015, phase two's to 31 March 2020, Supporting Families' to
    #: 31 March 2025
    PROGRAMME_END = os.environ.get("TFF_PROGRAMME_END", "2015-04-30")
    PROGRAMME_ENDS = {
        "phase2": os.environ.get("TFF_PHASE2_END", "2020-03-31"),
        "supporting_families": os.environ.get("TFF_SUPPORTING_FAMILIES_END", "2025-03-31"),
    }
    #: families a worker takes at a time when the cohort's results are decided
    OUTCOMES_CHUNK = int(os.environ.get("TFF_OUTCOMES_CHUNK", "2000"))

    # The largest request, an import file: a region's five million evidence rows with every
    # identity column (about 150 bytes a row) fit; anything larger is refused with a 413 before
    # it is read. The upload is spooled to disk, not held in memory.
    MAX_CONTENT_LENGTH = 1024 * 1024 * 1024

    #: argon2 cost; None = argon2-cffi's defaults (RFC 9106's low-memory profile)
    ARGON2_PARAMETERS = None

    def __init__(self):
        self.TFF_ENV = os.environ.get("TFF_ENV", "development")
        self.SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE / 'tff.sqlite3'}")
        self.REDIS_URL = os.environ.get("REDIS_URL")
        self.SECRET_KEY = os.environ.get("SECRET_KEY")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.TRUSTED_PROXIES = _trusted_proxies()
        self.CELERY = self._celery()

    def _celery(self) -> dict:
        if self.REDIS_URL:
            return {
                "broker_url": self.REDIS_URL,
                "task_ignore_result": True,
                "broker_connection_retry_on_startup": True,
                "task_acks_late": False,
            }
        # Embedded broker: kombu's filesystem transport, so `make run` needs no server.
        folder = INSTANCE / "broker"
        for sub in ("out", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": str(folder / "out"),
                "data_folder_out": str(folder / "out"),
                "processed_folder": str(folder / "processed"),
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
            "task_ignore_result": True,
            "broker_connection_retry_on_startup": True,
        }


class DevelopmentConfig(Config):
    def __init__(self):
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or _embedded_secret_key()


class TestConfig(Config):
    TESTING = True
    # The cheapest argon2 hashes: the tests sign in thousands of times.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"

    def __init__(self):
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or "test-secret-key"
        self.RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    def __init__(self):
        super().__init__()
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError("TFF_ENV=production needs " + ", ".join(missing) + " set in the environment")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def load(env: str | None = None) -> Config:
    env = env or os.environ.get("TFF_ENV", "development")
    if env not in CONFIGS:
        raise RuntimeError(f"TFF_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
    return CONFIGS[env]()
