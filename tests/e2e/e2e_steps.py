"""Small browser steps shared by the end-to-end tests."""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def choose_option(page: Page, box: Locator, name: str | re.Pattern[str]) -> None:
    """Open the select box `box` and pick the option `name`.

    A rerun that starts while the list is open (a page still drawing under load) closes the list
    again, so the box is reopened until the option can be clicked.
    """
    option = page.get_by_role("option", name=name)
    for _ in range(5):
        settle(page)
        box.click()
        try:
            option.click(timeout=8_000)
        except PlaywrightError:
            page.keyboard.press("Escape")
            continue
        settle(page)
        return
    raise AssertionError(f"the select box never offered {name}")


def choose_sidebar_year(page: Page, year: int) -> None:
    """Pick `year` in the sidebar's year box."""
    choose_option(
        page, page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox"), f"{year} 年度"
    )
