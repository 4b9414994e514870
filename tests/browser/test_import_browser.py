"""A support coordinator uploads a messy class-register export on the school data page: every
problem is listed with its line, nothing is written; the corrected file is ready to confirm.
Every page of the way passes axe."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.db import connections
from playwright.sync_api import FilePayload, Page, expect

from kopiena.calendars.schooldays import current_school_year, school_days
from kopiena.pupils.models import Enrolment
from kopiena.schooldata.models import ImportRun
from tests import people as P
from tests.browser.test_pages import assert_accessible, login

pytestmark = pytest.mark.browser

T = TypeVar("T")
HEADER = "Iestādes kods;Skolēna ID;Datums;Stundas;Attaisnoti;Neattaisnoti;Kavējumi"


def _orm(django_db_blocker: Any, query: Callable[[], T]) -> T:
    """Run an ORM query outside Playwright's event loop (Django refuses to in its thread)."""

    def run() -> T:
        try:
            with django_db_blocker.unblock():
                return query()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _pupils_and_day() -> tuple[list[str], dt.date]:
    source_ids = list(
        Enrolment.objects.filter(
            school__registration_code=P.SCHOOL_A, enrolled_to__isnull=True,
            enrolled_from__lte=dt.date(2026, 9, 20),
        ).order_by("source_id").values_list("source_id", flat=True)[:3]
    )
    year = current_school_year()
    assert year is not None and len(source_ids) == 3
    return source_ids, next(school_days(year, start=dt.date(2026, 10, 12)))


