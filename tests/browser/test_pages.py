"""A person logs in, in Latvian or English, finds pupils and opens one; every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import people as P
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
PASSWORD = "kopiena-demo"


def login(page: Page, live_url: str, email: str) -> None:
    page.goto(live_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("nav.main-nav")).to_be_visible()


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_login_page_is_latvian_and_accessible(page: Page, live_url: str) -> None:
    page.goto(live_url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pieteikties Kopienā")
    expect(page.get_by_label("E-pasta adrese")).to_be_visible()
    assert_accessible(page)


def test_teacher_finds_a_pupil_in_latvian(page: Page, live_url: str) -> None:
    login(page, live_url, P.TEACHER_A)
    assert_accessible(page)
    page.get_by_role("link", name="Skolēni").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skolēni")
    assert_accessible(page)
    first_row = page.locator("#pupil-results tbody th a").first
    name = first_row.inner_text()
    last_name = name.split(",")[0]
    # Searching (htmx) narrows the list without a page reload.
    page.get_by_label("Meklēt pēc vārda").fill(last_name)
    expect(page.locator("#pupil-results tbody th a").first).to_contain_text(last_name)
    expect(page).to_have_url(re.compile(r"q="))
    page.locator("#pupil-results tbody th a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#enrolment-heading")).to_be_visible()
    expect(page.locator("#guardians-heading")).to_be_visible()
    assert_accessible(page)


def test_language_switch_to_english(page: Page, live_url: str) -> None:
    login(page, live_url, P.DIRECTOR_A)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Pupils").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    assert_accessible(page)
    page.get_by_role("link", name="Organisations").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="LV").click()
    expect(page.locator("html")).to_have_attribute("lang", "lv")


@pytest.mark.parametrize("email", [P.MUNICIPALITY, P.NATIONAL, P.SOCIAL, P.ADMIN])
def test_other_personas_see_their_overview(page: Page, live_url: str, email: str) -> None:
    login(page, live_url, email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_two_factor_page_is_accessible(page: Page, live_url: str) -> None:
    login(page, live_url, P.SUPPORT_B)
    page.goto(live_url + "/accounts/2fa/")
    assert_accessible(page)
