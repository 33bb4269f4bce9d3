"""Small browser steps shared by the end-to-end tests."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def choose_sidebar_year(page: Page, year: int) -> None:
    """Pick `year` in the sidebar's year box.

    A rerun that starts while the list is open (the landing page still drawing under load) closes
    the list again, so the box is reopened until the option is there.
    """
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    option = page.get_by_role("option", name=f"{year} 年度")
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
    raise AssertionError(f"the sidebar year box never offered {year} 年度")
