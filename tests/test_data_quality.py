"""Data-quality warnings of a school: each function on data made for the test, the report's
examples limited to the viewer's pupils, and the page that shows them (with the access log)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from kopiena.access.models import AccessedPupil, AccessLogEntry
from kopiena.access.scoping import visible_pupils
from kopiena.calendars.schooldays import current_school_year, school_days
from kopiena.pupils.models import ClassStaff, Enrolment, Pupil, SchoolClass
from kopiena.schooldata import data_quality as dq
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade
from tests.base import BaseTestCase


class DataQualityTests(BaseTestCase):
    days: list[dt.date]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        year = current_school_year()
        assert year is not None
        cls.days = list(school_days(year, end=timezone.localdate()))
        assert len(cls.days) > 20

    def setUp(self) -> None:
        # Whatever the demo imported, these tests start from a school without records.
        for model in (AttendanceDay, Grade, BehaviourIncident):
            model.objects.filter(school=self.school_a).delete()
        self.latest = self.days[-3]
        self.window = self.days[-7:-2]  # the last 5 school days up to `latest`
        assert self.window[-1] == self.latest
        self.enrolled = list(
            dq.enrolled_throughout(self.school_a, self.window[0], self.window[-1])
            .order_by("pk")
        )
        assert len(self.enrolled) > 5

    def attend(self, pupils: list[Pupil], day: dt.date) -> None:
        AttendanceDay.objects.bulk_create([
            AttendanceDay(pupil=p, school=self.school_a, date=day, lessons_scheduled=6)
            for p in pupils
        ])

    def test_pupils_without_recent_attendance(self) -> None:
        assert not dq.pupils_without_recent_attendance(self.school_a).exists()  # no data yet
        silent, others = self.enrolled[0], self.enrolled[1:]
        self.attend(others[:3], self.window[0])
        self.attend(others[3:], self.latest)
        found = set(dq.pupils_without_recent_attendance(self.school_a))
        assert found == {silent}
        assert dq.latest_attendance_day(self.school_a) == self.latest
        # One day recorded within the window is enough.
        self.attend([silent], self.window[2])
        assert not dq.pupils_without_recent_attendance(self.school_a).exists()
        # With a longer window, the days before count too: nobody has any there.
        assert set(dq.pupils_without_recent_attendance(self.school_a, days=10)) == set()

    def test_a_pupil_who_joined_within_the_window_is_not_flagged(self) -> None:
        self.attend(self.enrolled, self.latest)
        newcomer = Pupil.objects.filter(school=self.school_a).exclude(
            pk__in=[p.pk for p in self.enrolled]).first()
        if newcomer is None:
            newcomer = self.enrolled[0]
            AttendanceDay.objects.filter(pupil=newcomer).delete()
        Enrolment.objects.filter(pupil=newcomer, school=self.school_a).update(
            enrolled_from=self.window[2], enrolled_to=None)
        assert newcomer not in set(dq.pupils_without_recent_attendance(self.school_a))

    def test_school_days_without_attendance(self) -> None:
        assert dq.school_days_without_attendance(self.school_a) == []
        self.attend(self.enrolled[:1], self.days[0])
        self.attend(self.enrolled[:1], self.days[2])
        self.attend(self.enrolled[:1], self.latest)
        missing = dq.school_days_without_attendance(self.school_a)
        expected = [d for d in self.days if d <= self.latest
                    and d not in (self.days[0], self.days[2], self.latest)]
        assert missing == expected
        assert all(d.weekday() < 5 for d in missing)

    def test_records_outside_enrolment(self) -> None:
        enrolment = Enrolment.objects.filter(
            school=self.school_a, pupil__in=self.enrolled).order_by("pk").first()
        assert enrolment is not None
        before = enrolment.enrolled_from - dt.timedelta(days=3)
        inside = self.latest
        Grade.objects.create(pupil=enrolment.pupil, school=self.school_a, date=before,
                             subject="Matemātika", value="7", points=7)
        Grade.objects.create(pupil=enrolment.pupil, school=self.school_a, date=inside,
                             subject="Matemātika", value="8", points=8)
        AttendanceDay.objects.create(pupil=enrolment.pupil, school=self.school_a, date=before,
                                     lessons_scheduled=6)
        assert dq.records_outside_enrolment(self.school_a, Grade).count() == 1
        assert dq.records_outside_enrolment(self.school_a, AttendanceDay).count() == 1
        assert dq.records_outside_enrolment(self.school_a, BehaviourIncident).count() == 0
        # After the pupil left, a later record is outside too.
        Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_to=inside - dt.timedelta(1))
        assert dq.records_outside_enrolment(self.school_a, Grade).count() == 2

    def test_pupils_without_class_and_classes_without_teacher(self) -> None:
        assert not dq.pupils_without_class(self.school_a).exists()
        pupil = self.enrolled[0]
        Pupil.objects.filter(pk=pupil.pk).update(school_class=None)
        assert list(dq.pupils_without_class(self.school_a)) == [pupil]

        year = current_school_year()
        assert year is not None
        assert not dq.classes_without_class_teacher(self.school_a, year).exists()
        school_class = SchoolClass.objects.filter(
            school=self.school_a, school_year=year, pupils__isnull=False).first()
        assert school_class is not None
        ClassStaff.objects.filter(school_class=school_class,
                                  kind=ClassStaff.Kind.CLASS_TEACHER).delete()
        assert list(dq.classes_without_class_teacher(self.school_a, year)) == [school_class]
        # A class without pupils needs no class teacher yet.
        empty = SchoolClass.objects.create(school=self.school_a, school_year=year,
                                           label="12.z", grade=12)
        assert empty not in set(dq.classes_without_class_teacher(self.school_a, year))

    def test_report_examples_come_only_from_the_viewers_pupils(self) -> None:
        self.attend(self.enrolled[5:], self.latest)
        silent = set(self.enrolled[:5])
        whole_school = dq.data_quality_warnings(
            self.school_a, visible=visible_pupils(self.fresh(self.support_a)), examples=3)
        warning = next(w for w in whole_school.warnings if w.code == "no_recent_attendance")
        assert warning.count == 5
        assert len(warning.pupils) == 3 and set(warning.pupils) <= silent
        assert "5" in warning.message
        assert whole_school.latest_attendance_day == self.latest
        days_warning = next(w for w in whole_school.warnings
                            if w.code == "school_days_without_attendance")
        assert days_warning.count == len([d for d in self.days if d < self.latest])
        assert days_warning.items[0] == self.days[0].strftime("%d.%m.%Y")

        nobody = dq.data_quality_warnings(self.school_a, visible=Pupil.objects.none())
        warning = next(w for w in nobody.warnings if w.code == "no_recent_attendance")
        assert warning.count == 5 and warning.pupils == [] and warning.hidden_pupils
        assert nobody.pupil_ids == []

    def test_a_clean_school_has_no_warnings(self) -> None:
        report = dq.data_quality_warnings(self.school_a, visible=Pupil.objects.all())
        assert report.latest_attendance_day is None
        assert report.warnings == []

    def test_the_page_shows_the_warnings_and_logs_the_names(self) -> None:
        self.attend(self.enrolled[1:], self.latest)
        silent = self.enrolled[0]
        client = self.client_for(self.support_a)
        before = AccessLogEntry.objects.count()
        html = client.get("/school-data/").content.decode()
        assert 'id="quality-heading"' in html
        assert f'href="/pupils/{silent.pk}/"' in html
        entry = AccessLogEntry.objects.order_by("-pk").first()
        assert AccessLogEntry.objects.count() == before + 1 and entry is not None
        assert entry.action == AccessLogEntry.Action.LIST
        assert silent.pk in set(
            AccessedPupil.objects.filter(entry=entry).values_list("pupil_id", flat=True))

    def test_another_schools_warnings_are_not_shown(self) -> None:
        html = self.client_for(self.support_b).get("/school-data/").content.decode()
        assert self.school_b.name in html
        names = Pupil.objects.filter(school=self.school_a).filter(
            ~Q(pk__in=visible_pupils(self.fresh(self.support_b)).values("pk")))[:20]
        assert not any(f'href="/pupils/{p.pk}/"' in html for p in names)