def _export(source_ids: list[str], day: dt.date, *, bad_date: str) -> bytes:
    """As a register in Latvia exports it: BOM, semicolons, Latvian headers, DD.MM.YYYY."""
    date = day.strftime("%d.%m.%Y")
    lines = [
        HEADER,
        f"{P.SCHOOL_A};{source_ids[0]};{date};6;0;1;0",
        f"{P.SCHOOL_A};{source_ids[1]};{date};6;2;0;1",
        f"{P.SCHOOL_A};{source_ids[2]};{bad_date};6;0;0;0",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _payload(name: str, content: bytes) -> FilePayload:
    return {"name": name, "mimeType": "text/csv", "buffer": content}


def _upload(page: Page, content: bytes, name: str) -> None:
    form = page.locator("form.upload-form")
    form.locator('input[name="kind"][value="attendance-days"]').check()
    form.locator('input[type="file"]').set_input_files(files=[_payload(name, content)])
    form.locator('button[type="submit"]').click()


def test_messy_export_is_explained_then_the_corrected_file_is_ready(
    page: Page, live_url: str, django_db_blocker: Any
) -> None:
    source_ids, day = _orm(django_db_blocker, _pupils_and_day)
    login(page, live_url, P.SUPPORT_A)
    page.locator('nav.main-nav a[href="/school-data/"]').click()
    expect(page).to_have_url(re.compile(r"/school-data/$"))
    expect(page.locator("#upload-heading")).to_be_visible()
    assert_accessible(page)

    # Nothing chosen: the form says what is missing, and the error summary has the focus.
    page.locator("form.upload-form button[type=submit]").click()
    expect(page.locator("#upload-errors")).to_be_focused()
    expect(page.locator('#upload-errors a[href="#id_file"]')).to_be_visible()
    assert_accessible(page)

    _upload(page, _export(source_ids, day, bad_date="31.02.2026"), "kavejumi.csv")
    expect(page).to_have_url(re.compile(r"/school-data/imports/\d+/$"))
    run_id = int(re.findall(r"/imports/(\d+)/", page.url)[0])
    expect(page.locator(".panel--error #status-heading")).to_be_visible()
    expect(page.locator("#confirm-import")).to_have_count(0)
    error_rows = page.locator("table.errors-table tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.first.locator("td").first).to_have_text("4")
    expect(error_rows.first.locator("td").nth(1)).to_have_text("Datums")
    # The preview shows how the file was read: the Latvian headers matched the columns.
    expect(page.locator("table.preview-table tbody tr")).to_have_count(3)
    expect(page.locator("table.preview-table")).to_contain_text(source_ids[0])
    # The corrected file goes in right here: the kind is still chosen.
    expect(page.locator('#reupload-heading')).to_be_visible()
    expect(page.locator('input[name="kind"][value="attendance-days"]')).to_be_checked()
    assert_accessible(page)
    refused = _orm(django_db_blocker,
                   lambda: ImportRun.objects.select_related("user").get(pk=run_id))
    assert refused.status == ImportRun.Status.REFUSED
    assert refused.user is not None and refused.user.email == P.SUPPORT_A

    fixed = _export(source_ids, day, bad_date=day.strftime("%d.%m.%Y"))
    page.locator("form.upload-form input[type=file]").set_input_files(
        files=[_payload("kavejumi.csv", fixed)]
    )
    page.locator("form.upload-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/school-data/imports/\d+/$"))
    expect(page.locator("#confirm-import")).to_be_visible()
    expect(page.locator("table.preview-table tbody tr")).to_have_count(3)
    expect(page.locator("table.errors-table")).to_have_count(0)
    assert_accessible(page)

    # The history lists both attempts.
    page.goto(live_url + "/school-data/history/")
    expect(page.locator(f'a[href="/school-data/imports/{run_id}/"]')).to_be_visible()
    assert_accessible(page)


def _make_run(status: str, **fields: Any) -> ImportRun:
    run = ImportRun.objects.create(
        kind="attendance-days", file_name="oktobris.csv", checksum="c0ffee" * 10 + "abcd",
        status=status, user=P.user(P.SUPPORT_A), **fields,
    )
    run.schools.add(P.org(P.SCHOOL_A))
    return run


def _update_run(run_id: int, **fields: Any) -> None:
    ImportRun.objects.filter(pk=run_id).update(**fields)


def test_progress_is_polled_until_the_result_shows(
    page: Page, live_url: str, django_db_blocker: Any
) -> None:
    run = _orm(django_db_blocker, lambda: _make_run(
        ImportRun.Status.APPLYING, rows=1000, total_rows=1000, progress_rows=100))
    login(page, live_url, P.SUPPORT_A)
    page.goto(f"{live_url}/school-data/imports/{run.pk}/")
    bar = page.locator("#run-progress-bar")
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#cancel-import")).to_be_visible()
    assert_accessible(page)

    _orm(django_db_blocker, lambda: _update_run(run.pk, progress_rows=600))
    expect(bar).to_have_attribute("value", "600")
    expect(bar).to_have_attribute("aria-valuenow", "600")
    expect(page.locator("#run-announcement")).to_contain_text("60")

    _orm(django_db_blocker, lambda: _update_run(
        run.pk, status=ImportRun.Status.APPLIED, progress_rows=1000, created=900,
        unchanged=100))
    heading = page.locator(".panel--ok #status-heading")
    expect(heading).to_be_focused()
    expect(page.locator("#run-progress")).to_have_count(0)
    expect(page.locator(".counts")).to_contain_text("900")
    assert_accessible(page)


def test_cancel_before_the_worker_starts(
    page: Page, live_url: str, django_db_blocker: Any
) -> None:
    run = _orm(django_db_blocker, lambda: _make_run(ImportRun.Status.QUEUED, rows=10,
                                                     total_rows=10))
    login(page, live_url, P.SUPPORT_A)
    page.goto(f"{live_url}/school-data/imports/{run.pk}/")
    expect(page.locator("#run-progress")).to_be_visible()
    assert_accessible(page)
    page.locator("#cancel-import").click()
    expect(page.locator(".panel--error #status-heading")).to_be_focused()
    expect(page.locator("#reupload-heading")).to_be_visible()
    assert _orm(django_db_blocker, lambda: ImportRun.objects.get(pk=run.pk).status) == (
        ImportRun.Status.CANCELLED)
    assert_accessible(page)
