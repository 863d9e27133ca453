"""Browser tests drive Debian's Chromium through Playwright against pytest-django's live server."""

import os
import shutil

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def _chromium_path() -> str | None:
    return next(filter(None, (shutil.which(name) for name in CHROMIUM_NAMES)), None)


@pytest.fixture(scope="session")
def chromium_path():
    path = _chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and CI must run them.")
        pytest.skip(message + ".")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # while it runs are still ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _pages_cached(settings):
    """Browsers read the site as readers do, its pages cached: every change a test makes in the admin
    or through a service is committed, so each must show at the next request."""
    settings.FOOTNOTE_PAGE_CACHE_SECONDS = 3600
