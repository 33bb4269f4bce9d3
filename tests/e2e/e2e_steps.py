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


def type_into_cell(page: Page, grid: Locator, *, row: int, column: int, value: str) -> None:
    """Type a value into a data_editor cell: focus it, Enter opens the editor, Enter commits.

    Each committed edit reruns the app; a keystroke landing while the grid re-renders can be
    lost, so the cell is read back from the grid's accessible table and retried.
    """
    cell = grid.locator(f"#glide-cell-{column}-{row}")
    for _ in range(4):
        cell.focus()
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
        page.keyboard.type(value)
        page.wait_for_timeout(200)
        page.keyboard.press("Enter")
        page.wait_for_timeout(600)
        settle(page)
        if cell.inner_text().strip() == value:
            return
    raise AssertionError(f"could not type {value} into cell ({row}, {column}): {cell.inner_text()!r}")


def paste_into_grid(page: Page, grid: Locator, *, row: int, column: int, text: str) -> None:
    """Put tab-separated text on the clipboard (as Excel does) and paste it with the cell selected."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    target = f"glide-cell-{column}-{row}"
    for _ in range(4):  # the grid's first focus may land on its first cell
        grid.locator(f"#{target}").focus()
        page.wait_for_timeout(300)
        if page.evaluate("document.activeElement.id") == target:
            break
    page.keyboard.press("ControlOrMeta+V")
    page.wait_for_timeout(600)
    settle(page)
