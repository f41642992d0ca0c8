"""Configuration from the environment."""

import pytest

import config


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    monkeypatch.setenv("TFF_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL, REDIS_URL"):
        config.load()


def test_production_uses_postgresql_redis_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://tff:pw@db.internal/tff")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    settings = config.load("production")
    assert settings.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://tff:pw@db.internal/tff"
    assert settings.CELERY["broker_url"] == "redis://cache.internal:6379/0"
    assert settings.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"
    assert settings.SESSION_COOKIE_SECURE is True


def test_the_embedded_default_keeps_one_generated_secret_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    first = config.load("development")
    second = config.load("development")
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY == second.SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert f"sqlite:///{tmp_path / 'tff.sqlite3'}" == first.SQLALCHEMY_DATABASE_URI
    assert first.CELERY["broker_url"] == "filesystem://"


def test_an_unknown_environment_is_refused(monkeypatch):
    with pytest.raises(RuntimeError, match="TFF_ENV must be one of"):
        config.load("staging")
