"""Headless Chromium on a live server, shared by the widget's browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from tests.serving.live import live_server
from tests.serving.test_browser import CHROMIUM

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def widget_tab(app: FastAPI, width: int = 1280, height: int = 800) -> Iterator[tuple[Any, str]]:
    """A fresh Chromium tab and the base URL of `app` served for real (the demo shop page is at '/')."""
    from playwright.sync_api import sync_playwright

    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height}), base
        finally:
            browser.close()
