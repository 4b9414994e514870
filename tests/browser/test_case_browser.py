"""Support cases in a browser: a class teacher refers a pupil from the pupil page, the support
coordinator records consent and assesses risks, a social worker answers a referral; every
page passes axe-core (no serious or critical violation)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kopiena.pupils.models import ClassStaff, Pupil
from tests import people as P
from tests.browser.test_import_browser import _orm
from tests.browser.test_pages import assert_accessible, login

pytestmark = pytest.mark.browser


def _unfold(page: Page) -> None:
    """Open the page's first folded form (it may be open already)."""
    page.locator("details.case-form-box").first.evaluate("details => { details.open = true; }")


def _pupil_of_teacher_a() -> int:
    own = ClassStaff.objects.get(user__email=P.TEACHER_A, kind="class_teacher").school_class
    pupil = (Pupil.objects.filter(school_class=own)
             .exclude(support_cases__status="open").order_by("-pk").first())
    assert pupil is not None
    return pupil.pk


def test_teacher_refers_and_support_coordinator_takes_over(
        page: Page, live_url: str, django_db_blocker: Any) -> None:
    pupil_id = _orm(django_db_blocker, _pupil_of_teacher_a)
    login(page, live_url, P.TEACHER_A)
    page.goto(f"{live_url}/pupils/{pupil_id}/")
    page.locator(f'#case-panel-heading ~ p a[href="/cases/open/{pupil_id}/"]').click()
    assert_accessible(page)
    page.locator("textarea[name=reason]").fill("Kavē pirmdienas, nav mājasdarbu.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    assert_accessible(page)
    case_url = page.url

    page.context.clear_cookies()
    login(page, live_url, P.SUPPORT_A)
    page.goto(case_url)
    expect(page.locator(".case-banner")).to_be_visible()  # no consent yet
    page.goto(case_url + "?tab=consent")
    _unfold(page)
    assert_accessible(page)
    page.locator("input[name=signer_name]").fill("Anna Kalniņa")
    page.locator("input[name=scope][value=partner_agencies]").check()
    page.locator("details.case-form-box button[type=submit]").click()
    expect(page.locator(".case-banner")).to_have_count(0)

    page.goto(case_url + "risks/new/")
    page.locator("input[name=factor_absences]").check()
    expect(page.locator("textarea[name=note_absences]")).to_be_visible()
    expect(page.locator("textarea[name=note_bullying]")).to_be_hidden()
    page.locator("textarea[name=note_absences]").fill("Kavē pirmdienās.")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Kavē pirmdienās.")
    assert_accessible(page)

    page.goto(case_url + "?tab=referrals")
    _unfold(page)
    agency = page.locator("select[name=agency] option", has_text="sociālais dienests")
    page.locator("select[name=agency]").select_option(agency.get_attribute("value"))
    page.locator("textarea[name=request]").fill("Lūdzam izvērtēt ģimenes situāciju.")
    page.locator("input[name=shared_parts][value=risks]").check()
    page.locator("details.case-form-box button[type=submit]").click()
    assert_accessible(page)
    for tab in ("timeline", "team", "family"):
        page.goto(f"{case_url}?tab={tab}")
        assert_accessible(page)
    page.goto(f"{live_url}/cases/")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_url, P.SOCIAL)
    page.goto(f"{live_url}/cases/")
    assert_accessible(page)
    page.goto(case_url)
    expect(page.locator(".case-tabs a")).to_have_count(2)  # the overview and the risks
    page.locator("button[name=decision][value=accept]").click()
    expect(page.locator("button[name=decision]")).to_have_count(0)
    assert_accessible(page)
