"""Each indicator against a hand-computed example on real school days of 2026/27."""

from __future__ import annotations

import pytest

from kopiena.earlywarning.grading import blocking_subjects, insufficient_result_subjects
from kopiena.earlywarning.indicators import compute_indicators
from kopiena.pupils.models import Enrolment, SchoolClass
from kopiena.schooldata.models import GradeKind
from tests import people as P
from tests.test_ew_factories import (
    AS_OF,
    SEMESTER_START,
    WINDOW_START,
    D,
    attend,
    clear_data,
    days,
    demo_pupil,
    demo_pupils,
    enrolment_of,
    grade,
    incident,
    indicators_of,
    school,
    year_2026,
)

pytestmark = pytest.mark.django_db


def test_the_windows_of_20_november() -> None:
    window = days(SEMESTER_START, AS_OF)[-30:]
    assert window[0] == WINDOW_START  # autumn holidays and 18 November are skipped
    assert len(days(SEMESTER_START, AS_OF)) == 53


def test_attendance_rates_and_semester_counts() -> None:
    pupil = demo_pupil(grade=7)
    attend(pupil, days(SEMESTER_START, AS_OF), scheduled=6, absences={
        D(2026, 10, 1): (0, 6, 0),  # the day before the 30-day window: semester only
        D(2026, 10, 2): (3, 0, 0),  # the first day of the window
        D(2026, 11, 2): (0, 2, 0),
        D(2026, 11, 3): (0, 0, 1),  # late counts as attended
    })
    ind = indicators_of(pupil)
    assert ind.school_days_30d == 30
    # 30 days x 6 = 180 scheduled, 3 + 2 missed: 175 / 180
    assert ind.attendance_rate_30d == pytest.approx(175 / 180)
    # 53 days x 6 = 318 scheduled, 6 + 3 + 2 missed: 307 / 318
    assert ind.attendance_rate_semester == pytest.approx(307 / 318)
    assert (ind.unexcused_lessons_semester, ind.excused_lessons_semester,
            ind.late_semester) == (8, 3, 1)
    data = ind.to_json()
    assert data["attendance_rate_30d"] == 0.9722
    assert data["attendance_rate_semester"] == 0.9654


def test_a_sunday_sees_the_same_window_as_the_friday_before() -> None:
    pupil = demo_pupil(grade=7)
    attend(pupil, days(SEMESTER_START, AS_OF), absences={D(2026, 11, 20): (0, 6, 0)})
    assert indicators_of(pupil, D(2026, 11, 22)).attendance_rate_30d == pytest.approx(174 / 180)


def test_rows_after_as_of_do_not_count() -> None:
    pupil = demo_pupil(grade=7)
    attend(pupil, days(SEMESTER_START, D(2026, 11, 27)),
           absences={D(2026, 11, 23): (0, 6, 0)})
    assert indicators_of(pupil).unexcused_lessons_semester == 0


def test_no_scheduled_lessons_means_no_rate() -> None:
    without_rows, without_lessons = demo_pupils(grade=7, count=2)
    attend(without_lessons, days(WINDOW_START, AS_OF), scheduled=0)
    for pupil in (without_rows, without_lessons):
        ind = indicators_of(pupil)
        assert ind.attendance_rate_30d is None
        assert ind.attendance_rate_semester is None
        assert ind.to_json()["attendance_rate_30d"] is None


def test_the_semester_during_the_winter_holidays_is_semester_1() -> None:
    pupil = demo_pupil(grade=7)
    attend(pupil, days(SEMESTER_START, D(2026, 12, 18)), absences={D(2026, 12, 18): (0, 4, 0)})
    ind = indicators_of(pupil, D(2026, 12, 28))
    assert ind.unexcused_lessons_semester == 4
    assert (ind.school_year_id, ind.semester) == (year_2026().pk, 1)


