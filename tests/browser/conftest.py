"""
Real-browser tests: Debian's Chromium driven by Playwright's sync API against live_server.

They never skip: without a browser they fail with the command that installs one.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
# around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = (
    f"Browser tests need Chromium at {CHROMIUM}. Install it with "
    "`sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), or point "
    "CHROMIUM=/path/to/chromium at another build. `npx playwright install` is not needed."
)
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def chromium_path() -> str:
    found = shutil.which(CHROMIUM)
    if found is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _sessions_in_cookies(settings):
    # Engineers' concurrent test runs flush the shared test Redis; cookie sessions survive it.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@pytest.fixture
def seeded(transactional_db):
    """Seed the roles right before a test's users join them (flushes remove them)."""
    from django.apps import apps

    from tickets.roles import seed_roles_and_categories

    seed_roles_and_categories(apps)


@pytest.fixture
def new_page(browser):
    """Return a factory of pages, each in its own context (its own cookies), closed after."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.csp_violations = []
        page.on("console", lambda msg: "Content Security Policy" in msg.text
                and page.csp_violations.append(msg.text))
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username: str, password: str = "correct horse battery") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    try:
        page.wait_for_url("**/agent/queues/mine/")
    except Exception:
        screenshot(page, f"sign-in-failed-{username}")
        raise
