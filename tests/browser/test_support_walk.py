"""The support process end to end in a browser, as the demo personas (issue 4, "Done when"):
a class teacher refers a flagged pupil; the support coordinator records consent, assesses the
risks, writes a plan and sends it for approval; the director and the municipality coordinator
approve; a session is logged; the social service receives a referral and sees only that case;
the evaluation shows the figures before and after. Every page passes axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kopiena.cases.models import SupportCase
from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.pupils.models import ClassStaff
from tests import people as P
from tests.browser.test_import_browser import _orm
from tests.browser.test_pages import assert_accessible, login

pytestmark = pytest.mark.browser


def _flagged_pupil_of_teacher_a() -> tuple[int, int]:
    """A flagged pupil of 7.a without a case, and a case of another pupil of the school."""
    own = ClassStaff.objects.get(user__email=P.TEACHER_A, kind="class_teacher").school_class
    status = (PupilSupportStatus.objects.filter(pupil__school_class=own)
              .exclude(level="universal").exclude(pupil__support_cases__isnull=False)
              .order_by("pupil_id").first())
    assert status is not None, "the demo gives 7.a a flagged pupil without a case"
    other = SupportCase.objects.filter(school=own.school).exclude(
        referrals__agency__kind="social_service").first()
    assert other is not None
    return status.pupil_id, other.pk


def _switch(page: Page, live_url: str, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_url, email)


def _take(page: Page, action: str, comment: str = "") -> None:
    form = page.locator(f"form.plan-action:has(input[name=action][value={action}])")
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()


def test_from_flag_to_evaluation(page: Page, live_url: str, django_db_blocker: Any) -> None:
    pupil_id, other_case_id = _orm(django_db_blocker, _flagged_pupil_of_teacher_a)

    # The class teacher refers the flagged pupil from the pupil's page.
    login(page, live_url, P.TEACHER_A)
    page.goto(f"{live_url}/pupils/{pupil_id}/")
    page.locator(f'a[href="/cases/open/{pupil_id}/"]').first.click()
    page.locator("textarea[name=reason]").fill("Bieži kavē pirmdienās, nav iesniegti darbi.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url

    # The support coordinator: consent, risks, the plan with a measure, sent for approval.
    _switch(page, live_url, P.SUPPORT_A)
    page.goto(f"{live_url}/cases/")
    expect(page.locator(f'a[href="{case_url.removeprefix(live_url)}"]').first).to_be_visible()
    page.goto(case_url + "?tab=consent")
    page.locator("details.case-form-box").first.evaluate("d => { d.open = true; }")
    page.locator("input[name=signer_name]").fill("Anna Kalniņa")
    for checkbox in page.locator("input[name=scope]").all():
        checkbox.check()
    page.locator("details.case-form-box button[type=submit]").click()
    expect(page.locator(".case-banner")).to_have_count(0)
    page.goto(case_url + "risks/new/")
    page.locator("input[name=factor_absences]").check()
    page.locator("textarea[name=note_absences]").fill("Kavē pirmdienās.")
    page.locator("input[name=factor_low_achievement]").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Kavē pirmdienās.")

    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"{live_url}/plans/new/{case_id}/")
    assert_accessible(page)
    page.locator("textarea[name=goals]").fill("Apmeklēt visas stundas; uzlabot matemātiku.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/$"))
    plan_url = page.url
    page.goto(plan_url + "measures/add/")
    psychologist = page.locator("select[name=measure_type] option",
                                has_text="Psihologa konsultācijas").first
    page.locator("select[name=measure_type]").select_option(
        psychologist.get_attribute("value"))
    page.locator("input[name=risks]").first.check()
    page.locator("textarea[name=justification]").fill("Sarunas par motivāciju un kavējumiem.")
    page.locator("select[name=provider] option").nth(1).wait_for(state="attached")
    page.locator("select[name=provider]").select_option(index=1)
    page.locator("input[name=planned_amount]").fill("6")
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(plan_url)
    _take(page, "submit")
    expect(page.locator("main")).to_contain_text("Apstiprināšanā")
    assert_accessible(page)

    # The director, then the municipality coordinator, approve from their approvals list.
    for approver in (P.DIRECTOR_A, P.MUNICIPALITY):
        _switch(page, live_url, approver)
        page.goto(f"{live_url}/plans/approvals/")
        assert_accessible(page)
        page.locator(f'a[href="{plan_url.removeprefix(live_url)}"]').first.click()
        _take(page, "approve")
    expect(page.locator("main")).to_contain_text("Apstiprināts")

    # A session is logged; the first one starts implementation.
    _switch(page, live_url, P.SUPPORT_A)
    page.goto(plan_url + "deliveries/add/")
    page.locator("input[name=duration_minutes]").fill("45")
    page.locator("select[name=staff]").select_option(index=1)
    page.locator("input[name=mode][value=in_person]").check()
    page.locator("input[name=pupil_confirmed]").check()
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Īstenošanā")

    # The case goes to the social service, sharing the plan; the worker sees that case only.
    page.goto(case_url + "?tab=referrals")
    page.locator("details.case-form-box").first.evaluate("d => { d.open = true; }")
    agency = page.locator("select[name=agency] option", has_text="sociālais dienests")
    page.locator("select[name=agency]").select_option(agency.get_attribute("value"))
    page.locator("textarea[name=request]").fill("Lūdzam izvērtēt ģimenes situāciju.")
    page.locator("input[name=shared_parts][value=plan]").check()
    page.locator("details.case-form-box button[type=submit]").click()
    _switch(page, live_url, P.SOCIAL)
    page.goto(case_url)
    page.locator("button[name=decision][value=accept]").click()
    expect(page.locator("button[name=decision]")).to_have_count(0)
    page.goto(plan_url)
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    assert page.goto(f"{live_url}/cases/{other_case_id}/").status == 404  # type: ignore[union-attr]

    # The evaluation puts the figures before and after side by side.
    _switch(page, live_url, P.SUPPORT_A)
    page.goto(plan_url + "evaluate/")
    page.locator("input[name=outcome][value=risk_reduced]").check()
    page.locator("textarea[name=summary]").fill("Kavējumi samazinājās, matemātika uzlabojās.")
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Pabeigts")
    expect(page.locator("table.plan-compared tbody tr").first).to_be_visible()
    assert_accessible(page)