def test_insufficient_results_in_the_window_and_the_semester() -> None:
    pupil = demo_pupil(grade=7)
    grade(pupil, D(2026, 9, 15), "2")  # semester only
    grade(pupil, D(2026, 10, 2), "nv")
    grade(pupil, D(2026, 11, 10), "ni", subject="Sports un veselība")
    grade(pupil, D(2026, 11, 12), "5")
    grade(pupil, D(2026, 11, 13), "3", subject="Vēsture")
    grade(pupil, D(2026, 11, 23), "1")  # after as_of
    ind = indicators_of(pupil)
    assert (ind.insufficient_results_30d, ind.insufficient_results_semester) == (3, 4)
    assert ind.to_json()["insufficient_results_semester"] == 4


def test_one_insufficient_subject_does_not_block_promotion_in_grade_7() -> None:
    pupil = demo_pupil(grade=7)
    end_of_term = D(2026, 12, 18)
    grade(pupil, end_of_term, "3", kind=GradeKind.TERM)
    grade(pupil, end_of_term, "6", subject="Vēsture", kind=GradeKind.TERM)
    ind = indicators_of(pupil, end_of_term)
    assert ind.insufficient_result_subjects == ("Matemātika",)
    assert ind.blocking_subjects == ()
    grade(pupil, end_of_term, "nv", subject="Angļu valoda", kind=GradeKind.TERM)
    assert indicators_of(pupil, end_of_term).blocking_subjects == ("Angļu valoda", "Matemātika")


def test_one_insufficient_subject_blocks_promotion_in_grade_10() -> None:
    pupil = demo_pupil(grade=10)
    grade(pupil, D(2026, 12, 18), "2", kind=GradeKind.TERM)
    assert indicators_of(pupil, D(2026, 12, 18)).blocking_subjects == ("Matemātika",)


def test_the_latest_result_of_a_subject_counts() -> None:
    rows = [("Matemātika", D(2026, 12, 18), GradeKind.TERM, True),
            ("Matemātika", D(2027, 5, 31), GradeKind.ANNUAL, False),
            ("Vēsture", D(2027, 5, 31), GradeKind.TERM, False),
            ("Vēsture", D(2027, 5, 31), GradeKind.ANNUAL, True)]
    assert insufficient_result_subjects(rows) == ("Vēsture",)
    assert blocking_subjects(("Vēsture",), grade=12, programme="general") == ("Vēsture",)
    assert blocking_subjects(("Vēsture",), grade=5, programme="general") == ()
    assert blocking_subjects(("Vēsture",), grade=2, programme="vet") == ("Vēsture",)


def test_grade_trend_is_the_least_squares_slope_against_the_class() -> None:
    pupil = demo_pupil(grade=7)
    class_id = enrolment_of(pupil).school_class_id
    classmates = Enrolment.objects.filter(school_class_id=class_id, enrolled_to__isnull=True)
    clear_data(list(classmates.values_list("pupil_id", flat=True)))
    # Trend window: the 56 days 26 Sept - 20 Nov. x = days since 26 Sept.
    grade(pupil, D(2026, 9, 25), "10")  # 56 days before: outside
    grade(pupil, D(2026, 9, 28), "8")  # x = 2
    grade(pupil, D(2026, 10, 12), "7")  # x = 16
    grade(pupil, D(2026, 11, 2), "6")  # x = 37
    grade(pupil, D(2026, 11, 20), "5")  # x = 55
    grade(pupil, D(2026, 11, 3), "nv", subject="Vēsture")  # no points
    grade(pupil, D(2026, 11, 4), "1", kind=GradeKind.TERM)  # results are not the trend
    # mean x 27.5, mean y 6.5: Sxy = -90, Sxx = 1629; slope -90 / 1629 points a day
    expected = -90 / 1629 * 7
    other = classmates.exclude(pupil=pupil).order_by("pk").first()
    assert other is not None
    for day, value in ((D(2026, 10, 1), "5"), (D(2026, 10, 8), "6"), (D(2026, 10, 15), "7")):
        grade(other.pupil, day, value)  # exactly one point a week
    ind = indicators_of(pupil)
    assert ind.grade_trend == pytest.approx(expected)
    assert ind.class_grade_trend == pytest.approx((expected + 1.0) / 2)
    assert indicators_of(other.pupil).grade_trend == pytest.approx(1.0)


def test_fewer_than_three_grades_give_no_trend() -> None:
    pupil = demo_pupil(grade=7)
    grade(pupil, D(2026, 10, 9), "7")
    grade(pupil, D(2026, 10, 30), "4")
    assert indicators_of(pupil).grade_trend is None


