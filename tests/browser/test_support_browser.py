"""The support screens in a browser: reachable from the navigation, in Latvian, and every page
passes axe-core (no serious or critical violation)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import people as P
from tests.browser.test_pages import assert_accessible, login

pytestmark = pytest.mark.browser


def test_support_coordinator_walks_from_school_to_class_to_pupil(page: Page, live_url: str) -> None:
    login(page, live_url, P.SUPPORT_A)
    page.get_by_role("link", name="Atbalsts").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo vidusskola")
    expect(page.locator("svg.chart").first).to_be_visible()
    assert_accessible(page)
    page.locator("#classes-heading ~ table a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo vidusskola")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Neattaisnoti")).click()
    expect(page).to_have_url(re.compile(r"sort=unexcused_lessons_semester"))
    page.locator("tbody th a").first.click()
    expect(page.locator("#support-heading")).to_be_visible()
    expect(page.locator("#attendance-heading")).to_be_visible()
    assert_accessible(page)


def test_rules_page_is_accessible(page: Page, live_url: str) -> None:
    login(page, live_url, P.DIRECTOR_A)
    page.get_by_role("link", name="Atbalsts").first.click()
    page.get_by_role("link", name=re.compile("atbalsta noteikumi", re.IGNORECASE)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Atbalsta noteikumi")
    assert_accessible(page)


def test_municipality_coordinator_sees_aggregates(page: Page, live_url: str) -> None:
    login(page, live_url, P.MUNICIPALITY)
    page.get_by_role("link", name="Atbalsts").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demo novads")
    expect(page.locator("tbody tr")).to_have_count(4)
    assert_accessible(page)
