"""A pupil's school data as the pupil page shows it: attendance heat map of the semester,
grades over time per subject, behaviour log. Callers have already authorised the pupil."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.calendars.models import Semester
from kopiena.calendars.schooldays import school_days, school_year_on
from kopiena.core.charts import Chart, HeatCell, Series, calendar_heatmap, lines
from kopiena.pupils.models import Pupil
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade

GRADE_WEEKS = 16


BEHAVIOUR_CATEGORIES = {
    "disruption": gettext_lazy("Disrupting lessons"),
    "bullying": gettext_lazy("Bullying"),
    "truancy": gettext_lazy("Truancy"),
    "violence": gettext_lazy("Violence"),
    "other": gettext_lazy("Other"),
}
SEVERITIES = {1: gettext_lazy("minor"), 2: gettext_lazy("moderate"), 3: gettext_lazy("serious")}


@dataclass
class BehaviourEntry:
    date: dt.date
    category: str
    severity: int
    note: str | None  # None when the reader may not see notes

    @property
    def category_display(self) -> str:
        return str(BEHAVIOUR_CATEGORIES.get(self.category, self.category))

    @property
    def severity_display(self) -> str:
        return str(SEVERITIES.get(self.severity, self.severity))


@dataclass
class PupilSchoolRecord:
    semester: Semester | None
    attendance: Chart | None
    grades: list[Chart] = field(default_factory=list)
    behaviour: list[BehaviourEntry] = field(default_factory=list)


def _semester_on(day: dt.date) -> Semester | None:
    year = school_year_on(day)
    if year is None:
        return None
    semesters = list(year.semesters.all())
    past = [s for s in semesters if s.starts_on <= day]
    return past[-1] if past else (semesters[0] if semesters else None)


def _attendance_chart(pupil: Pupil, semester: Semester, today: dt.date) -> Chart:
    grade = pupil.school_class.grade if pupil.school_class else None
    end = min(semester.ends_on, today)
    days = list(school_days(semester.school_year, semester.starts_on, end, grade=grade))
    recorded = {
        a.date: a for a in AttendanceDay.objects.filter(
            pupil=pupil, date__range=(semester.starts_on, end)
        )
    }
    cells = []
    for day in days:
        record = recorded.get(day)
        if record is None or record.lessons_scheduled == 0:
            cells.append(HeatCell(day, None, _("%(day)s: nothing recorded")
                                  % {"day": day.strftime("%d.%m.")}))
            continue
        attended = record.lessons_scheduled - record.absent_excused - record.absent_unexcused
        cells.append(HeatCell(day, attended / record.lessons_scheduled, _(
            "%(day)s: %(attended)d of %(scheduled)d lessons, %(excused)d excused and "
            "%(unexcused)d unexcused absences, %(late)d late"
        ) % {
            "day": day.strftime("%d.%m."), "attended": attended,
            "scheduled": record.lessons_scheduled, "excused": record.absent_excused,
            "unexcused": record.absent_unexcused, "late": record.late,
        }))
    return calendar_heatmap(
        title=_("Attendance this semester"),
        description=_("Each square is a school day; darker green is full attendance, red is "
                      "most lessons missed, grey is no record."),
        cells=cells,
    )


def _grade_charts(pupil: Pupil, today: dt.date) -> list[Chart]:
    since = today - dt.timedelta(weeks=GRADE_WEEKS)
    by_subject: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for grade in Grade.objects.filter(pupil=pupil, date__range=(since, today),
                                      points__isnull=False).order_by("date"):
        assert grade.points is not None
        by_subject[grade.subject].append((grade.date, float(grade.points)))
    charts = []
    for subject in sorted(by_subject):
        points = by_subject[subject]
        charts.append(lines(
            title=subject,
            description=_("Grades in %(subject)s over the last %(weeks)d weeks, 1 to 10.")
            % {"subject": subject, "weeks": GRADE_WEEKS},
            dates=[d for d, _v in points], series=[Series(subject, [v for _d, v in points])],
            y_min=1, y_max=10, height=140,
        ))
    return charts


def pupil_school_record(pupil: Pupil, *, may_see_notes: bool,
                        today: dt.date | None = None) -> PupilSchoolRecord:
    today = today or timezone.localdate()
    semester = _semester_on(today)
    record = PupilSchoolRecord(
        semester=semester,
        attendance=_attendance_chart(pupil, semester, today) if semester else None,
        grades=_grade_charts(pupil, today),
    )
    incidents = BehaviourIncident.objects.filter(pupil=pupil).order_by("-date")[:50]
    record.behaviour = [
        BehaviourEntry(i.date, i.category, i.severity, i.note if may_see_notes else None)
        for i in incidents
    ]
    return record
