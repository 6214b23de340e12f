"""Headless Chromium on a live server, shared by the widget's browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from tests.serving.live import live_server
from tests.serving.test_browser import CHROMIUM


@contextmanager
def widget_tab(app: FastAPI) -> Iterator[tuple[Any, str]]:
    """A fresh 1280×800 Chromium tab and the base URL of `app` served for real (the demo shop page is at '/')."""
    from playwright.sync_api import sync_playwright

    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800}), base
        finally:
            browser.close()
