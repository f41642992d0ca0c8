import os
import tempfile

# Before the app is imported: a throwaway instance folder, and no production services
# unless a fixture asks for them.
os.environ["TFF_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="tff-test-instance-")
os.environ["TFF_ENV"] = "test"
for _name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
    os.environ.pop(_name, None)

import flask_migrate  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests import services  # noqa: E402
from tests.helpers import Maker  # noqa: E402

#: fixtures of the tests that run real workers (`workers`)
pytest_plugins = ["tests.worker_support"]

#: every test that uses the database runs on each of these
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url():
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if reason := services.postgres_available():
        services.unavailable(reason)
    server = services.Postgres()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url():
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    if reason := services.redis_available():
        services.unavailable(reason)
    server = services.Redis()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tff.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def build_app(database_url: str, **overrides):
    from config import TestConfig
    from tff import create_app

    return create_app(TestConfig(), SQLALCHEMY_DATABASE_URI=database_url, **overrides)


@pytest.fixture(scope="session")
def app(database_url):
    app = build_app(database_url)
    with app.app_context():
        # The schema comes from the migrations, as in production.
        flask_migrate.upgrade(revision="heads")
    return app


def _empty_database(app) -> None:
    from tff.claims import guards
    from tff.extensions import db, limiter

    with app.app_context():
        db.session.rollback()
        # A submitted claim and a payment refuse to be deleted: the guards are lifted while the
        # tables empty.
        dialect = db.engine.dialect.name
        for statement in guards.every_statement(dialect, create=False):
            db.session.execute(text(statement))
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        for statement in guards.every_statement(dialect):
            db.session.execute(text(statement))
        db.session.commit()
    limiter.reset()


@pytest.fixture
def clean(app):
    """The test starts with an empty database and no throttling, and leaves it so."""
    _empty_database(app)
    yield app
    _empty_database(app)


@pytest.fixture
def client(clean):
    return clean.test_client()


@pytest.fixture
def make(clean):
    return Maker(clean)