def test_behaviour_share_of_school_days_and_serious_incidents() -> None:
    pupil = demo_pupil(grade=7)
    incident(pupil, D(2026, 10, 1), severity=3)  # before the window
    incident(pupil, D(2026, 10, 2), severity=3)
    incident(pupil, D(2026, 10, 2), severity=1, category="other")  # same day
    incident(pupil, D(2026, 11, 11), severity=2)
    incident(pupil, D(2026, 11, 18))  # public holiday: not a school day
    incident(pupil, D(2026, 11, 23), severity=3)  # after as_of
    ind = indicators_of(pupil)
    assert ind.behaviour_incident_day_share_30d == pytest.approx(2 / 30)
    assert ind.serious_incidents_30d == 1
    assert ind.to_json()["behaviour_incident_day_share_30d"] == 0.0667


def test_behaviour_share_counts_only_days_of_enrolment() -> None:
    pupil = demo_pupil(grade=7)
    Enrolment.objects.filter(pupil=pupil).update(enrolled_from=D(2026, 11, 9))
    incident(pupil, D(2026, 11, 10))
    # enrolled on 9 school days of the window: 9-13, 16, 17, 19, 20 November
    assert indicators_of(pupil).behaviour_incident_day_share_30d == pytest.approx(1 / 9)


def test_over_age_is_more_than_a_year_older_than_usual() -> None:
    pupil = demo_pupil(grade=7)  # usual: born in 2013, grade 1 in the year of turning 7
    assert (indicators_of(pupil).years_over_age, indicators_of(pupil).over_age) == (0, False)
    pupil.birth_date = D(2012, 12, 31)
    pupil.save()
    assert (indicators_of(pupil).years_over_age, indicators_of(pupil).over_age) == (1, False)
    pupil.birth_date = D(2011, 1, 1)
    pupil.save()
    assert (indicators_of(pupil).years_over_age, indicators_of(pupil).over_age) == (2, True)


def test_repeating_year_from_the_enrolment_history() -> None:
    pupil = demo_pupil(grade=7)
    assert not indicators_of(pupil).repeating_year
    last_year = year_2026().__class__.objects.get(name="2025/26")
    school_a = school(P.SCHOOL_A)
    old_class = SchoolClass.objects.create(school=school_a, school_year=last_year,
                                           label="7.z", grade=7)
    Enrolment.objects.create(pupil=pupil, school=school_a, source_id="OLD-7Z",
                             school_class=old_class, enrolled_from=D(2025, 9, 1),
                             enrolled_to=D(2026, 5, 29))
    assert indicators_of(pupil).repeating_year


def test_changed_school_during_this_school_year() -> None:
    pupil = demo_pupil(grade=7)
    basic = school(P.SCHOOL_BASIC)
    Enrolment.objects.create(pupil=pupil, school=basic, source_id="OLD-1",
                             enrolled_from=D(2019, 9, 2), enrolled_to=D(2026, 6, 12))
    assert not indicators_of(pupil).changed_school  # left before this school year
    Enrolment.objects.create(pupil=pupil, school=basic, source_id="OLD-2",
                             enrolled_from=D(2026, 9, 1), enrolled_to=D(2026, 10, 15))
    assert indicators_of(pupil).changed_school


def test_pupils_not_enrolled_on_the_date_are_left_out() -> None:
    pupil = demo_pupil(grade=7)
    assert compute_indicators(as_of=D(2015, 9, 1), pupil_ids=[pupil.pk]) == []
    assert compute_indicators(as_of=AS_OF, pupil_ids=[]) == []


def test_a_school_gives_every_pupil_enrolled_on_the_date() -> None:
    school_a = school(P.SCHOOL_A)
    enrolled = Enrolment.objects.filter(school=school_a, enrolled_from__lte=AS_OF).exclude(
        enrolled_to__lt=AS_OF)
    result = compute_indicators(as_of=AS_OF, school=school_a)
    assert sorted(r.source_id for r in result) == sorted(e.source_id for e in enrolled)
    assert {r.school_id for r in result} == {school_a.pk}
