"""The school data page: upload → check → preview → confirm → apply, errors, cancel, history,
and who may see what (everyone else gets a 404)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any, cast
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks.backends.dummy import DummyBackend

from kopiena.accounts.models import Membership
from kopiena.accounts.roles import Role
from kopiena.calendars.schooldays import current_school_year, school_days
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Enrolment
from kopiena.schooldata import tasks
from kopiena.schooldata.importing.apply import Ticker
from kopiena.schooldata.models import AttendanceDay, ImportKind, ImportRun
from tests.base import BaseTestCase

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Enqueued tasks are only recorded (no worker): `default_task_backend.results`.
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
HEADER = "school_code,pupil_id,date,lessons_scheduled,absent_excused,absent_unexcused,late"
Status = ImportRun.Status


def first_school_day_from(day: dt.date) -> dt.date:
    year = current_school_year()
    assert year is not None
    for school_day in school_days(year, start=day, end=timezone.localdate()):
        return school_day
    raise AssertionError(f"no school day between {day} and today")


def run_url(run: ImportRun, action: str = "") -> str:
    return f"/school-data/imports/{run.pk}/" + (f"{action}/" if action else "")


def make_run(school: Organisation, *, status: str = Status.CHECKED, user: Any = None,
             **fields: Any) -> ImportRun:
    run = ImportRun.objects.create(
        kind=ImportKind.ATTENDANCE_DAYS, status=status, file_name=f"{school.pk}-{status}.csv",
        checksum="ab" * 32, user=user, **fields,
    )
    run.schools.add(school)
    return run


class ImportFlowTests(BaseTestCase):
    school_day: dt.date
    enrolments: list[Enrolment]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.enrolments = list(
            Enrolment.objects.filter(
                school=cls.school_a, enrolled_to__isnull=True,
                enrolled_from__lte=dt.date(2026, 9, 20),
            ).order_by("source_id")[:2]
        )
        assert len(cls.enrolments) == 2
        cls.school_day = first_school_day_from(dt.date(2026, 10, 5))

    def setUp(self) -> None:
        # The demo may hold attendance already: start from none for these pupil-days.
        AttendanceDay.objects.filter(
            pupil__in=[e.pupil_id for e in self.enrolments], date=self.school_day
        ).delete()

    def csv(self, *rows: str, header: str = HEADER) -> bytes:
        return ("\n".join([header, *rows]) + "\n").encode()

    def good_rows(self) -> list[str]:
        day = self.school_day.isoformat()
        return [f"{self.school_a.registration_code},{e.source_id},{day},6,0,1,0"
                for e in self.enrolments]

    def upload(self, client: Client, content: bytes, *, kind: str = "attendance-days",
               name: str = "attendance.csv", school: Organisation | None = None) -> Any:
        school = school or self.school_a
        return client.post("/school-data/", {
            "school": school.pk, "kind": kind,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        })

    def written(self) -> int:
        return AttendanceDay.objects.filter(
            pupil__in=[e.pupil_id for e in self.enrolments], date=self.school_day
        ).count()

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_upload_preview_confirm_applied(self) -> None:
        client = self.client_for(self.support_a)
        response = self.upload(client, self.csv(*self.good_rows()))
        assert response.status_code == 303
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", response["Location"])[0]))
        assert response["Location"] == run_url(run)
        assert run.status == Status.CHECKED, run.errors
        assert run.user == self.support_a
        assert list(run.schools.all()) == [self.school_a]

        page = client.get(run_url(run))
        html = page.content.decode()
        assert page.status_code == 200
        assert 'id="confirm-import"' in html
        assert self.enrolments[0].source_id in html  # the preview shows the first rows
        assert re.search(r"<dd>2</dd>", html)  # would create 2
        assert self.written() == 0  # nothing written before confirming

        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(run_url(run, "confirm"))
        assert response.status_code == 303
        run.refresh_from_db()
        assert run.status == Status.APPLIED
        assert run.task_id
        assert (run.created, run.updated, run.unchanged) == (2, 0, 0)
        assert self.written() == 2
        day = AttendanceDay.objects.get(pupil_id=self.enrolments[0].pupil_id,
                                        date=self.school_day)
        assert (day.lessons_scheduled, day.absent_unexcused) == (6, 1)

        html = client.get(run_url(run)).content.decode()
        assert "confirm-import" not in html
        assert 'class="panel panel--ok"' in html

        # The same file again changes nothing.
        run2 = ImportRun.objects.get(pk=int(re.findall(
            r"\d+", self.upload(client, self.csv(*self.good_rows()))["Location"])[0]))
        assert (run2.status, run2.created, run2.updated, run2.unchanged) == (
            Status.CHECKED, 0, 0, 2)

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_cancel_while_applying_leaves_nothing(self) -> None:
        client = self.client_for(self.support_a)
        run = ImportRun.objects.get(pk=int(re.findall(
            r"\d+", self.upload(client, self.csv(*self.good_rows()))["Location"])[0]))
        ticks = Ticker.__call__

        def cancel_then_tick(ticker: Ticker, done: int) -> None:
            # The user presses Cancel while the rows are being written.
            client.post(run_url(run, "cancel"))
            ticks(ticker, done)

        with mock.patch.object(Ticker, "__call__", cancel_then_tick), \
                self.captureOnCommitCallbacks(execute=True):
            client.post(run_url(run, "confirm"))
        run.refresh_from_db()
        assert run.status == Status.CANCELLED
        assert self.written() == 0
        html = client.get(run_url(run)).content.decode()
        assert "Nekas netika ierakstīts" in html  # the page speaks Latvian by default

    def test_cancel_before_the_worker_starts(self) -> None:
        client = self.client_for(self.support_a)
        run = ImportRun.objects.get(pk=int(re.findall(
            r"\d+", self.upload(client, self.csv(*self.good_rows()))["Location"])[0]))
        with override_settings(TASKS=DUMMY_TASKS), self.captureOnCommitCallbacks(execute=True):
            client.post(run_url(run, "confirm"))
        client.post(run_url(run, "cancel"))
        run.refresh_from_db()
        assert run.status == Status.CANCELLED
        # The worker comes later: it finds the run cancelled and writes nothing.
        with override_settings(TASKS=IMMEDIATE_TASKS):
            tasks.apply_import_task.call(run.pk)
        run.refresh_from_db()
        assert run.status == Status.CANCELLED
        assert self.written() == 0

    def test_an_excel_file_is_read_too(self) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER.split(","))
        for row in self.good_rows():
            code, pupil, day, *numbers = row.split(",")
            sheet.append([code, pupil, dt.date.fromisoformat(day), *map(int, numbers)])
        content = io.BytesIO()
        book.save(content)
        response = self.upload(self.client_for(self.support_a), content.getvalue(),
                               name="Kavējumi oktobris.xlsx")
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", response["Location"])[0]))
        assert (run.status, run.file_name, run.rows) == (
            Status.CHECKED, "Kavējumi oktobris.xlsx", 2), run.errors

    def test_confirm_twice_enqueues_once(self) -> None:
        client = self.client_for(self.support_a)
        run = ImportRun.objects.get(pk=int(re.findall(
            r"\d+", self.upload(client, self.csv(*self.good_rows()))["Location"])[0]))
        with override_settings(TASKS=DUMMY_TASKS):
            with self.captureOnCommitCallbacks(execute=True):
                client.post(run_url(run, "confirm"))
                client.post(run_url(run, "confirm"))
            enqueued = list(cast(DummyBackend, default_task_backend).results)
        assert [r.args for r in enqueued] == [[run.pk, "lv"]]  # the uploader's language
        run.refresh_from_db()
        assert (run.status, run.task_id) == (Status.QUEUED, enqueued[0].id)

    def test_only_the_uploader_confirms(self) -> None:
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", self.upload(
            self.client_for(self.support_a), self.csv(*self.good_rows()))["Location"])[0]))
        director = self.client_for(self.director_a)
        assert "confirm-import" not in director.get(run_url(run)).content.decode()
        with self.captureOnCommitCallbacks(execute=True):
            director.post(run_url(run, "confirm"))
        run.refresh_from_db()
        assert run.status == Status.CHECKED

    def test_errors_are_listed_with_line_and_column_and_nothing_is_written(self) -> None:
        code = self.school_a.registration_code
        rows = [*self.good_rows(),
                f"{code},{self.enrolments[0].source_id},31.02.2026,6,0,0,0",
                f"{code},NO-SUCH-PUPIL,{self.school_day.isoformat()},6,0,0,0"]
        client = self.client_for(self.support_a)
        response = self.upload(client, self.csv(*rows), name="broken.csv")
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", response["Location"])[0]))
        assert run.status == Status.REFUSED
        assert run.error_count >= 2
        assert {e["line"] for e in run.errors} >= {4, 5}
        assert self.written() == 0

        html = client.get(run_url(run)).content.decode()
        assert "confirm-import" not in html
        assert 'class="panel panel--error"' in html
        table = html[html.index('class="table errors-table"'):]
        table = table[:table.index("</table>")]
        assert re.search(r'<td class="num">4</td><td><code>date</code></td>', table), table
        assert re.search(r'<td class="num">5</td><td><code>pupil_id</code></td>', table), table
        # An easy way to upload the corrected file: the form, with the same kind and school.
        assert 'id="reupload-heading"' in html
        assert re.search(r'value="attendance-days" id="id_kind_\d+" checked', html)
        assert f'name="school" value="{self.school_a.pk}"' in html

        csv_errors = client.get(run_url(run) + "errors.csv")
        assert csv_errors.status_code == 200
        assert csv_errors["Content-Disposition"] == 'attachment; filename="broken-errors.csv"'
        body = csv_errors.content.decode("utf-8")
        assert body.startswith("\ufeff")
        assert "\n4;date;" in body.replace("\r\n", "\n")

    def test_the_form_keeps_the_choices_after_an_error(self) -> None:
        client = self.client_for(self.director_a)
        runs_before = ImportRun.objects.count()
        response = client.post("/school-data/", {"school": self.school_a.pk, "kind": "grades"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="upload-errors"' in html
        assert re.search(r'value="grades" id="id_kind_\d+" checked', html)
        assert 'href="#id_file"' in html
        assert 'aria-invalid="true"' in html
        assert ImportRun.objects.count() == runs_before

        response = self.upload(client, b"%PDF-1.4", kind="behaviour", name="export.pdf")
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(r'value="behaviour" id="id_kind_\d+" checked', html)
        assert ".xlsx" in html

        response = client.post("/school-data/", {"school": self.school_a.pk})
        assert 'href="#id_kind_0"' in response.content.decode()

    def test_the_upload_checks_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.support_a)
        runs_before = ImportRun.objects.count()
        response = self.upload(client, self.csv(*self.good_rows()))
        assert response.status_code == 403
        assert ImportRun.objects.count() == runs_before

    def test_a_file_over_the_limit_is_refused_before_it_is_stored(self) -> None:
        client = self.client_for(self.support_a)
        runs_before = ImportRun.objects.count()
        with mock.patch("kopiena.schooldata.forms.MAX_UPLOAD_BYTES", 50):
            response = self.upload(client, self.csv(*self.good_rows()), kind="grades")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Sadaliet to mazākos failos" in html
        assert re.search(r'value="grades" id="id_kind_\d+" checked', html)
        assert ImportRun.objects.count() == runs_before

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_a_large_file_is_checked_by_the_worker(self) -> None:
        client = self.client_for(self.support_a)
        with mock.patch("kopiena.schooldata.views.INLINE_CHECK_BYTES", 10), \
                self.captureOnCommitCallbacks(execute=True):
            response = self.upload(client, self.csv(*self.good_rows()))
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", response["Location"])[0]))
        assert run.status == Status.CHECKED
        assert run.task_id

    def test_a_file_still_being_checked_shows_progress(self) -> None:
        client = self.client_for(self.support_a)
        with mock.patch("kopiena.schooldata.views.INLINE_CHECK_BYTES", 10), \
                override_settings(TASKS=DUMMY_TASKS):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.upload(client, self.csv(*self.good_rows()))
            enqueued = list(cast(DummyBackend, default_task_backend).results)
        run = ImportRun.objects.get(pk=int(re.findall(r"\d+", response["Location"])[0]))
        assert (run.status, run.task_id) == (Status.UPLOADED, enqueued[0].id)
        html = client.get(run_url(run)).content.decode()
        assert "<progress" in html
        assert 'hx-trigger="every 1s"' in html


class ProgressAndCancelTests(BaseTestCase):
    def test_progress_partial_polls_until_finished(self) -> None:
        run = make_run(self.school_a, status=Status.APPLYING, user=self.support_a,
                       rows=200, total_rows=200, progress_rows=50)
        client = self.client_for(self.support_a)
        page = client.get(run_url(run)).content.decode()
        assert 'id="run-announcement"' in page and 'aria-live="polite"' in page
        assert 'id="cancel-import"' in page

        partial = client.get(run_url(run, "status"), {"seen": "x"}, HTTP_HX_REQUEST="true")
        html = partial.content.decode()
        assert partial.status_code == 200
        assert "<progress" in html
        assert 'max="200"' in html and 'value="50"' in html
        assert 'aria-valuenow="50"' in html
        assert "25%" in html
        assert 'hx-trigger="every 1s"' in html
        assert 'hx-swap-oob="innerHTML"' in html  # announced: the status changed
        assert "HX-Retarget" not in partial

        token = re.search(r"seen=([^\"&]+)", html)
        assert token is not None
        again = client.get(run_url(run, "status") + f"?seen={token.group(1)}",
                           HTTP_HX_REQUEST="true").content.decode()
        assert "hx-swap-oob" not in again  # nothing new to announce

        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.APPLIED, progress_rows=200, created=150, unchanged=50)
        done = client.get(run_url(run, "status"), {"seen": token.group(1)},
                          HTTP_HX_REQUEST="true")
        html = done.content.decode()
        assert done["HX-Retarget"] == "#run-status"
        assert done["HX-Reswap"] == "outerHTML"
        assert "every 1s" not in html
        assert "autofocus" in html
        assert 'hx-swap-oob="innerHTML"' in html and "150" in html

    def test_status_without_htmx_goes_to_the_page(self) -> None:
        run = make_run(self.school_a, status=Status.APPLYING)
        response = self.client_for(self.director_a).get(run_url(run, "status"))
        assert response.status_code == 303
        assert response["Location"] == run_url(run)

    def test_cancel_sets_the_flag(self) -> None:
        run = make_run(self.school_a, status=Status.APPLYING, user=self.support_a)
        client = self.client_for(self.director_a)
        response = client.post(run_url(run, "cancel"))
        assert response.status_code == 303
        run.refresh_from_db()
        assert run.cancel_requested
        html = client.post(run_url(run, "cancel"), HTTP_HX_REQUEST="true").content.decode()
        assert 'id="run-progress"' in html

    def test_cancel_of_a_finished_run_changes_nothing(self) -> None:
        run = make_run(self.school_a, status=Status.APPLIED)
        self.client_for(self.support_a).post(run_url(run, "cancel"))
        run.refresh_from_db()
        assert not run.cancel_requested
        assert run.status == Status.APPLIED

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_a_run_cancelled_before_it_starts_writes_nothing(self) -> None:
        run = make_run(self.school_a, status=Status.QUEUED, user=self.support_a,
                       cancel_requested=True)
        tasks.apply_import_task.call(run.pk)
        run.refresh_from_db()
        assert run.status == Status.CANCELLED
        assert run.finished_at is not None
        html = self.client_for(self.support_a).get(run_url(run)).content.decode()
        assert 'class="panel panel--error"' in html
        assert 'id="reupload-heading"' in html

    def test_confirm_and_cancel_are_post_only(self) -> None:
        run = make_run(self.school_a, user=self.support_a)
        client = self.client_for(self.support_a)
        assert client.get(run_url(run, "confirm")).status_code == 405
        assert client.get(run_url(run, "cancel")).status_code == 405


class PermissionTests(BaseTestCase):
    def test_only_importers_open_the_page(self) -> None:
        for user in (self.director_a, self.support_a, self.support_b):
            assert self.client_for(user).get("/school-data/").status_code == 200
        for user in (self.teacher_a, self.psychologist_a, self.municipality_coordinator,
                     self.admin, self.national_analyst, self.teacher_b):
            assert self.client_for(user).get("/school-data/").status_code == 404, user
            assert self.client_for(user).get("/school-data/history/").status_code == 404
        assert Client().get("/school-data/").status_code == 302

    def test_navigation_shows_school_data_to_importers_only(self) -> None:
        assert 'href="/school-data/"' in self.client_for(self.support_a).get("/").content.decode()
        assert 'href="/school-data/"' not in (
            self.client_for(self.teacher_a).get("/").content.decode())

    def test_another_schools_run_is_a_404(self) -> None:
        run_b = make_run(self.school_b, status=Status.APPLYING, user=self.support_b)
        client = self.client_for(self.support_a)
        for action in ("", "status", "errors.csv"):
            url = run_url(run_b) + (action if action.endswith(".csv") else
                                    (f"{action}/" if action else ""))
            assert client.get(url).status_code == 404, url
        for action in ("confirm", "cancel"):
            assert client.post(run_url(run_b, action)).status_code == 404
        run_b.refresh_from_db()
        assert not run_b.cancel_requested
        assert self.client_for(self.support_b).get(run_url(run_b)).status_code == 200

    def test_another_school_cannot_be_chosen(self) -> None:
        client = self.client_for(self.director_a)
        runs_before = ImportRun.objects.count()
        assert client.get("/school-data/", {"school": self.school_b.pk}).status_code == 404
        assert client.get("/school-data/history/",
                          {"school": self.school_b.pk}).status_code == 404
        response = client.post("/school-data/", {
            "school": self.school_b.pk, "kind": "grades",
            "file": SimpleUploadedFile("g.csv", b"a,b\n1,2\n"),
        })
        assert response.status_code == 200
        assert ImportRun.objects.count() == runs_before

    def test_a_user_with_two_schools_chooses_one(self) -> None:
        Membership.objects.create(user=self.director_a, organisation=self.school_b,
                                  role=Role.SUPPORT_COORDINATOR)
        client = self.client_for(self.director_a)
        html = client.get("/school-data/").content.decode()
        assert 'id="show-school"' in html  # which school's data quality to show
        assert '<select name="school" id="id_school"' in html  # which school the file is for
        html = client.get("/school-data/", {"school": self.school_b.pk}).content.decode()
        assert f"{self.school_b.name}</h2>" in html
        assert f'<option value="{self.school_b.pk}" selected>' in html
        run_b = make_run(self.school_b, status=Status.APPLIED)
        run_a = make_run(self.school_a, status=Status.APPLIED)
        html = client.get("/school-data/history/", {"school": self.school_b.pk}).content.decode()
        assert f'href="{run_url(run_b)}"' in html and f'href="{run_url(run_a)}"' not in html
        html = client.get("/school-data/history/").content.decode()
        assert f'href="{run_url(run_b)}"' in html and f'href="{run_url(run_a)}"' in html
        # Without a school chosen, the form asks for one and keeps the kind.
        response = client.post("/school-data/", {
            "kind": "pupils", "file": SimpleUploadedFile("p.csv", b"a,b\n1,2\n")})
        html = response.content.decode()
        assert 'href="#id_school"' in html
        assert re.search(r'value="pupils" id="id_kind_\d+" checked', html)

    def test_history_lists_only_the_users_schools(self) -> None:
        run_a = make_run(self.school_a, status=Status.APPLIED, user=self.support_a,
                         created=3, rows=3)
        run_b = make_run(self.school_b, status=Status.REFUSED, user=self.support_b,
                         error_count=2)
        cli_run = make_run(self.school_a, status=Status.APPLIED)  # command line, no user
        html = self.client_for(self.director_a).get("/school-data/history/").content.decode()
        assert f'href="{run_url(run_a)}"' in html
        assert f'href="{run_url(cli_run)}"' in html
        assert f'href="{run_url(run_b)}"' not in html
        assert run_a.checksum[:12] in html
        html_b = self.client_for(self.support_b).get("/school-data/history/").content.decode()
        assert f'href="{run_url(run_b)}"' in html_b
        assert f'href="{run_url(run_a)}"' not in html_b

    def test_a_run_touching_another_school_hides_its_rows(self) -> None:
        run = make_run(self.school_a, user=self.support_a, preview=[
            {"line": 2, "school_code": self.school_a.registration_code, "pupil_id": "A-1",
             "personal_code": "010101-10101"},
            {"line": 3, "school_code": self.school_b.registration_code, "pupil_id": "B-1",
             "personal_code": ""},
        ])
        run.schools.add(self.school_b)
        html = self.client_for(self.director_a).get(run_url(run)).content.decode()
        assert "A-1" in html and "B-1" not in html
        assert "010101-10101" not in html


def test_background_check_speaks_the_uploaders_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import translation

    from kopiena.schooldata import tasks

    seen: list[str | None] = []

    def spy(run_id: int) -> dict[str, object]:
        seen.append(translation.get_language())
        return {"run": run_id}

    monkeypatch.setattr(tasks, "_check", spy)
    tasks.check_import_task.call(1, "en")
    tasks.check_import_task.call(1)
    assert seen == ["en", "lv"]
