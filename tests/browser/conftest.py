"""The real app on a live server, driven by Debian's Chromium through Playwright.

Every test gets a fresh browser context and an empty database. A test fails if the browser
console shows an error (a CSP violation, a missing asset, an uncaught exception), and a
failing test leaves a full-page screenshot and the HTML of every page it had open in
`test-artifacts/screenshots/` at the repo root (gitignored).

The accessibility tests use `a11y_page`: a context that bypasses the app's CSP, so that
axe-core (installed from npm by `make install`) can be injected into the page.
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
SCREENSHOTS = services.ROOT / "test-artifacts" / "screenshots"
AXE = services.ROOT / "node_modules" / "axe-core" / "axe.min.js"
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


def _new_page(browser, live, **options):
    """A page in a fresh context (no cookies), recording every console error it shows."""
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            page.console_errors.append(f"console error on {page.url}: {message.text} {where}".rstrip())

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught exception on {page.url}: {error}"))
    return page


@pytest.fixture
def page(browser, live):
    page = _new_page(browser, live)
    yield page
    page.context.close()


@pytest.fixture
def a11y_page(browser, live):
    """A page whose context ignores the CSP, for the accessibility tests only: axe-core is
    injected as a script the app's policy would (rightly) refuse."""
    if not AXE.exists():
        services.unavailable(f"{AXE.relative_to(services.ROOT)} is missing (run `make install`)")
    page = _new_page(browser, live, bypass_csp=True)
    yield page
    page.context.close()


def _pages(item) -> list:
    """Every page the test has open, in any context of its browser."""
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if browser is None:
        return []
    return [page for context in browser.contexts for page in context.pages if not page.is_closed()]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: any console error the page showed fails the test."""
    result = yield
    for page in _pages(item):
        # Let anything still loading (an image, a font) report before deciding.
        page.wait_for_load_state("load")
        if getattr(page, "console_errors", None):
            raise AssertionError("the browser console showed errors:\n  " + "\n  ".join(page.console_errors))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, keep a full-page screenshot and the HTML of each open page, and say where."""
    report = yield
    pages = _pages(item) if report.failed and report.when in ("setup", "call") else []
    if pages:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
        lines = []
        for number, page in enumerate(pages, start=1):
            stem = SCREENSHOTS / (name if number == 1 else f"{name}-{number}")
            kept = [page.url]
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
            lines.append(" ".join(kept))
            if getattr(page, "console_errors", None):
                lines.append("browser console errors:\n  " + "\n  ".join(page.console_errors))
        report.sections.append(("browser", "pages at failure:\n" + "\n".join(lines)))
        print(f"\n[browser] {item.nodeid} failed; kept:\n  " + "\n  ".join(lines))
    return report
