"""The pupil page's school data: heat map, grades, behaviour notes by role."""

from __future__ import annotations

import datetime as dt

from kopiena.access.scoping import visible_pupils
from kopiena.calendars.schooldays import current_school_year, school_days
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade
from tests.base import BaseTestCase

SECRET_NOTE = "Konflikts ar klasesbiedru starpbrīdī"


class PupilRecordTests(BaseTestCase):
    def setUp(self) -> None:
        pupil = visible_pupils(self.teacher_a).first()
        assert pupil is not None and pupil.school is not None
        self.pupil = pupil
        year = current_school_year()
        assert year is not None
        self.day = next(iter(school_days(year, dt.date(2026, 10, 1), None, grade=7)))
        AttendanceDay.objects.update_or_create(
            pupil=pupil, date=self.day,
            defaults={"school": pupil.school, "lessons_scheduled": 7, "absent_excused": 0,
                      "absent_unexcused": 3, "late": 1},
        )
        Grade.objects.update_or_create(
            pupil=pupil, date=self.day, subject="Matemātika", kind="ongoing",
            defaults={"school": pupil.school, "value": "4", "points": 4},
        )
        BehaviourIncident.objects.update_or_create(
            pupil=pupil, date=self.day, category="disruption",
            defaults={"school": pupil.school, "severity": 2, "note": SECRET_NOTE},
        )

    def test_heat_map_describes_the_day_in_words(self) -> None:
        html = self.client_for(self.director_a).get(f"/pupils/{self.pupil.pk}/").content.decode()
        assert "4 of 7 lessons" in html or "4 no 7" in html
        assert "Matemātika" in html

    def test_behaviour_note_only_for_roles_that_may_see_it(self) -> None:
        teacher_page = self.client_for(self.teacher_a).get(f"/pupils/{self.pupil.pk}/")
        psychologist_page = self.client_for(self.psychologist_a).get(f"/pupils/{self.pupil.pk}/")
        assert teacher_page.status_code == psychologist_page.status_code == 200
        assert SECRET_NOTE not in teacher_page.content.decode()
        assert SECRET_NOTE in psychologist_page.content.decode()
