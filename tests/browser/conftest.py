"""The real app on a live server, driven by Debian's Chromium through Playwright.

Every test gets a fresh browser context and an empty database. A test fails if the browser
console shows an error (a CSP violation, a missing asset, an uncaught exception), and a
failing test leaves a screenshot and the page's HTML in `test-results/` at the repo root.
"""

import re
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import pytest
from werkzeug.serving import make_server

from tests import services
from tests.conftest import _empty_database, build_app
from tests.helpers import Maker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = services.ROOT / "test-results"
#: how long `expect(...)` waits by default; polling pages need a few seconds
EXPECT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app, served from a background thread on a SQLite file, for the whole session."""
    folder = tmp_path_factory.mktemp("browser")
    app = build_app(f"sqlite:///{folder / 'tff.sqlite3'}")
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture
def live(live_server):
    """The live server, with an empty database and no throttling before and after the test."""
    _empty_database(live_server.app)
    yield SimpleNamespace(app=live_server.app, url=live_server.url, make=Maker(live_server.app))
    _empty_database(live_server.app)


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        services.unavailable("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live):
    """A page in a fresh context (no cookies), recording every console error it shows."""
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            page.console_errors.append(f"console error on {page.url}: {message.text} {where}".rstrip())

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught exception on {page.url}: {error}"))
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: any console error the page showed fails the test."""
    result = yield
    page = item.funcargs.get("page")
    if page is not None and not page.is_closed():
        # Let anything still loading (an image, a font) report before deciding.
        page.wait_for_load_state("load")
        if page.console_errors:
            raise AssertionError("the browser console showed errors:\n  " + "\n  ".join(page.console_errors))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, keep a full-page screenshot and the HTML of the page, and say where."""
    report = yield
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.failed and report.when in ("setup", "call") and page is not None and not page.is_closed():
        RESULTS.mkdir(exist_ok=True)
        stem = RESULTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
        kept = []
        try:
            page.screenshot(path=f"{stem}.png", full_page=True, timeout=5_000)
            kept.append(f"{stem}.png")
        except Exception as exc:
            kept.append(f"(no screenshot: {exc})")
        try:
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            kept.append(f"{stem}.html")
        except Exception as exc:
            kept.append(f"(no HTML: {exc})")
        text = f"page at failure: {page.url}\n" + "\n".join(kept)
        if page.console_errors:
            text += "\nbrowser console errors:\n" + "\n".join(page.console_errors)
        report.sections.append(("browser", text))
        print(f"\n[browser] {item.nodeid} failed on {page.url}; kept {', '.join(kept)}")
    return report
