"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

The browser may only talk to the live server: every request to another host is aborted and
recorded, and the `page` fixture fails the test if any was (no CDN, no telemetry). On failure a
screenshot is saved to var/test/e2e-failure.png.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Debian's chromium; ELO_E2E_CHROMIUM points elsewhere (another chromium build, never a download).
CHROMIUM = Path(os.environ.get("ELO_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
FAILURE_SCREENSHOT = Path(__file__).resolve().parents[2] / "var" / "test" / "e2e-failure.png"
TIMEOUT_MS = 10_000

_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    """One headless chromium for the session. Without the chromium binary the browser tests
    are skipped on a workstation, but fail when CI is set."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{reason}; CI is set, so the browser tests may not be skipped")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django refuses
    # ORM calls there unless told otherwise (the live server itself runs in another thread).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What went wrong in the browser: requests to other hosts (aborted), uncaught JavaScript
    errors and HTTP answers of 400 and more."""

    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests left the live server: {self.blocked}"
        assert self.page_errors == [], f"JavaScript errors: {self.page_errors}"
        assert self.failed_responses == [], f"failed responses: {self.failed_responses}"


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(
    playwright_browser: Any,
    live_server: Any,
    page_watch: PageWatch,
    request: pytest.FixtureRequest,
) -> Generator[Any, None, None]:
    """A fresh page (own cookies) whose network is limited to the live server, with an English
    browser locale so that any Portuguese comes from the user's own language setting."""
    context = playwright_browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    blocked = page_watch.blocked
    page_errors = page_watch.page_errors
    failed_responses = page_watch.failed_responses

    def only_local(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            blocked.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    try:
        yield page
        report = request.node.stash.get(_call_report, None)
        if report is None or report.passed:
            page_watch.assert_clean()
    finally:
        report = request.node.stash.get(_call_report, None)
        if report is not None and report.failed:
            FAILURE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            print(f"\nscreenshot of the failure: {FAILURE_SCREENSHOT}\nlast URL: {page.url}")
        context.close()
